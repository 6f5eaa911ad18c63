//! The gate's IO: an async-nats connection that answers the server's
//! authorization requests and status requests, until told to stop; and
//! that takes in its configuration file again when it changes (`floorwalker
//! auth` rotating its keys or trusting a proxy), connecting again with its
//! new credentials when they changed, before the old ones are taken out.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use futures::StreamExt;
use thiserror::Error;

use super::config::{GateConfig, unix_now};
use super::decide::Gate;
use super::stats::Stats;
use floorwalker_shared::subject::{self, AUTH_CALLOUT};

/// The header carrying the server's curve key on sealed requests.
const SERVER_XKEY_HEADER: &str = "Nats-Server-Xkey";

/// The queue group every gate joins for authorization requests.
const QUEUE_GROUP: &str = "floorwalker-gate";

/// Why the gate stopped with an error.
#[derive(Debug, Error)]
pub enum ServiceError {
    /// The configuration did not make a gate.
    #[error("invalid gate configuration: {0}")]
    Config(#[from] super::config::Invalid),
    /// The gate could not connect to nats-server.
    #[error(
        "cannot connect to nats-server at '{url}' with the gate's key: is it running, with \
         nats-auth.conf from `floorwalker auth init` (or `auth rotate-gate`) in its config?"
    )]
    Connect {
        /// The server's URL.
        url: String,
        /// The cause.
        #[source]
        source: async_nats::ConnectError,
    },
    /// A subscription failed.
    #[error("cannot subscribe to '{subject}'")]
    Subscribe {
        /// The subject.
        subject: String,
        /// The cause.
        #[source]
        source: async_nats::SubscribeError,
    },
    /// The server closed the gate's subscriptions.
    #[error("nats-server closed the gate's subscriptions")]
    Closed,
}

/// How often the gate looks whether its configuration file changed.
const RELOAD_EVERY: Duration = Duration::from_secs(1);

/// The gate's configuration file, watched for changes.
struct Watched {
    path: PathBuf,
    modified: Option<SystemTime>,
}

impl Watched {
    fn new(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            modified: modified(path),
        }
    }

    /// The configuration, if the file changed since last looked.
    fn changed(&mut self) -> Option<Result<GateConfig, super::config::ConfigError>> {
        let now = modified(&self.path);
        if now == self.modified {
            return None;
        }
        self.modified = now;
        Some(GateConfig::load(&self.path))
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The gate's connection and its two subscriptions.
struct Link {
    client: async_nats::Client,
    requests: async_nats::Subscriber,
    status: async_nats::Subscriber,
    /// The JWT it signed in with.
    jwt: String,
}

impl Link {
    /// Connects with `config`'s credentials and subscribes.
    async fn open(config: &GateConfig, url: &str) -> Result<Self, ServiceError> {
        let keys = &config.keys;
        let connect = |source| ServiceError::Connect {
            url: url.to_owned(),
            source,
        };
        let options = async_nats::ConnectOptions::with_credentials(&crate::creds::text(
            &keys.gate_jwt,
            &keys.gate_seed,
        ))
        .map_err(|e| {
            connect(async_nats::ConnectError::with_source(
                async_nats::ConnectErrorKind::Authentication,
                e,
            ))
        })?;
        let client = options
            .name("floorwalker-gate")
            .connect(url)
            .await
            .map_err(connect)?;
        // One queue group: several gates share the requests between them
        // (each keeps its own rate counts), and every one answers status
        // requests.
        let subscribe = |subject: String, queue: Option<&'static str>| {
            let client = client.clone();
            async move {
                let result = match queue {
                    Some(queue) => {
                        client
                            .queue_subscribe(subject.clone(), queue.to_owned())
                            .await
                    }
                    None => client.subscribe(subject.clone()).await,
                };
                result.map_err(|source| ServiceError::Subscribe { subject, source })
            }
        };
        let requests = subscribe(AUTH_CALLOUT.to_owned(), Some(QUEUE_GROUP)).await?;
        let status = subscribe(subject::gate_status().to_string(), None).await?;
        // The subscriptions are live once the server has seen them.
        let _ = client.flush().await;
        Ok(Self {
            client,
            requests,
            status,
            jwt: keys.gate_jwt.clone(),
        })
    }
}

/// Runs the gate against the server at `url` until `shutdown` completes;
/// returns the counts. `ready` is called once the gate is answering. With
/// `watch`, the file `config` came from, the gate takes in its changes.
pub async fn run(
    config: &GateConfig,
    watch: Option<&Path>,
    url: &str,
    ready: impl FnOnce(),
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<Stats, ServiceError> {
    let mut gate = Gate::new(config)?;
    let mut watched = watch.map(Watched::new);
    let mut link = Link::open(config, url).await?;
    // The connection before new credentials, still answering what reached
    // it until the server has routed everything to the new one.
    let mut retiring: Option<(Link, Instant)> = None;
    tracing::info!(%url, "gate answering authorization requests");
    ready();

    tokio::pin!(shutdown);
    let mut tick = tokio::time::interval(RELOAD_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            _ = tick.tick(), if watched.is_some() => {
                if retiring.as_ref().is_some_and(|(_, since)| since.elapsed() >= RETIRE_AFTER) {
                    if let Some((old, _)) = retiring.take() {
                        let _ = old.client.flush().await;
                    }
                }
                if let Some(watched) = watched.as_mut() {
                    if let Some(old) = take_in_changes(&mut gate, watched, &mut link, url).await {
                        retiring = Some((old, Instant::now()));
                    }
                }
            }
            msg = link.requests.next() => {
                let Some(msg) = msg else { return Err(ServiceError::Closed) };
                answer(&mut gate, &link.client, msg).await;
            }
            Some(msg) = async { retiring.as_mut()?.0.requests.next().await }, if retiring.is_some() => {
                if let Some((old, _)) = &retiring {
                    answer(&mut gate, &old.client, msg).await;
                }
            }
            msg = link.status.next() => {
                let Some(msg) = msg else { return Err(ServiceError::Closed) };
                if let Some(reply) = msg.reply {
                    let body = serde_json::to_vec(gate.stats()).unwrap_or_default();
                    let _ = link.client.publish(reply, body.into()).await;
                }
            }
        }
    }
    let _ = link.client.flush().await;
    Ok(gate.stats().clone())
}

/// Answers one authorization request on `client`.
async fn answer(gate: &mut Gate, client: &async_nats::Client, msg: async_nats::Message) {
    let Some(reply) = msg.reply.clone() else {
        return;
    };
    let xkey = msg
        .headers
        .as_ref()
        .and_then(|h| h.get(SERVER_XKEY_HEADER))
        .map(|v| v.as_str().to_owned());
    let (_, response) = gate.handle(&msg.payload, xkey.as_deref(), unix_now(), Instant::now());
    if let Some(response) = response {
        if let Err(err) = client.publish(reply, response.into()).await {
            tracing::warn!(%err, "could not answer an authorization request");
        }
    }
}

/// How long the connection before new credentials keeps answering: longer
/// than the server's auth timeout, so no request sent to it goes
/// unanswered.
const RETIRE_AFTER: Duration = Duration::from_secs(5);

/// Takes in the configuration file if it changed, and connects again if
/// its credentials did; returns the connection before, to retire. An
/// invalid file, or new credentials the server refuses, is logged and
/// left: the gate keeps what it has.
async fn take_in_changes(
    gate: &mut Gate,
    watched: &mut Watched,
    link: &mut Link,
    url: &str,
) -> Option<Link> {
    let config = match watched.changed()? {
        Ok(config) => config,
        Err(err) => {
            tracing::error!(%err, "the changed gate configuration is invalid: keeping the one in force");
            return None;
        }
    };
    if let Err(err) = gate.reload(&config) {
        tracing::error!(%err, "the changed gate configuration is invalid: keeping the one in force");
        return None;
    }
    tracing::info!("gate configuration reloaded");
    println!("gate: configuration reloaded");
    if config.keys.gate_jwt == link.jwt {
        return None;
    }
    match Link::open(&config, url).await {
        Ok(new) => {
            tracing::info!("gate connected with its new credentials");
            println!("gate: connected with its new credentials");
            Some(std::mem::replace(link, new))
        }
        Err(err) => {
            tracing::error!(%err, "cannot connect with the new credentials: keeping the old connection");
            None
        }
    }
}
