//! `floorwalker tail`'s command line.

use clap::Args;
use floorwalker_shared::subject::SiteId;

use crate::cmd::args::{ConnectArgs, site_id};

#[derive(Debug, Args)]
pub(crate) struct TailArgs {
    #[command(flatten)]
    pub(crate) connect: ConnectArgs,

    /// Seconds between two reports.
    #[arg(long = "every", default_value_t = 10, value_name = "SECS")]
    pub(crate) every_secs: u64,

    /// One JSON object per line instead of a line for people (times in ms,
    /// shares in percent, money in minor units, `null` for a figure with
    /// nothing to compute it from yet).
    ///
    /// What was refused at the door: `refused` (everything the intakes and
    /// the gates refused) and `refused_last_minute` (of those, refused in
    /// the last minute while tail listened), both `null` until either is
    /// heard; `intake` (`null` until an intake reports) with
    /// `intakes`, `silent` (not heard for 10 s), `stored_events`,
    /// `stored_facts`, `refused`, `refused_by_reason` (every reason:
    /// `malformed`, `invalid`, `too_large`, `session_rate`,
    /// `address_rate`, `session_quota`, `address_quota`, `not_stored`,
    /// `payload_too_large`, `protocol_violation`) and `refused_by_what`
    /// (`events`, `facts`, `connections`); `gate` (`null` until a gate
    /// answers) with `answering`, `refused` and `refused_by_reason` (the
    /// gate's own names, only those seen). `facts_refused` and
    /// `batches_refused` count what tail itself could not read in the
    /// streams.
    ///
    /// Staffing: `agents_needed` (the agents the chats need now for the
    /// service-level target, by Erlang A over the last 15 and 60 minutes
    /// of chats; `null` until a chat has ended in the last hour) against
    /// `agents_on_duty` (online and taking chats, busy or not).
    #[arg(long)]
    pub(crate) json: bool,

    /// A threshold, FIGURE>N or FIGURE<N, or FIGURE>FIGURE to compare two
    /// figures of one kind; FIGURE is `longest_wait` (seconds),
    /// `service_level` (percent), `queue` (chats waiting),
    /// `agents_available` (with room for a chat), `agents_on_duty` (online
    /// and taking chats), `agents_needed` (for the service-level target;
    /// known once a chat has ended in the last hour), `refused` or
    /// `refused_last_minute` (what the intakes and the gates refused). An
    /// alert whose figure is not known yet never fires. Repeat for more;
    /// e.g. `--alert 'agents_needed>agents_on_duty'` when the desk is short
    /// of agents.
    #[arg(long, value_name = "THRESHOLD")]
    pub(crate) alert: Vec<super::alert::Alert>,

    /// End with status 2 after the first report in which an alert is
    /// crossed.
    #[arg(long)]
    pub(crate) exit_on_alert: bool,

    /// Stop after this many reports.
    #[arg(long, value_name = "N")]
    pub(crate) count: Option<u64>,

    /// The service-level target: a chat answered within this many seconds
    /// of its request counts as on time.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    pub(crate) service_level_secs: u64,

    /// Also serve the figures to Prometheus on this address (say
    /// `127.0.0.1:9464`; port 0 picks a free one): `GET /metrics` answers
    /// them in the OpenMetrics text format, with the gates' and the
    /// routers' counters (docs/METRICS.md). The address it listens on is
    /// printed on stderr.
    #[arg(long, value_name = "ADDR")]
    pub(crate) prometheus: Option<String>,

    /// Report only this site's shoppers and chats (the agents and
    /// incidents are every site's: agents serve them all).
    #[arg(long, env = "FLOORWALKER_SITE", value_name = "SITE", value_parser = site_id)]
    pub(crate) site: Option<SiteId>,
}

#[cfg(test)]
mod tests {
    use clap::{Args as _, Command};
    use floorwalker_shared::intake::{Refusal, What};

    use super::*;

    #[test]
    fn the_help_names_every_json_field_of_the_refusals() {
        let help = TailArgs::augment_args(Command::new("tail"))
            .render_long_help()
            .to_string();
        let names = Refusal::ALL
            .iter()
            .map(|r| r.name())
            .chain([What::Events, What::Facts, What::Connections].map(What::name))
            .chain([
                "refused_last_minute",
                "refused_by_reason",
                "refused_by_what",
            ]);
        for name in names {
            assert!(help.contains(&format!("`{name}`")), "{name} in {help}");
        }
    }
}
