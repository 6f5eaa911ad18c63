//! A real terminal: a command running in a private tmux server, and more
//! windows beside it, as a second terminal.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

use tempfile::TempDir;

use crate::wait_until;

/// A tmux server on its own socket with one window running a command.
/// Dropping it kills the server, which hangs up on the command.
pub struct Tmux {
    socket: PathBuf,
    dir: TempDir,
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
            dir,
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
        self.capture(None, false)
    }

    /// Everything the terminal showed, scrolled off or not, with lines it
    /// wrapped joined again, as a person's copy of them would be.
    pub fn transcript(&self) -> String {
        self.capture(None, true)
    }

    fn capture(&self, window: Option<&str>, transcript: bool) -> String {
        let mut args = vec!["capture-pane", "-p"];
        if transcript {
            args.extend(["-J", "-S", "-"]);
        }
        if let Some(window) = window {
            args.extend(["-t", window]);
        }
        String::from_utf8_lossy(&self.run(&args).stdout).into_owned()
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
        self.keys(None, keys);
    }

    fn keys(&self, window: Option<&str>, keys: &str) {
        let mut args = vec!["send-keys"];
        if let Some(window) = window {
            args.extend(["-t", window]);
        }
        args.push(keys);
        let out = self.run(&args);
        assert!(
            out.status.success(),
            "send-keys: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Pastes `text` as a terminal does, bracketed (`ESC [200~` … `ESC
    /// [201~`) if the program asked for bracketed paste.
    ///
    /// # Panics
    /// If tmux refuses it.
    pub fn paste(&self, text: &str) {
        let file = self.dir.path().join("paste.txt");
        std::fs::write(&file, text).expect("writing the text to paste");
        let path = file.to_string_lossy();
        let out = self.run(&["load-buffer", "-b", "paste", &path]);
        assert!(
            out.status.success(),
            "load-buffer: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = self.run(&["paste-buffer", "-p", "-d", "-b", "paste"]);
        assert!(
            out.status.success(),
            "paste-buffer: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Waits until the screen contains `text`; returns the screen.
    ///
    /// # Panics
    /// If it does not appear within `timeout`, showing the screen.
    pub fn wait_for(&self, text: &str, timeout: Duration) -> String {
        wait_for(text, timeout, || self.screen())
    }

    /// Opens a second window running `command` (a shell line), in the
    /// background: the methods above keep to the first.
    ///
    /// # Panics
    /// If tmux cannot open it.
    pub fn open_window(&self, command: &str) -> Window<'_> {
        let out = self.run(&["new-window", "-d", "-P", "-F", "#{window_id}", command]);
        assert!(
            out.status.success(),
            "new-window: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Window {
            tmux: self,
            id: String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        }
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

/// Waits until `screen()` contains `text`; returns that screen.
fn wait_for(text: &str, timeout: Duration, screen: impl Fn() -> String) -> String {
    wait_until(timeout, || {
        let now = screen();
        now.contains(text).then_some(now)
    })
    .unwrap_or_else(|| {
        panic!(
            "'{text}' did not appear within {timeout:?}; the screen:\n{}",
            screen()
        )
    })
}

/// Another window of the same terminal, as a second terminal beside the
/// first; it closes with the tmux server.
pub struct Window<'a> {
    tmux: &'a Tmux,
    id: String,
}

impl Window<'_> {
    /// The visible screen as text.
    pub fn screen(&self) -> String {
        self.tmux.capture(Some(&self.id), false)
    }

    /// Types keys, in tmux's `send-keys` notation.
    ///
    /// # Panics
    /// If tmux refuses them.
    pub fn send_keys(&self, keys: &str) {
        self.tmux.keys(Some(&self.id), keys);
    }

    /// Pastes `text`, as a person pastes what they copied.
    ///
    /// # Panics
    /// If tmux refuses it.
    pub fn paste(&self, text: &str) {
        let set = self.tmux.run(&["set-buffer", "--", text]);
        let paste = self.tmux.run(&["paste-buffer", "-t", &self.id]);
        assert!(
            set.status.success() && paste.status.success(),
            "paste: {}{}",
            String::from_utf8_lossy(&set.stderr),
            String::from_utf8_lossy(&paste.stderr)
        );
    }

    /// Waits until the screen contains `text`; returns the screen.
    ///
    /// # Panics
    /// If it does not appear within `timeout`, showing the screen.
    pub fn wait_for(&self, text: &str, timeout: Duration) -> String {
        wait_for(text, timeout, || self.screen())
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}
