//! What the plugin's listeners cost the page: input events dispatched in
//! headless Chromium on a page without the plugin and on the demo shop's home
//! page with it, side by side in one run.
//!
//! The plugin listens (passively) to pointer moves, keys, touches and
//! scrolls, and its handlers only note the time; this measures that claim.
//! In each page the same script dispatches 20,000 events (pointermove,
//! scroll, keydown in turn) to `window` and times the loop with
//! `performance.now()`; each page is measured five times, interleaved, and
//! the median kept. The page without the plugin is a stylesheet of the same
//! shop (a plain document with no listeners of ours), so all run in the
//! same browser, origin and process; the same page with four bare JS
//! listeners shows the least any listener costs.
//!
//! A hand-rolled harness: divan cannot time work inside a browser.

use floorwalker_tests::browser::Browser;
use floorwalker_tests::setup::shop_and_server;

const EVENTS: u32 = 20_000;
const RUNS: usize = 5;

const DISPATCH: &str = "
const n = arguments[0];
const kinds = [
  () => new PointerEvent('pointermove', { clientX: 10, clientY: 10 }),
  () => new Event('scroll'),
  () => new KeyboardEvent('keydown', { key: 'a' }),
];
const start = performance.now();
for (let i = 0; i < n; i++) window.dispatchEvent(kinds[i % 3]());
return performance.now() - start;
";

const BARE_LISTENERS: &str = "
let noted = false;
const opts = { passive: true, capture: true };
for (const name of ['pointermove', 'keydown', 'touchstart', 'scroll'])
  addEventListener(name, () => { noted = true; }, opts);
";

fn main() {
    let (shop, _server) = shop_and_server();
    let browser = Browser::start();
    let pages = [
        ("without the plugin", shop.url("/shop.css")),
        ("four bare listeners", shop.url("/shop.css")),
        ("with the plugin", shop.url("/")),
    ];
    let mut times: [Vec<f64>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for _ in 0..RUNS {
        for (i, (_, url)) in pages.iter().enumerate() {
            browser.goto(url);
            if i == 1 {
                // The least any listener costs: what the plugin's do, minus
                // the plugin.
                browser.execute(BARE_LISTENERS);
            }
            if i == 2 {
                browser.wait_for_plugin();
            }
            let ms = browser
                .execute_with(DISPATCH, vec![serde_json::json!(EVENTS)])
                .as_f64()
                .expect("a duration");
            times[i].push(ms);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let base = median(&mut times[0]);
    let listeners = median(&mut times[1]);
    let with = median(&mut times[2]);
    println!("{EVENTS} input events dispatched in headless Chromium (median of {RUNS}):\n");
    println!(
        "{:<20} {:>10} {:>14} {:>8}",
        "page", "total", "per event", "ratio"
    );
    for (name, ms) in [
        (pages[0].0, base),
        (pages[1].0, listeners),
        (pages[2].0, with),
    ] {
        println!(
            "{name:<20} {:>7.1} ms {:>11.2} µs {:>7.2}x",
            ms,
            ms * 1_000.0 / f64::from(EVENTS),
            ms / base
        );
    }
    let per_event = |ms: f64| ms * 1_000.0 / f64::from(EVENTS);
    println!(
        "\nthe plugin adds {:.2} µs per input event; four bare listeners add {:.2} µs",
        per_event(with - base),
        per_event(listeners - base)
    );
}
