use alloc::vec::Vec;

use pretty_assertions::assert_eq;

use super::*;
use crate::event::{Batch, CartLine, Event, ShopperEvent};
use crate::floor::FloorConfig;
use crate::subject::{SessionSubjects, SessionToken, SiteId};
use crate::wire::encode_batch;

const T0: u64 = 1_750_000_000_000;
const MINUTE: u64 = 60_000;

fn session(n: u32) -> SessionSubjects {
    SessionSubjects::new(
        SiteId::new("shoes").unwrap(),
        SessionToken::new(format!("token-{n:0>10}")).unwrap(),
    )
}

fn send(floor: &mut Floor, n: u32, seq: u64, heard_ms: u64, kinds: Vec<ShopperEvent>) {
    let events = kinds
        .into_iter()
        .map(|kind| Event {
            at_ms: heard_ms,
            kind,
        })
        .collect();
    let payload = encode_batch(&Batch::new(seq, "EUR", events));
    floor
        .batch(&session(n).events(), &payload, heard_ms)
        .unwrap();
}

fn page(path: &str) -> ShopperEvent {
    ShopperEvent::PageView {
        path: path.to_owned(),
        title: String::new(),
        referrer: None,
        utm: None,
    }
}

fn add(value_minor: u64) -> ShopperEvent {
    ShopperEvent::CartAdd(CartLine {
        sku: "trail".to_owned(),
        quantity: 1,
        value_minor,
    })
}

fn checkout() -> ShopperEvent {
    ShopperEvent::CheckoutStep {
        step: 1,
        name: "begin_checkout".to_owned(),
    }
}

/// Five shoppers, each in a different situation, and the figures a
/// supervisor must see for them, worked out by hand.
#[test]
fn the_figures_of_a_floor_match_a_hand_count() {
    let mut floor = Floor::new(FloorConfig::default());
    let now = T0 + 10 * MINUTE;
    // 1: browsing, cart of 129.00, active a minute ago: not at risk.
    send(&mut floor, 1, 0, now - MINUTE, vec![page("/"), add(12_900)]);
    // 2: in checkout with 49.00, quiet for three minutes: at risk.
    send(
        &mut floor,
        2,
        0,
        now - 3 * MINUTE,
        vec![add(4_900), checkout()],
    );
    // 3: in checkout with 10.00 and reaching for the tabs: at risk, stuck.
    send(
        &mut floor,
        3,
        0,
        now - 10_000,
        vec![add(1_000), checkout(), ShopperEvent::ExitIntent],
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
        vec![add(9_900), declined],
    );

    let f = Figures::of(&floor, now);
    assert_eq!(
        f,
        Figures {
            online: 4,
            in_checkout: 2,
            stuck: 1,
            carts_at_risk: 2,
            at_risk_value: vec![("EUR".to_owned(), 5_900)],
            offers_sent: 2,
            offers_accepted: 1,
            offers_declined: 1,
            waiting: 1,
            longest_wait_ms: 4 * MINUTE,
            average_answer_ms: None,
            first_response_ms: None,
            service_level_percent: None,
        }
    );
}

#[test]
fn an_empty_floor_shows_zero_and_nothing_invented() {
    let f = Figures::of(&Floor::default(), T0);
    assert_eq!(f, Figures::default());
    assert_eq!(f.average_answer_ms, None);
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
