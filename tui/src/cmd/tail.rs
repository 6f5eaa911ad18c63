//! `floorwalker tail`: the live figures for on-call staff, one report every
//! few seconds, as lines for people or JSON lines for programs, with
//! thresholds that print an alert when crossed and can end the command
//! with a non-zero status for scripts. It needs no terminal: pipe it to a
//! file or another program.
//!
//! It folds the same streams as the dashboard (`AUDIT` into the desk,
//! `EVENTS` into the floor) and prints the same figures (computed once, in
//! `floorwalker_shared::metrics`), with the broker's word on which
//! shoppers are connected (`floorwalker::presence`), and what the intakes
//! and the gates refused, by reason (`floorwalker::refusals`). The first
//! report waits until history is read, the connected shoppers are listed
//! and the gates asked (or they cannot be), and an intake has reported or
//! had the time to, so it never shows half-counted figures.
//!
//! `--prometheus ADDR` also serves the figures to Prometheus
//! (`floorwalker::metrics`), with the routers' reports, which only it
//! hears. It is a flag of `tail` rather than a command of its own because
//! the exporter serves exactly what `tail` folds, with the same readiness:
//! one fold, so the scraped figures and the printed ones cannot drift
//! apart. Each scrape asks this loop, the figures' one owner, for a fresh
//! exposition; until the first report would be ready, it is answered 503.

mod alert;
mod args;
mod refused;
mod report;

use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr as _, eyre};
use floorwalker::feed::{self, Feed, Following, now_ms};
use floorwalker::metrics::{self, Scrape, routers, serve};
use floorwalker::offers::OfferRecord;
use floorwalker::presence::Heard;
use floorwalker::refusals::{self, Tally};
use floorwalker_shared::desk::{Desk, DeskConfig};
use floorwalker_shared::floor::Floor;
use floorwalker_shared::metrics::Figures;
use floorwalker_shared::router::RouterTotals;
use floorwalker_shared::subject::SiteId;
use tokio::sync::mpsc;

use refused::Refusals;
use report::Report;

use alert::{Alert, Crossed};
pub(crate) use args::TailArgs;

/// The exit status when `--exit-on-alert` ends the command.
const ALERT_STATUS: i32 = 2;

/// How long the first report waits for an intake to report (they report
/// every second), before it says none has.
const INTAKE_GRACE: Duration = Duration::from_secs(2);

pub(crate) async fn run(args: &TailArgs, data_dir: &Path) -> Result<()> {
    if args.every_secs == 0 {
        return Err(eyre!("--every must be at least 1 second"));
    }
    let creds = args.connect.creds(data_dir, "tail")?;
    let client =
        crate::cmd::args::connect(&args.connect.nats.server, &creds, "floorwalker-tail", None)
            .await?;
    let mut feeds = feed::desk(&client);
    let (_presence_feed, mut presence) = floorwalker::presence::spawn(&client);
    let (_refusals_feed, mut door) = refusals::spawn(&client);
    let (_exporter, mut asks, mut routers) = match &args.prometheus {
        Some(addr) => {
            let exporter = Exporter::start(addr, &client).await?;
            (
                Some(exporter.running),
                Some(exporter.asks),
                Some(exporter.routers),
            )
        }
        None => (None, None, None),
    };
    let started = tokio::time::Instant::now();
    let desk_config = DeskConfig {
        service_level_ms: args.service_level_secs.saturating_mul(1_000),
        ..DeskConfig::default()
    };
    let mut reading = Reading {
        desk: Desk::new(desk_config),
        floor: Floor::default(),
        site: args.site.clone(),
        audit_read: false,
        events_read: false,
        presence_heard: false,
        refusals: Tally::default(),
        routers: RouterTotals::default(),
    };
    let mut crossed = vec![false; args.alert.len()];
    let (mut printed, mut alerted) = (0_u64, false);
    let mut every = tokio::time::interval(Duration::from_secs(args.every_secs));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let signal = crate::cmd::signals::stop()?;
    tokio::pin!(signal);
    let mut out = std::io::stdout().lock();
    loop {
        tokio::select! {
            () = &mut signal => break,
            Some(feed) = feeds.audit.recv() => reading.audit(feed),
            Some(feed) = feeds.events.recv() => reading.events(feed),
            Some(heard) = presence.recv() => reading.presence(heard),
            Some(heard) = door.recv() => reading.refusals(heard),
            Some(heard) = next(&mut routers) => reading.router(heard),
            Some(ask) = next(&mut asks) => {
                let exposition = reading.ready(started).then(|| reading.exposition(now_ms()));
                let _ = ask.send(exposition);
            },
            _ = every.tick() => {
                if !reading.ready(started) {
                    continue;
                }
                let now = now_ms();
                let report = reading.report(now);
                let mut text = if args.json { report.json() } else { report.line() };
                for (alert, was) in args.alert.iter().zip(crossed.iter_mut()) {
                    let now_crossed = alert.crossed(&report);
                    if now_crossed.is_some() != *was {
                        text.push('\n');
                        text.push_str(&alert_line(alert, now_crossed, now, args.json));
                        *was = now_crossed.is_some();
                    }
                    alerted |= now_crossed.is_some();
                }
                // A closed pipe (`tail | head`) ends the command quietly.
                if writeln!(out, "{text}").and_then(|()| out.flush()).is_err() {
                    break;
                }
                printed += 1;
                if (alerted && args.exit_on_alert) || args.count.is_some_and(|n| printed >= n) {
                    break;
                }
            },
        }
    }
    drop(feeds);
    if alerted && args.exit_on_alert {
        std::process::exit(ALERT_STATUS);
    }
    Ok(())
}

/// The Prometheus exporter's parts, while `--prometheus` runs it.
struct Exporter {
    running: (serve::Serving, Following),
    /// Scrapes waiting for an exposition.
    asks: mpsc::Receiver<serve::Ask>,
    /// What the routers report.
    routers: mpsc::Receiver<routers::Heard>,
}

impl Exporter {
    /// Listens on `addr`, says where, and hears the routers.
    async fn start(addr: &str, client: &async_nats::Client) -> Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .wrap_err_with(|| format!("listening on '{addr}' for Prometheus"))?;
        let local = listener.local_addr()?;
        eprintln!("tail: serving OpenMetrics on http://{local}/metrics");
        let (ask, asks) = mpsc::channel(16);
        let (following, routers) = routers::spawn(client);
        Ok(Self {
            running: (serve::spawn(listener, ask), following),
            asks,
            routers,
        })
    }
}

/// The next of `rx`, or never when there is none.
async fn next<T>(rx: &mut Option<mpsc::Receiver<T>>) -> Option<T> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// What tail has folded so far.
struct Reading {
    desk: Desk,
    floor: Floor,
    /// The one site reported (`--site`), or every site.
    site: Option<SiteId>,
    audit_read: bool,
    events_read: bool,
    /// Whether the connected shoppers were listed, or could not be (then
    /// the floor judges by what it hears).
    presence_heard: bool,
    /// What the intakes and the gates refused.
    refusals: Tally,
    /// What the routers reported (heard with `--prometheus` only).
    routers: RouterTotals,
}

impl Reading {
    fn audit(&mut self, feed: Feed) {
        match feed {
            Feed::Message(m) => {
                // Offers are the floor's; everything else is the desk's.
                if let Some(offer) = OfferRecord::read(&m.subject, &m.payload) {
                    offer.note(&mut self.floor);
                } else {
                    let _ = self.desk.record(&m.subject, &m.payload, m.at_ms);
                }
            }
            Feed::CaughtUp { .. } => self.audit_read = true,
            Feed::Down(why) => eprintln!("tail: {why}"),
            Feed::LiveOnly => {}
        }
    }

    fn events(&mut self, feed: Feed) {
        match feed {
            Feed::Message(m) => {
                let _ = self.floor.batch(&m.subject, &m.payload, m.at_ms);
            }
            Feed::CaughtUp { .. } => self.events_read = true,
            Feed::Down(why) => eprintln!("tail: {why}"),
            Feed::LiveOnly => {}
        }
    }

    fn presence(&mut self, heard: Heard) {
        match &heard {
            Heard::OpenNow { .. } => self.presence_heard = true,
            Heard::Down(why) => {
                eprintln!("tail: {why}");
                self.presence_heard = true;
            }
            _ => {}
        }
        heard.fold(&mut self.floor);
    }

    fn refusals(&mut self, heard: refusals::Heard) {
        match &heard {
            // Said once when the gates stop answering, not every ask.
            refusals::Heard::GateDown(why) if self.refusals.gate_down().is_none() => {
                eprintln!("tail: {why}");
            }
            refusals::Heard::Down(why) => eprintln!("tail: {why}"),
            _ => {}
        }
        self.refusals.fold(heard, now_ms());
    }

    fn router(&mut self, heard: routers::Heard) {
        match heard {
            routers::Heard::Report(report) => self.routers.note(report, now_ms()),
            routers::Heard::Down(why) => eprintln!("tail: {why}"),
        }
    }

    /// Whether the first report can be made: history read, the connected
    /// shoppers listed, the gates asked, and an intake heard (or
    /// [`INTAKE_GRACE`] passed since `started`).
    fn ready(&self, started: tokio::time::Instant) -> bool {
        let intake_or_grace = self.refusals.intake().is_some() || started.elapsed() >= INTAKE_GRACE;
        self.audit_read
            && self.events_read
            && self.presence_heard
            && self.gate_asked()
            && intake_or_grace
    }

    /// The figures for Prometheus at `now`.
    fn exposition(&mut self, now: u64) -> String {
        self.floor.sweep(now);
        self.desk.forget(now);
        metrics::encode(&Scrape {
            floor: &self.floor,
            desk: &self.desk,
            tally: &self.refusals,
            routers: &self.routers,
            site: self.site.as_ref(),
            unreadable: (
                self.desk.rejected().values().sum(),
                self.floor.refused_total(),
            ),
            now_ms: now,
        })
    }

    /// Whether the gates were asked once (answering or not).
    fn gate_asked(&self) -> bool {
        self.refusals.gate().is_some() || self.refusals.gate_down().is_some()
    }

    fn report(&mut self, now: u64) -> Report {
        self.floor.sweep(now);
        self.desk.forget(now);
        let target = self.desk.config().service_level_ms;
        let refused = (
            self.desk.rejected().values().sum(),
            self.floor.refused_total(),
        );
        let mut report = Report::new(
            &Figures::of_site(&self.floor, &self.desk, now, self.site.as_ref()),
            &metrics::staffing(&self.desk, now, self.site.as_ref()),
            target,
            refused,
            now,
        );
        // Before the first order, the currency the shoppers' carts are in:
        // the one the dashboard shows their amounts in.
        if report.currency.is_none() {
            report.currency = self.carts_currency();
        }
        report.refusals = Refusals::of(&self.refusals, now);
        report
    }

    /// The currency most sessions on the floor (of the site reported)
    /// count in, if any says.
    fn carts_currency(&self) -> Option<String> {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        let sessions = self.floor.sessions().filter(|s| {
            self.site
                .as_ref()
                .is_none_or(|site| s.subjects().site() == site)
        });
        for session in sessions.filter(|s| !s.currency.is_empty()) {
            match counts.iter_mut().find(|(c, _)| *c == session.currency) {
                Some((_, n)) => *n += 1,
                None => counts.push((&session.currency, 1)),
            }
        }
        let (currency, _) = counts.into_iter().max_by_key(|(_, n)| *n)?;
        Some(currency.to_owned())
    }
}

/// The line that says an alert was crossed (`crossed` is `Some`) or
/// cleared; an alert against another figure says that figure's value too.
fn alert_line(alert: &Alert, crossed: Option<Crossed>, at_ms: u64, json: bool) -> String {
    match (json, crossed) {
        (true, Some(Crossed { value, limit })) => serde_json::json!({
            "alert": alert.to_string(), "value": value, "limit": limit, "at_ms": at_ms
        })
        .to_string(),
        (true, None) => {
            serde_json::json!({"cleared": alert.to_string(), "at_ms": at_ms}).to_string()
        }
        (false, Some(Crossed { value, limit })) => match alert.against() {
            Some(other) => format!("ALERT {alert} (now {value}, {other} {limit})"),
            None => format!("ALERT {alert} (now {value})"),
        },
        (false, None) => format!("CLEAR {alert}"),
    }
}
