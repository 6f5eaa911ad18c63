//! The core's functions this part calls: the loader hands over an object of
//! the core's four chat exports (`storefront-wasm/src/lib.rs`). The core
//! owns the connection, the session's subjects and the recorder.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    /// The core's chat functions.
    pub(crate) type Host;

    /// Publishes the chat fact `json` whose dedupe id is `id`, with the
    /// stream's acknowledgement to come as a `reply` for `id`; `false` if
    /// it cannot go now (not connected, or too large).
    #[wasm_bindgen(method, js_name = chat_send)]
    pub(crate) fn send(this: &Host, id: &str, json: &str) -> bool;

    /// Says the shopper is here, in the open chat; `sync` asks for the
    /// chat so far.
    #[wasm_bindgen(method, js_name = chat_here)]
    pub(crate) fn here(this: &Host, sync: bool);

    /// Whether the core's connection is up.
    #[wasm_bindgen(method, js_name = chat_connected)]
    pub(crate) fn connected(this: &Host) -> bool;

    /// Records that offer `offer_id` was shown, accepted or declined
    /// (`what`), in the session's journey.
    #[wasm_bindgen(method, js_name = chat_record)]
    pub(crate) fn record(this: &Host, what: &str, offer_id: &str);
}
