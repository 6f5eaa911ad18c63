//! The dashboard's state and `update`: every message in, the effects out.
//! Nothing here touches the terminal or the network, so tests drive it with
//! messages and a made-up clock.

use floorwalker_shared::desk::{ChatState, Desk};
use floorwalker_shared::floor::{Floor, FloorConfig};
use floorwalker_shared::metrics::{Figures, History, Sample};
use floorwalker_shared::session::{ChatPhase, State};
use floorwalker_shared::subject::{SessionSubjects, SiteId};

use super::keymap::Action;
use super::msg::{Conn, Effect, Msg, OfferRecord};
use super::strings;
use super::supervise::Supervise;
use super::table::{self, Column, Filter, Sort};

/// Which pane has the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pane {
    Sessions,
    Detail,
}

/// A text being typed: the filter, or an offer of one's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Editing {
    None,
    Filter,
}

/// The offer dialog: pick a template or type a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OfferDialog {
    /// The shopper it is for.
    pub(crate) session: SessionSubjects,
    /// The template picked; one past the last is "type your own".
    pub(crate) choice: usize,
    /// The message typed for "type your own".
    pub(crate) typed: String,
}

/// A line for the footer, shown until `until_ms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Notice {
    pub(crate) text: String,
    pub(crate) until_ms: u64,
}

/// How long a notice stays.
const NOTICE_MS: u64 = 8_000;

/// Longest offer text a supervisor may type (the schema's limit is larger;
/// an offer is a sentence).
pub(crate) const MAX_TYPED_OFFER: usize = 200;

/// Everything the dashboard shows.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) floor: Floor,
    pub(crate) desk: Desk,
    pub(crate) figures: Figures,
    pub(crate) history: History,
    pub(crate) now_ms: u64,
    pub(crate) conn: Conn,
    /// Batches read while replaying, once replay is done.
    pub(crate) replayed: Option<u64>,
    pub(crate) operator: String,
    pub(crate) templates: Vec<String>,
    pub(crate) filter: Filter,
    pub(crate) sort: Sort,
    pub(crate) selected: Option<SessionSubjects>,
    /// The first row on screen.
    pub(crate) offset: usize,
    /// Rows the table showed last frame (for PgUp/PgDn).
    pub(crate) page_rows: usize,
    pub(crate) detail_open: bool,
    pub(crate) detail_scroll: usize,
    pub(crate) focus: Pane,
    pub(crate) editing: Editing,
    pub(crate) help: bool,
    pub(crate) offer: Option<OfferDialog>,
    pub(crate) notice: Option<Notice>,
    offers_made: u64,
    /// The desk view and its actions.
    pub(crate) supervise: Supervise,
    /// Set when something visible changed; the runtime draws and clears it.
    pub(crate) dirty: bool,
}

impl App {
    pub(crate) fn new(
        operator: &str,
        templates: Vec<String>,
        config: FloorConfig,
        now_ms: u64,
    ) -> Self {
        Self {
            floor: Floor::new(config),
            desk: Desk::default(),
            figures: Figures::default(),
            history: History::default(),
            now_ms,
            conn: Conn::Connecting,
            replayed: None,
            operator: operator.to_owned(),
            templates,
            filter: Filter::default(),
            sort: Sort::default(),
            selected: None,
            offset: 0,
            page_rows: 10,
            detail_open: false,
            detail_scroll: 0,
            focus: Pane::Sessions,
            editing: Editing::None,
            help: false,
            offer: None,
            notice: None,
            offers_made: 0,
            supervise: Supervise::default(),
            dirty: true,
        }
    }

    /// Takes in one message; returns what the runtime must do.
    pub(crate) fn update(&mut self, msg: Msg) -> Vec<Effect> {
        self.dirty = true;
        match msg {
            Msg::Tick { now_ms } => {
                self.now_ms = self.now_ms.max(now_ms);
                self.refresh();
                if self
                    .notice
                    .as_ref()
                    .is_some_and(|n| n.until_ms <= self.now_ms)
                {
                    self.notice = None;
                }
                self.floor.sweep(self.now_ms);
                self.desk.forget(self.now_ms);
                self.sync_chats();
                self.supervise.keep_selection(&self.desk);
                Vec::new()
            }
            Msg::Batch {
                subject,
                payload,
                heard_ms,
            } => {
                // Refusals are counted by the floor and shown in the footer.
                let _ = self.floor.batch(&subject, &payload, heard_ms);
                // Sparklines of the replayed minutes, from the stream's
                // clock: one sample as each minute begins (the figures visit
                // every session, too much for every batch).
                if self.conn == Conn::Replaying && !self.history.sampled(heard_ms) {
                    self.history.record(
                        heard_ms,
                        Sample::from(&Figures::of(&self.floor, &self.desk, heard_ms)),
                    );
                }
                Vec::new()
            }
            Msg::OfferSent(record) => {
                record.note(&mut self.floor);
                Vec::new()
            }
            Msg::Fact {
                subject,
                payload,
                at_ms,
            } => {
                // Refusals are counted by the desk.
                let _ = self.desk.record(&subject, &payload, at_ms);
                Vec::new()
            }
            Msg::Conn(conn) => {
                // Connected is not yet live while history is being read.
                self.conn = if conn == Conn::Live && self.replayed.is_none() {
                    Conn::Replaying
                } else {
                    conn
                };
                Vec::new()
            }
            Msg::Replayed { batches } => {
                self.replayed = Some(batches);
                self.conn = Conn::Live;
                self.refresh();
                Vec::new()
            }
            Msg::Failed(text) => {
                self.say(text);
                Vec::new()
            }
            Msg::Char(c) => {
                self.type_char(c);
                Vec::new()
            }
            Msg::Key(action) => self.key(action),
        }
    }

    /// Tells the floor where each shopper's chat stands, as the desk has it.
    fn sync_chats(&mut self) {
        let mut phases: std::collections::HashMap<&SessionSubjects, Option<ChatPhase>> =
            std::collections::HashMap::new();
        for chat in self.desk.chats() {
            let phase = match chat.state {
                ChatState::Queued => Some(ChatPhase::Queued),
                ChatState::Active { .. } => Some(ChatPhase::Chatting),
                ChatState::Ended | ChatState::Abandoned => None,
            };
            let entry = phases.entry(&chat.session).or_insert(phase);
            *entry = entry.or(phase);
        }
        for (session, phase) in phases {
            self.floor.chat_phase(session, phase);
        }
    }

    /// Recomputes the figures and samples the sparklines.
    fn refresh(&mut self) {
        self.figures = Figures::of(&self.floor, &self.desk, self.now_ms);
        self.history
            .record(self.now_ms, Sample::from(&self.figures));
    }

    fn say(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            until_ms: self.now_ms + NOTICE_MS,
        });
    }

    /// Whether a text field has the keys (the runtime then sends `Char`s).
    pub(crate) fn typing(&self) -> bool {
        self.supervise.typing()
            || self.editing == Editing::Filter
            || self
                .offer
                .as_ref()
                .is_some_and(|o| o.choice == self.templates.len())
    }

    fn type_char(&mut self, c: char) {
        if c.is_control() {
            return;
        }
        if self.supervise.typing() {
            self.supervise.type_char(c);
            return;
        }
        if self.editing == Editing::Filter {
            if self.filter.text.chars().count() < 64 {
                self.filter.text.push(c);
                self.offset = 0;
            }
        } else if let Some(offer) = &mut self.offer {
            if offer.typed.chars().count() < MAX_TYPED_OFFER {
                offer.typed.push(c);
            }
        }
    }

    fn key(&mut self, action: Action) -> Vec<Effect> {
        if action == Action::Quit {
            return vec![Effect::Quit];
        }
        if self.help {
            if matches!(action, Action::Help | Action::Back) {
                self.help = false;
            }
            return Vec::new();
        }
        if self.offer.is_some() {
            return self.offer_key(action);
        }
        if self.editing == Editing::Filter {
            match action {
                Action::Confirm => self.editing = Editing::None,
                Action::Back => {
                    self.editing = Editing::None;
                    self.filter.text.clear();
                }
                Action::Erase => {
                    self.filter.text.pop();
                }
                _ => {}
            }
            return Vec::new();
        }
        if self.supervise.open && action != Action::Help {
            return self.supervise_key(action);
        }
        match action {
            Action::Help => self.help = true,
            Action::Desk => {
                self.supervise.open = true;
                self.supervise.keep_selection(&self.desk);
            }
            Action::Whisper | Action::Join | Action::Reassign => {
                self.say(strings::DESK_SELECT);
            }
            Action::Back => {
                if self.detail_open {
                    self.detail_open = false;
                    self.focus = Pane::Sessions;
                } else if self.filter.is_active() {
                    self.filter = Filter::default();
                } else {
                    return vec![Effect::Quit];
                }
            }
            Action::Open => {
                if self.selected.is_some() {
                    self.detail_open = true;
                    self.detail_scroll = 0;
                    self.focus = Pane::Detail;
                }
            }
            Action::NextPane => {
                if self.detail_open {
                    self.focus = match self.focus {
                        Pane::Sessions => Pane::Detail,
                        Pane::Detail => Pane::Sessions,
                    };
                }
            }
            Action::Search => {
                self.editing = Editing::Filter;
            }
            Action::StateFilter => {
                self.filter.state = next_in(&State::ALL, self.filter.state);
                self.offset = 0;
            }
            Action::SiteFilter => self.next_site_filter(),
            Action::Sort => {
                let column = self.sort.column.next();
                // Numbers start largest first.
                let descending = matches!(
                    column,
                    Column::Cart | Column::OnSite | Column::Pages | Column::Idle
                );
                self.sort = Sort { column, descending };
            }
            Action::Reverse => self.sort.descending = !self.sort.descending,
            Action::Offer => self.open_offer(),
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::First
            | Action::Last => {
                if self.focus == Pane::Detail {
                    self.scroll_detail(action);
                } else {
                    self.move_selection(action);
                }
            }
            Action::Quit | Action::Confirm | Action::Erase => {}
        }
        Vec::new()
    }

    fn next_site_filter(&mut self) {
        let mut sites: Vec<SiteId> = self
            .floor
            .sessions()
            .map(|s| s.subjects().site().clone())
            .collect();
        sites.sort();
        sites.dedup();
        self.filter.site = next_in(&sites, self.filter.site.clone());
        self.offset = 0;
    }

    /// A key in the desk view.
    fn supervise_key(&mut self, action: Action) -> Vec<Effect> {
        let (effects, why) = self.supervise.key(&self.desk, action, &self.operator);
        if let Some(why) = why {
            self.say(why);
        }
        if !effects.is_empty() {
            self.say(strings::DESK_SENT);
        }
        effects
    }

    fn scroll_detail(&mut self, action: Action) {
        let page = self.page_rows.max(1);
        self.detail_scroll = match action {
            Action::Up => self.detail_scroll.saturating_sub(1),
            Action::Down => self.detail_scroll + 1,
            Action::PageUp => self.detail_scroll.saturating_sub(page),
            Action::PageDown => self.detail_scroll + page,
            Action::First => 0,
            // The view clamps it to the end.
            _ => usize::MAX / 2,
        };
    }

    fn move_selection(&mut self, action: Action) {
        let rows = table::rows(&self.floor, self.now_ms, &self.filter, self.sort);
        if rows.is_empty() {
            self.selected = None;
            return;
        }
        let current = self
            .selected
            .as_ref()
            .and_then(|key| rows.iter().position(|r| r.session.subjects() == key));
        let last = rows.len() - 1;
        let page = self.page_rows.max(1);
        let index = match (action, current) {
            (Action::Up, Some(i)) => i.saturating_sub(1),
            (Action::Down, Some(i)) => (i + 1).min(last),
            (Action::PageUp, Some(i)) => i.saturating_sub(page),
            (Action::PageDown, Some(i)) => (i + page).min(last),
            (Action::Last, _) => last,
            (_, Some(i)) if action != Action::First => i,
            // Nothing selected yet starts at the top.
            _ => 0,
        };
        self.selected = Some(rows[index].session.subjects().clone());
        // Keep the selection on screen.
        if index < self.offset {
            self.offset = index;
        } else if index >= self.offset + page {
            self.offset = index + 1 - page;
        }
    }

    /// Opens the offer dialog for the selected shopper, or says why not.
    fn open_offer(&mut self) {
        let Some(key) = self.selected.clone() else {
            self.say(strings::NO_SELECTION);
            return;
        };
        let Some(session) = self.floor.get(&key) else {
            self.say(strings::SHOPPER_GONE);
            return;
        };
        let refusal = match self.floor.state(session, self.now_ms) {
            State::Declined => Some(strings::OFFER_DECLINED),
            State::Left => Some(strings::OFFER_LEFT),
            State::Offered => Some(strings::OFFER_PENDING),
            State::Queued | State::Chatting => Some(strings::OFFER_IN_CHAT),
            State::Browsing | State::InCheckout if !self.desk.can_answer() => {
                Some(strings::OFFER_NO_AGENT)
            }
            State::Browsing | State::InCheckout => None,
        };
        if let Some(why) = refusal {
            self.say(why);
            return;
        }
        self.offer = Some(OfferDialog {
            session: key,
            choice: 0,
            typed: String::new(),
        });
    }

    fn offer_key(&mut self, action: Action) -> Vec<Effect> {
        let choices = self.templates.len() + 1;
        let Some(dialog) = &mut self.offer else {
            return Vec::new();
        };
        match action {
            Action::Back => self.offer = None,
            Action::Up => dialog.choice = (dialog.choice + choices - 1) % choices,
            Action::Down => dialog.choice = (dialog.choice + 1) % choices,
            Action::Erase => {
                dialog.typed.pop();
            }
            Action::Confirm | Action::Open => {
                let text = self
                    .templates
                    .get(dialog.choice)
                    .cloned()
                    .unwrap_or_else(|| dialog.typed.trim().to_owned());
                if text.is_empty() {
                    self.say(strings::OFFER_EMPTY);
                    return Vec::new();
                }
                let session = dialog.session.clone();
                self.offer = None;
                self.offers_made += 1;
                let offer_id = format!("{}-{}-{}", self.operator, self.now_ms, self.offers_made);
                self.say(strings::OFFER_SENDING);
                return vec![Effect::SendOffer {
                    session,
                    offer_id,
                    text,
                }];
            }
            _ => {}
        }
        Vec::new()
    }

    /// An offer this dashboard sent went out: note it at once (the audit
    /// trail's copy, heard later, changes nothing).
    pub(crate) fn offer_went_out(&mut self, record: &OfferRecord) {
        self.update(Msg::OfferSent(record.clone()));
        self.say(strings::OFFER_SENT);
    }
}

/// The value after `current` in `all`, then `None`, then the first again.
fn next_in<T: Clone + PartialEq>(all: &[T], current: Option<T>) -> Option<T> {
    match current {
        None => all.first().cloned(),
        Some(c) => {
            let i = all.iter().position(|x| *x == c)?;
            all.get(i + 1).cloned()
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
