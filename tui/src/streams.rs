//! The JetStream streams Floorwalker keeps: every shopper's batches
//! ([`EVENTS`], what a dashboard replays when it opens), shoppers' chat
//! facts ([`CHATS`]) and the record of everything said and decided
//! ([`AUDIT`]: offers operators sent, every fact of agents, supervisors and
//! the router, and a copy of every shopper's chat fact, which
//! `floorwalker_shared::desk` folds), what shoppers sent until the intake
//! takes it in ([`RAW`]), and the intakes' consumer of it
//! ([`INTAKE_CONSUMER`]).
//!
//! [`configs`] and [`intake_consumer`] say what Floorwalker wants;
//! [`plan`] compares that with what a server has, without IO; [`setup`]
//! reads the server, checks the user's rights and applies a plan
//! (`floorwalker setup`, which asks first; [`ensure`] for the demo's and
//! the tests' servers). Services check at start that what they need
//! exists ([`require`]) and name `floorwalker setup` when it does not;
//! other roles than admin may only read.
//!
//! Only the intake writes what shoppers sent ([`EVENTS`], [`CHATS`]); no
//! stream captures a subject a shopper publishes on. Shoppers' facts have
//! their own room: [`CHATS`] is bounded apart, and [`AUDIT`] takes them in
//! by sourcing it, in one order with the operators' facts, so however much
//! shoppers send, [`AUDIT`] keeps room for operators' facts.

pub mod plan;
pub mod setup;

use std::time::Duration;

use async_nats::jetstream::{self, stream};
use floorwalker_shared::subject;

/// Every shopper's event batches, kept a week: what the learned figures
/// and a rule's test on history read.
pub const EVENTS: &str = "EVENTS";

/// Offers sent and every chat fact, kept a year.
pub const AUDIT: &str = "AUDIT";

/// Shoppers' chat facts as the intake stored them, kept a year; [`AUDIT`]
/// sources it.
pub const CHATS: &str = "CHATS";

/// What shoppers published, as the operators' account hears it (under
/// `raw.`), until the intake has taken it in: a work queue, so nothing a
/// shopper sends is lost while the intake restarts. It never acknowledges
/// (a stream's acknowledgement would go to whatever reply address a
/// shopper named) and keeps no reply address at all.
pub const RAW: &str = "RAW";

/// A year, the chat record's retention.
const YEAR: Duration = Duration::from_secs(365 * 24 * 3_600);

/// A day.
const DAY: Duration = Duration::from_secs(24 * 3_600);

/// The key-value bucket of visitors' memories (its stream is `KV_VISITORS`),
/// one key per site and visitor, written by `floorwalker learn` only.
pub const VISITORS: &str = subject::kv::VISITORS;

/// The key-value bucket of what the floor teaches (its stream is
/// `KV_INSIGHTS`): visits before a first purchase and page statistics per
/// site, written by `floorwalker learn` only.
pub const INSIGHTS: &str = subject::kv::INSIGHTS;

/// How long and how much is kept where a deployment may choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Shoppers' batches: at least the learned figures' window.
    pub events_age: Duration,
    /// Most bytes of shoppers' batches, the oldest dropped first.
    pub events_bytes: i64,
    /// A visitor's memory unchanged this long is forgotten.
    pub visitors_age: Duration,
    /// Most bytes of visitors' memories; full refuses new visitors.
    pub visitors_bytes: i64,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            events_age: 7 * DAY,
            events_bytes: 8 << 30,
            visitors_age: 180 * DAY,
            visitors_bytes: 1 << 30,
        }
    }
}

/// The stream of a key-value bucket, as async-nats makes one (one value
/// per key, rollups for purging a key, reads served directly), so that
/// `floorwalker setup` plans it like any stream and clients open it with
/// `get_key_value`.
fn bucket(bucket: &str, max_age: Duration, max_bytes: i64, max_value: i32) -> stream::Config {
    stream::Config {
        name: ["KV_", bucket].concat(),
        subjects: vec![subject::kv::bucket_all(bucket).to_string()],
        max_messages_per_subject: 1,
        max_age,
        max_bytes,
        max_message_size: max_value,
        storage: stream::StorageType::File,
        allow_rollup: true,
        deny_delete: true,
        allow_direct: true,
        discard: stream::DiscardPolicy::New,
        ..stream::Config::default()
    }
}

/// The stream that holds [`VISITORS`].
pub const VISITORS_STREAM: &str = "KV_VISITORS";

/// The stream that holds [`INSIGHTS`].
pub const INSIGHTS_STREAM: &str = "KV_INSIGHTS";

/// Most bytes of shoppers' chat facts kept: with [`AUDIT_BYTES`], what
/// leaves operators' facts their room whatever shoppers send.
pub const CHATS_BYTES: i64 = 1 << 30;

/// Most bytes of the audit trail: shoppers' facts take at most
/// [`CHATS_BYTES`] of it.
pub const AUDIT_BYTES: i64 = 2 << 30;

/// The durable consumer of [`RAW`] that every intake shares.
pub const INTAKE_CONSUMER: &str = "intake";

/// Messages an intake has stored but not yet acknowledged, at most (the
/// consumer's `max_ack_pending`).
pub const INTAKE_IN_FLIGHT: usize = 1_024;

/// The line a service prints when a stream it needs is missing.
pub const CREATE_HINT: &str = "an admin creates it with `floorwalker setup`";

/// [`RAW`]'s configuration: what the intake needs before it starts.
pub fn raw_config() -> stream::Config {
    stream::Config {
        name: RAW.to_owned(),
        subjects: vec![
            subject::raw(&subject::all_sites_events()).to_string(),
            subject::raw(&subject::all_sites_chat()).to_string(),
        ],
        retention: stream::RetentionPolicy::WorkQueue,
        no_ack: true,
        storage: stream::StorageType::File,
        // An intake away for an hour, or 256 MiB behind, loses the oldest
        // first: what shoppers do now matters most.
        max_age: Duration::from_secs(3_600),
        max_bytes: 256 << 20,
        discard: stream::DiscardPolicy::Old,
        max_message_size: i32::try_from(floorwalker_shared::wire::MAX_BATCH_BYTES)
            .unwrap_or(i32::MAX),
        // As short as the server allows (it cannot be off): shoppers send
        // no message id (the intake makes them), so a `Nats-Msg-Id` a
        // hostile page sends can only ever drop its own messages here.
        duplicate_window: Duration::from_millis(100),
        ..stream::Config::default()
    }
}

/// The streams' configurations, in the order [`ensure`] brings them up
/// to date: [`AUDIT`] gives up shoppers' subjects before [`CHATS`] takes
/// them.
pub fn configs() -> [stream::Config; 6] {
    configs_with(&Retention::default())
}

/// The streams' configurations with `retention`'s limits.
pub fn configs_with(retention: &Retention) -> [stream::Config; 6] {
    // Shoppers publish facts: no fact larger than a reader accepts.
    let max_fact = i32::try_from(floorwalker_shared::chat::MAX_FACT_BYTES).unwrap_or(i32::MAX);
    [
        stream::Config {
            name: EVENTS.to_owned(),
            subjects: vec![subject::all_sites_events().to_string()],
            storage: stream::StorageType::File,
            max_age: retention.events_age,
            max_bytes: retention.events_bytes,
            discard: stream::DiscardPolicy::Old,
            ..stream::Config::default()
        },
        stream::Config {
            name: AUDIT.to_owned(),
            subjects: vec![subject::audit_all().to_string()],
            storage: stream::StorageType::File,
            max_age: YEAR,
            // Full is refused, not forgotten: an audit trail loses nothing.
            max_bytes: AUDIT_BYTES,
            discard: stream::DiscardPolicy::New,
            // None: a stream that sources another keeps no duplicate
            // window unless given one, so no message id an operator sends
            // can make it drop a shopper's fact copied from CHATS (which
            // dropped resends already); operators' facts carry none (a
            // resend is folded once).
            max_message_size: max_fact,
            sources: Some(vec![stream::Source {
                name: CHATS.to_owned(),
                ..stream::Source::default()
            }]),
            ..stream::Config::default()
        },
        stream::Config {
            name: CHATS.to_owned(),
            subjects: vec![subject::all_sites_chat().to_string()],
            storage: stream::StorageType::File,
            max_age: YEAR,
            max_bytes: CHATS_BYTES,
            discard: stream::DiscardPolicy::New,
            // A shopper's resend within this window is stored once.
            duplicate_window: Duration::from_secs(10 * 60),
            max_message_size: max_fact,
            ..stream::Config::default()
        },
        raw_config(),
        // A memory is bounded (floorwalker_shared::memory): well under
        // the 64 KiB a value may hold.
        bucket(
            VISITORS,
            retention.visitors_age,
            retention.visitors_bytes,
            64 << 10,
        ),
        // Republished while the learner runs; nothing to age out.
        bucket(INSIGHTS, Duration::ZERO, 256 << 20, 64 << 10),
    ]
}

/// [`INTAKE_CONSUMER`]'s configuration: a durable pull consumer that
/// hands each message to one intake and waits 30 s for it to be taken in.
pub fn intake_consumer() -> jetstream::consumer::pull::Config {
    jetstream::consumer::pull::Config {
        durable_name: Some(INTAKE_CONSUMER.into()),
        ack_policy: jetstream::consumer::AckPolicy::Explicit,
        ack_wait: Duration::from_secs(30),
        max_ack_pending: i64::try_from(INTAKE_IN_FLIGHT).unwrap_or(i64::MAX),
        ..jetstream::consumer::pull::Config::default()
    }
}

/// What a stream or consumer is for, in a few words (`floorwalker setup`
/// prints it beside each).
pub fn purpose(name: &str) -> &'static str {
    match name {
        EVENTS => "shoppers' event batches: what a dashboard replays when it opens",
        AUDIT => "every chat fact and offer, the record folded into the help desk (copies CHATS)",
        CHATS => "shoppers' chat facts as the intake stored them",
        RAW => "what shoppers sent, until the intake takes it in (work queue)",
        INTAKE_CONSUMER => "the intakes' shared durable pull consumer of RAW",
        VISITORS_STREAM => "each visitor's memory across visits, written by `floorwalker learn`",
        INSIGHTS_STREAM => "visits before a first purchase and page statistics, per site",
        _ => "",
    }
}

/// Creates the streams and the consumer that do not exist yet and brings
/// older ones up to date, without asking (as an admin): what the demo and
/// the tests' servers do; people run `floorwalker setup`.
///
/// # Errors
/// When the user may not, or the server refuses or does not answer.
pub async fn ensure(client: &async_nats::Client) -> Result<(), setup::SetupError> {
    setup::ensure(client).await
}

/// A stream a service needs is missing, or could not be asked about.
#[derive(Debug, thiserror::Error)]
pub enum RequireError {
    /// Nobody has created it.
    #[error("no '{0}' stream: {CREATE_HINT}")]
    Missing(String),
    /// The server could not say.
    #[error("cannot ask about the '{stream}' stream: {source}")]
    Unreachable {
        /// The stream.
        stream: String,
        /// Why.
        #[source]
        source: jetstream::context::GetStreamError,
    },
}

/// Checks that every stream in `names` exists (what a service does at
/// start).
///
/// # Errors
/// The first that is missing, or could not be asked about.
pub async fn require(client: &async_nats::Client, names: &[&str]) -> Result<(), RequireError> {
    let js = jetstream::new(client.clone());
    for name in names {
        match js.get_stream(*name).await {
            Ok(_) => {}
            Err(e) if is_missing(&e) => return Err(RequireError::Missing((*name).to_owned())),
            Err(source) => {
                return Err(RequireError::Unreachable {
                    stream: (*name).to_owned(),
                    source,
                });
            }
        }
    }
    Ok(())
}

/// Whether a stream could not be had because it does not exist (rather
/// than because the server could not be asked).
pub fn is_missing(error: &jetstream::context::GetStreamError) -> bool {
    matches!(
        error.kind(),
        jetstream::context::GetStreamErrorKind::JetStream(ref js)
            if js.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND
    )
}
