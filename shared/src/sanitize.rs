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
//! - Format characters are dropped: bidi embeddings, overrides, isolates and
//!   marks, zero-width spaces and joiners, the byte order mark, soft hyphens
//!   and tag characters; so are variation selectors and the other invisible
//!   default-ignorable characters.
//! - Text is reduced to characters whose width the dashboard (which measures
//!   with `unicode-width`, as ratatui does) and the terminal (`wcwidth`, one
//!   character at a time) agree on, so no row loses its border:
//!   unassigned code points, noncharacters and private-use characters, and
//!   the few whose width changed between Unicode versions, show as
//!   [`PLACEHOLDER`]; combining marks stay on the character before them (at
//!   most [`MAX_MARKS`] of them) and are dropped where there is none; emoji
//!   sequences are split into their parts (no joiner, no skin tone, no
//!   presentation selector), and a flag shows as its two letters (`DE`);
//!   spacing marks that `unicode-width` folds into the letter before them
//!   are dropped, and halfwidth sound marks become their combining forms.
//!   (A grapheme of several glyphs, such as a conjunct, is left whole here:
//!   the consoles give each glyph its own cell when they draw.)
//! - Text wider than the room it has is cut at a character boundary and ends
//!   with `…`; width counts terminal columns (a CJK character or an emoji
//!   takes two), as [`width`] measures them.
//!
//! What is left still differs between terminals in one way: characters
//! assigned after the terminal's own Unicode tables (a terminal on glibc 2.36
//! knows Unicode 14) may be drawn in another width or not at all.

use alloc::string::String;

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use unicode_width::UnicodeWidthChar;

/// The mark that ends text cut short.
pub const ELLIPSIS: char = '…';

/// What shows in place of a character terminals disagree on.
pub const PLACEHOLDER: char = '\u{fffd}';

/// How many combining marks one character keeps: enough for any language,
/// few enough that "zalgo" text does not smear over the rows around it.
pub const MAX_MARKS: usize = 4;

/// `text` without anything a terminal would act on or measure differently,
/// at most `max_width` columns wide (see the module doc).
///
/// # Examples
///
/// ```
/// use floorwalker_shared::sanitize::for_terminal;
///
/// assert_eq!(for_terminal("\u{1b}[2JHello\u{202e}dlrow", 40), "[2JHellodlrow");
/// assert_eq!(for_terminal("Trail running shoes", 10), "Trail run…");
/// assert_eq!(for_terminal("a\u{200b}b\u{200d}c\u{feff}", 10), "abc");
/// ```
pub fn for_terminal(text: &str, max_width: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_width.saturating_mul(4)));
    let mut width = 0;
    // Where to cut, should the text turn out too wide: the end of the
    // longest prefix that leaves a column for the ellipsis.
    let mut cut: Option<usize> = None;
    // Marks kept on the last character, or `None` before the first one.
    let mut marks: Option<usize> = None;
    for c in text.chars() {
        let (c, w) = match shown(c) {
            Shown::Dropped => continue,
            Shown::Mark(c) => {
                if let Some(n) = marks.as_mut().filter(|n| **n < MAX_MARKS) {
                    *n += 1;
                    out.push(c);
                }
                continue;
            }
            Shown::Char(c, w) => (c, w),
        };
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
        marks = Some(0);
    }
    out
}

/// What one character of shopper text becomes.
enum Shown {
    Dropped,
    /// A combining mark: no width of its own, drawn on the character before.
    Mark(char),
    /// A character and the columns it takes.
    Char(char, usize),
}

fn shown(c: char) -> Shown {
    match c {
        '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}' => Shown::Char(' ', 1),
        // Regional indicators pair into flags, which terminals draw one or two
        // columns wide per letter: show the letters (`DE`).
        '\u{1f1e6}'..='\u{1f1ff}' => {
            let letter = u32::from('A') + (u32::from(c) - 0x1f1e6);
            Shown::Char(char::from_u32(letter).unwrap_or(PLACEHOLDER), 1)
        }
        // Skin tones: `unicode-width` counts an emoji and its tone as one
        // glyph two columns wide, a terminal as two glyphs four columns wide.
        '\u{1f3fb}'..='\u{1f3ff}' => Shown::Dropped,
        // Halfwidth sound marks extend the kana before them into one
        // grapheme, which ratatui counts a column wider than a terminal
        // draws it: the combining marks they stand for (as NFKC maps them).
        '\u{ff9e}' => Shown::Mark('\u{3099}'),
        '\u{ff9f}' => Shown::Mark('\u{309a}'),
        c if is_invisible(c) => Shown::Dropped,
        c if is_width_disputed(c) => Shown::Char(PLACEHOLDER, 1),
        c => match (c.general_category(), c.width()) {
            (GeneralCategory::Control | GeneralCategory::Format, _) => Shown::Dropped,
            (
                GeneralCategory::Unassigned
                | GeneralCategory::PrivateUse
                | GeneralCategory::Surrogate,
                _,
            ) => Shown::Char(PLACEHOLDER, 1),
            (GeneralCategory::NonspacingMark | GeneralCategory::EnclosingMark, Some(0)) => {
                Shown::Mark(c)
            }
            // Zero-width letters and spacing marks (`unicode-width` folds some
            // into the character before, a terminal gives them a column),
            // and marks that `unicode-width` gives a column a terminal does not.
            (_, None | Some(0))
            | (GeneralCategory::NonspacingMark | GeneralCategory::EnclosingMark, _) => {
                Shown::Dropped
            }
            (_, Some(w)) => Shown::Char(c, w),
        },
    }
}

/// The invisible (default-ignorable) characters that are not format
/// characters: variation selectors, the combining grapheme joiner, Hangul
/// fillers, Khmer inherent vowels and Mongolian variation selectors.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{034f}'
            | '\u{115f}'..='\u{1160}'
            | '\u{17b4}'..='\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{ffa0}'
            | '\u{e0100}'..='\u{e01ef}'
    )
}

/// Characters whose width `unicode-width` (Unicode 16) and `wcwidth` of the
/// Unicode 14 and 15 era disagree on: Unicode 16 made the trigrams,
/// digrams, Tai Xuan Jing symbols and counting rods wide; two Khmer signs
/// are wider to `unicode-width` than to any terminal; glibc counts the
/// circled numbers on black squares two columns.
fn is_width_disputed(c: char) -> bool {
    matches!(
        c,
        '\u{17a4}'
            | '\u{17d8}'
            | '\u{2630}'..='\u{2637}'
            | '\u{268a}'..='\u{268f}'
            | '\u{3248}'..='\u{324f}'
            | '\u{1d300}'..='\u{1d356}'
            | '\u{1d360}'..='\u{1d376}'
    )
}

/// The width `text` takes on a terminal, in columns: the sum of its
/// characters' widths, which is how a terminal lays out text that
/// [`for_terminal`] made (and what it counts).
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
    fn invisible_characters_are_dropped() {
        let cases = [
            ("a\u{200b}b\u{200d}c\u{feff}", "abc"),
            ("soft\u{ad}hyphen\u{2060}s", "softhyphens"),
            // Tag characters (here hiding "hi"), variation selectors.
            ("x\u{e0068}\u{e0069}\u{e007f}y", "xy"),
            ("x\u{fe0e}\u{fe0f}\u{e0100}y", "xy"),
            ("x\u{34f}\u{3164}\u{115f}\u{ffa0}y", "xy"),
        ];
        for (hostile, shown) in cases {
            assert_eq!(for_terminal(hostile, 80), shown, "{hostile:?}");
        }
    }

    #[test]
    fn emoji_sequences_are_split_into_what_every_terminal_draws_alike() {
        let cases = [
            ("👨\u{200d}👩\u{200d}👧", "👨👩👧"),
            ("👍🏽", "👍"),
            ("❤\u{fe0f}", "❤"),
            ("🇩🇪 🇯🇵", "DE JP"),
            // England: a black flag and tag characters.
            (
                "🏴\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}",
                "🏴",
            ),
            ("1\u{fe0f}\u{20e3}", "1\u{20e3}"),
        ];
        for (hostile, shown) in cases {
            assert_eq!(for_terminal(hostile, 80), shown, "{hostile:?}");
        }
        assert_eq!(width("👨👩👧"), 6);
    }

    #[test]
    fn characters_without_an_agreed_width_show_a_placeholder() {
        // Noncharacters, private use, unassigned, and symbols Unicode 16
        // made wide that older terminals draw narrow.
        for c in [
            '\u{fdd0}',
            '\u{fffe}',
            '\u{10ffff}',
            '\u{e000}',
            '\u{378}',
            '☰',
        ] {
            assert_eq!(for_terminal(&format!("a{c}b"), 80), "a\u{fffd}b", "{c:?}");
        }
    }

    #[test]
    fn combining_marks_stay_on_their_character_and_only_there() {
        assert_eq!(for_terminal("e\u{301}t\u{e9}", 80), "e\u{301}t\u{e9}");
        assert_eq!(width("e\u{301}"), 1);
        // A mark with no character before it would land on the terminal's
        // previous cell, a border perhaps.
        assert_eq!(for_terminal("\u{301}\u{302}a", 80), "a");
        assert_eq!(for_terminal("\u{1b}\u{301}a", 80), "a");
        let zalgo = format!("Z{}", "\u{36b}".repeat(40));
        assert_eq!(for_terminal(&zalgo, 80).chars().count(), 1 + MAX_MARKS);
        // A spacing mark `unicode-width` folds into the letter before it,
        // which a terminal gives a column of its own.
        assert_eq!(for_terminal("\u{995}\u{9be}", 80), "\u{995}");
        // Halfwidth sound marks become the combining ones they stand for.
        assert_eq!(for_terminal("ﾊﾞｶﾟ", 80), "ﾊ\u{3099}ｶ\u{309a}");
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

    /// Whether `text` is what [`for_terminal`] gives: nothing left for it to
    /// drop or replace, no mark without its character, no run of marks longer
    /// than [`MAX_MARKS`].
    fn is_clean(text: &str) -> bool {
        for_terminal(text, usize::MAX) == text
            && text.chars().all(|c| {
                c.width().is_some() && !matches!(c.general_category(), GeneralCategory::Format)
            })
    }

    fn hostile() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            prop::sample::select(crate::testing::NAUGHTY).prop_map(str::to_owned),
            any::<String>(),
            any::<char>().prop_map(String::from),
        ];
        prop::collection::vec(piece, 0..6).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #[test]
        fn nothing_a_terminal_acts_on_or_measures_otherwise_survives(
            text in hostile(),
            max in 0usize..60,
        ) {
            let shown = for_terminal(&text, max);
            prop_assert!(width(&shown) <= max);
            prop_assert!(is_clean(&shown), "{shown:?}");
            let visible_only = !shown.contains(['\n', '\u{1b}', '\u{200d}', '\u{fe0f}']);
            prop_assert!(visible_only, "{:?}", shown);
            // Cutting short never changes what is shown before the cut.
            let whole = for_terminal(&text, usize::MAX);
            let kept = shown.strip_suffix(ELLIPSIS).unwrap_or(&shown);
            prop_assert!(whole.starts_with(kept), "{whole:?} / {shown:?}");
        }

        #[test]
        fn text_that_fits_is_only_cleaned(text in "[a-zA-Z0-9 ./?=&-]{0,40}") {
            prop_assert_eq!(for_terminal(&text, 40), text);
        }
    }
}
