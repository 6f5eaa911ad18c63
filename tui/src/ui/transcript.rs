//! A chat's transcript as terminal lines, for the agents' console and the
//! supervisor's desk view alike: time, who, what (made safe and wrapped to
//! the width), notes dimmed, whispers marked, and the survey's answer.

use floorwalker_shared::desk::{Chat, ChatState, Speaker};
use floorwalker_shared::sanitize::{for_terminal, width};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::ui::theme::Theme;

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
        for (n, piece) in wrap(&format!("{head}{}", line.text), w)
            .into_iter()
            .enumerate()
        {
            let piece = if n == 0 { piece } else { format!("  {piece}") };
            out.push(Line::from(Span::styled(piece, style)));
        }
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
        out.push(Line::from(Span::styled(
            for_terminal(&format!("survey: {verdict}{comment}"), w),
            style,
        )));
    } else if chat.state == ChatState::Ended {
        out.push(Line::from(Span::styled(
            "survey: waiting for the shopper's answer",
            theme.dim(),
        )));
    }
    out
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
        let shown = format!("{prompt}{}█", for_terminal(text, usize::MAX));
        let skip = width(&shown).saturating_sub(w);
        Line::from(Span::styled(
            shown.chars().skip(skip).collect::<String>(),
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

/// `text` made safe and cut into pieces at most `w` columns wide.
pub(crate) fn wrap(text: &str, w: usize) -> Vec<String> {
    let clean = for_terminal(text, usize::MAX);
    let w = w.max(4);
    let mut pieces = Vec::new();
    let mut piece = String::new();
    let mut buf = [0u8; 4];
    for ch in clean.chars() {
        let cw = width(ch.encode_utf8(&mut buf));
        if width(&piece) + cw > w {
            pieces.push(std::mem::take(&mut piece));
        }
        piece.push(ch);
    }
    if !piece.is_empty() || pieces.is_empty() {
        pieces.push(piece);
    }
    pieces
}

/// `hh:mm:ss` (UTC) of a stream time.
pub(crate) fn clock(ms: u64) -> String {
    let s = ms / 1_000;
    format!("{:02}:{:02}:{:02}", s / 3_600 % 24, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_character_and_no_escape() {
        let pieces = wrap("abcdef\u{1b}[2Jghij", 4);
        assert_eq!(pieces.concat(), "abcdef[2Jghij");
        assert!(pieces.iter().all(|p| width(p) <= 4), "{pieces:?}");
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(clock(3_600_000 + 61_000), "01:01:01");
    }
}
