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

/// Creates Floorwalker's streams (`EVENTS`, `AUDIT`) as the admin, with the
/// configuration `floorwalker demo` uses.
///
/// # Panics
/// If the server refuses.
pub fn create_streams(server: &TestServer) {
    let mut admin = connect_operator(server, Role::Admin);
    for config in floorwalker::streams::configs() {
        let body = serde_json::to_string(&config).expect("a stream config as JSON");
        create(&mut admin, &config.name, &body);
    }
}

/// Creates the work queue the intake reads (`RAW`) as the admin: every
/// test server has it, as without it no shopper's batch reaches anyone.
///
/// # Panics
/// If the server refuses.
pub fn create_raw_stream(server: &TestServer) {
    let mut admin = connect_operator(server, Role::Admin);
    let config = floorwalker::streams::raw_config();
    let body = serde_json::to_string(&config).expect("a stream config as JSON");
    create(&mut admin, &config.name, &body);
}

/// Creates stream `name` from its configuration as JSON.
fn create(admin: &mut RawClient<Tcp>, name: &str, body: &str) {
    let created = js_request(admin, &format!("$JS.API.STREAM.CREATE.{name}"), body);
    assert!(created.get("error").is_none(), "{created}");
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
