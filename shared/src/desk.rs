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

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;

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

/// Where a chat stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatState {
    /// Waiting for an agent.
    Queued,
    /// Held by an agent.
    Active {
        /// The agent.
        agent: String,
    },
    /// Over after an agent answered it.
    Ended,
    /// Over before any agent answered it: the shopper left the queue.
    Abandoned,
}

impl ChatState {
    /// Whether the chat is over.
    pub fn is_closed(&self) -> bool {
        matches!(self, Self::Ended | Self::Abandoned)
    }

    /// A one-word name for screens and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Active { .. } => "active",
            Self::Ended => "ended",
            Self::Abandoned => "abandoned",
        }
    }
}

/// Who wrote a line of a transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Speaker {
    /// The shopper.
    Shopper,
    /// The agent holding the chat.
    Agent(String),
    /// A supervisor who joined; the shopper saw it.
    Supervisor(String),
    /// A supervisor's note to the agent; the shopper never saw it.
    Whisper(String),
    /// What happened (claimed, back in the queue, ended).
    Note,
}

/// One line of a transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// When the stream stored it.
    pub at_ms: u64,
    /// Who wrote it.
    pub speaker: Speaker,
    /// What it says (untrusted text: sanitize before display).
    pub text: String,
    /// The message's id as the shopper's page knows it (see
    /// [`page_msg_id`]); `None` for notes.
    pub msg_id: Option<String>,
}

/// The id a page knows an operator's message by: apart from the page's own
/// ids, which the shopper's plugin makes.
pub fn page_msg_id(operator_msg_id: &str) -> String {
    let mut id = String::from("op-");
    id.push_str(operator_msg_id);
    id
}

/// A shopper's answer to the survey that closes a chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survey {
    /// Whether the chat helped.
    pub helped: bool,
    /// What the shopper added.
    pub comment: Option<String>,
    /// When.
    pub at_ms: u64,
}

/// One chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chat {
    /// Its id, made by the shopper's plugin.
    pub id: String,
    /// The shopper's session.
    pub session: SessionSubjects,
    /// The offer that started it, if any.
    pub offer_id: Option<String>,
    /// When the shopper asked.
    pub requested_ms: u64,
    /// When it last entered the queue (its request, or its return).
    pub queued_ms: u64,
    /// Where it stands.
    pub state: ChatState,
    /// When an agent first claimed it.
    pub answered_ms: Option<u64>,
    /// When an agent or supervisor first wrote in it.
    pub first_response_ms: Option<u64>,
    /// When it closed.
    pub closed_ms: Option<u64>,
    /// What was said and what happened, oldest first.
    pub lines: Vec<Line>,
    /// How long each shopper message (or run of them) waited for an
    /// operator's answer, in ms, with when the answer came.
    pub responses: Vec<(u64, u64)>,
    /// The survey's answer.
    pub survey: Option<Survey>,
    /// Since when a shopper message has waited for an answer.
    awaiting_since: Option<u64>,
    /// Ids of the messages seen, so a resent one is seen once.
    msg_ids: BTreeSet<String>,
}

impl Chat {
    /// The agent holding it, if it is active.
    pub fn agent(&self) -> Option<&str> {
        match &self.state {
            ChatState::Active { agent } => Some(agent),
            _ => None,
        }
    }

    /// How long the shopper has waited in the queue at `now_ms`, if waiting.
    pub fn waiting_ms(&self, now_ms: u64) -> Option<u64> {
        (self.state == ChatState::Queued).then(|| now_ms.saturating_sub(self.queued_ms))
    }

    fn note(&mut self, at_ms: u64, text: &str) {
        self.lines.push(Line {
            at_ms,
            speaker: Speaker::Note,
            text: text.into(),
            msg_id: None,
        });
    }
}

/// One agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    /// The agent's user name.
    pub name: String,
    /// Whether the agent said it takes chats.
    pub available: bool,
    /// Most chats at once.
    pub capacity: u8,
    /// Whether the agent is connected, as far as the desk knows: set by
    /// its status, cleared when the router finds it lost.
    pub online: bool,
    /// The chats it holds.
    pub holding: BTreeSet<String>,
    /// When it last wrote in a chat.
    pub last_reply_ms: Option<u64>,
}

/// How an agent stands, as the Agents view shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AgentState {
    /// Takes chats and has room for one more.
    Available,
    /// Takes chats and holds as many as its capacity.
    Busy,
    /// Said it is away.
    Away,
    /// Not connected.
    Offline,
}

impl AgentState {
    /// A one-word name for screens and logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::Busy => "busy",
            Self::Away => "away",
            Self::Offline => "offline",
        }
    }
}

impl Agent {
    /// How the agent stands.
    pub fn state(&self) -> AgentState {
        if !self.online {
            AgentState::Offline
        } else if !self.available {
            AgentState::Away
        } else if self.holding.len() >= usize::from(self.capacity) {
            AgentState::Busy
        } else {
            AgentState::Available
        }
    }
}

/// A follow-up on a shopper who said the chat did not help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    /// The chat it is about (whose transcript it carries).
    pub chat_id: String,
    /// When it opened.
    pub opened_ms: u64,
    /// The shopper's journey when it opened, one line per step.
    pub journey: Vec<String>,
    /// The agent who took it, and when.
    pub taken: Option<(String, u64)>,
    /// When it was resolved.
    pub resolved_ms: Option<u64>,
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
        let folded = Fact::read(subject, payload).and_then(|fact| self.apply(&fact, at_ms));
        self.count(folded);
        folded
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

    fn apply(&mut self, fact: &Fact, at_ms: u64) -> Folded {
        match fact {
            Fact::Shopper(session, fact) => self.shopper(session, fact, at_ms),
            Fact::Operator(user, fact) => self.operator(user, fact, at_ms),
        }
    }

    fn shopper(&mut self, session: &SessionSubjects, fact: &ChatFact, at_ms: u64) -> Folded {
        if let ChatFact::Request { chat_id, offer_id } = fact {
            return self.request(session, chat_id, offer_id.as_deref(), at_ms);
        }
        let max_lines = self.config.max_lines;
        let chat = self
            .chats
            .get_mut(fact.chat_id())
            .ok_or(Rejection::Unknown)?;
        if chat.session != *session {
            return Err(Rejection::NotYours);
        }
        match fact {
            ChatFact::Request { .. } => unreachable!("handled above"),
            ChatFact::Message { msg_id, text, .. } => {
                if chat.msg_ids.contains(msg_id) {
                    return Ok(false);
                }
                if chat.state.is_closed() {
                    return Err(Rejection::State);
                }
                if chat.lines.len() >= max_lines {
                    return Err(Rejection::Full);
                }
                chat.msg_ids.insert(msg_id.clone());
                chat.lines.push(Line {
                    at_ms,
                    speaker: Speaker::Shopper,
                    text: text.clone(),
                    msg_id: Some(msg_id.clone()),
                });
                chat.awaiting_since.get_or_insert(at_ms);
                Ok(true)
            }
            ChatFact::Leave { .. } => {
                if chat.state.is_closed() {
                    return Ok(false);
                }
                let chat_id = chat.id.clone();
                self.close(&chat_id, at_ms, "the shopper left the chat");
                Ok(true)
            }
            ChatFact::Survey {
                helped, comment, ..
            } => {
                if chat.survey.is_some() {
                    return Ok(false);
                }
                if chat.state != ChatState::Ended {
                    return Err(Rejection::State);
                }
                chat.survey = Some(Survey {
                    helped: *helped,
                    comment: comment.clone(),
                    at_ms,
                });
                Ok(true)
            }
        }
    }

    fn request(
        &mut self,
        session: &SessionSubjects,
        chat_id: &str,
        offer_id: Option<&str>,
        at_ms: u64,
    ) -> Folded {
        if let Some(chat) = self.chats.get(chat_id) {
            return if chat.session == *session {
                Ok(false)
            } else {
                Err(Rejection::NotYours)
            };
        }
        if self.chat_of(session).is_some_and(|c| !c.state.is_closed()) {
            return Err(Rejection::AlreadyOpen);
        }
        if self.chats.len() >= self.config.max_chats {
            return Err(Rejection::Full);
        }
        let mut chat = Chat {
            id: chat_id.into(),
            session: session.clone(),
            offer_id: offer_id.map(Into::into),
            requested_ms: at_ms,
            queued_ms: at_ms,
            state: ChatState::Queued,
            answered_ms: None,
            first_response_ms: None,
            closed_ms: None,
            lines: Vec::new(),
            responses: Vec::new(),
            survey: None,
            awaiting_since: None,
            msg_ids: BTreeSet::new(),
        };
        chat.note(
            at_ms,
            if offer_id.is_some() {
                "the shopper accepted an offer"
            } else {
                "the shopper asked for help"
            },
        );
        self.chats.insert(chat_id.into(), chat);
        self.latest.insert(session.clone(), chat_id.into());
        Ok(true)
    }

    fn operator(&mut self, user: &str, fact: &DeskFact, at_ms: u64) -> Folded {
        match fact {
            DeskFact::Status {
                available,
                capacity,
            } => {
                let agent = self.agents.entry(user.into()).or_insert_with(|| Agent {
                    name: user.into(),
                    available: false,
                    capacity: 1,
                    online: false,
                    holding: BTreeSet::new(),
                    last_reply_ms: None,
                });
                agent.available = *available;
                agent.capacity = *capacity;
                agent.online = true;
                Ok(true)
            }
            DeskFact::Claim { chat_id } => self.claim(user, chat_id, at_ms),
            DeskFact::Message {
                chat_id,
                msg_id,
                text,
            } => self.say(
                chat_id,
                msg_id,
                Speaker::Agent(user.into()),
                text,
                Some(user),
                at_ms,
            ),
            DeskFact::Join {
                chat_id,
                msg_id,
                text,
            } => self.say(
                chat_id,
                msg_id,
                Speaker::Supervisor(user.into()),
                text,
                None,
                at_ms,
            ),
            DeskFact::Whisper {
                chat_id,
                msg_id,
                text,
            } => self.say(
                chat_id,
                msg_id,
                Speaker::Whisper(user.into()),
                text,
                None,
                at_ms,
            ),
            DeskFact::End { chat_id } => {
                let chat = self.chats.get(chat_id).ok_or(Rejection::Unknown)?;
                match chat.agent() {
                    Some(agent) if agent == user => {
                        let text = "the agent ended the chat";
                        self.close(chat_id, at_ms, text);
                        Ok(true)
                    }
                    Some(_) => Err(Rejection::NotYours),
                    None if chat.state == ChatState::Ended => Ok(false),
                    None => Err(Rejection::State),
                }
            }
            DeskFact::Reassign { chat_id, to } => self.reassign(chat_id, to.as_deref(), at_ms),
            DeskFact::Lost { agent } => {
                let Some(lost) = self.agents.get_mut(agent) else {
                    return Err(Rejection::Unknown);
                };
                lost.online = false;
                let held: Vec<String> = core::mem::take(&mut lost.holding).into_iter().collect();
                for chat_id in held {
                    if let Some(chat) = self.chats.get_mut(&chat_id) {
                        chat.state = ChatState::Queued;
                        chat.queued_ms = at_ms;
                        chat.note(at_ms, "back in the queue: the agent was lost");
                    }
                }
                Ok(true)
            }
            DeskFact::Gone { chat_id } => {
                let chat = self.chats.get(chat_id).ok_or(Rejection::Unknown)?;
                if chat.state.is_closed() {
                    return Ok(false);
                }
                self.close(chat_id, at_ms, "the shopper is gone");
                Ok(true)
            }
            DeskFact::Incident { .. } | DeskFact::Take { .. } | DeskFact::Resolve { .. } => {
                self.incident(user, fact, at_ms)
            }
        }
    }

    fn incident(&mut self, user: &str, fact: &DeskFact, at_ms: u64) -> Folded {
        match fact {
            DeskFact::Incident { chat_id, journey } => {
                let chat = self.chats.get(chat_id).ok_or(Rejection::Unknown)?;
                if self.incidents.contains_key(chat_id) {
                    return Ok(false);
                }
                if chat.survey.as_ref().is_none_or(|s| s.helped) {
                    return Err(Rejection::State);
                }
                self.incidents.insert(
                    chat_id.clone(),
                    Incident {
                        chat_id: chat_id.clone(),
                        opened_ms: at_ms,
                        journey: journey.clone(),
                        taken: None,
                        resolved_ms: None,
                    },
                );
                Ok(true)
            }
            DeskFact::Take { chat_id } => {
                let incident = self.incidents.get_mut(chat_id).ok_or(Rejection::Unknown)?;
                match &incident.taken {
                    Some((by, _)) if by == user => Ok(false),
                    Some(_) => Err(Rejection::NotYours),
                    None => {
                        incident.taken = Some((user.into(), at_ms));
                        Ok(true)
                    }
                }
            }
            DeskFact::Resolve { chat_id } => {
                let incident = self.incidents.get_mut(chat_id).ok_or(Rejection::Unknown)?;
                match &incident.taken {
                    Some((by, _)) if by == user => {
                        if incident.resolved_ms.is_some() {
                            return Ok(false);
                        }
                        incident.resolved_ms = Some(at_ms);
                        Ok(true)
                    }
                    Some(_) => Err(Rejection::NotYours),
                    None => Err(Rejection::State),
                }
            }
            _ => Err(Rejection::Kind),
        }
    }

    fn claim(&mut self, user: &str, chat_id: &str, at_ms: u64) -> Folded {
        let chat = self.chats.get(chat_id).ok_or(Rejection::Unknown)?;
        match chat.agent() {
            Some(agent) if agent == user => return Ok(false),
            Some(_) => return Err(Rejection::State),
            None if chat.state != ChatState::Queued => return Err(Rejection::State),
            None => {}
        }
        let agent = self.agents.get(user).ok_or(Rejection::Unavailable)?;
        if agent.state() != AgentState::Available {
            return Err(Rejection::Unavailable);
        }
        self.hand_to(chat_id, user, at_ms);
        Ok(true)
    }

    fn reassign(&mut self, chat_id: &str, to: Option<&str>, at_ms: u64) -> Folded {
        let chat = self.chats.get(chat_id).ok_or(Rejection::Unknown)?;
        if chat.state.is_closed() {
            return Err(Rejection::State);
        }
        if chat.agent() == to {
            return Ok(false);
        }
        if let Some(to) = to
            && !self.agents.get(to).is_some_and(|a| a.online)
        {
            return Err(Rejection::Unavailable);
        }
        if let Some(from) = chat.agent().map(String::from)
            && let Some(agent) = self.agents.get_mut(&from)
        {
            agent.holding.remove(chat_id);
        }
        match to {
            // A supervisor may give an agent more than its capacity.
            Some(to) => self.hand_to(chat_id, to, at_ms),
            None => {
                if let Some(chat) = self.chats.get_mut(chat_id) {
                    chat.state = ChatState::Queued;
                    chat.queued_ms = at_ms;
                    chat.note(at_ms, "back in the queue: a supervisor reassigned it");
                }
            }
        }
        Ok(true)
    }

    fn hand_to(&mut self, chat_id: &str, agent: &str, at_ms: u64) {
        if let Some(holder) = self.agents.get_mut(agent) {
            holder.holding.insert(chat_id.into());
        }
        if let Some(chat) = self.chats.get_mut(chat_id) {
            chat.state = ChatState::Active {
                agent: agent.into(),
            };
            chat.answered_ms.get_or_insert(at_ms);
            let mut text = String::from(agent);
            text.push_str(" took the chat");
            chat.note(at_ms, &text);
        }
    }

    /// Writes a line from an operator; `holder` is the agent who must hold
    /// the chat (an agent's message), `None` for a supervisor.
    fn say(
        &mut self,
        chat_id: &str,
        msg_id: &str,
        speaker: Speaker,
        text: &str,
        holder: Option<&str>,
        at_ms: u64,
    ) -> Folded {
        let max_lines = self.config.max_lines;
        let chat = self.chats.get_mut(chat_id).ok_or(Rejection::Unknown)?;
        // Operators' ids are theirs, shoppers' theirs: keep them apart.
        let key = page_msg_id(msg_id);
        if chat.msg_ids.contains(&key) {
            return Ok(false);
        }
        if chat.state.is_closed() {
            return Err(Rejection::State);
        }
        if let Some(holder) = holder
            && chat.agent() != Some(holder)
        {
            return Err(Rejection::NotYours);
        }
        if chat.lines.len() >= max_lines {
            return Err(Rejection::Full);
        }
        let seen_by_shopper = !matches!(speaker, Speaker::Whisper(_));
        chat.msg_ids.insert(key.clone());
        chat.lines.push(Line {
            at_ms,
            speaker,
            text: text.into(),
            msg_id: Some(key),
        });
        if seen_by_shopper {
            chat.first_response_ms.get_or_insert(at_ms);
            if let Some(since) = chat.awaiting_since.take() {
                chat.responses.push((at_ms.saturating_sub(since), at_ms));
            }
        }
        if let Some(agent) = holder.and_then(|h| self.agents.get_mut(h)) {
            agent.last_reply_ms = Some(at_ms);
        }
        Ok(true)
    }

    fn close(&mut self, chat_id: &str, at_ms: u64, why: &str) {
        let Some(chat) = self.chats.get_mut(chat_id) else {
            return;
        };
        if let ChatState::Active { agent } = &chat.state
            && let Some(agent) = self.agents.get_mut(agent)
        {
            agent.holding.remove(chat_id);
        }
        chat.state = if chat.answered_ms.is_some() {
            ChatState::Ended
        } else {
            ChatState::Abandoned
        };
        chat.closed_ms = Some(at_ms);
        chat.awaiting_since = None;
        chat.note(at_ms, why);
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
