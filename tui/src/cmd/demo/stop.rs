//! How the demo stops: it waits for a quit key, a signal, or nats-server or
//! the gate exiting (with the dashboard open or not), then stops it all in order.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr};
use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::terminal;
use floorwalker::natsd::NatsServer;
use floorwalker::storefront::ShopServer;
use futures::StreamExt;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::oneshot;

use super::start::{DEMO_SUPERVISOR, GateTask, Shoppers};
use crate::cmd::dashboard;

/// Why the demo is stopping.
#[derive(Debug)]
pub(super) enum Stop {
    /// The user pressed a quit key.
    Key,
    /// A signal asked us to stop.
    Signal(&'static str),
    /// nats-server exited on its own.
    ServerExited(std::process::ExitStatus),
    /// The gate stopped on its own.
    GateExited(String),
}

/// The dashboard the demo opens, and when.
pub(super) struct Dashboard {
    /// How long the address block stays on the screen first.
    pub(super) wait: Duration,
    /// The address block's rows the dashboard's help repeats.
    pub(super) about: Vec<(String, String)>,
}

/// Shows the dashboard (or waits for q) until something stops the demo.
pub(super) async fn run_until_stop(
    server: &mut NatsServer,
    gate: &mut GateTask,
    auth_dir: &Path,
    dashboard: Option<Dashboard>,
) -> Result<Stop> {
    // The keyboard is taken (raw mode) only while this program also
    // writes to the terminal: under `demo | tee log`, raw mode would
    // garble what tee writes.
    let keys = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let Some(dashboard) = dashboard else {
        say!(
            "{}",
            if keys {
                "Press q or Ctrl-C to stop."
            } else {
                "Press Ctrl-C to stop."
            }
        );
        return Ok(wait_for_stop(server, gate, keys, false)
            .await?
            .unwrap_or(Stop::Key));
    };
    // The address block stays readable a while before the dashboard's
    // screen covers it.
    if !dashboard.wait.is_zero() {
        say!(
            "The dashboard opens in {} s: Enter opens it now, q stops the demo.",
            dashboard.wait.as_secs()
        );
        let waited = tokio::time::timeout(dashboard.wait, wait_for_stop(server, gate, keys, true));
        match waited.await {
            Ok(Ok(Some(stop))) => return Ok(stop),
            Ok(Err(err)) => return Err(err),
            // Enter, or the time is up.
            Ok(Ok(None)) | Err(_) => {}
        }
    }
    let setup = dashboard::Setup::demo(
        server.client_url(),
        auth_dir,
        DEMO_SUPERVISOR,
        dashboard.about,
    )?;
    let stopped = dashboard::open(setup, wait_for_stop(server, gate, false, false)).await;
    Ok(match stopped {
        Ok(Some(stop)) => stop?.unwrap_or(Stop::Key),
        Ok(None) => Stop::Key,
        // The terminal went away (an SSH link dropped): stop in order.
        Err(err) => {
            tracing::warn!("dashboard ended: {err:#}");
            Stop::Signal("the terminal closed")
        }
    })
}

/// Waits for a quit key (if `keys`: the terminal is this program's), a signal, or
/// the server or gate exiting; with `enter`, Enter ends the wait too
/// (`None`).
async fn wait_for_stop(
    server: &mut NatsServer,
    gate: &mut GateTask,
    keys: bool,
    enter: bool,
) -> Result<Option<Stop>> {
    let mut sigint = signal(SignalKind::interrupt()).wrap_err("listening for SIGINT")?;
    let mut sigterm = signal(SignalKind::terminate()).wrap_err("listening for SIGTERM")?;
    let mut sighup = signal(SignalKind::hangup()).wrap_err("listening for SIGHUP")?;
    let mut check = tokio::time::interval(Duration::from_millis(250));
    // Raw mode lets a single key stop the demo; it is undone on every exit,
    // including a panic, by the guard's Drop.
    let raw = keys.then(RawMode::enable).transpose()?;
    let mut keys = raw.as_ref().map(|_| EventStream::new());
    let stop = loop {
        tokio::select! {
            _ = sigint.recv() => break Stop::Signal("SIGINT"),
            _ = sigterm.recv() => break Stop::Signal("SIGTERM"),
            _ = sighup.recv() => break Stop::Signal("SIGHUP"),
            result = &mut *gate => {
                let why = match result {
                    Ok(Ok(_)) => "it finished".to_owned(),
                    Ok(Err(err)) => format!("{err:#}"),
                    Err(err) => err.to_string(),
                };
                break Stop::GateExited(why);
            }
            _ = check.tick() => {
                if let Some(status) = server.exited() {
                    break Stop::ServerExited(status);
                }
            }
            Some(event) = next_event(keys.as_mut()) => {
                match event {
                    Ok(Event::Key(key)) if is_quit(key) => break Stop::Key,
                    Ok(Event::Key(key)) if enter && is_enter(key) => return Ok(None),
                    Ok(_) => {}
                    // The terminal went away: nothing more can be typed.
                    Err(err) => {
                        tracing::warn!(%err, "terminal input failed; waiting for a signal");
                        keys = None;
                    }
                }
            }
        }
    };
    Ok(Some(stop))
}

async fn next_event(keys: Option<&mut EventStream>) -> Option<std::io::Result<Event>> {
    match keys {
        Some(keys) => keys.next().await,
        None => std::future::pending().await,
    }
}

fn is_quit(key: KeyEvent) -> bool {
    key.kind == KeyEventKind::Press
        && match key.code {
            KeyCode::Char('q' | 'Q') | KeyCode::Esc => true,
            KeyCode::Char('c') => key.modifiers.contains(KeyModifiers::CONTROL),
            _ => false,
        }
}

fn is_enter(key: KeyEvent) -> bool {
    key.kind == KeyEventKind::Press && key.code == KeyCode::Enter
}

/// The terminal in raw mode for as long as this lives.
struct RawMode;

impl RawMode {
    fn enable() -> Result<Self> {
        terminal::enable_raw_mode().wrap_err("switching the terminal to raw mode")?;
        Ok(Self)
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = terminal::disable_raw_mode();
    }
}

/// Stops everything, in order, saying so.
pub(super) async fn stop_all(
    server: NatsServer,
    gate: (oneshot::Sender<()>, GateTask),
    shop_server: ShopServer,
    shoppers: Option<Shoppers>,
    why: &str,
) -> Result<()> {
    if let Some((stop, task, counters)) = shoppers {
        let _ = stop.send(());
        let _ = task.await;
        say!("Simulated shoppers: {counters}");
    }
    drop(shop_server);
    say!("Stopping the gate ({why})…");
    let _ = gate.0.send(());
    match gate.1.await {
        Ok(Ok(stats)) => say!("Gate counts since start:\n{stats}"),
        Ok(Err(err)) => say!("The gate stopped with an error: {err}"),
        Err(err) => say!("The gate task failed: {err}"),
    }
    say!("Stopping nats-server ({why})…");
    let status = tokio::task::spawn_blocking(move || server.stop())
        .await?
        .wrap_err("stopping nats-server")?;
    say!("Stopped nats-server ({status}). Demo finished.");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quit_keys() {
        let key = |code, modifiers| KeyEvent::new(code, modifiers);
        assert!(is_quit(key(KeyCode::Char('q'), KeyModifiers::NONE)));
        assert!(is_quit(key(KeyCode::Esc, KeyModifiers::NONE)));
        assert!(is_quit(key(KeyCode::Char('c'), KeyModifiers::CONTROL)));
        assert!(!is_quit(key(KeyCode::Char('c'), KeyModifiers::NONE)));
        assert!(!is_quit(key(KeyCode::Enter, KeyModifiers::NONE)));
        assert!(is_enter(key(KeyCode::Enter, KeyModifiers::NONE)));
    }
}
