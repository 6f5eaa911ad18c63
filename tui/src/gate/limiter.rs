//! A cap on connection attempts per client address per minute.
//!
//! Sans-IO: time comes in as an argument, so tests drive it with a fake clock.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// The window the cap applies to.
const WINDOW: Duration = Duration::from_secs(60);

/// Most addresses remembered; past this the oldest-seen are forgotten first,
/// so a flood of addresses cannot grow memory without bound.
const MAX_ADDRESSES: usize = 100_000;

/// Counts attempts per address over the last minute.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    attempts: HashMap<String, VecDeque<Instant>>,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` attempts per address (0 = no cap).
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            attempts: HashMap::new(),
        }
    }

    /// Records an attempt from `address` at `now`; `false` if it is over the cap.
    pub fn allow(&mut self, address: &str, now: Instant) -> bool {
        if self.per_minute == 0 {
            return true;
        }
        if self.attempts.len() >= MAX_ADDRESSES && !self.attempts.contains_key(address) {
            self.forget_idle(now);
            if self.attempts.len() >= MAX_ADDRESSES {
                // Still full of active addresses: drop an arbitrary one rather than grow.
                if let Some(key) = self.attempts.keys().next().cloned() {
                    self.attempts.remove(&key);
                }
            }
        }
        let recent = self.attempts.entry(address.to_owned()).or_default();
        while recent
            .front()
            .is_some_and(|&t| now.duration_since(t) >= WINDOW)
        {
            recent.pop_front();
        }
        if recent.len() >= self.per_minute as usize {
            return false;
        }
        recent.push_back(now);
        true
    }

    /// Forgets addresses with no attempt in the last minute.
    pub fn forget_idle(&mut self, now: Instant) {
        self.attempts.retain(|_, recent| {
            recent
                .back()
                .is_some_and(|&t| now.duration_since(t) < WINDOW)
        });
    }

    /// How many addresses are remembered.
    pub fn tracked(&self) -> usize {
        self.attempts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_each_address_separately_over_a_sliding_minute() {
        let start = Instant::now();
        let mut limiter = RateLimiter::new(3);
        for _ in 0..3 {
            assert!(limiter.allow("10.0.0.1", start));
        }
        assert!(!limiter.allow("10.0.0.1", start + Duration::from_secs(30)));
        assert!(limiter.allow("10.0.0.2", start + Duration::from_secs(30)));
        // A refused attempt does not count: a minute after the first three,
        // three more are allowed, and no fourth.
        for _ in 0..3 {
            assert!(limiter.allow("10.0.0.1", start + Duration::from_secs(60)));
        }
        assert!(!limiter.allow("10.0.0.1", start + Duration::from_secs(61)));
    }

    #[test]
    fn zero_means_no_cap_and_idle_addresses_are_forgotten() {
        let start = Instant::now();
        let mut open = RateLimiter::new(0);
        assert!((0..1000).all(|_| open.allow("a", start)));
        let mut limiter = RateLimiter::new(1);
        limiter.allow("a", start);
        limiter.allow("b", start + Duration::from_secs(59));
        limiter.forget_idle(start + Duration::from_secs(61));
        assert_eq!(limiter.tracked(), 1);
    }
}
