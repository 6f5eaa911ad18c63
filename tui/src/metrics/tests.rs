use std::collections::BTreeSet;

use floorwalker_shared::chat::{ChatFact, DeskFact};
use floorwalker_shared::desk::DeskConfig;
use floorwalker_shared::event::ShopperEvent;
use floorwalker_shared::intake::{IntakeReport, Refusal, What};
use floorwalker_shared::router::RouterReport;
use floorwalker_shared::subject::Subject;
use floorwalker_shared::testing::{
    available, chat_message, claim, desk_message, order, page, payload, request, session_on,
};
use pretty_assertions::assert_eq;

use super::book::currency;
use super::*;
use crate::refusals::{GateCounts, Heard};

const NOW: u64 = 1_700_000_000_000;

/// A floor with one shopper on each of two sites, one of them waiting 90 s
/// for a chat, and one agent available; on the other site, a chat answered,
/// ended and rated, an offer accepted and an order.
fn folded() -> (Floor, Desk) {
    let mut floor = Floor::default();
    let mut desk = Desk::new(DeskConfig::default());
    let (shop, other) = (session_on("shop", 1), session_on("other-shop", 1));
    floor
        .batch(
            &shop.events(),
            &payload(1, NOW - 95_000, vec![page("/")]),
            NOW - 95_000,
        )
        .unwrap();
    floor
        .offer_sent(&other, "offer-1", "Can I help?", "sam", NOW - 320_000)
        .unwrap();
    let events = vec![
        page("/"),
        ShopperEvent::OfferAccepted {
            offer_id: "offer-1".into(),
        },
        order("order-1", 4_200),
    ];
    floor
        .batch(
            &other.events(),
            &payload(1, NOW - 20_000, events),
            NOW - 20_000,
        )
        .unwrap();
    let mut at = |(subject, body): (Subject, Vec<u8>), ago: u64| {
        desk.record(&subject, &body, NOW - ago).unwrap();
    };
    at(desk_message("ana", available(2)), 400_000);
    at(chat_message(&other, request("chat-2")), 300_000);
    at(desk_message("ana", claim("chat-2")), 290_000);
    let says = |msg_id: &str| DeskFact::Message {
        chat_id: "chat-2".into(),
        msg_id: msg_id.into(),
        text: "Hello".into(),
    };
    at(desk_message("ana", says("a1")), 280_000);
    let asks = ChatFact::Message {
        chat_id: "chat-2".into(),
        msg_id: "s1".into(),
        text: "Hi".into(),
    };
    at(chat_message(&other, asks), 270_000);
    at(desk_message("ana", says("a2")), 260_000);
    let end = DeskFact::End {
        chat_id: "chat-2".into(),
    };
    at(desk_message("ana", end), 250_000);
    let survey = ChatFact::Survey {
        chat_id: "chat-2".into(),
        helped: true,
        comment: None,
    };
    at(chat_message(&other, survey), 240_000);
    at(chat_message(&shop, request("chat-1")), 90_000);
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
    has(&text, "floorwalker_chats_answered{site=\"other-shop\"} 1");
    has(
        &text,
        "floorwalker_chats_answer_average_seconds{site=\"other-shop\"} 10.0",
    );
    has(
        &text,
        "floorwalker_chats_service_level_ratio{site=\"other-shop\"} 1.0",
    );
    has(
        &text,
        "floorwalker_surveys_satisfied_ratio{site=\"other-shop\"} 1.0",
    );
    has(
        &text,
        "floorwalker_offers_accepted_ratio{site=\"other-shop\"} 1.0",
    );
    has(
        &text,
        "floorwalker_order_value_minor_units{site=\"other-shop\",assisted=\"true\",currency=\"EUR\"} 4200.0",
    );
    // Nothing answered on this site yet: no average, rather than a 0 that
    // looks fast.
    assert!(
        !text.contains("floorwalker_chats_answer_average_seconds{site=\"shop\"}"),
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
    has(&text, "floorwalker_gates_answering 1");
    has(&text, "floorwalker_router_pushes_total 4");
    has(&text, "floorwalker_router_facts_recorded_total 1");
    has(&text, "floorwalker_routers_silent 1");
}

#[test]
fn the_agents_needed_show_once_a_chat_has_ended_beside_those_on_duty() {
    let routers = RouterTotals::default();
    let (floor, desk) = (Floor::default(), Desk::new(DeskConfig::default()));
    let text = scrape(&floor, &desk, &Tally::default(), &routers);
    has(&text, "floorwalker_agents_on_duty 0");
    assert!(!text.contains("floorwalker_agents_needed"), "{text}");
    // Two chats in the quarter, 40 s each: one agent is plenty.
    let (floor, desk) = folded();
    let text = scrape(&floor, &desk, &Tally::default(), &routers);
    has(&text, "floorwalker_agents_on_duty 1");
    has(&text, "floorwalker_agents_needed 1");
    let advice = staffing(&desk, NOW, None);
    assert_eq!((advice.needed, advice.have), (Some(1), 1));
    assert_eq!(advice.hour.handle_ms, Some(40_000));
}

#[test]
fn a_currency_that_is_not_a_code_is_not_a_label() {
    assert_eq!(currency("EUR"), Some("EUR".to_owned()));
    assert_eq!(currency("eur"), None);
    assert_eq!(currency("EURO"), None);
    assert_eq!(currency("E\"}"), None);
}

/// Every sample name a full exposition (every service heard) can hold: a
/// gauge's family name, a counter's with `_total`.
fn every_name() -> BTreeSet<String> {
    let (floor, desk) = folded();
    let mut tally = Tally::default();
    tally.fold(Heard::Intake(IntakeReport::new("intake-1")), NOW);
    let gate = GateCounts {
        refused: [("no_credential".to_owned(), 1)].into(),
        admitted_shoppers: 1,
    };
    tally.fold(Heard::Gate(gate), NOW);
    let mut routers = RouterTotals::default();
    routers.note(RouterReport::new("router-1"), NOW);
    let text = scrape(&floor, &desk, &tally, &routers);
    text.lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .map(|l| match l.split_once(' ') {
            Some((name, "counter")) => format!("{name}_total"),
            Some((name, _)) => name.to_owned(),
            None => panic!("{l}"),
        })
        .collect()
}

/// The `floorwalker_…` names in `text`.
fn names_in(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("floorwalker_") {
        let name: String = rest[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        rest = &rest[at + name.len()..];
        names.insert(name);
    }
    names
}

#[test]
fn docs_metrics_lists_every_metric_and_no_other() {
    let exposed = every_name();
    let text = crate::docs::read("METRICS.md");
    // The tables' first column, one row a metric.
    let documented: BTreeSet<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("| `floorwalker_"))
        .filter_map(|l| l.split_once('`'))
        .map(|(name, _)| format!("floorwalker_{name}"))
        .collect();
    assert_eq!(
        documented, exposed,
        "docs/METRICS.md's tables and the exposition differ"
    );
    // The prefix alone, and the crate the figures come from.
    let not_metrics = ["floorwalker_", "floorwalker_shared"];
    for name in names_in(&text) {
        assert!(
            exposed.contains(&name) || not_metrics.contains(&name.as_str()),
            "docs/METRICS.md names {name}, which is not exposed"
        );
    }
}

#[test]
fn the_example_alerts_and_dashboard_use_only_metrics_that_exist() {
    let exposed = every_name();
    for path in ["deploy/alerts.yml", "deploy/grafana.json"] {
        let text = crate::docs::read(path);
        let used = names_in(&text);
        assert!(!used.is_empty(), "{path} uses no metric");
        for name in used {
            assert!(
                exposed.contains(&name),
                "{path} uses {name}, which is not exposed"
            );
        }
    }
    let dashboard: serde_json::Value =
        serde_json::from_str(&crate::docs::read("deploy/grafana.json")).unwrap();
    assert!(dashboard["panels"].as_array().is_some_and(|p| p.len() > 10));
}
