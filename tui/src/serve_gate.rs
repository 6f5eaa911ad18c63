//! `floorwalker gate`: runs the gate until Ctrl-C or SIGTERM, then reports.

use color_eyre::eyre::{Result, WrapErr};
use floorwalker::gate::config::GateConfig;
use floorwalker::gate::service;
use tokio::signal::unix::{SignalKind, signal};

use crate::cli::GateArgs;

pub(crate) async fn run(args: &GateArgs) -> Result<()> {
    let config = GateConfig::load(&args.config)?;
    let mut sigint = signal(SignalKind::interrupt()).wrap_err("listening for SIGINT")?;
    let mut sigterm = signal(SignalKind::terminate()).wrap_err("listening for SIGTERM")?;
    let shutdown = async move {
        tokio::select! {
            _ = sigint.recv() => {}
            _ = sigterm.recv() => {}
        }
    };
    let sites = config.sites.join(", ");
    let ready = || println!("gate: ready; serving sites {sites} on {}", args.server);
    let stats = service::run(&config, &args.server, ready, shutdown).await?;
    println!("gate: stopped. Since start:\n{stats}");
    Ok(())
}
