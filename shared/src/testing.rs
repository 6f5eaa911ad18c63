//! Fixtures for tests, so every test module builds shoppers, their batches
//! and the chat facts around them the same way.
//!
//! Built for this crate's tests and, with the `testing` feature, for other
//! crates' (`floorwalker-shared = { workspace = true, features = ["testing"] }`
//! under `[dev-dependencies]`); never part of a release build.
//!
//! A session is named by a number or a short token and lives on the site
//! [`SITE`] unless [`session_on`] names another; its batches carry
//! [`CURRENCY`]; times are milliseconds, from [`T0`] by convention. Each
//! message helper returns a subject and a payload, as a subscriber would
//! receive them, for the caller to wrap in its own message type.

// Fixtures are built from the tests' own literals: a bad one is a broken
// test, and panicking at once points at it.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::vec::Vec;
use core::fmt::Display;

use crate::chat::{ChatEnvelope, ChatFact, DeskEnvelope, DeskFact};
use crate::event::{Batch, CartLine, Event, ShopperEvent};
use crate::subject::{self, SessionSubjects, SessionToken, SiteId, Subject};
use crate::wire::encode_batch;

/// A fixed moment (June 2025) the tests' clocks start from.
pub const T0: u64 = 1_750_000_000_000;

/// A second, in milliseconds.
pub const SEC: u64 = 1_000;

/// A minute, in milliseconds.
pub const MINUTE: u64 = 60 * SEC;

/// The site every session is on unless [`session_on`] says otherwise.
pub const SITE: &str = "shoes";

/// The currency of every batch.
pub const CURRENCY: &str = "EUR";

/// The subjects of session `id` (a number or a token of up to 10 characters) on [`SITE`].
pub fn session(id: impl Display) -> SessionSubjects {
    session_on(SITE, id)
}

/// The subjects of session `id` on `site`; the same `id` on two sites are two sessions.
pub fn session_on(site: &str, id: impl Display) -> SessionSubjects {
    SessionSubjects::new(
        SiteId::new(site).unwrap(),
        SessionToken::new(format!("token-{id:0>10}")).unwrap(),
    )
}

/// Batch `seq` of events of the given kinds, all at `at_ms`, in [`CURRENCY`].
pub fn batch(seq: u64, at_ms: u64, kinds: Vec<ShopperEvent>) -> Batch {
    let events = kinds
        .into_iter()
        .map(|kind| Event { at_ms, kind })
        .collect();
    Batch::new(seq, CURRENCY, events)
}

/// The payload of [`batch`]`(seq, at_ms, kinds)`, as the plugin publishes it.
pub fn payload(seq: u64, at_ms: u64, kinds: Vec<ShopperEvent>) -> Vec<u8> {
    encode_batch(&batch(seq, at_ms, kinds))
}

/// A view of the page at `path`, untitled, reached directly.
pub fn page(path: &str) -> ShopperEvent {
    page_titled(path, "")
}

/// A view of the page at `path` titled `title`, reached directly.
pub fn page_titled(path: &str, title: &str) -> ShopperEvent {
    ShopperEvent::PageView {
        path: path.to_owned(),
        title: title.to_owned(),
        referrer: None,
        utm: None,
    }
}

/// A stay of `ms` on the page at `path`, reported on leaving it.
pub fn dwell(path: &str, ms: u32) -> ShopperEvent {
    ShopperEvent::Dwell {
        path: path.to_owned(),
        ms,
    }
}

/// A cart line: `quantity` of `sku` worth `value_minor` together.
pub fn line(sku: &str, quantity: u32, value_minor: u64) -> CartLine {
    CartLine {
        sku: sku.to_owned(),
        quantity,
        value_minor,
    }
}

/// One trail shoe (sku `trail`) worth `value_minor` added to the cart.
pub fn cart_add(value_minor: u64) -> ShopperEvent {
    ShopperEvent::CartAdd(line("trail", 1, value_minor))
}

/// A look at product `sku` (as a product page's `view_item` records it).
pub fn product(sku: &str) -> ShopperEvent {
    ShopperEvent::ProductViewed {
        sku: sku.to_owned(),
        name: sku.to_owned(),
        price_minor: 12_900,
    }
}

/// Back to product `first` after a look at `second` (the plugin's toggling
/// report, recorded with the view of `first` that makes it).
pub fn toggling(first: &str, second: &str) -> ShopperEvent {
    ShopperEvent::ProductToggling {
        first_sku: first.to_owned(),
        second_sku: second.to_owned(),
    }
}

/// The first checkout step, `begin_checkout`.
pub fn checkout() -> ShopperEvent {
    ShopperEvent::CheckoutStep {
        step: 1,
        name: "begin_checkout".to_owned(),
        value_minor: None,
        items: Vec::new(),
    }
}

/// Order `order_id` completed for `total_minor`.
pub fn order(order_id: &str, total_minor: u64) -> ShopperEvent {
    ShopperEvent::OrderCompleted {
        order_id: order_id.to_owned(),
        total_minor,
        tax_minor: None,
        shipping_minor: None,
        items: Vec::new(),
    }
}

/// A shopper asks for chat `chat`, not in answer to an offer.
pub fn request(chat: &str) -> ChatFact {
    ChatFact::Request {
        chat_id: chat.to_owned(),
        offer_id: None,
    }
}

/// An agent claims chat `chat`.
pub fn claim(chat: &str) -> DeskFact {
    DeskFact::Claim {
        chat_id: chat.to_owned(),
    }
}

/// An agent is available for `capacity` chats at once.
pub fn available(capacity: u8) -> DeskFact {
    DeskFact::Status {
        available: true,
        capacity,
    }
}

/// The subject and payload of `fact` published by the shopper of `session`.
pub fn chat_message(session: &SessionSubjects, fact: ChatFact) -> (Subject, Vec<u8>) {
    (session.chat(), ChatEnvelope::new(fact).encode())
}

/// The subject and payload of `fact` recorded by the operator `user`.
pub fn desk_message(user: &str, fact: DeskFact) -> (Subject, Vec<u8>) {
    let subject = subject::desk(user, fact.kind()).unwrap();
    (subject, DeskEnvelope::new(fact).encode())
}

/// Hostile text of the Big List of Naughty Strings' kind, for the tests that
/// check shopper text never acts on a terminal nor breaks its grid:
/// terminal escapes, bidi and other format characters, emoji sequences,
/// combining marks, wide and unassigned characters.
pub const NAUGHTY: &[&str] = &[
    "\u{1b}[2J\u{1b}[H",
    "\u{1b}]0;pwned\u{7}",
    "\u{9b}31mred\u{85}",
    "\u{1b}[6n\u{1b}[c",
    "invoice_\u{202e}fdp.exe",
    "\u{2066}isolated\u{2069}\u{200f}",
    "a\u{200b}b\u{200d}c\u{feff}",
    "soft\u{ad}hyphen\u{2060}joined",
    "👨\u{200d}👩\u{200d}👧\u{200d}👦",
    "👍🏽 👋🏿",
    "❤\u{fe0f} ☺\u{fe0e}",
    "🇩🇪🇯🇵🇺",
    "🏴\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}",
    "1\u{fe0f}\u{20e3} #\u{20e3}",
    "\u{fdd0}\u{fffe}\u{10ffff}\u{e000}\u{378}",
    "\u{301}lead e\u{301}",
    "Z\u{351}\u{36b}\u{343}\u{36a}\u{302}\u{36b}\u{33d}\u{34f}\u{334}\u{319}\u{324}\u{31e}\u{349}",
    "\u{115f}\u{3164}\u{ffa0}\u{17b4}",
    "☰☷ \u{3248}",
    "東京の靴です",
    "ｗｉｄｅ　ｓｐａｃｅ",
    "表ポあA鷗ŒéＢ逍Üßªąñ丂㐀𠀀",
    "ثم نفس سقطت كلا",
    "הָיְתָה",
    "কাল ক্ষ",
    "ﾊﾞｶ",
    "Ω≈ç√∫˜µ≤≥÷",
    "<script>alert(1)</script>",
    "'; DROP TABLE shoppers; --",
    "tab\there\nnew\r\nline\u{2028}",
    "💩🐵 🙈",
    "\u{0}nul\u{7f}del",
];

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn sessions_are_named_by_number_or_token_and_sites_keep_them_apart() {
        assert_eq!(session(7).token().as_str(), "token-0000000007");
        assert_eq!(session("tab").token().as_str(), "token-0000000tab");
        assert_eq!(session(7), session("7"));
        assert_eq!(session(7).site().as_str(), SITE);
        assert_ne!(session_on("hats", 7), session(7));
    }

    #[test]
    fn messages_read_back_as_the_facts_they_carry() {
        let (subject, payload) = chat_message(&session(1), request("c1"));
        assert_eq!(subject, session(1).chat());
        assert_eq!(ChatEnvelope::decode(&payload).unwrap().fact, request("c1"));
        let (subject, payload) = desk_message("ana", claim("c1"));
        assert_eq!(subject::desk_parts(&subject), Some(("ana", "claim")));
        assert_eq!(DeskEnvelope::decode(&payload).unwrap().fact, claim("c1"));
    }
}
