//! The figures a supervisor or on-call engineer watches, computed once from
//! the [`Floor`] and the [`Desk`] so that every screen that shows one shows
//! the same number.
//!
//! [`Figures::of`] reads both at an instant ([`Service`] holds the desk's
//! part, whose definitions its module gives; [`Targets`] say when one of
//! its figures turns amber or red); [`History`] keeps one sample
//! a minute for the last [`History::MINUTES`] minutes, for the sparklines.
//! A figure with nothing to compute it from is `None`, shown as such:
//! never invented.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use crate::desk::Desk;
use crate::floor::Floor;
use crate::session::{OfferProgress, Session, State};
use crate::subject::{SessionSubjects, SiteId};

mod service;
mod targets;

pub use service::{Outcome, Service, SiteQueue, Waits, expected_wait_ms, outcomes, queue_position};
pub use targets::{Level, Levels, Limits, Targets, TargetsError};

/// A shopper idle this long with something in the cart puts the cart at risk.
pub const CART_RISK_IDLE_MS: u64 = 2 * 60_000;

/// The figures at one instant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// Shoppers online: their page is open ([`Floor::is_online`]).
    pub online: u32,
    /// Of those, with their connection dropped and coming back.
    pub reconnecting: u32,
    /// Of those, in the checkout without an order yet.
    pub in_checkout: u32,
    /// Of those, needing help: looking stuck and not yet helped (see
    /// [`crate::triage`]).
    pub stuck: u32,
    /// Carts at risk: something in the cart, no order, and the shopper
    /// idle, leaving (exit intent), in another tab or stuck.
    pub carts_at_risk: u32,
    /// The value of those carts, per currency (ISO code, minor units).
    pub at_risk_value: Vec<(String, u64)>,
    /// Offers sent to sessions on the floor.
    pub offers_sent: u32,
    /// Of those, accepted.
    pub offers_accepted: u32,
    /// Of those, declined.
    pub offers_declined: u32,
    /// Of those, unanswered past their expiry.
    pub offers_expired: u32,
    /// Offers accepted of those answered, in percent.
    pub acceptance_percent: Option<u8>,
    /// The help desk's figures.
    pub service: Service,
    /// How sessions an agent answered bought.
    pub assisted: Outcome,
    /// How the other sessions bought.
    pub unassisted: Outcome,
}

impl Figures {
    /// The figures of `floor` and `desk` at `now_ms`, every site's.
    pub fn of(floor: &Floor, desk: &Desk, now_ms: u64) -> Self {
        Self::of_site(floor, desk, now_ms, None)
    }

    /// The figures of `site`'s shoppers and chats (every site's if `None`);
    /// the agents and incidents are the desk's, shared by every site.
    pub fn of_site(floor: &Floor, desk: &Desk, now_ms: u64, site: Option<&SiteId>) -> Self {
        let mut f = Self {
            service: Service::of_site(desk, now_ms, site),
            ..Self::default()
        };
        (f.assisted, f.unassisted) = service::outcomes(floor, desk, site);
        for session in floor.sessions().filter(|s| in_site(s.subjects(), site)) {
            let state = floor.state(session, now_ms);
            for offer in &session.offers {
                f.offers_sent += 1;
                match offer.progress_at(now_ms) {
                    OfferProgress::Accepted => f.offers_accepted += 1,
                    OfferProgress::Declined => f.offers_declined += 1,
                    OfferProgress::Expired => f.offers_expired += 1,
                    OfferProgress::Sent | OfferProgress::Shown => {}
                }
            }
            // Floor::is_online, from the state worked out once.
            if !state.is_online() {
                continue;
            }
            f.online += 1;
            if state == State::Reconnecting {
                f.reconnecting += 1;
            }
            if state == State::InCheckout {
                f.in_checkout += 1;
            }
            let stuck = session.is_stuck(now_ms, floor.usual_dwell_here(session));
            if stuck && crate::triage::unhelped(state) {
                f.stuck += 1;
            }
            if at_risk(session, now_ms, stuck) {
                f.carts_at_risk += 1;
                add_value(
                    &mut f.at_risk_value,
                    &session.currency,
                    session.cart_value_minor(),
                );
            }
        }
        f.acceptance_percent =
            service::percent(f.offers_accepted, f.offers_accepted + f.offers_declined);
        f
    }
}

/// Whether `session` counts for the figures of `site` (every site: `None`).
pub(crate) fn in_site(session: &SessionSubjects, site: Option<&SiteId>) -> bool {
    site.is_none_or(|site| session.site() == site)
}

fn at_risk(session: &Session, now_ms: u64, stuck: bool) -> bool {
    session.cart_value_minor() > 0
        && session.order.is_none()
        && (stuck
            || session.hidden
            || session.exit_intent_ms.is_some()
            || session.idle_ms(now_ms) >= CART_RISK_IDLE_MS)
}

fn add_value(values: &mut Vec<(String, u64)>, currency: &str, minor: u64) {
    match values.iter_mut().find(|(c, _)| c == currency) {
        Some((_, total)) => *total = total.saturating_add(minor),
        None => values.push((currency.into(), minor)),
    }
}

/// One sample of the figures a sparkline draws.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sample {
    /// Shoppers online.
    pub online: u32,
    /// Shoppers in the checkout.
    pub in_checkout: u32,
    /// Carts at risk.
    pub carts_at_risk: u32,
    /// Shoppers waiting for an agent.
    pub waiting: u32,
    /// Offers sent so far.
    pub offers_sent: u32,
}

impl From<&Figures> for Sample {
    fn from(f: &Figures) -> Self {
        Self {
            online: f.online,
            in_checkout: f.in_checkout,
            carts_at_risk: f.carts_at_risk,
            waiting: f.service.waiting,
            offers_sent: f.offers_sent,
        }
    }
}

/// The last [`Self::MINUTES`] minutes, one sample a minute.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// (minute since the Unix epoch, its sample), oldest first.
    samples: VecDeque<(u64, Sample)>,
}

impl History {
    /// How far back the sparklines go.
    pub const MINUTES: usize = 30;

    /// Records the sample of the minute `now_ms` falls in; a later sample in
    /// the same minute replaces it. A clock that went back is ignored.
    pub fn record(&mut self, now_ms: u64, sample: Sample) {
        let minute = now_ms / 60_000;
        match self.samples.back_mut() {
            Some((last, s)) if *last == minute => *s = sample,
            Some((last, _)) if *last > minute => {}
            _ => {
                self.samples.push_back((minute, sample));
                while self.samples.len() > Self::MINUTES {
                    self.samples.pop_front();
                }
            }
        }
    }

    /// Whether the minute `now_ms` falls in (or a later one) has a sample
    /// already: a caller replaying history samples each minute once.
    pub fn sampled(&self, now_ms: u64) -> bool {
        self.samples
            .back()
            .is_some_and(|(last, _)| *last >= now_ms / 60_000)
    }

    /// One value a minute for the last [`Self::MINUTES`] minutes up to
    /// `now_ms`, oldest first; minutes without a sample read 0.
    pub fn series(&self, now_ms: u64, value: impl Fn(&Sample) -> u32) -> Vec<u64> {
        let now = now_ms / 60_000;
        let first = (now + 1).saturating_sub(Self::MINUTES as u64);
        (first..=now)
            .map(|minute| {
                self.samples
                    .iter()
                    .find(|(m, _)| *m == minute)
                    .map_or(0, |(_, s)| u64::from(value(s)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
