//! What every side of Floorwalker must agree on, and the pure logic they share.
//!
//! Nothing in this crate performs IO or reads a clock, so it builds for
//! `wasm32-unknown-unknown` (the storefront plugin) and for native (the
//! `floorwalker` binary and the tests) alike.
//!
//! - [`event`] is the versioned schema of what a shopper does and of what is
//!   pushed to a shopper; [`wire`] turns batches of it into payload bytes.
//! - [`subject`] builds every NATS subject the plugin, dashboard, agents and
//!   gate use, from a validated site id and session token. No subject is
//!   spelled anywhere else.
//! - [`nats`] is a sans-IO codec for the NATS client protocol: the plugin
//!   drives it over a browser WebSocket, the tests over plain TCP.
//! - [`session`] is one shopper's session as a supervisor sees it (state,
//!   cart, offers, why they look stuck), [`journey`] its path step by step,
//!   and [`floor`] every session at once with what is usual on each page;
//!   [`metrics`] computes the figures every screen shows from the floor;
//!   [`pages`] learns, per site and page pattern, which pages lead
//!   shoppers to ask for help, after how long, and what happened after;
//!   [`triage`] says which shoppers need help, why in words, and who first
//!   (a documented score), writing amounts as [`money`] does.
//! - `json` writes the JSON the plugin sends (batches, CONNECT, chat facts)
//!   by hand, byte for byte as `serde_json` would, without its serializer.
//! - [`intake`] is what the intake reports: what it stored of what
//!   shoppers sent, and what it refused and why; [`router`] what the chat
//!   router reports: what it pushed and recorded.
//! - [`sanitize`] makes shopper-controlled text safe to print on an
//!   operator's terminal.
//! - [`memory`] is a shopper's memory across visits, and the visits
//!   before a first purchase per site.
//! - [`staffing`] says how many agents the chat queue needs (Erlang A, and
//!   Erlang C beside it), from arrivals, handle time and patience.
//! - `testing` (tests only, and other crates' tests with the `testing`
//!   feature) builds the sessions, batches and facts tests are made of.

// No std, so the plugin can leave out std's panic and formatting machinery
// (docs/BENCHMARKS.md); tests run with std.
#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod base64url;
pub mod chat;
pub mod commerce;
pub mod credential;
pub mod desk;
pub mod event;
pub mod floor;
pub mod intake;
pub mod journey;
mod json;
// What the operators' side learns; the plugin never links it.
#[cfg(not(target_arch = "wasm32"))]
pub mod memory;
pub mod metrics;
pub mod money;
pub mod nats;
#[cfg(not(target_arch = "wasm32"))]
pub mod pages;
pub mod recorder;
pub mod router;
pub mod sanitize;
pub mod session;
pub mod staffing;
pub mod subject;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod triage;
pub mod wire;

/// `text` as a decimal number: 1 to 20 ASCII digits and nothing else (no
/// sign, unlike `u64::from_str`), within `u64`. One small parser for the
/// plugin's every number, rather than an instance of `str::parse` per
/// caller.
pub fn decimal(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 20 {
        return None;
    }
    text.bytes().try_fold(0u64, |n, b| {
        let digit = b.checked_sub(b'0').filter(|d| *d < 10)?;
        n.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// `parts` joined into one string, as `[&str]::concat` does without the
/// generic join it brings (about 900 bytes of the plugin's wasm).
pub fn cat(parts: &[&str]) -> alloc::string::String {
    let mut text = alloc::string::String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        text.push_str(part);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_digits_within_u64_and_nothing_else() {
        assert_eq!(decimal("0"), Some(0));
        assert_eq!(decimal("1750000000000"), Some(1_750_000_000_000));
        assert_eq!(decimal("18446744073709551615"), Some(u64::MAX));
        for not in [
            "",
            "+1",
            "-1",
            " 1",
            "1 ",
            "1.5",
            "1e3",
            "18446744073709551616",
            "٣",
        ] {
            assert_eq!(decimal(not), None, "{not:?}");
        }
        assert_eq!(
            decimal("00000000000000000042"),
            Some(42),
            "twenty digits with leading zeros"
        );
    }

    #[test]
    fn cat_joins_as_concat_does() {
        assert_eq!(cat(&[]), "");
        assert_eq!(cat(&["a", "", "bc", "é"]), ["a", "", "bc", "é"].concat());
    }
}
