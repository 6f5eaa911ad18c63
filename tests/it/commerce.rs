// Commerce as GA4 sends it: each event's currency, checkout steps with their
// value and items, purchases with items, tax and shipping; route changes
// made before the plugin starts.

use std::time::Duration;

use floorwalker_shared::event::{Batch, CartLine, ShopperEvent};
use floorwalker_tests::browser::Browser;
use floorwalker_tests::setup::{create_streams, shop_and_server};
use serde_json::json;

use crate::chat::tail_json;
use crate::plugin::{is_page, page_views, stored_until};

/// Every stored event with the currency of its batch.
fn priced(batches: &[Batch]) -> Vec<(&str, &ShopperEvent)> {
    batches
        .iter()
        .flat_map(|b| b.events.iter().map(|e| (b.currency.as_str(), &e.kind)))
        .collect()
}

#[test]
fn a_ga4_purchase_in_dollars_arrives_in_dollars_with_its_items() {
    let (shop, server) = shop_and_server();
    create_streams(&server);
    let browser = Browser::start();
    // The demo shop starts the plugin in its default currency, euros.
    browser.goto(&shop.url("/"));
    browser.wait_for_plugin();

    // A shop in dollars, as its tags push to dataLayer: one event in a
    // currency nobody can name first, then the checkout and the order.
    let items = json!([
        { "item_id": "trail-runner", "item_name": "Trail Runner", "price": 129.0, "quantity": 1 },
        { "item_id": "wool-socks", "item_name": "Wool Socks", "price": 14.99, "quantity": 2 },
    ]);
    browser.execute_with(
        "const items = arguments[0];
         dataLayer.push({ event: 'add_to_cart', ecommerce: { currency: 'US$', value: 5,
                          items: [{ item_id: 'hat', price: 5 }] } });
         dataLayer.push({ event: 'add_shipping_info', ecommerce: { currency: 'USD', value: 158.98, items } });
         dataLayer.push({ event: 'purchase', ecommerce: { transaction_id: 'T-1001', currency: 'USD',
                          value: 158.98, tax: 12.72, shipping: 5.99, items } });
         return true;",
        vec![items],
    );
    let batches = stored_until(&server, |events| {
        events
            .iter()
            .any(|e| matches!(e, ShopperEvent::OrderCompleted { .. }))
    });

    let lines = vec![
        CartLine {
            sku: "trail-runner".into(),
            quantity: 1,
            value_minor: 12_900,
        },
        CartLine {
            sku: "wool-socks".into(),
            quantity: 2,
            value_minor: 2_998,
        },
    ];
    let events = priced(&batches);
    assert!(
        events.contains(&(
            "USD",
            &ShopperEvent::CheckoutStep {
                step: 2,
                name: "shipping".into(),
                value_minor: Some(15_898),
                items: lines.clone(),
            }
        )),
        "{events:#?}"
    );
    assert!(
        events.contains(&(
            "USD",
            &ShopperEvent::OrderCompleted {
                order_id: "T-1001".into(),
                total_minor: 15_898,
                tax_minor: Some(1_272),
                shipping_minor: Some(599),
                items: lines,
            }
        )),
        "{events:#?}"
    );
    assert!(
        !events
            .iter()
            .any(|(_, e)| matches!(e, ShopperEvent::CartAdd(line) if line.sku == "hat")),
        "an event in 'US$' is not recorded: {events:#?}"
    );

    // What on-call staff read: the order in dollars.
    let report = tail_json(&server, &[]);
    assert_eq!(report["currency"], "USD", "{report}");
    assert_eq!(report["average_order_unassisted_minor"], 15_898, "{report}");
    assert_eq!(report["orders_other_currency"], 0, "{report}");
}

#[test]
fn a_route_change_before_the_plugin_starts_is_a_page_view() {
    let (shop, server) = shop_and_server();
    create_streams(&server);
    // The page returns once parsed, and every request (the plugin's wasm,
    // fetched only after the page's load, among them) takes a while: the
    // plugin starts well after the single-page shop's first route change.
    let browser = Browser::start_eager();
    browser.throttle(Duration::from_millis(300), 10_000_000);
    browser.goto(&shop.url("/"));
    let before_start = browser.execute(
        "const started = !!document.getElementById('floorwalker-launcher');
         history.pushState({}, '', '/spa/trail-runner');
         return !started;",
    );
    assert_eq!(
        before_start,
        json!(true),
        "the plugin had started: this test proves nothing"
    );

    let batches = stored_until(&server, |events| {
        events.iter().any(|e| is_page(e, "/spa/trail-runner"))
    });
    assert_eq!(page_views(&batches), ["/", "/spa/trail-runner"]);
    let events = priced(&batches);
    let left_landing = events
        .iter()
        .position(|(_, e)| matches!(e, ShopperEvent::Dwell { path, .. } if path == "/"));
    let route = events
        .iter()
        .position(|(_, e)| is_page(e, "/spa/trail-runner"));
    assert!(
        left_landing.is_some() && left_landing < route,
        "the landing page's dwell ends where the route begins: {events:#?}"
    );
}
