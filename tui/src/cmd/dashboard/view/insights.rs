//! The Insights view: what the desk (and, as sections are added, the floor)
//! has learnt, drawn below the panels in place of the shoppers' table.
//!
//! The view is a list of sections, [`SECTIONS`], each a title and a
//! function that draws the section inside its frame from the app's state
//! (borrowing it, changing nothing), and one that says how many lines it
//! needs, in a module of its own beside this one. They stack top to
//! bottom, each as tall as it asks, or stand side by side on a terminal at
//! least [`COLUMNS_FROM`] wide. To add one: write `insights/<section>.rs`
//! with a `height` and a `draw`, put its words in `strings.rs`, add it to
//! [`SECTIONS`], and snapshot it at 80x24 and wider; a section that takes
//! keys (a sortable table) adds them in `app/insights.rs`, and when the
//! sections outgrow 80x24 together, the view needs a way to pick or
//! scroll them.

mod staffing;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use crate::cmd::dashboard::app::App;
use crate::cmd::dashboard::strings;
use crate::ui::framed::framed;
use crate::ui::theme::Theme;

/// One section of the view.
struct Section {
    /// Its title, on its frame.
    title: &'static str,
    /// The lines it needs inside its frame to say all it has, at a width
    /// inside its frame.
    height: fn(&App, u16) -> u16,
    /// Draws it inside its frame.
    draw: fn(&mut Frame<'_>, Rect, &App, Theme),
}

/// The sections, in the order they show.
const SECTIONS: &[Section] = &[Section {
    title: strings::STAFFING_TITLE,
    height: staffing::height,
    draw: staffing::draw,
}];

/// Terminals at least this wide show the sections side by side.
const COLUMNS_FROM: u16 = 160;

/// Draws the sections over `area`.
pub(super) fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: Theme) {
    let areas = if area.width >= COLUMNS_FROM && SECTIONS.len() > 1 {
        Layout::horizontal(SECTIONS.iter().map(|_| Constraint::Fill(1))).split(area)
    } else {
        // Each as tall as it needs (its frame takes two lines and two
        // columns), the room left over below them.
        let inside = area.width.saturating_sub(2);
        let heights = SECTIONS
            .iter()
            .map(|s| Constraint::Length((s.height)(app, inside).saturating_add(2)))
            .chain([Constraint::Fill(1)]);
        Layout::vertical(heights).split(area)
    };
    for (section, area) in SECTIONS.iter().zip(areas.iter()) {
        if area.is_empty() {
            continue;
        }
        let inner = framed(frame, *area, section.title, theme);
        (section.draw)(frame, inner, app, theme);
    }
}

#[cfg(test)]
mod tests;
