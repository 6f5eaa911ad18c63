//! What screens show of a visitor's memory beside one of their sessions:
//! "3rd visit · last 2 days ago via newsletter · 1 order €89 · earlier
//! chat: answered No".

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::{DAY_MS, Memory};
use crate::money::money;

/// An earlier chat, as recalled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EarlierChat {
    /// When the shopper asked.
    pub at_ms: u64,
    /// The survey's answer.
    pub helped: Option<bool>,
    /// Whether an incident was opened about it.
    pub incident: bool,
}

/// A visitor's memory as it stands beside one session: what came before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recall {
    /// This visit's number, from 1.
    pub visit_number: u32,
    /// The visit before: when it was last heard of, and how they came.
    pub last_visit: Option<(u64, String)>,
    /// Orders placed in earlier visits.
    pub orders: u32,
    /// Their total in the currency most of it is in, with that currency.
    pub order_total: Option<(u64, String)>,
    /// When the last of them was placed (as far as kept).
    pub last_order_ms: Option<u64>,
    /// The latest chat of an earlier visit.
    pub earlier_chat: Option<EarlierChat>,
}

impl Recall {
    /// What `memory` says before the session `session`, first heard at
    /// `started_ms` (a session the memory does not have yet is taken as
    /// the newest).
    pub fn of(memory: &Memory, session: &str, started_ms: u64) -> Self {
        let started = memory
            .visits
            .iter()
            .find(|v| v.session == session)
            .map_or(started_ms, |v| v.started_ms);
        let before: Vec<_> = memory
            .visits
            .iter()
            .filter(|v| v.session != session && v.started_ms < started)
            .collect();
        let earlier = u32::try_from(before.len()).unwrap_or(u32::MAX);
        let mut totals: Vec<(String, u64)> = Vec::new();
        for order in before.iter().filter_map(|v| v.order.as_ref()) {
            match totals.iter_mut().find(|(c, _)| *c == order.currency) {
                Some((_, total)) => *total = total.saturating_add(order.total_minor),
                None => totals.push((order.currency.clone(), order.total_minor)),
            }
        }
        let order_total = totals
            .into_iter()
            .max_by_key(|(_, total)| *total)
            .map(|(currency, total)| (total, currency));
        let orders = memory.earlier.orders.saturating_add(
            u32::try_from(before.iter().filter(|v| v.order.is_some()).count()).unwrap_or(0),
        );
        let last_order_ms = before
            .iter()
            .filter(|v| v.order.is_some())
            .map(|v| v.last_ms)
            .max();
        let earlier_chat = memory
            .chats
            .iter()
            .filter(|c| c.session != session && c.at_ms < started)
            .max_by_key(|c| c.at_ms)
            .map(|c| EarlierChat {
                at_ms: c.at_ms,
                helped: c.helped,
                incident: c.incident,
            });
        Self {
            visit_number: memory
                .earlier
                .visits
                .saturating_add(earlier)
                .saturating_add(1),
            last_visit: before.last().map(|v| (v.last_ms, v.source.clone())),
            orders,
            order_total,
            last_order_ms,
            earlier_chat,
        }
    }

    /// Whether this is a returning visitor.
    pub fn returning(&self) -> bool {
        self.visit_number > 1
    }

    /// One line: "3rd visit · last 2 days ago via newsletter · 1 order €89 ·
    /// earlier chat: answered No". Source text is the shopper's: sanitize
    /// it for a terminal before showing.
    pub fn line(&self, now_ms: u64) -> String {
        let mut parts = Vec::new();
        parts.push(format!("{} visit", ordinal(self.visit_number)));
        if let Some((at, source)) = &self.last_visit {
            parts.push(format!(
                "last {} via {source}",
                ago(now_ms.saturating_sub(*at))
            ));
        }
        if self.orders > 0 {
            let noun = if self.orders == 1 { "order" } else { "orders" };
            match &self.order_total {
                Some((total, currency)) => {
                    parts.push(format!(
                        "{} {noun} {}",
                        self.orders,
                        money(*total, currency)
                    ));
                }
                None => parts.push(format!("{} {noun}", self.orders)),
            }
        }
        if let Some(chat) = self.earlier_chat {
            let answer = match chat.helped {
                Some(true) => "answered Yes",
                Some(false) => "answered No",
                None => "no answer",
            };
            let incident = if chat.incident { ", incident" } else { "" };
            parts.push(format!("earlier chat: {answer}{incident}"));
        }
        parts.join(" · ")
    }
}

/// `n` as an ordinal: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st.
pub fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// How long ago, in words a supervisor reads at a glance.
pub fn ago(ms: u64) -> String {
    let minutes = ms / 60_000;
    match (ms / DAY_MS, minutes / 60) {
        (0, 0) if minutes == 0 => "just now".into(),
        (0, 0) => format!("{minutes} min ago"),
        (0, hours) => format!("{hours} h ago"),
        (1, _) => "1 day ago".into(),
        (days, _) => format!("{days} days ago"),
    }
}
