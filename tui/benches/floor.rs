//! Does the dashboard stay instant with tens of thousands of shoppers? Run
//! with `cargo bench -p floorwalker --bench floor` (`just bench` does); the
//! figures are kept in `docs/BENCHMARKS.md`.
//!
//! It fills a floor with 10,000, 50,000 and 100,000 sessions (each with a
//! page, half with a cart, some in checkout, some offered) and measures, as
//! medians of repeated runs:
//! - a frame's work without drawing: the figures, and every session's row
//!   (state, stuck check) filtered and sorted, as the sessions table does;
//! - a whole frame as the dashboard draws it, on terminals of 80x24 and
//!   200x60 (ratatui's `TestBackend`): the dashboard's own state and views
//!   are compiled in here from the binary's sources;
//! - taking in a batch: decode, validate and apply, per batch and per event.
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

// The dashboard's state and views, compiled in from the binary's sources
// (a bench links only the library): their `crate::cmd::dashboard::…` and
// `crate::ui::…` paths resolve to these modules.
#[allow(dead_code, unreachable_pub, unused_imports)]
#[path = "../src/cmd"]
mod cmd {
    pub(crate) mod dashboard {
        pub(crate) mod app;
        pub(crate) mod keymap;
        pub(crate) mod msg;
        mod strings;
        pub(crate) mod supervise;
        pub(crate) mod table;
        pub(crate) mod view;
    }
}
#[allow(dead_code, unreachable_pub, unused_imports)]
#[path = "../src/ui"]
mod ui {
    pub(crate) mod framed;
    pub(crate) mod keys;
    pub(crate) mod notice;
    pub(crate) mod recall;
    pub(crate) mod theme;
    pub(crate) mod transcript;
    pub(crate) mod wrap;
}

use cmd::dashboard;
use dashboard::msg::Msg;
use dashboard::{app::App, table, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ui::theme::Theme;

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
    let events = kinds(n)
        .into_iter()
        .map(|kind| Event { at_ms: T0, kind })
        .collect();
    encode_batch(&Batch::new(seq, "EUR", events))
}

/// How many events `batch(n, _)` holds.
fn events_in(n: u32) -> usize {
    kinds(n).len()
}

/// What session `n` did: a page, half of them a cart, a fifth a checkout.
fn kinds(n: u32) -> Vec<ShopperEvent> {
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
            value_minor: None,
            items: Vec::new(),
        });
    }
    kinds.push(ShopperEvent::Dwell {
        path: format!("/product/{}", n % 200),
        ms: 20_000 + (n % 7) * 1_000,
    });
    kinds
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

/// A frame's work without drawing: the figures (the dashboard refreshes
/// them every second) and every session's row, filtered and sorted.
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

/// A whole frame as the dashboard draws it on a terminal of `width` x
/// `height`: the figures refreshed, then the screen drawn (rows worked out,
/// filtered and sorted; the visible ones, the panels and sparklines drawn;
/// the buffer diffed against the last frame's).
fn drawn(app: &mut App, terminal: &mut Terminal<TestBackend>, now: u64) -> Duration {
    let start = Instant::now();
    app.update(Msg::Tick { now_ms: now });
    terminal
        .draw(|f| view::draw(f, app, Theme { color: true }))
        .unwrap();
    start.elapsed()
}

fn main() {
    println!("The dashboard at a frame and taking in batches (medians):\n");
    println!(
        "{:>9}  {:>11}  {:>11}  {:>12}  {:>10}  {:>9}  {:>12}  {:>12}",
        "sessions",
        "work",
        "80x24",
        "200x60",
        "of 100 ms",
        "vs 10,000",
        "batches/s in",
        "events/s in"
    );
    let mut base = None;
    for sessions in [10_000u32, 50_000, 100_000] {
        let floor = floor_of(sessions);
        let now = T0 + 300_000;
        let work = median((0..15).map(|_| frame(&floor, now)).collect());

        let mut app = App::new("bench", Vec::new(), FloorConfig::default(), "bench", now);
        app.floor = floor;
        let mut small = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let mut large = Terminal::new(TestBackend::new(200, 60)).unwrap();
        let mut draw_small = Vec::new();
        let mut draw_large = Vec::new();
        // Each frame a second later, so the clock-driven columns change.
        for i in 0..15 {
            draw_small.push(drawn(&mut app, &mut small, now + i * 1_000));
            draw_large.push(drawn(&mut app, &mut large, now + i * 1_000 + 500));
        }
        let (draw_small, draw_large) = (median(draw_small), median(draw_large));
        let base_draw = *base.get_or_insert(draw_small);

        // Taking in one more batch per session, on the full floor.
        let mut floor = std::mem::take(&mut app.floor);
        let payloads: Vec<(Subject, Vec<u8>)> = (0..sessions.min(20_000))
            .map(|n| (subject(n), batch(n, 1)))
            .collect();
        let start = Instant::now();
        for (subject, payload) in &payloads {
            let _ = black_box(floor.batch(subject, payload, now));
        }
        let secs = start.elapsed().as_secs_f64();
        let per_second = payloads.len() as f64 / secs;
        let events: usize = (0..sessions.min(20_000)).map(events_in).sum();
        let events_per_second = events as f64 / secs;

        let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
        println!(
            "{sessions:>9}  {:>8.2} ms  {:>8.2} ms  {:>9.2} ms  {:>9.1}%  {:>8.1}x  {per_second:>12.0}  {events_per_second:>12.0}",
            ms(work),
            ms(draw_small),
            ms(draw_large),
            ms(draw_large) / ms(FRAME) * 100.0,
            ms(draw_small) / ms(base_draw),
        );
    }
    println!(
        "\n(work: figures and every row, without drawing; 80x24 and 200x60: a whole frame drawn \
         on a terminal that size; a frame is drawn at most every 100 ms, and only when \
         something changed)"
    );
    desk();
}

/// The facts of `chats` chats a day could hold, in stream order: each
/// asked, claimed by one of 50 agents, a message each way, ended and
/// surveyed; one in five still open.
fn desk_facts(chats: u32) -> Vec<(Subject, Vec<u8>, u64)> {
    use floorwalker_shared::chat::{ChatEnvelope, ChatFact, DeskEnvelope, DeskFact};
    use floorwalker_shared::subject;

    let mut facts = Vec::new();
    let op = |user: &str, fact: DeskFact, at: u64| {
        let subject = subject::desk(user, fact.kind()).unwrap();
        (subject, DeskEnvelope::new(fact).encode(), at)
    };
    for a in 0..50 {
        let status = DeskFact::Status {
            available: true,
            capacity: 20,
        };
        facts.push(op(&format!("agent-{a}"), status, T0));
    }
    for n in 0..chats {
        let session = SessionSubjects::of(&subject(n)).unwrap();
        let chat = format!("chat-{n}");
        let at = T0 + u64::from(n) * 100;
        let agent = format!("agent-{}", n % 50);
        let shopper =
            |fact: ChatFact, at: u64| (session.chat(), ChatEnvelope::new(fact).encode(), at);
        facts.push(shopper(
            ChatFact::Request {
                chat_id: chat.clone(),
                offer_id: None,
            },
            at,
        ));
        facts.push(op(
            &agent,
            DeskFact::Claim {
                chat_id: chat.clone(),
            },
            at + 5_000,
        ));
        let text = "Do these run small?".to_owned();
        facts.push(shopper(
            ChatFact::Message {
                chat_id: chat.clone(),
                msg_id: "m1".into(),
                text,
            },
            at + 6_000,
        ));
        let text = "Half a size up.".to_owned();
        facts.push(op(
            &agent,
            DeskFact::Message {
                chat_id: chat.clone(),
                msg_id: "a1".into(),
                text,
            },
            at + 9_000,
        ));
        if n % 5 != 0 {
            facts.push(op(
                &agent,
                DeskFact::End {
                    chat_id: chat.clone(),
                },
                at + 20_000,
            ));
            let survey = ChatFact::Survey {
                chat_id: chat.clone(),
                helped: n % 4 != 0,
                comment: None,
            };
            facts.push(shopper(survey, at + 25_000));
        }
    }
    facts.sort_by_key(|(_, _, at)| *at);
    facts
}

/// Folding chat facts, and the desk's figures every frame.
fn desk() {
    use floorwalker_shared::desk::{Desk as FullDesk, DeskConfig};
    use floorwalker_shared::metrics::Service;

    println!("\nThe help desk: chat facts folded, and its figures per frame (medians):\n");
    println!(
        "{:>7}  {:>7}  {:>14}  {:>13}  {:>10}  {:>18}",
        "chats", "facts", "facts/s in", "figures", "vs 1,000", "with the shoppers"
    );
    let mut base = None;
    for chats in [1_000u32, 10_000, 50_000] {
        let facts = desk_facts(chats);
        let config = DeskConfig {
            window_ms: 24 * 3_600_000,
            keep_ms: 24 * 3_600_000,
            ..DeskConfig::default()
        };
        let mut desk = FullDesk::new(config);
        let start = Instant::now();
        for (subject, payload, at) in &facts {
            let _ = black_box(desk.record(subject, payload, *at));
        }
        let per_second = facts.len() as f64 / start.elapsed().as_secs_f64();
        let now = facts.last().map_or(T0, |(_, _, at)| *at);
        let figures = median(
            (0..15)
                .map(|_| {
                    let start = Instant::now();
                    black_box(Service::of(&desk, now));
                    start.elapsed()
                })
                .collect(),
        );
        // Every figure of a frame, with each chat's shopper on the floor
        // (assisted and other shoppers' orders are matched by session).
        let floor = floor_of(chats);
        let with_floor = median(
            (0..5)
                .map(|_| {
                    let start = Instant::now();
                    black_box(Figures::of(&floor, &desk, now));
                    start.elapsed()
                })
                .collect(),
        );
        let base_figures = *base.get_or_insert(figures);
        println!(
            "{chats:>7}  {:>7}  {per_second:>14.0}  {:>10.2} ms  {:>9.1}x  {:>15.2} ms",
            facts.len(),
            figures.as_secs_f64() * 1_000.0,
            figures.as_secs_f64() / base_figures.as_secs_f64(),
            with_floor.as_secs_f64() * 1_000.0,
        );
    }
}
