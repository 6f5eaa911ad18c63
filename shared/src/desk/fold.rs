//! The rules of the desk: how each fact changes it, or why it is refused.
//!
//! `shopper` holds how a shopper's facts change the desk, `operator` how
//! agents', supervisors' and the router's do, and `incident` how incidents
//! open and close; closing a chat, which both sides do, is here.

mod incident;
mod operator;
mod shopper;

use super::{ChatState, Desk, Fact, Folded};

impl Desk {
    pub(super) fn apply(&mut self, fact: &Fact, at_ms: u64) -> Folded {
        match fact {
            Fact::Shopper(session, fact) => self.shopper(session, fact, at_ms),
            Fact::Operator(user, fact) => self.operator(user, fact, at_ms),
        }
    }

    fn close(&mut self, chat_id: &str, at_ms: u64, why: &str) {
        let Some(chat) = self.chats.get_mut(chat_id) else {
            return;
        };
        if let ChatState::Active { agent } = &chat.state
            && let Some(agent) = self.agents.get_mut(agent)
        {
            agent.holding.remove(chat_id);
        }
        chat.state = if chat.answered_ms.is_some() {
            ChatState::Ended
        } else {
            ChatState::Abandoned
        };
        chat.closed_ms = Some(at_ms);
        chat.awaiting_since = None;
        chat.note(at_ms, why);
    }
}
