//! The dashboard's state and `update`: every message in, the effects out.
//! Nothing here touches the terminal or the network and nothing reads a
//! clock or draws a random number (time comes in ticks, the nonce that
//! makes message ids unique at start), so tests drive it with messages.
//!
//! What has the keys is one [`Mode`]. This file holds the state and the
//! messages that are not keys; [`keys`] says what each key does, [`offer`]
//! runs the offer dialog, [`insights`] the Insights view's keys.

mod insights;
mod keys;
mod offer;

use floorwalker::creds::Link;
use floorwalker::feed::Feed;
use floorwalker::presence::Heard;
use floorwalker::refusals::Tally;
use floorwalker_shared::desk::{ChatState, Desk};
use floorwalker_shared::floor::{Floor, FloorConfig};
use floorwalker_shared::metrics::{Figures, History, Sample, Targets};
use floorwalker_shared::session::ChatPhase;
use floorwalker_shared::staffing::Advice;
use floorwalker_shared::subject::{SessionSubjects, SiteId};

use super::keymap;
use super::msg::{Conn, Effect, Msg, OfferRecord};
use super::strings;
use super::supervise::{DeskMode, Supervise};
use super::table::{self, Filter, Sort};
use crate::ui::keys::{self as ui_keys, Text};
use crate::ui::notice::{self, Notice};
use crate::ui::recall::Memories;

/// Which pane scrolls while a journey is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pane {
    Sessions,
    Detail,
}

/// What has the keys, and what shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The shoppers' table.
    Floor,
    /// A shopper's journey, beside the table (wide) or instead of it.
    Journey(Pane),
    /// Agents, chats and incidents, and what a supervisor does there.
    Desk(DeskMode),
    /// What the desk and the floor have learnt: the staffing advice.
    Insights,
    /// The filter's text being typed, over what was showing.
    Filter(Box<Mode>),
    /// The offer dialog, over what was showing.
    Offer(OfferDialog, Box<Mode>),
    /// The help, over what was showing.
    Help(Box<Mode>),
    /// What was refused and why, over what was showing.
    Refused(Box<Mode>),
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

/// Longest offer text a supervisor may type (the schema's limit is larger;
/// an offer is a sentence).
pub(crate) const MAX_TYPED_OFFER: usize = 200;

/// Everything the dashboard shows.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) floor: Floor,
    pub(crate) desk: Desk,
    /// What the intakes and the gates refused.
    pub(crate) refusals: Tally,
    /// The one site the dashboard watches (`--site`): its figures count
    /// that site's chats only, as its floor holds that site's shoppers.
    pub(crate) site: Option<SiteId>,
    pub(crate) figures: Figures,
    /// When the desk's figures turn amber and red.
    pub(crate) targets: Targets,
    /// How many agents the chats need, and what the desk has.
    pub(crate) staffing: Advice,
    pub(crate) history: History,
    pub(crate) now_ms: u64,
    pub(crate) conn: Conn,
    /// Why a feed cannot be read, while it cannot (it is retried).
    pub(crate) trouble: Option<String>,
    /// Batches read while replaying, once replay is done.
    pub(crate) replayed: Option<u64>,
    pub(crate) operator: String,
    pub(crate) templates: Vec<String>,
    pub(crate) filter: Filter,
    pub(crate) sort: Sort,
    pub(crate) selected: Option<SessionSubjects>,
    /// The first row on screen, as the keys last left it (the view keeps
    /// the selection in sight when rows move).
    pub(crate) offset: usize,
    /// The terminal's size, for how far a page moves.
    pub(crate) size: (u16, u16),
    pub(crate) detail_scroll: usize,
    pub(crate) mode: Mode,
    pub(crate) notice: Option<Notice>,
    /// Unique to this run: with a count, it makes offer and message ids
    /// unique across dashboards and restarts.
    pub(crate) nonce: String,
    made: u64,
    /// The desk view's selection.
    pub(crate) supervise: Supervise,
    /// Set when something visible changed; the runtime draws and clears it.
    pub(crate) dirty: bool,
    /// What runs where, as (label, value) rows the help repeats (the
    /// demo's addresses and commands; empty otherwise).
    pub(crate) about: Vec<(String, String)>,
    /// Shoppers' earlier visits, as read.
    pub(crate) memories: Memories,
}

impl App {
    pub(crate) fn new(
        operator: &str,
        templates: Vec<String>,
        config: FloorConfig,
        nonce: &str,
        now_ms: u64,
    ) -> Self {
        let desk = Desk::default();
        let targets = Targets::default();
        let target = targets.staffing_target(desk.config().service_level_ms);
        Self {
            floor: Floor::new(config),
            staffing: Advice::of(&desk, now_ms, target),
            desk,
            refusals: Tally::default(),
            site: None,
            figures: Figures::default(),
            targets,
            history: History::default(),
            now_ms,
            conn: Conn::Connecting,
            trouble: None,
            replayed: None,
            operator: operator.to_owned(),
            templates,
            filter: Filter::default(),
            sort: Sort::default(),
            selected: None,
            offset: 0,
            size: (80, 24),
            detail_scroll: 0,
            mode: Mode::Floor,
            notice: None,
            nonce: nonce.to_owned(),
            made: 0,
            supervise: Supervise::default(),
            dirty: true,
            about: Vec::new(),
            memories: Memories::default(),
        }
    }

    /// Takes in one message; returns what the runtime must do.
    pub(crate) fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let mut effects = self.step(msg);
        effects.extend(self.memory_wanted());
        effects
    }

    /// The journey opens with the shopper's earlier visits: read when it
    /// is shown, and again while it stays shown.
    fn memory_wanted(&mut self) -> Option<Effect> {
        if !matches!(self.mode, Mode::Journey(_)) {
            return None;
        }
        let session = self.floor.get(self.selected.as_ref()?)?;
        self.memories
            .want(session, self.now_ms)
            .map(Effect::ReadMemory)
    }

    fn step(&mut self, msg: Msg) -> Vec<Effect> {
        self.dirty = true;
        match msg {
            Msg::Press(key) => {
                if self.typing() {
                    ui_keys::text(key).map_or_else(Vec::new, |t| self.text(t))
                } else {
                    keymap::action(key).map_or_else(Vec::new, |a| self.key(a))
                }
            }
            Msg::Paste(text) => {
                // Into the field being typed, one line, each field's bound
                // applying; elsewhere a paste means nothing.
                if self.typing() {
                    // No field holds more than this many characters, of at
                    // most four bytes each.
                    let most = 4 * super::supervise::MAX_TEXT;
                    let mut line = String::new();
                    ui_keys::paste_into(&mut line, &text, most);
                    line.chars().for_each(|c| self.type_char(c));
                }
                Vec::new()
            }
            Msg::Wheel { down } => self.key(if down {
                keymap::Action::Down
            } else {
                keymap::Action::Up
            }),
            Msg::Resize { width, height } => {
                self.size = (width, height);
                Vec::new()
            }
            Msg::Tick { now_ms } => {
                self.now_ms = self.now_ms.max(now_ms);
                self.refresh();
                notice::fade(&mut self.notice, self.now_ms);
                self.floor.sweep(self.now_ms);
                self.desk.forget(self.now_ms);
                self.sync_chats();
                self.supervise.keep_selection(&self.desk);
                self.keep_selection();
                Vec::new()
            }
            Msg::Events(feed) => {
                self.events(feed);
                Vec::new()
            }
            Msg::Audit(feed) => {
                self.audit(feed);
                Vec::new()
            }
            Msg::Presence(heard) => {
                if let Heard::Down(why) = &heard {
                    // The floor judges by what it hears meanwhile.
                    tracing::warn!(%why, "no word on which shoppers are connected");
                }
                heard.fold(&mut self.floor);
                Vec::new()
            }
            Msg::Refusals(heard) => {
                self.refusals.fold(heard, self.now_ms);
                Vec::new()
            }
            Msg::Link(link) => {
                self.conn = match link {
                    // Connected is not yet live while history is being read.
                    Link::Up if self.replayed.is_none() => Conn::Replaying,
                    Link::Up => Conn::Live,
                    Link::Down(reason) => Conn::Down { reason },
                };
                Vec::new()
            }
            Msg::OfferDone(Ok(record)) => {
                record.note(&mut self.floor);
                self.say(strings::OFFER_SENT);
                Vec::new()
            }
            Msg::OfferDone(Err(why)) => {
                self.say(why.to_string());
                Vec::new()
            }
            Msg::Recorded(Err(why)) => {
                self.say(format!("Not recorded: {why}"));
                Vec::new()
            }
            Msg::TaskFailed(why) => {
                self.say(format!("Failed unexpectedly: {why}"));
                Vec::new()
            }
            Msg::Recorded(Ok(())) => Vec::new(),
            Msg::Memory(id, read) => {
                self.memories.heard(id, read, self.now_ms);
                Vec::new()
            }
        }
    }

    /// The shoppers' stream: batches, and whether history is read.
    fn events(&mut self, feed: Feed) {
        match feed {
            Feed::Message(m) => {
                self.trouble = None;
                // What the floor cannot read it counts; the refusals
                // overlay shows it.
                let _ = self.floor.batch(&m.subject, &m.payload, m.at_ms);
                // Sparklines of the replayed minutes, from the stream's
                // clock: one sample as each minute begins (the figures visit
                // every session, too much for every batch).
                if self.replayed.is_none() && !self.history.sampled(m.at_ms) {
                    self.history.record(
                        m.at_ms,
                        Sample::from(&Figures::of_site(
                            &self.floor,
                            &self.desk,
                            m.at_ms,
                            self.site.as_ref(),
                        )),
                    );
                }
            }
            Feed::CaughtUp { read } => self.replay_done(read),
            Feed::LiveOnly => {
                self.say(strings::NO_EVENTS_STREAM);
                self.replay_done(0);
            }
            Feed::Down(why) => self.trouble = Some(why),
        }
    }

    fn replay_done(&mut self, read: u64) {
        self.trouble = None;
        self.replayed = Some(read);
        if !matches!(self.conn, Conn::Down { .. }) {
            self.conn = Conn::Live;
        }
        self.refresh();
    }

    /// The audit trail: offers (the operator named by the subject, which
    /// the broker vouches for) and chat facts.
    fn audit(&mut self, feed: Feed) {
        match feed {
            Feed::Message(m) => {
                self.trouble = None;
                match OfferRecord::read(&m.subject, &m.payload) {
                    Some(record) => record.note(&mut self.floor),
                    // Refusals are counted by the desk.
                    None => {
                        let _ = self.desk.record(&m.subject, &m.payload, m.at_ms);
                    }
                }
            }
            Feed::CaughtUp { .. } | Feed::LiveOnly => self.trouble = None,
            Feed::Down(why) => self.trouble = Some(why),
        }
    }

    /// A key in a text field: characters are typed, the rest are actions.
    fn text(&mut self, text: Text) -> Vec<Effect> {
        let action = match text {
            Text::Char(c) => {
                self.type_char(c);
                return Vec::new();
            }
            Text::Confirm => keymap::Action::Confirm,
            Text::Back => keymap::Action::Back,
            Text::Erase => keymap::Action::Erase,
            Text::Up => keymap::Action::Up,
            Text::Down => keymap::Action::Down,
            Text::Quit => keymap::Action::Quit,
        };
        self.key(action)
    }

    /// Keeps a shopper selected on the floor: the first row when none is,
    /// or when the one selected is no longer among the rows (it left, or
    /// the filter hides it), so that what `o` offers to is always a row
    /// on screen. A journey open keeps its shopper.
    pub(super) fn keep_selection(&mut self) {
        if self.journey().is_some() {
            return;
        }
        let shown = self
            .selected
            .as_ref()
            .is_some_and(|key| table::keeps(&self.floor, self.now_ms, &self.filter, key));
        if !shown {
            let rows = table::rows(&self.floor, self.now_ms, &self.filter, self.sort);
            self.selected = rows.first().map(|r| r.session.subjects().clone());
            self.offset = 0;
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

    /// Recomputes the figures and the staffing advice, and samples the
    /// sparklines.
    fn refresh(&mut self) {
        self.figures = Figures::of_site(&self.floor, &self.desk, self.now_ms, self.site.as_ref());
        let target = self
            .targets
            .staffing_target(self.desk.config().service_level_ms);
        self.staffing = Advice::of_site(&self.desk, self.now_ms, self.site.as_ref(), target);
        self.history
            .record(self.now_ms, Sample::from(&self.figures));
    }

    fn say(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice::new(text, self.now_ms));
    }

    /// A new id for an offer or a message: the operator, this run's nonce
    /// and a count.
    fn next_id(&mut self) -> String {
        self.made += 1;
        format!("{}-{}-{}", self.operator, self.nonce, self.made)
    }

    /// Whether a text field has the keys.
    pub(crate) fn typing(&self) -> bool {
        match &self.mode {
            Mode::Filter(_) | Mode::Desk(DeskMode::Typing(..)) => true,
            Mode::Offer(dialog, _) => dialog.choice == self.templates.len(),
            _ => false,
        }
    }

    /// What shows under the overlays (filter, offer, help).
    pub(crate) fn base(&self) -> &Mode {
        let mut mode = &self.mode;
        while let Mode::Filter(under)
        | Mode::Offer(_, under)
        | Mode::Help(under)
        | Mode::Refused(under) = mode
        {
            mode = under;
        }
        mode
    }

    /// The pane with the keys while a journey is open.
    pub(crate) fn journey(&self) -> Option<Pane> {
        match self.base() {
            Mode::Journey(pane) => Some(*pane),
            _ => None,
        }
    }

    /// The desk view's mode, while it shows.
    pub(crate) fn desk_mode(&self) -> Option<&DeskMode> {
        match self.base() {
            Mode::Desk(mode) => Some(mode),
            _ => None,
        }
    }

    /// The offer dialog, while it is open.
    pub(crate) fn offer_dialog(&self) -> Option<&OfferDialog> {
        let mut mode = &self.mode;
        loop {
            match mode {
                Mode::Offer(dialog, _) => return Some(dialog),
                Mode::Filter(under) | Mode::Help(under) | Mode::Refused(under) => mode = under,
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
