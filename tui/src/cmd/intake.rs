//! `floorwalker intake`: runs the intake until Ctrl-C or SIGTERM, then
//! reports.

use std::path::{Path, PathBuf};

use clap::Args;
use color_eyre::eyre::{Result, WrapErr};
use floorwalker::intake::{self, Bounds, IntakeConfig};
use floorwalker::streams;

use crate::cmd::args::{self, ConnectArgs};

#[derive(Debug, Args)]
pub(crate) struct IntakeArgs {
    #[command(flatten)]
    pub(crate) connect: ConnectArgs,

    /// A TOML file of bounds on what a session and an address may send and
    /// store (docs/LIMITS.md lists them with their defaults); a bound the
    /// file leaves out keeps its default.
    #[arg(long, value_name = "FILE")]
    pub(crate) bounds: Option<PathBuf>,

    /// This intake's name in its reports (several may share the work).
    #[arg(long, value_name = "NAME")]
    pub(crate) name: Option<String>,
}

pub(crate) async fn run(args: &IntakeArgs, data_dir: &Path) -> Result<()> {
    let bounds = match &args.bounds {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .wrap_err_with(|| format!("cannot read the bounds file '{}'", path.display()))?;
            toml::from_str::<Bounds>(&text).map_err(|e| {
                color_eyre::eyre::eyre!(
                    "'{}' is not a bounds file: {}",
                    path.display(),
                    e.message()
                )
            })?
        }
        None => Bounds::default(),
    };
    let creds = args.connect.creds(data_dir, "intake")?;
    let client = args::connect(
        &args.connect.nats.server,
        &creds,
        "floorwalker-intake",
        None,
    )
    .await?;
    // Without them nothing a shopper sends is kept: a deployment to fix,
    // not to wait on.
    let needs = [streams::RAW, streams::EVENTS, streams::CHATS];
    streams::require(&client, &needs)
        .await
        .wrap_err("the intake cannot start")?;
    let shutdown = crate::cmd::signals::stop()?;
    let config = IntakeConfig {
        instance: args
            .name
            .clone()
            .unwrap_or_else(|| format!("{}-{}", creds.user, std::process::id())),
        bounds,
        // Every intake of a deployment shares its credentials, so its ids.
        key: creds.seed().as_bytes().to_vec(),
    };
    let server = args.connect.nats.server.clone();
    let ready = move || println!("intake: ready on {server}");
    // Said once, not every two seconds.
    let said = std::cell::Cell::new(false);
    let waiting = |why: &str| {
        if !said.replace(true) {
            eprintln!("intake: waiting: {why}; trying again every 2 s");
        }
    };
    let report = intake::run(client, config, ready, waiting, shutdown).await?;
    let refused: u64 = report.refused.iter().map(|c| c.n).sum();
    println!(
        "intake: stopped. Since start: {} batches and {} chat facts stored, {refused} refused",
        report.stored_events, report.stored_facts
    );
    Ok(())
}
