//! A titled, bordered pane: what both screens draw their panes in.

use ratatui::Frame;
use ratatui::layout::Rect;

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
