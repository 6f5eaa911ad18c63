//! What the intake costs a shopper's chat message, measured side by side
//! with the direct path it replaces.
//!
//! Two servers run at once. One is a test server as deployed: the gate,
//! the streams, and the release `floorwalker intake` (with bounds opened
//! wide, so what is measured is its work, not its refusals). The other is
//! the path before the intake, which exists only here as the baseline: a
//! server whose stream captures shoppers' chat subjects itself and
//! acknowledges each publish on the reply address it names. A shopper
//! publishes a chat fact over WebSocket with a reply in its inbox and waits
//! for the answer: on the baseline JetStream's acknowledgement, through the
//! intake the intake's answer after `CHATS` stored it. Latency: one fact at
//! a time, the two servers interleaved so machine noise falls on both.
//! Throughput: a burst of facts from one page, as fast as it can send,
//! until every one is answered.
//!
//! A hand-rolled harness, as the gate's: divan measures a function's time,
//! not ratios between two servers nor messages per second.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use floorwalker::natsd::{NatsBinary, NatsServer, ServerConfig};
use floorwalker_shared::chat::{ChatEnvelope, ChatFact};
use floorwalker_shared::nats::{ClientOp, ConnectInfo, HeaderMap, ServerOp};
use floorwalker_shared::subject::{self, SessionSubjects};
use floorwalker_tests::clients::{connect_shopper, new_shopper};
use floorwalker_tests::raw::{RawClient, Tcp, Ws};
use floorwalker_tests::server::{ORIGIN, TestServer};
use floorwalker_tests::setup::create_streams;

const SEQUENTIAL: usize = 300;
const BURST: usize = 2_000;
const WAIT: Duration = Duration::from_secs(20);

/// Bounds no bench shopper meets.
const WIDE: &str = r"
[session_facts]
per_minute = 1000000
burst = 1000000
bytes_per_day = 1000000000000
[address_facts]
per_minute = 1000000
burst = 1000000
bytes_per_day = 1000000000000
";

fn main() {
    let mut deployed = TestServer::start();
    create_streams(&deployed);
    deployed.stop_intake();
    let bounds = deployed.dir().join("wide-bounds.toml");
    std::fs::write(&bounds, WIDE).expect("writing the bounds");
    let bounds = bounds.to_string_lossy().into_owned();
    let _intake = deployed.start_intake(&["--bounds", &bounds]);

    let dir = tempfile::tempdir().expect("a temporary directory");
    let binary = NatsBinary::locate().unwrap_or_else(|e| panic!("{e}"));
    let mut config = ServerConfig::local("direct", dir.path(), "", &[ORIGIN.to_owned()]);
    config.jetstream_dir = Some(dir.path().join("js"));
    let direct = NatsServer::start(&binary, &config, dir.path(), Duration::from_secs(20))
        .unwrap_or_else(|e| panic!("starting the baseline server: {e}"));
    direct_stream(direct.client_addr());

    let ws = |s: &NatsServer| s.websocket_addr().expect("ws");
    let mut pages = [
        Page::direct(ws(&direct)),
        Page::through_the_intake(&deployed),
    ];
    let names = ["direct (before)", "through the intake"];

    for page in &mut pages {
        for _ in 0..20 {
            page.say();
        }
    }
    let mut latencies = [Vec::new(), Vec::new()];
    for _ in 0..SEQUENTIAL {
        for (i, page) in pages.iter_mut().enumerate() {
            latencies[i].push(page.say());
        }
    }
    println!(
        "intake: one chat message, sent and answered as stored, {SEQUENTIAL} each, interleaved"
    );
    println!("  {:<20} {:>9} {:>9}", "", "median", "p90");
    let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
    let medians: Vec<f64> = latencies
        .iter_mut()
        .zip(names)
        .map(|(l, name)| {
            l.sort_unstable();
            let (median, p90) = (ms(l[l.len() / 2]), ms(l[l.len() * 9 / 10]));
            println!("  {name:<20} {median:>6.2} ms {p90:>6.2} ms");
            median
        })
        .collect();
    println!(
        "  the intake adds {:.2} ms to a chat message ({:.1}x the direct path's median)",
        medians[1] - medians[0],
        medians[1] / medians[0]
    );

    println!("intake: {BURST} chat messages from one page at once, until all are answered");
    let rates: Vec<f64> = pages
        .iter_mut()
        .zip(names)
        .map(|(page, name)| {
            let rate = page.burst(BURST);
            println!("  {name:<20} {rate:>8.0} stored/s");
            rate
        })
        .collect();
    println!(
        "  through the intake: {:.2}x the direct path's rate",
        rates[1] / rates[0]
    );
}

/// A shopper's page, publishing chat facts as the plugin does.
struct Page {
    client: RawClient<Ws>,
    session: SessionSubjects,
    next: usize,
}

impl Page {
    fn direct(addr: SocketAddr) -> Self {
        let cred = new_shopper("shop");
        let mut client = RawClient::connect_ws(addr, ORIGIN).expect("a WebSocket");
        client
            .handshake(ConnectInfo::default(), WAIT)
            .expect("the baseline admits anyone");
        Self::subscribed(client, cred.subjects())
    }

    fn through_the_intake(server: &TestServer) -> Self {
        let cred = new_shopper("shop");
        let client = connect_shopper(server, &cred).expect("a shopper admitted");
        Self::subscribed(client, cred.subjects())
    }

    fn subscribed(mut client: RawClient<Ws>, session: SessionSubjects) -> Self {
        client
            .send(&[ClientOp::Sub {
                subject: session.inbox_wildcard(),
                queue: None,
                sid: 1,
            }])
            .expect("subscribing");
        Self {
            client,
            session,
            next: 0,
        }
    }

    /// The next fact, published with its reply in the page's inbox.
    fn publish(&mut self) {
        self.next += 1;
        let fact = ChatFact::Request {
            chat_id: format!("chat-{}", self.next),
            offer_id: None,
        };
        let mut headers = HeaderMap::new();
        headers
            .append(
                "Nats-Msg-Id",
                format!("{}-{}", self.session.token(), fact.dedupe_id()),
            )
            .expect("a header");
        let reply = self
            .session
            .inbox(&fact.dedupe_id())
            .expect("an inbox subject");
        self.client
            .send(&[ClientOp::Pub {
                subject: self.session.chat(),
                reply: Some(reply),
                headers: Some(headers),
                payload: ChatEnvelope::new(fact).encode(),
            }])
            .expect("publishing");
    }

    /// Waits for the next answer; panics on a refusal.
    fn answered(&mut self) {
        loop {
            match self.client.next_significant(WAIT) {
                Ok(ServerOp::Msg(msg)) => {
                    let text = String::from_utf8_lossy(&msg.payload);
                    assert!(
                        text.contains("\"stream\"") && !text.contains("\"error\""),
                        "not stored: {text}"
                    );
                    return;
                }
                Ok(ServerOp::Err(e)) => panic!("refused: {e:?}"),
                Ok(_) => {}
                Err(e) => panic!("no answer: {e:?}"),
            }
        }
    }

    /// One fact, sent and answered; how long it took.
    fn say(&mut self) -> Duration {
        let started = Instant::now();
        self.publish();
        self.answered();
        started.elapsed()
    }

    /// `n` facts sent at once; facts stored per second until the last
    /// answer.
    fn burst(&mut self, n: usize) -> f64 {
        let started = Instant::now();
        for _ in 0..n {
            self.publish();
        }
        for _ in 0..n {
            self.answered();
        }
        #[allow(clippy::cast_precision_loss)] // a few thousand facts
        let rate = n as f64 / started.elapsed().as_secs_f64();
        rate
    }
}

/// The baseline's stream: shoppers' chat subjects captured directly, as
/// `AUDIT` captured them before the intake.
fn direct_stream(addr: SocketAddr) {
    let mut admin = RawClient::<Tcp>::connect(addr, 4096).expect("connecting");
    admin
        .handshake(ConnectInfo::default(), WAIT)
        .expect("the baseline admits anyone");
    let body = serde_json::json!({
        "name": "DIRECT",
        "subjects": [subject::all_sites_chat().to_string()],
        "storage": "file",
        "duplicate_window": 600_000_000_000_u64,
    })
    .to_string();
    let inbox = subject::Subject::new("bench.inbox").expect("a subject");
    let reply = admin
        .request(
            subject::Subject::new("$JS.API.STREAM.CREATE.DIRECT").expect("a subject"),
            inbox,
            body.as_bytes(),
            WAIT,
        )
        .expect("creating the baseline's stream");
    assert!(
        !String::from_utf8_lossy(&reply.payload).contains("\"error\""),
        "{}",
        String::from_utf8_lossy(&reply.payload)
    );
}
