//! The facts of chats: what a shopper says on its chat subject
//! ([`ChatFact`]) and what agents, supervisors and the router record on
//! their audit subjects ([`DeskFact`]).
//!
//! Every chat fact is kept in JetStream, and [`crate::desk`] folds them, in
//! stream order, into the chats, the queue, the agents and the incidents that
//! every screen shows. A fact names its sender by its subject, which the
//! broker vouches for: a shopper can only publish on its own chat subject,
//! an operator only under its own user, and each role only the kinds of
//! fact its job needs (the gate's policy).
//!
//! The ids that tie facts together (chat ids, message ids) are made by the
//! sender, so a resent fact carries the same ids and is seen once: JetStream
//! drops it by its `Nats-Msg-Id` within its duplicate window, and the fold
//! ignores it beyond.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::event::limits::{MAX_CHAT_TEXT_LEN, MAX_COMMENT_LEN, MAX_ID_LEN};
use crate::event::{InvalidEvent, InvalidEventKind, SCHEMA_VERSION};
use crate::wire::{self, WireError};

/// Largest encoded chat or desk fact a reader accepts, in bytes.
pub const MAX_FACT_BYTES: usize = 32 * 1024;

/// Most chats an agent may hold at once, whatever it asks for.
pub const MAX_CAPACITY: u8 = 20;

/// Most lines of journey an incident carries.
pub const MAX_INCIDENT_JOURNEY: usize = 50;

/// Longest line of journey an incident carries, in bytes.
pub const MAX_JOURNEY_LINE_LEN: usize = 256;

/// A shopper's chat fact, with the schema version it was written in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatEnvelope {
    /// Schema version the sender wrote; readers accept only
    /// [`SCHEMA_VERSION`].
    pub v: u16,
    /// What the shopper did.
    pub fact: ChatFact,
}

/// What a shopper does in a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatFact {
    /// The shopper asked for help (the launcher) or accepted an offer: a
    /// chat opens and waits in the queue.
    Request {
        /// The new chat's id, made by the plugin.
        chat_id: String,
        /// The offer accepted, if the chat came from one.
        offer_id: Option<String>,
    },
    /// The shopper wrote in the chat.
    Message {
        /// The chat.
        chat_id: String,
        /// The message's id, made by the plugin.
        msg_id: String,
        /// What the shopper wrote.
        text: String,
    },
    /// The shopper closed the chat.
    Leave {
        /// The chat.
        chat_id: String,
    },
    /// The shopper answered "Did you get the help you needed?".
    Survey {
        /// The chat the answer is about.
        chat_id: String,
        /// Yes or no.
        helped: bool,
        /// What the shopper added, if anything.
        comment: Option<String>,
    },
}

impl ChatFact {
    /// The chat the fact is about.
    pub fn chat_id(&self) -> &str {
        match self {
            Self::Request { chat_id, .. }
            | Self::Message { chat_id, .. }
            | Self::Leave { chat_id }
            | Self::Survey { chat_id, .. } => chat_id,
        }
    }

    /// A short id for the fact, unique within its chat, which a sender
    /// resending it repeats: the JetStream message id is the session token
    /// and this.
    pub fn dedupe_id(&self) -> String {
        let mut id = String::from(self.chat_id());
        id.push('-');
        match self {
            Self::Request { .. } => id.push_str("request"),
            Self::Message { msg_id, .. } => id.push_str(msg_id),
            Self::Leave { .. } => id.push_str("leave"),
            Self::Survey { .. } => id.push_str("survey"),
        }
        id
    }

    fn validate(&self) -> Check {
        id(self.chat_id(), "chat_id")?;
        match self {
            Self::Request { offer_id, .. } => offer_id
                .as_deref()
                .map_or(Ok(()), |offer| id(offer, "request.offer_id")),
            Self::Message { msg_id, text, .. } => {
                id(msg_id, "message.msg_id")?;
                required(text, MAX_CHAT_TEXT_LEN, "message.text")
            }
            Self::Leave { .. } => Ok(()),
            Self::Survey { comment, .. } => comment
                .as_deref()
                .map_or(Ok(()), |c| bounded(c, MAX_COMMENT_LEN, "survey.comment")),
        }
    }
}

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

    /// An id for the fact that a sender resending it repeats, for
    /// JetStream's `Nats-Msg-Id` (with the sender's user before it); `None`
    /// for facts that are fine twice (a status, a lost agent).
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

type Check = Result<(), InvalidEvent>;

fn id(value: &str, field: &'static str) -> Check {
    required(value, MAX_ID_LEN, field)?;
    if value.chars().all(crate::subject::is_name_char) {
        Ok(())
    } else {
        Err(InvalidEvent::new(InvalidEventKind::BadFormat, field))
    }
}

fn required(value: &str, max: usize, field: &'static str) -> Check {
    if value.trim().is_empty() {
        return Err(InvalidEvent::new(InvalidEventKind::FieldEmpty, field));
    }
    bounded(value, max, field)
}

fn bounded(value: &str, max: usize, field: &'static str) -> Check {
    if value.len() > max {
        Err(InvalidEvent::new(InvalidEventKind::FieldTooLong, field))
    } else {
        Ok(())
    }
}

fn version(v: u16) -> Check {
    if v == SCHEMA_VERSION {
        Ok(())
    } else {
        Err(InvalidEvent::unsupported_version())
    }
}

impl ChatEnvelope {
    /// An envelope of the current [`SCHEMA_VERSION`].
    pub fn new(fact: ChatFact) -> Self {
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

#[cfg(test)]
mod tests {
    use alloc::borrow::ToOwned;
    use alloc::vec;

    use super::*;
    use crate::wire::WireErrorKind;

    fn s(text: &str) -> String {
        text.to_owned()
    }

    #[test]
    fn facts_survive_encoding() {
        let facts = [
            ChatFact::Request {
                chat_id: s("c1"),
                offer_id: Some(s("of-1")),
            },
            ChatFact::Message {
                chat_id: s("c1"),
                msg_id: s("m1"),
                text: s("Hello?"),
            },
            ChatFact::Leave { chat_id: s("c1") },
            ChatFact::Survey {
                chat_id: s("c1"),
                helped: false,
                comment: Some(s("too slow")),
            },
        ];
        for fact in facts {
            let envelope = ChatEnvelope::new(fact);
            assert_eq!(ChatEnvelope::decode(&envelope.encode()).unwrap(), envelope);
        }
        let facts = [
            DeskFact::Status {
                available: true,
                capacity: 3,
            },
            DeskFact::Reassign {
                chat_id: s("c1"),
                to: None,
            },
            DeskFact::Incident {
                chat_id: s("c1"),
                journey: vec![s("/shoes 2m")],
            },
        ];
        for fact in facts {
            let envelope = DeskEnvelope::new(fact);
            assert_eq!(DeskEnvelope::decode(&envelope.encode()).unwrap(), envelope);
        }
    }

    #[test]
    fn hostile_facts_are_refused_with_a_kind() {
        let kind = |bytes: &[u8]| ChatEnvelope::decode(bytes).unwrap_err().kind();
        assert_eq!(kind(b"not json"), WireErrorKind::Malformed);
        assert_eq!(
            kind(&vec![b' '; MAX_FACT_BYTES + 1]),
            WireErrorKind::TooLarge
        );
        let bad = |fact: ChatFact| ChatEnvelope::new(fact).validate().unwrap_err().kind();
        assert_eq!(
            bad(ChatFact::Leave { chat_id: s("a.b") }),
            InvalidEventKind::BadFormat,
            "a chat id could smuggle subject syntax"
        );
        assert_eq!(
            bad(ChatFact::Message {
                chat_id: s("c"),
                msg_id: s("m"),
                text: s("  "),
            }),
            InvalidEventKind::FieldEmpty
        );
        assert_eq!(
            bad(ChatFact::Message {
                chat_id: s("c"),
                msg_id: s("m"),
                text: "x".repeat(MAX_CHAT_TEXT_LEN + 1),
            }),
            InvalidEventKind::FieldTooLong
        );
        let desk = |fact: DeskFact| DeskEnvelope::new(fact).validate().unwrap_err().kind();
        assert_eq!(
            desk(DeskFact::Status {
                available: true,
                capacity: 0
            }),
            InvalidEventKind::OutOfRange
        );
        assert_eq!(
            desk(DeskFact::Incident {
                chat_id: s("c"),
                journey: vec![s("x"); MAX_INCIDENT_JOURNEY + 1]
            }),
            InvalidEventKind::TooManyEvents
        );
        let mut old = ChatEnvelope::new(ChatFact::Leave { chat_id: s("c") });
        old.v = SCHEMA_VERSION + 1;
        assert_eq!(
            ChatEnvelope::decode(&old.encode()).unwrap_err().kind(),
            WireErrorKind::Invalid(InvalidEventKind::UnsupportedVersion)
        );
    }

    #[test]
    fn every_kind_belongs_to_exactly_one_role() {
        let mut all: Vec<&str> = DeskFact::AGENT_KINDS
            .iter()
            .chain(&DeskFact::SUPERVISOR_KINDS)
            .chain(&DeskFact::ROUTER_KINDS)
            .copied()
            .collect();
        all.sort_unstable();
        let mut kinds = DeskFact::KINDS.to_vec();
        kinds.sort_unstable();
        assert_eq!(all, kinds);
    }

    #[test]
    fn a_resent_fact_has_the_same_dedupe_id() {
        let message = |text: &str| ChatFact::Message {
            chat_id: s("c1"),
            msg_id: s("m7"),
            text: s(text),
        };
        assert_eq!(message("a").dedupe_id(), message("a").dedupe_id());
        assert_eq!(message("a").dedupe_id(), "c1-m7");
        let claim = DeskFact::Claim { chat_id: s("c1") };
        assert_eq!(claim.dedupe_id().as_deref(), Some("c1-claim"));
    }
}
