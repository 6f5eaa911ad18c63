//! The subjects of one shopper session, all under its site and token, and
//! how to tell which session a subject belongs to.

use alloc::vec;

use super::token::name_token;
use super::{ROOT, SessionToken, SiteId, Subject, SubjectError};

/// The subjects of one shopper session.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionSubjects {
    site: SiteId,
    token: SessionToken,
}

impl SessionSubjects {
    /// The subjects of the session `token` on `site`.
    ///
    /// # Examples
    ///
    /// ```
    /// use floorwalker_shared::subject::{SessionSubjects, SessionToken, SiteId};
    /// let s = SessionSubjects::new(
    ///     SiteId::new("shoes").unwrap(),
    ///     SessionToken::new("abcdefghijklmnop").unwrap(),
    /// );
    /// assert_eq!(s.events().as_str(), "fw.shoes.shopper.abcdefghijklmnop.events");
    /// ```
    pub fn new(site: SiteId, token: SessionToken) -> Self {
        Self { site, token }
    }

    /// The session whose events, chat or push subject `subject` is; `None`
    /// for any other subject.
    ///
    /// # Examples
    ///
    /// ```
    /// use floorwalker_shared::subject::{SessionSubjects, Subject};
    /// let subject = Subject::new("fw.shoes.shopper.abcdefghijklmnop.events").unwrap();
    /// let session = SessionSubjects::of(&subject).unwrap();
    /// assert_eq!(session.site().as_str(), "shoes");
    /// assert_eq!(session.events(), subject);
    /// ```
    pub fn of(subject: &Subject) -> Option<Self> {
        let [ROOT, site, "shopper", token, kind] = subject.tokens()? else {
            return None;
        };
        if !matches!(kind, "events" | "chat" | "push" | "here") {
            return None;
        }
        Some(Self::new(
            SiteId::new(site).ok()?,
            SessionToken::new(token).ok()?,
        ))
    }

    /// The site this session is on.
    pub fn site(&self) -> &SiteId {
        &self.site
    }

    /// The session's token.
    pub fn token(&self) -> &SessionToken {
        &self.token
    }

    fn build(&self, tail: &[&str]) -> Subject {
        let mut parts = vec![ROOT, self.site.as_str(), "shopper", self.token.as_str()];
        parts.extend_from_slice(tail);
        Subject::join(&parts)
    }

    /// Where the shopper publishes event batches.
    pub fn events(&self) -> Subject {
        self.build(&["events"])
    }

    /// Where the shopper publishes chat messages.
    pub fn chat(&self) -> Subject {
        self.build(&["chat"])
    }

    /// Where the shopper says it is still there while a chat is open (core
    /// NATS, not kept): the router finds a waiting shopper gone when this
    /// falls silent.
    pub fn here(&self) -> Subject {
        self.build(&["here"])
    }

    /// Where offers, agent messages and survey prompts reach the shopper.
    pub fn push(&self) -> Subject {
        self.build(&["push"])
    }

    /// The prefix of the shopper's reply subjects; a request's reply subject is
    /// this plus one more token.
    pub fn inbox_prefix(&self) -> Subject {
        self.build(&["inbox"])
    }

    /// The one wildcard a shopper may subscribe to: its own inbox.
    pub fn inbox_wildcard(&self) -> Subject {
        self.build(&["inbox", ">"])
    }

    /// A reply subject in the shopper's inbox; `id` must be a valid token.
    pub fn inbox(&self, id: &str) -> Result<Subject, SubjectError> {
        name_token(id)?;
        Ok(self.build(&["inbox", id]))
    }
}
