//! A private nats-server behind a real gate, for one test.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use floorwalker::creds::OperatorCreds;
use floorwalker::gate::config::{AuthSetup, GateConfig};
use floorwalker::gate::policy::Role;
use floorwalker::natsd::process::stop_child;
use floorwalker::natsd::{NatsBinary, NatsServer, Port, ServerConfig};
use floorwalker_shared::subject::SiteId;
use tempfile::TempDir;

use crate::{bin, wait_until};

/// The sites every test server's gate serves.
pub const SITES: [&str; 2] = ["shop", "other-shop"];
/// The only origin whose pages may open a WebSocket.
pub const ORIGIN: &str = "http://shop.test";

/// How long start-up may take.
const START: Duration = Duration::from_secs(30);

/// A loopback port for a test server, below the kernel's ephemeral range
/// (Linux: 32768 and up) and handed out once in this process. A server
/// stopped and started again on its ports ([`TestServer::start_server`])
/// then finds them free: the kernel gives port-0 listeners and outgoing
/// connections ephemeral ports only, and no other test server is given
/// this one. (Taking ports the server picked itself, as before, lost the
/// race about once in thirty runs: another test's listener got the port
/// while the server was down.)
///
/// # Panics
/// If a test process asks for more ports than the span holds.
pub fn reserved_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const FIRST: u32 = 20_000;
    const SPAN: u32 = 12_000;
    // Each process starts somewhere else, so two test runs at once rarely meet.
    static NEXT: AtomicU32 = AtomicU32::new(u32::MAX);
    let _ = NEXT.compare_exchange(
        u32::MAX,
        (std::process::id() % 600) * 20,
        Ordering::SeqCst,
        Ordering::SeqCst,
    );
    loop {
        let offset = NEXT.fetch_add(1, Ordering::SeqCst) % SPAN;
        let port = u16::try_from(FIRST + offset).expect("a port below 32000");
        // Free now: whatever else on the machine holds it keeps it.
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// A nats-server on free loopback ports (NATS and WebSocket), JetStream in a
/// temporary directory, every connection admitted by a `floorwalker gate`
/// process. Dropping it stops the gate and the server, then removes the
/// directory.
pub struct TestServer {
    // Field order matters: the intake and the gate stop first, then the
    // server, then the directory goes.
    intake: Option<Service>,
    gate: Option<GateProcess>,
    server: Option<NatsServer>,
    binary: NatsBinary,
    config: ServerConfig,
    setup: AuthSetup,
    dir: TempDir,
}

impl TestServer {
    /// Starts a server and its gate with the default test config.
    pub fn start() -> Self {
        Self::start_with(|_, _| {})
    }

    /// Starts a server and its gate after `adjust` has changed their configs.
    ///
    /// # Panics
    /// If no nats-server ≥ 2.10 is found or either does not start; the
    /// message says why and what to do.
    pub fn start_with(adjust: impl FnOnce(&mut ServerConfig, &mut GateConfig)) -> Self {
        let mut test = Self::start_gate_only(adjust);
        crate::setup::create_streams(&test);
        test.intake = Some(test.start_intake(&[]));
        test
    }

    /// Starts a server and its gate, but no intake and no streams: for a
    /// test of the gate alone, whose bounds leave no room for the intake's
    /// and the admin's connections.
    ///
    /// # Panics
    /// As [`TestServer::start_with`].
    pub fn start_gate_only(adjust: impl FnOnce(&mut ServerConfig, &mut GateConfig)) -> Self {
        Self::start_gate_only_then(adjust, |_| {})
    }

    /// A bearer JWT of an admin of the operators' account, which a client
    /// presents without signing the server's nonce: for tests of the
    /// codec's own connection, which signs nothing. `floorwalker auth`
    /// never issues one.
    ///
    /// # Panics
    /// If the test's keys cannot sign.
    pub fn bearer_admin_jwt(&self) -> String {
        let iat = floorwalker::gate::config::unix_now();
        floorwalker::trust::accounts::bearer_operator_user(
            &self.setup.trust,
            Role::Admin,
            "conn-test",
            &nkeys::KeyPair::new_user().public_key(),
            iat,
        )
        .expect("signing a test's bearer JWT")
    }

    /// Issues credentials to one more operator (they work at once: the
    /// server checks them itself).
    pub fn add_operator(&mut self, role: Role, user: &str) -> OperatorCreds {
        let now = floorwalker::gate::config::unix_now();
        let creds = self.setup.trust.add_operator(role, user, now);
        self.setup.operators.push((role, creds.clone()));
        creds
    }

    fn start_gate_only_then(
        adjust: impl FnOnce(&mut ServerConfig, &mut GateConfig),
        auth_block: impl FnOnce(&mut String),
    ) -> Self {
        let binary = NatsBinary::locate().unwrap_or_else(|err| panic!("{err}"));
        let dir = tempfile::Builder::new()
            .prefix("floorwalker-test-")
            // FLOORWALKER_TEST_KEEP=1 keeps a test's logs and stores.
            .disable_cleanup(std::env::var_os("FLOORWALKER_TEST_KEEP").is_some())
            .tempdir()
            .expect("creating a temporary directory");
        let sites: Vec<SiteId> = SITES
            .iter()
            .map(|s| SiteId::new(*s).expect("a test site"))
            .collect();
        let mut setup = AuthSetup::generate(&sites, floorwalker::gate::config::unix_now());
        // Tests connect many times from one address; the rate test lowers it.
        setup.gate.connects_per_address_per_minute = 10_000;
        let run = dir.path().join("run");
        let mut config = ServerConfig::local("floorwalker-test", &run, "", &[ORIGIN.to_owned()]);
        config.jetstream_dir = Some(dir.path().join("jetstream"));
        config.port = Port::Fixed(reserved_port());
        if let Some(ws) = &mut config.websocket {
            ws.port = Port::Fixed(reserved_port());
        }
        adjust(&mut config, &mut setup.gate);
        let accounts = dir.path().join("accounts");
        config.auth_block = setup.server_block(&accounts);
        auth_block(&mut config.auth_block);
        setup
            .write(&dir.path().join("auth"), &accounts)
            .expect("writing the test's credentials");
        let server = NatsServer::start(&binary, &config, &run, START)
            .unwrap_or_else(|err| panic!("starting nats-server for a test: {err}"));
        let gate = GateProcess::start(dir.path(), &server.client_url());
        Self {
            intake: None,
            gate: Some(gate),
            server: Some(server),
            binary,
            config,
            setup,
            dir,
        }
    }

    /// Starts `floorwalker intake` with the intake's credentials and
    /// `extra` arguments, and waits until it hears shoppers. Every test
    /// server runs one (without it no shopper's batch reaches operators).
    ///
    /// # Panics
    /// If it cannot start or does not get ready.
    pub fn start_intake(&self, extra: &[&str]) -> Service {
        self.start_service(Role::Intake, "intake", extra)
    }

    /// Starts `floorwalker learn` with the learner's credentials and
    /// `extra` arguments, and waits until it has read the streams (they
    /// must exist: `setup::create_streams`).
    ///
    /// # Panics
    /// If it cannot start or does not get ready.
    pub fn start_learn(&self, extra: &[&str]) -> Service {
        self.start_service(Role::Learner, "learn", extra)
    }

    /// Runs `floorwalker <command>` with `role`'s credentials and `extra`
    /// arguments until it prints `<command>: ready`.
    fn start_service(&self, role: Role, command: &str, extra: &[&str]) -> Service {
        let creds = self.dir.path().join(format!("{}.creds", role.name()));
        self.creds(role)
            .store(&creds)
            .unwrap_or_else(|e| panic!("storing the {role} role's credentials: {e}"));
        let url = self.server().client_url();
        let mut args: Vec<&std::ffi::OsStr> = vec![
            command.as_ref(),
            "--server".as_ref(),
            url.as_ref(),
            "--creds".as_ref(),
            creds.as_os_str(),
        ];
        args.extend(extra.iter().map(std::ffi::OsStr::new));
        Service::run(
            self.dir.path(),
            command,
            &args,
            &format!("{command}: ready"),
        )
    }

    /// Stops the intake every test server starts, returning its output
    /// (for a test that starts its own, with other bounds).
    pub fn stop_intake(&mut self) -> String {
        self.intake.take().map(Service::stop).unwrap_or_default()
    }

    /// The running server.
    ///
    /// # Panics
    /// While it is stopped ([`TestServer::stop_server`]).
    pub fn server(&self) -> &NatsServer {
        self.server.as_ref().expect("nats-server is stopped")
    }

    /// Stops nats-server (gracefully), keeping its ports and data for
    /// [`TestServer::start_server`]; the gate stays up and reconnects.
    ///
    /// # Panics
    /// If it is stopped already, or does not stop.
    pub fn stop_server(&mut self) {
        let server = self.server.take().expect("nats-server is running");
        let client = server.client_addr().port();
        let ws = server.websocket_addr().map(|a| a.port());
        self.config.port = Port::Fixed(client);
        if let (Some(ws_config), Some(port)) = (&mut self.config.websocket, ws) {
            ws_config.port = Port::Fixed(port);
        }
        server.stop().expect("stopping nats-server");
    }

    /// Starts nats-server again on the same ports with the same data.
    ///
    /// # Panics
    /// If it does not start.
    pub fn start_server(&mut self) {
        let run = self.dir.path().join("run");
        let server = NatsServer::start(&self.binary, &self.config, &run, START)
            .unwrap_or_else(|err| panic!("restarting nats-server: {err}"));
        self.server = Some(server);
    }

    /// The test's temporary directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The credentials of an operator role.
    ///
    /// # Panics
    /// Never: every role has credentials.
    pub fn creds(&self, role: Role) -> OperatorCreds {
        self.setup
            .operators
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, c)| c.clone())
            .expect("every role has credentials")
    }

    /// The gate's configuration.
    pub fn gate_config(&self) -> &GateConfig {
        &self.setup.gate
    }

    /// Stops the gate (SIGTERM) and returns what it printed.
    ///
    /// # Panics
    /// If the gate was already stopped.
    pub fn stop_gate(&mut self) -> String {
        self.gate.take().expect("the gate is running").stop()
    }

    /// The gate process's id, while it runs.
    pub fn gate_pid(&self) -> Option<u32> {
        self.gate.as_ref().map(|g| g.child.id())
    }

    /// Starts one more gate beside the first, sharing its configuration.
    pub fn add_gate(&self, name: &str) -> GateProcess {
        GateProcess::start_named(self.dir.path(), &self.server().client_url(), name)
    }

    /// Starts `floorwalker router` with the router's credentials, and waits
    /// until it has read the streams' history.
    ///
    /// # Panics
    /// If it cannot start or does not get ready.
    pub fn start_router(&self) -> Service {
        let creds = self.dir.path().join("router.creds");
        self.creds(Role::Router)
            .store(&creds)
            .expect("storing the router's credentials");
        let url = self.server().client_url();
        let args = [
            "router".as_ref(),
            "--server".as_ref(),
            url.as_ref(),
            "--creds".as_ref(),
            creds.as_os_str(),
            "--shopper-timeout-secs".as_ref(),
            "20".as_ref(),
            "--agent-timeout-secs".as_ref(),
            "20".as_ref(),
        ];
        Service::run(self.dir.path(), "router", &args, "router: ready")
    }

    /// What the gate has printed so far.
    pub fn gate_out(&self) -> String {
        fs::read_to_string(self.dir.path().join("gate.out")).unwrap_or_default()
    }

    /// The gate's log file.
    pub fn gate_log(&self) -> String {
        fs::read_to_string(self.dir.path().join("gate.log")).unwrap_or_default()
    }
}

impl std::ops::Deref for TestServer {
    type Target = NatsServer;

    fn deref(&self) -> &NatsServer {
        self.server()
    }
}

/// A `floorwalker gate` process, stopped on `Drop`.
pub type GateProcess = Service;

/// A `floorwalker` service process (the gate, the router), stopped on
/// `Drop`.
pub struct Service {
    child: Child,
    output: PathBuf,
}

impl Service {
    fn start(dir: &Path, url: &str) -> Self {
        Self::start_named(dir, url, "gate")
    }

    fn start_named(dir: &Path, url: &str, name: &str) -> Self {
        let config = dir.join("auth").join("gate.toml");
        let args = [
            "gate".as_ref(),
            "--config".as_ref(),
            config.as_os_str(),
            "--server".as_ref(),
            url.as_ref(),
        ];
        Self::run(dir, name, &args, "gate: ready")
    }

    /// Runs `floorwalker <args>` with its log and output in `dir` under
    /// `name`, and waits until it prints `ready`.
    ///
    /// # Panics
    /// If it exits or does not get ready in time.
    pub fn run(dir: &Path, name: &str, args: &[&std::ffi::OsStr], ready: &str) -> Self {
        let output = dir.join(format!("{name}.out"));
        let out = File::create(&output).expect("creating a service's output file");
        let err = out.try_clone().expect("cloning a file handle");
        let child = Command::new(bin::floorwalker())
            .arg("--log-file")
            .arg(dir.join(format!("{name}.log")))
            .args(args)
            .env("RUST_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("starting floorwalker {name}: {e}"));
        let mut service = Self { child, output };
        let started = wait_until(START, || {
            if let Ok(Some(status)) = service.child.try_wait() {
                panic!(
                    "floorwalker {name} exited ({status}):\n{}",
                    service.printed()
                );
            }
            service.printed().contains(ready).then_some(())
        });
        assert!(
            started.is_some(),
            "floorwalker {name} did not get ready:\n{}",
            service.printed()
        );
        service
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills it at once (SIGKILL), as a crash would.
    pub fn kill(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.printed()
    }

    fn printed(&self) -> String {
        fs::read_to_string(&self.output).unwrap_or_default()
    }

    /// Stops it (SIGTERM) and returns what it printed.
    pub fn stop(mut self) -> String {
        self.terminate();
        self.printed()
    }

    fn terminate(&mut self) {
        let _ = stop_child(&mut self.child, Duration::from_secs(10));
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.terminate();
    }
}
