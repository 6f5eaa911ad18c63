use floorwalker_shared::chat::{ChatFact, DeskFact};
use floorwalker_shared::event::{ShopperEvent, Utm};
use floorwalker_shared::floor::FloorConfig;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use floorwalker::feed::Feed;

use super::*;
use crate::cmd::dashboard::app::tests::{audit, batch};
use crate::cmd::dashboard::keymap::Action;
use crate::cmd::dashboard::msg::{Effect, Msg, OfferRecord};
use floorwalker_shared::testing::{self, T0, cart_add as cart, page_titled as page, session};

const PLAIN: Theme = Theme { color: false };

/// A floor with a few shoppers in different situations, four minutes in.
fn scene() -> App {
    let mut app = App::new(
        "sam",
        vec![
            "Can I help you choose a size?".to_owned(),
            "Free shipping if you order today.".to_owned(),
        ],
        FloorConfig::default(),
        "n0nce",
        T0,
    );
    let landing = ShopperEvent::PageView {
        path: "/".to_owned(),
        title: "Home".to_owned(),
        referrer: Some("https://www.google.com/search?q=trail+shoes".to_owned()),
        utm: None,
    };
    app.update(batch(
        1,
        0,
        T0,
        vec![landing, page("/trail-runner", "Trail Runner"), cart(12_900)],
    ));
    let campaign = ShopperEvent::PageView {
        path: "/".to_owned(),
        title: "Home".to_owned(),
        referrer: None,
        utm: Some(Utm {
            source: Some("newsletter".to_owned()),
            medium: Some("email".to_owned()),
            campaign: Some("spring".to_owned()),
        }),
    };
    let checkout = ShopperEvent::CheckoutStep {
        step: 2,
        name: "add_shipping_info".to_owned(),
    };
    app.update(batch(
        2,
        0,
        T0 + 60_000,
        vec![campaign, cart(4_900), checkout, ShopperEvent::ExitIntent],
    ));
    let toggling = ShopperEvent::ProductToggling {
        first_sku: "trail-runner".to_owned(),
        second_sku: "road-racer".to_owned(),
    };
    app.update(batch(
        3,
        0,
        T0 + 120_000,
        vec![page("/road-racer", "Road Racer"), toggling],
    ));
    app.update(Msg::OfferDone(Ok(OfferRecord {
        site: "shoes".to_owned(),
        token: session(3).token().as_str().to_owned(),
        offer_id: "of-1".to_owned(),
        text: "Can I help you choose a size?".to_owned(),
        by: "kim".to_owned(),
        sent_ms: T0 + 180_000,
    })));
    // The desk: ana answers shopper 1; a shopper whose events are older
    // than the floor remembers waits.
    let status = DeskFact::Status {
        available: true,
        capacity: 2,
    };
    operator(&mut app, "ana", status, T0);
    asks(&mut app, 1, "chat-one-1234", T0 + 100_000);
    asks(&mut app, 4, "chat-two-5678", T0 + 200_000);
    let claim = DeskFact::Claim {
        chat_id: "chat-one-1234".to_owned(),
    };
    operator(&mut app, "ana", claim, T0 + 110_000);
    let hostile = ChatFact::Message {
        chat_id: "chat-one-1234".to_owned(),
        msg_id: "m1".to_owned(),
        text: "Which size?\u{1b}[2J\u{202e}".to_owned(),
    };
    shopper(&mut app, 1, hostile, T0 + 120_000);
    let answer = DeskFact::Message {
        chat_id: "chat-one-1234".to_owned(),
        msg_id: "a1".to_owned(),
        text: "They run small: take a half size up.".to_owned(),
    };
    operator(&mut app, "ana", answer, T0 + 130_000);
    app.update(Msg::Events(Feed::CaughtUp { read: 3 }));
    app.update(Msg::Tick {
        now_ms: T0 + 240_000,
    });
    app
}

fn operator(app: &mut App, user: &str, fact: DeskFact, at_ms: u64) {
    app.update(audit(testing::desk_message(user, fact), at_ms));
}

fn shopper(app: &mut App, n: u32, fact: ChatFact, at_ms: u64) {
    app.update(audit(testing::chat_message(&session(n), fact), at_ms));
}

fn asks(app: &mut App, n: u32, chat: &str, at_ms: u64) {
    shopper(app, n, testing::request(chat), at_ms);
}

fn render(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| draw(f, app, PLAIN)).unwrap();
    terminal
}

#[test]
fn the_floor_at_80_by_24() {
    let mut app = scene();
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Down,
    )));
    insta::assert_snapshot!(render(&app, 80, 24).backend());
}

#[test]
fn a_journey_beside_the_table_on_a_wide_terminal() {
    let mut app = scene();
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Down,
    )));
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Down,
    )));
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Open,
    )));
    insta::assert_snapshot!(render(&app, 132, 30).backend());
}

#[test]
fn a_journey_in_place_of_the_table_at_80_by_24() {
    let mut app = scene();
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Down,
    )));
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Open,
    )));
    insta::assert_snapshot!(render(&app, 80, 24).backend());
}

#[test]
fn help_and_the_offer_dialog_draw_over_the_floor() {
    let mut app = scene();
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Help,
    )));
    insta::assert_snapshot!("help", render(&app, 80, 24).backend());
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Back,
    )));
    // The first shopper is in a chat; the second is not.
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Down,
    )));
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Down,
    )));
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Offer,
    )));
    insta::assert_snapshot!("offer", render(&app, 80, 24).backend());
}

#[test]
fn a_lost_connection_shows_a_banner_and_keeps_the_view() {
    let mut app = scene();
    app.update(Msg::Link(floorwalker::creds::Link::Down(
        "connection refused".to_owned(),
    )));
    let terminal = render(&app, 80, 24);
    let screen = terminal.backend().to_string();
    assert!(screen.contains("NATS connection lost"), "{screen}");
    assert!(screen.contains("/trail-runner"), "{screen}");
}

#[test]
fn hostile_shopper_text_reaches_the_screen_inert() {
    let mut app = scene();
    let hostile = ShopperEvent::PageView {
        path: "/x\u{1b}[2J\u{1b}]0;pwned\u{7}".to_owned(),
        title: "\u{202e}gpj.exe\u{1b}[31m".to_owned(),
        referrer: Some("https://evil.example/\u{9b}6n".to_owned()),
        utm: None,
    };
    app.update(batch(9, 0, T0 + 200_000, vec![hostile]));
    app.update(Msg::Tick {
        now_ms: T0 + 240_000,
    });
    // Select the newcomer and open its journey, where the title shows too.
    app.filter.text = "pwned".to_owned();
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Down,
    )));
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Open,
    )));
    for (width, height) in [(80, 24), (132, 30)] {
        let terminal = render(&app, width, height);
        let screen = terminal.backend().to_string();
        assert!(screen.contains("/x[2J]0;pwned"), "{screen}");
        for cell in terminal.backend().buffer().content() {
            assert!(
                !cell
                    .symbol()
                    .chars()
                    .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
                "{:?} reached the screen",
                cell.symbol()
            );
        }
    }
}

#[test]
fn the_desk_view_shows_agents_chats_and_a_transcript_at_80_by_24() {
    let mut app = scene();
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Desk,
    )));
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Down,
    )));
    let terminal = render(&app, 80, 24);
    let screen = terminal.backend().to_string();
    assert!(screen.contains("ana"), "{screen}");
    assert!(screen.contains("They run small"), "{screen}");
    assert!(screen.contains("Which size?[2J"), "inert: {screen}");
    insta::assert_snapshot!("desk", terminal.backend());
    // Whisper to ana: typed, then recorded as a fact of this supervisor.
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Whisper,
    )));
    for c in "offer free returns".chars() {
        app.update(Msg::Press(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char(c),
        )));
    }
    let typing = render(&app, 80, 24).backend().to_string();
    assert!(
        typing.contains("Whisper to the agent: offer free returns"),
        "{typing}"
    );
    let effects = app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Confirm,
    )));
    assert!(
        matches!(&effects[..], [Effect::Record(DeskFact::Whisper { chat_id, text, .. })]
            if chat_id == "chat-one-1234" && text == "offer free returns"),
        "{effects:?}"
    );
    // Reassign: back to the queue is the first choice.
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Reassign,
    )));
    let dialog = render(&app, 80, 24).backend().to_string();
    assert!(dialog.contains("back to the queue"), "{dialog}");
    let effects = app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Confirm,
    )));
    assert_eq!(
        effects,
        [Effect::Record(DeskFact::Reassign {
            chat_id: "chat-one-1234".to_owned(),
            to: None
        })]
    );
}

#[test]
fn any_size_draws_without_panicking() {
    let mut app = scene();
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Down,
    )));
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Open,
    )));
    for (w, h) in [
        (0, 0),
        (1, 1),
        (19, 5),
        (20, 6),
        (40, 10),
        (80, 15),
        (300, 100),
    ] {
        render(&app, w, h);
    }
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Desk,
    )));
    for (w, h) in [(0, 0), (1, 1), (20, 6), (40, 10), (300, 100)] {
        render(&app, w, h);
    }
}

/// The broker says shopper 1 is connected, shopper 2's connection dropped
/// ten seconds ago, and shopper 3's page is closed.
#[test]
fn the_header_the_list_and_the_panels_count_the_same_shoppers_online() {
    use floorwalker::presence::Heard;
    use floorwalker_shared::floor::presence::ConnId;

    let mut app = scene();
    let conn = |cid| ConnId {
        server: "NTEST".to_owned(),
        cid,
    };
    let now = T0 + 240_000;
    app.update(Msg::Presence(Heard::Asking));
    app.update(Msg::Presence(Heard::OpenNow {
        conns: vec![(conn(1), session(1)), (conn(2), session(2))],
        at_ms: now,
    }));
    app.update(Msg::Presence(Heard::Disconnected {
        id: conn(2),
        at_ms: now,
    }));
    app.update(Msg::Tick {
        now_ms: now + 10_000,
    });
    let screen = format!("{:?}", render(&app, 80, 24).backend());
    assert!(screen.contains("2 online"), "the header: {screen}");
    assert!(screen.contains("Shoppers (2)"), "the list: {screen}");
    assert!(screen.contains("2 on"), "the panel: {screen}");
    assert!(screen.contains("reconnecting"), "the state: {screen}");
    assert_eq!(app.figures.reconnecting, 1);

    // Who left is one filter away.
    app.filter.state = Some(floorwalker_shared::session::State::Left);
    let screen = format!("{:?}", render(&app, 80, 24).backend());
    assert!(
        screen.contains("Shoppers (1 of 2 online, left)"),
        "{screen}"
    );
}
