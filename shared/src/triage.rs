//! Who needs help: which shoppers a supervisor should look at, why, and
//! who first. The dashboard's flag, its Why column and journey, its "needs
//! help" sort and filter, and the header's count all read it, so they
//! agree.
//!
//! A shopper **needs help** when they show a sign of trouble
//! ([`Session::stuck`]: reaching for the tabs with a cart, a stay far
//! longer than usual on the page, going back and forth between two
//! products) and nobody is helping them yet: their state is browsing or
//! checkout. A shopper chatting, queued for a chat, with an offer waiting
//! for an answer, who declined an offer, who ordered or who left is never
//! flagged, whatever they do. [`describe`] puts a reason in words
//! ("toggling 2 products for 4m", "on payment 3x usual dwell", "exit intent
//! with €149.00 cart").
//!
//! The **needs help score** ([`score`]) orders shoppers, highest first. A
//! shopper already helped scores 0; any other adds up, in whole points:
//!
//! | part | points |
//! | --- | --- |
//! | flagged | 200 for any reason, so that every flagged shopper ranks above every shopper not flagged |
//! | cart value | 1 per 10 whole units of the cart's currency (€149 → 14), at most 50 |
//! | checkout stage | 10 per checkout step reached, no order yet (payment, step 3 → 30), at most 40 |
//! | past the usual dwell | 10 per whole usual stay on the page beyond the first (3x → 20), at most 50; 0 while the usual is unknown, the tab is behind or the page was left |
//! | time since the last offer | minus 30 just after an offer, 3 less for each whole minute since, 0 from 10 minutes |
//!
//! Every part moves in steps (a whole usual stay, a whole minute), so rows
//! sorted by it keep their places between frames.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::floor::Floor;
use crate::money::{major_units, money};
use crate::session::{Session, State, Stuck};

/// Points for being flagged at all.
pub const FLAGGED_POINTS: u32 = 200;

/// Most points for the cart's value.
pub const MAX_CART_POINTS: u32 = 50;

/// Points per checkout step reached.
pub const CHECKOUT_STEP_POINTS: u32 = 10;

/// Most points for the checkout stage.
pub const MAX_CHECKOUT_POINTS: u32 = 40;

/// Points per whole usual stay beyond the first.
pub const DWELL_POINTS: u32 = 10;

/// Most points for the time on the page.
pub const MAX_DWELL_POINTS: u32 = 50;

/// Points taken off just after an offer.
pub const OFFER_POINTS: u32 = 30;

/// Minutes after an offer until it takes nothing off.
pub const OFFER_MINUTES: u64 = 10;

/// A shopper's needs help score, part by part (see the module doc).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Score {
    /// For being flagged.
    pub flagged: u32,
    /// For the cart's value.
    pub cart: u32,
    /// For the checkout stage.
    pub checkout: u32,
    /// For the time on the page against its usual.
    pub dwell: u32,
    /// Taken off for a recent offer.
    pub offer: u32,
}

impl Score {
    /// The score: the parts added, the offer's taken off.
    pub fn total(self) -> u32 {
        (self.flagged + self.cart + self.checkout + self.dwell).saturating_sub(self.offer)
    }
}

impl fmt::Display for Score {
    /// `234 = flagged 200 + cart 14 + checkout 20`: the parts that count.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.total())?;
        let mut sign = " = ";
        for (name, points) in [
            ("flagged", self.flagged),
            ("cart", self.cart),
            ("checkout", self.checkout),
            ("dwell", self.dwell),
        ] {
            if points > 0 {
                write!(f, "{sign}{name} {points}")?;
                sign = " + ";
            }
        }
        if self.offer > 0 {
            write!(f, " − recent offer {}", self.offer)?;
        }
        Ok(())
    }
}

/// Whether a shopper in `state` is one nobody is helping yet.
pub fn unhelped(state: State) -> bool {
    matches!(state, State::Browsing | State::InCheckout)
}

/// Whether `session` needs help at `now_ms` (see the module doc); allocates
/// nothing, as a frame asks it of every session.
pub fn needs_help(floor: &Floor, session: &Session, now_ms: u64) -> bool {
    needs_help_in(floor, session, floor.state(session, now_ms), now_ms)
}

/// [`needs_help`] for a caller that knows the session's `state` already
/// (a frame works it out once per session).
pub fn needs_help_in(floor: &Floor, session: &Session, state: State, now_ms: u64) -> bool {
    unhelped(state) && session.is_stuck(now_ms, floor.usual_dwell_here(session))
}

/// Why `session` needs help at `now_ms`, most telling first; empty if it
/// does not (or is being helped).
pub fn reasons(floor: &Floor, session: &Session, now_ms: u64) -> Vec<Stuck> {
    if unhelped(floor.state(session, now_ms)) {
        session.stuck(now_ms, floor.usual_dwell_here(session))
    } else {
        Vec::new()
    }
}

/// `session`'s needs help score at `now_ms` (see the module doc);
/// allocates nothing.
pub fn score(floor: &Floor, session: &Session, now_ms: u64) -> Score {
    score_in(floor, session, floor.state(session, now_ms), now_ms)
}

/// [`score`] for a caller that knows the session's `state` already.
pub fn score_in(floor: &Floor, session: &Session, state: State, now_ms: u64) -> Score {
    if !unhelped(state) {
        return Score::default();
    }
    let usual = floor.usual_dwell_here(session);
    let points = |n: u64, each: u32, max: u32| {
        u32::try_from(n)
            .unwrap_or(u32::MAX)
            .saturating_mul(each)
            .min(max)
    };
    let step = session
        .checkout
        .as_ref()
        .filter(|_| session.in_checkout())
        .map_or(0, |(step, _)| u64::from(*step));
    let beyond_first = (session.dwell_tenths(now_ms, usual) / 10).saturating_sub(1);
    let offer = session.offers.last().map_or(0, |o| {
        let minutes = now_ms.saturating_sub(o.sent_ms) / 60_000;
        points(OFFER_MINUTES.saturating_sub(minutes), 3, OFFER_POINTS)
    });
    Score {
        flagged: if session.is_stuck(now_ms, usual) {
            FLAGGED_POINTS
        } else {
            0
        },
        cart: points(
            major_units(session.cart_value_minor(), &session.currency) / 10,
            1,
            MAX_CART_POINTS,
        ),
        checkout: points(step, CHECKOUT_STEP_POINTS, MAX_CHECKOUT_POINTS),
        dwell: points(beyond_first, DWELL_POINTS, MAX_DWELL_POINTS),
        offer,
    }
}

/// A reason in words, short enough for a column: "exit intent with €149.00
/// cart", "on payment 3x usual dwell", "toggling 2 products for 4m".
/// Untrusted text inside (a page's path): sanitize before a terminal shows
/// it.
pub fn describe(reason: &Stuck, currency: &str) -> String {
    match reason {
        Stuck::ExitIntent { cart_minor } => {
            format!("exit intent with {} cart", money(*cart_minor, currency))
        }
        Stuck::LongDwell { page, ms, usual_ms } => {
            format!("on {page} {}x usual dwell", ms / (*usual_ms).max(1))
        }
        Stuck::Toggling { for_ms, .. } => {
            format!("toggling 2 products for {}", about(*for_ms))
        }
    }
}

/// `ms` in its largest unit, for a reason: `40s`, `4m`, `1h05m`.
fn about(ms: u64) -> String {
    let s = ms / 1_000;
    match s {
        0..60 => format!("{s}s"),
        60..3_600 => format!("{}m", s / 60),
        _ => format!("{}h{:02}m", s / 3_600, s % 3_600 / 60),
    }
}

#[cfg(test)]
mod tests;
