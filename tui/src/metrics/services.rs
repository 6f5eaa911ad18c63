//! What the services report, as families: the intakes' and the gates'
//! counts (from [`crate::refusals`]) and the routers' (from
//! [`super::routers`]).

use floorwalker_shared::intake::{Refusal, What};
use floorwalker_shared::router::RouterTotals;

use super::book::{Book, none};
use crate::refusals::Tally;

/// What the intakes and the gates said.
pub(super) fn refusals(book: &mut Book, tally: &Tally, now_ms: u64) {
    let silent = u64::try_from(tally.silent(now_ms).len()).unwrap_or(u64::MAX);
    book.count(
        "intakes",
        "Intakes heard since this exporter started",
        [(none(), u64::try_from(tally.intakes()).unwrap_or(u64::MAX))],
    );
    book.count(
        "intakes_silent",
        "Of those, not heard for ten seconds (they report every second)",
        [(none(), silent)],
    );
    if let Some(intake) = tally.intake() {
        book.counter(
            "intake_stored_events",
            "Event batches the intakes stored in EVENTS",
            [(none(), intake.stored_events())],
        );
        book.counter(
            "intake_stored_facts",
            "Shoppers' chat facts the intakes stored in CHATS",
            [(none(), intake.stored_facts())],
        );
        let whats = [What::Events, What::Facts, What::Connections];
        book.counter(
            "intake_refused",
            "What the intakes refused, by what (events, facts, connections) and reason",
            whats.into_iter().flat_map(|what| {
                Refusal::ALL.into_iter().map(move |reason| {
                    let labels = vec![
                        ("what", what.name().to_owned()),
                        ("reason", reason.name().to_owned()),
                    ];
                    (labels, intake.refused(what, reason))
                })
            }),
        );
    }
    if tally.gate().is_some() || tally.gate_down().is_some() {
        book.count(
            "gates_answering",
            "1 if a gate answered the last time they were asked (every 2 s), else 0",
            [(none(), u64::from(tally.gate_down().is_none()))],
        );
    }
    if let Some(gate) = tally.gate() {
        book.counter(
            "gate_admitted_shoppers",
            "Shopper connections the gates admitted",
            [(none(), gate.admitted_shoppers)],
        );
        book.counter(
            "gate_refused",
            "Connections the gates refused, by reason (the gate's names)",
            gate.refused
                .iter()
                .map(|(reason, n)| (vec![("reason", reason.clone())], *n)),
        );
    }
}

/// What the routers said.
pub(super) fn routers(book: &mut Book, routers: &RouterTotals, now_ms: u64) {
    book.count(
        "routers",
        "Chat routers heard since this exporter started",
        [(none(), u64::try_from(routers.routers()).unwrap_or(u64::MAX))],
    );
    book.count(
        "routers_silent",
        "Of those, not heard for ten seconds (they report every second)",
        [(
            none(),
            u64::try_from(routers.silent(now_ms).len()).unwrap_or(u64::MAX),
        )],
    );
    let Some(total) = routers.total() else {
        return;
    };
    let counters = [
        (
            "router_pushes",
            "Pushes the routers sent to shoppers",
            total.pushes,
        ),
        (
            "router_facts_read",
            "Chat facts the routers read from AUDIT",
            total.facts_read,
        ),
        (
            "router_facts_refused",
            "Chat facts in AUDIT the routers could not read",
            total.facts_refused,
        ),
        (
            "router_facts_recorded",
            "The routers' own facts (lost, gone, incident) stored in AUDIT",
            total.facts_recorded,
        ),
        (
            "router_facts_not_recorded",
            "The routers' own facts the stream did not store",
            total.facts_not_recorded,
        ),
        (
            "router_agents_lost",
            "Agents the routers found lost (silent past the agent timeout)",
            total.agents_lost,
        ),
        (
            "router_shoppers_gone",
            "Shoppers with a chat open the routers found gone",
            total.shoppers_gone,
        ),
        (
            "router_incidents_opened",
            "Incidents the routers opened (a shopper's No in the survey)",
            total.incidents,
        ),
    ];
    for (name, help, n) in counters {
        book.counter(name, help, [(none(), n)]);
    }
}
