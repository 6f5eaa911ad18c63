//! What a shopper does on the shop's pages, recorded into batches as the
//! plugin records them, and how it answers a push.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use floorwalker_shared::commerce::{self, Item, Params};
use floorwalker_shared::event::{Push, ShopperEvent};
use floorwalker_shared::nats::conn::Connection;
use floorwalker_shared::recorder::Recorder;
use floorwalker_shared::subject::SessionSubjects;
use floorwalker_shared::wire::{MIN_BATCH_BYTES, encode_batch};

use super::wall_ms;
use crate::simulate::Counters;
use crate::simulate::behaviour::{Act, Product, page_of, title};

/// What a shopper has done so far.
pub(super) struct Shopper {
    pub(super) recorder: Recorder,
    pub(super) cart: Vec<(Product, u32)>,
    pub(super) subjects: SessionSubjects,
    pub(super) counters: Arc<Counters>,
    /// Batches published while not connected.
    pub(super) waiting: u64,
}

impl Shopper {
    /// Does `act` at `at` (ms since the Unix epoch: the wall clock, or a
    /// test's).
    pub(super) fn act(&mut self, at: u64, act: &Act, rng: &mut fastrand::Rng) {
        match act {
            Act::Land { path, arrival } => {
                self.recorder
                    .page_view(at, path, arrival.query, title(path), arrival.referrer);
            }
            Act::Go { path } => self.page(at, path),
            Act::Product(product) => {
                self.page(at, page_of(*product));
                self.commerce(at, "view_item", &[(*product, 1)], None);
            }
            Act::AddToCart(product) => {
                match self.cart.iter_mut().find(|(p, _)| p == product) {
                    Some((_, quantity)) => *quantity += 1,
                    None => self.cart.push((*product, 1)),
                }
                self.commerce(at, "add_to_cart", &[(*product, 1)], None);
            }
            Act::Search(query) => {
                let params = Params {
                    search_term: Some((*query).to_owned()),
                    ..Params::default()
                };
                self.record_all(at, commerce::events("search", &params, "EUR"));
            }
            Act::Checkout { path, event } => {
                self.page(at, path);
                let cart = self.cart.clone();
                self.commerce(at, event, &cart, None);
            }
            Act::Purchase => {
                self.page(at, "/order-confirmed.html");
                let cart = std::mem::take(&mut self.cart);
                let order = format!("SIM-{}", rng.u32(100_000..999_999));
                self.commerce(at, "purchase", &cart, Some(order));
            }
            Act::ExitIntent => self.recorder.record(at, ShopperEvent::ExitIntent),
            Act::Leave => self.recorder.leave_page(at),
        }
        self.recorder.activity(at);
    }

    fn page(&mut self, at: u64, path: &str) {
        self.recorder.page_view(at, path, "", title(path), "");
    }

    fn commerce(&mut self, at: u64, name: &str, lines: &[(Product, u32)], order: Option<String>) {
        #[allow(clippy::cast_precision_loss)] // cents of demo prices
        let items: Vec<Item> = lines
            .iter()
            .map(|(p, q)| Item {
                sku: p.sku.to_owned(),
                name: p.name.to_owned(),
                price: p.price as f64 / 100.0,
                quantity: f64::from(*q),
            })
            .collect();
        #[allow(clippy::cast_precision_loss)]
        let value = lines
            .iter()
            .map(|(p, q)| p.price * u64::from(*q))
            .sum::<u64>() as f64
            / 100.0;
        let params = Params {
            value: Some(value),
            transaction_id: order,
            search_term: None,
            items,
            ..Params::default()
        };
        self.record_all(at, commerce::events(name, &params, "EUR"));
    }

    fn record_all(&mut self, at: u64, events: Vec<ShopperEvent>) {
        for event in events {
            self.recorder.record(at, event);
        }
    }

    /// Publishes the batches that are due (all of them when leaving).
    pub(super) fn send_due(&mut self, conn: &mut Connection, all: bool) {
        while self.recorder.pending() > 0 && (all || self.recorder.due(wall_ms())) {
            // Sized as the plugin sizes its batches.
            let max_bytes = conn.max_payload().unwrap_or(MIN_BATCH_BYTES);
            let Some(batch) = self.recorder.take_batch(max_bytes) else {
                break;
            };
            let bytes = encode_batch(&batch);
            // Counted when it goes: now if connected, else on connecting.
            if conn
                .publish(self.subjects.events(), None, None, bytes)
                .is_ok()
            {
                if conn.is_connected() {
                    self.counters.batches.fetch_add(1, Ordering::Relaxed);
                } else {
                    self.waiting += 1;
                }
            }
        }
    }

    /// A push to this shopper. An offer is shown, then accepted (the id is
    /// returned: the shopper asks for a chat), declined or left be.
    pub(super) fn pushed(&mut self, push: &Push, rng: &mut fastrand::Rng) -> Option<String> {
        let Push::ChatOffer { offer_id, .. } = push else {
            return None;
        };
        self.counters.offers.fetch_add(1, Ordering::Relaxed);
        let at = wall_ms();
        self.recorder.record(
            at,
            ShopperEvent::OfferShown {
                offer_id: offer_id.clone(),
            },
        );
        let answer = rng.f32();
        if answer < 0.4 {
            self.recorder.record(
                at + 2_000,
                ShopperEvent::OfferAccepted {
                    offer_id: offer_id.clone(),
                },
            );
            return Some(offer_id.clone());
        }
        if answer < 0.7 {
            self.recorder.record(
                at + 2_000,
                ShopperEvent::OfferDeclined {
                    offer_id: offer_id.clone(),
                },
            );
        }
        None
    }
}
