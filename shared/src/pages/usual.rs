//! What the dashboard marks a shopper by: the usual dwell before asking on
//! each page pattern of each site, read from the rows the service
//! publishes, looked up by a shopper's path through the same patterns.

use alloc::collections::BTreeMap;
use alloc::string::String;

use super::{PageConfig, PageRow, Patterns};
use crate::subject::SiteId;

/// Each site's usual dwell before asking, by page pattern, for the
/// patterns with at least [`PageConfig::min_asks`] asks.
///
/// # Examples
///
/// ```
/// use floorwalker_shared::pages::{PageConfig, PageRow, UsualAsks};
/// use floorwalker_shared::subject::SiteId;
///
/// let mut usual = UsualAsks::new(&PageConfig::default());
/// let shoes = SiteId::new("shoes").unwrap();
/// let row = PageRow {
///     pattern: "/product/:id".into(),
///     sessions: 40,
///     asked: 8,
///     ask_dwell_median_ms: Some(45_000),
///     ask_dwell_p75_ms: Some(70_000),
///     bought: 3,
///     abandoned: 4,
///     open: 1,
/// };
/// usual.set(shoes.clone(), &[row]);
/// assert_eq!(usual.usual_ms(&shoes, "/product/4412"), Some(45_000));
/// assert!(usual.has_passed(&shoes, "/product/4412", 50_000));
/// assert_eq!(usual.usual_ms(&shoes, "/cart"), None);
/// ```
#[derive(Debug, Clone, Default)]
pub struct UsualAsks {
    patterns: Patterns,
    min_asks: u32,
    sites: BTreeMap<SiteId, BTreeMap<String, u64>>,
}

impl UsualAsks {
    /// None known yet; paths are grouped by `config`'s patterns (the
    /// service's), and a pattern needs `config`'s minimum of asks.
    pub fn new(config: &PageConfig) -> Self {
        Self {
            patterns: config.patterns.clone(),
            min_asks: config.min_asks,
            sites: BTreeMap::new(),
        }
    }

    /// Takes `site`'s rows as published, in place of any before.
    pub fn set(&mut self, site: SiteId, rows: &[PageRow]) {
        let usual = rows
            .iter()
            .filter_map(|row| Some((row.pattern.clone(), row.usual_ask_dwell_ms(self.min_asks)?)))
            .collect();
        self.sites.insert(site, usual);
    }

    /// The usual dwell before asking on `path` of `site`, if enough asks
    /// were seen on its pattern. A path the service grouped into the
    /// overflow has none.
    pub fn usual_ms(&self, site: &SiteId, path: &str) -> Option<u64> {
        let usual = self.sites.get(site)?;
        usual.get(&*self.patterns.group(path)).copied()
    }

    /// Whether a shopper `on_page_ms` into `path` of `site` has stayed
    /// past the usual dwell before asking there.
    pub fn has_passed(&self, site: &SiteId, path: &str, on_page_ms: u64) -> bool {
        self.usual_ms(site, path)
            .is_some_and(|usual| on_page_ms > usual)
    }
}
