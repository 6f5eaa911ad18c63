//! `floorwalker demo`: everything Floorwalker needs, running locally.
//!
//! It runs a private nats-server (NATS and WebSocket listeners on 127.0.0.1,
//! JetStream under the data directory, with Floorwalker's streams) behind
//! the gate, serves the demo shop with the plugin, says what runs where and
//! what to type in another terminal (with the real addresses and
//! credentials files), and after a pause to read that (Enter skips it)
//! opens the dashboard in the same terminal, whose help (`?`) repeats it.
//! Quitting the dashboard (q),
//! Ctrl-C, SIGTERM or SIGHUP stops it all. With `--no-dashboard` (or without
//! a terminal) it waits for q or a signal instead. Simulated shoppers
//! (`--shoppers`, 12 by default) browse the demo shop meanwhile, some asking
//! for help, and the chat router and agent bots (`--agents`, 2) answer them.
//!
//! [`run`] starts nats-server and says what runs where; [`start`] starts the
//! rest; [`next`] makes the commands it prints; [`stop`] waits for
//! something to stop the demo and stops it all.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr, bail, eyre};
use floorwalker::natsd::{NatsBinary, NatsServer, Port, ServerConfig, StartError};
use floorwalker::storefront::{PageConfig, ShopServer};

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

// Declared after `say!`, so that they can use it.
mod args;
mod next;
mod start;
mod stop;

pub(crate) use args::DemoArgs;

use next::NextSteps;
use start::{demo_auth, ensure_streams, start_desk, start_gate, start_shoppers};
use stop::{Dashboard, Stop, run_until_stop, stop_all};

/// How long nats-server may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// The site the demo's shoppers are on.
const DEMO_SITE: &str = "demo";

/// The demo shop's pages, and the plugin `just wasm` builds, in this
/// workspace (the demo runs from a clone).
const SHOP_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../storefront-wasm/demo-shop");
const DIST_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../dist");

/// Runs the demo with its files under `data_dir`; `chosen_data_dir` is
/// `data_dir` when the user chose it (`--data-dir` or
/// `FLOORWALKER_DATA_DIR`), so the commands it prints name it too.
pub(crate) async fn run(
    args: &DemoArgs,
    data_dir: &Path,
    chosen_data_dir: Option<&Path>,
    log_file: &Path,
) -> Result<()> {
    let binary = NatsBinary::locate()?;
    let run_dir = data_dir.join("demo");
    let auth_dir = data_dir.join("auth");
    let (gate_config, auth_block) = demo_auth(&auth_dir, &data_dir.join("nats-accounts"))?;
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
    let mut config = ServerConfig::local("floorwalker-demo", &run_dir, auth_block, &origins);
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
    let next = NextSteps {
        program: next::program(
            &std::env::current_exe().unwrap_or_else(|_| "floorwalker".into()),
            std::env::var_os("PATH").as_deref(),
        ),
        data_dir: chosen_data_dir.map(Path::to_owned),
        server: server.client_url(),
        auth_dir: auth_dir.clone(),
    };
    let block = address_block(&server, shop_port, &origins, data_dir, log_file);
    print_summary(&block, args, &next);

    let with_dashboard = !args.no_dashboard && std::io::stdout().is_terminal();
    let dashboard = with_dashboard.then(|| Dashboard {
        wait: Duration::from_secs(args.dashboard_after),
        about: in_help(&block, &next),
    });
    let stop = run_until_stop(&mut server, &mut gate.1, &auth_dir, dashboard).await?;
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

/// The rows of the address block, and the commands, that the dashboard's
/// help repeats, in its order: where to browse and connect first (on a
/// short screen the help shows only the first values, on its border).
const IN_HELP: [&str; 7] = [
    "NATS clients",
    "Demo shop",
    ANSWER_CHATS,
    LIVE_FIGURES,
    "Operator credentials",
    "Floorwalker log",
    "WebSocket (browsers)",
];

const ANSWER_CHATS: &str = "Answer chats";
const LIVE_FIGURES: &str = "Live figures";

/// What runs where, as (label, value) rows.
fn address_block(
    server: &NatsServer,
    shop_port: u16,
    origins: &[String],
    data_dir: &Path,
    log_file: &Path,
) -> Vec<(&'static str, String)> {
    let auth_dir = data_dir.join("auth");
    let mut rows = vec![
        (
            "nats-server",
            format!("{} (pid {})", server.version(), server.pid()),
        ),
        ("NATS clients", server.client_url()),
    ];
    if let Some(ws) = server.websocket_url() {
        rows.push(("WebSocket (browsers)", ws));
    }
    rows.push(("Demo shop", format!("http://localhost:{shop_port}/")));
    if !Path::new(DIST_DIR).join("floorwalker.js").is_file() {
        rows.push((
            "",
            "(the plugin is not built: run `just wasm`, or use `just demo`)".to_owned(),
        ));
    }
    rows.extend([
        (
            "Gate",
            // The localhost origin: the one the shop's address above uses.
            format!(
                "admits site '{DEMO_SITE}' shoppers from {}",
                origins.last().map_or("", String::as_str)
            ),
        ),
        (
            "Operator credentials",
            auth_dir.join("<role>.creds").display().to_string(),
        ),
        (
            "JetStream data",
            data_dir.join("nats").display().to_string(),
        ),
        ("Server files", server_files(server)),
        ("Floorwalker log", log_file.display().to_string()),
    ]);
    rows
}

/// Where nats-server's config and log are: one directory, named once.
fn server_files(server: &NatsServer) -> String {
    let (config, log) = (server.config_path(), server.log_path());
    match (config.parent(), config.file_name(), log.file_name()) {
        (Some(dir), Some(config_name), Some(log_name)) if log.parent() == Some(dir) => format!(
            "{}/ ({}, {})",
            dir.display(),
            config_name.to_string_lossy(),
            log_name.to_string_lossy()
        ),
        _ => format!("{}, {}", config.display(), log.display()),
    }
}

/// The rows of the dashboard's help: [`IN_HELP`]'s, from the address
/// block and the commands.
fn in_help(block: &[(&'static str, String)], next: &NextSteps) -> Vec<(String, String)> {
    let commands = [(ANSWER_CHATS, next.agent()), (LIVE_FIGURES, next.tail())];
    IN_HELP
        .iter()
        .filter_map(|label| {
            block
                .iter()
                .chain(&commands)
                .find(|(l, _)| l == label)
                .map(|(l, v)| ((*l).to_owned(), v.clone()))
        })
        .collect()
}

/// Says what runs where, and what to type in another terminal.
fn print_summary(block: &[(&'static str, String)], args: &DemoArgs, next: &NextSteps) {
    say!();
    say!("Floorwalker demo is running.");
    say!();
    for (label, value) in block {
        say!("  {label:<20} {value}");
    }
    // Short enough that all of it fits in 80x24 (the chat router, always
    // running, goes unsaid).
    say!(
        "  {:<20} {} shoppers, {} agent bots (--shoppers, --agents)",
        "Simulated",
        args.shoppers,
        args.agents
    );
    say!();
    say!("In another terminal (paste as they are):");
    say!("  {ANSWER_CHATS:<20} {}", next.agent());
    say!("  {LIVE_FIGURES:<20} {}", next.tail());
    say!();
}
