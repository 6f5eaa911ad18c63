//! Chats: shoppers' chat facts stored once in JetStream through the gate.

use std::time::Duration;

use bytes::Bytes;
use floorwalker_shared::chat::{ChatEnvelope, ChatFact};
use floorwalker_shared::nats::{ClientOp, HeaderMap, ServerOp};
use floorwalker_tests::clients::{connect_shopper, new_shopper};
use floorwalker_tests::server::TestServer;
use floorwalker_tests::setup::create_streams;

const WAIT: Duration = Duration::from_secs(5);

/// A shopper's chat fact, published as the plugin does (a JetStream
/// publish: message id header, reply in its own inbox), is acknowledged by
/// the stream; the same fact sent again is acknowledged as a duplicate, so
/// a retry stores nothing twice.
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
    let mut headers = HeaderMap::new();
    headers
        .append("Nats-Msg-Id", format!("{}-{}", s.token(), fact.dedupe_id()))
        .unwrap();
    let payload = Bytes::from(ChatEnvelope::new(fact).encode());
    let mut acks = Vec::new();
    for attempt in 0..2 {
        let reply = s.inbox(&format!("a{attempt}")).unwrap();
        shopper
            .send(&[ClientOp::Pub {
                subject: s.chat(),
                reply: Some(reply.clone()),
                headers: Some(headers.clone()),
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
        acks.push(ack);
    }
    assert_eq!(acks[0]["stream"], "AUDIT", "{}", acks[0]);
    assert_eq!(acks[0].get("duplicate"), None, "{}", acks[0]);
    assert_eq!(acks[1]["seq"], acks[0]["seq"], "{}", acks[1]);
    assert_eq!(acks[1]["duplicate"], true, "{}", acks[1]);
}
