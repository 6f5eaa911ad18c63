//! What a shopper does in a chat, and the envelope it travels in on the
//! shopper's chat subject.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::{Check, MAX_FACT_BYTES, bounded, id, required, version};
use crate::event::SCHEMA_VERSION;
use crate::event::limits::{MAX_CHAT_TEXT_LEN, MAX_COMMENT_LEN};
use crate::json::{self, Json, ToJson};
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
    /// resending it repeats: it names the fact's reply subject in the
    /// sender's inbox, and the intake's message id is made from the
    /// session and this.
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

    /// The payload bytes: what `serde_json` writes, written by hand for the
    /// plugin (see `crate::json`).
    pub fn encode(&self) -> Vec<u8> {
        json::to_vec(self)
    }

    /// Reads payload bytes, refusing oversized, malformed or invalid ones.
    pub fn decode(bytes: &[u8]) -> Result<Self, WireError> {
        wire::decode(bytes, MAX_FACT_BYTES, Self::validate)
    }
}

impl ToJson for ChatEnvelope {
    fn write_json(&self, json: &mut Json) {
        let Self { v, fact } = self;
        json.begin_object();
        json.field("v", v);
        json.field("fact", fact);
        json.end_object();
    }
}

/// Externally tagged, `snake_case`, as its `Serialize` derive says:
/// `{"variant":{fields}}`, a `None` as `null`.
impl ToJson for ChatFact {
    fn write_json(&self, json: &mut Json) {
        match self {
            Self::Request { chat_id, offer_id } => {
                json.begin_struct_variant("request");
                json.field("chat_id", chat_id);
                json.field("offer_id", offer_id);
            }
            Self::Message {
                chat_id,
                msg_id,
                text,
            } => {
                json.begin_struct_variant("message");
                json.field("chat_id", chat_id);
                json.field("msg_id", msg_id);
                json.field("text", text);
            }
            Self::Leave { chat_id } => {
                json.begin_struct_variant("leave");
                json.field("chat_id", chat_id);
            }
            Self::Survey {
                chat_id,
                helped,
                comment,
            } => {
                json.begin_struct_variant("survey");
                json.field("chat_id", chat_id);
                json.field("helped", helped);
                json.field("comment", comment);
            }
        }
        json.end_struct_variant();
    }
}

#[cfg(test)]
mod tests {
    use alloc::borrow::ToOwned;

    use pretty_assertions::assert_eq;
    use proptest::option;
    use proptest::prelude::*;

    use super::*;
    use crate::event::limits::MAX_ID_LEN;
    use crate::event::strategy::text;

    /// Any chat fact in an envelope of any version. Its ids are any text
    /// too, so it need not validate: it is for the JSON writer, which must
    /// write whatever it is given as `serde_json` does.
    fn chat_envelope() -> impl Strategy<Value = ChatEnvelope> {
        let fact = prop_oneof![
            (text(MAX_ID_LEN), option::of(text(MAX_ID_LEN)))
                .prop_map(|(chat_id, offer_id)| ChatFact::Request { chat_id, offer_id }),
            (text(MAX_ID_LEN), text(MAX_ID_LEN), text(MAX_CHAT_TEXT_LEN)).prop_map(
                |(chat_id, msg_id, text)| ChatFact::Message {
                    chat_id,
                    msg_id,
                    text
                }
            ),
            text(MAX_ID_LEN).prop_map(|chat_id| ChatFact::Leave { chat_id }),
            (
                text(MAX_ID_LEN),
                any::<bool>(),
                option::of(text(MAX_COMMENT_LEN))
            )
                .prop_map(|(chat_id, helped, comment)| ChatFact::Survey {
                    chat_id,
                    helped,
                    comment
                }),
        ];
        (any::<u16>(), fact).prop_map(|(v, fact)| ChatEnvelope { v, fact })
    }

    fn both(envelope: &ChatEnvelope) -> (String, String) {
        (
            String::from_utf8(envelope.encode()).unwrap(),
            serde_json::to_string(envelope).unwrap(),
        )
    }

    #[test]
    fn every_fact_is_json_as_serde_json_writes_it() {
        // Quote, backslash, control characters; then DEL, an emoji and
        // U+2028, which JSON leaves as they are.
        let hostile = || "\"\\\u{0}\n\r\t\u{8}\u{c}\u{1f}\u{7f}\u{1f6d2}\u{2028}".to_owned();
        let hostile_json = &[
            r#""\"\\\u0000\n\r\t\b\f\u001f"#,
            "\u{7f}\u{1f6d2}\u{2028}\"",
        ]
        .concat();
        let cases = [
            (
                ChatFact::Request {
                    chat_id: "c1".to_owned(),
                    offer_id: None,
                },
                r#"{"v":1,"fact":{"request":{"chat_id":"c1","offer_id":null}}}"#.to_owned(),
            ),
            (
                ChatFact::Message {
                    chat_id: "c1".to_owned(),
                    msg_id: "m1".to_owned(),
                    text: hostile(),
                },
                [
                    r#"{"v":1,"fact":{"message":{"chat_id":"c1","msg_id":"m1","text":"#,
                    hostile_json,
                    "}}}",
                ]
                .concat(),
            ),
            (
                ChatFact::Leave {
                    chat_id: "c1".to_owned(),
                },
                r#"{"v":1,"fact":{"leave":{"chat_id":"c1"}}}"#.to_owned(),
            ),
            (
                ChatFact::Survey {
                    chat_id: "c1".to_owned(),
                    helped: true,
                    comment: Some(hostile()),
                },
                [
                    r#"{"v":1,"fact":{"survey":{"chat_id":"c1","helped":true,"comment":"#,
                    hostile_json,
                    "}}}",
                ]
                .concat(),
            ),
        ];
        for (fact, expected) in cases {
            let (ours, serde) = both(&ChatEnvelope::new(fact));
            assert_eq!(ours, expected);
            assert_eq!(serde, expected);
        }
    }

    proptest! {
        #[test]
        fn any_fact_is_written_as_serde_json_writes_it(envelope in chat_envelope()) {
            let (ours, serde) = both(&envelope);
            prop_assert_eq!(ours, serde);
        }
    }
}
