//! The query-time decision: a site's timelines folded into one row per page
//! pattern (what each figure means is on [`PageRow`]).
//!
//! Each session's views are walked in order with its asks: a view's visit
//! lasts until the session's next view (or the timeline's cut), and the
//! first ask within it, if any, is an ask on that page. An ask before the
//! session's first known view is on no known page and is left out.

use alloc::vec::Vec;

use super::OVERFLOW_PATTERN;
use super::row::{PageRow, nearest_rank};
use super::table::{OVERFLOW, Slot, Table};
use super::timeline::{At, Timeline};

/// What happened after an ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Bought,
    Abandoned,
    Open,
}

/// One pattern's figures, being added up.
#[derive(Debug, Clone, Default)]
struct Tally {
    sessions: u32,
    asked: u32,
    dwells_ms: Vec<u64>,
    bought: u32,
    abandoned: u32,
    open: u32,
}

/// Every pattern's figures, by slot; the last is [`OVERFLOW`]'s.
struct Tallies(Vec<Tally>);

impl Tallies {
    fn get(&mut self, slot: Slot) -> Option<&mut Tally> {
        let last = self.0.len().checked_sub(1)?;
        let i = if slot == OVERFLOW {
            last
        } else {
            slot as usize
        };
        self.0.get_mut(i)
    }
}

/// The rows of the patterns in `table` that any of `timelines` saw, at
/// `now_ms`, sorted by pattern: a session over `timeout_ms` without a word
/// is over.
pub(super) fn rows<'a>(
    table: &Table,
    timelines: impl Iterator<Item = &'a Timeline>,
    now_ms: u64,
    timeout_ms: u64,
) -> Vec<PageRow> {
    let mut tallies = Tallies(Vec::new());
    tallies.0.resize_with(table.len() + 1, Tally::default);
    // Reused from one session to the next.
    let mut seen: Vec<Slot> = Vec::new();
    let mut asked: Vec<Slot> = Vec::new();
    for timeline in timelines {
        seen.clear();
        seen.extend(timeline.views.iter().map(|v| v.slot));
        seen.sort_unstable();
        seen.dedup();
        for slot in &seen {
            if let Some(t) = tallies.get(*slot) {
                t.sessions += 1;
            }
        }
        let over = now_ms.saturating_sub(timeline.last_heard_ms) >= timeout_ms;
        asked.clear();
        for (slot, view_ms, ask) in asks_by_visit(timeline) {
            // A session counts once per page, by its first ask there.
            if asked.contains(&slot) {
                continue;
            }
            asked.push(slot);
            let outcome = if timeline.order.is_some_and(|o| o > ask) {
                Outcome::Bought
            } else if over {
                Outcome::Abandoned
            } else {
                Outcome::Open
            };
            if let Some(t) = tallies.get(slot) {
                t.asked += 1;
                t.dwells_ms.push(ask.heard_ms - view_ms);
                match outcome {
                    Outcome::Bought => t.bought += 1,
                    Outcome::Abandoned => t.abandoned += 1,
                    Outcome::Open => t.open += 1,
                }
            }
        }
    }
    let mut rows: Vec<PageRow> = tallies
        .0
        .into_iter()
        .enumerate()
        .filter(|(_, t)| t.sessions > 0)
        .map(|(i, mut t)| {
            let pattern = if i == table.len() {
                OVERFLOW_PATTERN
            } else {
                table.name(Slot::try_from(i).unwrap_or(OVERFLOW))
            };
            t.dwells_ms.sort_unstable();
            PageRow {
                pattern: pattern.into(),
                sessions: t.sessions,
                asked: t.asked,
                ask_dwell_median_ms: nearest_rank(&t.dwells_ms, 50),
                ask_dwell_p75_ms: nearest_rank(&t.dwells_ms, 75),
                bought: t.bought,
                abandoned: t.abandoned,
                open: t.open,
            }
        })
        .collect();
    rows.sort_unstable_by(|a, b| a.pattern.cmp(&b.pattern));
    rows
}

/// Each visit of `timeline` with an ask: the page's slot, when it was
/// viewed, and the visit's first ask.
fn asks_by_visit(timeline: &Timeline) -> impl Iterator<Item = (Slot, u64, At)> + '_ {
    let views = &timeline.views;
    let asks = &timeline.asks;
    let mut next_ask = 0;
    views.iter().enumerate().filter_map(move |(i, view)| {
        let end = views.get(i + 1).map(|v| v.at).or(timeline.cut);
        // Asks before this view belong to earlier visits, or to none.
        while asks.get(next_ask).is_some_and(|a| a.at < view.at) {
            next_ask += 1;
        }
        let ask = asks.get(next_ask)?.at;
        if end.is_some_and(|end| ask >= end) {
            return None;
        }
        Some((view.slot, view.at.heard_ms, ask))
    })
}
