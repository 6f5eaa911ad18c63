//! The selected shopper: how they arrived, where they are, their cart,
//! offers and, if they need help, why in words and their score, then their
//! journey step by step, and their latest chat's transcript.

use std::fmt::Write as _;

use floorwalker_shared::sanitize::for_terminal;
use floorwalker_shared::session::Session;
use floorwalker_shared::triage;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::cmd::dashboard::app::{App, Pane};
use crate::cmd::dashboard::strings;
use crate::ui::theme::Theme;
use floorwalker::format::{duration, money, offset, step_text};

pub(super) fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: Theme) {
    let focus = if app.journey() == Some(Pane::Detail) {
        "▸"
    } else {
        ""
    };
    let block = Block::new()
        .borders(Borders::TOP | Borders::LEFT)
        .title(format!("{focus} Journey (Esc closes) "));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(lines) = lines(app, inner.width, theme) else {
        frame.render_widget(
            Paragraph::new("That shopper is no longer on the floor."),
            inner,
        );
        return;
    };
    // Scrolling stops at the last line.
    let max = lines.len().saturating_sub(inner.height as usize);
    let shown: Vec<Line<'_>> = lines.into_iter().skip(app.detail_scroll.min(max)).collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

/// The pane's lines at `width` columns, if the shopper is on the floor.
pub(super) fn lines(app: &App, width: u16, theme: Theme) -> Option<Vec<Line<'static>>> {
    let session = app.selected.as_ref().and_then(|key| app.floor.get(key))?;
    let width = width.saturating_sub(1) as usize;
    let mut lines = summary(app, session, theme, width);
    lines.push(Line::from(Span::styled("Journey", theme.heading())));
    if session.journey.forgotten() > 0 {
        lines.push(Line::from(Span::styled(
            format!("… {} earlier steps", session.journey.forgotten()),
            theme.dim(),
        )));
    }
    let start = session.journey.entries().next().map_or(0, |e| e.at_ms);
    for entry in session.journey.entries() {
        let when = offset(entry.at_ms.saturating_sub(start));
        let text = step_text(&entry.step, &session.currency);
        lines.push(Line::from(vec![
            Span::styled(format!("{when:>8} "), theme.dim()),
            Span::raw(for_terminal(&text, width.saturating_sub(9))),
        ]));
    }
    if let Some(chat) = app.desk.chat_of(session.subjects()) {
        lines.push(Line::default());
        let heading = format!(
            "Chat {} ({})",
            chat.id.get(..8).unwrap_or(&chat.id),
            chat.state.name()
        );
        lines.push(Line::from(Span::styled(
            for_terminal(&heading, width),
            theme.heading(),
        )));
        lines.extend(crate::ui::transcript::lines(chat, width, theme));
    }
    Some(lines)
}

fn summary(app: &App, s: &Session, theme: Theme, width: usize) -> Vec<Line<'static>> {
    let now = app.now_ms;
    let field = |name: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{name:<9}"), theme.dim()),
            Span::raw(for_terminal(&value, width.saturating_sub(9))),
        ])
    };
    let mut lines = Vec::new();
    let visitor = s.visitor.as_deref().unwrap_or("unknown");
    lines.push(field(
        "Shopper",
        format!(
            "{} · {} · visitor {visitor}",
            s.subjects().token().short(),
            s.subjects().site()
        ),
    ));
    lines.push(field("Visits", app.memories.line(s, now)));
    let mut arrived = s.arrival.source();
    if let Some(campaign) = s.arrival.utm.as_ref().and_then(|u| u.campaign.as_deref()) {
        let _ = write!(arrived, " · campaign {campaign}");
    }
    if let Some(referrer) = &s.arrival.referrer {
        let _ = write!(arrived, " · from {referrer}");
    }
    lines.push(field("Arrived", arrived));
    if let Some(page) = &s.page {
        lines.push(field(
            "Now on",
            format!(
                "{} ({}) for {}",
                page.path,
                page.title,
                duration(s.on_page_ms(now))
            ),
        ));
    }
    let mut cart = if s.cart_items() == 0 {
        "empty".to_owned()
    } else {
        let items = s.cart_items();
        let noun = if items == 1 { "item" } else { "items" };
        format!(
            "{items} {noun} · {}",
            money(s.cart_value_minor(), &s.currency)
        )
    };
    if let Some((step, name)) = &s.checkout {
        let _ = write!(cart, " · checkout step {step} ({name})");
    }
    if let Some((id, total)) = &s.order {
        cart = format!("ordered {id} · {}", money(*total, &s.currency));
    }
    lines.push(field("Cart", cart));
    for offer in &s.offers {
        // How it stands first: the text may not fit.
        let progress = offer.progress_at(now);
        let mut text = progress.name().to_owned();
        if !progress.is_over() {
            let _ = write!(
                text,
                " (expires in {})",
                duration(offer.expires_ms.saturating_sub(now))
            );
        }
        let _ = write!(
            text,
            " · by {} {} ago: \"{}\"",
            offer.by,
            duration(now.saturating_sub(offer.sent_ms)),
            offer.text
        );
        lines.push(field("Offer", text));
    }
    // Why the shopper needs help, in words, and where that puts them.
    let reasons = triage::reasons(&app.floor, s, now);
    for why in &reasons {
        lines.push(Line::from(vec![
            Span::styled(format!("{:<9}", strings::FLAGGED), theme.warn()),
            Span::raw(for_terminal(
                &triage::describe(why, &s.currency),
                width.saturating_sub(9),
            )),
        ]));
    }
    if !reasons.is_empty() {
        let score = triage::score(&app.floor, s, now);
        lines.push(field(strings::PRIORITY, score.to_string()));
    }
    if s.lost_batches > 0 {
        lines.push(field(
            "Lost",
            format!("{} batches of events never arrived", s.lost_batches),
        ));
    }
    lines.push(Line::default());
    lines
}
