//! The versioned schema of what a shopper does, and of what is pushed back to
//! a shopper.
//!
//! The storefront plugin records each thing a shopper does as a
//! [`ShopperEvent`], stamps it with the browser's wall clock in an [`Event`],
//! and sends events in a [`Batch`] that carries the schema version, a
//! per-session sequence number and the shop's currency. The site and the
//! session are not in the payload: the NATS subject the batch is published on
//! names them. In the other direction the dashboard sends a [`Push`] (a chat
//! offer, an agent's message, a survey question) wrapped in a
//! [`PushEnvelope`].
//!
//! Everything that arrives from a browser is hostile until
//! [`Batch::validate`] has checked it against the bounds in [`limits`];
//! [`crate::wire`] validates as part of decoding, so a consumer never holds an
//! unchecked batch. Validation checks sizes and ranges only: text is still
//! untrusted for display, and whatever renders it must strip control
//! characters.
//!
//! Evolving the schema, given that plugins and dashboards of different minor
//! versions meet in the field:
//! - adding an `Option` field is a minor change: older readers skip the
//!   unknown field, newer readers read a missing one as `None`;
//! - adding an event or push kind needs the readers deployed first: a reader
//!   that meets an unknown kind rejects the whole payload as malformed;
//! - anything else (renaming, retyping, removing) bumps [`SCHEMA_VERSION`],
//!   which readers reject with [`InvalidEventKind::UnsupportedVersion`].
//!
//! Money is always an integer count of the currency's minor unit (cents for
//! EUR, yen for JPY), never a float; the currency is named once per batch,
//! and every amount in a batch is in it (the plugin's recorder starts a new
//! batch where the shop's currency changes).

mod json;
pub mod limits;
mod validate;

#[cfg(test)]
pub(crate) mod strategy;

use alloc::{string::String, vec::Vec};

use serde::{Deserialize, Serialize};

pub use validate::{InvalidEvent, InvalidEventKind, is_currency};

/// The schema's major version, carried as `v` in every batch and push; bumped
/// only by changes that older readers cannot decode.
pub const SCHEMA_VERSION: u16 = 1;

/// Events from one session, sent together as one NATS message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    /// Schema version the sender wrote; readers accept only [`SCHEMA_VERSION`].
    pub v: u16,
    /// Per-session batch counter, 0 for a session's first batch and one more
    /// for each batch after it, so a consumer can spot gaps and duplicates.
    pub seq: u64,
    /// ISO 4217 code (three uppercase letters, e.g. `EUR`) of every amount in
    /// the batch.
    pub currency: String,
    /// The browser's visitor id: random, kept across sessions in the
    /// browser's storage until the shopper clears it, so a returning visitor
    /// is recognised; `None` when the plugin could not store one.
    pub visitor: Option<String>,
    /// What the shopper did, oldest first.
    pub events: Vec<Event>,
}

impl Batch {
    /// A batch of the current [`SCHEMA_VERSION`].
    pub fn new(seq: u64, currency: impl Into<String>, events: Vec<Event>) -> Self {
        Self {
            v: SCHEMA_VERSION,
            seq,
            currency: currency.into(),
            visitor: None,
            events,
        }
    }
}

/// One thing a shopper did, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The browser's wall clock when it happened, in milliseconds since the
    /// Unix epoch; the shopper's clock may be wrong, so compare with care.
    pub at_ms: u64,
    /// What happened.
    pub kind: ShopperEvent,
}

/// What a shopper does on the storefront.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShopperEvent {
    /// A page was loaded or, in a single-page shop, navigated to.
    PageView {
        /// URL path, without query or fragment (`/shoes/trail`).
        path: String,
        /// The document's title.
        title: String,
        /// The referring URL, if the browser gave one.
        referrer: Option<String>,
        /// Campaign parameters from the landing URL, if it had any.
        utm: Option<Utm>,
    },
    /// The shopper left a page after looking at it for a while.
    Dwell {
        /// URL path of the page.
        path: String,
        /// Time the page was visible, in milliseconds.
        ms: u32,
    },
    /// The furthest the shopper has scrolled down a page so far.
    ScrollDepth {
        /// URL path of the page.
        path: String,
        /// How far down, in percent of the page height (0 to 100).
        percent: u8,
    },
    /// A product detail was shown.
    ProductViewed {
        /// The shop's stock keeping unit.
        sku: String,
        /// Product name as displayed.
        name: String,
        /// Unit price, in minor units of the batch currency.
        price_minor: u64,
    },
    /// The shopper went back and forth between the same two products
    /// (A, then B, then A again): hesitating over a choice. Derived by the
    /// plugin's recorder from its product views.
    ProductToggling {
        /// The product viewed first and returned to.
        first_sku: String,
        /// The product viewed in between.
        second_sku: String,
    },
    /// Items were put into the cart.
    CartAdd(CartLine),
    /// Items were taken out of the cart.
    CartRemove(CartLine),
    /// The shopper reached a step of the checkout.
    CheckoutStep {
        /// Step number, from 1.
        step: u8,
        /// The shop's name for the step (`shipping`, `payment`).
        name: String,
        /// What is being bought is worth (GA4's `value`), in minor units of
        /// the batch currency; `None` when the shop did not say.
        value_minor: Option<u64>,
        /// What is being bought (GA4's `items`), at most
        /// [`limits::MAX_ITEMS_PER_EVENT`]; absent from older plugins.
        #[serde(default)]
        items: Vec<CartLine>,
    },
    /// The shopper placed an order.
    OrderCompleted {
        /// The shop's order id.
        order_id: String,
        /// Order total (GA4's `value`: the items, without tax and shipping
        /// where the shop follows GA4), in minor units of the batch currency.
        total_minor: u64,
        /// Tax on the order (GA4's `tax`), in minor units of the batch
        /// currency; `None` when the shop did not say.
        tax_minor: Option<u64>,
        /// Shipping cost (GA4's `shipping`), likewise.
        shipping_minor: Option<u64>,
        /// What was bought (GA4's `items`), at most
        /// [`limits::MAX_ITEMS_PER_EVENT`]; absent from older plugins.
        #[serde(default)]
        items: Vec<CartLine>,
    },
    /// The shopper used the shop's search.
    SiteSearch {
        /// What they typed.
        query: String,
    },
    /// The pointer left towards the browser's tabs or close button.
    ExitIntent,
    /// The tab went to the background.
    TabHidden,
    /// The tab came back to the foreground.
    TabVisible,
    /// The shopper stopped interacting.
    Idle {
        /// Time without input, in milliseconds.
        ms: u32,
    },
    /// Batches of this session's events were lost: the plugin's offline
    /// buffer was full while it could not reach the server, and it dropped
    /// the oldest. Reported in the first batch after it reconnects.
    BatchesDropped {
        /// How many batches were dropped, at least 1.
        count: u32,
    },
    /// An offer pushed by an agent was displayed.
    OfferShown {
        /// The offer's id, as pushed.
        offer_id: String,
    },
    /// The shopper accepted an offer.
    OfferAccepted {
        /// The offer's id, as pushed.
        offer_id: String,
    },
    /// The shopper declined or closed an offer.
    OfferDeclined {
        /// The offer's id, as pushed.
        offer_id: String,
    },
    /// The shopper wrote in the chat widget. Plugins of this version send
    /// [`ChatFact::Message`](crate::chat::ChatFact::Message) on the chat
    /// subject instead; kept so older plugins' batches still read.
    ChatMessage {
        /// The chat this belongs to; `None` for a shopper who opens a chat.
        chat_id: Option<String>,
        /// Id the plugin gave the message, so a resent message is seen once.
        client_msg_id: String,
        /// What the shopper wrote.
        text: String,
    },
    /// The shopper answered the survey that closes a chat. Plugins of this
    /// version send [`ChatFact::Survey`](crate::chat::ChatFact::Survey)
    /// instead; kept so older plugins' batches still read.
    SurveyAnswer {
        /// The chat the survey was about.
        chat_id: String,
        /// Whether the chat helped.
        helped: bool,
        /// Free text the shopper added, if any.
        comment: Option<String>,
    },
}

/// Campaign parameters (`utm_source`, `utm_medium`, `utm_campaign`) of a
/// landing URL; each is `None` when the URL lacked it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Utm {
    /// Who sent the shopper (`newsletter`, `google`).
    pub source: Option<String>,
    /// How (`email`, `cpc`).
    pub medium: Option<String>,
    /// Which campaign (`spring_sale`).
    pub campaign: Option<String>,
}

/// Items of one product moved into or out of the cart, or in a checkout
/// or an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    /// The shop's stock keeping unit.
    pub sku: String,
    /// How many items, at least 1.
    pub quantity: u32,
    /// Value of the items (price times quantity), in minor units of the
    /// batch currency.
    pub value_minor: u64,
}

/// One line of a [`Push::Transcript`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptLine {
    /// The message's id (the plugin's own for the shopper's lines).
    pub msg_id: String,
    /// Who wrote it: `None` for the shopper, else the name shown for the
    /// agent or supervisor.
    pub from: Option<String>,
    /// What was written.
    pub text: String,
}

/// A push to one shopper's storefront, with the schema version it was
/// written in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushEnvelope {
    /// Schema version the sender wrote; readers accept only [`SCHEMA_VERSION`].
    pub v: u16,
    /// What to show.
    pub push: Push,
}

impl PushEnvelope {
    /// An envelope of the current [`SCHEMA_VERSION`].
    pub fn new(push: Push) -> Self {
        Self {
            v: SCHEMA_VERSION,
            push,
        }
    }
}

/// What the dashboard pushes to a shopper's storefront.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Push {
    /// Offer the shopper help or a deal; answered by an `Offer*` event.
    ChatOffer {
        /// Id the plugin echoes in `OfferShown`/`OfferAccepted`/`OfferDeclined`.
        offer_id: String,
        /// What the offer says.
        text: String,
    },
    /// A message from an agent in a chat.
    AgentMessage {
        /// The chat this belongs to.
        chat_id: String,
        /// The name the shopper sees for the agent.
        agent_name: String,
        /// What the agent wrote.
        text: String,
        /// Whether a supervisor, not the chat's agent, wrote it.
        from_supervisor: bool,
        /// The message's id, so a page shown it twice (a resend, or a
        /// transcript after it) shows it once; absent from older senders.
        msg_id: Option<String>,
    },
    /// Where the shopper's waiting chat stands, sent whenever it changes.
    QueueStatus {
        /// The chat.
        chat_id: String,
        /// Place in the queue, from 1.
        position: u32,
        /// The wait to expect, in seconds, if the desk can tell yet.
        expected_wait_secs: Option<u32>,
    },
    /// An agent took the chat.
    ChatJoined {
        /// The chat.
        chat_id: String,
        /// The name the shopper sees for the agent.
        agent_name: String,
    },
    /// The chat so far, for a page that opened (or reconnected) while a
    /// chat was going on.
    Transcript {
        /// The chat.
        chat_id: String,
        /// The latest lines, oldest first.
        lines: Vec<TranscriptLine>,
    },
    /// Ask whether the chat helped; answered by a
    /// [`ChatFact::Survey`](crate::chat::ChatFact::Survey).
    SurveyPrompt {
        /// The chat the question is about.
        chat_id: String,
        /// The question to show.
        question: String,
    },
}
