//! The library behind the `floorwalker` binary.
//!
//! The binary's subcommands live in `main.rs` and its modules; what the
//! workspace tests also need lives here: running a private nats-server
//! ([`natsd`]), the gate ([`gate`]), operator credentials ([`creds`]) and
//! the storefront server ([`storefront`]), the JetStream streams
//! ([`streams`]) and simulated shoppers ([`simulate`]).

pub mod creds;
pub mod gate;
pub mod natsd;
pub mod simulate;
pub mod storefront;
pub mod streams;
