use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec;

use pretty_assertions::assert_eq;
use proptest::prelude::*;

use super::row::nearest_rank;
use super::*;
use crate::event::ShopperEvent;
use crate::testing::{MINUTE, SEC, T0, batch, order, page, session, session_on};

/// One input as the service would feed it: a batch from `EVENTS`, a chat
/// request or another chat fact from `CHATS`, each with its stream time.
#[derive(Debug, Clone)]
enum Input {
    Batch(SessionSubjects, Batch, u64),
    Asked(SessionSubjects, String, Option<String>, u64),
    Heard(SessionSubjects, u64),
}

fn feed(pages: &mut Pages, inputs: &[Input]) {
    for input in inputs {
        let fed = match input {
            Input::Batch(s, b, at) => pages.batch(s, b, *at),
            Input::Asked(s, chat, offer, at) => pages.asked(s, chat, offer.as_deref(), *at),
            Input::Heard(s, at) => pages.heard(s, *at),
        };
        fed.unwrap();
    }
}

fn folded(config: &PageConfig, inputs: &[Input]) -> Pages {
    let mut pages = Pages::new(config.clone());
    feed(&mut pages, inputs);
    pages
}

fn site() -> SiteId {
    SiteId::new("shoes").unwrap()
}

/// Batch `seq` of session `s` with `kinds`, stored `secs` after [`T0`].
fn b(s: u32, seq: u64, secs: u64, kinds: Vec<ShopperEvent>) -> Input {
    Input::Batch(session(s), batch(seq, T0, kinds), T0 + secs * SEC)
}

/// Chat request `chat` of session `s` (answering `offer`), stored `secs`
/// after [`T0`].
fn ask(s: u32, chat: &str, offer: Option<&str>, secs: u64) -> Input {
    Input::Asked(
        session(s),
        chat.to_owned(),
        offer.map(ToOwned::to_owned),
        T0 + secs * SEC,
    )
}

fn accepted(offer: &str) -> ShopperEvent {
    ShopperEvent::OfferAccepted {
        offer_id: offer.to_owned(),
    }
}

fn row(pattern: &str, sessions: u32) -> PageRow {
    PageRow {
        pattern: pattern.to_owned(),
        sessions,
        asked: 0,
        ask_dwell_median_ms: None,
        ask_dwell_p75_ms: None,
        bought: 0,
        abandoned: 0,
        open: 0,
    }
}

/// Four sessions on the product pages, worked out by hand below.
fn history() -> Vec<Input> {
    vec![
        // 1 asks 30 s into a product page, goes on to the cart and buys.
        b(1, 0, 0, vec![page("/product/123")]),
        ask(1, "c1", None, 30),
        b(1, 1, 100, vec![page("/cart")]),
        b(1, 2, 200, vec![order("o-1", 8_900)]),
        // 2 accepts an offer 50 s into a product page (the chat request
        // that follows is the same ask), and is not heard of again.
        b(2, 0, 0, vec![page("/product/456/")]),
        b(2, 1, 50, vec![accepted("of-2")]),
        ask(2, "c2", Some("of-2"), 52),
        // 3 asks 60 s into the help page and is still chatting.
        b(3, 0, 10, vec![page("/product/789")]),
        b(3, 1, 20, vec![page("/help")]),
        ask(3, "c3", None, 80),
        Input::Heard(session(3), T0 + 29 * MINUTE),
        // 4 only looks.
        b(4, 0, 5, vec![page("/product/123")]),
    ]
}

fn history_rows() -> Vec<PageRow> {
    vec![
        row("/cart", 1),
        PageRow {
            asked: 1,
            ask_dwell_median_ms: Some(60 * SEC),
            ask_dwell_p75_ms: Some(60 * SEC),
            open: 1,
            ..row("/help", 1)
        },
        PageRow {
            asked: 2,
            // [30 s, 50 s]: ranks ⌈1⌉ and ⌈1.5⌉.
            ask_dwell_median_ms: Some(30 * SEC),
            ask_dwell_p75_ms: Some(50 * SEC),
            bought: 1,
            abandoned: 1,
            ..row("/product/:id", 4)
        },
    ]
}

const NOW: u64 = T0 + 40 * MINUTE;

#[test]
fn a_hand_worked_history_gives_its_rows() {
    let pages = folded(&PageConfig::default(), &history());
    assert_eq!(pages.stats(&site(), NOW), history_rows());
    assert_eq!(pages.len(), 4);
    let product = &pages.stats(&site(), NOW)[2];
    assert!((product.contact_propensity() - 0.5).abs() < 1e-12);
    assert!(
        row("/x", 0).contact_propensity().abs() < 1e-12,
        "none of no sessions"
    );
    assert_eq!(pages.stats(&SiteId::new("hats").unwrap(), NOW), vec![]);
}

#[test]
fn product_pages_group_into_one_row_by_default_or_by_pattern() {
    let inputs = [
        b(1, 0, 0, vec![page("/product/123")]),
        b(2, 0, 0, vec![page("/product/456")]),
        b(3, 0, 0, vec![page("/product/trail-shoe-4412")]),
    ];
    let by_default = folded(&PageConfig::default(), &inputs);
    assert_eq!(by_default.stats(&site(), NOW), vec![row("/product/:id", 3)]);
    let config = PageConfig {
        patterns: Patterns::new(["/product/*"]).unwrap(),
        ..PageConfig::default()
    };
    let by_pattern = folded(&config, &inputs);
    assert_eq!(by_pattern.stats(&site(), NOW), vec![row("/product/*", 3)]);
}

#[test]
fn a_batch_or_request_heard_twice_counts_once() {
    let once = folded(&PageConfig::default(), &history());
    // The whole history replayed over itself (a restart reading from the
    // start while live traffic was taken already).
    let mut twice = history();
    twice.extend(history());
    assert_eq!(
        folded(&PageConfig::default(), &twice).stats(&site(), NOW),
        once.stats(&site(), NOW)
    );
    // A resend stored later under the same number changes nothing, even
    // with other events in it.
    let mut resent = history();
    resent.push(b(2, 1, 70, vec![page("/cart"), order("o-2", 100)]));
    resent.push(ask(1, "c1", None, 35));
    assert_eq!(
        folded(&PageConfig::default(), &resent).stats(&site(), NOW),
        history_rows()
    );
}

#[test]
fn an_offer_accepted_and_its_chat_request_are_one_ask_on_the_page_it_was_accepted_on() {
    let inputs = [
        b(1, 0, 0, vec![page("/product/1")]),
        b(1, 1, 40, vec![accepted("of-1")]),
        // The next page's batch is stored before the chat request.
        b(1, 2, 41, vec![page("/cart")]),
        ask(1, "c1", Some("of-1"), 42),
    ];
    let pages = folded(&PageConfig::default(), &inputs);
    let rows = pages.stats(&site(), T0 + MINUTE);
    assert_eq!(
        rows,
        vec![
            row("/cart", 1),
            PageRow {
                asked: 1,
                ask_dwell_median_ms: Some(40 * SEC),
                ask_dwell_p75_ms: Some(40 * SEC),
                open: 1,
                ..row("/product/:id", 1)
            },
        ]
    );
    // Two asks in one visit of a page (an offer accepted, and the launcher
    // as well) are one ask there, at the first.
    let inputs = [
        b(1, 0, 0, vec![page("/product/1")]),
        ask(1, "c9", None, 20),
        b(1, 1, 40, vec![accepted("of-1")]),
    ];
    let pages = folded(&PageConfig::default(), &inputs);
    let product = &pages.stats(&site(), T0 + MINUTE)[0];
    assert_eq!(
        (product.asked, product.ask_dwell_median_ms),
        (1, Some(20 * SEC))
    );
}

#[test]
fn an_ask_falls_in_the_visit_it_was_heard_in_events_of_one_batch_in_their_order() {
    // One batch: a page, an offer accepted on it, the next page.
    let inputs = [
        b(1, 0, 0, vec![page("/a")]),
        b(1, 1, 30, vec![page("/b"), accepted("of-1"), page("/c")]),
        // A chat request heard in the same millisecond as a batch comes
        // after it: on /d, not /c.
        b(1, 2, 60, vec![page("/d")]),
        ask(1, "c1", None, 60),
        // Before any page view: on no known page.
        b(2, 0, 10, vec![page("/a")]),
        ask(2, "c2", None, 5),
    ];
    let rows = folded(&PageConfig::default(), &inputs).stats(&site(), T0 + MINUTE);
    let asked: Vec<(&str, u32, Option<u64>)> = rows
        .iter()
        .map(|r| (r.pattern.as_str(), r.asked, r.ask_dwell_median_ms))
        .collect();
    assert_eq!(
        asked,
        vec![
            ("/a", 0, None),
            ("/b", 1, Some(0)),
            ("/c", 0, None),
            ("/d", 1, Some(0)),
        ]
    );
    assert_eq!(rows[0].sessions, 2);
}

#[test]
fn inputs_in_another_order_give_the_same_rows() {
    let inputs = history();
    let mut reversed = inputs.clone();
    reversed.reverse();
    let config = PageConfig::default();
    assert_eq!(
        folded(&config, &reversed).stats(&site(), NOW),
        history_rows()
    );
    for shift in 1..inputs.len() {
        let mut rotated = inputs.clone();
        rotated.rotate_left(shift);
        assert_eq!(
            folded(&config, &rotated).stats(&site(), NOW),
            history_rows(),
            "rotated by {shift}"
        );
    }
    // Each stream in its order, but all of CHATS read before EVENTS.
    let (chats, events): (Vec<Input>, Vec<Input>) = inputs
        .into_iter()
        .partition(|i| !matches!(i, Input::Batch(..)));
    let chats_first: Vec<Input> = chats.into_iter().chain(events).collect();
    assert_eq!(
        folded(&config, &chats_first).stats(&site(), NOW),
        history_rows()
    );
}

#[test]
fn percentiles_are_by_nearest_rank() {
    let cases: [(&[u64], Option<u64>, Option<u64>); 7] = [
        (&[], None, None),
        (&[7], Some(7), Some(7)),
        // n = 2: ranks ⌈1⌉ = 1 and ⌈1.5⌉ = 2.
        (&[10, 20], Some(10), Some(20)),
        // n = 4: ranks 2 and 3: the lower middle, never an average.
        (&[10, 20, 30, 40], Some(20), Some(30)),
        // n = 5: ranks ⌈2.5⌉ = 3 and ⌈3.75⌉ = 4.
        (&[10, 20, 30, 40, 50], Some(30), Some(40)),
        // n = 8: ranks 4 and 6.
        (&[1, 2, 3, 4, 5, 6, 7, 8], Some(4), Some(6)),
        (&[5, 5, 5, 9], Some(5), Some(5)),
    ];
    for (sorted, median, p75) in cases {
        assert_eq!(nearest_rank(sorted, 50), median, "median of {sorted:?}");
        assert_eq!(nearest_rank(sorted, 75), p75, "p75 of {sorted:?}");
    }
    assert_eq!(nearest_rank(&[1, 2, 3], 0), Some(1));
    assert_eq!(nearest_rank(&[1, 2, 3], 100), Some(3));
}

#[test]
fn a_pages_dwell_before_asking_is_its_median_and_p75_over_sessions() {
    // Five sessions ask 10, 50, 20, 40, 30 s into the page; a sixth asks
    // twice on two visits of it and counts once, by its first (90 s).
    let mut inputs = Vec::new();
    for (s, secs) in [10, 50, 20, 40, 30].into_iter().enumerate() {
        let s = u32::try_from(s).unwrap();
        inputs.push(b(s, 0, 0, vec![page("/size-guide")]));
        inputs.push(ask(s, "c", None, secs));
    }
    inputs.extend([
        b(9, 0, 0, vec![page("/size-guide")]),
        ask(9, "c1", None, 90),
        b(9, 1, 100, vec![page("/cart")]),
        b(9, 2, 110, vec![page("/size-guide")]),
        ask(9, "c2", None, 111),
    ]);
    let rows = folded(&PageConfig::default(), &inputs).stats(&site(), T0 + 2 * MINUTE);
    let guide = &rows[1];
    assert_eq!(guide.pattern, "/size-guide");
    assert_eq!((guide.sessions, guide.asked, guide.open), (6, 6, 6));
    // [10, 20, 30, 40, 50, 90]: ranks 3 and ⌈4.5⌉ = 5.
    assert_eq!(guide.ask_dwell_median_ms, Some(30 * SEC));
    assert_eq!(guide.ask_dwell_p75_ms, Some(50 * SEC));
}

#[test]
fn after_asking_a_session_bought_abandoned_or_is_still_open() {
    let inputs = [
        // Bought after asking.
        b(1, 0, 0, vec![page("/p")]),
        ask(1, "c1", None, 10),
        b(1, 1, 20, vec![order("o-1", 100)]),
        // Bought before asking, then asked (about the order), then gone:
        // the order is not after the ask.
        b(2, 0, 0, vec![page("/p"), order("o-2", 100)]),
        ask(2, "c2", None, 10),
        // Asked, then quiet for the timeout exactly: over.
        b(3, 0, 0, vec![page("/p")]),
        ask(3, "c3", None, 10),
        // Asked, still heard within the timeout: open.
        b(4, 0, 0, vec![page("/p")]),
        ask(4, "c4", None, 10),
        Input::Heard(session(4), T0 + 10 * SEC + 20 * MINUTE),
    ];
    let pages = folded(&PageConfig::default(), &inputs);
    let at = |now: u64| {
        let p = &pages.stats(&site(), now)[0];
        (p.asked, p.bought, p.abandoned, p.open)
    };
    assert_eq!(at(T0 + 10 * SEC + 30 * MINUTE), (4, 1, 2, 1));
    assert_eq!(
        at(T0 + 10 * SEC + 30 * MINUTE - 1),
        (4, 1, 0, 3),
        "a millisecond before the timeout nobody is over"
    );
    assert_eq!(
        at(T0 + 10 * SEC + 50 * MINUTE),
        (4, 1, 3, 0),
        "the chatting shopper's session is over too, later"
    );
}

#[test]
fn sessions_age_out_of_the_window_and_their_patterns_with_them() {
    let day = 24 * 60 * MINUTE;
    let config = PageConfig {
        window_ms: 2 * day,
        max_patterns_per_site: 2,
        ..PageConfig::default()
    };
    let mut pages = Pages::new(config);
    let at = |d: u64| T0 + d * day;
    feed(
        &mut pages,
        &[
            Input::Batch(session(1), batch(0, T0, vec![page("/old")]), at(0)),
            Input::Batch(session(2), batch(0, T0, vec![page("/kept")]), at(1)),
        ],
    );
    // Out of the window already at day 2 and a bit, swept or not.
    let later = at(2) + 1;
    assert_eq!(pages.stats(&site(), later), vec![row("/kept", 1)]);
    assert_eq!(pages.sweep(at(2)), 0, "first heard exactly at the edge");
    assert_eq!(pages.sweep(later), 1);
    assert_eq!(pages.len(), 1);
    assert_eq!(pages.stats(&site(), later), vec![row("/kept", 1)]);
    // The forgotten pattern's slot is free again: a new pattern fits.
    feed(
        &mut pages,
        &[Input::Batch(
            session(3),
            batch(0, T0, vec![page("/new")]),
            later,
        )],
    );
    assert_eq!(
        pages.stats(&site(), later),
        vec![row("/kept", 1), row("/new", 1)]
    );
    assert_eq!(pages.overflowed(&site()), 0);
    assert_eq!(pages.sweep(at(3) + 1), 1);
    assert_eq!(pages.stats(&site(), at(3) + 1), vec![row("/new", 1)]);
}

#[test]
fn patterns_beyond_a_sites_bound_share_the_overflow_row_and_are_counted() {
    let config = PageConfig {
        max_patterns_per_site: 2,
        ..PageConfig::default()
    };
    let inputs = [
        b(1, 0, 0, vec![page("/a"), page("/b"), page("/c")]),
        b(2, 0, 0, vec![page("/d"), page("/a")]),
        ask(2, "c2", None, 20),
        // Another site has its own bound.
        Input::Batch(session_on("hats", 1), batch(0, T0, vec![page("/c")]), T0),
    ];
    let pages = folded(&config, &inputs);
    assert_eq!(
        pages.stats(&site(), NOW),
        vec![
            row("(other)", 2),
            PageRow {
                asked: 1,
                ask_dwell_median_ms: Some(20 * SEC),
                ask_dwell_p75_ms: Some(20 * SEC),
                abandoned: 1,
                ..row("/a", 2)
            },
            row("/b", 1),
        ]
    );
    assert_eq!(pages.overflowed(&site()), 2, "/c and /d");
    let hats = SiteId::new("hats").unwrap();
    assert_eq!(pages.stats(&hats, NOW), vec![row("/c", 1)]);
    assert_eq!(pages.overflowed(&hats), 0);
}

#[test]
fn sessions_beyond_the_bound_are_refused_and_counted() {
    let mut pages = Pages::new(PageConfig {
        max_sessions: 2,
        ..PageConfig::default()
    });
    feed(
        &mut pages,
        &[b(1, 0, 0, vec![page("/a")]), ask(2, "c2", None, 0)],
    );
    assert_eq!(
        pages.batch(&session(3), &batch(0, T0, vec![page("/a")]), T0),
        Err(Full { max: 2 })
    );
    assert_eq!(
        pages.asked(&session(4), "c4", None, T0),
        Err(Full { max: 2 })
    );
    assert_eq!(pages.heard(&session(5), T0), Err(Full { max: 2 }));
    assert_eq!((pages.len(), pages.refused()), (2, 3));
    // Known sessions carry on.
    feed(&mut pages, &[b(2, 0, 1, vec![page("/a")])]);
    assert_eq!(pages.stats(&site(), T0 + MINUTE)[0].sessions, 2);
    // Room again once one ages out.
    pages.sweep(T0 + 8 * 24 * 60 * MINUTE);
    assert!(pages.is_empty());
    assert_eq!(pages.heard(&session(3), T0 + 8 * 24 * 60 * MINUTE), Ok(()));
}

#[test]
fn a_session_keeps_its_earliest_views_and_asks() {
    let config = PageConfig {
        max_views_per_session: 2,
        max_asks_per_session: 1,
        ..PageConfig::default()
    };
    // Views at 0, 10 and 20 s: the third is left out, so the second visit
    // ends at 20 s, and an ask after it is on no page kept.
    let inputs = [
        b(1, 2, 20, vec![page("/c")]),
        ask(1, "late", None, 25),
        b(1, 1, 10, vec![page("/b")]),
        b(1, 0, 0, vec![page("/a")]),
        // One ask kept: the earliest, whatever came first.
        b(2, 0, 0, vec![page("/a")]),
        ask(2, "second", None, 40),
        ask(2, "first", None, 30),
    ];
    let rows = folded(&config, &inputs).stats(&site(), T0 + MINUTE);
    let seen: Vec<(&str, u32, u32, Option<u64>)> = rows
        .iter()
        .map(|r| {
            (
                r.pattern.as_str(),
                r.sessions,
                r.asked,
                r.ask_dwell_median_ms,
            )
        })
        .collect();
    assert_eq!(seen, vec![("/a", 2, 1, Some(30 * SEC)), ("/b", 1, 0, None)]);
    let mut reversed = inputs.to_vec();
    reversed.reverse();
    assert_eq!(folded(&config, &reversed).stats(&site(), T0 + MINUTE), rows);
}

#[test]
fn the_usual_dwell_before_asking_is_given_once_enough_asked() {
    let config = PageConfig {
        min_asks: 2,
        patterns: Patterns::new(["/product/*"]).unwrap(),
        ..PageConfig::default()
    };
    let pages = folded(&config, &history());
    let mut usual = UsualAsks::new(&config);
    usual.set(site(), &pages.stats(&site(), NOW));
    assert_eq!(usual.usual_ms(&site(), "/product/anything"), Some(30 * SEC));
    assert_eq!(
        usual.usual_ms(&site(), "/help"),
        None,
        "one ask is not enough"
    );
    assert_eq!(usual.usual_ms(&site(), "/cart"), None);
    assert_eq!(
        usual.usual_ms(&SiteId::new("hats").unwrap(), "/product/1"),
        None
    );
    assert!(!usual.has_passed(&site(), "/product/1", 30 * SEC));
    assert!(usual.has_passed(&site(), "/product/1", 30 * SEC + 1));
    assert!(!usual.has_passed(&site(), "/help", 99 * MINUTE));
    // The default asks for five.
    let default = folded(&PageConfig::default(), &history()).stats(&site(), NOW);
    assert_eq!(
        default[2].usual_ask_dwell_ms(PageConfig::default().min_asks),
        None
    );
    assert_eq!(default[2].usual_ask_dwell_ms(2), Some(30 * SEC));
    assert_eq!(
        row("/x", 3).usual_ask_dwell_ms(0),
        None,
        "no asks, no usual"
    );
}

#[test]
fn patterns_are_read_with_a_typed_error_saying_which_and_why() {
    use PatternErrorKind as K;
    let cases: [(&[&str], usize, K); 9] = [
        (&["/a", ""], 1, K::Empty),
        (&["product/*"], 0, K::NotAbsolute),
        (&["/a//b"], 0, K::EmptySegment),
        (&["/a/b "], 0, K::Character),
        (&["/search?q=*"], 0, K::Character),
        (&["/p/*.html"], 0, K::PartialWildcard),
        (&["/p/***"], 0, K::PartialWildcard),
        (&["/help/**/faq"], 0, K::RestNotLast),
        (&["/product/*", "/b", "/product/*/"], 2, K::Duplicate),
    ];
    for (patterns, index, kind) in cases {
        let error = Patterns::new(patterns).unwrap_err();
        assert_eq!((error.index, error.kind()), (index, kind), "{patterns:?}");
        assert_eq!(error.pattern, patterns[index]);
    }
    let error = Patterns::new(["/a//b"]).unwrap_err();
    assert_eq!(
        alloc::format!("{error}"),
        "page pattern 1 '/a//b' has an empty segment ('//')"
    );
    let patterns = Patterns::new(["/", "/product/*/", "/help/**"]).unwrap();
    assert_eq!(
        patterns.iter().collect::<Vec<_>>(),
        ["/", "/product/*", "/help/**"],
        "normalised"
    );
}

#[test]
fn paths_match_the_first_pattern_segment_by_segment() {
    let patterns = Patterns::new([
        "/",
        "/product/*/reviews",
        "/product/*",
        "/help/**",
        "/*/sale",
    ])
    .unwrap();
    let cases = [
        ("/", "/"),
        ("", "/"),
        ("//", "/"),
        ("/product/123", "/product/*"),
        ("/product/trail-shoe/", "/product/*"),
        ("/product//trail-shoe", "/product/*"),
        ("/product/trail-shoe/reviews", "/product/*/reviews"),
        ("/product/trail-shoe?colour=red#top", "/product/*"),
        // `*` is one segment, not none nor two.
        ("/product", "/product"),
        ("/product/1/2", "/product/:id/:id"),
        // `**` is any rest, none included.
        ("/help", "/help/**"),
        ("/help/returns/eu", "/help/**"),
        ("/helpdesk", "/helpdesk"),
        ("/shoes/sale", "/*/sale"),
        // Literals are case-sensitive, as paths are.
        ("/Product/123", "/Product/:id"),
        ("/shoes/trail", "/shoes/trail"),
        ("/order/12345/", "/order/:id"),
    ];
    for (path, pattern) in cases {
        assert_eq!(patterns.group(path), pattern, "{path:?}");
    }
    assert_eq!(Patterns::default().group("/product/123"), "/product/:id");
}

#[test]
fn id_like_segments_are_numbers_uuids_hex_codes_and_slugs_ending_in_one() {
    let id_like = [
        // 1. numbers
        "7",
        "12345",
        "2024",
        // 2. UUIDs
        "3f2b8c1e-9d4a-4f6b-8e2d-7a1c5b9e0f3d",
        "3F2B8C1E-9D4A-4F6B-8E2D-7A1C5B9E0F3D",
        // 3. long hex
        "deadbeefdeadbeef",
        "507f1f77bcf86cd799439011",
        // 4. codes
        "B08N5WRWNW",
        "a3f9c2e1",
        "sku12345",
        "0001abcd",
        "abc123def456",
        // 5. slugs ending in an id
        "trail-shoe-4412",
        "summer-2024",
        "nike-trail-ni112a0xy",
        "item_00042",
        // extensions set aside
        "4412.html",
        "trail-shoe-4412.html",
        "B08N5WRWNW.php",
    ];
    let words = [
        "shoes",
        "trail",
        "checkout",
        "payment",
        "deadbeef",
        "iphone15",
        "mp3player",
        "covid19vaccine",
        "windows11",
        "size-42",
        "x86_64",
        "trail-shoe",
        "v2",
        "2fa",
        "4k-tv",
        "index.html",
        "v1.2",
        "größe-42",
        "東京",
        "trail%20shoe",
        "3f2b8c1e-9d4a-4f6b-8e2d",
        ".12345x",
    ];
    for segment in id_like {
        assert!(is_id_like(segment), "{segment} is id-like");
    }
    for segment in words {
        assert!(!is_id_like(segment), "{segment} is a word");
    }
    let paths = [
        ("/order/12345", "/order/:id"),
        ("/product/trail-shoe-4412/", "/product/:id"),
        ("/dp/B08N5WRWNW/ref/abc", "/dp/:id/ref/abc"),
        ("/shoes/trail", "/shoes/trail"),
        ("/checkout/payment", "/checkout/payment"),
        ("/blog/2024/06/spring", "/blog/:id/:id/spring"),
        ("/", "/"),
    ];
    for (path, pattern) in paths {
        assert_eq!(default_pattern(path), pattern, "{path:?}");
    }
    assert_eq!(ID, ":id");
}

#[test]
fn configuration_and_rows_read_and_write_as_json_with_documented_names() {
    let config = PageConfig {
        patterns: Patterns::new(["/product/*"]).unwrap(),
        ..PageConfig::default()
    };
    let json = serde_json::to_string(&config).unwrap();
    assert_eq!(
        json,
        r#"{"patterns":["/product/*"],"window_ms":604800000,"session_timeout_ms":1800000,"min_asks":5,"max_patterns_per_site":5000,"max_sessions":500000,"max_views_per_session":200,"max_asks_per_session":16}"#
    );
    assert_eq!(serde_json::from_str::<PageConfig>(&json).unwrap(), config);
    // Every field may be left out.
    let partial: PageConfig = serde_json::from_str(r#"{"patterns":["/p/*"]}"#).unwrap();
    assert_eq!(partial.window_ms, PageConfig::default().window_ms);
    let bad = serde_json::from_str::<PageConfig>(r#"{"patterns":["/p//x"]}"#).unwrap_err();
    assert!(
        bad.to_string()
            .contains("page pattern 1 '/p//x' has an empty segment"),
        "{bad}"
    );
    assert!(
        serde_json::from_str::<PageConfig>(r#"{"window":1}"#).is_err(),
        "a typo is refused"
    );

    let rows = history_rows();
    let json = serde_json::to_string(&rows[1]).unwrap();
    assert_eq!(
        json,
        r#"{"pattern":"/help","sessions":1,"asked":1,"ask_dwell_median_ms":60000,"ask_dwell_p75_ms":60000,"bought":0,"abandoned":0,"open":1}"#
    );
    let back: Vec<PageRow> = serde_json::from_str(&serde_json::to_string(&rows).unwrap()).unwrap();
    assert_eq!(back, rows);
}

/// What a shopper does, for the property below.
#[derive(Debug, Clone)]
enum Act {
    /// A batch of page views (by path index), offers accepted (by offer
    /// number) and orders.
    Batch(Vec<(u8, u8)>),
    /// A chat request, maybe answering an offer.
    Request(u8, Option<u8>),
    /// Another chat fact.
    Chat,
}

const PATHS: [&str; 5] = ["/", "/product/1", "/product/2", "/cart", "/help/returns"];

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        4 => proptest::collection::vec((0u8..7, 0u8..3), 1..4).prop_map(Act::Batch),
        2 => (0u8..4, proptest::option::of(0u8..3)).prop_map(|(c, o)| Act::Request(c, o)),
        1 => Just(Act::Chat),
    ]
}

/// Inputs of three sessions doing `acts` (each after a gap of 0 to 90 s,
/// so some share a millisecond), some of them heard twice.
fn inputs(acts: &[(u8, u8, Act, bool)]) -> Vec<Input> {
    let mut clock = [T0; 3];
    let mut seqs = [0u64; 3];
    let mut inputs = Vec::new();
    for (s, gap, act, twice) in acts {
        let i = usize::from(*s);
        let who = session(s);
        clock[i] += u64::from(*gap) * SEC;
        let at = clock[i];
        let input = match act {
            Act::Batch(kinds) => {
                let kinds = kinds
                    .iter()
                    .map(|(kind, n)| match kind {
                        0..=4 => page(PATHS[usize::from(*kind)]),
                        5 => accepted(&alloc::format!("of-{s}-{n}")),
                        _ => order(&alloc::format!("o-{s}-{n}"), 100),
                    })
                    .collect();
                seqs[i] += 1;
                Input::Batch(who, batch(seqs[i], T0, kinds), at)
            }
            Act::Request(chat, offer) => Input::Asked(
                who,
                alloc::format!("c-{s}-{chat}"),
                offer.map(|n| alloc::format!("of-{s}-{n}")),
                at,
            ),
            Act::Chat => Input::Heard(who, at),
        };
        if *twice {
            inputs.push(input.clone());
        }
        inputs.push(input);
    }
    inputs
}

fn shuffled() -> impl Strategy<Value = (Vec<Input>, Vec<Input>)> {
    proptest::collection::vec(
        (0u8..3, 0u8..90, act(), proptest::bool::weighted(0.2)),
        0..40,
    )
    .prop_flat_map(|acts| {
        let inputs = inputs(&acts);
        (Just(inputs.clone()), Just(inputs).prop_shuffle())
    })
}

proptest! {
    #[test]
    fn any_order_of_the_same_inputs_gives_the_same_rows((inputs, shuffled) in shuffled()) {
        // Small bounds, so what they keep is put to the test too.
        let config = PageConfig {
            max_views_per_session: 4,
            max_asks_per_session: 2,
            ..PageConfig::default()
        };
        let in_order = folded(&config, &inputs);
        let any_order = folded(&config, &shuffled);
        for now in [T0 + 10 * MINUTE, T0 + 60 * MINUTE, T0 + 200 * MINUTE] {
            let rows = in_order.stats(&site(), now);
            for r in &rows {
                prop_assert!(r.asked <= r.sessions);
                prop_assert_eq!(r.asked, r.bought + r.abandoned + r.open);
                prop_assert!(r.ask_dwell_median_ms <= r.ask_dwell_p75_ms);
            }
            prop_assert_eq!(rows, any_order.stats(&site(), now));
        }
    }
}
