//! The learning service (`floorwalker learn`) against a real server: a
//! visitor's two sessions become two visits in the VISITORS bucket, a
//! resent batch is counted once, and after a restart, or the bucket's
//! loss, what it learns is the same.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_nats::jetstream;
use floorwalker::gate::policy::Role;
use floorwalker::{creds, streams};
use floorwalker_shared::chat::{ChatEnvelope, ChatFact};
use floorwalker_shared::event::{Batch, Event, ShopperEvent};
use floorwalker_shared::memory::{FirstPurchase, Memory};
use floorwalker_shared::nats::{ClientOp, ServerOp};
use floorwalker_shared::pages::PageRow;
use floorwalker_shared::subject::SiteId;
use floorwalker_shared::subject::kv::{first_purchase_key, page_key, visitor_key};
use floorwalker_shared::wire::encode_batch;
use floorwalker_tests::clients::{connect_shopper, new_shopper};
use floorwalker_tests::raw::{RawClient, Ws};
use floorwalker_tests::server::TestServer;
use floorwalker_tests::setup::create_streams;
use floorwalker_tests::wait_until;

const SEEN: Duration = Duration::from_secs(30);
const VISITOR: &str = "visitor-learn-1";

fn now_ms() -> u64 {
    u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

fn batch(seq: u64, kinds: Vec<ShopperEvent>) -> Vec<u8> {
    let at_ms = now_ms();
    let mut batch = Batch::new(
        seq,
        "EUR",
        kinds
            .into_iter()
            .map(|kind| Event { at_ms, kind })
            .collect(),
    );
    batch.visitor = Some(VISITOR.into());
    encode_batch(&batch)
}

fn page(path: &str) -> ShopperEvent {
    ShopperEvent::PageView {
        path: path.into(),
        title: "t".into(),
        referrer: None,
        utm: None,
    }
}

fn publish(
    client: &mut RawClient<Ws>,
    subject: floorwalker_shared::subject::Subject,
    payload: Vec<u8>,
) {
    client
        .send(&[ClientOp::Pub {
            subject,
            reply: None,
            headers: None,
            payload,
        }])
        .unwrap();
    // A round trip: the server has taken it in.
    client.send(&[ClientOp::Ping]).unwrap();
    while !matches!(client.next(SEEN).unwrap(), ServerOp::Pong) {}
}

/// What the buckets hold for the test's visitor and site.
async fn learned(
    js: &jetstream::Context,
) -> (Option<Memory>, Option<FirstPurchase>, Option<PageRow>) {
    let site = SiteId::new("shop").unwrap();
    let visitors = js.get_key_value(streams::VISITORS).await.unwrap();
    let insights = js.get_key_value(streams::INSIGHTS).await.unwrap();
    let memory = visitors
        .get(visitor_key(&site, VISITOR))
        .await
        .unwrap()
        .map(|v| serde_json::from_slice(&v).unwrap());
    let first = insights
        .get(first_purchase_key(&site))
        .await
        .unwrap()
        .map(|v| serde_json::from_slice(&v).unwrap());
    let product = insights
        .get(page_key(&site, "/product/:id"))
        .await
        .unwrap()
        .map(|v| serde_json::from_slice(&v).unwrap());
    (memory, first, product)
}

#[test]
fn two_sessions_are_two_visits_once_and_a_restart_or_a_lost_bucket_learns_the_same() {
    let server = TestServer::start();
    create_streams(&server);
    let learn = server.start_learn(&[]);

    let first = new_shopper("shop");
    let mut page1 = connect_shopper(&server, &first).unwrap();
    let s1 = first.subjects();
    publish(
        &mut page1,
        s1.events(),
        batch(0, vec![page("/"), page("/product/7")]),
    );
    let second = new_shopper("shop");
    let mut page2 = connect_shopper(&server, &second).unwrap();
    let s2 = second.subjects();
    publish(&mut page2, s2.events(), batch(0, vec![page("/product/7")]));
    publish(
        &mut page2,
        s2.events(),
        batch(
            1,
            vec![ShopperEvent::OrderCompleted {
                order_id: "o-1".into(),
                total_minor: 8_900,
                tax_minor: None,
                shipping_minor: None,
                items: vec![],
            }],
        ),
    );
    let request = ChatFact::Request {
        chat_id: "chat-learn-1".into(),
        offer_id: None,
    };
    publish(&mut page2, s2.chat(), ChatEnvelope::new(request).encode());

    let url = server.server().client_url();
    let admin = server.creds(Role::Admin);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = runtime
        .block_on(creds::connect(&admin, &url, "learn-test", None))
        .unwrap();
    let js = runtime.block_on(async { jetstream::new(client) });
    let settled = |what: &str| {
        wait_until(SEEN, || {
            let (memory, first, product) = runtime.block_on(learned(&js));
            let (memory, first, product) = (memory?, first?, product?);
            (memory.visits.len() == 2 && memory.chats.len() == 1 && product.asked == 1)
                .then_some((memory, first, product))
        })
        .unwrap_or_else(|| panic!("{what}: {:?}", runtime.block_on(learned(&js))))
    };
    let (memory, first_purchase, product) = settled("two visits and a chat");
    // Both sessions saw a product page; one asked for help there.
    assert_eq!((product.sessions, product.asked), (2, 1), "{product:?}");
    assert_eq!(memory.visits[0].session, s1.token().as_str());
    assert_eq!(memory.visits[0].pages, 2);
    assert_eq!(
        memory.visits[1].order.as_ref().map(|o| o.total_minor),
        Some(8_900)
    );
    assert_eq!(memory.chats[0].session, s2.token().as_str());
    assert_eq!(memory.visits_to_first_order(), Some(2));
    assert_eq!(first_purchase.median(), Some(2));

    // The first page resends its batch: still two visits, the same.
    publish(
        &mut page1,
        s1.events(),
        batch(0, vec![page("/"), page("/product/7")]),
    );
    let out = learn.stop();
    assert!(out.contains("learn: stopped"), "{out}");
    assert_eq!(runtime.block_on(learned(&js)).0.as_ref(), Some(&memory));

    // A restart reads the streams again: nothing changes.
    let learn = server.start_learn(&[]);
    assert_eq!(
        runtime.block_on(learned(&js)),
        (
            Some(memory.clone()),
            Some(first_purchase.clone()),
            Some(product.clone())
        )
    );
    drop(learn);

    // The buckets are lost: the streams rebuild them.
    runtime.block_on(async {
        for bucket in [streams::VISITORS_STREAM, streams::INSIGHTS_STREAM] {
            js.get_stream(bucket).await.unwrap().purge().await.unwrap();
        }
    });
    assert_eq!(runtime.block_on(learned(&js)), (None, None, None));
    let _learn = server.start_learn(&[]);
    assert_eq!(settled("rebuilt"), (memory, first_purchase, product));
}
