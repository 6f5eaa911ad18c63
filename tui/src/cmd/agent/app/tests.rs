use floorwalker::feed::Stored;
use floorwalker_shared::chat::ChatFact;
use floorwalker_shared::testing::{self, SEC, T0, session};

use super::*;

/// A fact as the `AUDIT` feed hands it over, `secs` after T0.
fn stored((subject, payload): (floorwalker_shared::subject::Subject, Vec<u8>), secs: u64) -> Msg {
    Msg::Audit(Feed::Message(Stored {
        subject,
        payload: payload.into(),
        at_ms: T0 + secs * SEC,
    }))
}

fn stored_op(user: &str, fact: DeskFact, secs: u64) -> Msg {
    stored(testing::desk_message(user, fact), secs)
}

fn stored_shopper(n: u32, fact: ChatFact, secs: u64) -> Msg {
    stored(testing::chat_message(&session(n), fact), secs)
}

fn request(n: u32, chat: &str, secs: u64) -> Msg {
    stored_shopper(n, testing::request(chat), secs)
}

/// A console whose agent is online, with `ana`'s status in the stream.
fn console() -> Console {
    let mut c = Console::new("ana", true, 2, "run1", T0);
    c.update(Msg::Audit(Feed::CaughtUp { read: 0 }));
    let status = c.status();
    c.update(stored_op("ana", status, 0));
    c
}

#[test]
fn n_claims_the_head_of_the_queue_and_opens_the_reply_field_once_it_is_ours() {
    let mut c = console();
    assert_eq!(
        c.update(Msg::Press(crate::cmd::agent::keymap::press(Key::Claim))),
        []
    );
    assert_eq!(c.notice.as_ref().unwrap().text, "Nobody is waiting.");
    c.update(request(1, "c1", 1));
    c.update(request(2, "c2", 2));
    assert_eq!(
        c.update(Msg::Press(crate::cmd::agent::keymap::press(Key::Claim))),
        [Effect::Record(DeskFact::Claim {
            chat_id: "c1".into()
        })]
    );
    assert_eq!(c.typing(), None, "not ours until the stream says so");
    c.update(stored_op(
        "ana",
        DeskFact::Claim {
            chat_id: "c1".into(),
        },
        3,
    ));
    assert_eq!(c.selected, Some(Item::Mine("c1".into())));
    assert_eq!(c.typing(), Some(""));
    for ch in "Hi!".chars() {
        c.update(Msg::Press(crate::cmd::agent::keymap::press(Key::Char(ch))));
    }
    assert_eq!(
        c.update(Msg::Press(crate::cmd::agent::keymap::press(Key::Enter))),
        [Effect::Record(DeskFact::Message {
            chat_id: "c1".into(),
            msg_id: "run1-1".into(),
            text: "Hi!".into()
        })]
    );
    assert_eq!(c.typing(), Some(""), "ready for the next line");
    assert_eq!(
        c.update(Msg::Press(crate::cmd::agent::keymap::press(Key::Enter))),
        [],
        "nothing to send"
    );
}

#[test]
fn a_claim_lost_to_another_agent_says_so() {
    let mut c = console();
    c.update(stored_op(
        "bo",
        DeskFact::Status {
            available: true,
            capacity: 1,
        },
        0,
    ));
    c.update(request(1, "c1", 1));
    c.update(stored_op(
        "bo",
        DeskFact::Claim {
            chat_id: "c1".into(),
        },
        2,
    ));
    c.update(stored_op(
        "ana",
        DeskFact::Claim {
            chat_id: "c1".into(),
        },
        2,
    ));
    assert!(
        c.notice
            .as_ref()
            .unwrap()
            .text
            .contains("took that chat first"),
        "{:?}",
        c.notice
    );
    assert_eq!(c.typing(), None);
}

#[test]
fn away_or_full_agents_are_told_why_they_cannot_claim() {
    let mut c = console();
    c.update(request(1, "c1", 1));
    assert_eq!(
        c.update(Msg::Press(crate::cmd::agent::keymap::press(Key::Toggle))),
        [Effect::Record(DeskFact::Status {
            available: false,
            capacity: 2
        })]
    );
    let away = c.status();
    c.update(stored_op("ana", away, 2));
    assert_eq!(
        c.update(Msg::Press(crate::cmd::agent::keymap::press(Key::Claim))),
        []
    );
    assert!(
        c.notice.as_ref().unwrap().text.contains("away"),
        "{:?}",
        c.notice
    );
    assert_eq!(
        c.update(Msg::Press(crate::cmd::agent::keymap::press(Key::Fewer))),
        [Effect::Record(DeskFact::Status {
            available: false,
            capacity: 1
        })]
    );
    assert_eq!(
        c.update(Msg::Press(crate::cmd::agent::keymap::press(Key::Fewer))),
        [],
        "at least one chat"
    );
}

#[test]
fn the_list_holds_my_chats_then_the_queue_then_incidents() {
    let mut c = console();
    c.update(request(1, "c1", 1));
    c.update(request(2, "c2", 2));
    c.update(stored_op(
        "ana",
        DeskFact::Claim {
            chat_id: "c2".into(),
        },
        3,
    ));
    c.update(stored_op(
        "ana",
        DeskFact::End {
            chat_id: "c2".into(),
        },
        4,
    ));
    c.update(stored_shopper(
        2,
        ChatFact::Survey {
            chat_id: "c2".into(),
            helped: false,
            comment: None,
        },
        5,
    ));
    c.update(stored_op(
        "router",
        DeskFact::Incident {
            chat_id: "c2".into(),
            journey: vec![],
        },
        6,
    ));
    c.update(request(3, "c3", 7));
    c.update(stored_op(
        "ana",
        DeskFact::Claim {
            chat_id: "c3".into(),
        },
        8,
    ));
    assert_eq!(
        c.items(),
        [
            Item::Mine("c3".into()),
            Item::Waiting("c1".into()),
            Item::Incident("c2".into())
        ]
    );
    c.update(Msg::Press(crate::cmd::agent::keymap::press(Key::Back)));
    c.update(Msg::Press(crate::cmd::agent::keymap::press(Key::Down)));
    c.update(Msg::Press(crate::cmd::agent::keymap::press(Key::Down)));
    assert_eq!(c.selected, Some(Item::Incident("c2".into())));
    assert_eq!(
        c.update(Msg::Press(crate::cmd::agent::keymap::press(Key::Take))),
        [Effect::Record(DeskFact::Take {
            chat_id: "c2".into()
        })]
    );
}
