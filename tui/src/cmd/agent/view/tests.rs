use floorwalker::feed::{Feed, Stored};
use floorwalker_shared::chat::{ChatFact, DeskFact};
use floorwalker_shared::event::{Event, ShopperEvent};
use floorwalker_shared::testing::{self, SEC, T0, session};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::*;
use crate::cmd::agent::app::{Key, Msg};

const PLAIN: Theme = Theme { color: false };

fn stored((subject, payload): (floorwalker_shared::subject::Subject, Vec<u8>), secs: u64) -> Msg {
    Msg::Audit(Feed::Message(Stored {
        subject,
        payload: payload.into(),
        at_ms: T0 + secs * SEC,
    }))
}

fn op(c: &mut Console, user: &str, fact: DeskFact, secs: u64) {
    c.update(stored(testing::desk_message(user, fact), secs));
}

fn shopper(c: &mut Console, n: u32, fact: ChatFact, secs: u64) {
    c.update(stored(testing::chat_message(&session(n), fact), secs));
}

/// Ana holds a chat with a shopper who came from a newsletter with a
/// trail shoe in the cart; another shopper waits.
fn console() -> Console {
    let mut c = Console::new("ana", true, 2, "run1", T0);
    let landing = ShopperEvent::PageView {
        path: "/".into(),
        title: "Home".into(),
        referrer: None,
        utm: Some(floorwalker_shared::event::Utm {
            source: Some("newsletter".into()),
            medium: Some("email".into()),
            campaign: None,
        }),
    };
    let mut batch = testing::batch(
        0,
        T0,
        vec![
            landing,
            testing::page_titled("/trail-runner", "Trail Runner"),
            ShopperEvent::CartAdd(testing::line("trail-runner", 1, 12_900)),
        ],
    );
    // A ms apart, as a shopper's steps are.
    for (i, Event { at_ms, .. }) in (0..).zip(batch.events.iter_mut()) {
        *at_ms += i;
    }
    c.update(Msg::Events(Feed::Message(Stored {
        subject: session(1).events(),
        payload: floorwalker_shared::wire::encode_batch(&batch).into(),
        at_ms: T0,
    })));
    c.update(Msg::Audit(Feed::CaughtUp { read: 0 }));
    let status = c.status();
    op(&mut c, "ana", status, 0);
    shopper(&mut c, 1, testing::request("chat-one-1234"), 10);
    op(&mut c, "ana", testing::claim("chat-one-1234"), 20);
    let hostile = ChatFact::Message {
        chat_id: "chat-one-1234".into(),
        msg_id: "m1".into(),
        text: "Do they run small?\u{1b}]0;pwned\u{7}".into(),
    };
    shopper(&mut c, 1, hostile, 30);
    shopper(&mut c, 2, testing::request("chat-two-5678"), 40);
    c.update(Msg::Tick {
        now_ms: T0 + 60_000,
    });
    c
}

fn render(c: &Console, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| draw(f, c, PLAIN)).unwrap();
    terminal
}

#[test]
fn the_console_at_80_by_24_shows_the_journey_beside_the_conversation() {
    let mut c = console();
    for ch in "Half a size up".chars() {
        c.update(Msg::Press(crate::cmd::agent::keymap::press(Key::Char(ch))));
    }
    let terminal = render(&c, 80, 24);
    let screen = terminal.backend().to_string();
    assert!(screen.contains("newsletter/email"), "{screen}");
    assert!(screen.contains("€129.00"), "{screen}");
    assert!(
        screen.contains("Do they run small?]0;pwned"),
        "inert: {screen}"
    );
    assert!(screen.contains("> Half a size up"), "{screen}");
    insta::assert_snapshot!("console", terminal.backend());
    for cell in terminal.backend().buffer().content() {
        assert!(
            !cell.symbol().chars().any(char::is_control),
            "{:?} reached the screen",
            cell.symbol()
        );
    }
}

#[test]
fn any_size_draws_without_panicking() {
    let mut c = console();
    c.update(Msg::Press(crate::cmd::agent::keymap::press(Key::Help)));
    for (w, h) in [(0, 0), (1, 1), (39, 7), (40, 8), (80, 24), (300, 100)] {
        render(&c, w, h);
    }
}

#[test]
fn e_asks_in_the_footer_before_the_chat_ends() {
    let mut c = console();
    c.update(Msg::Press(crate::cmd::agent::keymap::press(Key::Back)));
    c.update(Msg::Press(crate::cmd::agent::keymap::press(Key::End)));
    let screen = render(&c, 80, 24).backend().to_string();
    let footer = screen.lines().last().unwrap_or_default();
    assert!(
        footer.contains(
            "End chat chat-one and send the survey? y/Enter ends it · other keys keep it"
        ),
        "whole at 80 columns: {screen}"
    );
}

/// Shopper text of the Big List of Naughty Strings' kind, or any text.
fn naughty() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        prop::sample::select(testing::NAUGHTY).prop_map(str::to_owned),
        any::<String>(),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Whatever the shopper sends or the agent types, every row a terminal
    /// draws is as wide as ratatui thinks.
    #[test]
    fn no_drawn_row_is_wider_than_its_area(
        text in proptest::collection::vec(naughty(), 4),
    ) {
        let mut c = console();
        let page = testing::page_titled(&format!("/{}", text[0]), &text[1]);
        let batch = testing::batch(1, T0 + 25 * SEC, vec![page]);
        c.update(Msg::Events(Feed::Message(Stored {
            subject: session(1).events(),
            payload: floorwalker_shared::wire::encode_batch(&batch).into(),
            at_ms: T0 + 25 * SEC,
        })));
        for (n, said) in text[2..].iter().enumerate() {
            let said = ChatFact::Message {
                chat_id: "chat-one-1234".into(),
                msg_id: format!("h{n}"),
                text: said.clone(),
            };
            shopper(&mut c, 1, said, 31 + n as u64);
        }
        for ch in text[3].chars() {
            c.update(Msg::Press(crate::cmd::agent::keymap::press(Key::Char(ch))));
        }
        for (w, h) in [(80, 24), (120, 40)] {
            let wrong = crate::ui::grid::misdrawn_as_sent(render(&c, w, h).backend().buffer());
            proptest::prop_assert!(wrong.is_empty(), "at {}x{}: {:?}", w, h, wrong);
        }
    }
}
