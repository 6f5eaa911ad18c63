//! `floorwalker learn`: runs the learning service until Ctrl-C or SIGTERM,
//! then reports.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use color_eyre::eyre::{Result, WrapErr, bail};
use floorwalker::learn::{self, LearnConfig, LearnOptions};
use floorwalker::streams;
use floorwalker_shared::memory::{DAY_MS, MemoryConfig};
use floorwalker_shared::pages::PageConfig;

use crate::cmd::args::{self, ConnectArgs};

#[derive(Debug, Args)]
pub(crate) struct LearnArgs {
    #[command(flatten)]
    pub(crate) connect: ConnectArgs,

    /// How many days back the figures look (and the streams are read at
    /// start); EVENTS must keep at least this long (`floorwalker setup`).
    #[arg(long, default_value_t = 7, value_name = "DAYS")]
    pub(crate) window_days: u32,

    /// A visitor's visits and chats older than this are forgotten.
    #[arg(long, default_value_t = 180, value_name = "DAYS")]
    pub(crate) keep_days: u32,

    /// Visits kept in detail per visitor; older ones are kept as counts.
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub(crate) max_visits: usize,

    /// A TOML file of page patterns and bounds for the page statistics:
    /// `patterns = ["/product/*", "/help/**"]` groups paths (`*` one
    /// segment, `**` the rest); paths no pattern matches have numbers and
    /// ids collapsed (`/order/12345` is `/order/:id`). Fields left out
    /// keep their defaults (docs/ARCHITECTURE.md).
    #[arg(long, value_name = "FILE")]
    pub(crate) pages: Option<PathBuf>,
}

pub(crate) async fn run(args: &LearnArgs, data_dir: &Path) -> Result<()> {
    if args.window_days == 0 || args.keep_days == 0 || args.max_visits == 0 {
        bail!("--window-days, --keep-days and --max-visits must each be at least 1");
    }
    let mut pages = match &args.pages {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .wrap_err_with(|| format!("cannot read the pages file '{}'", path.display()))?;
            toml::from_str::<PageConfig>(&text).map_err(|e| {
                color_eyre::eyre::eyre!("'{}' is not a pages file: {}", path.display(), e.message())
            })?
        }
        None => PageConfig::default(),
    };
    pages.window_ms = u64::from(args.window_days) * DAY_MS;
    let creds = args.connect.creds(data_dir, "learner")?;
    let client =
        args::connect(&args.connect.nats.server, &creds, "floorwalker-learn", None).await?;
    let needs = [
        streams::EVENTS,
        streams::AUDIT,
        streams::VISITORS_STREAM,
        streams::INSIGHTS_STREAM,
    ];
    streams::require(&client, &needs)
        .await
        .wrap_err("the learning service cannot start")?;
    let shutdown = crate::cmd::signals::stop()?;
    let options = LearnOptions {
        config: LearnConfig {
            memory: MemoryConfig {
                keep_ms: u64::from(args.keep_days) * DAY_MS,
                max_visits: args.max_visits,
                ..MemoryConfig::default()
            },
            pages,
            ..LearnConfig::default()
        },
        window: Duration::from_secs(u64::from(args.window_days) * 24 * 3_600),
    };
    let server = args.connect.nats.server.clone();
    let ready = move || println!("learn: ready on {server}");
    let report = learn::run(client, options, ready, shutdown).await?;
    println!(
        "learn: stopped. Since start: {} batches and {} chat facts folded, {} refused; \
         {} memories read, {} written, {} writes failed",
        report.counts.batches,
        report.counts.facts,
        report.counts.refused,
        report.loaded,
        report.written,
        report.failed,
    );
    Ok(())
}
