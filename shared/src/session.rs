//! One shopper's session as a supervisor sees it, built from the batches the
//! plugin sends and the offers operators send.
//!
//! Time comes in two clocks. Events carry the shopper's clock (`at_ms`),
//! which may be wrong and only orders the [`Journey`]. Everything judged
//! against "now" (idle time, time on a page, whether the shopper left) uses
//! the operator's clock: when a batch was heard, given by the caller (the
//! arrival time live, the stream's timestamp when replaying).

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use crate::event::{Batch, CartLine, ShopperEvent, Utm};
use crate::journey::{Journey, Step};
use crate::subject::SessionSubjects;

/// Where a session stands, for the dashboard's State column and filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    /// Looking around.
    Browsing,
    /// In the checkout, no order yet.
    InCheckout,
    /// An offer was sent and not yet answered.
    Offered,
    /// The shopper declined an offer; none may be sent again.
    Declined,
    /// The shopper asked for help (or accepted an offer) and waits for an
    /// agent.
    Queued,
    /// In a chat with an agent.
    Chatting,
    /// Nothing heard for a while: the shopper has gone.
    Left,
}

impl State {
    /// Every state, in the order the filter cycles through them.
    pub const ALL: [Self; 7] = [
        Self::Browsing,
        Self::InCheckout,
        Self::Offered,
        Self::Declined,
        Self::Queued,
        Self::Chatting,
        Self::Left,
    ];

    /// The state's name on screen and in config.
    pub fn name(self) -> &'static str {
        match self {
            Self::Browsing => "browsing",
            Self::InCheckout => "checkout",
            Self::Offered => "offered",
            Self::Declined => "declined",
            Self::Queued => "queued",
            Self::Chatting => "chatting",
            Self::Left => "left",
        }
    }
}

/// Where an open chat stands, for the session's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatPhase {
    /// Waiting for an agent.
    Queued,
    /// An agent holds it.
    Chatting,
}

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

/// What became of an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferProgress {
    /// Published to the shopper's push subject.
    Sent,
    /// On the shopper's screen.
    Shown,
    /// Accepted.
    Accepted,
    /// Declined or dismissed.
    Declined,
}

impl OfferProgress {
    /// The progress on screen.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Shown => "shown",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
        }
    }
}

/// An offer made to this session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// Its id, echoed by the shopper's answers.
    pub id: String,
    /// What it said.
    pub text: String,
    /// The operator who sent it.
    pub by: String,
    /// When it was sent (operator's clock).
    pub sent_ms: u64,
    /// How far it got.
    pub progress: OfferProgress,
}

/// How the shopper arrived: the landing page's referrer and campaign.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Arrival {
    /// The referring URL.
    pub referrer: Option<String>,
    /// Campaign parameters of the landing URL.
    pub utm: Option<Utm>,
}

impl Arrival {
    /// One short phrase for the Source column: the campaign's source (and
    /// medium) if there was one, else the referrer's host, else "direct".
    pub fn source(&self) -> String {
        if let Some(source) = self.utm.as_ref().and_then(|u| u.source.as_deref()) {
            return match self.utm.as_ref().and_then(|u| u.medium.as_deref()) {
                Some(medium) => [source, "/", medium].concat(),
                None => source.to_owned(),
            };
        }
        match self.referrer.as_deref() {
            Some(referrer) => host(referrer).to_owned(),
            None => "direct".to_owned(),
        }
    }
}

/// The host of a URL (`https://www.google.com/search?q=x` → `www.google.com`).
fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    host.rsplit_once('@').map_or(host, |(_, h)| h)
}

/// The page the shopper is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// URL path.
    pub path: String,
    /// Document title.
    pub title: String,
    /// When the shopper got there (operator's clock).
    pub since_ms: u64,
}

/// Everything a supervisor knows about one shopper session.
#[derive(Debug, Clone)]
pub struct Session {
    subjects: SessionSubjects,
    /// The browser's visitor id, if the plugin could keep one.
    pub visitor: Option<String>,
    /// The currency of the session's amounts.
    pub currency: String,
    /// When the session was first heard of (operator's clock).
    pub first_heard_ms: u64,
    /// When anything was last heard from it.
    pub last_heard_ms: u64,
    /// When the shopper last did something (not a dwell, scroll, tab or idle
    /// report).
    pub last_active_ms: u64,
    /// How the shopper arrived.
    pub arrival: Arrival,
    /// Where the shopper is now.
    pub page: Option<Page>,
    /// Pages viewed, route changes included.
    pub pages_seen: u32,
    /// The cart: SKU, quantity, value in minor units.
    cart: Vec<(String, u32, u64)>,
    /// The furthest checkout step reached: number and name.
    pub checkout: Option<(u8, String)>,
    /// The order, once placed: id and total.
    pub order: Option<(String, u64)>,
    /// Offers made, oldest first.
    pub offers: Vec<Offer>,
    /// Whether the shopper declined an offer (no more may be made).
    pub declined: bool,
    /// Where the shopper's chat stands, if one is open (the desk says:
    /// see [`crate::floor::Floor::chat_phase`]).
    pub chat: Option<ChatPhase>,
    /// The latest product toggling.
    pub toggling: Option<(String, String)>,
    /// When the pointer last went for the tabs (operator's clock).
    pub exit_intent_ms: Option<u64>,
    /// Whether the tab is in the background.
    pub hidden: bool,
    /// Batches that never arrived (gaps in their numbers: the plugin's
    /// offline drops, or loss on the way).
    pub lost_batches: u64,
    seen: SeqWindow,
    /// The path so far.
    pub journey: Journey,
    /// Where the floor keeps the statistics of the page the shopper is on.
    pub(crate) dwell_slot: Option<u32>,
}

impl Session {
    /// A session first heard of at `heard_ms`.
    pub fn new(subjects: SessionSubjects, heard_ms: u64) -> Self {
        Self {
            subjects,
            visitor: None,
            currency: String::new(),
            first_heard_ms: heard_ms,
            last_heard_ms: heard_ms,
            last_active_ms: heard_ms,
            arrival: Arrival::default(),
            page: None,
            pages_seen: 0,
            cart: Vec::new(),
            checkout: None,
            order: None,
            offers: Vec::new(),
            declined: false,
            chat: None,
            toggling: None,
            exit_intent_ms: None,
            hidden: false,
            lost_batches: 0,
            seen: SeqWindow::default(),
            journey: Journey::default(),
            dwell_slot: None,
        }
    }

    /// The session's subjects (its site and token).
    pub fn subjects(&self) -> &SessionSubjects {
        &self.subjects
    }

    /// Takes in a batch heard at `heard_ms`. Returns the dwell reports it
    /// held (path, ms), for the floor's statistics; a batch seen before
    /// (a replay overlapping live traffic, a resend) changes nothing.
    pub fn apply(&mut self, batch: &Batch, heard_ms: u64) -> Vec<(String, u32)> {
        let mut dwells = Vec::new();
        match self.seen.insert(batch.seq) {
            Seen::Before => return dwells,
            Seen::New { skipped } => self.lost_batches += skipped,
            Seen::Late => self.lost_batches = self.lost_batches.saturating_sub(1),
        }
        self.last_heard_ms = self.last_heard_ms.max(heard_ms);
        if self.visitor.is_none() {
            self.visitor.clone_from(&batch.visitor);
        }
        self.currency.clone_from(&batch.currency);
        for event in &batch.events {
            if let ShopperEvent::Dwell { path, ms } = &event.kind {
                dwells.push((path.clone(), *ms));
            }
            self.event(event.at_ms, &event.kind, heard_ms);
        }
        dwells
    }

    fn event(&mut self, at_ms: u64, kind: &ShopperEvent, heard_ms: u64) {
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
                if self.pages_seen == 0 {
                    self.arrival = Arrival {
                        referrer: referrer.clone(),
                        utm: utm.clone(),
                    };
                }
                self.pages_seen += 1;
                self.page = Some(Page {
                    path: path.clone(),
                    title: title.clone(),
                    since_ms: heard_ms,
                });
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

    fn cart_change(&mut self, line: &CartLine, add: bool) {
        let index = self.cart.iter().position(|(sku, ..)| *sku == line.sku);
        match (index, add) {
            (Some(i), true) => {
                let (_, quantity, value) = &mut self.cart[i];
                *quantity = quantity.saturating_add(line.quantity);
                *value = value.saturating_add(line.value_minor);
            }
            (None, true) => self
                .cart
                .push((line.sku.clone(), line.quantity, line.value_minor)),
            (Some(i), false) => {
                let (_, quantity, value) = &mut self.cart[i];
                *quantity = quantity.saturating_sub(line.quantity);
                *value = value.saturating_sub(line.value_minor);
                if *quantity == 0 {
                    self.cart.remove(i);
                }
            }
            // Removing what was added before we were watching.
            (None, false) => {}
        }
    }

    fn offer_progress(&mut self, offer_id: &str, progress: OfferProgress) {
        // Answers of offers sent before we were watching still count.
        if let Some(offer) = self.offers.iter_mut().find(|o| o.id == offer_id) {
            // Answers may arrive in any order; an answer is final.
            if !matches!(
                offer.progress,
                OfferProgress::Accepted | OfferProgress::Declined
            ) {
                offer.progress = progress;
            }
        }
    }

    /// Notes an offer an operator sent, at `sent_ms`.
    pub fn offer_sent(&mut self, id: &str, text: &str, by: &str, sent_ms: u64) {
        if self.offers.iter().any(|o| o.id == id) {
            return;
        }
        self.offers.push(Offer {
            id: id.to_owned(),
            text: text.to_owned(),
            by: by.to_owned(),
            sent_ms,
            progress: OfferProgress::Sent,
        });
        self.journey.push(
            sent_ms,
            Step::OfferSent {
                offer_id: id.to_owned(),
                text: text.to_owned(),
                by: by.to_owned(),
            },
        );
    }

    /// The cart's value, in minor units of [`Self::currency`].
    pub fn cart_value_minor(&self) -> u64 {
        self.cart.iter().map(|(_, _, v)| *v).sum()
    }

    /// Items in the cart.
    pub fn cart_items(&self) -> u32 {
        self.cart.iter().map(|(_, q, _)| *q).sum()
    }

    /// Where the session stands at `now_ms`; `left_after_ms` without a word
    /// from it means the shopper left.
    pub fn state(&self, now_ms: u64, left_after_ms: u64) -> State {
        let answered = |o: &&Offer| {
            matches!(
                o.progress,
                OfferProgress::Accepted | OfferProgress::Declined
            )
        };
        if now_ms.saturating_sub(self.last_heard_ms) >= left_after_ms {
            State::Left
        } else if let Some(phase) = self.chat {
            match phase {
                ChatPhase::Queued => State::Queued,
                ChatPhase::Chatting => State::Chatting,
            }
        } else if self.offers.last().is_some_and(|o| !answered(&o)) {
            State::Offered
        } else if self.declined {
            State::Declined
        } else if self.in_checkout() {
            State::InCheckout
        } else {
            State::Browsing
        }
    }

    /// How long the shopper has done nothing, at `now_ms`.
    pub fn idle_ms(&self, now_ms: u64) -> u64 {
        now_ms.saturating_sub(self.last_active_ms)
    }

    /// Time on the current page so far, at `now_ms`.
    pub fn on_page_ms(&self, now_ms: u64) -> u64 {
        self.page
            .as_ref()
            .map_or(0, |p| now_ms.saturating_sub(p.since_ms))
    }

    /// Whether the shopper is in the checkout and has not ordered yet.
    pub fn in_checkout(&self) -> bool {
        self.checkout.is_some() && self.order.is_none()
    }

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

/// Which batch numbers a session has seen, to ignore a batch seen twice and
/// count the ones that never came. Batches from a session's tabs may arrive
/// a little out of order, so a window of recent numbers is remembered.
#[derive(Debug, Clone, Default)]
struct SeqWindow {
    /// One more than the highest number seen; 0 before any.
    next: u64,
    /// Bit `i` set: batch `next - 1 - i` was seen.
    recent: u128,
}

enum Seen {
    /// Seen already.
    Before,
    /// The highest yet; `skipped` numbers were jumped over to reach it.
    New { skipped: u64 },
    /// One that was jumped over, arriving late: not lost after all.
    Late,
}

impl SeqWindow {
    fn insert(&mut self, seq: u64) -> Seen {
        if seq >= self.next {
            // The first batch we hear need not be the session's first.
            let skipped = if self.next == 0 && self.recent == 0 {
                0
            } else {
                seq - self.next
            };
            let shift = seq - self.next + 1;
            self.recent = if shift >= 128 {
                0
            } else {
                self.recent << shift
            } | 1;
            self.next = seq + 1;
            return Seen::New { skipped };
        }
        let age = self.next - 1 - seq;
        if age >= 128 {
            // Too old to tell: treat as seen rather than count it twice.
            return Seen::Before;
        }
        let bit = 1u128 << age;
        if self.recent & bit == 0 {
            self.recent |= bit;
            Seen::Late
        } else {
            Seen::Before
        }
    }
}

#[cfg(test)]
mod tests;
