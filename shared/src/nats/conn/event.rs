//! What a connection reports to its IO layer and its user, and why it went
//! down or refused a publish.

use crate::nats::error::{DecodeError, ServerError};
use crate::nats::info::RawInfo;
use crate::nats::op::Message;

/// Why the connection went down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownReason {
    /// The transport closed or failed to open.
    Transport,
    /// The server did not answer PINGs.
    Stale,
    /// The handshake took too long.
    HandshakeTimeout,
    /// The server refused the connection.
    Refused(ServerError),
    /// The server sent bytes that do not decode.
    Protocol(DecodeError),
}

/// What the connection tells its IO layer and its user.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The handshake completed; publishes flow.
    Connected(RawInfo),
    /// The connection went down; it will retry after a backoff.
    Disconnected(DownReason),
    /// A message for a subscription; on a reconnect it may come just before
    /// `Connected`.
    Message(Message),
    /// The server reported an error that did not end the connection.
    ServerError(ServerError),
    /// Publishes were dropped from the full outbox while disconnected, or
    /// as larger than the server then announced it takes; told once the
    /// connection is (back) up.
    Dropped(u64),
    /// The IO layer must close the socket.
    CloseTransport,
}

/// Why a publish was refused outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishError {
    /// Larger than the server accepts (or than the outbox holds).
    TooLarge,
}
