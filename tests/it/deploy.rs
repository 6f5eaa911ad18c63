// A deployment as docs/DEPLOY.md makes one: `floorwalker auth init` with a
// certificate writes a config a real nats-server runs as written, and a
// browser shopper reaches the streams over wss://.

use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use floorwalker::creds::{self, OperatorCreds};
use floorwalker::natsd::NatsBinary;
use floorwalker::natsd::process::stop_child;
use floorwalker::streams;
use floorwalker_tests::bin::floorwalker;
use floorwalker_tests::browser::{Browser, Shop};
use floorwalker_tests::server::{Service, reserved_port};
use floorwalker_tests::wait_until;

const WAIT: Duration = Duration::from_secs(30);

/// nats-server run with a config file as written, stopped on `Drop`.
struct Natsd(Child);

impl Drop for Natsd {
    fn drop(&mut self) {
        let _ = stop_child(&mut self.0, Duration::from_secs(5));
    }
}

/// A certificate for 127.0.0.1 and localhost, made here: (cert, key) PEM.
fn test_certificate(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    let made = rcgen::generate_simple_self_signed(names).expect("a test certificate");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    (cert, key)
}

#[test]
fn a_generated_tls_config_runs_and_a_browser_shopper_arrives_over_wss() {
    let dir = tempfile::tempdir().unwrap();
    let auth = dir.path().join("auth");
    let (cert, key) = test_certificate(dir.path());
    let (client_port, ws_port) = (reserved_port(), reserved_port());
    let mut shop = Shop::bind();
    let out = Command::new(floorwalker())
        .args(["auth", "init", "--site", "shop", "--dir"])
        .arg(&auth)
        .arg("--tls-cert")
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key)
        .arg("--origin")
        .arg(shop.origin())
        .arg("--client-listen")
        .arg(format!("127.0.0.1:{client_port}"))
        .arg("--websocket-listen")
        .arg(format!("127.0.0.1:{ws_port}"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let conf = std::fs::read_to_string(auth.join("nats-server.conf")).unwrap();
    assert!(
        conf.contains("cert_file") && !conf.contains("no_tls"),
        "{conf}"
    );

    // The config as written, by a real nats-server.
    let log = std::fs::File::create(dir.path().join("nats-server.log")).unwrap();
    let natsd = Natsd(
        Command::new(NatsBinary::locate().unwrap().path())
            .arg("-c")
            .arg(auth.join("nats-server.conf"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    );
    let client_addr = SocketAddr::from(([127, 0, 0, 1], client_port));
    assert!(
        wait_until(WAIT, || TcpStream::connect(client_addr).ok()).is_some(),
        "nats-server did not start: {}",
        std::fs::read_to_string(dir.path().join("nats-server.log")).unwrap_or_default()
    );
    let url = format!("nats://{client_addr}");
    let gate_toml = auth.join("gate.toml");
    let _gate = Service::run(
        dir.path(),
        "gate",
        &[
            "gate".as_ref(),
            "--config".as_ref(),
            gate_toml.as_os_str(),
            "--server".as_ref(),
            url.as_ref(),
        ],
        "gate: ready",
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let admin = OperatorCreds::load(&creds::file_in(&auth, "admin")).unwrap();
    let client = runtime.block_on(async {
        let client = creds::connect(&admin, &url, "deploy-test", None)
            .await
            .unwrap();
        streams::ensure(&client).await.unwrap();
        client
    });
    let intake_nk = creds::file_in(&auth, "intake");
    let _intake = Service::run(
        dir.path(),
        "intake",
        &[
            "intake".as_ref(),
            "--server".as_ref(),
            url.as_ref(),
            "--creds".as_ref(),
            intake_nk.as_os_str(),
        ],
        "intake: ready",
    );

    let router_nk = creds::file_in(&auth, "router");
    let _router = Service::run(
        dir.path(),
        "router",
        &[
            "router".as_ref(),
            "--server".as_ref(),
            url.as_ref(),
            "--creds".as_ref(),
            router_nk.as_os_str(),
        ],
        "router: ready",
    );

    // A shopper's browser on the shop's page opens wss:// to the listener.
    shop.serve(&format!("wss://127.0.0.1:{ws_port}"), "shop");
    let browser = Browser::start_trusting_test_certificates();
    browser.goto(&shop.url("/"));
    let js = {
        let _inside = runtime.enter();
        async_nats::jetstream::new(client)
    };
    let stored = wait_until(WAIT, || {
        runtime.block_on(async {
            let mut events = js.get_stream(streams::EVENTS).await.ok()?;
            let n = events.info().await.ok()?.state.messages;
            (n > 0).then_some(n)
        })
    });
    assert!(
        stored.is_some(),
        "no batch reached EVENTS over wss://; nats-server said:\n{}",
        std::fs::read_to_string(dir.path().join("nats-server.log")).unwrap_or_default()
    );

    // doctor sees what the browser saw: TLS with the shop's certificate
    // authority, the upgrade from the shop's origin; without that authority
    // it says the certificate is the problem.
    let admin_nk = creds::file_in(&auth, "admin");
    let doctor = |ca: Option<&Path>| {
        let mut command = Command::new(floorwalker());
        command
            .args(["doctor", "--server", &url, "--creds"])
            .arg(&admin_nk)
            .args([
                "--websocket",
                &format!("wss://127.0.0.1:{ws_port}"),
                "--origin",
            ])
            .arg(shop.origin());
        if let Some(ca) = ca {
            command.arg("--ca").arg(ca);
        }
        let out = command.output().unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), said)
    };
    let (healthy, said) = doctor(Some(&cert));
    assert!(healthy, "{said}");
    assert!(
        said.contains(&format!("wss://127.0.0.1:{ws_port}: answers")),
        "{said}"
    );
    let (healthy, said) = doctor(None);
    assert!(!healthy, "{said}");
    assert!(said.contains("TLS failed"), "{said}");

    drop(natsd);
    let log = std::fs::read_to_string(dir.path().join("nats-server.log")).unwrap();
    assert!(log.contains("Server is ready"), "{log}");
    // No password anywhere in what auth init generated.
    assert!(!log.contains("Plaintext passwords detected"), "{log}");
}
