use floorwalker_shared::chat::ChatFact;
use floorwalker_shared::testing::{self, SEC, T0, chat_message, claim, desk_message, session};

use super::*;

/// A router that has read an empty history at T0.
fn live() -> Router {
    let mut router = Router::new(RouterConfig::default(), DeskConfig::default(), T0);
    assert_eq!(router.caught_up(T0), []);
    router
}

fn shopper(router: &mut Router, n: u32, secs: u64, fact: ChatFact) -> Vec<Action> {
    let (subject, payload) = chat_message(&session(n), fact);
    router.stored(&subject, &payload, T0 + secs * SEC)
}

fn op(router: &mut Router, user: &str, secs: u64, fact: DeskFact) -> Vec<Action> {
    let (subject, payload) = desk_message(user, fact);
    router.stored(&subject, &payload, T0 + secs * SEC)
}

fn request(router: &mut Router, n: u32, chat: &str, secs: u64) -> Vec<Action> {
    shopper(router, n, secs, testing::request(chat))
}

fn available(router: &mut Router, agent: &str, secs: u64) {
    op(router, agent, secs, testing::available(2));
    router.presence(agent, T0 + secs * SEC);
}

/// The queue statuses among `actions`: (session number, chat, place).
fn places(actions: &[Action]) -> Vec<(SessionSubjects, u32)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Push(s, Push::QueueStatus { position, .. }) => Some((s.clone(), *position)),
            _ => None,
        })
        .collect()
}

#[test]
fn waiting_shoppers_are_told_their_place_when_it_changes() {
    let mut r = live();
    available(&mut r, "ana", 0);
    request(&mut r, 1, "c1", 1);
    request(&mut r, 2, "c2", 2);
    let told = r.tick(T0 + 3 * SEC);
    assert_eq!(places(&told), [(session(1), 1), (session(2), 2)]);
    assert_eq!(places(&r.tick(T0 + 4 * SEC)), [], "nothing changed");

    let joined = op(&mut r, "ana", 5, claim("c1"));
    assert_eq!(
        joined,
        [Action::Push(
            session(1),
            Push::ChatJoined {
                chat_id: "c1".into(),
                agent_name: "ana".into()
            }
        )]
    );
    assert_eq!(places(&r.tick(T0 + 6 * SEC)), [(session(2), 1)]);
}

#[test]
fn messages_are_delivered_and_an_ended_chat_gets_the_survey() {
    let mut r = live();
    available(&mut r, "ana", 0);
    request(&mut r, 1, "c1", 1);
    op(&mut r, "ana", 2, claim("c1"));
    let said = op(
        &mut r,
        "ana",
        3,
        DeskFact::Message {
            chat_id: "c1".into(),
            msg_id: "a1".into(),
            text: "Hello!".into(),
        },
    );
    assert_eq!(
        said,
        [Action::Push(
            session(1),
            Push::AgentMessage {
                chat_id: "c1".into(),
                agent_name: "ana".into(),
                text: "Hello!".into(),
                from_supervisor: false,
                msg_id: Some("op-a1".into()),
            }
        )]
    );
    let joined = op(
        &mut r,
        "sam",
        4,
        DeskFact::Join {
            chat_id: "c1".into(),
            msg_id: "s1".into(),
            text: "I'm the supervisor".into(),
        },
    );
    assert!(matches!(
        &joined[..],
        [Action::Push(
            _,
            Push::AgentMessage {
                from_supervisor: true,
                ..
            }
        )]
    ));
    let whisper = DeskFact::Whisper {
        chat_id: "c1".into(),
        msg_id: "w1".into(),
        text: "psst".into(),
    };
    assert_eq!(
        op(&mut r, "sam", 5, whisper),
        [],
        "a whisper never reaches the shopper"
    );
    let ended = op(
        &mut r,
        "ana",
        6,
        DeskFact::End {
            chat_id: "c1".into(),
        },
    );
    assert_eq!(
        ended,
        [Action::Push(
            session(1),
            Push::SurveyPrompt {
                chat_id: "c1".into(),
                question: SURVEY_QUESTION.into()
            }
        )]
    );
}

#[test]
fn a_no_opens_an_incident_with_the_journey() {
    let mut r = live();
    let page = testing::page_titled("/shoes/trail", "Trail");
    r.batch(
        &session(1).events(),
        &testing::payload(0, T0, vec![page]),
        T0,
    );
    available(&mut r, "ana", 0);
    request(&mut r, 1, "c1", 1);
    op(&mut r, "ana", 2, claim("c1"));
    op(
        &mut r,
        "ana",
        3,
        DeskFact::End {
            chat_id: "c1".into(),
        },
    );
    let no = ChatFact::Survey {
        chat_id: "c1".into(),
        helped: false,
        comment: Some("too slow".into()),
    };
    let opened = shopper(&mut r, 1, 4, no);
    let [Action::Record(DeskFact::Incident { chat_id, journey })] = &opened[..] else {
        panic!("no incident: {opened:?}");
    };
    assert_eq!(chat_id, "c1");
    assert_eq!(journey.len(), 1);
    assert!(journey[0].contains("/shoes/trail"), "{journey:?}");
}

#[test]
fn a_silent_agent_is_lost_and_a_silent_shopper_gone() {
    let mut r = live();
    available(&mut r, "ana", 0);
    request(&mut r, 1, "c1", 0);
    request(&mut r, 2, "c2", 0);
    op(&mut r, "ana", 1, claim("c1"));
    // Both keep saying they are there for a while.
    for secs in [20, 40, 60] {
        r.presence("ana", T0 + secs * SEC);
        r.here(&session(1), false, T0 + secs * SEC);
        r.here(&session(2), false, T0 + secs * SEC);
    }
    assert!(
        r.tick(T0 + 70 * SEC)
            .iter()
            .all(|a| !matches!(a, Action::Record(_))),
        "nobody is lost yet"
    );
    // Then shopper 2 falls silent, and later ana.
    for secs in [80, 100] {
        r.presence("ana", T0 + secs * SEC);
        r.here(&session(1), false, T0 + secs * SEC);
    }
    let records = |actions: Vec<Action>| -> Vec<DeskFact> {
        actions
            .into_iter()
            .filter_map(|a| match a {
                Action::Record(f) => Some(f),
                Action::Push(..) => None,
            })
            .collect()
    };
    assert_eq!(
        records(r.tick(T0 + 106 * SEC)),
        [DeskFact::Gone {
            chat_id: "c2".into()
        }]
    );
    assert_eq!(records(r.tick(T0 + 107 * SEC)), [], "decided once");
    // The fact comes back through the stream.
    let gone = DeskFact::Gone {
        chat_id: "c2".into(),
    };
    op(&mut r, "router", 107, gone);
    r.here(&session(1), false, T0 + 150 * SEC);
    assert_eq!(
        records(r.tick(T0 + 161 * SEC)),
        [DeskFact::Lost {
            agent: "ana".into()
        }]
    );
}

#[test]
fn history_is_folded_not_acted_on_and_a_reconnecting_page_catches_up() {
    let mut r = Router::new(
        RouterConfig::default(),
        DeskConfig::default(),
        T0 + 100 * SEC,
    );
    available(&mut r, "ana", 0);
    request(&mut r, 1, "c1", 1);
    op(&mut r, "ana", 2, claim("c1"));
    let said = op(
        &mut r,
        "ana",
        3,
        DeskFact::Message {
            chat_id: "c1".into(),
            msg_id: "a1".into(),
            text: "Hello!".into(),
        },
    );
    assert_eq!(said, [], "history is not delivered again");
    assert_eq!(
        r.tick(T0 + 100 * SEC),
        [],
        "nor decided on before it is read"
    );
    r.caught_up(T0 + 100 * SEC);
    let synced = r.here(&session(1), true, T0 + 101 * SEC);
    let [
        Action::Push(_, Push::Transcript { lines, .. }),
        Action::Push(_, Push::ChatJoined { .. }),
    ] = &synced[..]
    else {
        panic!("no catch-up: {synced:?}");
    };
    let texts: Vec<(&Option<String>, &str)> =
        lines.iter().map(|l| (&l.from, l.text.as_str())).collect();
    assert_eq!(texts, [(&Some("ana".to_owned()), "Hello!")]);
    assert_eq!(lines[0].msg_id, "op-a1");
    assert_eq!(
        r.here(&session(1), false, T0 + 110 * SEC),
        [],
        "a plain ping"
    );
}
