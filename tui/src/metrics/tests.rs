use floorwalker_shared::desk::DeskConfig;
use floorwalker_shared::intake::IntakeReport;
use floorwalker_shared::router::RouterReport;
use floorwalker_shared::testing::{
    available, chat_message, desk_message, page, payload, request, session_on,
};
use pretty_assertions::assert_eq;

use super::*;
use crate::refusals::{GateCounts, Heard};

const NOW: u64 = 1_700_000_000_000;

/// A floor with one shopper on each of two sites, one of them waiting 90 s
/// for a chat, and one agent available.
fn folded() -> (Floor, Desk) {
    let mut floor = Floor::default();
    let mut desk = Desk::new(DeskConfig::default());
    for site in ["shop", "other-shop"] {
        let s = session_on(site, 1);
        floor
            .batch(
                &s.events(),
                &payload(1, NOW - 95_000, vec![page("/")]),
                NOW - 95_000,
            )
            .unwrap();
    }
    let (subject, body) = desk_message("ana", available(2));
    desk.record(&subject, &body, NOW - 100_000).unwrap();
    let (subject, body) = chat_message(&session_on("shop", 1), request("chat-1"));
    desk.record(&subject, &body, NOW - 90_000).unwrap();
    (floor, desk)
}

fn scrape(floor: &Floor, desk: &Desk, tally: &Tally, routers: &RouterTotals) -> String {
    encode(&Scrape {
        floor,
        desk,
        tally,
        routers,
        site: None,
        unreadable: (0, 0),
        now_ms: NOW,
    })
}

fn has(text: &str, line: &str) {
    assert!(text.lines().any(|l| l == line), "no '{line}' in\n{text}");
}

#[test]
fn the_desks_figures_are_per_site_and_the_agents_are_everyones() {
    let (floor, desk) = folded();
    let text = scrape(&floor, &desk, &Tally::default(), &RouterTotals::default());
    has(&text, "floorwalker_chats_waiting{site=\"shop\"} 1");
    has(&text, "floorwalker_chats_waiting{site=\"other-shop\"} 0");
    has(&text, "# TYPE floorwalker_chats_longest_wait_seconds gauge");
    has(
        &text,
        "# UNIT floorwalker_chats_longest_wait_seconds seconds",
    );
    has(
        &text,
        "floorwalker_chats_longest_wait_seconds{site=\"shop\"} 90.0",
    );
    has(&text, "floorwalker_shoppers_online{site=\"shop\"} 1");
    has(&text, "floorwalker_agents{state=\"available\"} 1");
    has(&text, "floorwalker_chats_service_level_target_seconds 30.0");
    // Nothing answered yet: no average, rather than a 0 that looks fast.
    assert!(
        !text.contains("floorwalker_chats_answer_average_seconds{"),
        "{text}"
    );
    assert!(text.ends_with("# EOF\n"), "{text}");
}

#[test]
fn one_site_only_shows_that_site() {
    let (floor, desk) = folded();
    let (tally, routers) = (Tally::default(), RouterTotals::default());
    let shop = SiteId::new("shop").unwrap();
    let text = encode(&Scrape {
        site: Some(&shop),
        ..Scrape {
            floor: &floor,
            desk: &desk,
            tally: &tally,
            routers: &routers,
            site: None,
            unreadable: (0, 0),
            now_ms: NOW,
        }
    });
    has(&text, "floorwalker_chats_waiting{site=\"shop\"} 1");
    assert!(!text.contains("other-shop"), "{text}");
}

#[test]
fn services_not_heard_have_no_counters_and_heard_ones_count_by_reason() {
    let (floor, desk) = (Floor::default(), Desk::new(DeskConfig::default()));
    let text = scrape(&floor, &desk, &Tally::default(), &RouterTotals::default());
    has(&text, "floorwalker_intakes 0");
    has(&text, "floorwalker_routers 0");
    for never in [
        "intake_refused_total",
        "gate_refused_total",
        "router_pushes_total",
        "gates_answering",
    ] {
        assert!(!text.contains(never), "{never} in\n{text}");
    }

    let mut tally = Tally::default();
    let mut report = IntakeReport::new("intake-1");
    report.stored_facts = 7;
    report.refuse(What::Facts, Refusal::SessionRate);
    tally.fold(Heard::Intake(report), NOW);
    tally.fold(
        Heard::Gate(GateCounts {
            refused: [("session_flood".to_owned(), 2)].into(),
            admitted_shoppers: 5,
            admitted_operators: [("tail".to_owned(), 1)].into(),
        }),
        NOW,
    );
    let mut routers = RouterTotals::default();
    let mut router = RouterReport::new("router-1");
    router.pushes = 4;
    router.facts_recorded = 1;
    routers.note(router, NOW - 20_000);
    let text = scrape(&floor, &desk, &tally, &routers);
    has(&text, "floorwalker_intakes 1");
    has(&text, "floorwalker_intake_stored_facts_total 7");
    has(
        &text,
        "floorwalker_intake_refused_total{what=\"facts\",reason=\"session_rate\"} 1",
    );
    has(
        &text,
        "floorwalker_intake_refused_total{what=\"events\",reason=\"malformed\"} 0",
    );
    has(&text, "# TYPE floorwalker_gate_refused counter");
    has(
        &text,
        "floorwalker_gate_refused_total{reason=\"session_flood\"} 2",
    );
    has(&text, "floorwalker_gate_admitted_shoppers_total 5");
    has(
        &text,
        "floorwalker_gate_admitted_operators_total{role=\"tail\"} 1",
    );
    has(&text, "floorwalker_gates_answering 1");
    has(&text, "floorwalker_router_pushes_total 4");
    has(&text, "floorwalker_router_facts_recorded_total 1");
    has(&text, "floorwalker_routers_silent 1");
}

#[test]
fn a_currency_that_is_not_a_code_is_not_a_label() {
    assert_eq!(currency("EUR"), Some("EUR".to_owned()));
    assert_eq!(currency("eur"), None);
    assert_eq!(currency("EURO"), None);
    assert_eq!(currency("E\"}"), None);
}
