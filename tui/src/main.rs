//! `floorwalker`: the live-assist console for online retail.
//!
//! `main` installs error reporting and logging, parses the command line and
//! hands over to the subcommand's module: [`dashboard`] (no command) is the
//! supervisor's screen, [`demo`] runs everything locally, [`serve_gate`]
//! runs the gate, [`run_router`] the chat router, [`run_simulate`] runs
//! simulated shoppers, [`auth_init`]
//! makes credentials, [`agent`] is the agents' console and [`tail`] the
//! live figures for on-call staff.

mod agent;
mod auth_init;
mod cli;
mod connect;
mod dashboard;
mod demo;
mod logging;
mod paths;
mod run_router;
mod run_simulate;
mod serve_gate;
mod signals;
mod tail;
mod transcript;

use clap::Parser;
use color_eyre::eyre::Result;

use crate::cli::{AuthCommand, Cli, Command};

#[tokio::main]
async fn main() -> Result<()> {
    install_error_reports()?;
    let cli = Cli::parse();
    let data_dir = paths::data_dir(cli.data_dir)?;
    let log_file = cli
        .log_file
        .unwrap_or_else(|| data_dir.join("logs").join("floorwalker.log"));
    logging::init(&log_file)?;
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "floorwalker starting");
    let outcome = match cli.command {
        None => dashboard::run(&cli.dashboard, &data_dir, &log_file).await,
        Some(Command::Demo(args)) => demo::run(&args, &data_dir, &log_file).await,
        Some(Command::Gate(args)) => serve_gate::run(&args).await,
        Some(Command::Simulate(args)) => run_simulate::run(&args).await,
        Some(Command::Router(args)) => run_router::run(&args, &data_dir).await,
        Some(Command::Tail(args)) => tail::run(&args, &data_dir).await,
        Some(Command::Agent(args)) => agent::run(&args, &data_dir).await,
        Some(Command::Auth(AuthCommand::Init(args))) => auth_init::run(&args),
        Some(Command::Auth(AuthCommand::Add(args))) => auth_init::add(&args),
    };
    if let Err(err) = &outcome {
        tracing::error!("{err:?}");
    }
    outcome
}

/// Error reports for people, not developers: no source locations, and no
/// colour when stderr is not a terminal or `NO_COLOR` is set.
fn install_error_reports() -> Result<()> {
    use std::io::IsTerminal;
    let plain = !std::io::stderr().is_terminal()
        || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let hooks = color_eyre::config::HookBuilder::default()
        .display_location_section(false)
        .display_env_section(false);
    let hooks = if plain {
        hooks.theme(color_eyre::config::Theme::new())
    } else {
        hooks
    };
    hooks.install()
}
