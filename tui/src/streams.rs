//! The JetStream streams Floorwalker keeps: every shopper's batches
//! ([`EVENTS`], what a dashboard replays when it opens) and the record of
//! everything said and decided ([`AUDIT`]: offers operators sent, and every
//! chat fact of shoppers, agents, supervisors and the router, which
//! `floorwalker_shared::desk` folds). An admin creates them or brings an
//! older configuration up to date ([`ensure`]; `floorwalker demo` does it
//! for the demo); other roles may only read.

use std::time::Duration;

use async_nats::jetstream::{self, stream};
use floorwalker_shared::subject;

/// Every shopper's event batches, kept for a day.
pub const EVENTS: &str = "EVENTS";

/// Offers sent and every chat fact, kept a year.
pub const AUDIT: &str = "AUDIT";

/// Why the streams could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("could not create or update stream '{stream}': {source}")]
pub struct StreamsError {
    stream: String,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

/// The streams' configurations.
pub fn configs() -> [stream::Config; 2] {
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
            subjects: vec![
                subject::audit_all().to_string(),
                subject::all_sites_chat().to_string(),
            ],
            storage: stream::StorageType::File,
            max_age: Duration::from_secs(365 * 24 * 3_600),
            // Full is refused, not forgotten: an audit trail loses nothing.
            max_bytes: 1 << 30,
            discard: stream::DiscardPolicy::New,
            // A shopper's or agent's resend within this window is stored once.
            duplicate_window: Duration::from_secs(10 * 60),
            // Shoppers publish here: no fact larger than a reader accepts.
            max_message_size: i32::try_from(floorwalker_shared::chat::MAX_FACT_BYTES)
                .unwrap_or(i32::MAX),
            ..stream::Config::default()
        },
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
                    || have.duplicate_window != config.duplicate_window
                    || have.max_message_size != config.max_message_size
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

/// Whether a stream could not be had because it does not exist (rather
/// than because the server could not be asked).
pub fn is_missing(error: &jetstream::context::GetStreamError) -> bool {
    matches!(
        error.kind(),
        jetstream::context::GetStreamErrorKind::JetStream(ref js)
            if js.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND
    )
}
