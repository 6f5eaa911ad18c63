//! Writing NATS operations. Encoding cannot fail: subjects and headers are
//! validated when they are built, and the JSON bodies hold only strings,
//! numbers and booleans.

use alloc::{format, vec::Vec};

use super::header::HeaderMap;
use super::op::{ClientOp, Message, ServerOp};
use crate::json::{self, ToJson};
use crate::subject::Subject;

impl ClientOp {
    /// Appends this operation's bytes to `out`.
    ///
    /// # Examples
    ///
    /// ```
    /// use floorwalker_shared::{nats::ClientOp, subject::Subject};
    /// let mut out = Vec::new();
    /// ClientOp::Pub {
    ///     subject: Subject::new("a.b").unwrap(),
    ///     reply: None,
    ///     headers: None,
    ///     payload: b"hi".to_vec(),
    /// }
    /// .encode(&mut out);
    /// assert_eq!(out, b"PUB a.b 2\r\nhi\r\n");
    /// ```
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::Connect(info) => json_line(out, "CONNECT", &**info),
            Self::Pub {
                subject,
                reply,
                headers,
                payload,
            } => with_payload(
                out,
                "PUB",
                subject,
                None,
                reply.as_ref(),
                headers.as_ref(),
                payload,
            ),
            Self::Sub {
                subject,
                queue,
                sid,
            } => {
                out.extend_from_slice(b"SUB ");
                out.extend_from_slice(subject.as_str().as_bytes());
                if let Some(queue) = queue {
                    out.push(b' ');
                    out.extend_from_slice(queue.as_str().as_bytes());
                }
                put_number(out, *sid);
                out.extend_from_slice(b"\r\n");
            }
            Self::Unsub { sid, max } => {
                out.extend_from_slice(b"UNSUB");
                put_number(out, *sid);
                if let Some(max) = max {
                    put_number(out, *max);
                }
                out.extend_from_slice(b"\r\n");
            }
            Self::Ping => out.extend_from_slice(b"PING\r\n"),
            Self::Pong => out.extend_from_slice(b"PONG\r\n"),
        }
    }
}

impl ServerOp {
    /// Appends this operation's bytes to `out` (for test servers and tools).
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::Info(info) => {
                out.extend_from_slice(b"INFO ");
                out.extend_from_slice(info.json().as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            Self::Msg(Message {
                subject,
                sid,
                reply,
                headers,
                payload,
            }) => with_payload(
                out,
                "MSG",
                subject,
                Some(*sid),
                reply.as_ref(),
                headers.as_ref(),
                payload,
            ),
            Self::Ping => out.extend_from_slice(b"PING\r\n"),
            Self::Pong => out.extend_from_slice(b"PONG\r\n"),
            Self::Ok => out.extend_from_slice(b"+OK\r\n"),
            Self::Err(err) => {
                out.extend_from_slice(format!("-ERR '{}'\r\n", err.message()).as_bytes());
            }
        }
    }
}

/// `op`, a space, `body` as JSON and the line's end. The body is written by
/// hand ([`crate::json`]), as `serde_json` would write it, which escapes
/// control characters: a value cannot end the line.
fn json_line(out: &mut Vec<u8>, op: &str, body: &impl ToJson) {
    out.extend_from_slice(op.as_bytes());
    out.push(b' ');
    out.extend_from_slice(&json::to_vec(body));
    out.extend_from_slice(b"\r\n");
}

/// Writes `PUB`/`MSG`, or `HPUB`/`HMSG` when there are headers.
fn with_payload(
    out: &mut Vec<u8>,
    op: &str,
    subject: &Subject,
    sid: Option<u64>,
    reply: Option<&Subject>,
    headers: Option<&HeaderMap>,
    payload: &[u8],
) {
    let mut block = Vec::new();
    if let Some(headers) = headers {
        headers.write(&mut block);
        out.push(b'H');
    }
    out.extend_from_slice(op.as_bytes());
    out.push(b' ');
    out.extend_from_slice(subject.as_str().as_bytes());
    if let Some(sid) = sid {
        put_number(out, sid);
    }
    if let Some(reply) = reply {
        out.push(b' ');
        out.extend_from_slice(reply.as_str().as_bytes());
    }
    if headers.is_some() {
        put_number(out, block.len() as u64);
    }
    put_number(out, (block.len() + payload.len()) as u64);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&block);
    out.extend_from_slice(payload);
    out.extend_from_slice(b"\r\n");
}

/// Writes a space and `n` in decimal; itoa, because `format!` would bring
/// the formatting machinery into the plugin.
fn put_number(out: &mut Vec<u8>, n: u64) {
    out.push(b' ');
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}
