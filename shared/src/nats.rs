//! A sans-IO codec for the NATS client protocol.
//!
//! The codec owns no socket and reads no clock: the plugin drives it over a
//! browser WebSocket, the simulator and tests over tokio or plain TCP. It is
//! hand-written because no Rust NATS client builds for wasm32 in the browser
//! (async-nats is native-only), and the plugin must speak NATS there.
//!
//! - [`op`] holds the operations: [`ServerOp`] (what a server sends) and
//!   [`ClientOp`] (what a client sends), with [`Message`] for MSG/HMSG.
//! - [`header`] is the `NATS/1.0` header block of HPUB/HMSG.
//! - [`info`] holds the JSON bodies of INFO and CONNECT.
//! - [`decode`] parses either direction from arbitrary byte chunks: a frame may
//!   be split anywhere across reads, and nothing is consumed until a whole
//!   frame is present. Control lines and payloads are bounded by [`Limits`];
//!   an oversized frame is rejected, never buffered without limit.
//! - [`encode`] writes either direction. It cannot fail: subjects and headers
//!   are validated when they are built.
//! - [`conn`] is a client connection as a state machine: handshake,
//!   keepalive, reconnect with backoff and jitter, subscriptions replayed,
//!   publishes kept in a bounded outbox while down.
//!
//! The protocol is described at <https://docs.nats.io/reference/reference-protocols/nats-protocol>.

pub mod conn;
pub mod decode;
pub mod encode;
pub mod error;
pub mod header;
pub mod info;
pub mod op;

pub use decode::{ClientDecoder, Limits, ServerDecoder};
pub use error::{DecodeError, DecodeErrorKind, ServerError, ServerErrorKind};
pub use header::{HeaderError, HeaderMap};
pub use info::{ConnectInfo, RawInfo, ServerInfo};
pub use op::{ClientOp, Message, ServerOp};

#[cfg(test)]
mod tests;
