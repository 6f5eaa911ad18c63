use alloc::borrow::ToOwned;
use alloc::vec;
use alloc::vec::Vec;

use pretty_assertions::assert_eq;

use super::*;
use crate::desk::Desk;
use crate::event::ShopperEvent;
use crate::floor::FloorConfig;
use crate::metrics::Figures;
use crate::session::ChatPhase;
use crate::testing::{MINUTE, SEC, T0, cart_add, dwell, page, payload, product, session, toggling};

/// Shopper `n`'s batch `seq`, heard (and its events done) at `heard_ms`.
fn send(floor: &mut Floor, n: u32, seq: u64, heard_ms: u64, kinds: Vec<ShopperEvent>) {
    let payload = payload(seq, heard_ms, kinds);
    floor
        .batch(&session(n).events(), &payload, heard_ms)
        .unwrap();
}

/// Shoppers 900 on, who each stayed `ms` on `path`: enough for the floor
/// to know the usual stay there.
fn usual(floor: &mut Floor, path: &str, ms: u32) {
    for n in 900..905 {
        send(floor, n, 0, T0, vec![page(path), dwell(path, ms)]);
    }
}

fn pay() -> ShopperEvent {
    ShopperEvent::CheckoutStep {
        step: 3,
        name: "payment".to_owned(),
        value_minor: None,
        items: vec![],
    }
}

fn words(floor: &Floor, n: u32, now: u64) -> Vec<String> {
    let s = floor.get(&session(n)).unwrap();
    reasons(floor, s, now)
        .iter()
        .map(|r| describe(r, &s.currency))
        .collect()
}

#[test]
fn each_flagged_shopper_says_why_in_words() {
    let mut floor = Floor::new(FloorConfig::default());
    usual(&mut floor, "/checkout-payment.html", 30_000);
    // 1: three times the usual stay on the payment page.
    let kinds = vec![cart_add(14_900), page("/checkout-payment.html"), pay()];
    send(&mut floor, 1, 0, T0, kinds);
    // 2: reaches for the tabs with €149 in the cart.
    let kinds = vec![
        page("/cart.html"),
        cart_add(14_900),
        ShopperEvent::ExitIntent,
    ];
    send(&mut floor, 2, 0, T0 + 80 * SEC, kinds);
    // 3: back and forth between two products for four minutes.
    send(
        &mut floor,
        3,
        0,
        T0 - 2 * MINUTE,
        vec![page("/a"), product("a")],
    );
    send(
        &mut floor,
        3,
        1,
        T0 - MINUTE,
        vec![page("/b"), product("b")],
    );
    let back = vec![page("/a"), product("a"), toggling("a", "b")];
    send(&mut floor, 3, 2, T0 + MINUTE, back);
    // 4: looks around, as usual.
    send(&mut floor, 4, 0, T0 + 80 * SEC, vec![page("/")]);

    let now = T0 + 2 * MINUTE;
    assert_eq!(words(&floor, 1, now), ["on payment 4x usual dwell"]);
    assert_eq!(words(&floor, 2, now), ["exit intent with €149.00 cart"]);
    assert_eq!(words(&floor, 3, now), ["toggling 2 products for 4m"]);
    assert_eq!(words(&floor, 4, now), Vec::<String>::new());
    let flagged: Vec<bool> = (1..=4)
        .map(|n| needs_help(&floor, floor.get(&session(n)).unwrap(), now))
        .collect();
    assert_eq!(flagged, [true, true, true, false]);
    assert_eq!(Figures::of(&floor, &Desk::default(), now).stuck, 3);

    let long = Stuck::LongDwell {
        page: "payment".to_owned(),
        ms: 95 * SEC,
        usual_ms: 30 * SEC,
    };
    assert_eq!(describe(&long, "EUR"), "on payment 3x usual dwell");
    let toggle = |for_ms| Stuck::Toggling {
        first_sku: "a".to_owned(),
        second_sku: "b".to_owned(),
        for_ms,
    };
    assert_eq!(
        describe(&toggle(45 * SEC), "EUR"),
        "toggling 2 products for 45s"
    );
    assert_eq!(
        describe(&toggle(65 * MINUTE), "EUR"),
        "toggling 2 products for 1h05m"
    );
    let exit = Stuck::ExitIntent { cart_minor: 17_980 };
    assert_eq!(describe(&exit, "EUR"), "exit intent with €179.80 cart");
}

/// What helping a shopper does to the floor.
type Help<'a> = &'a dyn Fn(&mut Floor);

#[test]
fn shoppers_already_helped_are_never_flagged() {
    let now = T0 + MINUTE;
    // A shopper reaching for the tabs with a cart: flagged, unless helped.
    let floor_with = |help: Help<'_>| {
        let mut floor = Floor::new(FloorConfig::default());
        let kinds = vec![
            page("/cart.html"),
            cart_add(14_900),
            ShopperEvent::ExitIntent,
        ];
        send(&mut floor, 1, 0, T0, kinds);
        help(&mut floor);
        floor
    };
    let flagged = |floor: &Floor, now: u64| {
        let s = floor.get(&session(1)).unwrap();
        (
            needs_help(floor, s, now),
            reasons(floor, s, now).len(),
            score(floor, s, now).total() > 0,
            Figures::of(floor, &Desk::default(), now).stuck,
        )
    };
    assert_eq!(flagged(&floor_with(&|_| {}), now), (true, 1, true, 1));

    let answer = |floor: &mut Floor, kind: ShopperEvent| send(floor, 1, 1, T0 + SEC, vec![kind]);
    let offered = |floor: &mut Floor| {
        floor
            .offer_sent(&session(1), "of-1", "Help?", "sam", T0 + SEC)
            .unwrap();
    };
    let helped: [(&str, Help<'_>); 5] = [
        ("chatting", &|f| {
            f.chat_phase(&session(1), Some(ChatPhase::Chatting));
        }),
        ("queued", &|f| {
            f.chat_phase(&session(1), Some(ChatPhase::Queued));
        }),
        ("offered", &offered),
        ("shown an offer", &|f| {
            offered(f);
            let shown = ShopperEvent::OfferShown {
                offer_id: "of-1".to_owned(),
            };
            answer(f, shown);
        }),
        ("declined an offer", &|f| {
            offered(f);
            let declined = ShopperEvent::OfferDeclined {
                offer_id: "of-1".to_owned(),
            };
            answer(f, declined);
        }),
    ];
    for (what, help) in helped {
        assert_eq!(
            flagged(&floor_with(help), now),
            (false, 0, false, 0),
            "{what}"
        );
    }
    let left = now + FloorConfig::default().left_after_ms;
    assert_eq!(
        flagged(&floor_with(&|_| {}), left),
        (false, 0, false, 0),
        "left"
    );
    // A chat that ended leaves the shopper to be helped again.
    let ended = floor_with(&|f| {
        f.chat_phase(&session(1), Some(ChatPhase::Chatting));
        f.chat_phase(&session(1), None);
    });
    assert_eq!(flagged(&ended, now), (true, 1, true, 1));
}

#[test]
fn the_score_adds_cart_stage_dwell_and_takes_off_a_recent_offer() {
    // Shoppers stay long enough here to see an offer weigh nothing.
    let mut floor = Floor::new(FloorConfig {
        left_after_ms: 60 * MINUTE,
        ..FloorConfig::default()
    });
    usual(&mut floor, "/checkout-payment.html", 30_000);
    // 1: €149 in the cart, on the payment step (3) three times the usual.
    let kinds = vec![cart_add(14_900), page("/checkout-payment.html"), pay()];
    send(&mut floor, 1, 0, T0, kinds);
    // 2: €900 in the cart on the same page, only as long as usual.
    let kinds = vec![cart_add(90_000), page("/checkout-payment.html"), pay()];
    send(&mut floor, 2, 0, T0 + 60 * SEC, kinds);
    let now = T0 + 90 * SEC;
    let of = |floor: &Floor, n: u32, now: u64| score(floor, floor.get(&session(n)).unwrap(), now);
    assert_eq!(
        of(&floor, 1, now),
        Score {
            flagged: FLAGGED_POINTS,
            cart: 14,
            checkout: 30,
            dwell: 20,
            offer: 0
        }
    );
    assert_eq!(
        of(&floor, 1, now).to_string(),
        "264 = flagged 200 + cart 14 + checkout 30 + dwell 20"
    );
    assert_eq!(
        of(&floor, 2, now),
        Score {
            flagged: 0,
            cart: MAX_CART_POINTS,
            checkout: 30,
            dwell: 0,
            offer: 0
        }
    );
    assert!(
        of(&floor, 1, now).total() > of(&floor, 2, now).total(),
        "the one in trouble first, though the other's cart is larger"
    );

    // An offer accepted and a chat over: the offer weighs less as minutes go.
    floor
        .offer_sent(&session(2), "of-2", "Help?", "sam", now)
        .unwrap();
    let accepted = ShopperEvent::OfferAccepted {
        offer_id: "of-2".to_owned(),
    };
    send(&mut floor, 2, 1, now, vec![accepted]);
    let offer_at = |minutes: u64| of(&floor, 2, now + minutes * MINUTE).offer;
    assert_eq!([0, 1, 9, 10, 30].map(offer_at), [OFFER_POINTS, 27, 3, 0, 0]);
    // By now shopper 2 has stayed five times the usual on the page.
    let later = of(&floor, 2, now + 2 * MINUTE);
    assert_eq!(later.total(), 200 + 50 + 30 + 40 - 24);
    assert!(later.to_string().ends_with(" − recent offer 24"), "{later}");
}
