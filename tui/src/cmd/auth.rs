//! `floorwalker auth init`: new keys and credentials, and the server block;
//! `floorwalker auth add`: one more operator.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use color_eyre::eyre::{Result, bail, eyre};
use floorwalker::gate::config::{AuthSetup, GateConfig};
use floorwalker_shared::subject::SiteId;

#[derive(Debug, Subcommand)]
pub(crate) enum AuthCommand {
    /// Create new keys and credentials in a directory: gate.toml (the gate's
    /// config), <role>.creds for admin, dashboard, agent, tail, simulator and
    /// router, and nats-auth.conf (include it in nats-server's config). Every
    /// file is readable by you only. Prints the nats-server block.
    ///
    /// gate.toml also holds the gate's bounds on connection attempts, each
    /// page a shopper opens being one: `connects_per_session_per_minute`, 30
    /// by default, and `connects_per_address_per_minute`, 3000 by default (a
    /// flood bound, far above a crowd behind one address), and
    /// `trusted_proxies`, reverse proxies whose address every shopper behind
    /// them shares (none by default); docs/LIMITS.md says why.
    #[command(
        after_help = "Example:\n  floorwalker auth init --dir ./auth --site shoes --site hats"
    )]
    Init(AuthInitArgs),

    /// Admit one more operator: adds the user to gate.toml with a new
    /// password and writes <USER>.creds beside it. Each agent and each
    /// supervisor gets their own: what they do is recorded under their name
    /// (`floorwalker agent --name ana`, `floorwalker --name sam`). Restart
    /// the gate to admit them.
    #[command(
        after_help = "Examples:\n  floorwalker auth add --dir ./auth --role agent --user ana\n  \
        floorwalker auth add --dir ./auth --role dashboard --user sam   # a supervisor"
    )]
    Add(AuthAddArgs),
}

#[derive(Debug, Args)]
pub(crate) struct AuthInitArgs {
    /// Where to write the files.
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: PathBuf,

    /// A site whose shoppers the gate admits ([a-z0-9-], up to 32); repeat
    /// for several.
    #[arg(long = "site", value_name = "SITE", required = true)]
    pub(crate) sites: Vec<String>,

    /// Replace existing files (every old credential stops working).
    #[arg(long)]
    pub(crate) force: bool,
}

#[derive(Debug, Args)]
pub(crate) struct AuthAddArgs {
    /// The directory `auth init` wrote.
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: PathBuf,

    /// The role: admin, dashboard, agent, tail, simulator or router.
    #[arg(long, value_name = "ROLE")]
    pub(crate) role: floorwalker::gate::policy::Role,

    /// The user name ([A-Za-z0-9_-], up to 64); what shoppers see for an
    /// agent. An existing user of that name gets a new password.
    #[arg(long, value_name = "USER")]
    pub(crate) user: String,
}

pub(crate) fn run(args: &AuthInitArgs) -> Result<()> {
    let sites = args
        .sites
        .iter()
        .map(|s| {
            SiteId::new(s.as_str())
                .map_err(|e| eyre!("site '{s}' {e}; use [a-z0-9-], up to 32 characters"))
        })
        .collect::<Result<Vec<_>>>()?;
    let gate_file = args.dir.join("gate.toml");
    if gate_file.exists() && !args.force {
        bail!(
            "'{}' exists: keeping the credentials that depend on it. Pass --force to replace them all.",
            gate_file.display()
        );
    }
    let setup = AuthSetup::generate(&sites);
    setup.write(&args.dir)?;
    println!("Wrote to '{}' (readable by you only):", args.dir.display());
    println!("  gate.toml        the gate's keys and the operators it admits");
    for (role, creds) in &setup.operators {
        println!(
            "  {:<16} credentials for the {role} role",
            format!("{}.creds", creds.user)
        );
    }
    println!("  nats-auth.conf   the block below, to include in nats-server's config");
    println!();
    println!("{}", setup.gate.server_block());
    println!("Also give the WebSocket listener your storefronts' origins, e.g.");
    println!(
        "  websocket {{ listen: \"0.0.0.0:443\", allowed_origins: [\"https://shop.example\"] }}"
    );
    println!(
        "and never set no_auth_user. Then run: floorwalker gate --config '{}'",
        gate_file.display()
    );
    Ok(())
}

pub(crate) fn add(args: &AuthAddArgs) -> Result<()> {
    floorwalker_shared::subject::operator_inbox(&args.user)
        .map_err(|e| eyre!("user '{}' {e}; use [A-Za-z0-9_-], up to 64", args.user))?;
    let gate_file = args.dir.join("gate.toml");
    let mut config = GateConfig::load(&gate_file)?;
    let creds = config.add_operator(args.role, &args.user);
    let creds_file = args.dir.join(format!("{}.creds", args.user));
    creds.store(&creds_file)?;
    config.save(&gate_file)?;
    println!(
        "Added '{}' ({}) to '{}' and wrote '{}' (readable by you only).",
        args.user,
        args.role,
        gate_file.display(),
        creds_file.display()
    );
    println!("Restart the gate to admit them.");
    Ok(())
}
