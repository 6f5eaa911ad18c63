//! Why the plugin could not start, and the console message that says so.
//!
//! Hand-written rather than derived with thiserror (the house choice): the
//! plugin must stay under 60,000 bytes gzipped (docs/BENCHMARKS.md), and
//! `just wasm` measured 59,777 with the `String` errors this replaced.
//! - thiserror's `#[error("… not '{0}'")]` formats through `core::fmt`:
//!   62,997, over the limit;
//! - a `Display` that only writes `&str`s still brings in `core::fmt`'s
//!   `Formatter` once turned into a `String` (62,814), so `start`
//!   concatenates [`StartError::pieces`] instead; `Display` joins the same
//!   pieces, for tests and any other reader;
//! - kinds as enum variants need a table from variant to message, about 70
//!   bytes more than kinds that *are* their `&'static str` message, which is
//!   what [`StartErrorKind`] is; with the `JsError` that `start` logs, the
//!   enum came to about 60,010.
//!
//! This form: 59,941.

use alloc::string::String;
use core::fmt;

/// What kept the plugin from starting, as the start of the message that
/// says so (a bad option's message ends in the value given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StartErrorKind(&'static str);

impl StartErrorKind {
    /// `start` was given something other than an object.
    pub(crate) const NOT_AN_OBJECT: Self =
        Self("start() needs an object: start({ server: 'wss://…', site: 'my-shop' })");
    /// No `server` option.
    pub(crate) const NO_SERVER: Self =
        Self("start() needs 'server', the ws:// or wss:// URL of nats-server");
    /// A `server` that is not a WebSocket URL.
    pub(crate) const BAD_SERVER: Self = Self("'server' must be a ws:// or wss:// URL, not '");
    /// No `site` option.
    pub(crate) const NO_SITE: Self = Self("start() needs 'site', your site id");
    /// A `site` that is not a site id.
    pub(crate) const BAD_SITE: Self = Self("'site' must be 1 to 32 of [a-z0-9-], not '");
    /// A `currency` that is not an ISO 4217 code.
    pub(crate) const BAD_CURRENCY: Self =
        Self("'currency' must be an ISO 4217 code like 'EUR', not '");
    /// The browser has no working `crypto.getRandomValues`.
    pub(crate) const NO_RANDOM: Self =
        Self("this browser's crypto.getRandomValues is missing or failed");
    /// `history` lacks `pushState` or `replaceState`.
    pub(crate) const NO_HISTORY_HOOKS: Self = Self("history has no pushState or replaceState");
}

/// Why the plugin could not start: the kind and, for a bad option, the
/// value given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StartError {
    kind: StartErrorKind,
    given: Option<String>,
}

impl StartError {
    /// The option of `kind` was given as `given`, which will not do.
    pub(crate) fn bad(kind: StartErrorKind, given: String) -> Self {
        Self {
            kind,
            given: Some(given),
        }
    }

    /// What went wrong, for tests to match.
    #[cfg(all(test, target_arch = "wasm32"))] // the plugin shows the message only
    pub(crate) fn kind(&self) -> StartErrorKind {
        self.kind
    }

    /// The message in pieces, to concatenate.
    pub(crate) fn pieces(&self) -> [&str; 3] {
        match &self.given {
            Some(given) => [self.kind.0, given, "'"],
            None => [self.kind.0, "", ""],
        }
    }
}

impl From<StartErrorKind> for StartError {
    fn from(kind: StartErrorKind) -> Self {
        Self { kind, given: None }
    }
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.pieces()
            .into_iter()
            .try_for_each(|piece| f.write_str(piece))
    }
}

impl core::error::Error for StartError {}
