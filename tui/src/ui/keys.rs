//! Key maps: one table per screen says which keys do what and what the
//! help calls them, so the keys, the footer and the `?` help cannot drift
//! apart. A row's label is checked against its keys ([`unlisted`]), so a
//! key added to a row but not to its label is caught by the screen's test.
//!
//! Text fields share one map ([`text`]): Enter, Esc, Backspace, ↑/↓ and
//! characters; a paste arrives whole (bracketed paste, see
//! `ui::terminal`) and [`paste_into`] puts it in a field.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key as a table names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Press {
    /// A key without Ctrl (Shift is in the character: `G`).
    Key(KeyCode),
    /// Ctrl and a letter.
    Ctrl(char),
}

impl Press {
    /// What the help calls this key.
    #[cfg(test)]
    pub(crate) fn name(self) -> String {
        match self {
            Self::Ctrl(c) => format!("^{c}"),
            Self::Key(KeyCode::Char(' ')) => "Space".to_owned(),
            Self::Key(KeyCode::Char(c)) => c.to_string(),
            Self::Key(KeyCode::Up) => "↑".to_owned(),
            Self::Key(KeyCode::Down) => "↓".to_owned(),
            Self::Key(KeyCode::PageUp) => "PgUp".to_owned(),
            Self::Key(KeyCode::PageDown) => "PgDn".to_owned(),
            Self::Key(KeyCode::BackTab) => "S-Tab".to_owned(),
            Self::Key(code) => code.to_string(),
        }
    }

    fn matches(self, key: KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match self {
            Self::Ctrl(c) => ctrl && key.code == KeyCode::Char(c),
            Self::Key(code) => !ctrl && key.code == code,
        }
    }
}

/// A row of a screen's key table: its keys and what each does, and the
/// words the footer and help show for them.
#[derive(Debug)]
pub(crate) struct Row<A: 'static> {
    /// The keys as the help shows them, e.g. `j/↓`.
    pub(crate) label: &'static str,
    /// What they do, in a few words.
    pub(crate) help: &'static str,
    /// Keys and a word for the footer, for the rows a screen shows there.
    pub(crate) footer: Option<(&'static str, &'static str)>,
    /// Each key and its action.
    pub(crate) keys: &'static [(Press, A)],
}

/// The action of `key` in `table`.
pub(crate) fn action<A: Copy>(table: &[Row<A>], key: KeyEvent) -> Option<A> {
    table
        .iter()
        .flat_map(|row| row.keys)
        .find(|(press, _)| press.matches(key))
        .map(|(_, action)| *action)
}

/// The footer's keys and words, in table order.
pub(crate) fn footer<A>(table: &[Row<A>]) -> impl Iterator<Item = (&'static str, &'static str)> {
    table.iter().filter_map(|row| row.footer)
}

/// The keys of `table` whose names are missing from their row's label, and
/// the footer's keys that no row has: empty when the help and the footer
/// say what the keys are.
#[cfg(test)]
pub(crate) fn unlisted<A>(table: &[Row<A>]) -> Vec<String> {
    let names: Vec<String> = table
        .iter()
        .flat_map(|row| row.keys.iter().map(|(press, _)| press.name()))
        .collect();
    let footer = footer(table)
        .flat_map(|(keys, _)| words(keys))
        .filter(|key| !names.iter().any(|n| n == key))
        .map(|key| format!("{key} (footer)"));
    table
        .iter()
        .flat_map(|row| {
            row.keys
                .iter()
                .map(move |(press, _)| (row.label, press.name()))
        })
        .filter(|(label, name)| {
            // Keys are written `a/b c`; the `/` key itself stands alone.
            !label
                .split(' ')
                .flat_map(|word| {
                    if word == "/" {
                        vec![word]
                    } else {
                        word.split('/').collect()
                    }
                })
                .any(|part| part == name)
        })
        .map(|(label, name)| format!("{name} (row '{label}')"))
        .chain(footer)
        .collect()
}

/// The key names in a label: keys are written `a/b c`; the `/` key
/// itself stands alone.
#[cfg(test)]
fn words(label: &str) -> impl Iterator<Item = &str> {
    label.split(' ').flat_map(|word| {
        if word == "/" {
            vec![word]
        } else {
            word.split('/').collect()
        }
    })
}

/// A key that asks for `action` in `table`, for tests that press keys: an
/// arrow, Esc or Ctrl before a letter, so a text field would not take it
/// as text.
#[cfg(test)]
pub(crate) fn press<A: Copy + PartialEq + std::fmt::Debug>(
    table: &[Row<A>],
    action: A,
) -> KeyEvent {
    let presses: Vec<Press> = table
        .iter()
        .flat_map(|r| r.keys)
        .filter(|(_, a)| *a == action)
        .map(|(p, _)| *p)
        .collect();
    let press = presses
        .iter()
        .find(|p| !matches!(p, Press::Key(KeyCode::Char(_))))
        .or(presses.first())
        .copied()
        .unwrap_or_else(|| panic!("no key does {action:?}"));
    match press {
        Press::Key(code) => KeyEvent::from(code),
        Press::Ctrl(c) => KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
    }
}

/// What a key does in a text field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Text {
    /// Enter: send or confirm.
    Confirm,
    /// Esc: leave the field.
    Back,
    /// Backspace: delete the last character.
    Erase,
    /// ↑ (pick the choice above, where there are choices).
    Up,
    /// ↓.
    Down,
    /// Ctrl-C: quit from anywhere.
    Quit,
    /// A character to type.
    Char(char),
}

/// The text field's meaning of `key`.
pub(crate) fn text(key: KeyEvent) -> Option<Text> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return (key.code == KeyCode::Char('c')).then_some(Text::Quit);
    }
    Some(match key.code {
        KeyCode::Enter => Text::Confirm,
        KeyCode::Esc => Text::Back,
        KeyCode::Backspace => Text::Erase,
        KeyCode::Up => Text::Up,
        KeyCode::Down => Text::Down,
        KeyCode::Char(c) if !c.is_control() => Text::Char(c),
        _ => return None,
    })
}

/// Puts pasted `text` at the end of a one-line field holding at most
/// `max_bytes`: line breaks and tabs become spaces (a field is one line,
/// and a pasted line break must not send it), other control characters
/// are dropped. Returns how many characters did not fit.
pub(crate) fn paste_into(field: &mut String, text: &str, max_bytes: usize) -> usize {
    let mut left_out = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let c = match c {
            // A CRLF pair is one line break.
            '\r' if chars.peek() == Some(&'\n') => continue,
            '\r' | '\n' | '\t' => ' ',
            c if c.is_control() => continue,
            c => c,
        };
        if left_out > 0 || field.len() + c.len_utf8() > max_bytes {
            left_out += 1;
        } else {
            field.push(c);
        }
    }
    left_out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &[Row<u8>] = &[
        Row {
            label: "j/↓",
            help: "down",
            footer: Some(("j/x", "move")),
            keys: &[
                (Press::Key(KeyCode::Char('j')), 1),
                (Press::Key(KeyCode::Down), 1),
            ],
        },
        Row {
            label: "PgDn",
            help: "a screen down",
            footer: None,
            keys: &[(Press::Key(KeyCode::PageDown), 2), (Press::Ctrl('d'), 2)],
        },
    ];

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn keys_find_their_action_and_ctrl_is_told_apart() {
        assert_eq!(
            action(TABLE, key(KeyCode::Down, KeyModifiers::NONE)),
            Some(1)
        );
        assert_eq!(
            action(TABLE, key(KeyCode::Char('d'), KeyModifiers::CONTROL)),
            Some(2)
        );
        assert_eq!(
            action(TABLE, key(KeyCode::Char('d'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            action(TABLE, key(KeyCode::Char('j'), KeyModifiers::CONTROL)),
            None
        );
    }

    #[test]
    fn a_key_missing_from_its_label_is_found() {
        assert_eq!(unlisted(TABLE), ["^d (row 'PgDn')", "x (footer)"]);
        assert_eq!(footer(TABLE).collect::<Vec<_>>(), [("j/x", "move")]);
    }

    #[test]
    fn a_paste_is_one_line_of_printable_text_within_the_bound() {
        let mut field = "Hi ".to_owned();
        let left = paste_into(&mut field, "two\r\nlines\tand\u{1b}[2J\u{7}é", 100);
        assert_eq!((field.as_str(), left), ("Hi two lines and[2Jé", 0));
        // Cut on a character boundary, counting what was left out.
        let mut field = String::new();
        assert_eq!(paste_into(&mut field, "aéb", 2), 2);
        assert_eq!(field, "a");
        let mut big = String::new();
        assert_eq!(paste_into(&mut big, &"x".repeat(5_000), 4_000), 1_000);
        assert_eq!(big.len(), 4_000);
    }

    #[test]
    fn text_fields_take_characters_and_ctrl_c_quits() {
        assert_eq!(
            text(key(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(Text::Char('q'))
        );
        assert_eq!(
            text(key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Text::Quit)
        );
        assert_eq!(
            text(key(KeyCode::Enter, KeyModifiers::NONE)),
            Some(Text::Confirm)
        );
        assert_eq!(text(key(KeyCode::F(1), KeyModifiers::NONE)), None);
    }
}
