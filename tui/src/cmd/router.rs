//! `floorwalker router`: runs the chat router until Ctrl-C or SIGTERM, then
//! reports.

use std::path::Path;

use clap::Args;
use color_eyre::eyre::{Result, WrapErr};
use floorwalker::router::{self, RouterConfig};
use floorwalker::streams;

use crate::cmd::args::{self, ConnectArgs};

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

pub(crate) async fn run(args: &RouterArgs, data_dir: &Path) -> Result<()> {
    let creds = args.connect.creds(data_dir, "router")?;
    let client = args::connect(
        &args.connect.nats.server,
        &creds,
        "floorwalker-router",
        None,
    )
    .await?;
    // The router folds AUDIT and reads shoppers' journeys from EVENTS.
    streams::require(&client, &[streams::AUDIT, streams::EVENTS])
        .await
        .wrap_err("the router cannot start")?;
    let shutdown = crate::cmd::signals::stop()?;
    let config = RouterConfig {
        agent_timeout_ms: args.agent_timeout_secs.saturating_mul(1_000),
        shopper_timeout_ms: args.shopper_timeout_secs.saturating_mul(1_000),
    };
    let server = args.connect.nats.server.clone();
    let ready = move || println!("router: ready on {server}");
    let counts = router::run(client, creds.user.clone(), config, ready, shutdown).await?;
    println!(
        "router: stopped. Since start: {} pushes to shoppers, {} agents lost, {} shoppers gone, {} incidents opened, {} chat facts refused",
        counts.pushes, counts.agents_lost, counts.shoppers_gone, counts.incidents, counts.refused
    );
    Ok(())
}
