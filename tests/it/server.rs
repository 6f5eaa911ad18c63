// The private nats-server every test runs against: its listeners, and its cleanup.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::panic;
use std::time::Duration;

use floorwalker_tests::server::{ORIGIN, TestServer};
use floorwalker_tests::{process_alive, wait_until};

#[test]
fn a_test_server_listens_for_clients_and_browsers_on_loopback() {
    let server = TestServer::start();
    assert!(server.client_addr().ip().is_loopback());
    let ws = server.websocket_addr().expect("no WebSocket listener");
    assert!(ws.ip().is_loopback());
    assert_ne!(ws.port(), server.client_addr().port());

    // A real WebSocket upgrade, as a browser would send it.
    let mut stream = TcpStream::connect(ws).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "GET / HTTP/1.1\r\nHost: {ws}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    .unwrap();
    let mut reply = [0u8; 256];
    let n = stream.read(&mut reply).unwrap();
    let reply = String::from_utf8_lossy(&reply[..n]);
    assert!(
        reply.starts_with("HTTP/1.1 101"),
        "no WebSocket upgrade: {reply}"
    );
    assert!(
        reply.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
        "wrong accept key: {reply}"
    );

    // JetStream keeps its data in the test's own directory.
    assert!(server.dir().join("jetstream").join("jetstream").is_dir());
    // The generated config trusts the deployment's operator, leads every
    // client without credentials to the gate (the sentinel) and names the
    // storefront origins; there is no user admitted without credentials.
    let config = std::fs::read_to_string(server.config_path()).unwrap();
    assert!(
        config.contains("operator: ") && config.contains("default_sentinel: "),
        "{config}"
    );
    assert!(
        config.contains(&format!("allowed_origins: [\"{ORIGIN}\"]")),
        "{config}"
    );
    assert!(!config.contains("no_auth_user"), "{config}");
}

#[test]
fn a_test_server_is_stopped_when_its_test_panics() {
    let (tx, rx) = std::sync::mpsc::channel();
    let outcome = panic::catch_unwind(|| {
        let server = TestServer::start();
        tx.send((server.pid(), server.client_addr(), server.dir().to_owned()))
            .unwrap();
        panic!("a failing test");
    });
    assert!(outcome.is_err());
    let (pid, addr, dir) = rx.recv().unwrap();
    assert!(!process_alive(pid), "nats-server {pid} outlived its test");
    assert!(
        TcpStream::connect(addr).is_err(),
        "{addr} still accepts connections"
    );
    assert!(!dir.exists(), "the test's directory was left behind");
}

#[test]
fn two_test_servers_get_different_ports() {
    let (a, b) = (TestServer::start(), TestServer::start());
    assert_ne!(a.client_addr(), b.client_addr());
    assert_ne!(a.websocket_addr(), b.websocket_addr());
    drop(a);
    // The other keeps serving.
    assert!(
        wait_until(Duration::from_secs(2), || TcpStream::connect(
            b.client_addr()
        )
        .ok())
        .is_some()
    );
}
