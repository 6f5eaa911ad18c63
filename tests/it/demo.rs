// `floorwalker demo` in a real terminal: what it says, what it runs, how it stops.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::time::Duration;

use floorwalker::creds::OperatorCreds;
use floorwalker_shared::nats::ConnectInfo;
use floorwalker_tests::bin::floorwalker;
use floorwalker_tests::raw::{HandshakeError, RawClient};
use floorwalker_tests::tmux::Tmux;
use floorwalker_tests::{process_alive, wait_until};

const START: Duration = Duration::from_secs(30);

/// The value printed after `label` on the demo's screen.
fn field<'a>(screen: &'a str, label: &str) -> &'a str {
    screen
        .lines()
        .find_map(|line| line.trim_start().strip_prefix(label).map(str::trim))
        .unwrap_or_else(|| panic!("no '{label}' on the screen:\n{screen}"))
}

/// A plain HTTP/1.0 GET; returns the whole response.
fn http_get(addr: SocketAddr, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
    let mut body = String::new();
    let _ = stream.read_to_string(&mut body);
    body
}

fn addr(url: &str) -> SocketAddr {
    url.split_once("://").unwrap().1.parse().unwrap()
}

fn pid(screen: &str) -> u32 {
    let line = field(screen, "nats-server");
    let pid = line
        .split("pid ")
        .nth(1)
        .expect("a pid")
        .trim_end_matches(')');
    pid.parse().unwrap()
}

/// Runs the demo with a private data directory on free ports, without its
/// dashboard (so what it prints stays on the screen).
fn start_demo(data: &std::path::Path) -> Tmux {
    let command = format!(
        "{} --data-dir '{}' demo --port 0 --ws-port 0 --shop-port 0 --no-dashboard",
        floorwalker().display(),
        data.display()
    );
    Tmux::start(&command, 80, 24)
}

/// Checks that the demo's server is really up where the screen says.
fn check_running(screen: &str, data: &std::path::Path) -> (u32, SocketAddr) {
    let nats = addr(field(screen, "NATS clients"));
    let ws = addr(field(screen, "WebSocket (browsers)"));
    assert!(nats.ip().is_loopback() && ws.ip().is_loopback(), "{screen}");
    let stream = TcpStream::connect(nats).expect("the printed NATS address accepts clients");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut info = String::new();
    BufReader::new(stream).read_line(&mut info).unwrap();
    assert!(info.starts_with("INFO "), "{info}");
    assert!(
        info.contains("\"jetstream\":true"),
        "JetStream is off: {info}"
    );
    TcpStream::connect(ws).expect("the printed WebSocket address accepts browsers");
    // The demo shop is served, with the plugin and its config.
    let shop: SocketAddr = field(screen, "Demo shop")
        .trim_start_matches("http://localhost:")
        .trim_end_matches('/')
        .parse::<u16>()
        .map(|port| SocketAddr::from(([127, 0, 0, 1], port)))
        .unwrap();
    for (path, expect) in [
        ("/", "Floorwalker demo shop"),
        ("/floorwalker-config.js", "\"site\":\"demo\""),
        ("/dist/floorwalker.js", "export"),
    ] {
        let body = http_get(shop, path);
        assert!(body.contains(expect), "GET {path}: {body}");
    }
    // The gate runs: nobody gets in without credentials, an operator with its
    // credentials file does.
    let mut anonymous = RawClient::connect(nats, 4096).unwrap();
    let refused = anonymous.handshake(ConnectInfo::default(), Duration::from_secs(10));
    assert!(
        matches!(refused, Err(HandshakeError::Refused(_))),
        "{refused:?}"
    );
    let admin = OperatorCreds::load(&data.join("auth").join("admin.creds")).unwrap();
    let mut operator = RawClient::connect(nats, 4096).unwrap();
    operator
        .handshake_with(
            |info| floorwalker_tests::clients::signed_connect(&admin, info, "demo-test"),
            Duration::from_secs(10),
        )
        .expect("the demo's admin credentials");
    assert_eq!(
        field(screen, "JetStream data"),
        data.join("nats").display().to_string()
    );
    assert!(
        data.join("nats").join("jetstream").is_dir(),
        "JetStream data not under the data dir"
    );
    (pid(screen), nats)
}

fn check_stopped(tmux: &Tmux, pid: u32, nats: SocketAddr) {
    let screen = tmux.wait_for("Demo finished", START);
    assert!(screen.contains("Stopped nats-server"), "{screen}");
    assert!(
        wait_until(START, || tmux.exited().then_some(())).is_some(),
        "the demo did not exit"
    );
    assert!(!process_alive(pid), "nats-server {pid} outlived the demo");
    assert!(
        TcpStream::connect(nats).is_err(),
        "{nats} still accepts clients"
    );
}

#[test]
fn demo_runs_a_server_and_stops_on_q() {
    let data = tempfile::tempdir().unwrap();
    let tmux = start_demo(data.path());
    let screen = tmux.wait_for("Press q or Ctrl-C to stop.", START);
    let (pid, nats) = check_running(&screen, data.path());
    tmux.send_keys("q");
    check_stopped(&tmux, pid, nats);
}

#[test]
fn demo_stops_on_ctrl_c() {
    let data = tempfile::tempdir().unwrap();
    let tmux = start_demo(data.path());
    let screen = tmux.wait_for("Press q or Ctrl-C to stop.", START);
    let (pid, nats) = check_running(&screen, data.path());
    tmux.send_keys("C-c");
    check_stopped(&tmux, pid, nats);
}

#[test]
fn demo_piped_to_another_program_leaves_the_keyboard_alone_and_stops_on_ctrl_c() {
    let data = tempfile::tempdir().unwrap();
    // `demo | tee log`: the demo's output goes through another program to
    // the terminal (which, like tee, keeps copying after Ctrl-C).
    let command = format!(
        "{} --data-dir '{}' demo --port 0 --ws-port 0 --shop-port 0 --no-dashboard | (trap '' INT; cat)",
        floorwalker().display(),
        data.path().display()
    );
    let tmux = Tmux::start(&command, 100, 30);
    let screen = tmux.wait_for("Press Ctrl-C to stop.", START);
    assert!(!screen.contains("Press q"), "{screen}");
    // Raw mode would have left the lines stepping across the screen.
    assert!(
        screen.lines().any(|l| l.starts_with("  NATS clients")),
        "{screen}"
    );
    let (pid, nats) = check_running(&screen, data.path());
    tmux.send_keys("C-c");
    check_stopped(&tmux, pid, nats);
}

#[test]
fn demo_stops_its_server_when_the_terminal_goes_away() {
    let data = tempfile::tempdir().unwrap();
    let tmux = start_demo(data.path());
    let screen = tmux.wait_for("Press q or Ctrl-C to stop.", START);
    let (pid, nats) = check_running(&screen, data.path());
    // Like an SSH connection dropping: the terminal hangs up on the demo.
    drop(tmux);
    assert!(
        wait_until(START, || (!process_alive(pid)).then_some(())).is_some(),
        "nats-server {pid} outlived a hung-up demo"
    );
    assert!(TcpStream::connect(nats).is_err());
}

#[test]
fn demo_opens_the_dashboard_on_simulated_shoppers_and_quitting_it_stops_everything() {
    let data = tempfile::tempdir().unwrap();
    let command = format!(
        "{} --data-dir '{}' demo --port 0 --ws-port 0 --shop-port 0 --shoppers 3 --speed 10",
        floorwalker().display(),
        data.path().display()
    );
    // Tall enough that the summary and the shutdown both stay on screen.
    let tmux = Tmux::start(&command, 80, 40);
    // What runs where stays on the screen until Enter opens the dashboard.
    tmux.wait_for("The dashboard opens in 10 s: Enter opens it now", START);
    tmux.send_keys("Enter");
    // The title line ends with the connection's state (the name goes first
    // when short of room).
    tmux.wait_for(" live\n", START);
    // The simulated shoppers browse the demo shop and show up.
    let screen = tmux.wait_for(" demo  /", START);
    assert!(!screen.contains("Shoppers (0)"), "{screen}");
    // The demo made the streams the dashboard reads history from.
    let run_dir = data.path().join("nats").join("jetstream");
    assert!(run_dir.is_dir(), "no JetStream data");
    tmux.send_keys("q");
    // Back on the normal screen, the summary and the shutdown are there.
    let screen = tmux.wait_for("Demo finished", START);
    assert!(screen.contains("Simulated shoppers: "), "{screen}");
    let (pid, nats) = (pid(&screen), addr(field(&screen, "NATS clients")));
    check_stopped(&tmux, pid, nats);
}

/// The pids of processes whose command line mentions `text`.
fn pids_mentioning(text: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            String::from_utf8_lossy(&cmdline)
                .contains(text)
                .then_some(pid)
        })
        .filter(|pid| process_alive(*pid))
        .collect()
}

#[test]
fn demo_with_its_dashboard_stops_everything_when_the_terminal_goes_away() {
    let data = tempfile::tempdir().unwrap();
    let command = format!(
        "{} --data-dir '{}' demo --port 0 --ws-port 0 --shop-port 0 --shoppers 1",
        floorwalker().display(),
        data.path().display()
    );
    let tmux = Tmux::start(&command, 80, 24);
    // The title line ends with the connection's state (the name goes first when short of room).
    tmux.wait_for(" live\n", START);
    let config = data.path().join("demo").join("nats.conf");
    let servers = pids_mentioning(&config.display().to_string());
    assert_eq!(
        servers.len(),
        1,
        "one nats-server for the demo: {servers:?}"
    );
    // Like an SSH connection dropping while the supervisor watches.
    drop(tmux);
    assert!(
        wait_until(START, || (!process_alive(servers[0])).then_some(())).is_some(),
        "nats-server {} outlived a hung-up demo",
        servers[0]
    );
}

#[test]
fn demo_without_a_usable_nats_server_says_what_to_do() {
    let data = tempfile::tempdir().unwrap();
    let out = Command::new(floorwalker())
        .args(["--data-dir", &data.path().display().to_string(), "demo"])
        .env("FLOORWALKER_NATS_SERVER", "/nonexistent/nats-server")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no nats-server 2.10.0 or newer found"),
        "{stderr}"
    );
    assert!(
        stderr.contains("/nonexistent/nats-server: cannot run"),
        "{stderr}"
    );
    assert!(stderr.contains("just setup"), "{stderr}");
}

#[test]
fn demo_on_a_taken_port_says_which_flag_to_use() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let data = tempfile::tempdir().unwrap();
    let out = Command::new(floorwalker())
        .args(["--data-dir", &data.path().display().to_string(), "demo"])
        .args(["--port", &port.to_string(), "--ws-port", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--port"), "{stderr}");
    assert!(stderr.contains("address already in use"), "{stderr}");
}

/// The demo's simulated shoppers ask for help and its agent bots answer:
/// `floorwalker tail`, run beside it as on-call staff would, reports chats
/// answered, answer and response times, and survey answers.
#[test]
fn the_demo_answers_its_shoppers_and_tail_reports_real_figures() {
    let data = tempfile::tempdir().unwrap();
    let command = format!(
        "{} --data-dir '{}' demo --port 0 --ws-port 0 --shop-port 0 --no-dashboard --shoppers 10 --speed 20",
        floorwalker().display(),
        data.path().display()
    );
    let tmux = Tmux::start(&command, 80, 40);
    let screen = tmux.wait_for("Press q", START);
    let url = field(&screen, "NATS clients").to_owned();
    let report = wait_until(Duration::from_secs(120), || {
        let out = Command::new(floorwalker())
            .arg("--data-dir")
            .arg(data.path())
            .args([
                "tail", "--json", "--count", "1", "--every", "1", "--server", &url,
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let report: serde_json::Value =
            serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().unwrap_or_default())
                .unwrap();
        let answered = report["answered"].as_u64().unwrap_or(0) > 0;
        let surveyed = report["surveys"].as_u64().unwrap_or(0) > 0;
        (answered && surveyed).then_some(report)
    })
    .expect("no chat was answered and surveyed in two minutes");
    assert!(report["average_answer_ms"].is_u64(), "{report}");
    assert!(report["first_response_p50_ms"].is_u64(), "{report}");
    assert!(report["csat_pct"].is_u64(), "{report}");
    assert_eq!(
        report["agents_available"].as_u64().unwrap_or(0)
            + report["agents_busy"].as_u64().unwrap_or(0),
        2,
        "{report}"
    );
    tmux.send_keys("q");
    tmux.wait_for("Demo finished", START);
}

/// What a newcomer does next: the agent command the demo prints, pasted as
/// it is into a second terminal, opens the agents' console on this demo
/// (its ports picked at random) and claims a waiting shopper's chat. The
/// dashboard's help repeats the command, and nothing the demo or the
/// console logged carries a terminal's colour codes.
#[test]
fn the_agent_command_the_demo_prints_claims_a_chat_from_a_second_terminal() {
    let data = tempfile::tempdir().unwrap();
    // No agent bots: the shoppers who ask for help wait for alex.
    let command = format!(
        "exec env RUST_BACKTRACE=1 {} --data-dir '{}' demo --port 0 --ws-port 0 --shop-port 0 \
         --agents 0 --shoppers 10 --speed 10",
        floorwalker().display(),
        data.path().display()
    );
    let tmux = Tmux::start(&command, 100, 50);
    tmux.wait_for("The dashboard opens in", START);
    // As a person copies it: the whole line, however the terminal wrapped it.
    let screen = tmux.transcript();
    let agent = field(&screen, "Answer chats").to_owned();
    let nats = field(&screen, "NATS clients").to_owned();
    let creds = data.path().join("auth").join("alex.creds");
    assert!(agent.contains(&format!("--server {nats}")), "{screen}");
    assert!(
        agent.contains(&format!("--creds {}", creds.display())),
        "{screen}"
    );
    assert_ne!(nats, "nats://127.0.0.1:4222", "{screen}");
    let tail = field(&screen, "Live figures");
    assert!(tail.contains(&format!("--server {nats}")), "{screen}");

    // The dashboard opens by itself (its title line ends with the
    // connection's state), and its help says the same.
    tmux.wait_for(" live\n", START);
    tmux.send_keys("?");
    let help = tmux.wait_for("Where this runs", START);
    assert!(help.contains(&format!("NATS clients  {nats}")), "{help}");
    tmux.send_keys("Escape");

    // A second terminal, with nothing set up: the command as pasted.
    let second =
        tmux.open_window("exec env -u NATS_URL -u FLOORWALKER_CREDS bash --norc --noprofile");
    second.paste(&agent);
    second.send_keys("Enter");
    second.wait_for("Floorwalker agent alex · available", START);
    // Claim as soon as someone waits (a shopper left waiting gives up),
    // pressing `n` at most every 300 ms while the console catches up.
    let mut pressed: Option<std::time::Instant> = None;
    let claimed = wait_until(Duration::from_secs(120), || {
        let screen = second.screen();
        if screen.contains(" · yours") {
            return Some(screen);
        }
        let due = pressed.is_none_or(|at| at.elapsed() >= Duration::from_millis(300));
        if waiting(&screen) > 0 && due {
            second.send_keys("n");
            pressed = Some(std::time::Instant::now());
        }
        None
    })
    .unwrap_or_else(|| panic!("no chat claimed in two minutes: {}", second.screen()));
    assert!(claimed.contains("Mine (1)"), "{claimed}");
    second.send_keys("q");

    tmux.send_keys("q");
    let screen = tmux.wait_for("Demo finished", START);
    let (pid, nats) = (pid(&screen), addr(field(&screen, "NATS clients")));
    check_stopped(&tmux, pid, nats);
    let log = std::fs::read(data.path().join("logs").join("floorwalker.log")).unwrap();
    assert!(!log.contains(&0x1b), "an ESC byte in the log");
    assert!(
        !String::from_utf8_lossy(&log).contains("\\x1b"),
        "an escaped ESC in the log"
    );
}

/// How many chats the agents' console says are waiting ("· 2 waiting" or
/// "· 2 waiting, longest 5s" in its header).
fn waiting(screen: &str) -> u32 {
    screen
        .lines()
        .next()
        .and_then(|header| {
            header
                .split(" · ")
                .find_map(|part| part.split_once(" waiting").map(|(n, _)| n))
        })
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}
