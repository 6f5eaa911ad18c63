//! What the desk holds: chats with their transcripts, agents, incidents.

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;

use crate::subject::SessionSubjects;

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
    pub(crate) awaiting_since: Option<u64>,
    /// Ids of the messages seen, so a resent one is seen once.
    pub(crate) msg_ids: BTreeSet<String>,
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

    pub(crate) fn note(&mut self, at_ms: u64, text: &str) {
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
