//! The storefront plugin's chat part: offers, the chat window, the survey and
//! the delivery of chat facts. A page loads it only when its shopper needs
//! it: when something is pushed to the session, when the shopper opens the
//! launcher, or when an earlier page left a chat open or facts unsent. The
//! core (`floorwalker-storefront`, which every page loads) owns the
//! connection; the loader (`storefront-wasm/js/floorwalker.js`) fetches this
//! part, hands it the core's chat functions, and passes on what the core
//! receives for it.
//!
//! - [`part`] holds the part's state and its timer; [`host`] the core's
//!   functions it calls (publishing facts, saying the shopper is here,
//!   recording offers).
//! - [`push`] reads what operators push to the session; [`widget`] shows
//!   it (offers, the chat window, the survey) in a Shadow DOM, with the
//!   texts in [`strings`].
//! - [`chat`] keeps the session's chat and delivers its facts until the
//!   stream acknowledges them; [`storage`] keeps both for the session's
//!   other pages and tabs.
//!
//! Nothing here ever throws into the host page.

#![cfg_attr(floorwalker_no_std, no_std)]

extern crate alloc;

// The allocator and the panic handler.
use floorwalker_storefront_base as _;

mod chat;
mod host;
mod part;
mod push;
mod storage;
mod strings;
mod widget;

use wasm_bindgen::prelude::{JsValue, wasm_bindgen};

#[cfg(test)]
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Starts the chat part with the core's chat functions `host` (see
/// `host.rs`) for the session whose
/// stored data starts with `key`: the chat an earlier page left open shows,
/// and facts it left unsent go. Calling it again does nothing.
#[wasm_bindgen]
#[allow(clippy::needless_pass_by_value)] // wasm-bindgen hands JS values over by value
pub fn start(host: JsValue, key: &str) {
    part::start(host, key);
}

/// Something was pushed to the session.
#[wasm_bindgen]
pub fn push(payload: &[u8]) {
    part::with_part(|part| widget::on_push(part, payload));
}

/// A reply arrived for the fact `id` (the stream's acknowledgement, or its
/// error).
#[wasm_bindgen]
pub fn reply(id: &str, payload: &[u8]) {
    part::with_part(|part| part::on_reply(part, id, payload));
}

/// The core's connection is (back) up: pending facts and presence go.
#[wasm_bindgen]
pub fn connected() {
    part::with_part(part::on_connected);
}

/// The shopper opened the launcher: a chat opens unless one is.
#[wasm_bindgen]
pub fn ask() {
    part::with_part(|part| widget::ask_for_help(part, None));
}
