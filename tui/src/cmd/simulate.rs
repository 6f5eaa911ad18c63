//! `floorwalker simulate`: simulated shoppers until Ctrl-C or SIGTERM, with
//! a line of counts every ten seconds (`--every`) and at the end.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use color_eyre::eyre::{Result, WrapErr, eyre};
use floorwalker::simulate::{self, Counters};
use floorwalker_shared::subject::SiteId;

use crate::cmd::args::{ServerArg, site_id};

#[derive(Debug, Args)]
pub(crate) struct SimulateArgs {
    /// nats-server's WebSocket URL (what storefront pages connect to).
    #[arg(
        long,
        env = "FLOORWALKER_WS_URL",
        default_value = "ws://127.0.0.1:4223",
        value_name = "URL"
    )]
    pub(crate) ws: String,

    /// The storefront origin to connect from; the server's WebSocket
    /// listener must allow it.
    #[arg(long, default_value = "http://localhost:4280", value_name = "ORIGIN")]
    pub(crate) origin: String,

    /// The site the shoppers are on (the gate must admit it).
    #[arg(long, default_value = "demo", value_name = "SITE", value_parser = site_id)]
    pub(crate) site: SiteId,

    /// How many shoppers are on the site at once; one who leaves is
    /// replaced. The gate bounds connection attempts per address (3000 a
    /// minute by default, `connects_per_address_per_minute` in its config):
    /// raise it for runs of several thousand from one machine.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub(crate) shoppers: usize,

    /// Relative numbers of each kind: browsers (look around), comparers
    /// (toggle between two products and linger), abandoners (leave in the
    /// checkout), buyers.
    #[arg(
        long,
        default_value = "browsers=4,comparers=2,abandoners=2,buyers=2",
        value_name = "MIX"
    )]
    pub(crate) mix: floorwalker::simulate::Mix,

    /// How much faster than real time shoppers act (2 halves every pause).
    #[arg(long, default_value_t = 1.0, value_name = "FACTOR")]
    pub(crate) speed: f64,

    /// How often to print the counts, in seconds.
    #[arg(long = "every", default_value_t = 10, value_name = "SECS")]
    pub(crate) every_secs: u64,

    /// Seed, for a repeatable run.
    #[arg(long, value_name = "N")]
    pub(crate) seed: Option<u64>,

    /// An agent bot's credentials file (role `simulator` or `agent`; make
    /// more with `floorwalker auth add`); repeat for more bots. The bots
    /// claim and answer chats through nats-server at --server.
    #[arg(long = "bot-creds", value_name = "FILE")]
    pub(crate) bot_creds: Vec<PathBuf>,

    /// Where the agent bots connect.
    #[command(flatten)]
    pub(crate) nats: ServerArg,
}

pub(crate) async fn run(args: &SimulateArgs) -> Result<()> {
    if args.every_secs == 0 {
        return Err(eyre!("--every must be at least 1 second"));
    }
    if !(args.speed > 0.0 && args.speed <= 1_000.0) {
        return Err(eyre!(
            "--speed must be above 0 and at most 1000, not {}",
            args.speed
        ));
    }
    let options = simulate::Options {
        ws_url: args.ws.clone(),
        origin: args.origin.clone(),
        site: args.site.clone(),
        shoppers: args.shoppers,
        mix: args.mix,
        speed: args.speed,
        seed: args.seed.unwrap_or_else(|| fastrand::u64(..)),
    };
    let signal = crate::cmd::signals::stop()?;
    println!(
        "simulate: {} shoppers ({}) on site '{}' through {} as {}; Ctrl-C stops",
        options.shoppers, options.mix, options.site, options.ws_url, options.origin
    );
    let counters = Arc::new(Counters::default());
    let report = {
        let counters = counters.clone();
        async move {
            let mut every = tokio::time::interval(Duration::from_secs(args.every_secs));
            every.tick().await;
            loop {
                every.tick().await;
                println!("simulate: {counters}");
            }
        }
    };
    let stop = async move {
        tokio::select! {
            () = signal => {}
            () = report => {}
        }
    };
    let bots = args
        .bot_creds
        .iter()
        .map(|path| {
            let creds = crate::cmd::args::load(path)
                .wrap_err("reading an agent bot's credentials (--bot-creds)")?;
            Ok(simulate::agents::Bot { creds, capacity: 2 })
        })
        .collect::<Result<Vec<_>>>()?;
    let (bots_stop, bots_stopped) = tokio::sync::oneshot::channel::<()>();
    let bots = (!bots.is_empty()).then(|| {
        println!(
            "simulate: {} agent bots through {}",
            bots.len(),
            args.nats.server
        );
        tokio::spawn(simulate::agents::run(
            args.nats.server.clone(),
            bots,
            args.speed,
            options.seed,
            async {
                let _ = bots_stopped.await;
            },
        ))
    });
    simulate::run(options, counters.clone(), stop).await;
    let _ = bots_stop.send(());
    if let Some(bots) = bots {
        let _ = bots.await;
    }
    println!("simulate: stopped. {counters}");
    Ok(())
}
