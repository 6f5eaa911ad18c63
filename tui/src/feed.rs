//! Reading a JetStream stream from some time back, then live, as one
//! ordered sequence: what the router, the agents' console and `tail` fold
//! their desk and floor from.
//!
//! [`follow`] sends each stored message with the stream's own timestamp
//! (the server's clock, so every reader folds the same facts at the same
//! times), then [`Feed::CaughtUp`] once history is read. After a lost
//! connection it resumes after the last message it sent, so nothing is
//! folded twice or skipped.

use std::time::Duration;

use async_nats::jetstream::{self, consumer};
use bytes::Bytes;
use floorwalker_shared::subject::Subject;
use futures::StreamExt;
use tokio::sync::mpsc;

/// A message as the stream stored it.
#[derive(Debug, Clone)]
pub struct Stored {
    /// Its subject.
    pub subject: Subject,
    /// Its payload.
    pub payload: Bytes,
    /// When the server stored it, in ms since the Unix epoch.
    pub at_ms: u64,
}

/// What a feed reports.
#[derive(Debug, Clone)]
pub enum Feed {
    /// A stored message, in stream order.
    Message(Stored),
    /// History is read; what follows is live.
    CaughtUp,
    /// The stream cannot be read now (missing, or the connection is
    /// down); the feed retries.
    Down(String),
}

/// How far back readers of chats start: a day, so every chat still open
/// (and the day's figures) is in view.
pub const CHATS_SINCE: Duration = Duration::from_secs(24 * 3_600);

/// How far back readers of shoppers' journeys start: the sessions of the
/// last half hour.
pub const SESSIONS_SINCE: Duration = Duration::from_secs(30 * 60);

/// Starts following `stream` from `since` ago (see [`follow`]); returns the
/// task and what it sends.
pub fn spawn(
    client: &async_nats::Client,
    stream: &'static str,
    since: Duration,
) -> (tokio::task::JoinHandle<()>, mpsc::Receiver<Feed>) {
    let (tx, rx) = mpsc::channel(4_096);
    (tokio::spawn(follow(client.clone(), stream, since, tx)), rx)
}

/// Sends `stream`'s messages stored from `since` ago on, then live ones, to
/// `tx`, until `tx` closes.
pub async fn follow(
    client: async_nats::Client,
    stream: &str,
    since: Duration,
    tx: mpsc::Sender<Feed>,
) {
    let js = jetstream::new(client);
    let mut next: Option<u64> = None;
    let mut caught_up = false;
    loop {
        let result = read(&js, stream, since, &mut next, &mut caught_up, &tx).await;
        if tx.is_closed() {
            return;
        }
        let why = match result {
            Ok(()) => "the stream's consumer ended".to_owned(),
            Err(why) => why,
        };
        tracing::debug!(stream, %why, "reading the stream; retrying");
        if tx.send(Feed::Down(why)).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

async fn read(
    js: &jetstream::Context,
    name: &str,
    since: Duration,
    next: &mut Option<u64>,
    caught_up: &mut bool,
    tx: &mpsc::Sender<Feed>,
) -> Result<(), String> {
    let stream = js.get_stream(name).await.map_err(|e| {
        format!("no '{name}' stream ({e}); an admin creates it (`floorwalker demo` does)")
    })?;
    let deliver_policy = match *next {
        Some(start_sequence) => consumer::DeliverPolicy::ByStartSequence { start_sequence },
        None => consumer::DeliverPolicy::ByStartTime {
            start_time: time::OffsetDateTime::now_utc() - since,
        },
    };
    let mut consumer = stream
        .create_consumer(consumer::pull::OrderedConfig {
            deliver_policy,
            ..consumer::pull::OrderedConfig::default()
        })
        .await
        .map_err(|e| e.to_string())?;
    let pending = consumer
        .info()
        .await
        .map_err(|e| e.to_string())?
        .num_pending;
    if pending == 0 && !*caught_up {
        *caught_up = true;
        if tx.send(Feed::CaughtUp).await.is_err() {
            return Ok(());
        }
    }
    let mut messages = consumer.messages().await.map_err(|e| e.to_string())?;
    while let Some(msg) = messages.next().await {
        let msg = msg.map_err(|e| e.to_string())?;
        let Ok(info) = msg.info() else { continue };
        let (sequence, left, at_ms) = (info.stream_sequence, info.pending, ms_of(info.published));
        *next = Some(sequence + 1);
        if let Ok(subject) = Subject::new(msg.subject.as_str()) {
            let stored = Stored {
                subject,
                payload: msg.payload.clone(),
                at_ms,
            };
            if tx.send(Feed::Message(stored)).await.is_err() {
                return Ok(());
            }
        }
        if left == 0 && !*caught_up {
            *caught_up = true;
            if tx.send(Feed::CaughtUp).await.is_err() {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// A stream timestamp in ms since the Unix epoch.
pub fn ms_of(time: time::OffsetDateTime) -> u64 {
    u64::try_from(time.unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

/// The wall clock in ms since the Unix epoch.
pub fn now_ms() -> u64 {
    ms_of(time::OffsetDateTime::now_utc())
}
