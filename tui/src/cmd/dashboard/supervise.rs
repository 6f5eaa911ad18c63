//! The supervisor's view of the desk, and what a supervisor does there:
//! see every agent (available, away or busy, chats against capacity, time
//! since their last reply), every open chat with its transcript, and the
//! open incidents; whisper to a chat's agent, join a chat (the shopper
//! sees it as from a supervisor), or give a chat to another agent or back
//! to the queue. Each action is a desk fact, which is the audit trail,
//! recorded under the supervisor's own user (so the transcript and the
//! trail name the person, not a shared role).
//!
//! The reassign dialog ([`Pick`]) shows each agent's load and state and
//! starts on the agent with the most room; giving a chat to an agent who
//! is full or away takes a second Enter ([`Caution`]).
//!
//! State and update only; `view::desk` draws it. What has the keys is a
//! [`DeskMode`], part of the dashboard's mode; the selection outlives it.

use floorwalker_shared::chat::DeskFact;
use floorwalker_shared::desk::{AgentState, Chat, ChatState, Desk};

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
    /// Picking where a chat goes.
    Reassign(Pick),
}

/// The reassign dialog. The chat it moves is fixed when it opens and the
/// cursor names a choice, not a row, so chats closing or agents coming
/// and going underneath never point it at another chat or agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pick {
    /// The chat it moves.
    pub(crate) chat_id: String,
    /// The choice under the cursor: an agent, or `None` for the queue.
    pub(crate) cursor: Option<String>,
    /// Set by a first Enter on an agent who is full or away: the dialog
    /// says why, and a second Enter gives the chat anyway.
    pub(crate) confirming: Option<Caution>,
}

/// Why giving a chat to an agent asks first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Caution {
    /// The agent holds as many chats as they take, or more.
    Full {
        /// Chats held.
        held: usize,
        /// Most at once, as the agent said.
        capacity: u8,
    },
    /// The agent said they are away.
    Away,
}

/// Why giving the chat to agent `to` needs a second Enter, if it does.
pub(crate) fn caution(desk: &Desk, to: &str) -> Option<Caution> {
    let agent = desk.agent(to)?;
    match agent.state() {
        AgentState::Busy => Some(Caution::Full {
            held: agent.holding.len(),
            capacity: agent.capacity,
        }),
        AgentState::Away => Some(Caution::Away),
        AgentState::Available | AgentState::Offline => None,
    }
}

/// Where the dialog's cursor starts: the available agent with the most
/// room who does not hold the chat already (by name among equals), else
/// the queue.
fn best_choice(desk: &Desk, chat: &Chat) -> Option<String> {
    desk.agents()
        .filter(|a| a.state() == AgentState::Available && chat.agent() != Some(a.name.as_str()))
        .max_by_key(|a| {
            let room = usize::from(a.capacity).saturating_sub(a.holding.len());
            (room, std::cmp::Reverse(a.name.as_str()))
        })
        .map(|a| a.name.clone())
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

/// A key in the reassign dialog.
fn reassign_key(desk: &Desk, action: Action, mut pick: Pick) -> Outcome {
    let stay = |pick: Pick, why: Option<&'static str>| Outcome {
        mode: Some(DeskMode::Reassign(pick)),
        effects: Vec::new(),
        why,
    };
    match action {
        Action::Up | Action::Down => {
            let choices = choices(desk);
            let at = choices.iter().position(|c| *c == pick.cursor).unwrap_or(0);
            let next = if action == Action::Up {
                at.saturating_sub(1)
            } else {
                (at + 1).min(choices.len().saturating_sub(1))
            };
            pick.cursor = choices.get(next).cloned().flatten();
            pick.confirming = None;
            stay(pick, None)
        }
        Action::Back if pick.confirming.is_some() => {
            pick.confirming = None;
            stay(pick, None)
        }
        Action::Back => Outcome {
            mode: Some(DeskMode::Browse),
            ..Outcome::default()
        },
        Action::Confirm | Action::Open => {
            let Some(chat) = desk.chat(&pick.chat_id).filter(|c| !c.state.is_closed()) else {
                return Outcome {
                    mode: Some(DeskMode::Browse),
                    effects: Vec::new(),
                    why: Some(super::strings::REASSIGN_CLOSED),
                };
            };
            match pick.cursor.as_deref() {
                None if chat.state == ChatState::Queued => {
                    return stay(pick, Some(super::strings::REASSIGN_QUEUED));
                }
                None => {}
                Some(to) if chat.agent() == Some(to) => {
                    return stay(pick, Some(super::strings::REASSIGN_HAS_IT));
                }
                Some(to) if !desk.agent(to).is_some_and(|a| a.online) => {
                    return stay(pick, Some(super::strings::REASSIGN_OFFLINE));
                }
                Some(to) => {
                    // Asked again if what stands in the way changed
                    // between the two Enters.
                    let caution = caution(desk, to);
                    if caution.is_some() && caution != pick.confirming {
                        pick.confirming = caution;
                        return stay(pick, None);
                    }
                }
            }
            Outcome {
                mode: Some(DeskMode::Browse),
                effects: vec![Effect::Record(DeskFact::Reassign {
                    chat_id: pick.chat_id,
                    to: pick.cursor,
                })],
                why: None,
            }
        }
        _ => stay(pick, None),
    }
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
            DeskMode::Reassign(pick) => return reassign_key(desk, action, pick),
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
                    _ => keep(DeskMode::Reassign(Pick {
                        chat_id: chat.id.clone(),
                        cursor: best_choice(desk, chat),
                        confirming: None,
                    })),
                }
            }
            Action::Back | Action::Desk => Outcome::default(),
            _ => keep(DeskMode::Browse),
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

#[cfg(test)]
pub(crate) mod tests;
