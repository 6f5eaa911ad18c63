//! A running nats-server, stopped when its guard is dropped.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde::Deserialize;
use thiserror::Error;

use super::binary::{NatsBinary, Version};
use super::config::ServerConfig;

/// How long a stopping server may take to flush JetStream before it is killed.
const GRACE: Duration = Duration::from_secs(5);
/// How often start-up is checked on.
const POLL: Duration = Duration::from_millis(20);

/// Why a nats-server could not be started.
#[derive(Debug, Error)]
pub enum StartError {
    /// The run directory or config file could not be written.
    #[error("cannot write '{path}'")]
    Write {
        /// What could not be written.
        path: PathBuf,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },
    /// The binary could not be run.
    #[error("cannot run '{path}'")]
    Spawn {
        /// The binary.
        path: PathBuf,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },
    /// The server exited during start-up (a port in use, a bad config...).
    #[error("nats-server exited during start-up ({status}); its log '{log}' ends with:\n{tail}")]
    Exited {
        /// How it exited.
        status: ExitStatus,
        /// Its log file.
        log: PathBuf,
        /// The last lines of its log.
        tail: String,
    },
    /// The server did not accept clients in time.
    #[error(
        "nats-server did not accept clients within {waited:?}; its log '{log}' ends with:\n{tail}"
    )]
    Timeout {
        /// How long was waited.
        waited: Duration,
        /// Its log file.
        log: PathBuf,
        /// The last lines of its log.
        tail: String,
    },
}

/// The file nats-server writes into `ports_file_dir` once it listens.
#[derive(Debug, Deserialize)]
struct PortsFile {
    #[serde(default)]
    nats: Vec<String>,
    #[serde(default)]
    websocket: Vec<String>,
}

/// A running nats-server. Dropping it stops the server (gracefully, then by
/// force), so a test that panics still leaves nothing behind.
#[derive(Debug)]
pub struct NatsServer {
    child: Child,
    version: Version,
    client: SocketAddr,
    websocket: Option<SocketAddr>,
    config_path: PathBuf,
    log_path: PathBuf,
}

impl NatsServer {
    /// Writes `config` to `run_dir/nats.conf`, starts `binary` with it (its
    /// output goes to `run_dir/nats-server.log`), and waits up to `timeout`
    /// until it accepts a client.
    pub fn start(
        binary: &NatsBinary,
        config: &ServerConfig,
        run_dir: &Path,
        timeout: Duration,
    ) -> Result<Self, StartError> {
        let write = |path: &Path, err| StartError::Write {
            path: path.to_owned(),
            source: err,
        };
        fs::create_dir_all(run_dir).map_err(|e| write(run_dir, e))?;
        fs::create_dir_all(&config.ports_file_dir).map_err(|e| write(&config.ports_file_dir, e))?;
        let config_path = run_dir.join("nats.conf");
        fs::write(&config_path, config.render()).map_err(|e| write(&config_path, e))?;
        let log_path = run_dir.join("nats-server.log");
        let log = File::create(&log_path).map_err(|e| write(&log_path, e))?;
        let log_err = log.try_clone().map_err(|e| write(&log_path, e))?;

        let child = Command::new(binary.path())
            .arg("-c")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            // Its own process group: a terminal's Ctrl-C or hang-up reaches
            // only us, and we stop the server in order (SIGHUP would make
            // nats-server reload its config, not stop).
            .process_group(0)
            .spawn()
            .map_err(|source| StartError::Spawn {
                path: binary.path().to_owned(),
                source,
            })?;
        let ports_file = config
            .ports_file_dir
            .join(format!("nats-server_{}.ports", child.id()));
        let mut server = Self {
            child,
            version: binary.version(),
            client: SocketAddr::from(([127, 0, 0, 1], 0)),
            websocket: None,
            config_path,
            log_path,
        };
        // From here on, an error drops `server`, which stops the process.
        server.wait_ready(&ports_file, timeout)?;
        Ok(server)
    }

    fn wait_ready(&mut self, ports_file: &Path, timeout: Duration) -> Result<(), StartError> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(StartError::Exited {
                    status,
                    log: self.log_path.clone(),
                    tail: self.log_tail(),
                });
            }
            if let Some((client, websocket)) = read_ports(ports_file) {
                if accepts_clients(client) {
                    self.client = client;
                    self.websocket = websocket;
                    return Ok(());
                }
            }
            if started.elapsed() > timeout {
                return Err(StartError::Timeout {
                    waited: timeout,
                    log: self.log_path.clone(),
                    tail: self.log_tail(),
                });
            }
            thread::sleep(POLL);
        }
    }

    /// The address NATS clients connect to.
    pub fn client_addr(&self) -> SocketAddr {
        self.client
    }

    /// `nats://host:port` for NATS clients.
    pub fn client_url(&self) -> String {
        format!("nats://{}", self.client)
    }

    /// The WebSocket listener's address, if configured.
    pub fn websocket_addr(&self) -> Option<SocketAddr> {
        self.websocket
    }

    /// `ws://host:port` for browsers, if a WebSocket listener is configured.
    pub fn websocket_url(&self) -> Option<String> {
        self.websocket.map(|addr| format!("ws://{addr}"))
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The config file it runs with.
    pub fn config_path(&self) -> &Path {
        &self.config_path
    }

    /// Its log file.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// `Some(status)` once the server has exited on its own.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Stops the server: SIGTERM so JetStream is flushed, SIGKILL after a
    /// grace period. Returns how it exited.
    pub fn stop(mut self) -> std::io::Result<ExitStatus> {
        self.terminate()
    }

    fn terminate(&mut self) -> std::io::Result<ExitStatus> {
        stop_child(&mut self.child, GRACE)
    }

    /// The last lines of the server's log, for error messages.
    pub fn log_tail(&self) -> String {
        log_tail(&self.log_path, 12)
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        if let Err(err) = self.terminate() {
            tracing::error!(pid = self.child.id(), %err, "could not stop nats-server");
        }
    }
}

/// Stops a child process: SIGTERM, so it can finish cleanly, then SIGKILL
/// once `grace` has passed. Returns how it exited.
pub fn stop_child(child: &mut Child, grace: Duration) -> std::io::Result<ExitStatus> {
    if let Some(status) = child.try_wait()? {
        return Ok(status);
    }
    let pid = Pid::from_raw(i32::try_from(child.id()).unwrap_or(i32::MAX));
    if kill(pid, Signal::SIGTERM).is_ok() {
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if let Some(status) = child.try_wait()? {
                return Ok(status);
            }
            thread::sleep(POLL);
        }
        tracing::warn!(pid = child.id(), "process ignored SIGTERM; killing it");
    }
    child.kill()?;
    child.wait()
}

/// Reads the ports file, if the server has written it yet.
fn read_ports(path: &Path) -> Option<(SocketAddr, Option<SocketAddr>)> {
    let text = fs::read_to_string(path).ok()?;
    let ports: PortsFile = serde_json::from_str(&text).ok()?;
    let client = ports.nats.first().and_then(|url| addr_of(url))?;
    let websocket = ports.websocket.first().and_then(|url| addr_of(url));
    Some((client, websocket))
}

fn addr_of(url: &str) -> Option<SocketAddr> {
    url.split_once("://")?.1.trim_end_matches('/').parse().ok()
}

/// Whether the server greets a new client with its INFO line.
fn accepts_clients(addr: SocketAddr) -> bool {
    let Ok(stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut line = String::new();
    BufReader::new(stream.take(64 * 1024))
        .read_line(&mut line)
        .is_ok_and(|_| line.starts_with("INFO "))
}

fn log_tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_addresses_from_urls_in_the_ports_file() {
        assert_eq!(
            addr_of("nats://127.0.0.1:4222"),
            Some(SocketAddr::from(([127, 0, 0, 1], 4222)))
        );
        assert_eq!(
            addr_of("ws://127.0.0.1:80/"),
            Some(SocketAddr::from(([127, 0, 0, 1], 80)))
        );
        assert_eq!(addr_of("127.0.0.1:4222"), None);
    }
}
