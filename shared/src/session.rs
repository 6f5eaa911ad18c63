//! One shopper's session as a supervisor sees it, built from the batches the
//! plugin sends and the offers operators send.
//!
//! Time comes in two clocks. Events carry the shopper's clock (`at_ms`),
//! which may be wrong and only orders the [`Journey`]. Everything judged
//! against "now" (idle time, time on a page, whether the shopper left) uses
//! the operator's clock: when a batch was heard, given by the caller (the
//! arrival time live, the stream's timestamp when replaying).
//!
//! [`Session`] takes in batches here; `events` holds how each event changes
//! it, `offer` the offers made to it, `arrival` how the shopper came,
//! `stuck` why they look stuck, and `seq_window` which batches it has seen
//! (page statistics tell replayed batches by it too).

mod arrival;
mod events;
mod offer;
pub(crate) mod seq_window;
mod stuck;

use alloc::string::String;
use alloc::vec::Vec;

pub use arrival::Arrival;
pub use offer::{OFFER_EXPIRES_AFTER_MS, Offer, OfferProgress};
pub use stuck::{
    EXIT_INTENT_FOR_MS, LONG_DWELL_MIN_MS, LONG_DWELL_TIMES, Stuck, TOGGLING_FOR_MS, Toggling,
};

use seq_window::{Seen, SeqWindow};

use crate::event::{Batch, CartLine, ShopperEvent};
use crate::journey::Journey;
use crate::recorder::has_amounts;
use crate::subject::SessionSubjects;

/// Where a session stands, for the dashboard's State column and filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    /// Looking around.
    Browsing,
    /// In the checkout, no order yet.
    InCheckout,
    /// Ordered in this session.
    Bought,
    /// An offer was sent and not yet answered.
    Offered,
    /// The shopper declined an offer; none may be sent again.
    Declined,
    /// The shopper asked for help (or accepted an offer) and waits for an
    /// agent.
    Queued,
    /// In a chat with an agent.
    Chatting,
    /// The page is open but its connection dropped: it is coming back.
    Reconnecting,
    /// The shopper has gone: the page closed, or nothing heard for a while.
    Left,
}

impl State {
    /// Every state, in the order the filter cycles through them.
    pub const ALL: [Self; 9] = [
        Self::Browsing,
        Self::InCheckout,
        Self::Bought,
        Self::Offered,
        Self::Declined,
        Self::Queued,
        Self::Chatting,
        Self::Reconnecting,
        Self::Left,
    ];

    /// The state's name on screen and in config.
    pub fn name(self) -> &'static str {
        match self {
            Self::Browsing => "browsing",
            Self::InCheckout => "checkout",
            Self::Bought => "bought",
            Self::Offered => "offered",
            Self::Declined => "declined",
            Self::Queued => "queued",
            Self::Chatting => "chatting",
            Self::Reconnecting => "reconnecting",
            Self::Left => "left",
        }
    }

    /// Whether a shopper in this state counts as online: the page is open,
    /// connected or coming back.
    pub fn is_online(self) -> bool {
        self != Self::Left
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
    /// When (shopper's clock) the page view the arrival is taken from was
    /// made: a landing page heard late, still earlier, replaces it.
    arrival_at_ms: u64,
    /// Where the shopper is now.
    pub page: Option<Page>,
    /// When (shopper's clock) the page the shopper is on was viewed: an
    /// earlier view heard late does not move the shopper back.
    page_at_ms: u64,
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
    pub toggling: Option<Toggling>,
    /// The product shown on the current page, if any.
    product_here: Option<String>,
    /// The latest products looked at and when (operator's clock), oldest
    /// first: where a toggling began.
    recent_products: Vec<(String, u64)>,
    /// When the pointer last went for the tabs on the current page
    /// (operator's clock).
    pub exit_intent_ms: Option<u64>,
    /// Whether the shopper left the current page (its dwell was reported)
    /// with no other page heard of since: closed the tab, or went off the
    /// site.
    page_left: bool,
    /// The page the furthest checkout step was reached on.
    checkout_page: Option<String>,
    /// Whether the tab is in the background.
    pub hidden: bool,
    /// When a batch was heard whose last word was that its page was left
    /// (the plugin says so when the page hides for good, at once); `None`
    /// once the session says anything after.
    pub page_left_ms: Option<u64>,
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
            arrival_at_ms: u64::MAX,
            page: None,
            page_at_ms: 0,
            pages_seen: 0,
            cart: Vec::new(),
            checkout: None,
            order: None,
            offers: Vec::new(),
            declined: false,
            chat: None,
            toggling: None,
            product_here: None,
            recent_products: Vec::new(),
            exit_intent_ms: None,
            page_left: false,
            checkout_page: None,
            hidden: false,
            page_left_ms: None,
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
            Seen::New { skipped } => {
                self.lost_batches += skipped;
                // A page left says so last (a dwell; the browser hides a
                // closing tab after); one that goes on, or the next page,
                // says more.
                for event in &batch.events {
                    match event.kind {
                        ShopperEvent::Dwell { .. } => self.page_left_ms = Some(heard_ms),
                        ShopperEvent::TabHidden => {}
                        _ => self.page_left_ms = None,
                    }
                }
            }
            Seen::Late => self.lost_batches = self.lost_batches.saturating_sub(1),
        }
        self.last_heard_ms = self.last_heard_ms.max(heard_ms);
        if self.visitor.is_none() {
            self.visitor.clone_from(&batch.visitor);
        }
        // The currency of the session's amounts: a batch without amounts
        // (a later page's first, from a plugin started in the shop's
        // default currency) does not relabel those heard before.
        if self.currency.is_empty() || batch.events.iter().any(|e| has_amounts(&e.kind)) {
            self.currency.clone_from(&batch.currency);
        }
        for event in &batch.events {
            if let ShopperEvent::Dwell { path, ms } = &event.kind {
                dwells.push((path.clone(), *ms));
            }
            self.event(event.at_ms, &event.kind, heard_ms);
        }
        dwells
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

    /// The cart's value, in minor units of [`Self::currency`].
    pub fn cart_value_minor(&self) -> u64 {
        self.cart.iter().map(|(_, _, v)| *v).sum()
    }

    /// Items in the cart.
    pub fn cart_items(&self) -> u32 {
        self.cart.iter().map(|(_, q, _)| *q).sum()
    }

    /// Where the session stands at `now_ms`, judged by what was heard
    /// alone: `left_after_ms` without a word from it means the shopper left.
    /// The floor judges with the broker's word on its connections when it
    /// has it ([`crate::floor::Floor::state`]).
    pub fn state(&self, now_ms: u64, left_after_ms: u64) -> State {
        if now_ms.saturating_sub(self.last_heard_ms) >= left_after_ms {
            State::Left
        } else {
            self.state_here(now_ms)
        }
    }

    /// Where the session stands at `now_ms` while the shopper is on the
    /// floor.
    pub fn state_here(&self, now_ms: u64) -> State {
        if let Some(phase) = self.chat {
            match phase {
                ChatPhase::Queued => State::Queued,
                ChatPhase::Chatting => State::Chatting,
            }
        } else if self
            .offers
            .last()
            .is_some_and(|o| !o.progress_at(now_ms).is_over())
        {
            State::Offered
        } else if self.order.is_some() {
            State::Bought
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
}

#[cfg(test)]
mod tests;
