//! The title line: the counts a supervisor glances at, any desk figure past
//! its target, and the connection's state. When the line is too narrow,
//! whole items go, least important first; none is ever cut mid-word.

use std::fmt::Write as _;

use floorwalker_shared::metrics::Level;
use floorwalker_shared::sanitize::{for_terminal, width};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::cmd::dashboard::app::App;
use crate::cmd::dashboard::msg::Conn;
use crate::cmd::dashboard::strings;
use crate::ui::theme::Theme;
use floorwalker::format::duration;

/// One item of the line: its text, its style, and how soon it goes when
/// the line is short of room (higher goes first).
struct Item {
    text: String,
    style: Style,
    drop: u8,
}

const SEP: &str = " · ";

pub(super) fn title_line(app: &App, theme: Theme, line_width: u16) -> Paragraph<'static> {
    let banner = match (&app.conn, &app.trouble) {
        (Conn::Down { reason }, _) => Some(format!(" {} ({reason})", strings::DOWN)),
        (_, Some(why)) => Some(format!(" {} ({why})", strings::FEED_DOWN)),
        _ => None,
    };
    if let Some(text) = banner {
        return Paragraph::new(Line::from(Span::styled(
            for_terminal(&text, line_width as usize),
            theme.alarm(),
        )))
        .style(theme.alarm());
    }
    let state = match app.conn {
        Conn::Connecting => strings::CONNECTING,
        Conn::Replaying => strings::REPLAYING,
        Conn::Live | Conn::Down { .. } => strings::LIVE,
    };
    let mut items = items(app, theme);
    let operator = for_terminal(&app.operator, 20);
    // The title and a space, each item after its separator (a space before
    // the first), at least a space, then the state and maybe the name.
    let fixed = width(strings::TITLE) + 1 + 1 + width(state);
    let name_width = width(&operator) + width(SEP);
    let used = |items: &[Item], with_name: bool| {
        let items: usize = items
            .iter()
            .enumerate()
            .map(|(i, item)| if i == 0 { 1 } else { width(SEP) } + width(&item.text))
            .sum();
        fixed + items + if with_name { name_width } else { 0 }
    };
    // The operator's name goes first, then items by their rank.
    let mut show_operator = used(&items, true) <= line_width as usize;
    while used(&items, show_operator) > line_width as usize {
        if show_operator {
            show_operator = false;
            continue;
        }
        let Some(worst) = items
            .iter()
            .enumerate()
            .max_by_key(|(i, item)| (item.drop, *i))
            .map(|(i, _)| i)
        else {
            break;
        };
        items.remove(worst);
    }
    let mut spans = vec![Span::styled(strings::TITLE, theme.title()), Span::raw(" ")];
    for (i, item) in items.iter().enumerate() {
        let sep = if i == 0 { " " } else { SEP };
        spans.push(Span::styled(sep, theme.dim()));
        spans.push(Span::styled(item.text.clone(), item.style));
    }
    let right = if show_operator {
        format!("{operator}{SEP}{state}")
    } else {
        state.to_owned()
    };
    let left: usize = spans.iter().map(|s| width(&s.content)).sum();
    let gap = (line_width as usize).saturating_sub(left + width(&right));
    spans.push(Span::raw(" ".repeat(gap.max(1))));
    spans.push(Span::styled(right, theme.dim()));
    Paragraph::new(Line::from(spans))
}

/// The line's items in the order they show.
fn items(app: &App, theme: Theme) -> Vec<Item> {
    let f = &app.figures;
    let s = &f.service;
    let levels = app.targets.levels(s);
    let marked = |text: String, level: Level, drop: u8| Item {
        text: format!("{text}{}", level.marker()),
        style: theme.level(level),
        drop,
    };
    let mut items = vec![
        Item {
            text: format!("{} online", f.online),
            style: Style::new(),
            drop: 1,
        },
        Item {
            text: format!("{} in checkout", f.in_checkout),
            style: Style::new(),
            drop: 7,
        },
        Item {
            text: format!("{} need help", f.stuck),
            style: Style::new(),
            drop: 6,
        },
    ];
    let agents = s.agents_available + s.agents_busy;
    let mut text = format!("{agents} agent{}", if agents == 1 { "" } else { "s" });
    if agents > 0 {
        let _ = write!(text, " ({} free)", s.agents_available);
    }
    items.push(marked(text, levels.agents_available, 2));
    // A figure past its target shows here too: the panels are hidden on
    // short terminals.
    if let Some(p) = s
        .service_level_percent
        .filter(|_| levels.service_level != Level::Fine)
    {
        items.push(marked(format!("SL {p}%"), levels.service_level, 3));
    }
    if let Some(ms) = s
        .average_answer_ms
        .filter(|_| levels.average_answer != Level::Fine)
    {
        items.push(marked(
            format!("ASA {}", duration(ms)),
            levels.average_answer,
            3,
        ));
    }
    if levels.longest_wait != Level::Fine {
        let text = format!("wait {}", duration(s.longest_wait_ms));
        items.push(marked(text, levels.longest_wait, 3));
    }
    if s.incidents_open > 0 {
        let plural = if s.incidents_open == 1 { "" } else { "s" };
        items.push(Item {
            text: format!("{} incident{plural}", s.incidents_open),
            style: theme.warn(),
            drop: 4,
        });
    }
    if let Some(csat) = s.csat_percent {
        items.push(Item {
            text: format!("CSAT {csat}%"),
            style: Style::new(),
            drop: 8,
        });
    }
    items
}
