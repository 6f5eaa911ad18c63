//! `floorwalker gate`: runs the gate until Ctrl-C or SIGTERM, then reports.

use std::path::PathBuf;

use clap::Args;

use crate::cmd::args::ServerArg;
use color_eyre::eyre::Result;
use floorwalker::gate::config::GateConfig;
use floorwalker::gate::service;

#[derive(Debug, Args)]
pub(crate) struct GateArgs {
    /// The gate's configuration, as written by `floorwalker auth init`.
    #[arg(long, env = "FLOORWALKER_GATE_CONFIG", value_name = "FILE")]
    pub(crate) config: PathBuf,

    /// The nats-server to serve.
    #[command(flatten)]
    pub(crate) nats: ServerArg,
}

pub(crate) async fn run(args: &GateArgs) -> Result<()> {
    let config = GateConfig::load(&args.config)?;
    let shutdown = crate::cmd::signals::stop()?;
    let sites = config.sites.join(", ");
    let ready = || println!("gate: ready; serving sites {sites} on {}", args.nats.server);
    let stats = service::run(&config, &args.nats.server, ready, shutdown).await?;
    println!("gate: stopped. Since start:\n{stats}");
    Ok(())
}
