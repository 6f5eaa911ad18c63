//! The Floorwalker storefront plugin: a storefront loads it with one script tag.
//!
//! This crate is the skeleton the plugin issue fills: it already builds for
//! `wasm32-unknown-unknown` against the shared contracts, so the browser and
//! the operators agree from the first line. Journey capture, the WebSocket
//! transport and the in-page widgets come with that issue.
