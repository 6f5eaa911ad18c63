//! A real terminal: a command running in a private tmux server.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

use tempfile::TempDir;

use crate::wait_until;

/// A tmux server on its own socket with one window running a command.
/// Dropping it kills the server, which hangs up on the command.
pub struct Tmux {
    socket: PathBuf,
    _dir: TempDir,
}

impl Tmux {
    /// Runs `command` (a shell line) in a `width`×`height` terminal.
    ///
    /// # Panics
    /// If tmux is missing or cannot start.
    pub fn start(command: &str, width: u16, height: u16) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("floorwalker-tmux-")
            .tempdir()
            .expect("creating a temporary directory");
        let tmux = Self {
            socket: dir.path().join("tmux.sock"),
            _dir: dir,
        };
        // `remain-on-exit` keeps the last screen readable after the command ends.
        let out = tmux.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            command,
            ";",
            "set-option",
            "-g",
            "remain-on-exit",
            "on",
        ]);
        assert!(
            out.status.success(),
            "tmux did not start (is it installed? `just setup` installs it): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .env_remove("TMUX")
            .output()
            .expect("running tmux")
    }

    /// The visible screen as text.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p"]).stdout).into_owned()
    }

    /// Resizes the terminal, as a person dragging its window would.
    ///
    /// # Panics
    /// If tmux refuses.
    pub fn resize(&self, width: u16, height: u16) {
        let out = self.run(&[
            "resize-window",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
        ]);
        assert!(
            out.status.success(),
            "resize-window: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Types keys, in tmux's `send-keys` notation (`q`, `C-c`, `Enter`).
    ///
    /// # Panics
    /// If tmux refuses them.
    pub fn send_keys(&self, keys: &str) {
        let out = self.run(&["send-keys", keys]);
        assert!(
            out.status.success(),
            "send-keys: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Waits until the screen contains `text`; returns the screen.
    ///
    /// # Panics
    /// If it does not appear within `timeout`, showing the screen.
    pub fn wait_for(&self, text: &str, timeout: Duration) -> String {
        wait_until(timeout, || {
            let screen = self.screen();
            screen.contains(text).then_some(screen)
        })
        .unwrap_or_else(|| {
            panic!(
                "'{text}' did not appear within {timeout:?}; the screen:\n{}",
                self.screen()
            )
        })
    }

    /// The process id of the command (started with `exec`, the command
    /// itself rather than a shell around it).
    ///
    /// # Panics
    /// If tmux does not say.
    pub fn pid(&self) -> u32 {
        let out = self.run(&["display-message", "-p", "#{pane_pid}"]);
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("the pane's process id")
    }

    /// Whether the command has exited.
    pub fn exited(&self) -> bool {
        let out = self.run(&["display-message", "-p", "#{pane_dead}"]);
        String::from_utf8_lossy(&out.stdout).trim() == "1"
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}
