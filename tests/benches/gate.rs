//! What the gate costs a shopper's connection, measured side by side.
//!
//! Two servers run at once: one behind the real `floorwalker gate` process
//! (the release build), and one without any authorization, which exists only
//! here as the baseline. Each shopper connection is what the plugin does: open
//! a WebSocket from the storefront's origin, read INFO, send CONNECT with its
//! credential, PING, and wait for PONG. Latency is measured with the two
//! servers interleaved, so machine noise falls on both alike; throughput with
//! several client threads at once.
//!
//! A hand-rolled harness: divan measures a function's time, not figures such
//! as connections per second across threads, nor ratios between two runs.

use std::thread;
use std::time::{Duration, Instant};

use floorwalker::natsd::{NatsBinary, NatsServer, ServerConfig};
use floorwalker_shared::nats::ConnectInfo;
use floorwalker_tests::clients::new_shopper;
use floorwalker_tests::raw::RawClient;
use floorwalker_tests::server::{ORIGIN, TestServer};

const SEQUENTIAL: usize = 300;
const THREADS: usize = 8;
const PER_THREAD: usize = 100;

fn main() {
    let gated = TestServer::start_with(|_, gate| gate.connects_per_address_per_minute = 0);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let binary = NatsBinary::locate().unwrap_or_else(|e| panic!("{e}"));
    // The baseline: the same listeners with no authorization at all.
    let config = ServerConfig::local("baseline", dir.path(), "", &[ORIGIN.to_owned()]);
    let open = NatsServer::start(&binary, &config, dir.path(), Duration::from_secs(20))
        .unwrap_or_else(|e| panic!("starting the baseline server: {e}"));
    let targets = [
        ("without callout", open.websocket_addr().expect("ws")),
        ("through the gate", gated.websocket_addr().expect("ws")),
    ];

    // Warm up both (page cache, first JIT-less paths in the server).
    for (_, addr) in targets {
        for _ in 0..20 {
            connect(addr);
        }
    }

    let mut latencies = [Vec::new(), Vec::new()];
    for _ in 0..SEQUENTIAL {
        for (i, (_, addr)) in targets.iter().enumerate() {
            latencies[i].push(connect(*addr));
        }
    }
    println!(
        "gate: one shopper connection (WebSocket, INFO, CONNECT, PING/PONG), {SEQUENTIAL} each, interleaved"
    );
    println!("  {:<18} {:>9} {:>9}", "", "median", "p90");
    let medians: Vec<f64> = latencies
        .iter_mut()
        .zip(targets)
        .map(|(l, (name, _))| {
            l.sort_unstable();
            let (median, p90) = (ms(l[l.len() / 2]), ms(l[l.len() * 9 / 10]));
            println!("  {name:<18} {median:>6.2} ms {p90:>6.2} ms");
            median
        })
        .collect();
    println!(
        "  the gate adds {:.2} ms to a connection ({:.1}x the baseline's median)",
        medians[1] - medians[0],
        medians[1] / medians[0]
    );

    println!(
        "gate: {} shopper connections from {THREADS} threads at once",
        THREADS * PER_THREAD
    );
    let rates: Vec<f64> = targets
        .iter()
        .map(|(name, addr)| {
            let started = Instant::now();
            let workers: Vec<_> = (0..THREADS)
                .map(|_| {
                    let addr = *addr;
                    thread::spawn(move || {
                        for _ in 0..PER_THREAD {
                            connect(addr);
                        }
                    })
                })
                .collect();
            for w in workers {
                w.join().expect("a client thread");
            }
            #[allow(clippy::cast_precision_loss)] // a few hundred connections
            let rate = (THREADS * PER_THREAD) as f64 / started.elapsed().as_secs_f64();
            println!("  {name:<18} {rate:>8.0} admitted/s");
            rate
        })
        .collect();
    println!(
        "  through the gate: {:.2}x the baseline's rate",
        rates[1] / rates[0]
    );
}

/// One shopper connection, as the plugin makes it; returns how long it took.
fn connect(addr: std::net::SocketAddr) -> Duration {
    let cred = new_shopper("shop");
    let started = Instant::now();
    let mut client = RawClient::connect_ws(addr, ORIGIN).expect("a WebSocket");
    client
        .handshake(
            ConnectInfo {
                auth_token: Some(cred.to_token_string()),
                ..ConnectInfo::default()
            },
            Duration::from_secs(10),
        )
        .unwrap_or_else(|e| panic!("a shopper was refused: {e:?}"));
    started.elapsed()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
