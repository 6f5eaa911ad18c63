// The storefront plugin in headless Chromium, streaming through the gate.

use std::time::{Duration, Instant};

use floorwalker::gate::policy::Role;
use floorwalker_shared::chat::{ChatEnvelope, ChatFact};
use floorwalker_shared::event::{Batch, Push, PushEnvelope, ShopperEvent};
use floorwalker_shared::nats::{ClientOp, ServerOp};
use floorwalker_shared::subject::{self, SessionSubjects, Subject};
use floorwalker_shared::wire::{decode_batch, encode_push};
use floorwalker_tests::browser::{Browser, Shop};
use floorwalker_tests::clients::{connect_operator, try_connect_operator};
use floorwalker_tests::raw::{RawClient, Tcp};
use floorwalker_tests::server::TestServer;
use floorwalker_tests::setup::{create_streams, js_request, shop_and_server};
use floorwalker_tests::wait_until;
use serde_json::json;

/// Batches received, with the subject each came on.
struct Received {
    batches: Vec<(Subject, Batch)>,
}

impl Received {
    fn events(&self) -> Vec<&ShopperEvent> {
        self.batches
            .iter()
            .flat_map(|(_, b)| b.events.iter().map(|e| &e.kind))
            .collect()
    }
}

/// Reads batches until `done` holds for what has arrived, or fails after a while.
fn receive_until(
    ops: &mut RawClient<Tcp>,
    received: &mut Received,
    done: impl Fn(&Received) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(received) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "timed out; received so far: {:#?}",
            received.events()
        );
        match ops.next_significant(left) {
            Ok(ServerOp::Msg(msg)) => {
                let batch = decode_batch(&msg.payload).expect("the plugin sends valid batches");
                received.batches.push((msg.subject, batch));
            }
            Ok(_) => {}
            Err(e) => panic!("reading batches: {e:?}; so far: {:#?}", received.events()),
        }
    }
}

/// The shop and server, and a dashboard watching every shopper's events.
fn shop_and_watcher() -> (Shop, TestServer, RawClient<Tcp>) {
    let (shop, server) = shop_and_server();
    let mut ops = connect_operator(&server, Role::Dashboard);
    ops.send(&[ClientOp::Sub {
        subject: subject::all_sites_events(),
        queue: None,
        sid: 1,
    }])
    .unwrap();
    (shop, server, ops)
}

pub(crate) fn is_page(event: &ShopperEvent, want: &str) -> bool {
    matches!(event, ShopperEvent::PageView { path, .. } if path == want)
}

#[test]
fn the_plugin_streams_page_views_and_route_changes_through_the_gate() {
    let (shop, _server, mut ops) = shop_and_watcher();

    let browser = Browser::start();
    browser.goto(&shop.url("/?utm_source=newsletter&utm_medium=email&utm_campaign=spring"));
    let mut received = Received {
        batches: Vec::new(),
    };
    receive_until(&mut ops, &mut received, |r| {
        r.events().iter().any(|e| is_page(e, "/"))
    });
    let ShopperEvent::PageView { title, utm, .. } = received.events()[0] else {
        panic!(
            "the first event is not the landing page view: {:#?}",
            received.events()
        )
    };
    assert_eq!(title, "Floorwalker demo shop");
    let utm = utm.as_ref().expect("campaign parameters");
    assert_eq!(
        (
            utm.source.as_deref(),
            utm.medium.as_deref(),
            utm.campaign.as_deref()
        ),
        (Some("newsletter"), Some("email"), Some("spring"))
    );

    // A single-page route change, which fires no browser event.
    browser.execute("history.pushState({}, '', '/product/trail-runner'); return true;");
    receive_until(&mut ops, &mut received, |r| {
        r.events()
            .iter()
            .any(|e| is_page(e, "/product/trail-runner"))
    });
    let events = received.events();
    let left_home = events
        .iter()
        .position(|e| matches!(e, ShopperEvent::Dwell { path, .. } if path == "/"));
    let product = events
        .iter()
        .position(|e| is_page(e, "/product/trail-runner"));
    assert!(
        left_home.is_some() && left_home < product,
        "no dwell on the landing page before the route: {events:#?}"
    );

    // Scrolling to the bottom of a long page is reported, quarter by quarter.
    browser
        .execute("document.body.style.minHeight = '8000px'; window.scrollTo(0, 1e6); return true;");
    receive_until(&mut ops, &mut received, |r| {
        r.events()
            .iter()
            .any(|e| matches!(e, ShopperEvent::ScrollDepth { percent: 100, .. }))
    });
    let depths: Vec<(&str, u8)> = received
        .events()
        .into_iter()
        .filter_map(|e| match e {
            ShopperEvent::ScrollDepth { path, percent } => Some((path.as_str(), *percent)),
            _ => None,
        })
        .collect();
    assert_eq!(
        depths.last(),
        Some(&("/product/trail-runner", 100)),
        "{depths:?}"
    );

    // One session: every batch on one subject, numbered in order.
    let subjects: Vec<&Subject> = received.batches.iter().map(|(s, _)| s).collect();
    assert!(subjects.windows(2).all(|w| w[0] == w[1]), "{subjects:?}");
    let seqs: Vec<u64> = received.batches.iter().map(|(_, b)| b.seq).collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
}

/// Publishing `push` to a shopper's push subject, as an operator does.
fn push_op(subject: &Subject, push: Push) -> ClientOp {
    ClientOp::Pub {
        subject: subject.clone(),
        reply: None,
        headers: None,
        payload: encode_push(&PushEnvelope::new(push)),
    }
}

/// Every batch the EVENTS stream holds, in order, as stored; `None` while
/// the admin cannot connect (the gate is still reconnecting after a
/// restart).
fn stored_payloads(server: &TestServer) -> Option<Vec<Vec<u8>>> {
    let mut admin = try_connect_operator(server, Role::Admin).ok()?;
    let info = js_request(&mut admin, "$JS.API.STREAM.INFO.EVENTS", "");
    let last = info["state"]["last_seq"].as_u64().unwrap_or(0);
    (1..=last)
        .map(|seq| {
            let reply = js_request(
                &mut admin,
                "$JS.API.STREAM.MSG.GET.EVENTS",
                &format!("{{\"seq\":{seq}}}"),
            );
            let data = reply["message"]["data"]
                .as_str()
                .unwrap_or_else(|| panic!("no message {seq}: {reply}"));
            data_encoding::BASE64.decode(data.as_bytes()).unwrap()
        })
        .collect::<Vec<_>>()
        .into()
}

/// Every batch the EVENTS stream holds, in order; `None` while the admin
/// cannot connect.
pub(crate) fn stored_batches(server: &TestServer) -> Option<Vec<Batch>> {
    let payloads = stored_payloads(server)?;
    payloads
        .iter()
        .map(|bytes| decode_batch(bytes).expect("a valid stored batch"))
        .collect::<Vec<_>>()
        .into()
}

/// The paths of the page views in `batches`, in order.
pub(crate) fn page_views(batches: &[Batch]) -> Vec<&str> {
    batches
        .iter()
        .flat_map(|b| &b.events)
        .filter_map(|e| match &e.kind {
            ShopperEvent::PageView { path, .. } => Some(path.as_str()),
            _ => None,
        })
        .collect()
}

pub(crate) fn stored_until(
    server: &TestServer,
    done: impl Fn(&[&ShopperEvent]) -> bool,
) -> Vec<Batch> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let batches = stored_batches(server).unwrap_or_default();
        let events: Vec<&ShopperEvent> = batches
            .iter()
            .flat_map(|b| b.events.iter().map(|e| &e.kind))
            .collect();
        if done(&events) {
            return batches;
        }
        assert!(
            Instant::now() < deadline,
            "timed out; stored so far: {events:#?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn events_captured_while_the_server_is_down_arrive_after_it_returns_once_each() {
    let (shop, mut server) = shop_and_server();
    create_streams(&server);
    let browser = Browser::start();
    browser.goto(&shop.url("/"));
    stored_until(&server, |events| events.iter().any(|e| is_page(e, "/")));

    let down = Instant::now();
    server.stop_server();
    browser.execute("history.pushState({}, '', '/product/a'); return true;");
    // The shopper's pace: the second route change a moment after the first.
    std::thread::sleep(Duration::from_millis(300));
    browser.execute("history.pushState({}, '', '/product/b'); return true;");
    // The outage under test: the server stays down five seconds in all.
    std::thread::sleep(Duration::from_secs(5).saturating_sub(down.elapsed()));
    server.start_server();

    let batches = stored_until(&server, |events| {
        events.iter().any(|e| is_page(e, "/product/b"))
    });
    let seqs: Vec<u64> = batches.iter().map(|b| b.seq).collect();
    let mut unique = seqs.clone();
    unique.dedup();
    assert_eq!(seqs, unique, "a batch was stored twice");
    let views = page_views(&batches);
    assert_eq!(
        views,
        ["/", "/product/a", "/product/b"],
        "views lost, duplicated or reordered"
    );
}

#[test]
fn pages_left_while_the_server_is_down_keep_their_events_for_the_next_page() {
    let (shop, mut server) = shop_and_server();
    create_streams(&server);
    let browser = Browser::start();
    server.stop_server();
    // Two whole pages the plugin never connects on: the first page's events
    // must survive its unload. (A page left before the plugin even loads
    // has nothing to keep: wait for it on each.)
    browser.goto(&shop.url("/"));
    browser.wait_for_plugin();
    browser.goto(&shop.url("/shoes.html"));
    browser.wait_for_plugin();
    browser.goto(&shop.url("/trail-runner.html"));
    server.start_server();

    let batches = stored_until(&server, |events| {
        events.iter().any(|e| is_page(e, "/trail-runner.html"))
    });
    let views = page_views(&batches);
    assert_eq!(views, ["/", "/shoes.html", "/trail-runner.html"]);
    let mut seqs: Vec<u64> = batches.iter().map(|b| b.seq).collect();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), batches.len(), "a batch was sent twice");
}

/// A step of a journey: what the shopper does, and the event that shows it
/// arrived.
type Act<'a> = &'a dyn Fn(&Browser);
type Arrived<'a> = &'a dyn Fn(&ShopperEvent) -> bool;

fn product_view(event: &ShopperEvent, want: &str) -> bool {
    matches!(event, ShopperEvent::ProductViewed { sku, .. } if sku == want)
}

#[test]
fn a_shopper_journey_through_the_demo_shop_arrives_in_order_as_one_session() {
    let (shop, _server, mut ops) = shop_and_watcher();
    let mut received = Received {
        batches: Vec::new(),
    };
    let browser = Browser::start();

    // Arrive from another site (localhost is another origin than 127.0.0.1)
    // through a campaign link.
    let port = shop.origin().rsplit(':').next().unwrap().to_owned();
    browser.goto(&format!("http://localhost:{port}/shop.css"));
    let landing = shop.url("/?utm_source=newsletter&utm_medium=email&utm_campaign=spring");
    browser.execute(&format!("location.href = '{landing}'; return true;"));
    receive_until(&mut ops, &mut received, |r| {
        r.events().iter().any(|e| is_page(e, "/"))
    });

    let steps: [(Act, Arrived); 7] = [
        (&|b| b.click("#to-shoes"), &|e| is_page(e, "/shoes.html")),
        (&|b| b.click("#to-trail-runner"), &|e| {
            product_view(e, "trail-runner")
        }),
        (&|b| b.goto(&shop.url("/road-racer.html")), &|e| {
            product_view(e, "road-racer")
        }),
        (&|b| b.goto(&shop.url("/trail-runner.html")), &|e| {
            matches!(e, ShopperEvent::ProductToggling { .. })
        }),
        (&|b| b.click("#add"), &|e| {
            matches!(e, ShopperEvent::CartAdd(_))
        }),
        (&|b| b.goto(&shop.url("/cart.html")), &|e| {
            is_page(e, "/cart.html")
        }),
        (&|b| b.click("#checkout"), &|e| {
            matches!(e, ShopperEvent::CheckoutStep { .. })
        }),
    ];
    for (act, arrived) in steps {
        act(&browser);
        receive_until(&mut ops, &mut received, |r| {
            r.events().iter().any(|e| arrived(e))
        });
    }

    let events = received.events();
    let ShopperEvent::PageView { referrer, utm, .. } =
        events.iter().find(|e| is_page(e, "/")).unwrap()
    else {
        unreachable!()
    };
    assert_eq!(
        referrer.as_deref(),
        Some(format!("http://localhost:{port}/").as_str()),
        "referrer"
    );
    let utm = utm.as_ref().expect("campaign parameters");
    assert_eq!(
        (
            utm.source.as_deref(),
            utm.medium.as_deref(),
            utm.campaign.as_deref()
        ),
        (Some("newsletter"), Some("email"), Some("spring"))
    );

    // The journey's milestones, in order.
    let milestones: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            ShopperEvent::PageView { path, .. } => Some(format!("page {path}")),
            ShopperEvent::ProductViewed {
                sku, price_minor, ..
            } => Some(format!("product {sku} {price_minor}")),
            ShopperEvent::ProductToggling {
                first_sku,
                second_sku,
            } => Some(format!("toggling {first_sku} {second_sku}")),
            ShopperEvent::CartAdd(line) => Some(format!(
                "cart+ {} x{} {}",
                line.sku, line.quantity, line.value_minor
            )),
            ShopperEvent::CheckoutStep { step, name, .. } => {
                Some(format!("checkout {step} {name}"))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        milestones,
        [
            "page /",
            "page /shoes.html",
            "page /trail-runner.html",
            "product trail-runner 12900",
            "page /road-racer.html",
            "product road-racer 14900",
            "page /trail-runner.html",
            "product trail-runner 12900",
            "toggling trail-runner road-racer",
            "cart+ trail-runner x1 12900",
            "page /cart.html",
            "page /checkout-address.html",
            "checkout 1 begin_checkout",
        ]
    );

    // One session across seven page loads: one subject, batches numbered
    // once each, in order.
    let subjects: Vec<&Subject> = received.batches.iter().map(|(s, _)| s).collect();
    assert!(subjects.windows(2).all(|w| w[0] == w[1]), "{subjects:?}");
    let seqs: Vec<u64> = received.batches.iter().map(|(_, b)| b.seq).collect();
    assert!(seqs.windows(2).all(|w| w[1] > w[0]), "{seqs:?}");
    // And one visitor, named in every batch.
    let visitors: Vec<Option<&str>> = received
        .batches
        .iter()
        .map(|(_, b)| b.visitor.as_deref())
        .collect();
    assert!(
        visitors[0].is_some_and(|v| v.len() == 22) && visitors.windows(2).all(|w| w[0] == w[1]),
        "{visitors:?}"
    );
}

#[test]
fn a_returning_visitor_keeps_its_visitor_id_in_a_new_session() {
    let (shop, _server, mut ops) = shop_and_watcher();
    let mut received = Received {
        batches: Vec::new(),
    };
    let browser = Browser::start();
    browser.goto(&shop.url("/"));
    receive_until(&mut ops, &mut received, |r| {
        r.events().iter().any(|e| is_page(e, "/"))
    });

    // What 30 idle minutes do to a session, without the wait, done on a
    // page without the plugin (which would store its session as it leaves).
    browser.goto(&shop.url("/shop.css"));
    browser.execute("localStorage.removeItem('floorwalker.session'); return true;");
    browser.goto(&shop.url("/shoes.html"));
    receive_until(&mut ops, &mut received, |r| {
        r.events().iter().any(|e| is_page(e, "/shoes.html"))
    });

    let (first_subject, first) = &received.batches[0];
    let (last_subject, last) = received.batches.last().unwrap();
    assert_ne!(
        first_subject, last_subject,
        "a new session has a new subject"
    );
    assert!(first.visitor.is_some());
    assert_eq!(first.visitor, last.visitor, "the same visitor");
    assert_eq!(last.seq, 0, "the new session numbers its batches afresh");
}

/// A shop's cart add of 50 items with long SKUs (three batches, about 10 KB):
/// `call` is in every SKU.
fn big_cart_add(call: usize) -> String {
    let pad = "x".repeat(110);
    format!(
        "dataLayer.push({{ event: 'add_to_cart', ecommerce: {{ items: Array.from({{ length: 50 }}, \
         (_, i) => ({{ item_id: 'c{call:03}-i' + i + '-{pad}', item_name: 'Sock', price: 1, \
         quantity: 1 }})) }} }});"
    )
}

fn call_of(event: &ShopperEvent) -> Option<usize> {
    match event {
        ShopperEvent::CartAdd(line) => line.sku.get(1..4)?.parse().ok(),
        _ => None,
    }
}

/// Cart adds made while offline: about 600 KB, where the plugin buffers
/// 256 KB.
const CALLS: usize = 60;

#[test]
fn a_full_offline_buffer_drops_the_oldest_batches_and_reports_how_many() {
    let (shop, mut server) = shop_and_server();
    create_streams(&server);
    let browser = Browser::start();
    browser.goto(&shop.url("/"));
    stored_until(&server, |events| events.iter().any(|e| is_page(e, "/")));

    server.stop_server();
    let script: String = (0..CALLS).map(big_cart_add).collect();
    browser.execute(&format!("{script} return true;"));
    server.start_server();

    let batches = stored_until(&server, |events| {
        events.iter().any(|e| call_of(e) == Some(CALLS - 1))
            && events
                .iter()
                .any(|e| matches!(e, ShopperEvent::BatchesDropped { .. }))
    });
    let events: Vec<&ShopperEvent> = batches
        .iter()
        .flat_map(|b| b.events.iter().map(|e| &e.kind))
        .collect();
    let reports: Vec<u32> = events
        .iter()
        .filter_map(|e| match e {
            ShopperEvent::BatchesDropped { count } => Some(*count),
            _ => None,
        })
        .collect();
    let [dropped] = reports[..] else {
        panic!("one report of drops expected: {reports:?}")
    };

    // The batches missing are exactly as many as reported, and the oldest.
    let seqs: Vec<u64> = batches.iter().map(|b| b.seq).collect();
    let gaps: Vec<u64> = seqs
        .windows(2)
        .filter(|w| w[1] != w[0] + 1)
        .map(|w| w[1] - w[0] - 1)
        .collect();
    assert_eq!(gaps, [u64::from(dropped)], "seqs: {seqs:?}");
    let calls: Vec<usize> = events.iter().filter_map(|e| call_of(e)).collect();
    assert!(calls.windows(2).all(|w| w[0] <= w[1]), "{calls:?}");
    assert_eq!(
        calls.iter().filter(|&&c| c == CALLS - 1).count(),
        50,
        "the newest call arrived whole"
    );
    assert!(calls[0] > 0, "the oldest call was dropped");
    assert!(dropped >= 3, "{dropped}");
}

/// A shop's cart add of 50 items whose SKUs are as long as a SKU may be
/// (128 bytes; `call` and the item's place in each): about 10 KB of events,
/// twenty of which encode larger than 4 KiB.
fn longest_sku_cart_add(call: usize) -> String {
    format!(
        "dataLayer.push({{ event: 'add_to_cart', ecommerce: {{ items: Array.from({{ length: 50 }}, \
         (_, i) => ({{ item_id: ('c{call:03}-i' + i + '-').padEnd(128, 'x'), item_name: 'Sock', \
         price: 1, quantity: 1 }})) }} }});"
    )
}

/// The call and the item of a cart line of [`longest_sku_cart_add`].
fn cart_item(event: &ShopperEvent) -> Option<(usize, usize)> {
    let ShopperEvent::CartAdd(line) = event else {
        return None;
    };
    let mut parts = line.sku.trim_start_matches('c').split('-');
    let call = parts.next()?.parse().ok()?;
    let item = parts.next()?.strip_prefix('i')?.parse().ok()?;
    Some((call, item))
}

#[test]
fn a_server_that_takes_small_payloads_gets_every_event_in_batches_it_takes() {
    // What the server announces, and the shopper's account allows: the
    // least the gate's config accepts (operators share the server's bound).
    let max = floorwalker::gate::config::MIN_MAX_PAYLOAD as usize;
    let mut shop = Shop::bind();
    let origin = shop.origin().to_owned();
    let mut server = TestServer::start_with(|config, gate| {
        if let Some(ws) = &mut config.websocket {
            ws.allowed_origins = vec![origin];
        }
        gate.shopper.max_payload = u32::try_from(max).unwrap();
    });
    shop.serve(
        &server.websocket_url().expect("a WebSocket listener"),
        "shop",
    );
    create_streams(&server);
    let browser = Browser::start();

    // Before the plugin has heard the server, what it records waits in
    // batches of the smallest size; then in batches of what the server said.
    server.stop_server();
    browser.goto(&shop.url("/"));
    browser.wait_for_plugin();
    let offline: String = (0..3).map(longest_sku_cart_add).collect();
    browser.execute(&format!("{offline} return true;"));
    server.start_server();
    stored_until(&server, |events| {
        events.iter().any(|e| cart_item(e) == Some((2, 49)))
    });
    // Then, with the server's bound heard and the server down again, the
    // page keeps three more carts and forty aisles (each path 2 KB, more
    // than one batch of the server's size), and sends them when it returns.
    server.stop_server();
    let carts: String = (3..6).map(longest_sku_cart_add).collect();
    let aisles = "for (let i = 0; i < 40; i++) \
                  history.pushState({}, '', '/aisle-' + String(i).padStart(2, '0') + '/' + 'x'.repeat(2000));";
    let offline = carts + aisles;
    browser.execute(&format!("{offline} return true;"));
    server.start_server();
    let batches = stored_until(&server, |events| {
        events.iter().any(|e| cart_item(e) == Some((5, 49)))
            && events.iter().any(|e| {
                matches!(e, ShopperEvent::PageView { path, .. } if path.starts_with("/aisle-39/"))
            })
    });

    let payloads = stored_payloads(&server).expect("the stream");
    let sizes: Vec<usize> = payloads.iter().map(Vec::len).collect();
    assert!(sizes.iter().all(|&n| n <= max), "over {max}: {sizes:?}");
    // What the page kept before it had heard the server went in batches
    // of the least any server takes.
    for payload in &payloads {
        let batch = decode_batch(payload).unwrap();
        if batch
            .events
            .iter()
            .any(|e| cart_item(&e.kind).is_some_and(|(call, _)| call < 3))
        {
            assert!(
                payload.len() <= floorwalker_shared::wire::MIN_BATCH_BYTES,
                "{sizes:?}"
            );
        }
    }
    let seqs: Vec<u64> = batches.iter().map(|b| b.seq).collect();
    let want: Vec<u64> = (seqs[0]..).take(seqs.len()).collect();
    assert_eq!(seqs, want, "a batch is missing");
    let events: Vec<&ShopperEvent> = batches
        .iter()
        .flat_map(|b| b.events.iter().map(|e| &e.kind))
        .collect();
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, ShopperEvent::BatchesDropped { .. })),
        "nothing dropped"
    );
    let items: Vec<(usize, usize)> = events.iter().filter_map(|e| cart_item(e)).collect();
    let every: Vec<(usize, usize)> = (0..6)
        .flat_map(|call| (0..50).map(move |item| (call, item)))
        .collect();
    assert_eq!(items, every, "every cart line, once, in order");
    let aisles: Vec<String> = page_views(&batches)
        .into_iter()
        .filter_map(|path| path.strip_prefix("/aisle-"))
        .map(|rest| rest[..2].to_owned())
        .collect();
    let every_aisle: Vec<String> = (0..40).map(|i| format!("{i:02}")).collect();
    assert_eq!(aisles, every_aisle);
    // The server never closed the page's connection for its payload.
    let log = std::fs::read_to_string(server.log_path()).expect("the server's log");
    assert!(!log.contains("maximum payload"), "{log}");
}

fn offer_shown(event: &ShopperEvent, id: &str) -> bool {
    matches!(event, ShopperEvent::OfferShown { offer_id } if offer_id == id)
}

#[test]
fn an_offer_appears_and_a_decline_is_sent_and_remembered_for_the_session() {
    let (shop, _server, mut ops) = shop_and_watcher();
    let mut received = Received {
        batches: Vec::new(),
    };
    let browser = Browser::start();
    browser.goto(&shop.url("/"));
    receive_until(&mut ops, &mut received, |r| {
        r.events().iter().any(|e| is_page(e, "/"))
    });
    // The dashboard knows the session by the subject its events come on.
    let events_subject = received.batches[0].0.as_str().to_owned();
    let push = Subject::new(events_subject.replace(".events", ".push")).unwrap();
    let offer = |id: &str, text: &str| {
        push_op(
            &push,
            Push::ChatOffer {
                offer_id: id.into(),
                text: text.into(),
            },
        )
    };

    // Text from an operator is shown as text, never as markup.
    let text = "Need help choosing? <img src=x onerror=\"document.title='pwned'\">";
    ops.send(&[offer("offer-1", text)]).unwrap();
    receive_until(&mut ops, &mut received, |r| {
        r.events().iter().any(|e| offer_shown(e, "offer-1"))
    });
    let widget = browser.execute(
        "const root = document.getElementById('floorwalker-offer').shadowRoot;
         const dialog = root.querySelector('[role=dialog]');
         return [root.querySelector('p').textContent, root.querySelectorAll('img').length,
                 dialog.getAttribute('aria-label'), root.querySelectorAll('button').length, document.title];",
    );
    assert_eq!(widget[0], text, "{widget}");
    assert_eq!(widget[1], 0, "the offer's text became markup: {widget}");
    assert_eq!(widget[2], "Chat offer");
    assert_eq!(widget[3], 3, "Accept, No thanks and Dismiss: {widget}");
    assert_eq!(widget[4], "Floorwalker demo shop");

    browser.execute("document.getElementById('floorwalker-offer').shadowRoot.querySelector('button.decline').click(); return true;");
    receive_until(&mut ops, &mut received, |r| {
        r.events()
            .iter()
            .any(|e| matches!(e, ShopperEvent::OfferDeclined { offer_id } if offer_id == "offer-1"))
    });
    assert_eq!(
        browser.execute("return document.getElementById('floorwalker-offer') === null;"),
        true
    );

    // On another page of the same session, a new offer is not shown.
    browser.goto(&shop.url("/shoes.html"));
    receive_until(&mut ops, &mut received, |r| {
        r.events().iter().any(|e| is_page(e, "/shoes.html"))
    });
    ops.send(&[offer("offer-2", "Still looking?")]).unwrap();
    // A negative check: offer-2 has 1.5 s to show; an ignored offer leaves no trace to wait for.
    std::thread::sleep(Duration::from_millis(1500));
    browser.execute("history.pushState({}, '', '/after-offer-2'); return true;");
    receive_until(&mut ops, &mut received, |r| {
        r.events().iter().any(|e| is_page(e, "/after-offer-2"))
    });
    assert!(
        !received.events().iter().any(|e| offer_shown(e, "offer-2")),
        "a declined shopper was offered again"
    );
    assert_eq!(
        browser.execute("return document.getElementById('floorwalker-offer') === null;"),
        true
    );
}

/// What the launcher says.
fn launcher_text(browser: &Browser) -> String {
    let text = browser.execute(
        "return document.getElementById('floorwalker-launcher').shadowRoot.querySelector('button').textContent;",
    );
    text.as_str().unwrap_or_default().to_owned()
}

/// Whether the page has fetched (or tried to fetch) the chat part.
fn chat_part_fetched(browser: &Browser) -> bool {
    browser.execute(
        "return performance.getEntriesByType('resource').some((e) => e.name.includes('floorwalker_chat'));",
    ) == true
}

#[test]
fn the_chat_part_loads_only_when_needed_and_an_offer_pushed_meanwhile_shows_once_it_has() {
    let (shop, _server, mut ops) = shop_and_watcher();
    let mut received = Received {
        batches: Vec::new(),
    };
    let browser = Browser::start();
    browser.goto(&shop.url("/"));
    browser.wait_for_plugin();
    receive_until(&mut ops, &mut received, |r| {
        r.events().iter().any(|e| is_page(e, "/"))
    });
    assert!(
        !chat_part_fetched(&browser),
        "the chat part was fetched before anything needed it"
    );

    // On a slow connection, the offer arrives while the chat part it needs
    // is on its way (the push is what fetches it).
    browser.throttle(Duration::from_millis(800), 40_000);
    let push = Subject::new(received.batches[0].0.as_str().replace(".events", ".push")).unwrap();
    let text = "Questions about sizes?";
    ops.send(&[push_op(
        &push,
        Push::ChatOffer {
            offer_id: "offer-slow".into(),
            text: text.into(),
        },
    )])
    .unwrap();
    receive_until(&mut ops, &mut received, |r| {
        r.events().iter().any(|e| offer_shown(e, "offer-slow"))
    });
    assert!(chat_part_fetched(&browser));
    let shown = browser.execute(
        "return document.getElementById('floorwalker-offer').shadowRoot.querySelector('p').textContent;",
    );
    assert_eq!(shown, text);
}

#[test]
fn a_chat_part_that_will_not_load_leaves_the_page_working_and_the_launcher_saying_so() {
    let (shop, _server, mut ops) = shop_and_watcher();
    let mut received = Received {
        batches: Vec::new(),
    };
    let browser = Browser::start();
    browser.cdp("Network.enable", &json!({}));
    let block = |urls: &[&str]| browser.cdp("Network.setBlockedURLs", &json!({ "urls": urls }));
    block(&["*floorwalker_chat*"]);
    browser.goto(&shop.url("/"));
    browser.wait_for_plugin();
    click_launcher(&browser);
    // Three tries, a second and two apart, then the launcher says so.
    let said = wait_until(Duration::from_secs(15), || {
        Some(launcher_text(&browser)).filter(|t| t == "Chat unavailable: try again")
    });
    assert!(
        said.is_some(),
        "the launcher says {:?}",
        launcher_text(&browser)
    );
    assert!(chat_window(&browser).is_none());

    // The page and its journey carry on.
    browser.execute("history.pushState({}, '', '/still-here'); return true;");
    receive_until(&mut ops, &mut received, |r| {
        r.events().iter().any(|e| is_page(e, "/still-here"))
    });

    // Once the part can load, the launcher opens the chat.
    block(&[]);
    click_launcher(&browser);
    window_until(&browser, "the chat window", |_, _| true);
    assert_eq!(launcher_text(&browser), "Chat with us");
}

/// A chat fact as an operator sees it on a shopper's chat subject.
#[derive(Debug)]
struct Heard {
    subject: Subject,
    msg_id: Option<String>,
    fact: ChatFact,
}

/// Reads chat facts into `seen` until `done` holds for them, or fails
/// after a while.
fn facts_until(ops: &mut RawClient<Tcp>, seen: &mut Vec<Heard>, done: impl Fn(&[Heard]) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(seen) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "timed out; facts so far: {seen:#?}");
        match ops.next_significant(left) {
            // The watcher's one subscription: shoppers' chat subjects.
            Ok(ServerOp::Msg(msg)) if msg.sid == 1 => {
                let envelope =
                    ChatEnvelope::decode(&msg.payload).expect("the plugin sends valid chat facts");
                seen.push(Heard {
                    msg_id: msg
                        .headers
                        .as_ref()
                        .and_then(|h| h.get("Nats-Msg-Id"))
                        .map(str::to_owned),
                    subject: msg.subject,
                    fact: envelope.fact,
                });
            }
            Ok(_) => {}
            Err(e) => panic!("reading chat facts: {e:?}; so far: {seen:#?}"),
        }
    }
}

/// Operators watching every shopper's chat facts, as a dashboard does.
fn chat_watcher(server: &TestServer) -> RawClient<Tcp> {
    let mut ops = connect_operator(server, Role::Dashboard);
    ops.send(&[ClientOp::Sub {
        subject: subject::all_sites_chat(),
        queue: None,
        sid: 1,
    }])
    .unwrap();
    ops
}

fn click_launcher(browser: &Browser) {
    browser.execute(
        "document.getElementById('floorwalker-launcher').shadowRoot.querySelector('button').click();
         return true;",
    );
}

fn write_in_chat(browser: &Browser, text: &str) {
    browser.execute_with(
        "const root = document.getElementById('floorwalker-chat').shadowRoot;
         root.querySelector('input').value = arguments[0];
         root.querySelector('form').requestSubmit(); return true;",
        vec![text.into()],
    );
}

/// The chat window's status line and lines, as the shopper reads them;
/// `None` while it is not open.
fn chat_window(browser: &Browser) -> Option<(String, Vec<String>)> {
    let shown = browser.execute(
        "const host = document.getElementById('floorwalker-chat');
         if (!host) return null;
         const root = host.shadowRoot;
         return [root.querySelector('[role=status]').textContent,
                 [...root.querySelectorAll('[role=log] p')].map((p) => p.textContent),
                 root.querySelectorAll('[role=log] b, [role=log] img').length];",
    );
    let shown = shown.as_array()?;
    assert_eq!(shown[2], 0, "an agent's text became markup: {shown:?}");
    let lines = shown[1].as_array()?.iter();
    Some((
        shown[0].as_str()?.to_owned(),
        lines
            .filter_map(|l| l.as_str().map(str::to_owned))
            .collect(),
    ))
}

/// Waits until the chat window shows what `want` accepts; returns it.
fn window_until(
    browser: &Browser,
    what: &str,
    want: impl Fn(&str, &[String]) -> bool,
) -> (String, Vec<String>) {
    let mut last = None;
    floorwalker_tests::wait_until(Duration::from_secs(10), || {
        last = chat_window(browser);
        last.clone().filter(|(status, lines)| want(status, lines))
    })
    .unwrap_or_else(|| panic!("the chat window never showed {what}; it shows {last:?}"))
}

fn is_message(fact: &ChatFact, want: &str) -> bool {
    matches!(fact, ChatFact::Message { text, .. } if text == want)
}

#[test]
fn a_chat_opened_from_the_launcher_is_real_from_the_queue_to_the_survey() {
    let (shop, server) = shop_and_server();
    create_streams(&server);
    let mut desk = chat_watcher(&server);
    let mut router = connect_operator(&server, Role::Router);
    router
        .send(&[ClientOp::Sub {
            subject: subject::raw(&subject::all_sites_here()),
            queue: None,
            sid: 1,
        }])
        .unwrap();
    let mut seen = Vec::new();
    let browser = Browser::start();
    browser.goto(&shop.url("/"));
    browser.wait_for_plugin();

    // Asking for help opens a chat: its request goes on the shopper's chat
    // subject, and the intake stores it under a message id of its own.
    click_launcher(&browser);
    facts_until(&mut desk, &mut seen, |f| !f.is_empty());
    let Heard {
        subject: chat_subject,
        msg_id,
        fact: ChatFact::Request { chat_id, offer_id },
    } = &seen[0]
    else {
        panic!("the first fact is not a request: {seen:#?}")
    };
    let (chat_subject, chat_id) = (chat_subject.clone(), chat_id.clone());
    assert_eq!(offer_id, &None, "the launcher is no offer");
    assert_eq!(chat_id.len(), 16, "{chat_id}");
    let session = SessionSubjects::of(&chat_subject).expect("a shopper's subject");
    // Stored under the intake's id, made from the session the broker
    // vouches for, not one the page chose.
    let msg_id = msg_id.as_deref().expect("the intake's message id");
    assert!(
        !msg_id.contains(session.token().as_str()) && !msg_id.contains(&chat_id),
        "{msg_id}"
    );
    window_until(&browser, "that it waits", |status, _| {
        status == "Waiting for an agent…"
    });
    // While the chat is open, the shopper says it is there.
    let here = loop {
        match router.next_significant(Duration::from_secs(10)) {
            Ok(ServerOp::Msg(msg)) => break msg,
            Ok(_) => {}
            Err(e) => panic!("no presence from an open chat: {e:?}"),
        }
    };
    assert_eq!(here.subject, subject::raw(&session.here()));

    // The router tells the shopper where it stands, then who took the chat.
    let push = session.push();
    router
        .send(&[push_op(
            &push,
            Push::QueueStatus {
                chat_id: chat_id.clone(),
                position: 2,
                expected_wait_secs: Some(180),
            },
        )])
        .unwrap();
    window_until(&browser, "the place in the queue", |status, _| {
        status == "You are number 2 in the queue · about 3 min"
    });
    // About another chat: nothing changes (the next push shows it was read).
    router
        .send(&[
            push_op(
                &push,
                Push::QueueStatus {
                    chat_id: "another-chat".into(),
                    position: 9,
                    expected_wait_secs: None,
                },
            ),
            push_op(
                &push,
                Push::ChatJoined {
                    chat_id: chat_id.clone(),
                    agent_name: "Ana".into(),
                },
            ),
        ])
        .unwrap();
    window_until(&browser, "who joined", |status, _| {
        status == "Ana joined the chat"
    });

    // The shopper writes: the message goes as a chat fact only.
    write_in_chat(&browser, "Do the Trail Runners fit wide feet?");
    facts_until(&mut desk, &mut seen, |f| {
        f.iter()
            .any(|f| is_message(&f.fact, "Do the Trail Runners fit wide feet?"))
    });
    let message = seen
        .iter()
        .find(|f| is_message(&f.fact, "Do the Trail Runners fit wide feet?"))
        .unwrap();
    assert_eq!(message.subject, chat_subject);
    assert_eq!(message.fact.chat_id(), chat_id);
    // A message id of the intake's own, another for each fact.
    assert!(message.msg_id.is_some());
    assert_ne!(message.msg_id, seen[0].msg_id);

    // An agent's message pushed twice (a resend) shows once, as text.
    let answer = "Yes: they come in wide. <b>Try</b> a half size up.";
    let agent = |msg_id: &str, text: &str| {
        push_op(
            &push,
            Push::AgentMessage {
                chat_id: chat_id.clone(),
                agent_name: "Ana".into(),
                text: text.into(),
                from_supervisor: false,
                msg_id: Some(msg_id.into()),
            },
        )
    };
    router
        .send(&[
            agent("a-1", answer),
            agent("a-1", answer),
            agent("a-2", "Anything else?"),
        ])
        .unwrap();
    let (_, lines) = window_until(&browser, "the agent's answers", |_, lines| {
        lines.last().is_some_and(|l| l == "Ana: Anything else?")
    });
    assert_eq!(
        lines,
        [
            "You: Do the Trail Runners fit wide feet?".to_owned(),
            format!("Ana: {answer}"),
            "Ana: Anything else?".to_owned(),
        ]
    );

    // The next page carries on the same chat: the window opens again with
    // its status and lines, and what the shopper writes there is in the
    // same chat.
    browser.goto(&shop.url("/shoes.html"));
    let (status, reopened) = window_until(&browser, "the chat again", |_, lines| lines.len() == 3);
    assert_eq!(
        (status.as_str(), &reopened),
        ("Ana joined the chat", &lines)
    );
    write_in_chat(&browser, "And in red?");
    facts_until(&mut desk, &mut seen, |f| {
        f.iter().any(|f| is_message(&f.fact, "And in red?"))
    });
    let requests = seen
        .iter()
        .filter(|f| matches!(f.fact, ChatFact::Request { .. }))
        .count();
    assert!(
        seen.iter().all(|f| f.fact.chat_id() == chat_id),
        "{seen:#?}"
    );
    assert_eq!(requests, 1, "one chat, asked for once: {seen:#?}");

    // The chat ends with one question; the shopper says no, with a comment.
    router
        .send(&[push_op(
            &push,
            Push::SurveyPrompt {
                chat_id: chat_id.clone(),
                question: "Did you get the help you needed?".into(),
            },
        )])
        .unwrap();
    let asked = floorwalker_tests::wait_until(Duration::from_secs(10), || {
        let q = browser.execute(
            "const host = document.getElementById('floorwalker-survey');
             return host ? host.shadowRoot.querySelector('p').textContent : null;",
        );
        q.as_str().map(str::to_owned)
    });
    assert_eq!(asked.as_deref(), Some("Did you get the help you needed?"));
    browser.execute(
        "const root = document.getElementById('floorwalker-survey').shadowRoot;
         root.querySelector('input').value = 'Sizes were unclear';
         root.querySelector('button.no').click(); return true;",
    );
    facts_until(&mut desk, &mut seen, |f| {
        f.iter().any(|f| matches!(f.fact, ChatFact::Survey { .. }))
    });
    let survey = seen
        .iter()
        .find(|f| matches!(f.fact, ChatFact::Survey { .. }))
        .unwrap();
    assert_eq!(
        survey.fact,
        ChatFact::Survey {
            chat_id: chat_id.clone(),
            helped: false,
            comment: Some("Sizes were unclear".into()),
        }
    );

    // The chat is over: the next page opens no chat window.
    browser.goto(&shop.url("/"));
    browser.wait_for_plugin();
    assert_eq!(chat_window(&browser), None);
}

/// The number of messages the AUDIT stream holds, and the chat facts among
/// them.
fn audit(server: &TestServer) -> (u64, Vec<ChatFact>) {
    let mut admin = connect_operator(server, Role::Admin);
    let info = js_request(&mut admin, "$JS.API.STREAM.INFO.AUDIT", "");
    let count = info["state"]["messages"].as_u64().unwrap_or(0);
    let last = info["state"]["last_seq"].as_u64().unwrap_or(0);
    let facts = (1..=last)
        .filter_map(|seq| {
            let reply = js_request(
                &mut admin,
                "$JS.API.STREAM.MSG.GET.AUDIT",
                &format!("{{\"seq\":{seq}}}"),
            );
            let data = reply["message"]["data"].as_str()?;
            let bytes = data_encoding::BASE64.decode(data.as_bytes()).unwrap();
            Some(
                ChatEnvelope::decode(&bytes)
                    .expect("a stored chat fact")
                    .fact,
            )
        })
        .collect();
    (count, facts)
}

/// The chat facts the page keeps until the stream acknowledges them.
fn pending_facts(browser: &Browser) -> usize {
    let stored = browser.execute("return localStorage.getItem('floorwalker.facts') || '';");
    let stored = stored.as_str().unwrap_or_default();
    stored.lines().skip(1).filter(|l| !l.is_empty()).count()
}

fn no_pending_facts(browser: &Browser) {
    let cleared = floorwalker_tests::wait_until(Duration::from_secs(30), || {
        (pending_facts(browser) == 0).then_some(())
    });
    assert!(
        cleared.is_some(),
        "the stream's acknowledgements were not taken: {} facts still pending",
        pending_facts(browser)
    );
}

#[test]
fn a_message_written_before_its_stream_exists_is_stored_once_when_it_does() {
    let (shop, server) = shop_and_server();
    // No chat streams yet (every test server starts with them): JetStream
    // acknowledges nothing.
    let mut admin = connect_operator(&server, Role::Admin);
    for stream in ["AUDIT", "CHATS"] {
        let deleted = js_request(&mut admin, &format!("$JS.API.STREAM.DELETE.{stream}"), "");
        assert!(deleted.get("error").is_none(), "{deleted}");
    }
    let mut desk = chat_watcher(&server);
    let mut seen = Vec::new();
    let browser = Browser::start();
    browser.goto(&shop.url("/"));
    browser.wait_for_plugin();
    click_launcher(&browser);
    window_until(&browser, "the chat", |_, _| true);
    write_in_chat(&browser, "Is anyone there?");

    // Unacknowledged, the message goes again, with the same message id,
    // and the page keeps it.
    let sent = |f: &[Heard]| {
        f.iter()
            .filter(|f| is_message(&f.fact, "Is anyone there?"))
            .count()
    };
    facts_until(&mut desk, &mut seen, |f| sent(f) >= 2);
    let ids: Vec<&Option<String>> = seen
        .iter()
        .filter(|f| is_message(&f.fact, "Is anyone there?"))
        .map(|f| &f.msg_id)
        .collect();
    assert!(
        ids[0].is_some() && ids.windows(2).all(|w| w[0] == w[1]),
        "{ids:?}"
    );
    assert_eq!(pending_facts(&browser), 2, "the request and the message");
    let kept = browser.execute("return localStorage.getItem('floorwalker.facts');");

    // Once the stream exists, both are stored and acknowledged.
    create_streams(&server);
    no_pending_facts(&browser);
    let (count, stored) = audit(&server);
    assert_eq!(count, 2, "{stored:#?}");
    assert!(
        matches!(&stored[..], [ChatFact::Request { .. }, ChatFact::Message { text, .. }] if text == "Is anyone there?"),
        "{stored:#?}"
    );

    // A page that was left before the acknowledgements came sends them
    // again from storage: the stream keeps them once.
    browser.execute_with(
        "localStorage.setItem('floorwalker.facts', arguments[0]); return true;",
        vec![kept],
    );
    let before = sent(&seen);
    browser.goto(&shop.url("/shoes.html"));
    facts_until(&mut desk, &mut seen, |f| sent(f) > before);
    no_pending_facts(&browser);
    let (count, again) = audit(&server);
    assert_eq!(count, 2, "a resend was stored twice: {again:#?}");
}
