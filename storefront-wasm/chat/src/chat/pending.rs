//! The chat facts awaiting the stream's acknowledgement, in the one string
//! `localStorage` keeps them as.

use alloc::string::String;

use crate::storage;

/// Facts not yet acknowledged by the stream, as they are stored: one line
/// per fact, oldest first, each the fact's dedupe id (the tail of its
/// message id, and its reply subject), a space, and the encoded
/// `ChatEnvelope` (JSON, which has no raw line breaks).
pub(crate) type Pending = String;

/// Each pending fact's dedupe id and payload.
pub(super) fn facts(pending: &str) -> impl Iterator<Item = (&str, &str)> {
    pending.split('\n').filter_map(|line| line.split_once(' '))
}

/// Adds a fact unless it is pending already; `false` if the pending facts
/// are at their bound (see `storage::MAX_FACTS`).
pub(crate) fn add_fact(pending: &mut Pending, id: &str, json: &str) -> bool {
    if facts(pending).any(|(i, _)| i == id) {
        return true;
    }
    if facts(pending).count() >= storage::MAX_FACTS
        || pending.len() + id.len() + json.len() + 2 > storage::MAX_FACTS_BYTES
    {
        return false;
    }
    if !pending.is_empty() {
        pending.push('\n');
    }
    pending.push_str(id);
    pending.push(' ');
    pending.push_str(json);
    true
}

/// Removes the fact `id`, acknowledged.
pub(crate) fn remove_fact(pending: &mut Pending, id: &str) {
    let mut kept = Pending::new();
    for (i, json) in facts(pending) {
        if i != id {
            add_fact(&mut kept, i, json);
        }
    }
    *pending = kept;
}
