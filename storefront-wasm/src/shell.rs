//! The loader (`js/floorwalker.js`) as the core sees it: it shows the
//! launcher, loads the chat part when a shopper needs it, and passes on
//! what the core receives for the chat part (holding it while the part
//! loads).

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    /// The loader's side of the core.
    #[derive(Clone)]
    pub type Shell;

    /// The core has started for the session whose stored data starts with
    /// `key`: the launcher shows, and the chat part loads at once if an
    /// earlier page left it a chat or facts.
    #[wasm_bindgen(method)]
    pub(crate) fn ready(this: &Shell, key: &str);

    /// Something was pushed to the session.
    #[wasm_bindgen(method)]
    pub(crate) fn push(this: &Shell, payload: &[u8]);

    /// A reply arrived for chat fact `id`.
    #[wasm_bindgen(method)]
    pub(crate) fn reply(this: &Shell, id: &str, payload: &[u8]);

    /// The connection is (back) up.
    #[wasm_bindgen(method)]
    pub(crate) fn connected(this: &Shell);
}
