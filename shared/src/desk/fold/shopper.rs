//! How a shopper's chat facts change the desk: a request opens a chat, and
//! messages, leaving and the survey's answer change it.

use alloc::collections::BTreeSet;
use alloc::vec::Vec;

use crate::chat::ChatFact;
use crate::desk::{Chat, ChatState, Desk, Folded, Line, Rejection, Speaker, Survey};
use crate::subject::SessionSubjects;

impl Desk {
    pub(super) fn shopper(
        &mut self,
        session: &SessionSubjects,
        fact: &ChatFact,
        at_ms: u64,
    ) -> Folded {
        if let ChatFact::Request { chat_id, offer_id } = fact {
            return self.request(session, chat_id, offer_id.as_deref(), at_ms);
        }
        let max_lines = self.config.max_lines;
        let chat = self
            .chats
            .get_mut(fact.chat_id())
            .ok_or(Rejection::Unknown)?;
        if chat.session != *session {
            return Err(Rejection::NotYours);
        }
        match fact {
            ChatFact::Request { .. } => unreachable!("handled above"),
            ChatFact::Message { msg_id, text, .. } => {
                if chat.msg_ids.contains(msg_id) {
                    return Ok(false);
                }
                if chat.state.is_closed() {
                    return Err(Rejection::State);
                }
                if chat.lines.len() >= max_lines {
                    return Err(Rejection::Full);
                }
                chat.msg_ids.insert(msg_id.clone());
                chat.lines.push(Line {
                    at_ms,
                    speaker: Speaker::Shopper,
                    text: text.clone(),
                    msg_id: Some(msg_id.clone()),
                });
                chat.awaiting_since.get_or_insert(at_ms);
                Ok(true)
            }
            ChatFact::Leave { .. } => {
                if chat.state.is_closed() {
                    return Ok(false);
                }
                let chat_id = chat.id.clone();
                self.close(&chat_id, at_ms, "the shopper left the chat");
                Ok(true)
            }
            ChatFact::Survey {
                helped, comment, ..
            } => {
                if chat.survey.is_some() {
                    return Ok(false);
                }
                if chat.state != ChatState::Ended {
                    return Err(Rejection::State);
                }
                chat.survey = Some(Survey {
                    helped: *helped,
                    comment: comment.clone(),
                    at_ms,
                });
                Ok(true)
            }
        }
    }

    fn request(
        &mut self,
        session: &SessionSubjects,
        chat_id: &str,
        offer_id: Option<&str>,
        at_ms: u64,
    ) -> Folded {
        if let Some(chat) = self.chats.get(chat_id) {
            return if chat.session == *session {
                Ok(false)
            } else {
                Err(Rejection::NotYours)
            };
        }
        if self.chat_of(session).is_some_and(|c| !c.state.is_closed()) {
            return Err(Rejection::AlreadyOpen);
        }
        if self.chats.len() >= self.config.max_chats {
            return Err(Rejection::Full);
        }
        let mut chat = Chat {
            id: chat_id.into(),
            session: session.clone(),
            offer_id: offer_id.map(Into::into),
            requested_ms: at_ms,
            queued_ms: at_ms,
            state: ChatState::Queued,
            answered_ms: None,
            first_response_ms: None,
            closed_ms: None,
            lines: Vec::new(),
            responses: Vec::new(),
            survey: None,
            awaiting_since: None,
            msg_ids: BTreeSet::new(),
        };
        chat.note(
            at_ms,
            if offer_id.is_some() {
                "the shopper accepted an offer"
            } else {
                "the shopper asked for help"
            },
        );
        self.chats.insert(chat_id.into(), chat);
        self.latest.insert(session.clone(), chat_id.into());
        Ok(true)
    }
}
