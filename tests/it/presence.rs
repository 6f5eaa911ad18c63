// Presence: which shoppers are online, in the broker's own words; a tab
// closed leaves the floor, a connection cut is reconnecting.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use floorwalker::gate::policy::Role;
use floorwalker::natsd::process::stop_child;
use floorwalker::presence::session_of;
use floorwalker_shared::nats::{ClientOp, ServerErrorKind, ServerOp};
use floorwalker_shared::subject::{self, Subject};
use floorwalker_tests::bin::floorwalker;
use floorwalker_tests::browser::{Browser, Shop};
use floorwalker_tests::clients::{connect_operator, connect_shopper, new_shopper};
use floorwalker_tests::link::Link;
use floorwalker_tests::raw::{RawClient, Transport};
use floorwalker_tests::server::TestServer;
use floorwalker_tests::setup::{create_streams, shop_and_server};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(5);

fn sub(subject: Subject) -> ClientOp {
    ClientOp::Sub {
        subject,
        queue: None,
        sid: 1,
    }
}

/// The next message's subject and JSON body.
fn next_json<T: Transport>(client: &mut RawClient<T>) -> (String, Value) {
    loop {
        if let ServerOp::Msg(m) = client.next_significant(WAIT).unwrap() {
            return (
                m.subject.to_string(),
                serde_json::from_slice(&m.payload).unwrap(),
            );
        }
    }
}

#[test]
fn operators_hear_each_shopper_connection_open_and_close_by_session() {
    let server = TestServer::start();
    let mut dashboard = connect_operator(&server, Role::Dashboard);
    let rt = dashboard
        .roundtrip(&[sub(subject::shoppers_presence())], WAIT)
        .unwrap();
    assert!(rt.errors.is_empty(), "{:?}", rt.errors);
    let cred = new_shopper("shop");
    let shopper = connect_shopper(&server, &cred).unwrap();

    let (on, connect) = next_json(&mut dashboard);
    assert_eq!(on, subject::shoppers_connect().to_string());
    let user = connect["client"]["user"].as_str().unwrap();
    assert_eq!(session_of(user), Some(cred.subjects()), "{connect}");

    // A reader that starts later asks which are open.
    let answer = dashboard
        .request(
            subject::shoppers_connz(),
            Subject::new("fw.inbox.dashboard.presence").unwrap(),
            br#"{"auth":true}"#,
            WAIT,
        )
        .unwrap();
    let list: Value = serde_json::from_slice(&answer.payload).unwrap();
    let open = list["data"]["connections"].as_array().unwrap();
    assert_eq!(open.len(), 1, "{list}");
    assert_eq!(
        session_of(open[0]["authorized_user"].as_str().unwrap()),
        Some(cred.subjects())
    );
    assert_eq!(open[0]["cid"], connect["client"]["id"]);

    drop(shopper);
    let (on, disconnect) = next_json(&mut dashboard);
    assert_eq!(on, subject::shoppers_disconnect().to_string());
    assert_eq!(disconnect["client"]["id"], connect["client"]["id"]);
}

#[test]
fn shoppers_and_agents_cannot_hear_who_is_online() {
    let server = TestServer::start();
    let mut shopper = connect_shopper(&server, &new_shopper("shop")).unwrap();
    let mut agent = connect_operator(&server, Role::Agent);
    for errors in [
        shopper
            .roundtrip(&[sub(subject::shoppers_presence())], WAIT)
            .unwrap()
            .errors,
        agent
            .roundtrip(&[sub(subject::shoppers_presence())], WAIT)
            .unwrap()
            .errors,
    ] {
        let kinds: Vec<_> = errors
            .iter()
            .map(floorwalker_shared::nats::ServerError::kind)
            .collect();
        assert_eq!(kinds, [ServerErrorKind::PermissionsViolation]);
    }
}

/// `floorwalker tail --json --every 1`, its reports read as they come;
/// stopped on `Drop`.
struct Tail {
    child: Child,
    reports: mpsc::Receiver<Value>,
}

impl Tail {
    fn start(server: &TestServer) -> Self {
        let creds = server.dir().join("tail.creds");
        server.creds(Role::Tail).store(&creds).unwrap();
        let mut child = Command::new(floorwalker())
            .arg("--log-file")
            .arg(server.dir().join("tail.log"))
            .args(["tail", "--json", "--every", "1", "--server"])
            .arg(server.server().client_url())
            .arg("--creds")
            .arg(&creds)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        let (tx, reports) = mpsc::channel();
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                if let Ok(report) = serde_json::from_str::<Value>(&line) {
                    if tx.send(report).is_err() {
                        return;
                    }
                }
            }
        });
        Self { child, reports }
    }

    /// The first report that `want` holds for, within `timeout`; the last
    /// one seen otherwise, as the error.
    fn wait_for(&self, timeout: Duration, want: impl Fn(&Value) -> bool) -> Result<Value, Value> {
        let deadline = Instant::now() + timeout;
        let mut last = Value::Null;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.reports.recv_timeout(left) {
                Ok(report) if want(&report) => return Ok(report),
                Ok(report) => last = report,
                Err(_) => break,
            }
        }
        Err(last)
    }
}

impl Drop for Tail {
    fn drop(&mut self) {
        let _ = stop_child(&mut self.child, Duration::from_secs(5));
    }
}

/// How long a report may take to show a shopper who arrived.
const ARRIVE: Duration = Duration::from_secs(30);

fn online(report: &Value) -> (u64, u64) {
    (
        report["online"].as_u64().unwrap_or(u64::MAX),
        report["reconnecting"].as_u64().unwrap_or(u64::MAX),
    )
}

#[test]
fn a_shopper_who_moves_on_stays_and_who_closes_the_tab_leaves_within_ten_seconds() {
    let (shop, server) = shop_and_server();
    create_streams(&server);
    let tail = Tail::start(&server);
    let browser = Browser::start();
    browser.open_tab(&shop.url("/trail-runner.html"));
    browser.wait_for_plugin();
    let here = tail.wait_for(ARRIVE, |r| online(r) == (1, 0));
    assert!(here.is_ok(), "the shopper never showed online: {here:?}");

    // The next page: the shopper stays, however long it takes.
    browser.goto(&shop.url("/"));
    browser.wait_for_plugin();
    let dipped = tail.wait_for(Duration::from_secs(10), |r| online(r) != (1, 0));
    assert!(
        dipped.is_err(),
        "a shopper moving to the next page dipped: {dipped:?}"
    );

    browser.close_tab();
    let closed = Instant::now();
    let gone = tail.wait_for(Duration::from_secs(10), |r| online(r) == (0, 0));
    assert!(
        gone.is_ok(),
        "still online 10 s after closing the tab: {gone:?}"
    );
    println!("left the floor {:?} after the tab closed", closed.elapsed());
}

#[test]
fn a_shopper_whose_connection_is_cut_is_reconnecting_then_back() {
    // The shop's pages connect through a link the test can cut.
    let mut shop = Shop::bind();
    let origin = shop.origin().to_owned();
    let server = TestServer::start_with(|config, _| {
        if let Some(ws) = &mut config.websocket {
            ws.allowed_origins = vec![origin];
        }
    });
    let link = Link::start_raw(server.websocket_addr().unwrap());
    shop.serve(&format!("ws://{}", link.addr()), "shop");
    create_streams(&server);
    let tail = Tail::start(&server);
    let browser = Browser::start();
    browser.goto(&shop.url("/trail-runner.html"));
    browser.wait_for_plugin();
    let here = tail.wait_for(ARRIVE, |r| online(r) == (1, 0));
    assert!(here.is_ok(), "the shopper never showed online: {here:?}");

    // The network goes down under the open page, and stays down a while.
    link.refuse(true);
    link.cut();
    let dropped = tail.wait_for(Duration::from_secs(10), |r| online(r) != (1, 0));
    assert_eq!(
        dropped.as_ref().map(online),
        Ok((1, 1)),
        "a dropped page is online and reconnecting, not gone: {dropped:?}"
    );

    link.refuse(false);
    let back = tail.wait_for(Duration::from_secs(20), |r| online(r) == (1, 0));
    assert!(back.is_ok(), "the shopper never came back: {back:?}");
}

/// A child process, stopped on `Drop`.
struct Stopped(Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = stop_child(&mut self.0, Duration::from_secs(10));
    }
}

/// What `floorwalker simulate` says of itself every second, as read: when,
/// how many shoppers were on the site, and how many had arrived and left
/// (visits started and finished).
fn simulator_reports(out: std::process::ChildStdout) -> mpsc::Receiver<(Instant, u64, (u64, u64))> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let count = |suffix: &str| {
                line.split(", ")
                    .find_map(|part| part.strip_suffix(suffix))
                    .and_then(|n| n.rsplit(' ').next()?.parse::<u64>().ok())
            };
            if let (Some(live), Some(started), Some(finished)) = (
                count(" on the site now"),
                count(" shoppers started"),
                count(" visits finished"),
            ) {
                if tx
                    .send((Instant::now(), live, (started, finished)))
                    .is_err()
                {
                    return;
                }
            }
        }
    });
    rx
}

/// How long no shopper may have arrived or left before the online count
/// must equal the simulator's: a shopper shows once its first batch is
/// stored (within 2 s), and one who leaves stays for the next page's grace
/// (4 s).
const SETTLE: Duration = Duration::from_secs(6);

/// The online counts read while no shopper arrived or left from [`SETTLE`]
/// before to the simulator's next count after, once visits had finished:
/// (what the simulator said, what `tail` said).
fn settled(
    online: &[(Instant, Option<u64>)],
    counts: &[(Instant, u64, (u64, u64))],
) -> Vec<(u64, Option<u64>)> {
    online
        .iter()
        .filter_map(|(at, shown)| {
            let next = counts.iter().position(|(t, ..)| t > at)?;
            let first = counts.iter().position(|(t, ..)| *t + SETTLE >= *at)?;
            let around = &counts[first.checked_sub(1)?..=next];
            let (_, live, comings) = around[0];
            (comings.1 > 0 && around.iter().all(|(_, n, c)| (*n, *c) == (live, comings)))
                .then_some((live, *shown))
        })
        .collect()
}

/// A short run of the demo's simulated shoppers, arriving and leaving: the
/// online count `tail` reports (the dashboard's) is the simulator's own
/// count of shoppers on the site, whenever that has stood still a moment.
#[test]
fn the_online_count_is_the_simulators_shoppers_on_the_site() {
    const ORIGIN: &str = "http://localhost:4280";
    let server = TestServer::start_with(|config, _| {
        if let Some(ws) = &mut config.websocket {
            ws.allowed_origins = vec![ORIGIN.to_owned()];
        }
    });
    create_streams(&server);
    let tail = Tail::start(&server);
    let mut simulator = Command::new(floorwalker())
        .arg("--log-file")
        .arg(server.dir().join("simulate.log"))
        .args([
            "simulate", "--origin", ORIGIN, "--site", "shop", "--every", "1",
        ])
        .args(["--shoppers", "4", "--speed", "5", "--seed", "7"])
        .args(["--ws", &server.websocket_url().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let said = simulator_reports(simulator.stdout.take().unwrap());
    let _simulator = Stopped(simulator);

    // Both reports, as read, until three online counts were read while the
    // simulator's count stood still around them, after visits finished.
    let (mut online, mut counts) = (Vec::new(), Vec::new());
    let mut compared = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(150);
    while compared.len() < 3 && Instant::now() < deadline {
        while let Ok(report) = tail.reports.try_recv() {
            online.push((Instant::now(), report["online"].as_u64()));
        }
        if let Ok(said) = said.recv_timeout(Duration::from_millis(50)) {
            counts.push(said);
        }
        compared = settled(&online, &counts);
    }
    assert_eq!(
        compared.len(),
        3,
        "too few settled moments after visits finished; the simulator said {:?}",
        counts.iter().map(|(_, n, c)| (n, c)).collect::<Vec<_>>()
    );
    // Both series, a second apart, to read when this fails.
    let t0 = counts.first().map_or_else(Instant::now, |(t, ..)| *t);
    let series: Vec<String> = counts
        .iter()
        .map(|(t, n, (s, f))| {
            format!(
                "simulator {:.1}s: {n} ({s} started, {f} finished)",
                (*t - t0).as_secs_f32()
            )
        })
        .chain(
            online
                .iter()
                .filter(|(t, _)| *t >= t0)
                .map(|(t, n)| format!("tail {:.1}s: {n:?}", (*t - t0).as_secs_f32())),
        )
        .collect();
    for (live, shown) in compared {
        assert_eq!(
            shown,
            Some(live),
            "the simulator had {live} shoppers on the site; tail said {shown:?}:\n{}",
            series.join("\n")
        );
    }
}
