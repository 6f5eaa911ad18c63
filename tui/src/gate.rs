//! `floorwalker gate`: the NATS auth-callout service that admits every
//! connection but its own.
//!
//! nats-server asks on `$SYS.REQ.USER.AUTH` (ADR-26) whether a connecting
//! client may in, and with which permissions. The gate answers: shoppers with
//! a well-formed session credential for a served site get their own session's
//! subjects and nothing else; operators who sign the server's nonce with a
//! key the gate knows get their role's permissions; everyone else is
//! refused, with the reason logged and counted.
//!
//! - [`claims`] and [`jwt`]: the request, the response and the user JWT.
//! - [`policy`]: the permission table (roles × subjects).
//! - [`decide`]: one decision, without IO; [`limiter`] and [`stats`] feed it.
//! - [`config`]: `gate.toml`, and what `floorwalker auth init` generates;
//!   [`server_conf`]: the nats-server config it writes around it.
//! - [`service`]: the async-nats loop around [`decide::Gate`].

pub mod claims;
pub mod config;
pub mod decide;
pub mod jwt;
pub mod limiter;
pub mod policy;
pub mod proxy;
pub mod server_conf;
pub mod service;
pub mod stats;
