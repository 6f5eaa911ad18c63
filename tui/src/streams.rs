//! The JetStream streams Floorwalker keeps: every shopper's batches
//! ([`EVENTS`], what a dashboard replays when it opens), shoppers' chat
//! facts ([`CHATS`]) and the record of everything said and decided
//! ([`AUDIT`]: offers operators sent, every fact of agents, supervisors and
//! the router, and a copy of every shopper's chat fact, which
//! `floorwalker_shared::desk` folds). An admin creates them or brings an
//! older configuration up to date ([`ensure`]; `floorwalker demo` does it
//! for the demo); other roles may only read.
//!
//! Only the intake writes what shoppers sent ([`EVENTS`], [`CHATS`]); no
//! stream captures a subject a shopper publishes on. Shoppers' facts have
//! their own room: [`CHATS`] is bounded apart, and [`AUDIT`] takes them in
//! by sourcing it, in one order with the operators' facts, so however much
//! shoppers send, [`AUDIT`] keeps room for operators' facts.

use std::time::Duration;

use async_nats::jetstream::{self, stream};
use floorwalker_shared::subject;

/// Every shopper's event batches, kept for a day.
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

/// Most bytes of shoppers' chat facts kept: with [`AUDIT_BYTES`], what
/// leaves operators' facts their room whatever shoppers send.
pub const CHATS_BYTES: i64 = 1 << 30;

/// Most bytes of the audit trail: shoppers' facts take at most
/// [`CHATS_BYTES`] of it.
pub const AUDIT_BYTES: i64 = 2 << 30;

/// Why the streams could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("could not create or update stream '{stream}': {source}")]
pub struct StreamsError {
    stream: String,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

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
pub fn configs() -> [stream::Config; 4] {
    // Shoppers publish facts: no fact larger than a reader accepts.
    let max_fact = i32::try_from(floorwalker_shared::chat::MAX_FACT_BYTES).unwrap_or(i32::MAX);
    [
        stream::Config {
            name: EVENTS.to_owned(),
            subjects: vec![subject::all_sites_events().to_string()],
            storage: stream::StorageType::File,
            max_age: Duration::from_secs(24 * 3_600),
            max_bytes: 1 << 30,
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
    ]
}

/// Creates the streams that do not exist yet and brings the subjects and
/// limits of older ones up to date (as an admin).
pub async fn ensure(client: &async_nats::Client) -> Result<(), StreamsError> {
    let js = jetstream::new(client.clone());
    for config in configs() {
        let name = config.name.clone();
        let fail = |source: Box<dyn std::error::Error + Send + Sync>| StreamsError {
            stream: name.clone(),
            source,
        };
        match js.get_stream(&config.name).await {
            Ok(mut stream) => {
                let have = stream
                    .info()
                    .await
                    .map_err(|e| fail(e.into()))?
                    .config
                    .clone();
                if have.subjects != config.subjects
                    || have.max_age != config.max_age
                    || have.max_bytes != config.max_bytes
                    || have.duplicate_window != config.duplicate_window
                    || have.max_message_size != config.max_message_size
                    || have.no_ack != config.no_ack
                    || sources(&have) != sources(&config)
                {
                    js.update_stream(config.clone())
                        .await
                        .map_err(|e| fail(e.into()))?;
                }
            }
            Err(e) if is_missing(&e) => {
                js.create_stream(config.clone())
                    .await
                    .map_err(|e| fail(e.into()))?;
            }
            Err(e) => return Err(fail(e.into())),
        }
    }
    Ok(())
}

/// The names of the streams a stream sources.
fn sources(config: &stream::Config) -> Vec<&str> {
    config
        .sources
        .iter()
        .flatten()
        .map(|s| s.name.as_str())
        .collect()
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
