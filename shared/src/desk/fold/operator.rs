//! How agents', supervisors' and the router's facts change the desk: status,
//! claims, messages, whispers, reassigning, ending, lost agents and gone
//! shoppers.

use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::chat::DeskFact;
use crate::desk::{
    Agent, AgentState, ChatState, Desk, Folded, Line, Rejection, Speaker, page_msg_id,
};

impl Desk {
    pub(super) fn operator(&mut self, user: &str, fact: &DeskFact, at_ms: u64) -> Folded {
        match fact {
            DeskFact::Status {
                available,
                capacity,
            } => {
                let agent = self.agents.entry(user.into()).or_insert_with(|| Agent {
                    name: user.into(),
                    available: false,
                    capacity: 1,
                    online: false,
                    holding: BTreeSet::new(),
                    last_reply_ms: None,
                });
                agent.available = *available;
                agent.capacity = *capacity;
                agent.online = true;
                Ok(true)
            }
            DeskFact::Claim { chat_id } => self.claim(user, chat_id, at_ms),
            DeskFact::Message {
                chat_id,
                msg_id,
                text,
            } => self.say(
                chat_id,
                msg_id,
                Speaker::Agent(user.into()),
                text,
                Some(user),
                at_ms,
            ),
            DeskFact::Join {
                chat_id,
                msg_id,
                text,
            } => self.say(
                chat_id,
                msg_id,
                Speaker::Supervisor(user.into()),
                text,
                None,
                at_ms,
            ),
            DeskFact::Whisper {
                chat_id,
                msg_id,
                text,
            } => self.say(
                chat_id,
                msg_id,
                Speaker::Whisper(user.into()),
                text,
                None,
                at_ms,
            ),
            DeskFact::End { chat_id } => {
                let chat = self.chats.get(chat_id).ok_or(Rejection::Unknown)?;
                match chat.agent() {
                    Some(agent) if agent == user => {
                        let text = "the agent ended the chat";
                        self.close(chat_id, at_ms, text);
                        Ok(true)
                    }
                    Some(_) => Err(Rejection::NotYours),
                    None if chat.state == ChatState::Ended => Ok(false),
                    None => Err(Rejection::State),
                }
            }
            DeskFact::Reassign { chat_id, to } => {
                self.reassign(user, chat_id, to.as_deref(), at_ms)
            }
            DeskFact::Lost { agent } => {
                let Some(lost) = self.agents.get_mut(agent) else {
                    return Err(Rejection::Unknown);
                };
                lost.online = false;
                let held: Vec<String> = core::mem::take(&mut lost.holding).into_iter().collect();
                for chat_id in held {
                    if let Some(chat) = self.chats.get_mut(&chat_id) {
                        chat.state = ChatState::Queued;
                        chat.queued_ms = at_ms;
                        chat.note(at_ms, "back in the queue: the agent was lost");
                    }
                }
                Ok(true)
            }
            DeskFact::Gone { chat_id } => {
                let chat = self.chats.get(chat_id).ok_or(Rejection::Unknown)?;
                if chat.state.is_closed() {
                    return Ok(false);
                }
                self.close(chat_id, at_ms, "the shopper is gone");
                Ok(true)
            }
            DeskFact::Incident { .. } | DeskFact::Take { .. } | DeskFact::Resolve { .. } => {
                self.incident(user, fact, at_ms)
            }
        }
    }

    fn claim(&mut self, user: &str, chat_id: &str, at_ms: u64) -> Folded {
        let chat = self.chats.get(chat_id).ok_or(Rejection::Unknown)?;
        match chat.agent() {
            Some(agent) if agent == user => return Ok(false),
            Some(_) => return Err(Rejection::State),
            None if chat.state != ChatState::Queued => return Err(Rejection::State),
            None => {}
        }
        let agent = self.agents.get(user).ok_or(Rejection::Unavailable)?;
        if agent.state() != AgentState::Available {
            return Err(Rejection::Unavailable);
        }
        self.hand_to(chat_id, user, at_ms, &format!("{user} took the chat"));
        Ok(true)
    }

    /// A supervisor (`by`, named by the subject the broker vouches for)
    /// moves a chat; the transcript says who moved it, from whom, to whom,
    /// and whether it put the agent over their capacity.
    fn reassign(&mut self, by: &str, chat_id: &str, to: Option<&str>, at_ms: u64) -> Folded {
        let chat = self.chats.get(chat_id).ok_or(Rejection::Unknown)?;
        if chat.state.is_closed() {
            return Err(Rejection::State);
        }
        if chat.agent() == to {
            return Ok(false);
        }
        if let Some(to) = to
            && !self.agents.get(to).is_some_and(|a| a.online)
        {
            return Err(Rejection::Unavailable);
        }
        let from = chat.agent().map(String::from);
        if let Some(from) = &from
            && let Some(agent) = self.agents.get_mut(from)
        {
            agent.holding.remove(chat_id);
        }
        let from = from.map_or(String::new(), |f| format!(" from {f}"));
        let text = match to {
            // A supervisor may give an agent more than its capacity (the
            // dashboard asks first); the transcript keeps that it did.
            Some(to) => {
                let over = self.agents.get(to).map_or(String::new(), |a| {
                    let held = a.holding.len() + 1;
                    if held > usize::from(a.capacity) {
                        format!(" (over capacity: {held}/{})", a.capacity)
                    } else {
                        String::new()
                    }
                });
                format!("{by} moved the chat{from} to {to}{over}")
            }
            None => format!("{by} moved the chat{from} back to the queue"),
        };
        match to {
            Some(to) => self.hand_to(chat_id, to, at_ms, &text),
            None => {
                if let Some(chat) = self.chats.get_mut(chat_id) {
                    chat.state = ChatState::Queued;
                    chat.queued_ms = at_ms;
                    chat.note(at_ms, &text);
                }
            }
        }
        Ok(true)
    }

    /// Gives a chat to an agent, with `note` in its transcript.
    fn hand_to(&mut self, chat_id: &str, agent: &str, at_ms: u64, note: &str) {
        if let Some(holder) = self.agents.get_mut(agent) {
            holder.holding.insert(chat_id.into());
        }
        if let Some(chat) = self.chats.get_mut(chat_id) {
            chat.state = ChatState::Active {
                agent: agent.into(),
            };
            chat.answered_ms.get_or_insert(at_ms);
            chat.note(at_ms, note);
        }
    }

    /// Writes a line from an operator; `holder` is the agent who must hold
    /// the chat (an agent's message), `None` for a supervisor.
    fn say(
        &mut self,
        chat_id: &str,
        msg_id: &str,
        speaker: Speaker,
        text: &str,
        holder: Option<&str>,
        at_ms: u64,
    ) -> Folded {
        let max_lines = self.config.max_lines;
        let chat = self.chats.get_mut(chat_id).ok_or(Rejection::Unknown)?;
        // Operators' ids are theirs, shoppers' theirs: keep them apart.
        let key = page_msg_id(msg_id);
        if chat.msg_ids.contains(&key) {
            return Ok(false);
        }
        if chat.state.is_closed() {
            return Err(Rejection::State);
        }
        if let Some(holder) = holder
            && chat.agent() != Some(holder)
        {
            return Err(Rejection::NotYours);
        }
        if chat.lines.len() >= max_lines {
            return Err(Rejection::Full);
        }
        let seen_by_shopper = !matches!(speaker, Speaker::Whisper(_));
        chat.msg_ids.insert(key.clone());
        chat.lines.push(Line {
            at_ms,
            speaker,
            text: text.into(),
            msg_id: Some(key),
        });
        if seen_by_shopper {
            chat.first_response_ms.get_or_insert(at_ms);
            if let Some(since) = chat.awaiting_since.take() {
                chat.responses.push((at_ms.saturating_sub(since), at_ms));
            }
        }
        if let Some(agent) = holder.and_then(|h| self.agents.get_mut(h)) {
            agent.last_reply_ms = Some(at_ms);
        }
        Ok(true)
    }
}
