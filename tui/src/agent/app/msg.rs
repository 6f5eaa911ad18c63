//! What can happen to the console ([`Msg`], with the [`Key`]s and what the
//! help says of them) and what it asks the runtime to do ([`Effect`]).

use floorwalker::feed::Feed;
use floorwalker_shared::chat::DeskFact;

/// What can happen to the console.
#[derive(Debug, Clone)]
pub(crate) enum Msg {
    /// A message of the chat facts stream (`AUDIT`).
    Audit(Feed),
    /// A message of the shoppers' stream (`EVENTS`), for journeys.
    Events(Feed),
    /// A second passed.
    Tick {
        /// The wall clock.
        now_ms: u64,
    },
    /// A key.
    Key(Key),
    /// A fact could not be recorded.
    NotRecorded(String),
    /// The connection to NATS was lost (`Some(why)`) or is back.
    Conn(Option<String>),
}

/// What a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Up,
    Down,
    /// Claim the next waiting chat.
    Claim,
    /// Write in the selected chat; in the text field, send.
    Enter,
    /// End the selected chat.
    End,
    /// Available or away.
    Toggle,
    /// One more chat at once.
    More,
    /// One fewer.
    Fewer,
    /// Take the selected incident.
    Take,
    /// Resolve the selected incident.
    Resolve,
    Help,
    /// Leave the text field or the help.
    Back,
    Quit,
    /// A character for the text field.
    Char(char),
    /// Delete the last character of the text field.
    Erase,
}

/// Every key the help lists: keys, what they do.
pub(crate) const KEYS: &[(&str, &str)] = &[
    ("n", "claim the next waiting chat"),
    ("j/k ↓/↑", "select a chat or incident"),
    (
        "Enter",
        "write in the selected chat (Enter sends, Esc stops)",
    ),
    ("e", "end the selected chat; the shopper gets the survey"),
    ("a", "available / away"),
    ("+/-", "more / fewer chats at once"),
    ("t", "take the selected incident"),
    ("r", "resolve the selected incident"),
    ("?", "this help"),
    (
        "q",
        "quit (your chats wait for you until the router's timeout)",
    ),
];

/// What the runtime must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Record a fact under this agent.
    Record(DeskFact),
    Quit,
}
