//! `floorwalker simulate`: simulated shoppers until Ctrl-C or SIGTERM, with
//! a line of counts every ten seconds and at the end.

use std::sync::Arc;
use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr, eyre};
use floorwalker::creds::OperatorCreds;
use floorwalker::simulate::{self, Counters};

use crate::cli::SimulateArgs;

pub(crate) async fn run(args: &SimulateArgs) -> Result<()> {
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
    let signal = crate::signals::stop()?;
    println!(
        "simulate: {} shoppers ({}) on site '{}' through {} as {}; Ctrl-C stops",
        options.shoppers, options.mix, options.site, options.ws_url, options.origin
    );
    let counters = Arc::new(Counters::default());
    let report = {
        let counters = counters.clone();
        async move {
            let mut every = tokio::time::interval(Duration::from_secs(10));
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
            let creds = OperatorCreds::load(path).wrap_err_with(|| {
                format!("reading the agent bot's credentials '{}'", path.display())
            })?;
            Ok(simulate::agents::Bot { creds, capacity: 2 })
        })
        .collect::<Result<Vec<_>>>()?;
    let (bots_stop, bots_stopped) = tokio::sync::oneshot::channel::<()>();
    let bots = (!bots.is_empty()).then(|| {
        println!(
            "simulate: {} agent bots through {}",
            bots.len(),
            args.server
        );
        tokio::spawn(simulate::agents::run(
            args.server.clone(),
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
