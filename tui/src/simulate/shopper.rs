//! One simulated shopper: the shared sans-IO NATS connection over a
//! WebSocket to nats-server, through the gate with a shopper credential, and
//! the shared recorder turning its plan into batches, as the plugin does.
//!
//! This file holds the visit and its connection; [`acts`] is what the shopper
//! does on the pages and records.

mod acts;
#[cfg(test)]
mod replay;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use floorwalker_shared::credential::{SessionSecret, ShopperCredential};
use floorwalker_shared::nats::ConnectInfo;
use floorwalker_shared::nats::conn::{Connection, DownReason, Event, Options as ConnOptions};
use floorwalker_shared::recorder::{BatchPolicy, Recorder};
use futures::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use super::behaviour::{Act, Behaviour, Step, plan};
use super::talk::Talk;
use super::{Counters, Options};
use acts::Shopper;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Connection attempts in a row that may fail before the shopper gives up.
const MAX_FAILURES: u32 = 3;

/// How a shopper's visit ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Ended {
    /// Followed its plan and left.
    Left,
    /// Could not connect (refused by the gate, or no server).
    Refused(String),
}

fn wall_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A shopper of `kind` visits the shop; `seed` makes the visit repeatable.
pub(super) async fn visit(
    options: &Options,
    counters: &Arc<Counters>,
    kind: Behaviour,
    seed: u64,
) -> Ended {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut secret = [0u8; 32];
    rng.fill(&mut secret);
    let credential =
        ShopperCredential::new(options.site.clone(), SessionSecret::from_random(secret));
    let subjects = credential.subjects();
    let mut conn = Connection::new(ConnOptions {
        connect: ConnectInfo {
            name: Some("floorwalker-simulator".into()),
            lang: "rust".into(),
            auth_token: Some(credential.to_token_string()),
            ..ConnectInfo::default()
        },
        seed: rng.u64(..),
        ..ConnOptions::default()
    });
    conn.subscribe(subjects.push(), None);
    conn.subscribe(subjects.inbox_wildcard(), None);
    let talk = Talk::new(subjects.clone(), options.speed, rng.u64(..));
    let asks_at = asks_for_help(kind, &mut rng);
    let mut visitor_id = [0u8; 16];
    rng.fill(&mut visitor_id);
    let mut recorder = Recorder::new("EUR", 0, BatchPolicy::default());
    recorder.set_visitor(floorwalker_shared::base64url::encode(&visitor_id));
    let steps = plan(kind, &mut rng);
    let mut on_site = OnSite {
        live: &counters.live,
        arrived: false,
    };
    let mut v = Visit {
        conn,
        shopper: Shopper {
            recorder,
            cart: Vec::new(),
            subjects,
            counters: counters.clone(),
            waiting: 0,
        },
        socket: None,
        steps: steps.into_iter().peekable(),
        next_at: 0,
        speed: options.speed.max(0.01),
        failures: 0,
        leaving: false,
        start: Instant::now(),
        rng,
        talk,
        asks_at,
        taken: 0,
    };
    loop {
        v.take_steps();
        let now = v.now();
        v.talk.poll(&mut v.conn, now);
        v.shopper.send_due(&mut v.conn, v.leaving);
        if v.conn.wants_transport(v.now()) {
            match open(&options.ws_url, &options.origin).await {
                Ok(ws) => {
                    v.socket = Some(ws);
                    v.conn.handle_open(v.now());
                }
                Err(why) => {
                    v.failures += 1;
                    if v.failures >= MAX_FAILURES {
                        return Ended::Refused(why.to_string());
                    }
                    v.conn.handle_closed(v.now());
                }
            }
        }
        if let Some(ended) = v.events() {
            return ended;
        }
        if !on_site.arrived && v.conn.is_connected() {
            on_site.arrived = true;
            counters.live.fetch_add(1, Ordering::Relaxed);
        }
        v.transmit().await;
        if v.done() {
            if let Some(mut ws) = v.socket.take() {
                let _ = ws.close(None).await;
            }
            return Ended::Left;
        }
        v.wait().await;
    }
}

/// Counts a shopper on the site from its first connection until its visit
/// ends, however it ends (the simulation stopping aborts it).
struct OnSite<'a> {
    live: &'a std::sync::atomic::AtomicU64,
    arrived: bool,
}

impl Drop for OnSite<'_> {
    fn drop(&mut self) {
        if self.arrived {
            self.live.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

/// A visit under way: the connection, the socket, and the plan's progress.
struct Visit {
    conn: Connection,
    shopper: Shopper,
    socket: Option<Socket>,
    steps: std::iter::Peekable<std::vec::IntoIter<Step>>,
    /// When (ms since the start) the last step was taken.
    next_at: u64,
    speed: f64,
    failures: u32,
    leaving: bool,
    start: Instant,
    rng: fastrand::Rng,
    talk: Talk,
    /// After which step of the plan the shopper asks for help, if it does.
    asks_at: Option<usize>,
    /// Steps taken so far.
    taken: usize,
}

/// Whether (and after which step) a shopper of `kind` asks for help: those
/// who hesitate or stall in the checkout more often than others.
fn asks_for_help(kind: Behaviour, rng: &mut fastrand::Rng) -> Option<usize> {
    let chance = match kind {
        Behaviour::Browser => 0.2,
        Behaviour::Comparer => 0.6,
        Behaviour::Abandoner => 0.5,
        Behaviour::Buyer => 0.25,
    };
    (rng.f32() < chance).then(|| rng.usize(2..6))
}

impl Visit {
    fn now(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// When the next step falls due.
    fn step_due(&mut self) -> Option<u64> {
        // A shopper in a chat stays where it is until the chat is over.
        if self.leaving || self.talk.busy() {
            return None;
        }
        let step = self.steps.peek()?;
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )] // pauses of minutes, speeds of 0.01 to 1000
        let pause = (step.after_ms as f64 / self.speed) as u64;
        Some(self.next_at + pause)
    }

    /// Takes the steps of the plan that are due.
    fn take_steps(&mut self) {
        let now = self.now();
        while let Some(due) = self.step_due().filter(|due| *due <= now) {
            self.next_at = due;
            if let Some(step) = self.steps.next() {
                self.leaving = step.act == Act::Leave;
                self.shopper.act(wall_ms(), &step.act, &mut self.rng);
                self.taken += 1;
                if self.asks_at == Some(self.taken) && !self.leaving {
                    self.talk.ask(&mut self.conn, None, now);
                }
            }
        }
    }

    /// Acts on what the connection says; `Some` when the visit must end.
    fn events(&mut self) -> Option<Ended> {
        while let Some(event) = self.conn.poll_event() {
            match event {
                Event::Connected(_) => {
                    self.failures = 0;
                    let now = self.now();
                    self.talk.reconnected(now);
                    let counters = &self.shopper.counters;
                    counters.connected.fetch_add(1, Ordering::Relaxed);
                    // The batches that waited went with the handshake.
                    let waited = std::mem::take(&mut self.shopper.waiting);
                    counters.batches.fetch_add(waited, Ordering::Relaxed);
                }
                Event::Disconnected(reason) => {
                    self.socket = None;
                    if let DownReason::Refused(err) = reason {
                        self.failures += 1;
                        if self.failures >= MAX_FAILURES {
                            return Some(Ended::Refused(err.message().to_owned()));
                        }
                    }
                }
                Event::CloseTransport => self.socket = None,
                Event::Message(msg) if msg.subject == self.shopper.subjects.push() => {
                    let now = self.now();
                    let Ok(push) = floorwalker_shared::wire::decode_push(&msg.payload) else {
                        continue;
                    };
                    if let Some(accepted) = self.shopper.pushed(&push.push, &mut self.rng) {
                        self.talk.ask(&mut self.conn, Some(accepted), now);
                    }
                    self.talk.pushed(&push.push, now);
                }
                Event::Message(msg) => {
                    if let Some(reply) = msg.subject.as_str().rsplit('.').next() {
                        self.talk.replied(reply, &msg.payload);
                    }
                }
                Event::Dropped(n) => {
                    tracing::warn!(n, "simulated shopper: outbox full, messages dropped");
                    self.shopper.counters.lost.fetch_add(n, Ordering::Relaxed);
                }
                Event::ServerError(_) => {}
            }
        }
        None
    }

    /// Writes what the connection wrote to the socket.
    async fn transmit(&mut self) {
        let Some(ws) = &mut self.socket else { return };
        while let Some(bytes) = self.conn.poll_transmit() {
            if ws.send(WsMessage::Binary(bytes.into())).await.is_err() {
                // The server may or may not have these bytes: never silent.
                self.shopper.counters.lost.fetch_add(1, Ordering::Relaxed);
                self.socket = None;
                let now = self.now();
                self.conn.handle_closed(now);
                return;
            }
        }
    }

    /// Whether the shopper has left and everything it recorded went out.
    fn done(&self) -> bool {
        self.leaving
            && !self.talk.busy()
            && self.shopper.recorder.pending() == 0
            && self.conn.outbox_len() == 0
            && self.conn.is_connected()
    }

    /// Sleeps until the next thing falls due, or the server speaks.
    async fn wait(&mut self) {
        let now = self.now();
        let batch_due = self
            .shopper
            .recorder
            .due_at()
            .map(|wall| now + wall.saturating_sub(wall_ms()));
        let wake = [
            self.conn.poll_timeout(),
            self.step_due(),
            batch_due,
            self.talk.wake_at(now),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(now + 1_000)
        .max(now);
        let sleep = tokio::time::sleep(Duration::from_millis(wake - now));
        let Some(ws) = &mut self.socket else {
            sleep.await;
            let now = self.now();
            self.conn.handle_timeout(now);
            return;
        };
        tokio::select! {
            () = sleep => {
                let now = self.now();
                self.conn.handle_timeout(now);
            }
            msg = ws.next() => {
                let now = self.now();
                match msg {
                    Some(Ok(WsMessage::Binary(bytes))) => self.conn.handle_bytes(&bytes, now),
                    Some(Ok(WsMessage::Text(text))) => self.conn.handle_bytes(text.as_bytes(), now),
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => {
                        self.socket = None;
                        self.conn.handle_closed(now);
                    }
                }
            }
        }
    }
}

/// Why a shopper's WebSocket did not open.
#[derive(Debug, thiserror::Error)]
enum OpenError {
    /// The URL is not a WebSocket URL.
    #[error("'{0}': {1}")]
    Url(String, #[source] tokio_tungstenite::tungstenite::Error),
    /// The origin cannot be a header.
    #[error("origin '{0}': {1}")]
    Origin(
        String,
        #[source] tokio_tungstenite::tungstenite::http::header::InvalidHeaderValue,
    ),
    /// The server did not accept the connection.
    #[error("connecting to '{0}': {1}")]
    Connect(String, #[source] tokio_tungstenite::tungstenite::Error),
}

/// Opens a WebSocket from the shop's origin, as a browser on its pages does.
async fn open(url: &str, origin: &str) -> Result<Socket, OpenError> {
    let mut request = url
        .into_client_request()
        .map_err(|e| OpenError::Url(url.to_owned(), e))?;
    let origin =
        HeaderValue::from_str(origin).map_err(|e| OpenError::Origin(origin.to_owned(), e))?;
    request.headers_mut().insert("Origin", origin);
    let (ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .map_err(|e| OpenError::Connect(url.to_owned(), e))?;
    Ok(ws)
}

#[cfg(test)]
mod tests {
    use floorwalker_shared::event::ShopperEvent;
    use floorwalker_shared::subject::SessionSubjects;
    use floorwalker_shared::testing::T0;
    use floorwalker_shared::wire::MAX_BATCH_BYTES;

    use super::*;

    fn shopper() -> Shopper {
        Shopper {
            recorder: Recorder::new("EUR", 0, BatchPolicy::default()),
            cart: Vec::new(),
            subjects: SessionSubjects::new(
                floorwalker_shared::subject::SiteId::new("demo").unwrap(),
                floorwalker_shared::subject::SessionToken::new("abcdefghijklmnop").unwrap(),
            ),
            counters: Arc::new(Counters::default()),
            waiting: 0,
        }
    }

    #[test]
    fn batches_are_no_larger_than_the_server_announced() {
        use floorwalker_shared::nats::{ClientDecoder, ClientOp, RawInfo, ServerInfo, ServerOp};

        let mut conn = Connection::new(ConnOptions::default());
        assert!(conn.wants_transport(0));
        conn.handle_open(0);
        let mut handshake = Vec::new();
        ServerOp::Info(RawInfo::from_info(&ServerInfo {
            max_payload: 4096,
            ..ServerInfo::default()
        }))
        .encode(&mut handshake);
        ServerOp::Pong.encode(&mut handshake);
        conn.handle_bytes(&handshake, 0);
        assert!(conn.is_connected());

        let mut shopper = shopper();
        let queries: Vec<String> = (0..60)
            .map(|i| format!("{i:02} {}", "q".repeat(250)))
            .collect();
        for query in &queries {
            let search = ShopperEvent::SiteSearch {
                query: query.clone(),
            };
            shopper.recorder.record(T0, search);
        }
        shopper.send_due(&mut conn, true);

        let mut written = Vec::new();
        while let Some(bytes) = conn.poll_transmit() {
            written.extend_from_slice(&bytes);
        }
        let mut decoder = ClientDecoder::default();
        let mut rest = &written[..];
        let mut sent = Vec::new();
        while let Some(op) = decoder.decode(&mut rest).unwrap() {
            if let ClientOp::Pub { payload, .. } = op {
                assert!(payload.len() <= 4096, "{} bytes", payload.len());
                let batch = floorwalker_shared::wire::decode_batch(&payload).unwrap();
                sent.extend(batch.events.into_iter().map(|e| e.kind));
            }
        }
        let want: Vec<ShopperEvent> = queries
            .into_iter()
            .map(|query| ShopperEvent::SiteSearch { query })
            .collect();
        assert_eq!(sent, want, "every event, in order");
    }

    #[test]
    fn a_buyers_plan_becomes_the_events_a_plugin_would_send() {
        let mut shopper = shopper();
        let mut rng = fastrand::Rng::with_seed(3);
        for step in plan(Behaviour::Buyer, &mut rng) {
            shopper.act(T0, &step.act, &mut rng);
        }
        let mut events = Vec::new();
        while let Some(batch) = shopper.recorder.take_batch(MAX_BATCH_BYTES) {
            events.extend(batch.events.into_iter().map(|e| e.kind));
        }
        let order = events.iter().find_map(|e| match e {
            ShopperEvent::OrderCompleted { total_minor, .. } => Some(*total_minor),
            _ => None,
        });
        let added: u64 = events
            .iter()
            .filter_map(|e| match e {
                ShopperEvent::CartAdd(line) => Some(line.value_minor),
                _ => None,
            })
            .sum();
        assert_eq!(order, Some(added), "the order totals the cart: {events:#?}");
        let steps = events
            .iter()
            .filter(|e| matches!(e, ShopperEvent::CheckoutStep { .. }))
            .count();
        assert_eq!(steps, 3);
        assert!(matches!(events[0], ShopperEvent::PageView { .. }));
    }
}
