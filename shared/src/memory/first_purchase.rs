//! How many visits shoppers make before their first order, per site: the
//! figure retail service strategists watch, since a shop that sells on the
//! third visit should not push for the sale on the first.

use alloc::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Buckets a screen shows: 1 to 9 visits, then "10 or more".
pub const VISITS_BUCKETS: usize = 10;

/// The distribution of the visit of first order over a site's buyers.
/// Kept as exact counts, so that a service can take a visitor out and put
/// them back as their memory changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstPurchase {
    /// Buyers by the number of the visit that placed their first order.
    pub by_visit: BTreeMap<u32, u32>,
}

impl FirstPurchase {
    /// Counts a buyer whose first order was on visit `n`.
    pub fn add(&mut self, n: u32) {
        *self.by_visit.entry(n).or_default() += 1;
    }

    /// Takes back a buyer counted with [`Self::add`].
    pub fn remove(&mut self, n: u32) {
        if let Some(count) = self.by_visit.get_mut(&n) {
            *count -= 1;
            if *count == 0 {
                self.by_visit.remove(&n);
            }
        }
    }

    /// How many buyers.
    pub fn buyers(&self) -> u32 {
        self.by_visit.values().sum()
    }

    /// The median visit of first order (the lower middle of an even count).
    pub fn median(&self) -> Option<u32> {
        self.quantile(1, 2)
    }

    /// The smallest visit number by which at least `num/den` of buyers had
    /// bought (the nearest-rank quantile).
    pub fn quantile(&self, num: u32, den: u32) -> Option<u32> {
        let buyers = u64::from(self.buyers());
        if buyers == 0 || den == 0 {
            return None;
        }
        // Nearest rank: the ceil(q·n)-th buyer, at least the first.
        let rank = (u64::from(num) * buyers).div_ceil(u64::from(den)).max(1);
        let mut seen = 0u64;
        self.by_visit.iter().find_map(|(visit, count)| {
            seen += u64::from(*count);
            (seen >= rank).then_some(*visit)
        })
    }

    /// Buyers per bucket: index 0 bought on the first visit, the last
    /// holds the tenth visit and later.
    pub fn buckets(&self) -> [u32; VISITS_BUCKETS] {
        let mut buckets = [0; VISITS_BUCKETS];
        for (visit, count) in &self.by_visit {
            let i = (*visit as usize).clamp(1, VISITS_BUCKETS) - 1;
            buckets[i] += count;
        }
        buckets
    }
}
