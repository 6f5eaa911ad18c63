// `floorwalker auth init` and `floorwalker gate` from the command line.

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output};

use std::path::Path;
use std::time::Duration;

use floorwalker::gate::policy::Role;
use floorwalker::natsd::NatsBinary;
use floorwalker_tests::bin::floorwalker;
use floorwalker_tests::clients::{connect_shopper, foreign_creds, new_shopper};
use floorwalker_tests::server::{TestServer, reserved_port};
use floorwalker_tests::wait_until;

use crate::gate::gate_status;

fn run(args: &[&str]) -> Output {
    Command::new(floorwalker()).args(args).output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn auth_init_writes_private_files_and_a_config_nats_server_runs() {
    let dir = tempfile::tempdir().unwrap();
    let auth = dir.path().join("auth");
    let auth_arg = auth.display().to_string();
    let (client, ws) = (reserved_port(), reserved_port());
    let out = run(&[
        "auth",
        "init",
        "--dir",
        &auth_arg,
        "--site",
        "shoes",
        "--site",
        "hats",
        "--loopback",
        "--client-listen",
        &format!("127.0.0.1:{client}"),
        "--websocket-listen",
        &format!("127.0.0.1:{ws}"),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let printed = text(&out);
    assert!(printed.contains("nats-server -c"), "{printed}");

    let mut seeds = Vec::new();
    // What init writes: its config and one role's credentials each.
    let creds = Role::ALL
        .iter()
        .map(|role| format!("{}.creds", role.name()));
    let files: Vec<String> = [
        "gate.toml",
        "trust.toml",
        "nats-auth.conf",
        "nats-server.conf",
    ]
    .map(String::from)
    .into_iter()
    .chain(creds)
    .collect();
    for file in &files {
        let path = auth.join(file);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{file} is readable by others");
        let body = std::fs::read_to_string(&path).unwrap();
        // An nkey seed: 58 characters of base32 from 'S' (a JWT's base64
        // has lower case letters).
        let is_seed = |w: &&str| {
            w.len() == 58
                && w.starts_with('S')
                && w.chars()
                    .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c))
        };
        seeds.extend(
            body.split(|c: char| !c.is_ascii_alphanumeric())
                .filter(is_seed)
                .map(str::to_owned),
        );
        if Path::new(file).extension().is_some_and(|e| e == "conf") {
            assert!(
                !body.contains("password"),
                "{file} holds a password:\n{body}"
            );
        }
    }
    // Four gate seeds, the operator's two, the accounts' six and eight
    // operators' (one per role); none printed, none in the server's files.
    assert_eq!(seeds.len(), 20, "{seeds:?}");
    let conf = std::fs::read_to_string(auth.join("nats-server.conf")).unwrap()
        + &std::fs::read_to_string(auth.join("nats-auth.conf")).unwrap();
    for seed in &seeds {
        assert!(
            !printed.contains(seed.as_str()),
            "auth init printed a secret"
        );
        assert!(
            !conf.contains(seed.as_str()),
            "the server's config holds a secret"
        );
    }
    let gate = std::fs::read_to_string(auth.join("gate.toml")).unwrap();
    assert!(
        gate.contains("\"shoes\"") && gate.contains("\"hats\""),
        "{gate}"
    );

    // The config runs as written: plain WebSocket on loopback only, named so.
    assert!(
        conf.contains("no_tls: true") && conf.contains("loopback"),
        "{conf}"
    );
    let binary = NatsBinary::locate().unwrap();
    let check = Command::new(binary.path())
        .arg("-c")
        .arg(auth.join("nats-server.conf"))
        .arg("-t")
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "nats-server refused the config: {}",
        text(&check)
    );

    // Running it again would invalidate every credential: it refuses.
    let again = run(&[
        "auth",
        "init",
        "--dir",
        &auth_arg,
        "--site",
        "shoes",
        "--loopback",
    ]);
    assert!(!again.status.success());
    assert!(text(&again).contains("--force"), "{}", text(&again));
}

/// Connects with a credentials file through async-nats, and through nats-py
/// (from the test-only virtualenv `just setup-tests` makes); each publishes
/// on `subject` and flushes, and says "ok" or why not.
fn sign_in_both_ways(url: &str, file: &Path, subject: &str) -> (String, String) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let rust = runtime.block_on(async {
        let connected = tokio::time::timeout(
            Duration::from_secs(10),
            async_nats::ConnectOptions::with_credentials_file(file)
                .await
                .unwrap()
                .retry_on_initial_connect()
                .max_reconnects(1)
                .connect(url),
        )
        .await;
        match connected {
            Ok(Ok(client)) => {
                let published = client.publish(subject.to_owned(), "hi".into()).await;
                match (published, client.flush().await) {
                    (Ok(()), Ok(())) => "ok".to_owned(),
                    (p, f) => format!("{p:?} {f:?}"),
                }
            }
            Ok(Err(e)) => e.to_string(),
            Err(_) => "timed out".to_owned(),
        }
    });
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/py/bin/python");
    assert!(
        python.exists(),
        "'{}' is missing: run `just setup-tests`",
        python.display()
    );
    let script = r#"
import asyncio, sys
import nats

async def main(url, creds, subject):
    errors = []
    async def error_cb(e):
        errors.append(str(e))
    try:
        nc = await nats.connect(url, user_credentials=creds, allow_reconnect=False,
                                connect_timeout=5, error_cb=error_cb)
    except Exception as e:
        print("refused:", e, errors)
        return
    await nc.publish(subject, b"hi")
    await nc.flush()
    await nc.close()
    print("ok")

asyncio.run(main(*sys.argv[1:]))
"#;
    let out = Command::new(python)
        .args(["-c", script, url])
        .arg(file)
        .arg(subject)
        .output()
        .unwrap();
    (rust, text(&out).trim().to_owned())
}

#[test]
fn every_role_signs_in_with_its_creds_file_from_async_nats_and_nats_py() {
    let server = TestServer::start();
    let url = server.server().client_url();
    for role in Role::ALL {
        let file = server.dir().join("auth").join(format!("{role}.creds"));
        // A subject each role may publish: its own presence or audit, or a
        // shopper's push for the roles that send them.
        let subject = match role {
            Role::Router | Role::Intake | Role::Admin | Role::Dashboard => {
                "fw.shop.shopper.tok.push".to_owned()
            }
            _ => format!("fw.audit.{role}.status"),
        };
        let (rust, python) = sign_in_both_ways(&url, &file, &subject);
        assert_eq!(rust, "ok", "{role} through async-nats");
        assert_eq!(python, "ok", "{role} through nats-py");
    }
    // The server checked them itself: the gate saw none of them.
    let status = gate_status(&server);
    assert_eq!(status["refused"]["no_credential"], 0, "{status}");
    // Another deployment's credentials are refused, by either client.
    let foreign = server.dir().join("foreign.creds");
    foreign_creds(Role::Admin, "admin").store(&foreign).unwrap();
    let (rust, python) = sign_in_both_ways(&url, &foreign, "fw.shop.shopper.tok.push");
    assert_ne!(rust, "ok");
    assert!(python.starts_with("refused"), "{python}");
}

/// An operator's async-nats client, and what it hears of its connection.
fn watched(
    runtime: &tokio::runtime::Runtime,
    url: &str,
    creds: &floorwalker::creds::OperatorCreds,
) -> (async_nats::Client, std::sync::mpsc::Receiver<String>) {
    let (events_tx, events) = std::sync::mpsc::channel();
    let client = runtime.block_on(async {
        async_nats::ConnectOptions::with_credentials(&creds.text())
            .unwrap()
            .event_callback(move |event| {
                let _ = events_tx.send(event.to_string());
                async {}
            })
            .connect(url)
            .await
            .unwrap()
    });
    (client, events)
}

#[test]
fn a_revoked_operator_is_dropped_and_refused_and_a_new_one_admitted_without_a_restart() {
    let server = TestServer::start();
    let url = server.server().client_url();
    let auth = server.dir().join("auth");
    let auth_arg = auth.display().to_string();
    let tail = server.creds(Role::Tail);
    let tail_file = server.dir().join("tail-kept.creds");
    tail.store(&tail_file).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (client, events) = watched(&runtime, &url, &tail);

    let out = run(&[
        "auth", "revoke", "--dir", &auth_arg, "--user", "tail", "--server", &url,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        !auth.join("tail.creds").exists(),
        "the revoked key's file stays"
    );
    // The server takes the operators' account with the key revoked and
    // closes the connection; the client's reconnection is refused.
    let seen = wait_until(Duration::from_secs(20), || {
        let all: Vec<String> = events.try_iter().collect();
        all.iter()
            .any(|e| e.contains("authorization"))
            .then_some(all)
    });
    assert!(
        seen.is_some(),
        "the revoked operator stayed connected: {:?}\n{}",
        client.connection_state(),
        server.gate_log()
    );
    assert_ne!(
        client.connection_state(),
        async_nats::connection::State::Connected
    );
    drop(client);
    let (rust, python) = sign_in_both_ways(&url, &tail_file, "fw.audit.tail.status");
    assert_ne!(rust, "ok", "the revoked key signed in through async-nats");
    assert!(python.starts_with("refused"), "{python}");

    // A new operator signs in within seconds, with no restart.
    let out = run(&[
        "auth", "add", "--dir", &auth_arg, "--role", "agent", "--user", "zoe",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let zoe = auth.join("zoe.creds");
    let admitted = wait_until(Duration::from_secs(10), || {
        let (rust, _) = sign_in_both_ways(&url, &zoe, "fw.audit.zoe.status");
        (rust == "ok").then_some(())
    });
    assert!(admitted.is_some(), "the new operator was not admitted");
    // Credentials that expire work until then, and are refused after.
    let out = run(&[
        "auth",
        "add",
        "--dir",
        &auth_arg,
        "--role",
        "agent",
        "--user",
        "kai",
        "--valid-for",
        "4s",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("They work until"), "{}", text(&out));
    let kai = auth.join("kai.creds");
    let (rust, _) = sign_in_both_ways(&url, &kai, "fw.audit.kai.status");
    assert_eq!(rust, "ok", "kai before expiry");
    let expired = wait_until(Duration::from_secs(20), || {
        let (rust, python) = sign_in_both_ways(&url, &kai, "fw.audit.kai.status");
        (rust != "ok" && python.starts_with("refused")).then_some(())
    });
    assert!(expired.is_some(), "expired credentials still signed in");
    let list = text(&run(&["auth", "list", "--dir", &auth_arg]));
    assert!(
        list.contains("zoe") && list.contains("Revoked keys"),
        "{list}"
    );
}

#[test]
fn rotating_the_gate_keys_drops_no_one_and_refuses_no_one() {
    let server = TestServer::start();
    let auth = server.dir().join("auth");
    let auth_arg = auth.display().to_string();
    let url = server.server().client_url();
    let agent = server.creds(Role::Agent);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (client, events) = watched(&runtime, &url, &agent);
    // Shoppers connected before, and a stream of new ones meanwhile.
    let before: Vec<_> = (0..5)
        .map(|_| connect_shopper(&server, &new_shopper("shop")).expect("a shopper"))
        .collect();
    let arriving = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let arrivals = {
        let (arriving, ws) = (arriving.clone(), server.websocket_addr().unwrap());
        std::thread::spawn(move || {
            let (mut admitted, mut refused) = (0, Vec::new());
            while arriving.load(std::sync::atomic::Ordering::SeqCst) {
                let mut shopper = floorwalker_tests::raw::RawClient::connect_ws(
                    ws,
                    floorwalker_tests::server::ORIGIN,
                )
                .expect("a WebSocket");
                let result = shopper.handshake(
                    floorwalker_shared::nats::ConnectInfo {
                        auth_token: Some(new_shopper("shop").to_token_string()),
                        ..Default::default()
                    },
                    floorwalker_tests::clients::HANDSHAKE,
                );
                match result {
                    Ok(_) => admitted += 1,
                    Err(e) => refused.push(format!("{e:?}")),
                }
            }
            (admitted, refused)
        })
    };
    let gate_before = std::fs::read_to_string(auth.join("gate.toml")).unwrap();

    let out = run(&["auth", "rotate-gate", "--dir", &auth_arg, "--server", &url]);
    arriving.store(false, std::sync::atomic::Ordering::SeqCst);
    let (admitted, refused) = arrivals.join().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("no connection dropped"),
        "{}",
        text(&out)
    );
    assert!(
        server
            .gate_out()
            .contains("connected with its new credentials")
    );
    assert_ne!(
        gate_before,
        std::fs::read_to_string(auth.join("gate.toml")).unwrap()
    );
    assert!(admitted > 0, "no shopper arrived during the rotation");
    assert!(
        refused.is_empty(),
        "{} of {} arriving shoppers refused: {refused:?}\n{}",
        refused.len(),
        admitted + refused.len(),
        server.gate_log()
    );
    // Everyone connected before is still connected, and answered.
    for (i, mut shopper) in before.into_iter().enumerate() {
        assert!(
            shopper.roundtrip(&[], Duration::from_secs(5)).is_ok(),
            "shopper {i} dropped"
        );
    }
    let dropped: Vec<String> = events
        .try_iter()
        .filter(|e| !e.contains("connected"))
        .collect();
    assert!(dropped.is_empty(), "the operator heard {dropped:?}");
    assert_eq!(
        client.connection_state(),
        async_nats::connection::State::Connected
    );
    // New shoppers come in with the new keys; the gate opened every request.
    assert!(connect_shopper(&server, &new_shopper("shop")).is_ok());
    assert!(
        !server.gate_log().contains("could not be opened"),
        "{}",
        server.gate_log()
    );
    // A second rotation within a shopper session would drop the shoppers
    // the first kept: it says so and changes nothing.
    let again = run(&["auth", "rotate-gate", "--dir", &auth_arg, "--server", &url]);
    assert!(!again.status.success());
    assert!(text(&again).contains("--force"), "{}", text(&again));
}

#[test]
fn a_creds_file_under_another_name_still_signs_in_as_its_user() {
    let server = TestServer::start();
    let renamed = server.dir().join("metrics.creds");
    server.creds(Role::Tail).store(&renamed).unwrap();
    let url = server.server().client_url();
    let (rust, python) = sign_in_both_ways(&url, &renamed, "fw.audit.tail.status");
    assert_eq!((rust.as_str(), python.as_str()), ("ok", "ok"));
}

#[test]
fn bad_input_gets_a_clear_message_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let auth_arg = dir.path().display().to_string();
    let cases: [(&[&str], &str); 7] = [
        (
            &["auth", "init", "--dir", &auth_arg, "--site", "Bad.Site"],
            "site 'Bad.Site'",
        ),
        (
            &["gate", "--config", "/nonexistent/gate.toml"],
            "cannot access '/nonexistent/gate.toml'",
        ),
        (&["auth", "init", "--dir", &auth_arg], "--site"),
        (
            &["auth", "init", "--dir", &auth_arg, "--site", "shoes"],
            "--tls-cert FILE --tls-key FILE",
        ),
        (
            &[
                "auth",
                "init",
                "--dir",
                &auth_arg,
                "--site",
                "shoes",
                "--loopback",
                "--websocket-listen",
                "0.0.0.0:8080",
            ],
            "0.0.0.0:8080 is not a loopback address",
        ),
        (
            &["auth", "revoke", "--dir", &auth_arg, "--user", "nobody"],
            "cannot access",
        ),
        (
            &[
                "auth",
                "add",
                "--dir",
                &auth_arg,
                "--role",
                "agent",
                "--user",
                "x",
                "--valid-for",
                "3 weeks",
            ],
            "not a duration like 90d",
        ),
    ];
    for (args, says) in cases {
        let out = run(args);
        assert!(!out.status.success(), "{args:?} succeeded");
        let said = text(&out);
        assert!(said.contains(says), "{args:?} said:\n{said}");
        assert!(!said.contains("panicked"), "{args:?} panicked:\n{said}");
    }
}
