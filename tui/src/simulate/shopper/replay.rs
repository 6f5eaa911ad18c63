//! The demo's shoppers replayed into a floor with a fake clock, to check
//! that the dashboard's flag ("needs help", `floorwalker_shared::triage`)
//! is a sign of trouble, not of activity: browsers and buyers are rarely
//! flagged, comparers and abandoners usually are.
//!
//! Through a server the simulator runs on the wall clock, and at the high
//! speed a test can afford every stay is too short to be long; here each
//! kind's plan is acted at its own times (speed 1) by the shoppers' own
//! code and recorder, and every batch is taken in by a `Floor` as the
//! dashboard would, heard when it is made. Shoppers who would ask for help
//! are not replayed as such (they would be chatting, never flagged).

use std::collections::BTreeMap;
use std::sync::Arc;

use floorwalker_shared::floor::{Floor, FloorConfig};
use floorwalker_shared::recorder::{BatchPolicy, Recorder};
use floorwalker_shared::subject::{SessionSubjects, SessionToken, SiteId};
use floorwalker_shared::testing::T0;
use floorwalker_shared::triage;
use floorwalker_shared::wire::{MAX_BATCH_BYTES, encode_batch};

use super::Shopper;
use crate::simulate::Counters;
use crate::simulate::behaviour::{Act, Behaviour, Mix, Step, plan};

/// One shopper of the replay: its plan, and when it takes the next step.
struct Visitor {
    kind: Behaviour,
    shopper: Shopper,
    steps: std::vec::IntoIter<Step>,
    next: Option<Step>,
    /// When the next step falls due (fake clock, ms).
    due_ms: u64,
    /// Whether the flag was ever raised for it.
    flagged: bool,
}

/// How many of each kind came, and how many of those were ever flagged.
type Tally = BTreeMap<&'static str, (u32, u32)>;

/// `shoppers` of the demo's mix arriving `every_ms` apart, from `seed`;
/// the floor is looked at every `look_ms` until the last has left the
/// floor (a shopper who closed the tab stays on it until it times out).
fn replay(seed: u64, shoppers: u32, every_ms: u64, look_ms: u64) -> Tally {
    let mut rng = fastrand::Rng::with_seed(seed);
    let site = SiteId::new("demo").unwrap();
    let config = FloorConfig::default();
    let mut floor = Floor::new(config);
    let counters = Arc::new(Counters::default());
    let mut visitors: Vec<Visitor> = (0..shoppers)
        .map(|i| {
            let kind = Mix::default().pick(&mut rng);
            let mut steps = plan(kind, &mut rng).into_iter();
            let next = steps.next();
            Visitor {
                kind,
                shopper: Shopper {
                    recorder: Recorder::new("EUR", 0, BatchPolicy::default()),
                    cart: Vec::new(),
                    subjects: SessionSubjects::new(
                        site.clone(),
                        SessionToken::new(format!("replay-shopper-{i:06}")).unwrap(),
                    ),
                    counters: counters.clone(),
                    waiting: 0,
                },
                due_ms: T0 + u64::from(i) * every_ms + next.as_ref().map_or(0, |s| s.after_ms),
                steps,
                next,
                flagged: false,
            }
        })
        .collect();
    let end = T0 + u64::from(shoppers) * every_ms + 20 * 60_000 + config.left_after_ms;
    let mut now = T0;
    while now < end {
        for v in &mut visitors {
            while let Some(step) = v.next.take_if(|_| v.due_ms <= now) {
                v.shopper.act(v.due_ms, &step.act, &mut rng);
                // Each batch goes at once, and is heard when it goes.
                while let Some(batch) = v.shopper.recorder.take_batch(MAX_BATCH_BYTES) {
                    let subject = v.shopper.subjects.events();
                    floor
                        .batch(&subject, &encode_batch(&batch), v.due_ms)
                        .unwrap();
                }
                v.next = v.steps.next();
                v.due_ms += v.next.as_ref().map_or(0, |s| s.after_ms);
                if step.act == Act::Leave {
                    v.next = None;
                }
            }
        }
        for v in &mut visitors {
            if let Some(session) = floor.get(&v.shopper.subjects) {
                v.flagged |= triage::needs_help(&floor, session, now);
            }
        }
        now += look_ms;
    }
    let mut tally = Tally::new();
    for v in &visitors {
        let (came, flagged) = tally.entry(v.kind.name()).or_default();
        *came += 1;
        *flagged += u32::from(v.flagged);
    }
    tally
}

#[test]
fn browsers_are_rarely_flagged_and_comparers_and_abandoners_usually_are() {
    let tally = replay(15, 240, 20_000, 5_000);
    let share = |kind: Behaviour| {
        let (came, flagged) = tally[kind.name()];
        assert!(came >= 20, "too few {}: {tally:?}", kind.name());
        flagged * 100 / came
    };
    let shares = Behaviour::ALL.map(|k| (k.name(), share(k)));
    assert!(share(Behaviour::Browser) <= 10, "{shares:?}");
    assert!(share(Behaviour::Buyer) <= 10, "{shares:?}");
    assert!(share(Behaviour::Comparer) >= 80, "{shares:?}");
    assert!(share(Behaviour::Abandoner) >= 80, "{shares:?}");
}
