//! Tests' model of how a terminal lays out what ratatui draws, to check a
//! screen keeps its grid whatever the shoppers sent.
//!
//! ratatui sends a cell's symbol and assumes it covers the cell (two cells
//! for a wide symbol); a terminal measures each character on its own, as
//! `wcwidth` does: a zero-width character joins the cell before it, and so
//! does the character after a zero-width joiner (tmux). Where the two
//! disagree, a row is drawn wider or narrower than ratatui thinks, pushing
//! the border out or leaving stale glyphs behind.

use floorwalker_shared::sanitize::width;
use ratatui::buffer::{Buffer, CellDiffOption, CellWidth};

/// The columns a terminal gives `symbol`, drawn on its own.
pub(crate) fn terminal_width(symbol: &str) -> usize {
    let mut columns = 0;
    let mut joined = false;
    for c in symbol.chars() {
        if c == '\u{200d}' {
            joined = true;
        } else if std::mem::take(&mut joined) {
            // Joined onto the character before: no column of its own.
        } else {
            columns += width(c.encode_utf8(&mut [0; 4]));
        }
    }
    columns
}

/// Where row `y` of `buffer` would not be drawn as ratatui thinks: each
/// cell whose symbol a terminal draws in another width or as several
/// glyphs, or whose first character would land on the cell before,
/// described.
pub(crate) fn misdrawn(buffer: &Buffer, y: u16) -> Vec<String> {
    let area = buffer.area;
    let mut out = Vec::new();
    let mut columns = 0;
    let mut x = area.left();
    while x < area.right() {
        let cell = &buffer[(x, y)];
        if matches!(cell.diff_option, CellDiffOption::Skip) {
            columns += 1;
            x += 1;
            continue;
        }
        let symbol = cell.symbol();
        let ratatui = usize::from(symbol.cell_width()).max(1);
        let terminal = terminal_width(symbol);
        let leads_with_zero_width = symbol
            .chars()
            .next()
            .is_some_and(|c| width(c.encode_utf8(&mut [0; 4])) == 0);
        // A cell of several glyphs: the terminal draws the second in the
        // next column, where ratatui later assumes a blank.
        let glyphs = symbol
            .chars()
            .filter(|c| width(c.encode_utf8(&mut [0; 4])) > 0)
            .count();
        if ratatui != terminal || leads_with_zero_width || glyphs > 1 || symbol.contains('\u{200d}')
        {
            out.push(format!(
                "{symbol:?} at ({x}, {y}): {ratatui} columns to ratatui, {terminal} to a terminal"
            ));
        }
        // The cells a wide symbol covers were reset by ratatui and are not
        // sent.
        columns += terminal;
        x = x.saturating_add(u16::try_from(ratatui).unwrap_or(u16::MAX));
    }
    if columns != area.width as usize && out.is_empty() {
        out.push(format!(
            "row {y} is {columns} columns to a terminal, not {}",
            area.width
        ));
    }
    out
}

/// Every row of `buffer` that a terminal would draw otherwise than ratatui
/// thinks, as text for an assertion message.
pub(crate) fn misdrawn_rows(buffer: &Buffer) -> Vec<String> {
    let area = buffer.area;
    (area.top()..area.bottom())
        .flat_map(|y| misdrawn(buffer, y))
        .collect()
}

/// [`misdrawn_rows`] of `buffer` as the screen sends it, each glyph in its
/// own cell ([`split`](crate::ui::cells::split)).
pub(crate) fn misdrawn_as_sent(buffer: &Buffer) -> Vec<String> {
    let mut sent = buffer.clone();
    crate::ui::cells::split(&mut sent);
    misdrawn_rows(&sent)
}

#[cfg(test)]
mod tests {
    use ratatui::layout::Rect;
    use ratatui::text::Line;
    use ratatui::widgets::Widget;

    use super::*;

    fn drawn(text: &str) -> Buffer {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 10, 1));
        Line::from(text).render(buffer.area, &mut buffer);
        buffer
    }

    #[test]
    fn what_terminals_measure_otherwise_is_found() {
        assert_eq!(misdrawn_rows(&drawn("abc 東京")), Vec::<String>::new());
        assert_eq!(misdrawn_rows(&drawn("e\u{301}x")), Vec::<String>::new());
        for hostile in ["a\u{200d}b", "👨\u{200d}👩", "👍🏽", "❤\u{fe0f}", "\u{301}x"] {
            assert!(!misdrawn_rows(&drawn(hostile)).is_empty(), "{hostile:?}");
        }
    }
}
