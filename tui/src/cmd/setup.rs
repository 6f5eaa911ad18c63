//! `floorwalker setup`: shows what the server lacks of the streams and
//! consumer Floorwalker needs, asks before changing an existing stream's
//! limits, then creates or updates them (the library's
//! [`floorwalker::streams::setup`]).

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use clap::Args;
use color_eyre::eyre::{Result, WrapErr, bail, eyre};
use floorwalker::streams::setup::{self, Rights, SetupErrorKind};

use crate::cmd::args::{self, ConnectArgs};

#[derive(Debug, Args)]
pub(crate) struct SetupArgs {
    #[command(flatten)]
    pub(crate) connect: ConnectArgs,

    /// Print the plan (what would be created or changed, old → new) and
    /// change nothing.
    #[arg(long, visible_alias = "dry-run")]
    pub(crate) plan: bool,

    /// Change existing streams' limits without asking (for scripts). Without
    /// it, setup asks on a terminal and refuses elsewhere.
    #[arg(long, short = 'y')]
    pub(crate) yes: bool,
}

/// The line that refuses a user who may not manage streams.
fn denied(user: &str) -> String {
    format!(
        "the user '{user}' may not manage streams: run setup with the admin credentials \
         (auth init wrote admin.creds)"
    )
}

pub(crate) async fn run(args: &SetupArgs, data_dir: &Path) -> Result<()> {
    let creds = args.connect.creds(data_dir, "admin")?;
    let server = &args.connect.nats.server;
    let client = args::connect(server, &creds, "floorwalker-setup", None).await?;
    let plan = setup::survey(&client)
        .await
        .wrap_err_with(|| format!("reading the streams on '{server}'"))?;
    println!("Streams and consumers Floorwalker needs on {server}:");
    println!("{plan}");
    if plan.is_unchanged() {
        println!("setup: everything is as Floorwalker needs it; nothing to change");
        return Ok(());
    }
    if args.plan {
        println!("setup: --plan: nothing changed (run without --plan to apply)");
        return Ok(());
    }
    if let Some(item) = plan.blocked().next() {
        bail!(
            "'{}' has a setting the server cannot change in place (above): remove it (e.g. \
             `nats stream rm {}`, losing what it holds) and run `floorwalker setup` again; \
             nothing changed",
            item.name,
            item.name
        );
    }
    if setup::rights(&client).await == Rights::Denied {
        bail!(denied(&creds.user));
    }
    if plan.updates_existing() && !args.yes {
        if !std::io::stdin().is_terminal() {
            bail!(
                "setup would change the limits of existing streams (above) and asks first: \
                 nothing changed; pass --yes to change them"
            );
        }
        print!("Change the limits of the existing streams above? [y/N] ");
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("setup: nothing changed");
            return Ok(());
        }
    }
    let done = setup::apply(&client, &plan).await.map_err(|e| {
        if e.kind() == SetupErrorKind::Denied {
            eyre!(e).wrap_err(denied(&creds.user))
        } else {
            eyre!(e)
        }
    })?;
    for line in done {
        println!("setup: {line}");
    }
    println!("setup: done");
    Ok(())
}
