//! Simulated shoppers: native clients that speak NATS over WebSocket through
//! the gate with the shared codec, and record their visits with the shared
//! recorder, exactly as the storefront plugin does. `floorwalker simulate`
//! runs them against any deployment; `floorwalker demo` runs a few.
//!
//! [`behaviour`] says what each kind of shopper does (some ask for help,
//! some accept offers, and they answer the survey); [`run`] keeps the
//! asked-for number of shoppers on the site, starting a new one whenever one
//! leaves, until told to stop. [`agents`] are bots that answer the chats.

pub mod agents;
pub mod behaviour;
mod shopper;
mod talk;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use floorwalker_shared::subject::SiteId;
use tokio::task::JoinSet;

pub use behaviour::{Behaviour, Mix};

/// What to simulate, and against what.
#[derive(Debug, Clone)]
pub struct Options {
    /// nats-server's WebSocket URL (`ws://127.0.0.1:4223`).
    pub ws_url: String,
    /// The storefront's origin the server allows (`http://localhost:4280`).
    pub origin: String,
    /// The site the shoppers are on.
    pub site: SiteId,
    /// How many shoppers are on the site at once.
    pub shoppers: usize,
    /// How many of each kind.
    pub mix: Mix,
    /// How much faster than real time (2.0 halves every pause).
    pub speed: f64,
    /// Seed for repeatable runs.
    pub seed: u64,
}

/// What the simulation has done so far.
#[derive(Debug, Default)]
pub struct Counters {
    /// Shoppers started.
    pub started: AtomicU64,
    /// Shoppers on the site now: connected once, their visit not over (a
    /// dashboard's online count).
    pub live: AtomicU64,
    /// Connections the gate admitted.
    pub connected: AtomicU64,
    /// Shoppers who could not connect.
    pub refused: AtomicU64,
    /// Batches published.
    pub batches: AtomicU64,
    /// Offers received.
    pub offers: AtomicU64,
    /// Shoppers who finished their visit.
    pub left: AtomicU64,
    /// Messages lost: dropped from a full outbox while disconnected (the
    /// connection reports them), or written to a socket that broke before
    /// taking them (counted as one each, though a write may hold several).
    pub lost: AtomicU64,
}

impl std::fmt::Display for Counters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
        write!(
            f,
            "{} shoppers started, {} on the site now, {} connections admitted, {} refused, \
             {} batches sent, {} offers received, {} visits finished, {} messages lost",
            n(&self.started),
            n(&self.live),
            n(&self.connected),
            n(&self.refused),
            n(&self.batches),
            n(&self.offers),
            n(&self.left),
            n(&self.lost)
        )
    }
}

/// Runs shoppers until `stop` completes; the last refusal, if any, is
/// logged and counted.
pub async fn run(options: Options, counters: Arc<Counters>, stop: impl Future<Output = ()>) {
    let options = Arc::new(options);
    let mut rng = fastrand::Rng::with_seed(options.seed);
    let mut visits = JoinSet::new();
    tokio::pin!(stop);
    // Arrivals are spread over the first half minute, not all at once.
    let spread = Duration::from_millis(30_000 / options.shoppers.max(1) as u64);
    // The first arrives at once.
    let mut arrivals = tokio::time::interval(spread);
    loop {
        tokio::select! {
            () = &mut stop => break,
            _ = arrivals.tick(), if visits.len() < options.shoppers => {
                let kind = options.mix.pick(&mut rng);
                let seed = rng.u64(..);
                let (options, counters) = (options.clone(), counters.clone());
                counters.started.fetch_add(1, Ordering::Relaxed);
                visits.spawn(async move {
                    let ended = shopper::visit(&options, &counters, kind, seed).await;
                    match &ended {
                        shopper::Ended::Left => counters.left.fetch_add(1, Ordering::Relaxed),
                        shopper::Ended::Refused(why) => {
                            tracing::warn!(%why, "a simulated shopper could not connect");
                            counters.refused.fetch_add(1, Ordering::Relaxed)
                        }
                    };
                    ended
                });
            }
            Some(done) = visits.join_next(), if !visits.is_empty() => {
                if let Ok(shopper::Ended::Refused(_)) = done {
                    // Do not hammer a server that refuses: wait a little.
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        }
    }
    visits.shutdown().await;
}
