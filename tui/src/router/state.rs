//! What the router knows and decides, without IO: the runtime feeds it what
//! the streams and subjects carry, with the time, and carries out the
//! [`Action`]s it returns.
//!
//! This file holds the state and what the runtime calls; `react` decides
//! what to do, `pushes` builds what shoppers are sent.

mod pushes;
mod react;

use std::collections::HashMap;

use floorwalker_shared::chat::DeskFact;
use floorwalker_shared::desk::{ChatState, Desk, DeskConfig, Fact};
use floorwalker_shared::event::Push;
use floorwalker_shared::floor::Floor;
use floorwalker_shared::subject::{self, SessionSubjects, Subject};

use pushes::{survey, transcript};

/// The question that closes every chat.
pub const SURVEY_QUESTION: &str = "Did you get the help you needed?";

/// Timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouterConfig {
    /// An agent silent this long is lost: offline, its chats back in the
    /// queue.
    pub agent_timeout_ms: u64,
    /// A shopper with a chat open, silent this long, is gone.
    pub shopper_timeout_ms: u64,
}

impl Default for RouterConfig {
    fn default() -> Self {
        Self {
            agent_timeout_ms: 60_000,
            shopper_timeout_ms: 45_000,
        }
    }
}

/// What the runtime must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Push to a shopper.
    Push(SessionSubjects, Push),
    /// Record one of the router's own facts in the stream.
    Record(DeskFact),
}

/// Counts the router reports on its status and at shutdown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Pushes made to shoppers.
    pub pushes: u64,
    /// Chat facts read from the stream (history included).
    pub facts_read: u64,
    /// Agents found lost.
    pub agents_lost: u64,
    /// Shoppers found gone.
    pub shoppers_gone: u64,
    /// Incidents opened.
    pub incidents: u64,
    /// Chat facts refused (malformed, or not fitting the desk).
    pub refused: u64,
}

/// The router's state.
#[derive(Debug)]
pub struct Router {
    /// Every chat, agent and incident.
    pub desk: Desk,
    /// Every shopper session, for the journey an incident carries.
    pub floor: Floor,
    config: RouterConfig,
    /// When this router started: nobody is lost or gone for silence before
    /// it has listened for a whole timeout.
    started_ms: u64,
    /// Whether the stream's history is read: facts from history are folded
    /// but not acted on again.
    live: bool,
    agents_heard: HashMap<String, u64>,
    shoppers_heard: HashMap<SessionSubjects, u64>,
    /// The place and wait bucket each waiting shopper was last told.
    told: HashMap<String, (u32, u64)>,
    /// Facts of ours on their way to the stream, by key, with when sent:
    /// not decided again meanwhile.
    recording: HashMap<String, u64>,
    /// What the router did so far.
    pub counts: Counts,
}

impl Router {
    /// A router starting at `now_ms`.
    pub fn new(config: RouterConfig, desk: DeskConfig, now_ms: u64) -> Self {
        Self {
            desk: Desk::new(desk),
            floor: Floor::default(),
            config,
            started_ms: now_ms,
            live: false,
            agents_heard: HashMap::new(),
            shoppers_heard: HashMap::new(),
            told: HashMap::new(),
            recording: HashMap::new(),
            counts: Counts::default(),
        }
    }

    /// A message of the AUDIT stream, stored at `at_ms`.
    pub fn stored(&mut self, subject: &Subject, payload: &[u8], at_ms: u64) -> Vec<Action> {
        if subject::desk_parts(subject).is_none() && subject::SessionSubjects::of(subject).is_none()
        {
            // An offer, or a subject this version does not know.
            return Vec::new();
        }
        // A refusal is counted by the desk.
        let Ok(fact) = self.desk.read(subject, payload) else {
            return Vec::new();
        };
        self.counts.facts_read += 1;
        if let Fact::Shopper(session, _) = &fact {
            self.heard_shopper(session, at_ms);
        }
        if self.desk.fold(&fact, at_ms) != Ok(true) || !self.live {
            return Vec::new();
        }
        self.react(&fact, at_ms)
    }

    /// History is read: from now on facts are acted on. Anything history
    /// left undone (an incident not opened) is done now.
    pub fn caught_up(&mut self, now_ms: u64) -> Vec<Action> {
        self.live = true;
        let mut actions = Vec::new();
        let unopened: Vec<String> = self
            .desk
            .chats()
            .filter(|c| c.survey.as_ref().is_some_and(|s| !s.helped))
            .filter(|c| !self.desk.incidents().any(|i| i.chat_id == c.id))
            .map(|c| c.id.clone())
            .collect();
        for chat_id in unopened {
            actions.extend(self.open_incident(&chat_id, now_ms));
        }
        actions
    }

    /// A shopper's event batch, for journeys.
    pub fn batch(&mut self, subject: &Subject, payload: &[u8], at_ms: u64) {
        let _ = self.floor.batch(subject, payload, at_ms);
    }

    /// A shopper with a chat open said it is there; `sync` when its page
    /// just (re)connected and needs the chat so far.
    pub fn here(&mut self, session: &SessionSubjects, sync: bool, now_ms: u64) -> Vec<Action> {
        let first = self.heard_shopper(session, now_ms);
        if !(sync || first) || !self.live {
            return Vec::new();
        }
        let Some(chat) = self.desk.chat_of(session) else {
            return Vec::new();
        };
        let mut actions = vec![Action::Push(session.clone(), transcript(chat))];
        match &chat.state {
            ChatState::Queued => {
                self.told.remove(&chat.id);
            }
            ChatState::Active { agent } => actions.push(Action::Push(
                session.clone(),
                Push::ChatJoined {
                    chat_id: chat.id.clone(),
                    agent_name: agent.clone(),
                },
            )),
            ChatState::Ended if chat.survey.is_none() => {
                actions.push(survey(session, &chat.id));
            }
            ChatState::Ended | ChatState::Abandoned => {}
        }
        self.count(&actions);
        actions
    }

    /// An operator said it is there.
    pub fn presence(&mut self, user: &str, now_ms: u64) {
        self.agents_heard.insert(user.to_owned(), now_ms);
    }

    /// What time alone decides: lost agents, gone shoppers, and what
    /// waiting shoppers should be told.
    pub fn tick(&mut self, now_ms: u64) -> Vec<Action> {
        if !self.live {
            return Vec::new();
        }
        self.recording
            .retain(|_, sent| now_ms.saturating_sub(*sent) < 30_000);
        // Long silent presences are the timeouts' business no more.
        let forget = |at: &mut u64| now_ms.saturating_sub(*at) < 60 * 60_000;
        self.shoppers_heard.retain(|_, at| forget(at));
        self.agents_heard.retain(|_, at| forget(at));
        let mut actions = Vec::new();
        let heard_since = |heard: Option<&u64>, started: u64| heard.copied().unwrap_or(started);
        let lost: Vec<String> = self
            .desk
            .agents()
            .filter(|a| a.online)
            .filter(|a| {
                let heard = heard_since(self.agents_heard.get(&a.name), self.started_ms);
                now_ms.saturating_sub(heard) > self.config.agent_timeout_ms
            })
            .map(|a| a.name.clone())
            .collect();
        for agent in lost {
            if self.start_recording(format!("lost:{agent}"), now_ms) {
                self.counts.agents_lost += 1;
                actions.push(Action::Record(DeskFact::Lost { agent }));
            }
        }
        let gone: Vec<String> = self
            .desk
            .chats()
            .filter(|c| !c.state.is_closed())
            .filter(|c| {
                let heard = heard_since(self.shoppers_heard.get(&c.session), self.started_ms);
                now_ms.saturating_sub(heard) > self.config.shopper_timeout_ms
            })
            .map(|c| c.id.clone())
            .collect();
        for chat_id in gone {
            if self.start_recording(format!("gone:{chat_id}"), now_ms) {
                self.counts.shoppers_gone += 1;
                actions.push(Action::Record(DeskFact::Gone { chat_id }));
            }
        }
        actions.extend(self.queue_news(now_ms));
        self.desk.forget(now_ms);
        self.count(&actions);
        actions
    }

    /// Returns whether the shopper was heard from for the first time.
    fn heard_shopper(&mut self, session: &SessionSubjects, at_ms: u64) -> bool {
        self.shoppers_heard.insert(session.clone(), at_ms).is_none()
    }

    fn start_recording(&mut self, key: String, now_ms: u64) -> bool {
        if self.recording.contains_key(&key) {
            return false;
        }
        self.recording.insert(key, now_ms);
        true
    }

    fn count(&mut self, actions: &[Action]) {
        let pushes = actions.iter().filter(|a| matches!(a, Action::Push(..)));
        self.counts.pushes += pushes.count() as u64;
    }
}

#[cfg(test)]
mod tests;
