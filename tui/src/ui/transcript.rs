//! A chat's transcript as terminal lines, for the agents' console and the
//! supervisor's desk view alike: time, who, what (made safe and wrapped to
//! the width), notes dimmed, whispers marked, and the survey's answer.

use floorwalker_shared::desk::{Chat, ChatState, Speaker};
use floorwalker_shared::sanitize::{for_terminal, width};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;

use crate::ui::theme::Theme;
use crate::ui::wrap;

/// The transcript of `chat` in lines at most `w` columns wide, oldest
/// first.
pub(crate) fn lines(chat: &Chat, w: usize, theme: Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for line in &chat.lines {
        let (who, style) = match &line.speaker {
            Speaker::Shopper => ("shopper".to_owned(), Style::new()),
            Speaker::Agent(name) => (name.clone(), theme.title()),
            Speaker::Supervisor(name) => (format!("{name} (supervisor)"), theme.title()),
            Speaker::Whisper(name) => (format!("{name} whispers"), theme.warn()),
            Speaker::Note => (String::new(), theme.dim()),
        };
        let head = if who.is_empty() {
            format!("{} · ", clock(line.at_ms))
        } else {
            format!("{} {who}: ", clock(line.at_ms))
        };
        out.extend(wrapped(&format!("{head}{}", line.text), w, style));
    }
    if let Some(survey) = &chat.survey {
        let verdict = if survey.helped {
            "helped"
        } else {
            "did NOT help"
        };
        let comment = survey
            .comment
            .as_deref()
            .map_or(String::new(), |c| format!(": \"{c}\""));
        let style = if survey.helped {
            theme.dim()
        } else {
            theme.warn()
        };
        out.extend(wrapped(&format!("survey: {verdict}{comment}"), w, style));
    } else if chat.state == ChatState::Ended {
        out.push(Line::from(Span::styled(
            "survey: waiting for the shopper's answer",
            theme.dim(),
        )));
    }
    out
}

/// `text` made safe and wrapped to `w` columns, later lines indented by two
/// columns and so cut two narrower: nothing is pushed past the pane's edge
/// and lost.
fn wrapped(text: &str, w: usize, style: Style) -> impl Iterator<Item = Line<'static>> {
    wrap::lines(text, w, w.saturating_sub(2))
        .into_iter()
        .enumerate()
        .map(move |(n, piece)| {
            let piece = if n == 0 { piece } else { format!("  {piece}") };
            Line::from(Span::styled(piece, style))
        })
}

/// A pane of `height` lines: `top` (what the chat is about), then as much
/// of the end of `said` as fits, then the text being typed, if any, on the
/// last line (`prompt` and `text`, its end kept in view).
pub(crate) fn pane(
    mut top: Vec<Line<'static>>,
    said: Vec<Line<'static>>,
    typing: Option<(&str, &str, Style)>,
    w: usize,
    height: usize,
) -> Vec<Line<'static>> {
    let input = typing.map(|(prompt, text, style)| {
        Line::from(Span::styled(
            end_in_view(&format!("{prompt}{}█", for_terminal(text, usize::MAX)), w),
            style,
        ))
    });
    let room = height
        .saturating_sub(top.len())
        .saturating_sub(usize::from(input.is_some()));
    let skip = said.len().saturating_sub(room);
    top.extend(said.into_iter().skip(skip));
    if let Some(input) = input {
        let pad = height.saturating_sub(top.len() + 1);
        top.extend(std::iter::repeat_n(Line::default(), pad));
        top.push(input);
    }
    top
}

/// The end of `shown` that fits in `w` columns, cut between graphemes.
fn end_in_view(shown: &str, w: usize) -> String {
    let mut room = w;
    let mut start = shown.len();
    for (at, g) in shown.grapheme_indices(true).rev() {
        let Some(left) = room.checked_sub(width(g)) else {
            break;
        };
        room = left;
        start = at;
    }
    shown[start..].to_owned()
}

/// `hh:mm:ss` (UTC) of a stream time.
pub(crate) fn clock(ms: u64) -> String {
    let s = ms / 1_000;
    format!("{:02}:{:02}:{:02}", s / 3_600 % 24, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use floorwalker_shared::chat::ChatFact;
    use floorwalker_shared::desk::{Desk, DeskConfig};
    use floorwalker_shared::testing::{self, session};

    use super::*;

    /// A chat in which the shopper said `text`, at 00:00:30.
    fn chat_saying(text: &str) -> Chat {
        let mut desk = Desk::new(DeskConfig::default());
        let (subject, payload) = testing::chat_message(&session(1), testing::request("c1"));
        desk.record(&subject, &payload, 10_000).unwrap();
        let said = ChatFact::Message {
            chat_id: "c1".into(),
            msg_id: "m1".into(),
            text: text.into(),
        };
        let (subject, payload) = testing::chat_message(&session(1), said);
        desk.record(&subject, &payload, 30_000).unwrap();
        desk.chat("c1").unwrap().clone()
    }

    fn said(chat: &Chat, w: usize) -> Vec<String> {
        lines(chat, w, Theme { color: false })
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .skip_while(|l: &String| !l.starts_with("00:00:30"))
            .collect()
    }

    #[test]
    fn long_lines_wrap_without_losing_a_letter() {
        let chat = chat_saying("could you please check half a size up");
        let shown = said(&chat, 20);
        assert_eq!(
            shown,
            [
                "00:00:30 shopper: ",
                "  could you please ",
                "  check half a size ",
                "  up",
            ]
        );
        assert!(shown.iter().all(|l| width(l) <= 20), "{shown:?}");
        let shown = said(&chat_saying("Anything"), 12);
        assert_eq!(shown, ["00:00:30 ", "  shopper: ", "  Anything"]);
    }

    #[test]
    fn the_end_of_what_is_typed_stays_in_view() {
        assert_eq!(end_in_view("> 東京の靴█", 6), "の靴█");
        assert_eq!(end_in_view("> 東京の靴█", 4), "靴█");
        assert_eq!(end_in_view("> ab█", 10), "> ab█");
        assert_eq!(clock(3_600_000 + 61_000), "01:01:01");
    }
}
