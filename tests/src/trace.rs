//! What loading a page costs its renderer's main thread, read from a
//! Chromium performance trace, and how much of it the plugin's scripts cost.
//!
//! - [`analyze`] (here) reads the trace events of one page load into a
//!   [`PageLoad`]. It is pure, over `serde_json` values, so unit tests feed it
//!   small hand-made traces.
//! - `profile.rs` rebuilds V8's CPU profile samples from the trace, so time
//!   spent in the plugin's code can be found where no event names a URL.
//! - [`record`] loads a page in a real browser and returns its trace,
//!   analyzed: through ChromeDriver's performance log (why, in its docs).
//!
//! The plugin's scripts are every URL whose path starts with `/dist/`
//! ([`is_plugin_url`]), never a file name: the plugin's files are being
//! split and renamed.
//!
//! The window of a load runs from the `navigationStart` of the page's
//! document to a `performance.mark` ([`SETTLED_MARK`]) the recorder makes
//! once the page has settled. In it, on the renderer's main thread:
//! - busy time is the sum of the top-level tasks (`RunTask`), clipped to the
//!   window, so nested tasks and the events inside them count once;
//! - the plugin's time, per task, is the union of the spans of script events
//!   (function calls, script evaluation, JS compilation) whose URL is the
//!   plugin's, and of the CPU profile's sampling intervals whose stack holds
//!   a frame of the plugin's. Without the samples the plugin's largest piece
//!   of work would go unseen: wasm-bindgen's `init` and the plugin's `start`
//!   run in microtasks (`RunMicrotasks`), which carry no URL. A union, so
//!   nested or overlapping evidence counts once. Chromium's main-thread wasm
//!   streaming-compile events carry no URL either, and nothing JS is on the
//!   stack then: that part (a few milliseconds) is not counted as the
//!   plugin's; the lazy compilation of wasm functions, which happens when the
//!   plugin calls them, is.
//! - a task "ran" a script if a script event inside it, or a sample taken
//!   during it, names the script's URL; a long task (over [`LONG_TASK`]) is
//!   the plugin's if it ran any of the plugin's scripts, however briefly.
//!
//! Hand-written: no crate reads Chromium's trace event format, and the few
//! fields used here are documented in Chromium's `TraceEvent` and in the timeline
//! model of its developer tools.

mod profile;
pub mod record;

#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use serde_json::Value;

use profile::Sample;

/// The `performance.mark` that ends a load's window.
pub const SETTLED_MARK: &str = "floorwalker-trace-settled";

/// A task longer than this is a long task (the Long Tasks API's threshold).
pub const LONG_TASK: Duration = Duration::from_millis(50);

/// The trace categories a load is recorded with: tasks and script events
/// (`devtools.timeline`, its disabled-by-default part and `v8`), microtasks
/// (`v8.execute`), navigation timing and marks (`blink.user_timing`),
/// network requests (`devtools.timeline`, `loading`) and V8's CPU profile.
pub const CATEGORIES: &str = "devtools.timeline,disabled-by-default-devtools.timeline,v8,v8.execute,\
                              blink.user_timing,loading,disabled-by-default-v8.cpu_profiler";

/// The main thread's top-level tasks.
const TASK_EVENTS: [&str; 2] = ["RunTask", "ThreadControllerImpl::RunTask"];

/// Events that run or compile a script and name it.
const SCRIPT_EVENTS: [&str; 8] = [
    "FunctionCall",
    "EvaluateScript",
    "v8.compile",
    "v8.compileModule",
    "v8.run",
    "v8.evaluateModule",
    "TimerFire",
    "FireIdleCallback",
];

/// Why a trace could not be read as a page load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TraceError {
    /// No main-frame navigation to the page.
    #[error(
        "the trace has no navigation to the page: was it recorded with the `blink.user_timing` category, and the page loaded after the trace started?"
    )]
    NoNavigation,
    /// The page's navigation, but no settle mark after it.
    #[error(
        "the trace has no '{SETTLED_MARK}' mark after the page's navigation: mark it (the recorder does) before taking the trace"
    )]
    NoSettleMark,
    /// Chromium's trace buffer filled: events are missing.
    #[error(
        "Chromium's trace buffer filled while recording, so events are missing: record fewer categories or a shorter window"
    )]
    BufferFull,
}

/// One top-level task on the main thread.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// When it started, from navigation start.
    pub start: Duration,
    /// How long it ran within the window.
    pub duration: Duration,
    /// How much of that the plugin's scripts ran.
    pub plugin: Duration,
    /// The script URLs it ran.
    pub scripts: BTreeSet<String>,
}

impl Task {
    /// Whether it ran any of the plugin's scripts.
    pub fn is_plugin(&self) -> bool {
        self.scripts.iter().any(|url| is_plugin_url(url))
    }

    /// Whether it is a long task.
    pub fn is_long(&self) -> bool {
        self.duration > LONG_TASK
    }
}

/// A request for one of the plugin's files that finished in the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetch {
    /// Its URL.
    pub url: String,
    /// Bytes received, headers included (`encodedDataLength`): what crossed
    /// the network. The test server does not compress.
    pub encoded: u64,
    /// The body's size once decoded.
    pub decoded: u64,
}

/// What one page load cost the renderer's main thread.
#[derive(Debug, Clone, PartialEq)]
pub struct PageLoad {
    /// From navigation start to the settle mark.
    pub window: Duration,
    /// The time the main thread spent in tasks.
    pub busy: Duration,
    /// The part of it the plugin's scripts ran.
    pub plugin: Duration,
    /// The load event's end, from navigation start.
    pub load_event: Option<Duration>,
    /// The top-level tasks, in order.
    pub tasks: Vec<Task>,
    /// The plugin's files fetched, in the order they were requested.
    pub fetches: Vec<Fetch>,
}

impl PageLoad {
    /// The tasks over [`LONG_TASK`].
    pub fn long_tasks(&self) -> impl Iterator<Item = &Task> {
        self.tasks.iter().filter(|t| t.is_long())
    }

    /// The longest task.
    pub fn longest_task(&self) -> Option<&Task> {
        self.tasks.iter().max_by_key(|t| t.duration)
    }

    /// Every script URL that ran in the window.
    pub fn scripts(&self) -> BTreeSet<&str> {
        self.tasks
            .iter()
            .flat_map(|t| t.scripts.iter().map(String::as_str))
            .collect()
    }

    /// The plugin's script URLs that ran in the window.
    pub fn plugin_scripts(&self) -> BTreeSet<&str> {
        let mut scripts = self.scripts();
        scripts.retain(|url| is_plugin_url(url));
        scripts
    }
}

/// Whether `url` is one of the plugin's: its path starts with `/dist/`.
pub fn is_plugin_url(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| u.has_host() && u.path().starts_with("/dist/"))
}

/// Reads the load of `page_url` from a trace's events (the objects of
/// Chromium's trace event format), up to its [`SETTLED_MARK`].
///
/// If the trace holds several loads of the page, the last one that was
/// marked is read.
pub fn analyze(events: &[Value], page_url: &str) -> Result<PageLoad, TraceError> {
    let (nav, end) = window(events, page_url)?;
    let thread = Thread::of(nav).ok_or(TraceError::NoNavigation)?;
    let start = num(nav, "ts").ok_or(TraceError::NoNavigation)?;
    let span = Span { start, end };

    let mut main: Vec<Complete> = events
        .iter()
        .filter(|e| Thread::of(e) == Some(thread))
        .filter_map(Complete::of)
        .collect();
    main.sort_by(|a, b| a.span.start.total_cmp(&b.span.start));
    let scripts: Vec<(Span, &str)> = main
        .iter()
        .filter(|c| SCRIPT_EVENTS.contains(&c.name))
        .filter_map(|c| Some((c.span, script_url(c.event)?)))
        .collect();
    let samples = profile::samples(events, thread.pid, thread.tid);

    let tasks: Vec<Task> = top_level(&main)
        .filter_map(|task| task.clip(span))
        .map(|task| attribute(task, start, &scripts, &samples))
        .collect();
    Ok(PageLoad {
        window: micros(end - start),
        busy: tasks.iter().map(|t| t.duration).sum(),
        plugin: tasks.iter().map(|t| t.plugin).sum(),
        load_event: load_event(events, nav, thread.pid).map(|ts| micros(ts - start)),
        tasks,
        fetches: fetches(events, thread.pid, span),
    })
}

/// The page's navigation start and the settle mark's time after it.
fn window<'a>(events: &'a [Value], page_url: &str) -> Result<(&'a Value, f64), TraceError> {
    let mut navs: Vec<&Value> = events
        .iter()
        .filter(|e| name(e) == Some("navigationStart"))
        .filter(|e| {
            let data = &e["args"]["data"];
            data["isOutermostMainFrame"].as_bool() != Some(false)
                && data["documentLoaderURL"]
                    .as_str()
                    .is_some_and(|url| same_url(url, page_url))
        })
        .collect();
    if navs.is_empty() {
        return Err(TraceError::NoNavigation);
    }
    navs.sort_by(|a, b| {
        num(a, "ts")
            .unwrap_or(0.0)
            .total_cmp(&num(b, "ts").unwrap_or(0.0))
    });
    navs.iter()
        .rev()
        .find_map(|nav| {
            let thread = Thread::of(nav)?;
            let start = num(nav, "ts")?;
            let mark = events
                .iter()
                .filter(|e| name(e) == Some(SETTLED_MARK) && Thread::of(e) == Some(thread))
                .filter_map(|e| num(e, "ts"))
                .filter(|ts| *ts >= start)
                .min_by(f64::total_cmp)?;
            Some((*nav, mark))
        })
        .ok_or(TraceError::NoSettleMark)
}

/// The top-level ones of `events` (sorted by start): tasks inside no other.
fn top_level<'a, 'e>(events: &'a [Complete<'e>]) -> impl Iterator<Item = Complete<'e>> + 'a {
    let mut last_end = f64::NEG_INFINITY;
    events
        .iter()
        .filter(|c| TASK_EVENTS.contains(&c.name))
        .filter(move |c| {
            // A task that starts before the previous one ends ran inside it
            // (a nested run loop): its time is already counted.
            let top = c.span.start >= last_end;
            if top {
                last_end = c.span.end;
            }
            top
        })
        .copied()
}

/// Finds what ran in `task` and how much of it was the plugin's.
fn attribute(
    task: Complete<'_>,
    origin: f64,
    scripts: &[(Span, &str)],
    samples: &[Sample],
) -> Task {
    let within = task.span;
    let mut urls = BTreeSet::new();
    let mut plugin = Vec::new();
    let first = scripts.partition_point(|(s, _)| s.start < within.start);
    for (span, url) in scripts[first..]
        .iter()
        .take_while(|(s, _)| s.start <= within.end)
    {
        urls.insert((*url).to_owned());
        if is_plugin_url(url) {
            plugin.extend(span.clip(within));
        }
    }
    let first = samples.partition_point(|s| s.ts < within.start);
    let taken = &samples[first..];
    for (i, sample) in taken.iter().enumerate() {
        if sample.ts > within.end {
            break;
        }
        urls.extend(sample.urls.iter().cloned());
        if sample.urls.iter().any(|url| is_plugin_url(url)) {
            // A sample stands for the time until the next one (DevTools'
            // convention), never past the task.
            let next = taken.get(i + 1).map_or(within.end, |s| s.ts);
            plugin.extend(
                Span {
                    start: sample.ts,
                    end: next,
                }
                .clip(within),
            );
        }
    }
    Task {
        start: micros(within.start - origin),
        duration: micros(within.len()),
        plugin: micros(union_len(plugin)),
        scripts: urls,
    }
}

/// The end of the page's load event, if it came.
fn load_event(events: &[Value], nav: &Value, pid: i64) -> Option<f64> {
    let start = num(nav, "ts")?;
    let frame = nav["args"]["frame"].as_str();
    events
        .iter()
        .filter(|e| name(e) == Some("loadEventEnd") && e["pid"].as_i64() == Some(pid))
        .filter(|e| frame.is_none() || e["args"]["frame"].as_str() == frame)
        .filter_map(|e| num(e, "ts"))
        .filter(|ts| *ts >= start)
        .min_by(f64::total_cmp)
}

/// The plugin's files the page's renderer requested in the window and
/// received before its end.
fn fetches(events: &[Value], pid: i64, window: Span) -> Vec<Fetch> {
    let in_renderer = |e: &&Value| e["pid"].as_i64() == Some(pid);
    let finished: HashMap<&str, &Value> = events
        .iter()
        .filter(in_renderer)
        .filter(|e| name(e) == Some("ResourceFinish"))
        .filter(|e| num(e, "ts").is_some_and(|ts| ts <= window.end))
        .filter(|e| e["args"]["data"]["didFail"].as_bool() != Some(true))
        .filter_map(|e| Some((e["args"]["data"]["requestId"].as_str()?, &e["args"]["data"])))
        .collect();
    let mut sent: Vec<(f64, &str, &str)> = events
        .iter()
        .filter(in_renderer)
        .filter(|e| name(e) == Some("ResourceSendRequest"))
        .filter_map(|e| {
            let data = &e["args"]["data"];
            Some((
                num(e, "ts")?,
                data["requestId"].as_str()?,
                data["url"].as_str()?,
            ))
        })
        .filter(|(ts, _, url)| *ts >= window.start && is_plugin_url(url))
        .collect();
    sent.sort_by(|a, b| a.0.total_cmp(&b.0));
    sent.into_iter()
        .filter_map(|(_, id, url)| {
            let data = finished.get(id)?;
            Some(Fetch {
                url: url.to_owned(),
                encoded: data["encodedDataLength"].as_f64().map_or(0, bytes),
                decoded: data["decodedBodyLength"].as_f64().map_or(0, bytes),
            })
        })
        .collect()
}

/// The URL of the script a script event runs or compiles.
fn script_url(event: &Value) -> Option<&str> {
    let args = &event["args"];
    [&args["data"]["url"], &args["fileName"], &args["url"]]
        .into_iter()
        .find_map(Value::as_str)
        .filter(|url| !url.is_empty())
}

fn same_url(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn name(event: &Value) -> Option<&str> {
    event["name"].as_str()
}

fn num(event: &Value, field: &str) -> Option<f64> {
    event[field].as_f64()
}

/// Microseconds (the trace's unit) as a duration, to the nearest
/// nanosecond; negative or not a number becomes zero.
fn micros(us: f64) -> Duration {
    Duration::from_nanos(saturating_u64(us * 1000.0))
}

/// A byte count the trace gives as a JSON number.
fn bytes(n: f64) -> u64 {
    saturating_u64(n)
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn saturating_u64(n: f64) -> u64 {
    // `as` saturates: negative becomes 0, NaN 0, too large u64::MAX.
    n.round() as u64
}

/// A process and thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Thread {
    pid: i64,
    tid: i64,
}

impl Thread {
    fn of(event: &Value) -> Option<Self> {
        Some(Self {
            pid: event["pid"].as_i64()?,
            tid: event["tid"].as_i64()?,
        })
    }
}

/// A stretch of trace time, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Span {
    start: f64,
    end: f64,
}

impl Span {
    fn len(self) -> f64 {
        self.end - self.start
    }

    /// The part of it inside `outer`, if any.
    fn clip(self, outer: Span) -> Option<Span> {
        let clipped = Span {
            start: self.start.max(outer.start),
            end: self.end.min(outer.end),
        };
        (clipped.end > clipped.start).then_some(clipped)
    }
}

/// The total length covered by `spans`, overlaps counted once.
fn union_len(mut spans: Vec<Span>) -> f64 {
    spans.sort_by(|a, b| a.start.total_cmp(&b.start));
    let mut total = 0.0;
    let mut covered = f64::NEG_INFINITY;
    for span in spans {
        let start = span.start.max(covered);
        if span.end > start {
            total += span.end - start;
        }
        covered = covered.max(span.end);
    }
    total
}

/// A complete event (`"ph": "X"`): one with a start and a duration.
#[derive(Debug, Clone, Copy)]
struct Complete<'e> {
    name: &'e str,
    span: Span,
    event: &'e Value,
}

impl<'e> Complete<'e> {
    fn of(event: &'e Value) -> Option<Self> {
        if event["ph"].as_str() != Some("X") {
            return None;
        }
        let start = num(event, "ts")?;
        Some(Self {
            name: name(event)?,
            span: Span {
                start,
                end: start + num(event, "dur").unwrap_or(0.0),
            },
            event,
        })
    }

    fn clip(self, window: Span) -> Option<Self> {
        Some(Self {
            span: self.span.clip(window)?,
            ..self
        })
    }
}
