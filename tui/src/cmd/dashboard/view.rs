//! Drawing the dashboard: it borrows the state and changes nothing.
//!
//! The screen, top to bottom: a title line (with the connection's state, or
//! a banner when it is lost), the panels at a glance, the sessions table
//! (and the detail of the selected session beside it on a wide terminal,
//! instead of it on a narrow one), the desk or the insights in its place,
//! and a footer with the keys, a notice or the filter being typed. Help, what was refused, and the offer dialog
//! draw over it.
//!
//! Every shopper string passes through `sanitize::for_terminal` before it
//! is drawn.

mod desk;
mod detail;
mod header;
mod insights;
mod overlay;
mod panels;
mod refused;
mod sessions;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::{App, Mode};
use super::keymap::KEYS;
use super::strings;
use super::supervise::DeskMode;
use crate::ui::theme::Theme;

/// Terminals at least this wide show the detail beside the table.
const WIDE: u16 = 120;

/// The screen's parts at `width` × `height`: the title line, the panels,
/// the main area (table, journey or desk) and the footer.
fn layout(area: Rect) -> [Rect; 4] {
    let [top, panels, main, _, footer] = layout_with_notice(area, 0);
    [top, panels, main, footer]
}

/// The screen's parts with `notice` lines for a notice above the footer,
/// so that a notice never hides the keys.
fn layout_with_notice(area: Rect, notice: u16) -> [Rect; 5] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(if area.height >= 16 { 4 } else { 0 }),
        Constraint::Min(1),
        Constraint::Length(notice),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// Lines a notice may take at most.
const NOTICE_LINES: usize = 2;

/// How many rows of the table (or lines of a journey in its place) a
/// terminal of `width` × `height` shows: how far a page moves.
pub(crate) fn table_rows(width: u16, height: u16) -> usize {
    let [_, _, main, _] = layout(Rect::new(0, 0, width, height));
    // A border line and the header.
    (main.height.saturating_sub(2) as usize).max(1)
}

/// The last line the journey can scroll to at the app's terminal size.
pub(crate) fn detail_end(app: &App) -> usize {
    let (width, height) = app.size;
    let [_, _, main, _] = layout(Rect::new(0, 0, width, height));
    let pane = if width >= WIDE {
        main.width * 42 / 100
    } else {
        main.width
    };
    // The pane's border takes a column and a line.
    detail::lines(app, pane.saturating_sub(1), Theme { color: false }).map_or(0, |lines| {
        lines
            .len()
            .saturating_sub(main.height.saturating_sub(1) as usize)
    })
}

/// Draws the whole screen; changes nothing.
pub(crate) fn draw(frame: &mut Frame<'_>, app: &App, theme: Theme) {
    let area = frame.area();
    if area.width < 20 || area.height < 6 {
        frame.render_widget(
            Paragraph::new("Floorwalker: make the terminal larger"),
            area,
        );
        return;
    }
    let notice = app
        .notice
        .as_ref()
        .map(|n| n.lines(area.width as usize, NOTICE_LINES))
        .unwrap_or_default();
    let [top, panel_area, main, notice_area, footer] =
        layout_with_notice(area, u16::try_from(notice.len()).unwrap_or(0));
    if !notice.is_empty() {
        let lines: Vec<Line<'_>> = notice
            .iter()
            // Made safe and fitted by `Notice::lines`.
            .map(|l| Line::from(Span::styled(l.clone(), theme.warn())))
            .collect();
        frame.render_widget(Paragraph::new(lines), notice_area);
    }
    frame.render_widget(header::title_line(app, theme, top.width), top);
    panels::draw(frame, panel_area, app, theme);

    let wide = area.width >= WIDE;
    match app.base() {
        Mode::Desk(_) => desk::draw(frame, main, app, theme),
        Mode::Insights => insights::draw(frame, main, app, theme),
        Mode::Journey(_) if wide => {
            let [left, right] =
                Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)])
                    .areas(main);
            sessions::draw(frame, left, app, theme);
            detail::draw(frame, right, app, theme);
        }
        Mode::Journey(_) => detail::draw(frame, main, app, theme),
        _ => sessions::draw(frame, main, app, theme),
    }
    frame.render_widget(footer_line(app, theme, footer.width), footer);

    if app.offer_dialog().is_some() {
        overlay::offer(frame, area, app, theme);
    }
    if matches!(app.mode, Mode::Help(_)) {
        overlay::help(frame, area, &app.about, theme);
    }
    if matches!(app.mode, Mode::Refused(_)) {
        refused::draw(frame, area, app, theme);
    }
}

fn footer_line(app: &App, theme: Theme, width: u16) -> Paragraph<'static> {
    if matches!(app.mode, Mode::Filter(_)) {
        return Paragraph::new(Line::from(vec![
            Span::styled("/", theme.warn()),
            Span::raw(floorwalker_shared::sanitize::for_terminal(
                &app.filter.text,
                width.saturating_sub(30) as usize,
            )),
            Span::styled("▏  Enter keep · Esc clear", theme.dim()),
        ]));
    }
    if let Some(mode) = app.desk_mode() {
        let hint = if matches!(mode, DeskMode::Typing(..)) {
            "Enter record · Esc cancel"
        } else {
            strings::DESK_HINT
        };
        return Paragraph::new(Span::styled(
            floorwalker_shared::sanitize::for_terminal(hint, width as usize),
            theme.dim(),
        ));
    }
    if matches!(app.base(), Mode::Insights) {
        return Paragraph::new(Span::styled(
            floorwalker_shared::sanitize::for_terminal(strings::INSIGHTS_HINT, width as usize),
            theme.dim(),
        ));
    }
    let mut spans = Vec::new();
    let mut used = 0;
    for (keys, what) in crate::ui::keys::footer(KEYS) {
        let len = keys.chars().count() + what.chars().count() + 3;
        if used + len > width as usize {
            break;
        }
        used += len;
        spans.push(Span::styled(keys.to_owned(), theme.title()));
        spans.push(Span::raw(format!(" {what}  ")));
    }
    Paragraph::new(Line::from(spans))
}

/// A rectangle of `width` × `height` in the middle of `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

#[cfg(test)]
mod tests;
