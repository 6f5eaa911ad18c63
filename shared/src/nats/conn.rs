//! A NATS client connection as a state machine, without IO (quinn-proto's
//! shape): the plugin drives it over a browser WebSocket, the simulator over
//! tokio, tests with a fake clock.
//!
//! # Call order
//!
//! The IO layer loops:
//! 1. `wants_transport(now)`: when `true`, open a socket, then call
//!    [`Connection::handle_open`] (or [`Connection::handle_closed`] if it
//!    failed).
//! 2. Feed what the socket reads to [`Connection::handle_bytes`]; call
//!    [`Connection::handle_closed`] when it closes.
//! 3. Write whatever [`Connection::poll_transmit`] returns.
//! 4. Act on every [`Connection::poll_event`]; on
//!    [`Event::CloseTransport`], close the socket (then `handle_closed`).
//! 5. Call [`Connection::handle_timeout`] at [`Connection::poll_timeout`].
//!
//! Publishing and subscribing work in every state: while disconnected,
//! messages wait in a bounded outbox (the oldest dropped first, and counted),
//! and subscriptions are replayed on every reconnect. A publish leaves the
//! outbox only when `poll_transmit` hands it to the IO layer, so a transport
//! lost before that loses none. Nothing larger than the server's announced
//! `max_payload` is written (the server would close the connection): such a
//! publish is refused, or, made before the server said, dropped and counted.
//!
//! `options` holds how a connection behaves, `event` what it reports,
//! `publish` publishing and its outbox, and `subscribe` the subscriptions
//! it replays.

mod event;
mod options;
mod publish;
mod subscribe;

use alloc::{boxed::Box, vec::Vec};

use alloc::collections::VecDeque;

pub use event::{DownReason, Event, PublishError};
pub use options::Options;

use publish::{Outgoing, encode_pub};
use subscribe::{Sub, sub_op};

use super::decode::ServerDecoder;
use super::error::ServerErrorKind;
use super::info::RawInfo;
use super::op::{ClientOp, ServerOp};

/// Milliseconds on the caller's monotonic clock (`performance.now()` in the
/// browser, `Instant` elsewhere).
pub type Millis = u64;

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// Waiting until `until` before the next attempt.
    Backoff { until: Millis },
    /// Asked the IO layer for a transport; waiting for it to open.
    Opening,
    /// Transport open; waiting for INFO.
    AwaitingInfo { since: Millis },
    /// CONNECT sent; waiting for the PONG that confirms it.
    Handshaking { since: Millis, info: RawInfo },
    /// Up.
    Connected { next_ping: Millis, pings_out: u32 },
}

/// A client connection that survives its transports.
#[derive(Debug)]
pub struct Connection {
    options: Options,
    state: State,
    decoder: ServerDecoder,
    /// Read and not yet decoded: the start of a frame still arriving.
    rx: Vec<u8>,
    /// Written and not yet handed to the IO layer.
    tx: Vec<u8>,
    /// By subscription id, in the order made: a client holds a handful, and
    /// a Vec keeps a map's code out of the plugin.
    subs: Vec<(u64, Sub)>,
    next_sid: u64,
    outbox: VecDeque<Outgoing>,
    outbox_size: usize,
    dropped: u64,
    events: VecDeque<Event>,
    attempt: u32,
    rng: u64,
    /// The largest payload the server announced; `None` until one has.
    max_payload: Option<usize>,
}

impl Connection {
    /// A connection that will ask for its first transport at once.
    pub fn new(options: Options) -> Self {
        Self {
            decoder: ServerDecoder::new(options.limits),
            max_payload: None,
            rng: options.seed | 1,
            options,
            state: State::Backoff { until: 0 },
            rx: Vec::new(),
            tx: Vec::new(),
            subs: Vec::new(),
            next_sid: 1,
            outbox: VecDeque::new(),
            outbox_size: 0,
            dropped: 0,
            events: VecDeque::new(),
            attempt: 0,
        }
    }

    /// Whether the handshake has completed and publishes flow.
    pub fn is_connected(&self) -> bool {
        matches!(self.state, State::Connected { .. })
    }

    /// The largest payload the server accepts, as it announced in its INFO
    /// (the last server's, while reconnecting); `None` until a server has
    /// said. A larger publish is refused ([`PublishError::TooLarge`]).
    pub fn max_payload(&self) -> Option<usize> {
        self.max_payload
    }

    fn is_past_connect(&self) -> bool {
        matches!(
            self.state,
            State::Handshaking { .. } | State::Connected { .. }
        )
    }

    /// Whether the IO layer should open a transport now; if so the
    /// connection waits for [`Connection::handle_open`].
    pub fn wants_transport(&mut self, now: Millis) -> bool {
        match self.state {
            State::Backoff { until } if now >= until => {
                self.state = State::Opening;
                true
            }
            _ => false,
        }
    }

    /// The transport opened.
    pub fn handle_open(&mut self, now: Millis) {
        self.rx.clear();
        self.tx.clear();
        self.decoder = ServerDecoder::new(self.options.limits);
        self.state = State::AwaitingInfo { since: now };
    }

    /// The transport closed (or failed to open).
    pub fn handle_closed(&mut self, now: Millis) {
        if matches!(self.state, State::Backoff { .. }) {
            return;
        }
        self.go_down(now, DownReason::Transport, false);
    }

    /// Bytes the transport read.
    pub fn handle_bytes(&mut self, bytes: &[u8], now: Millis) {
        if !matches!(
            self.state,
            State::AwaitingInfo { .. } | State::Handshaking { .. } | State::Connected { .. }
        ) {
            return;
        }
        self.rx.extend_from_slice(bytes);
        // Every whole frame is decoded, then what they took is dropped from
        // `rx` at once: a read of many frames moves what is left only once.
        let mut taken = 0;
        loop {
            let mut rest = &self.rx[taken..];
            match self.decoder.decode(&mut rest) {
                Ok(Some(op)) => {
                    taken = self.rx.len() - rest.len();
                    self.handle_op(op, now);
                }
                Ok(None) => break,
                Err(err) => {
                    self.go_down(now, DownReason::Protocol(err), true);
                    break;
                }
            }
            if matches!(self.state, State::Backoff { .. }) {
                break;
            }
        }
        // Gone down, `go_down` has emptied it already.
        if !matches!(self.state, State::Backoff { .. }) {
            self.rx.drain(..taken);
        }
    }

    fn handle_op(&mut self, op: ServerOp, now: Millis) {
        match (op, &mut self.state) {
            (ServerOp::Ping, _) => ClientOp::Pong.encode(&mut self.tx),
            (ServerOp::Info(info), State::AwaitingInfo { .. }) => {
                if let Some(max) = info.max_payload().and_then(|m| usize::try_from(m).ok()) {
                    if max > 0 {
                        self.max_payload = Some(max);
                    }
                }
                ClientOp::Connect(Box::new(self.options.connect.clone())).encode(&mut self.tx);
                for (sid, sub) in &self.subs {
                    sub_op(*sid, sub).encode(&mut self.tx);
                }
                ClientOp::Ping.encode(&mut self.tx);
                self.state = State::Handshaking { since: now, info };
            }
            (ServerOp::Pong, State::Handshaking { info, .. }) => {
                let info = info.clone();
                self.state = State::Connected {
                    next_ping: now + self.options.ping_interval,
                    pings_out: 0,
                };
                self.attempt = 0;
                self.events.push_back(Event::Connected(info));
                self.report_dropped();
            }
            (ServerOp::Pong, State::Connected { pings_out, .. }) => *pings_out = 0,
            (ServerOp::Err(err), State::Handshaking { .. } | State::AwaitingInfo { .. }) => {
                self.go_down(now, DownReason::Refused(err), true);
            }
            (ServerOp::Err(err), _) => {
                // These end the connection on the server's side too.
                let fatal = matches!(
                    err.kind(),
                    ServerErrorKind::AuthorizationViolation
                        | ServerErrorKind::AuthenticationTimeout
                        | ServerErrorKind::MaximumPayloadViolation
                        | ServerErrorKind::StaleConnection
                        | ServerErrorKind::SlowConsumer
                        | ServerErrorKind::UnknownProtocolOperation
                );
                if fatal {
                    self.go_down(now, DownReason::Refused(err), true);
                } else {
                    self.events.push_back(Event::ServerError(err));
                }
            }
            // The server has the replayed SUBs before the PING, so a push may
            // come before the PONG: it is as much the user's as any other.
            (ServerOp::Msg(msg), State::Handshaking { .. } | State::Connected { .. }) => {
                self.events.push_back(Event::Message(msg));
            }
            // Asynchronous INFO, +OK, and anything out of turn: nothing to do.
            _ => {}
        }
    }

    /// Timers: keepalive, handshake timeout.
    pub fn handle_timeout(&mut self, now: Millis) {
        match &mut self.state {
            State::AwaitingInfo { since } | State::Handshaking { since, .. }
                if now >= *since + self.options.handshake_timeout =>
            {
                self.go_down(now, DownReason::HandshakeTimeout, true);
            }
            State::Connected {
                next_ping,
                pings_out,
            } if now >= *next_ping => {
                if *pings_out >= self.options.max_pings_out {
                    self.go_down(now, DownReason::Stale, true);
                } else {
                    *pings_out += 1;
                    *next_ping = now + self.options.ping_interval;
                    ClientOp::Ping.encode(&mut self.tx);
                }
            }
            _ => {}
        }
    }

    /// When [`Connection::handle_timeout`] should next be called.
    pub fn poll_timeout(&self) -> Option<Millis> {
        match &self.state {
            State::Backoff { until } => Some(*until),
            State::Opening => None,
            State::AwaitingInfo { since } | State::Handshaking { since, .. } => {
                Some(since + self.options.handshake_timeout)
            }
            State::Connected { next_ping, .. } => Some(*next_ping),
        }
    }

    /// Bytes to write to the transport, if any.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        // Publishes are encoded only now, so none is in `tx` when a
        // transport is lost; SUBs written this turn go before them.
        if self.is_connected() {
            let limit = self.payload_limit();
            while let Some(out) = self.outbox.pop_front() {
                self.outbox_size -= out.size();
                if out.payload.len() > limit {
                    // Published before this server said what it takes: it
                    // would close the connection.
                    self.dropped += 1;
                } else {
                    encode_pub(out, &mut self.tx);
                }
            }
            self.report_dropped();
        }
        (!self.tx.is_empty()).then(|| core::mem::take(&mut self.tx))
    }

    /// Tells of the publishes dropped since it last told, if any.
    fn report_dropped(&mut self) {
        if self.dropped > 0 {
            self.events
                .push_back(Event::Dropped(core::mem::take(&mut self.dropped)));
        }
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    fn go_down(&mut self, now: Millis, reason: DownReason, close: bool) {
        if close {
            self.events.push_back(Event::CloseTransport);
        }
        self.events.push_back(Event::Disconnected(reason));
        self.tx.clear();
        // Publishes made while connected were not bounded.
        self.trim();
        self.rx.clear();
        let delay = self.backoff();
        self.attempt = self.attempt.saturating_add(1);
        self.state = State::Backoff { until: now + delay };
    }

    /// Exponential backoff with "equal jitter": half the delay fixed, half
    /// random, so many clients cut off at once do not return at once.
    fn backoff(&mut self) -> Millis {
        let exp = self
            .options
            .backoff_initial
            .saturating_mul(1 << self.attempt.min(20))
            .min(self.options.backoff_max);
        let half = exp / 2;
        half + self.next_random() % (half + 1)
    }

    /// xorshift64: jitter needs spread, not secrecy.
    fn next_random(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        x
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::nats::{ClientDecoder, Message, ServerError, ServerInfo};
    use crate::subject::Subject;

    fn subject(s: &str) -> Subject {
        Subject::new(s).unwrap()
    }

    fn options() -> Options {
        Options {
            ping_interval: 1_000,
            max_pings_out: 2,
            handshake_timeout: 5_000,
            backoff_initial: 400,
            backoff_max: 3_000,
            outbox_bytes: 1_000,
            seed: 7,
            ..Options::default()
        }
    }

    /// What the connection wrote, decoded as a server would.
    fn sent(conn: &mut Connection) -> Vec<ClientOp> {
        let mut buf = Vec::new();
        while let Some(bytes) = conn.poll_transmit() {
            buf.extend_from_slice(&bytes);
        }
        let mut dec = ClientDecoder::default();
        let mut ops = Vec::new();
        let mut rest = &buf[..];
        while let Some(op) = dec.decode(&mut rest).unwrap() {
            ops.push(op);
        }
        assert!(rest.is_empty());
        ops
    }

    fn events(conn: &mut Connection) -> Vec<Event> {
        std::iter::from_fn(|| conn.poll_event()).collect()
    }

    fn server(conn: &mut Connection, op: &ServerOp, now: Millis) {
        let mut buf = Vec::new();
        op.encode(&mut buf);
        conn.handle_bytes(&buf, now);
    }

    fn info() -> ServerOp {
        ServerOp::Info(RawInfo::from_info(&ServerInfo {
            server_id: "NTEST".into(),
            max_payload: 2048,
            ..ServerInfo::default()
        }))
    }

    fn publish(conn: &mut Connection, payload: &'static [u8]) {
        conn.publish(subject("fw.a"), None, None, payload.to_vec())
            .unwrap();
    }

    fn pub_payloads(ops: &[ClientOp]) -> Vec<Vec<u8>> {
        ops.iter()
            .filter_map(|op| match op {
                ClientOp::Pub { payload, .. } => Some(payload.clone()),
                _ => None,
            })
            .collect()
    }

    /// Opens and completes a handshake at `now`.
    fn connect(conn: &mut Connection, now: Millis) -> Vec<ClientOp> {
        assert!(conn.wants_transport(now));
        conn.handle_open(now);
        server(conn, &info(), now);
        server(conn, &ServerOp::Pong, now);
        sent(conn)
    }

    #[test]
    fn handshake_replays_subscriptions_and_flushes_the_outbox_in_order() {
        let mut conn = Connection::new(options());
        let sid = conn.subscribe(subject("fw.push"), None);
        publish(&mut conn, b"one");
        publish(&mut conn, b"two");
        assert!(!conn.is_connected());
        assert!(conn.wants_transport(0));
        assert!(!conn.wants_transport(0), "asked twice for one transport");
        conn.handle_open(0);
        assert_eq!(sent(&mut conn), []);

        server(&mut conn, &info(), 1);
        let ops = sent(&mut conn);
        assert!(matches!(ops[0], ClientOp::Connect(_)));
        assert_eq!(
            ops[1],
            ClientOp::Sub {
                subject: subject("fw.push"),
                queue: None,
                sid
            }
        );
        assert_eq!(ops[2], ClientOp::Ping);
        assert_eq!(
            ops.len(),
            3,
            "published before the server confirmed CONNECT"
        );

        server(&mut conn, &ServerOp::Pong, 2);
        assert!(conn.is_connected());
        assert!(
            matches!(events(&mut conn).as_slice(), [Event::Connected(i)] if i.parse().unwrap().server_id == "NTEST")
        );
        assert_eq!(
            pub_payloads(&sent(&mut conn)),
            [b"one".to_vec(), b"two".to_vec()]
        );

        publish(&mut conn, b"three");
        assert_eq!(pub_payloads(&sent(&mut conn)), [b"three".to_vec()]);
    }

    #[test]
    fn unsent_publishes_can_be_taken_back_and_are_then_not_sent() {
        let mut conn = Connection::new(options());
        publish(&mut conn, b"one");
        conn.publish(subject("fw.b"), None, None, b"other".to_vec())
            .unwrap();
        publish(&mut conn, b"two");
        let taken = conn.take_unsent(&subject("fw.a"));
        assert_eq!(taken, [b"one".to_vec(), b"two".to_vec()]);
        assert_eq!(conn.outbox_len(), 1);
        assert_eq!(pub_payloads(&connect(&mut conn, 0)), [b"other".to_vec()]);
    }

    #[test]
    fn answers_pings_delivers_messages_and_reports_soft_errors() {
        let mut conn = Connection::new(options());
        connect(&mut conn, 0);
        events(&mut conn);
        server(&mut conn, &ServerOp::Ping, 5);
        assert_eq!(sent(&mut conn), [ClientOp::Pong]);
        let msg = Message {
            subject: subject("fw.push"),
            sid: 1,
            reply: None,
            headers: None,
            payload: b"hi".to_vec(),
        };
        server(&mut conn, &ServerOp::Msg(msg.clone()), 6);
        let perm = ServerError::new("Permissions Violation for Subscription to \"x\"");
        server(&mut conn, &ServerOp::Err(perm.clone()), 7);
        assert_eq!(
            events(&mut conn),
            [Event::Message(msg), Event::ServerError(perm)]
        );
        assert!(conn.is_connected());
    }

    #[test]
    fn a_silent_server_is_declared_dead_after_unanswered_pings() {
        let mut conn = Connection::new(options());
        connect(&mut conn, 0);
        events(&mut conn);
        assert_eq!(conn.poll_timeout(), Some(1_000));
        conn.handle_timeout(1_000);
        assert_eq!(sent(&mut conn), [ClientOp::Ping]);
        // An answer resets the count.
        server(&mut conn, &ServerOp::Pong, 1_100);
        conn.handle_timeout(2_000);
        conn.handle_timeout(3_000);
        assert_eq!(sent(&mut conn), [ClientOp::Ping, ClientOp::Ping]);
        assert!(conn.is_connected());
        conn.handle_timeout(4_000);
        assert_eq!(
            events(&mut conn),
            [
                Event::CloseTransport,
                Event::Disconnected(DownReason::Stale)
            ]
        );
        assert!(!conn.is_connected());
    }

    #[test]
    fn reconnects_after_a_growing_jittered_backoff() {
        let mut conn = Connection::new(options());
        let mut now = 0;
        let mut delays = Vec::new();
        for _ in 0..6 {
            assert!(conn.wants_transport(now));
            conn.handle_closed(now);
            assert_eq!(
                events(&mut conn),
                [Event::Disconnected(DownReason::Transport)]
            );
            let until = conn.poll_timeout().unwrap();
            assert!(
                !conn.wants_transport(until - 1),
                "retried before the backoff passed"
            );
            delays.push(until - now);
            now = until;
        }
        // Each delay is between half and all of 400 ms doubled per attempt, capped at 3 s.
        for (i, delay) in delays.iter().enumerate() {
            let full = (400u64 << i).min(3_000);
            assert!((full / 2..=full).contains(delay), "attempt {i}: {delay} ms");
        }
        // A completed handshake starts the backoff over.
        connect(&mut conn, now);
        conn.handle_closed(now);
        let delay = conn.poll_timeout().unwrap() - now;
        assert!((200..=400).contains(&delay), "{delay}");
    }

    #[test]
    fn the_outbox_is_bounded_and_drops_are_reported_after_reconnect() {
        let mut conn = Connection::new(options());
        // Each publish takes its payload + subject + 64 bytes of the 1000-byte outbox.
        for payload in [
            &b"0"[..],
            b"1",
            b"2",
            b"3",
            b"4",
            b"5",
            b"6",
            b"7",
            b"8",
            b"9",
            b"10",
            b"11",
            b"12",
            b"13",
            b"14",
            b"15",
        ] {
            conn.publish(subject("fw.a"), None, None, payload.to_vec())
                .unwrap();
        }
        let kept = conn.outbox_len();
        assert!(kept < 16 && kept > 10, "{kept}");
        let ops = connect(&mut conn, 0);
        let evs = events(&mut conn);
        assert!(
            matches!(evs.as_slice(), [Event::Connected(_), Event::Dropped(n)] if *n == 16 - kept as u64)
        );
        let first_kept = 16 - kept;
        let expected: Vec<Vec<u8>> = (first_kept..16)
            .map(|i| i.to_string().into_bytes())
            .collect();
        assert_eq!(
            pub_payloads(&ops),
            expected,
            "oldest should go first, order kept"
        );

        assert_eq!(
            conn.publish(subject("fw.a"), None, None, vec![0; 2049]),
            Err(PublishError::TooLarge),
            "over the server's max_payload"
        );
    }

    #[test]
    fn nothing_larger_than_the_server_announced_is_ever_written() {
        let mut conn = Connection::new(Options {
            outbox_bytes: 10_000,
            ..options()
        });
        assert_eq!(conn.max_payload(), None, "no server has said yet");
        // Published before the server said it takes 2048 bytes at most.
        for len in [10, 2049, 2048, 3000, 20] {
            conn.publish(subject("fw.a"), None, None, vec![b'x'; len])
                .unwrap();
        }
        let ops = connect(&mut conn, 0);
        assert_eq!(conn.max_payload(), Some(2048));
        let lens: Vec<usize> = pub_payloads(&ops).iter().map(Vec::len).collect();
        assert_eq!(lens, [10, 2048, 20], "what fits goes, in order");
        assert_eq!(
            events(&mut conn)[1..],
            [Event::Dropped(2)],
            "what would have closed the connection is counted"
        );
        assert_eq!(conn.outbox_len(), 0);

        // Down, the last server's word holds.
        conn.handle_closed(1);
        assert_eq!(conn.max_payload(), Some(2048));
        assert_eq!(
            conn.publish(subject("fw.a"), None, None, vec![0; 2049]),
            Err(PublishError::TooLarge)
        );
    }

    #[test]
    fn a_refused_or_garbled_or_slow_handshake_goes_to_backoff() {
        let refused = ServerError::new("Authorization Violation");
        let mut conn = Connection::new(options());
        assert!(conn.wants_transport(0));
        conn.handle_open(0);
        server(&mut conn, &info(), 0);
        server(&mut conn, &ServerOp::Err(refused.clone()), 0);
        assert_eq!(
            events(&mut conn),
            [
                Event::CloseTransport,
                Event::Disconnected(DownReason::Refused(refused))
            ]
        );

        let mut conn = Connection::new(options());
        assert!(conn.wants_transport(0));
        conn.handle_open(0);
        conn.handle_bytes(b"HELLO\r\n", 0);
        assert!(matches!(
            events(&mut conn).as_slice(),
            [
                Event::CloseTransport,
                Event::Disconnected(DownReason::Protocol(_))
            ]
        ));

        let mut conn = Connection::new(options());
        assert!(conn.wants_transport(0));
        conn.handle_open(0);
        conn.handle_timeout(4_999);
        assert_eq!(events(&mut conn), []);
        conn.handle_timeout(5_000);
        assert_eq!(
            events(&mut conn),
            [
                Event::CloseTransport,
                Event::Disconnected(DownReason::HandshakeTimeout)
            ]
        );
    }

    #[test]
    fn subscribing_mid_handshake_is_not_lost() {
        let mut conn = Connection::new(options());
        assert!(conn.wants_transport(0));
        conn.handle_open(0);
        server(&mut conn, &info(), 0);
        sent(&mut conn);
        let sid = conn.subscribe(subject("fw.late"), None);
        assert!(sent(&mut conn).contains(&ClientOp::Sub {
            subject: subject("fw.late"),
            queue: None,
            sid
        }));
        conn.unsubscribe(sid);
        assert_eq!(sent(&mut conn), [ClientOp::Unsub { sid, max: None }]);
    }

    fn push(payload: &str) -> Message {
        Message {
            subject: subject("fw.push"),
            sid: 1,
            reply: None,
            headers: None,
            payload: payload.as_bytes().to_vec(),
        }
    }

    #[test]
    fn every_split_point_of_a_handshake_delivers_the_push_before_its_pong() {
        // The server has the replayed SUB before the PING, so it may push
        // before the PONG.
        let (early, late) = (push("early"), push("late"));
        let mut stream = Vec::new();
        for op in [
            info(),
            ServerOp::Msg(early.clone()),
            ServerOp::Pong,
            ServerOp::Msg(late.clone()),
        ] {
            op.encode(&mut stream);
        }
        for split in 0..=stream.len() {
            let mut conn = Connection::new(options());
            conn.subscribe(subject("fw.push"), None);
            connect(&mut conn, 0);
            conn.handle_closed(1);
            events(&mut conn);
            let now = conn.poll_timeout().unwrap();
            assert!(conn.wants_transport(now));
            conn.handle_open(now);
            conn.handle_bytes(&stream[..split], now);
            conn.handle_bytes(&stream[split..], now + 1);
            let evs = events(&mut conn);
            assert!(
                matches!(evs.as_slice(), [Event::Message(a), Event::Connected(_), Event::Message(b)] if *a == early && *b == late),
                "split at {split}: {evs:?}"
            );
        }
    }

    #[test]
    fn publishes_written_but_not_handed_over_are_sent_after_the_reconnect() {
        let mut conn = Connection::new(options());
        connect(&mut conn, 0);
        events(&mut conn);
        publish(&mut conn, b"one");
        publish(&mut conn, b"two");
        // The transport closes before the IO layer took the bytes.
        conn.handle_closed(1);
        events(&mut conn);
        let now = conn.poll_timeout().unwrap();
        assert_eq!(
            pub_payloads(&connect(&mut conn, now)),
            [b"one".to_vec(), b"two".to_vec()]
        );
        assert!(matches!(
            events(&mut conn).as_slice(),
            [Event::Connected(_)]
        ));
        assert_eq!(conn.outbox_len(), 0);

        // More than the outbox holds: the oldest are dropped and reported.
        for _ in 0..20 {
            publish(&mut conn, b"burst");
        }
        conn.handle_closed(now);
        events(&mut conn);
        let now = conn.poll_timeout().unwrap();
        let resent = pub_payloads(&connect(&mut conn, now)).len();
        let evs = events(&mut conn);
        assert!(
            matches!(evs.as_slice(), [Event::Connected(_), Event::Dropped(n)] if *n + resent as u64 == 20),
            "{resent} resent, {evs:?}"
        );
        assert!(resent > 0);
    }

    /// One thing that happens to a connection, done by its user, its IO
    /// layer or its server.
    #[derive(Debug, Clone)]
    enum Step {
        /// The user publishes a payload this long.
        Publish(usize),
        /// The server reads what the connection wrote.
        Transmit,
        /// The server pushes to the subscription, if it has the SUB.
        Push,
        /// The server answers a PING it read.
        Pong,
        /// The transport closes.
        Close,
        /// A transport opens (once the backoff allows) and the server sends INFO.
        Open,
    }

    fn arb_step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (0usize..300).prop_map(Step::Publish),
            Just(Step::Transmit),
            Just(Step::Push),
            Just(Step::Pong),
            Just(Step::Close),
            Just(Step::Open),
        ]
    }

    /// A server, and the user on the other side: what was published, read,
    /// pushed, delivered and reported dropped.
    #[derive(Default)]
    struct World {
        now: Millis,
        has_sub: bool,
        pongs_owed: usize,
        published: usize,
        /// Ids of the publishes the server read, in order.
        read: Vec<usize>,
        dropped: u64,
        pushed: Vec<String>,
        delivered: Vec<String>,
    }

    impl World {
        fn step(&mut self, conn: &mut Connection, step: &Step) {
            self.now += 1;
            match step {
                Step::Publish(len) => {
                    let payload = format!("{}.{}", self.published, "x".repeat(*len));
                    self.published += 1;
                    conn.publish(subject("fw.a"), None, None, payload.into_bytes())
                        .unwrap();
                }
                Step::Transmit => {
                    for op in sent(conn) {
                        match op {
                            ClientOp::Sub { .. } => self.has_sub = true,
                            ClientOp::Ping => self.pongs_owed += 1,
                            ClientOp::Pub { payload, .. } => {
                                let text = core::str::from_utf8(&payload).unwrap();
                                let id = text.split('.').next().unwrap();
                                self.read.push(id.parse().unwrap());
                            }
                            _ => {}
                        }
                    }
                }
                Step::Push if self.has_sub => {
                    let text = self.pushed.len().to_string();
                    server(conn, &ServerOp::Msg(push(&text)), self.now);
                    self.pushed.push(text);
                }
                Step::Pong if self.pongs_owed > 0 => {
                    self.pongs_owed -= 1;
                    server(conn, &ServerOp::Pong, self.now);
                }
                Step::Close => {
                    conn.handle_closed(self.now);
                    (self.has_sub, self.pongs_owed) = (false, 0);
                }
                Step::Open => {
                    self.now = self.now.max(conn.poll_timeout().unwrap_or(0));
                    if conn.wants_transport(self.now) {
                        conn.handle_open(self.now);
                        (self.has_sub, self.pongs_owed) = (false, 0);
                        server(conn, &info(), self.now);
                    }
                }
                Step::Push | Step::Pong => {}
            }
            for event in events(conn) {
                match event {
                    Event::Message(msg) => {
                        self.delivered.push(String::from_utf8(msg.payload).unwrap());
                    }
                    Event::Dropped(n) => self.dropped += n,
                    _ => {}
                }
            }
        }
    }

    proptest! {
        #[test]
        fn nothing_is_lost_across_drops_and_reconnects(steps in prop::collection::vec(arb_step(), 1..60)) {
            let mut conn = Connection::new(options());
            conn.subscribe(subject("fw.push"), None);
            let mut world = World::default();
            for step in &steps {
                world.step(&mut conn, step);
            }
            // Let it finish: up, answered, and everything written.
            for step in [Step::Open, Step::Transmit, Step::Pong, Step::Transmit] {
                world.step(&mut conn, &step);
            }
            prop_assert!(conn.is_connected());
            prop_assert_eq!(&world.delivered, &world.pushed, "every push delivered, in order");
            prop_assert!(world.read.windows(2).all(|w| w[0] < w[1]), "publishes in order, once: {:?}", world.read);
            prop_assert_eq!(world.read.len() + usize::try_from(world.dropped).unwrap(), world.published, "sent or counted: {:?}", world.read);
        }
    }
}
