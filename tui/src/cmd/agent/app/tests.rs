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

fn press(c: &mut Console, key: Key) -> Vec<Effect> {
    c.update(Msg::Press(crate::cmd::agent::keymap::press(key)))
}

fn notice(c: &Console) -> &str {
    c.notice.as_ref().map_or("", |n| n.text.as_str())
}

/// An incident about chat `c9`, which `taker` took (if any); the console
/// has it selected.
fn incident_taken_by(taker: Option<&str>) -> Console {
    let mut c = console();
    c.update(request(9, "c9", 1));
    c.update(stored_op(
        "ana",
        DeskFact::Claim {
            chat_id: "c9".into(),
        },
        2,
    ));
    c.update(stored_op(
        "ana",
        DeskFact::End {
            chat_id: "c9".into(),
        },
        3,
    ));
    let no = ChatFact::Survey {
        chat_id: "c9".into(),
        helped: false,
        comment: None,
    };
    c.update(stored_shopper(9, no, 4));
    let opened = DeskFact::Incident {
        chat_id: "c9".into(),
        journey: vec![],
    };
    c.update(stored_op("router", opened, 5));
    if let Some(taker) = taker {
        c.update(stored_op(
            "ben",
            DeskFact::Status {
                available: true,
                capacity: 1,
            },
            5,
        ));
        let take = DeskFact::Take {
            chat_id: "c9".into(),
        };
        c.update(stored_op(taker, take, 6));
    }
    assert_eq!(c.selected, Some(Item::Incident("c9".into())));
    c
}

#[test]
fn t_on_an_incident_someone_else_took_says_who_has_it() {
    let mut c = incident_taken_by(Some("ben"));
    assert_eq!(
        press(&mut c, Key::Take),
        [],
        "nothing the desk would refuse"
    );
    assert_eq!(notice(&c), "Taken by ben: only they can resolve it.");
    c.notice = None;
    assert_eq!(press(&mut c, Key::Resolve), []);
    assert!(notice(&c).contains("Taken by ben"), "{}", notice(&c));

    let mut mine = incident_taken_by(Some("ana"));
    assert_eq!(press(&mut mine, Key::Take), []);
    assert!(notice(&mine).contains("r resolves it"), "{}", notice(&mine));
    assert_eq!(
        press(&mut mine, Key::Resolve),
        [Effect::Record(DeskFact::Resolve {
            chat_id: "c9".into()
        })]
    );

    let mut untaken = incident_taken_by(None);
    assert_eq!(press(&mut untaken, Key::Resolve), []);
    assert!(
        notice(&untaken).contains("t takes it"),
        "{}",
        notice(&untaken)
    );
}

#[test]
fn a_take_that_ben_won_first_in_the_stream_says_so() {
    let mut c = incident_taken_by(None);
    assert_eq!(
        press(&mut c, Key::Take),
        [Effect::Record(DeskFact::Take {
            chat_id: "c9".into()
        })]
    );
    c.update(stored_op(
        "ben",
        DeskFact::Take {
            chat_id: "c9".into(),
        },
        7,
    ));
    c.update(stored_op(
        "ana",
        DeskFact::Take {
            chat_id: "c9".into(),
        },
        7,
    ));
    assert_eq!(notice(&c), "ben took that incident first.");
}

/// Ana holds chat `c1`, selected.
fn holding_a_chat() -> Console {
    let mut c = console();
    c.update(request(1, "c1", 1));
    c.update(stored_op(
        "ana",
        DeskFact::Claim {
            chat_id: "c1".into(),
        },
        2,
    ));
    press(&mut c, Key::Back);
    assert_eq!(c.selected, Some(Item::Mine("c1".into())));
    c
}

#[test]
fn e_asks_before_ending_and_only_y_or_enter_ends() {
    let end = [Effect::Record(DeskFact::End {
        chat_id: "c1".into(),
    })];
    let mut c = holding_a_chat();
    assert_eq!(press(&mut c, Key::End), [], "not at once");
    assert_eq!(c.ending(), Some("c1"));
    // Anything else keeps the chat: n, Esc, another e.
    for no in [Key::Char('n'), Key::Back, Key::End] {
        assert_eq!(press(&mut c, no), [], "{no:?}");
        assert_eq!(c.ending(), None);
        assert_eq!(notice(&c), "Kept the chat.");
        press(&mut c, Key::End);
    }
    assert_eq!(press(&mut c, Key::Char('y')), end);
    press(&mut c, Key::End);
    assert_eq!(press(&mut c, Key::Enter), end);
    assert_eq!(c.ending(), None);

    // Moved away by a supervisor while the question is asked: not ended.
    press(&mut c, Key::End);
    c.update(stored_op(
        "bo",
        DeskFact::Status {
            available: true,
            capacity: 1,
        },
        3,
    ));
    let moved = DeskFact::Reassign {
        chat_id: "c1".into(),
        to: Some("bo".into()),
    };
    c.update(stored_op("sam", moved, 4));
    assert_eq!(notice(&c), "sam moved your chat c1 to bo.");
    assert_eq!(c.ending(), None, "the question is withdrawn");
    assert_eq!(press(&mut c, Key::Char('y')), []);
    let back = DeskFact::Reassign {
        chat_id: "c1".into(),
        to: Some("ana".into()),
    };
    c.update(stored_op("sam", back, 5));
    assert_eq!(notice(&c), "sam gave you chat c1.");
}

#[test]
fn a_paste_of_several_kb_arrives_whole_as_one_draft() {
    let mut c = holding_a_chat();
    press(&mut c, Key::Enter);
    press(&mut c, Key::Char('>'));
    // 3.5 KB over many lines: a line break is a space, never Enter.
    let line = "Our returns are free within 30 days, label in the box.\n";
    let pasted = line.repeat(64);
    assert!(pasted.len() > 3_000);
    assert_eq!(c.update(Msg::Paste(pasted.clone())), [], "nothing sent");
    let draft = c.typing().unwrap().to_owned();
    assert_eq!(draft, format!(">{}", pasted.replace('\n', " ")));
    // And the keys still work: Enter sends it as one message.
    match &press(&mut c, Key::Enter)[..] {
        [Effect::Record(DeskFact::Message { text, .. })] => assert_eq!(*text, draft),
        other => panic!("{other:?}"),
    }
    assert_eq!(c.typing(), Some(""));
}

#[test]
fn a_paste_opens_the_reply_to_my_chat_and_is_cut_where_a_message_ends() {
    let mut c = holding_a_chat();
    assert_eq!(c.typing(), None);
    c.update(Msg::Paste("x".repeat(MAX_REPLY + 10)));
    assert_eq!(c.typing().map(str::len), Some(MAX_REPLY));
    assert!(
        notice(&c).contains("the last 10 characters"),
        "{}",
        notice(&c)
    );
    // Nowhere to put it: said, not lost silently.
    let mut waiting = console();
    waiting.update(request(1, "c1", 1));
    waiting.update(Msg::Paste("hello".into()));
    assert_eq!(waiting.typing(), None);
    assert!(
        notice(&waiting).contains("then paste"),
        "{}",
        notice(&waiting)
    );
}
