// The shared sans-IO codec speaking to a real nats-server over plain TCP.

use std::time::Duration;

use floorwalker::gate::policy::Role;
use floorwalker_shared::nats::{
    ClientOp, ConnectInfo, HeaderMap, Message, ServerErrorKind, ServerOp,
};
use floorwalker_shared::subject::Subject;
use floorwalker_tests::raw::{RawClient, ReadError};
use floorwalker_tests::server::TestServer;
use pretty_assertions::assert_eq;

const WAIT: Duration = Duration::from_secs(5);

fn subject(s: &str) -> Subject {
    Subject::new(s).unwrap()
}

/// Connects with the codec (reading 7 bytes at a time) as the admin
/// operator and completes the handshake; returns the client and the
/// server's INFO.
fn connect(server: &TestServer) -> (RawClient, Box<floorwalker_shared::nats::ServerInfo>) {
    let mut client = RawClient::connect(server.client_addr(), 7).unwrap();
    let admin = server.creds(Role::Admin);
    let info = client
        .handshake_with(
            |info| ConnectInfo {
                echo: true,
                ..floorwalker_tests::clients::signed_connect(&admin, info, "codec-conformance")
            },
            WAIT,
        )
        .unwrap();
    (client, info)
}

#[test]
fn messages_and_headers_survive_a_real_server_intact() {
    let server = TestServer::start_with(|c, _| c.max_payload = Some(4096));
    let (mut client, info) = connect(&server);
    assert!(info.headers, "server does not support headers");
    assert_eq!(info.max_payload, 4096);
    assert!(
        info.auth_required,
        "the server admits clients without the gate"
    );

    let mut headers = HeaderMap::new();
    headers.append("Nats-Msg-Id", "chat-1").unwrap();
    headers.append("X-Multi", "one").unwrap();
    headers.append("X-Multi", "two words").unwrap();
    // Binary bytes, CRLFs and a fake control line inside the payload.
    let mut binary: Vec<u8> = (0..=255).collect();
    binary.extend_from_slice(b"\r\nMSG fake 1 3\r\nxyz\r\n");
    let big = vec![b'x'; 4000];

    client
        .send(&[
            ClientOp::Sub {
                subject: subject("fw.test.>"),
                queue: None,
                sid: 1,
            },
            ClientOp::Sub {
                subject: subject("fw.test.q"),
                queue: Some(subject("workers")),
                sid: 2,
            },
            ClientOp::Pub {
                subject: subject("fw.test.plain"),
                reply: Some(subject("fw.reply.1")),
                headers: None,
                payload: b"hello".to_vec(),
            },
            ClientOp::Pub {
                subject: subject("fw.test.headers"),
                reply: None,
                headers: Some(headers.clone()),
                payload: binary.clone(),
            },
            ClientOp::Pub {
                subject: subject("fw.test.big"),
                reply: None,
                headers: None,
                payload: big.clone(),
            },
            ClientOp::Pub {
                subject: subject("fw.test.q"),
                reply: None,
                headers: None,
                payload: b"work".to_vec(),
            },
            ClientOp::Ping,
        ])
        .unwrap();

    let mut got = Vec::new();
    loop {
        match client.next_significant(WAIT).unwrap() {
            ServerOp::Pong => break,
            ServerOp::Msg(msg) => got.push(msg),
            other => panic!("unexpected {other:?}"),
        }
    }
    // The server orders deliveries by subscription per publish; compare as a set.
    got.sort_by_key(|m| (m.subject.clone(), m.sid));
    let msg = |subj: &str, sid, reply: Option<&str>, headers, payload: Vec<u8>| Message {
        subject: subject(subj),
        sid,
        reply: reply.map(subject),
        headers,
        payload,
    };
    assert_eq!(
        got,
        vec![
            msg("fw.test.big", 1, None, None, big),
            msg("fw.test.headers", 1, None, Some(headers), binary),
            msg(
                "fw.test.plain",
                1,
                Some("fw.reply.1"),
                None,
                b"hello".to_vec()
            ),
            msg("fw.test.q", 1, None, None, b"work".to_vec()),
            msg("fw.test.q", 2, None, None, b"work".to_vec()),
        ]
    );

    // After UNSUB, nothing more arrives for that subscription.
    client
        .send(&[
            ClientOp::Unsub { sid: 1, max: None },
            ClientOp::Pub {
                subject: subject("fw.test.plain"),
                reply: None,
                headers: None,
                payload: b"late".to_vec(),
            },
            ClientOp::Ping,
        ])
        .unwrap();
    assert_eq!(client.next_significant(WAIT).unwrap(), ServerOp::Pong);
}

#[test]
fn the_server_pings_and_a_pong_keeps_the_connection() {
    let server = TestServer::start_with(|c, _| c.ping_interval = Some(Duration::from_millis(300)));
    let (mut client, _) = connect(&server);
    for _ in 0..3 {
        let op = loop {
            match client.next(WAIT).unwrap() {
                ServerOp::Info(_) => {}
                op => break op,
            }
        };
        assert_eq!(op, ServerOp::Ping);
        client.send(&[ClientOp::Pong]).unwrap();
    }
    client.send(&[ClientOp::Ping]).unwrap();
    assert_eq!(
        client.next_significant(WAIT).unwrap(),
        ServerOp::Pong,
        "connection lost despite PONGs"
    );
}

#[test]
fn a_payload_over_max_payload_surfaces_as_a_server_error() {
    // Not lower: the gate's authorization requests and replies travel under
    // the same limit.
    let server = TestServer::start_with(|c, _| c.max_payload = Some(8 * 1024));
    let (mut client, _) = connect(&server);
    client
        .send(&[ClientOp::Pub {
            subject: subject("fw.test.big"),
            reply: None,
            headers: None,
            payload: vec![b'x'; 8 * 1024 + 1],
        }])
        .unwrap();
    let ServerOp::Err(err) = client.next_significant(WAIT).unwrap() else {
        panic!("no -ERR for an oversized payload")
    };
    assert_eq!(
        err.kind(),
        ServerErrorKind::MaximumPayloadViolation,
        "{err}"
    );
    assert!(
        matches!(client.next(WAIT), Err(ReadError::Closed)),
        "the server kept the connection"
    );
}

#[test]
fn garbage_from_the_client_surfaces_as_a_server_error() {
    let server = TestServer::start();
    let (mut client, _) = connect(&server);
    client.send_raw(b"HELLO there\r\n").unwrap();
    let ServerOp::Err(err) = client.next_significant(WAIT).unwrap() else {
        panic!("no -ERR for garbage")
    };
    assert_eq!(
        err.kind(),
        ServerErrorKind::UnknownProtocolOperation,
        "{err}"
    );
}
