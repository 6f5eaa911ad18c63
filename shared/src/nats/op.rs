//! The operations of the NATS client protocol, in both directions.

use alloc::{boxed::Box, vec::Vec};

use super::error::ServerError;
use super::header::HeaderMap;
use super::info::{ConnectInfo, RawInfo};
use crate::subject::Subject;

/// What a server sends to a client.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerOp {
    /// `INFO {json}`: the server's identity and limits, sent on connect and on change.
    Info(RawInfo),
    /// `MSG`, or `HMSG` when it carries headers: a message for a subscription.
    Msg(Message),
    /// `PING`: the client must answer `PONG`.
    Ping,
    /// `PONG`: the answer to the client's `PING`.
    Pong,
    /// `+OK`: acknowledgement in verbose mode.
    Ok,
    /// `-ERR 'text'`: a protocol or permission error; most close the connection.
    Err(ServerError),
}

/// What a client sends to a server.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientOp {
    /// `CONNECT {json}`: the client's options and credentials.
    Connect(Box<ConnectInfo>),
    /// `PUB`, or `HPUB` when `headers` is set: publish a message.
    Pub {
        /// Where to publish; must not contain wildcards.
        subject: Subject,
        /// Where replies should go.
        reply: Option<Subject>,
        /// Headers; `Some` makes this an `HPUB`.
        headers: Option<HeaderMap>,
        /// The message body.
        payload: Vec<u8>,
    },
    /// `SUB`: subscribe to a subject, optionally in a queue group.
    Sub {
        /// What to subscribe to; wildcards allowed.
        subject: Subject,
        /// The queue group, if messages should be shared among its members.
        queue: Option<Subject>,
        /// The subscription id the server will quote in `MSG`.
        sid: u64,
    },
    /// `UNSUB`: end a subscription, now or after `max` more messages.
    Unsub {
        /// The subscription id.
        sid: u64,
        /// Unsubscribe automatically after this many messages in total.
        max: Option<u64>,
    },
    /// `PING`: the server must answer `PONG`.
    Ping,
    /// `PONG`: the answer to the server's `PING`.
    Pong,
}

/// A message delivered to a subscription (`MSG` or `HMSG`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The subject it was published to.
    pub subject: Subject,
    /// The subscription it was delivered to.
    pub sid: u64,
    /// Where replies should go.
    pub reply: Option<Subject>,
    /// Headers; `Some` means it arrived as `HMSG`.
    pub headers: Option<HeaderMap>,
    /// The message body.
    pub payload: Vec<u8>,
}
