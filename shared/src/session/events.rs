//! How each event of a batch changes the session, and the step it adds to
//! the journey.

use alloc::borrow::ToOwned;

use super::{Arrival, OfferProgress, Page, Session, Toggling};
use crate::event::{CartLine, ShopperEvent};
use crate::journey::Step;

impl Session {
    pub(super) fn event(&mut self, at_ms: u64, kind: &ShopperEvent, heard_ms: u64) {
        let passive = matches!(
            kind,
            ShopperEvent::Dwell { .. }
                | ShopperEvent::ScrollDepth { .. }
                | ShopperEvent::TabHidden
                | ShopperEvent::Idle { .. }
                | ShopperEvent::BatchesDropped { .. }
        );
        if !passive {
            self.last_active_ms = self.last_active_ms.max(heard_ms);
        }
        let step = match kind {
            ShopperEvent::PageView {
                path,
                title,
                referrer,
                utm,
            } => {
                // Batches from a session's pages may be heard out of order
                // (a page left before its batch went out, a tab behind
                // another): the earliest page view is how the shopper came,
                // the latest is where they are.
                if at_ms < self.arrival_at_ms {
                    self.arrival_at_ms = at_ms;
                    self.arrival = Arrival {
                        referrer: referrer.clone(),
                        utm: utm.clone(),
                    };
                }
                self.pages_seen += 1;
                if self.page.is_none() || at_ms >= self.page_at_ms {
                    self.page_at_ms = at_ms;
                    self.page = Some(Page {
                        path: path.clone(),
                        title: title.clone(),
                        since_ms: heard_ms,
                    });
                    // What was true of the page before is not of this one.
                    self.page_left = false;
                    self.product_here = None;
                    self.exit_intent_ms = None;
                }
                Some(Step::Page {
                    path: path.clone(),
                    title: title.clone(),
                    dwell_ms: None,
                })
            }
            ShopperEvent::Dwell { path, ms } => {
                self.journey.dwell(path, *ms);
                // A dwell is reported on leaving a page: this one, unless it
                // is an earlier visit's report heard late.
                if at_ms >= self.page_at_ms && self.page.as_ref().is_some_and(|p| p.path == *path) {
                    self.page_left = true;
                }
                None
            }
            ShopperEvent::ExitIntent => {
                if at_ms >= self.page_at_ms {
                    self.exit_intent_ms = Some(heard_ms);
                }
                Some(Step::ExitIntent)
            }
            ShopperEvent::ProductViewed { sku, .. } => {
                self.product_viewed(at_ms, sku, heard_ms);
                None
            }
            ShopperEvent::TabHidden | ShopperEvent::TabVisible => {
                self.hidden = matches!(kind, ShopperEvent::TabHidden);
                None
            }
            ShopperEvent::OfferShown { .. }
            | ShopperEvent::OfferAccepted { .. }
            | ShopperEvent::OfferDeclined { .. }
            | ShopperEvent::ChatMessage { .. }
            | ShopperEvent::SurveyAnswer { .. } => self.help_event(kind),
            // The dropped batches' numbers were skipped: `seen` counts them.
            ShopperEvent::BatchesDropped { .. }
            | ShopperEvent::ScrollDepth { .. }
            | ShopperEvent::Idle { .. } => None,
            _ => self.shopping_event(kind, heard_ms),
        };
        if let Some(step) = step {
            self.journey.push(at_ms, step);
        }
    }

    /// Products, cart, checkout, order and search.
    fn shopping_event(&mut self, kind: &ShopperEvent, heard_ms: u64) -> Option<Step> {
        Some(match kind {
            ShopperEvent::ProductToggling {
                first_sku,
                second_sku,
            } => {
                // Back and forth began at the first look at the pair, when
                // it was heard of (A, B, then A again: this event).
                let since_ms = self
                    .recent_products
                    .iter()
                    .find(|(sku, _)| sku == first_sku)
                    .map_or(heard_ms, |(_, at)| *at);
                self.toggling = Some(Toggling {
                    first_sku: first_sku.clone(),
                    second_sku: second_sku.clone(),
                    since_ms,
                    last_ms: heard_ms,
                });
                Step::Toggling {
                    first_sku: first_sku.clone(),
                    second_sku: second_sku.clone(),
                }
            }
            ShopperEvent::CartAdd(line) => {
                self.cart_change(line, true);
                Step::CartAdd {
                    sku: line.sku.clone(),
                    quantity: line.quantity,
                    value_minor: line.value_minor,
                }
            }
            ShopperEvent::CartRemove(line) => {
                self.cart_change(line, false);
                Step::CartRemove {
                    sku: line.sku.clone(),
                    quantity: line.quantity,
                    value_minor: line.value_minor,
                }
            }
            ShopperEvent::CheckoutStep {
                step,
                name,
                value_minor,
                items,
            } => {
                if self.checkout.as_ref().is_none_or(|(s, _)| step >= s) {
                    self.checkout = Some((*step, name.clone()));
                    self.checkout_page = self.page.as_ref().map(|p| p.path.clone());
                }
                // What the checkout lists is the cart, whatever cart
                // changes were heard (a shop may report none).
                if !items.is_empty() {
                    self.cart = items
                        .iter()
                        .map(|l| (l.sku.clone(), l.quantity, l.value_minor))
                        .collect();
                }
                Step::Checkout {
                    step: *step,
                    name: name.clone(),
                    value_minor: *value_minor,
                    items: units(items),
                }
            }
            ShopperEvent::OrderCompleted {
                order_id,
                total_minor,
                tax_minor,
                shipping_minor,
                items,
            } => {
                self.order = Some((order_id.clone(), *total_minor));
                self.cart.clear();
                Step::Order {
                    order_id: order_id.clone(),
                    total_minor: *total_minor,
                    tax_minor: *tax_minor,
                    shipping_minor: *shipping_minor,
                    items: units(items),
                }
            }
            ShopperEvent::SiteSearch { query } => Step::Search {
                query: query.clone(),
            },
            _ => return None,
        })
    }

    /// Offers' answers, chat and survey.
    fn help_event(&mut self, kind: &ShopperEvent) -> Option<Step> {
        Some(match kind {
            ShopperEvent::OfferShown { offer_id } => {
                self.offer_progress(offer_id, OfferProgress::Shown);
                Step::OfferShown {
                    offer_id: offer_id.clone(),
                }
            }
            ShopperEvent::OfferAccepted { offer_id } => {
                self.offer_progress(offer_id, OfferProgress::Accepted);
                Step::OfferAccepted {
                    offer_id: offer_id.clone(),
                }
            }
            ShopperEvent::OfferDeclined { offer_id } => {
                self.offer_progress(offer_id, OfferProgress::Declined);
                self.declined = true;
                Step::OfferDeclined {
                    offer_id: offer_id.clone(),
                }
            }
            ShopperEvent::ChatMessage { text, .. } => Step::ChatMessage { text: text.clone() },
            ShopperEvent::SurveyAnswer {
                helped, comment, ..
            } => Step::Survey {
                helped: *helped,
                comment: comment.clone(),
            },
            _ => return None,
        })
    }

    /// A product shown at `at_ms` (shopper's clock), heard at `heard_ms`.
    fn product_viewed(&mut self, at_ms: u64, sku: &str, heard_ms: u64) {
        // A product page heard late is not where the shopper is.
        if at_ms >= self.page_at_ms {
            self.product_here = Some(sku.to_owned());
        }
        if let Some(t) = self.toggling.as_mut().filter(|t| t.holds(sku)) {
            t.last_ms = t.last_ms.max(heard_ms);
        }
        if self.recent_products.len() == 3 {
            self.recent_products.remove(0);
        }
        self.recent_products.push((sku.to_owned(), heard_ms));
    }
}

/// How many items `lines` hold together.
fn units(lines: &[CartLine]) -> u32 {
    lines.iter().fold(0, |n, l| n.saturating_add(l.quantity))
}
