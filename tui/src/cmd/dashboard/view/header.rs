//! The title line: the counts a supervisor glances at, any desk figure past
//! its target, what was refused at the door, and the connection's state.
//! When the line is too narrow, items give up their detail (the reasons for
//! the refusals), then whole items go, least important first; none is ever
//! cut mid-word.

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
    /// Shorter forms of the item, shortest last, each with how soon it goes
    /// once shown: a long item gives up its detail before it goes.
    shorter: Vec<(String, u8)>,
}

impl Item {
    fn new(text: String, style: Style, drop: u8) -> Self {
        Self {
            text,
            style,
            drop,
            shorter: Vec::new(),
        }
    }
}

/// How soon an item's detail goes: before any item.
const DETAIL: u8 = 9;

/// The most reasons for the refusals the line names.
const TITLE_REASONS: usize = 4;

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
    // Detail goes first, then the operator's name, then items by their rank.
    let mut show_operator = true;
    while used(&items, show_operator) > line_width as usize {
        let worst = items
            .iter()
            .enumerate()
            .max_by_key(|(i, item)| (item.drop, *i))
            .map(|(i, _)| i);
        let detail = worst.is_some_and(|i| items[i].drop >= DETAIL);
        if show_operator && !detail {
            show_operator = false;
            continue;
        }
        let Some(worst) = worst else {
            break;
        };
        let item = &mut items[worst];
        if item.shorter.is_empty() {
            items.remove(worst);
        } else {
            (item.text, item.drop) = item.shorter.remove(0);
        }
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
    let marked = |text: String, level: Level, drop: u8| {
        Item::new(
            format!("{text}{}", level.marker()),
            theme.level(level),
            drop,
        )
    };
    let mut items = vec![
        Item::new(format!("{} online", f.online), Style::new(), 1),
        Item::new(format!("{} in checkout", f.in_checkout), Style::new(), 7),
        Item::new(format!("{} need help", f.stuck), Style::new(), 6),
    ];
    let agents = s.agents_available + s.agents_busy;
    let mut text = format!("{agents} agent{}", if agents == 1 { "" } else { "s" });
    if agents > 0 {
        let _ = write!(text, " ({} free)", s.agents_available);
    }
    items.push(marked(text, levels.agents_available, 2));
    // Fewer agents on duty than the chats need.
    let staffing = app.targets.staffing(&app.staffing);
    if let Some(needed) = app.staffing.needed.filter(|_| staffing != Level::Fine) {
        items.push(marked(strings::need_agents(needed), staffing, 3));
    }
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
        items.push(Item::new(
            format!("{} incident{plural}", s.incidents_open),
            theme.warn(),
            4,
        ));
    }
    // No intake heard lately: what shoppers do reaches no screen.
    let intakes = app.refusals.intakes();
    if intakes > 0 && app.refusals.silent(app.now_ms).len() == intakes {
        items.push(marked("intake silent".into(), Level::Red, 1));
    }
    items.extend(refused(app, theme));
    if let Some(csat) = s.csat_percent {
        items.push(Item::new(format!("CSAT {csat}%"), Style::new(), 8));
    }
    items
}

/// What the intakes and the gates refused, when anything: the number, how
/// many in the last minute (then it ranks with the figures past their
/// targets), and the reasons, most first, while there is room.
fn refused(app: &App, theme: Theme) -> Option<Item> {
    let total = app.refusals.total().filter(|&n| n > 0)?;
    let recent = app.refusals.recent(app.now_ms);
    let (short, head, style, drop) = if recent > 0 {
        (
            format!("{total} refused (+{recent})"),
            format!("{total} refused (+{recent} in 1m)"),
            theme.warn(),
            3,
        )
    } else {
        let text = format!("{total} refused");
        (text.clone(), text, Style::new(), 5)
    };
    let reasons = app.refusals.reasons();
    let words: Vec<String> = reasons
        .iter()
        .take(TITLE_REASONS)
        .map(|r| format!("{} {}", r.n, for_terminal(&r.words, 32)))
        .collect();
    // Every reason named first, then one fewer, down to the number alone.
    let mut forms: Vec<(String, u8)> = (1..=words.len())
        .rev()
        .map(|k| {
            let more = if k < reasons.len() { ", …" } else { "" };
            (format!("{head}: {}{more}", words[..k].join(", ")), DETAIL)
        })
        .collect();
    forms.push((short, drop));
    let (text, first) = forms.remove(0);
    Some(Item {
        text,
        style,
        drop: first,
        shorter: forms,
    })
}
