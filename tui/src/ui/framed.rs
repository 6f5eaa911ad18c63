//! A titled, bordered pane: what both screens draw their panes in.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::theme::Theme;

/// Draws a bordered block with `title` over `area`; returns the area
/// inside it. The title is made safe for the terminal here, as titles
/// carry chat ids, agents' names and shoppers' sources.
pub(crate) fn framed(frame: &mut Frame<'_>, area: Rect, title: &str, theme: Theme) -> Rect {
    let block = ratatui::widgets::Block::bordered()
        .title(floorwalker_shared::sanitize::for_terminal(
            title,
            area.width as usize,
        ))
        .title_style(theme.title());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// [`framed`], with `figure` at the right of the top border in its own
/// style: a figure that goes with the pane as a whole. `figure` is the
/// screen's own text, never a shopper's.
pub(crate) fn framed_with(
    frame: &mut Frame<'_>,
    area: Rect,
    title: &str,
    figure: Line<'static>,
    theme: Theme,
) -> Rect {
    // The title styled as a line rather than by `title_style`, which would
    // style the figure as a title too.
    let title = floorwalker_shared::sanitize::for_terminal(title, area.width as usize);
    let block = ratatui::widgets::Block::bordered()
        .title(Line::styled(title, theme.title()))
        .title(figure.right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}
