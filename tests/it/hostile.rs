//! Hostile shoppers reach no one: not another shopper through the broker's
//! replies, not the chat store, not an operator's fact; every refusal they
//! cause is counted with its reason, and well-behaved shoppers lose no
//! event while they try.

use std::collections::BTreeMap;
use std::thread;
use std::time::{Duration, Instant};

use floorwalker::gate::policy::Role;
use floorwalker_shared::chat::{ChatEnvelope, ChatFact, DeskEnvelope, DeskFact};
use floorwalker_shared::credential::ShopperCredential;
use floorwalker_shared::event::{Batch, Event, ShopperEvent};
use floorwalker_shared::intake::{IntakeReport, Refusal, What};
use floorwalker_shared::nats::{ClientOp, ConnectInfo, HeaderMap, ServerOp};
use floorwalker_shared::subject::{self, SessionSubjects, Subject};
use floorwalker_shared::wire::{decode_push, encode_batch};
use floorwalker_tests::clients::{connect_operator, new_shopper};
use floorwalker_tests::raw::{RawClient, Tcp, Ws};
use floorwalker_tests::server::{ORIGIN, TestServer};
use floorwalker_tests::setup::{create_streams, js_request};

const WAIT: Duration = Duration::from_secs(10);

/// Well-behaved shoppers.
const GOOD: usize = 10;
/// Batches each well-behaved shopper sends while the attacks run.
const GOOD_BATCHES: u64 = 10;
/// What one hostile connection floods: twice its session's bounds.
const FLOOD: u64 = 600;
/// Hostile connections from one address, and what each floods.
const CROWD: usize = 50;
const CROWD_FACTS: u64 = 40;
const CROWD_BATCHES: u64 = 80;
/// Facts the agent records while it all goes on.
const AGENT_FACTS: usize = 20;

/// A shopper's page over a WebSocket, subscribed to its push subject
/// (sid 1) and inbox (sid 2). Every page of this test comes from one
/// address (loopback), as a crowd behind a carrier's NAT would.
fn page(server: &TestServer, cred: &ShopperCredential) -> RawClient<Ws> {
    let ws = server.websocket_addr().expect("a WebSocket listener");
    let mut client = RawClient::connect_ws(ws, ORIGIN).expect("opening a WebSocket");
    client
        .handshake(
            ConnectInfo {
                auth_token: Some(cred.to_token_string()),
                ..ConnectInfo::default()
            },
            WAIT,
        )
        .expect("a shopper admitted");
    let s = cred.subjects();
    client
        .send(&[
            ClientOp::Sub {
                subject: s.push(),
                queue: None,
                sid: 1,
            },
            ClientOp::Sub {
                subject: s.inbox_wildcard(),
                queue: None,
                sid: 2,
            },
        ])
        .expect("subscribing");
    client
}

fn publish(subject: Subject, reply: Option<Subject>, payload: Vec<u8>) -> ClientOp {
    ClientOp::Pub {
        subject,
        reply,
        headers: None,
        payload,
    }
}

/// A valid batch numbered `seq`, whose strings are `text`.
fn batch(seq: u64, text: &str) -> Vec<u8> {
    encode_batch(&Batch::new(
        seq,
        "EUR",
        vec![Event {
            at_ms: 1_795_800_000_000 + seq,
            kind: ShopperEvent::PageView {
                path: format!("/p/{seq}"),
                title: text.into(),
                referrer: None,
                utm: None,
            },
        }],
    ))
}

fn request(chat_id: &str) -> ChatFact {
    ChatFact::Request {
        chat_id: chat_id.into(),
        offer_id: None,
    }
}

/// How many messages `stream` holds on each subject.
fn per_subject(admin: &mut RawClient<Tcp>, stream: &str) -> BTreeMap<String, u64> {
    let info = js_request(
        admin,
        &format!("$JS.API.STREAM.INFO.{stream}"),
        r#"{"subjects_filter":">"}"#,
    );
    info["state"]["subjects"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default()
}

fn stored(counts: &BTreeMap<String, u64>, subjects: &[Subject]) -> u64 {
    subjects
        .iter()
        .map(|s| counts.get(s.as_str()).copied().unwrap_or(0))
        .sum()
}

/// The latest intake report heard on the watcher (sid 9) that satisfies
/// `done`.
fn report_until(
    watcher: &mut RawClient<Tcp>,
    done: impl Fn(&IntakeReport) -> bool,
) -> IntakeReport {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = IntakeReport::default();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "the intake never reported it all: {last:#?}"
        );
        if let Ok(ServerOp::Msg(msg)) = watcher.next_significant(left)
            && msg.sid == 9
        {
            last = serde_json::from_slice(&msg.payload).expect("an intake report");
            if done(&last) {
                return last;
            }
        }
    }
}

#[test]
#[allow(clippy::too_many_lines)] // one story: the attacks, then what they came to
fn hostile_shoppers_reach_no_one_and_cost_well_behaved_shoppers_nothing() {
    let server = TestServer::start();
    create_streams(&server);
    let _router = server.start_router();
    let mut admin = connect_operator(&server, Role::Admin);
    let mut watcher = connect_operator(&server, Role::Tail);
    watcher
        .send(&[ClientOp::Sub {
            subject: subject::intake_report(),
            queue: None,
            sid: 9,
        }])
        .unwrap();

    // Ten well-behaved shoppers.
    let good: Vec<ShopperCredential> = (0..GOOD).map(|_| new_shopper("shop")).collect();
    let mut pages: Vec<RawClient<Ws>> = good.iter().map(|cred| page(&server, cred)).collect();
    let victim = good[0].subjects();
    let victim_chat = "victim-chat-0001";
    let victim_fact = request(victim_chat);

    // The attacker: it knows the victim's session token
    // (supervisors see it) and, for the worst case, its next chat id.
    let attacker = new_shopper("shop");
    let a = attacker.subjects();
    let mut hostile = page(&server, &attacker);
    let mut ops = Vec::new();
    // Reflection: its own subjects, the victim's push and inbox as reply.
    for (k, reply) in [
        victim.push(),
        victim.inbox(&victim_fact.dedupe_id()).unwrap(),
        victim.inbox("x").unwrap(),
    ]
    .into_iter()
    .enumerate()
    {
        ops.push(publish(
            a.events(),
            Some(reply.clone()),
            batch(1_000_000 + k as u64, "reflect"),
        ));
        ops.push(publish(
            a.chat(),
            Some(reply),
            ChatEnvelope::new(request(&format!("reflect-{k}"))).encode(),
        ));
    }
    // Id collision: the message id the victim's fact would have had, and
    // its very chat id.
    let mut headers = HeaderMap::new();
    headers
        .append(
            "Nats-Msg-Id",
            format!("{}-{}", victim.token(), victim_fact.dedupe_id()),
        )
        .unwrap();
    ops.push(ClientOp::Pub {
        subject: a.chat(),
        reply: None,
        headers: Some(headers),
        payload: ChatEnvelope::new(ChatFact::Leave {
            chat_id: "attacker-chat".into(),
        })
        .encode(),
    });
    // Malformed and invalid: three batches, two facts, two of another
    // schema version.
    for payload in [&b"{not json"[..], b"\x00\x01", b"[]"] {
        ops.push(publish(a.events(), None, payload.to_vec()));
    }
    for payload in [&b"{\"v\":1,\"fact\":{\"message\":{}}}"[..], b"null"] {
        ops.push(publish(a.chat(), None, payload.to_vec()));
    }
    ops.push(publish(
        a.events(),
        None,
        br#"{"v":999,"seq":5,"currency":"EUR","events":[]}"#.to_vec(),
    ));
    ops.push(publish(
        a.chat(),
        None,
        br#"{"v":999,"fact":{"leave":{"chat_id":"c"}}}"#.to_vec(),
    ));
    // Escape sequences and bidi overrides in every string: valid, so
    // stored, and made safe by whoever prints them.
    let nasty = "\u{1b}[2J\u{1b}]0;owned\u{7}\u{202e}evil\u{2066}\u{9b}31m";
    ops.push(publish(a.events(), None, batch(2_000_000, nasty)));
    hostile.send(&ops).unwrap();

    // The agent records its facts the whole time.
    let agent = {
        let mut agent = connect_operator(&server, Role::Agent);
        thread::spawn(move || {
            let mut stored = 0;
            for i in 0..AGENT_FACTS {
                let status = DeskFact::Status {
                    available: true,
                    capacity: 1 + u8::try_from(i % 3).unwrap(),
                };
                let ack = agent.request(
                    subject::desk("agent", status.kind()).unwrap(),
                    Subject::new(format!("fw.inbox.agent.s{i}")).unwrap(),
                    &DeskEnvelope::new(status).encode(),
                    WAIT,
                );
                if let Ok(ack) = ack
                    && String::from_utf8_lossy(&ack.payload).contains("\"stream\":\"AUDIT\"")
                {
                    stored += 1;
                }
            }
            stored
        })
    };

    // The flood from one connection.
    let flood: Vec<ClientOp> = (0..FLOOD)
        .flat_map(|i| {
            [
                publish(a.events(), None, batch(i, "flood")),
                publish(
                    a.chat(),
                    None,
                    ChatEnvelope::new(request(&format!("flood-{i:04}"))).encode(),
                ),
            ]
        })
        .collect();
    hostile.send(&flood).unwrap();

    // Fifty connections from the same address, each flooding.
    let crowd: Vec<ShopperCredential> = (0..CROWD).map(|_| new_shopper("shop")).collect();
    let crowd_threads: Vec<_> = crowd
        .iter()
        .map(|cred| {
            let mut client = page(&server, cred);
            let s = cred.subjects();
            thread::spawn(move || {
                let ops: Vec<ClientOp> = (0..CROWD_BATCHES)
                    .map(|i| publish(s.events(), None, batch(i, "crowd")))
                    .chain((0..CROWD_FACTS).map(|i| {
                        publish(
                            s.chat(),
                            None,
                            ChatEnvelope::new(request(&format!("crowd-{i:04}"))).encode(),
                        )
                    }))
                    .collect();
                client.send(&ops).unwrap();
                // Kept open until everything is read from it.
                client.roundtrip(&[], WAIT).unwrap();
                client
            })
        })
        .collect();

    // An oversized payload: the server closes that connection.
    let oversized_cred = new_shopper("shop");
    let mut oversized = page(&server, &oversized_cred);
    oversized
        .send(&[publish(
            oversized_cred.subjects().events(),
            None,
            vec![b'x'; 70 * 1024],
        )])
        .unwrap();

    // Meanwhile the well-behaved shoppers browse, each batch taken by the
    // server before the next (a round trip), and hear nothing at all while
    // the attacks go on; then the victim asks for help.
    for seq in 0..GOOD_BATCHES {
        for (cred, page) in good.iter().zip(&mut pages) {
            let heard = page
                .roundtrip(
                    &[publish(
                        cred.subjects().events(),
                        None,
                        batch(seq, "a shoe"),
                    )],
                    WAIT,
                )
                .unwrap();
            assert!(heard.messages.is_empty(), "{:?}", heard.messages);
        }
    }
    let victim_reply = victim.inbox(&victim_fact.dedupe_id()).unwrap();
    pages[0]
        .send(&[publish(
            victim.chat(),
            Some(victim_reply.clone()),
            ChatEnvelope::new(victim_fact.clone()).encode(),
        )])
        .unwrap();

    let crowd_clients: Vec<_> = crowd_threads
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    let agent_stored = agent.join().unwrap();

    // Everything sent reached the intake: stored or refused, and counted.
    let crowd_events = CROWD as u64 * CROWD_BATCHES;
    let crowd_facts = CROWD as u64 * CROWD_FACTS;
    // Reflection: 3 batches and 3 facts; collision: 1 fact; malformed and
    // invalid: 7; escapes: 1 batch; flood; crowd; the good ones.
    let events_sent = 3 + 3 + 1 + 1 + FLOOD + crowd_events + GOOD as u64 * GOOD_BATCHES;
    let facts_sent = 3 + 1 + 3 + FLOOD + crowd_facts + 1;
    let total = |r: &IntakeReport, what: What| -> u64 {
        r.refused
            .iter()
            .filter(|c| c.what == what)
            .map(|c| c.n)
            .sum()
    };
    let report = report_until(&mut watcher, |r| {
        r.stored_events + total(r, What::Events) == events_sent
            && r.stored_facts + total(r, What::Facts) == facts_sent
            && r.refused(What::Connections, Refusal::PayloadTooLarge) == 1
    });

    // The victim heard exactly one answer, to its own fact, and nothing on
    // its push subject but what the router says of its chat.
    let mut answers = Vec::new();
    let deadline = Instant::now() + WAIT;
    while answers.is_empty() && Instant::now() < deadline {
        for msg in pages[0].roundtrip(&[], WAIT).unwrap().messages {
            if msg.sid == 2 {
                answers.push(msg);
            } else {
                let push = decode_push(&msg.payload);
                assert!(push.is_ok(), "the victim got a stranger's message: {msg:?}");
            }
        }
    }
    for msg in pages[0]
        .roundtrip(&[], Duration::from_millis(500))
        .unwrap()
        .messages
    {
        if msg.sid == 2 {
            answers.push(msg);
        }
    }
    assert_eq!(answers.len(), 1, "the victim's inbox: {answers:?}");
    assert_eq!(answers[0].subject, victim_reply);
    assert_eq!(&answers[0].payload[..], br#"{"stream":"CHATS"}"#);
    // The other well-behaved pages heard nothing at all.
    for page in &mut pages[1..] {
        let heard = page.roundtrip(&[], WAIT).unwrap();
        assert!(heard.messages.is_empty(), "{:?}", heard.messages);
    }
    // The hostile page itself learns no stream sequence.
    let to_attacker = hostile.roundtrip(&[], WAIT).unwrap();
    for msg in &to_attacker.messages {
        let text = String::from_utf8_lossy(&msg.payload);
        assert!(!text.contains("seq"), "{text}");
    }

    // Operators' facts were all stored.
    assert_eq!(agent_stored, AGENT_FACTS);

    // The well-behaved shoppers lost no event, and the victim's fact is
    // stored as its own.
    let events = per_subject(&mut admin, "EVENTS");
    for cred in &good {
        assert_eq!(
            stored(&events, &[cred.subjects().events()]),
            GOOD_BATCHES,
            "{events:?}"
        );
    }
    let chats = per_subject(&mut admin, "CHATS");
    assert_eq!(stored(&chats, &[victim.chat()]), 1, "{chats:?}");

    // The counts by reason are right.
    assert_eq!(report.refused(What::Events, Refusal::Malformed), 3);
    assert_eq!(report.refused(What::Facts, Refusal::Malformed), 2);
    assert_eq!(report.refused(What::Events, Refusal::Invalid), 1);
    assert_eq!(report.refused(What::Facts, Refusal::Invalid), 1);
    let attacker_events = stored(&events, &[a.events()]);
    let attacker_facts = stored(&chats, &[a.chat()]);
    // The attacker's session met its own bound; its address never did.
    let burst_events = u64::from(floorwalker::intake::Bounds::default().session_events.burst);
    assert!(attacker_events <= burst_events + 5, "{attacker_events}");
    let crowd_subjects = |f: fn(&SessionSubjects) -> Subject| -> Vec<Subject> {
        crowd.iter().map(|c| f(&c.subjects())).collect()
    };
    let crowd_events_stored = stored(&events, &crowd_subjects(SessionSubjects::events));
    let crowd_facts_stored = stored(&chats, &crowd_subjects(SessionSubjects::chat));
    let rate = |what| {
        report.refused(what, Refusal::SessionRate) + report.refused(what, Refusal::AddressRate)
    };
    assert_eq!(
        rate(What::Events),
        (3 + 1 + FLOOD - attacker_events) + (crowd_events - crowd_events_stored),
        "{report:#?}"
    );
    assert_eq!(
        rate(What::Facts),
        (3 + 1 + FLOOD - attacker_facts) + (crowd_facts - crowd_facts_stored),
        "{report:#?}"
    );
    // Fifty sessions of one address met the address's bound for facts.
    assert!(
        report.refused(What::Facts, Refusal::AddressRate) > 0,
        "{report:#?}"
    );
    // The attacker's own flood met its session's bound for facts.
    let burst_facts = u64::from(floorwalker::intake::Bounds::default().session_facts.burst);
    assert!(
        report.refused(What::Facts, Refusal::SessionRate) >= 3 + 1 + FLOOD - burst_facts - 5,
        "{report:#?}"
    );
    assert_eq!(
        report.refused(What::Connections, Refusal::PayloadTooLarge),
        1
    );
    drop(crowd_clients);
}
