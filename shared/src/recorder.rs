//! Turning what the plugin observes into batches, without IO.
//!
//! The plugin's browser glue reports raw observations (a page was shown, the
//! tab went hidden, a cart line was added) with the browser's clock; the
//! [`Recorder`] adds what follows from them (the dwell on the page being
//! left, the campaign parameters of a landing URL), trims every text to the
//! schema's bounds so a batch always validates, and hands out a [`Batch`]
//! when enough events wait or the oldest has waited long enough.

use alloc::{borrow::ToOwned, string::String, vec::Vec};

use crate::event::limits::{
    MAX_EVENTS_PER_BATCH, MAX_PATH_LEN, MAX_REFERRER_LEN, MAX_TITLE_LEN, MAX_UTM_LEN,
};
use crate::event::{Batch, Event, ShopperEvent, Utm};

/// When a batch is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchPolicy {
    /// A batch goes once this many events wait.
    pub max_events: usize,
    /// A batch goes once its oldest event has waited this long, in ms.
    pub max_wait_ms: u64,
}

impl Default for BatchPolicy {
    fn default() -> Self {
        Self {
            max_events: 20,
            max_wait_ms: 2_000,
        }
    }
}

/// The page being looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Page {
    path: String,
    shown_at_ms: u64,
}

/// Collects a session's events into batches.
#[derive(Debug, Clone)]
pub struct Recorder {
    currency: String,
    visitor: Option<String>,
    policy: BatchPolicy,
    next_seq: u64,
    pending: Vec<Event>,
    page: Option<Page>,
    /// The last two products viewed, most recent last.
    products: Vec<String>,
    /// Pairs already reported as toggling, so each is reported once.
    toggled: Vec<(String, String)>,
    /// The deepest scroll bucket reported on this page (0, 25, 50, 75, 100).
    scroll_bucket: u8,
    /// When the shopper last did anything.
    last_activity_ms: Option<u64>,
    /// Whether the current quiet spell has been reported.
    idle_reported: bool,
}

/// How long without input counts as idle.
pub const IDLE_AFTER_MS: u64 = 60_000;

impl Recorder {
    /// A recorder for a session whose next batch number is `next_seq`.
    pub fn new(currency: impl Into<String>, next_seq: u64, policy: BatchPolicy) -> Self {
        Self {
            currency: currency.into(),
            visitor: None,
            policy: BatchPolicy {
                max_events: policy.max_events.clamp(1, MAX_EVENTS_PER_BATCH),
                ..policy
            },
            next_seq,
            pending: Vec::new(),
            page: None,
            products: Vec::new(),
            toggled: Vec::new(),
            scroll_bucket: 0,
            last_activity_ms: None,
            idle_reported: false,
        }
    }

    /// Names the browser's visitor in every batch from now on.
    pub fn set_visitor(&mut self, visitor: impl Into<String>) {
        self.visitor = Some(visitor.into());
    }

    /// A page was shown (a load, or a single-page shop's route change):
    /// records the dwell on the page left, then the view. `query` is the
    /// URL's query string, where campaign parameters are read from.
    pub fn page_view(&mut self, at_ms: u64, path: &str, query: &str, title: &str, referrer: &str) {
        self.page_view_with(at_ms, path, utm_from_query(query), title, referrer);
    }

    /// [`Recorder::page_view`] with the campaign parameters read already:
    /// the plugin has the browser read them (see [`utm`]).
    pub fn page_view_with(
        &mut self,
        at_ms: u64,
        path: &str,
        utm: Option<Utm>,
        title: &str,
        referrer: &str,
    ) {
        let path = if path.is_empty() { "/" } else { path };
        if self.page.as_ref().is_some_and(|p| p.path == path) {
            // A repeated report of the same page (replaceState, a hash change
            // on the same path) is not a new view.
            return;
        }
        self.leave_page(at_ms);
        self.activity(at_ms);
        self.scroll_bucket = 0;
        self.page = Some(Page {
            path: trim(path, MAX_PATH_LEN),
            shown_at_ms: at_ms,
        });
        self.record(
            at_ms,
            ShopperEvent::PageView {
                path: trim(path, MAX_PATH_LEN),
                title: trim(title, MAX_TITLE_LEN),
                referrer: (!referrer.is_empty()).then(|| trim(referrer, MAX_REFERRER_LEN)),
                utm,
            },
        );
    }

    /// The shopper left the current page (or the site): records its dwell.
    pub fn leave_page(&mut self, at_ms: u64) {
        if let Some(page) = self.page.take() {
            let ms = at_ms.saturating_sub(page.shown_at_ms);
            let ms = u32::try_from(ms)
                .unwrap_or(u32::MAX)
                .min(crate::event::limits::MAX_DURATION_MS);
            self.record(
                at_ms,
                ShopperEvent::Dwell {
                    path: page.path,
                    ms,
                },
            );
        }
    }

    /// The shopper did something (pointer, key, touch, scroll).
    pub fn activity(&mut self, at_ms: u64) {
        self.last_activity_ms = Some(at_ms);
        self.idle_reported = false;
    }

    /// The page is scrolled `percent` of the way down: records the depth
    /// when it first passes 25, 50, 75 or 100 on this page.
    pub fn scrolled(&mut self, at_ms: u64, percent: u8) {
        let bucket = percent.min(100) / 25 * 25;
        if bucket > self.scroll_bucket {
            self.scroll_bucket = bucket;
            if let Some(path) = self.current_path().map(str::to_owned) {
                self.record(
                    at_ms,
                    ShopperEvent::ScrollDepth {
                        path,
                        percent: bucket,
                    },
                );
            }
        }
    }

    /// Time passes: records one `Idle` per quiet spell of
    /// [`IDLE_AFTER_MS`] or more.
    pub fn tick(&mut self, at_ms: u64) {
        let Some(last) = self.last_activity_ms else {
            return;
        };
        let quiet = at_ms.saturating_sub(last);
        if !self.idle_reported && quiet >= IDLE_AFTER_MS {
            self.idle_reported = true;
            let ms = u32::try_from(quiet)
                .unwrap_or(u32::MAX)
                .min(crate::event::limits::MAX_DURATION_MS);
            self.record(at_ms, ShopperEvent::Idle { ms });
        }
    }

    /// The path of the page being looked at.
    pub fn current_path(&self) -> Option<&str> {
        self.page.as_ref().map(|p| p.path.as_str())
    }

    /// Records an event as it happened, and what follows from it: a product
    /// view that returns to the product before last (A, B, A) is toggling.
    pub fn record(&mut self, at_ms: u64, kind: ShopperEvent) {
        let toggling = match &kind {
            ShopperEvent::ProductViewed { sku, .. } => self.viewed_product(sku),
            _ => None,
        };
        self.pending.push(Event { at_ms, kind });
        if let Some(kind) = toggling {
            self.pending.push(Event { at_ms, kind });
        }
    }

    fn viewed_product(&mut self, sku: &str) -> Option<ShopperEvent> {
        if self.products.last().is_some_and(|last| last == sku) {
            return None;
        }
        let toggling = match self.products.as_slice() {
            [before, last] if before == sku => {
                let pair = if before < last {
                    (before.clone(), last.clone())
                } else {
                    (last.clone(), before.clone())
                };
                (!self.toggled.contains(&pair)).then(|| {
                    self.toggled.push(pair);
                    ShopperEvent::ProductToggling {
                        first_sku: before.clone(),
                        second_sku: last.clone(),
                    }
                })
            }
            _ => None,
        };
        self.products.push(sku.to_owned());
        if self.products.len() > 2 {
            self.products.remove(0);
        }
        toggling
    }

    /// The product history toggling is judged on: the last two products
    /// viewed and the pairs already reported. The plugin keeps it across
    /// page loads of a session.
    pub fn product_history(&self) -> (&[String], &[(String, String)]) {
        (&self.products, &self.toggled)
    }

    /// Restores a product history saved by an earlier page of the session.
    pub fn restore_product_history(
        &mut self,
        mut products: Vec<String>,
        toggled: Vec<(String, String)>,
    ) {
        let keep = products.len().saturating_sub(2);
        products.drain(..keep);
        self.products = products;
        self.toggled = toggled;
    }

    /// The batch currency.
    pub fn currency(&self) -> &str {
        &self.currency
    }

    /// Events waiting for a batch.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Whether a batch is due at `now_ms`: enough events wait, the oldest
    /// has waited long enough, or one waits that a supervisor wants to see
    /// at once (where the shopper is, what they do with products, cart,
    /// checkout, offers and chat); dwell, scrolling, tab and idle reports
    /// can wait for company.
    pub fn due(&self, now_ms: u64) -> bool {
        self.pending.len() >= self.policy.max_events
            || self
                .pending
                .first()
                .is_some_and(|e| now_ms.saturating_sub(e.at_ms) >= self.policy.max_wait_ms)
            || self.pending.iter().any(|e| is_urgent(&e.kind))
    }

    /// When the waiting events fall due by time, if any wait.
    pub fn due_at(&self) -> Option<u64> {
        self.pending
            .first()
            .map(|e| e.at_ms + self.policy.max_wait_ms)
    }

    /// The next batch (up to the policy's size), whether due or not; `None`
    /// when nothing waits.
    pub fn take_batch(&mut self) -> Option<Batch> {
        if self.pending.is_empty() {
            return None;
        }
        let n = self.pending.len().min(self.policy.max_events);
        let events: Vec<Event> = self.pending.drain(..n).collect();
        let mut batch = Batch::new(self.next_seq, self.currency.clone(), events);
        batch.visitor.clone_from(&self.visitor);
        self.next_seq += 1;
        Some(batch)
    }

    /// Moves the next batch number forward to `seq` (another tab of the
    /// session may have used numbers); never backward.
    pub fn advance_seq(&mut self, seq: u64) {
        self.next_seq = self.next_seq.max(seq);
    }

    /// The sequence number the next batch will carry.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }
}

fn is_urgent(kind: &ShopperEvent) -> bool {
    !matches!(
        kind,
        ShopperEvent::Dwell { .. }
            | ShopperEvent::ScrollDepth { .. }
            | ShopperEvent::TabHidden
            | ShopperEvent::TabVisible
            | ShopperEvent::Idle { .. }
    )
}

/// The campaign parameters of a query string (`utm_source`, `utm_medium`,
/// `utm_campaign`), percent-decoded, the first non-empty value of each;
/// `None` when it has none.
pub fn utm_from_query(query: &str) -> Option<Utm> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut values: [String; 3] = Default::default();
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(slot) = ["utm_source", "utm_medium", "utm_campaign"]
            .iter()
            .position(|k| *k == key)
        else {
            continue;
        };
        if values[slot].is_empty() {
            values[slot] = percent_decode(value);
        }
    }
    let [source, medium, campaign] = &values;
    utm(source, medium, campaign)
}

/// Campaign parameters from their values, each trimmed to the schema's
/// bounds; an empty value is absent, and `None` when all are.
pub fn utm(source: &str, medium: &str, campaign: &str) -> Option<Utm> {
    let value = |v: &str| (!v.is_empty()).then(|| trim(v, MAX_UTM_LEN));
    let utm = Utm {
        source: value(source),
        medium: value(medium),
        campaign: value(campaign),
    };
    (utm.source.is_some() || utm.medium.is_some() || utm.campaign.is_some()).then_some(utm)
}

/// Decodes `%XX` and `+` as a URL query does; invalid escapes stay as they
/// are, and a value that does not decode to UTF-8 stays as written (not
/// lossily decoded: `from_utf8_lossy` is 800 bytes of the plugin's wasm).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| u8::from_str_radix(core::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], escaped) {
            (_, Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (b, None) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.into())
}

/// `text` cut to at most `max` bytes on a character boundary.
pub fn trim(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{decode_batch, encode_batch};

    fn recorder() -> Recorder {
        Recorder::new(
            "EUR",
            0,
            BatchPolicy {
                max_events: 3,
                max_wait_ms: 1_000,
            },
        )
    }

    #[test]
    fn page_views_carry_campaign_and_leaving_a_page_records_its_dwell() {
        let mut r = recorder();
        r.page_view(
            1_000,
            "/",
            "?utm_source=news+letter&utm_medium=email&utm_campaign=spring%20sale&x=1",
            "Home",
            "https://mail.example/",
        );
        r.page_view(1_000, "/", "", "Home", "");
        r.page_view(4_500, "/shoes/trail", "", "Trail shoes", "");
        let batch = r.take_batch().unwrap();
        let kinds: Vec<&ShopperEvent> = batch.events.iter().map(|e| &e.kind).collect();
        assert_eq!(
            kinds,
            [
                &ShopperEvent::PageView {
                    path: "/".into(),
                    title: "Home".into(),
                    referrer: Some("https://mail.example/".into()),
                    utm: Some(Utm {
                        source: Some("news letter".into()),
                        medium: Some("email".into()),
                        campaign: Some("spring sale".into()),
                    }),
                },
                &ShopperEvent::Dwell {
                    path: "/".into(),
                    ms: 3_500
                },
                &ShopperEvent::PageView {
                    path: "/shoes/trail".into(),
                    title: "Trail shoes".into(),
                    referrer: None,
                    utm: None,
                },
            ]
        );
        assert_eq!(r.current_path(), Some("/shoes/trail"));
    }

    #[test]
    fn batches_go_by_count_or_by_age_with_increasing_numbers() {
        let mut r = recorder();
        assert!(!r.due(0));
        r.record(100, ShopperEvent::TabHidden);
        assert!(!r.due(1_099));
        assert_eq!(r.due_at(), Some(1_100));
        assert!(r.due(1_100));
        r.record(200, ShopperEvent::TabVisible);
        assert!(!r.due(200));
        r.record(300, ShopperEvent::Idle { ms: 60_000 });
        assert!(r.due(300), "three events are a batch");
        r.record(400, ShopperEvent::TabHidden);
        let first = r.take_batch().unwrap();
        assert_eq!((first.seq, first.events.len()), (0, 3));
        let second = r.take_batch().unwrap();
        assert_eq!((second.seq, second.events.len()), (1, 1));
        assert_eq!(r.take_batch(), None);
        assert_eq!(r.next_seq(), 2);

        // What a supervisor watches goes at once.
        r.record(500, ShopperEvent::ExitIntent);
        assert!(r.due(500));
    }

    #[test]
    fn every_batch_names_the_visitor_once_known() {
        let mut r = recorder();
        r.record(100, ShopperEvent::TabHidden);
        assert_eq!(r.take_batch().unwrap().visitor, None);
        r.set_visitor("Vb3_x-9QmZ");
        for at in [200, 300] {
            r.record(at, ShopperEvent::TabVisible);
            assert_eq!(
                r.take_batch().unwrap().visitor.as_deref(),
                Some("Vb3_x-9QmZ")
            );
        }
    }

    #[test]
    fn hostile_page_text_is_trimmed_so_the_batch_still_validates() {
        let mut r = recorder();
        let long = "é".repeat(MAX_TITLE_LEN);
        r.page_view(
            0,
            &"/x".repeat(MAX_PATH_LEN),
            &format!("utm_source={}", "s".repeat(1000)),
            &long,
            "",
        );
        let batch = r.take_batch().unwrap();
        let decoded = decode_batch(&encode_batch(&batch)).expect("a recorded batch validates");
        let ShopperEvent::PageView {
            path, title, utm, ..
        } = &decoded.events[0].kind
        else {
            panic!()
        };
        assert!(path.len() <= MAX_PATH_LEN && title.len() <= MAX_TITLE_LEN);
        assert!(title.chars().all(|c| c == 'é'), "cut inside a character");
        assert_eq!(
            utm.as_ref().unwrap().source.as_ref().unwrap().len(),
            MAX_UTM_LEN
        );
    }

    #[test]
    fn going_back_and_forth_between_two_products_is_toggling_once() {
        let mut r = recorder();
        let view = |sku: &str| ShopperEvent::ProductViewed {
            sku: sku.into(),
            name: String::new(),
            price_minor: 100,
        };
        for sku in ["a", "a", "b", "a", "b", "a", "c", "a"] {
            r.record(0, view(sku));
        }
        let toggles: Vec<ShopperEvent> = std::iter::from_fn(|| r.take_batch())
            .flat_map(|b| b.events)
            .map(|e| e.kind)
            .filter(|k| matches!(k, ShopperEvent::ProductToggling { .. }))
            .collect();
        assert_eq!(
            toggles,
            [
                ShopperEvent::ProductToggling {
                    first_sku: "a".into(),
                    second_sku: "b".into()
                },
                ShopperEvent::ProductToggling {
                    first_sku: "a".into(),
                    second_sku: "c".into()
                },
            ]
        );
    }

    #[test]
    fn scroll_depth_is_reported_once_per_quarter_and_page() {
        let mut r = Recorder::new(
            "EUR",
            0,
            BatchPolicy {
                max_events: 50,
                max_wait_ms: 1_000,
            },
        );
        r.scrolled(0, 80); // no page yet: nothing to attribute it to
        r.page_view(0, "/a", "", "A", "");
        for percent in [10, 30, 45, 52, 51, 99, 100, 100] {
            r.scrolled(1, percent);
        }
        r.page_view(2, "/b", "", "B", "");
        r.scrolled(3, 60);
        let depths: Vec<(String, u8)> = r
            .take_batch()
            .unwrap()
            .events
            .into_iter()
            .filter_map(|e| match e.kind {
                ShopperEvent::ScrollDepth { path, percent } => Some((path, percent)),
                _ => None,
            })
            .collect();
        let want = [("/a", 25), ("/a", 50), ("/a", 75), ("/a", 100), ("/b", 50)];
        assert_eq!(depths, want.map(|(p, n)| (p.to_owned(), n)));
    }

    #[test]
    fn one_idle_report_per_quiet_spell() {
        let mut r = recorder();
        r.tick(IDLE_AFTER_MS * 2);
        assert_eq!(r.pending(), 0, "no activity yet, no idleness to report");
        r.activity(1_000);
        r.tick(1_000 + IDLE_AFTER_MS - 1);
        assert_eq!(r.pending(), 0);
        r.tick(1_000 + IDLE_AFTER_MS);
        r.tick(1_000 + IDLE_AFTER_MS * 3);
        r.activity(500_000);
        r.tick(500_000 + IDLE_AFTER_MS + 5);
        let idles: Vec<ShopperEvent> = r
            .take_batch()
            .unwrap()
            .events
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(
            idles,
            [
                ShopperEvent::Idle { ms: 60_000 },
                ShopperEvent::Idle { ms: 60_005 }
            ]
        );
    }

    #[test]
    fn campaign_values_read_elsewhere_are_trimmed_and_empty_ones_absent() {
        assert_eq!(utm("", "", ""), None);
        let long = "s".repeat(MAX_UTM_LEN + 10);
        let read = utm(&long, "", "spring").unwrap();
        assert_eq!(read.source.map(|s| s.len()), Some(MAX_UTM_LEN));
        assert_eq!(read.medium, None);
        assert_eq!(read.campaign.as_deref(), Some("spring"));
    }

    #[test]
    fn query_decoding_is_total() {
        assert_eq!(utm_from_query(""), None);
        assert_eq!(utm_from_query("?a=1&b"), None);
        let odd = utm_from_query("utm_source=%zz%4&utm_medium=%E2%82%AC&utm_campaign=%ff").unwrap();
        assert_eq!(odd.source.as_deref(), Some("%zz%4"));
        assert_eq!(odd.medium.as_deref(), Some("€"));
        assert_eq!(
            odd.campaign.as_deref(),
            Some("%ff"),
            "not UTF-8: as written"
        );
        assert_eq!(
            utm_from_query("utm_source=&utm_source=b")
                .unwrap()
                .source
                .as_deref(),
            Some("b")
        );
    }
}
