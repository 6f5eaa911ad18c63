//! A shopper's memory across visits: every visit a visitor made to one
//! site (when, how they came, pages, what they ordered) and their earlier
//! chats (the survey's answer, an incident), so a supervisor and an agent
//! see "3rd visit · last 2 days ago via newsletter" beside the live
//! session.
//!
//! One service (`floorwalker learn`) folds the streams into a [`Memory`]
//! per site and visitor and keeps it in a key-value bucket; every change is
//! a merge that can be applied again without changing the result:
//! [`Memory::visit`] keys a visit by its session and takes the earliest
//! start, the latest activity and the most pages of what it is told, and
//! [`Memory::chat`] keys a chat by its id. So a replayed batch, a restart
//! that reads the streams again, or a rebuild after the bucket was lost
//! never counts a visit twice.
//!
//! Bounded: at most [`MemoryConfig::max_visits`] visits and
//! [`MemoryConfig::max_chats`] chats per visitor. The oldest visits beyond
//! that are folded into [`Earlier`], counts without detail, so the visit
//! number and the visits before a first purchase stay true; a visit older
//! than every kept one, once the list is full, is taken for one already
//! folded there. Visits and chats older than [`MemoryConfig::keep_ms`]
//! are forgotten, counts and all.
//!
//! `recall` says what screens show of a memory beside one session;
//! `first_purchase` gathers, per site, how many visits shoppers make before
//! their first order.

mod first_purchase;
mod recall;

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

pub use first_purchase::{FirstPurchase, VISITS_BUCKETS};
pub use recall::{EarlierChat, Recall, ago, ordinal};

/// How much is kept, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryConfig {
    /// Visits and chats older than this are forgotten.
    pub keep_ms: u64,
    /// Visits kept in detail per visitor.
    pub max_visits: usize,
    /// Chats kept per visitor.
    pub max_chats: usize,
}

/// A day, in milliseconds.
pub const DAY_MS: u64 = 24 * 60 * 60_000;

impl Default for MemoryConfig {
    fn default() -> Self {
        Self {
            keep_ms: 180 * DAY_MS,
            max_visits: 50,
            max_chats: 20,
        }
    }
}

/// The longest source phrase kept, in bytes.
pub const MAX_SOURCE_LEN: usize = 64;

/// An order placed in a visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// Its total, in minor units of `currency`.
    pub total_minor: u64,
    /// ISO 4217 code.
    pub currency: String,
}

/// One visit: one session of the plugin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    /// The session's token.
    pub session: String,
    /// When it was first heard of (the stream's clock).
    pub started_ms: u64,
    /// When it was last heard of.
    pub last_ms: u64,
    /// How the shopper came (`newsletter/email`, `www.google.com`,
    /// `direct`), at most [`MAX_SOURCE_LEN`] bytes.
    pub source: String,
    /// Pages viewed.
    pub pages: u32,
    /// The order placed, if any.
    pub order: Option<Order>,
}

impl Visit {
    /// How long the visit lasted, as far as it was heard.
    pub fn duration_ms(&self) -> u64 {
        self.last_ms.saturating_sub(self.started_ms)
    }

    /// Takes in what `other`, a report of the same visit, says: the
    /// earliest start (and the source with it), the latest activity, the
    /// most pages, an order once known.
    fn merge(&mut self, other: Visit) {
        if other.started_ms < self.started_ms {
            self.started_ms = other.started_ms;
            self.source = other.source;
        }
        self.last_ms = self.last_ms.max(other.last_ms);
        self.pages = self.pages.max(other.pages);
        if self.order.is_none() {
            self.order = other.order;
        }
    }
}

/// One earlier chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastChat {
    /// The chat's id.
    pub chat_id: String,
    /// The session it was in.
    pub session: String,
    /// When the shopper asked.
    pub at_ms: u64,
    /// The survey's answer: did the chat help?
    pub helped: Option<bool>,
    /// Whether an incident was opened about it (a "No").
    pub incident: bool,
}

impl PastChat {
    fn merge(&mut self, other: &PastChat) {
        self.at_ms = self.at_ms.min(other.at_ms);
        if self.helped.is_none() {
            self.helped = other.helped;
        }
        self.incident |= other.incident;
    }
}

/// Visits no longer kept in detail (see the module doc).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Earlier {
    /// How many.
    pub visits: u32,
    /// How many of them had an order.
    pub orders: u32,
    /// The number of the visit (from 1) that placed the first order, if
    /// that visit is among these.
    pub first_order_visit: Option<u32>,
    /// When the last of them started.
    pub last_started_ms: Option<u64>,
}

/// Everything remembered of one visitor on one site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Memory {
    /// Visits, oldest first.
    pub visits: Vec<Visit>,
    /// The oldest visits, as counts.
    pub earlier: Earlier,
    /// Chats, oldest first.
    pub chats: Vec<PastChat>,
}

impl Memory {
    /// Takes in what is known of one visit (see the module doc). Returns
    /// whether the memory changed.
    pub fn visit(&mut self, mut visit: Visit, config: &MemoryConfig) -> bool {
        truncate(&mut visit.source, MAX_SOURCE_LEN);
        if let Some(kept) = self.visits.iter_mut().find(|v| v.session == visit.session) {
            let before = kept.clone();
            kept.merge(visit);
            let changed = *kept != before;
            if changed {
                self.visits.sort_by_key(|v| v.started_ms);
            }
            return changed;
        }
        let full = self.visits.len() >= config.max_visits;
        let oldest = self.visits.first().map_or(u64::MAX, |v| v.started_ms);
        if (full || self.earlier.visits > 0) && visit.started_ms < oldest {
            // Older than every kept visit while some were folded into the
            // counts: it is one of those, seen again.
            return false;
        }
        let at = self
            .visits
            .partition_point(|v| v.started_ms <= visit.started_ms);
        self.visits.insert(at, visit);
        while self.visits.len() > config.max_visits.max(1) {
            self.fold_oldest();
        }
        true
    }

    /// Takes in what is known of one chat. Returns whether the memory
    /// changed.
    pub fn chat(&mut self, chat: PastChat, config: &MemoryConfig) -> bool {
        if let Some(kept) = self.chats.iter_mut().find(|c| c.chat_id == chat.chat_id) {
            let before = kept.clone();
            kept.merge(&chat);
            return *kept != before;
        }
        let at = self.chats.partition_point(|c| c.at_ms <= chat.at_ms);
        if self.chats.len() >= config.max_chats.max(1) && at == 0 {
            return false;
        }
        self.chats.insert(at, chat);
        if self.chats.len() > config.max_chats.max(1) {
            self.chats.remove(0);
        }
        true
    }

    /// Forgets visits and chats that started before `now_ms - keep_ms`.
    /// Returns whether anything was forgotten.
    pub fn prune(&mut self, now_ms: u64, config: &MemoryConfig) -> bool {
        let cutoff = now_ms.saturating_sub(config.keep_ms);
        let (visits, chats) = (self.visits.len(), self.chats.len());
        self.visits.retain(|v| v.started_ms >= cutoff);
        self.chats.retain(|c| c.at_ms >= cutoff);
        let mut changed = visits != self.visits.len() || chats != self.chats.len();
        if self
            .earlier
            .last_started_ms
            .is_some_and(|last| last < cutoff)
        {
            self.earlier = Earlier::default();
            changed = true;
        }
        changed
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.visits.is_empty() && self.chats.is_empty() && self.earlier.visits == 0
    }

    /// Every visit remembered, counted ones included.
    pub fn visit_count(&self) -> u32 {
        self.earlier
            .visits
            .saturating_add(u32::try_from(self.visits.len()).unwrap_or(u32::MAX))
    }

    /// When the visitor was first and last seen.
    pub fn seen(&self) -> Option<(u64, u64)> {
        let first = self.visits.first()?.started_ms;
        let last = self.visits.iter().map(|v| v.last_ms).max()?;
        Some((first, last))
    }

    /// The number (from 1) of the visit that placed the visitor's first
    /// order: 1 for a shopper who bought on their first visit.
    pub fn visits_to_first_order(&self) -> Option<u32> {
        if let Some(n) = self.earlier.first_order_visit {
            return Some(n);
        }
        let at = self.visits.iter().position(|v| v.order.is_some())?;
        Some(
            self.earlier
                .visits
                .saturating_add(u32::try_from(at).unwrap_or(u32::MAX))
                .saturating_add(1),
        )
    }

    /// The oldest kept visit, folded into the counts.
    fn fold_oldest(&mut self) {
        if self.visits.is_empty() {
            return;
        }
        let oldest = self.visits.remove(0);
        let earlier = &mut self.earlier;
        earlier.visits = earlier.visits.saturating_add(1);
        earlier.last_started_ms = Some(oldest.started_ms);
        if oldest.order.is_some() {
            earlier.orders = earlier.orders.saturating_add(1);
            if earlier.first_order_visit.is_none() {
                earlier.first_order_visit = Some(earlier.visits);
            }
        }
    }
}

/// `text` cut to at most `max` bytes, on a character boundary.
fn truncate(text: &mut String, max: usize) {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
}

#[cfg(test)]
mod tests;
