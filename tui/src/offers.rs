//! Offers as the audit trail records them (`fw.audit.<user>.offer` in
//! `AUDIT`): what the dashboard writes, and the dashboard and `tail` read
//! for the offers sent and the acceptance rate.

use floorwalker_shared::floor::Floor;
use floorwalker_shared::subject::{self, SessionSubjects, SessionToken, SiteId, Subject};
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
