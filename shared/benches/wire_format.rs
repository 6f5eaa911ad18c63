//! Which encoding should carry event batches: JSON, msgpack with named fields,
//! or postcard? Run with `cargo bench -p floorwalker-shared --bench wire_format`;
//! the figures and the decision are in `docs/BENCHMARKS.md`.
//!
//! It measures one realistic batch (a shopper's first minutes: landing from a
//! newsletter, browsing, searching, adding to the cart, starting checkout).
//! First it prints a table of encoded sizes and of encode and decode times,
//! each with its ratio to JSON. Those times come from a loop of its own that
//! runs the formats round-robin and takes the median per format, because
//! divan prints its statistics but does not hand them back to compute ratios
//! from. Then divan runs, with the formats side by side, plus what
//! `wire::decode_batch` (decode, then validate) costs.
//!
//! The plugin's code size per format is not measured here; see
//! `docs/BENCHMARKS.md` for how it was.

use std::hint::black_box;
use std::time::{Duration, Instant};

use divan::Bencher;
use floorwalker_shared::event::{Batch, CartLine, Event, ShopperEvent, Utm};
use floorwalker_shared::wire;

trait Format {
    const NAME: &'static str;
    fn encode(batch: &Batch) -> Vec<u8>;
    fn decode(bytes: &[u8]) -> Batch;
}

struct Json;
struct Msgpack;
struct Postcard;

impl Format for Json {
    const NAME: &'static str = "json";
    fn encode(batch: &Batch) -> Vec<u8> {
        serde_json::to_vec(batch).expect("json encodes")
    }
    fn decode(bytes: &[u8]) -> Batch {
        serde_json::from_slice(bytes).expect("json decodes")
    }
}

impl Format for Msgpack {
    const NAME: &'static str = "msgpack";
    fn encode(batch: &Batch) -> Vec<u8> {
        rmp_serde::to_vec_named(batch).expect("msgpack encodes")
    }
    fn decode(bytes: &[u8]) -> Batch {
        rmp_serde::from_slice(bytes).expect("msgpack decodes")
    }
}

impl Format for Postcard {
    const NAME: &'static str = "postcard";
    fn encode(batch: &Batch) -> Vec<u8> {
        postcard::to_allocvec(batch).expect("postcard encodes")
    }
    fn decode(bytes: &[u8]) -> Batch {
        postcard::from_bytes(bytes).expect("postcard decodes")
    }
}

fn main() {
    let batch = journey();
    assert_eq!(batch.validate(), Ok(()));
    // The format measured as JSON is the one `wire` sends.
    assert_eq!(wire::encode_batch(&batch), Json::encode(&batch));

    // `cargo test --benches` runs this binary without `--bench`: one round
    // then shows that it works without spending a minute on it.
    let rounds = if std::env::args().any(|arg| arg == "--bench") {
        1001
    } else {
        1
    };
    let formats = [
        Codec::of::<Json>(),
        Codec::of::<Msgpack>(),
        Codec::of::<Postcard>(),
    ];
    let encoded = formats.each_ref().map(|f| (f.encode)(&batch));
    let mut encode: [Vec<Duration>; 3] = Default::default();
    let mut decode: [Vec<Duration>; 3] = Default::default();
    // Round-robin, so that a noisy neighbour or a change of clock speed slows
    // every format alike; the median then drops the rounds it hit hardest.
    for _ in 0..rounds {
        for (i, f) in formats.iter().enumerate() {
            encode[i].push(time(|| (f.encode)(black_box(&batch))));
            decode[i].push(time(|| (f.decode)(black_box(&encoded[i]))));
        }
    }
    let encode = encode.map(median);
    let decode = decode.map(median);

    println!(
        "one batch of {} events; times are medians of {rounds} interleaved rounds",
        batch.events.len()
    );
    println!(
        "{:<9}{:>6}{:>8}{:>10}{:>14}{:>10}{:>14}",
        "format", "bytes", "vs json", "encode", "vs json", "decode", "vs json"
    );
    for (i, f) in formats.iter().enumerate() {
        // JSON is the baseline: no ratio on its own row.
        let vs_json = |ratio: String| if i == 0 { String::new() } else { ratio };
        println!(
            "{:<9}{:>6}{:>8}{:>10}{:>14}{:>10}{:>14}",
            f.name,
            encoded[i].len(),
            vs_json(smaller(encoded[i].len(), encoded[0].len())),
            micros(encode[i]),
            vs_json(faster(encode[i], encode[0])),
            micros(decode[i]),
            vs_json(faster(decode[i], decode[0])),
        );
    }
    println!();

    divan::main();
}

/// A format's functions, so the round-robin loop can iterate over formats.
struct Codec {
    name: &'static str,
    encode: fn(&Batch) -> Vec<u8>,
    decode: fn(&[u8]) -> Batch,
}

impl Codec {
    fn of<F: Format>() -> Self {
        Self {
            name: F::NAME,
            encode: F::encode,
            decode: F::decode,
        }
    }
}

/// Mean time of one call to `f`, over enough calls (tens of microseconds)
/// to be well above the clock's resolution.
fn time<T>(mut f: impl FnMut() -> T) -> Duration {
    const CALLS: u32 = 10;
    let start = Instant::now();
    for _ in 0..CALLS {
        black_box(f());
    }
    start.elapsed() / CALLS
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

fn micros(d: Duration) -> String {
    format!("{:.2} µs", d.as_secs_f64() * 1e6)
}

#[allow(clippy::cast_precision_loss)] // byte counts of a few KiB
fn smaller(len: usize, json: usize) -> String {
    format!("{:.2}x", len as f64 / json as f64)
}

fn faster(d: Duration, json: Duration) -> String {
    format!("{:.2}x faster", json.as_secs_f64() / d.as_secs_f64())
}

#[divan::bench(types = [Json, Msgpack, Postcard])]
fn encode<F: Format>(bencher: Bencher) {
    let batch = journey();
    bencher.bench(|| F::encode(black_box(&batch)));
}

#[divan::bench(types = [Json, Msgpack, Postcard])]
fn decode<F: Format>(bencher: Bencher) {
    let bytes = F::encode(&journey());
    bencher.bench(|| F::decode(black_box(&bytes)));
}

/// What a consumer pays per batch: `wire::decode_batch`, that is JSON decode
/// plus validation.
#[divan::bench]
fn decode_and_validate(bencher: Bencher) {
    let bytes = wire::encode_batch(&journey());
    bencher.bench(|| wire::decode_batch(black_box(&bytes)));
}

/// A shopper's first five minutes, as the plugin would batch them.
#[allow(clippy::too_many_lines)] // one literal journey, event by event
fn journey() -> Batch {
    let s = str::to_owned;
    // The pair of boots the shopper puts in the cart and takes to the checkout.
    let boot = CartLine {
        sku: s("RW-ASC-WD-M-GRN-44"),
        quantity: 1,
        value_minor: 13_495,
    };
    let shop = "https://www.ridgeway-outfitters.example";
    let kinds = vec![
        ShopperEvent::PageView {
            path: s("/collections/trail-running"),
            title: s("Trail Running Shoes & Apparel | Ridgeway Outfitters"),
            referrer: Some(s("https://mail.google.com/")),
            utm: Some(Utm {
                source: Some(s("newsletter")),
                medium: Some(s("email")),
                campaign: Some(s("spring_trail_2025")),
            }),
        },
        ShopperEvent::ScrollDepth {
            path: s("/collections/trail-running"),
            percent: 40,
        },
        ShopperEvent::ScrollDepth {
            path: s("/collections/trail-running"),
            percent: 85,
        },
        ShopperEvent::Dwell {
            path: s("/collections/trail-running"),
            ms: 31_420,
        },
        ShopperEvent::PageView {
            path: s("/products/ridgeway-summit-gtx-mens"),
            title: s("Ridgeway Summit GTX Men's Trail Shoe – Waterproof | Ridgeway Outfitters"),
            referrer: Some(format!("{shop}/collections/trail-running")),
            utm: None,
        },
        ShopperEvent::ProductViewed {
            sku: s("RW-SUM-GTX-M-BLU-44"),
            name: s("Ridgeway Summit GTX Men's Trail Shoe, Blue, EU 44"),
            price_minor: 15_995,
        },
        ShopperEvent::ScrollDepth {
            path: s("/products/ridgeway-summit-gtx-mens"),
            percent: 70,
        },
        ShopperEvent::Dwell {
            path: s("/products/ridgeway-summit-gtx-mens"),
            ms: 48_250,
        },
        ShopperEvent::SiteSearch {
            query: s("waterproof trail shoes wide fit"),
        },
        ShopperEvent::PageView {
            path: s("/search"),
            title: s("Search results for “waterproof trail shoes wide fit” | Ridgeway Outfitters"),
            referrer: Some(format!("{shop}/products/ridgeway-summit-gtx-mens")),
            utm: None,
        },
        ShopperEvent::PageView {
            path: s("/products/ridgeway-ascent-wide-mens"),
            title: s("Ridgeway Ascent Wide Men's Trail Shoe | Ridgeway Outfitters"),
            referrer: Some(format!("{shop}/search?q=waterproof+trail+shoes+wide+fit")),
            utm: None,
        },
        ShopperEvent::ProductViewed {
            sku: s("RW-ASC-WD-M-GRN-44"),
            name: s("Ridgeway Ascent Wide Men's Trail Shoe, Forest Green, EU 44"),
            price_minor: 13_495,
        },
        ShopperEvent::CartAdd(boot.clone()),
        ShopperEvent::TabHidden,
        ShopperEvent::TabVisible,
        ShopperEvent::PageView {
            path: s("/cart"),
            title: s("Your cart (1) | Ridgeway Outfitters"),
            referrer: Some(format!("{shop}/products/ridgeway-ascent-wide-mens")),
            utm: None,
        },
        ShopperEvent::CheckoutStep {
            step: 1,
            name: s("contact"),
            value_minor: Some(13_495),
            items: vec![boot.clone()],
        },
        ShopperEvent::CheckoutStep {
            step: 2,
            name: s("shipping"),
            value_minor: Some(13_495),
            items: vec![boot.clone()],
        },
        ShopperEvent::Idle { ms: 45_000 },
        ShopperEvent::ExitIntent,
    ];
    let start = 1_750_000_000_000;
    let events = (0..)
        .zip(kinds)
        .map(|(i, kind)| Event {
            at_ms: start + i * 9_137,
            kind,
        })
        .collect();
    Batch::new(41, "EUR", events)
}
