//! What each key does to the console: moving the selection, claiming,
//! replying, ending chats (after asking), the agent's status, and
//! incidents. A key that cannot do its job says why in the footer.

use floorwalker_shared::chat::{DeskFact, MAX_CAPACITY};
use floorwalker_shared::desk::{AgentState, Chat};

use super::{Console, Effect, Item, Key, MAX_REPLY, Mode};
use crate::cmd::agent::strings;
use crate::ui::keys::Text;

impl Console {
    pub(super) fn key(&mut self, key: Key) -> Vec<Effect> {
        if key == Key::Quit {
            return vec![Effect::Quit];
        }
        match &mut self.mode {
            Mode::Help(under) => {
                if matches!(key, Key::Help | Key::Back) {
                    self.mode = std::mem::replace(under.as_mut(), Mode::List);
                }
                return Vec::new();
            }
            Mode::Reply(text) => {
                match key {
                    Key::Char(c) if !c.is_control() && text.len() + c.len_utf8() <= MAX_REPLY => {
                        text.push(c);
                    }
                    Key::Erase => {
                        text.pop();
                    }
                    Key::Back => self.mode = Mode::List,
                    Key::Enter => return self.send_reply(),
                    _ => {}
                }
                return Vec::new();
            }
            // Answered by `confirm_end`; never reached.
            Mode::ConfirmEnd(_) => return Vec::new(),
            Mode::List => {}
        }
        match key {
            Key::Up | Key::Down => {
                self.step(if key == Key::Up { -1 } else { 1 });
                Vec::new()
            }
            Key::Claim => self.claim_next(),
            Key::Enter => {
                if matches!(self.selected, Some(Item::Mine(_))) {
                    self.mode = Mode::Reply(String::new());
                } else {
                    self.say(strings::SELECT_MINE.to_owned());
                }
                Vec::new()
            }
            Key::End => {
                if let Some(Item::Mine(chat_id)) = &self.selected {
                    self.mode = Mode::ConfirmEnd(chat_id.clone());
                    // The question is the footer; an older notice would hide it.
                    self.notice = None;
                } else {
                    self.say(strings::SELECT_MINE_TO_END.to_owned());
                }
                Vec::new()
            }
            Key::Toggle => {
                self.available = !self.available;
                vec![Effect::Record(self.status())]
            }
            Key::More | Key::Fewer => {
                let next = if key == Key::More {
                    self.capacity.saturating_add(1).min(MAX_CAPACITY)
                } else {
                    self.capacity.saturating_sub(1).max(1)
                };
                if next == self.capacity {
                    let why = if key == Key::More {
                        strings::MOST_CHATS
                    } else {
                        strings::LEAST_CHATS
                    };
                    self.say(why.to_owned());
                    return Vec::new();
                }
                self.capacity = next;
                vec![Effect::Record(self.status())]
            }
            Key::Take | Key::Resolve => self.incident(key),
            Key::Help => {
                self.mode = Mode::Help(Box::new(Mode::List));
                Vec::new()
            }
            Key::Back | Key::Quit | Key::Char(_) | Key::Erase => Vec::new(),
        }
    }

    fn claim_next(&mut self) -> Vec<Effect> {
        let why = match self
            .desk
            .agent(&self.me)
            .map(floorwalker_shared::desk::Agent::state)
        {
            _ if !self.caught_up => Some(strings::STILL_READING),
            None | Some(AgentState::Offline) => Some(strings::NOT_ONLINE),
            Some(AgentState::Away) => Some(strings::AWAY),
            Some(AgentState::Busy) => Some(strings::FULL),
            Some(AgentState::Available) => None,
        };
        if let Some(why) = why {
            self.say(why.to_owned());
            return Vec::new();
        }
        if let Some(chat) = self.desk.queue().first() {
            return vec![Effect::Record(DeskFact::Claim {
                chat_id: chat.id.clone(),
            })];
        }
        self.say(strings::NOBODY_WAITING.to_owned());
        Vec::new()
    }

    fn send_reply(&mut self) -> Vec<Effect> {
        let Some(Item::Mine(chat_id)) = &self.selected else {
            self.mode = Mode::List;
            return Vec::new();
        };
        let text = match &mut self.mode {
            Mode::Reply(text) => std::mem::take(text),
            _ => String::new(),
        };
        if text.trim().is_empty() {
            return Vec::new();
        }
        if self.desk.chat(chat_id).and_then(Chat::agent) != Some(self.me.as_str()) {
            self.mode = Mode::List;
            self.say(strings::NO_LONGER_YOURS.to_owned());
            return Vec::new();
        }
        self.sent += 1;
        vec![Effect::Record(DeskFact::Message {
            chat_id: chat_id.clone(),
            msg_id: format!("{}-{}", self.nonce, self.sent),
            text,
        })]
    }

    /// The answer to "End chat …?": y or Enter ends it, Ctrl-C quits,
    /// anything else keeps it.
    pub(super) fn confirm_end(&mut self, answer: Option<Text>) -> Vec<Effect> {
        let Mode::ConfirmEnd(chat_id) = std::mem::replace(&mut self.mode, Mode::List) else {
            return Vec::new();
        };
        match answer {
            Some(Text::Quit) => vec![Effect::Quit],
            Some(Text::Confirm | Text::Char('y' | 'Y')) => {
                if self.desk.chat(&chat_id).and_then(Chat::agent) == Some(self.me.as_str()) {
                    vec![Effect::Record(DeskFact::End { chat_id })]
                } else {
                    self.say(strings::NO_LONGER_YOURS.to_owned());
                    Vec::new()
                }
            }
            _ => {
                self.say(strings::KEPT.to_owned());
                Vec::new()
            }
        }
    }

    fn incident(&mut self, key: Key) -> Vec<Effect> {
        let Some(Item::Incident(chat_id)) = &self.selected else {
            self.say(strings::SELECT_INCIDENT.to_owned());
            return Vec::new();
        };
        let chat_id = chat_id.clone();
        let taken = self
            .desk
            .incidents()
            .find(|i| i.chat_id == chat_id)
            .and_then(|i| i.taken.as_ref().map(|(by, _)| by.clone()));
        // Said here rather than recorded and refused by every desk.
        let why = match (key, taken) {
            (_, Some(by)) if by != self.me => Some(strings::taken_by(&by)),
            (Key::Take, Some(_)) => Some(strings::TAKEN_BY_YOU.to_owned()),
            (Key::Resolve, None) => Some(strings::UNTAKEN.to_owned()),
            _ => None,
        };
        if let Some(why) = why {
            self.say(why);
            return Vec::new();
        }
        vec![Effect::Record(if key == Key::Take {
            DeskFact::Take { chat_id }
        } else {
            DeskFact::Resolve { chat_id }
        })]
    }

    fn step(&mut self, by: isize) {
        let items = self.items();
        if items.is_empty() {
            self.selected = None;
            return;
        }
        let at = self
            .selected
            .as_ref()
            .and_then(|s| items.iter().position(|i| i == s));
        let next = match at {
            None => 0,
            Some(at) => at.saturating_add_signed(by).min(items.len() - 1),
        };
        self.selected = Some(items[next].clone());
    }
}
