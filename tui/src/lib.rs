//! The library behind the `floorwalker` binary.
//!
//! The binary's subcommands live in `main.rs` and its modules; what the
//! workspace tests also need lives here: running a private nats-server
//! ([`natsd`]), the gate ([`gate`]), operator credentials ([`creds`]) and
//! the storefront server ([`storefront`]), the JetStream streams
//! ([`streams`]), reading them ([`feed`]) and recording facts in them
//! ([`record`]), the chat router ([`router`]), simulated shoppers
//! ([`simulate`]), and how operators read numbers and journeys
//! ([`format`]).

pub mod creds;
pub mod feed;
pub mod format;
pub mod gate;
pub mod natsd;
pub mod offers;
pub mod record;
pub mod restart;
pub mod router;
pub mod simulate;
pub mod storefront;
pub mod streams;
