//! Reading a JetStream stream from some time back, then live, as one
//! ordered sequence: the one reader every screen and service folds its
//! floor and desk from (the dashboard, the agents' console, `tail`, the
//! router).
//!
//! [`spawn`] sends each stored message with the stream's own timestamp
//! (the server's clock, so every reader folds the same facts at the same
//! times), then [`Feed::CaughtUp`] once history is read. After any error,
//! and after a panic, it reports [`Feed::Down`] and resumes after the last
//! message it sent (the cursor outlives the attempt), with a backoff
//! ([`crate::restart`]): nothing is folded twice or skipped, and the
//! reader keeps its state. A reader that can do without history
//! ([`Source::live_fallback`]) follows live traffic when the stream does
//! not exist, and hears [`Feed::LiveOnly`].

use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream::{self, consumer};
use bytes::Bytes;
use floorwalker_shared::subject::Subject;
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::streams;

/// A message as the stream stored it.
#[derive(Debug, Clone)]
pub struct Stored {
    /// Its subject.
    pub subject: Subject,
    /// Its payload.
    pub payload: Bytes,
    /// When the server stored it (or, live only, heard it), in ms since
    /// the Unix epoch.
    pub at_ms: u64,
}

/// What a feed reports.
#[derive(Debug, Clone)]
pub enum Feed {
    /// A stored message, in stream order.
    Message(Stored),
    /// History is read (`read` messages of it); what follows is live.
    CaughtUp {
        /// Messages of history read.
        read: u64,
    },
    /// The stream cannot be read now (missing, the connection down, the
    /// reader failed); the feed retries.
    Down(String),
    /// There is no such stream: live traffic only, no history.
    LiveOnly,
}

/// What to read.
#[derive(Debug, Clone)]
pub struct Source {
    /// The stream's name.
    pub stream: &'static str,
    /// How far back to start.
    pub since: Duration,
    /// Only these subjects (all when `None`).
    pub filter: Option<Subject>,
    /// When the stream does not exist, follow `filter`'s live traffic
    /// instead of waiting for it (the dashboard does; desks need history).
    pub live_fallback: bool,
}

impl Source {
    /// All of `stream` from `since` ago.
    pub fn new(stream: &'static str, since: Duration) -> Self {
        Self {
            stream,
            since,
            filter: None,
            live_fallback: false,
        }
    }
}

/// How far back readers of chats start: a day, so every chat still open
/// (and the day's figures) is in view.
pub const CHATS_SINCE: Duration = Duration::from_secs(24 * 3_600);

/// How far back readers of shoppers' journeys start: the sessions of the
/// last half hour.
pub const SESSIONS_SINCE: Duration = Duration::from_secs(30 * 60);

/// Where a feed stands: kept across attempts, so a new one resumes.
#[derive(Debug, Default)]
struct Cursor {
    /// The stream sequence to resume at.
    next: Option<u64>,
    caught_up: bool,
    read: u64,
}

/// A running feed: dropping it stops it (it also stops by itself when its
/// receiver is dropped).
#[derive(Debug)]
pub struct Following(tokio::task::JoinHandle<()>);

impl Drop for Following {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What a desk reader (router, agent console, `tail`) follows: the chat
/// facts of a day, so every chat still open is in view, and the journeys
/// of the last half hour.
#[derive(Debug)]
pub struct DeskFeeds {
    /// `AUDIT` from [`CHATS_SINCE`] back.
    pub audit: mpsc::Receiver<Feed>,
    /// `EVENTS` from [`SESSIONS_SINCE`] back.
    pub events: mpsc::Receiver<Feed>,
    _following: [Following; 2],
}

/// Starts the feeds a desk reader folds from.
pub fn desk(client: &async_nats::Client) -> DeskFeeds {
    let (audit_task, audit) = spawn(client, Source::new(streams::AUDIT, CHATS_SINCE));
    let (events_task, events) = spawn(client, Source::new(streams::EVENTS, SESSIONS_SINCE));
    DeskFeeds {
        audit,
        events,
        _following: [audit_task, events_task],
    }
}

/// Starts following `source` (see the module); returns the running feed
/// (drop it to stop) and what it sends.
pub fn spawn(client: &async_nats::Client, source: Source) -> (Following, mpsc::Receiver<Feed>) {
    let js = jetstream::new(client.clone());
    let client = client.clone();
    let cursor = Arc::new(Mutex::new(Cursor::default()));
    let what = format!("reading the {} stream", source.stream);
    follow(what, 4_096, Feed::Down, move |tx| {
        attempt(
            js.clone(),
            client.clone(),
            source.clone(),
            cursor.clone(),
            tx,
        )
    })
}

/// Runs a reader of the bus in its own task, kept alive by
/// [`crate::restart::forever`]: each attempt of `listen` sends what it
/// hears on a channel of `capacity`, and a failed attempt is sent as
/// `down(why)` before the next. Every reader (a stream's feed, presence,
/// what was refused) is one of these.
pub(crate) fn follow<T, F, Fut>(
    what: String,
    capacity: usize,
    down: fn(String) -> T,
    listen: F,
) -> (Following, mpsc::Receiver<T>)
where
    T: Send + 'static,
    F: Fn(mpsc::Sender<T>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ControlFlow<(), String>> + Send + 'static,
{
    let (tx, rx) = mpsc::channel(capacity);
    let failed = tx.clone();
    let task = tokio::spawn(async move {
        crate::restart::forever(
            &what,
            || listen(tx.clone()),
            |why| {
                let _ = failed.try_send(down(why));
            },
        )
        .await;
    });
    (Following(task), rx)
}

/// One attempt: `Break` when the receiver is gone, `Continue(why)` to be
/// tried again.
async fn attempt(
    js: jetstream::Context,
    client: async_nats::Client,
    source: Source,
    cursor: Arc<Mutex<Cursor>>,
    tx: mpsc::Sender<Feed>,
) -> ControlFlow<(), String> {
    let stream = match js.get_stream(source.stream).await {
        Ok(stream) => stream,
        Err(e) if streams::is_missing(&e) && source.live_fallback => {
            return live(&client, source.filter.as_ref(), &tx).await;
        }
        Err(e) => {
            return ControlFlow::Continue(format!(
                "no '{}' stream ({e}); {}",
                source.stream,
                streams::CREATE_HINT
            ));
        }
    };
    let result = read(&stream, &source, &cursor, &tx).await;
    if tx.is_closed() {
        return ControlFlow::Break(());
    }
    ControlFlow::Continue(match result {
        Ok(()) => "the stream's consumer ended".to_owned(),
        Err(why) => why.to_string(),
    })
}

/// Why an attempt to read a stream ended.
#[derive(Debug, thiserror::Error)]
enum ReadError {
    #[error("creating a consumer: {0}")]
    Consumer(#[from] jetstream::stream::ConsumerError),
    #[error("asking the consumer how much is pending: {0}")]
    Info(#[from] jetstream::context::ConsumerInfoError),
    #[error("reading messages: {0}")]
    Stream(#[from] jetstream::consumer::StreamError),
    #[error("reading a message: {0}")]
    Message(#[from] jetstream::consumer::pull::OrderedError),
}

async fn read(
    stream: &jetstream::stream::Stream,
    source: &Source,
    cursor: &Mutex<Cursor>,
    tx: &mpsc::Sender<Feed>,
) -> Result<(), ReadError> {
    let next = lock(cursor).next;
    let deliver_policy = match next {
        Some(start_sequence) => consumer::DeliverPolicy::ByStartSequence { start_sequence },
        None => consumer::DeliverPolicy::ByStartTime {
            start_time: time::OffsetDateTime::now_utc() - source.since,
        },
    };
    let mut consumer = stream
        .create_consumer(consumer::pull::OrderedConfig {
            deliver_policy,
            filter_subject: source
                .filter
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            ..consumer::pull::OrderedConfig::default()
        })
        .await?;
    let pending = consumer.info().await?.num_pending;
    if pending == 0 && caught_up(cursor) && tx.send(caught_up_report(cursor)).await.is_err() {
        return Ok(());
    }
    let mut messages = consumer.messages().await?;
    while let Some(msg) = messages.next().await {
        let msg = msg?;
        let Ok(info) = msg.info() else { continue };
        let (sequence, left, at_ms) = (info.stream_sequence, info.pending, ms_of(info.published));
        {
            let mut c = lock(cursor);
            c.next = Some(sequence + 1);
            if !c.caught_up {
                c.read += 1;
            }
        }
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
        if left == 0 && caught_up(cursor) && tx.send(caught_up_report(cursor)).await.is_err() {
            return Ok(());
        }
    }
    Ok(())
}

/// Marks history read; true the first time only.
fn caught_up(cursor: &Mutex<Cursor>) -> bool {
    let mut c = lock(cursor);
    !std::mem::replace(&mut c.caught_up, true)
}

fn caught_up_report(cursor: &Mutex<Cursor>) -> Feed {
    Feed::CaughtUp {
        read: lock(cursor).read,
    }
}

/// The cursor, also after an attempt panicked holding it (what it holds
/// stays consistent: each field is written whole).
fn lock(cursor: &Mutex<Cursor>) -> std::sync::MutexGuard<'_, Cursor> {
    cursor
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// No stream: live traffic on `filter` only, stamped when heard.
async fn live(
    client: &async_nats::Client,
    filter: Option<&Subject>,
    tx: &mpsc::Sender<Feed>,
) -> ControlFlow<(), String> {
    if tx.send(Feed::LiveOnly).await.is_err() {
        return ControlFlow::Break(());
    }
    let subject = filter.map_or_else(|| ">".to_owned(), ToString::to_string);
    let mut live = match client.subscribe(subject).await {
        Ok(live) => live,
        Err(e) => return ControlFlow::Continue(format!("following live traffic: {e}")),
    };
    while let Some(msg) = live.next().await {
        let Ok(subject) = Subject::new(msg.subject.as_str()) else {
            continue;
        };
        let stored = Stored {
            subject,
            payload: msg.payload,
            at_ms: now_ms(),
        };
        if tx.send(Feed::Message(stored)).await.is_err() {
            return ControlFlow::Break(());
        }
    }
    ControlFlow::Continue("the live subscription ended".to_owned())
}

/// A stream timestamp in ms since the Unix epoch.
pub fn ms_of(time: time::OffsetDateTime) -> u64 {
    u64::try_from(time.unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

/// The wall clock in ms since the Unix epoch.
pub fn now_ms() -> u64 {
    ms_of(time::OffsetDateTime::now_utc())
}
