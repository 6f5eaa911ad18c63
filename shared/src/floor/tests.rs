use pretty_assertions::assert_eq;

use super::*;
use crate::event::InvalidEventKind;
use crate::testing::{T0, dwell, page, payload, session};

#[test]
fn batches_build_sessions_and_bad_input_is_refused_and_counted() {
    let mut floor = Floor::default();
    let a = session("a");
    floor
        .batch(&a.events(), &payload(0, T0, vec![page("/")]), T0)
        .unwrap();
    floor
        .batch(
            &session("b").events(),
            &payload(0, T0, vec![page("/x")]),
            T0,
        )
        .unwrap();
    assert_eq!(floor.len(), 2);
    assert_eq!(floor.get(&a).unwrap().pages_seen, 1);

    let not_events = a.push();
    assert_eq!(
        floor
            .batch(&not_events, &payload(1, T0, vec![]), T0)
            .unwrap_err(),
        Refusal::Subject
    );
    let other = Subject::new("fw.shoes.audit.sam.offer").unwrap();
    assert_eq!(
        floor.batch(&other, b"{}", T0).unwrap_err(),
        Refusal::Subject
    );
    assert_eq!(
        floor
            .batch(&a.events(), b"\x1b[2J not json", T0)
            .unwrap_err(),
        Refusal::Wire(WireErrorKind::Malformed)
    );
    let bad_currency = br#"{"v":1,"seq":1,"currency":"eur","visitor":null,"events":[]}"#;
    assert_eq!(
        floor.batch(&a.events(), bad_currency, T0).unwrap_err(),
        Refusal::Wire(WireErrorKind::Invalid(InvalidEventKind::BadFormat))
    );
    assert_eq!(floor.refused_total(), 4);
    assert_eq!(floor.len(), 2, "refused input creates no session");
}

#[test]
fn the_floor_holds_a_bounded_number_of_sessions() {
    let mut floor = Floor::new(FloorConfig {
        max_sessions: 2,
        ..FloorConfig::default()
    });
    for token in ["a", "b"] {
        floor
            .batch(&session(token).events(), &payload(0, T0, vec![]), T0)
            .unwrap();
    }
    assert_eq!(
        floor
            .batch(&session("c").events(), &payload(0, T0, vec![]), T0)
            .unwrap_err(),
        Refusal::Full
    );
    // Known sessions carry on.
    floor
        .batch(&session("a").events(), &payload(1, T0, vec![page("/")]), T0)
        .unwrap();
}

#[test]
fn a_pages_usual_dwell_is_known_after_enough_stays_and_long_ones_are_capped() {
    let mut floor = Floor::default();
    let site = SiteId::new("shoes").unwrap();
    for (i, ms) in [10_000, 20_000, 30_000, 40_000].into_iter().enumerate() {
        let s = session(i);
        floor
            .batch(&s.events(), &payload(0, T0, vec![dwell("/cart", ms)]), T0)
            .unwrap();
    }
    assert_eq!(floor.usual_dwell_ms(&site, "/cart"), None, "four stays");
    let forgotten_tab = session("tab");
    floor
        .batch(
            &forgotten_tab.events(),
            &payload(0, T0, vec![dwell("/cart", 86_400_000)]),
            T0,
        )
        .unwrap();
    // (10 + 20 + 30 + 40 + 1800) / 5 seconds.
    assert_eq!(floor.usual_dwell_ms(&site, "/cart"), Some(380_000));
    assert_eq!(floor.usual_dwell_ms(&site, "/other"), None);
}

#[test]
fn the_usual_stay_here_follows_the_page_each_shopper_is_on() {
    let mut floor = Floor::default();
    let shopper = session("shopper");
    floor
        .batch(&shopper.events(), &payload(0, T0, vec![page("/cart")]), T0)
        .unwrap();
    let here = |floor: &Floor| floor.usual_dwell_here(floor.get(&shopper).unwrap());
    assert_eq!(here(&floor), None, "nobody has stayed on /cart yet");

    // Others' stays on the page the shopper is on count at once.
    for i in 0..5 {
        let other = session(i);
        floor
            .batch(
                &other.events(),
                &payload(0, T0, vec![dwell("/cart", 60_000)]),
                T0,
            )
            .unwrap();
    }
    assert_eq!(here(&floor), Some(60_000));

    floor
        .batch(&shopper.events(), &payload(1, T0, vec![page("/home")]), T0)
        .unwrap();
    assert_eq!(here(&floor), None, "nothing is known of /home");
    floor
        .batch(&shopper.events(), &payload(2, T0, vec![page("/cart")]), T0)
        .unwrap();
    assert_eq!(here(&floor), Some(60_000));
}

#[test]
fn sessions_that_left_are_forgotten_after_a_while() {
    let config = FloorConfig::default();
    let mut floor = Floor::new(config);
    let a = session("a");
    floor
        .batch(&a.events(), &payload(0, T0, vec![page("/")]), T0)
        .unwrap();
    let left = T0 + config.left_after_ms;
    assert_eq!(floor.state(floor.get(&a).unwrap(), left), State::Left);
    assert_eq!(floor.sweep(left + config.forget_after_ms - 1), 0);
    assert_eq!(floor.sweep(left + config.forget_after_ms), 1);
    assert!(floor.is_empty());
}

#[test]
fn an_offer_heard_before_its_sessions_batches_is_kept() {
    let mut floor = Floor::default();
    let a = session("a");
    floor
        .offer_sent(&a, "of-1", "Need help?", "sam", T0)
        .unwrap();
    floor
        .batch(&a.events(), &payload(0, T0, vec![page("/")]), T0)
        .unwrap();
    let s = floor.get(&a).unwrap();
    assert_eq!(s.offers.len(), 1);
    assert_eq!(floor.state(s, T0), State::Offered);
}
