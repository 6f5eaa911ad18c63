//! What a shopper does in a chat, and the envelope it travels in on the
//! shopper's chat subject.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::{Check, MAX_FACT_BYTES, bounded, id, required, version};
use crate::event::SCHEMA_VERSION;
use crate::event::limits::{MAX_CHAT_TEXT_LEN, MAX_COMMENT_LEN};
use crate::wire::{self, WireError};

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
