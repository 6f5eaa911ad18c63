//! How incidents open (a "No" survey answer, through the router), are taken
//! and are resolved.

use crate::chat::DeskFact;
use crate::desk::{Desk, Folded, Incident, Rejection};

impl Desk {
    pub(super) fn incident(&mut self, user: &str, fact: &DeskFact, at_ms: u64) -> Folded {
        match fact {
            DeskFact::Incident { chat_id, journey } => {
                let chat = self.chats.get(chat_id).ok_or(Rejection::Unknown)?;
                if self.incidents.contains_key(chat_id) {
                    return Ok(false);
                }
                if chat.survey.as_ref().is_none_or(|s| s.helped) {
                    return Err(Rejection::State);
                }
                self.incidents.insert(
                    chat_id.clone(),
                    Incident {
                        chat_id: chat_id.clone(),
                        opened_ms: at_ms,
                        journey: journey.clone(),
                        taken: None,
                        resolved_ms: None,
                    },
                );
                Ok(true)
            }
            DeskFact::Take { chat_id } => {
                let incident = self.incidents.get_mut(chat_id).ok_or(Rejection::Unknown)?;
                match &incident.taken {
                    Some((by, _)) if by == user => Ok(false),
                    Some(_) => Err(Rejection::NotYours),
                    None => {
                        incident.taken = Some((user.into(), at_ms));
                        Ok(true)
                    }
                }
            }
            DeskFact::Resolve { chat_id } => {
                let incident = self.incidents.get_mut(chat_id).ok_or(Rejection::Unknown)?;
                match &incident.taken {
                    Some((by, _)) if by == user => {
                        if incident.resolved_ms.is_some() {
                            return Ok(false);
                        }
                        incident.resolved_ms = Some(at_ms);
                        Ok(true)
                    }
                    Some(_) => Err(Rejection::NotYours),
                    None => Err(Rejection::State),
                }
            }
            _ => Err(Rejection::Kind),
        }
    }
}
