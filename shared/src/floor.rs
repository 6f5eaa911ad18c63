//! The shop floor: every shopper session a supervisor can see, and what is
//! usual there (how long shoppers stay on each page).
//!
//! The dashboard feeds it every batch it hears (live, or replayed from the
//! stream) with [`Floor::batch`], and the offers operators send with
//! [`Floor::offer_sent`]; it reads sessions, states and figures back at any
//! time. Everything from a browser is checked on the way in: a payload that
//! is not a valid batch, or a subject that is not a shopper's, is refused
//! and counted, never half-applied. Sizes are bounded: at most
//! [`FloorConfig::max_sessions`] sessions and [`MAX_DWELL_PATHS`] pages with
//! dwell statistics, and sessions that left are forgotten after
//! [`FloorConfig::forget_after_ms`].
//!
//! Whether a shopper is still there is the broker's word when the floor has
//! it ([`presence`], fed with [`Floor::presence_mut`]): a session is on the
//! floor while one of its connections is open. When the last one closes,
//! nothing changes for [`FloorConfig::navigation_grace_ms`] (the next page
//! of a navigation connects meanwhile); then what the session said last
//! decides: a page that said it was being left (the plugin says so as the
//! page hides for good) was closed or navigated away from, so the shopper
//! has left; a connection that dropped with no such word leaves the page
//! open, reconnecting, until [`FloorConfig::reconnect_ms`] passes. Without
//! the broker's word (before its list of open connections is in), silence
//! for [`FloorConfig::left_after_ms`] means the shopper left.
//! [`Floor::state`] says all this, and [`Floor::is_online`] (who the
//! screens count as online) says it from there.

use alloc::collections::BTreeMap;

mod dwell;
pub mod presence;

use dwell::Dwell;
use presence::{Link, Presence};

use crate::session::{ChatPhase, Session, State};
use crate::subject::{SessionSubjects, SiteId, Subject};
use crate::wire::{WireErrorKind, decode_batch};

/// How long sessions are kept and how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FloorConfig {
    /// Nothing heard from a session for this long means the shopper left
    /// (while the broker's word on connections is not in).
    pub left_after_ms: u64,
    /// A session with no connection open stays as it was this long (long
    /// enough for the next page of a navigation to connect); then it has
    /// left if its page said it was left, or is reconnecting.
    pub navigation_grace_ms: u64,
    /// A session whose connection dropped with its page open has left once
    /// this passes with none back (the plugin retries within seconds).
    pub reconnect_ms: u64,
    /// A session that left drops off the floor this long after.
    pub forget_after_ms: u64,
    /// Sessions kept at most; batches of new sessions beyond are refused.
    pub max_sessions: usize,
    /// An offer unanswered this long expires (the shopper may be offered
    /// again).
    pub offer_expires_after_ms: u64,
}

impl Default for FloorConfig {
    fn default() -> Self {
        Self {
            left_after_ms: 5 * 60_000,
            navigation_grace_ms: 4_000,
            reconnect_ms: 2 * 60_000,
            forget_after_ms: 10 * 60_000,
            max_sessions: 200_000,
            offer_expires_after_ms: crate::session::OFFER_EXPIRES_AFTER_MS,
        }
    }
}

/// Pages (per site) with dwell statistics, at most: paths come from
/// browsers, so their number is bounded like everything else.
pub const MAX_DWELL_PATHS: usize = 20_000;

/// Dwell reports a page needs before its usual dwell is trusted.
pub const MIN_DWELL_SAMPLES: u32 = 5;

/// Why a message was not taken in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Refusal {
    /// Not a shopper's events subject.
    Subject,
    /// Not a valid batch.
    Wire(WireErrorKind),
    /// A new session while the floor holds [`FloorConfig::max_sessions`].
    Full,
}

/// Every session on the floor (see the module doc).
#[derive(Debug, Clone, Default)]
pub struct Floor {
    config: FloorConfig,
    sessions: BTreeMap<SessionSubjects, Session>,
    dwell: Dwell,
    refused: BTreeMap<Refusal, u64>,
    presence: Presence,
}

impl Floor {
    /// An empty floor.
    pub fn new(config: FloorConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }

    /// The floor's configuration.
    pub fn config(&self) -> &FloorConfig {
        &self.config
    }

    /// Takes in a batch published on `subject`, heard at `heard_ms`; returns
    /// its session, or why it was refused (and counted).
    pub fn batch(
        &mut self,
        subject: &Subject,
        payload: &[u8],
        heard_ms: u64,
    ) -> Result<&Session, Refusal> {
        let result = self.take(subject, payload, heard_ms);
        match result {
            Ok(key) => Ok(&self.sessions[&key]),
            Err(refusal) => {
                *self.refused.entry(refusal).or_default() += 1;
                Err(refusal)
            }
        }
    }

    fn take(
        &mut self,
        subject: &Subject,
        payload: &[u8],
        heard_ms: u64,
    ) -> Result<SessionSubjects, Refusal> {
        let key = SessionSubjects::of(subject)
            .filter(|s| s.events() == *subject)
            .ok_or(Refusal::Subject)?;
        let batch = decode_batch(payload).map_err(|e| Refusal::Wire(e.kind()))?;
        let session = session_mut(&mut self.sessions, &self.config, &key, heard_ms)?;
        for (path, ms) in session.apply(&batch, heard_ms) {
            if let Some(slot) = self.dwell.slot(key.site(), &path) {
                self.dwell.add(slot, ms);
            }
        }
        // Only a batch moves a shopper to another page.
        session.dwell_slot = match &session.page {
            Some(page) => self.dwell.slot(key.site(), &page.path),
            None => None,
        };
        Ok(key)
    }

    /// Notes an offer `by` sent to `session` at `sent_ms`; the session is
    /// created if this is the first heard of it (an offer replayed before
    /// the session's batches).
    pub fn offer_sent(
        &mut self,
        session: &SessionSubjects,
        id: &str,
        text: &str,
        by: &str,
        sent_ms: u64,
    ) -> Result<(), Refusal> {
        session_mut(&mut self.sessions, &self.config, session, sent_ms)?.offer_sent(
            id,
            text,
            by,
            sent_ms,
            self.config.offer_expires_after_ms,
        );
        Ok(())
    }

    /// Notes where `session`'s chat stands (`None`: no chat open), as the
    /// desk folds it; a session not on the floor is left alone.
    pub fn chat_phase(&mut self, session: &SessionSubjects, phase: Option<ChatPhase>) {
        if let Some(s) = self.sessions.get_mut(session) {
            s.chat = phase;
        }
    }

    /// How long shoppers usually stay on `path` of `site`, once enough have
    /// been seen to say.
    pub fn usual_dwell_ms(&self, site: &SiteId, path: &str) -> Option<u64> {
        self.dwell.usual_ms(site, path)
    }

    /// The usual stay on the page `session` is on now, if known.
    pub fn usual_dwell_here(&self, session: &Session) -> Option<u64> {
        self.dwell.usual_in(session.dwell_slot?)
    }

    /// Where `session` stands at `now_ms` (see the module doc).
    pub fn state(&self, session: &Session, now_ms: u64) -> State {
        let c = &self.config;
        let Some(link) = self.presence.link(session.subjects(), now_ms) else {
            return session.state(now_ms, c.left_after_ms);
        };
        let since = |at_ms: u64| now_ms.saturating_sub(at_ms);
        match link {
            Link::Open => session.state_here(now_ms),
            Link::Closed { since_ms } => {
                // The page said it was left as its connection closed (a
                // word heard long before is another tab's).
                let page_left = session
                    .page_left_ms
                    .is_some_and(|left| left.saturating_add(c.navigation_grace_ms) >= since_ms);
                // Within the grace, as before: the next page of a
                // navigation connects, and the word that the page was left
                // (through the stream) may come after the close (straight).
                if since(since_ms) < c.navigation_grace_ms {
                    session.state_here(now_ms)
                } else if page_left || since(since_ms) >= c.reconnect_ms {
                    State::Left
                } else {
                    State::Reconnecting
                }
            }
            // Its batch is heard before the broker's word of its connection,
            // or the session ended before this floor was told of any.
            Link::Never if since(session.first_heard_ms) < c.navigation_grace_ms => {
                session.state_here(now_ms)
            }
            Link::Never => State::Left,
        }
    }

    /// Whether `session` counts as online at `now_ms`: its page is open,
    /// connected or reconnecting. Every screen that counts shoppers counts
    /// them with this.
    pub fn is_online(&self, session: &Session, now_ms: u64) -> bool {
        self.state(session, now_ms).is_online()
    }

    /// The broker's word on shopper connections, to feed.
    pub fn presence_mut(&mut self) -> &mut Presence {
        &mut self.presence
    }

    /// Forgets sessions that left more than [`FloorConfig::forget_after_ms`]
    /// before `now_ms`; returns how many.
    pub fn sweep(&mut self, now_ms: u64) -> usize {
        let before = self.sessions.len();
        let keep_ms = self.config.left_after_ms + self.config.forget_after_ms;
        self.presence.sweep(now_ms, keep_ms);
        let presence = &self.presence;
        // A session is kept while a page of it is open, however quiet.
        self.sessions.retain(|key, s| {
            now_ms.saturating_sub(s.last_heard_ms) < keep_ms
                || presence.link(key, now_ms) == Some(Link::Open)
        });
        before - self.sessions.len()
    }

    /// The session with these subjects.
    pub fn get(&self, session: &SessionSubjects) -> Option<&Session> {
        self.sessions.get(session)
    }

    /// Every session, in no particular order.
    pub fn sessions(&self) -> impl ExactSizeIterator<Item = &Session> {
        self.sessions.values()
    }

    /// How many sessions the floor holds.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// Whether the floor holds no session.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// Messages refused, by reason.
    pub fn refused(&self) -> impl Iterator<Item = (Refusal, u64)> + '_ {
        self.refused.iter().map(|(r, n)| (*r, *n))
    }

    /// Messages refused in all.
    pub fn refused_total(&self) -> u64 {
        self.refused.values().sum()
    }
}

/// The session `key`, made if new and there is room; a free function so
/// the caller can hold it and the floor's other parts at once.
fn session_mut<'a>(
    sessions: &'a mut BTreeMap<SessionSubjects, Session>,
    config: &FloorConfig,
    key: &SessionSubjects,
    heard_ms: u64,
) -> Result<&'a mut Session, Refusal> {
    if !sessions.contains_key(key) && sessions.len() >= config.max_sessions {
        return Err(Refusal::Full);
    }
    Ok(sessions
        .entry(key.clone())
        .or_insert_with(|| Session::new(key.clone(), heard_ms)))
}

#[cfg(test)]
mod tests;
