//! The library behind the `floorwalker` binary.
//!
//! The binary's subcommands live in `main.rs` and its modules; what the
//! workspace tests also need (running a private nats-server) lives here.

pub mod natsd;
