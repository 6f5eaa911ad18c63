//! The gate's IO: an async-nats connection that answers the server's
//! authorization requests and status requests, until told to stop.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use futures::StreamExt;
use thiserror::Error;

use super::config::{GATE_USER, GateConfig};
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
        "cannot connect to nats-server at '{url}' as user '{GATE_USER}': is it running, \
         with nats-auth.conf from `floorwalker auth init` in its config?"
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

/// Runs the gate against the server at `url` until `shutdown` completes;
/// returns the counts. `ready` is called once the gate is answering.
pub async fn run(
    config: &GateConfig,
    url: &str,
    ready: impl FnOnce(),
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<Stats, ServiceError> {
    let mut gate = Gate::new(config)?;
    let client = async_nats::ConnectOptions::new()
        .user_and_password(GATE_USER.to_owned(), config.gate_password.clone())
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
    loop {
        tokio::select! {
            () = &mut shutdown => break,
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

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
