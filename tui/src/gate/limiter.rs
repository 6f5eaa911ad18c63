//! The gate's bounds on connection attempts: one per shopper session, and
//! one per client address that only a flood reaches (docs/LIMITS.md says
//! why these two and how their defaults were set).
//!
//! Each bound is a keyed GCRA from the `governor` crate: per key, a bucket
//! of N attempts refilled at N a minute (one every 60/N s); an attempt
//! over it is refused and takes nothing from the bucket. Time comes in as
//! an argument, as everywhere in the gate's decisions: it drives governor's
//! `FakeRelativeClock`, so the service passes `Instant::now()` and tests
//! pass whatever minute they like.
//!
//! Memory stays bounded under a flood of distinct addresses or sessions: a
//! key whose bucket has refilled is no different from one never seen, and
//! a sweep every [`SWEEP_EVERY`] forgets it (governor keeps a key one
//! interval past its refill: at most a minute and two seconds after its
//! last attempt at 30 a minute, 40 ms after one attempt at 3,000 a
//! minute). Past [`MAX_KEYS`] live keys, many more than
//! the gate can admit in a minute, every attempt is refused until a sweep
//! makes room, rather than the tables growing.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use governor::clock::{Clock, FakeRelativeClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};
use ipnet::{IpNet, Ipv6Net};
use serde::Serialize;

/// Most keys one bound remembers at once (about 100 bytes each).
pub const MAX_KEYS: usize = 100_000;

/// How often keys whose bucket has refilled are forgotten.
pub const SWEEP_EVERY: Duration = Duration::from_secs(10);

/// A full table is swept at most this often, so a flood that keeps it full
/// does not make every attempt pay for a sweep.
const FULL_SWEEP_EVERY: Duration = Duration::from_secs(1);

/// What a bound says about one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Within the bound: counted.
    Allowed,
    /// Over the bound for this key.
    Over,
    /// The bound's table is full of live keys.
    Full,
}

type Limiter<K> = RateLimiter<
    K,
    HashMapStateStore<K>,
    FakeRelativeClock,
    NoOpMiddleware<<FakeRelativeClock as Clock>::Instant>,
>;

/// A bucket of `per_minute` attempts per key, refilled at `per_minute` a
/// minute.
#[derive(Debug)]
pub struct KeyedBound<K: Hash + Eq + Clone> {
    /// `None` when the bound is off (0 per minute).
    limiter: Option<Limiter<K>>,
    /// The limiter's clock, advanced to each `now` the caller passes.
    clock: FakeRelativeClock,
    /// The latest `now` seen; the clock never goes back.
    clock_at: Option<Instant>,
    last_sweep: Option<Instant>,
    max_keys: usize,
}

impl<K: Hash + Eq + Clone> KeyedBound<K> {
    /// A bound of `per_minute` attempts per key (0 = none), remembering at
    /// most `max_keys` keys.
    pub fn per_minute(per_minute: u32, max_keys: usize) -> Self {
        let clock = FakeRelativeClock::default();
        let limiter = NonZeroU32::new(per_minute)
            .map(|n| RateLimiter::hashmap_with_clock(Quota::per_minute(n), clock.clone()));
        Self {
            limiter,
            clock,
            clock_at: None,
            last_sweep: None,
            max_keys,
        }
    }

    /// Counts an attempt for `key` at `now`, if the bound allows it.
    pub fn check(&mut self, key: &K, now: Instant) -> Verdict {
        self.advance(now);
        let Some(limiter) = &self.limiter else {
            return Verdict::Allowed;
        };
        let since_sweep = self
            .last_sweep
            .map_or(Duration::MAX, |at| now.saturating_duration_since(at));
        let full = limiter.len() >= self.max_keys;
        if since_sweep >= SWEEP_EVERY || (full && since_sweep >= FULL_SWEEP_EVERY) {
            limiter.retain_recent();
            limiter.shrink_to_fit();
            self.last_sweep = Some(now);
        }
        if limiter.len() >= self.max_keys {
            return Verdict::Full;
        }
        match limiter.check_key(key) {
            Ok(()) => Verdict::Allowed,
            Err(_) => Verdict::Over,
        }
    }

    /// How many keys are remembered now.
    pub fn tracked(&self) -> usize {
        self.limiter.as_ref().map_or(0, RateLimiter::len)
    }

    fn advance(&mut self, now: Instant) {
        match self.clock_at {
            Some(at) if now > at => {
                self.clock.advance(now - at);
                self.clock_at = Some(now);
            }
            Some(_) => {}
            None => self.clock_at = Some(now),
        }
    }
}

/// How many addresses and sessions the bounds remember now (in the gate's
/// status as `tracked`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tracked {
    /// Client addresses (an IPv6 address counts as its /64).
    pub addresses: u64,
    /// Shopper sessions.
    pub sessions: u64,
}

/// The gate's two bounds on connection attempts, and the proxies whose
/// word on a shopper's address it takes (`gate::proxy`).
#[derive(Debug)]
pub struct Bounds {
    address: KeyedBound<String>,
    session: KeyedBound<String>,
    /// Reverse proxies, which say each shopper's address.
    proxies: Vec<IpNet>,
}

impl Bounds {
    /// Bounds of `per_address` and `per_session` attempts a minute (0 =
    /// none), trusting `proxies`.
    pub fn new(per_address: u32, per_session: u32, proxies: Vec<IpNet>) -> Self {
        Self {
            address: KeyedBound::per_minute(per_address, MAX_KEYS),
            session: KeyedBound::per_minute(per_session, MAX_KEYS),
            proxies,
        }
    }

    /// Trusts these proxies from now on (a changed `gate.toml`).
    pub fn trust(&mut self, proxies: Vec<IpNet>) {
        self.proxies = proxies;
    }

    /// Whether `host` (as the server reports it) is a trusted proxy's.
    pub fn is_proxy(&self, host: &str) -> bool {
        parse_host(host).is_some_and(|ip| self.proxies.iter().any(|net| net.contains(&ip)))
    }

    /// Counts an attempt from `address`: the client's, as the server or a
    /// trusted proxy says.
    pub fn address(&mut self, address: &str, now: Instant) -> Verdict {
        self.address.check(&address_key(address), now)
    }

    /// Counts an attempt of the session with this token.
    pub fn session(&mut self, token: &str, now: Instant) -> Verdict {
        self.session.check(&token.to_owned(), now)
    }

    /// How many keys each bound remembers.
    pub fn tracked(&self) -> Tracked {
        let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        Tracked {
            addresses: count(self.address.tracked()),
            sessions: count(self.session.tracked()),
        }
    }
}

/// The key an address is counted under: an IPv4 address as it is (an
/// IPv4-mapped IPv6 one too), an IPv6 address by its /64, which is what one
/// subscriber is given (RFC 6177), so one household cannot take 2^64
/// buckets. Text that is no address (the server always sends one) is
/// counted as itself, cut to 64 bytes.
pub fn address_key(host: &str) -> String {
    match parse_host(host) {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            Ipv6Net::new(v6, 64).map_or_else(|_| v6.to_string(), |net| net.trunc().to_string())
        }
        None => {
            let mut end = host.len().min(64);
            while !host.is_char_boundary(end) {
                end -= 1;
            }
            host[..end].to_owned()
        }
    }
}

/// The address in `host`, an IPv4-mapped IPv6 address as IPv4.
fn parse_host(host: &str) -> Option<IpAddr> {
    let ip: IpAddr = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()?;
    Some(match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 @ IpAddr::V4(_) => v4,
    })
}

/// A trusted proxy as `gate.toml` names it: an address (`10.0.0.5`) or a
/// network (`10.0.0.0/24`, `2001:db8::/48`).
pub fn parse_proxy(text: &str) -> Option<IpNet> {
    text.parse::<IpNet>()
        .ok()
        .or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn a_bucket_of_n_refills_at_n_a_minute_and_refusals_take_nothing() {
        let start = Instant::now();
        let mut bound = KeyedBound::per_minute(30, 10);
        let key = "session".to_owned();
        // Thirty at once (a shopper restoring a window of tabs)...
        for _ in 0..30 {
            assert_eq!(bound.check(&key, start), Verdict::Allowed);
        }
        // ... then one every two seconds.
        assert_eq!(bound.check(&key, start), Verdict::Over);
        assert_eq!(bound.check(&key, start + secs(1.9)), Verdict::Over);
        assert_eq!(bound.check(&key, start + secs(2.0)), Verdict::Allowed);
        assert_eq!(bound.check(&key, start + secs(2.1)), Verdict::Over);
        // A flood of refused attempts does not push the next one back.
        for ms in 0..1000 {
            bound.check(&key, start + secs(2.1) + Duration::from_micros(ms));
        }
        assert_eq!(bound.check(&key, start + secs(4.0)), Verdict::Allowed);
        // Another key has its own bucket.
        assert_eq!(
            bound.check(&"other".to_owned(), start + secs(4.0)),
            Verdict::Allowed
        );
        // A minute's quiet refills it whole.
        let later = start + secs(4.0) + MINUTE;
        for _ in 0..30 {
            assert_eq!(bound.check(&key, later), Verdict::Allowed);
        }
        assert_eq!(bound.check(&key, later), Verdict::Over);
    }

    #[test]
    fn a_steady_pace_within_the_bound_is_never_refused() {
        // A page every 2 s for an hour, at exactly the bound's rate.
        let start = Instant::now();
        let mut bound = KeyedBound::per_minute(30, 10);
        let key = 7u32;
        for page in 0..1800u32 {
            let at = start + secs(2.0 * f64::from(page));
            assert_eq!(bound.check(&key, at), Verdict::Allowed, "page {page}");
        }
    }

    #[test]
    fn zero_means_no_bound() {
        let start = Instant::now();
        let mut open = KeyedBound::per_minute(0, 1);
        assert!((0..10_000u32).all(|i| open.check(&i, start) == Verdict::Allowed));
        assert_eq!(open.tracked(), 0);
    }

    #[test]
    fn refilled_keys_are_forgotten_and_a_full_table_refuses_instead_of_growing() {
        let start = Instant::now();
        let mut bound = KeyedBound::per_minute(60, 100);
        // A flood of distinct keys, one attempt each: the table fills.
        for key in 0..100u32 {
            assert_eq!(bound.check(&key, start), Verdict::Allowed);
        }
        assert_eq!(bound.tracked(), 100);
        assert_eq!(bound.check(&100, start), Verdict::Full);
        assert_eq!(bound.tracked(), 100, "the table grew past its cap");
        // Their buckets refill after a second (one of sixty a minute);
        // governor forgets a key one interval later, and the next sweep
        // makes room.
        let later = start + secs(2.5);
        assert_eq!(bound.check(&100, later), Verdict::Allowed);
        assert_eq!(bound.tracked(), 1);
        // Without a flood, the periodic sweep forgets quiet keys too.
        let mut quiet = KeyedBound::per_minute(60, 100);
        for key in 0..50u32 {
            quiet.check(&key, start);
        }
        quiet.check(&0, start + SWEEP_EVERY);
        assert_eq!(quiet.tracked(), 1);
    }

    #[test]
    fn bounds_count_addresses_and_sessions_apart() {
        let start = Instant::now();
        let mut bounds = Bounds::new(2, 1, Vec::new());
        assert_eq!(bounds.address("198.51.100.7", start), Verdict::Allowed);
        assert_eq!(bounds.session("tok-a", start), Verdict::Allowed);
        assert_eq!(bounds.session("tok-a", start), Verdict::Over);
        assert_eq!(bounds.session("tok-b", start), Verdict::Allowed);
        assert_eq!(
            bounds.address("::ffff:198.51.100.7", start),
            Verdict::Allowed
        );
        assert_eq!(bounds.address("198.51.100.7", start), Verdict::Over);
        assert_eq!(
            bounds.tracked(),
            Tracked {
                addresses: 1,
                sessions: 2
            }
        );
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        let proxies = ["10.0.0.5", "2001:db8:ff::/48"]
            .into_iter()
            .map(|p| parse_proxy(p).unwrap())
            .collect();
        let mut bounds = Bounds::new(1, 1, proxies);
        for host in ["10.0.0.5", "::ffff:10.0.0.5", "2001:db8:ff:1::9"] {
            assert!(bounds.is_proxy(host), "{host}");
        }
        for host in ["10.0.0.6", "2001:db8:fe::1", "not an address"] {
            assert!(!bounds.is_proxy(host), "{host}");
        }
        bounds.trust(Vec::new());
        assert!(!bounds.is_proxy("10.0.0.5"));
        assert_eq!(parse_proxy("10.0.0.0/8").map(|n| n.prefix_len()), Some(8));
        assert!(parse_proxy("proxy.internal").is_none());
        assert!(parse_proxy("10.0.0.0/33").is_none());
    }

    #[test]
    fn an_ipv6_address_counts_as_its_slash_64() {
        assert_eq!(address_key("192.0.2.1"), "192.0.2.1");
        assert_eq!(address_key("::ffff:192.0.2.1"), "192.0.2.1");
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            address_key("[2001:db8:1:2:ffff:ffff:ffff:ffff]"),
            "2001:db8:1:2::/64"
        );
        assert_ne!(address_key("2001:db8:1:3::1"), "2001:db8:1:2::/64");
        assert_eq!(address_key("not an address"), "not an address");
        assert_eq!(address_key(&"é".repeat(40)).len(), 64);
    }
}
