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

use alloc::collections::BTreeMap;
use alloc::string::String;

use crate::session::{ChatPhase, Session, State};
use crate::subject::{SessionSubjects, SiteId, Subject};
use crate::wire::{WireErrorKind, decode_batch};

/// How long sessions are kept and how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FloorConfig {
    /// Nothing heard from a session for this long means the shopper left.
    pub left_after_ms: u64,
    /// A session that left drops off the floor this long after.
    pub forget_after_ms: u64,
    /// Sessions kept at most; batches of new sessions beyond are refused.
    pub max_sessions: usize,
}

impl Default for FloorConfig {
    fn default() -> Self {
        Self {
            left_after_ms: 5 * 60_000,
            forget_after_ms: 10 * 60_000,
            max_sessions: 200_000,
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

#[derive(Debug, Clone, Copy, Default)]
struct DwellStat {
    samples: u32,
    mean_ms: u64,
}

impl DwellStat {
    /// Longer stays are counted as this long, so one forgotten tab cannot
    /// make a page's usual stay an hour.
    const CAP_MS: u64 = 30 * 60_000;

    fn add(&mut self, ms: u32) {
        let ms = u64::from(ms).min(Self::CAP_MS);
        // A running mean over the first thousand stays, then a moving one,
        // so the usual follows the shop as it changes.
        self.samples = self.samples.saturating_add(1);
        let n = u64::from(self.samples.min(1_000));
        self.mean_ms = (self.mean_ms * (n - 1) + ms) / n;
    }
}

/// Every session on the floor (see the module doc).
#[derive(Debug, Clone, Default)]
pub struct Floor {
    config: FloorConfig,
    sessions: BTreeMap<SessionSubjects, Session>,
    /// Per site, per path: looked up by `&str`, so a frame allocates
    /// nothing to ask.
    dwell: BTreeMap<SiteId, BTreeMap<String, DwellStat>>,
    dwell_paths: usize,
    refused: BTreeMap<Refusal, u64>,
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
        let session = self.session_mut(&key, heard_ms)?;
        let dwells = session.apply(&batch, heard_ms);
        if !dwells.is_empty() {
            let site = self.dwell.entry(key.site().clone()).or_default();
            for (path, ms) in dwells {
                if let Some(stat) = site.get_mut(&path) {
                    stat.add(ms);
                } else if self.dwell_paths < MAX_DWELL_PATHS {
                    self.dwell_paths += 1;
                    site.entry(path).or_default().add(ms);
                }
            }
        }
        Ok(key)
    }

    fn session_mut(
        &mut self,
        key: &SessionSubjects,
        heard_ms: u64,
    ) -> Result<&mut Session, Refusal> {
        if !self.sessions.contains_key(key) && self.sessions.len() >= self.config.max_sessions {
            return Err(Refusal::Full);
        }
        Ok(self
            .sessions
            .entry(key.clone())
            .or_insert_with(|| Session::new(key.clone(), heard_ms)))
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
        self.session_mut(session, sent_ms)?
            .offer_sent(id, text, by, sent_ms);
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
        self.dwell
            .get(site)?
            .get(path)
            .filter(|s| s.samples >= MIN_DWELL_SAMPLES)
            .map(|s| s.mean_ms)
    }

    /// The usual stay on the page `session` is on now, if known.
    pub fn usual_dwell_here(&self, session: &Session) -> Option<u64> {
        let page = session.page.as_ref()?;
        self.usual_dwell_ms(session.subjects().site(), &page.path)
    }

    /// Where `session` stands at `now_ms`.
    pub fn state(&self, session: &Session, now_ms: u64) -> State {
        session.state(now_ms, self.config.left_after_ms)
    }

    /// Forgets sessions that left more than [`FloorConfig::forget_after_ms`]
    /// before `now_ms`; returns how many.
    pub fn sweep(&mut self, now_ms: u64) -> usize {
        let before = self.sessions.len();
        let keep_ms = self.config.left_after_ms + self.config.forget_after_ms;
        self.sessions
            .retain(|_, s| now_ms.saturating_sub(s.last_heard_ms) < keep_ms);
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

#[cfg(test)]
mod tests;
