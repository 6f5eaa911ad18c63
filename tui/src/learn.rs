//! The learning service (`floorwalker learn`): what the floor teaches,
//! folded from the streams by one service and kept in key-value buckets
//! every screen reads.
//!
//! [`state::Learner`] (no IO) folds `EVENTS` and `AUDIT` into each
//! visitor's memory (`floorwalker_shared::memory`) and each site's visits
//! before a first purchase.
pub mod state;

use std::future::Future;
use std::time::Duration;

use async_nats::jetstream::{self, kv};
use floorwalker_shared::subject::kv::{
    first_purchase_key, key_in, page_key, visitor_key, visitor_of_key,
};
use futures::StreamExt;

pub use state::{Counts, LearnConfig, Learner, VisitorId};

use crate::feed::{self, Feed, Source, now_ms};
use crate::streams;

/// Writes in flight at once: a replay after a restart may change many
/// memories in one second.
const IN_FLIGHT: usize = 64;

/// How often changed memories and figures are written.
const FLUSH_EVERY: Duration = Duration::from_secs(1);

/// How often the page statistics are worked out and what changed written.
const PAGES_EVERY: Duration = Duration::from_secs(5);

/// How often idle sessions and old memories are swept.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// What `floorwalker learn` is told.
#[derive(Debug, Clone)]
pub struct LearnOptions {
    /// Bounds and retention.
    pub config: LearnConfig,
    /// How far back the streams are read at start: the learned figures'
    /// window.
    pub window: Duration,
}

impl Default for LearnOptions {
    fn default() -> Self {
        Self {
            config: LearnConfig::default(),
            window: Duration::from_secs(7 * 24 * 3_600),
        }
    }
}

/// Why the learning service stopped.
#[derive(Debug, thiserror::Error)]
pub enum LearnError {
    /// A bucket it writes is missing or cannot be opened.
    #[error(
        "cannot open the '{bucket}' bucket ({source}); {}",
        streams::CREATE_HINT
    )]
    Bucket {
        /// The bucket.
        bucket: &'static str,
        /// The cause.
        #[source]
        source: jetstream::context::KeyValueError,
    },
}

/// What the service did, for its last words and its tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// What it folded and refused.
    pub counts: Counts,
    /// Memories read from the bucket at start.
    pub loaded: u64,
    /// Memories written (or deleted, once empty).
    pub written: u64,
    /// Writes the server refused (tried again at the next change).
    pub failed: u64,
}

/// Runs the learning service on `client` (a learner-role operator) until
/// `shutdown` completes. `ready` is called once the bucket and the
/// streams' history are read and what they changed is written.
///
/// # Errors
/// When a bucket is missing.
pub async fn run(
    client: async_nats::Client,
    options: LearnOptions,
    ready: impl FnOnce(),
    shutdown: impl Future<Output = ()>,
) -> Result<Report, LearnError> {
    let js = jetstream::new(client.clone());
    let open = |bucket: &'static str| {
        let js = js.clone();
        async move {
            js.get_key_value(bucket)
                .await
                .map_err(|source| LearnError::Bucket { bucket, source })
        }
    };
    let visitors = open(streams::VISITORS).await?;
    let insights = open(streams::INSIGHTS).await?;
    let mut learner = Learner::new(options.config.clone());
    let mut report = Report::default();
    tokio::pin!(shutdown);

    // What was learned before, first: the streams are merged into it.
    let far_back = Duration::from_secs(100 * 365 * 24 * 3_600);
    let (_stored, mut stored) =
        feed::spawn(&client, Source::new(streams::VISITORS_STREAM, far_back));
    loop {
        tokio::select! {
            () = &mut shutdown => return Ok(report),
            feed = stored.recv() => match feed {
                Some(Feed::Message(m)) => {
                    let key = key_in(streams::VISITORS, &m.subject).unwrap_or_default();
                    let memory = serde_json::from_slice(&m.payload).ok();
                    if let (Some((site, visitor)), Some(memory)) = (visitor_of_key(key), memory) {
                        learner.load(&(site, visitor.to_owned()), memory);
                        report.loaded += 1;
                    }
                }
                Some(Feed::CaughtUp { .. }) | None => break,
                Some(Feed::Down(why)) => tracing::warn!(%why, "learn: reading the visitors' bucket"),
                Some(Feed::LiveOnly) => {}
            },
        }
    }

    let (_events, mut events) = feed::spawn(&client, Source::new(streams::EVENTS, options.window));
    let (_audit, mut audit) = feed::spawn(&client, Source::new(streams::AUDIT, options.window));
    let (mut events_read, mut audit_read) = (false, false);
    let mut ready = Some(ready);
    let mut flush = tokio::time::interval(FLUSH_EVERY);
    flush.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut pages = tokio::time::interval(PAGES_EVERY);
    pages.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut sweep = tokio::time::interval(SWEEP_EVERY);
    sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            Some(feed) = events.recv() => match feed {
                Feed::Message(m) => learner.batch(&m.subject, &m.payload, m.at_ms),
                Feed::CaughtUp { .. } => events_read = true,
                Feed::Down(why) => tracing::warn!(%why, "learn: reading EVENTS"),
                Feed::LiveOnly => {}
            },
            Some(feed) = audit.recv() => match feed {
                Feed::Message(m) => learner.fact(&m.subject, &m.payload, m.at_ms),
                Feed::CaughtUp { .. } => audit_read = true,
                Feed::Down(why) => tracing::warn!(%why, "learn: reading AUDIT"),
                Feed::LiveOnly => {}
            },
            _ = flush.tick() => {
                write(&mut learner, &visitors, &insights, &mut report).await;
                if events_read && audit_read {
                    if let Some(ready) = ready.take() {
                        ready();
                    }
                }
            },
            _ = pages.tick(), if events_read && audit_read => {
                write_pages(&mut learner, &insights, &mut report).await;
            },
            _ = sweep.tick() => learner.sweep(now_ms()),
        }
    }
    write(&mut learner, &visitors, &insights, &mut report).await;
    write_pages(&mut learner, &insights, &mut report).await;
    report.counts = learner.counts();
    Ok(report)
}

/// Writes what changed: each changed memory (deleting one that is now
/// empty) and each site's visits before a first purchase.
async fn write(
    learner: &mut Learner,
    visitors: &kv::Store,
    insights: &kv::Store,
    report: &mut Report,
) {
    let memories = learner.take_dirty();
    let results: Vec<(VisitorId, bool)> = futures::stream::iter(memories)
        .map(|(id, memory)| async move {
            let key = visitor_key(&id.0, &id.1);
            let ok = if memory.is_empty() {
                visitors.purge(&key).await.is_ok()
            } else {
                match serde_json::to_vec(&memory) {
                    Ok(value) => visitors.put(&key, value.into()).await.is_ok(),
                    Err(_) => false,
                }
            };
            (id, ok)
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    for (id, ok) in results {
        if ok {
            report.written += 1;
        } else {
            // Written at the next flush instead.
            report.failed += 1;
            learner.retry(id);
        }
    }
    for (site, figure) in learner.take_dirty_sites() {
        let Ok(value) = serde_json::to_vec(&figure) else {
            continue;
        };
        if let Err(err) = insights.put(first_purchase_key(&site), value.into()).await {
            report.failed += 1;
            tracing::warn!(%err, %site, "learn: writing visits before a first purchase");
            learner.retry_site(site);
        }
    }
}

/// Writes the page statistics that changed, and deletes the patterns no
/// longer seen.
async fn write_pages(learner: &mut Learner, insights: &kv::Store, report: &mut Report) {
    for (site, rows, gone) in learner.page_changes(now_ms()) {
        let puts = rows.into_iter().filter_map(|row| {
            let value = serde_json::to_vec(&row).ok()?;
            Some((page_key(&site, &row.pattern), Some(value)))
        });
        let purges = gone.into_iter().map(|p| (page_key(&site, &p), None));
        let failed = futures::stream::iter(puts.chain(purges))
            .map(|(key, value)| async move {
                match value {
                    Some(value) => insights.put(key, value.into()).await.is_err(),
                    None => insights.purge(key).await.is_err(),
                }
            })
            .buffer_unordered(IN_FLIGHT)
            .filter(|failed| std::future::ready(*failed))
            .count()
            .await;
        if failed > 0 {
            report.failed += failed as u64;
            learner.retry_pages(&site);
        }
    }
}

/// Why a memory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The bucket is missing or cannot be opened.
    #[error("cannot open the VISITORS bucket: {0}")]
    Bucket(#[from] jetstream::context::KeyValueError),
    /// The read failed.
    #[error("cannot read a visitor's memory: {0}")]
    Entry(#[from] kv::EntryError),
    /// What the bucket holds is not a memory.
    #[error("a visitor's memory does not read: {0}")]
    Decode(#[from] serde_json::Error),
}

/// Reads `visitor`'s memory on `site`: none when nothing is remembered.
///
/// # Errors
/// When the bucket cannot be read or holds something else.
pub async fn read_memory(
    js: &jetstream::Context,
    site: &floorwalker_shared::subject::SiteId,
    visitor: &str,
) -> Result<Option<floorwalker_shared::memory::Memory>, ReadError> {
    let bucket = js.get_key_value(streams::VISITORS).await?;
    match bucket.get(visitor_key(site, visitor)).await? {
        Some(value) if !value.is_empty() => Ok(Some(serde_json::from_slice(&value)?)),
        _ => Ok(None),
    }
}
