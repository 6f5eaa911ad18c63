//! The one stream reader every screen and service folds from
//! (`floorwalker::feed`): history, then live, and across a server that goes
//! away and comes back, every message once and in order.

use std::time::Duration;

use async_nats::jetstream;
use floorwalker::feed::{self, Feed, Source};
use floorwalker::gate::policy::Role;
use floorwalker::{creds, record, streams};
use floorwalker_shared::chat::{DeskEnvelope, DeskFact};
use floorwalker_tests::server::TestServer;
use floorwalker_tests::setup::create_streams;
use tokio::sync::mpsc;

const SEEN: Duration = Duration::from_secs(30);

fn status(capacity: u8) -> DeskFact {
    DeskFact::Status {
        available: true,
        capacity,
    }
}

/// The capacities of the status facts the feed hands over until `want` of
/// them came (history's end is noted too).
async fn capacities(rx: &mut mpsc::Receiver<Feed>, want: usize) -> (Vec<u8>, Vec<Feed>) {
    let (mut got, mut other) = (Vec::new(), Vec::new());
    while got.len() < want {
        let next = tokio::time::timeout(SEEN, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("the feed stopped after {got:?} and {other:?}"))
            .expect("the feed ended");
        match next {
            Feed::Message(m) => match DeskEnvelope::decode(&m.payload).unwrap().fact {
                DeskFact::Status { capacity, .. } => got.push(capacity),
                fact => panic!("not a status: {fact:?}"),
            },
            other_report => other.push(other_report),
        }
    }
    (got, other)
}

#[test]
fn the_feed_hands_over_every_message_once_across_a_server_restart() {
    let mut server = TestServer::start();
    create_streams(&server);
    let url = server.server().client_url();
    let agent = server.creds(Role::Agent);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (client, mut rx, task) = runtime.block_on(async {
        let client = creds::connect(&agent, &url, "feed-test", None)
            .await
            .unwrap();
        let js = jetstream::new(client.clone());
        for capacity in 1..=3 {
            record::record(&js, &agent.user, &status(capacity))
                .await
                .unwrap();
        }
        let (task, mut rx) = feed::spawn(&client, Source::new(streams::AUDIT, feed::CHATS_SINCE));
        let (history, reports) = capacities(&mut rx, 3).await;
        assert_eq!(history, [1, 2, 3]);
        // History's end comes once all of it is handed over.
        let caught_up = tokio::time::timeout(SEEN, rx.recv()).await.unwrap();
        assert!(
            matches!(caught_up, Some(Feed::CaughtUp { read: 3 })),
            "{caught_up:?} after {reports:?}"
        );
        (client, rx, task)
    });

    server.stop_server();
    server.start_server();

    runtime.block_on(async {
        let js = jetstream::new(client.clone());
        for capacity in 4..=5 {
            // Retried until the server is back and stores it.
            record::record(&js, &agent.user, &status(capacity))
                .await
                .unwrap();
        }
        let (live, _) = capacities(&mut rx, 2).await;
        assert_eq!(live, [4, 5], "nothing twice, nothing skipped");
        // And nothing more: no message from before handed over again.
        let more = tokio::time::timeout(Duration::from_millis(500), async {
            loop {
                match rx.recv().await {
                    Some(Feed::Message(m)) => return m,
                    Some(_) => {}
                    None => std::future::pending().await,
                }
            }
        })
        .await;
        assert!(more.is_err(), "handed over again: {more:?}");
        drop(task);
    });
}
