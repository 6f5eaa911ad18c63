//! The Floorwalker storefront plugin: a storefront loads it with one script
//! tag and calls `start({ server, site })`.
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
//! - [`push`] reads what operators push to the session; [`widget`] shows
//!   it (offers, the chat window, the survey) in a Shadow DOM, with the
//!   texts in [`strings`].
//! - [`chat`] keeps the session's chat and delivers its facts to the
//!   stream until they are acknowledged.
//! - [`transport`] drives the shared sans-IO NATS `Connection` over the
//!   browser's WebSocket, through the gate, and publishes batches and
//!   chat facts.

// `just wasm` builds the plugin without std (`--cfg floorwalker_no_std`), so
// that a panic (none is expected) traps rather than pulling in std's panic
// and formatting machinery: kilobytes of every shopper's download
// (docs/BENCHMARKS.md). Other builds, tests included, keep std: the browser
// tests' harness needs it, and std brings its own panic handler.
#![cfg_attr(floorwalker_no_std, no_std)]

extern crate alloc;

// The plugin's one static (plugin.rs) relies on there being one thread.
#[cfg(all(
    floorwalker_no_std,
    not(all(target_arch = "wasm32", not(target_feature = "atomics")))
))]
compile_error!("floorwalker_no_std is for wasm32 without threads only");

mod capture;
mod chat;
mod config;
mod datalayer;
mod error;
mod plugin;
mod push;
mod storage;
mod strings;
mod transport;
mod widget;

use wasm_bindgen::prelude::{JsError, JsValue, wasm_bindgen};

// The browser glue's tests run in a real browser: `cargo test --target
// wasm32-unknown-unknown` hands them to wasm-bindgen-test-runner, which
// drives headless Chromium (`webdriver.json` holds its flags).
#[cfg(test)]
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

// The default allocator (dlmalloc) is 5.5 KB of every shopper's download; the
// plugin allocates little and runs on one thread, where a free-list
// allocator does as well.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
// SAFETY: wasm32-unknown-unknown without threads runs the plugin on one
// thread, which is what AssumeSingleThreaded requires.
#[allow(unsafe_code)]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

#[cfg(floorwalker_no_std)]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// The version of the event schema this plugin speaks.
#[wasm_bindgen(js_name = schemaVersion)]
pub fn schema_version() -> u16 {
    floorwalker_shared::event::SCHEMA_VERSION
}

/// Starts recording this page's journey and streaming it to `options.server`
/// (a `ws://` or `wss://` URL of nats-server's WebSocket listener) for site
/// `options.site`. Calling it again does nothing.
#[wasm_bindgen]
#[allow(clippy::needless_pass_by_value)] // wasm-bindgen hands JS values over by value
pub fn start(options: JsValue) {
    if let Err(error) = plugin::start(&options) {
        // Concatenated, not `format!`ted: see the no_std note above.
        let [what, given, end] = error.pieces();
        let text = [
            "floorwalker: ",
            what,
            given,
            end,
            "; the page carries on without it",
        ]
        .concat();
        // Logged, not thrown: the page carries on.
        web_sys::console::error_1(&JsError::new(&text).into());
    }
}

/// Records a commerce event by its GA4 name and parameters, as a shop would
/// push it to `dataLayer`: `track("add_to_cart", { items: [{ item_id, item_name,
/// price, quantity }] })`. Names Floorwalker does not follow are ignored.
#[wasm_bindgen]
#[allow(clippy::needless_pass_by_value)] // wasm-bindgen hands JS values over by value
pub fn track(name: &str, params: JsValue) {
    plugin::with_plugin(|plugin| datalayer::record(plugin, name, &params));
}
