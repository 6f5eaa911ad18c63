//! The terminal a screen takes over: set up on [`Screen::open`], restored
//! on drop, however the screen ends.
//!
//! Bracketed paste is on while a screen runs: a paste arrives as one
//! `Event::Paste`, not as a key per character. Without it a pasted line
//! break is Enter (a reply sent half-pasted), and crossterm's reader,
//! which reads the terminal 1 KiB at a time and hands over an event before
//! reading the rest, leaves a paste of a few KiB unread until the next key
//! wakes it. With it, the reader reads on until the paste's end marker.

use std::io::IsTerminal;
use std::mem::ManuallyDrop;

use color_eyre::eyre::{Result, bail};
use ratatui::DefaultTerminal;

/// A terminal in the screen's hands.
pub(crate) struct Screen {
    terminal: ManuallyDrop<DefaultTerminal>,
    mouse: bool,
}

impl Screen {
    /// Whether standard output is a terminal a screen can take; `what`
    /// names the screen in the error when it is not.
    pub(crate) fn check(what: &str) -> Result<()> {
        if !std::io::stdout().is_terminal() {
            bail!("{what} needs a terminal; run it in one (over SSH is fine)");
        }
        Ok(())
    }

    /// Takes over the terminal (raw mode, the alternate screen, bracketed
    /// paste; the mouse wheel too with `mouse`); `what` names the screen in
    /// the error when standard output is not a terminal.
    pub(crate) fn open(what: &str, mouse: bool) -> Result<Self> {
        Self::check(what)?;
        let terminal = ratatui::init();
        // A terminal that does not know it ignores it: pastes then come as
        // keys, as before.
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
        if mouse {
            let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
        }
        Ok(Self {
            terminal: ManuallyDrop::new(terminal),
            mouse,
        })
    }

    /// Draws a frame. Screens draw at most once a frame tick, and only
    /// when something visible changed, so an SSH link is not flooded. Each
    /// glyph gets its own cell, as the terminal will draw it.
    pub(crate) fn draw(&mut self, render: impl FnOnce(&mut ratatui::Frame<'_>)) -> Result<()> {
        self.terminal.draw(|frame| {
            render(frame);
            crate::ui::cells::split(frame.buffer_mut());
        })?;
        Ok(())
    }

    /// The terminal's size now, as (width, height).
    pub(crate) fn size(&self) -> (u16, u16) {
        self.terminal
            .size()
            .map_or((80, 24), |s| (s.width, s.height))
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
        if self.mouse {
            let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
        }
        // With the terminal gone (an SSH link dropped), ratatui's `restore`
        // and the terminal's drop print their errors to stderr, and printing
        // to a dead terminal panics: during a panic that aborts, and the
        // demo dies before it can stop its servers. So: restore without
        // printing, and never run the terminal's drop (it holds nothing but
        // buffers).
        let _ = self.terminal.show_cursor();
        let _ = ratatui::try_restore();
    }
}
