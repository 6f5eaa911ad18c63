// What the intakes and the gate refused, by reason, as `tail` and the
// dashboard show it: intakes played by an admin publishing reports, the
// gate a real one refusing real connections.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use floorwalker::gate::policy::Role;
use floorwalker_shared::intake::{IntakeReport, Refusal, What};
use floorwalker_shared::nats::ClientOp;
use floorwalker_shared::subject;
use floorwalker_tests::clients::{connect_operator, connect_shopper_with};
use floorwalker_tests::server::TestServer;
use floorwalker_tests::setup::create_streams;
use floorwalker_tests::wait_until;

use crate::chat::{tail_first_line, tail_json};
use crate::dashboard::open_dashboard_sized;

const SEEN: Duration = Duration::from_secs(30);

/// Intakes as a test plays them: their reports published on
/// `fw.intake.report` by an admin connection, again and again as the real
/// ones do every second, until dropped.
struct Intakes {
    reports: Arc<Mutex<Vec<IntakeReport>>>,
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Intakes {
    /// How often the reports go out: more often than the real intakes, so
    /// a reader that has just started hears them soon.
    const EVERY: Duration = Duration::from_millis(200);

    fn start(server: &TestServer, reports: Vec<IntakeReport>) -> Self {
        let mut admin = connect_operator(server, Role::Admin);
        let reports = Arc::new(Mutex::new(reports));
        let (stop, stopped) = mpsc::channel::<()>();
        let sent = reports.clone();
        let thread = std::thread::spawn(move || {
            loop {
                let ops: Vec<ClientOp> = sent
                    .lock()
                    .unwrap()
                    .iter()
                    .map(|report| ClientOp::Pub {
                        subject: subject::intake_report(),
                        reply: None,
                        headers: None,
                        payload: serde_json::to_vec(report).unwrap(),
                    })
                    .collect();
                admin.send(&ops).unwrap();
                // The pace of the reports, not a wait for anything: the
                // test's own drop ends it at once.
                if !matches!(
                    stopped.recv_timeout(Self::EVERY),
                    Err(mpsc::RecvTimeoutError::Timeout)
                ) {
                    break;
                }
            }
        });
        Self {
            reports,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// What the intakes report from now on.
    fn report(&self, reports: Vec<IntakeReport>) {
        *self.reports.lock().unwrap() = reports;
    }
}

impl Drop for Intakes {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// An intake's report: what it stored and refused.
fn report(instance: &str, stored_events: u64, refused: &[(What, Refusal, u64)]) -> IntakeReport {
    let mut report = IntakeReport::new(instance);
    report.stored_events = stored_events;
    report.stored_facts = 3;
    for &(what, reason, n) in refused {
        for _ in 0..n {
            report.refuse(what, reason);
        }
    }
    report
}

/// Connections the gate refuses: no credential at all.
fn refused_at_the_gate(server: &TestServer, n: usize) {
    for _ in 0..n {
        assert!(
            connect_shopper_with(server, None).is_err(),
            "a connection without a credential was admitted"
        );
    }
}

#[test]
fn tail_counts_what_the_intakes_and_the_gate_refused_by_reason() {
    let mut server = TestServer::start();
    // This test plays the intakes itself.
    server.stop_intake();
    create_streams(&server);
    refused_at_the_gate(&server, 2);

    // Before any intake reports, tail says so: no zeros that look like health.
    let before = tail_json(&server, &[]);
    assert_eq!(before["intake"], serde_json::Value::Null, "{before}");
    assert_eq!(before["gate"]["refused"], 2, "{before}");
    assert_eq!(before["gate"]["answering"], true, "{before}");
    let by_reason = before["gate"]["refused_by_reason"].as_object().unwrap();
    assert_eq!(
        by_reason
            .values()
            .filter_map(serde_json::Value::as_u64)
            .sum::<u64>(),
        2,
        "{before}"
    );
    assert_eq!(before["refused"], 2, "{before}");
    let line = tail_first_line(&server, &[]);
    assert!(
        line.contains("refused 2: no intake has reported; gate 2 ("),
        "{line}"
    );

    let _intakes = Intakes::start(
        &server,
        vec![
            report(
                "intake-a",
                40,
                &[
                    (What::Facts, Refusal::SessionRate, 6),
                    (What::Events, Refusal::TooLarge, 2),
                ],
            ),
            report(
                "intake-b",
                60,
                &[
                    (What::Connections, Refusal::PayloadTooLarge, 1),
                    (What::Events, Refusal::SessionRate, 3),
                ],
            ),
        ],
    );
    let now = wait_until(SEEN, || {
        let now = tail_json(&server, &[]);
        (now["intake"]["intakes"] == 2).then_some(now)
    })
    .expect("tail never heard both intakes");
    let intake = &now["intake"];
    assert_eq!(now["refused"], 12 + 2, "{now}");
    assert_eq!(intake["refused"], 12, "{now}");
    assert_eq!(intake["silent"], 0, "{now}");
    assert_eq!(intake["stored_events"], 100, "{now}");
    assert_eq!(intake["stored_facts"], 6, "{now}");
    let reasons = &intake["refused_by_reason"];
    assert_eq!(reasons["session_rate"], 9, "{now}");
    assert_eq!(reasons["too_large"], 2, "{now}");
    assert_eq!(reasons["payload_too_large"], 1, "{now}");
    assert_eq!(reasons["malformed"], 0, "every reason has its field: {now}");
    assert_eq!(
        intake["refused_by_what"],
        serde_json::json!({"events": 5, "facts": 6, "connections": 1}),
        "{now}"
    );
    assert_eq!(now["gate"]["refused"], 2, "{now}");

    let line = tail_first_line(&server, &[]);
    assert!(
        line.contains(
            "refused 14: intake 12 (9 session too fast, 2 too large, 1 payload too large); gate 2 ("
        ),
        "{line}"
    );
}

#[test]
fn the_dashboard_shows_the_number_refused_its_growth_and_the_reasons_one_key_away() {
    let mut server = TestServer::start();
    create_streams(&server);
    // Only the intake the test plays reports.
    server.stop_intake();
    refused_at_the_gate(&server, 2);
    let intakes = Intakes::start(
        &server,
        vec![report(
            "intake-a",
            40,
            &[
                (What::Facts, Refusal::SessionRate, 6),
                (What::Events, Refusal::TooLarge, 2),
            ],
        )],
    );
    let tmux = open_dashboard_sized(&server, 80, 24);
    tmux.wait_for("No shoppers", SEEN);
    // What was refused before the dashboard opened is counted, not news.
    let screen = tmux.wait_for("10 refused", SEEN);
    let title = screen.lines().next().unwrap_or_default();
    assert!(!title.contains("(+"), "{screen}");

    // Three more: the title says so.
    intakes.report(vec![report(
        "intake-a",
        40,
        &[
            (What::Facts, Refusal::SessionRate, 9),
            (What::Events, Refusal::TooLarge, 2),
        ],
    )]);
    let screen = tmux.wait_for("13 refused (+3)", SEEN);
    assert!(
        screen
            .lines()
            .next()
            .unwrap_or_default()
            .contains("0 online"),
        "{screen}"
    );

    // The reasons, in words, one key away.
    tmux.send_keys("x");
    let screen = tmux.wait_for("At the gate", SEEN);
    let row = |words: &str| {
        screen.lines().find(|l| l.contains(words)).map_or_else(
            || panic!("no '{words}' in {screen}"),
            |l| l.split_whitespace().collect::<Vec<_>>().join(" "),
        )
    };
    assert!(
        row("session too fast").contains("9 session too fast facts 9"),
        "{screen}"
    );
    assert!(
        row("too large").contains("2 too large batches 2"),
        "{screen}"
    );
    assert!(
        screen.contains("13 refused, 3 of them in the last minute"),
        "{screen}"
    );
    assert!(screen.contains("At the intakes (1 reporting)"), "{screen}");
    tmux.send_keys("x");
    wait_until(SEEN, || {
        (!tmux.screen().contains("At the gate")).then_some(())
    })
    .expect("x did not close the refusals");

    // A wide terminal names the reasons on the title line.
    tmux.resize(200, 60);
    tmux.wait_for(
        "13 refused (+3 in 1m): 9 session too fast, 2 too large, 2 ",
        SEEN,
    );
    tmux.send_keys("q");
    wait_until(SEEN, || tmux.exited().then_some(())).expect("q did not quit");
}
