use alloc::borrow::ToOwned;
use alloc::vec::Vec;

use pretty_assertions::assert_eq;

use super::*;
use crate::chat::{ChatFact, DeskFact};
use crate::desk::{DeskConfig, Fact};
use crate::staffing::erlang_c;
use crate::testing::{MINUTE, SEC, T0, available, claim, request, session_on};

/// Minute `m` of the test's clock; now is minute 120, so the hour is
/// (60, 120] and the last 15 minutes (105, 120].
fn at(m: f64) -> u64 {
    // Whole seconds: the scripts below use minutes and half minutes.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let secs = (m * 60.0) as u64;
    T0 + secs * SEC
}

const NOW: u64 = T0 + 120 * MINUTE;

/// A desk driven by hand.
struct Script(Desk);

impl Script {
    fn new() -> Self {
        Self(Desk::new(DeskConfig::default()))
    }

    fn shopper(&mut self, n: u32, m: f64, fact: ChatFact) {
        self.shopper_on("shoes", n, m, fact);
    }

    fn shopper_on(&mut self, site: &str, n: u32, m: f64, fact: ChatFact) {
        let folded = self
            .0
            .fold(&Fact::Shopper(session_on(site, n), fact), at(m));
        assert_eq!(folded, Ok(true));
    }

    fn op(&mut self, user: &str, m: f64, fact: DeskFact) {
        let folded = self.0.fold(&Fact::Operator(user.to_owned(), fact), at(m));
        assert_eq!(folded, Ok(true), "{user} at {m}");
    }

    fn ask(&mut self, n: u32, chat: &str, m: f64) {
        self.shopper(n, m, request(chat));
    }

    fn leave(&mut self, n: u32, chat: &str, m: f64) {
        let fact = ChatFact::Leave {
            chat_id: chat.to_owned(),
        };
        self.shopper(n, m, fact);
    }

    fn claim(&mut self, agent: &str, chat: &str, m: f64) {
        self.op(agent, m, claim(chat));
    }

    fn end(&mut self, agent: &str, chat: &str, m: f64) {
        let fact = DeskFact::End {
            chat_id: chat.to_owned(),
        };
        self.op(agent, m, fact);
    }
}

/// The hour worked out by hand, every kind of chat in it (times in
/// minutes, now 120):
///
/// | chat | asked | answered | closed | in the queue, within the hour |
/// | --- | --- | --- | --- | --- |
/// | c0 | 30 | 31 | 40 ended | — (all before the hour) |
/// | c1 | 50 | 70 | 80 ended (10 min) | 60–70: 10 |
/// | c2 | 90 | 91 | 106 ended (15 min) | 1 |
/// | c3 | 100 | — | 104 gave up | 4 |
/// | c4 | 110 | 112 | active | 2 |
/// | c5 | 115 | — | waiting | 5 |
/// | c6 | 118 | — | 119 gave up | 1 |
/// | c7 | 100 | 101 | back in the queue at 117 (dee lost) | 1 + 3 |
///
/// The hour: 6 asked (c2–c7), 2 ended, mean handle 12.5 min, 2 gave up
/// after 27 min in the queue in all: patience 13.5 min. The last 15
/// minutes: 3 asked (c4, c5, c6), 1 ended (c2, 15 min), 1 gave up (c6),
/// 2 + 5 + 1 + 3 = 11 min in the queue.
fn busy_hour() -> Script {
    let mut s = Script::new();
    s.op("ana", 0.0, available(2));
    s.op("ben", 0.0, available(3));
    s.op("cy", 0.0, available(4));
    s.op(
        "cy",
        1.0,
        DeskFact::Status {
            available: false,
            capacity: 4,
        },
    );
    s.op("dee", 0.0, available(1));
    s.ask(0, "c0", 30.0);
    s.claim("ana", "c0", 31.0);
    s.end("ana", "c0", 40.0);
    s.ask(1, "c1", 50.0);
    s.claim("ana", "c1", 70.0);
    s.end("ana", "c1", 80.0);
    s.ask(2, "c2", 90.0);
    s.claim("ben", "c2", 91.0);
    s.ask(3, "c3", 100.0);
    s.ask(7, "c7", 100.0);
    s.claim("dee", "c7", 101.0);
    s.leave(3, "c3", 104.0);
    s.end("ben", "c2", 106.0);
    s.ask(4, "c4", 110.0);
    s.claim("ben", "c4", 112.0);
    s.ask(5, "c5", 115.0);
    s.op(
        "router",
        117.0,
        DeskFact::Lost {
            agent: "dee".to_owned(),
        },
    );
    s.ask(6, "c6", 118.0);
    s.leave(6, "c6", 119.0);
    s
}

#[test]
fn the_windows_count_arrivals_handle_time_and_time_in_the_queue_by_hand() {
    let s = busy_hour();
    let hour = Measured::of_site(&s.0, NOW, None, HOUR_MS);
    assert_eq!(
        hour,
        Measured {
            window_ms: HOUR_MS,
            requested: 6,
            ended: 2,
            abandoned: 2,
            handle_ms: Some(12 * MINUTE + 30 * SEC),
            queued_ms: 27 * MINUTE,
        }
    );
    assert!((hour.arrivals_per_min() - 0.1).abs() < 1e-12);
    assert_eq!(hour.patience_ms(), Some(13 * MINUTE + 30 * SEC));
    let recent = Measured::of_site(&s.0, NOW, None, RECENT_MS);
    assert_eq!(
        recent,
        Measured {
            window_ms: RECENT_MS,
            requested: 3,
            ended: 1,
            abandoned: 1,
            handle_ms: Some(15 * MINUTE),
            queued_ms: 11 * MINUTE,
        }
    );
    assert!((recent.arrivals_per_min() - 0.2).abs() < 1e-12);
}

#[test]
fn the_advice_takes_the_larger_arrival_rate_and_the_hours_handle_time_and_patience() {
    let s = busy_hour();
    let target = Target::default();
    let advice = Advice::of(&s.0, NOW, target);
    // A surge: the last 15 minutes' 0.2 a minute, not the hour's 0.1.
    let load = Load {
        arrivals_per_min: 0.2,
        handle_min: 12.5,
        patience_min: Some(13.5),
    };
    let got = advice.load.unwrap();
    assert!((got.arrivals_per_min - 0.2).abs() < 1e-12, "{got:?}");
    assert!((got.handle_min - 12.5).abs() < 1e-12, "{got:?}");
    assert!((got.patience_min.unwrap() - 13.5).abs() < 1e-12, "{got:?}");
    // On duty: ana (2 chats) and ben (3); cy is away and dee lost. Their
    // mean capacity, 2.5, rounds up to 3.
    assert_eq!((advice.have, advice.concurrency), (2, 3));
    // 2.5 Erlangs offered to agents of 3 chats: one agent (3 servers)
    // answers too few in 30 s, two (6) enough.
    assert!(erlang_a(&load, 3, 30.0).service_level < 0.8);
    assert!(erlang_a(&load, 6, 30.0).service_level >= 0.8);
    assert_eq!(advice.needed, Some(2));
    assert_eq!(advice.short(), None);
    // Two below what it has and two either side of the need, from one.
    let agents: Vec<u32> = advice.levels.iter().map(|l| l.agents).collect();
    assert_eq!(agents, [1, 2, 3, 4]);
    for level in &advice.levels {
        assert_eq!(
            level.outcome,
            erlang_a(&load, level.agents * 3, 30.0),
            "{level:?}"
        );
        assert_eq!(Some(level.outcome), advice.at(level.agents));
    }
}

#[test]
fn a_desk_short_of_agents_says_by_how_many() {
    // Two chats a minute all hour; ana answers the first and ends it after
    // 5 minutes, the rest wait: 10 Erlangs, nobody gives up.
    let mut s = Script::new();
    s.op("ana", 0.0, available(1));
    for i in 0..120_u32 {
        s.ask(i, &alloc::format!("c{i}"), 60.5 + f64::from(i) / 2.0);
    }
    s.claim("ana", "c0", 60.5);
    let advice = Advice::of(&s.0, NOW, Target::default());
    assert_eq!(advice.load, None, "no chat has ended: no handle time");
    assert_eq!(advice.needed, None);
    assert!(advice.levels.is_empty());
    assert_eq!(advice.have, 1);

    s.end("ana", "c0", 65.5);
    let advice = Advice::of(&s.0, NOW, Target::default());
    let load = advice.load.unwrap();
    assert!((load.arrivals_per_min - 2.0).abs() < 1e-12, "{load:?}");
    assert!((load.handle_min - 5.0).abs() < 1e-12, "{load:?}");
    assert_eq!(load.patience_min, None, "nobody gave up: Erlang C");
    // Erlang C for 10 Erlangs, 80% in 30 s: 13 servers answer 78.9% in
    // time, 14 answer 88.3% (worked out apart from this crate).
    let within = |n| erlang_c(&load, n, 30.0).service_level;
    assert!((within(13) - 0.7887).abs() < 5e-4, "{}", within(13));
    assert!((within(14) - 0.8833).abs() < 5e-4, "{}", within(14));
    assert_eq!((advice.needed, advice.concurrency), (Some(14), 1));
    assert_eq!(advice.short(), Some(13));
    // What ana alone gives, then around the need.
    let agents: Vec<u32> = advice.levels.iter().map(|l| l.agents).collect();
    assert_eq!(agents, [1, 12, 13, 14, 15, 16]);
    assert_eq!(advice.levels[0].outcome, erlang_c(&load, 1, 30.0));
}

#[test]
fn no_chats_no_advice_and_no_agents_have_none() {
    let empty = Advice::of(&Desk::default(), NOW, Target::default());
    assert_eq!(empty.recent.requested, 0);
    assert!(empty.recent.arrivals_per_min().abs() < f64::EPSILON);
    assert_eq!(empty.hour.patience_ms(), None);
    assert_eq!((empty.load, empty.needed, empty.have), (None, None, 0));
    assert_eq!(empty.concurrency, 1, "nobody to say: one chat each");
    assert_eq!(empty.at(3), None);
    assert!(empty.levels.is_empty());

    // Chats, but every agent gone: the need stands, the desk has none.
    let mut s = busy_hour();
    for agent in ["ana", "ben"] {
        s.op(
            "router",
            119.5,
            DeskFact::Lost {
                agent: agent.to_owned(),
            },
        );
    }
    let advice = Advice::of(&s.0, NOW, Target::default());
    assert_eq!(advice.have, 0);
    // Nobody on duty: the mean capacity of every agent known, (2 + 3 + 4
    // + 1) / 4 = 2.5, rounded up.
    assert_eq!(advice.concurrency, 3);
    let needed = advice.needed.unwrap();
    assert!(needed >= 1);
    assert_eq!(advice.short(), Some(needed));
    assert_eq!(advice.levels.first().map(|l| l.agents), Some(1));
}

#[test]
fn a_sites_advice_counts_its_own_chats_and_every_agent() {
    let mut s = busy_hour();
    s.shopper_on("hats", 1, 119.0, request("h1"));
    let shoes = SiteId::new("shoes").unwrap();
    let hats = SiteId::new("hats").unwrap();
    let all = Advice::of(&s.0, NOW, Target::default());
    assert_eq!(all.hour.requested, 7);
    let only = Advice::of_site(&s.0, NOW, Some(&shoes), Target::default());
    assert_eq!(
        only.hour,
        Measured::of_site(&busy_hour().0, NOW, None, HOUR_MS)
    );
    let other = Advice::of_site(&s.0, NOW, Some(&hats), Target::default());
    assert_eq!((other.hour.requested, other.hour.queued_ms), (1, MINUTE));
    assert_eq!(other.load, None, "no chat of its own ended");
    assert_eq!((other.have, only.have), (2, 2));
}

#[test]
fn a_shopper_who_gave_up_at_once_has_a_second_of_patience() {
    let mut s = Script::new();
    s.ask(1, "c1", 100.0);
    s.leave(1, "c1", 100.0);
    let hour = Measured::of_site(&s.0, NOW, None, HOUR_MS);
    assert_eq!((hour.abandoned, hour.queued_ms), (1, 0));
    assert_eq!(hour.patience_ms(), Some(SEC));
    // Five gave up; between them they waited 10 minutes.
    let mut s = Script::new();
    for i in 0..5 {
        let asked = 100.0 + f64::from(i);
        s.ask(i, &alloc::format!("c{i}"), asked);
        s.leave(i, &alloc::format!("c{i}"), asked + 2.0);
    }
    let hour = Measured::of_site(&s.0, NOW, None, HOUR_MS);
    assert_eq!(hour.patience_ms(), Some(2 * MINUTE));
}
