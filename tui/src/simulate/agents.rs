//! Simulated agents: bots that work the desk as people would, each with its
//! own operator credentials, through the same facts as the agents'
//! console. A bot says it is available, claims the next waiting chat after
//! a moment's thought, greets the shopper, answers each message after a
//! realistic delay, ends the chat after a few exchanges or when the shopper
//! falls quiet, and takes and resolves incidents.

use std::collections::HashMap;
use std::time::Duration;

use async_nats::jetstream;
use floorwalker_shared::chat::DeskFact;
use floorwalker_shared::desk::{AgentState, Chat, Desk, Speaker};
use floorwalker_shared::subject;

use crate::creds::{self, OperatorCreds};
use crate::feed::{self, Feed, now_ms};
use crate::record::record;
use crate::streams;

/// What bots say, first to greet, then to answer.
const GREETINGS: [&str; 3] = [
    "Hi! I'm here to help. What are you looking for?",
    "Hello! Happy to help you choose.",
    "Hi there, how can I help?",
];
const ANSWERS: [&str; 5] = [
    "The Trail Runner fits true to size; if you're between sizes, go half a size up.",
    "Delivery takes 2–3 working days, and returns are free for 30 days.",
    "Both are great: the Road Racer is lighter, the Trail Runner grips better off-road.",
    "I've checked: your size is in stock and ships today.",
    "You can pay by card or PayPal; the total includes VAT.",
];

/// One bot's settings.
#[derive(Debug, Clone)]
pub struct Bot {
    /// Its credentials (role `simulator` or `agent`).
    pub creds: OperatorCreds,
    /// Most chats at once.
    pub capacity: u8,
}

/// Runs `bots` against the server at `url` until `stop` completes; `pace`
/// divides every delay.
pub async fn run(
    url: String,
    bots: Vec<Bot>,
    pace: f64,
    seed: u64,
    stop: impl Future<Output = ()>,
) {
    let mut tasks = tokio::task::JoinSet::new();
    for (n, bot) in bots.into_iter().enumerate() {
        let url = url.clone();
        tasks.spawn(async move { work(&url, bot, pace, seed.wrapping_add(n as u64)).await });
    }
    stop.await;
    tasks.shutdown().await;
}

/// One bot's working day; returns only when it cannot connect.
async fn work(url: &str, bot: Bot, pace: f64, seed: u64) {
    let client = loop {
        match creds::connect(&bot.creds, url, "floorwalker-simulator-agent", None).await {
            Ok(client) => break client,
            Err(e) => {
                tracing::warn!(%e, user = %bot.creds.user, "a simulated agent could not connect");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    };
    let me = bot.creds.user.clone();
    let js = jetstream::new(client.clone());
    let (follow, mut rx) = feed::spawn(
        &client,
        feed::Source::new(streams::AUDIT, feed::CHATS_SINCE),
    );
    let mut desk = Desk::default();
    let mut mind = Mind::new(me.clone(), pace, seed);
    let status = DeskFact::Status {
        available: true,
        capacity: bot.capacity,
    };
    let _ = record(&js, &me, &status).await;
    let presence = subject::presence(&me)
        .map(|s| s.to_string())
        .unwrap_or_default();
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    let mut beat = tokio::time::interval(Duration::from_secs(5));
    let mut caught_up = false;
    loop {
        tokio::select! {
            feed = rx.recv() => match feed {
                Some(Feed::Message(m)) => {
                    let _ = desk.record(&m.subject, &m.payload, m.at_ms);
                }
                Some(Feed::CaughtUp { .. }) => caught_up = true,
                Some(Feed::Down(_) | Feed::LiveOnly) => {}
                None => break,
            },
            _ = beat.tick() => {
                let _ = client.publish(presence.clone(), bytes::Bytes::new()).await;
            }
            _ = tick.tick(), if caught_up => {
                for fact in mind.decide(&desk, now_ms()) {
                    if let Err(why) = record(&js, &me, &fact).await {
                        tracing::warn!(%why, "a simulated agent's fact was not recorded");
                    }
                }
            }
        }
    }
    drop(follow);
}

/// What a bot has in mind: when it saw each thing, and how long it takes.
struct Mind {
    me: String,
    speed: f64,
    rng: fastrand::Rng,
    /// When each thing (a waiting chat, a shopper's line, an incident) was
    /// first noticed, and the delay drawn for it.
    noticed: HashMap<String, (u64, u64)>,
    /// What was acted on already, so nothing is done twice while the
    /// stream catches up.
    done: std::collections::HashSet<String>,
}

impl Mind {
    fn new(me: String, pace: f64, seed: u64) -> Self {
        Self {
            me,
            speed: pace.max(0.01),
            rng: fastrand::Rng::with_seed(seed),
            noticed: HashMap::new(),
            done: std::collections::HashSet::new(),
        }
    }

    /// Whether `key`, noticed now or before, has waited its drawn delay
    /// (`secs` at speed 1) and was not acted on yet; if so, it counts as
    /// acted on.
    fn ready(&mut self, key: String, secs: std::ops::Range<u64>, now: u64) -> bool {
        if self.done.contains(&key) {
            return false;
        }
        let speed = self.speed;
        let rng = &mut self.rng;
        let (since, delay) = *self.noticed.entry(key.clone()).or_insert_with(|| {
            #[allow(
                clippy::cast_precision_loss,
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss
            )] // delays of seconds, speeds of 0.01 to 1000
            let delay = (rng.u64(secs) as f64 * 1_000.0 / speed) as u64;
            (now, delay)
        });
        let due = now.saturating_sub(since) >= delay;
        if due {
            self.noticed.remove(&key);
            self.done.insert(key);
        }
        due
    }

    /// The facts to record now.
    fn decide(&mut self, desk: &Desk, now: u64) -> Vec<DeskFact> {
        let mut facts = Vec::new();
        let mine: Vec<&Chat> = desk
            .chats()
            .filter(|c| c.agent() == Some(self.me.as_str()))
            .collect();
        for chat in mine {
            if let Some(fact) = self.converse(chat, now) {
                facts.push(fact);
            }
        }
        let available = desk
            .agent(&self.me)
            .is_some_and(|a| a.state() == AgentState::Available);
        if available
            && let Some(next) = desk.queue().first()
            && self.ready(format!("claim-{}", next.id), 3..12, now)
        {
            facts.push(DeskFact::Claim {
                chat_id: next.id.clone(),
            });
        }
        for incident in desk.incidents().filter(|i| i.resolved_ms.is_none()) {
            match &incident.taken {
                None if self.ready(format!("take-{}", incident.chat_id), 5..20, now) => {
                    facts.push(DeskFact::Take {
                        chat_id: incident.chat_id.clone(),
                    });
                }
                Some((by, _))
                    if *by == self.me
                        && self.ready(format!("resolve-{}", incident.chat_id), 20..60, now) =>
                {
                    facts.push(DeskFact::Resolve {
                        chat_id: incident.chat_id.clone(),
                    });
                }
                _ => {}
            }
        }
        facts
    }

    /// The next thing to say in a chat this bot holds, if it is time.
    fn converse(&mut self, chat: &Chat, now: u64) -> Option<DeskFact> {
        let said: Vec<&floorwalker_shared::desk::Line> = chat
            .lines
            .iter()
            .filter(|l| !matches!(l.speaker, Speaker::Note | Speaker::Whisper(_)))
            .collect();
        let mine = said
            .iter()
            .filter(|l| l.speaker == Speaker::Agent(self.me.clone()))
            .count();
        let last = said.last();
        let key = format!("{}-{}", chat.id, said.len());
        let asked = last.is_some_and(|l| l.speaker == Speaker::Shopper);
        let text = if mine == 0 && !asked {
            self.ready(key, 2..6, now)
                .then(|| GREETINGS[self.rng.usize(..GREETINGS.len())])?
        } else if asked && mine < 4 {
            // A shopper who already asked gets an answer, not a greeting.
            self.ready(key, 5..15, now)
                .then(|| ANSWERS[self.rng.usize(..ANSWERS.len())])?
        } else if mine >= 4 || self.ready(format!("{key}-quiet"), 30..60, now) {
            // Enough said, or the shopper went quiet: close the chat.
            return Some(DeskFact::End {
                chat_id: chat.id.clone(),
            });
        } else {
            return None;
        };
        Some(DeskFact::Message {
            chat_id: chat.id.clone(),
            msg_id: format!("{}-{}", self.rng.u64(..), said.len()),
            text: text.to_owned(),
        })
    }
}
