//! Listening to the page: page views (loads and single-page route changes),
//! the tab going hidden or visible, leaving, exit intent, scroll depth and
//! idleness.
//!
//! The listeners are in `capture.js`: every one passive, reading no layout;
//! the work is recording an event, and batches leave later, off the event
//! path (see `transport`). `capture.js` follows route changes from the
//! moment the page loads it, and keeps those made before `start` for it.

use alloc::string::String;

use floorwalker_shared::event::ShopperEvent;
use js_sys::Function;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::error::{StartError, StartErrorKind as Kind};
use crate::plugin::{Inner, Plugin};
use crate::storage;
use crate::transport::{self, wall_ms};

#[wasm_bindgen(module = "/src/capture.js")]
extern "C" {
    fn this_page() -> String;
    fn take_early() -> Option<String>;
    fn take_route() -> Option<String>;
    fn watch_input();
    fn take_input() -> bool;
    fn take_scrolled() -> bool;
    fn scroll_percent() -> i32;
    fn watch_page(hook: &Function) -> bool;
    pub(crate) fn data_layer() -> JsValue;
    pub(crate) fn wrap_push(layer: &JsValue, hook: &Function);
}

/// What `watch_page` (capture.js) calls the page's hook with (0 is the
/// transport's timer).
const ROUTE: u32 = 1;
const HIDDEN: u32 = 2;
const VISIBLE: u32 = 3;
const LEAVE: u32 = 4;
const EXIT: u32 = 5;
const TICK: u32 = 6;

/// Records the pages seen before `start` (one an earlier page of the
/// session left before its `start`, then this one as it was shown and each
/// route change since, as `capture.js` kept them) and installs every
/// listener, which call the page's hook (`Inner::hook`).
pub(crate) fn install(plugin: &'static Plugin) -> Result<(), StartError> {
    if let Some(early) = take_early() {
        record_page(plugin, &early, true);
    }
    // Only the first, the page as it was shown, has the referrer.
    let mut landing = true;
    while let Some(page) = take_route() {
        record_page(plugin, &page, landing);
        landing = false;
    }
    watch_input();
    let watching = plugin
        .inner
        .borrow()
        .hook
        .as_ref()
        .is_some_and(|hook| watch_page(hook.as_ref().unchecked_ref()));
    if !watching {
        return Err(Kind::NO_HISTORY_HOOKS.into());
    }
    Ok(())
}

/// What the page did (see `watch_page`).
pub(crate) fn on_page(plugin: &'static Plugin, kind: u32) {
    match kind {
        ROUTE => record_page(plugin, &this_page(), false),
        HIDDEN | VISIBLE => with(plugin, |inner| {
            let event = if kind == HIDDEN {
                ShopperEvent::TabHidden
            } else {
                ShopperEvent::TabVisible
            };
            inner.recorder.record(wall_ms(), event);
            // The page may be closed from the background: send what waits.
            if kind == HIDDEN {
                transport::send_batches(inner, true);
            }
        }),
        LEAVE => {
            with(plugin, |inner| {
                inner.recorder.leave_page(wall_ms());
                transport::send_batches(inner, true);
            });
            // What could not go (the page is left before the connection is
            // up, or while it is down) waits in storage for the session's
            // next page.
            if let Ok(mut inner) = plugin.inner.try_borrow_mut() {
                let events = inner.subjects.events();
                let unsent = inner.conn.take_unsent(&events);
                storage::keep_unsent(&inner.session, &unsent);
            }
        }
        EXIT => with(plugin, |inner| {
            inner.recorder.record(wall_ms(), ShopperEvent::ExitIntent);
        }),
        TICK => tick(plugin),
        _ => {}
    }
}

/// Once a second: activity, scroll depth and idleness for the recorder.
fn tick(plugin: &'static Plugin) {
    let input = take_input();
    let depth = take_scrolled()
        .then(scroll_percent)
        .and_then(|p| u8::try_from(p).ok());
    with(plugin, |inner| {
        let now = wall_ms();
        if input {
            inner.recorder.activity(now);
        }
        if let Some(percent) = depth {
            inner.recorder.scrolled(now, percent);
        }
        inner.recorder.tick(now);
    });
}

/// Runs `act` on the plugin's state, then lets the transport send.
fn with(plugin: &'static Plugin, act: impl FnOnce(&mut Inner)) {
    {
        let Ok(mut inner) = plugin.inner.try_borrow_mut() else {
            return;
        };
        act(&mut inner);
    }
    transport::pump(plugin);
}

/// Records a view of a page as `this_page` reads it; a page left before the
/// plugin started on it (`take_early`) also says when it was left, and one
/// left longer ago than a session lasts (a tab closed long ago) belongs to
/// no session of now.
fn record_page(plugin: &'static Plugin, page: &str, landing: bool) {
    let mut fields = page.split('\n');
    let mut next = || fields.next();
    let (Some(at), Some(path), Some(source), Some(medium), Some(campaign)) =
        (next(), next(), next(), next(), next())
    else {
        return;
    };
    let (Some(title), Some(referrer), left) = (next(), next(), next()) else {
        return;
    };
    let Some(at) = floorwalker_shared::decimal(at) else {
        return;
    };
    let left = left.and_then(floorwalker_shared::decimal);
    if left.is_some_and(|l| wall_ms().saturating_sub(l) > u64::from(storage::SESSION_IDLE_MS)) {
        return;
    }
    // Only the landing page has a referrer: later views come from this site.
    let referrer = if landing { referrer } else { "" };
    with(plugin, |inner| {
        let utm = floorwalker_shared::recorder::utm(source, medium, campaign);
        inner
            .recorder
            .page_view_with(at, path, utm, title, referrer);
        if let Some(left) = left {
            inner.recorder.leave_page(left);
        }
    });
}

#[cfg(test)]
#[cfg(target_arch = "wasm32")]
mod tests {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_test::wasm_bindgen_test;

    use floorwalker_shared::event::{Batch, CartLine, ShopperEvent, Utm};
    use floorwalker_shared::wire::decode_batch;

    use crate::plugin::with_plugin;
    use crate::transport::wall_ms;

    /// The batches the plugin has published since last asked (it has no
    /// server: they wait in its outbox), taken back.
    fn published_batches() -> Vec<Batch> {
        let mut batches = Vec::new();
        with_plugin(|p| {
            let mut inner = p.inner.borrow_mut();
            let subject = inner.subjects.events();
            for batch in inner.conn.take_unsent(&subject) {
                batches.push(decode_batch(&batch).unwrap());
            }
        });
        batches
    }

    /// The events of [`published_batches`].
    fn published() -> Vec<ShopperEvent> {
        let batches = published_batches();
        batches
            .into_iter()
            .flat_map(|b| b.events.into_iter().map(|e| e.kind))
            .collect()
    }

    fn current_path() -> Option<String> {
        let mut path = None;
        with_plugin(|p| path = p.inner.borrow().recorder.current_path().map(str::to_owned));
        path
    }

    #[wasm_bindgen_test]
    fn input_and_scrolling_are_noted_until_the_tick_reads_them() {
        super::watch_input();
        let window = web_sys::window().unwrap();
        let _ = (super::take_input(), super::take_scrolled());
        assert!(!super::take_input(), "nothing happened yet");
        window
            .dispatch_event(&web_sys::Event::new("pointermove").unwrap())
            .unwrap();
        assert!(super::take_input());
        assert!(!super::take_input(), "read once");
        assert!(!super::take_scrolled());
        window
            .dispatch_event(&web_sys::Event::new("scroll").unwrap())
            .unwrap();
        assert!(super::take_scrolled() && !super::take_scrolled());
    }

    #[wasm_bindgen_test]
    fn the_browser_reads_the_campaign_as_a_query_string_means_it() {
        let window = web_sys::window().unwrap();
        let location = window.location();
        let was = location.pathname().unwrap() + &location.search().unwrap();
        let history = window.history().unwrap();
        history
            .replace_state_with_url(
                &JsValue::NULL,
                "",
                Some("/p?x=1&utm_source=&utm_source=news+letter&utm_medium=a%0Ab&utm_campaign=%E2%82%AC%zz"),
            )
            .unwrap();
        let page = super::this_page();
        history
            .replace_state_with_url(&JsValue::NULL, "", Some(&was))
            .unwrap();
        let fields: Vec<&str> = page.split('\n').collect();
        assert_eq!(fields.len(), 7, "{page:?}");
        assert_eq!(fields[1], "/p");
        assert_eq!(
            fields[2..5],
            ["news letter", "a b", "€%zz"],
            "the first non-empty value, decoded, on one line"
        );
    }

    // One test: the plugin starts once per page.
    #[wasm_bindgen_test]
    fn start_records_a_page_left_before_it_and_routes_before_it_then_follows_route_changes() {
        crate::start(JsValue::from(42));
        assert_eq!(
            current_path(),
            None,
            "bad options start nothing, and throw nothing"
        );

        let window = web_sys::window().unwrap();
        let history = window.history().unwrap();
        let page = window.location().pathname().unwrap();
        // A page left before the plugin could start on it, as the JS hook
        // keeps it: shown, path, campaign source, medium and name, title,
        // referrer, left.
        let now = wall_ms();
        let early = |shown: u64, left: u64| {
            [
                &shown.to_string(),
                "/landing",
                "news",
                "",
                "",
                "Landing",
                "https://mail.example/",
                &left.to_string(),
            ]
            .join("\n")
        };
        let storage = window.local_storage().unwrap().unwrap();
        storage
            .set_item("floorwalker.early", &early(now - 500, now - 300))
            .unwrap();
        // A single-page shop's route change before `start`, and back.
        history
            .push_state_with_url(&JsValue::NULL, "", Some("/before-start"))
            .unwrap();
        history
            .replace_state_with_url(&JsValue::NULL, "", Some(&page))
            .unwrap();
        let options = js_sys::JSON::parse(r#"{"server":"ws://127.0.0.1:9","site":"test"}"#);
        crate::start(options.unwrap());
        assert_eq!(current_path(), Some(page.clone()));
        let events = published();
        assert_eq!(
            events[..2],
            [
                ShopperEvent::PageView {
                    path: "/landing".into(),
                    title: "Landing".into(),
                    referrer: Some("https://mail.example/".into()),
                    utm: Some(Utm {
                        source: Some("news".into()),
                        medium: None,
                        campaign: None,
                    }),
                },
                ShopperEvent::Dwell {
                    path: "/landing".into(),
                    ms: 200,
                },
            ],
            "the page left early comes first, with its dwell"
        );
        assert!(
            matches!(&events[2], ShopperEvent::PageView { path, .. } if *path == page),
            "{events:?}"
        );
        let views: Vec<&str> = events
            .iter()
            .filter_map(|e| match e {
                ShopperEvent::PageView { path, .. } => Some(path.as_str()),
                _ => None,
            })
            .collect();
        assert!(
            views.ends_with(&["/before-start", &page]),
            "the route change before start, recorded as a page view: {views:?}"
        );
        assert_eq!(
            storage.get_item("floorwalker.early").unwrap(),
            None,
            "taken once"
        );
        // One left longer ago than a session lasts belongs to no session of
        // now; anything else in its place is not a page.
        let hour = 3_600_000;
        for junk in [
            early(now - hour, now - hour + 1),
            String::new(),
            "x\ny".into(),
        ] {
            with_plugin(|p| super::record_page(p, &junk, true));
            assert_eq!(published(), [], "{junk:?}");
        }

        history
            .push_state_with_url(&JsValue::NULL, "", Some("/shoes/trail?utm_source=x"))
            .unwrap();
        assert_eq!(current_path().as_deref(), Some("/shoes/trail"));
        history
            .replace_state_with_url(&JsValue::NULL, "", Some("/shoes/road"))
            .unwrap();
        assert_eq!(current_path().as_deref(), Some("/shoes/road"));
        history
            .replace_state_with_url(&JsValue::NULL, "", Some(&page))
            .unwrap();

        ga4_events_keep_their_currency_value_and_items();
    }

    /// What a shop pushes to `dataLayer` arrives in its currency (the
    /// event's, else its first item's, else `start`'s), with its items,
    /// value, tax and shipping; an event in no currency is not recorded.
    fn ga4_events_keep_their_currency_value_and_items() {
        let _ = published();
        let layer: js_sys::Array = super::data_layer().unchecked_into();
        let push = |json: &str| {
            layer.push(&js_sys::JSON::parse(json).unwrap());
        };
        let items = r#"[{"item_id":"trail","item_name":"Trail","price":129,"quantity":1},
            {"item_id":"socks","price":14.99,"quantity":2}]"#;
        push(&format!(
            r#"{{"event":"begin_checkout","ecommerce":{{"currency":"USD","value":158.98,"items":{items}}}}}"#
        ));
        push(&format!(
            r#"{{"event":"purchase","ecommerce":{{"transaction_id":"T-9","currency":"USD",
                "value":158.98,"tax":12.72,"shipping":5.99,"items":{items}}}}}"#
        ));
        push(
            r#"{"event":"add_to_cart","ecommerce":{"currency":"dollars","items":[{"item_id":"hat","price":5}]}}"#,
        );
        push(r#"["event","add_to_cart",{"items":[{"item_id":"cap","price":5}]}]"#);
        push(
            r#"{"event":"add_to_cart","ecommerce":{"items":[{"item_id":"scarf","price":20,"currency":"GBP"}]}}"#,
        );

        let lines = vec![
            CartLine {
                sku: "trail".into(),
                quantity: 1,
                value_minor: 12_900,
            },
            CartLine {
                sku: "socks".into(),
                quantity: 2,
                value_minor: 2_998,
            },
        ];
        let mut seen: Vec<(String, ShopperEvent)> = Vec::new();
        for batch in published_batches() {
            for event in batch.events {
                seen.push((batch.currency.clone(), event.kind));
            }
        }
        let usd = "USD".to_owned();
        assert!(
            seen.contains(&(
                usd.clone(),
                ShopperEvent::CheckoutStep {
                    step: 1,
                    name: "begin_checkout".into(),
                    value_minor: Some(15_898),
                    items: lines.clone(),
                }
            )),
            "{seen:#?}"
        );
        assert!(
            seen.contains(&(
                usd,
                ShopperEvent::OrderCompleted {
                    order_id: "T-9".into(),
                    total_minor: 15_898,
                    tax_minor: Some(1_272),
                    shipping_minor: Some(599),
                    items: lines,
                }
            )),
            "{seen:#?}"
        );
        let cart: Vec<(&str, &str)> = seen
            .iter()
            .filter_map(|(currency, e)| match e {
                ShopperEvent::CartAdd(line) => Some((currency.as_str(), line.sku.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(
            cart,
            [("EUR", "cap"), ("GBP", "scarf")],
            "no currency: start's; an item's when the event names none; 'dollars' refused"
        );
    }
}
