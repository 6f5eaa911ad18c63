//! How a connection behaves: what it sends in CONNECT, its timers, its
//! backoff and its outbox's size.

use super::Millis;
use crate::nats::decode::Limits;
use crate::nats::info::ConnectInfo;

/// How a connection behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// What to send in CONNECT (credentials included).
    pub connect: ConnectInfo,
    /// Bounds for decoding; `max_payload` is replaced by the server's.
    pub limits: Limits,
    /// How often to PING an idle server.
    pub ping_interval: Millis,
    /// Unanswered PINGs before the connection counts as dead.
    pub max_pings_out: u32,
    /// How long the handshake may take before it counts as failed.
    pub handshake_timeout: Millis,
    /// The first reconnect delay; it doubles per failed attempt.
    pub backoff_initial: Millis,
    /// The longest reconnect delay.
    pub backoff_max: Millis,
    /// Most bytes of publishes kept while disconnected.
    pub outbox_bytes: usize,
    /// Seed for reconnect jitter (pass real randomness).
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            connect: ConnectInfo::default(),
            limits: Limits::default(),
            ping_interval: 30_000,
            max_pings_out: 2,
            handshake_timeout: 10_000,
            backoff_initial: 500,
            backoff_max: 30_000,
            outbox_bytes: 256 * 1024,
            seed: 0x9E37_79B9_7F4A_7C15,
        }
    }
}
