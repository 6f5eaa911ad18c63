//! Shopper-controlled text made safe to print on an operator's terminal.
//!
//! Titles, paths, search terms, referrers and chat text come from browsers,
//! and a browser is hostile: an escape sequence in a page title could move
//! the supervisor's cursor, recolour the screen or set the window title, and
//! a bidi override could make `evil.com/gpj.exe` read as `exe.jpg/moc.live`.
//! [`for_terminal`] keeps what a person reads and makes the rest inert:
//!
//! - C0 and C1 control characters and DEL are dropped; tabs and line breaks
//!   become a space, so one value stays on one line. An escape sequence
//!   loses its ESC and shows as plain text (`[31m`), which also tells the
//!   supervisor someone tried.
//! - Bidi embeddings, overrides and isolates, and the invisible marks that
//!   steer them, are dropped.
//! - Text wider than the room it has is cut at a character boundary and ends
//!   with `…`; width counts terminal columns (a CJK character or an emoji
//!   takes two), as `unicode-width` measures them.

use alloc::string::String;

use unicode_width::UnicodeWidthChar;

/// The mark that ends text cut short.
pub const ELLIPSIS: char = '…';

/// `text` without anything a terminal would act on, at most `max_width`
/// columns wide (see the module doc).
///
/// # Examples
///
/// ```
/// use floorwalker_shared::sanitize::for_terminal;
///
/// assert_eq!(for_terminal("\u{1b}[2JHello\u{202e}dlrow", 40), "[2JHellodlrow");
/// assert_eq!(for_terminal("Trail running shoes", 10), "Trail run…");
/// ```
pub fn for_terminal(text: &str, max_width: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_width.saturating_mul(4)));
    let mut width = 0;
    // Where to cut, should the text turn out too wide: the end of the
    // longest prefix that leaves a column for the ellipsis.
    let mut cut: Option<usize> = None;
    for c in text.chars() {
        let c = match c {
            '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}' => ' ',
            c if is_dropped(c) => continue,
            c => c,
        };
        let w = c.width().unwrap_or(0);
        if width + w > max_width {
            out.truncate(cut.unwrap_or(out.len()));
            if max_width > 0 {
                out.push(ELLIPSIS);
            }
            return out;
        }
        if width + w > max_width.saturating_sub(1) && cut.is_none() {
            cut = Some(out.len());
        }
        out.push(c);
        width += w;
    }
    out
}

/// Whether `c` is a control character or a bidi control.
fn is_dropped(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            // Arabic letter mark, left-to-right and right-to-left marks.
            '\u{061c}' | '\u{200e}' | '\u{200f}'
            // Embeddings, pop, overrides.
            | '\u{202a}'..='\u{202e}'
            // Isolates and their pop.
            | '\u{2066}'..='\u{2069}'
        )
}

/// The width `text` takes on a terminal, in columns (what
/// [`for_terminal`] counts).
pub fn width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn any_width_is_safe_to_ask_for() {
        assert_eq!(for_terminal("abc\u{1b}", usize::MAX), "abc");
    }

    #[test]
    fn escape_sequences_lose_their_escape() {
        let cases = [
            ("\u{1b}[31mred\u{1b}[0m", "[31mred[0m"),
            // Set the window title (OSC), then ring the bell.
            ("\u{1b}]0;pwned\u{7}title", "]0;pwnedtitle"),
            // An 8-bit CSI (C1), and DEL.
            ("a\u{9b}2Jb\u{7f}c", "a2Jbc"),
            ("nul\0byte", "nulbyte"),
        ];
        for (hostile, shown) in cases {
            assert_eq!(for_terminal(hostile, 80), shown, "{hostile:?}");
        }
    }

    #[test]
    fn line_breaks_and_tabs_become_spaces() {
        assert_eq!(
            for_terminal("one\ntwo\r\nthree\tfour", 80),
            "one two  three four"
        );
        assert_eq!(for_terminal("a\u{2028}b", 80), "a b");
    }

    #[test]
    fn bidi_controls_are_dropped() {
        // What would display as "invoice_exe.pdf"...
        assert_eq!(
            for_terminal("invoice_\u{202e}fdp.exe", 80),
            "invoice_fdp.exe"
        );
        for c in [
            '\u{061c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{2066}', '\u{2069}',
        ] {
            assert_eq!(for_terminal(&format!("a{c}b"), 80), "ab", "{c:?}");
        }
    }

    #[test]
    fn what_people_read_is_kept() {
        for text in [
            "Laufschuhe – Größe 42",
            "東京の靴",
            "Trail 👟 shoes",
            "/shoes?q=a&b=c",
        ] {
            assert_eq!(for_terminal(text, 80), text);
        }
    }

    #[test]
    fn overlong_text_is_cut_with_an_ellipsis_by_columns() {
        assert_eq!(for_terminal("abcdef", 6), "abcdef");
        assert_eq!(for_terminal("abcdefg", 6), "abcde…");
        assert_eq!(for_terminal("abcdefg", 1), "…");
        assert_eq!(for_terminal("abcdefg", 0), "");
        // Wide characters take two columns; none is split.
        assert_eq!(for_terminal("東京の靴です", 7), "東京の…");
        assert_eq!(for_terminal("東京の靴です", 8), "東京の…");
        assert_eq!(width(&for_terminal("東京の靴です", 8)), 7);
    }

    proptest! {
        #[test]
        fn nothing_a_terminal_acts_on_survives(text in any::<String>(), max in 0usize..60) {
            let shown = for_terminal(&text, max);
            prop_assert!(width(&shown) <= max);
            prop_assert!(!shown.chars().any(is_dropped), "{shown:?}");
            prop_assert!(!shown.contains('\n'));
        }

        #[test]
        fn text_that_fits_is_only_cleaned(text in "[a-zA-Z0-9 ./?=&-]{0,40}") {
            prop_assert_eq!(for_terminal(&text, 40), text);
        }
    }
}
