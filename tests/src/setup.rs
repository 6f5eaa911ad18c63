//! The usual arrangement of a test: the demo shop, a server whose WebSocket
//! listener allows the shop's origin, and Floorwalker's streams on it.

use std::time::Duration;

use floorwalker::gate::policy::Role;
use floorwalker_shared::subject::Subject;

use crate::browser::Shop;
use crate::clients::connect_operator;
use crate::raw::{RawClient, Tcp};
use crate::server::TestServer;

/// The demo shop, and a server whose WebSocket listener allows its origin;
/// the shop's pages connect as site `shop`.
///
/// # Panics
/// If either does not start.
pub fn shop_and_server() -> (Shop, TestServer) {
    let mut shop = Shop::bind();
    let origin = shop.origin().to_owned();
    let server = TestServer::start_with(|config, _| {
        if let Some(ws) = &mut config.websocket {
            ws.allowed_origins = vec![origin];
        }
    });
    shop.serve(
        &server.websocket_url().expect("a WebSocket listener"),
        "shop",
    );
    (shop, server)
}

/// A JetStream API request as `client`; returns the JSON reply.
///
/// # Panics
/// If there is no reply.
pub fn js_request(client: &mut RawClient<Tcp>, subject: &str, body: &str) -> serde_json::Value {
    let inbox = Subject::new("fw.inbox.admin.js").expect("a valid subject");
    let reply = client
        .request(
            Subject::new(subject).expect("a valid subject"),
            inbox,
            body.as_bytes(),
            // Creating a file-backed stream waits on the disk: generous, so a
            // loaded machine (CI's two cores running browsers) does not fail it.
            Duration::from_secs(30),
        )
        .unwrap_or_else(|e| panic!("{subject}: {e:?}"));
    serde_json::from_slice(&reply.payload).expect("JSON")
}

/// Every message `stream` holds now, read as the admin.
///
/// # Panics
/// If the stream cannot be read.
pub fn stream_messages(server: &TestServer, stream: &str) -> Vec<Vec<u8>> {
    let mut admin = connect_operator(server, Role::Admin);
    let info = js_request(&mut admin, &format!("$JS.API.STREAM.INFO.{stream}"), "");
    let (first, last) = (
        info["state"]["first_seq"].as_u64().unwrap_or(0),
        info["state"]["last_seq"].as_u64().unwrap_or(0),
    );
    (first.max(1)..=last)
        .filter_map(|seq| {
            let body = format!("{{\"seq\":{seq}}}");
            let got = js_request(
                &mut admin,
                &format!("$JS.API.STREAM.MSG.GET.{stream}"),
                &body,
            );
            let data = got["message"]["data"].as_str()?;
            data_encoding::BASE64.decode(data.as_bytes()).ok()
        })
        .collect()
}

/// Creates Floorwalker's streams and the intakes' consumer as the admin,
/// with `floorwalker setup --yes` (what a deployment runs, and the code
/// `floorwalker demo` uses); a second call changes nothing.
///
/// # Panics
/// If setup fails.
pub fn create_streams(server: &TestServer) {
    let output = setup(server, Role::Admin, &["--yes"]);
    assert!(
        output.status.success(),
        "floorwalker setup failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs `floorwalker setup` against `server` as `role`, with `extra`
/// arguments and no terminal; returns what it printed and how it ended.
///
/// # Panics
/// If it cannot be run or does not end within a minute.
pub fn setup(server: &TestServer, role: Role, extra: &[&str]) -> std::process::Output {
    run(server, "setup", role, extra)
}

/// Runs `floorwalker <command>` against `server` with `role`'s credentials
/// (stored in the test's directory), `extra` arguments and no terminal.
///
/// # Panics
/// If it cannot be run or does not end within a minute.
pub fn run(server: &TestServer, command: &str, role: Role, extra: &[&str]) -> std::process::Output {
    // A seed file's name is its user's: one directory per command.
    let dir = server.dir().join(format!("{command}-{}", role.name()));
    std::fs::create_dir_all(&dir).expect("creating a credentials directory");
    let operator = server.creds(role);
    let creds = floorwalker::creds::file_in(&dir, &operator.user);
    operator.store(&creds).expect("storing credentials");
    let mut child = std::process::Command::new(crate::bin::floorwalker())
        .arg("--log-file")
        .arg(server.dir().join(format!("{command}.log")))
        .arg(command)
        .arg("--server")
        .arg(server.client_url())
        .arg("--creds")
        .arg(&creds)
        .args(extra)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("running floorwalker {command}: {e}"));
    let ended = crate::wait_until(Duration::from_secs(60), || child.try_wait().ok().flatten());
    if ended.is_none() {
        let _ = child.kill();
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("floorwalker {command}: {e}"))
}

/// Records in the stream that the `agent` operator is available (two
/// chats at once), as its console does when it starts.
///
/// # Panics
/// If the stream does not store it.
pub fn agent_available(server: &TestServer) {
    use floorwalker_shared::chat::{DeskEnvelope, DeskFact};
    use floorwalker_shared::subject::{self, Subject};

    let mut agent = connect_operator(server, Role::Agent);
    let status = DeskFact::Status {
        available: true,
        capacity: 2,
    };
    let ack = agent
        .request(
            subject::desk("agent", status.kind()).expect("a desk subject"),
            Subject::new("fw.inbox.agent.status").expect("an inbox"),
            &DeskEnvelope::new(status).encode(),
            std::time::Duration::from_secs(5),
        )
        .expect("the stream's acknowledgement");
    let text = String::from_utf8_lossy(&ack.payload);
    assert!(text.contains("\"stream\""), "not stored: {text}");
}
