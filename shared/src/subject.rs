//! Every NATS subject Floorwalker uses, built in one place.
//!
//! A shopper's subjects are built from a [`SiteId`] and a [`SessionToken`], so a
//! broker permission can name exactly one session's subjects and nothing else:
//!
//! ```text
//! fw.<site>.shopper.<token>.events    shopper → bus   event batches
//! fw.<site>.shopper.<token>.chat      shopper → bus   chat messages
//! fw.<site>.shopper.<token>.push      bus → shopper   offers, agent messages, survey
//! fw.<site>.shopper.<token>.here      shopper → bus   still there, while a chat is open
//! fw.<site>.shopper.<token>.inbox.>   bus → shopper   replies to the shopper's requests
//! ```
//!
//! Operators subscribe with wildcards built here too ([`all_events`]), and the
//! gate serves [`AUTH_CALLOUT`]. No other module spells a subject.
//!
//! [`Subject`] is a validated subject: the codec in [`crate::nats`] writes it
//! without checking again, which is why its encoder cannot fail.
//!
//! `token` holds the validated parts subjects are built from ([`SiteId`],
//! [`SessionToken`], operator names), `shopper` one session's subjects
//! ([`SessionSubjects`]), and [`js`] the JetStream API's.

pub mod js;
pub mod kv;
mod shopper;
mod token;

use alloc::string::String;

use core::fmt;

use thiserror::Error;

pub use shopper::SessionSubjects;
pub use token::{SessionToken, SiteId};

pub(crate) use token::is_name_char;
use token::name_token;

/// The root token of every Floorwalker subject.
const ROOT: &str = "fw";

/// Longest subject accepted. nats-server's own limit is its control line
/// (4 KiB); ours is far lower because no subject we build comes close.
pub const MAX_SUBJECT_LEN: usize = 512;

/// What was wrong with a subject, site id or session token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SubjectError {
    /// The text was empty.
    #[error("is empty")]
    Empty,
    /// The text was shorter than allowed.
    #[error("is shorter than {min} bytes")]
    TooShort {
        /// The limit that was not reached.
        min: usize,
    },
    /// The text was longer than allowed.
    #[error("is longer than {max} bytes")]
    TooLong {
        /// The limit that was passed.
        max: usize,
    },
    /// A token between dots was empty (`a..b`, `.a`, `a.`).
    #[error("has an empty token")]
    EmptyToken,
    /// Whitespace or a control character, which would break the protocol line.
    #[error("contains whitespace or a control character")]
    Whitespace,
    /// `*` or `>` used inside a token, or `>` not as the last token.
    #[error("misplaces a wildcard")]
    Wildcard,
    /// A site id that Floorwalker's own subjects use.
    #[error("is reserved (audit, gate, inbox and presence are)")]
    Reserved,
    /// A character outside the allowed set for an id or token.
    #[error("contains a character outside [a-z0-9-] (site) or [A-Za-z0-9_-] (token)")]
    Character,
}

/// A syntactically valid NATS subject (wildcards allowed where NATS allows them).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Subject(String);

impl Subject {
    /// Validates `text` as a NATS subject.
    ///
    /// # Examples
    ///
    /// ```
    /// use floorwalker_shared::subject::{Subject, SubjectError};
    /// assert!(Subject::new("orders.*.created").is_ok());
    /// assert_eq!(Subject::new("a..b"), Err(SubjectError::EmptyToken));
    /// ```
    pub fn new(text: impl Into<String>) -> Result<Self, SubjectError> {
        let text = text.into();
        validate_subject(&text)?;
        Ok(Self(text))
    }

    /// The subject as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The subject's tokens, if it has exactly `N` of them.
    fn tokens<const N: usize>(&self) -> Option<[&str; N]> {
        let mut parts = self.0.split('.');
        let mut tokens = [""; N];
        for token in &mut tokens {
            *token = parts.next()?;
        }
        parts.next().is_none().then_some(tokens)
    }

    /// Whether the subject contains `*` or `>` (valid for SUB, not for PUB).
    pub fn is_wildcard(&self) -> bool {
        self.0.split('.').any(|t| t == "*" || t == ">")
    }

    /// Joins already validated parts; only for subjects this module builds.
    fn join(parts: &[&str]) -> Self {
        // By hand: `[&str]::join` is a generic join the plugin would carry
        // for this alone.
        let mut text = String::new();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                text.push('.');
            }
            text.push_str(part);
        }
        debug_assert!(
            validate_subject(&text).is_ok(),
            "built an invalid subject '{text}'"
        );
        Self(text)
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Subject {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

fn validate_subject(text: &str) -> Result<(), SubjectError> {
    if text.is_empty() {
        return Err(SubjectError::Empty);
    }
    if text.len() > MAX_SUBJECT_LEN {
        return Err(SubjectError::TooLong {
            max: MAX_SUBJECT_LEN,
        });
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(SubjectError::Whitespace);
    }
    // Tokens as bytes: every message a reader takes in is validated, and
    // `str` patterns made this a fifth of parsing a `MSG`.
    let bytes = text.as_bytes();
    let mut tokens = bytes.split(|b| *b == b'.').peekable();
    while let Some(token) = tokens.next() {
        if token.is_empty() {
            return Err(SubjectError::EmptyToken);
        }
        let last = tokens.peek().is_none();
        match token {
            b"*" => {}
            b">" if last => {}
            _ if token.iter().any(|b| matches!(b, b'*' | b'>')) => {
                return Err(SubjectError::Wildcard);
            }
            _ => {}
        }
    }
    Ok(())
}

/// Every shopper's event batches on `site`, for operators.
pub fn all_events(site: &SiteId) -> Subject {
    Subject::join(&[ROOT, site.as_str(), "shopper", "*", "events"])
}

/// Every shopper's event batches on every site, for operators and streams.
pub fn all_sites_events() -> Subject {
    Subject::join(&[ROOT, "*", "shopper", "*", "events"])
}

/// Every shopper's chat messages on every site, for agents and streams.
pub fn all_sites_chat() -> Subject {
    Subject::join(&[ROOT, "*", "shopper", "*", "chat"])
}

/// Every shopper's push subject on every site: where operators send offers
/// and agent messages.
pub fn all_sites_push() -> Subject {
    Subject::join(&[ROOT, "*", "shopper", "*", "push"])
}

/// Every subject there is (administrators only).
pub fn everything() -> Subject {
    Subject::join(&[">"])
}

/// The reply inbox of one operator user: `fw.inbox.<user>`; its requests'
/// reply subjects are this plus more tokens.
pub fn operator_inbox(user: &str) -> Result<Subject, SubjectError> {
    name_token(user)?;
    Ok(Subject::join(&[ROOT, "inbox", user]))
}

/// Where the operator `user` records an offer it sent, in the audit trail.
/// The user is in the subject, and an operator may publish under its own
/// user only, so the broker vouches for who sent it.
pub fn audit_offer(user: &str) -> Result<Subject, SubjectError> {
    name_token(user)?;
    Ok(Subject::join(&[ROOT, "audit", user, "offer"]))
}

/// Where the operator `user` records a desk fact of `kind` (see
/// [`crate::chat::DeskFact::kind`]): `fw.audit.<user>.<kind>`. Chat facts
/// are part of the audit trail, and the broker lets each role publish only
/// its own kinds under its own user.
pub fn desk(user: &str, kind: &str) -> Result<Subject, SubjectError> {
    name_token(user)?;
    name_token(kind)?;
    Ok(Subject::join(&[ROOT, "audit", user, kind]))
}

/// The user and kind of an audit subject (`fw.audit.<user>.<kind>`: an
/// offer or a desk fact); `None` for any other subject.
pub fn audit_parts(subject: &Subject) -> Option<(&str, &str)> {
    let [ROOT, "audit", user, kind] = subject.tokens()? else {
        return None;
    };
    name_token(user).is_ok().then_some((user, kind))
}

/// The user and kind of a desk fact's subject; `None` for any other
/// subject, an offer's included.
///
/// # Examples
///
/// ```
/// use floorwalker_shared::subject::{self, Subject};
/// let s = subject::desk("ana", "claim").unwrap();
/// assert_eq!(subject::desk_parts(&s), Some(("ana", "claim")));
/// assert_eq!(subject::desk_parts(&subject::audit_offer("ana").unwrap()), None);
/// ```
pub fn desk_parts(subject: &Subject) -> Option<(&str, &str)> {
    audit_parts(subject).filter(|(_, kind)| crate::chat::DeskFact::KINDS.contains(kind))
}

/// Where an operator `user` says it is still there (core NATS, not kept):
/// the router finds an agent lost when this falls silent.
pub fn presence(user: &str) -> Result<Subject, SubjectError> {
    name_token(user)?;
    Ok(Subject::join(&[ROOT, "presence", user]))
}

/// Every operator's presence, for the router.
pub fn all_presence() -> Subject {
    Subject::join(&[ROOT, "presence", "*"])
}

/// Where the broker says a shopper connection opened
/// (`$SYS.ACCOUNT.SHOP.CONNECT`, imported from the system account): four
/// tokens, so no agent's [`presence`] can be mistaken for it.
pub fn shoppers_connect() -> Subject {
    Subject::join(&[ROOT, "presence", "shoppers", "connect"])
}

/// Where the broker says a shopper connection closed
/// (`$SYS.ACCOUNT.SHOP.DISCONNECT`).
pub fn shoppers_disconnect() -> Subject {
    Subject::join(&[ROOT, "presence", "shoppers", "disconnect"])
}

/// Both of the above, for operators.
pub fn shoppers_presence() -> Subject {
    Subject::join(&[ROOT, "presence", "shoppers", "*"])
}

/// Where operators ask which shopper connections are open now
/// (`$SYS.REQ.ACCOUNT.SHOP.CONNZ`, a service of the system account): what a
/// reader that starts later has not heard connect. The answer comes to the
/// reader's inbox; it is outside [`shoppers_presence`], so no subscriber of
/// the advisories hears the requests.
pub fn shoppers_connz() -> Subject {
    Subject::join(&[ROOT, "presence", "connz", "shoppers"])
}

/// Every shopper's presence on every site, for the router.
pub fn all_sites_here() -> Subject {
    Subject::join(&[ROOT, "*", "shopper", "*", "here"])
}

/// Every shopper's inbox on every site: where the intake answers each
/// shopper's chat facts, on the sender's own inbox only.
pub fn all_sites_inbox() -> Subject {
    Subject::join(&[ROOT, "*", "shopper", "*", "inbox", ">"])
}

/// The prefix under which the operators' account hears what shoppers
/// publish, before the intake has checked it: the shoppers' account
/// exports its `events`, `chat` and `here` subjects as streams, imported
/// with this prefix. No stream captures these subjects and nobody answers
/// their reply addresses, so a shopper cannot make the broker deliver to
/// anyone else (docs/ARCHITECTURE.md, "Who may do what").
pub const RAW_PREFIX: &str = "raw";

/// `subject` as the operators' account hears it from a shopper:
/// [`RAW_PREFIX`] before it.
pub fn raw(subject: &Subject) -> Subject {
    Subject::join(&[RAW_PREFIX, subject.as_str()])
}

/// `subject` as the shopper published it, if it is a [`raw`] one.
pub fn unraw(subject: &Subject) -> Option<Subject> {
    let rest = subject
        .as_str()
        .strip_prefix(RAW_PREFIX)?
        .strip_prefix('.')?;
    Subject::new(rest).ok()
}

/// The whole audit trail, for its stream. Four tokens, where a shopper's
/// subjects have five, so the two streams' subjects never overlap.
pub fn audit_all() -> Subject {
    Subject::join(&[ROOT, "audit", "*", "*"])
}

/// Where nats-server sends auth-callout requests to the gate (ADR-26).
pub const AUTH_CALLOUT: &str = "$SYS.REQ.USER.AUTH";

/// Where each intake publishes its counts every second
/// ([`crate::intake::IntakeReport`]).
pub fn intake_report() -> Subject {
    Subject::join(&[ROOT, "intake", "report"])
}

/// Where each chat router publishes its counts every second
/// ([`crate::router::RouterReport`]).
pub fn router_report() -> Subject {
    Subject::join(&[ROOT, "router", "report"])
}

/// Where the gate answers status requests with its counts.
pub fn gate_status() -> Subject {
    Subject::join(&[ROOT, "gate", "status"])
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The rules as first written, a `char` at a time, which the byte by
    /// byte check must agree with.
    fn by_chars(text: &str) -> Result<(), SubjectError> {
        if text.is_empty() {
            return Err(SubjectError::Empty);
        }
        if text.len() > MAX_SUBJECT_LEN {
            return Err(SubjectError::TooLong {
                max: MAX_SUBJECT_LEN,
            });
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(SubjectError::Whitespace);
        }
        let tokens: Vec<&str> = text.split('.').collect();
        for (i, token) in tokens.iter().enumerate() {
            let last = i + 1 == tokens.len();
            match *token {
                "" => return Err(SubjectError::EmptyToken),
                "*" => {}
                ">" if last => {}
                _ if token.contains(['*', '>']) => return Err(SubjectError::Wildcard),
                _ => {}
            }
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn validation_agrees_with_the_rules_a_char_at_a_time(
            text in "[a.*> \\t\r\n\u{7f}\u{85}\u{a0}\u{2028}é\u{202e}]{0,12}",
        ) {
            prop_assert_eq!(validate_subject(&text), by_chars(&text));
        }
    }

    fn session() -> SessionSubjects {
        SessionSubjects::new(
            SiteId::new("shoes").unwrap(),
            SessionToken::new("Tok_en-0123456789").unwrap(),
        )
    }

    #[test]
    fn session_subjects_are_confined_under_the_token() {
        let s = session();
        let prefix = "fw.shoes.shopper.Tok_en-0123456789.";
        for subject in [
            s.events(),
            s.chat(),
            s.push(),
            s.here(),
            s.inbox_prefix(),
            s.inbox_wildcard(),
        ] {
            assert!(subject.as_str().starts_with(prefix), "{subject}");
        }
        assert!(!s.events().is_wildcard());
        assert!(s.inbox_wildcard().is_wildcard());
        assert_eq!(
            s.inbox("r1").unwrap().as_str(),
            "fw.shoes.shopper.Tok_en-0123456789.inbox.r1"
        );
        assert_eq!(s.inbox("a.b"), Err(SubjectError::Character));
    }

    #[test]
    fn operator_wildcards_cover_session_events_only() {
        let site = SiteId::new("shoes").unwrap();
        assert_eq!(all_events(&site).as_str(), "fw.shoes.shopper.*.events");
        assert_eq!(all_sites_events().as_str(), "fw.*.shopper.*.events");
        assert_eq!(gate_status().as_str(), "fw.gate.status");
    }

    #[test]
    fn no_site_runs_into_floorwalkers_own_subjects() {
        for name in SiteId::RESERVED {
            assert_eq!(SiteId::new(name), Err(SubjectError::Reserved), "{name}");
        }
        // Audit subjects have four tokens, shoppers' five.
        let audit = audit_offer("sam").unwrap();
        assert_eq!(audit.as_str(), "fw.audit.sam.offer");
        assert_eq!(audit_all().as_str().split('.').count(), 4);
        assert_eq!(all_sites_events().as_str().split('.').count(), 5);
        assert_eq!(SessionSubjects::of(&audit), None);
        assert_eq!(SessionSubjects::of(&gate_status()), None);
    }

    #[test]
    fn subject_validation() {
        for ok in [
            "a",
            "a.b",
            "a.*.c",
            "a.>",
            ">",
            "*",
            "ünï.cødé",
            "$SYS.REQ.USER.AUTH",
        ] {
            assert!(Subject::new(ok).is_ok(), "{ok}");
        }
        let cases = [
            ("", SubjectError::Empty),
            ("a..b", SubjectError::EmptyToken),
            (".a", SubjectError::EmptyToken),
            ("a.", SubjectError::EmptyToken),
            ("a b", SubjectError::Whitespace),
            ("a\r\nPUB x 1", SubjectError::Whitespace),
            ("a\tb", SubjectError::Whitespace),
            ("a.>.b", SubjectError::Wildcard),
            ("a.b*", SubjectError::Wildcard),
            ("a.>b", SubjectError::Wildcard),
        ];
        for (text, err) in cases {
            assert_eq!(Subject::new(text), Err(err), "{text:?}");
        }
        assert_eq!(
            Subject::new("a".repeat(MAX_SUBJECT_LEN + 1)),
            Err(SubjectError::TooLong {
                max: MAX_SUBJECT_LEN
            })
        );
    }

    #[test]
    fn site_ids_and_tokens_cannot_smuggle_subject_syntax() {
        for bad in ["a.b", "*", ">", "a b", "UPPER", ""] {
            assert!(SiteId::new(bad).is_err(), "{bad}");
        }
        assert!(SiteId::new("a".repeat(33)).is_err());
        for bad in [
            "abcdefghijklmno.",
            "abcdefghijklmnop*",
            "abcdefghijklmnop>",
            "abcdefghijklmno p",
        ] {
            assert!(SessionToken::new(bad).is_err(), "{bad}");
        }
        assert!(SessionToken::new("a".repeat(15)).is_err());
        assert!(SessionToken::new("a".repeat(16)).is_ok());
        assert!(SessionToken::new("a".repeat(65)).is_err());
    }
}
