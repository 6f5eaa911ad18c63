use pretty_assertions::assert_eq;

use super::*;
use crate::event::Utm;
use crate::journey::Step;
use crate::testing::{
    MINUTE, T0, batch, cart_add, checkout, dwell, line, order, page, page_titled, product, session,
    toggling,
};

const LEFT_AFTER: u64 = 5 * MINUTE;

#[test]
fn the_session_follows_the_shopper_through_the_shop() {
    let mut s = Session::new(session(1), T0);
    let landing = ShopperEvent::PageView {
        path: "/".to_owned(),
        title: "Home".to_owned(),
        referrer: Some("https://news.example.com/spring".to_owned()),
        utm: Some(Utm {
            source: Some("newsletter".to_owned()),
            medium: Some("email".to_owned()),
            campaign: None,
        }),
    };
    s.apply(&batch(0, T0, vec![landing, page("/shoes")]), T0);
    s.apply(
        &batch(
            1,
            T0,
            vec![
                ShopperEvent::CartAdd(line("trail", 2, 25_800)),
                ShopperEvent::CartAdd(line("sock", 1, 900)),
                ShopperEvent::CartRemove(line("trail", 1, 12_900)),
                checkout(),
            ],
        ),
        T0 + 60_000,
    );

    assert_eq!(s.pages_seen, 2);
    assert_eq!(s.page.as_ref().unwrap().path, "/shoes");
    assert_eq!(s.arrival.source(), "newsletter/email");
    assert_eq!((s.cart_items(), s.cart_value_minor()), (2, 13_800));
    assert_eq!(s.state(T0 + 60_000, LEFT_AFTER), State::InCheckout);

    s.apply(&batch(2, T0, vec![order("o-1", 13_800)]), T0 + 90_000);
    assert_eq!(s.state(T0 + 90_000, LEFT_AFTER), State::Bought);
    assert_eq!(s.cart_value_minor(), 0, "an order empties the cart");
    assert_eq!(s.state(T0 + 90_000 + LEFT_AFTER, LEFT_AFTER), State::Left);
}

#[test]
fn the_source_is_the_campaign_else_the_referrers_host_else_direct() {
    let arrival = |referrer: Option<&str>, source: Option<&str>| Arrival {
        referrer: referrer.map(str::to_owned),
        utm: source.map(|s| Utm {
            source: Some(s.to_owned()),
            medium: None,
            campaign: None,
        }),
    };
    assert_eq!(
        arrival(Some("https://x.com/"), Some("google")).source(),
        "google"
    );
    assert_eq!(
        arrival(Some("https://user@www.google.com:443/search?q=shoes"), None).source(),
        "www.google.com:443"
    );
    assert_eq!(arrival(Some("android-app://com.x"), None).source(), "com.x");
    assert_eq!(arrival(None, None).source(), "direct");
}

#[test]
fn an_offer_goes_from_sent_to_shown_to_its_answer() {
    let mut s = Session::new(session(1), T0);
    s.apply(&batch(0, T0, vec![page("/")]), T0);
    s.offer_sent(
        "of-1",
        "Need help?",
        "sam",
        T0 + 1_000,
        OFFER_EXPIRES_AFTER_MS,
    );
    assert_eq!(s.state(T0 + 1_000, LEFT_AFTER), State::Offered);
    let shown = ShopperEvent::OfferShown {
        offer_id: "of-1".to_owned(),
    };
    s.apply(&batch(1, T0, vec![shown]), T0 + 2_000);
    assert_eq!(s.offers[0].progress, OfferProgress::Shown);
    let declined = ShopperEvent::OfferDeclined {
        offer_id: "of-1".to_owned(),
    };
    s.apply(&batch(2, T0, vec![declined]), T0 + 3_000);
    assert_eq!(s.offers[0].progress, OfferProgress::Declined);
    assert!(s.declined);
    assert_eq!(s.state(T0 + 3_000, LEFT_AFTER), State::Declined);

    // A late "shown" does not undo the answer.
    let late = ShopperEvent::OfferShown {
        offer_id: "of-1".to_owned(),
    };
    s.apply(&batch(3, T0, vec![late]), T0 + 4_000);
    assert_eq!(s.offers[0].progress, OfferProgress::Declined);
}

#[test]
fn an_unanswered_offer_expires_and_the_shopper_may_be_offered_again() {
    let mut s = Session::new(session(1), T0);
    s.apply(&batch(0, T0, vec![page("/")]), T0);
    s.offer_sent("of-1", "Need help?", "sam", T0, 2 * MINUTE);
    let shown = ShopperEvent::OfferShown {
        offer_id: "of-1".to_owned(),
    };
    s.apply(&batch(1, T0, vec![shown]), T0 + 1_000);
    let just_before = T0 + 2 * MINUTE - 1;
    assert_eq!(s.offers[0].progress_at(just_before), OfferProgress::Shown);
    assert_eq!(s.state(just_before, LEFT_AFTER), State::Offered);
    let after = T0 + 2 * MINUTE;
    assert_eq!(s.offers[0].progress_at(after), OfferProgress::Expired);
    assert_eq!(s.state(after, LEFT_AFTER), State::Browsing);
    assert!(!s.declined, "an offer that expired was not declined");

    // An answer that comes anyway is the shopper's, and final.
    let accepted = ShopperEvent::OfferAccepted {
        offer_id: "of-1".to_owned(),
    };
    s.apply(&batch(2, T0, vec![accepted]), after + 1_000);
    assert_eq!(
        s.offers[0].progress_at(after + 1_000),
        OfferProgress::Accepted
    );
}

#[test]
fn a_shopper_with_a_chat_open_is_queued_then_chatting_then_back() {
    let mut s = Session::new(session(1), T0);
    s.offer_sent("of-1", "Need help?", "sam", T0, OFFER_EXPIRES_AFTER_MS);
    let accepted = ShopperEvent::OfferAccepted {
        offer_id: "of-1".to_owned(),
    };
    s.apply(&batch(0, T0, vec![accepted]), T0 + 1_000);
    assert_eq!(
        s.state(T0 + 1_000, LEFT_AFTER),
        State::Browsing,
        "accepting opens no chat by itself: the desk says when one is"
    );
    s.chat = Some(ChatPhase::Queued);
    assert_eq!(s.state(T0 + 1_000, LEFT_AFTER), State::Queued);
    s.chat = Some(ChatPhase::Chatting);
    assert_eq!(s.state(T0 + 1_000, LEFT_AFTER), State::Chatting);
    s.chat = None;
    assert_eq!(s.state(T0 + 1_000, LEFT_AFTER), State::Browsing);
    assert_eq!(
        s.state(T0 + LEFT_AFTER + 1_000, LEFT_AFTER),
        State::Left,
        "a shopper who left is gone, chat or not"
    );
}

#[test]
fn a_batch_heard_twice_counts_once_and_gaps_count_as_lost() {
    let mut s = Session::new(session(1), T0);
    let add = |seq| batch(seq, T0, vec![ShopperEvent::CartAdd(line("sock", 1, 900))]);
    s.apply(&add(5), T0);
    s.apply(&add(5), T0);
    assert_eq!(s.cart_items(), 1, "the first batch heard may be any");
    s.apply(&add(8), T0);
    assert_eq!((s.cart_items(), s.lost_batches), (2, 2));
    // 7 was late, not lost.
    s.apply(&add(7), T0);
    s.apply(&add(7), T0);
    assert_eq!((s.cart_items(), s.lost_batches), (3, 1));
}

#[test]
fn idle_and_time_on_page_ignore_passive_reports() {
    let mut s = Session::new(session(1), T0);
    s.apply(&batch(0, T0, vec![page("/size-guide")]), T0);
    let passive = vec![
        ShopperEvent::ScrollDepth {
            path: "/size-guide".to_owned(),
            percent: 50,
        },
        ShopperEvent::Idle { ms: 60_000 },
    ];
    s.apply(&batch(1, T0, passive), T0 + 70_000);
    assert_eq!(s.idle_ms(T0 + 100_000), 100_000);
    assert_eq!(s.on_page_ms(T0 + 100_000), 100_000);
    assert_eq!(s.state(T0 + 100_000, LEFT_AFTER), State::Browsing);
}

#[test]
fn stuck_means_a_long_stay_toggling_or_leaving_with_a_cart() {
    let mut s = Session::new(session(1), T0);
    s.apply(&batch(0, T0, vec![page("/size-guide")]), T0);
    assert_eq!(s.stuck(T0 + 50_000, Some(10_000)), []);
    assert_eq!(
        s.stuck(T0 + 70_000, Some(10_000)),
        [Stuck::LongDwell {
            page: "/size-guide".to_owned(),
            ms: 70_000,
            usual_ms: 10_000
        }]
    );
    assert_eq!(s.stuck(T0 + 70_000, Some(30_000)), [], "not 3x the usual");
    assert_eq!(s.stuck(T0 + 70_000, None), [], "no usual known yet");

    s.apply(
        &batch(1, T0, vec![page("/trail"), product("trail")]),
        T0 + 80_000,
    );
    s.apply(
        &batch(2, T0, vec![page("/road"), product("road")]),
        T0 + 90_000,
    );
    let back = vec![page("/trail"), product("trail"), toggling("trail", "road")];
    s.apply(&batch(3, T0, back), T0 + 100_000);
    s.apply(&batch(4, T0, vec![cart_add(14_900)]), T0 + 110_000);
    s.apply(&batch(5, T0, vec![ShopperEvent::ExitIntent]), T0 + 120_000);
    assert_eq!(
        s.stuck(T0 + 130_000, Some(10_000)),
        [
            Stuck::ExitIntent { cart_minor: 14_900 },
            Stuck::Toggling {
                first_sku: "trail".to_owned(),
                second_sku: "road".to_owned(),
                for_ms: 50_000,
            }
        ],
        "toggling since the first look at the pair"
    );
}

#[test]
fn a_sign_ends_when_it_no_longer_says_anything() {
    // A long stay on a page the shopper left (its dwell reported) is over.
    let mut s = Session::new(session(1), T0);
    s.apply(&batch(0, T0, vec![page("/size-guide")]), T0);
    s.apply(
        &batch(1, T0 + 20_000, vec![dwell("/size-guide", 20_000)]),
        T0 + 20_000,
    );
    assert_eq!(s.stuck(T0 + 5 * MINUTE, Some(10_000)), [], "left the page");
    // An earlier visit's dwell heard late does not end this visit.
    s.apply(
        &batch(2, T0 + 30_000, vec![page("/size-guide")]),
        T0 + 30_000,
    );
    s.apply(
        &batch(3, T0 + 1_000, vec![dwell("/size-guide", 1_000)]),
        T0 + 40_000,
    );
    assert!(s.is_stuck(T0 + 5 * MINUTE, Some(10_000)), "still on it");

    // Toggling ends on a page of neither product, and after a quiet spell.
    let mut s = Session::new(session(2), T0);
    let looks = [("/a", "a"), ("/b", "b"), ("/a", "a")];
    for (seq, (path, sku)) in (0..).zip(looks) {
        let mut kinds = vec![page(path), product(sku)];
        if seq == 2 {
            kinds.push(toggling("a", "b"));
        }
        s.apply(&batch(seq, T0 + seq * 10_000, kinds), T0 + seq * 10_000);
    }
    assert!(s.is_stuck(T0 + 30_000, None));
    s.apply(&batch(3, T0 + 40_000, vec![page("/cart")]), T0 + 40_000);
    assert!(!s.is_stuck(T0 + 40_000, None), "went to the cart");
    s.apply(
        &batch(4, T0 + 50_000, vec![page("/b"), product("b")]),
        T0 + 50_000,
    );
    assert!(s.is_stuck(T0 + 50_000, None), "back to the pair");
    assert!(
        s.is_stuck(T0 + 50_000 + TOGGLING_FOR_MS - 1, None),
        "still deciding"
    );
    assert!(
        !s.is_stuck(T0 + 50_000 + TOGGLING_FOR_MS, None),
        "no switch for a while: not toggling any more"
    );

    // Reaching for the tabs needs a cart, and ends on the next page or
    // after a while.
    let mut s = Session::new(session(3), T0);
    s.apply(&batch(0, T0, vec![page("/"), ShopperEvent::ExitIntent]), T0);
    assert!(!s.is_stuck(T0, None), "nothing in the cart to lose");
    s.apply(
        &batch(1, T0, vec![cart_add(4_900), ShopperEvent::ExitIntent]),
        T0 + 1_000,
    );
    assert!(s.is_stuck(T0 + 1_000, None));
    assert!(!s.is_stuck(T0 + 1_000 + EXIT_INTENT_FOR_MS, None), "stayed");
    s.apply(&batch(2, T0, vec![ShopperEvent::ExitIntent]), T0 + 2_000);
    s.apply(&batch(3, T0 + 3_000, vec![page("/cart")]), T0 + 3_000);
    assert!(!s.is_stuck(T0 + 3_000, None), "went on to the cart");

    // Nothing says trouble once the shopper ordered.
    let mut s = Session::new(session(4), T0);
    s.apply(
        &batch(0, T0, vec![page("/thanks"), order("o-1", 4_900)]),
        T0,
    );
    assert!(!s.is_stuck(T0 + 10 * MINUTE, Some(1_000)));
}

#[test]
fn a_long_stay_in_the_checkout_names_its_step() {
    let mut s = Session::new(session(1), T0);
    let pay = ShopperEvent::CheckoutStep {
        step: 3,
        name: "payment".to_owned(),
        value_minor: None,
        items: vec![],
    };
    s.apply(&batch(0, T0, vec![page("/checkout-payment.html"), pay]), T0);
    assert_eq!(
        s.stuck(T0 + 90_000, Some(30_000)),
        [Stuck::LongDwell {
            page: "payment".to_owned(),
            ms: 90_000,
            usual_ms: 30_000
        }]
    );
    // Back in the shop, the page is its path again.
    s.apply(&batch(1, T0, vec![page("/faq.html")]), T0 + 100_000);
    assert!(matches!(
        &s.stuck(T0 + 200_000, Some(30_000))[..],
        [Stuck::LongDwell { page, .. }] if page == "/faq.html"
    ));
}

#[test]
fn is_stuck_says_what_stuck_does_without_the_reasons() {
    let mut s = Session::new(session(1), T0);
    let check = |s: &Session, now: u64, usual: Option<u64>| {
        assert_eq!(
            s.is_stuck(now, usual),
            !s.stuck(now, usual).is_empty(),
            "{now} {usual:?}"
        );
    };
    s.apply(&batch(0, T0, vec![page("/size-guide")]), T0);
    for (now, usual) in [
        (50_000, Some(10_000)),
        (70_000, Some(10_000)),
        (70_000, Some(30_000)),
        (70_000, None),
    ] {
        check(&s, T0 + now, usual);
    }
    let kinds = vec![page("/a"), product("a"), toggling("a", "b")];
    s.apply(&batch(1, T0, kinds), T0);
    check(&s, T0, None);
    s.apply(
        &batch(2, T0, vec![cart_add(100), ShopperEvent::ExitIntent]),
        T0,
    );
    check(&s, T0, None);
    s.apply(&batch(3, T0, vec![order("o", 1)]), T0);
    check(&s, T0, None);
}

#[test]
fn the_journey_holds_pages_with_their_dwell_and_offers_with_who_sent_them() {
    let mut s = Session::new(session(1), T0);
    s.apply(&batch(0, T0, vec![page_titled("/", "Home")]), T0);
    let left = vec![dwell("/", 4_000), page_titled("/shoes", "Shoes")];
    let dwells = s.apply(&batch(1, T0, left), T0 + 4_000);
    assert_eq!(dwells, [("/".to_owned(), 4_000)]);
    s.offer_sent(
        "of-1",
        "Need help?",
        "sam",
        T0 + 5_000,
        OFFER_EXPIRES_AFTER_MS,
    );
    s.offer_sent(
        "of-1",
        "Need help?",
        "sam",
        T0 + 5_000,
        OFFER_EXPIRES_AFTER_MS,
    );
    let steps: Vec<&Step> = s.journey.entries().map(|e| &e.step).collect();
    assert_eq!(
        steps,
        [
            &Step::Page {
                path: "/".to_owned(),
                title: "Home".to_owned(),
                dwell_ms: Some(4_000)
            },
            &Step::Page {
                path: "/shoes".to_owned(),
                title: "Shoes".to_owned(),
                dwell_ms: None
            },
            &Step::OfferSent {
                offer_id: "of-1".to_owned(),
                text: "Need help?".to_owned(),
                by: "sam".to_owned()
            },
        ]
    );
}

#[test]
fn a_landing_page_heard_late_is_still_how_the_shopper_came_and_where_the_journey_starts() {
    let landing = ShopperEvent::PageView {
        path: "/".to_owned(),
        title: "Home".to_owned(),
        referrer: None,
        utm: Some(Utm {
            source: Some("newsletter".to_owned()),
            medium: Some("email".to_owned()),
            campaign: None,
        }),
    };
    let next = ShopperEvent::PageView {
        path: "/trail-runner".to_owned(),
        title: "Trail Runner".to_owned(),
        referrer: Some("https://shop.example/".to_owned()),
        utm: None,
    };
    let mut s = Session::new(session(1), T0);
    // The second page's batch is heard first, the landing page's after it.
    s.apply(&batch(1, T0 + 150, vec![next]), T0 + 300);
    assert_eq!(s.arrival.source(), "shop.example");
    s.apply(&batch(0, T0, vec![landing]), T0 + 400);
    assert_eq!(s.arrival.source(), "newsletter/email");
    assert_eq!(
        s.page.as_ref().unwrap().path,
        "/trail-runner",
        "still where they are"
    );
    assert_eq!(s.pages_seen, 2);
    assert_eq!(s.lost_batches, 0);
    let paths: Vec<&str> = s.journey.paths().collect();
    assert_eq!(paths, ["/", "/trail-runner"]);
}

#[test]
fn amounts_keep_their_currency_and_a_checkout_lists_the_cart() {
    let mut s = Session::new(session(1), T0);
    let in_usd = |seq, kinds| Batch {
        currency: "USD".to_owned(),
        ..batch(seq, T0, kinds)
    };
    let pay = ShopperEvent::CheckoutStep {
        step: 3,
        name: "payment".to_owned(),
        value_minor: Some(15_898),
        items: vec![line("trail", 1, 12_900), line("socks", 2, 2_998)],
    };
    s.apply(&in_usd(0, vec![page("/checkout"), pay]), T0);
    assert_eq!(s.currency, "USD");
    assert_eq!(
        (s.cart_items(), s.cart_value_minor()),
        (3, 15_898),
        "a shop that reports no cart changes still has a cart"
    );
    // The next page's plugin starts in the shop's default currency: its
    // batch without amounts does not make the dollars euros.
    s.apply(&batch(1, T0, vec![page("/checkout/confirm")]), T0);
    assert_eq!(s.currency, "USD");
    s.apply(&batch(2, T0, vec![cart_add(500)]), T0);
    assert_eq!(s.currency, "EUR", "amounts in euros are in euros");
}
