//! `floorwalker auth init`: new keys and credentials, and the server block;
//! `floorwalker auth add`: one more operator.

use color_eyre::eyre::{Result, bail, eyre};
use floorwalker::gate::config::{AuthSetup, GateConfig};
use floorwalker_shared::subject::SiteId;

use crate::cli::{AuthAddArgs, AuthInitArgs};

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
