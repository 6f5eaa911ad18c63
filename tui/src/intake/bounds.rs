//! The bounds on what shoppers send the intake: how fast one session, and
//! all the sessions of one address together, may send event batches and
//! chat facts, and how many bytes of each they may store in a day.
//!
//! An address is shared by a crowd (a carrier's NAT, an office, a proxy in
//! front of nats-server), so its bounds must not refuse the shoppers in it:
//! a session that sends no more than a real shopper does (its *quiet*
//! allowance) is never refused for its address, and what it sends does not
//! count against the address. The address's bounds share out only what
//! louder sessions send, so fifty flooding sessions behind one address
//! meet them and the quiet shoppers beside them do not.
//!
//! Rates are `governor`'s keyed limiters (a burst, then a steady rate,
//! GCRA); the daily byte quotas are counted here, as `governor` has no
//! budget over a day. Time comes in as arguments (a `governor` clock and
//! the day number), so tests drive both. The figures behind the defaults
//! are in docs/LIMITS.md.

use std::collections::HashMap;
use std::hash::Hash;
use std::num::NonZeroU32;

use floorwalker_shared::intake::Refusal;
use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use serde::{Deserialize, Serialize};

/// Most sessions (or addresses) whose daily bytes are remembered; past
/// this, half are forgotten at once, so a flood of new sessions cannot
/// grow memory without bound (their quotas start again).
const MAX_TRACKED: usize = 200_000;

/// What one session, or one address, may send of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allowance {
    /// Steady rate, per minute.
    pub per_minute: u32,
    /// How many may come at once, before the steady rate applies.
    pub burst: u32,
    /// Bytes it may store per day (UTC).
    pub bytes_per_day: u64,
}

/// How fast a session may send and still count as a real shopper, whom
/// its address's bounds never refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quiet {
    /// Steady rate, per minute.
    pub per_minute: u32,
    /// How many may come at once.
    pub burst: u32,
}

/// Every bound the intake applies (docs/LIMITS.md gives their figures).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Bounds {
    /// One session's event batches.
    pub session_events: Allowance,
    /// One session's chat facts.
    pub session_facts: Allowance,
    /// A session's event batches that never meet its address's bounds.
    pub quiet_events: Quiet,
    /// A session's chat facts that never meet its address's bounds.
    pub quiet_facts: Quiet,
    /// The event batches of every session of one address.
    pub address_events: Allowance,
    /// The chat facts of every session of one address.
    pub address_facts: Allowance,
}

impl Default for Bounds {
    fn default() -> Self {
        const MIB: u64 = 1 << 20;
        Self {
            // The plugin sends a batch every few seconds while a shopper
            // is busy, at most one a second; after a lost connection it
            // sends what it kept (up to 256 KiB) at once.
            session_events: Allowance {
                per_minute: 60,
                burst: 300,
                bytes_per_day: 16 * MIB,
            },
            // A quick typist sends a line every few seconds, and a page
            // back from a lost connection resends what waited; a long chat
            // (300 lines of 1 KiB) is a third of a day's bytes.
            session_facts: Allowance {
                per_minute: 30,
                burst: 60,
                bytes_per_day: MIB,
            },
            // A busy shopper: a batch every five seconds, a page's first
            // few at once.
            quiet_events: Quiet {
                per_minute: 12,
                burst: 20,
            },
            // A chat at a line every six seconds, a few lines at once.
            quiet_facts: Quiet {
                per_minute: 10,
                burst: 10,
            },
            // A thousand shoppers behind one address, each at a batch
            // every five seconds.
            address_events: Allowance {
                per_minute: 12_000,
                burst: 3_000,
                bytes_per_day: 512 * MIB,
            },
            // Fifty of them chatting at once, at a line every three seconds.
            address_facts: Allowance {
                per_minute: 1_000,
                burst: 300,
                bytes_per_day: 64 * MIB,
            },
        }
    }
}

/// What was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An event batch.
    Events,
    /// A chat fact.
    Facts,
}

type Keyed<C> =
    RateLimiter<String, DefaultKeyedStateStore<String>, C, NoOpMiddleware<<C as Clock>::Instant>>;

fn limiter<C: Clock + Clone>(per_minute: u32, burst: u32, clock: &C) -> Keyed<C> {
    let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    RateLimiter::new(
        Quota::per_minute(per_minute).allow_burst(burst),
        DefaultKeyedStateStore::default(),
        clock.clone(),
    )
}

/// Bytes stored per key on one day.
#[derive(Debug, Default)]
struct DailyBytes<K> {
    day: u64,
    used: HashMap<K, u64>,
}

impl<K: Hash + Eq + Clone> DailyBytes<K> {
    fn fits(&mut self, key: &K, bytes: u64, max: u64, day: u64) -> bool {
        if day != self.day {
            self.day = day;
            self.used.clear();
        }
        self.used.get(key).copied().unwrap_or(0) + bytes <= max
    }

    fn add(&mut self, key: &K, bytes: u64) {
        if self.used.len() >= MAX_TRACKED && !self.used.contains_key(key) {
            forget_half(&mut self.used);
        }
        *self.used.entry(key.clone()).or_default() += bytes;
    }
}

/// Forgets every other entry of `map`, in one pass: how a full table makes
/// room without growing (which half goes does not matter; they start again).
pub(super) fn forget_half<K, V>(map: &mut HashMap<K, V>) {
    let mut keep = false;
    map.retain(|_, _| {
        keep = !keep;
        keep
    });
}

/// One kind's limiters and quotas.
struct Gauge<C: Clock> {
    session_rate: Keyed<C>,
    quiet_rate: Keyed<C>,
    address_rate: Keyed<C>,
    session_bytes: DailyBytes<String>,
    address_bytes: DailyBytes<String>,
    session: Allowance,
    address: Allowance,
}

impl<C: Clock + Clone> Gauge<C> {
    fn new(session: Allowance, quiet: Quiet, address: Allowance, clock: &C) -> Self {
        Self {
            session_rate: limiter(session.per_minute, session.burst, clock),
            quiet_rate: limiter(quiet.per_minute, quiet.burst, clock),
            address_rate: limiter(address.per_minute, address.burst, clock),
            session_bytes: DailyBytes::default(),
            address_bytes: DailyBytes::default(),
            session,
            address,
        }
    }
}

/// The bounds, applied: what every session and address has sent.
pub struct Limits<C: Clock> {
    events: Gauge<C>,
    facts: Gauge<C>,
}

impl<C: Clock + Clone> Limits<C> {
    /// Applies `bounds`, reading time from `clock`.
    pub fn new(bounds: &Bounds, clock: &C) -> Self {
        Self {
            events: Gauge::new(
                bounds.session_events,
                bounds.quiet_events,
                bounds.address_events,
                clock,
            ),
            facts: Gauge::new(
                bounds.session_facts,
                bounds.quiet_facts,
                bounds.address_facts,
                clock,
            ),
        }
    }

    /// Whether `session` (from `address`, where known) may store `bytes`
    /// more of `kind` on `day`; if so, they are counted as stored.
    ///
    /// # Errors
    /// The bound it would break, the session's before the address's, the
    /// rates before the day's bytes; a quiet session never meets its
    /// address's.
    pub fn admit(
        &mut self,
        kind: Kind,
        session: &str,
        address: Option<&str>,
        bytes: usize,
        day: u64,
    ) -> Result<(), Refusal> {
        let gauge = match kind {
            Kind::Events => &mut self.events,
            Kind::Facts => &mut self.facts,
        };
        let bytes = bytes as u64;
        let session = session.to_owned();
        let address = address.map(ToOwned::to_owned);
        if gauge.session_rate.check_key(&session).is_err() {
            return Err(Refusal::SessionRate);
        }
        // The address's bounds are for louder sessions only.
        let address = address.filter(|_| gauge.quiet_rate.check_key(&session).is_err());
        if let Some(address) = &address
            && gauge.address_rate.check_key(address).is_err()
        {
            return Err(Refusal::AddressRate);
        }
        if !gauge
            .session_bytes
            .fits(&session, bytes, gauge.session.bytes_per_day, day)
        {
            return Err(Refusal::SessionQuota);
        }
        if let Some(address) = &address
            && !gauge
                .address_bytes
                .fits(address, bytes, gauge.address.bytes_per_day, day)
        {
            return Err(Refusal::AddressQuota);
        }
        gauge.session_bytes.add(&session, bytes);
        if let Some(address) = &address {
            gauge.address_bytes.add(address, bytes);
        }
        Ok(())
    }

    /// Forgets sessions and addresses whose rate is back to a full burst:
    /// called now and then, it keeps memory to the active ones.
    pub fn forget_idle(&mut self) {
        for gauge in [&mut self.events, &mut self.facts] {
            for rate in [&gauge.session_rate, &gauge.quiet_rate, &gauge.address_rate] {
                rate.retain_recent();
                rate.shrink_to_fit();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use governor::clock::FakeRelativeClock;

    use super::*;

    fn bounds() -> Bounds {
        let allowance = |per_minute, burst, bytes_per_day| Allowance {
            per_minute,
            burst,
            bytes_per_day,
        };
        // Quiet: one at a time; so in these tests every session past its
        // first message meets its address's bounds.
        let quiet = Quiet {
            per_minute: 1,
            burst: 1,
        };
        Bounds {
            session_events: allowance(60, 3, 1_000),
            session_facts: allowance(60, 2, 100),
            quiet_events: quiet,
            quiet_facts: quiet,
            address_events: allowance(60, 5, 10_000),
            address_facts: allowance(60, 10, 1_000),
        }
    }

    #[test]
    fn a_session_gets_its_burst_then_its_rate_and_others_are_unaffected() {
        let clock = FakeRelativeClock::default();
        let mut limits = Limits::new(&bounds(), &clock);
        let ok = |l: &mut Limits<_>, s: &str, a: &str| l.admit(Kind::Events, s, Some(a), 10, 0);
        for _ in 0..3 {
            assert_eq!(ok(&mut limits, "s1", "a1"), Ok(()));
        }
        assert_eq!(ok(&mut limits, "s1", "a1"), Err(Refusal::SessionRate));
        // Another session of the same address still gets in...
        assert_eq!(ok(&mut limits, "s2", "a1"), Ok(()));
        // ...and, a second later (60 a minute), the first one again.
        clock.advance(Duration::from_secs(1));
        assert_eq!(ok(&mut limits, "s1", "a1"), Ok(()));
        // Facts are counted apart from events.
        assert_eq!(limits.admit(Kind::Facts, "s1", Some("a1"), 10, 0), Ok(()));
    }

    #[test]
    fn many_loud_sessions_of_one_address_meet_its_bound_and_quiet_ones_and_other_addresses_do_not()
    {
        let clock = FakeRelativeClock::default();
        let mut limits = Limits::new(&bounds(), &clock);
        // Eight sessions, each sending three: the first of each is quiet;
        // the next sixteen share the address's five.
        let results: Vec<_> = (0..3)
            .flat_map(|_| (0..8).map(|i| format!("s{i}")).collect::<Vec<_>>())
            .map(|s| limits.admit(Kind::Events, &s, Some("nat"), 10, 0))
            .collect();
        assert!(results[..8].iter().all(Result::is_ok), "{results:?}");
        assert_eq!(results[8..].iter().filter(|r| r.is_ok()).count(), 5);
        assert_eq!(results[23], Err(Refusal::AddressRate));
        // A quiet session of that address still gets in.
        assert_eq!(
            limits.admit(Kind::Events, "new", Some("nat"), 10, 0),
            Ok(())
        );
        assert_eq!(
            limits.admit(Kind::Events, "s9", Some("home"), 10, 0),
            Ok(())
        );
        // Without a known address only the session's bound applies.
        assert_eq!(limits.admit(Kind::Events, "s10", None, 10, 0), Ok(()));
    }

    #[test]
    fn daily_bytes_run_out_and_come_back_the_next_day() {
        let clock = FakeRelativeClock::default();
        let mut limits = Limits::new(&bounds(), &clock);
        assert_eq!(limits.admit(Kind::Facts, "s1", Some("a"), 60, 7), Ok(()));
        clock.advance(Duration::from_secs(5));
        assert_eq!(
            limits.admit(Kind::Facts, "s1", Some("a"), 60, 7),
            Err(Refusal::SessionQuota)
        );
        // What was refused was not counted: 40 bytes still fit today.
        assert_eq!(limits.admit(Kind::Facts, "s1", Some("a"), 40, 7), Ok(()));
        clock.advance(Duration::from_secs(5));
        assert_eq!(limits.admit(Kind::Facts, "s1", Some("a"), 60, 8), Ok(()));
    }

    #[test]
    fn a_full_table_forgets_half_in_one_pass() {
        let mut map: HashMap<u32, u64> = (0..10_001).map(|k| (k, 1)).collect();
        forget_half(&mut map);
        assert_eq!(map.len(), 5_001);
    }

    #[test]
    fn the_defaults_read_back_from_toml_and_a_file_may_change_one_bound() {
        let text = "[session_facts]\nper_minute = 10\nburst = 5\nbytes_per_day = 2048\n";
        let bounds: Bounds = toml::from_str(text).unwrap();
        assert_eq!(bounds.session_facts.burst, 5);
        assert_eq!(bounds.session_events, Bounds::default().session_events);
        assert!(toml::from_str::<Bounds>("[session_fact]\nburst = 1").is_err());
    }
}
