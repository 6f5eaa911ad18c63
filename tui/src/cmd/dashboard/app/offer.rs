//! The offer dialog: opening it for the selected shopper (or saying why not),
//! and its keys, which pick a template or send what was typed.

use floorwalker_shared::session::State;

use super::{App, Mode, OfferDialog};
use crate::cmd::dashboard::keymap::Action;
use crate::cmd::dashboard::msg::{Effect, OfferRecord};
use crate::cmd::dashboard::strings;

impl App {
    /// Opens the offer dialog over `under` for the selected shopper, or
    /// says why not.
    pub(super) fn open_offer(&mut self, under: Mode) -> (Mode, Vec<Effect>) {
        let refusal = match self.selected.as_ref().map(|key| self.floor.get(key)) {
            None => Some(strings::NO_SELECTION),
            Some(None) => Some(strings::SHOPPER_GONE),
            // Declined is final in a session, whatever came after.
            Some(Some(session)) if session.declined => Some(strings::OFFER_DECLINED),
            Some(Some(session)) => match self.floor.state(session, self.now_ms) {
                State::Declined => Some(strings::OFFER_DECLINED),
                State::Left => Some(strings::OFFER_LEFT),
                // A push goes to connected pages only: it would be lost.
                State::Reconnecting => Some(strings::OFFER_RECONNECTING),
                State::Offered => Some(strings::OFFER_PENDING),
                State::Queued | State::Chatting => Some(strings::OFFER_IN_CHAT),
                State::Browsing | State::InCheckout | State::Bought if !self.desk.can_answer() => {
                    Some(strings::OFFER_NO_AGENT)
                }
                State::Browsing | State::InCheckout | State::Bought => None,
            },
        };
        match (refusal, self.selected.clone()) {
            (None, Some(session)) => {
                let dialog = OfferDialog {
                    session,
                    choice: 0,
                    typed: String::new(),
                };
                (Mode::Offer(dialog, Box::new(under)), Vec::new())
            }
            (why, _) => {
                self.say(why.unwrap_or(strings::NO_SELECTION));
                (under, Vec::new())
            }
        }
    }

    pub(super) fn offer_key(
        &mut self,
        mut dialog: OfferDialog,
        under: Box<Mode>,
        action: Action,
    ) -> (Mode, Vec<Effect>) {
        let choices = self.templates.len() + 1;
        match action {
            Action::Back => return (*under, Vec::new()),
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
                    return (Mode::Offer(dialog, under), Vec::new());
                }
                let record = OfferRecord {
                    site: dialog.session.site().to_string(),
                    token: dialog.session.token().to_string(),
                    offer_id: self.next_id(),
                    text,
                    by: self.operator.clone(),
                    sent_ms: self.now_ms,
                };
                self.say(strings::OFFER_SENDING);
                let effect = Effect::SendOffer {
                    session: dialog.session,
                    record,
                };
                return (*under, vec![effect]);
            }
            _ => {}
        }
        (Mode::Offer(dialog, under), Vec::new())
    }
}
