//! The books on what was refused: the latest report of each intake
//! (`IntakeTotals` adds them up), the gates' counts, and how much of it
//! came in the last minute, which is what a supervisor watches for.
//!
//! Growth is counted per source, between two reports of the same intake or
//! two answers of the gates: the counts a source had when first heard are
//! not recent, and an intake that starts again (its counts back to zero)
//! adds nothing until they grow.

use std::collections::{BTreeMap, VecDeque};

use floorwalker_shared::intake::{IntakeReport, IntakeTotals};
use serde::Deserialize;

use super::Heard;

/// What counts as recent growth: the last minute.
pub const RECENT_MS: u64 = 60_000;

/// An intake not heard for this long is silent (they report every second).
pub const SILENT_AFTER_MS: u64 = 10_000;

/// Intakes kept at most: a bound on a broken bus, far above any deployment.
const MAX_INTAKES: usize = 256;

/// The longest intake name kept.
const MAX_NAME: usize = 128;

/// Reasons kept at most from the gates' answers.
const MAX_GATE_REASONS: usize = 64;

/// The longest reason name a gate may give; a longer one, or one not in
/// `snake_case`, is counted as [`OTHER`].
const MAX_GATE_REASON: usize = 48;

/// Where a gate reason that does not read is counted.
pub const OTHER: &str = "other";

/// Growth samples kept at most (a few a second for a minute).
const MAX_GROWTH: usize = 4_096;

/// The gates' counts of refused connections, by the gate's own reason
/// names (`snake_case`, as `fw.gate.status` answers them), and of those
/// admitted (for `tail --prometheus`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct GateCounts {
    /// Refusals by reason; no entry for a reason never seen.
    #[serde(default)]
    pub refused: BTreeMap<String, u64>,
    /// Shopper connections admitted.
    #[serde(default)]
    pub admitted_shoppers: u64,
}

impl GateCounts {
    /// A gate's answer, if `payload` is one; reason names that do not
    /// read are counted as [`OTHER`].
    pub fn read(payload: &[u8]) -> Option<Self> {
        let read: Self = serde_json::from_slice(payload).ok()?;
        let mut counts = Self::default();
        counts.add(&read);
        Some(counts)
    }

    /// Adds `other`'s counts to these (another gate's answer).
    pub fn add(&mut self, other: &Self) {
        add_named(&mut self.refused, &other.refused);
        self.admitted_shoppers = self
            .admitted_shoppers
            .saturating_add(other.admitted_shoppers);
    }

    /// Every refusal.
    pub fn total(&self) -> u64 {
        self.refused.values().fold(0, |a, n| a.saturating_add(*n))
    }

    /// A gate reason in words: its name without underscores.
    pub fn words(name: &str) -> String {
        name.replace('_', " ")
    }
}

/// Adds `more` to `counts` by name (a gate's reasons, its operators'
/// roles); a name that does not read, or one past [`MAX_GATE_REASONS`], is
/// counted as [`OTHER`].
fn add_named(counts: &mut BTreeMap<String, u64>, more: &BTreeMap<String, u64>) {
    for (name, n) in more {
        let readable = !name.is_empty()
            && name.len() <= MAX_GATE_REASON
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        let full = counts.len() >= MAX_GATE_REASONS && !counts.contains_key(name);
        let name = if readable && !full {
            name.as_str()
        } else {
            OTHER
        };
        let count = counts.entry(name.to_owned()).or_default();
        *count = count.saturating_add(*n);
    }
}

/// Which service refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// An intake: batches, facts, connections.
    Intake,
    /// The gate: connections.
    Gate,
}

/// One reason and how many were refused for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// Who refused.
    pub source: Source,
    /// Its stable name (`snake_case`).
    pub name: String,
    /// In a few words, for a screen.
    pub words: String,
    /// How many.
    pub n: u64,
}

/// When an intake was last heard, and its refusals then.
#[derive(Debug, Clone, Copy)]
struct Seen {
    at_ms: u64,
    refused: u64,
}

/// What was refused, as heard so far (see the module).
#[derive(Debug, Default)]
pub struct Tally {
    intake: IntakeTotals,
    intakes: BTreeMap<String, Seen>,
    gate: Option<GateCounts>,
    gate_down: Option<String>,
    down: Option<String>,
    /// Growth as it was heard: when, and by how many.
    growth: VecDeque<(u64, u64)>,
}

impl Tally {
    /// Takes in what was heard at `now_ms`.
    pub fn fold(&mut self, heard: Heard, now_ms: u64) {
        match heard {
            Heard::Intake(report) => self.intake_report(report, now_ms),
            Heard::Gate(answered) => {
                // Names checked here too, whoever built the counts.
                let mut counts = GateCounts::default();
                counts.add(&answered);
                let before = self.gate.as_ref().map(GateCounts::total);
                self.grew(before, counts.total(), now_ms);
                self.gate = Some(counts);
                self.gate_down = None;
            }
            Heard::GateDown(why) => self.gate_down = Some(why),
            Heard::Down(why) => self.down = Some(why),
        }
    }

    fn intake_report(&mut self, report: IntakeReport, now_ms: u64) {
        let known = self.intakes.contains_key(&report.instance);
        if report.instance.len() > MAX_NAME || (!known && self.intakes.len() >= MAX_INTAKES) {
            tracing::warn!(
                intakes = self.intakes.len(),
                "an intake report beyond the intakes kept; left out"
            );
            return;
        }
        self.down = None;
        let refused = report
            .refused
            .iter()
            .fold(0, |a: u64, c| a.saturating_add(c.n));
        let before = self.intakes.get(&report.instance).map(|s| s.refused);
        self.grew(before, refused, now_ms);
        self.intakes.insert(
            report.instance.clone(),
            Seen {
                at_ms: now_ms,
                refused,
            },
        );
        self.intake.note(report);
    }

    /// Notes growth from `before` to `now` (none on a source's first word).
    fn grew(&mut self, before: Option<u64>, now: u64, at_ms: u64) {
        let by = before.map_or(0, |b| now.saturating_sub(b));
        while self
            .growth
            .front()
            .is_some_and(|&(at, _)| at.saturating_add(RECENT_MS) <= at_ms)
            || self.growth.len() >= MAX_GROWTH
        {
            self.growth.pop_front();
        }
        if by > 0 {
            self.growth.push_back((at_ms, by));
        }
    }

    /// The intakes' counts added up; `None` while no intake has reported.
    pub fn intake(&self) -> Option<&IntakeTotals> {
        self.intake.heard().then_some(&self.intake)
    }

    /// How many intakes have reported.
    pub fn intakes(&self) -> usize {
        self.intakes.len()
    }

    /// The intakes not heard for [`SILENT_AFTER_MS`] at `now_ms` (their
    /// names as they gave them: sanitize to show).
    pub fn silent(&self, now_ms: u64) -> Vec<&str> {
        self.intakes
            .iter()
            .filter(|(_, seen)| seen.at_ms.saturating_add(SILENT_AFTER_MS) <= now_ms)
            .map(|(name, _)| name.as_str())
            .collect()
    }

    /// The gates' counts, as last answered; `None` until a gate answers.
    pub fn gate(&self) -> Option<&GateCounts> {
        self.gate.as_ref()
    }

    /// Why the gates did not answer the last time they were asked.
    pub fn gate_down(&self) -> Option<&str> {
        self.gate_down.as_deref()
    }

    /// Why the intakes' reports cannot be heard, until one is.
    pub fn down(&self) -> Option<&str> {
        self.down.as_deref()
    }

    /// Everything the intakes and the gates refused; `None` while neither
    /// has been heard.
    pub fn total(&self) -> Option<u64> {
        let intake = self.intake().map(IntakeTotals::total_refused);
        let gate = self.gate.as_ref().map(GateCounts::total);
        match (intake, gate) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
        }
    }

    /// How many of [`Tally::total`] were refused in the minute before
    /// `now_ms`.
    pub fn recent(&self, now_ms: u64) -> u64 {
        self.growth
            .iter()
            .filter(|&&(at, _)| at.saturating_add(RECENT_MS) > now_ms)
            .fold(0, |a, &(_, n)| a.saturating_add(n))
    }

    /// Every reason anything was refused for, most first (on a tie, the
    /// intakes' before the gate's, and the intakes' in
    /// [`floorwalker_shared::intake::Refusal::ALL`]'s order).
    pub fn reasons(&self) -> Vec<Reason> {
        let intake = self.intake.by_reason().into_iter().map(|(r, n)| Reason {
            source: Source::Intake,
            name: r.name().to_owned(),
            words: r.words().to_owned(),
            n,
        });
        let gate = self
            .gate
            .iter()
            .flat_map(|g| &g.refused)
            .filter(|&(_, &n)| n > 0)
            .map(|(name, &n)| Reason {
                source: Source::Gate,
                name: name.clone(),
                words: GateCounts::words(name),
                n,
            });
        let mut all: Vec<Reason> = intake.chain(gate).collect();
        // A stable sort keeps the intakes' order on a tie.
        all.sort_by(|a, b| b.n.cmp(&a.n).then(a.source.cmp(&b.source)));
        all
    }
}

#[cfg(test)]
mod tests {
    use floorwalker_shared::intake::{Refusal, What};

    use super::*;

    fn report(instance: &str, refusals: &[(What, Refusal, u64)]) -> Heard {
        let mut report = IntakeReport::new(instance);
        for &(what, reason, n) in refusals {
            for _ in 0..n {
                report.refuse(what, reason);
            }
        }
        Heard::Intake(report)
    }

    fn gate(refused: &[(&str, u64)]) -> Heard {
        Heard::Gate(GateCounts {
            refused: refused.iter().map(|&(k, n)| (k.to_owned(), n)).collect(),
            ..GateCounts::default()
        })
    }

    #[test]
    fn nothing_heard_is_no_figure_not_zero() {
        let mut tally = Tally::default();
        assert_eq!(tally.total(), None);
        assert!(tally.intake().is_none());
        tally.fold(Heard::GateDown("no gate".into()), 0);
        assert_eq!(tally.total(), None);
        tally.fold(report("a", &[]), 0);
        assert_eq!(tally.total(), Some(0));
        assert_eq!(tally.intakes(), 1);
    }

    #[test]
    fn the_total_adds_every_intake_and_the_gates_and_lists_the_reasons_most_first() {
        let mut tally = Tally::default();
        tally.fold(report("a", &[(What::Facts, Refusal::SessionRate, 5)]), 0);
        tally.fold(
            report(
                "b",
                &[
                    (What::Events, Refusal::SessionRate, 4),
                    (What::Events, Refusal::TooLarge, 2),
                ],
            ),
            0,
        );
        tally.fold(gate(&[("rate_limited", 2), ("no_credential", 1)]), 0);
        assert_eq!(tally.total(), Some(14));
        let reasons = tally.reasons();
        let reasons: Vec<(Source, &str, &str, u64)> = reasons
            .iter()
            .map(|r| (r.source, r.name.as_str(), r.words.as_str(), r.n))
            .collect();
        let want = [
            (Source::Intake, "session_rate", "session too fast", 9),
            (Source::Intake, "too_large", "too large", 2),
            (Source::Gate, "rate_limited", "rate limited", 2),
            (Source::Gate, "no_credential", "no credential", 1),
        ];
        assert_eq!(reasons, want);
    }

    #[test]
    fn only_growth_between_two_words_of_one_source_is_recent() {
        let mut tally = Tally::default();
        // What each source had when first heard is not recent.
        tally.fold(report("a", &[(What::Facts, Refusal::Malformed, 5)]), 1_000);
        tally.fold(gate(&[("rate_limited", 3)]), 1_000);
        assert_eq!(tally.recent(1_000), 0);
        tally.fold(report("a", &[(What::Facts, Refusal::Malformed, 7)]), 2_000);
        tally.fold(gate(&[("rate_limited", 4)]), 3_000);
        assert_eq!(tally.recent(3_000), 3);
        // An intake that starts again adds nothing until its counts grow.
        tally.fold(report("a", &[(What::Facts, Refusal::Malformed, 1)]), 4_000);
        assert_eq!(tally.recent(4_000), 3);
        tally.fold(report("a", &[(What::Facts, Refusal::Malformed, 2)]), 5_000);
        assert_eq!(tally.recent(5_000), 4);
        // A minute on, it is history.
        assert_eq!(tally.recent(2_000 + RECENT_MS), 2);
        assert_eq!(tally.recent(5_000 + RECENT_MS), 0);
        assert_eq!(tally.total(), Some(2 + 4));
    }

    #[test]
    fn an_intake_not_heard_for_ten_seconds_is_silent() {
        let mut tally = Tally::default();
        tally.fold(report("a", &[]), 0);
        tally.fold(report("b", &[]), 5_000);
        assert_eq!(tally.silent(9_999), Vec::<&str>::new());
        assert_eq!(tally.silent(SILENT_AFTER_MS), ["a"]);
    }

    #[test]
    fn gate_answers_add_up_and_names_that_do_not_read_are_other() {
        let mut counts =
            GateCounts::read(br#"{"admitted_shoppers":3,"refused":{"rate_limited":2}}"#).unwrap();
        counts.add(
            &GateCounts::read(
                br#"{"refused":{"rate_limited":1,"\u001b[2J":4,"Wrong Password":1}}"#,
            )
            .unwrap(),
        );
        assert_eq!(
            counts.refused,
            BTreeMap::from([("other".to_owned(), 5), ("rate_limited".to_owned(), 3)])
        );
        assert_eq!(counts.total(), 8);
        assert_eq!(GateCounts::read(b"not json"), None);
        // A gate with nothing refused yet has no `refused` entries.
        assert_eq!(GateCounts::read(br#"{"refused":{}}"#).unwrap().total(), 0);
    }

    #[test]
    fn intakes_beyond_the_bound_are_left_out_not_kept() {
        let mut tally = Tally::default();
        for i in 0..MAX_INTAKES + 10 {
            tally.fold(
                report(&format!("i{i}"), &[(What::Events, Refusal::Invalid, 1)]),
                0,
            );
        }
        assert_eq!(tally.intakes(), MAX_INTAKES);
        assert_eq!(tally.total(), Some(MAX_INTAKES as u64));
        tally.fold(report(&"x".repeat(MAX_NAME + 1), &[]), 0);
        assert_eq!(tally.intakes(), MAX_INTAKES);
    }
}
