//! What can happen to the console ([`Msg`], with the [`Key`]s) and what it
//! asks the runtime to do ([`Effect`]). Which key is which is `keymap`'s.

use std::sync::Arc;

use crossterm::event::KeyEvent;
use floorwalker::creds::Link;
use floorwalker::feed::Feed;
use floorwalker::learn::{ReadError, VisitorId};
use floorwalker::record::RecordError;
use floorwalker_shared::chat::DeskFact;
use floorwalker_shared::memory::Memory;

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
    /// A key from the terminal; what it does depends on the mode.
    Press(KeyEvent),
    /// Text pasted into the terminal, whole (bracketed paste).
    Paste(String),
    /// The terminal's size changed (everything is drawn again).
    Resize,
    /// A fact could not be recorded.
    NotRecorded(RecordError),
    /// The connection to NATS was lost or is back.
    Link(Link),
    /// A visitor's memory, as read (`None`: nothing remembered), or why not.
    Memory(VisitorId, Result<Option<Memory>, Arc<ReadError>>),
}

/// What a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    /// The row above.
    Up,
    /// The row below.
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
    /// Show or hide the help.
    Help,
    /// Leave the text field or the help.
    Back,
    /// Leave the console.
    Quit,
    /// A character for the text field.
    Char(char),
    /// Delete the last character of the text field.
    Erase,
}

/// What the runtime must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Record a fact under this agent.
    Record(DeskFact),
    /// Read a visitor's memory.
    ReadMemory(VisitorId),
    /// Leave: the runtime records the agent away and restores the terminal.
    Quit,
}
