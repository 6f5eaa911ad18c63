//! The desk view: agents at the top (state, chats against capacity, time
//! since their last reply), open chats and incidents on the left, the
//! selected chat's transcript on the right; the reassign dialog over it,
//! with each agent's state and load, and what it asks before overloading
//! one.

use floorwalker::format::duration;
use floorwalker_shared::desk::{AgentState, ChatState};
use floorwalker_shared::sanitize::{for_terminal, width};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::centered;
use crate::cmd::dashboard::app::App;
use crate::cmd::dashboard::strings;
use crate::cmd::dashboard::supervise::{self, DeskMode, Pick, Say};
use crate::ui::framed::framed;
use crate::ui::theme::Theme;

pub(super) fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: Theme) {
    let agents = app.desk.agents().filter(|a| a.online).count();
    let agents_height = u16::try_from(agents.clamp(1, 6) + 2).unwrap_or(8);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(agents_height), Constraint::Min(3)]).areas(area);
    draw_agents(frame, top, app, theme);
    let [left, right] = Layout::horizontal([
        Constraint::Length(34.min(area.width / 2)),
        Constraint::Min(10),
    ])
    .areas(bottom);
    draw_chats(frame, left, app, theme);
    draw_transcript(frame, right, app, theme);
    if let Some(DeskMode::Reassign(pick)) = app.desk_mode() {
        draw_reassign(frame, area, app, pick, theme);
    }
}

fn draw_agents(frame: &mut Frame<'_>, area: Rect, app: &App, theme: Theme) {
    let s = &app.figures.service;
    let title = format!(
        " Agents · {} available · {} busy · {} away ",
        s.agents_available, s.agents_busy, s.agents_away
    );
    let inner = framed(frame, area, &title, theme);
    let w = inner.width as usize;
    let mut lines: Vec<Line<'static>> = app
        .desk
        .agents()
        .filter(|a| a.online)
        .map(|a| {
            let state = a.state();
            let last = a.last_reply_ms.map_or_else(
                || "no reply yet".to_owned(),
                |at| format!("last reply {} ago", duration(app.now_ms.saturating_sub(at))),
            );
            let text = format!(
                "{:<12} {:<9} {}/{} chats  {last}",
                a.name,
                state.name(),
                a.holding.len(),
                a.capacity
            );
            Line::from(Span::styled(
                for_terminal(&text, w),
                agent_style(state, theme),
            ))
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::from(Span::styled(
            "No agent is online: offers are held back until one is.",
            theme.warn(),
        )));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn draw_chats(frame: &mut Frame<'_>, area: Rect, app: &App, theme: Theme) {
    let rows = supervise::rows(&app.desk);
    let s = &app.figures.service;
    let title = format!(
        " Chats · {} waiting · {} incident{} ",
        s.waiting,
        s.incidents_open,
        if s.incidents_open == 1 { "" } else { "s" }
    );
    let inner = framed(frame, area, &title, theme);
    let w = inner.width as usize;
    let mut lines = Vec::new();
    let mut at = 0;
    for chat in &rows {
        let selected = app.supervise.selected.as_deref() == Some(chat.id.as_str());
        if selected {
            at = lines.len();
        }
        let what = match &chat.state {
            ChatState::Queued => format!(
                "waiting {}",
                duration(chat.waiting_ms(app.now_ms).unwrap_or(0))
            ),
            ChatState::Active { agent } => format!("with {agent}"),
            ChatState::Ended | ChatState::Abandoned => {
                let taken = app
                    .desk
                    .incidents()
                    .find(|i| i.chat_id == chat.id)
                    .and_then(|i| i.taken.as_ref().map(|(by, _)| by.clone()));
                taken.map_or_else(
                    || "INCIDENT untaken".to_owned(),
                    |by| format!("incident: {by}"),
                )
            }
        };
        let id = chat.id.get(..8).unwrap_or(&chat.id);
        let text = format!(
            "{} {id} {} {what}",
            if selected { "›" } else { " " },
            chat.session.site()
        );
        let style = if selected {
            theme.selected()
        } else {
            ratatui::style::Style::new()
        };
        lines.push(Line::from(Span::styled(for_terminal(&text, w), style)));
    }
    if lines.is_empty() {
        lines.push(Line::from(Span::styled("No chats open.", theme.dim())));
    }
    let skip = (at + 1).saturating_sub(inner.height as usize);
    frame.render_widget(
        Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>()),
        inner,
    );
}

fn draw_transcript(frame: &mut Frame<'_>, area: Rect, app: &App, theme: Theme) {
    let chat = app
        .supervise
        .selected
        .as_deref()
        .and_then(|id| app.desk.chat(id));
    let title = chat.map_or_else(
        || " Transcript ".to_owned(),
        |c| {
            let source = app
                .floor
                .get(&c.session)
                .map_or_else(String::new, |s| format!(" · from {}", s.arrival.source()));
            format!(
                " Chat {} · {}{source} ",
                c.id.get(..8).unwrap_or(&c.id),
                c.state.name()
            )
        },
    );
    let inner = framed(frame, area, &title, theme);
    let Some(chat) = chat else {
        frame.render_widget(
            Paragraph::new(strings::DESK_SELECT).style(theme.dim()),
            inner,
        );
        return;
    };
    let w = inner.width as usize;
    let mut lines = Vec::new();
    if let Some(incident) = app.desk.incidents().find(|i| i.chat_id == chat.id) {
        lines.push(Line::from(Span::styled(
            "Incident: the shopper said the chat did not help. Journey:",
            theme.warn(),
        )));
        for step in incident.journey.iter().rev().take(5).rev() {
            lines.push(Line::from(for_terminal(&format!("  {step}"), w)));
        }
    }
    let said = crate::ui::transcript::lines(chat, w, theme);
    let typing = match app.desk_mode() {
        Some(DeskMode::Typing(say, text)) => Some((say, text)),
        _ => None,
    };
    let typing = typing.map(|(say, text)| {
        let prompt = match say {
            Say::Whisper => strings::WHISPER_PROMPT,
            Say::Join => strings::JOIN_PROMPT,
        };
        (prompt, text.as_str(), theme.warn())
    });
    let lines = crate::ui::transcript::pane(lines, said, typing, w, inner.height as usize);
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Width of the reassign dialog, borders included.
const REASSIGN_WIDTH: u16 = 50;

fn draw_reassign(frame: &mut Frame<'_>, area: Rect, app: &App, pick: &Pick, theme: Theme) {
    let rect_width = REASSIGN_WIDTH.min(area.width);
    let w = usize::from(rect_width.saturating_sub(2));
    let holder = app.desk.chat(&pick.chat_id).and_then(|c| c.agent());
    let mut lines: Vec<Line<'static>> = supervise::choices(&app.desk)
        .iter()
        .map(|choice| {
            let at = *choice == pick.cursor;
            let mark = if at { "▸ " } else { "  " };
            let (text, style) = match choice.as_deref().and_then(|n| app.desk.agent(n)) {
                None => (strings::REASSIGN_QUEUE.to_owned(), Style::new()),
                Some(agent) => {
                    let state = agent.state();
                    let note = if holder == Some(agent.name.as_str()) {
                        format!(" · {}", strings::REASSIGN_HOLDER)
                    } else {
                        String::new()
                    };
                    let text = format!(
                        "{:<12} {:<9} {}/{} chats{note}",
                        agent.name,
                        state.name(),
                        agent.holding.len(),
                        agent.capacity
                    );
                    (text, agent_style(state, theme))
                }
            };
            let style = if at { theme.selected() } else { style };
            Line::from(Span::styled(
                for_terminal(&format!("{mark}{text}"), w),
                style,
            ))
        })
        .collect();
    if let (Some(caution), Some(to)) = (pick.confirming, pick.cursor.as_deref()) {
        lines.push(Line::default());
        let text = strings::reassign_caution(to, caution);
        for piece in words(&text, w) {
            lines.push(Line::from(Span::styled(piece, theme.warn())));
        }
    }
    lines.push(Line::from(Span::styled(
        for_terminal(strings::REASSIGN_HINT, w),
        theme.dim(),
    )));
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let rect = centered(area, rect_width, height);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(strings::REASSIGN_TITLE)),
        rect,
    );
}

/// `text` in lines of whole words at most `w` columns wide (a word wider
/// than that is cut).
fn words(text: &str, w: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if width(line) + 1 + width(word) <= w => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(for_terminal(word, w)),
        }
    }
    lines
}

/// How an agent's line looks: busy in the warning colour, away or offline
/// dimmed.
fn agent_style(state: AgentState, theme: Theme) -> Style {
    match state {
        AgentState::Busy => theme.warn(),
        AgentState::Away | AgentState::Offline => theme.dim(),
        AgentState::Available => Style::new(),
    }
}

#[cfg(test)]
mod tests;
