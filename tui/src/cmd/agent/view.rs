//! Drawing the agent's console: it borrows the state and changes nothing.
//!
//! Top, a status line (who, available or away, chats held against
//! capacity, the queue); left, the agent's chats, the waiting chats and the
//! open incidents; right, the selected chat: where the shopper came from,
//! the cart, where they are now and their path, then the conversation and
//! the reply being typed; bottom, the keys or a notice. Every shopper
//! string passes through `sanitize::for_terminal`.

use std::fmt::Write as _;

use floorwalker::format::{duration, money};
use floorwalker_shared::desk::{Chat, ChatState, Speaker};
use floorwalker_shared::sanitize::for_terminal;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::app::{Console, Item, Mode};
use super::keymap::KEYS;
use crate::ui::framed::framed;
use crate::ui::theme::Theme;

/// Width of the list on the left.
const LIST: u16 = 28;

pub(super) fn draw(frame: &mut Frame<'_>, c: &Console, theme: Theme) {
    let area = frame.area();
    if area.width < 40 || area.height < 8 {
        frame.render_widget(
            Paragraph::new("Floorwalker: make the terminal larger"),
            area,
        );
        return;
    }
    let [top, main, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(status_line(c, theme, top.width), top);
    let [left, right] =
        Layout::horizontal([Constraint::Length(LIST), Constraint::Min(10)]).areas(main);
    draw_list(frame, left, c, theme);
    draw_chat(frame, right, c, theme);
    frame.render_widget(footer_line(c, theme, footer.width), footer);
    if matches!(c.mode, Mode::Help(_)) {
        draw_help(frame, area, theme);
    }
}

fn status_line(c: &Console, theme: Theme, width: u16) -> Paragraph<'static> {
    if let Some(why) = &c.down {
        let text = format!(" NATS connection lost, reconnecting ({why})");
        return Paragraph::new(Span::styled(
            for_terminal(&text, width as usize),
            theme.alarm(),
        ));
    }
    let queue = c.desk.queue();
    let longest = queue
        .first()
        .and_then(|chat| chat.waiting_ms(c.now_ms))
        .map_or(String::new(), |ms| format!(", longest {}", duration(ms)));
    let text = format!(
        " Floorwalker agent {} · {} · {}/{} chats · {} waiting{longest}{}",
        c.me,
        if c.available { "available" } else { "AWAY" },
        c.held(),
        c.capacity,
        queue.len(),
        if c.caught_up {
            ""
        } else {
            " · reading history…"
        },
    );
    Paragraph::new(Span::styled(
        for_terminal(&text, width as usize),
        theme.title(),
    ))
}

fn footer_line(c: &Console, theme: Theme, width: u16) -> Paragraph<'static> {
    if let Some(chat) = c.ending() {
        let text = super::strings::end_question(short(chat));
        return Paragraph::new(Span::styled(
            for_terminal(&text, width as usize),
            theme.warn(),
        ));
    }
    let text = match (&c.notice, c.typing()) {
        (Some(notice), _) => notice.text.clone(),
        (None, Some(_)) => "Enter send · Esc stop typing".to_owned(),
        (None, None) => crate::ui::keys::footer(KEYS)
            .map(|(keys, what)| [keys, " ", what].concat())
            .collect::<Vec<_>>()
            .join(" · "),
    };
    Paragraph::new(Span::styled(
        for_terminal(&text, width as usize),
        theme.dim(),
    ))
}

fn draw_list(frame: &mut Frame<'_>, area: Rect, c: &Console, theme: Theme) {
    let inner = framed(frame, area, " Chats ", theme);
    let items = c.items();
    let count = |f: fn(&Item) -> bool| items.iter().filter(|i| f(i)).count();
    let mut lines = Vec::new();
    let heading = |lines: &mut Vec<Line<'static>>, text: String| {
        lines.push(Line::from(Span::styled(text, theme.heading())));
    };
    let sections: [Section; 3] = [
        ("Mine", |i| matches!(i, Item::Mine(_))),
        ("Waiting", |i| matches!(i, Item::Waiting(_))),
        ("Incidents", |i| matches!(i, Item::Incident(_))),
    ];
    let w = inner.width as usize;
    for (title, is) in sections {
        heading(&mut lines, format!("{title} ({})", count(is)));
        for item in items.iter().filter(|i| is(i)) {
            let selected = c.selected.as_ref() == Some(item);
            let text = item_text(c, item);
            let mark = if selected { "› " } else { "  " };
            let style = if selected {
                theme.selected()
            } else {
                ratatui::style::Style::new()
            };
            lines.push(Line::from(Span::styled(
                for_terminal(&format!("{mark}{text}"), w),
                style,
            )));
        }
    }
    let height = inner.height as usize;
    // Keep the selection in view.
    let at = lines
        .iter()
        .position(|l| l.spans.first().is_some_and(|s| s.content.starts_with('›')))
        .unwrap_or(0);
    let skip = (at + 1).saturating_sub(height);
    frame.render_widget(
        Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>()),
        inner,
    );
}

/// A heading of the list, and which rows go under it.
type Section = (&'static str, fn(&Item) -> bool);

fn item_text(c: &Console, item: &Item) -> String {
    let Some(chat) = c.desk.chat(item.chat_id()) else {
        return short(item.chat_id()).to_owned();
    };
    let site = chat.session.site();
    match item {
        Item::Mine(_) => {
            let waiting = chat
                .lines
                .iter()
                .rev()
                .find(|l| !matches!(l.speaker, Speaker::Note | Speaker::Whisper(_)))
                .is_some_and(|l| l.speaker == Speaker::Shopper);
            format!(
                "{} {site}{}",
                short(&chat.id),
                if waiting { " ✎ reply" } else { "" }
            )
        }
        Item::Waiting(_) => format!(
            "{} {site} {}",
            short(&chat.id),
            duration(chat.waiting_ms(c.now_ms).unwrap_or(0))
        ),
        Item::Incident(id) => {
            let by = c
                .desk
                .incidents()
                .find(|i| i.chat_id == *id)
                .and_then(|i| i.taken.as_ref().map(|(by, _)| by.clone()));
            format!(
                "{} {}",
                short(id),
                by.map_or("untaken".to_owned(), |b| format!("by {b}"))
            )
        }
    }
}

/// The first characters of a chat id: enough to tell chats apart on
/// screen.
fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

fn draw_chat(frame: &mut Frame<'_>, area: Rect, c: &Console, theme: Theme) {
    let Some(chat) = c.shown_chat() else {
        let inner = framed(frame, area, " Chat ", theme);
        let text = if c.desk.queue().is_empty() {
            "Nobody is waiting. New chats appear on the left; n claims the next."
        } else {
            "Shoppers are waiting: n claims the next."
        };
        // Our own words: ratatui's word wrap is enough for them.
        frame.render_widget(
            Paragraph::new(text)
                .wrap(ratatui::widgets::Wrap { trim: true })
                .style(theme.dim()),
            inner,
        );
        return;
    };
    let title = format!(
        " Chat {} · {} · {} ",
        short(&chat.id),
        chat.session.site(),
        match &chat.state {
            ChatState::Active { agent } if *agent == c.me => "yours".to_owned(),
            ChatState::Active { agent } => format!("with {agent}"),
            other => other.name().to_owned(),
        }
    );
    let inner = framed(frame, area, &title, theme);
    let w = inner.width as usize;
    let mut top = journey_lines(c, chat, w, theme);
    top.push(Line::from(Span::styled("─".repeat(w), theme.dim())));
    let said = crate::ui::transcript::lines(chat, w, theme);
    let typing = c
        .typing()
        .map(|text| ("> ", text, ratatui::style::Style::new()));
    let lines = crate::ui::transcript::pane(top, said, typing, w, inner.height as usize);
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Where the shopper came from, the cart, where they are now, their path;
/// for an incident, what the shopper said and the journey it carries.
fn journey_lines(c: &Console, chat: &Chat, w: usize, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let field = |name: &str, text: String| {
        Line::from(vec![
            Span::styled(format!("{name:<6}"), theme.dim()),
            Span::raw(for_terminal(&text, w.saturating_sub(6))),
        ])
    };
    let waited = chat.answered_ms.map_or(chat.waiting_ms(c.now_ms), |a| {
        Some(a.saturating_sub(chat.requested_ms))
    });
    if let Some(session) = c.session_of(chat) {
        lines.push(field("From", session.arrival.source()));
        lines.push(field("Seen", c.memories.line(session, c.now_ms)));
        let cart = session.cart_value_minor();
        let mut text = if cart == 0 {
            "empty".to_owned()
        } else {
            let items = session.cart_items();
            format!(
                "{} ({items} item{})",
                money(cart, &session.currency),
                if items == 1 { "" } else { "s" }
            )
        };
        if let Some((step, name)) = &session.checkout {
            let _ = write!(text, " · checkout step {step} ({name})");
        }
        if let Some((_, total)) = &session.order {
            let _ = write!(text, " · ORDERED {}", money(*total, &session.currency));
        }
        lines.push(field("Cart", text));
        if let Some(page) = &session.page {
            lines.push(field("Now", format!("{} ({})", page.path, page.title)));
        }
        let pages: Vec<&str> = session.journey.paths().collect();
        let recent = &pages[pages.len().saturating_sub(6)..];
        if !recent.is_empty() {
            lines.push(field("Path", recent.join(" → ")));
        }
    } else {
        lines.push(field(
            "From",
            "(journey not in view: the shopper's events are older than half an hour)".to_owned(),
        ));
    }
    if let Some(ms) = waited {
        lines.push(field("Wait", duration(ms)));
    }
    if let Some(incident) = c.desk.incidents().find(|i| i.chat_id == chat.id) {
        let by = incident
            .taken
            .as_ref()
            .map_or("nobody yet (t takes it)".to_owned(), |(by, _)| by.clone());
        lines.push(field(
            "Case",
            format!("the shopper said the chat did not help; taken by {by}"),
        ));
        for step in incident.journey.iter().rev().take(4).rev() {
            lines.push(field("", step.clone()));
        }
    }
    lines
}

fn draw_help(frame: &mut Frame<'_>, area: Rect, theme: Theme) {
    let w = area.width.min(76);
    let h = u16::try_from(KEYS.len() + 4)
        .unwrap_or(u16::MAX)
        .min(area.height);
    let popup = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    frame.render_widget(Clear, popup);
    let inner = framed(frame, popup, " Keys ", theme);
    let mut lines: Vec<Line<'static>> = KEYS
        .iter()
        .map(|row| {
            Line::from(vec![
                Span::styled(format!("{:<9}", row.label), theme.title()),
                Span::raw(row.help),
            ])
        })
        .collect();
    lines.push(Line::from(Span::styled(
        "? or Esc closes this help",
        theme.dim(),
    )));
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests;
