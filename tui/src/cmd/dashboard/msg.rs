//! What can happen to the dashboard ([`Msg`]) and what it asks the runtime
//! to do ([`Effect`]); every effect's result comes back as a message.

use crossterm::event::KeyEvent;
use floorwalker::creds::Link;
use floorwalker::feed::Feed;
use floorwalker::learn::{ReadError, VisitorId};
use floorwalker::presence::Heard;
use floorwalker_shared::memory::Memory;
use std::sync::Arc;

use floorwalker::offers::OfferError;
pub(crate) use floorwalker::offers::OfferRecord;
use floorwalker::record::RecordError;
use floorwalker_shared::chat::DeskFact;
use floorwalker_shared::subject::SessionSubjects;
use tokio::task::JoinError;

/// Something that happened, for `App::update`.
#[derive(Debug, Clone)]
pub(crate) enum Msg {
    /// A key from the terminal; what it does depends on the mode.
    Press(KeyEvent),
    /// Text pasted into the terminal, whole (bracketed paste).
    Paste(String),
    /// The mouse wheel turned (`--mouse`).
    Wheel { down: bool },
    /// The terminal's size, at start and when it changes.
    Resize { width: u16, height: u16 },
    /// The clock moved on (also redraws time-based columns).
    Tick { now_ms: u64 },
    /// The shoppers' stream (`EVENTS`): batches, stamped with stream time.
    Events(Feed),
    /// The audit trail (`AUDIT`): offers and chat facts.
    Audit(Feed),
    /// Which shoppers the broker says are connected.
    Presence(Heard),
    /// What the intakes and the gates refused.
    Refusals(floorwalker::refusals::Heard),
    /// The connection to NATS was lost or is back.
    Link(Link),
    /// An offer was recorded and pushed, or why not.
    OfferDone(Result<OfferRecord, OfferError>),
    /// A desk fact was recorded, or why not.
    Recorded(Result<(), RecordError>),
    /// A task carrying out an effect panicked: said, never silently gone.
    TaskFailed(Arc<JoinError>),
    /// A visitor's memory, as read (`None`: nothing remembered), or why not.
    Memory(VisitorId, Result<Option<Memory>, Arc<ReadError>>),
}

/// Where the dashboard's connection to NATS stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Conn {
    /// Connecting for the first time.
    Connecting,
    /// Connected; reading recent history before following live.
    Replaying,
    /// Connected and following live.
    Live,
    /// Lost; reconnecting. The view keeps what it had.
    Down { reason: String },
}

/// What the runtime must do for the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Record an offer in the audit trail, then push it to the shopper.
    SendOffer {
        /// The shopper's session.
        session: SessionSubjects,
        /// What is recorded.
        record: OfferRecord,
    },
    /// Record a supervisor's desk fact (whisper, join, reassign).
    Record(DeskFact),
    /// Read a visitor's memory.
    ReadMemory(VisitorId),
    /// Stop: restore the terminal and exit.
    Quit,
}
