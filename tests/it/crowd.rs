// The gate's bounds on connection attempts: a crowd behind one address is admitted, a flood from one session is not, and a refused page loses nothing.

use std::thread;
use std::time::{Duration, Instant};

use floorwalker::gate::config::{
    CONNECTS_PER_ADDRESS_PER_MINUTE, CONNECTS_PER_SESSION_PER_MINUTE, GateConfig,
};
use floorwalker::gate::policy::Role;
use floorwalker_shared::credential::ShopperCredential;
use floorwalker_shared::event::ShopperEvent;
use floorwalker_shared::nats::{ClientOp, ConnectInfo, ServerOp};
use floorwalker_shared::subject;
use floorwalker_shared::wire::decode_batch;
use floorwalker_tests::browser::{Browser, Shop};
use floorwalker_tests::clients::{HANDSHAKE, connect_operator, connect_shopper, new_shopper};
use floorwalker_tests::raw::{HandshakeError, RawClient, Ws};
use floorwalker_tests::server::{ORIGIN, TestServer};
use floorwalker_tests::wait_until;
use serde_json::Value;

use crate::gate::{gate_status, is_refused, refusals};

/// The bounds `floorwalker auth init` writes (the test server raises the
/// per-address one for other tests, which connect many times).
fn default_bounds(gate: &mut GateConfig) {
    gate.connects_per_address_per_minute = CONNECTS_PER_ADDRESS_PER_MINUTE;
    gate.connects_per_session_per_minute = CONNECTS_PER_SESSION_PER_MINUTE;
}

/// What became of a shopper's connection attempts.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    admitted: u64,
    refused: u64,
}

impl Tally {
    fn add(&mut self, result: &Result<RawClient<Ws>, HandshakeError>) {
        if result.is_ok() {
            self.admitted += 1;
        } else if is_refused(result) {
            self.refused += 1;
        } else {
            panic!("neither admitted nor refused: {:?}", result.as_ref().err());
        }
    }

    fn sum(tallies: impl IntoIterator<Item = Self>) -> Self {
        tallies.into_iter().fold(Self::default(), |a, b| Self {
            admitted: a.admitted + b.admitted,
            refused: a.refused + b.refused,
        })
    }
}

fn refused_total(status: &Value) -> u64 {
    let reasons = status["refused"].as_object().expect("refusals by reason");
    reasons.values().filter_map(Value::as_u64).sum()
}

fn sleep_until(at: Instant) {
    // The shoppers' pace, not a wait for something to happen.
    thread::sleep(at.saturating_duration_since(Instant::now()));
}

#[test]
fn three_hundred_shoppers_behind_one_address_opening_pages_are_all_admitted() {
    const SHOPPERS: u32 = 300;
    const PAGES: u32 = 3;
    // A page every few seconds: faster than a real shopper browses
    // (docs/LIMITS.md), so 300 of them make 100 connections a second.
    const EVERY: Duration = Duration::from_secs(3);
    let server = TestServer::start_with(|_, gate| default_bounds(gate));
    let start = Instant::now() + Duration::from_millis(500);
    let tallies: Vec<Tally> = thread::scope(|scope| {
        let shoppers: Vec<_> = (0..SHOPPERS)
            .map(|i| {
                let server = &server;
                thread::Builder::new()
                    .stack_size(256 * 1024)
                    .spawn_scoped(scope, move || {
                        let cred = new_shopper("shop");
                        // Shoppers arrive spread over one page's interval.
                        let arrives = start + EVERY * i / SHOPPERS;
                        let mut tally = Tally::default();
                        let mut page = None;
                        for n in 0..PAGES {
                            sleep_until(arrives + EVERY * n);
                            // Each page connects anew, as the plugin does;
                            // the page before closes as this one opens.
                            let result = connect_shopper(server, &cred);
                            tally.add(&result);
                            page = result.ok();
                        }
                        drop(page);
                        tally
                    })
                    .expect("a shopper's thread")
            })
            .collect();
        shoppers
            .into_iter()
            .map(|s| s.join().expect("a shopper"))
            .collect()
    });
    let took = start.elapsed();
    let seen = Tally::sum(tallies);
    println!(
        "{SHOPPERS} shoppers behind one address, {PAGES} pages each in {took:.1?}: \
         {} admitted, {} refused",
        seen.admitted, seen.refused
    );
    assert_eq!(
        (seen.admitted, seen.refused),
        (u64::from(SHOPPERS * PAGES), 0),
        "the crowd was refused"
    );

    let status = gate_status(&server);
    assert_eq!(
        status["admitted_shoppers"],
        SHOPPERS * PAGES,
        "the gate's count: {status}"
    );
    assert_eq!(refused_total(&status), 0, "{status}");
    assert_eq!(
        status["bounds"]["connects_per_address_per_minute"],
        CONNECTS_PER_ADDRESS_PER_MINUTE
    );
}

#[test]
fn a_session_flooding_connection_attempts_is_refused_while_its_neighbours_are_admitted() {
    const FLOOD: u32 = 150;
    const NEIGHBOURS: usize = 20;
    let server = TestServer::start_with(|_, gate| default_bounds(gate));
    let attacker = new_shopper("shop");
    let neighbours: Vec<ShopperCredential> = (0..NEIGHBOURS).map(|_| new_shopper("shop")).collect();
    let flood_started = std::sync::Barrier::new(2);
    let (flood, took, nearby) = thread::scope(|scope| {
        let flood = scope.spawn(|| {
            let mut tally = Tally::default();
            let start = Instant::now();
            for n in 0..FLOOD {
                tally.add(&connect_shopper(&server, &attacker));
                if n == 0 {
                    flood_started.wait();
                }
            }
            (tally, start.elapsed())
        });
        // Shoppers from the same address open two pages each meanwhile.
        flood_started.wait();
        let mut nearby = Tally::default();
        for _ in 0..2 {
            for cred in &neighbours {
                nearby.add(&connect_shopper(&server, cred));
            }
        }
        let (flood, took) = flood.join().expect("the flood");
        (flood, took, nearby)
    });
    println!(
        "a flood of {FLOOD} attempts from one session in {took:.1?}: {flood:?}; its neighbours: {nearby:?}"
    );

    assert_eq!(
        (nearby.admitted, nearby.refused),
        (2 * NEIGHBOURS as u64, 0),
        "the attacker's neighbours were refused"
    );
    // A bucket of 30, refilled at one every two seconds.
    let bucket = u64::from(CONNECTS_PER_SESSION_PER_MINUTE);
    let refilled = took.as_secs() / 2 + 1;
    assert!(
        flood.admitted >= bucket && flood.admitted <= bucket + refilled,
        "{flood:?} in {took:?}"
    );
    let status = gate_status(&server);
    assert_eq!(
        refusals(&status, "session_flood"),
        flood.refused,
        "{status}"
    );
    assert_eq!(refused_total(&status), flood.refused, "{status}");
    assert_eq!(
        status["admitted_shoppers"],
        flood.admitted + nearby.admitted,
        "{status}"
    );
}

/// A shopper's WebSocket from a proxy that says the client is at
/// `forwarded` (`X-Forwarded-For`), or straight from the test.
fn connect_via(
    server: &TestServer,
    forwarded: Option<&str>,
) -> Result<RawClient<Ws>, HandshakeError> {
    let ws = server.websocket_addr().expect("a WebSocket listener");
    let headers: Vec<(&'static str, &str)> = forwarded
        .map(|f| ("X-Forwarded-For", f))
        .into_iter()
        .collect();
    let mut client = RawClient::connect_ws_with(ws, ORIGIN, &headers).expect("a WebSocket");
    client.handshake(
        ConnectInfo {
            auth_token: Some(new_shopper("shop").to_token_string()),
            ..ConnectInfo::default()
        },
        HANDSHAKE,
    )?;
    Ok(client)
}

#[test]
fn a_forwarded_for_header_does_not_change_the_address_the_gate_bounds() {
    // nats-server 2.15 tells the gate the address a WebSocket comes from;
    // `X-Forwarded-For` only decorates its own log lines (since
    // nats-io/nats-server#2767). So a client cannot claim other addresses to
    // dodge the bound, and behind a proxy every shopper has the proxy's. If
    // a server ever passes the header on, this fails, and docs/LIMITS.md's
    // advice on proxies changes.
    let mut server =
        TestServer::start_gate_only(|_, gate| gate.connects_per_address_per_minute = 1);
    let cases = [
        (Some("203.0.113.1"), true),
        (Some("203.0.113.2"), false),
        (Some("2001:db8:5:6::1"), false),
        (None, false),
    ];
    for (forwarded, admitted) in cases {
        let result = connect_via(&server, forwarded);
        assert_eq!(
            result.is_ok(),
            admitted,
            "from {forwarded:?}: {:?}",
            result.err()
        );
        if !admitted {
            assert!(is_refused(&result));
        }
    }
    let log = server.gate_log();
    let hosts: Vec<&str> = log
        .lines()
        .filter_map(|l| l.split("host=").nth(1)?.split_whitespace().next())
        .collect();
    assert_eq!(hosts, ["127.0.0.1"; 4], "{log}");
    let printed = server.stop_gate();
    assert!(printed.contains("admitted shoppers   1"), "{printed}");
    assert!(
        printed.contains("too many connection attempts from this address: 3"),
        "{printed}"
    );
}

/// The page views the watcher has seen, in order.
fn page_views(watcher: &mut RawClient, seen: &mut Vec<String>, until: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !until.iter().all(|p| seen.iter().any(|s| s == p)) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "timed out waiting for {until:?}; seen {seen:?}"
        );
        match watcher.next_significant(left) {
            Ok(ServerOp::Msg(msg)) => {
                let batch = decode_batch(&msg.payload).expect("a valid batch");
                seen.extend(batch.events.into_iter().filter_map(|e| match e.kind {
                    ShopperEvent::PageView { path, .. } => Some(path),
                    _ => None,
                }));
            }
            Ok(_) => {}
            Err(e) => panic!("reading batches: {e:?}; seen {seen:?}"),
        }
    }
}

#[test]
fn a_page_refused_at_first_retries_with_backoff_and_loses_no_event() {
    // Six attempts a minute per session: a bucket of six, refilled at one
    // every ten seconds.
    const PER_SESSION: u32 = 6;
    let mut shop = Shop::bind();
    let origin = shop.origin().to_owned();
    let server = TestServer::start_with(|config, gate| {
        if let Some(ws) = &mut config.websocket {
            ws.allowed_origins = vec![origin.clone()];
        }
        gate.connects_per_session_per_minute = PER_SESSION;
    });
    shop.serve(&server.websocket_url().expect("a WebSocket"), "shop");
    let mut watcher = connect_operator(&server, Role::Dashboard);
    watcher
        .send(&[ClientOp::Sub {
            subject: subject::all_sites_events(),
            queue: None,
            sid: 1,
        }])
        .unwrap();

    let browser = Browser::start();
    browser.goto(&shop.url("/"));
    let mut seen = Vec::new();
    page_views(&mut watcher, &mut seen, &["/"]);

    // The rest of the session's bucket goes to connections with its own
    // credential (as a shopper's other tabs would take it), up to the
    // first refusal.
    let stored = browser.execute("return localStorage.getItem('floorwalker.session');");
    let secret = stored.as_str().and_then(|s| s.split('|').next()).unwrap();
    let token = format!("fw1:shop:{secret}");
    let ws = server.websocket_addr().unwrap();
    let mut tabs = Vec::new();
    loop {
        let mut tab = RawClient::connect_ws(ws, &origin).unwrap();
        let result = tab.handshake(
            ConnectInfo {
                auth_token: Some(token.clone()),
                ..ConnectInfo::default()
            },
            HANDSHAKE,
        );
        match result {
            Ok(_) => tabs.push(tab),
            Err(e) => {
                assert!(is_refused::<Ws>(&Err(e)), "the tab was not refused");
                break;
            }
        }
        assert!(tabs.len() < PER_SESSION as usize, "no bound per session");
    }
    drop(tabs);
    let bucket_empty = Instant::now();

    // The shopper opens the next page: its connection is refused (the
    // session's refusals are the last tab's and the page's).
    browser.goto(&shop.url("/shoes.html"));
    let session_floods = |server: &TestServer| refusals(&gate_status(server), "session_flood");
    let refused_once = wait_until(Duration::from_secs(10), || {
        (session_floods(&server) >= 2).then_some(())
    });
    assert!(
        refused_once.is_some(),
        "the page was not refused before the bucket refilled"
    );
    // What the shopper does meanwhile is kept for when it is admitted.
    browser.execute("history.pushState({}, '', '/product/a'); return true;");
    browser.execute("history.pushState({}, '', '/product/b'); return true;");

    page_views(
        &mut watcher,
        &mut seen,
        &["/shoes.html", "/product/a", "/product/b"],
    );
    let admitted_after = bucket_empty.elapsed();
    assert_eq!(seen, ["/", "/shoes.html", "/product/a", "/product/b"]);
    // Retries back off: a handful of refusals in ten seconds, not a storm.
    let page_refusals = session_floods(&server) - 1;
    println!(
        "a refused page: admitted {admitted_after:.1?} after its session's bucket emptied, \
         refused {page_refusals} times before"
    );
    assert!((1..=6).contains(&page_refusals), "{page_refusals} refusals");
}
