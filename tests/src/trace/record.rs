//! Recording one page load's trace in headless Chromium.
//!
//! The trace comes through ChromeDriver's performance log: a browser started
//! with [`Browser::start_tracing`] runs Chromium's tracing from its first
//! page on (`perfLoggingPrefs.traceCategories`), and ChromeDriver hands the
//! events over as `Tracing.dataCollected` entries of the `performance` log
//! (`POST /session/{id}/se/log`). Checked with Chromium and ChromeDriver
//! 148. Two habits of ChromeDriver's decide how the log is read
//! ([`take_trace`]), both in its `performance_logger.cc` and `logging.cc`:
//! it asks Chromium for the buffered trace only before a navigation, or
//! before a log read made when the log was already empty; and it returns the
//! log in batches. So [`take_trace`] reads until the log is empty, twice:
//! the second round's first read collects the trace up to now. (Driving
//! `Tracing.start` ourselves through `goog/cdp/execute` is no alternative:
//! that returns a command's result only, and a trace arrives as events,
//! `Tracing.dataCollected` or the stream handle in `Tracing.tracingComplete`.)
//!
//! [`record_load`] loads the page and lets it settle; with
//! [`Plugin::Blocked`] the plugin is kept off the page by Chromium itself
//! (CDP's `Network.setBlockedURLs` on `*/dist/*`), so the page, its
//! server and its other scripts stay exactly as they are: the import of the
//! plugin fails and the rest of the page runs on.

use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use super::{PageLoad, SETTLED_MARK, TraceError, analyze};
use crate::browser::Browser;

/// Whether the page loads the plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plugin {
    /// As it is: the plugin loads and starts.
    Loaded,
    /// Every request under `/dist/` is blocked.
    Blocked,
}

/// How long the page may take to settle before it is marked anyway.
const SETTLE_LIMIT: Duration = Duration::from_secs(5);

/// Marks the page settled once the main thread has been idle for two idle
/// periods in a row, each granted in full: Chromium hands out at most 50 ms
/// at a time, and less when a task, a frame or a timer is due. An idle
/// callback asked for from inside one runs in the next idle period, so two
/// full ones in a row mean at least 50 ms in which nothing was queued.
/// Returns whether it settled rather than gave up.
const SETTLE: &str = "
const [mark, limitMs] = arguments;
const done = arguments[arguments.length - 1];
const started = performance.now();
let quiet = 0;
const idle = (deadline) => {
  quiet = deadline.timeRemaining() >= 45 ? quiet + 1 : 0;
  const settled = quiet >= 2;
  if (settled || performance.now() - started > limitMs) {
    performance.mark(mark);
    done(settled);
  } else {
    requestIdleCallback(idle);
  }
};
requestIdleCallback(idle);
";

/// Loads `url` in `browser` (started with [`Browser::start_tracing`] and
/// [`super::CATEGORIES`]) with a cold cache, waits until the plugin has
/// started (when it is [`Plugin::Loaded`]) and the page has settled, and
/// reads the load from its trace.
///
/// # Panics
/// If ChromeDriver fails, or a loaded plugin does not start.
pub fn record_load(browser: &Browser, url: &str, plugin: Plugin) -> Result<PageLoad, TraceError> {
    // Cold every time: the test server sends `no-store`, but V8 also caches
    // compiled code beside cached responses.
    browser.cdp("Network.enable", &json!({}));
    browser.cdp(
        "Network.setCacheDisabled",
        &json!({ "cacheDisabled": true }),
    );
    let blocked: &[&str] = match plugin {
        Plugin::Loaded => &[],
        Plugin::Blocked => &["*/dist/*"],
    };
    browser.cdp("Network.setBlockedURLs", &json!({ "urls": blocked }));
    // From a blank page, so that the page before (this same page, in a
    // bench) is gone before the trace starts: its unloading, the plugin's
    // last flush among it, would fall into this load's window.
    browser.goto("about:blank");
    take_trace(browser)?;
    browser.goto(url);
    if plugin == Plugin::Loaded {
        browser.wait_for_plugin();
    }
    browser.execute_async(
        SETTLE,
        vec![json!(SETTLED_MARK), json!(SETTLE_LIMIT.as_millis())],
    );
    analyze(&take_trace(browser)?, url)
}

/// The trace events recorded since the last call (or since the browser
/// started), as ChromeDriver's performance log holds them.
///
/// # Panics
/// If ChromeDriver fails, or the browser was not started with tracing.
pub fn take_trace(browser: &Browser) -> Result<Vec<Value>, TraceError> {
    let mut events = Vec::new();
    let mut full = false;
    // Two rounds: ChromeDriver collects the trace only on a read of an
    // emptied log (see the module's docs).
    for _ in 0..2 {
        loop {
            let batch = browser.chromedriver("se/log", json!({ "type": "performance" }));
            let entries = batch.as_array().map(Vec::as_slice).unwrap_or_default();
            if entries.is_empty() {
                break;
            }
            for entry in entries {
                // Each entry's message is JSON in a string:
                // {"message": {"method": …, "params": …}, "webview": …}.
                let Some(Value::Object(mut message)) = entry["message"]
                    .as_str()
                    .and_then(|m| serde_json::from_str::<Value>(m).ok())
                    .and_then(|mut m| m.get_mut("message").map(Value::take))
                else {
                    continue;
                };
                let params = message.remove("params").unwrap_or_default();
                match message.get("method").and_then(Value::as_str) {
                    Some("Tracing.dataCollected") => events.push(params),
                    // ChromeDriver's warning that Chromium's buffer filled.
                    Some("Tracing.bufferUsage") => full |= params["error"].is_string(),
                    _ => {}
                }
            }
        }
    }
    if full {
        return Err(TraceError::BufferFull);
    }
    Ok(events)
}

/// The size of the plugin file at `url` (a `/dist/…` URL) after `gzip -9`,
/// read from the workspace's `dist/`: what a compressing server would send.
/// `None` if there is no such file or no `gzip`.
pub fn gzip9(url: &str) -> Option<u64> {
    let path = dist_file(url)?;
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(&path)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| u64::try_from(out.stdout.len()).ok())?
}

/// Where the file served at `url` lies in the workspace's `dist/`.
fn dist_file(url: &str) -> Option<PathBuf> {
    let parsed = url::Url::parse(url).ok()?;
    let rest = parsed.path().strip_prefix("/dist/")?;
    let relative = Path::new(rest);
    // Only plain names below dist/.
    if !relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("dist")
        .join(relative);
    path.is_file().then_some(path)
}
