//! Offers made to a session, and how far each got as the shopper's answers
//! come in. An offer left unanswered past its expiry is over: it shows as
//! expired, and the shopper may be offered again.

use alloc::borrow::ToOwned;
use alloc::string::String;

use super::Session;
use crate::journey::Step;

/// What became of an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferProgress {
    /// Published to the shopper's push subject.
    Sent,
    /// On the shopper's screen.
    Shown,
    /// Accepted.
    Accepted,
    /// Declined or dismissed.
    Declined,
    /// Not answered in time ([`Offer::expires_ms`]); never stored, only
    /// reported by [`Offer::progress_at`].
    Expired,
}

impl OfferProgress {
    /// The progress on screen.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Shown => "shown",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Expired => "expired",
        }
    }

    /// Whether the offer is over: answered, or expired.
    pub fn is_over(self) -> bool {
        matches!(self, Self::Accepted | Self::Declined | Self::Expired)
    }
}

/// An offer made to this session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// Its id, echoed by the shopper's answers.
    pub id: String,
    /// What it said.
    pub text: String,
    /// The operator who sent it.
    pub by: String,
    /// When it was sent (operator's clock).
    pub sent_ms: u64,
    /// When it expires if still unanswered (operator's clock).
    pub expires_ms: u64,
    /// How far it got, as the shopper's answers said.
    pub progress: OfferProgress,
}

impl Offer {
    /// How far it got at `now_ms`: [`OfferProgress::Expired`] once it is
    /// past its expiry without an answer.
    pub fn progress_at(&self, now_ms: u64) -> OfferProgress {
        match self.progress {
            OfferProgress::Sent | OfferProgress::Shown if now_ms >= self.expires_ms => {
                OfferProgress::Expired
            }
            progress => progress,
        }
    }
}

/// How long an offer waits for an answer by default.
pub const OFFER_EXPIRES_AFTER_MS: u64 = 2 * 60_000;

impl Session {
    pub(super) fn offer_progress(&mut self, offer_id: &str, progress: OfferProgress) {
        // Answers of offers sent before we were watching still count.
        if let Some(offer) = self.offers.iter_mut().find(|o| o.id == offer_id) {
            // Answers may arrive in any order; an answer is final.
            if !offer.progress.is_over() {
                offer.progress = progress;
            }
        }
    }

    /// Notes an offer an operator sent at `sent_ms`, unanswered after
    /// `expires_after_ms` expired.
    pub fn offer_sent(
        &mut self,
        id: &str,
        text: &str,
        by: &str,
        sent_ms: u64,
        expires_after_ms: u64,
    ) {
        if self.offers.iter().any(|o| o.id == id) {
            return;
        }
        self.offers.push(Offer {
            id: id.to_owned(),
            text: text.to_owned(),
            by: by.to_owned(),
            sent_ms,
            expires_ms: sent_ms.saturating_add(expires_after_ms),
            progress: OfferProgress::Sent,
        });
        self.journey.push(
            sent_ms,
            Step::OfferSent {
                offer_id: id.to_owned(),
                text: text.to_owned(),
                by: by.to_owned(),
            },
        );
    }
}
