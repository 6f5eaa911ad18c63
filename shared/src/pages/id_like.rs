//! The default grouping of a path no configured pattern matches: segments
//! that name one thing among many (an order number, a product id) are
//! collapsed into [`ID`], so every product page is one row, while words
//! (`/shoes/trail`, `/checkout/payment`) stay.
//!
//! A segment is id-like when, after a short file extension is set aside
//! (a dot and 1 to 5 ASCII letters: `4412.html` is judged as `4412`), it is
//! any of:
//!
//! 1. a number: ASCII digits only, of any length (`12345`, `7`);
//! 2. a UUID: 8-4-4-4-12 hex digits with dashes, either case;
//! 3. long hex: 16 or more hex digits and nothing else (hashes, 24-digit
//!    object ids);
//! 4. a code: 8 or more ASCII letters and digits and nothing else, holding
//!    both, whose digits are not one short number after a word: either a
//!    run of 4 or more digits (`sku12345`) or 3 or more changes between
//!    letter and digit (`B08N5WRWNW`, `a3f9c2e1`); so `iphone15` and
//!    `mp3player` stay;
//! 5. a slug ending in an id: after its last `-` or `_` comes a number of 3
//!    or more digits (`trail-shoe-4412`, `summer-2024`), long hex or a code
//!    (rules 3 and 4: `nike-ni112a0xy`); so `size-42` and `x86_64` stay.
//!
//! Anything else stays as it is, non-ASCII text included. Each rule is a
//! single pass over the segment's bytes.

use alloc::string::String;

use super::pattern::segments;

/// What an id-like segment becomes in a default pattern.
pub const ID: &str = ":id";

/// The default pattern of `path`: its segments (as [`Patterns`] see them),
/// id-like ones replaced by [`ID`].
///
/// [`Patterns`]: super::Patterns
///
/// # Examples
///
/// ```
/// use floorwalker_shared::pages::default_pattern;
/// assert_eq!(default_pattern("/product/trail-shoe-4412/"), "/product/:id");
/// assert_eq!(default_pattern("/checkout/payment"), "/checkout/payment");
/// assert_eq!(default_pattern(""), "/");
/// ```
pub fn default_pattern(path: &str) -> String {
    let mut pattern = String::with_capacity(path.len());
    for segment in segments(path) {
        pattern.push('/');
        pattern.push_str(if is_id_like(segment) { ID } else { segment });
    }
    if pattern.is_empty() {
        pattern.push('/');
    }
    pattern
}

/// Whether `segment` names one thing among many (the rules of the module
/// doc).
pub fn is_id_like(segment: &str) -> bool {
    let stem = without_extension(segment);
    is_number(stem) || is_uuid(stem) || is_hex(stem) || is_code(stem) || ends_in_id(stem)
}

/// `segment` without a dot and 1 to 5 ASCII letters at its end, if it has
/// them after something.
fn without_extension(segment: &str) -> &str {
    match segment.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && (1..=5).contains(&ext.len())
                && ext.bytes().all(|b| b.is_ascii_alphabetic()) =>
        {
            stem
        }
        _ => segment,
    }
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

fn is_hex(text: &str) -> bool {
    text.len() >= 16 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_code(text: &str) -> bool {
    if text.len() < 8 {
        return false;
    }
    let (mut letters, mut digits) = (false, false);
    let (mut run, mut longest_run, mut changes) = (0, 0, 0);
    let mut last_was_digit = None;
    for b in text.bytes() {
        let digit = if b.is_ascii_digit() {
            true
        } else if b.is_ascii_alphabetic() {
            false
        } else {
            return false;
        };
        if last_was_digit.is_some_and(|last| last != digit) {
            changes += 1;
        }
        last_was_digit = Some(digit);
        if digit {
            digits = true;
            run += 1;
            longest_run = longest_run.max(run);
        } else {
            letters = true;
            run = 0;
        }
    }
    letters && digits && (longest_run >= 4 || changes >= 3)
}

fn ends_in_id(text: &str) -> bool {
    let Some((_, tail)) = text.rsplit_once(['-', '_']) else {
        return false;
    };
    (tail.len() >= 3 && is_number(tail)) || is_hex(tail) || is_code(tail)
}
