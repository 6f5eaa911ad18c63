use alloc::vec::Vec;

use pretty_assertions::assert_eq;

use super::*;
use crate::desk::Desk;
use crate::event::ShopperEvent;
use crate::floor::FloorConfig;
use crate::subject::SiteId;
use crate::testing::{MINUTE, SEC, T0, cart_add, checkout, order, page, payload, session};

/// Shopper `n`'s batch `seq`, heard (and its events done) at `heard_ms`.
fn send(floor: &mut Floor, n: u32, seq: u64, heard_ms: u64, kinds: Vec<ShopperEvent>) {
    let payload = payload(seq, heard_ms, kinds);
    floor
        .batch(&session(n).events(), &payload, heard_ms)
        .unwrap();
}

/// Five shoppers, each in a different situation, and the figures a
/// supervisor must see for them, worked out by hand.
#[test]
fn the_figures_of_a_floor_match_a_hand_count() {
    let mut floor = Floor::new(FloorConfig::default());
    let now = T0 + 10 * MINUTE;
    // 1: browsing, cart of 129.00, active a minute ago: not at risk.
    send(
        &mut floor,
        1,
        0,
        now - MINUTE,
        vec![page("/"), cart_add(12_900)],
    );
    // 2: in checkout with 49.00, quiet for three minutes: at risk.
    send(
        &mut floor,
        2,
        0,
        now - 3 * MINUTE,
        vec![cart_add(4_900), checkout()],
    );
    // ... and offered help three minutes ago, never answered: expired, so
    // still in checkout, not offered.
    floor
        .offer_sent(&session(2), "of-2", "Help?", "sam", now - 3 * MINUTE)
        .unwrap();
    // 3: in checkout with 10.00 and reaching for the tabs: at risk, stuck.
    send(
        &mut floor,
        3,
        0,
        now - 10_000,
        vec![cart_add(1_000), checkout(), ShopperEvent::ExitIntent],
    );
    // 4: accepted an offer four minutes ago and waits.
    floor
        .offer_sent(&session(4), "of-4", "Help?", "sam", now - 5 * MINUTE)
        .unwrap();
    let accepted = ShopperEvent::OfferAccepted {
        offer_id: "of-4".to_owned(),
    };
    send(&mut floor, 4, 0, now - 4 * MINUTE, vec![accepted]);
    // 5: declined an offer, then left with a cart: not online, not at risk.
    floor
        .offer_sent(&session(5), "of-5", "Help?", "sam", now - 9 * MINUTE)
        .unwrap();
    let declined = ShopperEvent::OfferDeclined {
        offer_id: "of-5".to_owned(),
    };
    send(
        &mut floor,
        5,
        0,
        now - 8 * MINUTE,
        vec![cart_add(9_900), declined],
    );

    let f = Figures::of(&floor, &Desk::default(), now);
    assert_eq!(
        f,
        Figures {
            online: 4,
            reconnecting: 0,
            in_checkout: 2,
            stuck: 1,
            carts_at_risk: 2,
            at_risk_value: vec![("EUR".to_owned(), 5_900)],
            offers_sent: 3,
            offers_accepted: 1,
            offers_declined: 1,
            offers_expired: 1,
            acceptance_percent: Some(50),
            service: Service::default(),
            assisted: Outcome::default(),
            unassisted: Outcome {
                sessions: 5,
                ..Outcome::default()
            },
        }
    );
    // Every session here is on the shoes site: the hats site has none.
    let shoes = SiteId::new("shoes").unwrap();
    let hats = SiteId::new("hats").unwrap();
    assert_eq!(
        Figures::of_site(&floor, &Desk::default(), now, Some(&shoes)),
        f
    );
    assert_eq!(
        Figures::of_site(&floor, &Desk::default(), now, Some(&hats)),
        Figures::default()
    );
}

#[test]
fn an_empty_floor_shows_zero_and_nothing_invented() {
    let f = Figures::of(&Floor::default(), &Desk::default(), T0);
    assert_eq!(f, Figures::default());
    assert_eq!(f.service.average_answer_ms, None);
    assert_eq!(f.acceptance_percent, None);
}

#[test]
fn history_keeps_a_sample_a_minute_for_thirty_minutes() {
    let mut h = History::default();
    let sample = |online| Sample {
        online,
        ..Sample::default()
    };
    assert!(!h.sampled(T0));
    h.record(T0, sample(1));
    assert!(h.sampled(T0 + 10_000) && !h.sampled(T0 + MINUTE));
    h.record(T0 + 10_000, sample(2));
    h.record(T0 + 2 * MINUTE, sample(5));
    // A clock that went back changes nothing.
    h.record(T0 + MINUTE, sample(9));
    let series = h.series(T0 + 2 * MINUTE, |s| s.online);
    assert_eq!(series.len(), History::MINUTES);
    assert_eq!(series[History::MINUTES - 3..], [2, 0, 5]);

    for minute in 0..40 {
        h.record(T0 + (3 + minute) * MINUTE, sample(7));
    }
    let series = h.series(T0 + 42 * MINUTE, |s| s.online);
    assert!(series.iter().all(|&v| v == 7), "{series:?}");
}

/// The afternoon the doc of `the_desk_figures_match_a_hand_count` tells.
fn afternoon() -> crate::desk::tests::Script {
    use crate::chat::ChatFact;
    use crate::desk::Fact;
    use crate::desk::tests::Script;
    use crate::testing::session_on;

    let mut s = Script::new();
    s.status("ana", 2, 0);
    s.status("bo", 1, 0);
    s.request(1, "c1", 0);
    s.request(2, "c2", 5);
    s.claim("ana", "c1", 10).unwrap();
    s.say(1, "c1", "m1", 12).unwrap();
    s.request(3, "c3", 20);
    s.reply("ana", "c1", "a1", 20).unwrap();
    s.say(1, "c1", "m2", 30).unwrap();
    s.say(1, "c1", "m3", 35).unwrap();
    s.claim("bo", "c2", 45).unwrap();
    s.say(2, "c2", "m1", 47).unwrap();
    s.reply("ana", "c1", "a2", 50).unwrap();
    s.reply("bo", "c2", "b1", 50).unwrap();
    s.end("ana", "c1", 60).unwrap();
    s.survey(1, "c1", true, 65).unwrap();
    let leave = ChatFact::Leave {
        chat_id: "c3".to_owned(),
    };
    s.shopper(3, 80, leave).unwrap();
    let hats = Fact::Shopper(
        session_on("hats", 4),
        ChatFact::Request {
            chat_id: "c4".to_owned(),
            offer_id: None,
        },
    );
    s.desk.fold(&hats, T0 + 90 * SEC).unwrap();
    s.request(5, "c5", 100);
    s.end("bo", "c2", 100).unwrap();
    s.survey(2, "c2", false, 110).unwrap();
    s.request(6, "c6", 110);
    s.claim("ana", "c6", 115).unwrap();

    s
}

/// A desk's afternoon, every figure worked out by hand (times in seconds
/// from T0, the window an hour, the service-level target 30 s):
/// - c1 asks at 0, ana claims at 10 (waited 10), the shopper writes at 12,
///   ana answers at 20 (first response 20, response 8), the shopper writes
///   at 30 and 35, ana answers at 50 (response 20), ends at 60, "yes" at 65;
/// - c2 asks at 5, bo claims at 45 (waited 40: over the target), the
///   shopper writes at 47, bo answers at 50 (first response 45, response
///   3), ends at 100, "no" at 110;
/// - c3 asks at 20 and leaves the queue at 80: abandoned;
/// - c6 asks at 110, ana claims at 115 (waited 5) and holds it;
/// - c4 (site hats) asks at 90 and c5 (shoes) at 100: both still waiting
///   at 120.
#[test]
fn the_desk_figures_match_a_hand_count() {
    let s = afternoon();
    let now = T0 + 120 * SEC;
    let f = Service::of(&s.desk, now);
    let site = |name: &str| SiteId::new(name).unwrap();
    assert_eq!(
        f,
        Service {
            waiting: 2,
            longest_wait_ms: 30 * SEC,
            queues: vec![
                SiteQueue {
                    site: site("hats"),
                    waiting: 1,
                    longest_wait_ms: 30 * SEC
                },
                SiteQueue {
                    site: site("shoes"),
                    waiting: 1,
                    longest_wait_ms: 20 * SEC
                },
            ],
            answered: 3,
            abandoned: 1,
            active: 1,
            // (10 + 40 + 5) / 3
            average_answer_ms: Some(18_333),
            // first responses 20 and 45: nearest ranks 1 and 2 of 2
            first_response_ms: Some((20 * SEC, 45 * SEC)),
            // responses 3, 8, 20: nearest ranks 2 and 3 of 3
            response_ms: Some((8 * SEC, 20 * SEC)),
            // 1 of 4
            abandonment_percent: Some(25),
            // c1 and c6 within 30 s, of 4
            service_level_percent: Some(50),
            agents_available: 2,
            agents_busy: 0,
            agents_away: 0,
            // ana holds 1, capacity 2 + 1
            utilisation_percent: Some(33),
            surveys: 2,
            csat_percent: Some(50),
            incidents_open: 0,
            incidents_waiting: 0,
        }
    );
    assert_eq!(queue_position(&s.desk, "c4"), Some(1));
    assert_eq!(queue_position(&s.desk, "c5"), Some(2));
    assert_eq!(queue_position(&s.desk, "c6"), None);
    // An agent has room: the expected wait is the average speed of answer.
    assert_eq!(expected_wait_ms(&s.desk, 2, now), Some(18_333));

    // An hour later the window holds none of it, and nothing is invented.
    let later = Service::of(&s.desk, now + 60 * 60 * SEC);
    assert_eq!(later.answered, 0);
    assert_eq!(later.average_answer_ms, None);
    assert_eq!(later.service_level_percent, None);
    assert_eq!(later.csat_percent, None);
    assert_eq!(later.longest_wait_ms, 30 * SEC + 60 * 60 * SEC);
}

#[test]
fn the_desk_figures_of_one_site_count_its_chats_only() {
    let s = afternoon();
    let now = T0 + 120 * SEC;
    let site = |name: &str| SiteId::new(name).unwrap();
    let f = Service::of(&s.desk, now);
    // The hats site has one waiting chat and nothing else; the agents are
    // every site's.
    let hats = Service::of_site(&s.desk, now, Some(&site("hats")));
    assert_eq!(
        hats,
        Service {
            waiting: 1,
            longest_wait_ms: 30 * SEC,
            queues: vec![SiteQueue {
                site: site("hats"),
                waiting: 1,
                longest_wait_ms: 30 * SEC
            }],
            agents_available: 2,
            utilisation_percent: Some(33),
            ..Service::default()
        }
    );
    let shoes = Service::of_site(&s.desk, now, Some(&site("shoes")));
    assert_eq!((shoes.waiting, shoes.answered, shoes.surveys), (1, 3, 2));
    assert_eq!(shoes.average_answer_ms, f.average_answer_ms);
}

#[test]
fn a_full_desk_expects_waits_from_chat_length_and_capacity() {
    use crate::desk::tests::Script;

    let mut s = Script::new();
    s.status("ana", 1, 0);
    // Two chats of 60 s each, then ana is busy and three shoppers wait.
    for (n, chat, start) in [(1, "a", 0), (2, "b", 100)] {
        s.request(n, chat, start);
        s.claim("ana", chat, start).unwrap();
        s.end("ana", chat, start + 60).unwrap();
    }
    s.request(3, "c", 200);
    s.claim("ana", "c", 200).unwrap();
    for (n, chat) in [(4, "d"), (5, "e"), (6, "f")] {
        s.request(n, chat, 210);
    }
    let now = T0 + 220 * SEC;
    assert_eq!(expected_wait_ms(&s.desk, 1, now), Some(60 * SEC));
    assert_eq!(expected_wait_ms(&s.desk, 3, now), Some(180 * SEC));
}

#[test]
fn assisted_and_unassisted_sessions_are_compared() {
    use crate::desk::tests::Script;

    let mut floor = Floor::new(FloorConfig::default());
    let now = T0 + 10 * MINUTE;
    // 1 and 2 were helped in a chat, 1 bought for 80.00; 3, 4 and 5 were
    // not, 3 bought for 20.00 and 4 for 40.00.
    send(&mut floor, 1, 0, now, vec![page("/"), order("o1", 8_000)]);
    send(&mut floor, 2, 0, now, vec![page("/")]);
    send(&mut floor, 3, 0, now, vec![page("/"), order("o3", 2_000)]);
    send(&mut floor, 4, 0, now, vec![page("/"), order("o4", 4_000)]);
    send(&mut floor, 5, 0, now, vec![page("/")]);
    let mut s = Script::new();
    s.status("ana", 2, 0);
    for (n, chat) in [(1, "c1"), (2, "c2")] {
        s.request(n, chat, 1);
        s.claim("ana", chat, 2).unwrap();
    }
    // 5 asked but nobody answered: not assisted.
    s.request(5, "c5", 3);

    let (assisted, alone) = outcomes(&floor, &s.desk, None);
    assert_eq!(assisted.sessions, 2);
    assert_eq!(assisted.conversion_percent(), Some(50));
    assert_eq!(assisted.average_order_minor("EUR"), Some(8_000));
    assert_eq!(alone.sessions, 3);
    assert_eq!(alone.conversion_percent(), Some(67));
    assert_eq!(alone.average_order_minor("EUR"), Some(3_000));
    assert_eq!(alone.main_currency(), Some("EUR"));
    assert_eq!(alone.orders_not_in("EUR"), 0);

    // An order in dollars is counted apart: not in the euros' average.
    let dollars = crate::wire::encode_batch(&crate::event::Batch {
        currency: "USD".into(),
        ..crate::testing::batch(0, now, vec![page("/"), order("o6", 100_000)])
    });
    floor.batch(&session(6).events(), &dollars, now).unwrap();
    let (_, alone) = outcomes(&floor, &s.desk, None);
    assert_eq!(alone.conversion_percent(), Some(75));
    assert_eq!(alone.average_order_minor("EUR"), Some(3_000));
    assert_eq!(alone.average_order_minor("USD"), Some(100_000));
    assert_eq!(alone.main_currency(), Some("USD"), "most of the value");
    assert_eq!(alone.orders_not_in("USD"), 2);
}
