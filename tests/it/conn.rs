// The shared connection against a real nats-server: nothing is lost while it reconnects.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use floorwalker::gate::policy::Role;
use floorwalker_shared::nats::conn::{Connection, Event, Options};
use floorwalker_shared::nats::{ClientOp, ConnectInfo};
use floorwalker_shared::subject::Subject;
use floorwalker_tests::clients::connect_operator;
use floorwalker_tests::link::Link;
use floorwalker_tests::raw::{RawClient, Tcp};
use floorwalker_tests::server::TestServer;
use floorwalker_tests::wait_until;

const WAIT: Duration = Duration::from_secs(10);

fn subject(s: &str) -> Subject {
    Subject::new(s).unwrap()
}

/// The shared connection over plain TCP in a thread of its own, driven as
/// the plugin and the simulator drive it; what it reports comes out of
/// `events`.
struct Client {
    events: Receiver<Event>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Client {
    fn start(addr: SocketAddr, mut conn: Connection) -> Self {
        let (tx, events) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = thread::spawn(move || {
            let start = Instant::now();
            let mut socket: Option<TcpStream> = None;
            let mut chunk = [0u8; 4096];
            while !stopped.load(Ordering::Relaxed) {
                let now = u64::try_from(start.elapsed().as_millis()).unwrap();
                conn.handle_timeout(now);
                if conn.wants_transport(now) {
                    match TcpStream::connect_timeout(&addr, WAIT) {
                        Ok(s) => {
                            s.set_read_timeout(Some(Duration::from_millis(10))).unwrap();
                            socket = Some(s);
                            conn.handle_open(now);
                        }
                        Err(_) => conn.handle_closed(now),
                    }
                }
                if let Some(s) = &mut socket {
                    match s.read(&mut chunk) {
                        Ok(n @ 1..) => conn.handle_bytes(&chunk[..n], now),
                        Err(e)
                            if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                        Ok(0) | Err(_) => {
                            socket = None;
                            conn.handle_closed(now);
                        }
                    }
                } else {
                    // Waiting out the backoff.
                    thread::sleep(Duration::from_millis(10));
                }
                while let Some(event) = conn.poll_event() {
                    if event == Event::CloseTransport {
                        socket = None;
                    }
                    let _ = tx.send(event);
                }
                while let Some(bytes) = conn.poll_transmit() {
                    if let Some(s) = &mut socket {
                        if s.write_all(&bytes).is_err() {
                            socket = None;
                            conn.handle_closed(now);
                        }
                    }
                }
            }
        });
        Self {
            events,
            stop,
            thread: Some(thread),
        }
    }

    /// The events up to the first that is `wanted`.
    ///
    /// # Panics
    /// If none is within [`WAIT`], with what came instead.
    fn until(&self, what: &str, mut wanted: impl FnMut(&Event) -> bool) -> Vec<Event> {
        let deadline = Instant::now() + WAIT;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(event) = self.events.recv_timeout(left) else {
                panic!("{what}: nothing within {WAIT:?}; the client reported {seen:#?}");
            };
            let done = wanted(&event);
            seen.push(event);
            if done {
                return seen;
            }
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn is_message(event: &Event, payload: &[u8]) -> bool {
    matches!(event, Event::Message(msg) if msg.payload == payload)
}

fn push(publisher: &mut RawClient<Tcp>, payload: &str) {
    let op = ClientOp::Pub {
        subject: subject("fw.test.push"),
        reply: None,
        headers: None,
        payload: payload.as_bytes().to_vec(),
    };
    // The PONG says the server has routed it.
    let answer = publisher.roundtrip(&[op], WAIT).unwrap();
    assert!(
        answer.errors.is_empty(),
        "publishing '{payload}': {answer:?}"
    );
}

#[test]
fn a_push_sent_while_the_client_reconnects_arrives() {
    let server = TestServer::start();
    let link = Link::start(server.client_addr());
    let mut conn = Connection::new(Options {
        connect: ConnectInfo {
            name: Some("conn-conformance".into()),
            jwt: Some(server.bearer_admin_jwt()),
            ..ConnectInfo::default()
        },
        // No keepalive PING, so the only PING the link holds is the handshake's.
        ping_interval: 3_600_000,
        backoff_initial: 50,
        backoff_max: 200,
        ..Options::default()
    });
    conn.subscribe(subject("fw.test.push"), None);
    let client = Client::start(link.addr(), conn);
    client.until("connecting", |e| matches!(e, Event::Connected(_)));
    let mut publisher = connect_operator(&server, Role::Admin);
    push(&mut publisher, "before");
    client.until("the push before the cut", |e| is_message(e, b"before"));

    // The connection drops; on the way back the link holds the handshake's
    // PING, so the server has the replayed SUB and has not yet answered
    // PONG: the window a push can fall into.
    link.hold_pings(true);
    link.cut();
    client.until("the cut", |e| matches!(e, Event::Disconnected(_)));
    assert!(
        wait_until(WAIT, || link.holding().then_some(())).is_some(),
        "the client did not reconnect"
    );
    // The server may take the SUB after the first pushes: push until one
    // crosses the link.
    let deadline = Instant::now() + WAIT;
    let crossed = (1..)
        .find_map(|n| {
            assert!(
                Instant::now() < deadline,
                "no push reached the reconnecting client"
            );
            push(&mut publisher, &format!("during {n}"));
            wait_until(Duration::from_millis(200), || {
                link.pushed().into_iter().find(|p| p.starts_with(b"during"))
            })
        })
        .unwrap();
    link.hold_pings(false);

    client.until("the push made during the reconnect", |e| {
        is_message(e, &crossed)
    });
    client.until("reconnecting", |e| matches!(e, Event::Connected(_)));
}
