// The gate: every shopper confined to its own session, every operator to its role.

use std::time::Duration;

use floorwalker::gate::policy::Role;
use floorwalker_shared::nats::{ClientOp, ConnectInfo, ServerErrorKind, ServerInfo, ServerOp};
use floorwalker_shared::subject::{self, SessionSubjects, Subject};
use floorwalker_tests::clients::{
    HANDSHAKE, connect_operator, connect_shopper, connect_shopper_with, foreign_creds, new_shopper,
    signed_connect,
};
use floorwalker_tests::raw::{HandshakeError, RawClient, ReadError, Roundtrip, Transport};
use floorwalker_tests::server::{ORIGIN, TestServer};

const WAIT: Duration = Duration::from_secs(5);

fn subj(s: &str) -> Subject {
    Subject::new(s).unwrap()
}

fn sub(subject: Subject, sid: u64) -> ClientOp {
    ClientOp::Sub {
        subject,
        queue: None,
        sid,
    }
}

fn publish(subject: Subject, payload: &[u8]) -> ClientOp {
    publish_with_reply(subject, None, payload)
}

fn publish_with_reply(subject: Subject, reply: Option<Subject>, payload: &[u8]) -> ClientOp {
    ClientOp::Pub {
        subject,
        reply,
        headers: None,
        payload: payload.to_vec(),
    }
}

fn kinds(rt: &Roundtrip) -> Vec<ServerErrorKind> {
    rt.errors
        .iter()
        .map(floorwalker_shared::nats::ServerError::kind)
        .collect()
}

/// Asserts that `op` is refused as a permissions violation.
fn refused<T: Transport>(client: &mut RawClient<T>, op: ClientOp) {
    let what = format!("{op:?}");
    let rt = client.roundtrip(&[op], WAIT).unwrap();
    assert_eq!(
        kinds(&rt),
        [ServerErrorKind::PermissionsViolation],
        "{what} was not refused"
    );
    assert!(rt.messages.is_empty(), "{what} delivered messages");
}

/// Asserts that `op` is accepted; returns what arrived with it.
fn allowed<T: Transport>(client: &mut RawClient<T>, op: ClientOp) -> Roundtrip {
    let what = format!("{op:?}");
    let rt = client.roundtrip(&[op], WAIT).unwrap();
    assert!(rt.errors.is_empty(), "{what} was refused: {:?}", rt.errors);
    rt
}

/// Whether a connection was refused by the gate (or closed before it said so).
pub(crate) fn is_refused<T>(result: &Result<RawClient<T>, HandshakeError>) -> bool {
    matches!(
        result,
        Err(HandshakeError::Refused(e)) if e.kind() == ServerErrorKind::AuthorizationViolation
    ) || matches!(result, Err(HandshakeError::Read(ReadError::Closed)))
}

/// The gate's counts, asked for on its status subject.
/// A CONNECT made from the server's INFO.
type Connect<'a> = Box<dyn FnOnce(&ServerInfo) -> ConnectInfo + 'a>;

pub(crate) fn gate_status(server: &TestServer) -> serde_json::Value {
    gate_status_on(&mut connect_operator(server, Role::Dashboard))
}

/// The gate's counts, asked over an open dashboard connection (where each
/// new connection would count against the address's bound).
pub(crate) fn gate_status_on<T: Transport>(dash: &mut RawClient<T>) -> serde_json::Value {
    let reply = dash
        .request(
            subject::gate_status(),
            subj("fw.inbox.dashboard.status"),
            b"",
            WAIT,
        )
        .expect("the gate's status");
    serde_json::from_slice(&reply.payload).unwrap()
}

/// How many connections the gate's `status` says it refused for `reason`
/// (every reason is there, 0 or not).
pub(crate) fn refusals(status: &serde_json::Value, reason: &str) -> u64 {
    status["refused"][reason]
        .as_u64()
        .unwrap_or_else(|| panic!("no count of {reason} in {status}"))
}

#[test]
fn a_shopper_is_confined_to_its_own_session() {
    let server = TestServer::start();
    let (a, b) = (new_shopper("shop"), new_shopper("shop"));
    let (sa, sb): (SessionSubjects, SessionSubjects) = (a.subjects(), b.subjects());
    let mut shopper_a = connect_shopper(&server, &a).unwrap();
    let mut shopper_b = connect_shopper(&server, &b).unwrap();
    let mut router = connect_operator(&server, Role::Router);
    let mut dashboard = connect_operator(&server, Role::Dashboard);

    // Its own push subject and inbox are open to it.
    allowed(&mut shopper_a, sub(sa.push(), 1));
    allowed(&mut shopper_a, sub(sa.inbox_wildcard(), 2));
    allowed(&mut shopper_b, sub(sb.push(), 1));

    // B's push subject is closed to A, directly, by wildcards and by queue.
    let site_wide = subj("fw.shop.shopper.*.push");
    for (sid, subject) in (10..).zip([
        sb.push(),
        site_wide,
        subj(">"),
        subj("fw.>"),
        sb.inbox_wildcard(),
    ]) {
        refused(&mut shopper_a, sub(subject, sid));
    }
    refused(
        &mut shopper_a,
        ClientOp::Sub {
            subject: sb.push(),
            queue: Some(subj("q")),
            sid: 20,
        },
    );

    // A cannot publish as B, nor on what operators publish.
    for subject in [
        sb.events(),
        sb.chat(),
        sb.here(),
        sb.push(),
        sa.push(),
        subject::desk("ana", "claim").unwrap(),
        subject::gate_status(),
        subj("$JS.API.INFO"),
    ] {
        refused(&mut shopper_a, publish(subject, b"{}"));
    }

    // An offer to B reaches B and nobody else.
    allowed(&mut router, publish(sb.push(), b"offer for B"));
    let to_b = shopper_b.roundtrip(&[], WAIT).unwrap();
    assert_eq!(to_b.messages.len(), 1, "B did not get its offer");
    assert_eq!(&to_b.messages[0].payload[..], b"offer for B");
    assert!(
        shopper_a.roundtrip(&[], WAIT).unwrap().messages.is_empty(),
        "A saw B's offer"
    );

    // What A does reaches the operators, on A's own subject (through the
    // intake, which checks it first).
    allowed(&mut dashboard, sub(subject::all_sites_events(), 1));
    let batch = floorwalker_shared::wire::encode_batch(&floorwalker_shared::event::Batch::new(
        0,
        "EUR",
        Vec::new(),
    ));
    allowed(&mut shopper_a, publish(sa.events(), &batch));
    let seen = floorwalker_tests::wait_until(WAIT, || {
        let messages = dashboard.roundtrip(&[], WAIT).unwrap().messages;
        (!messages.is_empty()).then_some(messages)
    })
    .expect("A's batch reached the operators");
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].subject, sa.events());
}

#[test]
fn connections_without_a_valid_credential_are_refused_and_counted() {
    let server = TestServer::start();
    let unknown_site = new_shopper("nowhere");
    let cases = [
        ("no credential", None),
        ("malformed", Some("let-me-in".to_owned())),
        ("secret too short", Some("fw1:shop:abc".to_owned())),
        ("unknown site", Some(unknown_site.to_token_string())),
    ];
    for (what, token) in cases {
        assert!(
            is_refused(&connect_shopper_with(&server, token)),
            "{what} was admitted"
        );
    }

    // A shopper credential over plain TCP: shoppers come from browsers only.
    let cred = new_shopper("shop");
    let mut tcp = RawClient::connect(server.client_addr(), 512).unwrap();
    let over_tcp = tcp.handshake(
        ConnectInfo {
            auth_token: Some(cred.to_token_string()),
            ..ConnectInfo::default()
        },
        HANDSHAKE,
    );
    assert!(
        matches!(over_tcp, Err(HandshakeError::Refused(_))),
        "{over_tcp:?}"
    );

    // Operators with a password (led to the gate, which wants a shopper's
    // credential), another deployment's credentials, or a signature of
    // something other than this connection's nonce (both refused by the
    // server itself).
    let dashboard = server.creds(Role::Dashboard);
    let mallory = foreign_creds(Role::Admin, "mallory");
    let attempts: [(&str, Connect); 3] = [
        (
            "a password",
            Box::new(|_| ConnectInfo {
                user: Some("dashboard".to_owned()),
                pass: Some("guess".to_owned()),
                ..ConnectInfo::default()
            }),
        ),
        (
            "an unknown key",
            Box::new(|info| signed_connect(&mallory, info, "mallory")),
        ),
        (
            "a replayed signature",
            Box::new(|info| {
                let mut other = info.clone();
                other.nonce = Some("an earlier connection's nonce".to_owned());
                signed_connect(&dashboard, &other, "replay")
            }),
        ),
    ];
    for (what, connect) in attempts {
        let mut client = RawClient::connect(server.client_addr(), 512).unwrap();
        let result = client.handshake_with(connect, HANDSHAKE);
        let refused = matches!(&result, Err(HandshakeError::Refused(e)) if e.kind() == ServerErrorKind::AuthorizationViolation);
        assert!(refused, "{what} admitted: {result:?}");
    }

    let status = gate_status(&server);
    let refused = &status["refused"];
    for (reason, n) in [
        ("malformed_credential", 2),
        ("unknown_site", 1),
        ("no_credential", 2),
        ("wrong_connection_type", 1),
    ] {
        assert_eq!(refused[reason], n, "{reason} in {status}");
    }
    assert_eq!(status["admitted_shoppers"], 0, "{status}");

    // Every refusal is logged with its reason, and no secret is.
    let log = server.gate_log();
    assert!(log.contains("reason=\"unknown site\""), "{log}");
    for secret in [
        unknown_site.to_token_string(),
        dashboard.seed().to_owned(),
        cred.to_token_string(),
    ] {
        let secret_part = secret.rsplit(':').next().unwrap();
        assert!(!log.contains(secret_part), "the gate logged a secret");
    }
}

#[test]
fn a_session_token_seen_on_screen_does_not_impersonate_the_shopper() {
    let server = TestServer::start();
    let victim = new_shopper("shop");
    let token = victim.session_token();
    // An attacker who read the token off a screen uses it as the secret.
    let forged = format!("fw1:shop:{token}");
    let mut attacker =
        connect_shopper_with(&server, Some(forged)).expect("a well-formed credential");
    let vs = victim.subjects();
    refused(&mut attacker, sub(vs.push(), 1));
    refused(&mut attacker, publish(vs.events(), b"{}"));
    refused(&mut attacker, publish(vs.chat(), b"{}"));
}

#[test]
fn a_page_from_another_origin_cannot_open_a_websocket() {
    let server = TestServer::start();
    let ws = server.websocket_addr().unwrap();
    let result = RawClient::connect_ws(ws, "http://evil.test");
    assert!(
        matches!(&result, Err(tungstenite::Error::Http(r)) if r.status() == 403),
        "another origin got a WebSocket: {:?}",
        result.err()
    );
    assert!(connect_shopper(&server, &new_shopper("shop")).is_ok());
}

#[test]
fn with_the_gate_down_new_connections_fail_and_connected_shoppers_keep_working() {
    let mut server = TestServer::start();
    let cred = new_shopper("shop");
    let mut shopper = connect_shopper(&server, &cred).unwrap();
    let mut dashboard = connect_operator(&server, Role::Dashboard);
    allowed(&mut dashboard, sub(subject::all_sites_events(), 1));

    let printed = server.stop_gate();
    assert!(printed.contains("gate: stopped"), "{printed}");
    assert!(printed.contains("admitted shoppers   1"), "{printed}");

    assert!(
        is_refused(&connect_shopper(&server, &new_shopper("shop"))),
        "admitted without a gate"
    );
    let batch = floorwalker_shared::wire::encode_batch(&floorwalker_shared::event::Batch::new(
        0,
        "EUR",
        Vec::new(),
    ));
    allowed(&mut shopper, publish(cred.subjects().events(), &batch));
    let seen = floorwalker_tests::wait_until(WAIT, || {
        let messages = dashboard.roundtrip(&[], WAIT).unwrap().messages;
        (!messages.is_empty()).then_some(messages)
    })
    .unwrap_or_default();
    assert_eq!(
        seen.len(),
        1,
        "a connected shopper stopped reaching operators"
    );
}

#[test]
fn a_second_gate_keeps_admitting_when_the_first_stops() {
    let mut server = TestServer::start();
    let second = server.add_gate("gate-2");
    server.stop_gate();
    assert!(
        connect_shopper(&server, &new_shopper("shop")).is_ok(),
        "no gate answered"
    );
    let printed = second.stop();
    assert!(printed.contains("admitted shoppers   1"), "{printed}");
}

#[test]
fn a_shopper_over_its_limits_is_cut_off_and_operators_are_not() {
    let server = TestServer::start_with(|_, gate| {
        gate.shopper.max_payload = 32 * 1024;
        gate.shopper.max_subscriptions = 2;
    });
    // What the server announces is what a shopper may send.
    let mut probe = RawClient::connect_ws(server.websocket_addr().unwrap(), ORIGIN).unwrap();
    let info = probe
        .handshake(
            ConnectInfo {
                auth_token: Some(new_shopper("shop").to_token_string()),
                ..ConnectInfo::default()
            },
            WAIT,
        )
        .unwrap();
    assert_eq!(info.max_payload, 32 * 1024);
    let big = vec![b'x'; 40 * 1024];

    let heavy = new_shopper("shop");
    let mut shopper = connect_shopper(&server, &heavy).unwrap();
    shopper
        .send(&[publish(heavy.subjects().events(), &big)])
        .unwrap();
    let ServerOp::Err(err) = shopper.next_significant(WAIT).unwrap() else {
        panic!("no error for an oversized payload")
    };
    assert_eq!(
        err.kind(),
        ServerErrorKind::MaximumPayloadViolation,
        "{err}"
    );
    assert!(
        matches!(shopper.next(WAIT), Err(ReadError::Closed)),
        "the oversized shopper stayed connected"
    );

    let greedy = new_shopper("shop");
    let gs = greedy.subjects();
    let mut shopper = connect_shopper(&server, &greedy).unwrap();
    allowed(&mut shopper, sub(gs.push(), 1));
    allowed(&mut shopper, sub(gs.inbox_wildcard(), 2));
    // A third subscription is refused (the connection stays, with two).
    let rt = shopper.roundtrip(&[sub(gs.push(), 3)], WAIT).unwrap();
    assert_eq!(
        kinds(&rt),
        [ServerErrorKind::MaximumSubscriptionsExceeded],
        "{:?}",
        rt.errors
    );
    let mut router = connect_operator(&server, Role::Router);
    allowed(&mut router, publish(gs.push(), b"once"));
    let got = shopper.roundtrip(&[], WAIT).unwrap();
    let sids: Vec<u64> = got.messages.iter().map(|m| m.sid).collect();
    assert_eq!(sids, [1], "the refused subscription received messages");

    // Operators are not bound by shoppers' subscription limit.
    let mut admin = connect_operator(&server, Role::Admin);
    for sid in 1..=3 {
        allowed(&mut admin, sub(subj(&format!("fw.ops.test{sid}")), sid));
    }
}

#[test]
fn connection_attempts_per_address_are_capped() {
    let mut server =
        TestServer::start_gate_only(|_, gate| gate.connects_per_address_per_minute = 3);
    for _ in 0..3 {
        assert!(connect_shopper(&server, &new_shopper("shop")).is_ok());
    }
    assert!(
        is_refused(&connect_shopper(&server, &new_shopper("shop"))),
        "a fourth attempt was admitted"
    );
    let printed = server.stop_gate();
    assert!(
        printed.contains("too many connection attempts from this address: 1"),
        "{printed}"
    );
}

#[test]
fn each_operator_role_can_do_its_job_and_nothing_beyond_it() {
    let server = TestServer::start();
    let shopper = new_shopper("shop").subjects();
    // Apart from Floorwalker's streams, which every test server has.
    let stream = br#"{"name":"TEST","subjects":["test.>"],"storage":"memory"}"#;

    // Admin configures streams.
    let mut admin = connect_operator(&server, Role::Admin);
    allowed(&mut admin, sub(subj("fw.inbox.admin.>"), 1));
    let created = allowed(
        &mut admin,
        publish_with_reply(
            subj("$JS.API.STREAM.CREATE.TEST"),
            Some(subj("fw.inbox.admin.1")),
            stream,
        ),
    );
    let reply = reply_text(&mut admin, created);
    assert!(
        reply.contains("\"config\"") && !reply.contains("\"error\""),
        "{reply}"
    );
    refused(&mut admin, publish(shopper.events(), b"{}"));

    // The dashboard reads shoppers and offers help; it cannot speak as a
    // shopper, manage streams, or read another operator's inbox.
    let mut dashboard = connect_operator(&server, Role::Dashboard);
    allowed(&mut dashboard, sub(subject::all_sites_events(), 1));
    allowed(&mut dashboard, sub(subject::all_sites_chat(), 2));
    allowed(&mut dashboard, publish(shopper.push(), b"offer"));
    refused(&mut dashboard, publish(shopper.events(), b"{}"));
    refused(&mut dashboard, publish(shopper.chat(), b"{}"));
    refused(
        &mut dashboard,
        publish(subj("$JS.API.STREAM.CREATE.X"), stream),
    );
    refused(&mut dashboard, sub(subj("fw.inbox.agent.>"), 3));
    refused(&mut dashboard, sub(shopper.push(), 4));

    // Agents and the simulator's bots read streams and record what they do
    // in chats, under their own name; the router, not they, speaks to
    // shoppers, and they cannot reconfigure streams.
    for role in [Role::Agent, Role::Simulator] {
        let mut op = connect_operator(&server, role);
        let user = role.name();
        let inbox = format!("fw.inbox.{user}");
        allowed(&mut op, sub(subj(&format!("{inbox}.>")), 1));
        allowed(&mut op, sub(subject::all_sites_chat(), 2));
        allowed(
            &mut op,
            publish(subject::desk(user, "message").unwrap(), b"{}"),
        );
        allowed(&mut op, publish(subject::presence(user).unwrap(), b""));
        refused(
            &mut op,
            publish(subject::desk("dashboard", "message").unwrap(), b"{}"),
        );
        refused(
            &mut op,
            publish(subject::desk(user, "whisper").unwrap(), b"{}"),
        );
        refused(
            &mut op,
            publish(subject::desk(user, "lost").unwrap(), b"{}"),
        );
        refused(&mut op, publish(shopper.push(), b"hello from an agent"));
        let info = allowed(
            &mut op,
            publish_with_reply(
                subj("$JS.API.STREAM.INFO.TEST"),
                Some(subj(&format!("{inbox}.1"))),
                b"",
            ),
        );
        let reply = reply_text(&mut op, info);
        assert!(
            reply.contains("\"TEST\""),
            "{role} cannot read a stream: {reply}"
        );
        for admin_op in ["CREATE", "UPDATE", "DELETE", "PURGE"] {
            refused(
                &mut op,
                publish(subj(&format!("$JS.API.STREAM.{admin_op}.TEST")), stream),
            );
        }
        refused(&mut op, publish(shopper.chat(), b"{}"));
    }

    // The router speaks to shoppers and records its own findings only.
    let mut router = connect_operator(&server, Role::Router);
    allowed(&mut router, publish(shopper.push(), b"you are number 2"));
    allowed(
        &mut router,
        sub(subject::raw(&subject::all_sites_here()), 1),
    );
    allowed(&mut router, sub(subject::all_presence(), 2));
    allowed(
        &mut router,
        publish(subject::desk("router", "gone").unwrap(), b"{}"),
    );
    refused(
        &mut router,
        publish(subject::desk("router", "claim").unwrap(), b"{}"),
    );
    refused(&mut router, publish(shopper.here(), b""));

    // The dashboard may whisper and reassign, not pass for the router.
    allowed(
        &mut dashboard,
        publish(subject::desk("dashboard", "whisper").unwrap(), b"{}"),
    );
    refused(
        &mut dashboard,
        publish(subject::desk("dashboard", "lost").unwrap(), b"{}"),
    );

    // Tail reads; it pushes nothing and configures nothing.
    let mut tail = connect_operator(&server, Role::Tail);
    allowed(&mut tail, sub(subject::all_sites_events(), 1));
    refused(&mut tail, publish(shopper.push(), b"offer"));
    refused(&mut tail, publish(subj("$JS.API.STREAM.DELETE.TEST"), b""));

    // The stream survived every refused attempt.
    let still = allowed(
        &mut admin,
        publish_with_reply(
            subj("$JS.API.STREAM.INFO.TEST"),
            Some(subj("fw.inbox.admin.2")),
            b"",
        ),
    );
    assert!(reply_text(&mut admin, still).contains("\"TEST\""));
}

/// The text of the reply that came with `rt`, or right after it.
fn reply_text<T: Transport>(client: &mut RawClient<T>, rt: Roundtrip) -> String {
    let msg = match rt.messages.into_iter().next() {
        Some(msg) => msg,
        None => match client.next_significant(WAIT).unwrap() {
            ServerOp::Msg(msg) => msg,
            other => panic!("no reply: {other:?}"),
        },
    };
    String::from_utf8_lossy(&msg.payload).into_owned()
}
