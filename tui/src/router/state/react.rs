//! What the router decides: what a new fact makes it do, the incident a
//! shopper's "No" opens, and the queue news for waiting shoppers.

use std::collections::HashMap;

use floorwalker_shared::chat::{ChatFact, DeskFact, MAX_INCIDENT_JOURNEY, MAX_JOURNEY_LINE_LEN};
use floorwalker_shared::desk::{Chat, Fact, page_msg_id};
use floorwalker_shared::event::Push;
use floorwalker_shared::metrics::Waits;

use super::pushes::survey;
use super::{Action, Router};
use crate::format::step_text;

impl Router {
    pub(super) fn react(&mut self, fact: &Fact, at_ms: u64) -> Vec<Action> {
        let mut actions = Vec::new();
        match fact {
            Fact::Shopper(
                _,
                ChatFact::Survey {
                    chat_id, helped, ..
                },
            ) if !helped => {
                actions.extend(self.open_incident(chat_id, at_ms));
            }
            Fact::Shopper(..) => {}
            Fact::Operator(user, fact) => {
                let chat = fact_chat(fact).and_then(|id| self.desk.chat(id));
                let session = chat.map(|c| c.session.clone());
                match (fact, session) {
                    (
                        DeskFact::Claim { chat_id } | DeskFact::Reassign { chat_id, .. },
                        Some(session),
                    ) => {
                        if let Some(agent) = chat.and_then(Chat::agent) {
                            actions.push(Action::Push(
                                session,
                                Push::ChatJoined {
                                    chat_id: chat_id.clone(),
                                    agent_name: agent.to_owned(),
                                },
                            ));
                        } else {
                            self.told.remove(chat_id);
                        }
                    }
                    (
                        DeskFact::Message {
                            chat_id,
                            msg_id,
                            text,
                        }
                        | DeskFact::Join {
                            chat_id,
                            msg_id,
                            text,
                        },
                        Some(session),
                    ) => actions.push(Action::Push(
                        session,
                        Push::AgentMessage {
                            chat_id: chat_id.clone(),
                            agent_name: user.clone(),
                            text: text.clone(),
                            from_supervisor: matches!(fact, DeskFact::Join { .. }),
                            msg_id: Some(page_msg_id(msg_id)),
                        },
                    )),
                    (DeskFact::End { chat_id }, Some(session)) => {
                        actions.push(survey(&session, chat_id));
                    }
                    (DeskFact::Gone { chat_id }, _) => {
                        self.told.remove(chat_id);
                    }
                    (DeskFact::Incident { .. }, _) => self.counts.incidents += 1,
                    _ => {}
                }
            }
        }
        self.count(&actions);
        actions
    }

    pub(super) fn open_incident(&mut self, chat_id: &str, now_ms: u64) -> Vec<Action> {
        if !self.start_recording(format!("incident:{chat_id}"), now_ms) {
            return Vec::new();
        }
        let journey = self
            .desk
            .chat(chat_id)
            .and_then(|c| self.floor.get(&c.session))
            .map(|session| {
                let entries = session.journey.entries();
                let skip = entries.len().saturating_sub(MAX_INCIDENT_JOURNEY);
                entries
                    .skip(skip)
                    .map(|e| clip(&step_text(&e.step, &session.currency), MAX_JOURNEY_LINE_LEN))
                    .collect()
            })
            .unwrap_or_default();
        vec![Action::Record(DeskFact::Incident {
            chat_id: chat_id.to_owned(),
            journey,
        })]
    }

    /// Queue statuses for the waiting shoppers whose place or expected wait
    /// changed since they were last told.
    pub(super) fn queue_news(&mut self, now_ms: u64) -> Vec<Action> {
        let waits = Waits::of(&self.desk, now_ms);
        let mut told = HashMap::new();
        let mut actions = Vec::new();
        for (at, chat) in self.desk.queue().into_iter().enumerate() {
            let position = u32::try_from(at + 1).unwrap_or(u32::MAX);
            let wait = waits.at(position);
            // Told again when the place changes or the wait moves by a
            // minute or more, not at every second's drift.
            let news = (position, wait.map_or(u64::MAX, |ms| ms / 60_000));
            if self.told.get(&chat.id) != Some(&news) {
                actions.push(Action::Push(
                    chat.session.clone(),
                    Push::QueueStatus {
                        chat_id: chat.id.clone(),
                        position,
                        expected_wait_secs: wait
                            .map(|ms| u32::try_from(ms / 1000).unwrap_or(u32::MAX)),
                    },
                ));
            }
            told.insert(chat.id.clone(), news);
        }
        // Only the waiting are remembered.
        self.told = told;
        actions
    }
}

/// The chat a desk fact is about.
fn fact_chat(fact: &DeskFact) -> Option<&str> {
    match fact {
        DeskFact::Claim { chat_id }
        | DeskFact::Message { chat_id, .. }
        | DeskFact::End { chat_id }
        | DeskFact::Join { chat_id, .. }
        | DeskFact::Reassign { chat_id, .. }
        | DeskFact::Gone { chat_id }
        | DeskFact::Incident { chat_id, .. } => Some(chat_id),
        _ => None,
    }
}

fn clip(text: &str, max: usize) -> String {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}
