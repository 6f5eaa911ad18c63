// Behind a real nginx running the block `floorwalker auth proxy` writes, the gate bounds each shopper under the address nginx saw, not the proxy's; nothing a browser sends can name another.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};
use std::process::Command;
use std::time::{Duration, Instant};

use floorwalker::gate::policy::Role;
use floorwalker::gate::proxy;
use floorwalker::presence;
use floorwalker_shared::nats::{ClientOp, ConnectInfo, ServerOp};
use floorwalker_shared::subject;
use floorwalker_tests::bin::floorwalker;
use floorwalker_tests::clients::{HANDSHAKE, connect_operator, new_shopper};
use floorwalker_tests::nginx::Nginx;
use floorwalker_tests::raw::{HandshakeError, RawClient, Ws};
use floorwalker_tests::server::{ORIGIN, TestServer};
use floorwalker_tests::wait_until;
use serde_json::json;

use crate::gate::{gate_status_on, is_refused, refusals};

/// The bound on attempts per address in this test.
const PER_ADDRESS: u32 = 3;

fn loopback(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
}

/// A new shopper's WebSocket from `source` to `target` (nginx or the
/// server), with `pass` in CONNECT and `headers` on the upgrade.
fn shopper(
    source: IpAddr,
    target: std::net::SocketAddr,
    path: &str,
    pass: Option<&str>,
    headers: &[(&'static str, &str)],
) -> Result<RawClient<Ws>, HandshakeError> {
    let mut client = RawClient::connect_ws_from(source, target, path, ORIGIN, headers)
        .expect("a WebSocket through nginx");
    client.handshake(
        ConnectInfo {
            auth_token: Some(new_shopper("shop").to_token_string()),
            pass: pass.map(str::to_owned),
            ..ConnectInfo::default()
        },
        HANDSHAKE,
    )?;
    Ok(client)
}

#[test]
fn shoppers_behind_a_proxy_are_bounded_each_under_their_own_address() {
    let server = TestServer::start_gate_only(|_, gate| {
        gate.connects_per_address_per_minute = PER_ADDRESS;
    });
    let ws = server.websocket_addr().expect("a WebSocket listener");
    let mut dash = connect_operator(&server, Role::Dashboard);
    // The broker's word on who connected from where, as the intake reads it.
    let mut watcher = connect_operator(&server, Role::Dashboard);
    watcher
        .send(&[
            ClientOp::Sub {
                subject: subject::shoppers_connect(),
                queue: None,
                sid: 1,
            },
            ClientOp::Ping,
        ])
        .unwrap();
    let auth = server.dir().join("auth");
    // What an operator runs: the gate trusts nginx here and nginx gets
    // its block, with the token.
    let out = Command::new(floorwalker())
        .arg("auth")
        .arg("proxy")
        .arg("--dir")
        .arg(&auth)
        .args([
            "--trust",
            "127.0.0.1",
            "--host",
            "shop.test",
            "--path",
            "/nats",
        ])
        .arg("--websocket")
        .arg(ws.to_string())
        .output()
        .expect("running floorwalker auth proxy");
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = floorwalker::gate::config::GateConfig::load(&auth.join("gate.toml"))
        .unwrap()
        .proxy_token
        .expect("a proxy token");
    assert!(
        !printed.contains(&token),
        "the token was printed: {printed}"
    );
    // The running gate takes gate.toml in by itself.
    let trusted = wait_until(Duration::from_secs(10), || {
        let status = gate_status_on(&mut dash);
        (status["bounds"]["trusted_proxies"] == json!(["127.0.0.1"])).then_some(())
    });
    assert!(trusted.is_some(), "the gate never trusted the proxy");
    let nginx = Nginx::start(server.dir(), &auth.join(proxy::NGINX_FILE));
    let through = |source: u8, pass: Option<&str>, headers: &[(&'static str, &str)]| {
        shopper(loopback(source), nginx.addr(), "/nats", pass, headers)
    };

    // Eight shoppers, each at its own address, open two pages each:
    // sixteen attempts through one proxy, all admitted under a bound of
    // three per address.
    for source in 2..10u8 {
        for page in 0..2 {
            let result = through(source, None, &[]);
            assert!(
                result.is_ok(),
                "127.0.0.{source}, page {page}: {:?}\n{}",
                result.err(),
                nginx.log()
            );
        }
    }
    // One address's attempts are still bounded: the fourth is refused.
    for attempt in 0..PER_ADDRESS {
        assert!(through(20, None, &[]).is_ok(), "attempt {attempt}");
    }
    assert!(is_refused(&through(20, None, &[])));
    // A browser's own cookie cannot name another address: nginx replaces
    // it with what it saw (127.0.0.20, over its bound).
    let forged = format!("{}={token}@198.51.100.1", proxy::COOKIE);
    assert!(is_refused(&through(
        20,
        None,
        &[("Cookie", forged.as_str())]
    )));
    // A `pass` the client writes itself goes past the cookie: without the
    // token it is the proxy's word for nothing, and refused.
    assert!(is_refused(&through(30, Some("guess@198.51.100.2"), &[])));
    // Past the proxy, straight to nats-server from its address: refused
    // without the proxy's word.
    assert!(is_refused(&shopper(loopback(1), ws, "/", None, &[])));
    // From elsewhere, straight to nats-server: bounded under its own
    // address, whatever it writes.
    let own = format!("{token}@198.51.100.3");
    assert!(shopper(loopback(40), ws, "/", Some(&own), &[]).is_ok());

    // The connect advisories name each shopper's own address (the gate's
    // tag), not the proxy's: the intake bounds loud sessions by it.
    let mut hosts = BTreeSet::new();
    let everyone: BTreeSet<String> = (2..10u8)
        .chain([20, 40])
        .map(|n| format!("127.0.0.{n}"))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !everyone.is_subset(&hosts) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "advisories named {hosts:?}");
        match watcher.next_significant(left) {
            Ok(ServerOp::Msg(msg)) => {
                let connection =
                    presence::connection(&msg.payload).expect("a shopper's connect advisory");
                hosts.extend(connection.host);
            }
            Ok(_) => {}
            Err(e) => panic!("reading advisories: {e:?}; named {hosts:?}"),
        }
    }
    assert_eq!(hosts, everyone, "the proxy's address named as a shopper's");

    let status = gate_status_on(&mut dash);
    assert_eq!(
        status["admitted_shoppers"],
        8 * 2 + u64::from(PER_ADDRESS) + 1,
        "{status}"
    );
    assert_eq!(refusals(&status, "address_flood"), 2, "{status}");
    assert_eq!(refusals(&status, "unvouched"), 2, "{status}");
}
