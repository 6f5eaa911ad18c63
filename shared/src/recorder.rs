//! Turning what the plugin observes into batches, without IO.
//!
//! The plugin's browser glue reports raw observations (a page was shown, the
//! tab went hidden, a cart line was added) with the browser's clock; the
//! [`Recorder`] adds what follows from them (the dwell on the page being
//! left, the campaign parameters of a landing URL), trims every text to the
//! schema's bounds so a batch always validates, and hands out a [`Batch`]
//! when enough events wait or the oldest has waited long enough, never
//! larger than the server accepts ([`Recorder::take_batch`]). `campaign`
//! reads the campaign parameters of a landing page ([`utm`],
//! [`utm_from_query`]).

use alloc::{borrow::ToOwned, string::String, vec::Vec};

mod campaign;

pub use campaign::{utm, utm_from_query};

use crate::event::limits::{
    MAX_EVENTS_PER_BATCH, MAX_PATH_LEN, MAX_REFERRER_LEN, MAX_TITLE_LEN, MAX_UTM_LEN,
};
use crate::event::{Batch, Event, ShopperEvent, Utm};
use crate::json::escaped_len;
use crate::wire::{MAX_BATCH_BYTES, encode_batch};

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
    /// The currency of the latest amounts recorded (at first the shop's,
    /// as the plugin was started with).
    currency: String,
    visitor: Option<String>,
    policy: BatchPolicy,
    next_seq: u64,
    /// Events waiting, each with the currency of its amounts if it has any
    /// (as a [`Code`]; 0 for none): a batch holds amounts of one currency
    /// only.
    pending: Vec<(Event, Code)>,
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

/// Most bytes a page view's texts (path, title, campaign and referrer) take
/// together as JSON: with its other fields, and in a batch with the longest
/// envelope, it fits [`MIN_BATCH_BYTES`] (every other event the recorder
/// makes is smaller). The referrer is cut to fit, the last of them: only a
/// page whose path and title together are over 768 bytes can cut it.
///
/// [`MIN_BATCH_BYTES`]: crate::wire::MIN_BATCH_BYTES
pub const PAGE_VIEW_TEXT_BYTES: usize = 3_584;

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
        let (path, path_len) = cut(if path.is_empty() { "/" } else { path }, MAX_PATH_LEN);
        if self.page.as_ref().is_some_and(|p| p.path == path) {
            // A repeated report of the same page (replaceState, a hash change
            // on the same path) is not a new view.
            return;
        }
        self.leave_page(at_ms);
        self.activity(at_ms);
        self.scroll_bucket = 0;
        let (title, title_len) = cut(title, MAX_TITLE_LEN);
        // The referrer has what the path and title leave of the page view's
        // room, beside the campaign's (`3 * MAX_UTM_LEN` at most): a page
        // view fits the smallest batch however long its texts.
        let room = (PAGE_VIEW_TEXT_BYTES - 3 * MAX_UTM_LEN)
            .saturating_sub(path_len + title_len)
            .min(MAX_REFERRER_LEN);
        let referrer = (!referrer.is_empty()).then(|| trim(referrer, room));
        self.page = Some(Page {
            path: path.clone(),
            shown_at_ms: at_ms,
        });
        self.record(
            at_ms,
            ShopperEvent::PageView {
                path,
                title,
                referrer,
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

    /// Records an event as it happened, its amounts (if it has any) in the
    /// currency of the latest amounts, and what follows from it: a product
    /// view that returns to the product before last (A, B, A) is toggling.
    pub fn record(&mut self, at_ms: u64, kind: ShopperEvent) {
        let toggling = match &kind {
            ShopperEvent::ProductViewed { sku, .. } => self.viewed_product(sku),
            _ => None,
        };
        let priced = if has_amounts(&kind) {
            code(&self.currency)
        } else {
            0
        };
        self.pending.push((Event { at_ms, kind }, priced));
        if let Some(kind) = toggling {
            self.pending.push((Event { at_ms, kind }, 0));
        }
    }

    /// The amounts recorded from now on are in `currency` (an ISO 4217
    /// code, checked by the caller), and so are batches without amounts.
    pub fn set_currency(&mut self, currency: &str) {
        currency.clone_into(&mut self.currency);
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

    /// The currency of the latest amounts recorded, which a batch without
    /// amounts carries.
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
                .is_some_and(|(e, _)| now_ms.saturating_sub(e.at_ms) >= self.policy.max_wait_ms)
            || self.pending.iter().any(|(e, _)| is_urgent(&e.kind))
    }

    /// When the waiting events fall due by time, if any wait.
    pub fn due_at(&self) -> Option<u64> {
        self.pending
            .first()
            .map(|(e, _)| e.at_ms + self.policy.max_wait_ms)
    }

    /// The next batch, whether due or not: the oldest waiting events, up to
    /// the policy's count and as many as encode within `max_bytes` (and
    /// never more than [`MAX_BATCH_BYTES`]), up to the first whose amounts
    /// are in another currency than those before it; the rest wait for the
    /// next. The batch's currency is its amounts', or for a batch without
    /// any, that of the latest amounts recorded. `None` when nothing waits.
    ///
    /// Pass what the server announced as its `max_payload`, or
    /// [`MIN_BATCH_BYTES`] while it has not said: every event the recorder
    /// makes fits a batch of [`MIN_BATCH_BYTES`] (its texts are cut by
    /// [`trim`] and [`PAGE_VIEW_TEXT_BYTES`]), so no event is held back for
    /// its size. An event
    /// that alone encodes larger than `max_bytes` (a server that accepts
    /// less than [`MIN_BATCH_BYTES`], or an event recorded with untrimmed
    /// texts) can never be sent: it is left out and its batch number
    /// skipped, so that readers count it among the batches that never
    /// came, as they count batches the plugin's offline buffer dropped.
    ///
    /// [`MIN_BATCH_BYTES`]: crate::wire::MIN_BATCH_BYTES
    pub fn take_batch(&mut self, max_bytes: usize) -> Option<Batch> {
        let max_bytes = max_bytes.min(MAX_BATCH_BYTES);
        let mut batch = Batch::new(self.next_seq, self.currency.clone(), Vec::new());
        batch.visitor.clone_from(&self.visitor);
        // Measured by writing it as each event is added: no second writer
        // that only counts in the plugin's download, and at the plugin's 20
        // events a batch is written 20 times at most, every few seconds.
        // The currency of the amounts taken so far.
        let mut priced: Code = 0;
        while batch.events.len() < self.policy.max_events && !self.pending.is_empty() {
            let (event, currency) = self.pending.remove(0);
            if currency != 0 && priced != 0 && currency != priced {
                // Amounts in another currency: they start the next batch.
                self.pending.insert(0, (event, currency));
                break;
            }
            batch.events.push(event);
            if encode_batch(&batch).len() > max_bytes {
                if batch.events.len() == 1 {
                    // Too large alone: left out, its number skipped.
                    batch.events.clear();
                    batch.seq += 1;
                } else {
                    if let Some(last) = batch.events.pop() {
                        self.pending.insert(0, (last, currency));
                    }
                    break;
                }
            } else if currency != 0 {
                priced = currency;
            }
        }
        if priced != 0 {
            // The code's three letters, one by one: a loop over the shifts
            // is an iterator's code of its own in the plugin's download.
            let letter = |i: usize| char::from(priced.to_be_bytes()[i]);
            batch.currency = String::new();
            batch.currency.push(letter(1));
            batch.currency.push(letter(2));
            batch.currency.push(letter(3));
        }
        let taken = !batch.events.is_empty();
        self.next_seq = batch.seq + u64::from(taken);
        taken.then_some(batch)
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

/// A currency code as a number, compared and kept without an allocation:
/// its three ASCII letters, one a byte.
type Code = u32;

fn code(currency: &str) -> Code {
    currency
        .bytes()
        .fold(0, |code, byte| code << 8 | Code::from(byte))
}

/// Whether `kind` holds amounts of money.
pub fn has_amounts(kind: &ShopperEvent) -> bool {
    matches!(
        kind,
        ShopperEvent::ProductViewed { .. }
            | ShopperEvent::CartAdd(_)
            | ShopperEvent::CartRemove(_)
            | ShopperEvent::CheckoutStep { .. }
            | ShopperEvent::OrderCompleted { .. }
    )
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

/// `text` cut on a character boundary to at most `max` bytes as a JSON
/// string holds it, escapes counted (`"` takes two bytes, a control
/// character up to six), so that an event's texts take on the wire no more
/// than their limits, and every event fits a batch of [`MIN_BATCH_BYTES`].
/// Within the limits the schema sets on the decoded text, which is never
/// longer than its JSON.
///
/// [`MIN_BATCH_BYTES`]: crate::wire::MIN_BATCH_BYTES
pub fn trim(text: &str, max: usize) -> String {
    cut(text, max).0
}

/// `text` cut as [`trim`] cuts it, and how many bytes the cut text takes as
/// JSON (quotes not counted).
fn cut(text: &str, max: usize) -> (String, usize) {
    let mut len = 0;
    for (i, byte) in text.bytes().enumerate() {
        let next = len + escaped_len(byte);
        if next > max {
            // Back to where the character began: the bytes of a character
            // over U+007F take one byte each as JSON.
            let mut end = i;
            while !text.is_char_boundary(end) {
                end -= 1;
                len -= 1;
            }
            return (text[..end].to_owned(), len);
        }
        len = next;
    }
    (text.to_owned(), len)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::event::limits::{MAX_ID_LEN, MAX_NAME_LEN, MAX_SKU_LEN, MAX_UTM_LEN};
    use crate::event::strategy::shopper_event;
    use crate::wire::{MIN_BATCH_BYTES, decode_batch};

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
        let batch = r.take_batch(MAX_BATCH_BYTES).unwrap();
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
        let first = r.take_batch(MAX_BATCH_BYTES).unwrap();
        assert_eq!((first.seq, first.events.len()), (0, 3));
        let second = r.take_batch(MAX_BATCH_BYTES).unwrap();
        assert_eq!((second.seq, second.events.len()), (1, 1));
        assert_eq!(r.take_batch(MAX_BATCH_BYTES), None);
        assert_eq!(r.next_seq(), 2);

        // What a supervisor watches goes at once.
        r.record(500, ShopperEvent::ExitIntent);
        assert!(r.due(500));
    }

    #[test]
    fn a_batch_holds_amounts_of_one_currency_and_says_which() {
        let mut r = Recorder::new("EUR", 0, BatchPolicy::default());
        let line = |sku: &str| {
            ShopperEvent::CartAdd(crate::event::CartLine {
                sku: sku.into(),
                quantity: 1,
                value_minor: 500,
            })
        };
        r.record(100, line("eur"));
        r.set_currency("USD");
        r.record(200, line("usd"));
        r.record(300, ShopperEvent::TabHidden);
        r.record(400, line("usd-2"));
        let first = r.take_batch(MAX_BATCH_BYTES).unwrap();
        assert_eq!((first.currency.as_str(), first.events.len()), ("EUR", 1));
        let second = r.take_batch(MAX_BATCH_BYTES).unwrap();
        assert_eq!((second.currency.as_str(), second.events.len()), ("USD", 3));
        // Without amounts, a batch says the currency of the latest ones.
        r.record(500, ShopperEvent::TabVisible);
        assert_eq!(r.take_batch(MAX_BATCH_BYTES).unwrap().currency, "USD");
        assert_eq!(r.currency(), "USD");
    }

    #[test]
    fn every_batch_names_the_visitor_once_known() {
        let mut r = recorder();
        r.record(100, ShopperEvent::TabHidden);
        assert_eq!(r.take_batch(MAX_BATCH_BYTES).unwrap().visitor, None);
        r.set_visitor("Vb3_x-9QmZ");
        for at in [200, 300] {
            r.record(at, ShopperEvent::TabVisible);
            assert_eq!(
                r.take_batch(MAX_BATCH_BYTES).unwrap().visitor.as_deref(),
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
        let batch = r.take_batch(MAX_BATCH_BYTES).unwrap();
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
        let toggles: Vec<ShopperEvent> = std::iter::from_fn(|| r.take_batch(MAX_BATCH_BYTES))
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
            .take_batch(MAX_BATCH_BYTES)
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
            .take_batch(MAX_BATCH_BYTES)
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

    /// A recorder with `events` waiting, as recorded (no toggling added).
    fn waiting(seq: u64, visitor: Option<&str>, max_events: usize, events: &[Event]) -> Recorder {
        let policy = BatchPolicy {
            max_events,
            max_wait_ms: 1_000,
        };
        let mut r = Recorder::new("EUR", seq, policy);
        if let Some(visitor) = visitor {
            r.set_visitor(visitor);
        }
        for event in events {
            let priced = if has_amounts(&event.kind) {
                code("EUR")
            } else {
                0
            };
            r.pending.push((event.clone(), priced));
        }
        r
    }

    fn events() -> impl Strategy<Value = Vec<Event>> {
        proptest::collection::vec(
            (any::<u64>(), shopper_event()).prop_map(|(at_ms, kind)| Event { at_ms, kind }),
            0..=60,
        )
    }

    fn visitor() -> impl Strategy<Value = Option<String>> {
        proptest::option::of("[A-Za-z0-9_-]{1,64}")
    }

    #[test]
    fn texts_are_cut_to_their_length_as_json_on_a_character_boundary() {
        assert_eq!(trim("plain", 5), "plain");
        assert_eq!(trim("plain", 4), "plai");
        // `"` and `\` take two bytes, a control character six (`\u0001`).
        assert_eq!(trim(r#"a"b"#, 2), "a");
        assert_eq!(trim(r#"a"b"#, 3), r#"a""#);
        assert_eq!(trim("\u{1}\u{1}", 11), "\u{1}");
        assert_eq!(trim("\n\n", 3), "\n");
        // A character is never cut: "é" is two bytes.
        assert_eq!(trim("aé", 2), "a");
        assert_eq!(trim("aé", 3), "aé");
        for s in ["", "x", "\"\\\u{0}\u{1f}é\u{1f6d2}\u{2028}"] {
            for max in 0..40 {
                let cut = trim(s, max);
                assert!(s.starts_with(&cut), "{s:?} {max}");
                assert!(
                    crate::json::to_vec(cut.as_str()).len() - 2 <= max,
                    "{s:?} cut to {max} is {cut:?}"
                );
            }
        }
    }

    #[test]
    fn the_largest_event_the_recorder_makes_fits_the_smallest_batch() {
        // Every text at its limit and made of what JSON escapes most, in a
        // batch with the longest envelope a plugin writes.
        let hostile = |n: usize| "\u{1}\"\\".repeat(n);
        let mut r = waiting(u64::MAX - 10, Some(&"V".repeat(MAX_ID_LEN)), 1, &[]);
        let query = crate::alloc::format!(
            "utm_source={0}&utm_medium={0}&utm_campaign={0}",
            "%01%22".repeat(MAX_PATH_LEN)
        );
        r.page_view(
            u64::MAX,
            &hostile(MAX_PATH_LEN),
            &query,
            &hostile(MAX_TITLE_LEN),
            &hostile(MAX_REFERRER_LEN),
        );
        r.record(
            u64::MAX,
            ShopperEvent::ProductViewed {
                sku: trim(&hostile(MAX_SKU_LEN), MAX_SKU_LEN),
                name: trim(&hostile(MAX_NAME_LEN), MAX_NAME_LEN),
                price_minor: crate::event::limits::MAX_MINOR_UNITS,
            },
        );
        r.page_view(u64::MAX, "/next", "", "", "");
        let mut sizes = Vec::new();
        for _ in 0..3 {
            let batch = r.take_batch(MIN_BATCH_BYTES).expect("every event is sent");
            let bytes = encode_batch(&batch);
            decode_batch(&bytes).expect("and reads back");
            sizes.push(bytes.len());
        }
        // The page view, the product, the dwell on the page left.
        assert!(sizes.iter().all(|&n| n <= MIN_BATCH_BYTES), "{sizes:?}");
        assert!(
            sizes[0] > 3_700,
            "the page view is at its largest: {sizes:?}"
        );
        // The page view's dwell is the last.
        assert_eq!(r.take_batch(MIN_BATCH_BYTES).unwrap().events.len(), 1);
        assert_eq!(r.next_seq(), u64::MAX - 10 + 4, "no number skipped");
    }

    #[test]
    fn a_page_of_long_product_names_goes_in_several_batches_none_over_the_bound() {
        let mut r = Recorder::new("EUR", 0, BatchPolicy::default());
        for i in 0..100u64 {
            r.record(
                i,
                ShopperEvent::ProductViewed {
                    sku: crate::alloc::format!("sku-{i}"),
                    name: "n".repeat(MAX_NAME_LEN),
                    price_minor: 1_999,
                },
            );
        }
        let mut sizes = Vec::new();
        let mut seen = Vec::new();
        while let Some(batch) = r.take_batch(4096) {
            sizes.push(encode_batch(&batch).len());
            seen.extend(batch.events.iter().map(|e| e.at_ms));
        }
        assert!(sizes.iter().all(|&n| n <= 4096), "{sizes:?}");
        assert!(sizes.len() >= 8, "{sizes:?}");
        assert_eq!(seen, (0..100).collect::<Vec<_>>(), "every event, in order");
        assert_eq!(r.next_seq(), sizes.len() as u64, "no number skipped");
    }

    #[test]
    fn an_event_too_large_for_the_server_alone_is_left_out_and_its_number_skipped() {
        let big = Event {
            at_ms: 1,
            kind: ShopperEvent::SiteSearch {
                query: "q".repeat(600),
            },
        };
        let small = Event {
            at_ms: 2,
            kind: ShopperEvent::TabHidden,
        };
        let mut r = waiting(5, None, 20, &[small.clone(), big, small.clone()]);
        let first = r.take_batch(512).unwrap();
        assert_eq!((first.seq, first.events), (5, vec![small.clone()]));
        let second = r.take_batch(512).unwrap();
        assert_eq!(
            (second.seq, second.events),
            (7, vec![small]),
            "batch 6 never comes: readers count it missing"
        );
        assert_eq!(r.take_batch(512), None);
    }

    /// Any text a page or a shop may hand the plugin: short or far over any
    /// limit, with what JSON escapes and characters of every width.
    fn page_text() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => "[a-z/\\-]{0,12}",
            1 => "[\\x00-\\x1f\"\\\\a\u{e9}\u{1f6d2}]{0,40}",
            1 => ("[\\x00\"a\u{e9}\u{1f6d2}]", 100..3_000usize)
                .prop_map(|(unit, n)| unit.repeat(n)),
        ]
    }

    /// What a page can make the recorder record.
    #[derive(Debug, Clone)]
    enum Act {
        Page([String; 6]),
        Commerce(&'static str, String, String),
        Scroll(u8),
        Idle,
        Leave,
        Tab,
    }

    fn act() -> impl Strategy<Value = Act> {
        prop_oneof![
            proptest::array::uniform6(page_text()).prop_map(Act::Page),
            (
                proptest::sample::select(vec![
                    "view_item",
                    "add_to_cart",
                    "remove_from_cart",
                    "begin_checkout",
                    "purchase",
                    "search",
                ]),
                page_text(),
                page_text(),
            )
                .prop_map(|(name, id, text)| Act::Commerce(name, id, text)),
            (0..=100u8).prop_map(Act::Scroll),
            Just(Act::Idle),
            Just(Act::Leave),
            Just(Act::Tab),
        ]
    }

    /// Records what `acts` make, as the plugin would (times one apart).
    fn recorded(r: &mut Recorder, acts: &[Act]) {
        use crate::commerce::{Item, Params};
        for (at, act) in (1_750_000_000_000u64..).zip(acts) {
            match act {
                Act::Page([path, source, medium, campaign, title, referrer]) => {
                    let utm = utm(source, medium, campaign);
                    r.page_view_with(at, path, utm, title, referrer);
                }
                Act::Commerce(name, id, text) => {
                    let item = Item {
                        sku: id.clone(),
                        name: text.clone(),
                        price: 12.5,
                        quantity: 3.0,
                    };
                    let params = Params {
                        tax: Some(1e9),
                        shipping: Some(1e9),
                        transaction_id: Some(id.clone()),
                        search_term: Some(text.clone()),
                        items: vec![item; 30],
                        ..Params::default()
                    };
                    for kind in crate::commerce::events(name, &params, "EUR") {
                        r.record(at, kind);
                    }
                }
                Act::Scroll(percent) => r.scrolled(at, *percent),
                Act::Idle => {
                    r.activity(at);
                    r.tick(at + IDLE_AFTER_MS);
                }
                Act::Leave => r.leave_page(at),
                Act::Tab => r.record(at, ShopperEvent::TabHidden),
            }
        }
    }

    proptest! {
        #[test]
        fn what_a_page_records_goes_whole_and_in_order_in_batches_within_the_bound(
            acts in proptest::collection::vec(act(), 0..40),
            seq in prop_oneof![Just(0u64), any::<u64>().prop_map(|s| s / 2)],
            visitor in visitor(),
            max_events in 1..=MAX_EVENTS_PER_BATCH,
            bound in prop_oneof![
                MIN_BATCH_BYTES..=MAX_BATCH_BYTES,
                Just(MIN_BATCH_BYTES),
                Just(usize::MAX),
            ],
        ) {
            let mut r = waiting(seq, visitor.as_deref(), max_events, &[]);
            recorded(&mut r, &acts);
            let events: Vec<Event> = r.pending.iter().map(|(e, _)| e.clone()).collect();
            let limit = bound.min(MAX_BATCH_BYTES);
            let mut batches = Vec::new();
            while let Some(batch) = r.take_batch(bound) {
                prop_assert!(encode_batch(&batch).len() <= limit);
                prop_assert!(!batch.events.is_empty() && batch.events.len() <= max_events);
                prop_assert!(batch.validate().is_ok(), "{:?}", batch.validate());
                batches.push(batch);
            }
            let seqs: Vec<u64> = batches.iter().map(|b| b.seq).collect();
            let want: Vec<u64> = (seq..).take(batches.len()).collect();
            prop_assert_eq!(seqs, want, "numbered one by one, none skipped");
            let sent: Vec<Event> = batches.iter().flat_map(|b| b.events.clone()).collect();
            prop_assert_eq!(&sent, &events);
            // No batch is smaller than it had to be.
            for pair in batches.windows(2) {
                let mut grown = pair[0].clone();
                grown.events.push(pair[1].events[0].clone());
                prop_assert!(
                    pair[0].events.len() == max_events || encode_batch(&grown).len() > limit
                );
            }
        }

        #[test]
        fn no_batch_is_over_the_bound_and_only_an_event_too_large_alone_is_left_out(
            events in events(),
            seq in any::<u64>().prop_map(|s| s / 2),
            visitor in visitor(),
            max_events in 1..=MAX_EVENTS_PER_BATCH,
            bound in prop_oneof![0..MIN_BATCH_BYTES, MIN_BATCH_BYTES..=MAX_BATCH_BYTES],
        ) {
            let mut r = waiting(seq, visitor.as_deref(), max_events, &events);
            let mut expected_seq = seq;
            let mut left_out = events.iter();
            while let Some(batch) = r.take_batch(bound) {
                prop_assert!(encode_batch(&batch).len() <= bound);
                // Each number skipped is an event that alone is too large.
                for skipped in expected_seq..batch.seq {
                    let alone = Batch {
                        seq: skipped,
                        events: vec![left_out.next().unwrap().clone()],
                        ..batch.clone()
                    };
                    let alone = encode_batch(&alone).len();
                    prop_assert!(alone > bound);
                }
                for event in &batch.events {
                    prop_assert_eq!(Some(event), left_out.next());
                }
                expected_seq = batch.seq + 1;
            }
            // What is left at the end was left out too.
            let rest = left_out.count() as u64;
            prop_assert_eq!(r.next_seq(), expected_seq + rest);
            prop_assert_eq!(r.pending(), 0);
        }
    }
}
