// Small hand-made traces: the events Chromium writes, with only the fields
// analyze reads. Times are in milliseconds here, microseconds in the trace.

use std::time::Duration;

use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use super::{Fetch, TraceError, analyze, is_plugin_url};

const PAGE: &str = "http://127.0.0.1:8000/";
const LOADER: &str = "http://127.0.0.1:8000/dist/floorwalker.js";
const WASM: &str = "http://127.0.0.1:8000/dist/floorwalker_bg.wasm";
const SHOP: &str = "http://127.0.0.1:8000/shop.js";

/// The renderer's process and main thread.
const PID: i64 = 7;
const MAIN: i64 = 7;

fn us(ms: f64) -> f64 {
    ms * 1000.0
}

fn dur(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

fn nav(at: f64) -> Value {
    json!({
        "name": "navigationStart", "ph": "R", "cat": "blink.user_timing",
        "pid": PID, "tid": MAIN, "ts": us(at),
        "args": { "frame": "F", "data": {
            "documentLoaderURL": PAGE, "isOutermostMainFrame": true, "isLoadingMainFrame": true,
        } },
    })
}

fn mark(at: f64) -> Value {
    json!({
        "name": super::SETTLED_MARK, "ph": "I", "cat": "blink.user_timing",
        "pid": PID, "tid": MAIN, "ts": us(at), "args": {},
    })
}

fn complete(name: &str, tid: i64, at: f64, ms: f64, args: Value) -> Value {
    let mut event =
        json!({ "name": name, "ph": "X", "pid": PID, "tid": tid, "ts": us(at), "dur": us(ms) });
    event["args"] = args;
    event
}

fn task(at: f64, ms: f64) -> Value {
    complete("RunTask", MAIN, at, ms, json!({}))
}

fn call(at: f64, ms: f64, url: &str) -> Value {
    complete(
        "FunctionCall",
        MAIN,
        at,
        ms,
        json!({ "data": { "url": url, "functionName": "f" } }),
    )
}

fn compile(at: f64, ms: f64, url: &str) -> Value {
    complete(
        "v8.compileModule",
        MAIN,
        at,
        ms,
        json!({ "fileName": url, "data": { "url": url } }),
    )
}

fn microtasks(at: f64, ms: f64) -> Value {
    complete(
        "RunMicrotasks",
        MAIN,
        at,
        ms,
        json!({ "microtask_count": 3 }),
    )
}

/// A CPU profile of thread `tid` from `start`: (root) → (program), and
/// (root) → the page's inline module → the loader → a wasm function.
fn profile(tid: i64, start: f64) -> Value {
    json!({
        "name": "Profile", "ph": "P", "id": format!("0x{tid}"), "pid": PID, "tid": tid,
        "ts": us(start), "args": { "data": { "startTime": us(start) } },
    })
}

/// A chunk of that profile: `samples` (node ids), each `deltas_ms` after
/// the one before (the first after the profile's start).
fn chunk(tid: i64, at: f64, samples: &[u64], deltas_ms: &[f64]) -> Value {
    let node = |id: u64, parent: Option<u64>, url: &str| {
        let mut node = json!({ "id": id, "callFrame": { "functionName": "", "url": url } });
        if let Some(parent) = parent {
            node["parent"] = json!(parent);
        }
        node
    };
    let deltas: Vec<f64> = deltas_ms.iter().map(|ms| us(*ms)).collect();
    json!({
        "name": "ProfileChunk", "ph": "P", "id": format!("0x{tid}"), "pid": PID, "tid": 99,
        "ts": us(at),
        "args": { "data": {
            "cpuProfile": {
                "nodes": [
                    node(1, None, ""), node(2, Some(1), ""),
                    node(3, Some(1), PAGE), node(4, Some(3), LOADER), node(5, Some(4), WASM),
                ],
                "samples": samples,
            },
            "timeDeltas": deltas,
        } },
    })
}

fn send(at: f64, id: &str, url: &str) -> Value {
    json!({
        "name": "ResourceSendRequest", "ph": "I", "pid": PID, "tid": MAIN, "ts": us(at),
        "args": { "data": { "requestId": id, "url": url } },
    })
}

fn finish(at: f64, id: &str, encoded: u64, decoded: u64, failed: bool) -> Value {
    json!({
        "name": "ResourceFinish", "ph": "I", "pid": PID, "tid": MAIN, "ts": us(at),
        "args": { "data": {
            "requestId": id, "encodedDataLength": encoded, "decodedBodyLength": decoded,
            "didFail": failed,
        } },
    })
}

#[test]
fn a_long_task_with_a_dist_function_call_inside_is_the_plugins() {
    let trace = [
        nav(0.0),
        task(10.0, 60.0),
        call(20.0, 10.0, LOADER),
        mark(100.0),
    ];
    let load = analyze(&trace, PAGE).unwrap();
    let long: Vec<_> = load.long_tasks().collect();
    assert_eq!(long.len(), 1);
    assert!(long[0].is_plugin());
    assert_eq!(long[0].start, dur(10));
    assert_eq!(long[0].plugin, dur(10));
    assert_eq!(load.busy, dur(60));
    assert_eq!(load.plugin, dur(10));
    assert_eq!(load.window, dur(100));
    assert_eq!(
        load.plugin_scripts().into_iter().collect::<Vec<_>>(),
        [LOADER]
    );
}

#[test]
fn a_long_task_that_runs_only_the_pages_scripts_is_not_the_plugins() {
    let trace = [
        nav(0.0),
        task(10.0, 60.0),
        call(20.0, 30.0, SHOP),
        compile(55.0, 1.0, SHOP),
        // The plugin runs, but in a short task of its own.
        task(80.0, 5.0),
        call(80.5, 4.0, LOADER),
        mark(100.0),
    ];
    let load = analyze(&trace, PAGE).unwrap();
    let long: Vec<_> = load.long_tasks().collect();
    assert_eq!(long.len(), 1);
    assert!(!long[0].is_plugin(), "{long:#?}");
    assert_eq!(long[0].plugin, Duration::ZERO);
    assert_eq!(long[0].scripts.iter().collect::<Vec<_>>(), [SHOP]);
    assert_eq!(load.plugin, dur(4));
    assert!(load.tasks[1].is_plugin() && !load.tasks[1].is_long());
}

#[test]
fn nested_events_count_once() {
    let trace = [
        nav(0.0),
        task(0.0, 100.0),
        // A nested run loop's task, inside the first: not busy time twice.
        task(10.0, 20.0),
        // A call of the plugin's that compiles and calls more of it, all
        // overlapping, and samples of the plugin during it.
        call(40.0, 40.0, LOADER),
        compile(45.0, 5.0, LOADER),
        call(50.0, 20.0, LOADER),
        profile(MAIN, 40.0),
        chunk(MAIN, 41.0, &[5, 5, 5, 2], &[1.0, 10.0, 10.0, 19.0]),
        mark(200.0),
    ];
    let load = analyze(&trace, PAGE).unwrap();
    assert_eq!(load.tasks.len(), 1);
    assert_eq!(load.busy, dur(100));
    assert_eq!(load.plugin, dur(40));
    assert_eq!(load.tasks[0].plugin, dur(40));
    assert!(load.tasks[0].is_plugin() && load.tasks[0].is_long());
}

#[test]
fn samples_find_the_plugin_where_no_event_names_it() {
    // wasm-bindgen's init and the plugin's start run in microtasks, which
    // carry no URL: only the profile's stacks show whose code ran.
    let trace = [
        nav(0.0),
        task(10.0, 70.0),
        microtasks(10.0, 70.0),
        profile(MAIN, 0.0),
        // Samples at 12, 20, 40, 60, 75 ms: the plugin until 60, then not.
        chunk(MAIN, 1.0, &[5, 4, 5, 2, 2], &[12.0, 8.0, 20.0, 20.0, 15.0]),
        // The same stacks on another thread are not the main thread's.
        profile(8, 0.0),
        chunk(8, 2.0, &[5, 5], &[85.0, 5.0]),
        task(85.0, 10.0),
        mark(100.0),
    ];
    let load = analyze(&trace, PAGE).unwrap();
    let long: Vec<_> = load.long_tasks().collect();
    assert_eq!(long.len(), 1);
    assert!(long[0].is_plugin());
    assert_eq!(long[0].plugin, dur(48));
    assert_eq!(
        long[0].scripts.iter().collect::<Vec<_>>(),
        [PAGE, LOADER, WASM]
    );
    assert!(!load.tasks[1].is_plugin(), "{:#?}", load.tasks[1]);
    assert_eq!(load.plugin, dur(48));
}

#[test]
fn only_the_pages_main_thread_between_navigation_and_mark_counts() {
    let mut other = task(20.0, 500.0);
    other["tid"] = json!(MAIN + 1);
    let mut other_process = call(20.0, 10.0, LOADER);
    other_process["pid"] = json!(PID + 1);
    let trace = [
        task(-50.0, 40.0),
        nav(0.0),
        task(-5.0, 10.0),
        other,
        other_process,
        task(30.0, 10.0),
        // Runs past the mark (the settle script's own task): clipped there.
        task(90.0, 30.0),
        mark(100.0),
        task(150.0, 80.0),
        call(160.0, 10.0, LOADER),
    ];
    let load = analyze(&trace, PAGE).unwrap();
    let spans: Vec<_> = load.tasks.iter().map(|t| (t.start, t.duration)).collect();
    assert_eq!(
        spans,
        [(dur(0), dur(5)), (dur(30), dur(10)), (dur(90), dur(10))]
    );
    assert_eq!(load.busy, dur(25));
    assert_eq!(load.plugin, Duration::ZERO);
    assert!(load.scripts().is_empty());
    assert_eq!(load.long_tasks().count(), 0);
}

#[test]
fn the_plugins_fetches_are_those_finished_before_the_mark() {
    let trace = [
        nav(0.0),
        send(1.0, "doc", PAGE),
        finish(2.0, "doc", 1200, 1000, false),
        send(3.0, "js", LOADER),
        finish(5.0, "js", 13_564, 13_370, false),
        send(6.0, "wasm", WASM),
        finish(20.0, "wasm", 116_179, 115_983, false),
        send(7.0, "shop", SHOP),
        finish(8.0, "shop", 2500, 2354, false),
        send(9.0, "chat", "http://127.0.0.1:8000/dist/chat.js"),
        finish(9.5, "chat", 300, 0, true),
        send(30.0, "late", "http://127.0.0.1:8000/dist/later.js"),
        finish(150.0, "late", 900, 700, false),
        mark(100.0),
    ];
    let load = analyze(&trace, PAGE).unwrap();
    assert_eq!(
        load.fetches,
        [
            Fetch {
                url: LOADER.to_owned(),
                encoded: 13_564,
                decoded: 13_370
            },
            Fetch {
                url: WASM.to_owned(),
                encoded: 116_179,
                decoded: 115_983
            },
        ]
    );
}

#[test]
fn the_load_event_is_the_pages_own() {
    let load_end = |at: f64, frame: &str| {
        json!({
            "name": "loadEventEnd", "ph": "R", "pid": PID, "tid": MAIN, "ts": us(at),
            "args": { "frame": frame },
        })
    };
    let trace = [
        load_end(-3.0, "F"),
        nav(0.0),
        load_end(12.0, "an-iframe"),
        load_end(42.5, "F"),
        mark(100.0),
    ];
    let load = analyze(&trace, PAGE).unwrap();
    assert_eq!(load.load_event, Some(Duration::from_micros(42_500)));
}

#[test]
fn the_last_marked_load_of_the_page_is_read() {
    let trace = [
        nav(0.0),
        task(10.0, 60.0),
        mark(100.0),
        nav(200.0),
        task(210.0, 5.0),
        mark(300.0),
        // A navigation that never settled.
        nav(400.0),
    ];
    let load = analyze(&trace, PAGE).unwrap();
    assert_eq!(load.window, dur(100));
    assert_eq!(load.busy, dur(5));
}

#[test]
fn a_trace_without_the_navigation_or_the_mark_is_an_error() {
    let mut elsewhere = nav(0.0);
    elsewhere["args"]["data"]["documentLoaderURL"] = json!("http://127.0.0.1:8000/cart.html");
    assert_eq!(
        analyze(&[elsewhere, mark(10.0)], PAGE),
        Err(TraceError::NoNavigation)
    );
    assert_eq!(analyze(&[], PAGE), Err(TraceError::NoNavigation));
    assert_eq!(
        analyze(&[mark(-1.0), nav(0.0), task(1.0, 2.0)], PAGE),
        Err(TraceError::NoSettleMark)
    );
}

#[test]
fn malformed_events_are_skipped() {
    let trace = [
        json!(null),
        json!({ "name": "RunTask", "ph": "X", "pid": PID, "tid": MAIN }),
        json!({ "name": "ProfileChunk", "ph": "P", "id": "0x7", "pid": PID, "args": {} }),
        nav(0.0),
        profile(MAIN, 0.0),
        json!({ "name": "FunctionCall", "ph": "X", "pid": PID, "tid": MAIN, "ts": 1000.0 }),
        task(1.0, 2.0),
        mark(10.0),
    ];
    let load = analyze(&trace, PAGE).unwrap();
    assert_eq!(load.busy, dur(2));
}

#[test]
fn the_plugins_urls_are_those_under_dist() {
    for url in [
        LOADER,
        WASM,
        "http://shop.test/dist/chat/part.js?v=3",
        "https://shop.test:8443/dist/snippets/x/inline0.js",
    ] {
        assert!(is_plugin_url(url), "{url}");
    }
    for url in [
        PAGE,
        SHOP,
        "http://shop.test/distillery.js",
        "http://shop.test/shop/dist/a.js",
        "http://shop.test/dist",
        "wasm://wasm/1a2b3c",
        "/dist/floorwalker.js",
        "",
    ] {
        assert!(!is_plugin_url(url), "{url}");
    }
}
