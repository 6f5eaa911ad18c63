//! `floorwalker auth`: the gate's keys and the operators it admits.
//! `init` makes a deployment's keys, one operator per role and the
//! nats-server configuration; `add`, `list`, `revoke` and `rotate` manage
//! operators; `rotate-gate` replaces the gate's own keys. A running gate
//! takes in every change within a second; no command prints a secret.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use color_eyre::eyre::{Result, WrapErr, bail, eyre};
use floorwalker::creds;
use floorwalker::gate::config::{AuthSetup, GateConfig, unix_now};
use floorwalker::gate::policy::Role;
use floorwalker::gate::proxy::{self as gate_proxy, Upstream};
use floorwalker::gate::server_conf::{self, ServerConf, Websocket};
use floorwalker_shared::subject::SiteId;

const AUTH_CONF: &str = "nats-auth.conf";

#[derive(Debug, Subcommand)]
pub(crate) enum AuthCommand {
    /// Create a deployment's keys and configuration in a directory:
    /// gate.toml (the gate's keys and the operators it admits), <role>.nk
    /// (an nkey seed file per role: admin, dashboard, agent, tail,
    /// simulator, router, intake), nats-auth.conf (accounts and the auth
    /// callout) and nats-server.conf (listeners, JetStream, WebSocket;
    /// it includes nats-auth.conf). Every file is readable by you only;
    /// nothing secret is printed.
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

    /// Admit one more operator: adds the user to gate.toml with a new key
    /// and writes <USER>.nk beside it (an nkey seed file: `nats --nkey`,
    /// nats-py's `nkeys_seed` and Floorwalker's --creds all read it). Each
    /// agent and each supervisor gets their own: what they do is recorded
    /// under their name (`floorwalker agent --name ana`, `floorwalker
    /// --name sam`). An existing user of that name gets a new key and the
    /// old is revoked. A running gate admits them within a second.
    #[command(
        after_help = "Examples:\n  floorwalker auth add --dir ./auth --role agent --user ana\n  \
        floorwalker auth add --dir ./auth --role dashboard --user sam   # a supervisor"
    )]
    Add(AuthAddArgs),

    /// List the operators admitted (user, role, public key, issued,
    /// expiry) and the keys revoked.
    #[command(after_help = "Example:\n  floorwalker auth list --dir ./auth")]
    List(AuthDirArgs),

    /// Stop admitting an operator: their key is revoked, and a running gate
    /// has nats-server close their open connections within a second.
    #[command(after_help = "Example:\n  floorwalker auth revoke --dir ./auth --user ana")]
    Revoke(AuthUserArgs),

    /// Give an operator a new key: writes a new <USER>.nk and revokes the
    /// old key (hand over the new file; the old one stops working).
    #[command(after_help = "Example:\n  floorwalker auth rotate --dir ./auth --user ana")]
    Rotate(AuthUserArgs),

    /// Replace the gate's own keys (the key that signs what it admits, the
    /// key requests are sealed to, and the key it connects with). A running
    /// gate answers with the old keys and the new within a second, until
    /// the next rotation. Then restart nats-server (nats-server 2.15 takes
    /// new auth-callout keys on restart only, not on reload): connections
    /// drop and clients reconnect by themselves, the plugin included, and
    /// what shoppers sent is kept in the RAW stream meanwhile.
    #[command(
        after_help = "Example:\n  floorwalker auth rotate-gate --dir ./auth && \
        systemctl restart nats-server"
    )]
    RotateGate(AuthDirArgs),

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
pub(crate) struct AuthUserArgs {
    /// The directory `auth init` wrote.
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: PathBuf,

    /// The operator's user name.
    #[arg(long, value_name = "USER")]
    pub(crate) user: String,
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

pub(crate) fn run(command: &AuthCommand) -> Result<()> {
    match command {
        AuthCommand::Init(args) => init(args),
        AuthCommand::Add(args) => add(args),
        AuthCommand::List(args) => list(&args.dir),
        AuthCommand::Revoke(args) => revoke(args),
        AuthCommand::Rotate(args) => rotate(args),
        AuthCommand::RotateGate(args) => rotate_gate(&args.dir),
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
    let setup = AuthSetup::generate(&sites, unix_now());
    setup.write(&args.dir)?;
    let conf = args.dir.join(server_conf::FILE);
    creds::write_private(&conf, &server.render())
        .wrap_err_with(|| format!("writing '{}'", conf.display()))?;
    println!("Wrote to '{}' (readable by you only):", args.dir.display());
    println!("  gate.toml          the gate's keys and the operators it admits");
    for (role, creds) in &setup.operators {
        println!(
            "  {:<18} the {role} role's nkey seed",
            format!("{}.{}", creds.user, creds::EXTENSION)
        );
    }
    println!("  {AUTH_CONF:<18} accounts, and every connection through the gate");
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
    ] {
        println!(
            "  floorwalker {command} --creds '{}' {server_arg}",
            creds::file_in(&args.dir, user).display()
        );
    }
    println!(
        "  floorwalker doctor --creds '{}' {server_arg}",
        creds::file_in(&args.dir, "admin").display()
    );
    Ok(())
}

/// `path` from the root, so that a config naming it works from anywhere.
fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).wrap_err_with(|| format!("resolving '{}'", path.display()))
}

fn add(args: &AuthAddArgs) -> Result<()> {
    floorwalker_shared::subject::operator_inbox(&args.user)
        .map_err(|e| eyre!("user '{}' {e}; use [A-Za-z0-9_-], up to 64", args.user))?;
    let gate_file = args.dir.join("gate.toml");
    let mut config = GateConfig::load(&gate_file)?;
    let replaced = config.operators.iter().any(|op| op.user == args.user);
    let creds = config.add_operator(args.role, &args.user, unix_now());
    let creds_file = creds::file_in(&args.dir, &args.user);
    creds.store(&creds_file)?;
    config.save(&gate_file)?;
    println!(
        "{} '{}' ({}) in '{}' and wrote '{}' (readable by you only); key {}.",
        if replaced {
            "Gave a new key to"
        } else {
            "Added"
        },
        args.user,
        args.role,
        gate_file.display(),
        creds_file.display(),
        creds.public_key()
    );
    if replaced {
        println!("Their old key is revoked.");
    }
    println!("A running gate admits them within a second.");
    Ok(())
}

fn list(dir: &Path) -> Result<()> {
    let config = GateConfig::load(&dir.join("gate.toml"))?;
    println!(
        "{:<20} {:<10} {:<56} {:<20} EXPIRES",
        "USER", "ROLE", "KEY", "ISSUED"
    );
    for op in &config.operators {
        println!(
            "{:<20} {:<10} {:<56} {:<20} {}",
            op.user,
            op.role,
            op.key,
            date(op.issued),
            op.expires.map_or_else(|| "never".to_owned(), date)
        );
    }
    if !config.revoked.is_empty() {
        println!("\nRevoked keys:");
        for key in &config.revoked {
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

fn revoke(args: &AuthUserArgs) -> Result<()> {
    let gate_file = args.dir.join("gate.toml");
    let mut config = GateConfig::load(&gate_file)?;
    let Some(entry) = config.revoke(&args.user, unix_now()) else {
        bail!(
            "no operator '{}' in '{}' (floorwalker auth list shows who is)",
            args.user,
            gate_file.display()
        );
    };
    config.save(&gate_file)?;
    let old = creds::file_in(&args.dir, &args.user);
    if old.exists() {
        std::fs::remove_file(&old).wrap_err_with(|| format!("removing '{}'", old.display()))?;
    }
    println!(
        "Revoked '{}' ({}, key {}). A running gate refuses them and closes their open \
         connections within a second.",
        entry.user, entry.role, entry.key
    );
    Ok(())
}

fn rotate(args: &AuthUserArgs) -> Result<()> {
    let gate_file = args.dir.join("gate.toml");
    let config = GateConfig::load(&gate_file)?;
    let Some(entry) = config.operators.iter().find(|op| op.user == args.user) else {
        bail!(
            "no operator '{}' in '{}' (floorwalker auth add makes one)",
            args.user,
            gate_file.display()
        );
    };
    let role: Role = entry.role.parse()?;
    add(&AuthAddArgs {
        dir: args.dir.clone(),
        role,
        user: args.user.clone(),
    })
}

fn rotate_gate(dir: &Path) -> Result<()> {
    let gate_file = dir.join("gate.toml");
    let mut config = GateConfig::load(&gate_file)?;
    config.rotate_keys();
    // gate.toml first: the gate answers with either keys from then on, so
    // whichever the server's file names when it restarts works.
    let conf = dir.join(AUTH_CONF);
    config.save(&gate_file)?;
    creds::write_private(&conf, &config.server_block())
        .wrap_err_with(|| format!("writing '{}'", conf.display()))?;
    println!(
        "New gate keys in '{}' and '{}'. A running gate answers with the old and the new \
         within a second; now restart nats-server (systemctl restart nats-server: it takes \
         new auth-callout keys on restart only). Clients reconnect by themselves. Restart \
         the gate whenever convenient: it then connects with its new key. The old keys go \
         at the next rotate-gate.",
        gate_file.display(),
        conf.display()
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
