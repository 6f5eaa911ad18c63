//! Codec tables, split points, round trips and hostile bytes.

use pretty_assertions::assert_eq;
use proptest::prelude::*;

use super::*;
use crate::subject::Subject;

fn subject(s: &str) -> Subject {
    Subject::new(s).unwrap()
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (n, v) in pairs {
        h.append(*n, *v).unwrap();
    }
    h
}

fn decode_server(mut bytes: &[u8]) -> Result<Option<ServerOp>, DecodeError> {
    ServerDecoder::default().decode(&mut bytes)
}

fn decode_client(mut bytes: &[u8]) -> Result<Option<ClientOp>, DecodeError> {
    ClientDecoder::default().decode(&mut bytes)
}

/// Decodes every whole frame at the front of `buf` and drops what they
/// took, as a decoder's caller does after each read.
fn decode_all<T>(
    buf: &mut Vec<u8>,
    mut decode: impl FnMut(&mut &[u8]) -> Result<Option<T>, DecodeError>,
) -> Vec<T> {
    let mut rest = &buf[..];
    let mut ops = Vec::new();
    while let Some(op) = decode(&mut rest).unwrap() {
        ops.push(op);
    }
    let taken = buf.len() - rest.len();
    buf.drain(..taken);
    ops
}

fn encoded_client(op: &ClientOp) -> Vec<u8> {
    let mut out = Vec::new();
    op.encode(&mut out);
    out
}

fn encoded_server(op: &ServerOp) -> Vec<u8> {
    let mut out = Vec::new();
    op.encode(&mut out);
    out
}

fn msg(
    subj: &str,
    sid: u64,
    reply: Option<&str>,
    hdrs: Option<HeaderMap>,
    payload: &'static [u8],
) -> ServerOp {
    ServerOp::Msg(Message {
        subject: subject(subj),
        sid,
        reply: reply.map(subject),
        headers: hdrs,
        payload: payload.to_vec(),
    })
}

fn publish(
    subj: &str,
    reply: Option<&str>,
    hdrs: Option<HeaderMap>,
    payload: &'static [u8],
) -> ClientOp {
    ClientOp::Pub {
        subject: subject(subj),
        reply: reply.map(subject),
        headers: hdrs,
        payload: payload.to_vec(),
    }
}

/// Server frames as nats-server writes them, and what they decode to.
fn server_table() -> Vec<(&'static [u8], ServerOp)> {
    vec![
        (b"PING\r\n", ServerOp::Ping),
        (b"PONG\r\n", ServerOp::Pong),
        (b"+OK\r\n", ServerOp::Ok),
        (
            b"-ERR 'Maximum Payload Violation'\r\n",
            ServerOp::Err(ServerError::new("Maximum Payload Violation")),
        ),
        (
            b"MSG fw.a.events 7 5\r\nhello\r\n",
            msg("fw.a.events", 7, None, None, b"hello"),
        ),
        (
            b"MSG a 1 _INBOX.x.y 0\r\n\r\n",
            msg("a", 1, Some("_INBOX.x.y"), None, b""),
        ),
        (
            b"HMSG a.b 2 25 27\r\nNATS/1.0\r\nK: v\r\nK2: w\r\n\r\nhi\r\n",
            msg(
                "a.b",
                2,
                None,
                Some(headers(&[("K", "v"), ("K2", "w")])),
                b"hi",
            ),
        ),
        (
            b"HMSG _INBOX.r 3 16 16\r\nNATS/1.0 503\r\n\r\n\r\n",
            msg(
                "_INBOX.r",
                3,
                None,
                Some(HeaderMap::parse(b"NATS/1.0 503\r\n\r\n").unwrap()),
                b"",
            ),
        ),
        (
            b"HMSG a 9 reply.to 12 14\r\nNATS/1.0\r\n\r\n\r\n\r\n",
            msg("a", 9, Some("reply.to"), Some(HeaderMap::new()), b"\r\n"),
        ),
    ]
}

fn client_table() -> Vec<(&'static [u8], ClientOp)> {
    vec![
        (b"PING\r\n", ClientOp::Ping),
        (b"PONG\r\n", ClientOp::Pong),
        (
            b"PUB a.b 5\r\nhello\r\n",
            publish("a.b", None, None, b"hello"),
        ),
        (
            b"PUB a.b r.1 0\r\n\r\n",
            publish("a.b", Some("r.1"), None, b""),
        ),
        (
            b"HPUB a 18 20\r\nNATS/1.0\r\nK: v\r\n\r\nhi\r\n",
            publish("a", None, Some(headers(&[("K", "v")])), b"hi"),
        ),
        (
            b"SUB fw.*.shopper.*.events 1\r\n",
            ClientOp::Sub {
                subject: subject("fw.*.shopper.*.events"),
                queue: None,
                sid: 1,
            },
        ),
        (
            b"SUB a.> workers 22\r\n",
            ClientOp::Sub {
                subject: subject("a.>"),
                queue: Some(subject("workers")),
                sid: 22,
            },
        ),
        (b"UNSUB 3\r\n", ClientOp::Unsub { sid: 3, max: None }),
        (
            b"UNSUB 3 10\r\n",
            ClientOp::Unsub {
                sid: 3,
                max: Some(10),
            },
        ),
    ]
}

#[test]
fn server_frames_decode_and_encode_byte_for_byte() {
    for (bytes, op) in server_table() {
        assert_eq!(
            decode_server(bytes),
            Ok(Some(op.clone())),
            "{}",
            String::from_utf8_lossy(bytes)
        );
        assert_eq!(encoded_server(&op), bytes);
    }
}

#[test]
fn client_frames_decode_and_encode_byte_for_byte() {
    for (bytes, op) in client_table() {
        assert_eq!(
            decode_client(bytes),
            Ok(Some(op.clone())),
            "{}",
            String::from_utf8_lossy(bytes)
        );
        assert_eq!(encoded_client(&op), bytes);
    }
}

#[test]
fn info_and_connect_carry_their_json() {
    let line = br#"INFO {"server_id":"NABC","version":"2.15.1","proto":1,"headers":true,"max_payload":1024,"client_id":5,"unknown_field":[1,2]}"#;
    let mut bytes = line.to_vec();
    bytes.extend_from_slice(b" \r\n");
    let Ok(Some(ServerOp::Info(raw))) = decode_server(&bytes) else {
        panic!("INFO did not decode")
    };
    assert_eq!(raw.max_payload(), Some(1024));
    let info = raw.parse().unwrap();
    assert_eq!(
        (
            info.server_id.as_str(),
            info.max_payload,
            info.headers,
            info.client_id
        ),
        ("NABC", 1024, true, 5)
    );

    let connect = ClientOp::Connect(Box::new(ConnectInfo {
        name: Some("shopper".into()),
        auth_token: Some("s3cr\"et\r\n".into()),
        ..ConnectInfo::default()
    }));
    let bytes = encoded_client(&connect);
    assert!(bytes.starts_with(b"CONNECT {"));
    // A credential with CR/LF cannot end the line early: JSON escapes it.
    assert_eq!(memchr::memchr_iter(b'\n', &bytes).count(), 1);
    assert_eq!(decode_client(&bytes), Ok(Some(connect)));
}

// The exact bytes, as serde_json writes them: `None`s left out, hostile
// text escaped (the writer is hand-made, see crate::json).
#[test]
fn connect_is_json_byte_for_byte() {
    let connect = ConnectInfo {
        name: Some("\u{1f6d2} shop\u{2028}".into()),
        auth_token: Some("fw1:s\\3cr\"et\r\n\u{0}".into()),
        ..ConnectInfo::default()
    };
    let expected = [
        r#"CONNECT {"verbose":false,"pedantic":false,"tls_required":false,"name":""#,
        "\u{1f6d2} shop\u{2028}",
        r#"","lang":"rust-floorwalker","version":""#,
        env!("CARGO_PKG_VERSION"),
        r#"","protocol":1,"echo":false,"headers":true,"no_responders":true,"#,
        r#""auth_token":"fw1:s\\3cr\"et\r\n\u0000"}"#,
        "\r\n",
    ]
    .concat();
    let bytes = encoded_client(&ClientOp::Connect(Box::new(connect.clone())));
    assert_eq!(String::from_utf8(bytes).unwrap(), expected);
    let serde = serde_json::to_string(&connect).unwrap();
    assert_eq!(["CONNECT ", &serde, "\r\n"].concat(), expected);
}

#[test]
fn operation_names_are_case_insensitive() {
    assert_eq!(decode_server(b"ping\r\n"), Ok(Some(ServerOp::Ping)));
    assert_eq!(
        decode_server(b"msg a 1 2\r\nhi\r\n"),
        Ok(Some(msg("a", 1, None, None, b"hi")))
    );
    assert_eq!(
        decode_client(b"Sub a  1\r\n").map(|o| o.is_some()),
        Ok(true)
    );
}

#[test]
fn every_split_point_gives_the_same_ops() {
    let ops: Vec<ServerOp> = server_table().into_iter().map(|(_, op)| op).collect();
    let stream: Vec<u8> = server_table()
        .iter()
        .flat_map(|(b, _)| b.to_vec())
        .collect();
    for split in 0..=stream.len() {
        let mut dec = ServerDecoder::default();
        let mut buf = stream[..split].to_vec();
        let mut got = decode_all(&mut buf, |b| dec.decode(b));
        let pending = buf.len();
        buf.extend_from_slice(&stream[split..]);
        got.extend(decode_all(&mut buf, |b| dec.decode(b)));
        assert_eq!(got, ops, "split at {split}");
        assert!(buf.is_empty(), "split at {split} left {} bytes", buf.len());
        assert!(pending <= split);
    }
}

#[test]
fn a_partial_frame_consumes_nothing() {
    for (bytes, _) in server_table() {
        for cut in 0..bytes.len() {
            let mut buf = &bytes[..cut];
            assert_eq!(
                ServerDecoder::default().decode(&mut buf),
                Ok(None),
                "cut {cut} of {bytes:?}"
            );
            assert_eq!(buf, &bytes[..cut], "consumed bytes of a partial frame");
        }
    }
    for (bytes, _) in client_table() {
        for cut in 0..bytes.len() {
            let mut buf = &bytes[..cut];
            assert_eq!(
                ClientDecoder::default().decode(&mut buf),
                Ok(None),
                "cut {cut} of {bytes:?}"
            );
            assert_eq!(buf, &bytes[..cut], "consumed bytes of a partial frame");
        }
    }
}

#[test]
fn bounds_are_enforced_by_rejecting() {
    let limits = Limits {
        max_control_line: 32,
        max_payload: 8,
    };
    let mut dec = ServerDecoder::new(limits);
    // A line that never ends is refused once it passes the limit, not buffered.
    let mut buf = vec![b'A'; 33];
    assert_eq!(dec.decode(&mut &buf[..]), Ok(None));
    buf.push(b'A');
    let err = dec.decode(&mut &buf[..]).unwrap_err();
    assert_eq!(err.kind(), DecodeErrorKind::ControlLineTooLong);
    // A payload over the limit is refused as soon as its size is announced.
    let err = dec.decode(&mut &b"MSG a 1 9\r\n"[..]).unwrap_err();
    assert_eq!(err.kind(), DecodeErrorKind::PayloadTooLarge);
    let err = ClientDecoder::new(limits)
        .decode(&mut &b"HPUB a 4 99999999999\r\n"[..])
        .unwrap_err();
    assert_eq!(err.kind(), DecodeErrorKind::PayloadTooLarge);
    assert_eq!(dec.decode(&mut &b"MSG a 1 8\r\n"[..]), Ok(None));
}

#[test]
fn malformed_frames_are_errors_of_the_right_kind() {
    let cases: &[(&[u8], DecodeErrorKind)] = &[
        (b"HELLO\r\n", DecodeErrorKind::UnknownOperation),
        (b"PUB a 1\r\nx\r\n", DecodeErrorKind::UnknownOperation),
        (b"MSG a\r\n", DecodeErrorKind::Arguments),
        (b"MSG a 1 2 3 4\r\n", DecodeErrorKind::Arguments),
        (b"MSG a x 2\r\nhi\r\n", DecodeErrorKind::Number),
        (b"MSG a 1 +2\r\nhi\r\n", DecodeErrorKind::Number),
        (b"MSG a 1 -2\r\n", DecodeErrorKind::Number),
        (
            b"MSG a 1 99999999999999999999999\r\n",
            DecodeErrorKind::Number,
        ),
        (b"HMSG a 1 9 2\r\n", DecodeErrorKind::Number),
        (b"MSG a..b 1 2\r\nhi\r\n", DecodeErrorKind::Subject),
        (b"MSG a 1 2\r\nhiXX", DecodeErrorKind::Terminator),
        (b"HMSG a 1 4 6\r\nABCDhi\r\n", DecodeErrorKind::Headers),
        (b"INFO {not json\r\n", DecodeErrorKind::Json),
        (b"MSG \xff 1 2\r\n", DecodeErrorKind::Utf8),
    ];
    for (bytes, kind) in cases {
        let got = decode_server(bytes).map_err(|e| e.kind());
        assert_eq!(got, Err(*kind), "{}", String::from_utf8_lossy(bytes));
    }
    let client_cases: &[(&[u8], DecodeErrorKind)] = &[
        (b"MSG a 1 2\r\nhi\r\n", DecodeErrorKind::UnknownOperation),
        (b"SUB a\r\n", DecodeErrorKind::Arguments),
        (b"SUB a q 1 2\r\n", DecodeErrorKind::Arguments),
        (b"UNSUB\r\n", DecodeErrorKind::Arguments),
        (b"UNSUB x\r\n", DecodeErrorKind::Number),
        (b"CONNECT {}\r\n", DecodeErrorKind::Json),
        (b"PUB a.>.b 0\r\n\r\n", DecodeErrorKind::Subject),
    ];
    for (bytes, kind) in client_cases {
        let got = decode_client(bytes).map_err(|e| e.kind());
        assert_eq!(got, Err(*kind), "{}", String::from_utf8_lossy(bytes));
    }
}

fn arb_subject() -> impl Strategy<Value = Subject> {
    prop::collection::vec("[a-zA-Z0-9_$-]{1,8}", 1..5).prop_map(|t| subject(&t.join(".")))
}

fn arb_sub_subject() -> impl Strategy<Value = Subject> {
    (arb_subject(), any::<bool>()).prop_map(|(s, wild)| {
        if wild {
            subject(&format!("{s}.*.>"))
        } else {
            s
        }
    })
}

fn arb_headers() -> impl Strategy<Value = Option<HeaderMap>> {
    let pairs = prop::collection::vec(("[A-Za-z][A-Za-z0-9-]{0,12}", "[ -~]{0,20}"), 0..4);
    let status = prop::option::of((
        100u16..=599,
        prop::option::of("[A-Za-z]{1,8}( [A-Za-z]{1,8})?"),
    ));
    prop::option::of((pairs, status)).prop_map(|h| {
        h.map(|(pairs, status)| {
            let mut map = HeaderMap::new();
            if let Some((code, description)) = status {
                map.set_status(code, description).unwrap();
            }
            for (n, v) in pairs {
                // Trailing and leading blanks of a value are not kept on the wire.
                map.append(n, v.trim()).unwrap();
            }
            map
        })
    })
}

fn arb_payload() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..200)
}

/// Any characters, control characters included, up to 20.
fn arb_text() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..=20).prop_map(String::from_iter)
}

/// Any CONNECT body: every field set or not, any text in its strings.
fn arb_connect_info() -> impl Strategy<Value = ConnectInfo> {
    let text = arb_text;
    let maybe = || prop::option::of(arb_text());
    (
        any::<[bool; 6]>(),
        (text(), text(), any::<i32>()),
        (
            maybe(),
            maybe(),
            maybe(),
            maybe(),
            maybe(),
            maybe(),
            maybe(),
        ),
    )
        .prop_map(
            |(
                [
                    verbose,
                    pedantic,
                    tls_required,
                    echo,
                    headers,
                    no_responders,
                ],
                (lang, version, protocol),
                (name, user, pass, auth_token, jwt, nkey, sig),
            )| ConnectInfo {
                verbose,
                pedantic,
                tls_required,
                name,
                lang,
                version,
                protocol,
                echo,
                headers,
                no_responders,
                user,
                pass,
                auth_token,
                jwt,
                nkey,
                sig,
            },
        )
}

fn arb_client_op() -> impl Strategy<Value = ClientOp> {
    prop_oneof![
        Just(ClientOp::Ping),
        Just(ClientOp::Pong),
        (
            arb_subject(),
            prop::option::of(arb_subject()),
            arb_headers(),
            arb_payload()
        )
            .prop_map(|(subject, reply, headers, payload)| ClientOp::Pub {
                subject,
                reply,
                headers,
                payload
            }),
        (
            arb_sub_subject(),
            prop::option::of(arb_subject()),
            any::<u64>()
        )
            .prop_map(|(subject, queue, sid)| ClientOp::Sub {
                subject,
                queue,
                sid
            }),
        (any::<u64>(), prop::option::of(any::<u64>()))
            .prop_map(|(sid, max)| ClientOp::Unsub { sid, max }),
        arb_connect_info().prop_map(|info| ClientOp::Connect(Box::new(info))),
    ]
}

fn arb_server_op() -> impl Strategy<Value = ServerOp> {
    prop_oneof![
        Just(ServerOp::Ping),
        Just(ServerOp::Pong),
        Just(ServerOp::Ok),
        "[A-Za-z][A-Za-z ]{0,30}[A-Za-z]".prop_map(|t| ServerOp::Err(ServerError::new(t))),
        (
            arb_subject(),
            any::<u64>(),
            prop::option::of(arb_subject()),
            arb_headers(),
            arb_payload()
        )
            .prop_map(
                |(subject, sid, reply, headers, payload)| ServerOp::Msg(Message {
                    subject,
                    sid,
                    reply,
                    headers,
                    payload
                })
            ),
        ("N[A-Z0-9]{10}", any::<u64>(), 1u64..10_000_000).prop_map(
            |(server_id, client_id, max_payload)| {
                ServerOp::Info(RawInfo::from_info(&ServerInfo {
                    server_id,
                    max_payload,
                    client_id,
                    ..ServerInfo::default()
                }))
            }
        ),
    ]
}

proptest! {
    #[test]
    fn client_ops_round_trip(ops in prop::collection::vec(arb_client_op(), 1..6), chunk in 1usize..64) {
        let mut wire = Vec::new();
        for op in &ops {
            op.encode(&mut wire);
        }
        // Feed the stream in chunks of one size, as a socket might.
        let mut dec = ClientDecoder::default();
        let mut buf = Vec::new();
        let mut got = Vec::new();
        for piece in wire.chunks(chunk) {
            buf.extend_from_slice(piece);
            got.extend(decode_all(&mut buf, |b| dec.decode(b)));
        }
        prop_assert_eq!(got, ops);
        prop_assert!(buf.is_empty());
    }

    #[test]
    fn connect_is_json_as_serde_json_writes_it(info in arb_connect_info()) {
        let bytes = encoded_client(&ClientOp::Connect(Box::new(info.clone())));
        let expected = [b"CONNECT ".as_slice(), &serde_json::to_vec(&info).unwrap(), b"\r\n"].concat();
        prop_assert_eq!(String::from_utf8(bytes).unwrap(), String::from_utf8(expected).unwrap());
    }

    #[test]
    fn server_ops_round_trip(ops in prop::collection::vec(arb_server_op(), 1..6), chunk in 1usize..64) {
        let mut wire = Vec::new();
        for op in &ops {
            op.encode(&mut wire);
        }
        let mut dec = ServerDecoder::default();
        let mut buf = Vec::new();
        let mut got = Vec::new();
        for piece in wire.chunks(chunk) {
            buf.extend_from_slice(piece);
            got.extend(decode_all(&mut buf, |b| dec.decode(b)));
        }
        prop_assert_eq!(got, ops);
        prop_assert!(buf.is_empty());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let limits = Limits { max_control_line: 64, max_payload: 128 };
        for mut buf in [&bytes[..], &bytes[..]] {
            let mut server = ServerDecoder::new(limits);
            while let Ok(Some(_)) = server.decode(&mut buf) {}
        }
        let mut buf = &bytes[..];
        let mut client = ClientDecoder::new(limits);
        while let Ok(Some(_)) = client.decode(&mut buf) {}
    }

    #[test]
    fn protocol_shaped_garbage_never_panics(
        op in prop::sample::select(vec!["MSG", "HMSG", "PUB", "HPUB", "SUB", "UNSUB", "INFO", "-ERR", "CONNECT"]),
        args in prop::collection::vec("[ -~]{0,12}", 0..6),
        tail in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut bytes = format!("{op} {}\r\n", args.join(" ")).into_bytes();
        bytes.extend_from_slice(&tail);
        let _ = decode_server(&bytes);
        let _ = decode_client(&bytes);
    }
}
