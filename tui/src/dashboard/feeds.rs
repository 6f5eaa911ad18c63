//! The dashboard's feeds: shoppers' batches from `EVENTS` (history, then
//! live; live only, and said so, when there is no stream), and the audit
//! trail from `AUDIT` (offers and chat facts).

use std::time::Duration;

use async_nats::jetstream::{self, consumer};
use floorwalker::feed::{Feed, ms_of, now_ms};
use floorwalker::streams;
use floorwalker_shared::subject::{self, SiteId, Subject};
use futures::StreamExt;
use tokio::sync::mpsc;

use super::msg::{Conn, Msg, OfferRecord};

/// An ordered consumer from `replay` ago, of `filter`'s subjects or all.
fn ordered_since(replay: Duration, filter: Option<&Subject>) -> consumer::pull::OrderedConfig {
    consumer::pull::OrderedConfig {
        filter_subject: filter.map(ToString::to_string).unwrap_or_default(),
        deliver_policy: consumer::DeliverPolicy::ByStartTime {
            start_time: time::OffsetDateTime::now_utc() - replay,
        },
        ..consumer::pull::OrderedConfig::default()
    }
}

/// Shoppers' batches: the stream from `replay` ago, then live.
pub(super) async fn feed(
    client: async_nats::Client,
    tx: mpsc::Sender<Msg>,
    site: Option<SiteId>,
    replay: Duration,
) {
    let filter = site
        .as_ref()
        .map_or_else(subject::all_sites_events, subject::all_events);
    let js = jetstream::new(client.clone());
    loop {
        match replay_then_follow(&js, &tx, &filter, replay).await {
            Ok(()) => return,
            Err(Missing::Stream) => break,
            Err(Missing::Other(why)) => {
                tracing::warn!(%why, "reading the EVENTS stream; retrying");
                let _ = tx
                    .send(Msg::Conn(Conn::Down {
                        reason: why.chars().take(80).collect(),
                    }))
                    .await;
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
    // No stream: live traffic only.
    let _ = tx
        .send(Msg::Failed(
            "No EVENTS stream: showing live traffic only, no history. An admin creates it \
             (`floorwalker demo` does)."
                .to_owned(),
        ))
        .await;
    let _ = tx.send(Msg::Replayed { batches: 0 }).await;
    let Ok(mut live) = client.subscribe(filter.to_string()).await else {
        return;
    };
    while let Some(msg) = live.next().await {
        let Ok(subject) = Subject::new(msg.subject.as_str()) else {
            continue;
        };
        let batch = Msg::Batch {
            subject,
            payload: msg.payload,
            heard_ms: now_ms(),
        };
        if tx.send(batch).await.is_err() {
            return;
        }
    }
}

enum Missing {
    Stream,
    Other(String),
}

async fn replay_then_follow(
    js: &jetstream::Context,
    tx: &mpsc::Sender<Msg>,
    filter: &Subject,
    replay: Duration,
) -> Result<(), Missing> {
    let stream = match js.get_stream(streams::EVENTS).await {
        Ok(stream) => stream,
        Err(e) if streams::is_missing(&e) => {
            return Err(Missing::Stream);
        }
        Err(e) => return Err(Missing::Other(e.to_string())),
    };
    let _ = tx.send(Msg::Conn(Conn::Replaying)).await;
    let mut consumer = stream
        .create_consumer(ordered_since(replay, Some(filter)))
        .await
        .map_err(|e| Missing::Other(e.to_string()))?;
    let pending = consumer
        .info()
        .await
        .map(|i| i.num_pending)
        .map_err(|e| Missing::Other(e.to_string()))?;
    let mut read = 0u64;
    let mut replaying = true;
    if pending == 0 {
        replaying = false;
        let _ = tx.send(Msg::Replayed { batches: 0 }).await;
    }
    let mut messages = consumer
        .messages()
        .await
        .map_err(|e| Missing::Other(e.to_string()))?;
    while let Some(msg) = messages.next().await {
        let msg = msg.map_err(|e| Missing::Other(e.to_string()))?;
        let (heard_ms, left) = msg
            .info()
            .map_or((now_ms(), 0), |i| (ms_of(i.published), i.pending));
        let Ok(subject) = Subject::new(msg.subject.as_str()) else {
            continue;
        };
        read += 1;
        let batch = Msg::Batch {
            subject,
            payload: msg.payload.clone(),
            heard_ms,
        };
        if tx.send(batch).await.is_err() {
            return Ok(());
        }
        if replaying && left == 0 {
            replaying = false;
            let _ = tx.send(Msg::Replayed { batches: read }).await;
        }
    }
    Err(Missing::Other("the stream's consumer ended".to_owned()))
}

/// The audit trail (offers and chat facts), from a day ago, then live: the
/// desk needs its chats' whole day. Offers name their operator by their
/// subject, which the broker vouches for.
pub(super) async fn audit_feed(client: async_nats::Client, tx: mpsc::Sender<Msg>) {
    let (follow, mut feed_rx) =
        floorwalker::feed::spawn(&client, streams::AUDIT, floorwalker::feed::CHATS_SINCE);
    while let Some(item) = feed_rx.recv().await {
        let Feed::Message(m) = item else { continue };
        let msg = match OfferRecord::read(&m.subject, &m.payload) {
            Some(record) => Msg::OfferSent(record),
            None => Msg::Fact {
                subject: m.subject,
                payload: m.payload,
                at_ms: m.at_ms,
            },
        };
        if tx.send(msg).await.is_err() {
            break;
        }
    }
    follow.abort();
}
