//! One session's timeline as the page statistics keep it: its page views,
//! its asks for help and its latest order, each at an [`At`].
//!
//! Batches and chat requests reach the statistics through two streams read
//! apart, so a session's inputs arrive in any order; the timeline keeps
//! them sorted by when they happened and nothing is decided until a query
//! reads it (`stats`). Every bound keeps the earliest of what it bounds, not
//! the first to arrive, so what is kept does not depend on arrival order
//! either.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::table::{OVERFLOW, Slot};
use crate::session::seq_window::{Seen, SeqWindow};

/// When something happened in a session, in an order every reader agrees
/// on: the stream's clock, then the place in the session's batches (batch
/// number, then the event's place in its batch), so events heard in the
/// same millisecond keep the order the shopper made them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct At {
    pub(super) heard_ms: u64,
    place: u64,
}

impl At {
    /// Batch numbers past this share a place: no session sends so many.
    /// (One less than 48 bits can hold, so no event's place is a chat's.)
    const MAX_SEQ: u64 = (1 << 48) - 2;

    /// Event `index` of batch `seq`, heard at `heard_ms`.
    pub(super) fn in_batch(heard_ms: u64, seq: u64, index: usize) -> Self {
        // At most MAX_EVENTS_PER_BATCH (200) events: 16 bits hold the index.
        let index = u64::try_from(index).unwrap_or(u64::MAX).min(0xffff);
        Self {
            heard_ms,
            place: (seq.min(Self::MAX_SEQ) << 16) | index,
        }
    }

    /// A chat fact heard at `heard_ms`: after every event of a batch heard
    /// in the same millisecond (its page view was made before the shopper
    /// could ask on the page).
    pub(super) fn chat(heard_ms: u64) -> Self {
        Self {
            heard_ms,
            place: u64::MAX,
        }
    }
}

/// What an ask is known by, so one heard twice counts once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum AskKey {
    /// A chat requested without an offer.
    Chat(Box<str>),
    /// An offer accepted: the batch's `OfferAccepted` and the chat request
    /// that names it are one ask.
    Offer(Box<str>),
}

/// A view of a page (its pattern's slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct View {
    pub(super) at: At,
    pub(super) slot: Slot,
}

/// An ask for help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Ask {
    pub(super) at: At,
    key: AskKey,
}

/// One session's timeline (see the module doc).
#[derive(Debug, Clone)]
pub(super) struct Timeline {
    /// The earliest anything of the session was heard.
    pub(super) first_heard_ms: u64,
    /// The latest.
    pub(super) last_heard_ms: u64,
    seen: SeqWindow,
    /// The earliest views, sorted.
    pub(super) views: Vec<View>,
    /// The earliest view left out by the bound: the last view kept lasts
    /// until there, and no later ask is placed.
    pub(super) cut: Option<At>,
    /// The earliest asks, one per key, sorted.
    pub(super) asks: Vec<Ask>,
    /// The latest order.
    pub(super) order: Option<At>,
}

impl Timeline {
    pub(super) fn new(heard_ms: u64) -> Self {
        Self {
            first_heard_ms: heard_ms,
            last_heard_ms: heard_ms,
            seen: SeqWindow::default(),
            views: Vec::new(),
            cut: None,
            asks: Vec::new(),
            order: None,
        }
    }

    /// Notes that the session was heard at `heard_ms`.
    pub(super) fn heard(&mut self, heard_ms: u64) {
        self.first_heard_ms = self.first_heard_ms.min(heard_ms);
        self.last_heard_ms = self.last_heard_ms.max(heard_ms);
    }

    /// Whether batch `seq` is heard for the first time (a replay or a
    /// resend is not); the session's window of batch numbers says.
    pub(super) fn first_time(&mut self, seq: u64) -> bool {
        !matches!(self.seen.insert(seq), Seen::Before)
    }

    /// Notes a view of the page in `slot`, keeping the earliest `max`.
    pub(super) fn view(&mut self, at: At, slot: Slot, max: usize) {
        let i = self.views.partition_point(|v| v.at <= at);
        self.views.insert(i, View { at, slot });
        if self.views.len() > max {
            if let Some(dropped) = self.views.pop() {
                self.cut = Some(self.cut.map_or(dropped.at, |cut| cut.min(dropped.at)));
            }
        }
    }

    /// Notes an ask known by `key`, keeping the earliest of one key and the
    /// earliest `max` of all.
    pub(super) fn ask(&mut self, at: At, key: AskKey, max: usize) {
        if let Some(i) = self.asks.iter().position(|a| a.key == key) {
            if self.asks[i].at <= at {
                return;
            }
            self.asks.remove(i);
        }
        let i = self.asks.partition_point(|a| a.at <= at);
        self.asks.insert(i, Ask { at, key });
        self.asks.truncate(max);
    }

    /// Notes an order.
    pub(super) fn order(&mut self, at: At) {
        self.order = Some(self.order.map_or(at, |o| o.max(at)));
    }

    /// Renumbers the views' slots after the site's table was compacted.
    pub(super) fn remap(&mut self, remap: &[Slot]) {
        for view in &mut self.views {
            if view.slot != OVERFLOW {
                view.slot = remap.get(view.slot as usize).copied().unwrap_or(OVERFLOW);
            }
        }
    }
}
