//! Placeholder: the event schema lands here.
