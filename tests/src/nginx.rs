//! A real nginx in front of a test server's WebSocket listener, running the
//! `location` block `floorwalker auth proxy` writes.

use std::fmt::Write as _;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use floorwalker::natsd::process::stop_child;

use crate::server::reserved_port;
use crate::wait_until;

/// An nginx process listening on a loopback port; dropping it stops it.
pub struct Nginx {
    child: Child,
    addr: SocketAddr,
    dir: PathBuf,
}

/// Where nginx is: on PATH, Debian's `/usr/sbin/nginx`, or unpacked into
/// `.tools/nginx` by `just setup-tests` (no service installed).
///
/// # Panics
/// If there is none, saying how to get one.
pub fn binary() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join("nginx"));
    on_path
        .chain([
            PathBuf::from("/usr/sbin/nginx"),
            workspace.join(".tools/nginx/usr/sbin/nginx"),
        ])
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("no nginx found: run `just setup-tests`, which fetches one"))
}

impl Nginx {
    /// Starts nginx in `dir` with one `server` on a free loopback port that
    /// includes `location_file`, and waits until it listens.
    ///
    /// # Panics
    /// If it does not start; its error log says why.
    pub fn start(dir: &Path, location_file: &Path) -> Self {
        let dir = dir.join("nginx");
        std::fs::create_dir_all(dir.join("temp")).expect("creating nginx's directory");
        let addr = SocketAddr::from(([127, 0, 0, 1], reserved_port()));
        let temp = dir.join("temp");
        let mut temps = String::new();
        for kind in ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"] {
            let _ = writeln!(temps, "  {kind}_temp_path {};", temp.join(kind).display());
        }
        let conf = format!(
            "daemon off;\nworker_processes 1;\npid {pid};\nerror_log {log} info;\n\
             events {{ worker_connections 512; }}\n\
             http {{\n  access_log off;\n{temps}  server {{\n    listen {addr};\n    \
             include {location};\n  }}\n}}\n",
            pid = dir.join("nginx.pid").display(),
            log = dir.join("error.log").display(),
            location = location_file.display(),
        );
        let conf_file = dir.join("nginx.conf");
        std::fs::write(&conf_file, conf).expect("writing nginx.conf");
        let child = Command::new(binary())
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(&conf_file)
            .arg("-e")
            .arg(dir.join("error.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("stderr.log")).expect("nginx's stderr file"))
            .spawn()
            .expect("starting nginx");
        let mut nginx = Self { child, addr, dir };
        let listening = wait_until(Duration::from_secs(10), || {
            TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok()
        });
        let running = nginx.child.try_wait().ok().flatten().is_none();
        assert!(
            listening.is_some() && running,
            "nginx did not start:\n{}",
            nginx.log()
        );
        nginx
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its error log and what it printed, so far.
    pub fn log(&self) -> String {
        ["stderr.log", "error.log"]
            .iter()
            .filter_map(|f| std::fs::read_to_string(self.dir.join(f)).ok())
            .collect()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = stop_child(&mut self.child, Duration::from_secs(5));
    }
}
