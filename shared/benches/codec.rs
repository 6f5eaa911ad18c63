//! How fast the sans-IO NATS codec parses and writes, side by side with
//! copying the same bytes (what any reader or writer must at least do).
//! Run with `cargo bench -p floorwalker-shared --bench codec` (`just bench`
//! does); the figures are kept in `docs/BENCHMARKS.md`.
//!
//! Parsing: a stream of what a server sends a console or a plugin (pushes
//! as `MSG`, chat facts with headers as `HMSG`, now and then a `PING`),
//! decoded whole, in 16 KiB reads (a socket), and in 100-byte reads (frames
//! split almost everywhere, the worst a browser's WebSocket hands over).
//! Writing: the plugin's event batches as `PUB`, and chat facts with a
//! message id as `HPUB`. Each case runs in turn within every round, so noise
//! hits all alike, and the table shows medians.

// A bench: byte counts fit an f64, and a failed unwrap is a broken bench.
#![allow(clippy::cast_precision_loss, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use floorwalker_shared::nats::{ClientOp, HeaderMap, Message, ServerDecoder, ServerOp};
use floorwalker_shared::subject::{SessionSubjects, SessionToken, SiteId};

/// Messages in the stream parsed, and written, per round.
const MESSAGES: usize = 10_000;

fn session(n: usize) -> SessionSubjects {
    SessionSubjects::new(
        SiteId::new("ridgeway-outfitters").unwrap(),
        SessionToken::new(format!("Yk3rT0vQm9xW2pLs7dHn4Ac{n:08}")).unwrap(),
    )
}

fn headers(n: usize) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers
        .append("Nats-Msg-Id", format!("chat-9f2c41d7-m{n}"))
        .unwrap();
    headers
}

/// A push or a chat fact, about the size real ones are.
fn body(n: usize, len: usize) -> Vec<u8> {
    let mut text = format!(r#"{{"v":1,"kind":"agent_message","chat_id":"chat-{n}","text":""#);
    while text.len() < len - 2 {
        text.push_str("Those run half a size small; ");
    }
    text.truncate(len - 2);
    text.push_str(r#""}"#);
    text.into_bytes()
}

/// What a server sends in a busy minute, as bytes.
fn server_stream() -> Vec<u8> {
    let mut out = Vec::new();
    for n in 0..MESSAGES {
        let headers = (n % 3 == 0).then(|| headers(n));
        ServerOp::Msg(Message {
            subject: session(n % 500).push(),
            sid: (n % 4) as u64 + 1,
            reply: None,
            headers,
            payload: body(n, 160 + n % 200),
        })
        .encode(&mut out);
        if n % 1_000 == 0 {
            ServerOp::Ping.encode(&mut out);
        }
    }
    out
}

/// The plugin's event batches, as `PUB`.
fn batches() -> Vec<ClientOp> {
    (0..MESSAGES)
        .map(|n| ClientOp::Pub {
            subject: session(n % 500).events(),
            reply: None,
            headers: None,
            payload: body(n, 1_200 + n % 800),
        })
        .collect()
}

/// Chat facts with a message id, as `HPUB` with a reply inbox for the ack.
fn facts() -> Vec<ClientOp> {
    (0..MESSAGES)
        .map(|n| ClientOp::Pub {
            subject: session(n % 500).chat(),
            reply: Some(session(n % 500).inbox(&format!("ack{n}")).unwrap()),
            headers: Some(headers(n)),
            payload: body(n, 120 + n % 300),
        })
        .collect()
}

/// Parses `stream` handed over `chunk` bytes at a time, as a client does:
/// every whole frame of a read, then what they took dropped from the
/// buffer; returns the messages seen.
fn parse(stream: &[u8], chunk: usize) -> usize {
    let mut decoder = ServerDecoder::default();
    let mut buf = Vec::with_capacity(chunk.min(stream.len()) * 2);
    let mut messages = 0;
    for piece in stream.chunks(chunk) {
        buf.extend_from_slice(piece);
        let mut rest = &buf[..];
        while let Some(op) = decoder.decode(&mut rest).unwrap() {
            if let ServerOp::Msg(msg) = op {
                messages += 1;
                black_box(msg);
            }
        }
        let taken = buf.len() - rest.len();
        buf.drain(..taken);
    }
    messages
}

/// Copies `stream` `chunk` bytes at a time into a buffer, then drops it all:
/// the least any reader does.
fn copy(stream: &[u8], chunk: usize) -> usize {
    let mut buf = Vec::with_capacity(chunk.min(stream.len()) * 2);
    for piece in stream.chunks(chunk) {
        buf.extend_from_slice(piece);
        black_box(&buf);
        buf.clear();
    }
    stream.len()
}

fn write(ops: &[ClientOp]) -> usize {
    let mut out = Vec::with_capacity(64 * 1024);
    let mut written = 0;
    for op in ops {
        op.encode(&mut out);
        written += out.len();
        black_box(&out);
        out.clear();
    }
    written
}

/// Writes the same bytes `write` would, by copying them: the least any
/// writer does.
fn write_copy(frames: &[Vec<u8>]) -> usize {
    let mut out = Vec::with_capacity(64 * 1024);
    let mut written = 0;
    for frame in frames {
        out.extend_from_slice(frame);
        written += out.len();
        black_box(&out);
        out.clear();
    }
    written
}

struct Case<'a> {
    name: &'static str,
    /// What the case is measured against.
    baseline: Option<usize>,
    /// Bytes read or written per run.
    bytes: usize,
    run: Box<dyn Fn() -> usize + 'a>,
}

fn main() {
    // `cargo test --benches` runs this without `--bench`: one round shows it
    // works without spending a minute.
    let rounds = if std::env::args().any(|a| a == "--bench") {
        31
    } else {
        1
    };
    let stream = server_stream();
    let batches = batches();
    let facts = facts();
    let frames = |ops: &[ClientOp]| -> Vec<Vec<u8>> {
        ops.iter()
            .map(|op| {
                let mut out = Vec::new();
                op.encode(&mut out);
                out
            })
            .collect()
    };
    let (batch_frames, fact_frames) = (frames(&batches), frames(&facts));
    assert_eq!(parse(&stream, stream.len()), MESSAGES);
    assert_eq!(parse(&stream, 100), MESSAGES);

    let cases = [
        Case {
            name: "copy the stream, 16 KiB reads",
            baseline: None,
            bytes: stream.len(),
            run: Box::new(|| copy(&stream, 16 * 1024)),
        },
        Case {
            name: "parse it whole",
            baseline: Some(0),
            bytes: stream.len(),
            run: Box::new(|| parse(&stream, stream.len())),
        },
        Case {
            name: "parse it in 16 KiB reads",
            baseline: Some(0),
            bytes: stream.len(),
            run: Box::new(|| parse(&stream, 16 * 1024)),
        },
        Case {
            name: "parse it in 100-byte reads",
            baseline: Some(0),
            bytes: stream.len(),
            run: Box::new(|| parse(&stream, 100)),
        },
        Case {
            name: "copy PUB frames",
            baseline: None,
            bytes: size(&batch_frames),
            run: Box::new(|| write_copy(&batch_frames)),
        },
        Case {
            name: "write PUB (event batches)",
            baseline: Some(4),
            bytes: size(&batch_frames),
            run: Box::new(|| write(&batches)),
        },
        Case {
            name: "copy HPUB frames",
            baseline: None,
            bytes: size(&fact_frames),
            run: Box::new(|| write_copy(&fact_frames)),
        },
        Case {
            name: "write HPUB (chat facts, message id)",
            baseline: Some(6),
            bytes: size(&fact_frames),
            run: Box::new(|| write(&facts)),
        },
    ];
    let mut times: Vec<Vec<Duration>> = cases.iter().map(|_| Vec::new()).collect();
    for _ in 0..rounds {
        for (case, samples) in cases.iter().zip(&mut times) {
            let start = Instant::now();
            black_box((case.run)());
            samples.push(start.elapsed());
        }
    }
    let medians: Vec<Duration> = times
        .into_iter()
        .map(|mut t| {
            t.sort_unstable();
            t[t.len() / 2]
        })
        .collect();

    println!(
        "The NATS codec, {MESSAGES} messages a round ({} KB parsed; medians of {rounds} rounds):\n",
        stream.len() / 1_000
    );
    report(&cases, &medians);
}

fn size(frames: &[Vec<u8>]) -> usize {
    frames.iter().map(Vec::len).sum()
}

fn report(cases: &[Case<'_>], medians: &[Duration]) {
    println!(
        "{:<38} {:>10} {:>12} {:>10}",
        "case", "MB/s", "messages/s", "vs copy"
    );
    for (case, median) in cases.iter().zip(medians) {
        let secs = median.as_secs_f64();
        let ratio = case.baseline.map_or_else(
            || "1.00x".to_owned(),
            |b| format!("{:.2}x", secs / medians[b].as_secs_f64()),
        );
        println!(
            "{:<38} {:>10.0} {:>12.0} {:>10}",
            case.name,
            case.bytes as f64 / secs / 1e6,
            MESSAGES as f64 / secs,
            ratio,
        );
    }
    println!("\n(\"vs copy\": time against copying the same bytes; higher is slower)");
}
