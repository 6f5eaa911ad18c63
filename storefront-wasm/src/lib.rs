//! The Floorwalker storefront plugin's core: what every page loads. A
//! storefront imports the loader (`js/floorwalker.js`, `dist/floorwalker.js`
//! once built) and calls its `start({ server, site })`; the loader brings
//! this module in once the page has loaded and the browser is idle, and
//! fetches the chat part (`chat/`, a second module) only for a shopper who
//! needs it.
//!
//! This file holds the `#[wasm_bindgen]` exports only; nothing here or below
//! ever throws into the host page: bad configuration gives one console
//! message and the page carries on.
//!
//! - [`config`] reads the options given to `start`; [`error`] says why the
//!   plugin could not start.
//! - [`storage`] keeps the visitor and the session (new after 30 minutes
//!   idle, shared by the tabs of one browser) in `localStorage`.
//! - [`datalayer`] reads the GA4 ecommerce events the shop pushes to
//!   `dataLayer`, and those given to `track`.
//! - [`capture`] listens to the page (passively, reading no layout in hot
//!   handlers) and feeds the shared `Recorder`.
//! - [`transport`] drives the shared sans-IO NATS `Connection` over the
//!   browser's WebSocket, through the gate, and publishes batches.
//! - [`shell`] is the loader, which the core tells what arrives for the
//!   chat part; [`chat_part`] publishes for the chat part what it asks
//!   (its facts, that the shopper is here) and records its offers.
//!
//! The allocator and the panic handler of the small build are in
//! `floorwalker-storefront-base`, which the chat part links too.

#![cfg_attr(floorwalker_no_std, no_std)]

extern crate alloc;

use floorwalker_storefront_base as _;

mod capture;
mod chat_part;
mod config;
mod datalayer;
mod error;
mod plugin;
mod shell;
mod storage;
mod transport;

use wasm_bindgen::prelude::{JsError, JsValue, wasm_bindgen};

// The browser glue's tests run in a real browser: `cargo test --target
// wasm32-unknown-unknown` hands them to wasm-bindgen-test-runner, which
// drives headless Chromium (`webdriver.json` holds its flags).
#[cfg(test)]
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Starts recording this page's journey and streaming it to `options.server`
/// (a `ws://` or `wss://` URL of nats-server's WebSocket listener) for site
/// `options.site`; the loader's `shell` shows the launcher and loads the
/// chat part, and the core tells it what arrives for it. Calling it again
/// does nothing.
#[wasm_bindgen]
#[allow(clippy::needless_pass_by_value)] // wasm-bindgen hands JS values over by value
pub fn boot(options: JsValue, shell: shell::Shell) {
    started(plugin::start(&options, Some(shell)));
}

/// [`boot`] without the loader, for the browser tests: no chat part.
#[cfg(all(test, target_arch = "wasm32"))]
#[allow(clippy::needless_pass_by_value)] // as `boot`
pub(crate) fn start(options: JsValue) {
    started(plugin::start(&options, None));
}

/// Says on the console why the plugin did not start, if it did not.
fn started(result: Result<(), error::StartError>) {
    if let Err(error) = result {
        // Concatenated, not `format!`ted: `core::fmt` is kilobytes of the
        // small build (storefront-wasm/base/src/lib.rs).
        let [what, given, end] = error.pieces();
        let text = floorwalker_shared::cat(&[
            "floorwalker: ",
            what,
            given,
            end,
            "; the page carries on without it",
        ]);
        // Logged, not thrown: the page carries on.
        web_sys::console::error_1(&JsError::new(&text).into());
    }
}

/// For the chat part: publishes the chat fact `json` whose dedupe id is
/// `id` (see `chat_part::send`); `false` if it cannot go now.
#[wasm_bindgen]
pub fn chat_send(id: &str, json: &str) -> bool {
    plugin::with_inner(|inner| chat_part::send(inner, id, json)).unwrap_or(false)
}

/// For the chat part: says the shopper is here in the open chat (`sync`:
/// and asks for the chat so far).
#[wasm_bindgen]
pub fn chat_here(sync: bool) {
    plugin::with_inner(|inner| chat_part::here(inner, sync));
}

/// For the chat part: whether the connection is up.
#[wasm_bindgen]
pub fn chat_connected() -> bool {
    plugin::with_inner(|inner| inner.conn.is_connected()).unwrap_or(false)
}

/// For the chat part: records that offer `offer_id` was `shown`,
/// `accepted` or `declined`.
#[wasm_bindgen]
pub fn chat_record(what: &str, offer_id: &str) {
    plugin::with_inner(|inner| chat_part::record(inner, what, offer_id));
}

/// Records a commerce event by its GA4 name and parameters, as a shop would
/// push it to `dataLayer`: `track("add_to_cart", { items: [{ item_id, item_name,
/// price, quantity }] })`. Names Floorwalker does not follow are ignored.
#[wasm_bindgen]
#[allow(clippy::needless_pass_by_value)] // wasm-bindgen hands JS values over by value
pub fn track(name: &str, params: JsValue) {
    plugin::with_plugin(|plugin| datalayer::record(plugin, name, &params));
}
