//! The figures `floorwalker tail --prometheus` serves to Prometheus, in the
//! OpenMetrics text format (docs/METRICS.md lists every metric).
//!
//! [`encode`] writes one exposition from what `tail` has folded (a
//! [`Scrape`]): the floor's and the desk's figures, computed once in
//! `floorwalker_shared::metrics` (and the staffing advice,
//! `floorwalker_shared::staffing`, by [`staffing`]) exactly as `tail`
//! prints them, per site
//! where they are a site's (label `site`) and for the whole desk where
//! agents and incidents are shared; what the intakes and the gates refused,
//! by reason (label `reason`), and what the gates admitted
//! ([`crate::refusals`]); and what the chat routers did, from the reports
//! they publish every second ([`routers`]). The exposition is built afresh
//! on every scrape and written by Prometheus's own client
//! (`prometheus-client`, as a collector of constant metrics), so a site
//! that left the floor leaves the exposition too. [`serve`] answers
//! `GET /metrics` over HTTP (axum) by asking `tail` for a fresh exposition.
//!
//! The families are written by `floor` (the floor's and the desk's
//! figures) and `services` (the intakes', gates' and routers' counters)
//! into a `book`, which prometheus-client encodes.
//!
//! Counters count since the service that reports them started, added up
//! over every instance heard (Prometheus's `rate` and `increase` handle a
//! restart's reset); figures of the desk's window (the last hour) are
//! gauges. A figure with nothing to compute it from (no chat answered yet:
//! no average answer time) is left out, never 0, as `tail` shows "–"; a
//! service never heard has no counters at all, only its gauge of instances
//! heard, at 0.

mod book;
mod floor;
pub mod routers;
pub mod serve;
mod services;

use floorwalker_shared::desk::Desk;
use floorwalker_shared::floor::Floor;
use floorwalker_shared::metrics::Targets;
use floorwalker_shared::router::RouterTotals;
use floorwalker_shared::staffing::Advice;
use floorwalker_shared::subject::SiteId;
use prometheus_client::encoding::text;
use prometheus_client::registry::Registry;

use crate::refusals::Tally;

/// The HTTP content type of an exposition.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// What every metric's name starts with (`floorwalker_`).
pub const PREFIX: &str = "floorwalker";

/// What `tail` has folded, at one instant.
#[derive(Debug)]
pub struct Scrape<'a> {
    /// Every shopper session, from `EVENTS` and presence.
    pub floor: &'a Floor,
    /// Every chat, agent and incident, from `AUDIT`.
    pub desk: &'a Desk,
    /// What the intakes and the gates said.
    pub tally: &'a Tally,
    /// What the routers said.
    pub routers: &'a RouterTotals,
    /// The one site reported (`--site`), or every site.
    pub site: Option<&'a SiteId>,
    /// Facts in `AUDIT` and batches in `EVENTS` that `tail` could not read.
    pub unreadable: (u64, u64),
    /// Now, in ms since the Unix epoch.
    pub now_ms: u64,
}

/// The staffing advice `tail` prints and serves, for the chats of `site`
/// (every site's if `None`): for the default service-level target's share
/// (80%) answered within the desk's time (`tail --service-level-secs`).
pub fn staffing(desk: &Desk, now_ms: u64, site: Option<&SiteId>) -> Advice {
    let target = Targets::default().staffing_target(desk.config().service_level_ms);
    Advice::of_site(desk, now_ms, site, target)
}

/// The exposition of `scrape`, ending in `# EOF`.
pub fn encode(scrape: &Scrape<'_>) -> String {
    let mut book = book::Book::default();
    floor::floor_and_desk(&mut book, scrape);
    services::refusals(&mut book, scrape.tally, scrape.now_ms);
    services::routers(&mut book, scrape.routers, scrape.now_ms);
    let mut registry = Registry::with_prefix(PREFIX);
    registry.register_collector(Box::new(book));
    let mut out = String::new();
    // Writing to a String does not fail.
    let _ = text::encode(&mut out, &registry);
    out
}

#[cfg(test)]
mod tests;
