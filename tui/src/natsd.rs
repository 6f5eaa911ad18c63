//! Running a private nats-server: find a binary new enough, write its config,
//! start it, learn its ports, and stop it.
//!
//! The demo and the tests both run their own nats-server this way, so what a
//! newcomer sees in `floorwalker demo` is what every test runs against.
//!
//! - [`binary`] finds a nats-server ≥ 2.10 (auth callout needs it).
//! - [`config`] renders a server config from a typed [`ServerConfig`].
//! - [`process`] starts it, waits until it accepts clients, and stops it when
//!   its [`NatsServer`] guard is dropped, also during a panic.

pub mod binary;
pub mod config;
pub mod process;

pub use binary::{LocateError, NatsBinary};
pub use config::{Port, ServerConfig, WebSocket};
pub use process::{NatsServer, StartError};
