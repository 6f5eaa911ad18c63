//! A page pattern's figures, as the service publishes them and the Insights
//! view lists them, and the percentile they are given by.

use alloc::string::String;

use serde::{Deserialize, Serialize};

/// One page pattern's figures over a site's window (field names as in
/// the JSON the service publishes).
///
/// A session counts once per pattern: in `sessions` if it viewed a page of
/// the pattern, in `asked` if it asked for help (a chat request, or an
/// offer accepted) during one of those views, that is after the view and
/// before the session's next page view. Its first such ask gives the dwell
/// before asking and the outcome, so `asked = bought + abandoned + open`
/// and the dwell percentiles are over `asked` figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRow {
    /// `pattern`: the page pattern (`/product/*`, `/order/:id`), or
    /// [`OVERFLOW_PATTERN`](super::OVERFLOW_PATTERN) for the paths beyond
    /// the site's bound.
    pub pattern: String,
    /// `sessions`: sessions that viewed a page of the pattern.
    pub sessions: u32,
    /// `asked`: those that asked for help while on it.
    pub asked: u32,
    /// `ask_dwell_median_ms`: the median time from the page view to the
    /// ask, in ms, by nearest rank: of `n` times, the ⌈n/2⌉th smallest (the
    /// lower middle one of an even count, never an average); `null`
    /// without asks.
    pub ask_dwell_median_ms: Option<u64>,
    /// `ask_dwell_p75_ms`: the 75th percentile of the same, likewise: the
    /// ⌈3n/4⌉th smallest.
    pub ask_dwell_p75_ms: Option<u64>,
    /// `bought`: of those that asked, the sessions with an order after the
    /// ask.
    pub bought: u32,
    /// `abandoned`: of those that asked, the sessions without one that are
    /// over (nothing heard for the session timeout).
    pub abandoned: u32,
    /// `open`: of those that asked, the sessions without one that are not
    /// over yet.
    pub open: u32,
}

impl PageRow {
    /// The share of sessions that asked for help on the page (contact
    /// propensity), 0 to 1; 0 for a row without sessions.
    pub fn contact_propensity(&self) -> f64 {
        if self.sessions == 0 {
            0.0
        } else {
            f64::from(self.asked) / f64::from(self.sessions)
        }
    }

    /// The usual dwell before asking on the page (the median), once at
    /// least `min_asks` sessions asked there.
    pub fn usual_ask_dwell_ms(&self, min_asks: u32) -> Option<u64> {
        if self.asked >= min_asks.max(1) {
            self.ask_dwell_median_ms
        } else {
            None
        }
    }
}

/// The `percent`th percentile of `sorted` (ascending) by the nearest-rank
/// method: the smallest value with at least `percent`% of the values at or
/// below it, the value of rank ⌈percent × n / 100⌉ counting from 1. Always
/// one of the values (a time some shopper took, never an average of two):
/// the median of an even count is the lower middle one. `None` for no
/// values.
pub(super) fn nearest_rank(sorted: &[u64], percent: u8) -> Option<u64> {
    let n = sorted.len();
    let rank = (usize::from(percent) * n).div_ceil(100).max(1);
    sorted.get(rank.min(n).checked_sub(1)?).copied()
}
