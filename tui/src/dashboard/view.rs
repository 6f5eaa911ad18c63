//! Drawing the dashboard: it borrows the state and changes nothing.
//!
//! The screen, top to bottom: a title line (with the connection's state, or
//! a banner when it is lost), the panels at a glance, the sessions table
//! (and the detail of the selected session beside it on a wide terminal,
//! instead of it on a narrow one), and a footer with the keys, a notice or
//! the filter being typed. Help and the offer dialog draw over it.
//!
//! Every shopper string passes through `sanitize::for_terminal` before it
//! is drawn.

mod desk;
mod detail;
mod overlay;
mod panels;
mod sessions;

use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::{App, Editing};
use super::keymap::{Action, KEYS};
use super::msg::Conn;
use super::strings;

/// Styles, with or without colour (`NO_COLOR`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Theme {
    pub(crate) color: bool,
}

impl Theme {
    /// The theme `NO_COLOR` asks for.
    pub(crate) fn from_env() -> Self {
        Self {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn paint(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub(crate) fn title(self) -> Style {
        self.paint(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub(crate) fn warn(self) -> Style {
        self.paint(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub(crate) fn alarm(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    pub(crate) fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    pub(crate) fn selected(self) -> Style {
        let _ = self;
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub(crate) fn heading(self) -> Style {
        let _ = self;
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
}

/// Draws a bordered block with `title` over `area`; returns the area
/// inside it. The title is made safe for the terminal here, as titles
/// carry chat ids, agents' names and shoppers' sources.
pub(crate) fn framed(frame: &mut Frame<'_>, area: Rect, title: &str, theme: Theme) -> Rect {
    let block = ratatui::widgets::Block::bordered()
        .title(floorwalker_shared::sanitize::for_terminal(
            title,
            area.width as usize,
        ))
        .title_style(theme.title());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// Terminals at least this wide show the detail beside the table.
const WIDE: u16 = 120;

/// Draws the whole screen; `app.page_rows` learns how many table rows fit.
pub(crate) fn draw(frame: &mut Frame<'_>, app: &mut App, theme: Theme) {
    let area = frame.area();
    if area.width < 20 || area.height < 6 {
        frame.render_widget(
            Paragraph::new("Floorwalker: make the terminal larger"),
            area,
        );
        return;
    }
    let [top, panel_area, main, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(if area.height >= 16 { 4 } else { 0 }),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(title_line(app, theme, top.width), top);
    panels::draw(frame, panel_area, app, theme);

    let wide = area.width >= WIDE;
    let table_rows;
    if app.supervise.open {
        desk::draw(frame, main, app, theme);
        table_rows = app.page_rows;
    } else if app.detail_open && wide {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)])
                .areas(main);
        table_rows = sessions::draw(frame, left, app, theme);
        detail::draw(frame, right, app, theme);
    } else if app.detail_open {
        detail::draw(frame, main, app, theme);
        table_rows = main.height.saturating_sub(3) as usize;
    } else {
        table_rows = sessions::draw(frame, main, app, theme);
    }
    app.page_rows = table_rows.max(1);
    frame.render_widget(footer_line(app, theme, footer.width), footer);

    if app.offer.is_some() {
        overlay::offer(frame, area, app, theme);
    }
    if app.help {
        overlay::help(frame, area, theme);
    }
}

fn title_line(app: &App, theme: Theme, width: u16) -> Paragraph<'static> {
    if let Conn::Down { reason } = &app.conn {
        let text = format!(" {} ({reason})", strings::DOWN);
        return Paragraph::new(Line::from(Span::styled(
            floorwalker_shared::sanitize::for_terminal(&text, width as usize),
            theme.alarm(),
        )))
        .style(theme.alarm());
    }
    let state = match app.conn {
        Conn::Connecting => strings::CONNECTING,
        Conn::Replaying => strings::REPLAYING,
        Conn::Live | Conn::Down { .. } => strings::LIVE,
    };
    let f = &app.figures;
    let mut spans = vec![
        Span::styled(strings::TITLE, theme.title()),
        Span::raw(format!(
            "  {} online · {} in checkout · {} stuck",
            f.online, f.in_checkout, f.stuck
        )),
    ];
    let s = &f.service;
    let agents = s.agents_available + s.agents_busy;
    let mut desk = format!(" · {agents} agent{}", if agents == 1 { "" } else { "s" });
    if let Some(csat) = s.csat_percent {
        let _ = write!(desk, " · CSAT {csat}%");
    }
    if s.incidents_open > 0 {
        let plural = if s.incidents_open == 1 { "" } else { "s" };
        let _ = write!(desk, " · {} incident{plural}", s.incidents_open);
    }
    spans.push(Span::styled(
        desk,
        if agents == 0 {
            theme.warn()
        } else {
            theme.dim()
        },
    ));
    // The state always shows; the operator's name where there is room.
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    let room = (width as usize).saturating_sub(used + 1);
    let mut right = format!("{} · {state}", app.operator);
    if right.chars().count() > room {
        state.clone_into(&mut right);
    }
    let gap = room.saturating_sub(right.chars().count());
    spans.push(Span::raw(" ".repeat(gap.max(1))));
    spans.push(Span::styled(right, theme.dim()));
    Paragraph::new(Line::from(spans))
}

fn footer_line(app: &App, theme: Theme, width: u16) -> Paragraph<'static> {
    if app.editing == Editing::Filter {
        return Paragraph::new(Line::from(vec![
            Span::styled("/", theme.warn()),
            Span::raw(floorwalker_shared::sanitize::for_terminal(
                &app.filter.text,
                width.saturating_sub(30) as usize,
            )),
            Span::styled("▏  Enter keep · Esc clear", theme.dim()),
        ]));
    }
    if let Some(notice) = &app.notice {
        return Paragraph::new(Span::styled(
            floorwalker_shared::sanitize::for_terminal(&notice.text, width as usize),
            theme.warn(),
        ));
    }
    if app.supervise.open {
        let hint = if app.supervise.typing() {
            "Enter record · Esc cancel"
        } else {
            strings::DESK_HINT
        };
        return Paragraph::new(Span::styled(
            floorwalker_shared::sanitize::for_terminal(hint, width as usize),
            theme.dim(),
        ));
    }
    let shown = [
        Action::Down,
        Action::Open,
        Action::Offer,
        Action::Search,
        Action::StateFilter,
        Action::Sort,
        Action::Help,
        Action::Quit,
    ];
    let mut spans = Vec::new();
    let mut used = 0;
    for (keys, action, what) in KEYS.iter().filter(|(_, a, _)| shown.contains(a)) {
        let keys = if *action == Action::Down { "j/k" } else { keys };
        let what = match action {
            Action::Down => "move",
            Action::Open => "journey",
            Action::Offer => "offer",
            Action::Search => "filter",
            Action::StateFilter => "state",
            Action::Sort => "sort",
            Action::Help => "help",
            _ => what,
        };
        let len = keys.chars().count() + what.chars().count() + 3;
        if used + len > width as usize {
            break;
        }
        used += len;
        spans.push(Span::styled(keys.to_owned(), theme.title()));
        spans.push(Span::raw(format!(" {what}  ")));
    }
    let refused = app.floor.refused_total();
    if refused > 0 {
        let text = format!("{refused} refused");
        if used + text.len() < width as usize {
            spans.push(Span::styled(text, theme.dim()));
        }
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
