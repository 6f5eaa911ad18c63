//! Signs that a shopper is in trouble: reaching for the tabs with a cart,
//! a stay far longer than usual, going back and forth between two
//! products. Each sign lasts only while it still says something: none once
//! the shopper has left the page (its dwell was reported) or ordered;
//! reaching for the tabs ends on the next page or after
//! [`EXIT_INTENT_FOR_MS`]; toggling ends when the shopper looks at
//! something else or has not switched for [`TOGGLING_FOR_MS`]. Whether a
//! sign makes a shopper one who needs help (not one already being helped)
//! is [`crate::triage`]'s call.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use super::Session;

/// Why a shopper looks stuck.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stuck {
    /// Reached for the tabs (about to leave) with something in the cart.
    ExitIntent {
        /// The cart's value, in minor units of the session's currency.
        cart_minor: u64,
    },
    /// On one page far longer than shoppers usually stay there.
    LongDwell {
        /// The page: its checkout step's name on a checkout page, else its
        /// path (untrusted text: sanitize before a terminal shows it).
        page: String,
        /// Time on the page so far.
        ms: u64,
        /// How long shoppers usually stay there.
        usual_ms: u64,
    },
    /// Going back and forth between two products.
    Toggling {
        /// The product returned to.
        first_sku: String,
        /// The one looked at in between.
        second_sku: String,
        /// Since the first look at the pair.
        for_ms: u64,
    },
}

/// A shopper going back and forth between two products, as far as heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toggling {
    /// The product returned to.
    pub first_sku: String,
    /// The one looked at in between.
    pub second_sku: String,
    /// When the shopper first looked at the pair (operator's clock).
    pub since_ms: u64,
    /// When they last looked at either (operator's clock).
    pub last_ms: u64,
}

impl Toggling {
    pub(super) fn holds(&self, sku: &str) -> bool {
        self.first_sku == sku || self.second_sku == sku
    }
}

/// A stay shorter than this is never called long, however brief the usual
/// stay on that page.
pub const LONG_DWELL_MIN_MS: u64 = 60_000;

/// A stay is long from this many times the usual stay on the page.
pub const LONG_DWELL_TIMES: u64 = 3;

/// Reaching for the tabs says "about to leave" for this long, then no more
/// (the shopper stayed; a long stay may say the rest). As long as a
/// shopper is kept online without a word (the floor's default).
pub const EXIT_INTENT_FOR_MS: u64 = 5 * 60_000;

/// Toggling ends when the shopper has not switched between the pair for
/// this long.
pub const TOGGLING_FOR_MS: u64 = 5 * 60_000;

impl Session {
    /// Whether the shopper is still on the page they were last seen on (a
    /// page left reports its dwell; a session seen without a page counts as
    /// on one).
    fn still_here(&self) -> bool {
        !self.page_left && self.order.is_none()
    }

    /// The cart's value, if the shopper reached for the tabs lately with
    /// something in it.
    fn exit_intent(&self, now_ms: u64) -> Option<u64> {
        let at = self.exit_intent_ms?;
        let cart = self.cart_value_minor();
        let recent = now_ms.saturating_sub(at) < EXIT_INTENT_FOR_MS;
        (self.still_here() && recent && cart > 0).then_some(cart)
    }

    /// The time on the current page at `now_ms` and the usual stay there,
    /// if the time is long against it (and the tab is in front).
    fn long_dwell(&self, now_ms: u64, usual_dwell_ms: Option<u64>) -> Option<(u64, u64)> {
        let usual_ms = usual_dwell_ms.filter(|u| *u > 0)?;
        let ms = self.on_page_ms(now_ms);
        let long = self.still_here()
            && !self.hidden
            && ms >= LONG_DWELL_MIN_MS
            && ms >= usual_ms.saturating_mul(LONG_DWELL_TIMES);
        long.then_some((ms, usual_ms))
    }

    /// The products the shopper is toggling between right now: on a page
    /// of one of them, having switched lately.
    fn open_toggling(&self, now_ms: u64) -> Option<&Toggling> {
        let t = self.toggling.as_ref()?;
        let on_pair = self.product_here.as_deref().is_some_and(|sku| t.holds(sku));
        let lately = now_ms.saturating_sub(t.last_ms) < TOGGLING_FOR_MS;
        (self.still_here() && on_pair && lately).then_some(t)
    }

    /// Whether the shopper looks stuck at `now_ms` (see [`Self::stuck`]),
    /// without saying why: what a frame asks of every session, so it
    /// allocates nothing.
    pub fn is_stuck(&self, now_ms: u64, usual_dwell_ms: Option<u64>) -> bool {
        self.exit_intent(now_ms).is_some()
            || self.open_toggling(now_ms).is_some()
            || self.long_dwell(now_ms, usual_dwell_ms).is_some()
    }

    /// How many times the usual stay on this page the shopper has been on
    /// it, in tenths (`30`: three times), when the usual is known and they
    /// are on it with the tab in front; for the score.
    pub(crate) fn dwell_tenths(&self, now_ms: u64, usual_dwell_ms: Option<u64>) -> u64 {
        match usual_dwell_ms.filter(|u| *u > 0) {
            Some(usual) if self.still_here() && !self.hidden => {
                self.on_page_ms(now_ms).saturating_mul(10) / usual
            }
            _ => 0,
        }
    }

    /// Why the shopper looks stuck at `now_ms`, most telling first; empty if
    /// they do not. `usual_dwell_ms` is how long shoppers usually stay on
    /// the current page, when enough have been seen to say.
    pub fn stuck(&self, now_ms: u64, usual_dwell_ms: Option<u64>) -> Vec<Stuck> {
        let mut why = Vec::new();
        if let Some(cart_minor) = self.exit_intent(now_ms) {
            why.push(Stuck::ExitIntent { cart_minor });
        }
        if let Some((ms, usual_ms)) = self.long_dwell(now_ms, usual_dwell_ms) {
            why.push(Stuck::LongDwell {
                page: self.page_name(),
                ms,
                usual_ms,
            });
        }
        if let Some(t) = self.open_toggling(now_ms) {
            why.push(Stuck::Toggling {
                first_sku: t.first_sku.clone(),
                second_sku: t.second_sku.clone(),
                for_ms: now_ms.saturating_sub(t.since_ms),
            });
        }
        why
    }

    /// The current page as a supervisor names it: the checkout step reached
    /// on it ("payment"), else its path.
    fn page_name(&self) -> String {
        let Some(page) = &self.page else {
            return String::new();
        };
        match &self.checkout {
            Some((_, step)) if self.checkout_page.as_ref() == Some(&page.path) => {
                // GA4's name for the first step says what happened, not where.
                if step == "begin_checkout" {
                    "checkout".to_owned()
                } else {
                    step.clone()
                }
            }
            _ => page.path.clone(),
        }
    }
}
