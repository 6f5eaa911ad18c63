//! Recording an operator's desk fact in the stream: a JetStream publish
//! with a message id, retried until the stream acknowledges it, so a retry
//! after a lost acknowledgement is stored once. Facts about a chat take
//! their id from it (a console resending after a restart repeats it).

use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream;
use floorwalker_shared::chat::{self, DeskEnvelope, DeskFact};
use floorwalker_shared::subject;

/// How often a fact is tried before giving up.
const ATTEMPTS: u32 = 6;

/// Why a fact was not recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The user name cannot name a desk subject.
    #[error("user '{0}' {1}")]
    User(String, #[source] subject::SubjectError),
    /// The stream did not acknowledge it after every try.
    #[error("the stream did not store a {kind} fact: {last}")]
    NotStored {
        /// The fact's kind.
        kind: &'static str,
        /// What the last try heard.
        last: String,
    },
}

/// Records `fact` under `user`; returns the stream sequence it was stored at.
///
/// # Errors
/// When the stream refused it, or did not acknowledge it after a few tries
/// over about ten seconds; the error says why.
pub async fn record(
    js: &jetstream::Context,
    user: &str,
    fact: &DeskFact,
) -> Result<u64, RecordError> {
    let subject =
        subject::desk(user, fact.kind()).map_err(|e| RecordError::User(user.to_owned(), e))?;
    let payload = bytes::Bytes::from(DeskEnvelope::new(fact.clone()).encode());
    // A fact that is fine twice (a status, a reassignment) still gets an
    // id for this call, so this call's own retries store it once.
    let id = fact
        .dedupe_id()
        .unwrap_or_else(|| format!("{}-{:016x}", fact.kind(), fastrand::u64(..)));
    let mut headers = HeaderMap::new();
    headers.insert(chat::MSG_ID_HEADER, chat::message_id(user, &id).as_str());
    let mut wait = Duration::from_millis(200);
    let mut last = String::new();
    for _ in 0..ATTEMPTS {
        let sent = js
            .publish_with_headers(subject.to_string(), headers.clone(), payload.clone())
            .await;
        match sent {
            Ok(ack) => match ack.await {
                Ok(ack) => return Ok(ack.sequence),
                Err(e) => last = e.to_string(),
            },
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(4));
    }
    Err(RecordError::NotStored {
        kind: fact.kind(),
        last,
    })
}
