//! The help desk: every chat, the queue, the agents and the incidents,
//! folded from the chat facts of [`crate::chat`] in stream order.
//!
//! Everything about chats is a fact in one JetStream stream, and every
//! reader (the router, each agent's console, the dashboard, `tail`) folds
//! the same facts in the same order with [`Desk::record`]: so they agree on
//! who holds which chat, where each shopper stands in the queue, and every
//! figure computed from it, without asking each other. Races resolve the
//! same way everywhere: of two agents claiming one chat, the first claim in
//! the stream wins and the second is refused.
//!
//! Time is the stream's clock (when the server stored the fact), passed in
//! by the caller, so figures do not depend on a shopper's wrong clock and
//! tests drive it by hand.
//!
//! A fact that does not fit the desk as it stands (a claim of a chat that
//! is no longer waiting, a message in a chat the agent does not hold, a
//! shopper writing in another session's chat) is refused and counted by
//! [`Rejection`], never half-applied. A fact seen before (a resend past
//! JetStream's duplicate window) changes nothing and is counted apart.
//! Sizes are bounded: at most [`DeskConfig::max_chats`] chats and
//! [`DeskConfig::max_lines`] lines in one transcript; closed chats are
//! forgotten [`DeskConfig::keep_ms`] after they close.
//!
//! `model` holds what the desk holds (chats, agents, incidents), `fold`
//! the rules by which each fact changes it.

mod fold;
mod model;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

pub use model::{Agent, AgentState, Chat, ChatState, Incident, Line, Speaker, Survey, page_msg_id};

use crate::chat::{ChatEnvelope, ChatFact, DeskEnvelope, DeskFact};
use crate::subject::{self, SessionSubjects, Subject};
use crate::wire::WireErrorKind;

/// Bounds and the service-level target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeskConfig {
    /// A chat answered within this long of its request meets the service
    /// level (the T of "answered within T seconds").
    pub service_level_ms: u64,
    /// Figures cover chats of this last stretch of time.
    pub window_ms: u64,
    /// A closed chat is forgotten this long after it closed.
    pub keep_ms: u64,
    /// Chats kept at most; requests beyond are refused.
    pub max_chats: usize,
    /// Lines kept at most in one chat's transcript; more are refused.
    pub max_lines: usize,
}

impl Default for DeskConfig {
    fn default() -> Self {
        Self {
            service_level_ms: 30_000,
            window_ms: 60 * 60_000,
            keep_ms: 60 * 60_000,
            max_chats: 100_000,
            max_lines: 2_000,
        }
    }
}

/// Why a fact was not taken in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rejection {
    /// Not a shopper's chat subject nor an operator's desk subject.
    Subject,
    /// Not a valid fact.
    Wire(WireErrorKind),
    /// The subject's kind and the payload's disagree.
    Kind,
    /// A chat or incident nobody requested (or long forgotten).
    Unknown,
    /// A shopper writing about another session's chat, or an agent about a
    /// chat or incident another agent holds.
    NotYours,
    /// The chat is not in a state the fact applies to (claiming a chat
    /// already answered, a survey before the chat ended).
    State,
    /// An agent claiming while away, offline or at capacity, or a chat
    /// given to an agent who is offline.
    Unavailable,
    /// A session with a chat open asked for another.
    AlreadyOpen,
    /// The desk holds [`DeskConfig::max_chats`] chats, or the transcript
    /// [`DeskConfig::max_lines`] lines.
    Full,
}

impl Rejection {
    /// A short name for logs and counters.
    pub fn name(self) -> &'static str {
        match self {
            Self::Subject => "subject",
            Self::Wire(WireErrorKind::TooLarge) => "too large",
            Self::Wire(WireErrorKind::Malformed) => "malformed",
            Self::Wire(WireErrorKind::Invalid(_)) => "invalid",
            Self::Kind => "kind mismatch",
            Self::Unknown => "unknown chat",
            Self::NotYours => "not yours",
            Self::State => "wrong state",
            Self::Unavailable => "agent unavailable",
            Self::AlreadyOpen => "chat already open",
            Self::Full => "full",
        }
    }
}

/// The fact to fold, with who stated it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// A shopper's fact, from its session's chat subject.
    Shopper(SessionSubjects, ChatFact),
    /// An operator's fact, from its desk subject.
    Operator(String, DeskFact),
}

impl Fact {
    /// Reads a fact from its subject and payload: a shopper's chat subject
    /// or an operator's desk subject whose kind matches the payload.
    pub fn read(subject: &Subject, payload: &[u8]) -> Result<Self, Rejection> {
        if let Some(session) = SessionSubjects::of(subject) {
            if session.chat() != *subject {
                return Err(Rejection::Subject);
            }
            let envelope = ChatEnvelope::decode(payload).map_err(|e| Rejection::Wire(e.kind()))?;
            return Ok(Self::Shopper(session, envelope.fact));
        }
        let (user, kind) = subject::desk_parts(subject).ok_or(Rejection::Subject)?;
        let envelope = DeskEnvelope::decode(payload).map_err(|e| Rejection::Wire(e.kind()))?;
        if envelope.fact.kind() != kind {
            return Err(Rejection::Kind);
        }
        Ok(Self::Operator(user.into(), envelope.fact))
    }
}

/// Every chat, agent and incident.
#[derive(Debug, Clone, Default)]
pub struct Desk {
    config: DeskConfig,
    chats: BTreeMap<String, Chat>,
    /// Each session's latest chat (its open one, if it has one: a session
    /// opens a chat only when its others are closed).
    latest: BTreeMap<SessionSubjects, String>,
    agents: BTreeMap<String, Agent>,
    incidents: BTreeMap<String, Incident>,
    rejected: BTreeMap<Rejection, u64>,
    repeated: u64,
}

/// What folding a fact did: `Ok(true)` changed the desk, `Ok(false)` was a
/// fact seen before.
pub type Folded = Result<bool, Rejection>;

impl Desk {
    /// An empty desk.
    pub fn new(config: DeskConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }

    /// The bounds and target it was made with.
    pub fn config(&self) -> &DeskConfig {
        &self.config
    }

    /// Reads and folds one message of the chat stream, stored at `at_ms`;
    /// a refusal is counted as well as returned.
    pub fn record(&mut self, subject: &Subject, payload: &[u8], at_ms: u64) -> Folded {
        let fact = self.read(subject, payload)?;
        self.fold(&fact, at_ms)
    }

    /// Reads one message of the chat stream, for a caller that looks at the
    /// fact before it [folds](Self::fold) it; a refusal is counted as well
    /// as returned.
    pub fn read(&mut self, subject: &Subject, payload: &[u8]) -> Result<Fact, Rejection> {
        Fact::read(subject, payload).inspect_err(|why| self.count(Err(*why)))
    }

    /// Folds one fact stored at `at_ms`; a refusal is counted as well as
    /// returned.
    pub fn fold(&mut self, fact: &Fact, at_ms: u64) -> Folded {
        let folded = self.apply(fact, at_ms);
        self.count(folded);
        folded
    }

    fn count(&mut self, folded: Folded) {
        match folded {
            Ok(true) => {}
            Ok(false) => self.repeated += 1,
            Err(why) => *self.rejected.entry(why).or_default() += 1,
        }
    }

    /// Forgets chats closed more than [`DeskConfig::keep_ms`] before
    /// `now_ms`, except those an open incident is about, and resolved
    /// incidents as old.
    pub fn forget(&mut self, now_ms: u64) {
        let keep = self.config.keep_ms;
        let old = |at: u64| now_ms.saturating_sub(at) > keep;
        self.incidents
            .retain(|_, i| !i.resolved_ms.is_some_and(old));
        let incidents = &self.incidents;
        self.chats
            .retain(|id, chat| !chat.closed_ms.is_some_and(old) || incidents.contains_key(id));
        let chats = &self.chats;
        self.latest.retain(|_, id| chats.contains_key(id));
    }

    /// Every chat, by id.
    pub fn chats(&self) -> impl Iterator<Item = &Chat> {
        self.chats.values()
    }

    /// One chat.
    pub fn chat(&self, id: &str) -> Option<&Chat> {
        self.chats.get(id)
    }

    /// The chat of a session that is open, or else its latest.
    pub fn chat_of(&self, session: &SessionSubjects) -> Option<&Chat> {
        self.latest.get(session).and_then(|id| self.chats.get(id))
    }

    /// The waiting chats, first to be answered first: by when the shopper
    /// first asked, so a chat back from a lost agent goes before newer ones.
    pub fn queue(&self) -> Vec<&Chat> {
        let mut queue: Vec<&Chat> = self
            .chats
            .values()
            .filter(|c| c.state == ChatState::Queued)
            .collect();
        queue.sort_by(|a, b| (a.requested_ms, &a.id).cmp(&(b.requested_ms, &b.id)));
        queue
    }

    /// Every agent, by name.
    pub fn agents(&self) -> impl Iterator<Item = &Agent> {
        self.agents.values()
    }

    /// One agent.
    pub fn agent(&self, name: &str) -> Option<&Agent> {
        self.agents.get(name)
    }

    /// Whether some agent is online and takes chats: if none is, an offer
    /// would promise a chat nobody can answer.
    pub fn can_answer(&self) -> bool {
        self.agents.values().any(|a| a.online && a.available)
    }

    /// Every incident, by chat id.
    pub fn incidents(&self) -> impl Iterator<Item = &Incident> {
        self.incidents.values()
    }

    /// Refused facts so far, by why.
    pub fn rejected(&self) -> &BTreeMap<Rejection, u64> {
        &self.rejected
    }

    /// Facts seen before, so far.
    pub fn repeated(&self) -> u64 {
        self.repeated
    }
}

#[cfg(test)]
pub(crate) mod tests;
