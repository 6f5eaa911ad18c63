//! The library behind the `floorwalker` binary: the services its commands
//! run, which the workspace tests run too. The commands themselves live in
//! the binary (`floorwalker X` in `cmd/X`, what the two screens share in
//! `ui/`); dependencies point cli → cmd → ui → this library → shared, and
//! nothing here knows the binary.
//!
//! Running a private nats-server ([`natsd`]), the gate ([`gate`]),
//! operator credentials and the one way to connect as an operator
//! ([`creds`]), the storefront server ([`storefront`]), the JetStream
//! streams ([`streams`]), reading them ([`feed`], the one reader, kept
//! alive by [`restart`]) and recording facts and offers in them
//! ([`record`], [`offers`]), which shoppers the broker says are connected
//! ([`presence`]), the intake, the one way what shoppers send reaches the
//! streams ([`intake`]), what the intakes and the gate refused
//! ([`refusals`]), the chat router ([`router`]), the figures served to
//! Prometheus ([`metrics`]), simulated
//! shoppers and agent bots ([`simulate`]), and how operators read numbers
//! and journeys ([`format`]).

pub mod creds;
#[cfg(test)]
mod docs;
pub mod feed;
pub mod format;
pub mod gate;
pub mod intake;
pub mod learn;
pub mod metrics;
pub mod natsd;
pub mod offers;
pub mod presence;
pub mod record;
pub mod refusals;
pub mod restart;
pub mod router;
pub mod simulate;
pub mod storefront;
pub mod streams;
pub mod trust;
