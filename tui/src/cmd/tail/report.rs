//! One report of the live figures, as `tail` prints it: a line for people
//! or a JSON object for programs. The figures are `floorwalker_shared`'s
//! (`metrics::Figures`, and `staffing::Advice` for the agents needed), so
//! they are the ones the dashboard shows.

use std::fmt::Write as _;

use floorwalker::format::{duration, money};
use floorwalker_shared::metrics::Figures;
use floorwalker_shared::staffing::Advice;
use serde::Serialize;

use super::refused::Refusals;

/// The waiting chats of one site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct SiteReport {
    pub(crate) site: String,
    pub(crate) waiting: u32,
    pub(crate) longest_wait_ms: u64,
}

/// The figures at one instant; times in ms, shares in whole percent,
/// money in minor units. A figure with nothing to compute it from is
/// `null`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Report {
    /// When, in ms since the Unix epoch.
    pub(crate) at_ms: u64,
    pub(crate) online: u32,
    /// Of those online, with their connection dropped and coming back.
    pub(crate) reconnecting: u32,
    pub(crate) in_checkout: u32,
    pub(crate) waiting: u32,
    pub(crate) longest_wait_ms: u64,
    pub(crate) queues: Vec<SiteReport>,
    pub(crate) active_chats: u32,
    pub(crate) answered: u32,
    pub(crate) abandoned: u32,
    pub(crate) average_answer_ms: Option<u64>,
    pub(crate) first_response_p50_ms: Option<u64>,
    pub(crate) first_response_p90_ms: Option<u64>,
    pub(crate) response_p50_ms: Option<u64>,
    pub(crate) response_p90_ms: Option<u64>,
    pub(crate) abandonment_pct: Option<u8>,
    pub(crate) service_level_pct: Option<u8>,
    pub(crate) service_level_target_ms: u64,
    pub(crate) agents_available: u32,
    pub(crate) agents_busy: u32,
    pub(crate) agents_away: u32,
    pub(crate) utilisation_pct: Option<u8>,
    /// Agents needed now for the service-level target
    /// (`floorwalker_shared::staffing`); `null` until a chat has ended in
    /// the last hour.
    pub(crate) agents_needed: Option<u32>,
    /// Agents online who take chats, busy or not: what the desk has
    /// against `agents_needed` (`agents_available` counts only those with
    /// room for another chat).
    pub(crate) agents_on_duty: u32,
    pub(crate) surveys: u32,
    pub(crate) csat_pct: Option<u8>,
    pub(crate) offers_sent: u32,
    pub(crate) offer_acceptance_pct: Option<u8>,
    pub(crate) conversion_assisted_pct: Option<u8>,
    pub(crate) conversion_unassisted_pct: Option<u8>,
    pub(crate) currency: Option<String>,
    pub(crate) average_order_assisted_minor: Option<u64>,
    pub(crate) average_order_unassisted_minor: Option<u64>,
    /// Orders in another currency than `currency`: in the conversion
    /// figures, not in the averages.
    pub(crate) orders_other_currency: u64,
    pub(crate) incidents_open: u32,
    pub(crate) incidents_waiting: u32,
    /// Chat facts in `AUDIT` that `tail` could not read (malformed, or not
    /// fitting the desk), and shopper batches in `EVENTS`.
    pub(crate) facts_refused: u64,
    pub(crate) batches_refused: u64,
    /// What the intakes and the gates refused, by reason.
    #[serde(flatten)]
    pub(crate) refusals: Refusals,
}

impl Report {
    pub(crate) fn new(
        f: &Figures,
        staffing: &Advice,
        service_level_target_ms: u64,
        (facts_refused, batches_refused): (u64, u64),
        at_ms: u64,
    ) -> Self {
        let s = &f.service;
        let currency = f
            .assisted
            .main_currency()
            .or_else(|| f.unassisted.main_currency())
            .map(str::to_owned);
        let aov = |o: &floorwalker_shared::metrics::Outcome| {
            currency.as_deref().and_then(|c| o.average_order_minor(c))
        };
        Self {
            at_ms,
            online: f.online,
            reconnecting: f.reconnecting,
            in_checkout: f.in_checkout,
            waiting: s.waiting,
            longest_wait_ms: s.longest_wait_ms,
            queues: s
                .queues
                .iter()
                .map(|q| SiteReport {
                    site: q.site.to_string(),
                    waiting: q.waiting,
                    longest_wait_ms: q.longest_wait_ms,
                })
                .collect(),
            active_chats: s.active,
            answered: s.answered,
            abandoned: s.abandoned,
            average_answer_ms: s.average_answer_ms,
            first_response_p50_ms: s.first_response_ms.map(|(p50, _)| p50),
            first_response_p90_ms: s.first_response_ms.map(|(_, p90)| p90),
            response_p50_ms: s.response_ms.map(|(p50, _)| p50),
            response_p90_ms: s.response_ms.map(|(_, p90)| p90),
            abandonment_pct: s.abandonment_percent,
            service_level_pct: s.service_level_percent,
            service_level_target_ms,
            agents_available: s.agents_available,
            agents_busy: s.agents_busy,
            agents_away: s.agents_away,
            utilisation_pct: s.utilisation_percent,
            agents_needed: staffing.needed,
            agents_on_duty: staffing.have,
            surveys: s.surveys,
            csat_pct: s.csat_percent,
            offers_sent: f.offers_sent,
            offer_acceptance_pct: f.acceptance_percent,
            conversion_assisted_pct: f.assisted.conversion_percent(),
            conversion_unassisted_pct: f.unassisted.conversion_percent(),
            average_order_assisted_minor: aov(&f.assisted),
            average_order_unassisted_minor: aov(&f.unassisted),
            orders_other_currency: currency.as_deref().map_or(0, |c| {
                f.assisted.orders_not_in(c) + f.unassisted.orders_not_in(c)
            }),
            currency,
            incidents_open: s.incidents_open,
            incidents_waiting: s.incidents_waiting,
            facts_refused,
            batches_refused,
            refusals: Refusals::default(),
        }
    }

    /// The report as one JSON line.
    pub(crate) fn json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The report as one line for people.
    pub(crate) fn line(&self) -> String {
        let ms = |v: Option<u64>| v.map_or_else(|| "–".to_owned(), duration);
        let pct = |v: Option<u8>| v.map_or_else(|| "–".to_owned(), |p| format!("{p}%"));
        let pair = |a: Option<u64>, b: Option<u64>| format!("{}/{}", ms(a), ms(b));
        let at =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.at_ms) * 1_000_000)
                .map_or_else(
                    |_| self.at_ms.to_string(),
                    |t| format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second()),
                );
        let mut line = format!(
            "{at} queue {} (longest {}) · ASA {} · FRT {} · resp {} · SL {} · abandoned {} · \
             agents {} avail {} busy {} away · agents needed {} ({} on duty) · util {} · CSAT {} ({}) · \
             online {} · offers {} accepted",
            self.waiting,
            if self.waiting == 0 {
                "–".to_owned()
            } else {
                duration(self.longest_wait_ms)
            },
            ms(self.average_answer_ms),
            pair(self.first_response_p50_ms, self.first_response_p90_ms),
            pair(self.response_p50_ms, self.response_p90_ms),
            pct(self.service_level_pct),
            pct(self.abandonment_pct),
            self.agents_available,
            self.agents_busy,
            self.agents_away,
            self.agents_needed
                .map_or_else(|| "–".to_owned(), |n| n.to_string()),
            self.agents_on_duty,
            pct(self.utilisation_pct),
            pct(self.csat_pct),
            self.surveys,
            if self.reconnecting > 0 {
                format!("{} ({} reconnecting)", self.online, self.reconnecting)
            } else {
                self.online.to_string()
            },
            pct(self.offer_acceptance_pct),
        );
        let _ = write!(
            line,
            " · conversion {} assisted / {} not",
            pct(self.conversion_assisted_pct),
            pct(self.conversion_unassisted_pct)
        );
        if let Some(currency) = &self.currency {
            let aov = |v: Option<u64>| v.map_or_else(|| "–".to_owned(), |m| money(m, currency));
            let _ = write!(
                line,
                " · AOV {} / {}",
                aov(self.average_order_assisted_minor),
                aov(self.average_order_unassisted_minor)
            );
            if self.orders_other_currency > 0 {
                let _ = write!(
                    line,
                    " (+{} orders in other currencies)",
                    self.orders_other_currency
                );
            }
        }
        if self.facts_refused + self.batches_refused > 0 {
            let _ = write!(
                line,
                " · unreadable {} facts, {} batches",
                self.facts_refused, self.batches_refused
            );
        }
        if self.incidents_open > 0 {
            let _ = write!(
                line,
                " · incidents {} ({} untaken)",
                self.incidents_open, self.incidents_waiting
            );
        }
        let _ = write!(line, " · {}", self.refusals.line());
        line
    }
}
