//! The sessions table: one row per shopper, only the visible rows built.
//! A flagged shopper (one who needs help) has a `!`, and on a table at
//! least [`WHY_FROM`] wide, the reason in words.

use std::fmt::Write as _;

use floorwalker_shared::sanitize::{for_terminal, width};
use floorwalker_shared::session::{OfferProgress, State};
use floorwalker_shared::triage;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

use crate::cmd::dashboard::app::{App, Pane};
use crate::cmd::dashboard::strings;
use crate::cmd::dashboard::table::{self, Column};
use crate::ui::theme::Theme;
use floorwalker::format::{duration, money, money_short};

/// Tables at least this wide show the Why column.
const WHY_FROM: u16 = 200;

/// The widest a column grows to fit its content: beyond, text is cut.
fn widest(column: Column) -> usize {
    match column {
        Column::Why => 34,
        Column::Site => 12,
        Column::Source => 32,
        Column::Cart | Column::State => 16,
        Column::Page => usize::MAX,
        Column::OnSite | Column::Idle => 6,
        Column::Pages => 3,
    }
}

/// Columns' widths, from what the visible rows hold: the Site column only
/// as wide as the sites' names (and gone with `--site`), Cart and State as
/// their texts, and what is left to Page, then Source.
fn widths(columns: &[Column], cells: &[Vec<String>], table_width: u16) -> Vec<u16> {
    let content = |i: usize| {
        cells
            .iter()
            .map(|row| width(&row[i]))
            .max()
            .unwrap_or(0)
            .max(width(columns[i].title()) + 1)
    };
    let mut widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| match c {
            Column::Page => 0,
            // Source starts small and takes what Page leaves over.
            Column::Source => content(i).min(11),
            c => content(i).min(widest(*c)),
        })
        .collect();
    // The marker column and the spaces between columns.
    let spacing = columns.len() + 2;
    let fixed: usize = widths.iter().sum::<usize>() + spacing;
    let mut left = (table_width as usize).saturating_sub(fixed);
    let page = columns.iter().position(|c| *c == Column::Page);
    // Page first gets room for the path, then Source for its text, then
    // Page the rest, for the page's title.
    if let Some(page) = page {
        let path = cells
            .iter()
            .map(|row| width(row[page].split(TITLE_SEP).next().unwrap_or("")))
            .max()
            .unwrap_or(0);
        widths[page] = left.min(path).max(8);
        left = left.saturating_sub(widths[page]);
    }
    if let Some(source) = columns.iter().position(|c| *c == Column::Source) {
        let grow = content(source)
            .min(widest(Column::Source))
            .saturating_sub(widths[source])
            .min(left);
        widths[source] += grow;
        left -= grow;
    }
    if let Some(page) = page {
        widths[page] += left;
    }
    widths
        .into_iter()
        .map(|w| u16::try_from(w).unwrap_or(u16::MAX))
        .collect()
}

/// Draws the table in `area`.
pub(super) fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: Theme) {
    let rows = table::rows(&app.floor, app.now_ms, &app.filter, app.sort);
    let block = Block::new().borders(Borders::TOP);
    let inner = block.inner(area);
    // The header takes one line.
    let fit = inner.height.saturating_sub(1) as usize;
    if rows.is_empty() {
        frame.render_widget(block.title(title(app, rows.len())), area);
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
    let shown = fit.min(rows.len() - first);
    let block = block
        .title(title(app, rows.len()))
        .title(Line::from(scroll(first, shown, rows.len())).right_aligned());
    frame.render_widget(block, area);

    // With `--site` every row is that site's: its column says nothing.
    let why = inner.width >= WHY_FROM;
    let columns: Vec<Column> = Column::ALL
        .iter()
        .copied()
        .filter(|c| *c != Column::Site || app.site.is_none())
        .filter(|c| why || *c != Column::Why)
        .collect();
    let visible: Vec<(usize, &table::Row<'_>)> =
        rows.iter().enumerate().skip(first).take(fit).collect();
    let cells = texts(app, &columns, &visible);
    let widths = widths(&columns, &cells, inner.width);
    let mark = if app.sort.descending { "▼" } else { "▲" };
    // Sorted by need while the Why column is hidden: the flag's column says.
    let flag_heading = if app.sort.column == Column::Why && !why {
        format!(" {mark}")
    } else {
        "  ".to_owned()
    };
    let header = Row::new(
        std::iter::once(Cell::from(flag_heading)).chain(columns.iter().map(|c| {
            let mark = if *c == app.sort.column { mark } else { "" };
            Cell::from(format!("{}{mark}", c.title()))
        })),
    )
    .style(theme.heading());
    let body: Vec<Row<'_>> = visible
        .iter()
        .zip(cells)
        .map(|((i, r), texts)| {
            let chosen = Some(*i) == selected;
            row(r, texts, &columns, &widths, chosen, theme)
        })
        .collect();
    let constraints: Vec<Constraint> = std::iter::once(Constraint::Length(2))
        .chain(widths.iter().map(|w| Constraint::Length(*w)))
        .collect();
    frame.render_widget(Table::new(body, constraints).header(header), inner);
}

/// Between a page's path and its title in the Page column.
const TITLE_SEP: &str = " · ";

/// The visible rows' texts, column by column: money to the cent where
/// it fits, else shortened.
fn texts(app: &App, columns: &[Column], visible: &[(usize, &table::Row<'_>)]) -> Vec<Vec<String>> {
    let mut cells: Vec<Vec<String>> = visible
        .iter()
        .map(|(_, r)| columns.iter().map(|c| cell(app, r, *c, true)).collect())
        .collect();
    let too_wide = cells.iter().any(|row| {
        row.iter()
            .zip(columns)
            .any(|(text, c)| money_column(*c) && width(text) > widest(*c))
    });
    if too_wide {
        // Only the money columns change.
        for ((_, r), row) in visible.iter().zip(&mut cells) {
            for (text, c) in row.iter_mut().zip(columns) {
                if money_column(*c) {
                    *text = cell(app, r, *c, false);
                }
            }
        }
    }
    cells
}

/// One row of the table.
fn row<'a>(
    r: &table::Row<'_>,
    texts: Vec<String>,
    columns: &[Column],
    widths: &[u16],
    chosen: bool,
    theme: Theme,
) -> Row<'a> {
    // The selection shows without colour too: a marker and reverse video.
    let marker = format!(
        "{}{}",
        if chosen { "▸" } else { " " },
        if r.needs_help { "!" } else { " " }
    );
    let cells = texts
        .into_iter()
        .zip(widths)
        .zip(columns)
        .map(|((text, w), column)| {
            let w = *w as usize;
            // A page's title only where it fits whole beside the path.
            let text = match text.split_once(TITLE_SEP) {
                Some((path, _)) if *column == Column::Page && width(&text) > w => path,
                _ => text.as_str(),
            };
            let text = for_terminal(text, w);
            if *column == Column::Why {
                Cell::from(Span::styled(text, theme.warn()))
            } else {
                Cell::from(text)
            }
        });
    let row =
        Row::new(std::iter::once(Cell::from(Span::styled(marker, theme.warn()))).chain(cells));
    if chosen {
        row.style(theme.selected())
    } else {
        row
    }
}

/// Whether a column shows money (to the cent where it fits).
fn money_column(column: Column) -> bool {
    matches!(column, Column::Cart | Column::State)
}

/// What row `r` shows in `column`; money to the cent if `cents`.
fn cell(app: &App, r: &table::Row<'_>, column: Column, cents: bool) -> String {
    let s = r.session;
    let now_ms = app.now_ms;
    let amount = |minor: u64| {
        if cents {
            money(minor, &s.currency)
        } else {
            money_short(minor, &s.currency)
        }
    };
    match column {
        Column::Site => s.subjects().site().as_str().to_owned(),
        Column::Page => s.page.as_ref().map_or_else(String::new, |p| {
            if p.title.is_empty() {
                p.path.clone()
            } else {
                format!("{}{TITLE_SEP}{}", p.path, p.title)
            }
        }),
        Column::OnSite => duration(r.on_site_ms),
        Column::Pages => s.pages_seen.to_string(),
        Column::Cart if s.cart_value_minor() > 0 => amount(s.cart_value_minor()),
        Column::Cart => String::new(),
        Column::Source => s.arrival.source(),
        Column::State => match (&s.order, r.state) {
            (Some((_, total)), State::Bought) => format!("bought {}", amount(*total)),
            _ => state_text(r, now_ms).to_owned(),
        },
        Column::Idle => duration(r.idle_ms),
        Column::Why => reason(app, r),
    }
}

/// Why a flagged shopper needs help: the most telling reason, and how
/// many more there are.
fn reason(app: &App, row: &table::Row<'_>) -> String {
    if !row.needs_help {
        return String::new();
    }
    let reasons = triage::reasons(&app.floor, row.session, app.now_ms);
    let Some(first) = reasons.first() else {
        return String::new();
    };
    let mut text = triage::describe(first, &row.session.currency);
    if reasons.len() > 1 {
        let _ = write!(text, " +{}", reasons.len() - 1);
    }
    text
}

/// Where the shown rows are among all: `1–16 of 33 ↓`; nothing when all
/// show.
fn scroll(first: usize, shown: usize, len: usize) -> String {
    if shown >= len {
        return String::new();
    }
    let arrow = match (first > 0, first + shown < len) {
        (true, true) => "↕",
        (true, false) => "↑",
        _ => "↓",
    };
    format!(" {}–{} of {len} {arrow} ", first + 1, first + shown)
}

/// The state, and for an offer its progress: sent, shown, and for a minute
/// after it went unanswered, expired.
fn state_text(row: &table::Row<'_>, now_ms: u64) -> &'static str {
    let offer = row.session.offers.last();
    match (row.state, offer.map(|o| o.progress_at(now_ms))) {
        (State::Offered, Some(OfferProgress::Shown)) => "offer shown",
        (State::Offered, _) => "offer sent",
        (State::Browsing | State::InCheckout, Some(OfferProgress::Expired))
            if offer.is_some_and(|o| now_ms < o.expires_ms.saturating_add(EXPIRED_SHOWN_MS)) =>
        {
            "offer expired"
        }
        (state, _) => state.name(),
    }
}

/// How long a row says "offer expired" before its state shows again.
const EXPIRED_SHOWN_MS: u64 = 60_000;

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
        if app.filter.needs_help {
            let _ = write!(text, ", {}", strings::NEEDS_HELP);
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
