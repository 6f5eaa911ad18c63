//! The dashboard's command line (`floorwalker` with no command).

use std::path::PathBuf;

use clap::Args;
use floorwalker_shared::subject::SiteId;

use crate::cmd::args::{ConnectArgs, site_id};

/// The dashboard's options (`floorwalker` with no command).
#[derive(Debug, Args)]
pub(crate) struct DashboardArgs {
    #[command(flatten)]
    pub(crate) connect: ConnectArgs,

    /// The supervisor's user name: whispers, joins, reassignments and
    /// offers are recorded under it, and transcripts show it. It must be
    /// the user of the credentials (default `auth/<NAME>.creds`; make them
    /// with `floorwalker auth add --role dashboard --user NAME`). Without
    /// it, the credentials' user acts (`auth/dashboard.creds`: the role's
    /// shared user).
    #[arg(long, env = "FLOORWALKER_SUPERVISOR", value_name = "NAME")]
    pub(crate) name: Option<String>,

    /// Show only this site's shoppers, and count only its chats in the
    /// figures (the agents and the desk view are every site's: agents
    /// serve them all).
    #[arg(long, env = "FLOORWALKER_SITE", value_name = "SITE", value_parser = site_id)]
    pub(crate) site: Option<SiteId>,

    /// A TOML file with offer templates and timings, e.g.
    /// `templates = ["Can I help you choose?"]`, `left_after_secs = 300`,
    /// `forget_after_secs = 600`, `replay_minutes = 30`, `offer_expires_secs = 120`
    /// (an offer unanswered this long shows "expired" and may be made again),
    /// and the desk's targets, under `[targets]`: `service_level` (percent),
    /// `average_answer`, `longest_wait`, `first_response` (seconds) and
    /// `agents_available`, each `{ amber = A, red = R }`; a figure past its
    /// amber limit shows yellow and `!`, past red, red and `!!`.
    #[arg(long, env = "FLOORWALKER_CONFIG", value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// Scroll with the mouse wheel (takes over the terminal's own mouse
    /// selection while the dashboard runs).
    #[arg(long)]
    pub(crate) mouse: bool,
}
