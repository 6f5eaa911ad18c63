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
    #[arg(long)]
    pub(crate) json: bool,

    /// A threshold, FIGURE>N or FIGURE<N; FIGURE is `longest_wait`
    /// (seconds), `service_level` (percent), `queue` (chats waiting) or
    /// `agents_available`. Repeat for more.
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

    /// Report only this site's shoppers and chats (the agents and
    /// incidents are every site's: agents serve them all).
    #[arg(long, env = "FLOORWALKER_SITE", value_name = "SITE", value_parser = site_id)]
    pub(crate) site: Option<SiteId>,
}
