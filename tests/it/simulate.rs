// `floorwalker simulate`: shoppers that reach the bus through the gate as the
// plugin's do, and a clear account of what happened.

use std::fs;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use floorwalker::gate::policy::Role;
use floorwalker_shared::subject::{SessionSubjects, Subject};
use floorwalker_tests::bin::floorwalker;
use floorwalker_tests::clients::connect_operator;
use floorwalker_tests::server::TestServer;
use floorwalker_tests::setup::{create_streams, js_request};
use floorwalker_tests::wait_until;

const ORIGIN: &str = "http://localhost:4280";

fn server() -> TestServer {
    TestServer::start_with(|config, _| {
        if let Some(ws) = &mut config.websocket {
            ws.allowed_origins = vec![ORIGIN.to_owned()];
        }
    })
}

/// Where the simulator logs.
fn log_file(server: &TestServer) -> PathBuf {
    server.dir().join("simulate.log")
}

fn simulate(server: &TestServer, site: &str, shoppers: u32) -> Child {
    simulate_with(server, site, shoppers, &[])
}

fn simulate_with(server: &TestServer, site: &str, shoppers: u32, more: &[&str]) -> Child {
    Command::new(floorwalker())
        .args(["--data-dir", &server.dir().display().to_string()])
        .arg("--log-file")
        .arg(log_file(server))
        .args([
            "simulate", "--origin", ORIGIN, "--site", site, "--speed", "40", "--seed", "7",
        ])
        .args(["--ws", &server.websocket_url().unwrap()])
        .args(["--shoppers", &shoppers.to_string()])
        .args(more)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Stops the simulator as Ctrl-C would; returns what it printed.
fn stop(mut child: Child) -> String {
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let status = wait_until(Duration::from_secs(20), || child.try_wait().ok().flatten());
    if status.is_none() {
        let _ = child.kill();
    }
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(status.is_some_and(|s| s.success()), "{out}");
    out
}

/// Batches stored per session, from the EVENTS stream's subject counts.
fn sessions_stored(server: &TestServer) -> Vec<(SessionSubjects, u64)> {
    let mut admin = connect_operator(server, Role::Admin);
    let info = js_request(
        &mut admin,
        "$JS.API.STREAM.INFO.EVENTS",
        r#"{"subjects_filter":">"}"#,
    );
    info["state"]["subjects"]
        .as_object()
        .map(|subjects| {
            subjects
                .iter()
                .filter_map(|(subject, n)| {
                    let session = SessionSubjects::of(&Subject::new(subject.as_str()).ok()?)?;
                    Some((session, n.as_u64()?))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn simulated_shoppers_each_reach_the_bus_as_their_own_session() {
    let server = server();
    create_streams(&server);
    let child = simulate(&server, "shop", 4);
    let sessions = wait_until(Duration::from_secs(60), || {
        let sessions = sessions_stored(&server);
        (sessions.len() >= 4 && sessions.iter().all(|(_, n)| *n >= 2)).then_some(sessions)
    })
    .unwrap_or_else(|| panic!("too few sessions: {:?}", sessions_stored(&server)));
    assert!(sessions.iter().all(|(s, _)| s.site().as_str() == "shop"));
    let stored: u64 = sessions.iter().map(|(_, n)| n).sum();
    let out = stop(child);
    let last = out.lines().last().unwrap_or_default();
    assert!(last.starts_with("simulate: stopped."), "{out}");
    assert!(last.contains(" 0 refused"), "{out}");
    let sent: u64 = last
        .split(", ")
        .find_map(|part| part.strip_suffix(" batches sent"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no batch count: {out}"));
    assert!(sent >= stored, "{sent} sent, {stored} stored: {out}");
}

#[test]
fn shoppers_of_a_site_the_gate_does_not_serve_are_refused_and_counted() {
    let server = server();
    let child = simulate(&server, "unknown-shop", 2);
    // The first shopper arrives at once; the simulator logs a refusal as it
    // counts it.
    let logged = wait_until(Duration::from_secs(30), || {
        fs::read_to_string(log_file(&server))
            .ok()
            .filter(|log| log.contains("a simulated shopper could not connect"))
    });
    let out = stop(child);
    assert!(logged.is_some(), "no refusal logged in 30 s: {out}");
    let last = out.lines().last().unwrap_or_default();
    assert!(last.contains(" 0 connections admitted"), "{out}");
    let refused: u32 = last
        .split(", ")
        .find_map(|part| part.strip_suffix(" refused"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no refusal count: {out}"));
    assert!(refused >= 1, "{out}");
    assert!(last.contains(" 0 batches sent"), "{out}");
}

/// `tail --json` gives the currency the shoppers' amounts are in (the one
/// the dashboard shows), before anyone has ordered.
#[test]
fn tail_gives_the_shoppers_currency_before_any_order() {
    let server = server();
    create_streams(&server);
    // Browsers look around and never order.
    let child = simulate_with(&server, "shop", 3, &["--mix", "browsers=1"]);
    let report = wait_until(Duration::from_secs(60), || {
        let report = crate::chat::tail_json(&server, &[]);
        (report["online"].as_u64().unwrap_or(0) > 0).then_some(report)
    });
    stop(child);
    let report = report.expect("no shopper online in a minute");
    assert_eq!(report["conversion_unassisted_pct"], 0, "{report}");
    assert_eq!(report["currency"], "EUR", "{report}");
}
