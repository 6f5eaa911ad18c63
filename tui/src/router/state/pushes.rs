//! The pushes the router builds from a chat on the desk: the transcript a
//! (re)connecting page catches up with, and the survey that closes a chat.

use floorwalker_shared::desk::{Chat, Speaker};
use floorwalker_shared::event::limits::{MAX_CHAT_TEXT_LEN, MAX_TRANSCRIPT_LINES};
use floorwalker_shared::event::{Push, TranscriptLine};
use floorwalker_shared::subject::SessionSubjects;

use super::{Action, SURVEY_QUESTION};

pub(super) fn survey(session: &SessionSubjects, chat_id: &str) -> Action {
    Action::Push(
        session.clone(),
        Push::SurveyPrompt {
            chat_id: chat_id.to_owned(),
            question: SURVEY_QUESTION.to_owned(),
        },
    )
}

/// The latest lines the shopper saw, as many as fit one push.
pub(super) fn transcript(chat: &Chat) -> Push {
    let mut lines = Vec::new();
    let mut budget = MAX_CHAT_TEXT_LEN;
    let mut seen = 0;
    for (n, line) in chat.lines.iter().enumerate().rev() {
        let from = match &line.speaker {
            Speaker::Shopper => None,
            Speaker::Agent(name) | Speaker::Supervisor(name) => Some(name.clone()),
            Speaker::Whisper(_) | Speaker::Note => continue,
        };
        let cost = line.text.len() + from.as_ref().map_or(0, String::len);
        if cost > budget || seen == MAX_TRANSCRIPT_LINES {
            break;
        }
        budget -= cost;
        seen += 1;
        lines.push(TranscriptLine {
            msg_id: line.msg_id.clone().unwrap_or_else(|| format!("line-{n}")),
            from,
            text: line.text.clone(),
        });
    }
    lines.reverse();
    Push::Transcript {
        chat_id: chat.id.clone(),
        lines,
    }
}
