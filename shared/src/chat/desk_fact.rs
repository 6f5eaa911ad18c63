//! What an agent, a supervisor or the router does, and the envelope it
//! travels in on the operator's audit subject.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::{
    Check, MAX_CAPACITY, MAX_FACT_BYTES, MAX_INCIDENT_JOURNEY, MAX_JOURNEY_LINE_LEN, bounded, id,
    required, version,
};
use crate::event::limits::MAX_CHAT_TEXT_LEN;
use crate::event::{InvalidEvent, InvalidEventKind, SCHEMA_VERSION};
use crate::wire::{self, WireError};

/// An operator's desk fact, with the schema version it was written in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskEnvelope {
    /// Schema version the sender wrote; readers accept only
    /// [`SCHEMA_VERSION`].
    pub v: u16,
    /// What the operator did.
    pub fact: DeskFact,
}

/// What an agent, a supervisor or the router does. The operator is named
/// by the subject, not here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeskFact {
    /// Agent: available or away, and how many chats at once.
    Status {
        /// Whether the agent takes chats.
        available: bool,
        /// Most chats at once, 1 to [`MAX_CAPACITY`].
        capacity: u8,
    },
    /// Agent: takes a waiting chat. The first claim in the stream wins.
    Claim {
        /// The chat.
        chat_id: String,
    },
    /// Agent: writes in a chat it holds.
    Message {
        /// The chat.
        chat_id: String,
        /// The message's id, made by the agent's console.
        msg_id: String,
        /// What the agent wrote.
        text: String,
    },
    /// Agent: ends a chat it holds; the shopper gets the survey.
    End {
        /// The chat.
        chat_id: String,
    },
    /// Agent: takes an open incident.
    Take {
        /// The incident (the id of the chat it is about).
        chat_id: String,
    },
    /// Agent: closes an incident it took.
    Resolve {
        /// The incident (the id of the chat it is about).
        chat_id: String,
    },
    /// Supervisor: a note to the chat's agent that the shopper never sees.
    Whisper {
        /// The chat.
        chat_id: String,
        /// The note's id.
        msg_id: String,
        /// What it says.
        text: String,
    },
    /// Supervisor: writes in a chat; the shopper sees it as from a
    /// supervisor.
    Join {
        /// The chat.
        chat_id: String,
        /// The message's id.
        msg_id: String,
        /// What the supervisor wrote.
        text: String,
    },
    /// Supervisor: gives a chat to another agent, or back to the queue.
    /// Who moved it is the subject's user, which the broker vouches for
    /// (a field here would only be a second, unchecked copy); the desk
    /// writes it in the transcript.
    Reassign {
        /// The chat.
        chat_id: String,
        /// The agent who takes it over; `None` puts it back in the queue.
        to: Option<String>,
    },
    /// Router: an agent has been silent past the timeout; it is offline and
    /// its chats go back to the queue.
    Lost {
        /// The agent.
        agent: String,
    },
    /// Router: the shopper of a chat is gone; a waiting chat counts as
    /// abandoned, an answered one ends.
    Gone {
        /// The chat.
        chat_id: String,
    },
    /// Router: a "No" survey answer opened an incident, with the shopper's
    /// journey as the router saw it.
    Incident {
        /// The chat it is about.
        chat_id: String,
        /// The journey, one line per step, oldest first.
        journey: Vec<String>,
    },
}

impl DeskFact {
    /// Every kind, as the last token of the subjects facts travel on.
    pub const KINDS: [&'static str; 12] = [
        "status", "claim", "message", "end", "take", "resolve", "whisper", "join", "reassign",
        "lost", "gone", "incident",
    ];

    /// The kinds an agent records.
    pub const AGENT_KINDS: [&'static str; 6] =
        ["status", "claim", "message", "end", "take", "resolve"];

    /// The kinds only a supervisor records.
    pub const SUPERVISOR_KINDS: [&'static str; 3] = ["whisper", "join", "reassign"];

    /// The kinds only the router records.
    pub const ROUTER_KINDS: [&'static str; 3] = ["lost", "gone", "incident"];

    /// The kind, as the last token of the subject the fact travels on; the
    /// broker lets each role publish only its own kinds.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Status { .. } => "status",
            Self::Claim { .. } => "claim",
            Self::Message { .. } => "message",
            Self::End { .. } => "end",
            Self::Take { .. } => "take",
            Self::Resolve { .. } => "resolve",
            Self::Whisper { .. } => "whisper",
            Self::Join { .. } => "join",
            Self::Reassign { .. } => "reassign",
            Self::Lost { .. } => "lost",
            Self::Gone { .. } => "gone",
            Self::Incident { .. } => "incident",
        }
    }

    /// An id for the fact that a sender resending it repeats (the fold
    /// takes a fact seen again as no change); `None` for facts that are
    /// fine twice (a status, a lost agent).
    pub fn dedupe_id(&self) -> Option<String> {
        let (chat, what) = match self {
            // A status or a lost agent is fine twice; reassigning twice is
            // a decision made twice.
            Self::Status { .. } | Self::Lost { .. } | Self::Reassign { .. } => return None,
            Self::Message {
                chat_id, msg_id, ..
            }
            | Self::Whisper {
                chat_id, msg_id, ..
            }
            | Self::Join {
                chat_id, msg_id, ..
            } => (chat_id, msg_id.as_str()),
            Self::Claim { chat_id }
            | Self::End { chat_id }
            | Self::Take { chat_id }
            | Self::Resolve { chat_id }
            | Self::Gone { chat_id }
            | Self::Incident { chat_id, .. } => (chat_id, self.kind()),
        };
        let mut id = String::from(chat.as_str());
        id.push('-');
        id.push_str(what);
        Some(id)
    }

    fn validate(&self) -> Check {
        match self {
            Self::Status { capacity, .. } => {
                if (1..=MAX_CAPACITY).contains(capacity) {
                    Ok(())
                } else {
                    Err(InvalidEvent::new(
                        InvalidEventKind::OutOfRange,
                        "status.capacity",
                    ))
                }
            }
            Self::Claim { chat_id }
            | Self::End { chat_id }
            | Self::Take { chat_id }
            | Self::Resolve { chat_id }
            | Self::Gone { chat_id } => id(chat_id, "chat_id"),
            Self::Message {
                chat_id,
                msg_id,
                text,
            }
            | Self::Whisper {
                chat_id,
                msg_id,
                text,
            }
            | Self::Join {
                chat_id,
                msg_id,
                text,
            } => {
                id(chat_id, "chat_id")?;
                id(msg_id, "msg_id")?;
                required(text, MAX_CHAT_TEXT_LEN, "text")
            }
            Self::Reassign { chat_id, to } => {
                id(chat_id, "chat_id")?;
                to.as_deref().map_or(Ok(()), |to| id(to, "reassign.to"))
            }
            Self::Lost { agent } => id(agent, "lost.agent"),
            Self::Incident { chat_id, journey } => {
                id(chat_id, "chat_id")?;
                if journey.len() > MAX_INCIDENT_JOURNEY {
                    return Err(InvalidEvent::new(
                        InvalidEventKind::TooManyEvents,
                        "incident.journey",
                    ));
                }
                journey
                    .iter()
                    .try_for_each(|line| bounded(line, MAX_JOURNEY_LINE_LEN, "incident.journey"))
            }
        }
    }
}

impl DeskEnvelope {
    /// An envelope of the current [`SCHEMA_VERSION`].
    pub fn new(fact: DeskFact) -> Self {
        Self {
            v: SCHEMA_VERSION,
            fact,
        }
    }

    /// Checks the version and the fact's fields.
    pub fn validate(&self) -> Check {
        version(self.v)?;
        self.fact.validate()
    }

    /// The payload bytes.
    pub fn encode(&self) -> Vec<u8> {
        wire::encode(self)
    }

    /// Reads payload bytes, refusing oversized, malformed or invalid ones.
    pub fn decode(bytes: &[u8]) -> Result<Self, WireError> {
        wire::decode(bytes, MAX_FACT_BYTES, Self::validate)
    }
}
