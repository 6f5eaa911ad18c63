//! What was refused at the door, as `tail` reports it: the intakes' and
//! the gates' counts by reason (`floorwalker::refusals`), in JSON with
//! stable names and in words for people. A service not heard from is
//! `null` and said in words, never zeros that would look like health.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use floorwalker::refusals::{Reason, Source, Tally};
use floorwalker_shared::intake::{IntakeTotals, Refusal, What};
use floorwalker_shared::sanitize::for_terminal;
use serde::Serialize;

/// Every kind of thing an intake refuses, in the order reports list them.
const WHATS: [What; 3] = [What::Events, What::Facts, What::Connections];

/// The widest a gate's reason is shown in words.
const REASON_WIDTH: usize = 48;

/// The refusals in one report. Its fields sit at the report's top level.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Refusals {
    /// Everything the intakes and the gates refused; `null` until either
    /// is heard.
    pub(crate) refused: Option<u64>,
    /// Of those, how many in the last minute.
    pub(crate) refused_last_minute: Option<u64>,
    /// The intakes' counts added up; `null` until an intake reports.
    pub(crate) intake: Option<IntakeFigures>,
    /// The gates' counts added up; `null` until a gate answers.
    pub(crate) gate: Option<GateFigures>,
    /// Every reason, most first, for the line.
    #[serde(skip)]
    reasons: Vec<Reason>,
}

/// What the intakes say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct IntakeFigures {
    /// Intakes heard since `tail` started.
    pub(crate) intakes: usize,
    /// Of those, not heard for ten seconds (they report every second).
    pub(crate) silent: usize,
    /// Event batches stored.
    pub(crate) stored_events: u64,
    /// Chat facts stored.
    pub(crate) stored_facts: u64,
    /// Everything refused.
    pub(crate) refused: u64,
    /// By reason: every reason, zero or not.
    pub(crate) refused_by_reason: BTreeMap<&'static str, u64>,
    /// By what was refused: `events`, `facts`, `connections`.
    pub(crate) refused_by_what: BTreeMap<&'static str, u64>,
}

/// What the gates say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct GateFigures {
    /// Whether a gate answered the last time they were asked (the counts
    /// are the last answered).
    pub(crate) answering: bool,
    /// Connections refused.
    pub(crate) refused: u64,
    /// By reason, as the gate names them; only reasons seen.
    pub(crate) refused_by_reason: BTreeMap<String, u64>,
}

impl Refusals {
    /// The refusals as `tally` has them at `now_ms`.
    pub(crate) fn of(tally: &Tally, now_ms: u64) -> Self {
        let total = tally.total();
        Self {
            refused: total,
            refused_last_minute: total.map(|_| tally.recent(now_ms)),
            intake: tally.intake().map(|totals| IntakeFigures {
                intakes: tally.intakes(),
                silent: tally.silent(now_ms).len(),
                stored_events: totals.stored_events(),
                stored_facts: totals.stored_facts(),
                refused: totals.total_refused(),
                refused_by_reason: Refusal::ALL
                    .into_iter()
                    .map(|r| (r.name(), by_reason(totals, r)))
                    .collect(),
                refused_by_what: WHATS
                    .into_iter()
                    .map(|w| (w.name(), by_what(totals, w)))
                    .collect(),
            }),
            gate: tally.gate().map(|gate| GateFigures {
                answering: tally.gate_down().is_none(),
                refused: gate.total(),
                refused_by_reason: gate.refused.clone(),
            }),
            reasons: tally.reasons(),
        }
    }

    /// The refusals in words: the total, then each service's reasons.
    pub(crate) fn line(&self) -> String {
        let Some(total) = self.refused else {
            return format!("refused: {NO_INTAKE}, {NO_GATE}");
        };
        let mut line = format!("refused {total}");
        if let Some(recent) = self.refused_last_minute.filter(|&n| n > 0) {
            let _ = write!(line, " (+{recent} in 1m)");
        }
        let intake = self.intake.as_ref().map_or_else(
            || NO_INTAKE.to_owned(),
            |i| {
                let mut notes = Vec::new();
                if i.silent > 0 {
                    notes.push(format!("{} of {} intakes silent", i.silent, i.intakes));
                }
                part("intake", i.refused, &self.words(Source::Intake), &notes)
            },
        );
        let gate = self.gate.as_ref().map_or_else(
            || NO_GATE.to_owned(),
            |g| {
                let notes = if g.answering {
                    Vec::new()
                } else {
                    vec!["not answering now".to_owned()]
                };
                part("gate", g.refused, &self.words(Source::Gate), &notes)
            },
        );
        let _ = write!(line, ": {intake}; {gate}");
        line
    }

    /// `source`'s reasons in words, most first: "9 session too fast".
    fn words(&self, source: Source) -> Vec<String> {
        self.reasons
            .iter()
            .filter(|r| r.source == source)
            .map(|r| format!("{} {}", r.n, for_terminal(&r.words, REASON_WIDTH)))
            .collect()
    }
}

const NO_INTAKE: &str = "no intake has reported";
const NO_GATE: &str = "no gate answered";

/// "intake 11 (9 session too fast, 2 too large; 1 of 2 intakes silent)".
fn part(who: &str, n: u64, reasons: &[String], notes: &[String]) -> String {
    let mut inside = reasons.join(", ");
    for note in notes {
        if !inside.is_empty() {
            inside.push_str("; ");
        }
        inside.push_str(note);
    }
    if inside.is_empty() {
        format!("{who} {n}")
    } else {
        format!("{who} {n} ({inside})")
    }
}

fn by_reason(totals: &IntakeTotals, reason: Refusal) -> u64 {
    WHATS
        .into_iter()
        .fold(0, |a, w| a.saturating_add(totals.refused(w, reason)))
}

fn by_what(totals: &IntakeTotals, what: What) -> u64 {
    Refusal::ALL
        .into_iter()
        .fold(0, |a, r| a.saturating_add(totals.refused(what, r)))
}

#[cfg(test)]
mod tests {
    use floorwalker::refusals::{GateCounts, Heard};
    use floorwalker_shared::intake::IntakeReport;

    use super::*;

    fn intake(name: &str, refusals: &[(What, Refusal, u64)]) -> Heard {
        let mut report = IntakeReport::new(name);
        report.stored_events = 40;
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
    fn nothing_heard_says_so_in_words_and_null_in_json() {
        let refused = Refusals::of(&Tally::default(), 0);
        assert_eq!(
            refused.line(),
            "refused: no intake has reported, no gate answered"
        );
        let json = serde_json::to_value(&refused).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"refused": null, "refused_last_minute": null, "intake": null, "gate": null})
        );
    }

    #[test]
    fn the_line_gives_each_services_reasons_in_words_most_first() {
        let mut tally = Tally::default();
        tally.fold(intake("a", &[(What::Facts, Refusal::SessionRate, 2)]), 0);
        tally.fold(gate(&[("rate_limited", 1)]), 0);
        tally.fold(
            intake(
                "a",
                &[
                    (What::Facts, Refusal::SessionRate, 9),
                    (What::Events, Refusal::TooLarge, 2),
                ],
            ),
            1_000,
        );
        tally.fold(intake("b", &[]), 1_000);
        tally.fold(gate(&[("rate_limited", 2), ("no_credential", 1)]), 2_000);
        tally.fold(Heard::GateDown("no gate answers".into()), 3_000);
        let refused = Refusals::of(&tally, 12_000);
        assert_eq!(
            refused.line(),
            "refused 14 (+11 in 1m): intake 11 (9 session too fast, 2 too large; \
             2 of 2 intakes silent); gate 3 (2 rate limited, 1 no credential; not answering now)"
        );
        let json = serde_json::to_value(&refused).unwrap();
        assert_eq!(json["refused"], 14);
        assert_eq!(json["refused_last_minute"], 11);
        let intake = &json["intake"];
        assert_eq!(intake["intakes"], 2);
        assert_eq!(intake["silent"], 2);
        assert_eq!(intake["stored_events"], 80);
        assert_eq!(intake["refused"], 11);
        assert_eq!(intake["refused_by_reason"]["session_rate"], 9);
        assert_eq!(intake["refused_by_reason"]["too_large"], 2);
        // Every reason has its field, so a program reads 0, not null.
        assert_eq!(intake["refused_by_reason"]["malformed"], 0);
        assert_eq!(
            intake["refused_by_reason"].as_object().unwrap().len(),
            Refusal::ALL.len()
        );
        assert_eq!(
            intake["refused_by_what"],
            serde_json::json!({"events": 2, "facts": 9, "connections": 0})
        );
        assert_eq!(
            json["gate"],
            serde_json::json!({"answering": false, "refused": 3,
                "refused_by_reason": {"no_credential": 1, "rate_limited": 2}})
        );
    }

    #[test]
    fn an_intake_that_refused_nothing_says_zero_and_the_missing_gate_is_named() {
        let mut tally = Tally::default();
        tally.fold(intake("a", &[]), 0);
        assert_eq!(
            Refusals::of(&tally, 0).line(),
            "refused 0: intake 0; no gate answered"
        );
    }
}
