//! Errors of the codec, and the errors a server reports with `-ERR`.

use alloc::string::String;

use thiserror::Error;

use crate::subject::SubjectError;

/// Why bytes could not be decoded. Every kind is fatal to the connection: the
/// byte stream can no longer be trusted to be in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// No `\r\n` within the control-line limit.
    ControlLineTooLong,
    /// A frame announced a payload over the payload limit.
    PayloadTooLarge,
    /// The operation name is not one of the protocol's.
    UnknownOperation,
    /// Too few or too many arguments for the operation.
    Arguments,
    /// A size or id was not a decimal number, or sizes disagree.
    Number,
    /// A subject or queue group was not valid.
    Subject,
    /// The JSON of `INFO` or `CONNECT` did not parse.
    Json,
    /// The `NATS/1.0` header block did not parse.
    Headers,
    /// A payload was not followed by `\r\n`.
    Terminator,
    /// The control line was not UTF-8.
    Utf8,
}

/// An error decoding a frame, with its kind and what was seen.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{kind:?}: {detail}")]
pub struct DecodeError {
    kind: DecodeErrorKind,
    detail: Detail,
}

/// What was seen. Kept as data and formatted only when shown, so that the
/// plugin, which never shows it, carries no formatting code for it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
enum Detail {
    #[error("{0}")]
    Text(String),
    #[error("subject {0}")]
    Subject(SubjectError),
}

impl DecodeError {
    pub(crate) fn new(kind: DecodeErrorKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: Detail::Text(detail.into()),
        }
    }

    pub(crate) fn subject(error: SubjectError) -> Self {
        Self {
            kind: DecodeErrorKind::Subject,
            detail: Detail::Subject(error),
        }
    }

    /// What went wrong, for matching and counting.
    pub fn kind(&self) -> DecodeErrorKind {
        self.kind
    }
}

/// The errors nats-server reports, as far as a client acts on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerErrorKind {
    /// Credentials refused, or the auth callout denied the connection.
    AuthorizationViolation,
    /// The client did not authenticate in time.
    AuthenticationTimeout,
    /// A publish exceeded the server's `max_payload`.
    MaximumPayloadViolation,
    /// A publish or subscribe outside the user's permissions.
    PermissionsViolation,
    /// A subscription over the connection's or account's limit.
    MaximumSubscriptionsExceeded,
    /// The server or account has no room for another connection.
    MaximumConnectionsExceeded,
    /// The client stopped answering pings.
    StaleConnection,
    /// The client could not keep up with its messages.
    SlowConsumer,
    /// The server did not understand what the client sent.
    UnknownProtocolOperation,
    /// Anything else; the text says what.
    Other,
}

/// An error reported by the server with `-ERR`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("nats-server: {message}")]
pub struct ServerError {
    kind: ServerErrorKind,
    message: String,
}

impl ServerError {
    /// Classifies the text of a `-ERR` line (quotes already removed).
    pub fn new(message: impl Into<String>) -> Self {
        let message = message.into();
        let lower = message.to_ascii_lowercase();
        let kind = [
            (
                "authorization violation",
                ServerErrorKind::AuthorizationViolation,
            ),
            (
                "authentication timeout",
                ServerErrorKind::AuthenticationTimeout,
            ),
            ("maximum payload", ServerErrorKind::MaximumPayloadViolation),
            (
                "permissions violation",
                ServerErrorKind::PermissionsViolation,
            ),
            (
                "maximum connections",
                ServerErrorKind::MaximumConnectionsExceeded,
            ),
            (
                "maximum subscriptions",
                ServerErrorKind::MaximumSubscriptionsExceeded,
            ),
            ("stale connection", ServerErrorKind::StaleConnection),
            ("slow consumer", ServerErrorKind::SlowConsumer),
            (
                "unknown protocol",
                ServerErrorKind::UnknownProtocolOperation,
            ),
        ]
        .into_iter()
        .find(|(needle, _)| lower.starts_with(needle))
        .map_or(ServerErrorKind::Other, |(_, kind)| kind);
        Self { kind, message }
    }

    /// What kind of error the server reported.
    pub fn kind(&self) -> ServerErrorKind {
        self.kind
    }

    /// The server's text, without quotes.
    pub fn message(&self) -> &str {
        &self.message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_are_classified_from_real_texts() {
        let cases = [
            (
                "Authorization Violation",
                ServerErrorKind::AuthorizationViolation,
            ),
            (
                "Authentication Timeout",
                ServerErrorKind::AuthenticationTimeout,
            ),
            (
                "Maximum Payload Violation",
                ServerErrorKind::MaximumPayloadViolation,
            ),
            (
                "Permissions Violation for Publish to \"fw.x\"",
                ServerErrorKind::PermissionsViolation,
            ),
            (
                "maximum connections exceeded",
                ServerErrorKind::MaximumConnectionsExceeded,
            ),
            (
                "maximum subscriptions exceeded",
                ServerErrorKind::MaximumSubscriptionsExceeded,
            ),
            ("Stale Connection", ServerErrorKind::StaleConnection),
            ("Slow Consumer", ServerErrorKind::SlowConsumer),
            (
                "Unknown Protocol Operation",
                ServerErrorKind::UnknownProtocolOperation,
            ),
            ("something new", ServerErrorKind::Other),
        ];
        for (text, kind) in cases {
            assert_eq!(ServerError::new(text).kind(), kind, "{text}");
        }
    }
}
