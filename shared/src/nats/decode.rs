//! Parsing NATS operations from a byte buffer that fills in arbitrary chunks.
//!
//! [`ServerDecoder`] reads what a server sends (the client side);
//! [`ClientDecoder`] reads what a client sends (for test servers and tools).
//! Both follow httparse's rule: "not enough bytes yet" is `Ok(None)` and
//! consumes nothing; a whole frame is consumed at once. Every error is fatal
//! to the connection, because the stream can no longer be trusted to be in
//! step.
//!
//! A decoder reads from a borrowed slice and moves its start past what it
//! took, so a caller decodes every whole frame of a read and then drops
//! what was taken from its own buffer once (`Vec::drain`), not per frame.
//! Payloads are copied out into `Vec`s: a few hundred bytes each, copied
//! once, where sharing the read buffer (the `bytes` crate) cost the plugin
//! more code than the copy costs time (docs/BENCHMARKS.md).

use alloc::{boxed::Box, format, vec::Vec};

use super::error::{DecodeError, DecodeErrorKind as Kind, ServerError};
use super::header::HeaderMap;
use super::info::{ConnectInfo, RawInfo};
use super::op::{ClientOp, Message, ServerOp};
use crate::subject::Subject;

/// Bounds on what a decoder buffers before giving up on a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest control line accepted, without its `\r\n` (nats-server: 4 KiB).
    pub max_control_line: usize,
    /// Largest payload accepted, headers included (nats-server: 1 MiB).
    pub max_payload: usize,
}

impl Default for Limits {
    /// nats-server's own defaults.
    fn default() -> Self {
        Self {
            max_control_line: 4096,
            max_payload: 1024 * 1024,
        }
    }
}

/// Decodes what a server sends.
#[derive(Debug, Clone, Default)]
pub struct ServerDecoder {
    limits: Limits,
}

impl ServerDecoder {
    /// A decoder with the given bounds.
    pub fn new(limits: Limits) -> Self {
        Self { limits }
    }

    /// The decoder's bounds.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Decodes one operation from the front of `buf` and moves `buf`'s
    /// start past it.
    ///
    /// Returns `Ok(None)` and leaves `buf` untouched until a whole frame is
    /// present.
    ///
    /// # Examples
    ///
    /// ```
    /// use floorwalker_shared::nats::{ServerDecoder, ServerOp};
    /// let mut dec = ServerDecoder::default();
    /// let mut read = b"MSG a.b 1 5\r\nhel".to_vec();
    /// let mut rest = &read[..];
    /// assert_eq!(dec.decode(&mut rest)?, None);
    /// assert_eq!(rest, &read[..]);
    /// read.extend_from_slice(b"lo\r\nPING\r\nPO");
    /// let mut rest = &read[..];
    /// let Some(ServerOp::Msg(msg)) = dec.decode(&mut rest)? else { panic!() };
    /// assert_eq!(msg.payload, b"hello");
    /// assert_eq!(dec.decode(&mut rest)?, Some(ServerOp::Ping));
    /// assert_eq!(dec.decode(&mut rest)?, None);
    /// // Keep what is left for the next read.
    /// let taken = read.len() - rest.len();
    /// read.drain(..taken);
    /// assert_eq!(read, b"PO");
    /// # Ok::<(), floorwalker_shared::nats::DecodeError>(())
    /// ```
    pub fn decode(&mut self, buf: &mut &[u8]) -> Result<Option<ServerOp>, DecodeError> {
        let Some((line_len, frame)) = read_line(buf, self.limits, parse_server_line)? else {
            return Ok(None);
        };
        Ok(match frame {
            Frame::Done(op) => {
                *buf = &buf[line_len..];
                Some(op)
            }
            Frame::Payload(head) => {
                take_payload(buf, line_len, &head)?.map(|(headers, payload)| {
                    ServerOp::Msg(Message {
                        subject: head.subject,
                        sid: head.sid,
                        reply: head.reply,
                        headers,
                        payload,
                    })
                })
            }
        })
    }
}

/// Decodes what a client sends.
#[derive(Debug, Clone, Default)]
pub struct ClientDecoder {
    limits: Limits,
}

impl ClientDecoder {
    /// A decoder with the given bounds.
    pub fn new(limits: Limits) -> Self {
        Self { limits }
    }

    /// Decodes one operation from the front of `buf` and moves `buf`'s
    /// start past it; `Ok(None)`, with `buf` untouched, until a whole frame
    /// is present.
    pub fn decode(&mut self, buf: &mut &[u8]) -> Result<Option<ClientOp>, DecodeError> {
        let Some((line_len, frame)) = read_line(buf, self.limits, parse_client_line)? else {
            return Ok(None);
        };
        Ok(match frame {
            Frame::Done(op) => {
                *buf = &buf[line_len..];
                Some(op)
            }
            Frame::Payload(head) => {
                take_payload(buf, line_len, &head)?.map(|(headers, payload)| ClientOp::Pub {
                    subject: head.subject,
                    reply: head.reply,
                    headers,
                    payload,
                })
            }
        })
    }
}

/// A parsed control line: either the whole operation, or the head of one
/// whose payload follows.
enum Frame<T> {
    Done(T),
    Payload(PayloadHead),
}

/// The control line of `MSG`/`HMSG`/`PUB`/`HPUB`.
struct PayloadHead {
    subject: Subject,
    /// The subscription id (`MSG`/`HMSG` only; 0 for `PUB`).
    sid: u64,
    reply: Option<Subject>,
    header_len: Option<usize>,
    total_len: usize,
}

/// Finds and parses the control line at the front of `buf`, returning its
/// length including `\r\n`.
fn read_line<T>(
    buf: &[u8],
    limits: Limits,
    parse: fn(&str, &str, Limits) -> Result<Frame<T>, DecodeError>,
) -> Result<Option<(usize, Frame<T>)>, DecodeError> {
    // Look no further than the limit allows, so a line without an end costs
    // bounded time and memory.
    let window = &buf[..buf.len().min(limits.max_control_line + 2)];
    // The first '\n' ends the line only after '\r'; a bare '\n' is not a
    // line end, so search on from it (memchr's byte search is far smaller
    // in the plugin than a substring searcher).
    let mut from = 0;
    let end = loop {
        match memchr::memchr(b'\n', &window[from..]) {
            Some(i) if from + i > 0 && window[from + i - 1] == b'\r' => break Some(from + i - 1),
            Some(i) => from += i + 1,
            None => break None,
        }
    };
    let Some(end) = end else {
        if window.len() >= limits.max_control_line + 2 {
            return Err(DecodeError::new(
                Kind::ControlLineTooLong,
                crate::cat(&[
                    "no line end within ",
                    itoa::Buffer::new().format(limits.max_control_line as u64),
                    " bytes",
                ]),
            ));
        }
        return Ok(None);
    };
    let line = core::str::from_utf8(&buf[..end])
        .map_err(|_| DecodeError::new(Kind::Utf8, "control line"))?;
    let (op, rest) = line
        .trim_start()
        .split_once([' ', '\t'])
        .unwrap_or((line.trim_start(), ""));
    Ok(Some((end + 2, parse(op, rest, limits)?)))
}

fn parse_server_line(op: &str, rest: &str, limits: Limits) -> Result<Frame<ServerOp>, DecodeError> {
    let op_is = |name: &str| op.eq_ignore_ascii_case(name);
    if op_is("MSG") || op_is("HMSG") {
        let headers = op_is("HMSG");
        let args: Vec<&str> = rest.split_ascii_whitespace().collect();
        let fixed = if headers { 4 } else { 3 };
        let (subject, sid, reply, sizes) = match args.as_slice() {
            [subject, sid, sizes @ ..] if sizes.len() == fixed - 2 => (*subject, *sid, None, sizes),
            [subject, sid, reply, sizes @ ..] if sizes.len() == fixed - 2 => {
                (*subject, *sid, Some(*reply), sizes)
            }
            _ => {
                return Err(DecodeError::new(
                    Kind::Arguments,
                    crate::cat(&[op, " ", rest]),
                ));
            }
        };
        let (header_len, total_len) = sizes_of(sizes, limits)?;
        return Ok(Frame::Payload(PayloadHead {
            subject: subject_of(subject)?,
            sid: number(sid)?,
            reply: reply.map(subject_of).transpose()?,
            header_len,
            total_len,
        }));
    }
    let op = if op_is("PING") {
        ServerOp::Ping
    } else if op_is("PONG") {
        ServerOp::Pong
    } else if op_is("+OK") {
        ServerOp::Ok
    } else if op_is("-ERR") {
        let text = rest.trim();
        let text = text
            .strip_prefix('\'')
            .and_then(|t| t.strip_suffix('\''))
            .unwrap_or(text);
        ServerOp::Err(ServerError::new(text))
    } else if op_is("INFO") {
        // Parsed on demand (see RawInfo); only its shape is checked here.
        let json = rest.trim();
        if !(json.starts_with('{') && json.ends_with('}')) {
            return Err(DecodeError::new(Kind::Json, "INFO is not a JSON object"));
        }
        ServerOp::Info(RawInfo::new(json))
    } else {
        return Err(unknown(op));
    };
    Ok(Frame::Done(op))
}

fn parse_client_line(op: &str, rest: &str, limits: Limits) -> Result<Frame<ClientOp>, DecodeError> {
    let op_is = |name: &str| op.eq_ignore_ascii_case(name);
    let args: Vec<&str> = rest.split_ascii_whitespace().collect();
    let bad_args = || DecodeError::new(Kind::Arguments, crate::cat(&[op, " ", rest]));
    if op_is("PUB") || op_is("HPUB") {
        let fixed = if op_is("HPUB") { 3 } else { 2 };
        let (subject, reply, sizes) = match args.as_slice() {
            [subject, sizes @ ..] if sizes.len() == fixed - 1 => (*subject, None, sizes),
            [subject, reply, sizes @ ..] if sizes.len() == fixed - 1 => {
                (*subject, Some(*reply), sizes)
            }
            _ => return Err(bad_args()),
        };
        let (header_len, total_len) = sizes_of(sizes, limits)?;
        return Ok(Frame::Payload(PayloadHead {
            subject: subject_of(subject)?,
            sid: 0,
            reply: reply.map(subject_of).transpose()?,
            header_len,
            total_len,
        }));
    }
    let op = if op_is("PING") {
        ClientOp::Ping
    } else if op_is("PONG") {
        ClientOp::Pong
    } else if op_is("SUB") {
        let (subject, queue, sid) = match args.as_slice() {
            [subject, sid] => (*subject, None, *sid),
            [subject, queue, sid] => (*subject, Some(*queue), *sid),
            _ => return Err(bad_args()),
        };
        ClientOp::Sub {
            subject: subject_of(subject)?,
            queue: queue.map(subject_of).transpose()?,
            sid: number(sid)?,
        }
    } else if op_is("UNSUB") {
        match args.as_slice() {
            [sid] => ClientOp::Unsub {
                sid: number(sid)?,
                max: None,
            },
            [sid, max] => ClientOp::Unsub {
                sid: number(sid)?,
                max: Some(number(max)?),
            },
            _ => return Err(bad_args()),
        }
    } else if op_is("CONNECT") {
        let info: ConnectInfo = serde_json::from_str(rest)
            .map_err(|e| DecodeError::new(Kind::Json, format!("CONNECT: {e}")))?;
        ClientOp::Connect(Box::new(info))
    } else {
        return Err(unknown(op));
    };
    Ok(Frame::Done(op))
}

fn unknown(op: &str) -> DecodeError {
    // Quote at most a little of what was sent: it may be hostile or huge.
    // At most 16 bytes, on a character boundary.
    let shown = crate::recorder::trim(op, 16);
    DecodeError::new(Kind::UnknownOperation, crate::cat(&["'", &shown, "'"]))
}

/// Parses `[header_len] total_len` and checks them against the limit.
fn sizes_of(sizes: &[&str], limits: Limits) -> Result<(Option<usize>, usize), DecodeError> {
    let (header_len, total_len) = match sizes {
        [total] => (None, size(total)?),
        [header, total] => (Some(size(header)?), size(total)?),
        _ => return Err(DecodeError::new(Kind::Arguments, "sizes")),
    };
    if total_len > limits.max_payload {
        return Err(DecodeError::new(
            Kind::PayloadTooLarge,
            crate::cat(&[
                itoa::Buffer::new().format(total_len as u64),
                " bytes announced, limit ",
                itoa::Buffer::new().format(limits.max_payload as u64),
            ]),
        ));
    }
    if header_len.is_some_and(|h| h > total_len) {
        return Err(DecodeError::new(
            Kind::Number,
            "header size exceeds total size",
        ));
    }
    Ok((header_len, total_len))
}

/// What follows a `MSG`/`HMSG`/`PUB`/`HPUB` control line: its headers, if
/// any, and its payload.
type Body = (Option<HeaderMap>, Vec<u8>);

/// Takes the payload after a control line of `line_len` bytes, if all of it
/// and its `\r\n` are present, and moves `buf`'s start past the frame.
fn take_payload(
    buf: &mut &[u8],
    line_len: usize,
    head: &PayloadHead,
) -> Result<Option<Body>, DecodeError> {
    let end = line_len + head.total_len;
    if buf.len() < end + 2 {
        return Ok(None);
    }
    if &buf[end..end + 2] != b"\r\n" {
        return Err(DecodeError::new(
            Kind::Terminator,
            "payload not followed by CRLF",
        ));
    }
    let headers =
        match head.header_len {
            Some(len) => Some(HeaderMap::parse(&buf[line_len..line_len + len]).ok_or_else(
                || DecodeError::new(Kind::Headers, "malformed NATS/1.0 header block"),
            )?),
            None => None,
        };
    let payload = buf[line_len + head.header_len.unwrap_or(0)..end].to_vec();
    *buf = &buf[end + 2..];
    Ok(Some((headers, payload)))
}

fn subject_of(text: &str) -> Result<Subject, DecodeError> {
    Subject::new(text).map_err(DecodeError::subject)
}

fn number(text: &str) -> Result<u64, DecodeError> {
    if text.is_empty() || text.len() > 20 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DecodeError::new(Kind::Number, "not a decimal number"));
    }
    crate::decimal(text).ok_or_else(|| DecodeError::new(Kind::Number, "number out of range"))
}

fn size(text: &str) -> Result<usize, DecodeError> {
    usize::try_from(number(text)?).map_err(|_| DecodeError::new(Kind::Number, "size out of range"))
}
