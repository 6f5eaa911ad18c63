//! The figures `floorwalker tail --prometheus` serves to Prometheus, in the
//! OpenMetrics text format (docs/METRICS.md lists every metric).
//!
//! [`encode`] writes one exposition from what `tail` has folded (a
//! [`Scrape`]): the floor's and the desk's figures, computed once in
//! `floorwalker_shared::metrics` exactly as `tail` prints them, per site
//! where they are a site's (label `site`) and for the whole desk where
//! agents and incidents are shared; what the intakes and the gates refused,
//! by reason (label `reason`), and what the gates admitted
//! ([`crate::refusals`]); and what the chat routers did, from the reports
//! they publish every second ([`routers`]). The exposition is built afresh
//! on every scrape and written by Prometheus's own client
//! (`prometheus-client`, as a collector of constant metrics), so a site
//! that left the floor leaves the exposition too. [`serve`] answers
//! `GET /metrics` over HTTP (axum) by asking `tail` for a fresh exposition.
//!
//! Counters count since the service that reports them started, added up
//! over every instance heard (Prometheus's `rate` and `increase` handle a
//! restart's reset); figures of the desk's window (the last hour) are
//! gauges. A figure with nothing to compute it from (no chat answered yet:
//! no average answer time) is left out, never 0, as `tail` shows "–"; a
//! service never heard has no counters at all, only its gauge of instances
//! heard, at 0.

pub mod routers;
pub mod serve;

use std::collections::BTreeSet;
use std::time::Duration;

use floorwalker_shared::desk::Desk;
use floorwalker_shared::floor::Floor;
use floorwalker_shared::intake::{Refusal, What};
use floorwalker_shared::metrics::{Figures, Outcome, Service};
use floorwalker_shared::router::RouterTotals;
use floorwalker_shared::subject::SiteId;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric as _, text};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::{Registry, Unit};

use crate::refusals::Tally;

/// The HTTP content type of an exposition.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// What every metric's name starts with (`floorwalker_`).
pub const PREFIX: &str = "floorwalker";

/// What `tail` has folded, at one instant.
#[derive(Debug)]
pub struct Scrape<'a> {
    /// Every shopper session, from `EVENTS` and presence.
    pub floor: &'a Floor,
    /// Every chat, agent and incident, from `AUDIT`.
    pub desk: &'a Desk,
    /// What the intakes and the gates said.
    pub tally: &'a Tally,
    /// What the routers said.
    pub routers: &'a RouterTotals,
    /// The one site reported (`--site`), or every site.
    pub site: Option<&'a SiteId>,
    /// Facts in `AUDIT` and batches in `EVENTS` that `tail` could not read.
    pub unreadable: (u64, u64),
    /// Now, in ms since the Unix epoch.
    pub now_ms: u64,
}

/// One label set: (name, value) pairs, in the order they are written.
type Labels = Vec<(&'static str, String)>;

/// One family's samples, in the order they are written.
#[derive(Debug)]
enum Samples {
    /// A gauge of whole numbers.
    Count(Vec<(Labels, u64)>),
    /// A gauge in a unit.
    Measure(Vec<(Labels, f64)>),
    /// A counter.
    Counter(Vec<(Labels, u64)>),
}

/// One family: its name (without the prefix, unit or `_total`), help and
/// unit, and its samples.
#[derive(Debug)]
struct Family {
    name: &'static str,
    help: &'static str,
    unit: Option<Unit>,
    samples: Samples,
}

/// The exposition being written: families in the order they are added,
/// each sample in the order it is given, so that two scrapes list the same
/// lines in the same order (prometheus-client's own `Family` keeps its
/// label sets in a hash map). A family without samples is left out, as
/// the crate's own metrics are.
#[derive(Debug, Default)]
struct Book(Vec<Family>);

impl Book {
    /// A gauge of whole numbers.
    fn count(
        &mut self,
        name: &'static str,
        help: &'static str,
        samples: impl IntoIterator<Item = (Labels, u64)>,
    ) {
        let samples = Samples::Count(samples.into_iter().collect());
        self.0.push(Family {
            name,
            help,
            unit: None,
            samples,
        });
    }

    /// A gauge in `unit` (seconds, ratio, minor units of money).
    fn measure(
        &mut self,
        name: &'static str,
        help: &'static str,
        unit: Unit,
        samples: impl IntoIterator<Item = (Labels, f64)>,
    ) {
        let samples = Samples::Measure(samples.into_iter().collect());
        self.0.push(Family {
            name,
            help,
            unit: Some(unit),
            samples,
        });
    }

    /// A counter (its name gets `_total`).
    fn counter(
        &mut self,
        name: &'static str,
        help: &'static str,
        samples: impl IntoIterator<Item = (Labels, u64)>,
    ) {
        let samples = Samples::Counter(samples.into_iter().collect());
        self.0.push(Family {
            name,
            help,
            unit: None,
            samples,
        });
    }
}

impl Collector for Book {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> std::fmt::Result {
        for family in &self.0 {
            let (kind, empty) = match &family.samples {
                Samples::Count(s) => (MetricType::Gauge, s.is_empty()),
                Samples::Measure(s) => (MetricType::Gauge, s.is_empty()),
                Samples::Counter(s) => (MetricType::Counter, s.is_empty()),
            };
            if empty {
                continue;
            }
            // As `Registry::register` writes help: a sentence.
            let help = format!("{}.", family.help);
            let mut metric =
                encoder.encode_descriptor(family.name, &help, family.unit.as_ref(), kind)?;
            match &family.samples {
                Samples::Count(samples) => {
                    for (labels, n) in samples {
                        let n = i64::try_from(*n).unwrap_or(i64::MAX);
                        ConstGauge::new(n).encode(metric.encode_family(labels)?)?;
                    }
                }
                Samples::Measure(samples) => {
                    for (labels, v) in samples {
                        ConstGauge::new(*v).encode(metric.encode_family(labels)?)?;
                    }
                }
                Samples::Counter(samples) => {
                    for (labels, n) in samples {
                        ConstCounter::new(*n).encode(metric.encode_family(labels)?)?;
                    }
                }
            }
        }
        Ok(())
    }
}

fn ratio() -> Unit {
    Unit::Other("ratio".into())
}

fn seconds(ms: u64) -> f64 {
    Duration::from_millis(ms).as_secs_f64()
}

fn percent(p: u8) -> f64 {
    f64::from(p) / 100.0
}

fn none() -> Labels {
    Vec::new()
}

fn site(site: &SiteId) -> Labels {
    vec![("site", site.to_string())]
}

/// A currency code as a label: three capital letters, or not shown (the
/// code comes from shoppers' pages).
fn currency(code: &str) -> Option<String> {
    (code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())).then(|| code.to_owned())
}

/// The exposition of `scrape`, ending in `# EOF`.
pub fn encode(scrape: &Scrape<'_>) -> String {
    let mut book = Book::default();
    floor_and_desk(&mut book, scrape);
    refusals(&mut book, scrape.tally, scrape.now_ms);
    routers(&mut book, scrape.routers, scrape.now_ms);
    let mut registry = Registry::with_prefix(PREFIX);
    registry.register_collector(Box::new(book));
    let mut out = String::new();
    // Writing to a String does not fail.
    let _ = text::encode(&mut out, &registry);
    out
}

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
fn floor_and_desk(book: &mut Book, scrape: &Scrape<'_>) {
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

/// What the desk shares between sites: the target, agents, incidents, and
/// what `tail` could not read.
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

/// What the intakes and the gates said.
fn refusals(book: &mut Book, tally: &Tally, now_ms: u64) {
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
            "gate_admitted_operators",
            "Operator connections the gates admitted, by role",
            gate.admitted_operators
                .iter()
                .map(|(role, n)| (vec![("role", role.clone())], *n)),
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
fn routers(book: &mut Book, routers: &RouterTotals, now_ms: u64) {
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

#[cfg(test)]
mod tests;
