//! The supervisor's view of the desk, and what a supervisor does there:
//! see every agent (available, away or busy, chats against capacity, time
//! since their last reply), every open chat with its transcript, and the
//! open incidents; whisper to a chat's agent, join a chat (the shopper
//! sees it as from a supervisor), or give a chat to another agent or back
//! to the queue. Each action is a desk fact, which is the audit trail.
//!
//! State and update only; `view::desk` draws it. What has the keys is a
//! [`DeskMode`], part of the dashboard's mode; the selection outlives it.

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

/// What the desk view is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DeskMode {
    /// Moving through the chats.
    Browse,
    /// Typing into the selected chat.
    Typing(Say, String),
    /// Picking where the selected chat goes; the cursor over [`choices`].
    Reassign(usize),
}

impl DeskMode {
    /// A character typed.
    pub(crate) fn type_char(&mut self, c: char) {
        if let Self::Typing(_, text) = self
            && !c.is_control()
            && text.chars().count() < MAX_TEXT
        {
            text.push(c);
        }
    }
}

/// The desk view's selection, kept while it is closed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Supervise {
    /// The selected chat's id.
    pub(crate) selected: Option<String>,
    /// Messages sent so far, for their ids.
    sent: u64,
}

/// What a key in the desk view did.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// The desk view's mode next; `None` closes it.
    pub(crate) mode: Option<DeskMode>,
    pub(crate) effects: Vec<Effect>,
    /// Why the key could not do its job, for the footer.
    pub(crate) why: Option<&'static str>,
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
    /// A key, while the view is open in `mode`; `nonce` is the
    /// dashboard's, for message ids.
    pub(crate) fn key(
        &mut self,
        desk: &Desk,
        mode: DeskMode,
        action: Action,
        operator: &str,
        nonce: &str,
    ) -> Outcome {
        let keep = |mode| Outcome {
            mode: Some(mode),
            ..Outcome::default()
        };
        match mode {
            DeskMode::Reassign(cursor) => return self.reassign_key(desk, action, cursor),
            DeskMode::Typing(say, mut text) => {
                return match action {
                    Action::Back => keep(DeskMode::Browse),
                    Action::Erase => {
                        text.pop();
                        keep(DeskMode::Typing(say, text))
                    }
                    Action::Confirm => Outcome {
                        mode: Some(DeskMode::Browse),
                        effects: self.say(say, text.trim().to_owned(), operator, nonce),
                        why: None,
                    },
                    _ => keep(DeskMode::Typing(say, text)),
                };
            }
            DeskMode::Browse => {}
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
                keep(DeskMode::Browse)
            }
            Action::Whisper | Action::Join | Action::Reassign => {
                let Some(chat) = chat.filter(|c| !c.state.is_closed()) else {
                    return Outcome {
                        why: Some(super::strings::DESK_SELECT),
                        ..keep(DeskMode::Browse)
                    };
                };
                match action {
                    Action::Whisper if chat.agent().is_none() => Outcome {
                        why: Some(super::strings::DESK_NO_AGENT),
                        ..keep(DeskMode::Browse)
                    },
                    Action::Whisper => keep(DeskMode::Typing(Say::Whisper, String::new())),
                    Action::Join => keep(DeskMode::Typing(Say::Join, String::new())),
                    _ => keep(DeskMode::Reassign(0)),
                }
            }
            Action::Back | Action::Desk => Outcome::default(),
            _ => keep(DeskMode::Browse),
        }
    }

    fn reassign_key(&mut self, desk: &Desk, action: Action, cursor: usize) -> Outcome {
        let choices = choices(desk);
        let (mode, effects) = match action {
            Action::Up => (DeskMode::Reassign(cursor.saturating_sub(1)), Vec::new()),
            Action::Down => (
                DeskMode::Reassign((cursor + 1).min(choices.len() - 1)),
                Vec::new(),
            ),
            Action::Back => (DeskMode::Browse, Vec::new()),
            Action::Confirm | Action::Open => {
                let effects = match (self.selected.clone(), choices.get(cursor)) {
                    (Some(chat_id), Some(to)) => vec![Effect::Record(DeskFact::Reassign {
                        chat_id,
                        to: to.clone(),
                    })],
                    _ => Vec::new(),
                };
                (DeskMode::Browse, effects)
            }
            _ => (DeskMode::Reassign(cursor), Vec::new()),
        };
        Outcome {
            mode: Some(mode),
            effects,
            why: None,
        }
    }

    fn say(&mut self, say: Say, text: String, operator: &str, nonce: &str) -> Vec<Effect> {
        let Some(chat_id) = self.selected.clone().filter(|_| !text.is_empty()) else {
            return Vec::new();
        };
        self.sent += 1;
        // Unique across dashboards and restarts: the operator, this run's
        // nonce, and a count.
        let msg_id = format!("{operator}-{nonce}-m{}", self.sent);
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
