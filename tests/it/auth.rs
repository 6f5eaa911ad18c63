// `floorwalker auth init` and `floorwalker gate` from the command line.

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output};

use floorwalker::natsd::NatsBinary;
use floorwalker_tests::bin::floorwalker;

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
fn auth_init_writes_private_files_and_a_block_nats_server_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let auth = dir.path().join("auth");
    let auth_arg = auth.display().to_string();
    let out = run(&[
        "auth", "init", "--dir", &auth_arg, "--site", "shoes", "--site", "hats",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let printed = text(&out);
    assert!(
        printed.contains("auth_callout") && printed.contains("allowed_origins"),
        "{printed}"
    );

    for file in [
        "gate.toml",
        "nats-auth.conf",
        "admin.creds",
        "dashboard.creds",
        "agent.creds",
        "tail.creds",
        "simulator.creds",
    ] {
        let mode = std::fs::metadata(auth.join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file} is readable by others");
    }
    let gate = std::fs::read_to_string(auth.join("gate.toml")).unwrap();
    assert!(
        gate.contains("\"shoes\"") && gate.contains("\"hats\""),
        "{gate}"
    );

    // A real nats-server accepts a config that includes the block.
    let conf = dir.path().join("server.conf");
    std::fs::write(
        &conf,
        "listen: \"127.0.0.1:-1\"\njetstream { store_dir: \"js\" }\ninclude \"./auth/nats-auth.conf\"\n",
    )
    .unwrap();
    let binary = NatsBinary::locate().unwrap();
    let check = Command::new(binary.path())
        .arg("-c")
        .arg(&conf)
        .arg("-t")
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "nats-server refused the block: {}",
        text(&check)
    );

    // Running it again would invalidate every credential: it refuses.
    let again = run(&["auth", "init", "--dir", &auth_arg, "--site", "shoes"]);
    assert!(!again.status.success());
    assert!(text(&again).contains("--force"), "{}", text(&again));
}

#[test]
fn bad_input_gets_a_clear_message_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let auth_arg = dir.path().display().to_string();
    let cases: [(&[&str], &str); 3] = [
        (
            &["auth", "init", "--dir", &auth_arg, "--site", "Bad.Site"],
            "site 'Bad.Site'",
        ),
        (
            &["gate", "--config", "/nonexistent/gate.toml"],
            "cannot access '/nonexistent/gate.toml'",
        ),
        (&["auth", "init", "--dir", &auth_arg], "--site"),
    ];
    for (args, says) in cases {
        let out = run(args);
        assert!(!out.status.success(), "{args:?} succeeded");
        let said = text(&out);
        assert!(said.contains(says), "{args:?} said:\n{said}");
        assert!(!said.contains("panicked"), "{args:?} panicked:\n{said}");
    }
}
