//! A line for a screen's footer that goes away by itself.

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
