//! The validated parts subjects are built from: site ids, session tokens,
//! reply ids and operator names, none of which can carry subject syntax.

use alloc::string::String;

use core::fmt;

use super::SubjectError;

/// A storefront's id as configured by its operator: `[a-z0-9-]`, 1 to 32 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SiteId(String);

impl SiteId {
    /// Longest site id accepted.
    pub const MAX_LEN: usize = 32;

    /// Validates a site id.
    ///
    /// # Examples
    ///
    /// ```
    /// use floorwalker_shared::subject::SiteId;
    /// assert!(SiteId::new("shoes-eu").is_ok());
    /// assert!(SiteId::new("Shoes.EU").is_err());
    /// ```
    pub fn new(text: impl Into<String>) -> Result<Self, SubjectError> {
        let text = text.into();
        validate_token(&text, Self::MAX_LEN, |c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
        })?;
        if Self::RESERVED.contains(&text.as_str()) {
            return Err(SubjectError::Reserved);
        }
        Ok(Self(text))
    }

    /// Names a site cannot have: the second token of Floorwalker's own
    /// subjects (`fw.inbox.…`, `fw.gate.…`, `fw.audit.…`, `fw.presence.…`), which a site's
    /// subjects would otherwise run into.
    pub const RESERVED: [&'static str; 4] = ["audit", "gate", "inbox", "presence"];

    /// The site id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SiteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The token that names one shopper session in subjects: `[A-Za-z0-9_-]`,
/// 16 to 64 bytes.
///
/// It is derived from a secret only the shopper's browser holds, so that a
/// session id seen on a screen is not enough to connect as that shopper (the
/// gate enforces this).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionToken(String);

impl SessionToken {
    /// Shortest token accepted: short tokens could be guessed.
    pub const MIN_LEN: usize = 16;
    /// Longest token accepted.
    pub const MAX_LEN: usize = 64;

    /// Validates a session token.
    ///
    /// # Examples
    ///
    /// ```
    /// use floorwalker_shared::subject::SessionToken;
    /// assert!(SessionToken::new("q3X9_tZ0-a8bYw2LmN4p").is_ok());
    /// assert!(SessionToken::new("short").is_err());
    /// ```
    pub fn new(text: impl Into<String>) -> Result<Self, SubjectError> {
        let text = text.into();
        validate_token(&text, Self::MAX_LEN, is_name_char)?;
        if text.len() < Self::MIN_LEN {
            return Err(SubjectError::TooShort { min: Self::MIN_LEN });
        }
        Ok(Self(text))
    }

    /// The token as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Its last six characters: enough for a person to tell sessions apart
    /// on screen, too few to publish as the shopper.
    ///
    /// # Examples
    ///
    /// ```
    /// use floorwalker_shared::subject::SessionToken;
    /// let token = SessionToken::new("q3X9_tZ0-a8bYw2LmN4p").unwrap();
    /// assert_eq!(token.short(), "2LmN4p");
    /// ```
    pub fn short(&self) -> &str {
        // Token characters are ASCII (validated in `new`).
        &self.0[self.0.len() - 6..]
    }
}

impl fmt::Display for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A character of session tokens, reply ids, operator names and visitor
/// ids.
pub(crate) fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// A reply id or an operator name: 1 to 64 of `[A-Za-z0-9_-]`.
pub(super) fn name_token(text: &str) -> Result<(), SubjectError> {
    validate_token(text, 64, is_name_char)
}

fn validate_token(
    text: &str,
    max: usize,
    allowed: impl Fn(char) -> bool,
) -> Result<(), SubjectError> {
    if text.is_empty() {
        return Err(SubjectError::Empty);
    }
    if text.len() > max {
        return Err(SubjectError::TooLong { max });
    }
    if text.chars().all(allowed) {
        Ok(())
    } else {
        Err(SubjectError::Character)
    }
}
