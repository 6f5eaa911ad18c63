//! A line for a screen's footer that goes away by itself.

use floorwalker_shared::sanitize::width as text_width;

use super::wrap;

/// How long a notice stays, in ms.
pub(crate) const NOTICE_MS: u64 = 8_000;

/// A line for the footer, shown until `until_ms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Notice {
    pub(crate) text: String,
    pub(crate) until_ms: u64,
}

impl Notice {
    /// `text`, said at `now_ms`.
    pub(crate) fn new(text: impl Into<String>, now_ms: u64) -> Self {
        Self {
            text: text.into(),
            until_ms: now_ms + NOTICE_MS,
        }
    }

    /// Its text made safe and in lines of at most `width` columns, broken
    /// between words as [`wrap::lines`] breaks them, at most `max_lines` of
    /// them: what does not fit ends in `…` after a whole word.
    pub(crate) fn lines(&self, width: usize, max_lines: usize) -> Vec<String> {
        let width = width.max(2);
        let mut lines: Vec<String> = wrap::lines(&self.text, width, width)
            .iter()
            .map(|line| line.trim().to_owned())
            .filter(|line| !line.is_empty())
            .collect();
        if lines.len() > max_lines {
            lines.truncate(max_lines);
            if let Some(last) = lines.last_mut() {
                // Room for the ellipsis, taken a whole word at a time.
                while text_width(last) + 1 > width {
                    match last.rfind(' ') {
                        Some(i) => last.truncate(i),
                        None => {
                            last.pop();
                        }
                    }
                }
                last.push('…');
            }
        }
        lines
    }

    /// Whether it has been shown long enough at `now_ms`.
    pub(crate) fn expired(&self, now_ms: u64) -> bool {
        self.until_ms <= now_ms
    }
}

/// Clears `notice` once it has been shown long enough.
pub(crate) fn fade(notice: &mut Option<Notice>, now_ms: u64) {
    if notice.as_ref().is_some_and(|n| n.expired(now_ms)) {
        *notice = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_breaks_between_words_and_says_when_it_had_to_stop() {
        let n = Notice::new(
            "Not sent: this shopper declined an offer in this session",
            0,
        );
        assert_eq!(
            n.lines(24, 3),
            [
                "Not sent: this shopper",
                "declined an offer in",
                "this session"
            ]
        );
        assert_eq!(
            n.lines(24, 2),
            ["Not sent: this shopper", "declined an offer in…"]
        );
        assert_eq!(n.lines(80, 2), [n.text.as_str()]);
        let long = Notice::new("abcdefghij", 0);
        assert_eq!(long.lines(4, 5), ["abcd", "efgh", "ij"]);
    }
}
