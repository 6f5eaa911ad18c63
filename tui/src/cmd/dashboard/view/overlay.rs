//! What draws over the screen: the help, and the offer dialog.

use floorwalker_shared::sanitize::for_terminal;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::centered;
use crate::cmd::dashboard::app::App;
use crate::cmd::dashboard::keymap::KEYS;
use crate::cmd::dashboard::strings;
use crate::ui::theme::Theme;
use floorwalker::format::{duration, money};

/// The help: every key, and `about` (what runs where: the demo's address
/// block) below them when the screen is tall enough, else its first
/// values on the help's bottom border.
pub(super) fn help(frame: &mut Frame<'_>, area: Rect, about: &[(String, String)], theme: Theme) {
    const WIDTH: u16 = 56;
    let row = |label: &str, text: Span<'static>| {
        Line::from(vec![
            Span::styled(format!("{label:>21}  "), theme.title()),
            text,
        ])
    };
    let mut lines: Vec<Line<'_>> = KEYS
        .iter()
        .map(|r| row(r.label, Span::raw(r.help)))
        .collect();
    let with_about = lines.len() + about.len() + 6 <= usize::from(area.height);
    let mut width = WIDTH;
    if with_about && !about.is_empty() {
        // As wide as the longest value needs, within the screen.
        let widest = about.iter().map(|(_, v)| v.chars().count()).max();
        let need = u16::try_from(widest.unwrap_or(0) + 25).unwrap_or(u16::MAX);
        width = need.clamp(WIDTH, area.width.saturating_sub(2).max(WIDTH));
        let room = usize::from(width.saturating_sub(25));
        lines.push(Line::default());
        lines.push(row("", Span::styled(strings::HELP_ABOUT, theme.title())));
        lines.extend(
            about
                .iter()
                .map(|(label, value)| row(label, Span::raw(for_terminal(value, room)))),
        );
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(strings::HELP_CLOSE, theme.dim())));
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let rect = centered(area, width, height);
    let mut block = Block::bordered().title(strings::HELP_TITLE);
    if !with_about && !about.is_empty() {
        let values: Vec<&str> = about.iter().map(|(_, v)| v.as_str()).collect();
        let room = usize::from(rect.width.saturating_sub(4));
        block = block.title_bottom(format!(" {} ", for_terminal(&values.join(" · "), room)));
    }
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

pub(super) fn offer(frame: &mut Frame<'_>, area: Rect, app: &App, theme: Theme) {
    let Some(dialog) = app.offer_dialog() else {
        return;
    };
    let width = area.width.saturating_sub(4).min(72);
    let text_width = width.saturating_sub(6) as usize;
    // The shopper is the one the dialog opened for, whatever the table
    // does meanwhile; named so that it cannot be mistaken for another.
    let short = dialog.session.token().short();
    let (who, about) = app.floor.get(&dialog.session).map_or_else(
        || (format!("To {short}"), strings::OFFER_GONE.to_owned()),
        |s| {
            let page = s.page.as_ref().map_or("", |p| p.path.as_str());
            let cart = if s.cart_items() == 0 {
                "empty cart".to_owned()
            } else {
                format!("cart {}", money(s.cart_value_minor(), &s.currency))
            };
            let on_site = duration(app.now_ms.saturating_sub(s.first_heard_ms));
            (
                format!("To {short} on {page}"),
                format!(
                    "{cart} · {on_site} on site · {} page{}",
                    s.pages_seen,
                    if s.pages_seen == 1 { "" } else { "s" }
                ),
            )
        },
    );
    let mut lines = vec![
        Line::from(for_terminal(&who, text_width + 2)),
        Line::from(Span::styled(
            for_terminal(&about, text_width + 2),
            theme.dim(),
        )),
        Line::default(),
    ];
    for (i, template) in app.templates.iter().enumerate() {
        let mark = if i == dialog.choice { "▸ " } else { "  " };
        let line = Line::from(format!("{mark}{}", for_terminal(template, text_width)));
        lines.push(if i == dialog.choice {
            line.style(theme.selected())
        } else {
            line
        });
    }
    let own = dialog.choice == app.templates.len();
    let mark = if own { "▸ " } else { "  " };
    let typed = for_terminal(&dialog.typed, text_width.saturating_sub(16));
    let cursor = if own { "▏" } else { "" };
    let line = Line::from(format!("{mark}{}{typed}{cursor}", strings::OFFER_OWN));
    lines.push(if own {
        line.style(theme.selected())
    } else {
        line
    });
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(strings::OFFER_HINT, theme.dim())));
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(strings::OFFER_TITLE)),
        rect,
    );
}
