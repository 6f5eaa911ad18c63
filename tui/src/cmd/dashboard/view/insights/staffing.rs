//! The Staffing section: the load measured from the desk, the target, the
//! agents needed against the agents on duty, and what each staffing level
//! around them would give (`floorwalker_shared::staffing`). On a wide
//! terminal the table stands beside the load, else below it.

use floorwalker::format::duration;
use floorwalker_shared::staffing::{Advice, Outcome};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::cmd::dashboard::app::App;
use crate::cmd::dashboard::strings;
use crate::ui::theme::Theme;

/// Sections at least this wide show the table beside the load.
const SIDE_BY_SIDE_FROM: u16 = 120;

/// How wide the load's lines are, at most, beside the table.
const LOAD_WIDTH: u16 = 76;

/// The labels' column.
const LABEL: usize = 13;

/// The lines the section needs at `width`: the load (and a blank line)
/// above the table, or the taller of the two side by side.
pub(super) fn height(app: &App, width: u16) -> u16 {
    let lines = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
    let load = lines(load(app, Theme { color: false }).len());
    // The heading and a row per level, or the line that says why none.
    let table = lines(1 + app.staffing.levels.len().max(1));
    if width >= SIDE_BY_SIDE_FROM {
        load.max(table)
    } else {
        load.saturating_add(1).saturating_add(table)
    }
}

pub(super) fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: Theme) {
    let load = load(app, theme);
    let table = table(app, theme);
    if area.width >= SIDE_BY_SIDE_FROM {
        let [left, _, right] = Layout::horizontal([
            Constraint::Length(LOAD_WIDTH),
            Constraint::Length(2),
            Constraint::Fill(1),
        ])
        .areas(area);
        frame.render_widget(Paragraph::new(load), left);
        frame.render_widget(Paragraph::new(table), right);
    } else {
        let height = u16::try_from(load.len() + 1).unwrap_or(u16::MAX);
        let [top, bottom] =
            Layout::vertical([Constraint::Length(height), Constraint::Fill(1)]).areas(area);
        frame.render_widget(Paragraph::new(load), top);
        frame.render_widget(Paragraph::new(table), bottom);
    }
}

/// A label and its text, on one line.
fn row(label: &str, text: Vec<Span<'static>>, theme: Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(format!("{label:<LABEL$}"), theme.title())];
    spans.extend(text);
    Line::from(spans)
}

/// What the advice is made of, and the need against what the desk has.
fn load(app: &App, theme: Theme) -> Vec<Line<'static>> {
    let a = &app.staffing;
    let handle = a.hour.handle_ms.map_or_else(
        || strings::STAFFING_NO_HANDLE.to_owned(),
        |ms| strings::staffing_handle(&duration(ms), a.hour.ended),
    );
    let patience = a.hour.patience_ms().map_or_else(
        || strings::STAFFING_NO_PATIENCE.to_owned(),
        |ms| strings::staffing_patience(&duration(ms), a.hour.abandoned),
    );
    let level = app.targets.staffing(a);
    let need = Span::styled(format!("{}{}", need(a), level.marker()), theme.level(level));
    vec![
        row(
            strings::STAFFING_ASKED,
            vec![Span::raw(strings::staffing_asked(
                &per_minute(a.recent.arrivals_per_min()),
                a.recent.requested,
                &per_minute(a.hour.arrivals_per_min()),
                a.hour.requested,
            ))],
            theme,
        ),
        row(strings::STAFFING_HANDLE, vec![Span::raw(handle)], theme),
        row(strings::STAFFING_PATIENCE, vec![Span::raw(patience)], theme),
        row(
            strings::STAFFING_EACH,
            vec![Span::raw(strings::staffing_each(a.concurrency))],
            theme,
        ),
        row(
            strings::STAFFING_TARGET,
            vec![Span::raw(strings::staffing_target(
                Outcome::percent(a.target.share),
                &within(a),
            ))],
            theme,
        ),
        row(strings::STAFFING_NEED, vec![need], theme),
    ]
}

/// The agents needed against the agents on duty, in words.
fn need(a: &Advice) -> String {
    match (a.needed, a.load) {
        (Some(n), _) => strings::staffing_need(n, a.have),
        (None, None) => strings::staffing_need_unknown(a.have),
        (None, Some(_)) => strings::staffing_need_past_reach(a.have),
    }
}

/// The target's time, as the model used it: `30s`.
fn within(a: &Advice) -> String {
    format!("{}s", a.target.within_secs)
}

/// Chats a minute, to two decimals under ten (a small shop asks a few an
/// hour), else one.
fn per_minute(rate: f64) -> String {
    if rate < 10.0 {
        format!("{rate:.2}")
    } else {
        format!("{rate:.1}")
    }
}

/// What each staffing level would give, one row each, with the level the
/// desk has and the one it needs named.
fn table(app: &App, theme: Theme) -> Vec<Line<'static>> {
    let a = &app.staffing;
    if a.levels.is_empty() {
        return vec![Line::from(Span::styled(
            strings::STAFFING_NO_TABLE,
            theme.dim(),
        ))];
    }
    let answered = strings::staffing_answered_within(&within(a));
    let width = answered.chars().count();
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "{:>6}  {answered:>width$}  {:>5}  {:>8}",
            strings::STAFFING_AGENTS,
            strings::STAFFING_WAITS,
            strings::STAFFING_GIVE_UP,
        ),
        theme.heading(),
    ))];
    for level in &a.levels {
        let o = level.outcome;
        let answered = Outcome::percent(o.service_level);
        let crossed = app
            .targets
            .service_level
            .at_least(Some(u64::from(answered)));
        // The marker after the figure, within the column's width.
        let cell = format!("{answered}%{}", crossed.marker());
        let note = match (level.agents == a.have, Some(level.agents) == a.needed) {
            (true, true) => strings::STAFFING_HAVE_NEED,
            (true, false) => strings::STAFFING_HAVE,
            (false, true) => strings::STAFFING_NEEDED,
            (false, false) => "",
        };
        lines.push(Line::from(vec![
            Span::raw(format!("{:>6}  ", level.agents)),
            Span::styled(format!("{cell:>width$}"), theme.level(crossed)),
            Span::raw(format!(
                "  {:>5}  {:>8}  ",
                format!("{}%", Outcome::percent(o.wait)),
                format!("{}%", Outcome::percent(o.abandon)),
            )),
            Span::styled(note, theme.dim()),
        ]));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_keep_two_decimals_while_small() {
        assert_eq!(per_minute(0.0), "0.00");
        assert_eq!(per_minute(1.0 / 12.0), "0.08");
        assert_eq!(per_minute(12.345), "12.3");
    }
}
