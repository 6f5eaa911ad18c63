//! The dashboard's state and `update`: every message in, the effects out.
//! Nothing here touches the terminal or the network, so tests drive it with
//! messages and a made-up clock.
//!
//! This file holds the state and the messages that are not keys; [`keys`]
//! says what each key does, [`offer`] runs the offer dialog.

mod keys;
mod offer;

use floorwalker_shared::desk::{ChatState, Desk};
use floorwalker_shared::floor::{Floor, FloorConfig};
use floorwalker_shared::metrics::{Figures, History, Sample};
use floorwalker_shared::session::ChatPhase;
use floorwalker_shared::subject::{SessionSubjects, SiteId};

use super::msg::{Conn, Effect, Msg, OfferRecord};
use super::strings;
use super::supervise::Supervise;
use super::table::{Filter, Sort};

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
    /// The one site the dashboard watches (`--site`): its figures count
    /// that site's chats only, as its floor holds that site's shoppers.
    pub(crate) site: Option<SiteId>,
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
            site: None,
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
                        Sample::from(&Figures::of_site(
                            &self.floor,
                            &self.desk,
                            heard_ms,
                            self.site.as_ref(),
                        )),
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
        self.figures = Figures::of_site(&self.floor, &self.desk, self.now_ms, self.site.as_ref());
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

    /// An offer this dashboard sent went out: note it at once (the audit
    /// trail's copy, heard later, changes nothing).
    pub(crate) fn offer_went_out(&mut self, record: &OfferRecord) {
        self.update(Msg::OfferSent(record.clone()));
        self.say(strings::OFFER_SENT);
    }
}

#[cfg(test)]
pub(crate) mod tests;
