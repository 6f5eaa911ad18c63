//! Page statistics per site and page pattern: which pages lead shoppers to
//! ask for help, how long they stay before they ask, and what happens
//! after (issue 18). Pure: a service feeds [`Pages`] from the `EVENTS`
//! and `CHATS` streams with each message's stream timestamp as the clock,
//! and publishes [`Pages::stats`]; the dashboard lists the rows and marks
//! a shopper who has stayed on a page past its usual dwell before asking
//! ([`UsualAsks`]).
//!
//! How the parts fit:
//!
//! - `pattern` reads the configured [`Patterns`] and groups a path into
//!   its page pattern; `id_like` is the default for paths none matches
//!   (numeric and id-like segments become `:id`).
//! - `table` numbers a site's patterns, at most
//!   [`PageConfig::max_patterns_per_site`]; the paths of any beyond share
//!   [`OVERFLOW_PATTERN`], and are counted ([`Pages::overflowed`]).
//! - `timeline` keeps each session's page views, asks and latest order,
//!   sorted by when they happened, within bounds that keep the earliest.
//! - `stats` decides at query time, from the timelines, what each pattern's
//!   row says; `row` is the row ([`PageRow`]) and its percentile.
//! - `usual` is the dashboard's lookup of a page's usual dwell before
//!   asking, from published rows.
//!
//! The two streams are read apart, so one session's chat request may
//! arrive before the batch with the page view it was made on. Inputs are
//! therefore only recorded, never judged, as they arrive: the same inputs
//! give the same rows whatever their order, and a batch seen again (a
//! replay overlapping live traffic, a resend) or a chat request seen again
//! changes nothing. Only the bounds on sessions and patterns are first
//! come, first kept: past them, which sessions or patterns are kept
//! depends on order (and is counted).
//!
//! Times are the streams' clock, so an event's time is when its batch was
//! heard (the plugin sends within 2 s); the shopper's own clock is not used.

mod id_like;
mod pattern;
mod row;
mod stats;
mod table;
mod timeline;
mod usual;

use alloc::collections::BTreeMap;
use alloc::collections::btree_map::Entry;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use id_like::{ID, default_pattern, is_id_like};
pub use pattern::{PatternError, PatternErrorKind, Patterns};
pub use row::PageRow;
pub use usual::UsualAsks;

use table::{OVERFLOW, Table};
use timeline::{AskKey, At, Timeline};

use crate::event::{Batch, ShopperEvent};
use crate::subject::{SessionSubjects, SessionToken, SiteId};

/// The pattern of the paths beyond a site's bound.
pub const OVERFLOW_PATTERN: &str = "(other)";

/// What the statistics cover and how much they hold (field names as in
/// the service's configuration; every field may be left out for its
/// default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PageConfig {
    /// `patterns`: the page patterns, tried in order (syntax in
    /// [`Patterns`]); none by default, so every path gets its default
    /// pattern.
    pub patterns: Patterns,
    /// `window_ms`: sessions first heard longer ago than this are
    /// forgotten (7 days).
    pub window_ms: u64,
    /// `session_timeout_ms`: a session with nothing heard for this long is
    /// over (30 minutes): one that asked and did not buy abandoned.
    pub session_timeout_ms: u64,
    /// `min_asks`: asks a pattern needs before its usual dwell before
    /// asking is given to mark shoppers by (5).
    pub min_asks: u32,
    /// `max_patterns_per_site`: patterns kept per site (5,000); paths
    /// beyond go to [`OVERFLOW_PATTERN`].
    pub max_patterns_per_site: usize,
    /// `max_sessions`: sessions kept over all sites (500,000); inputs of
    /// new sessions beyond are refused and counted.
    pub max_sessions: usize,
    /// `max_views_per_session`: page views kept per session, the earliest
    /// (200).
    pub max_views_per_session: usize,
    /// `max_asks_per_session`: asks kept per session, the earliest (16).
    pub max_asks_per_session: usize,
}

impl Default for PageConfig {
    fn default() -> Self {
        Self {
            patterns: Patterns::default(),
            window_ms: 7 * 24 * 60 * 60_000,
            session_timeout_ms: 30 * 60_000,
            min_asks: 5,
            max_patterns_per_site: 5_000,
            max_sessions: 500_000,
            max_views_per_session: 200,
            max_asks_per_session: 16,
        }
    }
}

/// The statistics hold [`PageConfig::max_sessions`] sessions: an input of
/// a new one was refused (and counted, [`Pages::refused`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("the page statistics hold their most sessions ({max}); a new one is not counted")]
pub struct Full {
    /// The bound.
    pub max: usize,
}

/// Page statistics of every site (see the module doc).
///
/// # Examples
///
/// ```
/// use floorwalker_shared::event::{Batch, Event, ShopperEvent};
/// use floorwalker_shared::pages::{PageConfig, Pages};
/// use floorwalker_shared::subject::{SessionSubjects, SessionToken, SiteId};
///
/// let shoes = SiteId::new("shoes").unwrap();
/// let shopper = SessionSubjects::new(shoes.clone(), SessionToken::new("q3X9_tZ0-a8bYw2LmN4p").unwrap());
/// let view = ShopperEvent::PageView {
///     path: "/product/4412".into(),
///     title: "Trail shoe".into(),
///     referrer: None,
///     utm: None,
/// };
/// let t0 = 1_750_000_000_000;
/// let mut pages = Pages::new(PageConfig::default());
/// // The chat request is read first: CHATS and EVENTS are read apart.
/// pages.asked(&shopper, "c1", None, t0 + 45_000).unwrap();
/// let batch = Batch::new(0, "EUR", vec![Event { at_ms: t0, kind: view }]);
/// pages.batch(&shopper, &batch, t0).unwrap();
///
/// let rows = pages.stats(&shoes, t0 + 60_000);
/// assert_eq!(rows[0].pattern, "/product/:id");
/// assert_eq!((rows[0].sessions, rows[0].asked), (1, 1));
/// assert_eq!(rows[0].ask_dwell_median_ms, Some(45_000));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Pages {
    config: PageConfig,
    sites: Sites,
}

impl Pages {
    /// No statistics yet.
    pub fn new(config: PageConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }

    /// The configuration.
    pub fn config(&self) -> &PageConfig {
        &self.config
    }

    /// Takes in `session`'s `batch`, stored in `EVENTS` at `heard_ms`: its
    /// page views, offers accepted (asks for help on the page the shopper
    /// is on) and orders. A batch number seen before adds nothing (only
    /// that the session was heard then): of a batch resent and stored
    /// twice, the first read counts.
    pub fn batch(
        &mut self,
        session: &SessionSubjects,
        batch: &Batch,
        heard_ms: u64,
    ) -> Result<(), Full> {
        let c = &self.config;
        let Target {
            table,
            overflowed,
            timeline,
        } = self.sites.target(session, heard_ms, c.max_sessions)?;
        // Heard even if seen before: the latest of the times a session was
        // heard is the same in any order; which copy counts is not.
        timeline.heard(heard_ms);
        if !timeline.first_time(batch.seq) {
            return Ok(());
        }
        for (index, event) in batch.events.iter().enumerate() {
            let at = At::in_batch(heard_ms, batch.seq, index);
            match &event.kind {
                ShopperEvent::PageView { path, .. } => {
                    let slot = table.slot(&c.patterns.group(path), c.max_patterns_per_site);
                    if slot == OVERFLOW {
                        *overflowed += 1;
                    }
                    timeline.view(at, slot, c.max_views_per_session);
                }
                ShopperEvent::OfferAccepted { offer_id } => {
                    let key = AskKey::Offer(offer_id.as_str().into());
                    timeline.ask(at, key, c.max_asks_per_session);
                }
                ShopperEvent::OrderCompleted { .. } => timeline.order(at),
                _ => {}
            }
        }
        Ok(())
    }

    /// Notes that `session`'s shopper asked for help, as the chat request
    /// `chat_id` stored in `CHATS` at `heard_ms` says; `offer_id` is the
    /// offer the request answers, if any (the request's own field), so an
    /// offer accepted is one ask, however it is heard. A request heard
    /// again adds nothing (the earliest heard counts).
    pub fn asked(
        &mut self,
        session: &SessionSubjects,
        chat_id: &str,
        offer_id: Option<&str>,
        heard_ms: u64,
    ) -> Result<(), Full> {
        let c = &self.config;
        let timeline = self
            .sites
            .target(session, heard_ms, c.max_sessions)?
            .timeline;
        timeline.heard(heard_ms);
        let key = match offer_id {
            Some(offer) => AskKey::Offer(offer.into()),
            None => AskKey::Chat(chat_id.into()),
        };
        timeline.ask(At::chat(heard_ms), key, c.max_asks_per_session);
        Ok(())
    }

    /// Notes that `session` was heard from at `heard_ms` by any other fact
    /// (a chat message, a chat left): a shopper in a chat is not over.
    pub fn heard(&mut self, session: &SessionSubjects, heard_ms: u64) -> Result<(), Full> {
        let max = self.config.max_sessions;
        self.sites
            .target(session, heard_ms, max)?
            .timeline
            .heard(heard_ms);
        Ok(())
    }

    /// Forgets the sessions first heard more than [`PageConfig::window_ms`]
    /// before `now_ms`, and the patterns only they saw; returns how many
    /// sessions.
    pub fn sweep(&mut self, now_ms: u64) -> usize {
        let since = now_ms.saturating_sub(self.config.window_ms);
        let mut forgotten = 0;
        for site in self.sites.by_id.values_mut() {
            let before = site.sessions.len();
            site.sessions.retain(|_, t| t.first_heard_ms >= since);
            if site.sessions.len() == before {
                continue;
            }
            forgotten += before - site.sessions.len();
            let mut used = alloc::vec![false; site.table.len()];
            for view in site.sessions.values().flat_map(|t| &t.views) {
                if let Some(u) = used.get_mut(view.slot as usize) {
                    *u = true;
                }
            }
            if used.contains(&false) {
                let remap = site.table.compact(&used);
                for timeline in site.sessions.values_mut() {
                    timeline.remap(&remap);
                }
            }
        }
        self.sites.held -= forgotten;
        forgotten
    }

    /// One row per page pattern that a session of `site` in the window at
    /// `now_ms` viewed, sorted by pattern; the same inputs give the same
    /// rows in any order. Costs a walk over the site's sessions: for the
    /// service to publish now and then, not for every frame.
    pub fn stats(&self, site: &SiteId, now_ms: u64) -> Vec<PageRow> {
        let Some(site) = self.sites.by_id.get(site) else {
            return Vec::new();
        };
        let since = now_ms.saturating_sub(self.config.window_ms);
        let in_window = site.sessions.values().filter(|t| t.first_heard_ms >= since);
        stats::rows(
            &site.table,
            in_window,
            now_ms,
            self.config.session_timeout_ms,
        )
    }

    /// The sites heard of.
    pub fn sites(&self) -> impl Iterator<Item = &SiteId> {
        self.sites.by_id.keys()
    }

    /// Sessions held, over all sites.
    pub fn len(&self) -> usize {
        self.sites.held
    }

    /// Whether no session is held.
    pub fn is_empty(&self) -> bool {
        self.sites.held == 0
    }

    /// Inputs of new sessions refused because the statistics were full.
    pub fn refused(&self) -> u64 {
        self.sites.refused
    }

    /// Page views of `site` grouped into [`OVERFLOW_PATTERN`] because the
    /// site had its most patterns.
    pub fn overflowed(&self, site: &SiteId) -> u64 {
        self.sites.by_id.get(site).map_or(0, |s| s.overflowed)
    }
}

/// One site's patterns and sessions.
#[derive(Debug, Clone, Default)]
struct Site {
    table: Table,
    sessions: BTreeMap<SessionToken, Timeline>,
    /// Page views grouped into the overflow.
    overflowed: u64,
}

/// Every site's patterns and sessions, and the count of sessions over all.
#[derive(Debug, Clone, Default)]
struct Sites {
    by_id: BTreeMap<SiteId, Site>,
    /// Sessions held over all sites.
    held: usize,
    refused: u64,
}

/// What an input of one session changes: its site's patterns and its
/// timeline.
struct Target<'a> {
    table: &'a mut Table,
    overflowed: &'a mut u64,
    timeline: &'a mut Timeline,
}

impl Sites {
    /// What an input of `session` changes, its timeline made if new and
    /// fewer than `max_sessions` are held.
    fn target(
        &mut self,
        session: &SessionSubjects,
        heard_ms: u64,
        max_sessions: usize,
    ) -> Result<Target<'_>, Full> {
        let Site {
            table,
            sessions,
            overflowed,
        } = self.by_id.entry(session.site().clone()).or_default();
        let timeline = match sessions.entry(session.token().clone()) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(new) => {
                if self.held >= max_sessions {
                    self.refused += 1;
                    return Err(Full { max: max_sessions });
                }
                self.held += 1;
                new.insert(Timeline::new(heard_ms))
            }
        };
        Ok(Target {
            table,
            overflowed,
            timeline,
        })
    }
}

#[cfg(test)]
mod tests;
