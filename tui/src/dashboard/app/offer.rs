//! The offer dialog: opening it for the selected shopper (or saying why not),
//! and its keys, which pick a template or send what was typed.

use floorwalker_shared::session::State;

use super::{App, OfferDialog};
use crate::dashboard::keymap::Action;
use crate::dashboard::msg::Effect;
use crate::dashboard::strings;

impl App {
    /// Opens the offer dialog for the selected shopper, or says why not.
    pub(super) fn open_offer(&mut self) {
        let Some(key) = self.selected.clone() else {
            self.say(strings::NO_SELECTION);
            return;
        };
        let Some(session) = self.floor.get(&key) else {
            self.say(strings::SHOPPER_GONE);
            return;
        };
        let refusal = match self.floor.state(session, self.now_ms) {
            State::Declined => Some(strings::OFFER_DECLINED),
            State::Left => Some(strings::OFFER_LEFT),
            State::Offered => Some(strings::OFFER_PENDING),
            State::Queued | State::Chatting => Some(strings::OFFER_IN_CHAT),
            State::Browsing | State::InCheckout if !self.desk.can_answer() => {
                Some(strings::OFFER_NO_AGENT)
            }
            State::Browsing | State::InCheckout => None,
        };
        if let Some(why) = refusal {
            self.say(why);
            return;
        }
        self.offer = Some(OfferDialog {
            session: key,
            choice: 0,
            typed: String::new(),
        });
    }

    pub(super) fn offer_key(&mut self, action: Action) -> Vec<Effect> {
        let choices = self.templates.len() + 1;
        let Some(dialog) = &mut self.offer else {
            return Vec::new();
        };
        match action {
            Action::Back => self.offer = None,
            Action::Up => dialog.choice = (dialog.choice + choices - 1) % choices,
            Action::Down => dialog.choice = (dialog.choice + 1) % choices,
            Action::Erase => {
                dialog.typed.pop();
            }
            Action::Confirm | Action::Open => {
                let text = self
                    .templates
                    .get(dialog.choice)
                    .cloned()
                    .unwrap_or_else(|| dialog.typed.trim().to_owned());
                if text.is_empty() {
                    self.say(strings::OFFER_EMPTY);
                    return Vec::new();
                }
                let session = dialog.session.clone();
                self.offer = None;
                self.offers_made += 1;
                let offer_id = format!("{}-{}-{}", self.operator, self.now_ms, self.offers_made);
                self.say(strings::OFFER_SENDING);
                return vec![Effect::SendOffer {
                    session,
                    offer_id,
                    text,
                }];
            }
            _ => {}
        }
        Vec::new()
    }
}
