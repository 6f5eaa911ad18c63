// `floorwalker setup` and `floorwalker doctor` against a real server: the plan, what changes and when, who may, and what services and doctor say without the streams.

use std::process::Output;
use std::time::Duration;

use floorwalker::gate::policy::Role;
use floorwalker_tests::clients::connect_operator;
use floorwalker_tests::server::TestServer;
use floorwalker_tests::setup::{js_request, run, setup};
use floorwalker_tests::tmux::Tmux;

fn out(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn err(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The plan's line for `name` (`  create  stream EVENTS …`), and the
/// lines under it.
fn plan_line<'a>(stdout: &'a str, name: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.split_whitespace().nth(2) == Some(name))
        .unwrap_or_else(|| panic!("no plan line for {name} in:\n{stdout}"))
}

/// A server with nothing of Floorwalker's on it (a gate, no streams, no
/// intake).
fn bare_server() -> TestServer {
    TestServer::start_gate_only(|_, _| {})
}

#[test]
fn setup_creates_everything_then_a_second_run_changes_nothing() {
    let server = bare_server();

    let first = setup(&server, Role::Admin, &[]);
    let text = out(&first);
    assert!(first.status.success(), "{text}{}", err(&first));
    for name in ["EVENTS", "AUDIT", "CHATS", "RAW", "RAW/intake"] {
        let line = plan_line(&text, name);
        assert!(line.trim_start().starts_with("create"), "{line}");
        assert!(text.contains(&format!("setup: created {name}\n")), "{text}");
    }
    // Each says what it is for.
    assert!(
        plan_line(&text, "RAW").contains("until the intake takes it in"),
        "{text}"
    );

    let second = setup(&server, Role::Admin, &[]);
    let text = out(&second);
    assert!(second.status.success(), "{text}{}", err(&second));
    for name in ["EVENTS", "AUDIT", "CHATS", "RAW", "RAW/intake"] {
        assert!(
            plan_line(&text, name).trim_start().starts_with("unchanged"),
            "{text}"
        );
    }
    assert!(text.contains("nothing to change"), "{text}");
    assert!(
        !text.contains("setup: created") && !text.contains("setup: updated"),
        "{text}"
    );

    // What it made is what the intake needs: it starts.
    let _intake = server.start_intake(&[]);
}

/// A running deployment whose RAW someone gave two hours and less room;
/// and an admin connection to read RAW's `max_age` (in nanoseconds) with.
fn server_with_older_raw() -> (TestServer, impl FnMut() -> u64) {
    let server = TestServer::start();
    let mut admin = connect_operator(&server, Role::Admin);
    let mut older = floorwalker::streams::raw_config();
    older.max_age = Duration::from_secs(7_200);
    older.max_bytes = 128 << 20;
    let body = serde_json::to_string(&older).unwrap();
    let updated = js_request(&mut admin, "$JS.API.STREAM.UPDATE.RAW", &body);
    assert!(updated.get("error").is_none(), "{updated}");
    let max_age = move || {
        let info = js_request(&mut admin, "$JS.API.STREAM.INFO.RAW", "");
        info["config"]["max_age"].as_u64().unwrap()
    };
    (server, max_age)
}

const TWO_HOURS_NS: u64 = 7_200_000_000_000;

#[test]
fn differing_limits_are_shown_old_to_new_and_changed_only_with_yes() {
    let (server, mut max_age) = server_with_older_raw();

    // Without a terminal and without --yes: the plan, a refusal, no change.
    let refused = setup(&server, Role::Admin, &[]);
    let text = out(&refused);
    assert!(!refused.status.success(), "{text}");
    assert!(
        plan_line(&text, "RAW").trim_start().starts_with("update"),
        "{text}"
    );
    assert!(text.contains("max_age           2h → 1h"), "{text}");
    assert!(
        text.contains("max_bytes         128 MiB → 256 MiB"),
        "{text}"
    );
    assert!(
        plan_line(&text, "EVENTS")
            .trim_start()
            .starts_with("unchanged"),
        "{text}"
    );
    assert!(err(&refused).contains("pass --yes"), "{}", err(&refused));
    assert_eq!(max_age(), TWO_HOURS_NS, "changed without --yes");

    // --plan shows the same and changes nothing either.
    let plan = setup(&server, Role::Admin, &["--plan"]);
    assert!(plan.status.success(), "{}", err(&plan));
    assert!(
        out(&plan).contains("max_age           2h → 1h"),
        "{}",
        out(&plan)
    );
    assert_eq!(max_age(), TWO_HOURS_NS, "changed by --plan");

    // --yes changes it; then all is as wanted.
    let changed = setup(&server, Role::Admin, &["--yes"]);
    assert!(
        changed.status.success(),
        "{}{}",
        out(&changed),
        err(&changed)
    );
    assert!(
        out(&changed).contains("setup: updated RAW\n"),
        "{}",
        out(&changed)
    );
    assert_eq!(max_age(), 3_600_000_000_000);
    let again = setup(&server, Role::Admin, &[]);
    assert!(out(&again).contains("nothing to change"), "{}", out(&again));
}

#[test]
fn on_a_terminal_setup_asks_before_changing_limits() {
    let (server, mut max_age) = server_with_older_raw();
    let dir = server.dir().join("terminal");
    std::fs::create_dir_all(&dir).unwrap();
    let admin = server.creds(Role::Admin);
    let creds = floorwalker::creds::file_in(&dir, &admin.user);
    admin.store(&creds).unwrap();
    let command = format!(
        "exec env NO_COLOR=1 {} --log-file '{dir}/setup-terminal.log' setup --server {} --creds '{}'",
        floorwalker_tests::bin::floorwalker().display(),
        server.client_url(),
        creds.display(),
        dir = server.dir().display(),
    );
    let asked = Duration::from_secs(30);

    // No: nothing changes.
    let terminal = Tmux::start(&command, 120, 30);
    let screen = terminal.wait_for("[y/N]", asked);
    assert!(screen.contains("max_age           2h → 1h"), "{screen}");
    terminal.send_keys("n");
    terminal.send_keys("Enter");
    terminal.wait_for("setup: nothing changed", asked);
    assert_eq!(max_age(), TWO_HOURS_NS, "changed after a no");

    // Yes: it changes.
    let terminal = Tmux::start(&command, 120, 30);
    terminal.wait_for("[y/N]", asked);
    terminal.send_keys("y");
    terminal.send_keys("Enter");
    let screen = terminal.wait_for("setup: done", asked);
    assert!(screen.contains("setup: updated RAW"), "{screen}");
    assert_eq!(max_age(), 3_600_000_000_000);
}

#[test]
fn a_user_without_rights_is_refused_and_nothing_is_created() {
    let server = bare_server();
    let refused = setup(&server, Role::Tail, &[]);
    assert!(!refused.status.success(), "{}", out(&refused));
    let why = err(&refused);
    assert!(
        why.contains("may not manage streams: run setup with the admin credentials (auth init wrote admin.creds)"),
        "{why}"
    );
    assert_eq!(why.trim().lines().count(), 1, "not one line: {why}");
    // Nothing was made: the admin's plan still creates everything.
    let plan = setup(&server, Role::Admin, &["--plan"]);
    assert!(
        plan_line(&out(&plan), "EVENTS")
            .trim_start()
            .starts_with("create"),
        "{}",
        out(&plan)
    );
}

#[test]
fn services_without_their_streams_name_the_command_that_creates_them() {
    let server = bare_server();
    for (command, role, stream) in [
        ("intake", Role::Intake, "RAW"),
        ("router", Role::Router, "AUDIT"),
    ] {
        let ended = run(&server, command, role, &[]);
        let why = err(&ended);
        assert!(!ended.status.success(), "{command} kept running: {why}");
        assert!(
            why.contains(&format!(
                "no '{stream}' stream: an admin creates it with `floorwalker setup`"
            )),
            "{command}: {why}"
        );
        assert_eq!(
            why.trim().lines().count(),
            1,
            "{command}, not one line: {why}"
        );
    }
}

#[test]
fn doctor_passes_on_a_healthy_deployment_and_names_what_is_missing() {
    let server = TestServer::start();
    let _router = server.start_router();
    let ws = server.websocket_url().unwrap();
    let healthy = run(
        &server,
        "doctor",
        Role::Admin,
        &[
            "--websocket",
            &ws,
            "--origin",
            floorwalker_tests::server::ORIGIN,
        ],
    );
    let text = out(&healthy);
    assert!(healthy.status.success(), "{text}{}", err(&healthy));
    assert!(!text.contains("problem"), "{text}");
    for check in [
        "nats-server 2.",
        "auth callout: the server checks operators' credentials",
        "gate: answered its status",
        "JetStream enabled",
        "RAW/intake: as `floorwalker setup` makes it",
        "intake '",
        "router: connected",
        "WebSocket ",
    ] {
        assert!(
            text.lines()
                .any(|l| l.starts_with("ok") && l.contains(check)),
            "{check}:\n{text}"
        );
    }

    let bare = bare_server();
    let sick = run(&bare, "doctor", Role::Admin, &[]);
    let text = out(&sick);
    assert!(!sick.status.success(), "{text}");
    for name in ["EVENTS", "AUDIT", "CHATS", "RAW"] {
        assert!(
            text.contains(&format!(
                "problem  {name}: missing: run `floorwalker setup`"
            )),
            "{name}:\n{text}"
        );
    }
    assert!(text.contains("problem  intake: no report"), "{text}");
    assert!(text.contains("problem  router: no router"), "{text}");
    assert!(
        err(&sick).contains("checks found a problem"),
        "{}",
        err(&sick)
    );

    // Without the gate no shopper is admitted, but operators are (the
    // server checks their credentials): doctor says which service to start.
    let mut bare = bare;
    bare.stop_gate();
    let shut = run(&bare, "doctor", Role::Admin, &[]);
    assert!(!shut.status.success(), "{}", out(&shut));
    assert!(
        out(&shut).contains("problem  auth callout: no gate answered")
            && out(&shut).contains("start `floorwalker gate"),
        "{}",
        out(&shut)
    );
}
