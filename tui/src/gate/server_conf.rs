//! The nats-server configuration `floorwalker auth init` writes beside
//! `nats-auth.conf`: where clients and browsers connect, JetStream's store,
//! and the WebSocket listener, valid as written. A storefront on `https://`
//! may only open `wss://`, so the listener has TLS, or, named as such,
//! listens without it on the loopback address only: for trying Floorwalker
//! on one machine, or behind a reverse proxy there that ends TLS
//! (docs/DEPLOY.md).

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use thiserror::Error;

/// The file `auth init` writes it to, beside `nats-auth.conf`.
pub const FILE: &str = "nats-server.conf";

/// How browsers reach the WebSocket listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Websocket {
    /// TLS with this certificate and key: browsers connect with `wss://`.
    Tls {
        /// The certificate chain (PEM).
        cert: PathBuf,
        /// Its private key (PEM).
        key: PathBuf,
    },
    /// No TLS, on a loopback address only.
    Loopback,
}

/// Why the configuration cannot be written as asked.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ServerConfError {
    /// Plain WebSocket asked on an address that is not loopback.
    #[error(
        "{0} is not a loopback address: without TLS the WebSocket listener may only listen \
         on 127.0.0.1 or ::1 (give --tls-cert and --tls-key for a storefront on https)"
    )]
    NotLoopback(SocketAddr),
    /// An origin that is not `http(s)://host[:port]`.
    #[error("allowed origin '{0}' is not an origin like https://shop.example")]
    Origin(String),
}

/// The server's listeners and store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConf {
    /// Where operators and services connect (NATS protocol).
    pub client_listen: SocketAddr,
    /// Where browsers connect.
    pub websocket_listen: SocketAddr,
    /// TLS or loopback.
    pub websocket: Websocket,
    /// The storefronts' origins whose pages may connect (none: any).
    pub allowed_origins: Vec<String>,
    /// JetStream's directory.
    pub store_dir: PathBuf,
    /// Where nats-server serves its monitoring pages, if anywhere.
    pub monitor_listen: Option<SocketAddr>,
}

impl ServerConf {
    /// Checks what the server would refuse, or what would be unsafe.
    ///
    /// # Errors
    /// The first thing wrong.
    pub fn check(&self) -> Result<(), ServerConfError> {
        if self.websocket == Websocket::Loopback && !self.websocket_listen.ip().is_loopback() {
            return Err(ServerConfError::NotLoopback(self.websocket_listen));
        }
        for origin in &self.allowed_origins {
            let rest = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            let good = rest.is_some_and(|host| {
                !host.is_empty()
                    && host
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
            });
            if !good {
                return Err(ServerConfError::Origin(origin.clone()));
            }
        }
        Ok(())
    }

    /// The configuration's text; it includes `nats-auth.conf` from the same
    /// directory.
    pub fn render(&self) -> String {
        let mut out = String::from(
            "# nats-server configuration written by `floorwalker auth init` (docs/DEPLOY.md).\n\
             # Start it with: nats-server -c nats-server.conf\n",
        );
        let _ = writeln!(
            out,
            "# Operators and Floorwalker's services connect here.\nlisten: \"{}\"",
            self.client_listen
        );
        if let Some(monitor) = self.monitor_listen {
            let _ = writeln!(out, "http: \"{monitor}\"");
        }
        let _ = writeln!(
            out,
            "jetstream {{\n  store_dir: {}\n}}",
            quoted(&self.store_dir.display().to_string())
        );
        out.push_str("# Storefronts' pages connect here.\nwebsocket {\n");
        let _ = writeln!(out, "  listen: \"{}\"", self.websocket_listen);
        match &self.websocket {
            Websocket::Tls { cert, key } => {
                let _ = writeln!(
                    out,
                    "  tls {{\n    cert_file: {}\n    key_file: {}\n  }}",
                    quoted(&cert.display().to_string()),
                    quoted(&key.display().to_string())
                );
            }
            Websocket::Loopback => {
                out.push_str(
                    "  # Without TLS, on the loopback address only: browsers on this machine,\n  \
                     # or a reverse proxy here that ends TLS (docs/DEPLOY.md).\n  no_tls: true\n",
                );
            }
        }
        if !self.allowed_origins.is_empty() {
            let origins = self
                .allowed_origins
                .iter()
                .map(|o| quoted(o))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = writeln!(out, "  allowed_origins: [ {origins} ]");
        }
        let _ = writeln!(
            out,
            "  # A reverse proxy's word for the shopper's address, for the gate\n  \
             # (floorwalker auth proxy).\n  \
             pass_cookie: \"{}\"",
            super::proxy::COOKIE
        );
        out.push_str("}\n# Accounts and the gate (floorwalker auth init wrote it).\ninclude nats-auth.conf\n");
        out
    }
}

/// A string as the config format quotes it.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(websocket: Websocket, listen: &str) -> ServerConf {
        ServerConf {
            client_listen: "127.0.0.1:4222".parse().unwrap(),
            websocket_listen: listen.parse().unwrap(),
            websocket,
            allowed_origins: vec!["https://shop.example".into()],
            store_dir: "/var/lib/nats".into(),
            monitor_listen: None,
        }
    }

    #[test]
    fn plain_websocket_only_on_loopback() {
        assert_eq!(
            conf(Websocket::Loopback, "0.0.0.0:8080").check(),
            Err(ServerConfError::NotLoopback(
                "0.0.0.0:8080".parse().unwrap()
            ))
        );
        let local = conf(Websocket::Loopback, "127.0.0.1:8080");
        assert_eq!(local.check(), Ok(()));
        let text = local.render();
        assert!(text.contains("no_tls: true"), "{text}");
        assert!(text.contains("pass_cookie: \"fw_client\""), "{text}");
        assert!(!text.contains("tls {"), "{text}");
    }

    #[test]
    fn tls_names_the_files_and_the_origins() {
        let tls = conf(
            Websocket::Tls {
                cert: "/etc/ssl/shop.pem".into(),
                key: "/etc/ssl/shop.key".into(),
            },
            "0.0.0.0:443",
        );
        assert_eq!(tls.check(), Ok(()));
        let text = tls.render();
        assert!(text.contains("cert_file: \"/etc/ssl/shop.pem\""), "{text}");
        assert!(text.contains("allowed_origins: [ \"https://shop.example\" ]"));
        assert!(!text.contains("no_tls"), "{text}");
        assert!(text.ends_with("include nats-auth.conf\n"));
        let mut bad = tls;
        bad.allowed_origins = vec!["shop.example".into()];
        assert!(bad.check().is_err());
    }
}
