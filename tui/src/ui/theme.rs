//! Styles, with colour or without (`NO_COLOR`), for both screens.

use ratatui::style::{Color, Modifier, Style};

/// Styles, with or without colour (`NO_COLOR`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Theme {
    pub(crate) color: bool,
}

impl Theme {
    /// The theme `NO_COLOR` asks for.
    pub(crate) fn from_env() -> Self {
        Self {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn paint(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub(crate) fn title(self) -> Style {
        self.paint(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub(crate) fn warn(self) -> Style {
        self.paint(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub(crate) fn alarm(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    /// A figure's style by how it stands against its target; the marker
    /// (`Level::marker`) says the same without colour.
    pub(crate) fn level(self, level: floorwalker_shared::metrics::Level) -> Style {
        use floorwalker_shared::metrics::Level;
        match level {
            Level::Fine => Style::new(),
            Level::Amber => self.warn(),
            Level::Red => self.alarm(),
        }
    }

    pub(crate) fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    pub(crate) fn selected(self) -> Style {
        let _ = self;
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub(crate) fn heading(self) -> Style {
        let _ = self;
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
}
