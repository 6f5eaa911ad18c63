//! The console's keys: one table that the runtime maps keys with and the
//! footer and help read. The reply field uses `ui::keys::text`.

use crossterm::event::{KeyCode, KeyEvent};

use super::app::Key;
use crate::ui::keys::{self, Press, Row};

const fn c(ch: char) -> Press {
    Press::Key(KeyCode::Char(ch))
}

/// Every key outside the reply field, in help order.
pub(crate) const KEYS: &[Row<Key>] = &[
    Row {
        label: "n",
        help: "claim the next waiting chat",
        footer: Some(("n", "claim")),
        keys: &[(c('n'), Key::Claim)],
    },
    Row {
        label: "j/k ↓/↑",
        help: "select a chat or incident",
        footer: None,
        keys: &[
            (c('j'), Key::Down),
            (Press::Key(KeyCode::Down), Key::Down),
            (c('k'), Key::Up),
            (Press::Key(KeyCode::Up), Key::Up),
        ],
    },
    Row {
        label: "Enter/i",
        help: "write in the selected chat (Enter sends, Esc stops)",
        footer: Some(("Enter", "reply")),
        keys: &[
            (Press::Key(KeyCode::Enter), Key::Enter),
            (c('i'), Key::Enter),
        ],
    },
    Row {
        label: "e",
        help: "end the selected chat, after asking; the shopper gets the survey",
        footer: Some(("e", "end")),
        keys: &[(c('e'), Key::End)],
    },
    Row {
        label: "a",
        help: "available / away",
        footer: Some(("a", "away")),
        keys: &[(c('a'), Key::Toggle)],
    },
    Row {
        label: "+/=/-",
        help: "more / fewer chats at once",
        footer: Some(("+/-", "capacity")),
        keys: &[
            (c('+'), Key::More),
            (c('='), Key::More),
            (c('-'), Key::Fewer),
        ],
    },
    Row {
        label: "t",
        help: "take the selected incident",
        footer: Some(("t/r", "incident")),
        keys: &[(c('t'), Key::Take)],
    },
    Row {
        label: "r",
        help: "resolve the selected incident",
        footer: None,
        keys: &[(c('r'), Key::Resolve)],
    },
    Row {
        label: "?",
        help: "this help",
        footer: Some(("?", "help")),
        keys: &[(c('?'), Key::Help)],
    },
    Row {
        label: "Esc",
        help: "close the help",
        footer: None,
        keys: &[(Press::Key(KeyCode::Esc), Key::Back)],
    },
    Row {
        label: "q ^c",
        help: "quit (your chats wait for you until the router's timeout)",
        footer: Some(("q", "quit")),
        keys: &[(c('q'), Key::Quit), (Press::Ctrl('c'), Key::Quit)],
    },
];

/// The action of a key outside the reply field.
pub(crate) fn action(key: KeyEvent) -> Option<Key> {
    keys::action(KEYS, key)
}

/// A key that asks for `key`, for tests that press keys (in the reply
/// field, characters are text and Enter sends).
#[cfg(test)]
pub(crate) fn press(key: Key) -> KeyEvent {
    match key {
        Key::Char(c) => KeyEvent::from(KeyCode::Char(c)),
        Key::Erase => KeyEvent::from(KeyCode::Backspace),
        other => keys::press(KEYS, other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key the list answers to (the rest are the reply field's).
    const ALL: &[Key] = &[
        Key::Up,
        Key::Down,
        Key::Claim,
        Key::Enter,
        Key::End,
        Key::Toggle,
        Key::More,
        Key::Fewer,
        Key::Take,
        Key::Resolve,
        Key::Help,
        Key::Back,
        Key::Quit,
    ];

    #[test]
    fn every_key_is_in_the_help_and_every_action_has_a_key() {
        assert_eq!(keys::unlisted(KEYS), Vec::<String>::new());
        for key in ALL {
            assert!(
                KEYS.iter().flat_map(|r| r.keys).any(|(_, k)| k == key),
                "{key:?} has no key"
            );
        }
    }

    #[test]
    fn i_and_equals_do_what_the_help_says() {
        assert_eq!(action(KeyEvent::from(KeyCode::Char('i'))), Some(Key::Enter));
        assert_eq!(action(KeyEvent::from(KeyCode::Char('='))), Some(Key::More));
    }
}
