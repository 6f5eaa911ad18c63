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
//! sender, so a resent fact carries the same ids and is seen once: the
//! intake stores a shopper's fact under a message id it makes from the
//! session and these ids (the stream drops a resend within its duplicate
//! window), and the fold, which keys what it has seen by the sender the
//! subject names, ignores a fact seen again.
//!
//! `chat_fact` holds the shopper's facts and their envelope, `desk_fact` the
//! operators'; the field checks both use are here.

mod chat_fact;
mod desk_fact;

pub use chat_fact::{ChatEnvelope, ChatFact};
pub use desk_fact::{DeskEnvelope, DeskFact};

use crate::event::limits::MAX_ID_LEN;
use crate::event::{InvalidEvent, InvalidEventKind, SCHEMA_VERSION};

/// The header JetStream drops a resent message by, within its duplicate
/// window: the intake sets it on shoppers' facts; nobody else sends one.
pub const MSG_ID_HEADER: &str = "Nats-Msg-Id";

/// Largest encoded chat or desk fact a reader accepts, in bytes.
pub const MAX_FACT_BYTES: usize = 32 * 1024;

/// Most chats an agent may hold at once, whatever it asks for.
pub const MAX_CAPACITY: u8 = 20;

/// Most lines of journey an incident carries.
pub const MAX_INCIDENT_JOURNEY: usize = 50;

/// Longest line of journey an incident carries, in bytes.
pub const MAX_JOURNEY_LINE_LEN: usize = 256;

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

#[cfg(test)]
mod tests {
    use alloc::borrow::ToOwned;
    use alloc::vec;

    use super::*;
    use crate::event::limits::MAX_CHAT_TEXT_LEN;
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
