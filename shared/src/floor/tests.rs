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

/// Presence: the broker's word on connections, on a fake clock (T0 on).
mod presence {
    use pretty_assertions::assert_eq;

    use super::{Floor, SessionSubjects, State, T0, dwell, page, payload, session};
    use crate::event::ShopperEvent;
    use crate::floor::presence::ConnId;

    fn conn(cid: u64) -> ConnId {
        ConnId {
            server: "NTEST".into(),
            cid,
        }
    }

    /// A floor the broker has told of no connection yet, and one shopper
    /// on `/` whose page connected as `conn(1)`.
    fn floor_with_shopper() -> (Floor, SessionSubjects) {
        let mut floor = Floor::default();
        let a = session("a");
        floor.presence_mut().asking();
        floor.presence_mut().open_now([(conn(1), a.clone())], T0);
        floor
            .batch(&a.events(), &payload(0, T0, vec![page("/")]), T0)
            .unwrap();
        (floor, a)
    }

    fn state(floor: &Floor, s: &SessionSubjects, now_ms: u64) -> State {
        floor.state(floor.get(s).unwrap(), now_ms)
    }

    /// The plugin's last word from a page closing: its dwell, then the
    /// browser hides it.
    fn leave_page(floor: &mut Floor, s: &SessionSubjects, seq: u64, at_ms: u64) {
        let last_word = vec![dwell("/", 5_000), ShopperEvent::TabHidden];
        floor
            .batch(&s.events(), &payload(seq, at_ms, last_word), at_ms)
            .unwrap();
    }

    #[test]
    fn a_connected_shopper_is_online_however_quiet() {
        let (floor, a) = floor_with_shopper();
        let much_later = T0 + 3 * floor.config().left_after_ms;
        assert_eq!(state(&floor, &a, much_later), State::Browsing);
        assert!(floor.is_online(floor.get(&a).unwrap(), much_later));
    }

    #[test]
    fn closing_the_last_tab_leaves_the_floor_after_the_grace() {
        let (mut floor, a) = floor_with_shopper();
        let grace = floor.config().navigation_grace_ms;
        leave_page(&mut floor, &a, 1, T0 + 10_000);
        floor.presence_mut().disconnected(conn(1), T0 + 10_050);
        assert_eq!(state(&floor, &a, T0 + 10_050 + grace - 1), State::Browsing);
        assert_eq!(state(&floor, &a, T0 + 10_050 + grace), State::Left);
        assert!(!floor.is_online(floor.get(&a).unwrap(), T0 + 10_050 + grace));
    }

    #[test]
    fn the_word_that_the_page_was_left_may_come_after_the_close() {
        let (mut floor, a) = floor_with_shopper();
        let grace = floor.config().navigation_grace_ms;
        floor.presence_mut().disconnected(conn(1), T0 + 10_000);
        // The batch comes through the stream, the advisory straight.
        leave_page(&mut floor, &a, 1, T0 + 10_030);
        assert_eq!(state(&floor, &a, T0 + 10_000 + grace), State::Left);
    }

    #[test]
    fn a_page_that_went_on_after_its_dwell_was_not_left() {
        let (mut floor, a) = floor_with_shopper();
        // A single-page shop's route change: a dwell, then the next view.
        let route = vec![dwell("/", 5_000), page("/cart")];
        floor
            .batch(&a.events(), &payload(1, T0 + 10_000, route), T0 + 10_000)
            .unwrap();
        floor.presence_mut().disconnected(conn(1), T0 + 10_010);
        assert_eq!(state(&floor, &a, T0 + 60_000), State::Reconnecting);
    }

    #[test]
    fn navigating_to_the_next_page_stays_on_the_floor() {
        let (mut floor, a) = floor_with_shopper();
        leave_page(&mut floor, &a, 1, T0 + 10_000);
        floor.presence_mut().disconnected(conn(1), T0 + 10_010);
        floor.presence_mut().connected(conn(2), a.clone());
        floor
            .batch(
                &a.events(),
                &payload(2, T0 + 10_500, vec![page("/cart")]),
                T0 + 10_500,
            )
            .unwrap();
        assert_eq!(state(&floor, &a, T0 + 60_000), State::Browsing);
    }

    #[test]
    fn another_tab_of_the_session_keeps_it_online() {
        let (mut floor, a) = floor_with_shopper();
        floor.presence_mut().connected(conn(2), a.clone());
        leave_page(&mut floor, &a, 1, T0 + 10_000);
        floor.presence_mut().disconnected(conn(1), T0 + 10_010);
        assert_eq!(state(&floor, &a, T0 + 60_000), State::Browsing);
        // Much later the second tab's connection drops: the page closed
        // earlier was the other tab's, so this one is coming back.
        floor.presence_mut().disconnected(conn(2), T0 + 70_000);
        assert_eq!(state(&floor, &a, T0 + 80_000), State::Reconnecting);
    }

    #[test]
    fn a_dropped_connection_is_reconnecting_then_back_or_gone() {
        let (mut floor, a) = floor_with_shopper();
        let (grace, reconnect) = (
            floor.config().navigation_grace_ms,
            floor.config().reconnect_ms,
        );
        floor.presence_mut().disconnected(conn(1), T0 + 10_000);
        assert_eq!(state(&floor, &a, T0 + 10_000), State::Browsing);
        assert_eq!(state(&floor, &a, T0 + 10_000 + grace), State::Reconnecting);
        assert!(
            floor.is_online(floor.get(&a).unwrap(), T0 + 10_000 + grace),
            "a page still open counts as online"
        );
        assert_eq!(
            state(&floor, &a, T0 + 10_000 + reconnect - 1),
            State::Reconnecting
        );
        assert_eq!(state(&floor, &a, T0 + 10_000 + reconnect), State::Left);
        // It comes back even after that.
        floor.presence_mut().connected(conn(2), a.clone());
        assert_eq!(state(&floor, &a, T0 + 10_000 + reconnect), State::Browsing);
    }

    #[test]
    fn a_session_the_broker_never_told_of_has_left() {
        let (mut floor, _) = floor_with_shopper();
        let b = session("b");
        // Replayed from before this floor started, or its first batch heard
        // just before its connection's announcement.
        floor
            .batch(&b.events(), &payload(0, T0, vec![page("/")]), T0)
            .unwrap();
        let grace = floor.config().navigation_grace_ms;
        assert_eq!(state(&floor, &b, T0 + grace - 1), State::Browsing);
        assert_eq!(state(&floor, &b, T0 + grace), State::Left);
    }

    #[test]
    fn without_the_brokers_word_silence_means_left() {
        let mut floor = Floor::default();
        let a = session("a");
        floor.presence_mut().connected(conn(1), a.clone());
        floor
            .batch(&a.events(), &payload(0, T0, vec![page("/")]), T0)
            .unwrap();
        let left = T0 + floor.config().left_after_ms;
        assert_eq!(state(&floor, &a, left - 1), State::Browsing);
        assert_eq!(state(&floor, &a, left), State::Left);
    }

    #[test]
    fn a_connected_session_is_not_swept_however_quiet() {
        let (mut floor, a) = floor_with_shopper();
        let c = *floor.config();
        assert_eq!(
            floor.sweep(T0 + 2 * (c.left_after_ms + c.forget_after_ms)),
            0
        );
        floor.presence_mut().disconnected(conn(1), T0 + 1);
        assert_eq!(
            floor.sweep(T0 + 2 * (c.left_after_ms + c.forget_after_ms)),
            1
        );
        assert!(floor.get(&a).is_none());
    }
}
