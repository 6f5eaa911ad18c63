//! Recording an operator's desk fact in the stream: a JetStream publish,
//! retried until the stream acknowledges it.
//!
//! No `Nats-Msg-Id`: the stream would drop a fact whose id another
//! operator used first, and ids of facts about a chat can be guessed (an
//! agent could make another's "end" a duplicate before it is sent). A retry
//! after a lost acknowledgement may be stored twice; the desk's fold takes
//! a fact seen again as no change (a claim of a chat one holds, a message
//! id the chat has, an end of an ended chat), so the sender's own ids,
//! checked against the user the broker vouches for, are what make it once.

use std::time::Duration;

use async_nats::jetstream;
use floorwalker_shared::chat::{DeskEnvelope, DeskFact};
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
    let mut wait = Duration::from_millis(200);
    let mut last = String::new();
    for _ in 0..ATTEMPTS {
        let sent = js.publish(subject.to_string(), payload.clone()).await;
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
