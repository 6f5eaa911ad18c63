//! A shopper's path through the site, as the session detail shows it: pages
//! with the time spent on each, searches, cart changes, checkout steps, the
//! order, offers and their answers, in the order they happened.
//!
//! A journey keeps its most recent [`Journey::MAX_STEPS`] steps; a session
//! long enough to pass that loses its oldest and says how many.

use alloc::collections::VecDeque;
use alloc::string::String;

/// One thing on a shopper's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A page, with how long the shopper looked at it once they left it.
    Page {
        /// URL path.
        path: String,
        /// Document title.
        title: String,
        /// Time the page was visible, once known.
        dwell_ms: Option<u32>,
    },
    /// A site search.
    Search {
        /// What was searched for.
        query: String,
    },
    /// Items put into the cart.
    CartAdd {
        /// The product.
        sku: String,
        /// How many.
        quantity: u32,
        /// Their value, in minor units.
        value_minor: u64,
    },
    /// Items taken out of the cart.
    CartRemove {
        /// The product.
        sku: String,
        /// How many.
        quantity: u32,
        /// Their value, in minor units.
        value_minor: u64,
    },
    /// Back and forth between two products.
    Toggling {
        /// The product returned to.
        first_sku: String,
        /// The one looked at in between.
        second_sku: String,
    },
    /// A checkout step reached.
    Checkout {
        /// Step number, from 1.
        step: u8,
        /// The shop's name for it.
        name: String,
        /// What is being bought is worth, in minor units, if the shop said.
        value_minor: Option<u64>,
        /// How many items are being bought (0: the shop did not list them).
        items: u32,
    },
    /// The order placed.
    Order {
        /// The shop's order id.
        order_id: String,
        /// Its total, in minor units.
        total_minor: u64,
        /// Its tax, in minor units, if the shop said.
        tax_minor: Option<u64>,
        /// Its shipping cost, in minor units, if the shop said.
        shipping_minor: Option<u64>,
        /// How many items were bought (0: the shop did not list them).
        items: u32,
    },
    /// The pointer left towards the browser's tabs or close button.
    ExitIntent,
    /// An offer sent to the shopper, and by whom.
    OfferSent {
        /// The offer's id.
        offer_id: String,
        /// What it said.
        text: String,
        /// The operator who sent it.
        by: String,
    },
    /// The offer appeared on the shopper's screen.
    OfferShown {
        /// The offer's id.
        offer_id: String,
    },
    /// The shopper accepted the offer.
    OfferAccepted {
        /// The offer's id.
        offer_id: String,
    },
    /// The shopper declined the offer.
    OfferDeclined {
        /// The offer's id.
        offer_id: String,
    },
    /// The shopper wrote in the chat.
    ChatMessage {
        /// What they wrote.
        text: String,
    },
    /// The shopper answered the survey.
    Survey {
        /// Whether the chat helped.
        helped: bool,
        /// What they added.
        comment: Option<String>,
    },
}

/// A step and when it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The shopper's clock, in ms since the Unix epoch; for the order of
    /// steps, not for comparing with other clocks.
    pub at_ms: u64,
    /// What happened.
    pub step: Step,
}

/// The recent steps of one session, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Journey {
    entries: VecDeque<Entry>,
    forgotten: usize,
}

impl Journey {
    /// The most steps a journey keeps.
    pub const MAX_STEPS: usize = 500;

    /// Adds a step, in time order.
    pub fn push(&mut self, at_ms: u64, step: Step) {
        if self.entries.len() == Self::MAX_STEPS {
            self.entries.pop_front();
            self.forgotten += 1;
        }
        // A step heard late (an earlier page's batch) goes where it
        // happened, after the steps of the same moment.
        let at = self
            .entries
            .iter()
            .rposition(|e| e.at_ms <= at_ms)
            .map_or(0, |i| i + 1);
        self.entries.insert(at, Entry { at_ms, step });
    }

    /// Notes the time spent on `path`, on the latest visit to it that has
    /// none yet.
    pub fn dwell(&mut self, path: &str, ms: u32) {
        let visit = self
            .entries
            .iter_mut()
            .rev()
            .find_map(|e| match &mut e.step {
                Step::Page {
                    path: p, dwell_ms, ..
                } if p == path && dwell_ms.is_none() => Some(dwell_ms),
                _ => None,
            });
        if let Some(dwell_ms) = visit {
            *dwell_ms = Some(ms);
        }
    }

    /// The steps kept, oldest first.
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &Entry> + ExactSizeIterator {
        self.entries.iter()
    }

    /// The paths of the pages visited, oldest first.
    pub fn paths(&self) -> impl DoubleEndedIterator<Item = &str> {
        self.entries.iter().filter_map(|e| match &e.step {
            Step::Page { path, .. } => Some(path.as_str()),
            _ => None,
        })
    }

    /// How many older steps were let go to keep within [`Self::MAX_STEPS`].
    pub fn forgotten(&self) -> usize {
        self.forgotten
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str) -> Step {
        Step::Page {
            path: path.to_owned(),
            title: String::new(),
            dwell_ms: None,
        }
    }

    #[test]
    fn dwell_lands_on_the_latest_open_visit_of_its_page() {
        let mut j = Journey::default();
        j.push(1, page("/a"));
        j.push(2, page("/b"));
        j.push(3, page("/a"));
        j.dwell("/a", 500);
        j.dwell("/a", 700);
        j.dwell("/c", 900);
        let dwells: Vec<Option<u32>> = j
            .entries()
            .map(|e| match e.step {
                Step::Page { dwell_ms, .. } => dwell_ms,
                _ => None,
            })
            .collect();
        assert_eq!(dwells, [Some(700), None, Some(500)]);
    }

    #[test]
    fn a_long_journey_keeps_its_latest_steps_and_counts_the_rest() {
        let mut j = Journey::default();
        for at in 0..(Journey::MAX_STEPS as u64 + 3) {
            j.push(at, Step::ExitIntent);
        }
        assert_eq!(j.entries().len(), Journey::MAX_STEPS);
        assert_eq!(j.entries().next().unwrap().at_ms, 3);
        assert_eq!(j.forgotten(), 3);
    }
}
