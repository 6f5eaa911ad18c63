//! `floorwalker gate`: runs the gate until Ctrl-C or SIGTERM, then reports.

use color_eyre::eyre::Result;
use floorwalker::gate::config::GateConfig;
use floorwalker::gate::service;

use crate::cli::GateArgs;

pub(crate) async fn run(args: &GateArgs) -> Result<()> {
    let config = GateConfig::load(&args.config)?;
    let shutdown = crate::signals::stop()?;
    let sites = config.sites.join(", ");
    let ready = || println!("gate: ready; serving sites {sites} on {}", args.server);
    let stats = service::run(&config, &args.server, ready, shutdown).await?;
    println!("gate: stopped. Since start:\n{stats}");
    Ok(())
}
