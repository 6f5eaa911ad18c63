//! Subjects of the JetStream API that operators' permissions name.

use alloc::vec;
use alloc::vec::Vec;

use super::Subject;

/// Account information.
pub fn api_info() -> Subject {
    Subject::join(&["$JS", "API", "INFO"])
}

/// Reading a stream's configuration and state.
pub fn stream_info() -> Subject {
    Subject::join(&["$JS", "API", "STREAM", "INFO", "*"])
}

/// Creating, updating, deleting or purging streams, and deleting messages.
pub fn stream_admin() -> Vec<Subject> {
    ["CREATE", "UPDATE", "DELETE", "PURGE", "SNAPSHOT", "RESTORE"]
        .into_iter()
        .map(|op| Subject::join(&["$JS", "API", "STREAM", op, "*"]))
        .chain([Subject::join(&[
            "$JS", "API", "STREAM", "MSG", "DELETE", "*",
        ])])
        .collect()
}

/// Reading one message of a stream.
pub fn stream_msg_get() -> Subject {
    Subject::join(&["$JS", "API", "STREAM", "MSG", "GET", "*"])
}

/// Reading messages directly.
pub fn direct_get() -> Subject {
    Subject::join(&["$JS", "API", "DIRECT", "GET", ">"])
}

/// Creating, reading, pulling from and deleting consumers.
pub fn consumer_all() -> Subject {
    Subject::join(&["$JS", "API", "CONSUMER", ">"])
}

/// Acknowledging messages, and flow control of push consumers.
pub fn acks() -> Vec<Subject> {
    vec![
        Subject::join(&["$JS", "ACK", ">"]),
        Subject::join(&["$JS", "FC", ">"]),
    ]
}
