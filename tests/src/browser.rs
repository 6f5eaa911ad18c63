//! A real headless Chromium, driven through ChromeDriver, and the shop it
//! visits.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use floorwalker::natsd::process::stop_child;
use floorwalker::storefront::{PageConfig, ShopServer};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::runtime::Runtime;

use crate::wait_until;

/// The flags every test browser runs with: headless, and quiet on a machine
/// whose network is closed.
const CHROMIUM_FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The demo shop and the built plugin, served on localhost.
pub struct Shop {
    // Dropped before the runtime it runs on.
    server: Option<ShopServer>,
    origin: String,
    listener: Option<TcpListener>,
    runtime: Runtime,
}

impl Shop {
    /// Binds the shop's port, so its origin is known before nats-server
    /// (which must allow it) starts; serve with [`Shop::serve`].
    ///
    /// # Panics
    /// If the plugin has not been built (`just wasm`; `just test` does).
    pub fn bind() -> Self {
        let dist = workspace().join("dist").join("floorwalker.js");
        assert!(
            dist.is_file(),
            "'{}' is missing: run `just wasm` (`just test` does)",
            dist.display()
        );
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let origin = format!("http://{}", listener.local_addr().expect("an address"));
        Self {
            server: None,
            origin,
            listener: Some(listener),
            runtime: Runtime::new().expect("a tokio runtime"),
        }
    }

    /// The origin of the shop's pages.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Starts serving, with pages that connect to `ws` as `site`.
    ///
    /// # Panics
    /// If serving fails or was started already.
    pub fn serve(&mut self, ws: &str, site: &str) {
        let listener = self.listener.take().expect("serve once");
        let config = PageConfig {
            server: ws.to_owned(),
            site: site.to_owned(),
        };
        let _guard = self.runtime.enter();
        let server = ShopServer::start_on(
            listener,
            workspace().join("storefront-wasm").join("demo-shop"),
            workspace().join("dist"),
            &config,
        )
        .expect("serving the shop");
        self.server = Some(server);
    }

    /// A page's URL.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }
}

impl Drop for Shop {
    fn drop(&mut self) {
        let _guard = self.runtime.enter();
        self.server.take();
    }
}

/// A headless Chromium with a fresh profile, closed (with its driver) on
/// `Drop`.
pub struct Browser {
    client: Option<Client>,
    driver: Child,
    profile: TempDir,
    runtime: Runtime,
}

impl Browser {
    /// Starts ChromeDriver and a Chromium session whose [`Browser::goto`]
    /// waits for the page to load.
    ///
    /// # Panics
    /// If either is missing or does not start (`just setup-tests` installs them).
    pub fn start() -> Self {
        Self::start_with("normal", None)
    }

    /// Like [`Browser::start`], trusting any certificate: for a test's own
    /// certificate authority, which the browser's store does not hold.
    ///
    /// # Panics
    /// As [`Browser::start`].
    pub fn start_trusting_test_certificates() -> Self {
        Self::launch("normal", None, &["--ignore-certificate-errors"])
    }

    /// Like [`Browser::start`], but [`Browser::goto`] returns as soon as the
    /// page is parsed (the "eager" page load strategy), while its scripts,
    /// the plugin's wasm among them, may still be loading: for a shopper who
    /// moves on at once.
    ///
    /// # Panics
    /// As [`Browser::start`].
    pub fn start_eager() -> Self {
        Self::start_with("eager", None)
    }

    /// Like [`Browser::start`], with Chromium tracing `categories` from the
    /// start: ChromeDriver collects the trace into its performance log,
    /// which [`Browser::chromedriver`] reads (`se/log`; see
    /// [`crate::trace::record`]).
    ///
    /// # Panics
    /// As [`Browser::start`].
    pub fn start_tracing(categories: &str) -> Self {
        Self::start_with("normal", Some(categories))
    }

    fn start_with(page_load: &str, trace: Option<&str>) -> Self {
        Self::launch(page_load, trace, &[])
    }

    fn launch(page_load: &str, trace: Option<&str>, flags: &[&str]) -> Self {
        let profile = tempfile::Builder::new()
            .prefix("floorwalker-chromium-")
            .tempdir()
            .expect("a profile directory");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting chromedriver (`just setup-tests` installs it)");
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let up = wait_until(Duration::from_secs(20), || TcpStream::connect(addr).ok());
        let runtime = Runtime::new().expect("a tokio runtime");
        let mut browser = Self {
            client: None,
            driver,
            profile,
            runtime,
        };
        assert!(up.is_some(), "chromedriver did not listen on {addr}");
        let mut args: Vec<String> = CHROMIUM_FLAGS
            .iter()
            .chain(flags)
            .map(|f| (*f).to_owned())
            .collect();
        args.push(format!(
            "--user-data-dir={}",
            browser.profile.path().display()
        ));
        let mut caps = json!({
            "pageLoadStrategy": page_load,
            "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args },
        });
        if let Some(categories) = trace {
            caps["goog:loggingPrefs"] = json!({ "performance": "ALL" });
            // Only the trace: the Network and Page domains' events would
            // fill the log with what the trace already holds.
            caps["goog:chromeOptions"]["perfLoggingPrefs"] = json!({
                "enableNetwork": false,
                "enablePage": false,
                "traceCategories": categories,
            });
        }
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        let client = browser
            .runtime
            .block_on(
                // ChromeDriver is on loopback: plain HTTP, no TLS stack to build.
                ClientBuilder::new(HttpConnector::new())
                    .capabilities(caps)
                    .connect(&format!("http://{addr}")),
            )
            .expect("a Chromium session");
        browser.client = Some(client);
        browser
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("a session")
    }

    /// Opens `url` and waits for it to load (to be parsed, for
    /// [`Browser::start_eager`]).
    ///
    /// # Panics
    /// If navigation fails.
    pub fn goto(&self, url: &str) {
        self.runtime
            .block_on(self.client().goto(url))
            .expect("navigating");
    }

    /// Opens `url` in a new tab, which becomes the current one, and waits
    /// for it to load.
    ///
    /// # Panics
    /// If the tab cannot be opened or navigation fails.
    pub fn open_tab(&self, url: &str) {
        self.runtime
            .block_on(async {
                let tab = self.client().new_window(true).await?;
                self.client().switch_to_window(tab.handle).await?;
                self.client().goto(url).await
            })
            .expect("opening a tab");
    }

    /// Closes the current tab, as a shopper does, and makes another tab
    /// current.
    ///
    /// # Panics
    /// If it is the last tab (that would end the session) or closing fails.
    pub fn close_tab(&self) {
        self.runtime
            .block_on(async {
                let current = self.client().window().await?;
                let other = self
                    .client()
                    .windows()
                    .await?
                    .into_iter()
                    .find(|w| *w != current)
                    .expect("another tab to go back to");
                self.client().close_window().await?;
                self.client().switch_to_window(other).await
            })
            .expect("closing a tab");
    }

    /// Slows every request of the browser (its later pages too) down to
    /// `latency` and `bytes_per_second` each way, like a phone on a poor
    /// connection, the way Chromium's developer tools throttle.
    ///
    /// # Panics
    /// If ChromeDriver refuses.
    pub fn throttle(&self, latency: Duration, bytes_per_second: u32) {
        self.chromedriver(
            "chromium/network_conditions",
            json!({
                "network_conditions": {
                    "offline": false,
                    "latency": latency.as_millis(),
                    "download_throughput": bytes_per_second,
                    "upload_throughput": bytes_per_second,
                }
            }),
        );
    }

    /// Sends ChromeDriver one of its own commands, which the W3C standard
    /// (and so fantoccini) lacks: `POST /session/{id}/{path}` with `body`.
    /// Returns the reply's value.
    ///
    /// # Panics
    /// If ChromeDriver refuses.
    pub fn chromedriver(&self, path: &str, body: Value) -> Value {
        let command = ChromeDriverCommand {
            path: path.to_owned(),
            body,
        };
        self.runtime
            .block_on(self.client().issue_cmd(command))
            .unwrap_or_else(|e| panic!("ChromeDriver's '{path}': {e}"))
    }

    /// Sends the page a CDP command (Chrome's debugging protocol) through
    /// ChromeDriver (`goog/cdp/execute`); returns its result.
    ///
    /// # Panics
    /// If ChromeDriver or Chromium refuses.
    pub fn cdp(&self, command: &str, params: &Value) -> Value {
        self.chromedriver(
            "goog/cdp/execute",
            json!({ "cmd": command, "params": params }),
        )
    }

    /// Clicks the element `css` selects.
    ///
    /// # Panics
    /// If there is no such element.
    pub fn click(&self, css: &str) {
        self.runtime
            .block_on(async {
                let element = self.client().find(fantoccini::Locator::Css(css)).await?;
                element.click().await
            })
            .unwrap_or_else(|e| panic!("clicking '{css}': {e}"));
    }

    /// Waits until the plugin runs on the current page (its launcher is
    /// there): the wasm loads after the page does.
    ///
    /// # Panics
    /// If it does not start within ten seconds.
    pub fn wait_for_plugin(&self) {
        let started = wait_until(Duration::from_secs(10), || {
            self.execute("return !!document.getElementById('floorwalker-launcher');")
                .as_bool()
                .filter(|b| *b)
        });
        assert!(started.is_some(), "the plugin did not start on this page");
    }

    /// Runs `script` in the page and returns its result.
    ///
    /// # Panics
    /// If the script throws.
    pub fn execute(&self, script: &str) -> Value {
        self.execute_with(script, vec![])
    }

    /// Runs `script` with `args` (its `arguments`) and returns its result.
    ///
    /// # Panics
    /// If the script throws.
    pub fn execute_with(&self, script: &str, args: Vec<Value>) -> Value {
        self.runtime
            .block_on(self.client().execute(script, args))
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Runs `script` with `args`, and returns what it passes to its callback
    /// (its last argument), which it must call within 30 seconds.
    ///
    /// # Panics
    /// If the script throws or does not call back in time.
    pub fn execute_async(&self, script: &str, args: Vec<Value>) -> Value {
        self.runtime
            .block_on(self.client().execute_async(script, args))
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = self.runtime.block_on(async {
                tokio::time::timeout(Duration::from_secs(10), client.close()).await
            });
        }
        let _ = stop_child(&mut self.driver, Duration::from_secs(5));
        kill_leftovers(&self.profile.path().display().to_string());
    }
}

/// A command of ChromeDriver's own (network conditions, logs, CDP
/// commands), which the W3C standard (and so fantoccini) has none for.
#[derive(Debug)]
struct ChromeDriverCommand {
    /// After `session/{id}/`.
    path: String,
    body: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for ChromeDriverCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/{}", self.path))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// Kills any process still using this test's browser profile, so a failed
/// test leaves no Chromium behind.
fn kill_leftovers(profile: &str) {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmdline).contains(profile) {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
        }
    }
}
