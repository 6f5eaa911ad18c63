//! Shopper text cut into lines for a pane, without losing a character:
//! made safe first ([`for_terminal`]), then broken after the last space that
//! fits, or inside a word too long for a line, and never between a character
//! and its combining marks (a grapheme). Joining the lines gives back the
//! safe text, and no line is wider than asked.

use floorwalker_shared::sanitize::{for_terminal, width};
use unicode_segmentation::UnicodeSegmentation;

/// The narrowest line: a wide character (a CJK one, an emoji) must fit.
const NARROWEST: usize = 2;

/// `text` made safe and cut into lines, the first at most `first` columns
/// wide and the others at most `rest` (a hanging indent); at least
/// [`NARROWEST`] each, and a line holds at least one grapheme, however wide.
/// Never empty: empty text is one empty line.
pub(crate) fn lines(text: &str, first: usize, rest: usize) -> Vec<String> {
    let clean = for_terminal(text, usize::MAX);
    let graphemes: Vec<&str> = clean.graphemes(true).collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut used = 0;
    // Where the line may end: after a space that follows a word.
    let mut after_space: Option<usize> = None;
    let mut words = false;
    let mut i = 0;
    while let Some(g) = graphemes.get(i) {
        let limit = if out.is_empty() { first } else { rest }.max(NARROWEST);
        let w = width(g);
        if used + w > limit && i > start {
            // Break after the last space if there was one, and lay the word
            // after it out again on the next line.
            let end = match after_space {
                Some(end) if *g != " " => end,
                _ => i,
            };
            out.push(graphemes[start..end].concat());
            (start, i, used, after_space, words) = (end, end, 0, None, false);
            continue;
        }
        used += w;
        i += 1;
        if *g == " " {
            // A line may end after a space that follows a word, or after the
            // space that starts it (one that did not fit on the line before),
            // so the word after that space is not split.
            if words || i == start + 1 {
                after_space = Some(i);
            }
        } else {
            words = true;
        }
    }
    if start < graphemes.len() || out.is_empty() {
        out.push(graphemes[start..].concat());
    }
    out
}

#[cfg(test)]
mod tests {
    use floorwalker_shared::testing::NAUGHTY;
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn lines_break_between_words() {
        let said = "12:00:01 shopper: could you please check half a size up";
        assert_eq!(
            lines(said, 24, 22),
            [
                "12:00:01 shopper: could ",
                "you please check half ",
                "a size up"
            ]
        );
        assert_eq!(
            lines("Anything else?", 4, 4),
            ["Anyt", "hing", " ", "else", "?"]
        );
    }

    #[test]
    fn a_space_that_does_not_fit_starts_the_next_line() {
        assert_eq!(lines("hello world", 5, 5), ["hello", " ", "world"]);
        assert_eq!(lines("say hello world", 9, 9), ["say hello", " world"]);
    }

    #[test]
    fn characters_and_their_marks_stay_together() {
        assert_eq!(lines("東京の靴", 3, 3), ["東", "京", "の", "靴"]);
        assert_eq!(lines("abe\u{301}", 2, 2), ["ab", "e\u{301}"]);
        assert_eq!(lines("", 10, 10), [""]);
        assert_eq!(lines("abc", 0, 0), ["ab", "c"]);
    }

    #[test]
    fn what_is_wrapped_is_made_safe_first() {
        let pieces = lines("abcdef\u{1b}[2Jghij\u{200b}", 4, 4);
        assert_eq!(pieces.concat(), "abcdef[2Jghij");
    }

    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            prop::sample::select(NAUGHTY).prop_map(str::to_owned),
            "[a-z ]{0,12}",
            "[東京の靴 e\u{301}\u{302}\u{200b}\u{200d}\u{fe0f}👨👩🏽]{0,8}",
            any::<String>(),
        ];
        prop::collection::vec(piece, 0..8).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #[test]
        fn wrapping_then_joining_loses_no_character(
            text in text(),
            first in 2usize..40,
            rest in 2usize..40,
        ) {
            let pieces = lines(&text, first, rest);
            prop_assert_eq!(pieces.concat(), for_terminal(&text, usize::MAX));
            for (n, piece) in pieces.iter().enumerate() {
                let limit = if n == 0 { first } else { rest };
                // Only a single grapheme wider than the line (a wide
                // character with a spacing mark) may overflow it.
                let one = piece.graphemes(true).count() == 1;
                prop_assert!(width(piece) <= limit || one, "{:?} wider than {}", piece, limit);
                prop_assert!(n + 1 == pieces.len() || !piece.is_empty(), "{:?}", pieces);
            }
        }
    }
}
