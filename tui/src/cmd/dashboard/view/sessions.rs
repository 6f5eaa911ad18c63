//! The sessions table: one row per shopper, only the visible rows built.

use std::fmt::Write as _;

use floorwalker_shared::sanitize::for_terminal;
use floorwalker_shared::session::{OfferProgress, State};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

use crate::cmd::dashboard::app::{App, Pane};
use crate::cmd::dashboard::strings;
use crate::cmd::dashboard::table::{self, Column};
use crate::ui::theme::Theme;
use floorwalker::format::{duration, money_short};

/// Column widths; the page column takes what is left.
fn width(column: Column) -> u16 {
    match column {
        Column::Page => 0,
        Column::Site | Column::OnSite | Column::Cart | Column::Idle => 6,
        Column::Pages => 3,
        Column::Source => 11,
        // "reconnecting".
        Column::State => 12,
    }
}

/// Draws the table in `area`.
pub(super) fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: Theme) {
    let rows = table::rows(&app.floor, app.now_ms, &app.filter, app.sort);
    let block = Block::new()
        .borders(Borders::TOP)
        .title(title(app, rows.len()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // The header takes one line.
    let fit = inner.height.saturating_sub(1) as usize;
    if rows.is_empty() {
        let text = if app.filter.is_active() {
            strings::NO_MATCH
        } else {
            strings::NO_SESSIONS
        };
        frame.render_widget(Paragraph::new(Span::styled(text, theme.dim())), inner);
        return;
    }
    let selected = app
        .selected
        .as_ref()
        .and_then(|key| rows.iter().position(|r| r.session.subjects() == key));
    // Keep the selection on screen as rows come and go.
    let first = table::window(app.offset, selected, fit, rows.len());

    let fixed: u16 = Column::ALL.iter().map(|c| width(*c) + 1).sum::<u16>() + 2;
    let page_width = inner.width.saturating_sub(fixed).max(8);
    let header = Row::new(
        std::iter::once(Cell::from(" ")).chain(Column::ALL.iter().map(|c| {
            let mark = if *c == app.sort.column {
                if app.sort.descending { "▼" } else { "▲" }
            } else {
                ""
            };
            Cell::from(format!("{}{mark}", c.title()))
        })),
    )
    .style(theme.heading());
    let visible = rows.iter().enumerate().skip(first).take(fit);
    let body: Vec<Row<'_>> = visible
        .map(|(i, r)| {
            let s = r.session;
            let page = s.page.as_ref().map_or("", |p| p.path.as_str());
            let cart = if s.cart_value_minor() > 0 {
                money_short(s.cart_value_minor(), &s.currency)
            } else {
                String::new()
            };
            let flag = if r.stuck { "!" } else { " " };
            let row = Row::new(vec![
                Cell::from(Span::styled(flag, theme.warn())),
                Cell::from(for_terminal(s.subjects().site().as_str(), 6)),
                Cell::from(for_terminal(page, page_width as usize)),
                Cell::from(duration(r.on_site_ms)),
                Cell::from(s.pages_seen.to_string()),
                Cell::from(cart),
                Cell::from(for_terminal(&s.arrival.source(), 11)),
                Cell::from(state_text(r)),
                Cell::from(duration(r.idle_ms)),
            ]);
            if Some(i) == selected {
                row.style(theme.selected())
            } else {
                row
            }
        })
        .collect();
    let widths: Vec<Constraint> = std::iter::once(Constraint::Length(1))
        .chain(Column::ALL.iter().map(|c| match c {
            Column::Page => Constraint::Length(page_width),
            c => Constraint::Length(width(*c)),
        }))
        .collect();
    frame.render_widget(Table::new(body, widths).header(header), inner);
}

/// The state, and for an offer its progress (sent, then shown).
fn state_text(row: &table::Row<'_>) -> &'static str {
    match (row.state, row.session.offers.last().map(|o| o.progress)) {
        (State::Offered, Some(OfferProgress::Shown)) => "offer shown",
        (State::Offered, _) => "offer sent",
        (state, _) => state.name(),
    }
}

fn title(app: &App, shown: usize) -> Line<'static> {
    let focus = if app.journey() == Some(Pane::Sessions) {
        "▸"
    } else {
        ""
    };
    let mut text = format!("{focus} Shoppers ({shown}");
    if app.filter.is_active() {
        let _ = write!(text, " of {} online", app.figures.online);
        if let Some(state) = app.filter.state {
            let _ = write!(text, ", {}", state.name());
        }
        if let Some(site) = &app.filter.site {
            let _ = write!(text, ", site {site}");
        }
        if !app.filter.text.is_empty() {
            let _ = write!(text, ", \"{}\"", for_terminal(&app.filter.text, 20));
        }
    }
    text.push_str(") ");
    Line::from(text)
}
