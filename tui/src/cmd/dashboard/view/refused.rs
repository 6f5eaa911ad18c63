//! What was refused and why, over the screen (`x`): how many in all and in
//! the last minute; the intakes' reasons, each with what it refused
//! (batches, facts, connections); the gates' reasons; what this dashboard
//! could not read in the streams itself; and what the intakes stored.
//! A service not heard from says so, rather than show zeros.

use floorwalker_shared::intake::{IntakeTotals, Refusal, What};
use floorwalker_shared::sanitize::for_terminal;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::centered;
use crate::cmd::dashboard::app::App;
use crate::cmd::dashboard::strings;
use crate::ui::theme::Theme;
use floorwalker::refusals::{Source, Tally};

/// The overlay's width, at most.
const WIDTH: u16 = 66;

/// What an intake refuses, in the order shown.
const WHATS: [(What, &str); 3] = [
    (What::Events, "batches"),
    (What::Facts, "facts"),
    (What::Connections, "connections"),
];

pub(super) fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: Theme) {
    let width = WIDTH.min(area.width);
    let room = usize::from(width.saturating_sub(4));
    let lines = lines(app, theme, room);
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let rect = centered(area, width, height);
    let block = Block::bordered()
        .title(strings::REFUSED_TITLE)
        .title_bottom(strings::REFUSED_CLOSE);
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// The overlay's lines, each at most `room` wide.
fn lines(app: &App, theme: Theme, room: usize) -> Vec<Line<'static>> {
    let tally = &app.refusals;
    let say = Say { theme, room };
    let mut lines = vec![match tally.total() {
        None => say.plain(strings::REFUSED_NOTHING_HEARD),
        Some(total) => {
            let recent = tally.recent(app.now_ms);
            let text = match recent {
                0 => format!("{total} refused, none in the last minute"),
                n => format!("{total} refused, {n} of them in the last minute"),
            };
            let style = if recent > 0 {
                theme.warn()
            } else {
                theme.dim()
            };
            Line::from(Span::styled(say.fit(&text), style))
        }
    }];
    lines.push(Line::default());
    intakes(app, say, &mut lines);
    lines.push(Line::default());
    gates(tally, say, &mut lines);

    // What the intakes let through and this dashboard could not read.
    let batches = app.floor.refused_total();
    let facts: u64 = app.desk.rejected().values().sum();
    if batches + facts > 0 {
        lines.push(Line::default());
        lines.push(say.heading(strings::REFUSED_UNREADABLE));
        if batches > 0 {
            lines.push(say.row(batches, "event batches", ""));
        }
        if facts > 0 {
            lines.push(say.row(facts, "chat facts", ""));
        }
    }
    lines
}

/// How the overlay's lines look, each fitted to `room`.
#[derive(Clone, Copy)]
struct Say {
    theme: Theme,
    room: usize,
}

impl Say {
    /// Anything shown passes here: names and reasons from the bus too.
    fn fit(self, text: &str) -> String {
        for_terminal(text, self.room)
    }

    fn plain(self, text: &str) -> Line<'static> {
        Line::from(self.fit(text))
    }

    fn heading(self, text: &str) -> Line<'static> {
        Line::from(Span::styled(self.fit(text), self.theme.title()))
    }

    fn indented(self, text: &str) -> Line<'static> {
        self.plain(&format!("  {text}"))
    }

    /// A count, its reason, and what it was.
    fn row(self, n: u64, words: &str, detail: &str) -> Line<'static> {
        let words = for_terminal(words, 22);
        self.plain(&format!("{n:>8}  {words:<22} {detail}"))
    }
}

/// The intakes' part: who reports, their reasons, what they stored.
fn intakes(app: &App, say: Say, lines: &mut Vec<Line<'static>>) {
    let tally = &app.refusals;
    let Some(totals) = tally.intake() else {
        lines.push(say.heading(strings::REFUSED_INTAKES));
        let why = tally
            .down()
            .map_or_else(String::new, |why| format!(" ({why})"));
        lines.push(say.indented(&format!("{}{why}", strings::REFUSED_NO_INTAKE)));
        return;
    };
    let silent = tally.silent(app.now_ms);
    let mut head = format!(
        "{} ({} reporting",
        strings::REFUSED_INTAKES,
        tally.intakes()
    );
    if !silent.is_empty() {
        // Names from the bus, sanitized with the line.
        head.push_str("; silent: ");
        head.push_str(&silent.join(", "));
    }
    head.push(')');
    lines.push(say.heading(&head));
    let reasons: Vec<_> = tally
        .reasons()
        .into_iter()
        .filter(|r| r.source == Source::Intake)
        .collect();
    if reasons.is_empty() {
        lines.push(say.indented(strings::REFUSED_NONE));
    }
    for reason in reasons {
        let detail = Refusal::ALL
            .into_iter()
            .find(|r| r.name() == reason.name)
            .map(|r| by_what(totals, r))
            .unwrap_or_default();
        lines.push(say.row(reason.n, &reason.words, &detail));
    }
    let stored = format!(
        "  stored {} event batches, {} chat facts",
        totals.stored_events(),
        totals.stored_facts()
    );
    lines.push(Line::from(Span::styled(say.fit(&stored), say.theme.dim())));
}

/// The gates' part: their reasons, or why they are not heard.
fn gates(tally: &Tally, say: Say, lines: &mut Vec<Line<'static>>) {
    lines.push(say.heading(strings::REFUSED_GATES));
    let Some(gate) = tally.gate() else {
        let why = tally
            .gate_down()
            .map_or_else(String::new, |why| format!(" ({why})"));
        lines.push(say.indented(&format!("{}{why}", strings::REFUSED_NO_GATE)));
        return;
    };
    if gate.total() == 0 {
        lines.push(say.indented(strings::REFUSED_NONE));
    }
    for reason in tally.reasons().iter().filter(|r| r.source == Source::Gate) {
        lines.push(say.row(reason.n, &reason.words, ""));
    }
    if let Some(why) = tally.gate_down() {
        lines.push(say.indented(&format!("{} ({why})", strings::REFUSED_GATE_SILENT)));
    }
}

/// What was refused for `reason`: "batches 6 · facts 3".
fn by_what(totals: &IntakeTotals, reason: Refusal) -> String {
    WHATS
        .iter()
        .filter_map(|&(what, name)| {
            let n = totals.refused(what, reason);
            (n > 0).then(|| format!("{name} {n}"))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}
