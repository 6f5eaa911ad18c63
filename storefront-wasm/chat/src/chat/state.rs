//! Which chat the session has open, what its window shows, and what a
//! push changes in it.

use alloc::string::String;
use alloc::vec::Vec;

use super::Pending;
use crate::push::{Line, Shown};
use crate::{storage, strings};

/// Where a chat is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Asked for, not yet taken by an agent.
    Waiting,
    /// An agent took it.
    Answered,
    /// The shopper left it, or its survey is asked: nothing more is said
    /// in it, but the answer to its survey is still awaited.
    Over,
}

/// The session's chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chat {
    /// Its id, made by this plugin.
    pub(crate) id: String,
    /// Where it is.
    pub(crate) stage: Stage,
    /// The status line shown above its lines.
    pub(crate) status: String,
}

impl Chat {
    /// Whether the shopper is in it.
    pub(crate) fn is_open(&self) -> bool {
        self.stage != Stage::Over
    }
}

/// The chat part of the plugin's state.
#[derive(Debug, Default)]
pub(crate) struct Chats {
    /// The session's chat, open or awaiting its survey's answer.
    pub(crate) chat: Option<Chat>,
    /// Facts awaiting acknowledgement; what storage holds, read again
    /// before every change (another tab may have changed it).
    pub(crate) pending: Pending,
    /// When pending facts go (again); `None` when nothing is pending.
    pub(super) resend_at: Option<u64>,
    /// When the open chat next says the shopper is here.
    pub(super) here_at: u64,
}

impl Chats {
    /// The session's chat and pending facts as stored by earlier pages.
    pub(crate) fn load(key: &str) -> Self {
        let pending = storage::load_facts(key).unwrap_or_default();
        Self {
            chat: storage::load_chat(key),
            resend_at: (!pending.is_empty()).then_some(0),
            pending,
            here_at: 0,
        }
    }

    /// The open chat, if any.
    pub(crate) fn open(&mut self) -> Option<&mut Chat> {
        self.chat.as_mut().filter(|c| c.is_open())
    }

    /// The chat `id`, open or over.
    pub(crate) fn get(&mut self, id: &str) -> Option<&mut Chat> {
        self.chat.as_mut().filter(|c| c.id == id)
    }

    /// The open chat `id`.
    pub(crate) fn open_with(&mut self, id: &str) -> Option<&mut Chat> {
        self.open().filter(|c| c.id == id)
    }
}

/// What a push changes in the chat window.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Update {
    /// A new status line.
    pub(crate) status: Option<String>,
    /// Lines for the window, oldest first; it shows those it has not.
    pub(crate) lines: Vec<Line>,
}

impl Update {
    /// Whether nothing changes.
    pub(crate) fn is_empty(&self) -> bool {
        self.status.is_none() && self.lines.is_empty()
    }
}

/// Applies a push about a chat to the open chat: a new status line, or
/// lines. Pushes about any other chat change nothing; offers and surveys
/// are not for this.
pub(crate) fn apply(chats: &mut Chats, shown: Shown) -> Update {
    let mut update = Update::default();
    let Some(chat) = shown.chat_id().and_then(|id| chats.open_with(id)) else {
        return update;
    };
    let (stage, status) = match shown {
        Shown::Queue {
            position,
            wait_secs,
            ..
        } => (Stage::Waiting, queue_text(position, wait_secs)),
        Shown::Joined { name, .. } => (
            Stage::Answered,
            floorwalker_shared::cat(&[&name, strings::JOINED]),
        ),
        Shown::Lines { lines, .. } => {
            update.lines = lines;
            return update;
        }
        Shown::Offer { .. } | Shown::Survey { .. } => return update,
    };
    chat.stage = stage;
    chat.status.clone_from(&status);
    update.status = Some(status);
    update
}

/// "You are number 2 in the queue · about 3 min".
fn queue_text(position: u32, wait_secs: Option<u32>) -> String {
    let mut text = floorwalker_shared::cat(&[
        strings::QUEUE[0],
        // As u64, the one itoa the plugin has anyway.
        itoa::Buffer::new().format(u64::from(position)),
        strings::QUEUE[1],
    ]);
    match wait_secs {
        Some(secs) if secs < 60 => text.push_str(strings::WAIT_SHORT),
        Some(secs) => {
            text.push_str(strings::WAIT_MINUTES[0]);
            text.push_str(itoa::Buffer::new().format(u64::from(secs + 30) / 60));
            text.push_str(strings::WAIT_MINUTES[1]);
        }
        None => {}
    }
    text
}
