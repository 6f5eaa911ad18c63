//! Offers made to a session, and how far each got as the shopper's answers
//! come in.

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
}

impl OfferProgress {
    /// The progress on screen.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Shown => "shown",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
        }
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
    /// How far it got.
    pub progress: OfferProgress,
}

impl Session {
    pub(super) fn offer_progress(&mut self, offer_id: &str, progress: OfferProgress) {
        // Answers of offers sent before we were watching still count.
        if let Some(offer) = self.offers.iter_mut().find(|o| o.id == offer_id) {
            // Answers may arrive in any order; an answer is final.
            if !matches!(
                offer.progress,
                OfferProgress::Accepted | OfferProgress::Declined
            ) {
                offer.progress = progress;
            }
        }
    }

    /// Notes an offer an operator sent, at `sent_ms`.
    pub fn offer_sent(&mut self, id: &str, text: &str, by: &str, sent_ms: u64) {
        if self.offers.iter().any(|o| o.id == id) {
            return;
        }
        self.offers.push(Offer {
            id: id.to_owned(),
            text: text.to_owned(),
            by: by.to_owned(),
            sent_ms,
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
