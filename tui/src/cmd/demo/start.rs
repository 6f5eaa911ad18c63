//! What the demo starts besides nats-server: its operators' credentials, the
//! gate, the streams, the chat router and agent bots, and the simulated shoppers.

use std::path::Path;
use std::sync::Arc;

use color_eyre::eyre::{Result, WrapErr, bail, eyre};
use floorwalker::gate::config::{AuthSetup, GateConfig};
use floorwalker::gate::policy::Role;
use floorwalker::gate::service;
use floorwalker::gate::stats::Stats;
use floorwalker::natsd::NatsServer;
use floorwalker::simulate;
use floorwalker::trust::keys::Trust;
use floorwalker_shared::subject::SiteId;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::args::DemoArgs;
use super::{DEMO_SITE, START_TIMEOUT};

/// The supervisor the demo's dashboard acts as: whispers and
/// reassignments carry a person's name, not the role's.
pub(crate) const DEMO_SUPERVISOR: &str = "sam";

/// The demo's operators beyond one per role: its supervisor, agents for
/// people to try (`floorwalker agent --name alex`), and the simulator's
/// agent bots.
pub(crate) const DEMO_AGENTS: [(Role, &str); 5] = [
    (Role::Dashboard, DEMO_SUPERVISOR),
    (Role::Agent, "alex"),
    (Role::Simulator, "ana"),
    (Role::Simulator, "ben"),
    (Role::Simulator, "cleo"),
];

/// Uses the demo's keys and credentials from earlier runs, or makes them, so
/// operator credential files stay valid across demos; operators a newer
/// version needs are added.
pub(super) fn demo_auth(dir: &Path, accounts_dir: &Path) -> Result<(GateConfig, String)> {
    let file = dir.join("gate.toml");
    let trust_file = dir.join(floorwalker::trust::keys::FILE);
    let now = floorwalker::gate::config::unix_now();
    // A demo's keys from before operator mode are replaced: the demo made
    // them, and makes new ones.
    let earlier = GateConfig::load(&file)
        .ok()
        .zip(Trust::load(&trust_file).ok());
    let (config, mut trust) = if let Some(earlier) = earlier {
        earlier
    } else {
        let site = SiteId::new(DEMO_SITE).map_err(|e| eyre!("demo site {e}"))?;
        let setup = AuthSetup::generate(&[site], now);
        setup.write(dir, accounts_dir)?;
        (setup.gate, setup.trust)
    };
    let wanted = Role::ALL
        .iter()
        .map(|role| (*role, role.name()))
        .chain(DEMO_AGENTS);
    let mut added = false;
    for (role, user) in wanted {
        let path = floorwalker::creds::file_in(dir, user);
        if trust.operators.iter().any(|op| op.user == user) && path.exists() {
            continue;
        }
        let creds = trust.add_operator(role, user, now);
        creds.store(&path)?;
        added = true;
    }
    if added {
        trust.save(&trust_file)?;
    }
    let block =
        floorwalker::trust::accounts::server_block(&trust, &config, accounts_dir, trust.issued)?;
    Ok((config, block))
}

/// The gate running inside the demo.
pub(super) type GateTask = JoinHandle<Result<Stats, service::ServiceError>>;

/// Starts the gate inside the demo and waits until it answers.
pub(super) async fn start_gate(
    config: GateConfig,
    url: String,
) -> Result<(oneshot::Sender<()>, GateTask)> {
    let (ready_tx, ready_rx) = oneshot::channel();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let ready = move || {
            let _ = ready_tx.send(());
        };
        service::run(&config, None, &url, ready, async {
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

/// Creates the JetStream streams as the demo's admin, if they are missing.
pub(super) async fn ensure_streams(url: &str, auth_dir: &Path) -> Result<()> {
    let admin = crate::cmd::args::load(&floorwalker::creds::file_in(auth_dir, "admin"))?;
    let client = crate::cmd::args::connect(url, &admin, "floorwalker-demo", None)
        .await
        .wrap_err("connecting as the demo's admin")?;
    floorwalker::streams::ensure(&client)
        .await
        .wrap_err("setting up the demo's streams")?;
    Ok(())
}

/// The chat router and the simulated agents, running until stopped.
pub(super) struct Desk {
    stop: Vec<oneshot::Sender<()>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Desk {
    pub(super) async fn stop(self) {
        for stop in self.stop {
            let _ = stop.send(());
        }
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Starts the intake (what shoppers send reaches the streams through it)
/// and waits until it hears shoppers.
async fn start_intake(url: &str, auth_dir: &Path) -> Result<(oneshot::Sender<()>, JoinHandle<()>)> {
    let creds = crate::cmd::args::load(&floorwalker::creds::file_in(auth_dir, "intake"))?;
    let client = crate::cmd::args::connect(url, &creds, "floorwalker-intake", None)
        .await
        .wrap_err("connecting the demo's intake")?;
    let (ready_tx, ready_rx) = oneshot::channel();
    let (stop_tx, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let ready = move || {
            let _ = ready_tx.send(());
        };
        let stop = async {
            let _ = stopped.await;
        };
        let config = floorwalker::intake::IntakeConfig {
            instance: "demo".into(),
            bounds: floorwalker::intake::Bounds::default(),
            key: creds.seed().as_bytes().to_vec(),
        };
        let waiting = |why: &str| tracing::warn!(%why, "the demo's intake is waiting");
        if let Err(err) = floorwalker::intake::run(client, config, ready, waiting, stop).await {
            tracing::error!(%err, "the demo's intake stopped");
        }
    });
    if tokio::time::timeout(START_TIMEOUT, ready_rx).await.is_err() {
        bail!("the demo's intake did not start");
    }
    Ok((stop_tx, task))
}

/// Starts the learning service; it reads the streams in the background
/// (the demo does not wait: its screens say while memories are read).
async fn start_learn(url: &str, auth_dir: &Path) -> Result<(oneshot::Sender<()>, JoinHandle<()>)> {
    let creds = crate::cmd::args::load(&floorwalker::creds::file_in(auth_dir, "learner"))?;
    let client = crate::cmd::args::connect(url, &creds, "floorwalker-learn", None)
        .await
        .wrap_err("connecting the demo's learning service")?;
    let (stop_tx, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let stop = async {
            let _ = stopped.await;
        };
        let options = floorwalker::learn::LearnOptions::default();
        if let Err(err) = floorwalker::learn::run(client, options, || {}, stop).await {
            tracing::error!(%err, "the demo's learning service stopped");
        }
    });
    Ok((stop_tx, task))
}

/// Starts the intake, the router (and waits until it has read the stream),
/// the learning service and the agent bots the demo asks for.
pub(super) async fn start_desk(args: &DemoArgs, url: &str, auth_dir: &Path) -> Result<Desk> {
    let (stop_intake, intake) = start_intake(url, auth_dir).await?;
    let creds = crate::cmd::args::load(&floorwalker::creds::file_in(auth_dir, "router"))?;
    let client = crate::cmd::args::connect(url, &creds, "floorwalker-router", None)
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
    let (stop_learn, learn) = start_learn(url, auth_dir).await?;
    let mut desk = Desk {
        stop: vec![stop_router, stop_intake, stop_learn],
        tasks: vec![router, intake, learn],
    };
    let bots = DEMO_AGENTS
        .iter()
        .filter(|(role, _)| *role == Role::Simulator)
        .take(usize::from(args.agents))
        .map(|(_, user)| {
            let creds = crate::cmd::args::load(&floorwalker::creds::file_in(auth_dir, user))?;
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

/// Simulated shoppers, running until told to stop.
pub(super) type Shoppers = (oneshot::Sender<()>, JoinHandle<()>, Arc<simulate::Counters>);

/// Starts the simulated shoppers, if any are asked for.
pub(super) fn start_shoppers(
    args: &DemoArgs,
    server: &NatsServer,
    origin: &str,
) -> Result<Option<Shoppers>> {
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
