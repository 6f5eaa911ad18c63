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
    /// Besides its keys it holds the bounds on connection
    /// attempts (each page a shopper opens is one):
    /// `connects_per_session_per_minute`, 30 by default (a bucket of 30 per
    /// shopper session, refilled at one every 2 s), and
    /// `connects_per_address_per_minute`, 3000 by default (a flood bound per
    /// client address, an IPv6 one by its /64); 0 turns one off. Behind a
    /// reverse proxy every connection comes from the proxy's address:
    /// `floorwalker auth proxy` lists it in `trusted_proxies` and makes the
    /// proxy's configuration, so that it tells the gate each shopper's
    /// address. docs/LIMITS.md says why, and docs/DEPLOY.md how.
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
    let bounds = bounds_line(&config);
    let ready = || {
        println!(
            "gate: ready; serving sites {sites} on {}; {bounds}",
            args.nats.server
        );
    };
    let stats = service::run(
        &config,
        Some(&args.config),
        &args.nats.server,
        ready,
        shutdown,
    )
    .await?;
    println!("gate: stopped. Since start:\n{stats}");
    Ok(())
}

/// The bounds in force, in words.
fn bounds_line(config: &GateConfig) -> String {
    let bound = |n: u32| {
        if n == 0 {
            "no bound".to_owned()
        } else {
            format!("{n} a minute")
        }
    };
    let proxies = if config.trusted_proxies.is_empty() {
        String::new()
    } else {
        format!(" (as {} tell it)", config.trusted_proxies.join(", "))
    };
    format!(
        "connection attempts: {} per session, {} per address{proxies}",
        bound(config.connects_per_session_per_minute),
        bound(config.connects_per_address_per_minute)
    )
}

#[cfg(test)]
mod tests {
    use clap::{Args, Command, Subcommand};
    use floorwalker::gate::config::{
        AuthSetup, CONNECTS_PER_ADDRESS_PER_MINUTE, CONNECTS_PER_SESSION_PER_MINUTE,
    };
    use floorwalker_shared::subject::SiteId;

    use super::{GateArgs, bounds_line};
    use crate::cmd::auth::AuthCommand;

    /// `floorwalker gate --help` and `floorwalker auth init --help`.
    fn helps() -> [(&'static str, String); 2] {
        let gate = GateArgs::augment_args(Command::new("gate")).render_long_help();
        let mut auth = AuthCommand::augment_subcommands(Command::new("auth"));
        let init = auth
            .find_subcommand_mut("init")
            .expect("auth init")
            .render_long_help();
        [("gate", gate.to_string()), ("auth init", init.to_string())]
    }

    #[test]
    fn the_help_gives_the_default_bounds() {
        for (path, help) in helps() {
            let text = help.split_whitespace().collect::<Vec<_>>().join(" ");
            for (name, n) in [
                (
                    "connects_per_session_per_minute",
                    CONNECTS_PER_SESSION_PER_MINUTE,
                ),
                (
                    "connects_per_address_per_minute",
                    CONNECTS_PER_ADDRESS_PER_MINUTE,
                ),
            ] {
                assert!(
                    text.contains(&format!("`{name}`, {n} by default")),
                    "{path} --help lacks {name}: {text}"
                );
            }
            assert!(text.contains("docs/LIMITS.md"), "{path}: {text}");
        }
    }

    #[test]
    fn the_ready_line_says_the_bounds_in_force() {
        let mut config = AuthSetup::generate(&[SiteId::new("shop").unwrap()], 0).gate;
        assert_eq!(
            bounds_line(&config),
            "connection attempts: 30 a minute per session, 3000 a minute per address"
        );
        config.connects_per_address_per_minute = 0;
        assert!(bounds_line(&config).ends_with("no bound per address"));
        config.trusted_proxies = vec!["10.0.0.5".into()];
        assert!(bounds_line(&config).ends_with("per address (as 10.0.0.5 tell it)"));
    }
}
