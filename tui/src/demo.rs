//! `floorwalker demo`: everything Floorwalker needs, running locally.
//!
//! It runs a private nats-server (NATS and WebSocket listeners on 127.0.0.1,
//! JetStream under the data directory, with Floorwalker's streams) behind
//! the gate, serves the demo shop with the plugin, says what runs where, and
//! opens the dashboard in the same terminal. Quitting the dashboard (q),
//! Ctrl-C, SIGTERM or SIGHUP stops it all. With `--no-dashboard` (or without
//! a terminal) it waits for q or a signal instead. Simulated shoppers
//! (`--shoppers`, 12 by default) browse the demo shop meanwhile, some asking
//! for help, and the chat router and agent bots (`--agents`, 2) answer them.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr, bail, eyre};
use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::terminal;
use floorwalker::creds::OperatorCreds;
use floorwalker::gate::config::{AuthSetup, GateConfig};
use floorwalker::gate::policy::Role;
use floorwalker::gate::service;
use floorwalker::gate::stats::Stats;
use floorwalker::natsd::{NatsBinary, NatsServer, Port, ServerConfig, StartError};
use floorwalker::simulate;
use floorwalker::storefront::{PageConfig, ShopServer};
use floorwalker_shared::subject::SiteId;
use futures::StreamExt;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::cli::DemoArgs;
use crate::dashboard;

/// Prints a line, ignoring a terminal that has gone away: the demo must still
/// stop its server when the SSH link drops (`println!` would panic).
macro_rules! say {
    () => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout());
    }};
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// How long nats-server may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// The site the demo's shoppers are on.
const DEMO_SITE: &str = "demo";

/// The demo shop's pages, and the plugin `just wasm` builds, in this
/// workspace (the demo runs from a clone).
const SHOP_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../storefront-wasm/demo-shop");
const DIST_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../dist");

/// The gate running inside the demo.
type GateTask = JoinHandle<Result<Stats, service::ServiceError>>;

/// Why the demo is stopping.
#[derive(Debug)]
enum Stop {
    /// The user pressed a quit key.
    Key,
    /// A signal asked us to stop.
    Signal(&'static str),
    /// nats-server exited on its own.
    ServerExited(std::process::ExitStatus),
    /// The gate stopped on its own.
    GateExited(String),
}

pub(crate) async fn run(args: &DemoArgs, data_dir: &Path, log_file: &Path) -> Result<()> {
    let binary = NatsBinary::locate()?;
    let run_dir = data_dir.join("demo");
    let auth_dir = data_dir.join("auth");
    let gate_config = demo_auth(&auth_dir)?;
    // The shop's port first: only its pages may open a WebSocket to the server.
    let shop_listener =
        std::net::TcpListener::bind(("127.0.0.1", args.shop_port)).wrap_err_with(|| {
            format!(
                "port {} is taken: pass --shop-port (0 picks any free port)",
                args.shop_port
            )
        })?;
    let shop_port = shop_listener.local_addr()?.port();
    let origins = vec![
        format!("http://127.0.0.1:{shop_port}"),
        format!("http://localhost:{shop_port}"),
    ];
    let mut config = ServerConfig::local(
        "floorwalker-demo",
        &run_dir,
        gate_config.server_block(),
        &origins,
    );
    config.port = Port::from_number(args.port);
    if let Some(ws) = &mut config.websocket {
        ws.port = Port::from_number(args.ws_port);
    }
    config.jetstream_dir = Some(data_dir.join("nats"));

    say!(
        "Starting nats-server {} from '{}'…",
        binary.version(),
        binary.path().display()
    );
    let start = {
        let (binary, config, run_dir) = (binary.clone(), config.clone(), run_dir.clone());
        tokio::task::spawn_blocking(move || {
            NatsServer::start(&binary, &config, &run_dir, START_TIMEOUT)
        })
    };
    let mut server = match start.await? {
        Ok(server) => server,
        Err(err @ StartError::Exited { .. })
            if err.to_string().contains("address already in use") =>
        {
            return Err(eyre!(err)).wrap_err(format!(
                "port {} or {} is taken: pass --port and --ws-port (0 picks any free port)",
                args.port, args.ws_port
            ));
        }
        Err(err) => return Err(eyre!(err)).wrap_err("starting nats-server"),
    };
    tracing::info!(pid = server.pid(), url = %server.client_url(), "nats-server running");
    let mut gate = start_gate(gate_config, server.client_url()).await?;
    let page = PageConfig {
        server: server.websocket_url().unwrap_or_default(),
        site: DEMO_SITE.to_owned(),
    };
    let shop_server = ShopServer::start_on(shop_listener, SHOP_DIR.into(), DIST_DIR.into(), &page)
        .wrap_err("serving the demo shop")?;
    ensure_streams(&server.client_url(), &auth_dir).await?;
    let desk = start_desk(args, &server.client_url(), &auth_dir).await?;
    let shoppers = start_shoppers(args, &server, &origins[1])?;
    print_summary(&server, shop_port, &origins, data_dir, log_file);
    say!("  Chat router          running (queue places, messages, surveys, incidents)");
    if args.agents > 0 {
        say!(
            "  Simulated agents     {} bots answering chats (--agents)",
            args.agents
        );
    }
    if args.shoppers > 0 {
        say!(
            "  Simulated shoppers   {} at once on the demo shop (--shoppers, --speed)",
            args.shoppers
        );
    }
    say!("  Answer chats too     floorwalker agent --name alex   (in another terminal)");
    say!("  Live figures         floorwalker tail --every 5");
    say!();

    let with_dashboard = !args.no_dashboard && std::io::stdout().is_terminal();
    let stop = run_until_stop(&mut server, &mut gate.1, &auth_dir, with_dashboard).await?;
    tracing::info!(?stop, "demo stopping");
    let why = match stop {
        Stop::Key => "quit key",
        Stop::Signal(name) => name,
        Stop::ServerExited(status) => bail!(
            "nats-server exited unexpectedly ({status}); its log '{}' ends with:\n{}",
            server.log_path().display(),
            server.log_tail()
        ),
        Stop::GateExited(why) => bail!("the gate stopped unexpectedly: {why}"),
    };
    desk.stop().await;
    stop_all(server, gate, shop_server, shoppers, why).await
}

/// The chat router and the simulated agents, running until stopped.
struct Desk {
    stop: Vec<oneshot::Sender<()>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Desk {
    async fn stop(self) {
        for stop in self.stop {
            let _ = stop.send(());
        }
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Starts the router (and waits until it has read the stream) and the
/// agent bots the demo asks for.
async fn start_desk(args: &DemoArgs, url: &str, auth_dir: &Path) -> Result<Desk> {
    let creds = OperatorCreds::load(&auth_dir.join("router.creds"))?;
    let client = floorwalker::creds::connect(&creds, url, "floorwalker-router")
        .await
        .wrap_err("connecting the demo's router")?;
    let (ready_tx, ready_rx) = oneshot::channel();
    let (stop_router, stopped) = oneshot::channel::<()>();
    let router = tokio::spawn(async move {
        let ready = move || {
            let _ = ready_tx.send(());
        };
        let stop = async {
            let _ = stopped.await;
        };
        let config = floorwalker::router::RouterConfig::default();
        if let Err(err) = floorwalker::router::run(client, creds.user, config, ready, stop).await {
            tracing::error!(%err, "the demo's router stopped");
        }
    });
    if tokio::time::timeout(START_TIMEOUT, ready_rx).await.is_err() {
        bail!("the demo's chat router did not start");
    }
    let mut desk = Desk {
        stop: vec![stop_router],
        tasks: vec![router],
    };
    let bots = DEMO_AGENTS
        .iter()
        .filter(|(role, _)| *role == Role::Simulator)
        .take(usize::from(args.agents))
        .map(|(_, user)| {
            let creds = OperatorCreds::load(&auth_dir.join(format!("{user}.creds")))?;
            // One chat at a time, as a new agent works: the queue shows.
            Ok(simulate::agents::Bot { creds, capacity: 1 })
        })
        .collect::<Result<Vec<_>>>()?;
    if !bots.is_empty() {
        let (stop_bots, stopped) = oneshot::channel::<()>();
        let speed = args.speed.clamp(0.01, 1_000.0);
        desk.tasks.push(tokio::spawn(simulate::agents::run(
            url.to_owned(),
            bots,
            speed,
            fastrand::u64(..),
            async {
                let _ = stopped.await;
            },
        )));
        desk.stop.push(stop_bots);
    }
    Ok(desk)
}

/// Stops everything, in order, saying so.
async fn stop_all(
    server: NatsServer,
    gate: (oneshot::Sender<()>, GateTask),
    shop_server: ShopServer,
    shoppers: Option<Shoppers>,
    why: &str,
) -> Result<()> {
    if let Some((stop, task, counters)) = shoppers {
        let _ = stop.send(());
        let _ = task.await;
        say!("Simulated shoppers: {counters}");
    }
    drop(shop_server);
    say!("Stopping the gate ({why})…");
    let _ = gate.0.send(());
    match gate.1.await {
        Ok(Ok(stats)) => say!("Gate counts since start:\n{stats}"),
        Ok(Err(err)) => say!("The gate stopped with an error: {err}"),
        Err(err) => say!("The gate task failed: {err}"),
    }
    say!("Stopping nats-server ({why})…");
    let status = tokio::task::spawn_blocking(move || server.stop())
        .await?
        .wrap_err("stopping nats-server")?;
    say!("Stopped nats-server ({status}). Demo finished.");
    Ok(())
}

/// Says what runs where.
fn print_summary(
    server: &NatsServer,
    shop_port: u16,
    origins: &[String],
    data_dir: &Path,
    log_file: &Path,
) {
    let auth_dir = data_dir.join("auth");
    let plugin_built = Path::new(DIST_DIR).join("floorwalker.js").is_file();

    say!();
    say!("Floorwalker demo is running.");
    say!();
    say!(
        "  nats-server          {} (pid {})",
        server.version(),
        server.pid()
    );
    say!("  NATS clients         {}", server.client_url());
    if let Some(ws) = server.websocket_url() {
        say!("  WebSocket (browsers) {ws}");
    }
    say!("  Demo shop            http://localhost:{shop_port}/");
    if !plugin_built {
        say!(
            "                       (the plugin is not built: run `just wasm`, or use `just demo`)"
        );
    }
    say!(
        "  Gate                 admits site '{DEMO_SITE}' shoppers from {}",
        origins.join(", ")
    );
    say!(
        "  Operator credentials {}",
        auth_dir.join("<role>.creds").display()
    );
    say!("  JetStream data       {}", data_dir.join("nats").display());
    say!("  Server config        {}", server.config_path().display());
    say!("  Server log           {}", server.log_path().display());
    say!("  Floorwalker log      {}", log_file.display());
    say!();
}

/// The demo's operators beyond one per role: agents for people to try
/// (`floorwalker agent --name alex`), and the simulator's agent bots.
pub(crate) const DEMO_AGENTS: [(Role, &str); 4] = [
    (Role::Agent, "alex"),
    (Role::Simulator, "ana"),
    (Role::Simulator, "ben"),
    (Role::Simulator, "cleo"),
];

/// Uses the demo's keys and credentials from earlier runs, or makes them, so
/// operator credential files stay valid across demos; operators a newer
/// version needs are added.
fn demo_auth(dir: &Path) -> Result<GateConfig> {
    let file = dir.join("gate.toml");
    let mut config = if file.exists() {
        GateConfig::load(&file)?
    } else {
        let site = SiteId::new(DEMO_SITE).map_err(|e| eyre!("demo site {e}"))?;
        let setup = AuthSetup::generate(&[site]);
        setup.write(dir)?;
        setup.gate
    };
    let wanted = Role::ALL
        .iter()
        .map(|role| (*role, role.name()))
        .chain(DEMO_AGENTS);
    let mut added = false;
    for (role, user) in wanted {
        let path = dir.join(format!("{user}.creds"));
        if config.operators.iter().any(|op| op.user == user) && path.exists() {
            continue;
        }
        let creds = config.add_operator(role, user);
        creds.store(&path)?;
        added = true;
    }
    if added {
        config.save(&file)?;
        let conf = dir.join("nats-auth.conf");
        floorwalker::creds::write_private(&conf, &config.server_block())
            .wrap_err_with(|| format!("writing '{}'", conf.display()))?;
    }
    Ok(config)
}

/// Starts the gate inside the demo and waits until it answers.
async fn start_gate(config: GateConfig, url: String) -> Result<(oneshot::Sender<()>, GateTask)> {
    let (ready_tx, ready_rx) = oneshot::channel();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let ready = move || {
            let _ = ready_tx.send(());
        };
        service::run(&config, &url, ready, async {
            let _ = stop_rx.await;
        })
        .await
    });
    if ready_rx.await.is_err() {
        // The task ended before it was ready: its result says why.
        let err = match task.await {
            Ok(Err(err)) => eyre!(err),
            Ok(Ok(_)) => eyre!("the gate stopped before it was ready"),
            Err(err) => eyre!(err),
        };
        return Err(err.wrap_err("starting the gate"));
    }
    Ok((stop_tx, task))
}

/// Simulated shoppers, running until told to stop.
type Shoppers = (oneshot::Sender<()>, JoinHandle<()>, Arc<simulate::Counters>);

/// Starts the simulated shoppers, if any are asked for.
fn start_shoppers(args: &DemoArgs, server: &NatsServer, origin: &str) -> Result<Option<Shoppers>> {
    if args.shoppers == 0 {
        return Ok(None);
    }
    let Some(ws_url) = server.websocket_url() else {
        return Ok(None);
    };
    let options = simulate::Options {
        ws_url,
        origin: origin.to_owned(),
        site: SiteId::new(DEMO_SITE).map_err(|e| eyre!("demo site {e}"))?,
        shoppers: args.shoppers,
        mix: simulate::Mix::default(),
        speed: args.speed.clamp(0.01, 1_000.0),
        seed: fastrand::u64(..),
    };
    let counters = Arc::new(simulate::Counters::default());
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let task = tokio::spawn(simulate::run(options, counters.clone(), async {
        let _ = stop_rx.await;
    }));
    Ok(Some((stop_tx, task, counters)))
}

/// Shows the dashboard (or waits for q) until something stops the demo.
async fn run_until_stop(
    server: &mut NatsServer,
    gate: &mut GateTask,
    auth_dir: &Path,
    with_dashboard: bool,
) -> Result<Stop> {
    if !with_dashboard {
        say!("Press q or Ctrl-C to stop.");
        return wait_for_stop(server, gate, true).await;
    }
    let setup = dashboard::Setup::demo(server.client_url(), auth_dir)?;
    let stopped = dashboard::open(setup, wait_for_stop(server, gate, false)).await;
    Ok(match stopped {
        Ok(Some(stop)) => stop?,
        Ok(None) => Stop::Key,
        // The terminal went away (an SSH link dropped): stop in order.
        Err(err) => {
            tracing::warn!("dashboard ended: {err:#}");
            Stop::Signal("the terminal closed")
        }
    })
}

/// Creates the JetStream streams as the demo's admin, if they are missing.
async fn ensure_streams(url: &str, auth_dir: &Path) -> Result<()> {
    let admin = OperatorCreds::load(&auth_dir.join("admin.creds"))?;
    let client = async_nats::ConnectOptions::with_user_and_password(admin.user, admin.password)
        .name("floorwalker-demo")
        .connect(url)
        .await
        .wrap_err_with(|| format!("connecting to '{url}' as the demo's admin"))?;
    floorwalker::streams::ensure(&client)
        .await
        .wrap_err("setting up the demo's streams")?;
    Ok(())
}

/// Waits for a quit key (if `keys` and stdin is a terminal), a signal, or
/// the server or gate exiting.
async fn wait_for_stop(server: &mut NatsServer, gate: &mut GateTask, keys: bool) -> Result<Stop> {
    let mut sigint = signal(SignalKind::interrupt()).wrap_err("listening for SIGINT")?;
    let mut sigterm = signal(SignalKind::terminate()).wrap_err("listening for SIGTERM")?;
    let mut sighup = signal(SignalKind::hangup()).wrap_err("listening for SIGHUP")?;
    let mut check = tokio::time::interval(Duration::from_millis(250));
    // Raw mode lets a single key stop the demo; it is undone on every exit,
    // including a panic, by the guard's Drop.
    let raw = (keys && std::io::stdin().is_terminal())
        .then(RawMode::enable)
        .transpose()?;
    let mut keys = raw.as_ref().map(|_| EventStream::new());
    loop {
        tokio::select! {
            _ = sigint.recv() => return Ok(Stop::Signal("SIGINT")),
            _ = sigterm.recv() => return Ok(Stop::Signal("SIGTERM")),
            _ = sighup.recv() => return Ok(Stop::Signal("SIGHUP")),
            result = &mut *gate => {
                let why = match result {
                    Ok(Ok(_)) => "it finished".to_owned(),
                    Ok(Err(err)) => format!("{err:#}"),
                    Err(err) => err.to_string(),
                };
                return Ok(Stop::GateExited(why));
            }
            _ = check.tick() => {
                if let Some(status) = server.exited() {
                    return Ok(Stop::ServerExited(status));
                }
            }
            Some(event) = next_event(keys.as_mut()) => {
                match event {
                    Ok(Event::Key(key)) if is_quit(key) => return Ok(Stop::Key),
                    Ok(_) => {}
                    // The terminal went away: nothing more can be typed.
                    Err(err) => {
                        tracing::warn!(%err, "terminal input failed; waiting for a signal");
                        keys = None;
                    }
                }
            }
        }
    }
}

async fn next_event(keys: Option<&mut EventStream>) -> Option<std::io::Result<Event>> {
    match keys {
        Some(keys) => keys.next().await,
        None => std::future::pending().await,
    }
}

fn is_quit(key: KeyEvent) -> bool {
    key.kind == KeyEventKind::Press
        && match key.code {
            KeyCode::Char('q' | 'Q') | KeyCode::Esc => true,
            KeyCode::Char('c') => key.modifiers.contains(KeyModifiers::CONTROL),
            _ => false,
        }
}

/// The terminal in raw mode for as long as this lives.
struct RawMode;

impl RawMode {
    fn enable() -> Result<Self> {
        terminal::enable_raw_mode().wrap_err("switching the terminal to raw mode")?;
        Ok(Self)
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = terminal::disable_raw_mode();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quit_keys() {
        let key = |code, modifiers| KeyEvent::new(code, modifiers);
        assert!(is_quit(key(KeyCode::Char('q'), KeyModifiers::NONE)));
        assert!(is_quit(key(KeyCode::Esc, KeyModifiers::NONE)));
        assert!(is_quit(key(KeyCode::Char('c'), KeyModifiers::CONTROL)));
        assert!(!is_quit(key(KeyCode::Char('c'), KeyModifiers::NONE)));
        assert!(!is_quit(key(KeyCode::Enter, KeyModifiers::NONE)));
    }
}
