//! What the chat router reports: what it did since it started, published
//! every second on [`crate::subject::router_report`] so that `tail
//! --prometheus` can export it (and an on-call engineer see that a router
//! is alive). [`RouterTotals`] adds up the latest report of each router,
//! as [`crate::intake::IntakeTotals`] does for the intakes.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

/// One router's counts since it started; every count only grows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouterReport {
    /// Which router.
    pub instance: String,
    /// Pushes sent to shoppers (queue news, who joined, messages, surveys,
    /// transcripts).
    pub pushes: u64,
    /// Chat facts read from `AUDIT` and folded into its desk.
    pub facts_read: u64,
    /// Chat facts of `AUDIT` it could not read (malformed, or not fitting
    /// the desk).
    pub facts_refused: u64,
    /// Its own facts (lost, gone, incident) the stream stored.
    pub facts_recorded: u64,
    /// Its own facts the stream did not store (it tries again later).
    pub facts_not_recorded: u64,
    /// Agents found lost (silent past the agent timeout).
    pub agents_lost: u64,
    /// Shoppers found gone (silent past the shopper timeout).
    pub shoppers_gone: u64,
    /// Incidents opened (a shopper's "No" in the survey).
    pub incidents: u64,
}

impl RouterReport {
    /// An empty report from `instance`.
    pub fn new(instance: &str) -> Self {
        Self {
            instance: instance.into(),
            ..Self::default()
        }
    }

    /// Adds `other`'s counts to these, saturating.
    fn add(&mut self, other: &Self) {
        let pairs = [
            (&mut self.pushes, other.pushes),
            (&mut self.facts_read, other.facts_read),
            (&mut self.facts_refused, other.facts_refused),
            (&mut self.facts_recorded, other.facts_recorded),
            (&mut self.facts_not_recorded, other.facts_not_recorded),
            (&mut self.agents_lost, other.agents_lost),
            (&mut self.shoppers_gone, other.shoppers_gone),
            (&mut self.incidents, other.incidents),
        ];
        for (sum, n) in pairs {
            *sum = sum.saturating_add(n);
        }
    }
}

/// The latest report of every router heard, with when it was heard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouterTotals {
    latest: BTreeMap<String, (RouterReport, u64)>,
}

impl RouterTotals {
    /// Routers kept at most: a bound on a broken bus.
    pub const MAX_ROUTERS: usize = 256;

    /// A router not heard for this long is silent (they report every
    /// second).
    pub const SILENT_AFTER_MS: u64 = 10_000;

    /// Keeps `report`, heard at `now_ms`, as its router's latest. A router
    /// not yet known past [`Self::MAX_ROUTERS`] is ignored.
    pub fn note(&mut self, report: RouterReport, now_ms: u64) {
        if self.latest.len() >= Self::MAX_ROUTERS && !self.latest.contains_key(&report.instance) {
            return;
        }
        self.latest
            .insert(report.instance.clone(), (report, now_ms));
    }

    /// Routers heard.
    pub fn routers(&self) -> usize {
        self.latest.len()
    }

    /// The routers not heard for [`Self::SILENT_AFTER_MS`] at `now_ms`.
    pub fn silent(&self, now_ms: u64) -> Vec<&str> {
        self.latest
            .iter()
            .filter(|(_, (_, at))| now_ms.saturating_sub(*at) >= Self::SILENT_AFTER_MS)
            .map(|(name, _)| name.as_str())
            .collect()
    }

    /// Every router's counts added up (`instance` empty); `None` until one
    /// is heard.
    pub fn total(&self) -> Option<RouterReport> {
        if self.latest.is_empty() {
            return None;
        }
        let mut total = RouterReport::default();
        for (report, _) in self.latest.values() {
            total.add(report);
        }
        Some(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_add_up_the_latest_report_of_each_router_and_name_the_silent() {
        let mut totals = RouterTotals::default();
        assert_eq!(totals.total(), None);
        let mut a = RouterReport::new("a");
        a.pushes = 3;
        totals.note(a.clone(), 0);
        let mut b = RouterReport::new("b");
        b.pushes = 1;
        b.facts_recorded = 2;
        totals.note(b, 5_000);
        // A later report from `a` replaces its earlier one.
        a.pushes = 7;
        a.incidents = 1;
        totals.note(a, 1_000);
        let total = totals.total().unwrap();
        assert_eq!(
            (total.pushes, total.facts_recorded, total.incidents),
            (8, 2, 1)
        );
        assert_eq!(totals.routers(), 2);
        assert_eq!(totals.silent(11_000), ["a"]);
        assert!(totals.silent(10_999).is_empty());
    }

    #[test]
    fn a_report_reads_back_as_written() {
        let mut report = RouterReport::new("router-1");
        report.facts_read = 12;
        let json = serde_json::to_string(&report).unwrap();
        assert_eq!(serde_json::from_str::<RouterReport>(&json).unwrap(), report);
    }
}
