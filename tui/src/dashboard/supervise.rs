//! The supervisor's view of the desk, and what a supervisor does there:
//! see every agent (available, away or busy, chats against capacity, time
//! since their last reply), every open chat with its transcript, and the
//! open incidents; whisper to a chat's agent, join a chat (the shopper
//! sees it as from a supervisor), or give a chat to another agent or back
//! to the queue. Each action is a desk fact, which is the audit trail.
//!
//! State and update only; `view::desk` draws it.

use floorwalker_shared::chat::DeskFact;
use floorwalker_shared::desk::{Chat, ChatState, Desk};

use super::keymap::Action;
use super::msg::Effect;

/// What a supervisor is typing into a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Say {
    /// A note the agent sees and the shopper does not.
    Whisper,
    /// A message the shopper sees, as from a supervisor.
    Join,
}

/// Longest text a supervisor may type, in characters.
pub(crate) const MAX_TEXT: usize = 1_000;

/// The desk view's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Supervise {
    /// Whether the view is showing (instead of the shoppers).
    pub(crate) open: bool,
    /// The selected chat's id.
    pub(crate) selected: Option<String>,
    /// What is being typed, and into what.
    pub(crate) typing: Option<(Say, String)>,
    /// The reassign dialog's cursor over [`choices`], while open.
    pub(crate) reassign: Option<usize>,
    /// Messages sent so far, for their ids.
    sent: u64,
}

/// The chats the view lists: waiting first (longest waiting on top), then
/// those being answered, then the closed chats that have an open incident.
pub(crate) fn rows(desk: &Desk) -> Vec<&Chat> {
    let mut rows = desk.queue();
    let mut active: Vec<&Chat> = desk
        .chats()
        .filter(|c| matches!(c.state, ChatState::Active { .. }))
        .collect();
    active.sort_by_key(|c| c.requested_ms);
    rows.extend(active);
    rows.extend(
        desk.incidents()
            .filter(|i| i.resolved_ms.is_none())
            .filter_map(|i| desk.chat(&i.chat_id))
            .filter(|c| c.state.is_closed()),
    );
    rows
}

/// Where the reassign dialog can give a chat: `None` is back to the queue,
/// then every online agent by name.
pub(crate) fn choices(desk: &Desk) -> Vec<Option<String>> {
    std::iter::once(None)
        .chain(
            desk.agents()
                .filter(|a| a.online)
                .map(|a| Some(a.name.clone())),
        )
        .collect()
}

impl Supervise {
    /// Whether a text field has the keys.
    pub(crate) fn typing(&self) -> bool {
        self.typing.is_some()
    }

    /// A character typed.
    pub(crate) fn type_char(&mut self, c: char) {
        if let Some((_, text)) = &mut self.typing
            && !c.is_control()
            && text.chars().count() < MAX_TEXT
        {
            text.push(c);
        }
    }

    /// A key, while the view is open; a message for the footer comes back
    /// when a key cannot do its job.
    pub(crate) fn key(
        &mut self,
        desk: &Desk,
        action: Action,
        operator: &str,
    ) -> (Vec<Effect>, Option<&'static str>) {
        if let Some(cursor) = self.reassign {
            return (self.reassign_key(desk, action, cursor), None);
        }
        if let Some((say, text)) = &mut self.typing {
            match action {
                Action::Back => self.typing = None,
                Action::Erase => {
                    text.pop();
                }
                Action::Confirm => {
                    let (say, text) = (*say, text.trim().to_owned());
                    self.typing = None;
                    return (self.say(say, text, operator), None);
                }
                _ => {}
            }
            return (Vec::new(), None);
        }
        let rows = rows(desk);
        let at = self
            .selected
            .as_ref()
            .and_then(|id| rows.iter().position(|c| c.id == *id));
        let chat = at.and_then(|i| rows.get(i)).copied();
        match action {
            Action::Up | Action::Down | Action::First | Action::Last => {
                let last = rows.len().saturating_sub(1);
                let next = match (action, at) {
                    (Action::Up, Some(i)) => i.saturating_sub(1),
                    (Action::Down, Some(i)) => (i + 1).min(last),
                    (Action::Last, _) => last,
                    _ => 0,
                };
                self.selected = rows.get(next).map(|c| c.id.clone());
            }
            Action::Whisper | Action::Join | Action::Reassign => {
                let Some(chat) = chat.filter(|c| !c.state.is_closed()) else {
                    return (Vec::new(), Some(super::strings::DESK_SELECT));
                };
                match action {
                    Action::Whisper if chat.agent().is_none() => {
                        return (Vec::new(), Some(super::strings::DESK_NO_AGENT));
                    }
                    Action::Whisper => self.typing = Some((Say::Whisper, String::new())),
                    Action::Join => self.typing = Some((Say::Join, String::new())),
                    _ => self.reassign = Some(0),
                }
            }
            Action::Back | Action::Desk => self.open = false,
            _ => {}
        }
        (Vec::new(), None)
    }

    fn reassign_key(&mut self, desk: &Desk, action: Action, cursor: usize) -> Vec<Effect> {
        let choices = choices(desk);
        match action {
            Action::Up => self.reassign = Some(cursor.saturating_sub(1)),
            Action::Down => self.reassign = Some((cursor + 1).min(choices.len() - 1)),
            Action::Back => self.reassign = None,
            Action::Confirm | Action::Open => {
                self.reassign = None;
                if let (Some(chat_id), Some(to)) = (self.selected.clone(), choices.get(cursor)) {
                    return vec![Effect::Record(DeskFact::Reassign {
                        chat_id,
                        to: to.clone(),
                    })];
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn say(&mut self, say: Say, text: String, operator: &str) -> Vec<Effect> {
        let Some(chat_id) = self.selected.clone().filter(|_| !text.is_empty()) else {
            return Vec::new();
        };
        self.sent += 1;
        // Unique across dashboards and restarts: the operator, a count,
        // and a random part.
        let msg_id = format!("{operator}-{}-{}", self.sent, fastrand::u32(..));
        vec![Effect::Record(match say {
            Say::Whisper => DeskFact::Whisper {
                chat_id,
                msg_id,
                text,
            },
            Say::Join => DeskFact::Join {
                chat_id,
                msg_id,
                text,
            },
        })]
    }

    /// Keeps the selection on a listed chat.
    pub(crate) fn keep_selection(&mut self, desk: &Desk) {
        let rows = rows(desk);
        if !self
            .selected
            .as_ref()
            .is_some_and(|id| rows.iter().any(|c| c.id == *id))
        {
            self.selected = rows.first().map(|c| c.id.clone());
        }
    }
}
