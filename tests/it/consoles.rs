//! The two consoles in a real terminal: a large paste into the agent's
//! console, and a supervisor reassigning a chat under their own name.

use floorwalker::gate::policy::Role;
use floorwalker_shared::chat::{ChatFact, DeskFact};
use floorwalker_shared::event::Push;
use floorwalker_tests::bin::floorwalker;
use floorwalker_tests::clients::connect_operator;
use floorwalker_tests::server::TestServer;
use floorwalker_tests::setup::{create_streams, js_request};
use floorwalker_tests::tmux::Tmux;
use std::time::Duration;

use crate::chat::{Console, Page, open_console};

const SEEN: Duration = Duration::from_secs(30);

/// How many facts `AUDIT` holds on `subject`.
fn stored(server: &TestServer, subject: &str) -> u64 {
    let mut admin = connect_operator(server, Role::Admin);
    let info = js_request(
        &mut admin,
        "$JS.API.STREAM.INFO.AUDIT",
        &format!(r#"{{"subjects_filter":"{subject}"}}"#),
    );
    info["state"]["subjects"][subject].as_u64().unwrap_or(0)
}

fn request(chat: &str) -> ChatFact {
    ChatFact::Request {
        chat_id: chat.into(),
        offer_id: None,
    }
}

/// A paste of several KB over many lines arrives in the agent's console as
/// one reply draft, shown at once without another key, and Enter sends it
/// to the shopper as one message: no pasted line break sent half of it.
#[test]
fn a_large_paste_is_one_reply_draft_and_the_keys_carry_on() {
    let server = TestServer::start();
    create_streams(&server);
    let _router = server.start_router();
    let mut page = Page::open(&server);
    page.say(request("chat-p"));

    let console = open_console(&server);
    console.wait_for("1 waiting", SEEN);
    console.send_keys("n");
    console.wait_for("yours", SEEN);
    page.here();
    let line = "Returns are free for 30 days; the label is in the box.\n";
    let text = format!("{}END-OF-PASTE", line.repeat(64));
    assert!(text.len() > 3_000);
    console.paste(&text);
    // The draft's end shows with no key pressed since: the reader did not
    // stop partway.
    let screen = console.wait_for("END-OF-PASTE█", SEEN);
    assert!(
        !screen.contains("agent: Returns"),
        "a pasted line break sent something: {screen}"
    );
    assert_eq!(stored(&server, "fw.audit.agent.message"), 0);
    page.here();
    console.send_keys("Enter");
    let said = page.wait_push("the pasted reply", |p| match p {
        Push::AgentMessage { text, .. } => Some(text.clone()),
        _ => None,
    });
    assert_eq!(said, text.replace('\n', " "), "whole, one line");
    assert_eq!(stored(&server, "fw.audit.agent.message"), 1);
}

/// A supervisor signed in as 'sam' (their own credentials, `--name sam`)
/// moves a chat to an agent who is full: the picker shows the agents'
/// loads, asks first and records nothing until asked twice; then the
/// transcript says sam moved it, and the audit trail holds it under sam.
#[test]
fn a_supervisor_moves_a_chat_to_a_full_agent_only_when_sure_and_under_their_name() {
    let mut server = TestServer::start();
    let sam = server.add_operator(Role::Dashboard, "sam");
    let sam_file = server.dir().join("sam.creds");
    sam.store(&sam_file).unwrap();
    create_streams(&server);
    let (mut first, mut second) = (Page::open(&server), Page::open(&server));
    first.say(request("chat-1"));
    second.say(request("chat-2"));
    // 'agent' takes one chat at a time and has one; 'simulator' has room.
    let mut full = Console::open(&server);
    full.record(DeskFact::Status {
        available: true,
        capacity: 1,
    });
    full.record(DeskFact::Claim {
        chat_id: "chat-1".into(),
    });
    let mut roomy = Console::open_as(&server, Role::Simulator);
    roomy.record(DeskFact::Status {
        available: true,
        capacity: 2,
    });
    roomy.record(DeskFact::Claim {
        chat_id: "chat-2".into(),
    });

    let command = format!(
        "exec env NO_COLOR=1 RUST_BACKTRACE=0 {} --data-dir '{dir}' --log-file '{dir}/dashboard.log' --server {} --name sam --creds '{}'",
        floorwalker().display(),
        server.server().client_url(),
        sam_file.display(),
        dir = server.dir().display(),
    );
    let dashboard = Tmux::start(&command, 120, 30);
    dashboard.wait_for("sam · live", SEEN);
    dashboard.send_keys("a");
    dashboard.wait_for("Agents · 1 available · 1 busy", SEEN);
    // The second chat (simulator's), then the picker: the queue first, as
    // nobody else has room; the full agent below it.
    dashboard.send_keys("j");
    dashboard.wait_for("› chat-2", SEEN);
    dashboard.send_keys("R");
    let picker = dashboard.wait_for("Reassign to", SEEN);
    for line in [
        "▸ back to the queue",
        "  agent        busy      1/1 chats",
        "  simulator    available 1/2 chats · has it",
    ] {
        assert!(picker.contains(line), "{line:?} missing: {picker}");
    }
    dashboard.send_keys("Down");
    dashboard.send_keys("Enter");
    dashboard.wait_for("agent holds 1 of 1 chats.", SEEN);
    assert_eq!(
        stored(&server, "fw.audit.sam.reassign"),
        0,
        "one Enter gives no chat to a full agent"
    );
    dashboard.send_keys("Enter");
    dashboard.wait_for(
        "sam moved the chat from simulator to agent (over capacity: 2/1)",
        SEEN,
    );
    assert_eq!(stored(&server, "fw.audit.sam.reassign"), 1);
    assert_eq!(stored(&server, "fw.audit.dashboard.reassign"), 0);
}
