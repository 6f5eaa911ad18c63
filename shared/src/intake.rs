//! What the intake reports: how much of what shoppers sent it stored, and
//! what it refused and why.
//!
//! The intake (`floorwalker intake`) is the one way shoppers' bytes reach
//! the streams: it takes in every batch and chat fact a shopper publishes,
//! checks it against the schema and the bounds on what a session and an
//! address may store, and stores it or refuses it. Every refusal is counted
//! here by what was refused and why; each intake publishes its counts every
//! second on [`crate::subject::intake_report`], and the dashboard and `tail`
//! add up the latest report of each ([`IntakeTotals`]).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

/// What a shopper sent that the intake refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum What {
    /// An event batch.
    Events,
    /// A chat fact.
    Facts,
    /// A connection, closed by the server (for a payload over its limit,
    /// say): heard from the server's disconnect advisories.
    Connections,
}

impl What {
    /// The name in reports and `tail --json`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Events => "events",
            Self::Facts => "facts",
            Self::Connections => "connections",
        }
    }
}

/// Why the intake refused something a shopper sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Not JSON of the schema.
    Malformed,
    /// JSON of the schema that broke one of its rules (a field too long,
    /// another schema version).
    Invalid,
    /// Larger than a reader accepts.
    TooLarge,
    /// Faster than one session may send.
    SessionRate,
    /// Faster than all the sessions of one address together may send.
    AddressRate,
    /// More than one session may store in a day.
    SessionQuota,
    /// More than all the sessions of one address may store in a day.
    AddressQuota,
    /// The stream would not store it (full, or unreachable).
    NotStored,
    /// The server closed the connection for a message over its maximum
    /// payload.
    PayloadTooLarge,
    /// The server closed the connection for another protocol violation.
    ProtocolViolation,
}

impl Refusal {
    /// Every reason, in the order screens list them.
    pub const ALL: [Self; 10] = [
        Self::Malformed,
        Self::Invalid,
        Self::TooLarge,
        Self::SessionRate,
        Self::AddressRate,
        Self::SessionQuota,
        Self::AddressQuota,
        Self::NotStored,
        Self::PayloadTooLarge,
        Self::ProtocolViolation,
    ];

    /// The name in reports and `tail --json`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::Invalid => "invalid",
            Self::TooLarge => "too_large",
            Self::SessionRate => "session_rate",
            Self::AddressRate => "address_rate",
            Self::SessionQuota => "session_quota",
            Self::AddressQuota => "address_quota",
            Self::NotStored => "not_stored",
            Self::PayloadTooLarge => "payload_too_large",
            Self::ProtocolViolation => "protocol_violation",
        }
    }

    /// A few words for a screen.
    pub fn words(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::Invalid => "invalid",
            Self::TooLarge => "too large",
            Self::SessionRate => "session too fast",
            Self::AddressRate => "address too fast",
            Self::SessionQuota => "session over quota",
            Self::AddressQuota => "address over quota",
            Self::NotStored => "not stored",
            Self::PayloadTooLarge => "payload too large",
            Self::ProtocolViolation => "protocol violation",
        }
    }
}

/// How many of one kind of thing were refused for one reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// What was refused.
    pub what: What,
    /// Why.
    pub reason: Refusal,
    /// How many, since the intake started.
    pub n: u64,
}

/// One intake's counts since it started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeReport {
    /// Which intake (several may share the work).
    pub instance: String,
    /// Event batches stored.
    pub stored_events: u64,
    /// Chat facts stored (a resend the stream already had counts once).
    pub stored_facts: u64,
    /// What was refused, by what and why; no entry for a count of zero.
    pub refused: Vec<Count>,
}

impl IntakeReport {
    /// An empty report from `instance`.
    pub fn new(instance: &str) -> Self {
        Self {
            instance: instance.into(),
            ..Self::default()
        }
    }

    /// Counts one refusal.
    pub fn refuse(&mut self, what: What, reason: Refusal) {
        match self
            .refused
            .iter_mut()
            .find(|c| c.what == what && c.reason == reason)
        {
            Some(count) => count.n += 1,
            None => self.refused.push(Count { what, reason, n: 1 }),
        }
    }

    /// How many of `what` were refused for `reason`.
    pub fn refused(&self, what: What, reason: Refusal) -> u64 {
        self.refused
            .iter()
            .filter(|c| c.what == what && c.reason == reason)
            .map(|c| c.n)
            .sum()
    }
}

/// The latest report of every intake, added up: what the dashboard and
/// `tail` show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntakeTotals {
    latest: BTreeMap<String, IntakeReport>,
}

impl IntakeTotals {
    /// Keeps `report` as its intake's latest (counts only grow, so the
    /// latest replaces the one before).
    pub fn note(&mut self, report: IntakeReport) {
        self.latest.insert(report.instance.clone(), report);
    }

    /// Whether any intake has reported.
    pub fn heard(&self) -> bool {
        !self.latest.is_empty()
    }

    /// Event batches stored, by every intake.
    pub fn stored_events(&self) -> u64 {
        self.latest.values().map(|r| r.stored_events).sum()
    }

    /// Chat facts stored, by every intake.
    pub fn stored_facts(&self) -> u64 {
        self.latest.values().map(|r| r.stored_facts).sum()
    }

    /// How many of `what` were refused for `reason`, by every intake.
    pub fn refused(&self, what: What, reason: Refusal) -> u64 {
        self.latest.values().map(|r| r.refused(what, reason)).sum()
    }

    /// Everything refused, by reason (whatever was refused), in
    /// [`Refusal::ALL`]'s order; reasons never seen are left out.
    pub fn by_reason(&self) -> Vec<(Refusal, u64)> {
        Refusal::ALL
            .into_iter()
            .map(|reason| {
                let n = self
                    .latest
                    .values()
                    .flat_map(|r| &r.refused)
                    .filter(|c| c.reason == reason)
                    .map(|c| c.n)
                    .sum();
                (reason, n)
            })
            .filter(|&(_, n)| n > 0)
            .collect()
    }

    /// Everything refused.
    pub fn total_refused(&self) -> u64 {
        self.by_reason().iter().map(|&(_, n)| n).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_add_up_the_latest_report_of_each_intake() {
        let mut a = IntakeReport::new("a");
        a.stored_events = 10;
        a.refuse(What::Facts, Refusal::SessionRate);
        a.refuse(What::Facts, Refusal::SessionRate);
        let mut b = IntakeReport::new("b");
        b.stored_facts = 3;
        b.refuse(What::Events, Refusal::SessionRate);
        b.refuse(What::Events, Refusal::Malformed);
        let mut totals = IntakeTotals::default();
        assert!(!totals.heard());
        totals.note(a.clone());
        totals.note(b);
        // A later report from `a` replaces its earlier one.
        a.refuse(What::Facts, Refusal::SessionRate);
        totals.note(a);
        assert_eq!(totals.stored_events(), 10);
        assert_eq!(totals.stored_facts(), 3);
        assert_eq!(totals.refused(What::Facts, Refusal::SessionRate), 3);
        assert_eq!(
            totals.by_reason(),
            [(Refusal::Malformed, 1), (Refusal::SessionRate, 4)]
        );
        assert_eq!(totals.total_refused(), 5);
    }

    #[test]
    fn reports_read_back_with_stable_names() {
        let mut report = IntakeReport::new("i1");
        report.refuse(What::Connections, Refusal::PayloadTooLarge);
        let json = serde_json::to_string(&report).unwrap();
        assert!(
            json.contains(r#"{"what":"connections","reason":"payload_too_large","n":1}"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<IntakeReport>(&json).unwrap(), report);
        for reason in Refusal::ALL {
            let named = serde_json::to_string(&reason).unwrap();
            assert_eq!(named, alloc::format!("\"{}\"", reason.name()));
        }
    }
}
