//! Placeholder: the wire encoding lands here.
