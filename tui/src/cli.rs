//! The command line: `floorwalker <COMMAND>`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use floorwalker_shared::subject::SiteId;

/// Floorwalker: see live who is on your storefront, where they are stuck, and
/// reach the right shopper at the right time, from a terminal.
///
/// Without a command, opens the supervisor's dashboard.
#[derive(Debug, Parser)]
#[command(
    name = "floorwalker",
    version,
    after_help = "Examples:\n  floorwalker demo                      # everything, locally\n  \
    floorwalker --server nats://nats.internal:4222 --creds ./auth/dashboard.creds\n  \
    floorwalker --site shoes --config ./dashboard.toml"
)]
pub(crate) struct Cli {
    /// Where to write the log (it never goes to the terminal). Default: the
    /// log directory under Floorwalker's data directory.
    #[arg(long, global = true, env = "FLOORWALKER_LOG", value_name = "FILE")]
    pub(crate) log_file: Option<PathBuf>,

    /// Where Floorwalker keeps its data (JetStream store, logs, run files).
    /// Default: your platform's data directory, e.g. ~/.local/share/floorwalker.
    #[arg(long, global = true, env = "FLOORWALKER_DATA_DIR", value_name = "DIR")]
    pub(crate) data_dir: Option<PathBuf>,

    #[command(flatten)]
    pub(crate) dashboard: DashboardArgs,

    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

/// The dashboard's options (`floorwalker` with no command).
#[derive(Debug, Args)]
pub(crate) struct DashboardArgs {
    #[command(flatten)]
    pub(crate) connect: ConnectArgs,

    /// Show only this site's shoppers, and count only its chats in the
    /// figures (the agents and the desk view are every site's: agents
    /// serve them all).
    #[arg(long, env = "FLOORWALKER_SITE", value_name = "SITE", value_parser = site_id)]
    pub(crate) site: Option<SiteId>,

    /// A TOML file with offer templates and timings, e.g.
    /// `templates = ["Can I help you choose?"]`, `left_after_secs = 300`,
    /// `forget_after_secs = 600`, `replay_minutes = 30`.
    #[arg(long, env = "FLOORWALKER_CONFIG", value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// Scroll with the mouse wheel (takes over the terminal's own mouse
    /// selection while the dashboard runs).
    #[arg(long)]
    pub(crate) mouse: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run Floorwalker locally: starts a private nats-server (NATS and
    /// WebSocket listeners on 127.0.0.1, JetStream under the data directory)
    /// behind the gate, the chat router, the demo shop, simulated shoppers
    /// and agent bots, prints what runs where, and opens the dashboard;
    /// quitting it (q) or Ctrl-C stops everything.
    #[command(
        after_help = "Example:\n  floorwalker demo\n  floorwalker demo --port 0 --ws-port 0   # any free ports"
    )]
    Demo(DemoArgs),

    /// The gate: nats-server's auth-callout service. Admits shoppers to their
    /// own session's subjects only and operators to their role's; refuses and
    /// counts everyone else. Prints its counts when stopped (Ctrl-C, SIGTERM)
    /// and answers status requests on `fw.gate.status`.
    #[command(
        after_help = "Example:\n  floorwalker auth init --dir ./auth --site shoes\n  \
        # include ./auth/nats-auth.conf in nats-server's config, then:\n  \
        floorwalker gate --config ./auth/gate.toml --server nats://127.0.0.1:4222"
    )]
    Gate(GateArgs),

    /// Simulated shoppers: native clients that connect through the gate over
    /// WebSocket exactly as the storefront plugin does, browse, compare,
    /// abandon carts, buy, ask for help and answer the survey, until Ctrl-C;
    /// with --bot-creds, agent bots answer them. Prints counts every ten
    /// seconds.
    #[command(
        after_help = "Examples:\n  floorwalker simulate --ws ws://127.0.0.1:4223 --origin http://localhost:4280 --site demo\n  \
        floorwalker simulate --shoppers 50 --mix browsers=1,abandoners=3 --speed 4"
    )]
    Simulate(SimulateArgs),

    /// The agents' console: claim waiting chats, see the shopper's journey
    /// beside the conversation, reply, end chats, take incidents. Everything
    /// it does is recorded in JetStream; a console that restarts finds its
    /// chats and their transcripts as they were.
    #[command(
        after_help = "Examples:\n  floorwalker agent --name alex                # the demo's agent 'alex'\n  \
        floorwalker agent --name ana --creds ./auth/ana.creds --server nats://nats.internal:4222 --capacity 3"
    )]
    Agent(AgentArgs),

    /// Live figures for on-call staff: queue, answer and response times,
    /// service level, agents, satisfaction, every few seconds, as lines or
    /// JSON lines (`--json`). Needs no terminal. `--alert` thresholds print
    /// an alert line when crossed (and a clear line when no longer), and with
    /// `--exit-on-alert` end the command with status 2.
    #[command(after_help = "Examples:\n  floorwalker tail --every 5\n  \
        floorwalker tail --json | jq .average_answer_ms\n  \
        floorwalker tail --alert 'longest_wait>60' --alert 'service_level<80' --exit-on-alert")]
    Tail(TailArgs),

    /// The chat router: tells waiting shoppers their place in the queue and
    /// the wait to expect, delivers agents' messages, sends the survey when a
    /// chat ends, opens an incident on a "No", and returns the chats of an
    /// agent who went silent to the queue. Run one per deployment, beside
    /// the gate. Prints its counts when stopped (Ctrl-C, SIGTERM).
    #[command(
        after_help = "Example:\n  floorwalker router --server nats://127.0.0.1:4222 --creds ./auth/router.creds"
    )]
    Router(RouterArgs),

    /// Credentials: create the gate's keys, one credential file per operator
    /// role, and the nats-server config block that goes with them.
    #[command(subcommand)]
    Auth(AuthCommand),
}

#[derive(Debug, Args)]
pub(crate) struct SimulateArgs {
    /// nats-server's WebSocket URL (what storefront pages connect to).
    #[arg(
        long,
        env = "FLOORWALKER_WS_URL",
        default_value = "ws://127.0.0.1:4223",
        value_name = "URL"
    )]
    pub(crate) ws: String,

    /// The storefront origin to connect from; the server's WebSocket
    /// listener must allow it.
    #[arg(long, default_value = "http://localhost:4280", value_name = "ORIGIN")]
    pub(crate) origin: String,

    /// The site the shoppers are on (the gate must admit it).
    #[arg(long, default_value = "demo", value_name = "SITE", value_parser = site_id)]
    pub(crate) site: SiteId,

    /// How many shoppers are on the site at once; one who leaves is
    /// replaced. The gate caps connection attempts per address per minute
    /// (120 by default): raise `connects_per_address_per_minute` in its
    /// config for large runs from one machine.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub(crate) shoppers: usize,

    /// Relative numbers of each kind: browsers (look around), comparers
    /// (toggle between two products and linger), abandoners (leave in the
    /// checkout), buyers.
    #[arg(
        long,
        default_value = "browsers=4,comparers=2,abandoners=2,buyers=2",
        value_name = "MIX"
    )]
    pub(crate) mix: floorwalker::simulate::Mix,

    /// How much faster than real time shoppers act (2 halves every pause).
    #[arg(long, default_value_t = 1.0, value_name = "FACTOR")]
    pub(crate) speed: f64,

    /// Seed, for a repeatable run.
    #[arg(long, value_name = "N")]
    pub(crate) seed: Option<u64>,

    /// An agent bot's credentials file (role `simulator` or `agent`; make
    /// more with `floorwalker auth add`); repeat for more bots. The bots
    /// claim and answer chats through nats-server at --server.
    #[arg(long = "bot-creds", value_name = "FILE")]
    pub(crate) bot_creds: Vec<PathBuf>,

    /// nats-server's client URL, for the agent bots.
    #[arg(
        long,
        env = "NATS_URL",
        default_value = "nats://127.0.0.1:4222",
        value_name = "URL"
    )]
    pub(crate) server: String,
}

/// Where an operator command connects, and as whom.
#[derive(Debug, Args)]
pub(crate) struct ConnectArgs {
    /// The nats-server to connect to.
    #[arg(
        long,
        env = "NATS_URL",
        default_value = "nats://127.0.0.1:4222",
        value_name = "URL"
    )]
    pub(crate) server: String,

    /// The operator's credentials file (from `floorwalker auth init` or
    /// `auth add`). Default: the demo's for this command, under the data
    /// directory (`auth/<role>.creds`; for `agent`, `auth/<NAME>.creds`).
    #[arg(long, env = "FLOORWALKER_CREDS", value_name = "FILE")]
    pub(crate) creds: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct AgentArgs {
    #[command(flatten)]
    pub(crate) connect: ConnectArgs,
    /// The agent's user name; it must be the user of the credentials.
    #[arg(long, env = "FLOORWALKER_AGENT", value_name = "NAME")]
    pub(crate) name: String,

    /// Most chats at once (1 to 20); `+` and `-` change it while working.
    #[arg(long, default_value_t = 2, value_name = "N",
          value_parser = clap::value_parser!(u8).range(1..=20))]
    pub(crate) capacity: u8,

    /// Start away (`a` makes the agent available).
    #[arg(long)]
    pub(crate) away: bool,
}

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
    pub(crate) alert: Vec<crate::tail::Alert>,

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

/// A `--site` value (dashboard, tail, simulate), checked as the gate checks
/// site ids.
fn site_id(text: &str) -> Result<SiteId, String> {
    SiteId::new(text).map_err(|e| format!("{e}; use [a-z0-9-], up to 32"))
}

#[derive(Debug, Args)]
pub(crate) struct RouterArgs {
    #[command(flatten)]
    pub(crate) connect: ConnectArgs,

    /// An agent's console silent this long is taken as gone: the agent goes
    /// offline and its chats back to the queue (it gets them back by
    /// reconnecting sooner).
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    pub(crate) agent_timeout_secs: u64,

    /// A shopper with a chat open whose page is silent this long is taken
    /// as gone: a waiting chat counts as abandoned, an answered one ends.
    #[arg(long, default_value_t = 45, value_name = "SECS")]
    pub(crate) shopper_timeout_secs: u64,
}

#[derive(Debug, Args)]
pub(crate) struct GateArgs {
    /// The gate's configuration, as written by `floorwalker auth init`.
    #[arg(long, env = "FLOORWALKER_GATE_CONFIG", value_name = "FILE")]
    pub(crate) config: PathBuf,

    /// The nats-server to serve.
    #[arg(
        long,
        env = "NATS_URL",
        default_value = "nats://127.0.0.1:4222",
        value_name = "URL"
    )]
    pub(crate) server: String,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AuthCommand {
    /// Create new keys and credentials in a directory: gate.toml (the gate's
    /// config), <role>.creds for admin, dashboard, agent, tail, simulator and
    /// router, and nats-auth.conf (include it in nats-server's config). Every
    /// file is readable by you only. Prints the nats-server block.
    #[command(
        after_help = "Example:\n  floorwalker auth init --dir ./auth --site shoes --site hats"
    )]
    Init(AuthInitArgs),

    /// Admit one more operator: adds the user to gate.toml with a new
    /// password and writes <USER>.creds beside it. Each agent gets their own
    /// (they act under their own name). Restart the gate to admit them.
    #[command(after_help = "Example:\n  floorwalker auth add --dir ./auth --role agent --user ana")]
    Add(AuthAddArgs),
}

#[derive(Debug, Args)]
pub(crate) struct AuthAddArgs {
    /// The directory `auth init` wrote.
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: PathBuf,

    /// The role: admin, dashboard, agent, tail, simulator or router.
    #[arg(long, value_name = "ROLE")]
    pub(crate) role: floorwalker::gate::policy::Role,

    /// The user name ([A-Za-z0-9_-], up to 64); what shoppers see for an
    /// agent. An existing user of that name gets a new password.
    #[arg(long, value_name = "USER")]
    pub(crate) user: String,
}

#[derive(Debug, Args)]
pub(crate) struct AuthInitArgs {
    /// Where to write the files.
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: PathBuf,

    /// A site whose shoppers the gate admits ([a-z0-9-], up to 32); repeat
    /// for several.
    #[arg(long = "site", value_name = "SITE", required = true)]
    pub(crate) sites: Vec<String>,

    /// Replace existing files (every old credential stops working).
    #[arg(long)]
    pub(crate) force: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Port for NATS clients (dashboard, agents, simulator); 0 picks a free one.
    #[arg(long, default_value_t = 4222, value_name = "PORT")]
    pub(crate) port: u16,

    /// Port for browsers (the storefront plugin speaks NATS over WebSocket);
    /// 0 picks a free one.
    #[arg(long, default_value_t = 4223, value_name = "PORT")]
    pub(crate) ws_port: u16,

    /// Port for the demo shop's web pages; 0 picks a free one.
    #[arg(long, default_value_t = 4280, value_name = "PORT")]
    pub(crate) shop_port: u16,

    /// Do not open the dashboard: run the services, say where, and wait for
    /// q or Ctrl-C.
    #[arg(long)]
    pub(crate) no_dashboard: bool,

    /// Simulated agents (bots named ana, ben and cleo) answering chats, 0 to
    /// 3; with fewer than needed, shoppers wait in the queue.
    #[arg(long, default_value_t = 2, value_name = "N",
          value_parser = clap::value_parser!(u8).range(0..=3))]
    pub(crate) agents: u8,

    /// Simulated shoppers on the demo shop at once (0 for none).
    #[arg(long, default_value_t = 12, value_name = "N")]
    pub(crate) shoppers: usize,

    /// How much faster than real time the simulated shoppers act.
    #[arg(long, default_value_t = 1.0, value_name = "FACTOR")]
    pub(crate) speed: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn demo_takes_ports() {
        let cli = Cli::try_parse_from(["floorwalker", "demo", "--port", "0", "--ws-port", "9000"])
            .unwrap();
        let Some(Command::Demo(args)) = cli.command else {
            panic!("not demo")
        };
        assert_eq!((args.port, args.ws_port), (0, 9000));
        assert!(Cli::try_parse_from(["floorwalker", "demo", "--port", "http"]).is_err());
    }

    #[test]
    fn no_command_is_the_dashboard() {
        let cli =
            Cli::try_parse_from(["floorwalker", "--site", "shoes", "--creds", "d.creds"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(
            cli.dashboard.site.as_ref().map(SiteId::as_str),
            Some("shoes")
        );
    }
}
