//! Keys and what they do: one table that the runtime maps keys with and
//! the footer and the help overlay read, so what they say is what the keys
//! do. Text fields use `ui::keys::text`.

use crossterm::event::{KeyCode, KeyEvent};

use crate::ui::keys::{self, Press, Row};

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
    /// Show only shoppers who need help, or everyone again.
    NeedsHelpFilter,
    /// Sort by who needs help most.
    NeedsHelpSort,
    /// Sort by the next column.
    Sort,
    /// Reverse the sort.
    Reverse,
    /// Offer a chat to the selected shopper.
    Offer,
    /// Show or hide the help.
    Help,
    /// Show or hide what was refused and why.
    Refused,
    /// Close what is open; on the main screen, quit.
    Back,
    /// Quit.
    Quit,
    /// Confirm a text field or dialog (Enter there).
    Confirm,
    /// Delete a character in a text field (Backspace there).
    Erase,
    /// Show or hide agents, chats and incidents.
    Desk,
    /// Show or hide the insights (staffing).
    Insights,
    /// Whisper to the selected chat's agent.
    Whisper,
    /// Write in the selected chat, as a supervisor.
    Join,
    /// Give the selected chat to another agent, or back to the queue.
    Reassign,
}

const fn k(code: KeyCode) -> Press {
    Press::Key(code)
}

const fn c(ch: char) -> Press {
    Press::Key(KeyCode::Char(ch))
}

/// Every key outside text fields, with the words the help shows; in help
/// order.
pub(crate) const KEYS: &[Row<Action>] = &[
    Row {
        label: "j/↓",
        help: "next shopper",
        footer: Some(("j/k", "move")),
        keys: &[(c('j'), Action::Down), (k(KeyCode::Down), Action::Down)],
    },
    Row {
        label: "k/↑",
        help: "previous shopper",
        footer: None,
        keys: &[(c('k'), Action::Up), (k(KeyCode::Up), Action::Up)],
    },
    Row {
        label: "PgDn/PgUp Space ^d/^u",
        help: "a screen down / up",
        footer: None,
        keys: &[
            (k(KeyCode::PageDown), Action::PageDown),
            (c(' '), Action::PageDown),
            (Press::Ctrl('d'), Action::PageDown),
            (k(KeyCode::PageUp), Action::PageUp),
            (Press::Ctrl('u'), Action::PageUp),
        ],
    },
    Row {
        label: "g/G Home/End",
        help: "first / last shopper",
        footer: None,
        keys: &[
            (c('g'), Action::First),
            (k(KeyCode::Home), Action::First),
            (c('G'), Action::Last),
            (k(KeyCode::End), Action::Last),
        ],
    },
    Row {
        label: "Enter",
        help: "shopper's journey",
        footer: Some(("Enter", "journey")),
        keys: &[(k(KeyCode::Enter), Action::Open)],
    },
    Row {
        label: "Tab/S-Tab",
        help: "switch pane",
        footer: None,
        keys: &[
            (k(KeyCode::Tab), Action::NextPane),
            (k(KeyCode::BackTab), Action::NextPane),
        ],
    },
    Row {
        label: "o",
        help: "offer a chat",
        footer: Some(("o", "offer")),
        keys: &[(c('o'), Action::Offer)],
    },
    Row {
        label: "a/i",
        help: "agents & chats / insights",
        footer: None,
        keys: &[(c('a'), Action::Desk), (c('i'), Action::Insights)],
    },
    Row {
        label: "w",
        help: "whisper to the chat's agent",
        footer: None,
        keys: &[(c('w'), Action::Whisper)],
    },
    Row {
        label: "J",
        help: "join the chat as supervisor",
        footer: None,
        keys: &[(c('J'), Action::Join)],
    },
    Row {
        label: "R",
        help: "reassign the chat",
        footer: None,
        keys: &[(c('R'), Action::Reassign)],
    },
    Row {
        label: "/",
        help: "filter by text",
        footer: Some(("/", "filter")),
        keys: &[(c('/'), Action::Search)],
    },
    Row {
        label: "f",
        help: "filter by state",
        footer: Some(("f", "state")),
        keys: &[(c('f'), Action::StateFilter)],
    },
    Row {
        label: "F",
        help: "filter by site",
        footer: None,
        keys: &[(c('F'), Action::SiteFilter)],
    },
    Row {
        label: "!/n",
        help: "only / first who needs help",
        footer: None,
        keys: &[
            (c('!'), Action::NeedsHelpFilter),
            (c('n'), Action::NeedsHelpSort),
        ],
    },
    Row {
        label: "s",
        help: "sort by next column",
        footer: Some(("s", "sort")),
        keys: &[(c('s'), Action::Sort)],
    },
    Row {
        label: "r",
        help: "reverse sort",
        footer: None,
        keys: &[(c('r'), Action::Reverse)],
    },
    Row {
        label: "?/x",
        help: "this help / what was refused",
        footer: Some(("?", "help")),
        keys: &[(c('?'), Action::Help), (c('x'), Action::Refused)],
    },
    Row {
        label: "Esc",
        help: "close / back",
        footer: None,
        keys: &[(k(KeyCode::Esc), Action::Back)],
    },
    Row {
        label: "q ^c",
        help: "quit",
        footer: Some(("q", "quit")),
        keys: &[(c('q'), Action::Quit), (Press::Ctrl('c'), Action::Quit)],
    },
];

/// The action of a key outside text fields.
pub(crate) fn action(key: KeyEvent) -> Option<Action> {
    keys::action(KEYS, key)
}

/// A key that asks for `action`, for tests that press keys (Enter and
/// Backspace for the text fields' Confirm and Erase).
#[cfg(test)]
pub(crate) fn press(action: Action) -> KeyEvent {
    match action {
        Action::Confirm => KeyEvent::from(KeyCode::Enter),
        Action::Erase => KeyEvent::from(KeyCode::Backspace),
        _ => keys::press(KEYS, action),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every action a key can ask for outside text fields.
    const ALL: &[Action] = &[
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::First,
        Action::Last,
        Action::Open,
        Action::NextPane,
        Action::Search,
        Action::StateFilter,
        Action::SiteFilter,
        Action::NeedsHelpFilter,
        Action::NeedsHelpSort,
        Action::Sort,
        Action::Reverse,
        Action::Offer,
        Action::Help,
        Action::Refused,
        Action::Back,
        Action::Quit,
        Action::Desk,
        Action::Insights,
        Action::Whisper,
        Action::Join,
        Action::Reassign,
    ];

    #[test]
    fn every_key_is_in_the_help_and_every_action_has_a_key() {
        assert_eq!(keys::unlisted(KEYS), Vec::<String>::new());
        for action in ALL {
            assert!(
                KEYS.iter().flat_map(|r| r.keys).any(|(_, a)| a == action),
                "{action:?} has no key"
            );
        }
        // Confirm and Erase are the text fields' (Enter, Backspace) only.
        for (press, action) in KEYS.iter().flat_map(|r| r.keys) {
            assert!(ALL.contains(action), "{press:?} does {action:?}");
        }
    }

    #[test]
    fn ctrl_c_quits_and_shifted_letters_are_their_own_keys() {
        use crossterm::event::KeyModifiers;
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action(ctrl_c), Some(Action::Quit));
        let big_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(action(big_g), Some(Action::Last));
        assert_eq!(action(KeyEvent::from(KeyCode::Char('z'))), None);
    }
}
