//! The figures `tail` prints, as families: per site where they are a
//! site's (label `site`), for the whole desk where agents and incidents are
//! shared. Computed by `floorwalker_shared::metrics`, as on every screen.

use std::collections::BTreeSet;

use floorwalker_shared::metrics::{Figures, Outcome, Service};
use floorwalker_shared::subject::SiteId;
use prometheus_client::registry::Unit;

use super::Scrape;
use super::book::{Book, Labels, currency, none, percent, ratio, seconds, site};

/// Every site with shoppers on the floor or chats on the desk (only
/// `only`, if given), each with its figures.
fn sites(scrape: &Scrape<'_>) -> Vec<(SiteId, Figures)> {
    let mut sites: BTreeSet<&SiteId> = scrape
        .floor
        .sessions()
        .map(|s| s.subjects().site())
        .collect();
    sites.extend(scrape.desk.chats().map(|c| c.session.site()));
    sites
        .into_iter()
        .filter(|s| scrape.site.is_none_or(|only| only == *s))
        .map(|s| {
            let figures = Figures::of_site(scrape.floor, scrape.desk, scrape.now_ms, Some(s));
            (s.clone(), figures)
        })
        .collect()
}

#[allow(clippy::too_many_lines)] // One family after another, in docs/METRICS.md's order.
pub(super) fn floor_and_desk(book: &mut Book, scrape: &Scrape<'_>) {
    let sites = sites(scrape);
    let each = |value: &dyn Fn(&Figures) -> u64| -> Vec<(Labels, u64)> {
        sites.iter().map(|(s, f)| (site(s), value(f))).collect()
    };
    let each_some = |value: &dyn Fn(&Figures) -> Option<f64>| -> Vec<(Labels, f64)> {
        sites
            .iter()
            .filter_map(|(s, f)| value(f).map(|v| (site(s), v)))
            .collect()
    };
    book.count(
        "shoppers_online",
        "Shoppers with a page open",
        each(&|f| f.online.into()),
    );
    book.count(
        "shoppers_reconnecting",
        "Of the shoppers online, those whose connection dropped and is coming back",
        each(&|f| f.reconnecting.into()),
    );
    book.count(
        "shoppers_in_checkout",
        "Of the shoppers online, those in the checkout without an order yet",
        each(&|f| f.in_checkout.into()),
    );
    book.count(
        "chats_waiting",
        "Chats waiting for an agent",
        each(&|f| f.service.waiting.into()),
    );
    book.measure(
        "chats_longest_wait",
        "How long the longest waiting chat has waited (0 when none waits)",
        Unit::Seconds,
        each_some(&|f| Some(seconds(f.service.longest_wait_ms))),
    );
    book.count(
        "chats_active",
        "Chats being answered now",
        each(&|f| f.service.active.into()),
    );
    book.count(
        "chats_answered",
        "Chats first answered in the desk's window (the last hour)",
        each(&|f| f.service.answered.into()),
    );
    book.count(
        "chats_abandoned",
        "Chats that closed unanswered in the desk's window (the last hour)",
        each(&|f| f.service.abandoned.into()),
    );
    book.measure(
        "chats_answer_average",
        "Average speed of answer: request to claim, over chats answered in the window",
        Unit::Seconds,
        each_some(&|f| f.service.average_answer_ms.map(seconds)),
    );
    book.measure(
        "chats_first_response_p50",
        "First response time, median: request to the first operator message",
        Unit::Seconds,
        each_some(&|f| f.service.first_response_ms.map(|(p50, _)| seconds(p50))),
    );
    book.measure(
        "chats_first_response_p90",
        "First response time, 90th percentile",
        Unit::Seconds,
        each_some(&|f| f.service.first_response_ms.map(|(_, p90)| seconds(p90))),
    );
    book.measure(
        "chats_response_p50",
        "Response time, median: how long each shopper message waited for an answer",
        Unit::Seconds,
        each_some(&|f| f.service.response_ms.map(|(p50, _)| seconds(p50))),
    );
    book.measure(
        "chats_response_p90",
        "Response time, 90th percentile",
        Unit::Seconds,
        each_some(&|f| f.service.response_ms.map(|(_, p90)| seconds(p90))),
    );
    book.measure(
        "chats_abandonment",
        "Abandoned of answered and abandoned chats in the window",
        ratio(),
        each_some(&|f| f.service.abandonment_percent.map(percent)),
    );
    book.measure(
        "chats_service_level",
        "Service level: chats answered within the target of answered and abandoned in the window",
        ratio(),
        each_some(&|f| f.service.service_level_percent.map(percent)),
    );
    book.count(
        "surveys_answered",
        "Surveys answered in the window",
        each(&|f| f.service.surveys.into()),
    );
    book.measure(
        "surveys_satisfied",
        "CSAT: surveys answered yes of those answered in the window",
        ratio(),
        each_some(&|f| f.service.csat_percent.map(percent)),
    );
    book.count(
        "offers_sent",
        "Chat offers sent to sessions on the floor",
        each(&|f| f.offers_sent.into()),
    );
    book.measure(
        "offers_accepted",
        "Offers accepted of those answered",
        ratio(),
        each_some(&|f| f.acceptance_percent.map(percent)),
    );
    outcomes(book, &sites);
    desk(book, scrape);
}

/// How assisted shoppers buy compared with the rest (label `assisted`).
fn outcomes(book: &mut Book, sites: &[(SiteId, Figures)]) {
    let groups = || {
        sites.iter().flat_map(|(s, f)| {
            [("true", &f.assisted), ("false", &f.unassisted)].map(|(assisted, o)| (s, assisted, o))
        })
    };
    let labels = |s: &SiteId, assisted: &str| {
        let mut l = site(s);
        l.push(("assisted", assisted.to_owned()));
        l
    };
    book.count(
        "sessions",
        "Sessions on the floor, assisted (an agent answered them in a chat) or not",
        groups().map(|(s, a, o)| (labels(s, a), o.sessions.into())),
    );
    book.count(
        "orders",
        "Of those sessions, with an order",
        groups().map(|(s, a, o)| (labels(s, a), o.orders.into())),
    );
    book.measure(
        "conversion",
        "Sessions with an order of all sessions, assisted or not",
        ratio(),
        groups().filter_map(|(s, a, o)| Some((labels(s, a), percent(o.conversion_percent()?)))),
    );
    book.measure(
        "order_value",
        "The orders' totals, per currency, in minor units (cents): divide by orders for the average order value",
        Unit::Other("minor_units".into()),
        groups().flat_map(|(s, a, o): (&SiteId, &str, &Outcome)| {
            o.order_value.iter().filter_map(move |(code, minor)| {
                let mut l = labels(s, a);
                l.push(("currency", currency(code)?));
                #[allow(clippy::cast_precision_loss)] // Exact below 2^53 minor units.
                Some((l, *minor as f64))
            })
        }),
    );
}

/// What the desk shares between sites: the target, agents (with those the
/// chats need), incidents, and what `tail` could not read.
fn desk(book: &mut Book, scrape: &Scrape<'_>) {
    let service = Service::of(scrape.desk, scrape.now_ms);
    book.measure(
        "chats_service_level_target",
        "A chat answered within this long of its request counts as on time",
        Unit::Seconds,
        [(none(), seconds(scrape.desk.config().service_level_ms))],
    );
    book.count(
        "agents",
        "Agents online, by state: available (room for another chat), busy (at capacity), away",
        [
            ("available", service.agents_available),
            ("busy", service.agents_busy),
            ("away", service.agents_away),
        ]
        .map(|(state, n)| (vec![("state", state.to_owned())], n.into())),
    );
    book.measure(
        "agents_utilisation",
        "Chats held of the capacity of online agents who take chats",
        ratio(),
        service.utilisation_percent.map(|p| (none(), percent(p))),
    );
    // The need is the chats' of every site served (or `--site`'s), the
    // agents the desk's: they serve every site.
    let staffing = super::staffing(scrape.desk, scrape.now_ms, scrape.site);
    book.count(
        "agents_on_duty",
        "Agents online who take chats, busy or not",
        [(none(), staffing.have.into())],
    );
    book.count(
        "agents_needed",
        "Agents needed now for the service-level target, by Erlang A over the last 15 and 60 minutes of chats",
        staffing.needed.map(|n| (none(), n.into())),
    );
    book.count(
        "incidents_open",
        "Incidents not resolved",
        [(none(), service.incidents_open.into())],
    );
    book.count(
        "incidents_untaken",
        "Of the open incidents, those no agent has taken",
        [(none(), service.incidents_waiting.into())],
    );
    let (facts, batches) = scrape.unreadable;
    book.count(
        "unreadable_facts",
        "Chat facts in AUDIT this exporter could not read (malformed, or not fitting the desk)",
        [(none(), facts)],
    );
    book.count(
        "unreadable_batches",
        "Shopper batches in EVENTS this exporter could not read",
        [(none(), batches)],
    );
}
