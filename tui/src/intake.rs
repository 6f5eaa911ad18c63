//! The intake: the one way what shoppers publish reaches the streams.
//!
//! Shoppers' `events` and `chat` subjects reach the operators' account as
//! streams under [`subject::RAW_PREFIX`], which the work queue
//! [`streams::RAW`] keeps until the intake has taken each message in (so
//! nothing is lost while it restarts); that stream never acknowledges and
//! keeps no reply address, so a shopper's reply address reaches nobody.
//! The intake reads it through one durable consumer (several intakes may
//! share it), and for each message [`state::Intake`] decides: the session
//! is the subject's (the broker let only that session publish it), the
//! payload must be of the schema, and the session and its address must be
//! within their bounds ([`bounds`]). What passes is stored on the session's
//! own subject (`EVENTS`, `CHATS`) with a message id made from the session
//! and the fact's own id, keyed so nobody can guess it; a chat fact is then
//! answered on the sender's own inbox, without a stream sequence. What
//! fails is counted by reason, published every second on
//! [`subject::intake_report`], and a fact's sender is told why on its own
//! inbox. A message leaves the work queue once stored or refused.

pub mod bounds;
pub mod state;

use std::sync::Arc;
use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream;
use floorwalker_shared::intake::{IntakeReport, What};
use floorwalker_shared::subject::{self, Subject};
use futures::StreamExt;
use tokio::sync::{Semaphore, mpsc};

pub use bounds::{Allowance, Bounds};
use state::{Intake, STORED, Verdict, refused_answer};

use crate::{presence, streams};

/// The queue group intakes share.
const QUEUE: &str = "intake";

/// Messages stored but not yet acknowledged, at most: past this the intake
/// waits, and what shoppers send waits in its subscription.
const MAX_IN_FLIGHT: usize = streams::INTAKE_IN_FLIGHT;

/// How the intake runs.
#[derive(Debug, Clone)]
pub struct IntakeConfig {
    /// Its name in reports.
    pub instance: String,
    /// The bounds it applies.
    pub bounds: Bounds,
    /// The key of its message ids: the same for every intake of a
    /// deployment.
    pub key: Vec<u8>,
}

/// Why the intake could not run.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// It could not hear a subject it needs.
    #[error("cannot subscribe to '{subject}'")]
    Subscribe {
        /// The subject.
        subject: String,
        /// Why.
        #[source]
        source: async_nats::SubscribeError,
    },
}

/// What a store came to.
struct Done {
    what: What,
    /// Whether the stream had it already; `None` if it did not store it.
    stored: Option<bool>,
    answer_to: Option<Subject>,
}

/// Runs the intake until `shutdown`; `ready` is called once it reads the
/// work queue, `waiting` with the reason each time it cannot (it tries
/// again every 2 s). Returns its counts.
///
/// # Errors
/// When it cannot hear the broker's advisories.
pub async fn run(
    client: async_nats::Client,
    config: IntakeConfig,
    ready: impl FnOnce(),
    waiting: impl Fn(&str),
    shutdown: impl Future<Output = ()>,
) -> Result<IntakeReport, IntakeError> {
    let subscribe = |subject: Subject, queue: bool| {
        let client = client.clone();
        async move {
            let text = subject.to_string();
            let sub = if queue {
                client.queue_subscribe(text.clone(), QUEUE.into()).await
            } else {
                client.subscribe(text.clone()).await
            };
            sub.map_err(|source| IntakeError::Subscribe {
                subject: text,
                source,
            })
        }
    };
    // Every intake learns every address; one counts each closing.
    let mut connects = subscribe(subject::shoppers_connect(), false).await?;
    let mut disconnects = subscribe(subject::shoppers_disconnect(), true).await?;
    let js = jetstream::new(client.clone());
    let clock = governor::clock::DefaultClock::default();
    let mut intake = Intake::new(&config.instance, &config.bounds, &clock, &config.key);
    let (done_tx, mut done_rx) = mpsc::channel::<Done>(MAX_IN_FLIGHT);
    let in_flight = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let mut report = tokio::time::interval(Duration::from_secs(1));
    report.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut forget = tokio::time::interval(Duration::from_secs(60));
    let mut queue = Queue::default();
    let mut ready = Some(ready);
    tokio::pin!(shutdown);
    loop {
        if queue.messages.is_none() && queue.retry_at <= tokio::time::Instant::now() {
            match open_queue(&js).await {
                Ok(messages) => {
                    queue.messages = Some(messages);
                    if let Some(ready) = ready.take() {
                        ready();
                    }
                }
                Err(why) => {
                    tracing::warn!(%why, "intake: cannot read the work queue; trying again");
                    waiting(&why.to_string());
                    queue.retry_at = tokio::time::Instant::now() + Duration::from_secs(2);
                }
            }
        }
        let retry_at = queue.retry_at;
        tokio::select! {
            () = &mut shutdown => break,
            next = next_raw(&mut queue.messages) => match next {
                Some(Ok(msg)) => take(&mut intake, &client, &js, &in_flight, &done_tx, msg).await,
                Some(Err(why)) => {
                    tracing::warn!(%why, "intake: reading the work queue");
                    queue.messages = None;
                    queue.retry_at = tokio::time::Instant::now() + Duration::from_secs(1);
                }
                None => {
                    queue.messages = None;
                    queue.retry_at = tokio::time::Instant::now() + Duration::from_secs(1);
                }
            },
            () = tokio::time::sleep_until(retry_at), if queue.messages.is_none() => {}
            Some(msg) = connects.next() => {
                if let Some(connection) = presence::connection(&msg.payload) {
                    intake.connected(connection);
                }
            }
            Some(msg) = disconnects.next() => {
                if let Some(connection) = presence::connection(&msg.payload) {
                    intake.closed(&connection);
                }
            }
            Some(done) = done_rx.recv() => finish(&mut intake, &client, done).await,
            _ = report.tick() => publish_report(&client, intake.report()).await,
            _ = forget.tick() => intake.forget_idle(),
        }
    }
    // What is being stored still gets its answer.
    drop(done_tx);
    while let Ok(Some(done)) = tokio::time::timeout(Duration::from_secs(5), done_rx.recv()).await {
        finish(&mut intake, &client, done).await;
    }
    publish_report(&client, intake.report()).await;
    let _ = client.flush().await;
    Ok(intake.report().clone())
}

type RawMessages = jetstream::consumer::pull::Stream;

/// The work queue as read now, or when to try again.
struct Queue {
    messages: Option<RawMessages>,
    retry_at: tokio::time::Instant,
}

impl Default for Queue {
    fn default() -> Self {
        Self {
            messages: None,
            retry_at: tokio::time::Instant::now(),
        }
    }
}

/// The next message of the work queue; pending forever while it is not read.
async fn next_raw(
    messages: &mut Option<RawMessages>,
) -> Option<Result<jetstream::Message, jetstream::consumer::pull::MessagesError>> {
    match messages {
        Some(messages) => messages.next().await,
        None => std::future::pending().await,
    }
}

/// Why the work queue cannot be read now.
#[derive(Debug, thiserror::Error)]
enum QueueError {
    /// Nobody has created it.
    #[error("no '{}' stream: {}", streams::RAW, streams::CREATE_HINT)]
    Missing,
    /// The stream could not be had.
    #[error("cannot reach the {raw} stream: {0}", raw = streams::RAW)]
    Stream(#[source] jetstream::context::GetStreamError),
    /// The intakes' consumer could not be had.
    #[error("cannot have the intakes' consumer of {raw}: {0}", raw = streams::RAW)]
    Consumer(#[source] jetstream::stream::ConsumerError),
    /// Its messages could not be asked for.
    #[error("cannot read the {raw} stream: {0}", raw = streams::RAW)]
    Messages(#[source] jetstream::consumer::StreamError),
}

/// Opens the shared durable consumer of [`streams::RAW`]. `floorwalker
/// setup` creates it; an intake creates it too if it is missing (its role
/// may manage consumers), so one removed by hand comes back.
async fn open_queue(js: &jetstream::Context) -> Result<RawMessages, QueueError> {
    let stream = js.get_stream(streams::RAW).await.map_err(|e| {
        if streams::is_missing(&e) {
            QueueError::Missing
        } else {
            QueueError::Stream(e)
        }
    })?;
    let consumer = stream
        .get_or_create_consumer(streams::INTAKE_CONSUMER, streams::intake_consumer())
        .await
        .map_err(QueueError::Consumer)?;
    consumer.messages().await.map_err(QueueError::Messages)
}

/// Decides about one message and does what the decision says; the message
/// leaves the work queue once stored or refused.
async fn take<C: governor::clock::Clock + Clone>(
    intake: &mut Intake<C>,
    client: &async_nats::Client,
    js: &jetstream::Context,
    in_flight: &Arc<Semaphore>,
    done: &mpsc::Sender<Done>,
    raw: jetstream::Message,
) {
    match intake.take(raw.subject.as_str(), &raw.payload, now_ms()) {
        Verdict::Store {
            what,
            subject,
            msg_id,
            answer_to,
        } => {
            let Ok(permit) = in_flight.clone().acquire_owned().await else {
                return;
            };
            // A batch goes as it came, with no header: a header would count
            // against the server's maximum payload, which the page's batch
            // may fill; a resent batch is folded once by its number.
            let sent = if what == What::Facts {
                let mut headers = HeaderMap::new();
                headers.insert(floorwalker_shared::chat::MSG_ID_HEADER, msg_id.as_str());
                js.publish_with_headers(subject.to_string(), headers, raw.payload.clone())
                    .await
            } else {
                js.publish(subject.to_string(), raw.payload.clone()).await
            };
            let done = done.clone();
            tokio::spawn(async move {
                let stored = match sent {
                    Ok(ack) => ack.await.ok().map(|a| a.duplicate),
                    Err(_) => None,
                };
                // Stored or not, it is taken: a resend is the page's to make.
                let _ = raw.ack().await;
                drop(permit);
                let _ = done
                    .send(Done {
                        what,
                        stored,
                        answer_to,
                    })
                    .await;
            });
        }
        Verdict::Refuse { reason, answer_to } => {
            let _ = raw.ack().await;
            if let Some(to) = answer_to {
                let _ = client
                    .publish(to.to_string(), refused_answer(reason).into())
                    .await;
            }
        }
        Verdict::Ignore => {
            let _ = raw.ack().await;
        }
    }
}

/// Counts what the stream answered and answers the shopper.
async fn finish<C: governor::clock::Clock + Clone>(
    intake: &mut Intake<C>,
    client: &async_nats::Client,
    done: Done,
) {
    let answer = if let Some(duplicate) = done.stored {
        intake.stored(done.what, duplicate);
        STORED.to_vec()
    } else {
        intake.not_stored(done.what);
        refused_answer(floorwalker_shared::intake::Refusal::NotStored)
    };
    if let Some(to) = done.answer_to {
        let _ = client.publish(to.to_string(), answer.into()).await;
    }
}

async fn publish_report(client: &async_nats::Client, report: &IntakeReport) {
    if let Ok(json) = serde_json::to_vec(report) {
        let _ = client
            .publish(subject::intake_report().to_string(), json.into())
            .await;
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
