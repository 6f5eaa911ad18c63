//! What the two screens (the dashboard and the agents' console) share:
//! the terminal's set-up and restore ([`terminal`]), styles ([`theme`]),
//! titled panes ([`framed`]), chat transcripts ([`transcript`]) and the
//! wrapping of shopper text into lines ([`wrap`]), one glyph per cell
//! as terminals draw them ([`cells`]), notices
//! that fade ([`notice`]), visitors' memories ([`recall`]) and key maps that feed both the keys and the
//! help ([`keys`]). It knows nothing of either screen's state.

pub(crate) mod cells;
pub(crate) mod framed;
#[cfg(test)]
pub(crate) mod grid;
pub(crate) mod keys;
pub(crate) mod notice;
pub(crate) mod recall;
pub(crate) mod terminal;
pub(crate) mod theme;
pub(crate) mod transcript;
pub(crate) mod wrap;
