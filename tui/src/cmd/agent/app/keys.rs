//! What each key does to the console: moving the selection, claiming,
//! replying, ending chats, the agent's status, and incidents.

use floorwalker_shared::chat::{DeskFact, MAX_CAPACITY};
use floorwalker_shared::desk::{AgentState, Chat};

use super::{Console, Effect, Item, Key, MAX_REPLY, Mode};

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
                    Key::Char(c) if !c.is_control() && text.chars().count() < MAX_REPLY => {
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
                    self.say(
                        "Select one of your chats first (or press n to claim one).".to_owned(),
                    );
                }
                Vec::new()
            }
            Key::End => {
                if let Some(Item::Mine(chat_id)) = &self.selected {
                    return vec![Effect::Record(DeskFact::End {
                        chat_id: chat_id.clone(),
                    })];
                }
                self.say("Select one of your chats to end it.".to_owned());
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
            _ if !self.caught_up => Some("Still reading the chat history; a moment."),
            None | Some(AgentState::Offline) => Some("Not online yet; a moment."),
            Some(AgentState::Away) => Some("You are away: press a to take chats."),
            Some(AgentState::Busy) => {
                Some("You hold as many chats as you take: end one, or press +.")
            }
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
        self.say("Nobody is waiting.".to_owned());
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
            self.say("That chat is no longer yours.".to_owned());
            return Vec::new();
        }
        self.sent += 1;
        vec![Effect::Record(DeskFact::Message {
            chat_id: chat_id.clone(),
            msg_id: format!("{}-{}", self.nonce, self.sent),
            text,
        })]
    }

    fn incident(&mut self, key: Key) -> Vec<Effect> {
        let Some(Item::Incident(chat_id)) = &self.selected else {
            self.say("Select an incident first.".to_owned());
            return Vec::new();
        };
        let chat_id = chat_id.clone();
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
