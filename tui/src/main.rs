//! `floorwalker`: the live-assist console for online retail.
//!
//! `main` installs error reporting and logging, parses the command line
//! ([`cli`]) and hands over to the command's module in [`cmd`]; what the
//! two screens share is in [`ui`], the services they run are the library's.
//! Dependencies point one way: `cli` → `cmd` → `ui` → the library.

mod cli;
mod cmd;
mod ui;

use std::process::ExitCode;

use clap::Parser;
use color_eyre::eyre::Result;

use crate::cli::{Cli, Command, logging, paths};
use crate::cmd::{
    agent, auth, dashboard, demo, doctor, gate, intake, learn, router, setup, simulate, tail,
};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // What went wrong and what to do, on one line, for the person
            // at the terminal: the chain of causes, without colour (the log
            // keeps it too) and without a backtrace, which says nothing to
            // them. Panics are bugs and keep color-eyre's full report.
            let line = format!("{err:#}");
            tracing::error!("{line}");
            eprintln!("floorwalker: {line}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<()> {
    install_error_reports()?;
    let cli = Cli::parse();
    let chosen_data_dir = cli.data_dir.is_some();
    let data_dir = paths::data_dir(cli.data_dir)?;
    let log_file = cli
        .log_file
        .unwrap_or_else(|| data_dir.join("logs").join("floorwalker.log"));
    logging::init(&log_file)?;
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "floorwalker starting");
    match cli.command {
        None => dashboard::run(&cli.dashboard, &data_dir, &log_file).await,
        Some(Command::Demo(args)) => {
            let chosen = chosen_data_dir.then_some(data_dir.as_path());
            demo::run(&args, &data_dir, chosen, &log_file).await
        }
        Some(Command::Gate(args)) => gate::run(&args).await,
        Some(Command::Simulate(args)) => simulate::run(&args).await,
        Some(Command::Router(args)) => router::run(&args, &data_dir).await,
        Some(Command::Intake(args)) => intake::run(&args, &data_dir).await,
        Some(Command::Learn(args)) => learn::run(&args, &data_dir).await,
        Some(Command::Setup(args)) => setup::run(&args, &data_dir).await,
        Some(Command::Doctor(args)) => doctor::run(&args, &data_dir).await,
        Some(Command::Tail(args)) => tail::run(&args, &data_dir).await,
        Some(Command::Agent(args)) => agent::run(&args, &data_dir).await,
        Some(Command::Auth(command)) => auth::run(&command).await,
    }
}

/// Panic reports for people, not developers: no source locations, and no
/// colour when stderr is not a terminal or `NO_COLOR` is set. (Errors are
/// printed by `main`, one line each.)
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
