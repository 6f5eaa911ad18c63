//! Keys and what they do; the help overlay and the footer read this table,
//! so what they say is what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Move the selection up one row.
    Up,
    /// Move the selection down one row.
    Down,
    /// Up one screen.
    PageUp,
    /// Down one screen.
    PageDown,
    /// To the first row.
    First,
    /// To the last row.
    Last,
    /// Open the selected session's detail.
    Open,
    /// Switch between the sessions and the detail pane.
    NextPane,
    /// Filter by text.
    Search,
    /// Cycle the state filter.
    StateFilter,
    /// Cycle the site filter.
    SiteFilter,
    /// Sort by the next column.
    Sort,
    /// Reverse the sort.
    Reverse,
    /// Offer a chat to the selected shopper.
    Offer,
    /// Show or hide the help.
    Help,
    /// Close what is open; on the main screen, quit.
    Back,
    /// Quit.
    Quit,
    /// Confirm a text field or dialog.
    Confirm,
    /// Delete a character in a text field.
    Erase,
    /// Show or hide agents, chats and incidents.
    Desk,
    /// Whisper to the selected chat's agent.
    Whisper,
    /// Write in the selected chat, as a supervisor.
    Join,
    /// Give the selected chat to another agent, or back to the queue.
    Reassign,
}

/// Every key, with the words the help shows for it; in help order.
pub(crate) const KEYS: &[(&str, Action, &str)] = &[
    ("j/↓", Action::Down, "next shopper"),
    ("k/↑", Action::Up, "previous shopper"),
    ("PgDn/PgUp", Action::PageDown, "a screen down / up"),
    ("g/G", Action::First, "first / last shopper"),
    ("Enter", Action::Open, "shopper's journey"),
    ("Tab", Action::NextPane, "switch pane"),
    ("o", Action::Offer, "offer a chat"),
    ("a", Action::Desk, "agents & chats / shoppers"),
    ("w", Action::Whisper, "whisper to the chat's agent"),
    ("J", Action::Join, "join the chat as supervisor"),
    ("R", Action::Reassign, "reassign the chat"),
    ("/", Action::Search, "filter by text"),
    ("f", Action::StateFilter, "filter by state"),
    ("F", Action::SiteFilter, "filter by site"),
    ("s", Action::Sort, "sort by next column"),
    ("r", Action::Reverse, "reverse sort"),
    ("?", Action::Help, "this help"),
    ("Esc", Action::Back, "close / back"),
    ("q", Action::Quit, "quit"),
];

/// The action of a key on the main screen.
pub(crate) fn action(key: KeyEvent) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return match key.code {
            KeyCode::Char('c') => Some(Action::Quit),
            KeyCode::Char('d') => Some(Action::PageDown),
            KeyCode::Char('u') => Some(Action::PageUp),
            _ => None,
        };
    }
    Some(match key.code {
        KeyCode::Char('j') | KeyCode::Down => Action::Down,
        KeyCode::Char('k') | KeyCode::Up => Action::Up,
        KeyCode::PageDown | KeyCode::Char(' ') => Action::PageDown,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::Char('g') | KeyCode::Home => Action::First,
        KeyCode::Char('G') | KeyCode::End => Action::Last,
        KeyCode::Enter => Action::Open,
        KeyCode::Tab | KeyCode::BackTab => Action::NextPane,
        KeyCode::Char('/') => Action::Search,
        KeyCode::Char('f') => Action::StateFilter,
        KeyCode::Char('F') => Action::SiteFilter,
        KeyCode::Char('s') => Action::Sort,
        KeyCode::Char('r') => Action::Reverse,
        KeyCode::Char('o') => Action::Offer,
        KeyCode::Char('a') => Action::Desk,
        KeyCode::Char('w') => Action::Whisper,
        KeyCode::Char('J') => Action::Join,
        KeyCode::Char('R') => Action::Reassign,
        KeyCode::Char('?') => Action::Help,
        KeyCode::Esc => Action::Back,
        KeyCode::Char('q') => Action::Quit,
        _ => return None,
    })
}

/// The action of a key while a text field is open; `Err` carries a
/// character to type.
pub(crate) fn text_action(key: KeyEvent) -> Option<Result<Action, char>> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return (key.code == KeyCode::Char('c')).then_some(Ok(Action::Quit));
    }
    Some(match key.code {
        KeyCode::Enter => Ok(Action::Confirm),
        KeyCode::Esc => Ok(Action::Back),
        KeyCode::Backspace => Ok(Action::Erase),
        KeyCode::Up => Ok(Action::Up),
        KeyCode::Down => Ok(Action::Down),
        KeyCode::Char(c) => Err(c),
        _ => return None,
    })
}
