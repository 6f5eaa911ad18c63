//! Page patterns: which URL paths count as one page in the statistics.
//!
//! A pattern is written as a path whose segments are either literal text
//! or a wildcard:
//!
//! ```text
//! /product/*        `*` is exactly one segment: /product/123, not /product or /product/1/2
//! /help/**          `**`, last only, is the rest: /help, /help/returns, /help/a/b
//! /checkout/payment literal segments match themselves, case and all
//! /                 the home page
//! ```
//!
//! Paths and patterns are compared segment by segment after the same
//! normalisation: a query or fragment is cut off (the plugin sends none,
//! but a path is a browser's word), empty segments are dropped, so trailing
//! and doubled slashes do not make another page (`/shoes/`, `/shoes//` and
//! `/shoes` are one), and the empty path is `/`. Patterns are tried in the
//! order configured and the first that matches wins; a path that none
//! matches is grouped by [`default_pattern`](super::id_like::default_pattern)
//! (numeric and id-like segments become `:id`). Patterns are few and a
//! match is a walk over the path's segments, so no regex crate is needed.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use thiserror::Error;

use super::id_like::default_pattern;

/// The configured page patterns, in the order they are tried.
///
/// # Examples
///
/// ```
/// use floorwalker_shared::pages::Patterns;
/// let patterns = Patterns::new(["/product/*", "/help/**"]).unwrap();
/// assert_eq!(patterns.group("/product/trail-shoe"), "/product/*");
/// assert_eq!(patterns.group("/help/returns/eu/"), "/help/**");
/// // No pattern matches: numeric and id-like segments are collapsed.
/// assert_eq!(patterns.group("/order/12345"), "/order/:id");
/// assert_eq!(patterns.group("/shoes/trail"), "/shoes/trail");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub struct Patterns {
    list: Vec<Pattern>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    /// As written, normalised: the name of its row.
    text: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    /// `*`
    One,
    /// `**`
    Rest,
}

/// Why a configured page pattern was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PatternErrorKind {
    /// Nothing was written.
    #[error("is empty")]
    Empty,
    /// It does not start with `/`, so no path could match it.
    #[error("does not start with '/'")]
    NotAbsolute,
    /// Two slashes in a row: paths have no empty segments to match.
    #[error("has an empty segment ('//')")]
    EmptySegment,
    /// Whitespace, a control character, `?` or `#`, none of which a path
    /// compared with patterns holds.
    #[error("holds whitespace, a control character, '?' or '#'")]
    Character,
    /// `*` inside a segment (`/p/*.html`): wildcards stand for whole segments.
    #[error("has '*' inside a segment (wildcards are whole segments: '*' or '**')")]
    PartialWildcard,
    /// `**` before the last segment.
    #[error("has '**' before its last segment")]
    RestNotLast,
    /// The same pattern as an earlier one, which always wins over it.
    #[error("repeats an earlier pattern")]
    Duplicate,
}

/// A configured page pattern that was refused: which one and why.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("page pattern {} '{pattern}' {kind}", .index + 1)]
pub struct PatternError {
    /// Its place in the list, from 0 (the message counts from 1).
    pub index: usize,
    /// The pattern as written.
    pub pattern: String,
    /// What is wrong with it.
    pub kind: PatternErrorKind,
}

impl PatternError {
    /// What is wrong with the pattern.
    pub fn kind(&self) -> PatternErrorKind {
        self.kind
    }
}

impl Patterns {
    /// Reads `patterns` in the syntax of the module doc; the first that is
    /// wrong is refused, with its place and why.
    pub fn new<I, S>(patterns: I) -> Result<Self, PatternError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut list: Vec<Pattern> = Vec::new();
        for (index, text) in patterns.into_iter().enumerate() {
            let text = text.as_ref();
            let error = |kind| PatternError {
                index,
                pattern: text.into(),
                kind,
            };
            let pattern = Pattern::parse(text).map_err(error)?;
            if list.iter().any(|p| p.text == pattern.text) {
                return Err(error(PatternErrorKind::Duplicate));
            }
            list.push(pattern);
        }
        Ok(Self { list })
    }

    /// The patterns, normalised, in the order they are tried.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> {
        self.list.iter().map(|p| p.text.as_str())
    }

    /// The page `path` counts as: the first configured pattern it matches,
    /// else its [default pattern](super::id_like::default_pattern).
    pub fn group<'a>(&'a self, path: &str) -> Cow<'a, str> {
        self.list
            .iter()
            .find(|p| p.matches(segments(path)))
            .map_or_else(
                || Cow::Owned(default_pattern(path)),
                |p| Cow::Borrowed(p.text.as_str()),
            )
    }
}

impl Pattern {
    fn parse(text: &str) -> Result<Self, PatternErrorKind> {
        if text.is_empty() {
            return Err(PatternErrorKind::Empty);
        }
        if !text.starts_with('/') {
            return Err(PatternErrorKind::NotAbsolute);
        }
        if text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '?' || c == '#')
        {
            return Err(PatternErrorKind::Character);
        }
        let body = text.trim_end_matches('/');
        let mut segments = Vec::new();
        // `body` starts with '/' unless it is the root, so the first split
        // is the empty text before it.
        for part in body.split('/').skip(1) {
            if matches!(segments.last(), Some(Segment::Rest)) {
                return Err(PatternErrorKind::RestNotLast);
            }
            segments.push(match part {
                "" => return Err(PatternErrorKind::EmptySegment),
                "*" => Segment::One,
                "**" => Segment::Rest,
                _ if part.contains('*') => return Err(PatternErrorKind::PartialWildcard),
                _ => Segment::Literal(part.into()),
            });
        }
        let text = if body.is_empty() { "/" } else { body };
        Ok(Self {
            text: text.into(),
            segments,
        })
    }

    fn matches<'p>(&self, mut path: impl Iterator<Item = &'p str>) -> bool {
        for segment in &self.segments {
            match segment {
                Segment::Rest => return true,
                Segment::One => {
                    if path.next().is_none() {
                        return false;
                    }
                }
                Segment::Literal(text) => {
                    if path.next() != Some(text.as_str()) {
                        return false;
                    }
                }
            }
        }
        path.next().is_none()
    }
}

/// The segments of `path` as patterns see them: before any `?` or `#`,
/// empty ones dropped (see the module doc).
pub(super) fn segments(path: &str) -> impl Iterator<Item = &str> + Clone {
    let end = path.find(['?', '#']).unwrap_or(path.len());
    path[..end].split('/').filter(|s| !s.is_empty())
}

impl TryFrom<Vec<String>> for Patterns {
    type Error = PatternError;

    fn try_from(patterns: Vec<String>) -> Result<Self, PatternError> {
        Self::new(patterns)
    }
}

impl From<Patterns> for Vec<String> {
    fn from(patterns: Patterns) -> Self {
        patterns.list.into_iter().map(|p| p.text).collect()
    }
}
