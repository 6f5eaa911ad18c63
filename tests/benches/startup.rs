//! What loading the plugin costs the page: the demo shop's home page with
//! the plugin and without it, side by side in one run, read from Chromium
//! traces.
//!
//! Each page is loaded `RUNS` times, interleaved, in one headless Chromium
//! with its cache disabled; each load is traced from navigation start until
//! the page has settled (the plugin started, when it is there, and the main
//! thread idle for two idle periods in a row). The page without the plugin
//! is the same page with every request under `/dist/` blocked by Chromium
//! (see `floorwalker_tests::trace::record`), so the shop's own scripts,
//! styles and server are the same in both. Medians are shown; long tasks
//! are counted over all loads.
//!
//! The plugin's bytes are those fetched from `/dist/` before the page
//! settled, that is before a shopper's first interaction; the test server
//! does not compress, so the gzip -9 size of each file in `dist/` is shown
//! beside what crossed the wire.
//!
//! A hand-rolled harness: divan cannot time work inside a browser.

use std::time::Duration;

use floorwalker_tests::browser::Browser;
use floorwalker_tests::setup::shop_and_server;
use floorwalker_tests::trace::record::{Plugin, gzip9, record_load};
use floorwalker_tests::trace::{CATEGORIES, LONG_TASK, PageLoad};

const RUNS: usize = 7;

/// The two pages compared, in the order of the columns.
const VARIANTS: [(&str, Plugin); 2] = [
    ("without the plugin", Plugin::Blocked),
    ("with the plugin", Plugin::Loaded),
];

fn main() {
    let (shop, _server) = shop_and_server();
    let browser = Browser::start_tracing(CATEGORIES);
    let url = shop.url("/");
    let mut loads: [Vec<PageLoad>; 2] = [Vec::new(), Vec::new()];
    // One load of each first, unmeasured: Chromium's first page in a fresh
    // profile pays for starting its renderer and compiling its own code.
    for (_, plugin) in VARIANTS {
        record_load(&browser, &url, plugin).unwrap_or_else(|e| panic!("tracing a load: {e}"));
    }
    for _ in 0..RUNS {
        for (i, (_, plugin)) in VARIANTS.into_iter().enumerate() {
            let load = record_load(&browser, &url, plugin)
                .unwrap_or_else(|e| panic!("tracing a load: {e}"));
            loads[i].push(load);
        }
    }
    print_times(&loads);
    // The bytes are the same every load; the last one's are shown.
    if let Some(last) = loads[1].last() {
        print_bytes(last);
    }
    let without: u64 = loads[0]
        .iter()
        .flat_map(|l| &l.fetches)
        .map(|f| f.encoded)
        .sum();
    println!("(without the plugin: {without} bytes from /dist/ over all loads)");
}

/// The main thread's figures, side by side.
fn print_times(loads: &[Vec<PageLoad>; 2]) {
    println!(
        "The demo shop's home page in headless Chromium, {RUNS} loads each, interleaved, cold cache\n\
         (main thread of the page's renderer, navigation start to settled; medians):\n"
    );
    println!("{:<44} {:>20} {:>20}", "", VARIANTS[0].0, VARIANTS[1].0);
    let row = |label: &str, cell: &dyn Fn(&[PageLoad]) -> String| {
        println!(
            "{label:<44} {:>20} {:>20}",
            cell(&loads[0]),
            cell(&loads[1])
        );
    };
    let longest = |l: &PageLoad| l.longest_task().map(|t| t.duration).unwrap_or_default();
    row("window: navigation start to settled", &|l| {
        ms(median(l, |l| l.window))
    });
    row("load event (its end)", &|l| {
        ms(median(l, |l| l.load_event.unwrap_or_default()))
    });
    row("main thread busy", &|l| ms(median(l, |l| l.busy)));
    row("  of it, running the plugin's scripts", &|l| {
        ms(median(l, |l| l.plugin))
    });
    row("longest task", &|l| ms(median(l, longest)));
    row("longest task, worst load", &|l| {
        ms(l.iter().map(longest).max().unwrap_or_default())
    });
    // How far the plugin's own longest task is from being a long task.
    row("longest task running the plugin's scripts", &|l| {
        ms(median(l, longest_plugin))
    });
    row("  worst load", &|l| {
        ms(l.iter().map(longest_plugin).max().unwrap_or_default())
    });
    let long = format!("long tasks (> {} ms), all loads", LONG_TASK.as_millis());
    row(&long, &|l| {
        l.iter()
            .map(|l| l.long_tasks().count())
            .sum::<usize>()
            .to_string()
    });
    row("  of them, running the plugin's scripts", &|l| {
        l.iter()
            .map(|l| l.long_tasks().filter(|t| t.is_plugin()).count())
            .sum::<usize>()
            .to_string()
    });
    let theirs: Vec<_> = loads[1]
        .iter()
        .flat_map(|l| l.long_tasks().filter(|t| t.is_plugin()))
        .collect();
    for task in theirs {
        println!(
            "  the plugin's long task: {} at {}, {} of it the plugin's",
            ms(task.duration),
            ms(task.start),
            ms(task.plugin)
        );
    }
}

/// The plugin's files `load` fetched, and their sizes compressed.
fn print_bytes(load: &PageLoad) {
    println!("\nThe plugin's files fetched before the page settled (the last load):\n");
    println!(
        "{:<60} {:>10} {:>10} {:>10}",
        "/dist/…", "on wire", "decoded", "gzip -9"
    );
    let mut totals = (0, 0, 0);
    for fetch in &load.fetches {
        let gz = gzip9(&fetch.url);
        let path = fetch
            .url
            .split_once("/dist/")
            .map_or(fetch.url.as_str(), |(_, p)| p);
        println!(
            "{path:<60} {:>10} {:>10} {:>10}",
            fetch.encoded,
            fetch.decoded,
            gz.map_or_else(|| "?".to_owned(), |n| n.to_string())
        );
        totals.0 += fetch.encoded;
        totals.1 += fetch.decoded;
        totals.2 += gz.unwrap_or_default();
    }
    println!(
        "{:<60} {:>10} {:>10} {:>10}",
        "total", totals.0, totals.1, totals.2
    );
}

/// The longest task of `load` that ran the plugin's scripts.
fn longest_plugin(load: &PageLoad) -> Duration {
    load.tasks
        .iter()
        .filter(|t| t.is_plugin())
        .map(|t| t.duration)
        .max()
        .unwrap_or_default()
}

/// The median of `f` over `loads`.
fn median(loads: &[PageLoad], f: impl Fn(&PageLoad) -> Duration) -> Duration {
    let mut values: Vec<Duration> = loads.iter().map(f).collect();
    values.sort();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1_000.0)
}
