//! `floorwalker auth`: a deployment's keys and the operators it admits.
//! `init` makes the operator, the accounts, the gate's keys, one operator
//! per role and the nats-server configuration; `add`, `list`, `revoke` and
//! `rotate` manage operators; `rotate-gate` replaces the gate's own keys;
//! `push` sends the accounts to a server again. Account changes go to the
//! running server (`crate::trust::push`), and no connection drops but the
//! ones a change means to close; no command prints a secret.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use color_eyre::eyre::{Result, WrapErr, bail, eyre};
use floorwalker::creds;
use floorwalker::gate::config::{
    APP_ACCOUNT, AUTH_ACCOUNT, AuthSetup, GateConfig, SHOP_ACCOUNT, SYS_ACCOUNT, unix_now,
};
use floorwalker::trust::accounts::{self, Account, Sealing};
use floorwalker::trust::keys::Trust;
use floorwalker::trust::push;
use floorwalker_shared::subject;

use super::args::ServerArg;
use floorwalker::gate::policy::Role;
use floorwalker::gate::proxy::{self as gate_proxy, Upstream};
use floorwalker::gate::server_conf::{self, ServerConf, Websocket};
use floorwalker_shared::subject::SiteId;

const AUTH_CONF: &str = "nats-auth.conf";

#[derive(Debug, Subcommand)]
pub(crate) enum AuthCommand {
    /// Create a deployment's keys and configuration in a directory:
    /// trust.toml (the operator's and accounts' keys, and who was issued
    /// credentials: only `floorwalker auth` reads it), gate.toml (the
    /// gate's keys and bounds), <role>.creds (a NATS credentials file per
    /// role: admin, dashboard, agent, tail, simulator, router, intake),
    /// nats-auth.conf (the operator, its accounts and the sentinel that
    /// leads every client without credentials to the gate) and
    /// nats-server.conf (listeners, JetStream, WebSocket; it includes
    /// nats-auth.conf). Every file is readable by you only; nothing secret
    /// is printed.
    ///
    /// Browsers on https pages may only open wss://: give the WebSocket
    /// listener a certificate (--tls-cert, --tls-key), or, with
    /// --loopback, let it listen without TLS on 127.0.0.1 only (to try it
    /// on this machine, or behind a reverse proxy here that ends TLS:
    /// docs/DEPLOY.md).
    ///
    /// gate.toml also holds the gate's bounds on connection attempts, each
    /// page a shopper opens being one: `connects_per_session_per_minute`, 30
    /// by default, and `connects_per_address_per_minute`, 3000 by default (a
    /// flood bound, far above a crowd behind one address), and
    /// `trusted_proxies`, reverse proxies whose address every shopper behind
    /// them shares (none by default); docs/LIMITS.md says why.
    #[command(after_help = "Examples:\n  \
        floorwalker auth init --dir /etc/floorwalker --site shoes \\\n      \
        --tls-cert /etc/ssl/shop.pem --tls-key /etc/ssl/shop.key --origin https://shoes.example\n  \
        floorwalker auth init --dir ./auth --site shoes --loopback   # this machine only")]
    Init(AuthInitArgs),

    /// Admit one more operator: writes <USER>.creds (a NATS credentials
    /// file: `nats --creds`, nats-py's `user_credentials` and Floorwalker's
    /// --creds all read it) and records the user in trust.toml. Each agent
    /// and each supervisor gets their own: what they do is recorded under
    /// their name. The file works at once: the server checks it itself.
    /// An existing user of that name gets a new key; revoke the old with
    /// `auth rotate` instead, which also tells the server.
    #[command(
        after_help = "Examples:\n  floorwalker auth add --dir ./auth --role agent --user ana\n  \
        floorwalker auth add --dir ./auth --role dashboard --user sam   # a supervisor"
    )]
    Add(AuthAddArgs),

    /// List the operators admitted (user, role, public key, issued,
    /// expiry) and the keys revoked.
    #[command(after_help = "Example:\n  floorwalker auth list --dir ./auth")]
    List(AuthDirArgs),

    /// Stop admitting an operator: their key joins the operators' account's
    /// revocations, which go to the running server: it closes their open
    /// connections at once and refuses them from then on.
    #[command(
        after_help = "Example:\n  floorwalker auth revoke --dir ./auth --user ana --server nats://127.0.0.1:4222"
    )]
    Revoke(AuthServerUserArgs),

    /// Give an operator a new key: writes a new <USER>.creds and revokes the
    /// old key on the running server (hand over the new file; the old one
    /// stops working at once).
    #[command(
        after_help = "Example:\n  floorwalker auth rotate --dir ./auth --user ana --server nats://127.0.0.1:4222"
    )]
    Rotate(AuthServerUserArgs),

    /// Replace the gate's own keys (the keys that sign its answers and the
    /// shoppers it admits, the key requests are sealed to, and the
    /// credentials it connects with) without a restart and without
    /// dropping a shopper: the accounts take the new keys beside the old,
    /// the running gate takes them in and connects with its new
    /// credentials, then requests are sealed to its new key. Shoppers
    /// admitted with the old keys stay connected; the old keys go at the
    /// next rotation, which waits until no shopper admitted with them can
    /// still be connected (a shopper session's length, 4 hours by default).
    #[command(
        after_help = "Example:\n  floorwalker auth rotate-gate --dir ./auth --server nats://127.0.0.1:4222"
    )]
    RotateGate(AuthRotateGateArgs),

    /// Send every account to the server again, as trust.toml and gate.toml
    /// say (after a change a server missed, or to a new server of the
    /// deployment). The server keeps the newest it has been sent.
    #[command(
        after_help = "Example:\n  floorwalker auth push --dir ./auth --server nats://127.0.0.1:4222"
    )]
    Push(AuthServerArgs),

    /// Put nats-server's WebSocket listener behind a reverse proxy (nginx or
    /// Caddy) that tells the gate each shopper's real address. Without it
    /// every shopper behind the proxy has the proxy's address, and the
    /// gate's per-address bound would count the whole shop as one.
    ///
    /// Lists the proxy's addresses in gate.toml's `trusted_proxies`, makes
    /// the proxy token (once; kept on later runs) and writes
    /// proxy.nginx.conf (a `location` block to include in the shop's
    /// `server { }`) and proxy.Caddyfile (a site block), readable by you
    /// only: they hold the token. The proxy replaces the browser's cookies
    /// with one, `fw_client`, holding the token and the address it sees;
    /// nats-server passes it to the gate (its `pass_cookie`, which `auth
    /// init` writes). A shopper connection from a trusted proxy without
    /// the token is refused (`unvouched` in the gate's status), so keep
    /// nats-server's WebSocket listener reachable only through the proxy.
    /// A running gate takes the change in within a second.
    #[command(
        after_help = "Example (nginx on this machine, nats-server from `auth init         --loopback`):\n  floorwalker auth proxy --dir /etc/floorwalker --trust 127.0.0.1 \\\n              --host shoes.example --path /nats --websocket 127.0.0.1:8080\n          # then, in nginx's server { } for shoes.example:\n          include /etc/floorwalker/proxy.nginx.conf;"
    )]
    Proxy(AuthProxyArgs),
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

    /// The WebSocket listener's TLS certificate chain (PEM).
    #[arg(
        long,
        value_name = "FILE",
        requires = "tls_key",
        conflicts_with = "loopback"
    )]
    pub(crate) tls_cert: Option<PathBuf>,

    /// The private key of --tls-cert (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub(crate) tls_key: Option<PathBuf>,

    /// WebSocket without TLS, listening on 127.0.0.1 only.
    #[arg(long)]
    pub(crate) loopback: bool,

    /// Where browsers connect. Default: 0.0.0.0:443 with TLS,
    /// 127.0.0.1:8080 with --loopback.
    #[arg(long, value_name = "ADDR")]
    pub(crate) websocket_listen: Option<SocketAddr>,

    /// A storefront origin whose pages may connect (e.g.
    /// `https://shoes.example`); repeat for several. None: any page may.
    #[arg(long = "origin", value_name = "ORIGIN")]
    pub(crate) origins: Vec<String>,

    /// Where operators and services connect.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:4222")]
    pub(crate) client_listen: SocketAddr,

    /// nats-server's monitoring address (`nats-server`'s `http`), if any.
    #[arg(long, value_name = "ADDR")]
    pub(crate) monitor_listen: Option<SocketAddr>,

    /// JetStream's directory. Default: `jetstream/` in --dir.
    #[arg(long, value_name = "DIR")]
    pub(crate) store_dir: Option<PathBuf>,

    /// Where nats-server keeps the accounts (it must be able to write
    /// there). Default: `accounts/` in --dir.
    #[arg(long, value_name = "DIR")]
    pub(crate) accounts_dir: Option<PathBuf>,

    /// Replace existing files (every old key stops working).
    #[arg(long)]
    pub(crate) force: bool,
}

#[derive(Debug, Args)]
pub(crate) struct AuthDirArgs {
    /// The directory `auth init` wrote.
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct AuthServerArgs {
    /// The directory `auth init` wrote.
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: PathBuf,

    /// The running nats-server to tell.
    #[command(flatten)]
    pub(crate) nats: ServerArg,
}

#[derive(Debug, Args)]
pub(crate) struct AuthServerUserArgs {
    /// The directory `auth init` wrote.
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: PathBuf,

    /// The operator's user name.
    #[arg(long, value_name = "USER")]
    pub(crate) user: String,

    /// The running nats-server to tell.
    #[command(flatten)]
    pub(crate) nats: ServerArg,
}

#[derive(Debug, Args)]
pub(crate) struct AuthRotateGateArgs {
    /// The directory `auth init` wrote.
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: PathBuf,

    /// Take out the previous keys now, though shoppers admitted with them
    /// may still be connected: they are disconnected, and reconnect.
    #[arg(long)]
    pub(crate) force: bool,

    /// The running nats-server to tell.
    #[command(flatten)]
    pub(crate) nats: ServerArg,
}

#[derive(Debug, Args)]
pub(crate) struct AuthAddArgs {
    /// The directory `auth init` wrote.
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: PathBuf,

    /// The role: admin, dashboard, agent, tail, simulator, router or intake.
    #[arg(long, value_name = "ROLE")]
    pub(crate) role: Role,

    /// The user name ([A-Za-z0-9_-], up to 64); what shoppers see for an
    /// agent.
    #[arg(long, value_name = "USER")]
    pub(crate) user: String,

    /// How long the credentials work, as a number and a unit: `90d`,
    /// `12h`, `30m`, `45s`. The server refuses them afterwards and closes
    /// their connections. Default: until revoked.
    #[arg(long, value_name = "DURATION", value_parser = valid_for)]
    pub(crate) valid_for: Option<i64>,
}

/// A `--valid-for` that is not a duration.
#[derive(Debug, thiserror::Error)]
#[error("'{0}' is not a duration like 90d, 12h, 30m or 45s")]
struct NotADuration(String);

/// Seconds in `90d`, `12h`, `30m` or `45s`.
fn valid_for(text: &str) -> Result<i64, NotADuration> {
    let bad = || NotADuration(text.to_owned());
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let n: i64 = number.parse().map_err(|_| bad())?;
    let unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    match n.checked_mul(unit) {
        Some(secs) if secs > 0 => Ok(secs),
        _ => Err(bad()),
    }
}

#[derive(Debug, Args)]
pub(crate) struct AuthProxyArgs {
    /// The directory `auth init` wrote.
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: PathBuf,

    /// The address nats-server sees the proxy's connections come from, or
    /// a network (`10.0.0.0/24`); repeat for several. Replaces the list.
    #[arg(long = "trust", value_name = "ADDR", required = true)]
    pub(crate) trust: Vec<String>,

    /// The host name storefronts connect to (the proxy's TLS name).
    #[arg(long, value_name = "HOST")]
    pub(crate) host: String,

    /// The path storefronts connect to.
    #[arg(long, value_name = "PATH", default_value = "/nats")]
    pub(crate) path: String,

    /// nats-server's WebSocket listener, where the proxy passes shoppers on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub(crate) websocket: SocketAddr,

    /// Make a new proxy token (if the old one leaked): the proxy needs the
    /// new file, and until it has it the gate refuses shoppers behind it.
    #[arg(long)]
    pub(crate) new_token: bool,
}

pub(crate) async fn run(command: &AuthCommand) -> Result<()> {
    match command {
        AuthCommand::Init(args) => init(args),
        AuthCommand::Add(args) => add(args),
        AuthCommand::List(args) => list(&args.dir),
        AuthCommand::Revoke(args) => revoke(args).await,
        AuthCommand::Rotate(args) => rotate(args).await,
        AuthCommand::RotateGate(args) => rotate_gate(args).await,
        AuthCommand::Push(args) => push(args).await,
        AuthCommand::Proxy(args) => proxy(args),
    }
}

fn init(args: &AuthInitArgs) -> Result<()> {
    let sites = args
        .sites
        .iter()
        .map(|s| {
            SiteId::new(s.as_str())
                .map_err(|e| eyre!("site '{s}' {e}; use [a-z0-9-], up to 32 characters"))
        })
        .collect::<Result<Vec<_>>>()?;
    let websocket = match (&args.tls_cert, &args.tls_key, args.loopback) {
        (Some(cert), Some(key), false) => Websocket::Tls {
            cert: absolute(cert)?,
            key: absolute(key)?,
        },
        (None, None, true) => Websocket::Loopback,
        _ => bail!(
            "say how browsers connect: --tls-cert FILE --tls-key FILE (wss://, for storefronts \
             on https), or --loopback (ws:// on 127.0.0.1 only: this machine, or a reverse \
             proxy here that ends TLS; docs/DEPLOY.md)"
        ),
    };
    let websocket_listen = args.websocket_listen.unwrap_or_else(|| match websocket {
        Websocket::Tls { .. } => SocketAddr::from(([0, 0, 0, 0], 443)),
        Websocket::Loopback => SocketAddr::from(([127, 0, 0, 1], 8080)),
    });
    let gate_file = args.dir.join("gate.toml");
    if gate_file.exists() && !args.force {
        bail!(
            "'{}' exists: keeping the keys that depend on it. Pass --force to replace them all.",
            gate_file.display()
        );
    }
    std::fs::create_dir_all(&args.dir)
        .wrap_err_with(|| format!("creating '{}'", args.dir.display()))?;
    let dir = absolute(&args.dir)?;
    let server = ServerConf {
        client_listen: args.client_listen,
        websocket_listen,
        websocket,
        allowed_origins: args.origins.clone(),
        store_dir: match &args.store_dir {
            Some(store) => absolute(store)?,
            None => dir.join("jetstream"),
        },
        monitor_listen: args.monitor_listen,
    };
    server.check()?;
    let accounts_dir = match &args.accounts_dir {
        Some(accounts) => absolute(accounts)?,
        None => dir.join("accounts"),
    };
    let setup = AuthSetup::generate(&sites, unix_now());
    setup.write(&args.dir, &accounts_dir)?;
    let conf = args.dir.join(server_conf::FILE);
    creds::write_private(&conf, &server.render())
        .wrap_err_with(|| format!("writing '{}'", conf.display()))?;
    println!("Wrote to '{}' (readable by you only):", args.dir.display());
    println!(
        "  trust.toml         the operator's and accounts' keys (only `floorwalker auth` reads it)"
    );
    println!("  gate.toml          the gate's keys and bounds");
    for (role, creds) in &setup.operators {
        println!(
            "  {:<18} the {role} role's credentials",
            format!("{}.{}", creds.user, creds::EXTENSION)
        );
    }
    println!(
        "  {AUTH_CONF:<18} the operator, its accounts (kept in '{}') and the sentinel",
        accounts_dir.display()
    );
    println!(
        "  {:<18} listeners ({} for operators, {} for browsers{}), JetStream; includes {AUTH_CONF}",
        server_conf::FILE,
        server.client_listen,
        server.websocket_listen,
        match server.websocket {
            Websocket::Tls { .. } => ", with TLS",
            Websocket::Loopback => ", no TLS: loopback only",
        }
    );
    print_next(&args.dir, &gate_file, &conf, &server);
    Ok(())
}

/// The commands to run next, with the files `init` wrote.
fn print_next(dir: &Path, gate_file: &Path, conf: &Path, server: &ServerConf) {
    println!();
    let server_arg = format!("--server nats://{}", server.client_listen);
    println!("Next (docs/DEPLOY.md):");
    println!("  nats-server -c '{}'", conf.display());
    println!(
        "  floorwalker gate --config '{}' {server_arg}",
        gate_file.display()
    );
    for (command, user) in [
        ("setup", "admin"),
        ("intake", "intake"),
        ("router", "router"),
        ("learn", "learner"),
    ] {
        println!(
            "  floorwalker {command} --creds '{}' {server_arg}",
            creds::file_in(dir, user).display()
        );
    }
    println!(
        "  floorwalker doctor --creds '{}' {server_arg}",
        creds::file_in(dir, "admin").display()
    );
}

/// `path` from the root, so that a config naming it works from anywhere.
fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).wrap_err_with(|| format!("resolving '{}'", path.display()))
}

fn trust_file(dir: &Path) -> PathBuf {
    dir.join(floorwalker::trust::keys::FILE)
}

fn add(args: &AuthAddArgs) -> Result<()> {
    floorwalker_shared::subject::operator_inbox(&args.user)
        .map_err(|e| eyre!("user '{}' {e}; use [A-Za-z0-9_-], up to 64", args.user))?;
    let file = trust_file(&args.dir);
    let mut trust = Trust::load(&file)?;
    let replaced = trust.operators.iter().any(|op| op.user == args.user);
    let now = unix_now();
    let expires = args.valid_for.map(|secs| now + secs);
    let creds = trust.add_operator_until(args.role, &args.user, now, expires);
    let creds_file = creds::file_in(&args.dir, &args.user);
    creds.store(&creds_file)?;
    trust.save(&file)?;
    println!(
        "{} '{}' ({}) and wrote '{}' (readable by you only); key {}. It works at once.",
        if replaced {
            "Gave a new key to"
        } else {
            "Added"
        },
        args.user,
        args.role,
        creds_file.display(),
        creds.public_key()
    );
    if let Some(at) = expires {
        println!("They work until {} UTC.", date(at));
    }
    if replaced {
        println!(
            "Their old key still works until the server hears it is revoked: \
             `floorwalker auth push --dir {}` (or use `auth rotate`, which does both).",
            args.dir.display()
        );
    }
    Ok(())
}

fn list(dir: &Path) -> Result<()> {
    let trust = Trust::load(&trust_file(dir))?;
    println!(
        "{:<20} {:<10} {:<56} {:<20} EXPIRES",
        "USER", "ROLE", "KEY", "ISSUED"
    );
    for op in &trust.operators {
        println!(
            "{:<20} {:<10} {:<56} {:<20} {}",
            op.user,
            op.role,
            op.key,
            date(op.issued),
            op.expires.map_or_else(|| "never".to_owned(), date)
        );
    }
    if !trust.revoked.is_empty() {
        println!("\nRevoked keys:");
        for key in &trust.revoked {
            println!(
                "{:<20} {:<10} {:<56} {}",
                key.user,
                "",
                key.key,
                date(key.at)
            );
        }
    }
    Ok(())
}

/// A time as `YYYY-MM-DD HH:MM` UTC.
fn date(unix: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| unix.to_string())
}

/// Sends the accounts `trust` and `gate` make, sealing as `sealing` says,
/// to the server at `url`; a newer `iat` each time.
async fn send(
    trust: &mut Trust,
    gate: &GateConfig,
    sealing: Sealing,
    url: &str,
    only: &[&str],
) -> Result<()> {
    let now = unix_now();
    let iat = trust.next_issued(now);
    let accounts: Vec<Account> = accounts::accounts(trust, gate, sealing, iat)?
        .into_iter()
        .filter(|a| only.is_empty() || only.contains(&a.name))
        .collect();
    let client = push::system(trust, url, now).await?;
    push::push_all(&client, &accounts).await?;
    let _ = client.flush().await;
    Ok(())
}

/// What to say when the server did not hear a change saved locally.
fn unsent(dir: &Path, url: &str) -> String {
    format!(
        "saved in '{}', but the server at '{url}' has not heard it: run `floorwalker auth push \
         --dir {} --server {url}` once it is reachable",
        trust_file(dir).display(),
        dir.display()
    )
}

async fn revoke(args: &AuthServerUserArgs) -> Result<()> {
    let file = trust_file(&args.dir);
    let mut trust = Trust::load(&file)?;
    let gate = GateConfig::load(&args.dir.join("gate.toml"))?;
    let Some(entry) = trust.revoke(&args.user, unix_now()) else {
        bail!(
            "no operator '{}' in '{}' (floorwalker auth list shows who is)",
            args.user,
            file.display()
        );
    };
    trust.save(&file)?;
    let old = creds::file_in(&args.dir, &args.user);
    if old.exists() {
        std::fs::remove_file(&old).wrap_err_with(|| format!("removing '{}'", old.display()))?;
    }
    let url = &args.nats.server;
    send(&mut trust, &gate, Sealing::Current, url, &[APP_ACCOUNT])
        .await
        .wrap_err_with(|| format!("revoked '{}': {}", entry.user, unsent(&args.dir, url)))?;
    trust.save(&file)?;
    println!(
        "Revoked '{}' ({}, key {}): the server closed their connections and refuses them.",
        entry.user, entry.role, entry.key
    );
    Ok(())
}

async fn rotate(args: &AuthServerUserArgs) -> Result<()> {
    let file = trust_file(&args.dir);
    let mut trust = Trust::load(&file)?;
    let gate = GateConfig::load(&args.dir.join("gate.toml"))?;
    let Some(entry) = trust.operators.iter().find(|op| op.user == args.user) else {
        bail!(
            "no operator '{}' in '{}' (floorwalker auth add makes one)",
            args.user,
            file.display()
        );
    };
    let role: Role = entry.role.parse()?;
    let creds = trust.add_operator(role, &args.user, unix_now());
    let creds_file = creds::file_in(&args.dir, &args.user);
    creds.store(&creds_file)?;
    trust.save(&file)?;
    println!(
        "Wrote '{}' with a new key for '{}' ({role}); hand it over.",
        creds_file.display(),
        args.user
    );
    let url = &args.nats.server;
    send(&mut trust, &gate, Sealing::Current, url, &[APP_ACCOUNT])
        .await
        .wrap_err_with(|| format!("the old key's revocation is {}", unsent(&args.dir, url)))?;
    trust.save(&file)?;
    println!("The old key is revoked: the server closed its connections.");
    Ok(())
}

/// How long `rotate-gate` waits for the gate to take in its new keys.
const GATE_TAKES_IN: std::time::Duration = std::time::Duration::from_secs(20);

async fn rotate_gate(args: &AuthRotateGateArgs) -> Result<()> {
    let gate_file = args.dir.join("gate.toml");
    let file = trust_file(&args.dir);
    let mut gate = GateConfig::load(&gate_file)?;
    let mut trust = Trust::load(&file)?;
    let now = unix_now();
    let session = i64::from(gate.shopper.session_ttl_secs);
    if let (Some(_), Some(at)) = (&gate.previous_keys, gate.rotated_at) {
        if now < at + session && !args.force {
            bail!(
                "the keys before the last rotation ({}) still admit shoppers who connected \
                 before it, until {} UTC (a shopper session lasts {} h): run again then, or \
                 pass --force to disconnect them now (they reconnect by themselves)",
                date(at),
                date(at + session),
                session / 3600
            );
        }
    }
    let url = args.nats.server.clone();
    gate.rotate_keys(now);
    let new_xkey = gate.keys.xkey().map(|k| k.public_key()).unwrap_or_default();
    // 1. The accounts take the new keys beside the old; requests are
    //    still sealed to the old curve key, which the gate holds.
    send(
        &mut trust,
        &gate,
        Sealing::Previous,
        &url,
        &[AUTH_ACCOUNT, SHOP_ACCOUNT],
    )
    .await
    .wrap_err("the server did not take the new keys; nothing changed")?;
    trust.save(&file)?;
    // 2. The gate takes them in (it watches gate.toml) and connects with
    //    its new credentials.
    gate.save(&gate_file)?;
    println!("The server has the new keys beside the old; waiting for the gate to take them in...");
    let taken = async {
        let client = push::admin(&trust, &url, unix_now()).await?;
        let deadline = tokio::time::Instant::now() + GATE_TAKES_IN;
        while tokio::time::Instant::now() < deadline {
            let asked = tokio::time::timeout(
                std::time::Duration::from_secs(2),
                client.request(subject::gate_status().to_string(), bytes::Bytes::new()),
            )
            .await;
            if let Ok(Ok(reply)) = asked {
                let status: serde_json::Value =
                    serde_json::from_slice(&reply.payload).unwrap_or_default();
                if status["xkeys"][0].as_str() == Some(new_xkey.as_str()) {
                    return Ok::<_, push::PushError>(true);
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        Ok(false)
    }
    .await?;
    if !taken {
        bail!(
            "no gate said it holds the new keys within {} s (is `floorwalker gate --config {}` \
             running?). The server admits with the old keys meanwhile; once the gate runs with \
             the new ones, run `floorwalker auth push --dir {} --server {url}` to finish.",
            GATE_TAKES_IN.as_secs(),
            gate_file.display(),
            args.dir.display()
        );
    }
    // 3. Requests are sealed to the new curve key from now on.
    send(&mut trust, &gate, Sealing::Current, &url, &[AUTH_ACCOUNT])
        .await
        .wrap_err_with(|| format!("the gate has its new keys, but {}", unsent(&args.dir, &url)))?;
    trust.save(&file)?;
    println!(
        "Rotated the gate's keys: the gate answers with its new keys, and no connection \
         dropped. The old keys go at the next rotation, from {} UTC.",
        date(now + session)
    );
    Ok(())
}

async fn push(args: &AuthServerArgs) -> Result<()> {
    let file = trust_file(&args.dir);
    let mut trust = Trust::load(&file)?;
    let gate = GateConfig::load(&args.dir.join("gate.toml"))?;
    send(&mut trust, &gate, Sealing::Current, &args.nats.server, &[]).await?;
    trust.save(&file)?;
    println!(
        "Sent the accounts ({SYS_ACCOUNT}, {AUTH_ACCOUNT}, {SHOP_ACCOUNT}, {APP_ACCOUNT}) to '{}'; it keeps them.",
        args.nats.server
    );
    Ok(())
}

fn proxy(args: &AuthProxyArgs) -> Result<()> {
    let path_ok = args.path.starts_with('/')
        && args.path[1..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
    if !path_ok {
        bail!(
            "--path '{}' is not a URL path like /nats ([A-Za-z0-9-_./] after the /)",
            args.path
        );
    }
    let host_ok = !args.host.is_empty()
        && args
            .host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.".contains(c));
    if !host_ok {
        bail!(
            "--host '{}' is not a host name like shoes.example",
            args.host
        );
    }
    let gate_file = args.dir.join("gate.toml");
    let mut config = GateConfig::load(&gate_file)?;
    if args.new_token {
        config.proxy_token = None;
    }
    let token = config.trust_proxies(&args.trust)?;
    let upstream = Upstream {
        websocket: args.websocket,
        path: args.path.clone(),
    };
    let nginx = args.dir.join(gate_proxy::NGINX_FILE);
    let caddy = args.dir.join(gate_proxy::CADDY_FILE);
    creds::write_private(
        &nginx,
        &gate_proxy::nginx_location(&token, &upstream, &args.host),
    )
    .wrap_err_with(|| format!("writing '{}'", nginx.display()))?;
    creds::write_private(
        &caddy,
        &gate_proxy::caddy_site(&token, &upstream, &args.host),
    )
    .wrap_err_with(|| format!("writing '{}'", caddy.display()))?;
    config.save(&gate_file)?;
    println!(
        "Trusted {} in '{}'; a running gate takes it in within a second.",
        args.trust.join(", "),
        gate_file.display()
    );
    println!("Wrote (readable by you only: they hold the proxy token):");
    println!(
        "  {:<18} nginx: `include {};` in the server {{ }} for {}",
        gate_proxy::NGINX_FILE,
        absolute(&nginx)?.display(),
        args.host
    );
    println!(
        "  {:<18} Caddy: `import {}` in the Caddyfile (readable by Caddy's user)",
        gate_proxy::CADDY_FILE,
        absolute(&caddy)?.display()
    );
    let conf = args.dir.join(server_conf::FILE);
    let cookie = format!("pass_cookie: \"{}\"", gate_proxy::COOKIE);
    match std::fs::read_to_string(&conf) {
        Ok(text) if text.contains(&cookie) => {}
        Ok(_) => println!(
            "'{}' lacks `{cookie}` in its websocket {{ }} block (it is older than this \
             command): add it and restart nats-server, or the gate refuses every shopper \
             behind the proxy as unvouched.",
            conf.display()
        ),
        Err(_) => println!(
            "nats-server's websocket {{ }} block needs `{cookie}` (`auth init` writes it)."
        ),
    }
    println!(
        "Storefronts connect to wss://{}{}; keep {} reachable only through the proxy.",
        args.host, args.path, args.websocket
    );
    Ok(())
}
