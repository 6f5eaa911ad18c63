//! The binary's edge: the command line (`floorwalker <COMMAND>`, each
//! command's own arguments beside it in `cmd/<command>`), where files live
//! ([`paths`]) and where logs go ([`logging`]).

pub(crate) mod logging;
pub(crate) mod paths;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::cmd::dashboard::DashboardArgs;
use crate::cmd::{agent, auth, demo, doctor, gate, intake, learn, router, setup, simulate, tail};

/// Floorwalker: see live who is on your storefront, where they are stuck, and
/// reach the right shopper at the right time, from a terminal.
///
/// Without a command, opens the supervisor's dashboard.
#[derive(Debug, Parser)]
#[command(
    name = "floorwalker",
    version,
    after_help = "Examples:\n  floorwalker demo                      # everything, locally\n  \
    floorwalker --server nats://nats.internal:4222 --name sam --creds ./auth/sam.creds\n  \
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
    Demo(demo::DemoArgs),

    /// The gate: nats-server's auth-callout service. Admits shoppers to their
    /// own session's subjects only; refuses and counts everyone else without
    /// credentials (operators and services sign in with `.creds` files the
    /// server checks itself). Prints its counts when stopped (Ctrl-C,
    /// SIGTERM) and answers status requests on `fw.gate.status`.
    #[command(
        after_help = "Example:\n  floorwalker auth init --dir ./auth --site shoes\n  \
        # include ./auth/nats-auth.conf in nats-server's config, then:\n  \
        floorwalker gate --config ./auth/gate.toml --server nats://127.0.0.1:4222"
    )]
    Gate(gate::GateArgs),

    /// Simulated shoppers: native clients that connect through the gate over
    /// WebSocket exactly as the storefront plugin does, browse, compare,
    /// abandon carts, buy, ask for help and answer the survey, until Ctrl-C;
    /// with --bot-creds, agent bots answer them. Prints counts every ten
    /// seconds.
    #[command(
        after_help = "Examples:\n  floorwalker simulate --ws ws://127.0.0.1:4223 --origin http://localhost:4280 --site demo\n  \
        floorwalker simulate --shoppers 50 --mix browsers=1,abandoners=3 --speed 4"
    )]
    Simulate(simulate::SimulateArgs),

    /// The agents' console: claim waiting chats, see the shopper's journey
    /// beside the conversation, reply, end chats, take incidents. Everything
    /// it does is recorded in JetStream; a console that restarts finds its
    /// chats and their transcripts as they were.
    #[command(
        after_help = "Examples:\n  floorwalker agent --name alex                # the demo's agent 'alex'\n  \
        floorwalker agent --name ana --creds ./auth/ana.creds --server nats://nats.internal:4222 --capacity 3"
    )]
    Agent(agent::AgentArgs),

    /// Live figures for on-call staff: queue, answer and response times,
    /// service level, agents, satisfaction, every few seconds, as lines or
    /// JSON lines (`--json`). Needs no terminal. `--alert` thresholds print
    /// an alert line when crossed (and a clear line when no longer), and with
    /// `--exit-on-alert` end the command with status 2.
    #[command(after_help = "Examples:\n  floorwalker tail --every 5\n  \
        floorwalker tail --json | jq .average_answer_ms\n  \
        floorwalker tail --alert 'longest_wait>60' --alert 'service_level<80' --exit-on-alert")]
    Tail(tail::TailArgs),

    /// The chat router: tells waiting shoppers their place in the queue and
    /// the wait to expect, delivers agents' messages, sends the survey when a
    /// chat ends, opens an incident on a "No", and returns the chats of an
    /// agent who went silent to the queue. Run one per deployment, beside
    /// the gate. Prints its counts when stopped (Ctrl-C, SIGTERM).
    #[command(
        after_help = "Example:\n  floorwalker router --server nats://127.0.0.1:4222 --creds ./auth/router.creds"
    )]
    Router(router::RouterArgs),

    /// The intake: the one way what shoppers send reaches the streams. It
    /// stores each event batch and chat fact on the sender's own subject,
    /// answers a fact on the sender's own inbox only, and refuses (and
    /// counts, by reason, on `fw.intake.report`) what breaks the schema or
    /// the bounds on what a session and an address may send and store. Run
    /// one per deployment, beside the gate and the router; without it no
    /// shopper's batch or chat reaches operators. Prints its counts when
    /// stopped (Ctrl-C, SIGTERM).
    #[command(
        after_help = "Example:\n  floorwalker intake --server nats://127.0.0.1:4222 --creds ./auth/intake.creds\n  \
        floorwalker intake --bounds ./intake-bounds.toml   # tighter or looser bounds (docs/LIMITS.md)"
    )]
    Intake(intake::IntakeArgs),

    /// The learning service: folds the streams into each visitor's memory
    /// across visits (kept in the VISITORS bucket, 180 days by default) and
    /// what the floor teaches per site (visits before a first purchase, in
    /// the INSIGHTS bucket), which the dashboard, agents' consoles and
    /// `tail` show. Run one per deployment; a replay or a restart never
    /// counts a visit twice, and after the bucket is lost it rebuilds what
    /// the streams still hold. Prints its counts when stopped (Ctrl-C,
    /// SIGTERM).
    #[command(
        after_help = "Example:\n  floorwalker learn --server nats://127.0.0.1:4222 --creds ./auth/learner.creds"
    )]
    Learn(learn::LearnArgs),

    /// Create or update the JetStream streams and the consumer Floorwalker
    /// needs (EVENTS, AUDIT, CHATS, RAW and the intakes' consumer, with the
    /// limits docs/ARCHITECTURE.md lists). Shows a plan first: each item
    /// created, unchanged, or updated with each differing limit old → new;
    /// asks before changing an existing stream's limits. Run it once as the
    /// admin before the gate's services, and again after an upgrade; running
    /// it twice changes nothing.
    #[command(after_help = "Examples:\n  \
        floorwalker setup --server nats://nats.internal:4222 --creds ./auth/admin.creds\n  \
        floorwalker setup --plan     # show what would change, change nothing (any operator may)\n  \
        floorwalker setup --yes      # in a script: change existing limits without asking\n\n\
        A plan reads, one line per stream or consumer:\n  \
        create        stream   EVENTS      shoppers' event batches: …\n  \
        unchanged     stream   AUDIT       every chat fact and offer, …\n  \
        update        stream   RAW         what shoppers sent, …\n      \
        max_age           2h → 1h\n\n\
        Only the admin role may create streams: use the admin.creds `floorwalker auth init` \
        wrote (--creds defaults to the demo's).")]
    Setup(setup::SetupArgs),

    /// Check a deployment: nats-server's version, the auth callout and the
    /// gate, JetStream, every stream and consumer as `setup` makes them, a
    /// recent intake report, the router's connection and (with --websocket)
    /// the listener browsers use, as a browser opens it (TLS for wss://,
    /// then the upgrade from --origin). Prints one line per check, `ok` or
    /// `problem` with what to do, and exits with status 1 if any check
    /// finds a problem. Use the admin's credentials to check everything.
    #[command(after_help = "Examples:\n  \
        floorwalker doctor --server nats://nats.internal:4222 --creds ./auth/admin.creds\n  \
        floorwalker doctor --websocket wss://nats.example:443 --origin https://shop.example\n  \
        floorwalker doctor --websocket wss://127.0.0.1:8443 --origin http://127.0.0.1:8080 --ca ./my-ca.pem\n  \
        floorwalker doctor && echo healthy    # status 1 if any check finds a problem\n\n\
        Each line reads `ok`, `problem` and what to do, or `skipped` when these credentials \
        may not look (finding the router needs the admin's).")]
    Doctor(doctor::DoctorArgs),

    /// Credentials: a deployment's operator, accounts and gate keys, one
    /// credentials file per operator, and the nats-server config that trusts
    /// them; changes go to the running server without a restart.
    #[command(subcommand)]
    Auth(auth::AuthCommand),
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use floorwalker_shared::subject::SiteId;

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
        let cli = Cli::try_parse_from(["floorwalker", "--name", "sam"]).unwrap();
        assert_eq!(cli.dashboard.name.as_deref(), Some("sam"));
    }
}
