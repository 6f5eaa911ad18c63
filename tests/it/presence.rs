// Presence: which shoppers are online, in the broker's own words.

use std::time::Duration;

use floorwalker::gate::policy::Role;
use floorwalker::presence::session_of;
use floorwalker_shared::nats::{ClientOp, ServerErrorKind, ServerOp};
use floorwalker_shared::subject::{self, Subject};
use floorwalker_tests::clients::{connect_operator, connect_shopper, new_shopper};
use floorwalker_tests::raw::{RawClient, Transport};
use floorwalker_tests::server::TestServer;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(5);

fn sub(subject: Subject) -> ClientOp {
    ClientOp::Sub {
        subject,
        queue: None,
        sid: 1,
    }
}

/// The next message's subject and JSON body.
fn next_json<T: Transport>(client: &mut RawClient<T>) -> (String, Value) {
    loop {
        if let ServerOp::Msg(m) = client.next_significant(WAIT).unwrap() {
            return (
                m.subject.to_string(),
                serde_json::from_slice(&m.payload).unwrap(),
            );
        }
    }
}

#[test]
fn operators_hear_each_shopper_connection_open_and_close_by_session() {
    let server = TestServer::start();
    let mut dashboard = connect_operator(&server, Role::Dashboard);
    let rt = dashboard
        .roundtrip(&[sub(subject::shoppers_presence())], WAIT)
        .unwrap();
    assert!(rt.errors.is_empty(), "{:?}", rt.errors);
    let cred = new_shopper("shop");
    let shopper = connect_shopper(&server, &cred).unwrap();

    let (on, connect) = next_json(&mut dashboard);
    assert_eq!(on, subject::shoppers_connect().to_string());
    let user = connect["client"]["user"].as_str().unwrap();
    assert_eq!(session_of(user), Some(cred.subjects()), "{connect}");

    // A reader that starts later asks which are open.
    let answer = dashboard
        .request(
            subject::shoppers_connz(),
            Subject::new("fw.inbox.dashboard.presence").unwrap(),
            br#"{"auth":true}"#,
            WAIT,
        )
        .unwrap();
    let list: Value = serde_json::from_slice(&answer.payload).unwrap();
    let open = list["data"]["connections"].as_array().unwrap();
    assert_eq!(open.len(), 1, "{list}");
    assert_eq!(
        session_of(open[0]["authorized_user"].as_str().unwrap()),
        Some(cred.subjects())
    );
    assert_eq!(open[0]["cid"], connect["client"]["id"]);

    drop(shopper);
    let (on, disconnect) = next_json(&mut dashboard);
    assert_eq!(on, subject::shoppers_disconnect().to_string());
    assert_eq!(disconnect["client"]["id"], connect["client"]["id"]);
}

#[test]
fn shoppers_and_agents_cannot_hear_who_is_online() {
    let server = TestServer::start();
    let mut shopper = connect_shopper(&server, &new_shopper("shop")).unwrap();
    let mut agent = connect_operator(&server, Role::Agent);
    for errors in [
        shopper
            .roundtrip(&[sub(subject::shoppers_presence())], WAIT)
            .unwrap()
            .errors,
        agent
            .roundtrip(&[sub(subject::shoppers_presence())], WAIT)
            .unwrap()
            .errors,
    ] {
        let kinds: Vec<_> = errors
            .iter()
            .map(floorwalker_shared::nats::ServerError::kind)
            .collect();
        assert_eq!(kinds, [ServerErrorKind::PermissionsViolation]);
    }
}
