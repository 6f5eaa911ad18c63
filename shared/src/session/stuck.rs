//! Why a shopper looks stuck: a long stay, toggling between products, or
//! about to leave the checkout.

use alloc::string::String;
use alloc::vec::Vec;

use super::Session;

/// Why a shopper looks stuck.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stuck {
    /// On one page far longer than shoppers usually stay there.
    LongDwell {
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
    },
    /// About to leave (the pointer went for the tabs) during checkout.
    ExitInCheckout,
}

impl Session {
    /// The time on the current page at `now_ms` and the usual stay there,
    /// if the time is long against it (and the tab is in front).
    fn long_dwell(&self, now_ms: u64, usual_dwell_ms: Option<u64>) -> Option<(u64, u64)> {
        let usual_ms = usual_dwell_ms?;
        let ms = self.on_page_ms(now_ms);
        let long = !self.hidden && ms >= LONG_DWELL_MIN_MS && ms >= usual_ms.saturating_mul(3);
        long.then_some((ms, usual_ms))
    }

    /// The products the shopper toggles between, while no order is placed.
    fn open_toggling(&self) -> Option<&(String, String)> {
        self.toggling.as_ref().filter(|_| self.order.is_none())
    }

    fn exit_in_checkout(&self) -> bool {
        self.in_checkout() && self.exit_intent_ms.is_some()
    }

    /// Whether the shopper looks stuck at `now_ms` (see [`Self::stuck`]),
    /// without saying why: what a frame asks of every session, so it
    /// allocates nothing.
    pub fn is_stuck(&self, now_ms: u64, usual_dwell_ms: Option<u64>) -> bool {
        self.exit_in_checkout()
            || self.open_toggling().is_some()
            || self.long_dwell(now_ms, usual_dwell_ms).is_some()
    }

    /// Why the shopper looks stuck at `now_ms`, most telling first; empty if
    /// they do not. `usual_dwell_ms` is how long shoppers usually stay on
    /// the current page, when enough have been seen to say.
    pub fn stuck(&self, now_ms: u64, usual_dwell_ms: Option<u64>) -> Vec<Stuck> {
        let mut why = Vec::new();
        if self.exit_in_checkout() {
            why.push(Stuck::ExitInCheckout);
        }
        if let Some((ms, usual_ms)) = self.long_dwell(now_ms, usual_dwell_ms) {
            why.push(Stuck::LongDwell { ms, usual_ms });
        }
        if let Some((first_sku, second_sku)) = self.open_toggling() {
            why.push(Stuck::Toggling {
                first_sku: first_sku.clone(),
                second_sku: second_sku.clone(),
            });
        }
        why
    }
}

/// A stay shorter than this is never called long, however brief the usual
/// stay on that page.
pub const LONG_DWELL_MIN_MS: u64 = 60_000;
