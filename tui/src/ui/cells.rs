//! One glyph per cell, as a terminal draws them.
//!
//! ratatui puts a whole grapheme in one cell and takes the cells after it
//! for a wide one. Some graphemes are several glyphs to a terminal: a
//! letter and its spacing vowel sign (`का`), a conjunct (`ক্ষ`), Hangul
//! jamo. A terminal draws each glyph in its own column, so the columns add
//! up; but when ratatui later writes a narrow character over such a
//! grapheme, it trusts the terminal to blank the rest of a "wide"
//! character, and the second glyph stays behind on screen. [`split`] gives
//! each glyph its own cell before the frame is sent, so ratatui and the
//! terminal agree cell by cell.

use floorwalker_shared::sanitize::width;
use ratatui::buffer::{Buffer, CellWidth};

/// Splits every cell holding several glyphs (characters with a width,
/// each with the zero-width marks after it) into one cell per glyph, where
/// the glyphs take exactly the columns ratatui gave the grapheme.
pub(crate) fn split(buffer: &mut Buffer) {
    let area = buffer.area;
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            let cell = &buffer[(x, y)];
            let columns = cell.symbol().cell_width().max(1);
            if cell.symbol().len() > 1 {
                let glyphs = glyphs(cell.symbol());
                let widths: Vec<u16> = glyphs
                    .iter()
                    .map(|g| u16::try_from(width(g)).unwrap_or(u16::MAX))
                    .collect();
                if glyphs.len() > 1 && widths.iter().sum::<u16>() == columns {
                    let cell = cell.clone();
                    let mut at = x;
                    for (glyph, w) in glyphs.iter().zip(widths) {
                        if at >= area.right() {
                            break;
                        }
                        let mut piece = cell.clone();
                        piece.set_symbol(glyph);
                        buffer[(at, y)] = piece;
                        at = at.saturating_add(w);
                    }
                }
            }
            x = x.saturating_add(columns);
        }
    }
}

/// `symbol` cut before each character with a width: its glyphs.
fn glyphs(symbol: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in symbol.chars() {
        let wide = width(c.encode_utf8(&mut [0; 4])) > 0;
        match out.last_mut() {
            Some(glyph) if !wide => glyph.push(c),
            _ => out.push(c.to_string()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use ratatui::layout::Rect;
    use ratatui::text::Line;
    use ratatui::widgets::Widget;

    use super::*;

    fn cells(text: &str) -> Vec<String> {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 6, 1));
        Line::from(text).render(buffer.area, &mut buffer);
        split(&mut buffer);
        buffer
            .content()
            .iter()
            .map(|c| c.symbol().to_owned())
            .collect()
    }

    #[test]
    fn each_glyph_gets_its_own_cell() {
        // Bengali "kṣa", a conjunct: one grapheme, two glyphs.
        assert_eq!(cells("ক্ষa"), ["ক\u{9cd}", "ষ", "a", " ", " ", " "]);
        // Devanagari "kā": a letter and its spacing vowel sign.
        assert_eq!(cells("का"), ["क", "ा", " ", " ", " ", " "]);
        // A wide letter and a spacing mark after it.
        assert_eq!(cells("ㄱொ"), ["ㄱ", " ", "ொ", " ", " ", " "]);
        // Marks stay on their letter; wide characters keep their cells.
        assert_eq!(cells("e\u{301}東"), ["e\u{301}", "東", " ", " ", " ", " "]);
    }
}
