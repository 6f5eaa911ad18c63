//! The agent's console state, and how each [`Msg`] changes it: no terminal,
//! no network, no clock (ticks bring the time, the nonce for message ids
//! comes in at start). Facts to record come back as [`Effect`]s.
//!
//! What has the keys is one [`Mode`]. This file holds the state and the
//! messages that are not keys; [`msg`] says what comes in and goes out,
//! [`keys`] what each key does.

mod keys;
mod msg;

use floorwalker_shared::chat::{DeskFact, MAX_CAPACITY};
use floorwalker_shared::desk::{Chat, Desk, Fact, Rejection};
use floorwalker_shared::floor::Floor;

use floorwalker::creds::Link;
use floorwalker::feed::Feed;
use floorwalker::offers::OfferRecord;

use super::{keymap, strings};
use crate::ui::keys::{self as ui_keys, Text};
use crate::ui::notice::{self, Notice};
use crate::ui::recall::Memories;
pub(crate) use msg::{Effect, Key, Msg};

/// Longest reply an agent may type or paste, in bytes: the most a chat
/// message holds.
pub(crate) const MAX_REPLY: usize = floorwalker_shared::event::limits::MAX_CHAT_TEXT_LEN;

/// What has the keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The list: moving, claiming, ending, incidents.
    List,
    /// A reply being typed in the selected chat.
    Reply(String),
    /// `e` was pressed on this chat: the footer asks before it ends.
    ConfirmEnd(String),
    /// The help, over what was showing.
    Help(Box<Mode>),
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
    /// Why the connection is down or a stream cannot be read, while so.
    pub(crate) down: Option<String>,
    /// The selected row.
    pub(crate) selected: Option<Item>,
    pub(crate) mode: Mode,
    pub(crate) notice: Option<Notice>,
    /// Set when something visible changed.
    pub(crate) dirty: bool,
    /// Message ids: unique to this run, then a count.
    nonce: String,
    sent: u64,
    /// Shoppers' earlier visits, as read.
    pub(crate) memories: Memories,
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
            mode: Mode::List,
            notice: None,
            dirty: true,
            nonce: nonce.to_owned(),
            sent: 0,
            memories: Memories::default(),
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
        let mut effects = self.take_in(msg);
        // The chat opens with the shopper's earlier visits.
        let session = self
            .shown_chat()
            .and_then(|chat| self.session_of(chat))
            .cloned();
        if let Some(id) = session.and_then(|s| self.memories.want(&s, self.now_ms)) {
            effects.push(Effect::ReadMemory(id));
        }
        effects
    }

    fn take_in(&mut self, msg: Msg) -> Vec<Effect> {
        self.dirty = true;
        match msg {
            Msg::Audit(feed) => self.audit(feed),
            Msg::Events(feed) => {
                match feed {
                    Feed::Message(m) => {
                        let _ = self.floor.batch(&m.subject, &m.payload, m.at_ms);
                    }
                    Feed::Down(why) => self.down = Some(why),
                    Feed::CaughtUp { .. } | Feed::LiveOnly => {}
                }
                Vec::new()
            }
            Msg::Tick { now_ms } => {
                self.now_ms = self.now_ms.max(now_ms);
                notice::fade(&mut self.notice, self.now_ms);
                self.floor.sweep(self.now_ms);
                self.desk.forget(self.now_ms);
                self.keep_selection();
                Vec::new()
            }
            Msg::Press(key) => match self.mode {
                Mode::Reply(_) => {
                    ui_keys::text(key).map_or_else(Vec::new, |t| self.key(text_key(t)))
                }
                // Any key answers the question, not only the table's.
                Mode::ConfirmEnd(_) => self.confirm_end(ui_keys::text(key)),
                Mode::List | Mode::Help(_) => {
                    keymap::action(key).map_or_else(Vec::new, |k| self.key(k))
                }
            },
            Msg::Paste(text) => {
                self.paste(&text);
                Vec::new()
            }
            Msg::NotRecorded(why) => {
                self.say(format!("Not recorded: {why}"));
                Vec::new()
            }
            Msg::Link(link) => {
                self.down = match link {
                    Link::Up => None,
                    Link::Down(why) => Some(why),
                };
                Vec::new()
            }
            Msg::Resize => Vec::new(),
            Msg::Memory(id, read) => {
                self.memories.heard(id, read, self.now_ms);
                Vec::new()
            }
        }
    }

    fn audit(&mut self, feed: Feed) -> Vec<Effect> {
        let m = match feed {
            Feed::Message(m) => m,
            Feed::CaughtUp { .. } => {
                self.caught_up = true;
                self.keep_selection();
                return Vec::new();
            }
            Feed::Down(why) => {
                self.down = Some(why);
                return Vec::new();
            }
            // Not asked for: the desk needs the stream.
            Feed::LiveOnly => return Vec::new(),
        };
        if self.down.is_some() {
            // Reading again: what failed is behind us.
            self.down = None;
        }
        if let Some(offer) = OfferRecord::read(&m.subject, &m.payload) {
            offer.note(&mut self.floor);
            return Vec::new();
        }
        // A refusal is counted by the desk.
        let Ok(fact) = self.desk.read(&m.subject, &m.payload) else {
            return Vec::new();
        };
        let held_by = match &fact {
            Fact::Operator(_, DeskFact::Reassign { chat_id, .. }) => self
                .desk
                .chat(chat_id)
                .and_then(Chat::agent)
                .map(String::from),
            _ => None,
        };
        let folded = self.desk.fold(&fact, m.at_ms);
        if let Fact::Operator(by, DeskFact::Reassign { chat_id, to }) = &fact
            && folded == Ok(true)
            && self.caught_up
        {
            let chat = chat_id.get(..8).unwrap_or(chat_id);
            if to.as_deref() == Some(self.me.as_str()) {
                self.say(strings::given_to_you(by, chat));
            } else if held_by.as_deref() == Some(self.me.as_str()) {
                self.say(strings::moved_away(by, chat, to.as_deref()));
            }
        }
        if let Fact::Operator(user, DeskFact::Claim { chat_id }) = &fact
            && *user == self.me
        {
            match folded {
                Ok(true) if self.caught_up => {
                    self.selected = Some(Item::Mine(chat_id.clone()));
                    self.mode = Mode::Reply(String::new());
                    self.say(strings::CLAIMED.to_owned());
                }
                Err(Rejection::State) if self.caught_up => {
                    self.say(strings::CLAIM_LOST.to_owned());
                }
                _ => {}
            }
        }
        if let Fact::Operator(user, DeskFact::Take { chat_id }) = &fact
            && *user == self.me
            && folded == Err(Rejection::NotYours)
            && self.caught_up
        {
            let by = self
                .desk
                .incidents()
                .find(|i| i.chat_id == *chat_id)
                .and_then(|i| i.taken.as_ref().map(|(by, _)| by.clone()));
            if let Some(by) = by {
                self.say(strings::taken_first(&by));
            }
        }
        self.keep_selection();
        Vec::new()
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
        if !matches!(self.selected, Some(Item::Mine(_))) && matches!(self.mode, Mode::Reply(_)) {
            self.mode = Mode::List;
        }
        // No question about ending a chat that is no longer this agent's.
        if let Mode::ConfirmEnd(chat_id) = &self.mode
            && self.desk.chat(chat_id).and_then(Chat::agent) != Some(self.me.as_str())
        {
            self.mode = Mode::List;
        }
    }

    fn say(&mut self, text: String) {
        self.notice = Some(Notice::new(text, self.now_ms));
    }

    /// The reply being typed, while the text field is open.
    pub(crate) fn typing(&self) -> Option<&str> {
        match &self.mode {
            Mode::Reply(text) => Some(text),
            Mode::List | Mode::ConfirmEnd(_) | Mode::Help(_) => None,
        }
    }

    /// The chat `e` asks about, while it asks.
    pub(crate) fn ending(&self) -> Option<&str> {
        match &self.mode {
            Mode::ConfirmEnd(chat_id) => Some(chat_id),
            _ => None,
        }
    }

    /// A paste arrives whole (bracketed paste): into the reply being
    /// typed, or as the reply to the selected chat of this agent's.
    fn paste(&mut self, text: &str) {
        let mut draft = match std::mem::replace(&mut self.mode, Mode::List) {
            Mode::Reply(draft) => draft,
            Mode::List if matches!(self.selected, Some(Item::Mine(_))) => String::new(),
            Mode::ConfirmEnd(_) => {
                self.say(strings::KEPT.to_owned());
                return;
            }
            other => {
                self.mode = other;
                if !matches!(self.mode, Mode::Help(_)) {
                    self.say(strings::SELECT_MINE_TO_PASTE.to_owned());
                }
                return;
            }
        };
        let left_out = ui_keys::paste_into(&mut draft, text, MAX_REPLY);
        if left_out > 0 {
            self.say(strings::paste_cut(left_out));
        }
        self.mode = Mode::Reply(draft);
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

/// What a key in the text field asks for.
fn text_key(text: Text) -> Key {
    match text {
        Text::Confirm => Key::Enter,
        Text::Back => Key::Back,
        Text::Erase => Key::Erase,
        Text::Up => Key::Up,
        Text::Down => Key::Down,
        Text::Quit => Key::Quit,
        Text::Char(c) => Key::Char(c),
    }
}

#[cfg(test)]
mod tests;
