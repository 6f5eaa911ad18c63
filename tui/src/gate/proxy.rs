//! How a reverse proxy tells the gate each shopper's real address.
//!
//! nats-server gives the auth callout the address a connection comes from,
//! which behind a proxy is the proxy's for every shopper, and reads
//! `X-Forwarded-For` for its own log lines only. What it does pass on is a
//! cookie of the WebSocket upgrade request, named by `pass_cookie`, as the
//! CONNECT's `pass` when the client sent none (the plugin never does). So
//! the proxy replaces whatever `Cookie` header the browser sent with one
//! cookie, [`COOKIE`], holding the gate's proxy token and the address the
//! proxy sees: `<token>@<address>`. The gate believes that address only
//! from a proxy listed in `trusted_proxies` and only with the token, which
//! never leaves the proxy's and the gate's configuration: a browser that
//! writes its own `pass` in CONNECT, or reaches nats-server directly, cannot
//! name an address (docs/DEPLOY.md, `tests/it/proxy.rs`).

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};

use sha2::{Digest, Sha256};

/// The cookie the proxy sets and nats-server's `pass_cookie` names.
pub const COOKIE: &str = "fw_client";

/// The file `floorwalker auth proxy` writes nginx's `location` block to.
pub const NGINX_FILE: &str = "proxy.nginx.conf";

/// The file `floorwalker auth proxy` writes Caddy's site block to.
pub const CADDY_FILE: &str = "proxy.Caddyfile";

/// The address a trusted proxy vouched for in `pass`, if `pass` carries
/// `token` and an address; `None` for anything else.
pub fn vouched(token: &str, pass: Option<&str>) -> Option<IpAddr> {
    let (given, address) = pass?.split_once('@')?;
    if token.is_empty() {
        return None;
    }
    // Compared as digests, so the time taken says nothing of the token.
    if Sha256::digest(given.as_bytes()) != Sha256::digest(token.as_bytes()) {
        return None;
    }
    address
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// Where the proxy passes shoppers on to, and under which path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    /// nats-server's WebSocket listener.
    pub websocket: SocketAddr,
    /// The path storefronts connect to (`wss://shop.example/nats`).
    pub path: String,
}

/// nginx's `location` block for `upstream`, to include in the shop's
/// `server { }`: passes the upgrade on and replaces the browser's cookies
/// with the proxy's word for its address.
pub fn nginx_location(token: &str, upstream: &Upstream, host: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"# Floorwalker: storefronts connect to wss://{host}{path}. Made by
# `floorwalker auth proxy`; holds the gate's proxy token: keep private.
location {path} {{
    proxy_pass http://{websocket}/;
    proxy_http_version 1.1;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection "upgrade";
    proxy_set_header Host $host;
    # nats-server checks allowed_origins against it.
    proxy_set_header Origin $http_origin;
    # Replaces every cookie the browser sent: the shopper's address as this
    # proxy sees it, with the token that makes the gate believe it.
    proxy_set_header Cookie "{COOKIE}={token}@$remote_addr";
    # For nats-server's own log lines.
    proxy_set_header X-Forwarded-For $remote_addr;
    # Longer than the server's ping interval (2 minutes).
    proxy_read_timeout 300s;
}}
"#,
        path = upstream.path,
        websocket = upstream.websocket,
    );
    out
}

/// Caddy's site block for `upstream` on `host`.
pub fn caddy_site(token: &str, upstream: &Upstream, host: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"# Floorwalker: storefronts connect to wss://{host}{path}. Made by
# `floorwalker auth proxy`; holds the gate's proxy token: keep private.
{host} {{
    handle_path {path} {{
        reverse_proxy {websocket} {{
            # Replaces every cookie the browser sent: the shopper's address
            # as Caddy sees it, with the token that makes the gate believe it.
            header_up Cookie "{COOKIE}={token}@{{remote_host}}"
        }}
    }}
}}
"#,
        path = upstream.path,
        websocket = upstream.websocket,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_token_makes_an_address_believed() {
        let token = "k7Jx-secret";
        assert_eq!(
            vouched(token, Some("k7Jx-secret@203.0.113.9")),
            Some("203.0.113.9".parse().unwrap())
        );
        assert_eq!(
            vouched(token, Some("k7Jx-secret@2001:db8::7")),
            Some("2001:db8::7".parse().unwrap())
        );
        assert_eq!(
            vouched(token, Some("k7Jx-secret@[2001:db8::7]")),
            Some("2001:db8::7".parse().unwrap())
        );
        assert_eq!(vouched("", Some("@203.0.113.9")), None);
        for forged in [
            None,
            Some(""),
            Some("203.0.113.9"),
            Some("@203.0.113.9"),
            Some("k7Jx-secreT@203.0.113.9"),
            Some("k7Jx-secret@"),
            Some("k7Jx-secret@not-an-address"),
            Some("k7Jx-secret@203.0.113.9, 10.0.0.1"),
        ] {
            assert_eq!(vouched(token, forged), None, "{forged:?}");
        }
    }

    #[test]
    fn the_snippets_replace_the_cookie_with_the_token_and_address() {
        let upstream = Upstream {
            websocket: "127.0.0.1:8080".parse().unwrap(),
            path: "/nats".into(),
        };
        let nginx = nginx_location("TOKEN", &upstream, "shoes.example");
        assert!(nginx.contains("wss://shoes.example/nats"));
        assert!(nginx.contains("location /nats {"));
        assert!(nginx.contains("proxy_pass http://127.0.0.1:8080/;"));
        assert!(nginx.contains(r#"proxy_set_header Cookie "fw_client=TOKEN@$remote_addr";"#));
        let caddy = caddy_site("TOKEN", &upstream, "shoes.example");
        assert!(caddy.contains("shoes.example {"));
        assert!(caddy.contains("reverse_proxy 127.0.0.1:8080"));
        assert!(caddy.contains(r#"header_up Cookie "fw_client=TOKEN@{remote_host}""#));
    }
}
