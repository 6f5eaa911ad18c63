//! `floorwalker router`: runs the chat router until Ctrl-C or SIGTERM, then
//! reports.

use std::path::Path;

use color_eyre::eyre::Result;
use floorwalker::router::{self, RouterConfig};

use crate::cli::RouterArgs;
use crate::connect;

pub(crate) async fn run(args: &RouterArgs, data_dir: &Path) -> Result<()> {
    let (creds, client) = connect::operator(
        &args.connect.server,
        args.connect.creds.as_deref(),
        data_dir,
        "router",
        "floorwalker-router",
    )
    .await?;
    let shutdown = crate::signals::stop()?;
    let config = RouterConfig {
        agent_timeout_ms: args.agent_timeout_secs.saturating_mul(1_000),
        shopper_timeout_ms: args.shopper_timeout_secs.saturating_mul(1_000),
    };
    let server = args.connect.server.clone();
    let ready = move || println!("router: ready on {server}");
    let counts = router::run(client, creds.user.clone(), config, ready, shutdown).await?;
    println!(
        "router: stopped. Since start: {} pushes to shoppers, {} agents lost, {} shoppers gone, {} incidents opened, {} chat facts refused",
        counts.pushes, counts.agents_lost, counts.shoppers_gone, counts.incidents, counts.refused
    );
    Ok(())
}
