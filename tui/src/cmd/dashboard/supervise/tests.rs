//! The desk view's keys, as message sequences through `App::update`.

use floorwalker_shared::chat::DeskFact;
use floorwalker_shared::floor::FloorConfig;
use floorwalker_shared::testing::{self, SEC, T0, session};
use pretty_assertions::assert_eq;

use super::{Caution, DeskMode, Pick};
use crate::cmd::dashboard::app::App;
use crate::cmd::dashboard::app::tests::audit;
use crate::cmd::dashboard::keymap::{self, Action};
use crate::cmd::dashboard::msg::{Effect, Msg};

fn op(app: &mut App, user: &str, fact: DeskFact, secs: u64) {
    app.update(audit(testing::desk_message(user, fact), T0 + secs * SEC));
}

fn status(app: &mut App, user: &str, available: bool, capacity: u8) {
    let fact = DeskFact::Status {
        available,
        capacity,
    };
    op(app, user, fact, 0);
}

fn asks_and_is_claimed(app: &mut App, n: u32, chat: &str, by: &str, secs: u64) {
    let request = testing::chat_message(&session(n), testing::request(chat));
    app.update(audit(request, T0 + secs * SEC));
    let claim = DeskFact::Claim {
        chat_id: chat.to_owned(),
    };
    op(app, by, claim, secs + 1);
}

/// The floor the issue saw: ana (1 chat at once) and bo (1) each hold a
/// chat, cleo has room for two, dee is away; supervisor sam has the desk
/// open on ana's chat.
pub(crate) fn full_and_free() -> App {
    let mut app = App::new("sam", Vec::new(), FloorConfig::default(), "n0nce", T0);
    status(&mut app, "ana", true, 1);
    status(&mut app, "bo", true, 1);
    status(&mut app, "cleo", true, 2);
    status(&mut app, "dee", false, 2);
    asks_and_is_claimed(&mut app, 1, "chat-ana-1", "ana", 10);
    asks_and_is_claimed(&mut app, 2, "chat-bo-22", "bo", 20);
    app.update(Msg::Tick {
        now_ms: T0 + 60 * SEC,
    });
    press(&mut app, Action::Desk);
    assert_eq!(app.supervise.selected.as_deref(), Some("chat-ana-1"));
    app
}

pub(crate) fn press(app: &mut App, action: Action) -> Vec<Effect> {
    app.update(Msg::Press(keymap::press(action)))
}

fn pick(app: &App) -> Pick {
    match app.desk_mode() {
        Some(DeskMode::Reassign(pick)) => pick.clone(),
        other => panic!("the reassign dialog is not open: {other:?}"),
    }
}

#[test]
fn the_picker_starts_on_the_agent_with_room_and_refuses_a_full_one_until_confirmed() {
    let mut app = full_and_free();
    press(&mut app, Action::Reassign);
    assert_eq!(
        pick(&app).cursor.as_deref(),
        Some("cleo"),
        "the free agent, not the queue nor a full one"
    );
    // Up from cleo is bo, who holds 1 of 1.
    press(&mut app, Action::Up);
    assert_eq!(pick(&app).cursor.as_deref(), Some("bo"));
    assert_eq!(press(&mut app, Action::Open), [], "not given on one Enter");
    assert_eq!(
        pick(&app).confirming,
        Some(Caution::Full {
            held: 1,
            capacity: 1
        })
    );
    // Esc steps back from the question, not out of the dialog.
    assert_eq!(press(&mut app, Action::Back), []);
    assert_eq!(pick(&app).confirming, None);
    press(&mut app, Action::Open);
    assert_eq!(
        press(&mut app, Action::Open),
        [Effect::Record(DeskFact::Reassign {
            chat_id: "chat-ana-1".to_owned(),
            to: Some("bo".to_owned())
        })],
        "the second Enter gives it anyway"
    );
    assert_eq!(app.desk_mode(), Some(&DeskMode::Browse));
}

#[test]
fn an_agent_with_room_takes_the_chat_on_one_enter_and_an_away_one_asks() {
    let mut app = full_and_free();
    press(&mut app, Action::Reassign);
    assert_eq!(
        press(&mut app, Action::Open),
        [Effect::Record(DeskFact::Reassign {
            chat_id: "chat-ana-1".to_owned(),
            to: Some("cleo".to_owned())
        })]
    );
    press(&mut app, Action::Reassign);
    press(&mut app, Action::Down);
    assert_eq!(pick(&app).cursor.as_deref(), Some("dee"));
    assert_eq!(press(&mut app, Action::Open), []);
    assert_eq!(pick(&app).confirming, Some(Caution::Away));
    // Moving on forgets the question.
    press(&mut app, Action::Up);
    assert_eq!(pick(&app).confirming, None);
}

#[test]
fn the_picker_keeps_its_chat_and_its_agent_while_the_desk_changes() {
    let mut app = full_and_free();
    press(&mut app, Action::Reassign);
    press(&mut app, Action::Up);
    // Meanwhile a new agent arrives whose name sorts first: the cursor
    // still names bo.
    status(&mut app, "abe", true, 3);
    assert_eq!(pick(&app).cursor.as_deref(), Some("bo"));
    // bo's chat ends: bo has room now, so one Enter gives it.
    op(
        &mut app,
        "bo",
        DeskFact::End {
            chat_id: "chat-bo-22".to_owned(),
        },
        70,
    );
    assert_eq!(
        press(&mut app, Action::Open),
        [Effect::Record(DeskFact::Reassign {
            chat_id: "chat-ana-1".to_owned(),
            to: Some("bo".to_owned())
        })]
    );
    // A chat that ends while the dialog is open is not reassigned.
    press(&mut app, Action::Reassign);
    op(
        &mut app,
        "ana",
        DeskFact::End {
            chat_id: "chat-ana-1".to_owned(),
        },
        80,
    );
    assert_eq!(press(&mut app, Action::Open), []);
    assert_eq!(
        app.notice.as_ref().map(|n| n.text.as_str()),
        Some(crate::cmd::dashboard::strings::REASSIGN_CLOSED)
    );
}

#[test]
fn a_paste_into_a_whisper_is_one_line_of_it() {
    let mut app = full_and_free();
    press(&mut app, Action::Whisper);
    app.update(Msg::Paste("Offer free\nreturns\t\u{1b}[2J".to_owned()));
    assert_eq!(
        app.desk_mode(),
        Some(&DeskMode::Typing(
            super::Say::Whisper,
            "Offer free returns [2J".to_owned()
        ))
    );
    // Outside a text field a paste does nothing.
    press(&mut app, Action::Back);
    app.update(Msg::Paste("q".to_owned()));
    assert_eq!(app.desk_mode(), Some(&DeskMode::Browse));
}
