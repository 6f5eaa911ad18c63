//! How many agents the chats need: queueing models of the chat queue, pure
//! and without IO, for the staffing advice beside the queue (issue 18).
//!
//! - [`erlang_c`]: M/M/n, shoppers wait for ever. It overstates what a
//!   queue needs when shoppers give up, which chat shoppers do.
//! - [`erlang_a`]: M/M/n+M (Palm's model, as Mandelbaum and Zeltyn give
//!   it), shoppers who have waited an exponential time with the measured
//!   mean patience leave the queue.
//!
//! Agents who hold several chats at once are counted as that many servers
//! (N agents of concurrency K are N·K servers), with the handle time of a
//! chat as measured while agents hold several: the slowdown of a busy agent
//! is then in the figure already. A state-dependent model (an agent slower
//! per chat the more it holds) would need that slowdown as an input no
//! deployment measures, so it is not used.
//!
//! Every figure comes from the birth-death chain's stationary
//! probabilities, computed as ratios to the probability that exactly `n`
//! are in the system, one term from the next: no factorials, no powers, no
//! overflow at hundreds of servers; terms past the last that matters
//! underflow to zero and are left out. Hand-written: the well-kept crates
//! for this (`erlang`, `queueing`) are neither.
//!
//! [`measure`] gives the models their input: the load measured from the
//! help desk over the last 15 and 60 minutes, and the [`Advice`] every
//! screen shows (agents needed, agents on duty, and what each staffing
//! level around them would give).

use alloc::vec::Vec;

pub mod measure;

pub use measure::{Advice, Measured, Staffed};

/// What reaches the queue, in minutes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Load {
    /// Chats asked for per minute.
    pub arrivals_per_min: f64,
    /// Mean handle time of a chat, in minutes.
    pub handle_min: f64,
    /// Mean patience of a shopper in the queue, in minutes (none: they
    /// never give up, and Erlang A is Erlang C).
    pub patience_min: Option<f64>,
}

/// What a number of servers would give.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// The share of chats that wait at all.
    pub wait: f64,
    /// The share of chats whose shopper gives up waiting.
    pub abandon: f64,
    /// The share of chats answered within the target.
    pub service_level: f64,
}

/// The target: `share` of chats answered within `within_secs`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// The share, 0 to 1 (0.8).
    pub share: f64,
    /// Seconds (30).
    pub within_secs: f64,
}

impl Default for Target {
    /// 80% within 30 s.
    fn default() -> Self {
        Self {
            share: 0.8,
            within_secs: 30.0,
        }
    }
}

/// Erlang C with `servers` servers: wait for ever, nobody leaves. With the
/// load at or above the servers, every chat waits and none is answered in
/// time.
pub fn erlang_c(load: &Load, servers: u32, within_secs: f64) -> Outcome {
    let (lambda, mu) = (load.arrivals_per_min, 1.0 / load.handle_min);
    if lambda <= 0.0 {
        return Outcome::idle();
    }
    let offered = lambda / mu;
    let n = f64::from(servers);
    if servers == 0 || offered >= n {
        return Outcome {
            wait: 1.0,
            abandon: 0.0,
            service_level: 0.0,
        };
    }
    // Erlang B by its recurrence, then C from B.
    let mut blocking = 1.0;
    for k in 1..=servers {
        blocking = offered * blocking / (f64::from(k) + offered * blocking);
    }
    let wait = n * blocking / (n - offered * (1.0 - blocking));
    let service_level = 1.0 - wait * libm::exp(-(n * mu - lambda) * within_secs / 60.0);
    Outcome {
        wait,
        abandon: 0.0,
        service_level,
    }
}

/// Erlang A with `servers` servers: a shopper leaves the queue after an
/// exponential patience. Without a patience, Erlang C. The service level
/// is the share of all chats answered within the target (those who gave up
/// first are not).
pub fn erlang_a(load: &Load, servers: u32, within_secs: f64) -> Outcome {
    let Some(patience) = load.patience_min.filter(|p| *p > 0.0) else {
        return erlang_c(load, servers, within_secs);
    };
    let (lambda, mu, theta) = (load.arrivals_per_min, 1.0 / load.handle_min, 1.0 / patience);
    if lambda <= 0.0 {
        return Outcome::idle();
    }
    let n = f64::from(servers);
    // Relative to P(n in the system): below n, P(j-1) = P(j)·jμ/λ; above,
    // P(j+1) = P(j)·λ/(nμ + (j+1-n)θ).
    // Far below n the terms can outgrow f64 (n!·(μ/λ)^n); all are
    // rescaled, P(n) with them, whenever they near its limit.
    let (mut below, mut at_n) = (0.0, 1.0_f64);
    let mut term = 1.0;
    for j in (1..=servers).rev() {
        term *= f64::from(j) * mu / lambda;
        below += term;
        if term > 1e250 {
            (below, term, at_n) = (below * 1e-250, term * 1e-250, at_n * 1e-250);
        }
    }
    // queue[k]: relative P(n + k in the system), k waiting.
    let mut queue = Vec::from([at_n]);
    let mut term = at_n;
    let mut k = 0.0;
    while term > 0.0 && queue.len() < 100_000 {
        k += 1.0;
        term *= lambda / (n * mu + k * theta);
        if term < 1e-16 * queue.iter().sum::<f64>() {
            break;
        }
        queue.push(term);
    }
    let total = below + queue.iter().sum::<f64>();
    let wait = queue.iter().sum::<f64>() / total;
    let abandoning: f64 = queue
        .iter()
        .enumerate()
        .map(|(k, p)| p * count(k) * theta)
        .sum();
    let abandon = abandoning / total / lambda;
    // By PASTA a chat arrives to k waiting with probability queue[k]/total.
    let arriving: Vec<f64> = queue.iter().map(|p| p / total).collect();
    let answered_in_time = answered_within(arriving, n * mu, theta, within_secs / 60.0);
    Outcome {
        wait,
        abandon,
        service_level: below / total + answered_in_time,
    }
}

/// An index as a count.
fn count(k: usize) -> f64 {
    f64::from(u32::try_from(k).unwrap_or(u32::MAX))
}

/// The chance that a chat arriving to the queue (`arriving[k]`: with `k`
/// waiting ahead of it) is answered within `t` minutes: it moves up when a
/// server frees (`served_rate`) or one ahead gives up (`theta` each), and
/// gives up itself at `theta`. By uniformization: the chain's jumps are a
/// Poisson process of its largest rate, each jump a step of the embedded
/// chain, and the whole distribution moves at once.
fn answered_within(mut p: Vec<f64>, served_rate: f64, theta: f64, t: f64) -> f64 {
    let Some(longest) = p.len().checked_sub(1) else {
        return 0.0;
    };
    let rate = served_rate + count(longest) * theta + theta;
    let jumps = rate * t;
    let mut answered = 0.0;
    let mut poisson = libm::exp(-jumps);
    let (mut result, mut seen) = (0.0, 0.0);
    let mut m = 0.0;
    let mut next = alloc::vec![0.0; p.len()];
    loop {
        result += poisson * answered;
        seen += poisson;
        if (seen > 1.0 - 1e-12 && m > jumps) || m > jumps + 200.0 + 20.0 * libm::sqrt(jumps) {
            break;
        }
        next.fill(0.0);
        for (i, share) in p.iter().enumerate().filter(|(_, s)| **s > 0.0) {
            let forward = served_rate + count(i) * theta;
            if i > 0 {
                next[i - 1] += share * forward / rate;
            } else {
                answered += share * served_rate / rate;
            }
            let leaving = if i > 0 { forward } else { served_rate } + theta;
            next[i] += share * (1.0 - leaving / rate);
        }
        core::mem::swap(&mut p, &mut next);
        m += 1.0;
        poisson *= jumps / m;
    }
    result
}

impl Outcome {
    /// A share (0 to 1) in whole percent, rounded half up, for screens.
    pub fn percent(share: f64) -> u8 {
        let p = libm::floor(share.clamp(0.0, 1.0) * 100.0 + 0.5);
        // 0 to 100 after the clamp.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let p = p as u8;
        p
    }

    /// No chats: nobody waits.
    const fn idle() -> Self {
        Self {
            wait: 0.0,
            abandon: 0.0,
            service_level: 1.0,
        }
    }
}

/// The fewest servers (up to `max`) whose Erlang A service level meets
/// `target`; none if even `max` do not.
pub fn servers_needed(load: &Load, target: &Target, max: u32) -> Option<u32> {
    let meets = |n: u32| erlang_a(load, n, target.within_secs).service_level >= target.share;
    // More servers never answer fewer in time: the first that meets it by
    // bisection.
    if !meets(max) {
        return None;
    }
    let (mut low, mut high) = (0, max);
    while low < high {
        let mid = low + (high - low) / 2;
        if meets(mid) {
            high = mid;
        } else {
            low = mid + 1;
        }
    }
    Some(low)
}

/// The fewest agents of `concurrency` chats each (up to `max_agents`) that
/// meet `target`, counting each as `concurrency` servers.
pub fn agents_needed(
    load: &Load,
    concurrency: u32,
    target: &Target,
    max_agents: u32,
) -> Option<u32> {
    let per_agent = concurrency.max(1);
    let servers = servers_needed(load, target, max_agents.saturating_mul(per_agent))?;
    Some(servers.div_ceil(per_agent))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64, within: f64) -> bool {
        (got - want).abs() <= within
    }

    /// The hand-checked case: 2 chats a minute, 5 minutes each, 11
    /// agents of one chat, mean patience 2 minutes, a 20 s target.
    const LOAD: Load = Load {
        arrivals_per_min: 2.0,
        handle_min: 5.0,
        patience_min: Some(2.0),
    };

    #[test]
    fn erlang_a_and_c_give_the_hand_checked_figures() {
        let a = erlang_a(&LOAD, 11, 20.0);
        assert!(close(a.wait, 0.341, 0.0005), "{a:?}");
        assert!(close(a.abandon, 0.107, 0.0005), "{a:?}");
        let c = erlang_c(&LOAD, 11, 20.0);
        assert!(close(c.wait, 0.682, 0.0005), "{c:?}");
        assert!(close(c.service_level, 0.362, 0.0005), "{c:?}");
        // Shoppers who give up shorten the queue: more are answered in time.
        assert!(a.service_level > c.service_level, "{a:?} {c:?}");
        assert!(close(a.service_level, 0.7416, 0.0005), "{a:?}");
    }

    #[test]
    fn the_limits() {
        // No chats: nobody waits.
        let quiet = Load {
            arrivals_per_min: 0.0,
            ..LOAD
        };
        assert!(close(erlang_a(&quiet, 3, 30.0).wait, 0.0, 0.0));
        assert_eq!(servers_needed(&quiet, &Target::default(), 10), Some(0));
        // One agent, one chat at a time: M/M/1, waiting probability = load.
        let light = Load {
            arrivals_per_min: 0.1,
            handle_min: 5.0,
            patience_min: None,
        };
        assert!(close(erlang_c(&light, 1, 30.0).wait, 0.5, 1e-12));
        // Load above capacity: Erlang C never answers in time; Erlang A
        // stays finite, with most shoppers giving up.
        let flood = Load {
            arrivals_per_min: 10.0,
            ..LOAD
        };
        let c = erlang_c(&flood, 11, 20.0);
        assert!(close(c.wait, 1.0, 0.0) && close(c.service_level, 0.0, 0.0));
        let a = erlang_a(&flood, 11, 20.0);
        assert!(a.wait > 0.99 && a.abandon > 0.7 && a.abandon < 1.0, "{a:?}");
        // Hundreds of servers: no overflow, no NaN.
        let big = Load {
            arrivals_per_min: 200.0,
            handle_min: 5.0,
            patience_min: Some(2.0),
        };
        let at_600 = erlang_a(&big, 600, 30.0);
        assert!(at_600.wait.is_finite() && at_600.service_level.is_finite());
        // Far more servers than load: n!·(μ/λ)^n would overflow.
        let spare = erlang_a(&LOAD, 900, 20.0);
        assert!(
            close(spare.service_level, 1.0, 1e-9) && spare.wait < 1e-9,
            "{spare:?}"
        );
        // 1,000 Erlangs offered; shoppers who give up make fewer servers
        // meet the target, and the next fewer do not.
        let target = Target::default();
        let needed = servers_needed(&big, &target, 2_000).unwrap();
        assert!((800..1_000).contains(&needed), "{needed}");
        assert!(erlang_a(&big, needed - 1, 30.0).service_level < target.share);
    }

    #[test]
    fn agents_holding_several_chats_count_as_that_many_servers() {
        let target = Target {
            share: 0.8,
            within_secs: 20.0,
        };
        let servers = servers_needed(&LOAD, &target, 100).unwrap();
        let agents = agents_needed(&LOAD, 3, &target, 100).unwrap();
        assert_eq!(agents, servers.div_ceil(3));
        // More servers never answer fewer in time.
        let levels: Vec<f64> = (8..20)
            .map(|n| erlang_a(&LOAD, n, 20.0).service_level)
            .collect();
        assert!(
            levels.windows(2).all(|w| w[1] >= w[0] - 1e-12),
            "{levels:?}"
        );
    }
}
