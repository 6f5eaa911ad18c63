//! Does the dashboard stay instant with tens of thousands of shoppers? Run
//! with `cargo bench -p floorwalker --bench floor` (`just bench` does); the
//! figures are kept in `docs/BENCHMARKS.md`.
//!
//! It fills a floor with 2,000, 20,000 and 50,000 sessions (each with a
//! page, half with a cart, some in checkout, some offered) and measures, as
//! medians of repeated runs:
//! - a frame's work: the figures, and every session's row (state, stuck
//!   check, source) filtered and sorted, exactly as the sessions table does
//!   (its module is compiled in here); drawing touches only the visible
//!   rows, so it does not grow with the floor;
//! - taking in a batch: decode, validate and apply, per batch.
//!
//! A frame's work is shown against the 100 ms between frames.

// A bench: a failed unwrap is a broken bench, and counts fit an f64.
#![allow(clippy::unwrap_used, clippy::cast_precision_loss)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use floorwalker_shared::desk::Desk;
use floorwalker_shared::event::{Batch, CartLine, Event, ShopperEvent};
use floorwalker_shared::floor::{Floor, FloorConfig};
use floorwalker_shared::metrics::Figures;
use floorwalker_shared::subject::{SessionSubjects, SessionToken, SiteId, Subject};
use floorwalker_shared::wire::encode_batch;

#[allow(dead_code, unreachable_pub)]
#[path = "../src/dashboard/table.rs"]
mod table;

const T0: u64 = 1_750_000_000_000;
const FRAME: Duration = Duration::from_millis(100);

fn subject(n: u32) -> Subject {
    SessionSubjects::new(
        SiteId::new(if n % 3 == 0 { "hats" } else { "shoes" }).unwrap(),
        SessionToken::new(format!("session-token-{n:010}")).unwrap(),
    )
    .events()
}

fn batch(n: u32, seq: u64) -> Vec<u8> {
    let mut kinds = vec![ShopperEvent::PageView {
        path: format!("/product/{}", n % 200),
        title: format!("Product {}", n % 200),
        referrer: (n % 2 == 0).then(|| "https://www.google.com/".to_owned()),
        utm: None,
    }];
    if n % 2 == 0 {
        kinds.push(ShopperEvent::CartAdd(CartLine {
            sku: format!("sku-{}", n % 200),
            quantity: 1,
            value_minor: u64::from(n % 50) * 1_000 + 990,
        }));
    }
    if n % 5 == 0 {
        kinds.push(ShopperEvent::CheckoutStep {
            step: 1,
            name: "begin_checkout".to_owned(),
        });
    }
    kinds.push(ShopperEvent::Dwell {
        path: format!("/product/{}", n % 200),
        ms: 20_000 + (n % 7) * 1_000,
    });
    let events = kinds
        .into_iter()
        .map(|kind| Event { at_ms: T0, kind })
        .collect();
    encode_batch(&Batch::new(seq, "EUR", events))
}

fn floor_of(sessions: u32) -> Floor {
    let mut floor = Floor::new(FloorConfig::default());
    for n in 0..sessions {
        let heard = T0 + u64::from(n % 240) * 1_000;
        floor.batch(&subject(n), &batch(n, 0), heard).unwrap();
        if n % 7 == 0 {
            let s = SessionSubjects::of(&subject(n)).unwrap();
            floor
                .offer_sent(&s, &format!("of-{n}"), "Need help?", "sam", heard)
                .unwrap();
        }
    }
    floor
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn frame(floor: &Floor, now: u64) -> Duration {
    let start = Instant::now();
    let figures = Figures::of(floor, &Desk::default(), now);
    let rows = table::rows(
        floor,
        now,
        &table::Filter::default(),
        table::Sort::default(),
    );
    black_box((figures, rows.len()));
    start.elapsed()
}

fn main() {
    println!("Dashboard work per frame and per batch (medians):\n");
    println!(
        "{:>9}  {:>12}  {:>14}  {:>14}  {:>15}",
        "sessions", "frame work", "of a frame", "vs 2,000", "batches/s in"
    );
    let mut base = None;
    for sessions in [2_000u32, 20_000, 50_000] {
        let floor = floor_of(sessions);
        let now = T0 + 300_000;
        let work = median((0..15).map(|_| frame(&floor, now)).collect());
        let base_work = *base.get_or_insert(work);

        // Taking in one more batch per session, on the full floor.
        let mut floor = floor;
        let payloads: Vec<(Subject, Vec<u8>)> = (0..sessions.min(20_000))
            .map(|n| (subject(n), batch(n, 1)))
            .collect();
        let start = Instant::now();
        for (subject, payload) in &payloads {
            let _ = black_box(floor.batch(subject, payload, now));
        }
        let per_second = payloads.len() as f64 / start.elapsed().as_secs_f64();

        println!(
            "{sessions:>9}  {:>9.2} ms  {:>13.1}%  {:>13.1}x  {per_second:>15.0}",
            work.as_secs_f64() * 1_000.0,
            work.as_secs_f64() / FRAME.as_secs_f64() * 100.0,
            work.as_secs_f64() / base_work.as_secs_f64(),
        );
    }
    println!("\n(a frame is drawn at most every 100 ms, and only when something changed)");
}
