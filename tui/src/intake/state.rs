//! What the intake decides about each message a shopper published, without
//! IO: which session sent it (its subject, which the broker vouches for),
//! whether it may be stored (its schema, the bounds), under which message
//! id, and where to answer: a fact on the sender's own inbox, named by the
//! fact's own id, whatever reply address the shopper gave (the stream the
//! intake reads keeps none). The service
//! ([`super::run`]) does what this says and reports back what the stream
//! answered.

use std::collections::HashMap;

use floorwalker_shared::chat::ChatEnvelope;
use floorwalker_shared::intake::{IntakeReport, Refusal, What};
use floorwalker_shared::subject::{self, SessionSubjects, Subject};
use floorwalker_shared::wire::{self, WireError};
use governor::clock::Clock;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::bounds::{Bounds, Kind, Limits};
use crate::presence::Connection;

/// Most sessions whose address is remembered; past this, half are
/// forgotten at once (their address is learnt again when they reconnect).
const MAX_ADDRESSES: usize = 500_000;

/// What to do with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Store `payload` on `subject` (the sender's own `events` or `chat`
    /// subject) with `msg_id`; then, for a fact, answer on `answer_to`.
    Store {
        /// What it is.
        what: What,
        /// Where the stream keeps it.
        subject: Subject,
        /// Its `Nats-Msg-Id` (a fact's; a batch goes without, and is
        /// folded once by its number).
        msg_id: String,
        /// A fact's answer: the sender's own inbox, by the fact's id.
        answer_to: Option<Subject>,
    },
    /// Refused (and counted); a fact's sender hears, on its own inbox,
    /// that it was not stored and why.
    Refuse {
        /// Why.
        reason: Refusal,
        /// A fact's answer: the sender's own inbox, by the fact's id.
        answer_to: Option<Subject>,
    },
    /// Not a shopper's `events` or `chat` subject: nothing to do.
    Ignore,
}

/// The answer to a stored fact, on the sender's own inbox: what the plugin
/// takes as the stream's acknowledgement (a `stream` and no `error`), with
/// no sequence number, so no shopper learns how much the shop stores.
pub const STORED: &[u8] = br#"{"stream":"CHATS"}"#;

/// The answer to a refused fact: an `error`, which the plugin takes as
/// "not stored, send it again later".
pub fn refused_answer(reason: Refusal) -> Vec<u8> {
    format!(
        r#"{{"error":{{"code":{},"description":"{}"}}}}"#,
        match reason {
            Refusal::SessionRate
            | Refusal::AddressRate
            | Refusal::SessionQuota
            | Refusal::AddressQuota => 429,
            Refusal::NotStored => 503,
            _ => 400,
        },
        reason.name()
    )
    .into_bytes()
}

/// The intake's state: the bounds, where each session connects from, the
/// key of its message ids, and its counts.
pub struct Intake<C: Clock> {
    limits: Limits<C>,
    addresses: HashMap<String, String>,
    key: Vec<u8>,
    report: IntakeReport,
}

impl<C: Clock + Clone> Intake<C> {
    /// An intake named `instance` applying `bounds` on `clock`'s time;
    /// `key` makes its message ids (every intake of a deployment must
    /// share it, so that a resend gets the same id whichever takes it).
    pub fn new(instance: &str, bounds: &Bounds, clock: &C, key: &[u8]) -> Self {
        Self {
            limits: Limits::new(bounds, clock),
            addresses: HashMap::new(),
            key: key.to_vec(),
            report: IntakeReport::new(instance),
        }
    }

    /// What it has counted so far.
    pub fn report(&self) -> &IntakeReport {
        &self.report
    }

    /// A shopper connection opened (the broker's advisory): its session's
    /// messages count against its address from now on.
    pub fn connected(&mut self, connection: Connection) {
        let Some(host) = connection.host else { return };
        if self.addresses.len() >= MAX_ADDRESSES {
            super::bounds::forget_half(&mut self.addresses);
        }
        self.addresses.insert(key_of(&connection.session), host);
    }

    /// A shopper connection closed: counted if the server closed it for
    /// breaking a rule.
    pub fn closed(&mut self, connection: &Connection) {
        let Some(reason) = connection.reason.as_deref() else {
            return;
        };
        let lower = reason.to_ascii_lowercase();
        if lower.contains("payload") {
            self.report
                .refuse(What::Connections, Refusal::PayloadTooLarge);
        } else if ["parse", "protocol", "control line", "subscriptions"]
            .iter()
            .any(|w| lower.contains(w))
        {
            self.report
                .refuse(What::Connections, Refusal::ProtocolViolation);
        }
    }

    /// Decides about a message heard on `raw` (a shopper's subject under
    /// [`subject::RAW_PREFIX`]) at `now_ms` (wall clock, for the day's
    /// quotas); refusals are counted.
    pub fn take(&mut self, raw: &str, payload: &[u8], now_ms: u64) -> Verdict {
        let Some((session, what)) = Subject::new(raw)
            .ok()
            .and_then(|s| subject::unraw(&s))
            .and_then(|s| {
                let session = SessionSubjects::of(&s)?;
                let what = if s == session.events() {
                    What::Events
                } else if s == session.chat() {
                    What::Facts
                } else {
                    return None;
                };
                Some((session, what))
            })
        else {
            return Verdict::Ignore;
        };
        let dedupe = match what {
            What::Events => wire::decode_batch(payload).map(|b| format!("b{}", b.seq)),
            _ => ChatEnvelope::decode(payload).map(|f| f.fact.dedupe_id()),
        };
        let dedupe = match dedupe {
            Ok(id) => id,
            Err(e) => {
                let reason = match e {
                    WireError::TooLarge { .. } => Refusal::TooLarge,
                    WireError::Malformed(_) => Refusal::Malformed,
                    WireError::Invalid(_) => Refusal::Invalid,
                };
                return self.refuse(what, reason, None);
            }
        };
        // Where the plugin waits for the answer: its inbox, by the fact's id.
        let answer_to = (what == What::Facts)
            .then(|| session.inbox(&dedupe).ok())
            .flatten();
        let key = key_of(&session);
        let kind = if what == What::Events {
            Kind::Events
        } else {
            Kind::Facts
        };
        let address = self.addresses.get(&key).map(String::as_str);
        let day = now_ms / 86_400_000;
        if let Err(reason) = self.limits.admit(kind, &key, address, payload.len(), day) {
            return self.refuse(what, reason, answer_to);
        }
        let subject = if what == What::Events {
            session.events()
        } else {
            session.chat()
        };
        Verdict::Store {
            what,
            subject,
            msg_id: self.msg_id(&key, &dedupe),
            answer_to,
        }
    }

    /// The stream stored something (`duplicate`: it had it already).
    pub fn stored(&mut self, what: What, duplicate: bool) {
        if duplicate {
            return;
        }
        match what {
            What::Events => self.report.stored_events += 1,
            _ => self.report.stored_facts += 1,
        }
    }

    /// The stream did not store something (full, or not there).
    pub fn not_stored(&mut self, what: What) {
        self.report.refuse(what, Refusal::NotStored);
    }

    /// Forgets what idle sessions and addresses sent; call now and then.
    pub fn forget_idle(&mut self) {
        self.limits.forget_idle();
    }

    fn refuse(&mut self, what: What, reason: Refusal, answer_to: Option<Subject>) -> Verdict {
        self.report.refuse(what, reason);
        Verdict::Refuse { reason, answer_to }
    }

    /// The message id of `dedupe` from session `key`: keyed, so no
    /// operator (who sees sessions' tokens and chat ids) can guess it and
    /// make the stream drop a shopper's fact as a duplicate.
    fn msg_id(&self, key: &str, dedupe: &str) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            unreachable!("HMAC takes a key of any length")
        };
        mac.update(key.as_bytes());
        mac.update(b":");
        mac.update(dedupe.as_bytes());
        let digest = mac.finalize().into_bytes();
        data_encoding::BASE64URL_NOPAD.encode(&digest[..18])
    }
}

/// A session's key in the bounds and the address book.
fn key_of(session: &SessionSubjects) -> String {
    format!("{}.{}", session.site(), session.token())
}

#[cfg(test)]
mod tests {
    use floorwalker_shared::chat::{ChatEnvelope, ChatFact};
    use floorwalker_shared::event::{Batch, Event, ShopperEvent};
    use floorwalker_shared::subject::{SessionToken, SiteId};
    use floorwalker_shared::wire::encode_batch;
    use governor::clock::FakeRelativeClock;

    use super::*;

    fn session(n: u8) -> SessionSubjects {
        SessionSubjects::new(
            SiteId::new("shop").unwrap(),
            SessionToken::new(format!("token-of-session-{n:02}")).unwrap(),
        )
    }

    fn intake() -> Intake<FakeRelativeClock> {
        Intake::new(
            "i1",
            &Bounds::default(),
            &FakeRelativeClock::default(),
            b"key",
        )
    }

    fn fact(chat: &str) -> Vec<u8> {
        ChatEnvelope::new(ChatFact::Request {
            chat_id: chat.into(),
            offer_id: None,
        })
        .encode()
    }

    fn raw(s: &Subject) -> String {
        subject::raw(s).to_string()
    }

    #[test]
    fn a_fact_is_stored_on_the_senders_subject_and_answered_on_its_own_inbox() {
        let mut intake = intake();
        let me = session(1);
        let verdict = intake.take(&raw(&me.chat()), &fact("c1"), 0);
        let Verdict::Store {
            what,
            subject,
            msg_id,
            answer_to,
        } = verdict
        else {
            panic!("{verdict:?}")
        };
        let inbox = me.inbox("c1-request").unwrap();
        assert_eq!(
            (what, subject, answer_to),
            (What::Facts, me.chat(), Some(inbox))
        );
        // The same fact sent again has the same id; another session's
        // fact with the same chat id has another, answered on its inbox.
        let again = intake.take(&raw(&me.chat()), &fact("c1"), 0);
        assert!(matches!(again, Verdict::Store { msg_id: ref m, .. } if *m == msg_id));
        let other = intake.take(&raw(&session(2).chat()), &fact("c1"), 0);
        let Verdict::Store {
            msg_id: other_id,
            answer_to: other_answer,
            ..
        } = other
        else {
            panic!("{other:?}")
        };
        assert_ne!(other_id, msg_id);
        assert_eq!(other_answer, Some(session(2).inbox("c1-request").unwrap()));
        // The id is keyed: another key, another id.
        let mut keyed = Intake::new(
            "i2",
            &Bounds::default(),
            &FakeRelativeClock::default(),
            b"other",
        );
        let theirs = keyed.take(&raw(&me.chat()), &fact("c1"), 0);
        assert!(matches!(theirs, Verdict::Store { msg_id: ref m, .. } if *m != msg_id));
    }

    #[test]
    fn bad_payloads_are_refused_by_reason() {
        let mut intake = intake();
        let me = session(1);
        let refused = |intake: &mut Intake<_>, subject: &Subject, payload: &[u8]| match intake.take(
            &raw(subject),
            payload,
            0,
        ) {
            Verdict::Refuse { reason, .. } => reason,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            refused(&mut intake, &me.chat(), b"{not json"),
            Refusal::Malformed
        );
        assert_eq!(
            refused(
                &mut intake,
                &me.chat(),
                br#"{"v":999,"fact":{"leave":{"chat_id":"c"}}}"#
            ),
            Refusal::Invalid
        );
        assert_eq!(
            refused(&mut intake, &me.events(), &vec![b' '; 70_000]),
            Refusal::TooLarge
        );
        let batch = Batch::new(
            3,
            "EUR",
            vec![Event {
                at_ms: 1,
                kind: ShopperEvent::TabHidden,
            }],
        );
        assert!(matches!(
            intake.take(&raw(&me.events()), &encode_batch(&batch), 0),
            Verdict::Store {
                what: What::Events,
                answer_to: None,
                ..
            }
        ));
        assert_eq!(intake.report().refused(What::Facts, Refusal::Malformed), 1);
        assert_eq!(intake.report().refused(What::Events, Refusal::TooLarge), 1);
        // Not a shopper's events or chat subject: nothing to do.
        assert_eq!(intake.take(&raw(&me.here()), b"", 0), Verdict::Ignore);
        assert_eq!(intake.take(me.chat().as_str(), b"", 0), Verdict::Ignore);
    }

    #[test]
    fn a_flood_from_one_session_is_refused_past_its_burst_and_counted() {
        let mut intake = intake();
        let me = session(1);
        let burst = Bounds::default().session_facts.burst as usize;
        let verdicts: Vec<_> = (0..burst + 10)
            .map(|i| intake.take(&raw(&me.chat()), &fact(&format!("c{i}")), 0))
            .collect();
        let stored = verdicts
            .iter()
            .filter(|v| matches!(v, Verdict::Store { .. }))
            .count();
        assert_eq!(stored, burst);
        assert_eq!(
            intake.report().refused(What::Facts, Refusal::SessionRate),
            10
        );
        // Another session is not held back by it.
        assert!(matches!(
            intake.take(&raw(&session(2).chat()), &fact("c0"), 0),
            Verdict::Store { .. }
        ));
    }

    #[test]
    fn the_servers_closing_a_connection_for_its_payload_is_counted() {
        let mut intake = intake();
        let closed = |reason: &str| Connection {
            session: session(1),
            host: None,
            reason: Some(reason.into()),
        };
        intake.closed(&closed("Maximum Payload Violation"));
        intake.closed(&closed("Client Closed"));
        intake.closed(&closed("Parse Error"));
        assert_eq!(
            intake
                .report()
                .refused(What::Connections, Refusal::PayloadTooLarge),
            1
        );
        assert_eq!(
            intake
                .report()
                .refused(What::Connections, Refusal::ProtocolViolation),
            1
        );
    }

    #[test]
    fn answers_carry_no_sequence_number() {
        assert!(!String::from_utf8_lossy(STORED).contains("seq"));
        let refused = String::from_utf8(refused_answer(Refusal::SessionRate)).unwrap();
        assert_eq!(
            refused,
            r#"{"error":{"code":429,"description":"session_rate"}}"#
        );
    }
}
