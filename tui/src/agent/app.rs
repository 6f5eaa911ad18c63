//! The agent's console state, and how each [`Msg`] changes it: no terminal,
//! no network. Facts to record come back as [`Effect`]s.

use floorwalker_shared::chat::{DeskFact, MAX_CAPACITY};
use floorwalker_shared::desk::{AgentState, Chat, Desk, Fact, Rejection};
use floorwalker_shared::floor::Floor;

use floorwalker::feed::Feed;
use floorwalker::offers::OfferRecord;

/// Longest reply an agent may type, in characters.
pub(crate) const MAX_REPLY: usize = 1_000;

/// How long a notice stays, in ms.
const NOTICE_MS: u64 = 8_000;

/// What can happen to the console.
#[derive(Debug, Clone)]
pub(crate) enum Msg {
    /// A message of the chat facts stream (`AUDIT`).
    Audit(Feed),
    /// A message of the shoppers' stream (`EVENTS`), for journeys.
    Events(Feed),
    /// A second passed.
    Tick {
        /// The wall clock.
        now_ms: u64,
    },
    /// A key.
    Key(Key),
    /// A fact could not be recorded.
    NotRecorded(String),
    /// The connection to NATS was lost (`Some(why)`) or is back.
    Conn(Option<String>),
}

/// What a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Up,
    Down,
    /// Claim the next waiting chat.
    Claim,
    /// Write in the selected chat; in the text field, send.
    Enter,
    /// End the selected chat.
    End,
    /// Available or away.
    Toggle,
    /// One more chat at once.
    More,
    /// One fewer.
    Fewer,
    /// Take the selected incident.
    Take,
    /// Resolve the selected incident.
    Resolve,
    Help,
    /// Leave the text field or the help.
    Back,
    Quit,
    /// A character for the text field.
    Char(char),
    /// Delete the last character of the text field.
    Erase,
}

/// Every key the help lists: keys, what they do.
pub(crate) const KEYS: &[(&str, &str)] = &[
    ("n", "claim the next waiting chat"),
    ("j/k ↓/↑", "select a chat or incident"),
    (
        "Enter",
        "write in the selected chat (Enter sends, Esc stops)",
    ),
    ("e", "end the selected chat; the shopper gets the survey"),
    ("a", "available / away"),
    ("+/-", "more / fewer chats at once"),
    ("t", "take the selected incident"),
    ("r", "resolve the selected incident"),
    ("?", "this help"),
    (
        "q",
        "quit (your chats wait for you until the router's timeout)",
    ),
];

/// What the runtime must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Record a fact under this agent.
    Record(DeskFact),
    Quit,
}

/// A row of the list on the left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Item {
    /// A chat this agent holds.
    Mine(String),
    /// A waiting chat.
    Waiting(String),
    /// An incident not resolved.
    Incident(String),
}

impl Item {
    pub(crate) fn chat_id(&self) -> &str {
        match self {
            Self::Mine(id) | Self::Waiting(id) | Self::Incident(id) => id,
        }
    }
}

/// The console's state.
// Four independent yes/no facts; no enum would say them better.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug)]
pub(crate) struct Console {
    pub(crate) me: String,
    pub(crate) desk: Desk,
    pub(crate) floor: Floor,
    /// What this agent last said about itself.
    pub(crate) available: bool,
    pub(crate) capacity: u8,
    pub(crate) now_ms: u64,
    /// Whether the chat history is read.
    pub(crate) caught_up: bool,
    /// Why the connection is down, while it is.
    pub(crate) down: Option<String>,
    /// The selected row.
    pub(crate) selected: Option<Item>,
    /// The reply being typed, while the text field is open.
    pub(crate) typing: Option<String>,
    pub(crate) notice: Option<(String, u64)>,
    pub(crate) help: bool,
    /// Set when something visible changed.
    pub(crate) dirty: bool,
    /// Message ids: unique to this run, then a count.
    nonce: String,
    sent: u64,
}

impl Console {
    pub(crate) fn new(me: &str, available: bool, capacity: u8, nonce: &str, now_ms: u64) -> Self {
        Self {
            me: me.to_owned(),
            desk: Desk::default(),
            floor: Floor::default(),
            available,
            capacity: capacity.clamp(1, MAX_CAPACITY),
            now_ms,
            caught_up: false,
            down: None,
            selected: None,
            typing: None,
            notice: None,
            help: false,
            dirty: true,
            nonce: nonce.to_owned(),
            sent: 0,
        }
    }

    /// The fact that says how this agent stands.
    pub(crate) fn status(&self) -> DeskFact {
        DeskFact::Status {
            available: self.available,
            capacity: self.capacity,
        }
    }

    /// The rows on the left: my chats, the queue, open incidents.
    pub(crate) fn items(&self) -> Vec<Item> {
        let mut mine: Vec<&Chat> = self
            .desk
            .chats()
            .filter(|c| c.agent() == Some(self.me.as_str()))
            .collect();
        mine.sort_by_key(|c| c.answered_ms);
        let mut items: Vec<Item> = mine.into_iter().map(|c| Item::Mine(c.id.clone())).collect();
        items.extend(
            self.desk
                .queue()
                .into_iter()
                .map(|c| Item::Waiting(c.id.clone())),
        );
        items.extend(
            self.desk
                .incidents()
                .filter(|i| i.resolved_ms.is_none())
                .map(|i| Item::Incident(i.chat_id.clone())),
        );
        items
    }

    /// The chat the right pane shows.
    pub(crate) fn shown_chat(&self) -> Option<&Chat> {
        self.selected
            .as_ref()
            .and_then(|item| self.desk.chat(item.chat_id()))
    }

    pub(crate) fn update(&mut self, msg: Msg) -> Vec<Effect> {
        self.dirty = true;
        match msg {
            Msg::Audit(feed) => self.audit(feed),
            Msg::Events(feed) => {
                if let Feed::Message(m) = feed {
                    let _ = self.floor.batch(&m.subject, &m.payload, m.at_ms);
                }
                Vec::new()
            }
            Msg::Tick { now_ms } => {
                self.now_ms = self.now_ms.max(now_ms);
                if self
                    .notice
                    .as_ref()
                    .is_some_and(|(_, until)| *until <= self.now_ms)
                {
                    self.notice = None;
                }
                self.floor.sweep(self.now_ms);
                self.desk.forget(self.now_ms);
                self.keep_selection();
                Vec::new()
            }
            Msg::Key(key) => self.key(key),
            Msg::NotRecorded(why) => {
                self.say(format!("Not recorded: {why}"));
                Vec::new()
            }
            Msg::Conn(down) => {
                self.down = down;
                Vec::new()
            }
        }
    }

    fn audit(&mut self, feed: Feed) -> Vec<Effect> {
        let m = match feed {
            Feed::Message(m) => m,
            Feed::CaughtUp => {
                self.caught_up = true;
                self.keep_selection();
                return Vec::new();
            }
            Feed::Down(why) => {
                self.say(why);
                return Vec::new();
            }
        };
        if let Some(offer) = OfferRecord::read(&m.subject, &m.payload) {
            offer.note(&mut self.floor);
            return Vec::new();
        }
        // A refusal is counted by the desk.
        let Ok(fact) = self.desk.read(&m.subject, &m.payload) else {
            return Vec::new();
        };
        let folded = self.desk.fold(&fact, m.at_ms);
        if let Fact::Operator(user, DeskFact::Claim { chat_id }) = &fact
            && *user == self.me
        {
            match folded {
                Ok(true) if self.caught_up => {
                    self.selected = Some(Item::Mine(chat_id.clone()));
                    self.typing = Some(String::new());
                    self.say("Chat claimed: say hello (Enter sends).".to_owned());
                }
                Err(Rejection::State) if self.caught_up => {
                    self.say(
                        "Another agent took that chat first; press n for the next.".to_owned(),
                    );
                }
                _ => {}
            }
        }
        self.keep_selection();
        Vec::new()
    }

    fn key(&mut self, key: Key) -> Vec<Effect> {
        if key == Key::Quit {
            return vec![Effect::Quit];
        }
        if self.help {
            self.help = !matches!(key, Key::Help | Key::Back);
            return Vec::new();
        }
        if let Some(text) = &mut self.typing {
            match key {
                Key::Char(c) if !c.is_control() && text.chars().count() < MAX_REPLY => text.push(c),
                Key::Erase => {
                    text.pop();
                }
                Key::Back => self.typing = None,
                Key::Enter => return self.send_reply(),
                _ => {}
            }
            return Vec::new();
        }
        match key {
            Key::Up | Key::Down => {
                self.step(if key == Key::Up { -1 } else { 1 });
                Vec::new()
            }
            Key::Claim => self.claim_next(),
            Key::Enter => {
                if matches!(self.selected, Some(Item::Mine(_))) {
                    self.typing = Some(String::new());
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
                self.help = true;
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
            self.typing = None;
            return Vec::new();
        };
        let text = self.typing.replace(String::new()).unwrap_or_default();
        if text.trim().is_empty() {
            return Vec::new();
        }
        if self.desk.chat(chat_id).and_then(Chat::agent) != Some(self.me.as_str()) {
            self.typing = None;
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

    /// Keeps the selection on a row that exists: the same chat under its
    /// new heading (claimed, ended), or the first row.
    fn keep_selection(&mut self) {
        let items = self.items();
        let keep = self.selected.as_ref().and_then(|s| {
            items
                .iter()
                .find(|i| i == &s)
                .or_else(|| items.iter().find(|i| i.chat_id() == s.chat_id()))
                .cloned()
        });
        self.selected = keep.or_else(|| items.first().cloned());
        if !matches!(self.selected, Some(Item::Mine(_))) {
            self.typing = None;
        }
    }

    fn say(&mut self, text: String) {
        self.notice = Some((text, self.now_ms + NOTICE_MS));
    }

    /// The session a chat is with, for its journey.
    pub(crate) fn session_of(&self, chat: &Chat) -> Option<&floorwalker_shared::session::Session> {
        self.floor.get(&chat.session)
    }

    /// Chats held and waiting, for the status line.
    pub(crate) fn held(&self) -> usize {
        self.desk.agent(&self.me).map_or(0, |a| a.holding.len())
    }
}

#[cfg(test)]
mod tests;
