//! The gate's IO: an async-nats connection that answers the server's
//! authorization requests and status requests, until told to stop; and
//! that takes in its configuration file again when it changes (`floorwalker
//! auth` adding, revoking or rotating), closing the connections of
//! operators it no longer admits.

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
    let client = async_nats::ConnectOptions::with_nkey(config.keys.gate_seed.clone())
        .name("floorwalker-gate")
        .connect(url)
        .await
        .map_err(|source| ServiceError::Connect {
            url: url.to_owned(),
            source,
        })?;
    // One queue group: several gates share the requests between them (each
    // keeps its own rate counts), and every one answers status requests.
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
    let mut requests = subscribe(AUTH_CALLOUT.to_owned(), Some(QUEUE_GROUP)).await?;
    let mut status = subscribe(subject::gate_status().to_string(), None).await?;
    // The subscriptions are live once the server has seen them.
    let _ = client.flush().await;
    tracing::info!(%url, "gate answering authorization requests");
    ready();

    tokio::pin!(shutdown);
    let mut tick = tokio::time::interval(RELOAD_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            _ = tick.tick(), if watched.is_some() => {
                if let Some(watched) = watched.as_mut() {
                    take_in_changes(&mut gate, watched, &client).await;
                }
            }
            msg = requests.next() => {
                let Some(msg) = msg else { return Err(ServiceError::Closed) };
                let Some(reply) = msg.reply.clone() else { continue };
                let xkey = msg.headers.as_ref().and_then(|h| h.get(SERVER_XKEY_HEADER)).map(|v| v.as_str().to_owned());
                let (_, response) = gate.handle(&msg.payload, xkey.as_deref(), unix_now(), Instant::now());
                if let Some(response) = response {
                    if let Err(err) = client.publish(reply, response.into()).await {
                        tracing::warn!(%err, "could not answer an authorization request");
                    }
                }
            }
            msg = status.next() => {
                let Some(msg) = msg else { return Err(ServiceError::Closed) };
                if let Some(reply) = msg.reply {
                    let body = serde_json::to_vec(gate.stats()).unwrap_or_default();
                    let _ = client.publish(reply, body.into()).await;
                }
            }
        }
    }
    let _ = client.flush().await;
    Ok(gate.stats().clone())
}

/// Takes in the configuration file if it changed, and has the server close
/// the connections of operators no longer admitted. An invalid file is
/// logged and left: the gate keeps the configuration in force.
async fn take_in_changes(gate: &mut Gate, watched: &mut Watched, client: &async_nats::Client) {
    let Some(changed) = watched.changed() else {
        return;
    };
    let reloaded = changed
        .map_err(|e| e.to_string())
        .and_then(|config| gate.reload(&config).map_err(|e| e.to_string()));
    let gone = match reloaded {
        Ok(gone) => gone,
        Err(err) => {
            tracing::error!(%err, "the changed gate configuration is invalid: keeping the one in force");
            return;
        }
    };
    tracing::info!(closing = gone.len(), "gate configuration reloaded");
    println!(
        "gate: configuration reloaded; closing {} connection(s) of operators no longer admitted",
        gone.len()
    );
    for (server, cid) in gone {
        kick(client, &server, cid).await;
    }
}

/// Asks the server `server` to close connection `cid` (an operator whose
/// key was revoked; its client's reconnection is then refused).
async fn kick(client: &async_nats::Client, server: &str, cid: u64) {
    let subject = format!("$SYS.REQ.SERVER.{server}.KICK");
    let body = serde_json::json!({ "cid": cid }).to_string();
    match tokio::time::timeout(Duration::from_secs(2), client.request(subject, body.into())).await {
        Ok(Ok(reply)) => {
            let reply = String::from_utf8_lossy(&reply.payload);
            tracing::info!(cid, %reply, "closed a revoked operator's connection");
        }
        Ok(Err(err)) => {
            tracing::warn!(%err, cid, "could not close a revoked operator's connection");
        }
        Err(_) => tracing::warn!(
            cid,
            "the server did not answer closing a revoked operator's connection"
        ),
    }
}
