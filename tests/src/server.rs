//! A private nats-server for one test.

use std::time::Duration;

use floorwalker::natsd::{NatsBinary, NatsServer, ServerConfig};
use tempfile::TempDir;

/// A nats-server on free loopback ports (NATS and WebSocket), with JetStream
/// in a temporary directory. Dropping it stops the server, then removes the
/// directory.
pub struct TestServer {
    // Field order matters: the server stops before its directory goes.
    server: NatsServer,
    dir: TempDir,
}

impl TestServer {
    /// Starts a server with the default test config.
    pub fn start() -> Self {
        Self::start_with(|_| {})
    }

    /// Starts a server after `adjust` has changed the test config.
    ///
    /// # Panics
    /// If no nats-server ≥ 2.10 is found or it does not start; the message
    /// says why and what to do.
    pub fn start_with(adjust: impl FnOnce(&mut ServerConfig)) -> Self {
        let binary = NatsBinary::locate().unwrap_or_else(|err| panic!("{err}"));
        let dir = tempfile::Builder::new()
            .prefix("floorwalker-test-")
            .tempdir()
            .expect("creating a temporary directory");
        let mut config = ServerConfig::local("floorwalker-test", dir.path().join("run"));
        config.jetstream_dir = Some(dir.path().join("jetstream"));
        adjust(&mut config);
        let server = NatsServer::start(
            &binary,
            &config,
            &dir.path().join("run"),
            Duration::from_secs(20),
        )
        .unwrap_or_else(|err| panic!("starting nats-server for a test: {err}"));
        Self { server, dir }
    }

    /// The running server.
    pub fn server(&self) -> &NatsServer {
        &self.server
    }

    /// The test's temporary directory.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }
}

impl std::ops::Deref for TestServer {
    type Target = NatsServer;

    fn deref(&self) -> &NatsServer {
        &self.server
    }
}
