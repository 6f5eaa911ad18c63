//! Support for the workspace tests: real servers and real terminals behind
//! guards that stop them on `Drop`, so a failing test leaves nothing running.
//!
//! - [`server`]: a private nats-server on free ports, JetStream in a
//!   temporary directory, every connection admitted by a real gate process.
//! - [`raw`]: a NATS client made of the shared sans-IO codec over plain TCP
//!   (reading in tiny chunks so every frame arrives split) or WebSocket.
//! - [`clients`]: shoppers and operators connecting as the real ones do.
//! - [`link`]: a TCP link between a client and a server that a test can cut
//!   or slow down.
//! - [`tmux`]: a real terminal running a command, to type into and read.
//! - [`bin`]: the `floorwalker` binary under test.
//! - [`browser`]: headless Chromium through ChromeDriver, and the demo shop
//!   it visits.
//! - [`setup`]: the shop, a server that lets its pages in, and the streams.
//! - [`trace`]: what loading a page costs its main thread, and how much of
//!   it the plugin's scripts cost, from a Chromium trace the browser records.

pub mod bin;
pub mod browser;
pub mod clients;
pub mod link;
pub mod nginx;
pub mod raw;
pub mod server;
pub mod setup;
pub mod tmux;
pub mod trace;

use std::time::{Duration, Instant};

/// Polls `check` until it returns `Some`, or gives up after `timeout`.
pub fn wait_until<T>(timeout: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check() {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether a process with this id is still alive (not a zombie).
pub fn process_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit(") ")
            .next()
            .is_some_and(|rest| !rest.starts_with('Z'))
    })
}
