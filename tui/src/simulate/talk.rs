//! A simulated shopper's side of a chat, as the plugin does it: the
//! request, messages, leaving and the survey go out as chat facts on the
//! session's chat subject, each a JetStream publish with a message id,
//! resent until the stream acknowledges it; while a chat is open the
//! shopper says it is there every few seconds. The shopper asks its
//! question, answers agents after a pause, gives up if nobody comes, and
//! mostly says the chat helped.

use floorwalker_shared::chat::{ChatEnvelope, ChatFact};
use floorwalker_shared::event::Push;
use floorwalker_shared::nats::conn::Connection;
use floorwalker_shared::subject::SessionSubjects;

/// How often a shopper with a chat open says it is there, in ms.
const HERE_EVERY_MS: u64 = 15_000;

/// How long an unacknowledged fact waits before it is sent again, in ms.
const RESEND_MS: u64 = 5_000;

/// What shoppers ask, then say.
const QUESTIONS: [&str; 4] = [
    "Do the Trail Runners run small?",
    "How long does delivery take?",
    "Which is better for wet trails, the Trail Runner or the Road Racer?",
    "Can I return them if they don't fit?",
];
const FOLLOW_UPS: [&str; 3] = [
    "Thanks! And if they don't fit?",
    "Great, thank you.",
    "OK, that helps.",
];

/// A fact on its way to the stream.
struct Pending {
    /// The reply subject's last token.
    reply: String,
    fact: ChatFact,
    sent_at: u64,
}

/// What the shopper does next in its chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// Write its question, or a follow-up.
    Write,
    /// Answer the survey.
    Survey,
}

/// An open chat; times are ms since the visit began.
struct Open {
    id: String,
    written: usize,
    next: Option<(u64, Next)>,
    /// Until an agent joins: when the shopper gives up.
    gives_up_at: Option<u64>,
    /// When the shopper leaves whatever happens (a chat nobody closes).
    leaves_at: u64,
    next_here: u64,
    /// The next `here` asks for the chat so far (a new connection).
    sync: bool,
}

/// The shopper's chat.
pub(super) struct Talk {
    subjects: SessionSubjects,
    chat: Option<Open>,
    pending: Vec<Pending>,
    sent: u64,
    speed: f64,
    rng: fastrand::Rng,
    /// Whether this visit opened a chat already (one a visit).
    pub(super) asked: bool,
    /// Surveys answered, and how many said it helped.
    pub(super) surveys: (u32, u32),
}

impl Talk {
    pub(super) fn new(subjects: SessionSubjects, pace: f64, seed: u64) -> Self {
        Self {
            subjects,
            chat: None,
            pending: Vec::new(),
            sent: 0,
            speed: pace.max(0.01),
            rng: fastrand::Rng::with_seed(seed),
            asked: false,
            surveys: (0, 0),
        }
    }

    /// A pause of `secs` at speed 1, in ms.
    fn pause(&mut self, secs: std::ops::Range<u64>) -> u64 {
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )] // pauses of seconds, speeds of 0.01 to 1000
        let ms = (self.rng.u64(secs) as f64 * 1_000.0 / self.speed) as u64;
        ms
    }

    /// Whether a chat is open or a fact is still on its way: the visit
    /// does not go on meanwhile.
    pub(super) fn busy(&self) -> bool {
        self.chat.is_some() || !self.pending.is_empty()
    }

    /// The shopper asks for help, or accepted `offer_id`; once a visit.
    pub(super) fn ask(&mut self, conn: &mut Connection, offer_id: Option<String>, now: u64) {
        if self.asked {
            return;
        }
        self.asked = true;
        let id = format!("sim{:016x}", self.rng.u64(..));
        let (first, patience, limit) =
            (self.pause(1..4), self.pause(60..180), self.pause(600..601));
        self.chat = Some(Open {
            id: id.clone(),
            written: 0,
            next: Some((now + first, Next::Write)),
            gives_up_at: Some(now + patience),
            leaves_at: now + limit,
            next_here: now,
            sync: true,
        });
        self.send(
            conn,
            ChatFact::Request {
                chat_id: id,
                offer_id,
            },
            now,
        );
    }

    /// A new connection: the next `here` asks for the chat so far, and
    /// what waits for an acknowledgement goes again.
    pub(super) fn reconnected(&mut self, now: u64) {
        if let Some(open) = &mut self.chat {
            open.sync = true;
            open.next_here = now;
        }
        for p in &mut self.pending {
            p.sent_at = 0;
        }
    }

    /// A push about the chat.
    pub(super) fn pushed(&mut self, push: &Push, now: u64) {
        let pause_write = self.pause(3..10);
        let pause_survey = self.pause(2..6);
        let Some(open) = &mut self.chat else { return };
        match push {
            Push::ChatJoined { chat_id, .. } if *chat_id == open.id => open.gives_up_at = None,
            Push::AgentMessage { chat_id, .. } if *chat_id == open.id => {
                open.gives_up_at = None;
                if open.written < 3 && open.next.is_none() {
                    open.next = Some((now + pause_write, Next::Write));
                }
            }
            Push::SurveyPrompt { chat_id, .. } if *chat_id == open.id => {
                open.next = Some((now + pause_survey, Next::Survey));
                open.gives_up_at = None;
            }
            _ => {}
        }
    }

    /// A message in the shopper's inbox: the stream's acknowledgement of a
    /// fact, by its reply subject's last token.
    pub(super) fn replied(&mut self, reply: &str, payload: &[u8]) {
        let stored = std::str::from_utf8(payload)
            .is_ok_and(|p| p.contains("\"stream\"") && !p.contains("\"error\""));
        if stored {
            self.pending.retain(|p| p.reply != reply);
        }
    }

    /// Does what is due at `now`.
    pub(super) fn poll(&mut self, conn: &mut Connection, now: u64) {
        if conn.is_connected() {
            let due = |p: &Pending| p.sent_at == 0 || now.saturating_sub(p.sent_at) >= RESEND_MS;
            let (resend, waiting): (Vec<Pending>, Vec<Pending>) =
                std::mem::take(&mut self.pending).into_iter().partition(due);
            self.pending = waiting;
            for p in resend {
                self.send(conn, p.fact, now);
            }
        }
        let Some(open) = &mut self.chat else { return };
        if conn.is_connected() && open.next_here <= now {
            let payload = if open.sync {
                crate::router::SYNC.to_vec()
            } else {
                Vec::new()
            };
            if conn
                .publish(self.subjects.here(), None, None, payload)
                .is_ok()
            {
                open.sync = false;
                open.next_here = now + HERE_EVERY_MS;
            }
        }
        let id = open.id.clone();
        if open.gives_up_at.is_some_and(|at| at <= now) || open.leaves_at <= now {
            self.chat = None;
            self.send(conn, ChatFact::Leave { chat_id: id }, now);
            return;
        }
        let Some((at, next)) = open.next.filter(|(at, _)| *at <= now) else {
            return;
        };
        open.next = None;
        match next {
            Next::Write => {
                let text = if open.written == 0 {
                    QUESTIONS[self.rng.usize(..QUESTIONS.len())]
                } else {
                    FOLLOW_UPS[self.rng.usize(..FOLLOW_UPS.len())]
                };
                open.written += 1;
                let msg_id = format!("m{}", open.written);
                self.send(
                    conn,
                    ChatFact::Message {
                        chat_id: id,
                        msg_id,
                        text: text.to_owned(),
                    },
                    at,
                );
            }
            Next::Survey => {
                self.chat = None;
                let helped = self.rng.f32() < 0.75;
                self.surveys.0 += 1;
                self.surveys.1 += u32::from(helped);
                let comment =
                    (!helped).then(|| "I still don't know which size to order.".to_owned());
                self.send(
                    conn,
                    ChatFact::Survey {
                        chat_id: id,
                        helped,
                        comment,
                    },
                    now,
                );
            }
        }
    }

    /// When something falls due next, after `now`.
    pub(super) fn wake_at(&self, now: u64) -> Option<u64> {
        let chat = self.chat.as_ref().map(|open| {
            [
                Some(open.next_here),
                open.next.map(|(at, _)| at),
                open.gives_up_at,
            ]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(u64::MAX)
        });
        // Not sooner than half a second: while disconnected nothing goes.
        let resend = self
            .pending
            .iter()
            .map(|p| (p.sent_at + RESEND_MS).max(now + 500))
            .min();
        [chat, resend].into_iter().flatten().min()
    }

    /// Publishes `fact` with a reply subject in the session's inbox named
    /// by the fact's id (where the intake answers, as the plugin does), and
    /// keeps it until acknowledged.
    fn send(&mut self, conn: &mut Connection, fact: ChatFact, now: u64) {
        self.sent += 1;
        let reply = fact.dedupe_id();
        let Ok(reply_subject) = self.subjects.inbox(&reply) else {
            return;
        };
        let payload = ChatEnvelope::new(fact.clone()).encode();
        let sent = conn.publish(self.subjects.chat(), Some(reply_subject), None, payload);
        self.pending.push(Pending {
            reply,
            fact,
            sent_at: if sent.is_ok() && conn.is_connected() {
                now
            } else {
                0
            },
        });
    }
}
