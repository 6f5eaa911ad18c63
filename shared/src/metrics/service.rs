//! The figures of the help desk: queue, answer and response times,
//! abandonment, service level, agents, satisfaction, and how assisted
//! shoppers buy compared with the rest.
//!
//! Definitions, all over chats of the desk's window (the last
//! [`DeskConfig::window_ms`](crate::desk::DeskConfig::window_ms)):
//! - answered: chats first claimed in the window; abandoned: chats that
//!   closed unanswered in the window;
//! - average speed of answer: mean of claim − request over answered chats;
//! - first response time: first operator message − request, over chats
//!   whose first response came in the window; response time: how long each
//!   shopper message (or run of them) waited for the next operator message,
//!   over answers given in the window; percentiles by nearest rank;
//! - abandonment: abandoned ÷ (answered + abandoned); service level:
//!   answered within T ÷ (answered + abandoned), T being
//!   [`DeskConfig::service_level_ms`](crate::desk::DeskConfig::service_level_ms);
//! - utilisation: chats held ÷ capacity, over online agents who take chats;
//! - CSAT: "yes" ÷ answers, over surveys answered in the window.
//!
//! A figure with nothing to compute it from is `None`, never 0.

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;

use crate::desk::{AgentState, ChatState, Desk};
use crate::floor::Floor;
use crate::subject::SiteId;

/// The queue of one site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteQueue {
    /// The site.
    pub site: SiteId,
    /// Chats waiting.
    pub waiting: u32,
    /// How long the longest of them has waited, in ms.
    pub longest_wait_ms: u64,
}

/// The desk's figures at one instant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Service {
    /// Chats waiting, over all sites.
    pub waiting: u32,
    /// How long the longest of them has waited, in ms.
    pub longest_wait_ms: u64,
    /// The queue per site, by site.
    pub queues: Vec<SiteQueue>,
    /// Chats answered in the window.
    pub answered: u32,
    /// Chats abandoned in the window.
    pub abandoned: u32,
    /// Chats being answered now.
    pub active: u32,
    /// Average speed of answer, in ms.
    pub average_answer_ms: Option<u64>,
    /// First response time, median and 90th percentile, in ms.
    pub first_response_ms: Option<(u64, u64)>,
    /// Response time, median and 90th percentile, in ms.
    pub response_ms: Option<(u64, u64)>,
    /// Abandonment in the queue, in percent.
    pub abandonment_percent: Option<u8>,
    /// Answered within the target, in percent.
    pub service_level_percent: Option<u8>,
    /// Agents online with room for another chat.
    pub agents_available: u32,
    /// Agents online at capacity.
    pub agents_busy: u32,
    /// Agents online but away.
    pub agents_away: u32,
    /// Chats held against capacity, in percent.
    pub utilisation_percent: Option<u8>,
    /// Surveys answered in the window.
    pub surveys: u32,
    /// Of those, "yes", in percent.
    pub csat_percent: Option<u8>,
    /// Incidents not resolved.
    pub incidents_open: u32,
    /// Of those, not taken by anyone.
    pub incidents_waiting: u32,
}

impl Service {
    /// The figures of `desk` at `now_ms`, every site's.
    pub fn of(desk: &Desk, now_ms: u64) -> Self {
        Self::of_site(desk, now_ms, None)
    }

    /// The figures of `site`'s chats (every site's if `None`) at `now_ms`;
    /// the agents and incidents are the desk's, shared by every site.
    pub fn of_site(desk: &Desk, now_ms: u64, site: Option<&SiteId>) -> Self {
        let config = desk.config();
        let since = now_ms.saturating_sub(config.window_ms);
        let in_window = |at: u64| at > since && at <= now_ms;
        let mut f = Self::default();
        let (mut waits, mut within_target) = (Vec::new(), 0_u32);
        let (mut first_responses, mut responses) = (Vec::new(), Vec::new());
        let (mut yes, mut surveys) = (0_u32, 0_u32);
        for chat in desk.chats().filter(|c| super::in_site(&c.session, site)) {
            match &chat.state {
                ChatState::Queued => {
                    let waited = now_ms.saturating_sub(chat.queued_ms);
                    f.waiting += 1;
                    f.longest_wait_ms = f.longest_wait_ms.max(waited);
                    let site = chat.session.site();
                    match f.queues.iter_mut().find(|q| q.site == *site) {
                        Some(q) => {
                            q.waiting += 1;
                            q.longest_wait_ms = q.longest_wait_ms.max(waited);
                        }
                        None => f.queues.push(SiteQueue {
                            site: site.clone(),
                            waiting: 1,
                            longest_wait_ms: waited,
                        }),
                    }
                }
                ChatState::Active { .. } => f.active += 1,
                ChatState::Abandoned if chat.closed_ms.is_some_and(in_window) => {
                    f.abandoned += 1;
                }
                ChatState::Abandoned | ChatState::Ended => {}
            }
            if let Some(answered) = chat.answered_ms.filter(|at| in_window(*at)) {
                let wait = answered.saturating_sub(chat.requested_ms);
                f.answered += 1;
                waits.push(wait);
                if wait <= config.service_level_ms {
                    within_target += 1;
                }
            }
            if let Some(first) = chat.first_response_ms.filter(|at| in_window(*at)) {
                first_responses.push(first.saturating_sub(chat.requested_ms));
            }
            responses.extend(
                chat.responses
                    .iter()
                    .filter(|(_, at)| in_window(*at))
                    .map(|(ms, _)| *ms),
            );
            if let Some(survey) = chat.survey.as_ref().filter(|s| in_window(s.at_ms)) {
                surveys += 1;
                yes += u32::from(survey.helped);
            }
        }
        f.queues.sort_by(|a, b| a.site.cmp(&b.site));
        f.average_answer_ms = mean(&waits);
        f.first_response_ms = p50_p90(&mut first_responses);
        f.response_ms = p50_p90(&mut responses);
        let outcomes = f.answered + f.abandoned;
        f.abandonment_percent = percent(f.abandoned, outcomes);
        f.service_level_percent = percent(within_target, outcomes);
        f.surveys = surveys;
        f.csat_percent = percent(yes, surveys);
        let (mut held, mut capacity) = (0_u32, 0_u32);
        for agent in desk.agents() {
            match agent.state() {
                AgentState::Available => f.agents_available += 1,
                AgentState::Busy => f.agents_busy += 1,
                AgentState::Away => f.agents_away += 1,
                AgentState::Offline => continue,
            }
            if agent.available {
                held += u32::try_from(agent.holding.len()).unwrap_or(u32::MAX);
                capacity += u32::from(agent.capacity);
            }
        }
        f.utilisation_percent = percent(held.min(capacity), capacity);
        for incident in desk.incidents().filter(|i| i.resolved_ms.is_none()) {
            f.incidents_open += 1;
            f.incidents_waiting += u32::from(incident.taken.is_none());
        }
        f
    }
}

/// Where a waiting chat stands in the queue, from 1; `None` if it is not
/// waiting.
pub fn queue_position(desk: &Desk, chat_id: &str) -> Option<u32> {
    let queue = desk.queue();
    let at = queue.iter().position(|c| c.id == chat_id)?;
    u32::try_from(at + 1).ok()
}

/// How long a shopper at `position` in the queue can expect to wait, in ms,
/// from how the desk has been doing: the average speed of answer while an
/// agent has room, else `position` chats' worth of the average chat length
/// spread over the capacity online. `None` until there is history to go on.
pub fn expected_wait_ms(desk: &Desk, position: u32, now_ms: u64) -> Option<u64> {
    Waits::of(desk, now_ms).at(position)
}

/// What expected waits are worked out from, read from the desk once for a
/// whole queue (see [`expected_wait_ms`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waits {
    /// An agent has room: every place can expect the average speed of
    /// answer, if there is one.
    Room(Option<u64>),
    /// Every agent is full: a place waits its share of the average chat
    /// length (ms) spread over this much capacity.
    Full {
        /// The average length of an answered chat, if there is one.
        chat_ms: Option<u64>,
        /// Chats at once, over the agents online who take chats.
        capacity: u64,
    },
}

impl Waits {
    /// Reads the desk at `now_ms`.
    pub fn of(desk: &Desk, now_ms: u64) -> Self {
        let since = now_ms.saturating_sub(desk.config().window_ms);
        if desk.agents().any(|a| a.state() == AgentState::Available) {
            let waits: Vec<u64> = desk
                .chats()
                .filter_map(|c| {
                    let answered = c.answered_ms.filter(|at| *at > since)?;
                    Some(answered.saturating_sub(c.requested_ms))
                })
                .collect();
            return Self::Room(mean(&waits));
        }
        let lengths: Vec<u64> = desk
            .chats()
            .filter(|c| c.state == ChatState::Ended)
            .filter_map(|c| {
                let closed = c.closed_ms.filter(|at| *at > since)?;
                Some(closed.saturating_sub(c.answered_ms?))
            })
            .collect();
        let capacity = desk
            .agents()
            .filter(|a| a.online && a.available)
            .map(|a| u64::from(a.capacity))
            .sum();
        Self::Full {
            chat_ms: mean(&lengths),
            capacity,
        }
    }

    /// The wait to expect at `position`, in ms.
    pub fn at(self, position: u32) -> Option<u64> {
        match self {
            Self::Room(asa) => asa,
            Self::Full { capacity: 0, .. } => None,
            Self::Full { chat_ms, capacity } => Some(chat_ms? * u64::from(position) / capacity),
        }
    }
}

/// How the sessions on the floor bought, in one group (assisted or not).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Sessions in the group.
    pub sessions: u32,
    /// Of those, with an order.
    pub orders: u32,
    /// The orders' totals, per currency (ISO code, minor units).
    pub order_value: Vec<(String, u64)>,
    /// How many orders, per currency (ISO code, count).
    pub orders_in: Vec<(String, u64)>,
}

impl Outcome {
    /// Sessions with an order, in percent.
    pub fn conversion_percent(&self) -> Option<u8> {
        percent(self.orders, self.sessions)
    }

    /// Average value of the orders in `currency`, in its minor units:
    /// orders in other currencies are not in it.
    pub fn average_order_minor(&self, currency: &str) -> Option<u64> {
        let (_, total) = self.order_value.iter().find(|(c, _)| c == currency)?;
        let (_, count) = self.orders_in.iter().find(|(c, _)| c == currency)?;
        (*count > 0).then(|| total / count)
    }

    /// How many orders are in a currency other than `currency`.
    pub fn orders_not_in(&self, currency: &str) -> u64 {
        self.orders_in
            .iter()
            .filter(|(c, _)| c != currency)
            .map(|(_, n)| n)
            .sum()
    }

    /// The currency most of the value is in, for a screen that shows one.
    pub fn main_currency(&self) -> Option<&str> {
        self.order_value
            .iter()
            .max_by_key(|(_, v)| *v)
            .map(|(c, _)| c.as_str())
    }
}

/// Sessions on `floor` (of `site`, or every site's) that an agent answered
/// in a chat (assisted), and the rest.
pub fn outcomes(floor: &Floor, desk: &Desk, site: Option<&SiteId>) -> (Outcome, Outcome) {
    // A set: looked up once per session on the floor (a list made this
    // quadratic, two seconds a frame at 10,000 chats and shoppers).
    let assisted_sessions: BTreeSet<_> = desk
        .chats()
        .filter(|c| c.answered_ms.is_some())
        .map(|c| &c.session)
        .collect();
    let (mut assisted, mut alone) = (Outcome::default(), Outcome::default());
    for session in floor
        .sessions()
        .filter(|s| super::in_site(s.subjects(), site))
    {
        let group = if assisted_sessions.contains(session.subjects()) {
            &mut assisted
        } else {
            &mut alone
        };
        group.sessions += 1;
        if let Some((_, total)) = &session.order {
            group.orders += 1;
            super::add_value(&mut group.order_value, &session.currency, *total);
            super::add_value(&mut group.orders_in, &session.currency, 1);
        }
    }
    (assisted, alone)
}

fn mean(values: &[u64]) -> Option<u64> {
    let n = u64::try_from(values.len()).ok().filter(|n| *n > 0)?;
    Some(values.iter().sum::<u64>() / n)
}

/// The median and 90th percentile by nearest rank: the smallest value with
/// at least that share of values at or below it.
fn p50_p90(values: &mut [u64]) -> Option<(u64, u64)> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let rank = |p: usize| values[(values.len() * p).div_ceil(100).max(1) - 1];
    Some((rank(50), rank(90)))
}

/// `part` of `whole` in whole percent, rounded half up.
pub(crate) fn percent(part: u32, whole: u32) -> Option<u8> {
    if whole == 0 {
        return None;
    }
    let p = (u64::from(part) * 200 + u64::from(whole)) / (2 * u64::from(whole));
    u8::try_from(p.min(100)).ok()
}
