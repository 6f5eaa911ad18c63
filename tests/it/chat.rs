//! Chats: shoppers' chat facts stored once in JetStream through the gate,
//! the router speaking to shoppers, and `tail` reporting the figures.

use std::collections::VecDeque;
use std::process::{Command, Stdio};
use std::time::Duration;

use floorwalker::gate::policy::Role;
use floorwalker_shared::chat::{ChatEnvelope, ChatFact, DeskEnvelope, DeskFact};
use floorwalker_shared::event::Push;
use floorwalker_shared::nats::{ClientOp, HeaderMap, ServerOp};
use floorwalker_shared::subject::{self, SessionSubjects, Subject};
use floorwalker_shared::wire::decode_push;
use floorwalker_tests::bin::floorwalker;
use floorwalker_tests::clients::{connect_operator, connect_shopper, new_shopper};
use floorwalker_tests::raw::{RawClient, Tcp, Ws};
use floorwalker_tests::server::{SITES, TestServer};
use floorwalker_tests::setup::{create_streams, js_request};
use floorwalker_tests::tmux::Tmux;
use floorwalker_tests::wait_until;

const WAIT: Duration = Duration::from_secs(5);
const SEEN: Duration = Duration::from_secs(30);

/// A shopper's chat fact, published as the plugin does (reply in its own
/// inbox, named by the fact's id), is taken in by the intake, stored in
/// `CHATS` and copied into `AUDIT`, and answered on the shopper's inbox
/// without a stream sequence; the same fact sent again is answered the
/// same and stored nothing twice.
#[test]
fn a_shoppers_chat_fact_is_stored_once_however_often_it_is_sent() {
    let server = TestServer::start();
    create_streams(&server);
    let cred = new_shopper("shop");
    let s = cred.subjects();
    let mut shopper = connect_shopper(&server, &cred).unwrap();
    shopper
        .send(&[ClientOp::Sub {
            subject: s.inbox_wildcard(),
            queue: None,
            sid: 1,
        }])
        .unwrap();
    let fact = ChatFact::Request {
        chat_id: "chat-1".into(),
        offer_id: None,
    };
    let reply = s.inbox(&fact.dedupe_id()).unwrap();
    let payload = ChatEnvelope::new(fact).encode();
    for _ in 0..2 {
        shopper
            .send(&[ClientOp::Pub {
                subject: s.chat(),
                reply: Some(reply.clone()),
                headers: None,
                payload: payload.clone(),
            }])
            .unwrap();
        let ack = loop {
            match shopper.next_significant(WAIT).expect("an acknowledgement") {
                ServerOp::Msg(msg) if msg.subject == reply => break msg,
                ServerOp::Err(e) => panic!("refused: {e:?}"),
                _ => {}
            }
        };
        let ack: serde_json::Value = serde_json::from_slice(&ack.payload).unwrap();
        assert_eq!(ack, serde_json::json!({"stream": "CHATS"}), "{ack}");
    }
    let mut admin = connect_operator(&server, Role::Admin);
    let mut messages = |stream: &str| {
        js_request(&mut admin, &format!("$JS.API.STREAM.INFO.{stream}"), "")["state"]["messages"]
            .as_u64()
            .unwrap_or(0)
    };
    let copied = wait_until(WAIT, || (messages("AUDIT") > 0).then_some(()));
    assert!(copied.is_some(), "AUDIT never had the fact");
    assert_eq!((messages("CHATS"), messages("AUDIT")), (1, 1));
}

/// An operator cannot make the stream drop another's fact as a
/// duplicate: `AUDIT` keeps no duplicate window (it sources `CHATS`, and
/// operators' facts carry no message id), so a fact sent under another
/// agent's would-be message id is stored, and so is that agent's own.
#[test]
fn an_operator_cannot_make_another_operators_fact_a_duplicate() {
    let server = TestServer::start();
    create_streams(&server);
    let mut eve = connect_operator(&server, Role::Simulator);
    let mut agent = connect_operator(&server, Role::Agent);
    let claim = DeskFact::Claim {
        chat_id: "chat-1".into(),
    };
    let mut headers = HeaderMap::new();
    headers
        .append(
            "Nats-Msg-Id",
            format!("agent-{}", claim.dedupe_id().unwrap()),
        )
        .unwrap();
    let inbox = |user: &str| Subject::new(format!("fw.inbox.{user}.ack")).unwrap();
    eve.send(&[
        ClientOp::Sub {
            subject: inbox("simulator"),
            queue: None,
            sid: 1,
        },
        ClientOp::Pub {
            subject: subject::desk("simulator", claim.kind()).unwrap(),
            reply: Some(inbox("simulator")),
            headers: Some(headers),
            payload: DeskEnvelope::new(claim.clone()).encode(),
        },
    ])
    .unwrap();
    let forged = eve.next_significant(WAIT).unwrap();
    assert!(matches!(forged, ServerOp::Msg(_)), "{forged:?}");
    let ack = agent
        .request(
            subject::desk("agent", claim.kind()).unwrap(),
            inbox("agent"),
            &DeskEnvelope::new(claim).encode(),
            WAIT,
        )
        .unwrap();
    let ack: serde_json::Value = serde_json::from_slice(&ack.payload).unwrap();
    assert_eq!(ack["stream"], "AUDIT", "{ack}");
    assert_eq!(
        ack.get("duplicate"),
        None,
        "the agent's claim was dropped: {ack}"
    );
}

/// A shopper's page as the plugin drives it, over a raw WebSocket client:
/// pushes on sid 1, acknowledgements in its inbox on sid 2.
pub(crate) struct Page {
    pub(crate) client: RawClient<Ws>,
    /// Asks the streams whether `AUDIT` has copied what `CHATS` stored.
    admin: RawClient<Tcp>,
    subjects: SessionSubjects,
    sent: u32,
    /// Pushes read while waiting for something else.
    pushes: VecDeque<Push>,
}

impl Page {
    pub(crate) fn open(server: &TestServer) -> Self {
        let cred = new_shopper("shop");
        let subjects = cred.subjects();
        let mut client = connect_shopper(server, &cred).unwrap();
        client
            .send(&[
                ClientOp::Sub {
                    subject: subjects.push(),
                    queue: None,
                    sid: 1,
                },
                ClientOp::Sub {
                    subject: subjects.inbox_wildcard(),
                    queue: None,
                    sid: 2,
                },
            ])
            .unwrap();
        Self {
            client,
            admin: connect_operator(server, Role::Admin),
            subjects,
            sent: 0,
            pushes: VecDeque::new(),
        }
    }

    /// How many of this page's facts `stream` holds.
    fn held(&mut self, stream: &str) -> u64 {
        let filter = serde_json::json!({ "subjects_filter": self.subjects.chat().as_str() });
        js_request(
            &mut self.admin,
            &format!("$JS.API.STREAM.INFO.{stream}"),
            &filter.to_string(),
        )["state"]["subjects"][self.subjects.chat().as_str()]
        .as_u64()
        .unwrap_or(0)
    }

    /// Sends a chat fact as the plugin does and waits for the intake's
    /// answer, then until `AUDIT` has copied it from `CHATS` (what agents
    /// see, and what a test's next operator fact must come after).
    pub(crate) fn say(&mut self, fact: ChatFact) {
        self.sent += 1;
        // As the plugin names it: the fact's own id, where the intake answers.
        let reply = self.subjects.inbox(&fact.dedupe_id()).unwrap();
        self.client
            .send(&[ClientOp::Pub {
                subject: self.subjects.chat(),
                reply: Some(reply.clone()),
                headers: None,
                payload: ChatEnvelope::new(fact).encode(),
            }])
            .unwrap();
        loop {
            match self
                .client
                .next_significant(WAIT)
                .expect("an acknowledgement")
            {
                ServerOp::Msg(msg) if msg.subject == reply => {
                    let ack = String::from_utf8_lossy(&msg.payload).into_owned();
                    assert!(ack.contains("\"stream\""), "not stored: {ack}");
                    break;
                }
                ServerOp::Msg(msg) if msg.sid == 1 => {
                    self.pushes
                        .push_back(decode_push(&msg.payload).unwrap().push);
                }
                ServerOp::Err(e) => panic!("refused: {e:?}"),
                _ => {}
            }
        }
        let copied = wait_until(WAIT, || {
            let chats = self.held("CHATS");
            (chats > 0 && self.held("AUDIT") >= chats).then_some(())
        });
        assert!(copied.is_some(), "AUDIT never copied the fact from CHATS");
    }

    pub(crate) fn here(&mut self) {
        self.client
            .send(&[ClientOp::Pub {
                subject: self.subjects.here(),
                reply: None,
                headers: None,
                payload: Vec::new(),
            }])
            .unwrap();
    }

    /// The next push that `want` picks, skipping others.
    pub(crate) fn wait_push<T>(&mut self, what: &str, want: impl Fn(&Push) -> Option<T>) -> T {
        while let Some(push) = self.pushes.pop_front() {
            if let Some(found) = want(&push) {
                return found;
            }
        }
        loop {
            match self.client.next_significant(WAIT) {
                Ok(ServerOp::Msg(msg)) if msg.sid == 1 => {
                    let push = decode_push(&msg.payload).unwrap().push;
                    if let Some(found) = want(&push) {
                        return found;
                    }
                }
                Ok(_) => {}
                Err(e) => panic!("waiting for {what}: {e:?}"),
            }
        }
    }
}

/// An agent's console reduced to the facts it records.
pub(crate) struct Console {
    client: RawClient<Tcp>,
    user: String,
    sent: u32,
    /// Whether it says it is there after each fact, as agents' consoles do.
    presence: bool,
}

impl Console {
    pub(crate) fn open(server: &TestServer) -> Self {
        Self::open_as(server, Role::Agent)
    }

    /// An operator of `role`, whose user is the role's name.
    pub(crate) fn open_as(server: &TestServer, role: Role) -> Self {
        let mut client = connect_operator(server, role);
        let user = role.name().to_owned();
        client
            .send(&[ClientOp::Sub {
                subject: Subject::new(format!("fw.inbox.{user}.>")).unwrap(),
                queue: None,
                sid: 1,
            }])
            .unwrap();
        Self {
            client,
            presence: role == Role::Agent,
            user,
            sent: 0,
        }
    }

    pub(crate) fn record(&mut self, fact: DeskFact) {
        self.sent += 1;
        let reply = Subject::new(format!("fw.inbox.{}.{}", self.user, self.sent)).unwrap();
        let ack = self
            .client
            .roundtrip(
                &[ClientOp::Pub {
                    subject: subject::desk(&self.user, fact.kind()).unwrap(),
                    reply: Some(reply),
                    headers: None,
                    payload: DeskEnvelope::new(fact).encode(),
                }],
                WAIT,
            )
            .unwrap();
        assert!(ack.errors.is_empty(), "{:?}", ack.errors);
        if !self.presence {
            return;
        }
        let presence = ClientOp::Pub {
            subject: subject::presence(&self.user).unwrap(),
            reply: None,
            headers: None,
            payload: Vec::new(),
        };
        self.client.send(&[presence]).unwrap();
    }
}

/// The whole lifecycle through the router, with known timings, and the
/// figures `floorwalker tail --json` reports for it:
/// - A asks at 0 and B at about 0; the router tells them places 1 and 2;
/// - the agent claims A's chat after 2 s (A is told who joined, B that it
///   is now first), A writes, and the agent answers 1 s later;
/// - B gives up waiting; the agent ends A's chat; A gets the survey and
///   answers No, which opens an incident.
#[test]
fn a_chat_goes_through_the_router_and_tail_reports_its_figures() {
    let server = TestServer::start();
    create_streams(&server);
    let _router = server.start_router();
    let mut agent = Console::open(&server);
    agent.record(DeskFact::Status {
        available: true,
        capacity: 2,
    });
    let (mut a, mut b) = (Page::open(&server), Page::open(&server));
    let request = |chat: &str| ChatFact::Request {
        chat_id: chat.into(),
        offer_id: None,
    };
    a.say(request("chat-a"));
    b.say(request("chat-b"));
    let place = |push: &Push| match push {
        Push::QueueStatus { position, .. } => Some(*position),
        _ => None,
    };
    assert_eq!(a.wait_push("A's place", place), 1);
    assert_eq!(b.wait_push("B's place", place), 2);

    // A waits 2 s for the agent: the answer time the figures below measure.
    std::thread::sleep(Duration::from_secs(2));
    agent.record(DeskFact::Claim {
        chat_id: "chat-a".into(),
    });
    let joined = a.wait_push("who joined", |p| match p {
        Push::ChatJoined { agent_name, .. } => Some(agent_name.clone()),
        _ => None,
    });
    assert_eq!(joined, "agent");
    assert_eq!(b.wait_push("B's new place", place), 1);

    a.say(ChatFact::Message {
        chat_id: "chat-a".into(),
        msg_id: "m1".into(),
        text: "Do these run small?".into(),
    });
    // The agent takes 1 s to answer: the response time the figures measure.
    std::thread::sleep(Duration::from_secs(1));
    agent.record(DeskFact::Message {
        chat_id: "chat-a".into(),
        msg_id: "r1".into(),
        text: "Half a size, yes.".into(),
    });
    let answer = a.wait_push("the answer", |p| match p {
        Push::AgentMessage { text, msg_id, .. } => Some((text.clone(), msg_id.clone())),
        _ => None,
    });
    assert_eq!(answer, ("Half a size, yes.".into(), Some("op-r1".into())));

    b.say(ChatFact::Leave {
        chat_id: "chat-b".into(),
    });
    // A hostile page's garbage is refused by the intake: no stream stores
    // it and no reader sees it.
    b.client
        .send(&[ClientOp::Pub {
            subject: b.subjects.chat(),
            reply: None,
            headers: None,
            payload: b"{\"v\":1,\"fact\":{\"message\":{}}}".to_vec(),
        }])
        .unwrap();
    agent.record(DeskFact::End {
        chat_id: "chat-a".into(),
    });
    a.wait_push("the survey", |p| {
        matches!(p, Push::SurveyPrompt { .. }).then_some(())
    });
    a.here();
    a.say(ChatFact::Survey {
        chat_id: "chat-a".into(),
        helped: false,
        comment: Some("I wanted a size chart".into()),
    });

    let report = wait_until(Duration::from_secs(20), || {
        let report = tail_json(&server, &[]);
        (report["incidents_open"] == 1).then_some(report)
    })
    .expect("the No never became an incident");
    let ms = |key: &str| {
        report[key]
            .as_u64()
            .unwrap_or_else(|| panic!("{key}: {report}"))
    };
    assert_eq!(report["waiting"], 0, "{report}");
    assert_eq!(report["answered"], 1, "{report}");
    assert_eq!(report["abandoned"], 1, "{report}");
    assert!(
        (1_800..5_000).contains(&ms("average_answer_ms")),
        "{report}"
    );
    assert!(
        (2_800..7_000).contains(&ms("first_response_p50_ms")),
        "{report}"
    );
    assert!((800..4_000).contains(&ms("response_p50_ms")), "{report}");
    assert_eq!(
        report["service_level_pct"], 50,
        "A on time, B abandoned: {report}"
    );
    assert_eq!(report["abandonment_pct"], 50, "{report}");
    assert_eq!(report["surveys"], 1, "{report}");
    assert_eq!(report["csat_pct"], 0, "{report}");
    assert_eq!(report["agents_available"], 1, "{report}");
    // Two chats in a quarter of an hour, seconds each: the one agent on
    // duty is enough.
    assert_eq!(report["agents_needed"], 1, "{report}");
    assert_eq!(report["agents_on_duty"], 1, "{report}");
    assert_eq!(report["incidents_waiting"], 1, "{report}");
    assert_eq!(report["facts_refused"], 0, "{report}");

    // On-call for one site: its chats; another site's shoppers asked
    // nothing. The agents serve both.
    let here = tail_json(&server, &["--site", SITES[0]]);
    assert_eq!(
        (&here["answered"], &here["abandoned"], &here["surveys"]),
        (
            &report["answered"],
            &report["abandoned"],
            &report["surveys"]
        ),
        "{here}"
    );
    let elsewhere = tail_json(&server, &["--site", SITES[1]]);
    assert_eq!(elsewhere["answered"], 0, "{elsewhere}");
    assert_eq!(elsewhere["abandoned"], 0, "{elsewhere}");
    assert_eq!(elsewhere["surveys"], 0, "{elsewhere}");
    assert_eq!(
        elsewhere["average_answer_ms"],
        serde_json::Value::Null,
        "{elsewhere}"
    );
    assert_eq!(elsewhere["agents_available"], 1, "{elsewhere}");
    // No chat of its own has ended: no handle time, no need to say.
    assert_eq!(
        elsewhere["agents_needed"],
        serde_json::Value::Null,
        "{elsewhere}"
    );
    assert_eq!(elsewhere["agents_on_duty"], 1, "{elsewhere}");
}

/// One report of `floorwalker tail --json`.
pub(crate) fn tail_json(server: &TestServer, more: &[&str]) -> serde_json::Value {
    let line = tail_first_line(server, &[&["--json"], more].concat());
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

/// The first line `floorwalker tail` prints, with `more` arguments.
pub(crate) fn tail_first_line(server: &TestServer, more: &[&str]) -> String {
    let creds = server.dir().join("tail.creds");
    server.creds(Role::Tail).store(&creds).unwrap();
    let out = Command::new(floorwalker())
        .arg("--log-file")
        .arg(server.dir().join("tail.log"))
        .args(["tail", "--count", "1", "--every", "1", "--server"])
        .arg(server.server().client_url())
        .arg("--creds")
        .arg(&creds)
        .args(more)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines().next().unwrap_or_default().to_owned()
}

/// The agents' console in an 80x24 terminal, as the `agent` operator.
pub(crate) fn open_console(server: &TestServer) -> Tmux {
    let creds = server.dir().join("agent.creds");
    server.creds(Role::Agent).store(&creds).unwrap();
    let command = format!(
        "exec env NO_COLOR=1 RUST_BACKTRACE=0 {} --data-dir '{dir}' --log-file '{dir}/agent.log' agent --name agent --server {} --creds '{}'",
        floorwalker().display(),
        server.server().client_url(),
        creds.display(),
        dir = server.dir().display(),
    );
    Tmux::start(&command, 80, 24)
}

/// The agent messages a page was pushed: (text, id).
fn answers(page: &mut Page, quiet: Duration) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = page
        .pushes
        .drain(..)
        .filter_map(|p| match p {
            Push::AgentMessage { text, msg_id, .. } => Some((text, msg_id)),
            _ => None,
        })
        .collect();
    while let Ok(op) = page.client.next_significant(quiet) {
        if let ServerOp::Msg(msg) = op
            && msg.sid == 1
            && let Push::AgentMessage { text, msg_id, .. } = decode_push(&msg.payload).unwrap().push
        {
            out.push((text, msg_id));
        }
    }
    out
}

/// An agent claims a chat in the console and answers; the console is
/// killed mid-chat (SIGKILL) while the shopper writes; restarted, it shows
/// the chat as its own with every message once, and what the agent writes
/// next reaches the shopper once. The stream holds each message once.
#[test]
fn an_agent_console_killed_mid_chat_loses_nothing_and_repeats_nothing() {
    let server = TestServer::start();
    create_streams(&server);
    let _router = server.start_router();
    let mut page = Page::open(&server);
    page.say(ChatFact::Request {
        chat_id: "chat-k".into(),
        offer_id: None,
    });

    let console = open_console(&server);
    console.wait_for("1 waiting", SEEN);
    console.send_keys("n");
    console.wait_for("yours", SEEN);
    page.here();
    console.send_keys("Hello from the console");
    console.send_keys("Enter");
    page.wait_push("the first answer", |p| match p {
        Push::AgentMessage { text, .. } => (text == "Hello from the console").then_some(()),
        _ => None,
    });

    let pid = console.pid();
    let killed = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    wait_until(SEEN, || console.exited().then_some(())).expect("the console did not die");
    page.here();
    page.say(ChatFact::Message {
        chat_id: "chat-k".into(),
        msg_id: "m-away".into(),
        text: "Are you still there?".into(),
    });
    drop(console);

    let console = open_console(&server);
    let screen = console.wait_for("Are you still there?", SEEN);
    assert!(
        screen.contains("yours"),
        "the chat is still the agent's: {screen}"
    );
    assert_eq!(
        screen.matches("Hello from the console").count(),
        1,
        "{screen}"
    );
    assert_eq!(
        screen.matches("Are you still there?").count(),
        1,
        "{screen}"
    );
    page.here();
    console.send_keys("Enter");
    console.send_keys("Yes, still here");
    console.send_keys("Enter");
    console.wait_for("agent: Yes, still here", SEEN);

    let said = answers(&mut page, Duration::from_secs(3));
    let texts: Vec<&str> = said.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        texts,
        ["Yes, still here"],
        "the page got each answer once: {said:?}"
    );
    let mut admin = connect_operator(&server, Role::Admin);
    let info = js_request(
        &mut admin,
        "$JS.API.STREAM.INFO.AUDIT",
        r#"{"subjects_filter":"fw.audit.agent.message"}"#,
    );
    assert_eq!(
        info["state"]["subjects"]["fw.audit.agent.message"], 2,
        "the stream holds each answer once: {info}"
    );
}

/// `tail` in a script: with nobody to answer chats, a threshold on agents
/// available prints an alert line and ends the command with status 2; its
/// output is a pipe, not a terminal.
#[test]
fn tail_alerts_and_exits_non_zero_for_scripts() {
    let server = TestServer::start();
    create_streams(&server);
    let creds = server.dir().join("tail.creds");
    server.creds(Role::Tail).store(&creds).unwrap();
    let out = Command::new(floorwalker())
        .arg("--log-file")
        .arg(server.dir().join("tail.log"))
        .args([
            "tail",
            "--every",
            "1",
            "--exit-on-alert",
            "--alert",
            "agents_available<1",
        ])
        .args(["--alert", "queue>5"])
        .args(["--alert", "agents_needed>agents_on_duty", "--server"])
        .arg(server.server().client_url())
        .arg("--creds")
        .arg(&creds)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(text.contains("ALERT agents_available<1 (now 0)"), "{text}");
    assert!(
        !text.contains("queue>5"),
        "an alert not crossed is not printed: {text}"
    );
    assert!(
        !text.contains("agents_needed"),
        "no chat yet, no need known: the alert does not fire: {text}"
    );
    assert!(
        text.lines().next().is_some_and(|l| l.contains("queue 0")),
        "{text}"
    );

    let bad = Command::new(floorwalker())
        .args(["tail", "--alert", "speed>3"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("FIGURE>N"),
        "{bad:?}"
    );
}

/// A page whose chat `chat` an agent (capacity 1) claimed, once the page
/// was told who joined; the router must be running.
fn chat_with_an_agent(server: &TestServer, chat: &str) -> (Console, Page) {
    let mut agent = Console::open(server);
    agent.record(DeskFact::Status {
        available: true,
        capacity: 1,
    });
    let mut page = Page::open(server);
    page.say(ChatFact::Request {
        chat_id: chat.into(),
        offer_id: None,
    });
    agent.record(DeskFact::Claim {
        chat_id: chat.into(),
    });
    page.wait_push("who joined", |p| {
        matches!(p, Push::ChatJoined { .. }).then_some(())
    });
    (agent, page)
}

/// A supervisor's whisper stays with the agent, a join reaches the shopper
/// marked as from a supervisor, and a chat given back to the queue tells
/// the shopper its place again; each is in the audit trail under the
/// supervisor's name.
#[test]
fn a_supervisor_whispers_joins_and_reassigns_through_the_router() {
    let server = TestServer::start();
    create_streams(&server);
    let _router = server.start_router();
    let (_agent, mut page) = chat_with_an_agent(&server, "chat-s");

    let mut supervisor = Console::open_as(&server, Role::Dashboard);
    supervisor.record(DeskFact::Whisper {
        chat_id: "chat-s".into(),
        msg_id: "w1".into(),
        text: "Offer free returns".into(),
    });
    supervisor.record(DeskFact::Join {
        chat_id: "chat-s".into(),
        msg_id: "j1".into(),
        text: "Hello, I'm the supervisor.".into(),
    });
    let said = page.wait_push("the supervisor's message", |p| match p {
        Push::AgentMessage {
            text,
            from_supervisor,
            agent_name,
            ..
        } => Some((text.clone(), *from_supervisor, agent_name.clone())),
        _ => None,
    });
    assert_eq!(
        said,
        (
            "Hello, I'm the supervisor.".into(),
            true,
            "dashboard".into()
        ),
        "the whisper came first in the stream and never reached the page"
    );

    supervisor.record(DeskFact::Reassign {
        chat_id: "chat-s".into(),
        to: None,
    });
    let place = page.wait_push("a place in the queue again", |p| match p {
        Push::QueueStatus { position, .. } => Some(*position),
        _ => None,
    });
    assert_eq!(place, 1);

    let mut admin = connect_operator(&server, Role::Admin);
    let info = js_request(
        &mut admin,
        "$JS.API.STREAM.INFO.AUDIT",
        r#"{"subjects_filter":"fw.audit.dashboard.*"}"#,
    );
    let subjects = &info["state"]["subjects"];
    for kind in ["whisper", "join", "reassign"] {
        assert_eq!(subjects[format!("fw.audit.dashboard.{kind}")], 1, "{info}");
    }
}

/// An agent whose console falls silent (no presence) past the router's
/// timeout (20 s here) is lost: its chat goes back to the queue, the
/// shopper is told its place again, and the agent shows offline.
#[test]
fn a_silent_agents_chat_returns_to_the_queue_after_the_timeout() {
    let server = TestServer::start();
    create_streams(&server);
    let _router = server.start_router();
    let (_agent, mut page) = chat_with_an_agent(&server, "chat-t");
    // The agent says nothing more; the shopper keeps saying it is there.
    let back = wait_until(Duration::from_secs(60), || {
        page.here();
        match page.client.next_significant(Duration::from_secs(2)) {
            Ok(ServerOp::Msg(msg)) if msg.sid == 1 => match decode_push(&msg.payload).ok()?.push {
                Push::QueueStatus { position, .. } => Some(position),
                _ => None,
            },
            _ => None,
        }
    })
    .expect("the chat did not return to the queue");
    assert_eq!(back, 1);
    let report = tail_json(&server, &[]);
    assert_eq!(report["waiting"], 1, "{report}");
    assert_eq!(
        report["agents_available"], 0,
        "the lost agent is offline: {report}"
    );
}
