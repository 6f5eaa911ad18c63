//! The Floorwalker storefront plugin: a storefront loads it with one script tag.
//!
//! This crate is the skeleton the plugin issue fills: it already builds for
//! `wasm32-unknown-unknown` against the shared event schema, subjects and NATS
//! codec, so the browser and the operators agree from the first line. Journey
//! capture, the WebSocket transport and the in-page widgets come with that
//! issue.

use wasm_bindgen::prelude::wasm_bindgen;

/// The version of the event schema this plugin speaks, for a storefront's
/// console checks.
#[wasm_bindgen(js_name = schemaVersion)]
pub fn schema_version() -> u16 {
    floorwalker_shared::event::SCHEMA_VERSION
}
