// What loading the plugin costs the demo shop's home page, read from a Chromium trace.

use floorwalker_tests::browser::Browser;
use floorwalker_tests::setup::shop_and_server;
use floorwalker_tests::trace::record::{Plugin, record_load};
use floorwalker_tests::trace::{CATEGORIES, LONG_TASK, is_plugin_url};

const LAUNCHER_SHOWN: &str = "
const launcher = document.getElementById('floorwalker-launcher');
return !!launcher && launcher.getClientRects().length > 0;
";

#[test]
fn the_plugin_starts_without_a_long_task_of_its_own() {
    let (shop, _server) = shop_and_server();
    let browser = Browser::start_tracing(CATEGORIES);
    let url = shop.url("/");
    let load = record_load(&browser, &url, Plugin::Loaded).unwrap();

    // What the shopper sees: the launcher, on the page.
    assert_eq!(
        browser.execute(LAUNCHER_SHOWN),
        true,
        "the plugin's launcher is not shown"
    );
    // The trace saw the plugin run and load: this test cannot pass because
    // tracing caught nothing.
    let plugin_scripts = load.plugin_scripts();
    assert!(
        !plugin_scripts.is_empty() && !load.plugin.is_zero(),
        "the trace shows none of the plugin's scripts running; scripts seen: {:#?}",
        load.scripts()
    );
    assert!(
        load.fetches.iter().any(|f| f.decoded > 0),
        "the trace shows none of the plugin's files fetched"
    );

    let theirs: Vec<_> = load.long_tasks().filter(|t| t.is_plugin()).collect();
    assert!(
        theirs.is_empty(),
        "{} long task(s) over {} ms ran the plugin's scripts (the plugin's share of each, and what each ran): {theirs:#?}",
        theirs.len(),
        LONG_TASK.as_millis()
    );
}

#[test]
fn the_plugin_waits_for_the_page_to_load_and_fetches_no_chat_code_before_a_chat() {
    let (shop, _server) = shop_and_server();
    let browser = Browser::start();
    browser.goto(&shop.url("/"));
    browser.wait_for_plugin();
    // What the page fetched from /dist/, and when each fetch began, beside
    // the end of the page's load event (all from navigation start).
    let seen = browser.execute(
        "const load = performance.getEntriesByType('navigation')[0].loadEventEnd;
         const plugin = performance.getEntriesByType('resource')
           .filter((e) => new URL(e.name).pathname.startsWith('/dist/'))
           .map((e) => [new URL(e.name).pathname, e.startTime]);
         return [load, plugin];",
    );
    let load = seen[0].as_f64().expect("the load event's end");
    let fetched = seen[1].as_array().expect("the plugin's fetches");
    let path = |f: &serde_json::Value| f[0].as_str().unwrap_or_default().to_owned();
    // Our own file names: lower case, as `just wasm` writes them.
    let is_wasm = |p: &str| p.rsplit('.').next() == Some("wasm");
    let paths: Vec<String> = fetched.iter().map(path).collect();
    assert!(
        paths.iter().any(|p| is_wasm(p)),
        "the core's wasm was not fetched: {paths:?}"
    );
    assert!(
        paths.iter().all(|p| !p.contains("chat")),
        "the chat part was fetched before a chat: {paths:?}"
    );
    // The loader is fetched with the page; the core's wasm only after the
    // page's own load.
    for f in fetched.iter().filter(|f| is_wasm(&path(f))) {
        let started = f[1].as_f64().unwrap_or_default();
        assert!(
            started >= load,
            "{} was fetched at {started} ms, before the page's load ended at {load} ms",
            path(f)
        );
    }
}

#[test]
fn blocking_dist_keeps_the_plugin_off_the_page_and_out_of_the_trace() {
    // The bench's page without the plugin: the plugin must be gone from it
    // entirely, and the rest of the page still there.
    let (shop, _server) = shop_and_server();
    let browser = Browser::start_tracing(CATEGORIES);
    let url = shop.url("/");
    let load = record_load(&browser, &url, Plugin::Blocked).unwrap();

    assert_eq!(
        browser.execute("return !!document.getElementById('floorwalker-launcher');"),
        false,
        "the plugin started although /dist/ was blocked"
    );
    assert_eq!(
        browser.execute("return document.querySelector('h1').textContent;"),
        "Floorwalker demo shop"
    );
    let scripts = load.scripts();
    assert!(
        scripts.iter().all(|url| !is_plugin_url(url)),
        "the plugin's scripts ran: {scripts:#?}"
    );
    assert!(
        scripts.iter().any(|url| url.ends_with("/shop.js")),
        "the shop's own script did not run, or the trace missed it: {scripts:#?}"
    );
    assert_eq!(load.fetches, []);
    assert!(load.plugin.is_zero());
}
