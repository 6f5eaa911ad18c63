//! The load on the chat queue, measured from the help desk, and the advice
//! made of it: how many agents the chats need now to meet the target, how
//! many there are, and what each staffing level around the need would give.
//!
//! Pure: the desk and `now_ms` come in, nothing is read from a clock, so
//! every screen that folds the same facts gives the same advice.
//!
//! Each [`Measured`] window ends now and covers the chats the desk still
//! holds (it keeps a closed chat [`DeskConfig::keep_ms`], an hour by
//! default, so the hour is whole):
//! - arrivals: chats asked for in the window, per minute;
//! - handle time: the mean of answer → close, over chats that ended (were
//!   answered, then closed) in the window;
//! - patience: shoppers give up after an exponential time whose mean is
//!   estimated by maximum likelihood with censoring: the time every chat
//!   spent waiting in the queue within the window (those answered, those
//!   that gave up, those still waiting) divided by how many gave up in it.
//!   Nobody gave up: no patience, and the model is Erlang C (shoppers who
//!   never give up need the most agents, so the advice errs towards more).
//!
//! How the two windows combine ([`Advice::of_site`]):
//! - arrivals: the larger of the last 15 minutes' rate and the hour's, so a
//!   surge shows within minutes, while a quiet quarter of an hour (arrivals
//!   are bursty, and 15 minutes of a slow desk hold a handful) does not
//!   take away agents the hour says are needed;
//! - handle time and patience: the hour's. They are means of durations per
//!   chat, which need samples more than recency, and change with what is
//!   sold and who buys it, not minute by minute.
//!
//! Agents hold several chats: each counts as its configured capacity of
//! servers (`super`'s model), with one concurrency for all, the mean
//! capacity of the agents on duty (online and taking chats), rounded; with
//! nobody on duty, of every agent the desk knows; with none, one. The
//! agents on duty are what the desk has ("have"), busy or not: away agents
//! take no chats, and offline ones are not there.

use alloc::vec::Vec;

use super::{Load, Outcome, Target, agents_needed, erlang_a};
use crate::desk::{Agent, ChatState, Desk};
use crate::metrics::in_site;
use crate::subject::SiteId;

#[cfg(doc)]
use crate::desk::DeskConfig;

/// The short window: a surge shows within it.
pub const RECENT_MS: u64 = 15 * 60_000;

/// The long window: handle time and patience need its samples.
pub const HOUR_MS: u64 = 60 * 60_000;

/// The most agents the advice looks for: past it, the need is unknown (a
/// target of 100% is never met).
pub const MAX_AGENTS: u32 = 10_000;

/// A patience or a handle time under a second is taken as a second: the
/// stream's clock orders facts rather than times them to the millisecond,
/// and a duration of 0 is no model at all (every rate infinite).
const LEAST_MS: u64 = 1_000;

/// What the chats of one window ending now say, in whole milliseconds so
/// that a test can count them by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Measured {
    /// How long the window is, in ms.
    pub window_ms: u64,
    /// Chats asked for in the window.
    pub requested: u32,
    /// Chats answered and then closed in the window.
    pub ended: u32,
    /// Chats closed unanswered in the window: the shopper gave up waiting.
    pub abandoned: u32,
    /// The mean answer → close of the chats that ended; `None` when none
    /// did.
    pub handle_ms: Option<u64>,
    /// The time all chats spent waiting in the queue within the window.
    pub queued_ms: u64,
}

impl Measured {
    /// Measures the chats of `site` (every site's if `None`) over the
    /// `window_ms` up to `now_ms`.
    pub fn of_site(desk: &Desk, now_ms: u64, site: Option<&SiteId>, window_ms: u64) -> Self {
        let since = now_ms.saturating_sub(window_ms);
        let in_window = |at: u64| at > since && at <= now_ms;
        // The part of [from, to) inside the window.
        let within = |from: u64, to: u64| to.min(now_ms).saturating_sub(from.max(since));
        let mut m = Self {
            window_ms,
            ..Self::default()
        };
        let mut handled = 0_u64;
        for chat in desk.chats().filter(|c| in_site(&c.session, site)) {
            m.requested += u32::from(in_window(chat.requested_ms));
            match (&chat.state, chat.answered_ms, chat.closed_ms) {
                (ChatState::Ended, Some(answered), Some(closed)) if in_window(closed) => {
                    m.ended += 1;
                    handled += closed.saturating_sub(answered);
                }
                (ChatState::Abandoned, _, Some(closed)) if in_window(closed) => {
                    m.abandoned += 1;
                }
                _ => {}
            }
            // The first wait ends when an agent answers, when the shopper
            // gives up, or not yet.
            let first_wait_end = chat.answered_ms.or(chat.closed_ms).unwrap_or(now_ms);
            m.queued_ms += within(chat.requested_ms, first_wait_end);
            // Back in the queue after an answer (its agent lost, or a
            // supervisor moved it back): waiting again. A second wait
            // that already ended leaves no time on the desk to count; such
            // waits are few, and leaving them out errs towards less patience.
            if chat.state == ChatState::Queued && chat.answered_ms.is_some() {
                m.queued_ms += within(chat.queued_ms, now_ms);
            }
        }
        m.handle_ms = (m.ended > 0).then(|| handled / u64::from(m.ended));
        m
    }

    /// Chats asked for per minute.
    pub fn arrivals_per_min(&self) -> f64 {
        if self.window_ms == 0 {
            return 0.0;
        }
        f64::from(self.requested) / minutes(self.window_ms)
    }

    /// The mean patience of shoppers in the queue, in ms (see the module
    /// doc); `None` when nobody gave up.
    pub fn patience_ms(&self) -> Option<u64> {
        (self.abandoned > 0).then(|| (self.queued_ms / u64::from(self.abandoned)).max(LEAST_MS))
    }
}

/// What one staffing level would give.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Staffed {
    /// Agents on duty.
    pub agents: u32,
    /// The waiting, abandonment and service level they would give.
    pub outcome: Outcome,
}

/// How many agents the chats need now, and what the desk has.
#[derive(Debug, Clone, PartialEq)]
pub struct Advice {
    /// The last 15 minutes.
    pub recent: Measured,
    /// The last hour.
    pub hour: Measured,
    /// The load the advice is for (the windows combined, see the module
    /// doc); `None` until a chat has ended in the last hour, as there is
    /// no handle time to go on.
    pub load: Option<Load>,
    /// Chats each agent takes at once, as the model counts them.
    pub concurrency: u32,
    /// What the need is judged against.
    pub target: Target,
    /// The fewest agents that meet the target under the load; `None` with
    /// no load, or when even [`MAX_AGENTS`] would not (a target of 100%).
    /// 0 when no chat was asked for in the last hour.
    pub needed: Option<u32>,
    /// Agents on duty: online and taking chats, busy or not.
    pub have: u32,
    /// What the staffing levels around the need and around what the desk
    /// has would give, fewest agents first: up to two below what it has
    /// and from two below to two above the need, never fewer than one
    /// agent. Empty with no load.
    pub levels: Vec<Staffed>,
}

impl Advice {
    /// The advice for every site's chats at `now_ms`.
    pub fn of(desk: &Desk, now_ms: u64, target: Target) -> Self {
        Self::of_site(desk, now_ms, None, target)
    }

    /// The advice for the chats of `site` (every site's if `None`) at
    /// `now_ms`; the agents are the desk's, who serve every site.
    pub fn of_site(desk: &Desk, now_ms: u64, site: Option<&SiteId>, target: Target) -> Self {
        let recent = Measured::of_site(desk, now_ms, site, RECENT_MS);
        let hour = Measured::of_site(desk, now_ms, site, HOUR_MS);
        let load = hour.handle_ms.map(|handle| Load {
            arrivals_per_min: recent.arrivals_per_min().max(hour.arrivals_per_min()),
            handle_min: minutes(handle.max(LEAST_MS)),
            patience_min: hour.patience_ms().map(minutes),
        });
        let concurrency = concurrency(desk);
        let have = u32::try_from(desk.agents().filter(|a| on_duty(a)).count()).unwrap_or(u32::MAX);
        let needed = load.and_then(|load| need(&load, concurrency, &target));
        let mut advice = Self {
            recent,
            hour,
            load,
            concurrency,
            target,
            needed,
            have,
            levels: Vec::new(),
        };
        let mut agents: Vec<u32> = (have.saturating_sub(2)..=have).collect();
        match needed {
            Some(n) => agents.extend(n.saturating_sub(2)..=n.saturating_add(2)),
            // The need is past reach: what a few more than the desk has
            // would give.
            None => agents.extend(have..=have.saturating_add(2)),
        }
        agents.retain(|n| *n > 0);
        agents.sort_unstable();
        agents.dedup();
        advice.levels = agents
            .into_iter()
            .filter_map(|agents| {
                let outcome = advice.at(agents)?;
                Some(Staffed { agents, outcome })
            })
            .collect();
        advice
    }

    /// What `agents` on duty would give under the load; `None` with no
    /// load.
    pub fn at(&self, agents: u32) -> Option<Outcome> {
        let load = self.load?;
        let servers = agents.saturating_mul(self.concurrency);
        Some(erlang_a(&load, servers, self.target.within_secs))
    }

    /// How many agents short the desk is, if it is.
    pub fn short(&self) -> Option<u32> {
        self.needed
            .filter(|n| *n > self.have)
            .map(|n| n - self.have)
    }
}

/// Whether `agent` is on duty: online and taking chats.
fn on_duty(agent: &Agent) -> bool {
    agent.online && agent.available
}

/// The chats each agent takes at once, as the model counts them (see the
/// module doc).
fn concurrency(desk: &Desk) -> u32 {
    let capacities = |only_on_duty: bool| -> (u32, u32) {
        desk.agents()
            .filter(|a| !only_on_duty || on_duty(a))
            .fold((0, 0), |(n, sum), a| (n + 1, sum + u32::from(a.capacity)))
    };
    let (n, sum) = match capacities(true) {
        (0, _) => capacities(false),
        some => some,
    };
    if n == 0 {
        return 1;
    }
    // The mean, rounded half up.
    ((2 * sum + n) / (2 * n)).max(1)
}

/// The fewest agents of `concurrency` chats that meet `target`: searched
/// up to twice, four times… the agents the load alone keeps busy, so that
/// a small desk costs a few evaluations, up to [`MAX_AGENTS`].
fn need(load: &Load, concurrency: u32, target: &Target) -> Option<u32> {
    let busy = load.arrivals_per_min * load.handle_min / f64::from(concurrency);
    let mut most = if busy < f64::from(MAX_AGENTS) {
        // Within u32: checked just above.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let busy = libm::ceil(busy) as u32;
        busy.saturating_add(1)
    } else {
        MAX_AGENTS
    };
    loop {
        if let Some(n) = agents_needed(load, concurrency, target, most) {
            return Some(n);
        }
        if most >= MAX_AGENTS {
            return None;
        }
        most = most.saturating_mul(2).min(MAX_AGENTS);
    }
}

/// `ms` in minutes.
fn minutes(ms: u64) -> f64 {
    // Exact below 2^52 ms, some 140,000 years.
    #[allow(clippy::cast_precision_loss)]
    let ms = ms as f64;
    ms / 60_000.0
}

#[cfg(test)]
mod tests;
