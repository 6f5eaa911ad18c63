//! Offers as the audit trail records them (`fw.audit.<user>.offer` in
//! `AUDIT`): what the dashboard writes, and the dashboard and `tail` read
//! for the offers sent and the acceptance rate.

use async_nats::jetstream;
use bytes::Bytes;
use floorwalker_shared::event::{Push, PushEnvelope};
use floorwalker_shared::floor::Floor;
use floorwalker_shared::subject::{self, SessionSubjects, SessionToken, SiteId, Subject};
use floorwalker_shared::wire::encode_push;
use serde::{Deserialize, Serialize};

/// One offer sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferRecord {
    /// The session it went to.
    pub site: String,
    /// The session's token.
    pub token: String,
    /// The offer's id.
    pub offer_id: String,
    /// What it said.
    pub text: String,
    /// The operator who sent it (as recorded; readers take the subject's).
    pub by: String,
    /// When, in ms since the Unix epoch (the sender's clock).
    pub sent_ms: u64,
}

impl OfferRecord {
    /// Reads an offer from its audit subject and payload; the operator is
    /// the subject's, which the broker vouches for. `None` for anything
    /// else.
    pub fn read(subject: &Subject, payload: &[u8]) -> Option<Self> {
        let (user, "offer") = subject::audit_parts(subject)? else {
            return None;
        };
        let mut record: Self = serde_json::from_slice(payload).ok()?;
        user.clone_into(&mut record.by);
        Some(record)
    }

    /// The session it went to, if its site and token are valid.
    pub fn session(&self) -> Option<SessionSubjects> {
        let site = SiteId::new(self.site.as_str()).ok()?;
        let token = SessionToken::new(self.token.as_str()).ok()?;
        Some(SessionSubjects::new(site, token))
    }

    /// Notes the offer on `floor`.
    pub fn note(&self, floor: &mut Floor) {
        if let Some(session) = self.session() {
            let _ = floor.offer_sent(&session, &self.offer_id, &self.text, &self.by, self.sent_ms);
        }
    }
}
/// Why an offer was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfferError {
    /// The operator's name cannot name an audit subject.
    #[error("Offer not sent: the operator's name {0}.")]
    Operator(#[from] subject::SubjectError),
    /// The audit trail refused it, or no stream stored it.
    #[error(
        "Offer not sent: no audit trail stored it ({0}); an admin must create the AUDIT stream."
    )]
    Audit(String),
    /// It was recorded but could not be pushed to the shopper.
    #[error("Offer recorded but it may not have reached the shopper: {0}")]
    Push(String),
}

/// Records `record` in the audit trail, then pushes it to the shopper at
/// `session`: an offer that cannot be recorded is not sent.
///
/// # Errors
/// When the audit trail does not store it, or the push cannot be written.
pub async fn send(
    client: &async_nats::Client,
    session: &SessionSubjects,
    record: &OfferRecord,
) -> Result<(), OfferError> {
    let audit = subject::audit_offer(&record.by)?;
    let body = serde_json::to_vec(record).map_err(|e| OfferError::Audit(e.to_string()))?;
    let js = jetstream::new(client.clone());
    let ack = js
        .publish(audit.to_string(), body.into())
        .await
        .map_err(|e| OfferError::Audit(e.to_string()))?;
    ack.await.map_err(|e| OfferError::Audit(e.to_string()))?;
    let push = PushEnvelope::new(Push::ChatOffer {
        offer_id: record.offer_id.clone(),
        text: record.text.clone(),
    });
    client
        .publish(session.push().to_string(), Bytes::from(encode_push(&push)))
        .await
        .map_err(|e| OfferError::Push(e.to_string()))?;
    client
        .flush()
        .await
        .map_err(|e| OfferError::Push(e.to_string()))
}
