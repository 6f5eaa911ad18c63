//! The window of recent batch numbers by which a session tells a batch seen
//! twice, or one that never came: the floor's sessions and the page
//! statistics' timelines ([`crate::pages`]) keep one each.

/// Which batch numbers a session has seen, to ignore a batch seen twice and
/// count the ones that never came. Batches from a session's tabs may arrive
/// a little out of order, so a window of recent numbers is remembered.
#[derive(Debug, Clone, Default)]
pub(crate) struct SeqWindow {
    /// One more than the highest number seen; 0 before any.
    next: u64,
    /// Bit `i` set: batch `next - 1 - i` was seen.
    recent: u128,
}

pub(crate) enum Seen {
    /// Seen already.
    Before,
    /// The highest yet; `skipped` numbers were jumped over to reach it.
    New { skipped: u64 },
    /// One that was jumped over, arriving late: not lost after all.
    Late,
}

impl SeqWindow {
    pub(crate) fn insert(&mut self, seq: u64) -> Seen {
        if seq >= self.next {
            // The first batch we hear need not be the session's first.
            let skipped = if self.next == 0 && self.recent == 0 {
                0
            } else {
                seq - self.next
            };
            let shift = seq - self.next + 1;
            self.recent = if shift >= 128 {
                0
            } else {
                self.recent << shift
            } | 1;
            self.next = seq + 1;
            return Seen::New { skipped };
        }
        let age = self.next - 1 - seq;
        if age >= 128 {
            // Too old to tell: treat as seen rather than count it twice.
            return Seen::Before;
        }
        let bit = 1u128 << age;
        if self.recent & bit == 0 {
            self.recent |= bit;
            Seen::Late
        } else {
            Seen::Before
        }
    }
}
