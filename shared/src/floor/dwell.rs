//! How long shoppers usually stay on each page of each site.
//!
//! Every frame asks this of every session on the floor, so a page's
//! statistics sit in a `Vec` and each session keeps the slot of the page it
//! is on (found once, when its batch arrives): a frame reads an index
//! rather than comparing paths in a map (that lookup was half a frame's
//! work at 100,000 sessions).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use crate::subject::SiteId;

use super::{MAX_DWELL_PATHS, MIN_DWELL_SAMPLES};

/// One page's stays.
#[derive(Debug, Clone, Copy, Default)]
struct Stat {
    samples: u32,
    mean_ms: u64,
}

impl Stat {
    /// Longer stays are counted as this long, so one forgotten tab cannot
    /// make a page's usual stay an hour.
    const CAP_MS: u64 = 30 * 60_000;

    fn add(&mut self, ms: u32) {
        let ms = u64::from(ms).min(Self::CAP_MS);
        // A running mean over the first thousand stays, then a moving one,
        // so the usual follows the shop as it changes.
        self.samples = self.samples.saturating_add(1);
        let n = u64::from(self.samples.min(1_000));
        self.mean_ms = (self.mean_ms * (n - 1) + ms) / n;
    }

    fn usual_ms(self) -> Option<u64> {
        (self.samples >= MIN_DWELL_SAMPLES).then_some(self.mean_ms)
    }
}

/// Where a page's statistics are kept.
pub(crate) type Slot = u32;

/// Every page's stays (see the module doc).
#[derive(Debug, Clone, Default)]
pub(crate) struct Dwell {
    /// Per site, per path: looked up by `&str`, without allocating.
    slots: BTreeMap<SiteId, BTreeMap<String, Slot>>,
    stats: Vec<Stat>,
}

impl Dwell {
    /// The slot of `path` on `site`, made if there is room.
    pub(crate) fn slot(&mut self, site: &SiteId, path: &str) -> Option<Slot> {
        if let Some(slot) = self.slots.get(site).and_then(|paths| paths.get(path)) {
            return Some(*slot);
        }
        if self.stats.len() >= MAX_DWELL_PATHS {
            return None;
        }
        let slot = Slot::try_from(self.stats.len()).ok()?;
        self.stats.push(Stat::default());
        self.slots
            .entry(site.clone())
            .or_default()
            .insert(path.into(), slot);
        Some(slot)
    }

    /// Notes a stay of `ms` on the page in `slot`.
    pub(crate) fn add(&mut self, slot: Slot, ms: u32) {
        if let Some(stat) = self.stats.get_mut(slot as usize) {
            stat.add(ms);
        }
    }

    /// The usual stay on the page in `slot`, once enough have been seen.
    pub(crate) fn usual_in(&self, slot: Slot) -> Option<u64> {
        self.stats.get(slot as usize).and_then(|s| s.usual_ms())
    }

    /// The usual stay on `path` of `site`, once enough have been seen.
    pub(crate) fn usual_ms(&self, site: &SiteId, path: &str) -> Option<u64> {
        let slot = *self.slots.get(site)?.get(path)?;
        self.usual_in(slot)
    }
}
