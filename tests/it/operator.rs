// Operator commands at their edge: a server they cannot reach is one line
// that says where they tried and how to point them elsewhere, and the log
// says the same without a terminal's colour codes.

use std::net::TcpListener;
use std::time::Duration;

use floorwalker::gate::policy::Role;
use floorwalker_tests::bin::floorwalker;
use floorwalker_tests::tmux::Tmux;

const DONE: Duration = Duration::from_secs(30);

#[test]
fn an_operator_command_pointed_at_a_closed_port_says_where_it_tried_in_one_line() {
    // A port nothing listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("nats://127.0.0.1:{port}");
    for (command, user) in [
        ("tail", "tail"),
        ("agent --name alex", "alex"),
        ("", "dashboard"),
    ] {
        let data = tempfile::tempdir().unwrap();
        let creds = data.path().join(format!("{user}.creds"));
        floorwalker_tests::clients::foreign_creds(Role::Admin, user)
            .store(&creds)
            .unwrap();
        // In a terminal, where colour and a backtrace (asked for here) would
        // show if anything printed them.
        let line = format!(
            "env RUST_BACKTRACE=1 {} --data-dir '{dir}' {command} --server {url} --creds '{}'; \
             echo \"exit status $?\"",
            floorwalker().display(),
            creds.display(),
            dir = data.path().display(),
        );
        let tmux = Tmux::start(&line, 200, 24);
        tmux.wait_for("exit status", DONE);
        let screen = tmux.transcript();
        let said: Vec<&str> = screen
            .lines()
            .filter(|l| !l.trim().is_empty())
            // What the shell and tmux add.
            .filter(|l| !l.starts_with("exit status") && !l.starts_with("Pane is dead"))
            .collect();
        assert_eq!(
            said.len(),
            1,
            "`{command}` said more than one line:\n{screen}"
        );
        let said = said[0];
        assert!(said.contains(&format!("'{url}'")), "where it tried: {said}");
        assert!(
            said.contains("--server") && said.contains("NATS_URL"),
            "how to point it elsewhere: {said}"
        );
        assert!(
            !screen.contains("exit status 0"),
            "`{command}` succeeded: {screen}"
        );
        assert!(!screen.contains("BACKTRACE"), "{screen}");
        let log = std::fs::read(data.path().join("logs").join("floorwalker.log")).unwrap();
        let text = String::from_utf8_lossy(&log);
        assert!(!log.contains(&0x1b), "an ESC byte in the log: {text}");
        assert!(!text.contains("\\x1b"), "an escaped ESC in the log: {text}");
        assert!(
            text.contains(said.trim_start_matches("floorwalker: ")),
            "{text}"
        );
    }
}
