//! What can happen to the dashboard ([`Msg`]) and what it asks the runtime
//! to do ([`Effect`]).

use bytes::Bytes;
pub(crate) use floorwalker::offers::OfferRecord;
use floorwalker_shared::subject::{SessionSubjects, Subject};

use super::keymap::Action;

/// Something that happened, for `App::update`.
#[derive(Debug, Clone)]
pub(crate) enum Msg {
    /// The supervisor pressed a key the keymap knows.
    Key(Action),
    /// A printable character typed while a text field is open.
    Char(char),
    /// The clock moved on (also redraws time-based columns).
    Tick { now_ms: u64 },
    /// A shopper's batch, heard at `heard_ms` (stream time when replayed).
    Batch {
        subject: Subject,
        payload: Bytes,
        heard_ms: u64,
    },
    /// An offer an operator sent, from the audit trail.
    OfferSent(OfferRecord),
    /// A chat fact from the audit trail, stored at `at_ms`.
    Fact {
        subject: Subject,
        payload: Bytes,
        at_ms: u64,
    },
    /// The connection to NATS changed.
    Conn(Conn),
    /// Replay of recent history finished: `batches` were read.
    Replayed { batches: u64 },
    /// The runtime could not do what an effect asked.
    Failed(String),
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
    /// Push an offer to a shopper and record it in the audit trail.
    SendOffer {
        /// The shopper's session.
        session: SessionSubjects,
        /// The offer's id.
        offer_id: String,
        /// What it says.
        text: String,
    },
    /// Record a supervisor's desk fact (whisper, join, reassign).
    Record(floorwalker_shared::chat::DeskFact),
    /// Stop: restore the terminal and exit.
    Quit,
}
