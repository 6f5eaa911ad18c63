use alloc::string::{String, ToString};
use alloc::vec;

use super::*;

const H: u64 = 60 * 60_000;

fn visit(session: &str, started_ms: u64, last_ms: u64, pages: u32) -> Visit {
    Visit {
        session: session.into(),
        started_ms,
        last_ms,
        source: "direct".into(),
        pages,
        order: None,
    }
}

fn ordered(mut v: Visit, total_minor: u64) -> Visit {
    v.order = Some(Order {
        total_minor,
        currency: "EUR".into(),
    });
    v
}

fn chat(id: &str, session: &str, at_ms: u64, helped: Option<bool>) -> PastChat {
    PastChat {
        chat_id: id.into(),
        session: session.into(),
        at_ms,
        helped,
        incident: false,
    }
}

#[test]
fn a_visit_told_twice_or_in_parts_is_one_visit() {
    let config = MemoryConfig::default();
    let mut memory = Memory::default();
    assert!(memory.visit(visit("s1", 10 * H, 10 * H + 60_000, 2), &config));
    // A replay of the same batches says the same: nothing changes.
    assert!(!memory.visit(visit("s1", 10 * H, 10 * H + 60_000, 2), &config));
    // A later report of the same session extends it; an earlier partial
    // one (a replay that began mid-session) takes nothing away.
    assert!(memory.visit(visit("s1", 10 * H, 10 * H + 300_000, 5), &config));
    assert!(!memory.visit(visit("s1", 10 * H + 120_000, 10 * H + 200_000, 3), &config));
    assert_eq!(
        memory.visits,
        vec![visit("s1", 10 * H, 10 * H + 300_000, 5)]
    );
    assert_eq!(memory.visit_count(), 1);
}

#[test]
fn a_visit_spanning_midnight_is_one_visit() {
    let config = MemoryConfig::default();
    let mut memory = Memory::default();
    let midnight = 20 * DAY_MS;
    memory.visit(
        visit("s1", midnight - 10 * 60_000, midnight - 60_000, 3),
        &config,
    );
    memory.visit(
        visit("s1", midnight - 10 * 60_000, midnight + 5 * 60_000, 6),
        &config,
    );
    assert_eq!(memory.visit_count(), 1);
    assert_eq!(memory.visits[0].duration_ms(), 15 * 60_000);
    let next = Recall::of(&memory, "s2", midnight + DAY_MS);
    assert_eq!(next.visit_number, 2);
}

#[test]
fn the_recall_line_says_what_came_before_this_visit() {
    let config = MemoryConfig::default();
    let mut memory = Memory::default();
    let mut first = ordered(visit("s1", DAY_MS, DAY_MS + H, 4), 8_900);
    first.source = "google".into();
    let mut second = visit("s2", 3 * DAY_MS, 3 * DAY_MS + H, 2);
    second.source = "newsletter".into();
    memory.visit(first, &config);
    memory.visit(second, &config);
    memory.chat(chat("c1", "s2", 3 * DAY_MS + 60_000, Some(false)), &config);
    // The visit now on the floor, not yet in the memory.
    let now = 5 * DAY_MS + H;
    let recall = Recall::of(&memory, "s3", 5 * DAY_MS);
    assert_eq!(
        recall.line(now),
        "3rd visit · last 2 days ago via newsletter · 1 order €89.00 · earlier chat: answered No"
    );
    // The same once the memory has the visit: it counts what came before.
    memory.visit(visit("s3", 5 * DAY_MS, 5 * DAY_MS + 60_000, 1), &config);
    assert_eq!(Recall::of(&memory, "s3", 5 * DAY_MS), recall);
    // Beside the second visit, the first is what came before.
    let back_then = Recall::of(&memory, "s2", 0);
    assert_eq!(back_then.visit_number, 2);
    assert_eq!(back_then.earlier_chat, None);
    assert_eq!(
        back_then.line(3 * DAY_MS + H),
        "2nd visit · last 2 days ago via google · 1 order €89.00"
    );
    assert_eq!(Recall::of(&Memory::default(), "s1", 0).line(0), "1st visit");
}

#[test]
fn ordinals_and_ages_read_as_words() {
    let words: alloc::vec::Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111]
        .into_iter()
        .map(recall::ordinal)
        .collect();
    assert_eq!(
        words,
        [
            "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"
        ]
    );
    assert_eq!(recall::ago(30_000), "just now");
    assert_eq!(recall::ago(5 * 60_000), "5 min ago");
    assert_eq!(recall::ago(3 * H), "3 h ago");
    assert_eq!(recall::ago(DAY_MS + H), "1 day ago");
    assert_eq!(recall::ago(40 * DAY_MS), "40 days ago");
}

#[test]
fn a_memory_is_bounded_and_still_counts_every_visit() {
    let config = MemoryConfig {
        max_visits: 3,
        ..MemoryConfig::default()
    };
    let mut memory = Memory::default();
    memory.visit(visit("s0", 0, 1, 1), &config);
    memory.visit(ordered(visit("s1", H, H + 1, 1), 100), &config);
    for i in 2..6 {
        memory.visit(visit(&i.to_string(), i * H, i * H + 1, 1), &config);
    }
    assert_eq!(memory.visits.len(), 3);
    assert_eq!(memory.visit_count(), 6);
    assert_eq!(memory.visits_to_first_order(), Some(2));
    assert_eq!(memory.earlier.orders, 1);
    // A replay of a visit folded into the counts is not counted again.
    assert!(!memory.visit(visit("s1", H, H + 1, 1), &config));
    assert!(!memory.visit(visit("s0", 0, 1, 1), &config));
    assert_eq!(memory.visit_count(), 6);
    assert_eq!(Recall::of(&memory, "s9", 9 * H).visit_number, 7);
    assert_eq!(Recall::of(&memory, "s9", 9 * H).orders, 1);

    // Chats too, the oldest dropped.
    let config = MemoryConfig {
        max_chats: 2,
        ..config
    };
    for i in 0..4 {
        memory.chat(chat(&i.to_string(), "s5", i, None), &config);
    }
    let ids: alloc::vec::Vec<_> = memory.chats.iter().map(|c| c.chat_id.as_str()).collect();
    assert_eq!(ids, ["2", "3"]);
    assert!(!memory.chat(chat("0", "s5", 0, None), &config));

    // A long source is cut, on a character boundary.
    let mut long = visit("s7", 7 * H, 7 * H, 1);
    long.source = "é".repeat(MAX_SOURCE_LEN);
    memory.visit(long, &config);
    let kept = memory.visits.iter().find(|v| v.session == "s7").unwrap();
    assert_eq!(kept.source.len(), MAX_SOURCE_LEN);
}

#[test]
fn a_chat_learns_its_answer_and_incident_once() {
    let config = MemoryConfig::default();
    let mut memory = Memory::default();
    assert!(memory.chat(chat("c1", "s1", 50, None), &config));
    assert!(memory.chat(chat("c1", "s1", 50, Some(false)), &config));
    let mut incident = chat("c1", "s1", 60, None);
    incident.incident = true;
    assert!(memory.chat(incident.clone(), &config));
    assert!(!memory.chat(incident, &config));
    assert!(!memory.chat(chat("c1", "s1", 50, Some(true)), &config));
    assert_eq!(
        memory.chats,
        vec![PastChat {
            helped: Some(false),
            incident: true,
            ..chat("c1", "s1", 50, None)
        }]
    );
}

#[test]
fn what_is_older_than_the_retention_is_forgotten() {
    let config = MemoryConfig {
        max_visits: 1,
        ..MemoryConfig::default()
    };
    let mut memory = Memory::default();
    memory.visit(ordered(visit("s1", DAY_MS, DAY_MS, 1), 5), &config);
    memory.visit(visit("s2", 100 * DAY_MS, 100 * DAY_MS, 1), &config);
    memory.chat(chat("c1", "s1", DAY_MS, None), &config);
    assert!(!memory.prune(150 * DAY_MS, &config));
    assert!(memory.prune(DAY_MS + config.keep_ms + 1, &config));
    assert_eq!(memory.earlier, Earlier::default());
    assert!(memory.chats.is_empty());
    assert_eq!(memory.visit_count(), 1);
    assert!(memory.prune(100 * DAY_MS + config.keep_ms + 1, &config));
    assert!(memory.is_empty());
}

#[test]
fn visits_before_a_first_purchase_per_site() {
    let mut site = FirstPurchase::default();
    assert_eq!(site.median(), None);
    for n in [1, 1, 2, 3, 3, 3, 12] {
        site.add(n);
    }
    assert_eq!(site.buyers(), 7);
    assert_eq!(site.median(), Some(3));
    assert_eq!(site.quantile(1, 4), Some(1));
    assert_eq!(site.quantile(3, 4), Some(3));
    assert_eq!(site.buckets(), [2, 1, 3, 0, 0, 0, 0, 0, 0, 1]);
    site.remove(12);
    site.remove(3);
    assert_eq!(site.buyers(), 5);
    assert_eq!(site.median(), Some(2));
    // Taking back one never added changes nothing.
    site.remove(7);
    assert_eq!(site.buyers(), 5);
}
