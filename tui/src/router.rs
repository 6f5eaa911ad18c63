//! The chat router: the one service that speaks to shoppers about their
//! chats, and decides what only the passing of time decides.
//!
//! It folds the `AUDIT` stream's chat facts into a desk, exactly as every
//! other reader does, and acts on what is new ([`state::Router`], no IO):
//! a waiting shopper is told its place in the queue and the wait to expect
//! whenever they change; a claim tells the shopper who joined; an agent's
//! or supervisor's message is delivered; an ended chat gets the survey; a
//! "No" opens an incident with the shopper's journey (from `EVENTS`). It
//! listens to presence: an agent silent past its timeout is lost (its
//! chats return to the queue), a shopper silent past its timeout is gone
//! (a waiting chat counts as abandoned). A page that (re)connects with a
//! chat open is sent the chat so far.
//!
//! Agents never push to shoppers themselves: their consoles only record
//! facts, and the broker lets only the router push. The router's own
//! decisions are facts in the stream too, so every reader sees them.
//! History is folded first and not acted on again; after a restart the
//! router resumes from the stream and a page catches up when it next
//! (re)connects.
//!
//! Every second it publishes what it did since it started on
//! `fw.router.report` ([`RouterReport`]), for `tail --prometheus`.

pub mod state;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_nats::jetstream;
use floorwalker_shared::desk::DeskConfig;
use floorwalker_shared::event::PushEnvelope;
use floorwalker_shared::router::RouterReport;
use floorwalker_shared::subject::{self, SessionSubjects, Subject};
use floorwalker_shared::wire::encode_push;
use futures::StreamExt;

pub use state::{Action, Counts, Router, RouterConfig, SURVEY_QUESTION};

use crate::feed::{self, Feed, now_ms};
use crate::record::record;

/// What the page sends on its presence subject when it (re)connects and
/// wants its chat so far; an empty message only says it is there.
pub const SYNC: &[u8] = b"sync";

/// Why the router stopped.
#[derive(Debug, thiserror::Error)]
pub enum RouterError {
    /// A subscription failed.
    #[error("cannot subscribe to '{subject}': {source}")]
    Subscribe {
        /// The subject.
        subject: String,
        /// The cause.
        #[source]
        source: async_nats::SubscribeError,
    },
}

/// Runs the router on `client` (connected as a router-role operator
/// `user`) until `shutdown` completes; returns its counts. `ready` is
/// called once history is read and the router acts.
///
/// # Errors
/// When it cannot subscribe to presence.
pub async fn run(
    client: async_nats::Client,
    user: String,
    config: RouterConfig,
    ready: impl FnOnce(),
    shutdown: impl Future<Output = ()>,
) -> Result<Counts, RouterError> {
    let subscribe = |subject: Subject| {
        let client = client.clone();
        async move {
            client
                .subscribe(subject.to_string())
                .await
                .map_err(|source| RouterError::Subscribe {
                    subject: subject.to_string(),
                    source,
                })
        }
    };
    // As shoppers publish it, before any intake: `here` is not stored.
    let mut here = subscribe(subject::raw(&subject::all_sites_here())).await?;
    let mut presence = subscribe(subject::all_presence()).await?;
    let mut feeds = feed::desk(&client);
    let js = jetstream::new(client.clone());
    let mut router = Router::new(config, DeskConfig::default(), now_ms());
    let mut ready = Some(ready);
    let instance = format!("{user}-{}", std::process::id());
    let recorded = Recorded::default();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    loop {
        let actions = tokio::select! {
            () = &mut shutdown => break,
            Some(feed) = feeds.audit.recv() => match feed {
                Feed::Message(m) => router.stored(&m.subject, &m.payload, m.at_ms),
                Feed::CaughtUp { .. } => {
                    if let Some(ready) = ready.take() {
                        ready();
                    }
                    router.caught_up(now_ms())
                }
                Feed::Down(why) => {
                    tracing::warn!(%why, "router: reading AUDIT");
                    Vec::new()
                }
                // Not asked for: the router needs the stream.
                Feed::LiveOnly => Vec::new(),
            },
            Some(feed) = feeds.events.recv() => {
                if let Feed::Message(m) = feed {
                    router.batch(&m.subject, &m.payload, m.at_ms);
                }
                Vec::new()
            },
            Some(msg) = here.next() => {
                let heard = Subject::new(msg.subject.as_str())
                    .ok()
                    .and_then(|s| subject::unraw(&s))
                    .and_then(|s| SessionSubjects::of(&s).filter(|session| session.here() == s));
                match heard {
                    Some(session) => router.here(&session, msg.payload.as_ref() == SYNC, now_ms()),
                    None => Vec::new(),
                }
            },
            Some(msg) = presence.next() => {
                if let Some(user) = msg.subject.as_str().rsplit('.').next() {
                    router.presence(user, now_ms());
                }
                Vec::new()
            },
            _ = tick.tick() => {
                publish_report(&client, &report(&instance, &router, &recorded)).await;
                router.tick(now_ms())
            },
        };
        carry_out(&client, &js, &user, &recorded, actions).await;
    }
    drop(feeds);
    let mut counts = router.counts;
    counts.refused = router.desk.rejected().values().sum();
    Ok(counts)
}

/// The router's own facts the stream stored, and those it did not:
/// counted by the tasks that record them.
#[derive(Debug, Clone, Default)]
struct Recorded {
    stored: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
}

/// What `router` did since it started, as `instance` reports it.
fn report(instance: &str, router: &Router, recorded: &Recorded) -> RouterReport {
    let c = &router.counts;
    RouterReport {
        instance: instance.to_owned(),
        pushes: c.pushes,
        facts_read: c.facts_read,
        facts_refused: router.desk.rejected().values().sum(),
        facts_recorded: recorded.stored.load(Ordering::Relaxed),
        facts_not_recorded: recorded.failed.load(Ordering::Relaxed),
        agents_lost: c.agents_lost,
        shoppers_gone: c.shoppers_gone,
        incidents: c.incidents,
    }
}

async fn publish_report(client: &async_nats::Client, report: &RouterReport) {
    if let Ok(json) = serde_json::to_vec(report) {
        let _ = client
            .publish(subject::router_report().to_string(), json.into())
            .await;
    }
}

async fn carry_out(
    client: &async_nats::Client,
    js: &jetstream::Context,
    user: &str,
    recorded: &Recorded,
    actions: Vec<Action>,
) {
    for action in actions {
        match action {
            Action::Push(session, push) => {
                let payload = encode_push(&PushEnvelope::new(push));
                if let Err(e) = client
                    .publish(session.push().to_string(), payload.into())
                    .await
                {
                    tracing::warn!(%e, "router: pushing to a shopper");
                }
            }
            Action::Record(fact) => {
                // Not awaited here: a slow acknowledgement must not hold up
                // every other shopper.
                let (js, user, recorded) = (js.clone(), user.to_owned(), recorded.clone());
                tokio::spawn(async move {
                    if let Err(why) = record(&js, &user, &fact).await {
                        recorded.failed.fetch_add(1, Ordering::Relaxed);
                        tracing::error!(%why, "router: recording a fact");
                    } else {
                        recorded.stored.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
        }
    }
}
