//! How each event of a batch changes the session, and the step it adds to
//! the journey.

use super::{Arrival, OfferProgress, Page, Session};
use crate::event::ShopperEvent;
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
                }
                Some(Step::Page {
                    path: path.clone(),
                    title: title.clone(),
                    dwell_ms: None,
                })
            }
            ShopperEvent::Dwell { path, ms } => {
                self.journey.dwell(path, *ms);
                None
            }
            ShopperEvent::ExitIntent => {
                self.exit_intent_ms = Some(heard_ms);
                Some(Step::ExitIntent)
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
            | ShopperEvent::ProductViewed { .. }
            | ShopperEvent::Idle { .. } => None,
            _ => self.shopping_event(kind),
        };
        if let Some(step) = step {
            self.journey.push(at_ms, step);
        }
    }

    /// Products, cart, checkout, order and search.
    fn shopping_event(&mut self, kind: &ShopperEvent) -> Option<Step> {
        Some(match kind {
            ShopperEvent::ProductToggling {
                first_sku,
                second_sku,
            } => {
                self.toggling = Some((first_sku.clone(), second_sku.clone()));
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
            ShopperEvent::CheckoutStep { step, name } => {
                if self.checkout.as_ref().is_none_or(|(s, _)| step >= s) {
                    self.checkout = Some((*step, name.clone()));
                }
                Step::Checkout {
                    step: *step,
                    name: name.clone(),
                }
            }
            ShopperEvent::OrderCompleted {
                order_id,
                total_minor,
            } => {
                self.order = Some((order_id.clone(), *total_minor));
                self.cart.clear();
                Step::Order {
                    order_id: order_id.clone(),
                    total_minor: *total_minor,
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
}
