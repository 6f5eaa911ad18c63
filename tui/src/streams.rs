//! The JetStream streams Floorwalker keeps: every shopper's batches
//! ([`EVENTS`], what a dashboard replays when it opens) and the audit trail
//! of what operators did ([`AUDIT`]). An admin creates them ([`ensure`];
//! `floorwalker demo` does it for the demo); other roles may only read.

use std::time::Duration;

use async_nats::jetstream::{self, stream};
use floorwalker_shared::subject;

/// Every shopper's event batches, kept for a day.
pub const EVENTS: &str = "EVENTS";

/// What operators did (offers sent, and later chat actions), kept a year.
pub const AUDIT: &str = "AUDIT";

/// Why the streams could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("could not create or check stream '{stream}': {source}")]
pub struct StreamsError {
    stream: &'static str,
    #[source]
    source: jetstream::context::CreateStreamError,
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
            subjects: vec![subject::audit_all().to_string()],
            storage: stream::StorageType::File,
            max_age: Duration::from_secs(365 * 24 * 3_600),
            // Full is refused, not forgotten: an audit trail loses nothing.
            max_bytes: 1 << 30,
            discard: stream::DiscardPolicy::New,
            ..stream::Config::default()
        },
    ]
}

/// Creates the streams that do not exist yet (as an admin).
pub async fn ensure(client: &async_nats::Client) -> Result<(), StreamsError> {
    let js = jetstream::new(client.clone());
    for config in configs() {
        let name = if config.name == EVENTS { EVENTS } else { AUDIT };
        js.get_or_create_stream(config)
            .await
            .map_err(|source| StreamsError {
                stream: name,
                source,
            })?;
    }
    Ok(())
}
