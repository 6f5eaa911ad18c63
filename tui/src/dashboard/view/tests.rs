use floorwalker_shared::event::{ShopperEvent, Utm};
use floorwalker_shared::floor::FloorConfig;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::*;
use crate::dashboard::app::tests::{T0, batch, cart, page, session};
use crate::dashboard::keymap::Action;
use crate::dashboard::msg::{Msg, OfferRecord};

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
    app.update(Msg::OfferSent(OfferRecord {
        site: "shoes".to_owned(),
        token: session(3).token().as_str().to_owned(),
        offer_id: "of-1".to_owned(),
        text: "Can I help you choose a size?".to_owned(),
        by: "kim".to_owned(),
        sent_ms: T0 + 180_000,
    }));
    app.update(Msg::Replayed { batches: 3 });
    app.update(Msg::Tick {
        now_ms: T0 + 240_000,
    });
    app
}

fn render(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| draw(f, app, PLAIN)).unwrap();
    terminal
}

#[test]
fn the_floor_at_80_by_24() {
    let mut app = scene();
    app.update(Msg::Key(Action::Down));
    insta::assert_snapshot!(render(&mut app, 80, 24).backend());
}

#[test]
fn a_journey_beside_the_table_on_a_wide_terminal() {
    let mut app = scene();
    app.update(Msg::Key(Action::Down));
    app.update(Msg::Key(Action::Down));
    app.update(Msg::Key(Action::Open));
    insta::assert_snapshot!(render(&mut app, 132, 30).backend());
}

#[test]
fn a_journey_in_place_of_the_table_at_80_by_24() {
    let mut app = scene();
    app.update(Msg::Key(Action::Down));
    app.update(Msg::Key(Action::Open));
    insta::assert_snapshot!(render(&mut app, 80, 24).backend());
}

#[test]
fn help_and_the_offer_dialog_draw_over_the_floor() {
    let mut app = scene();
    app.update(Msg::Key(Action::Help));
    insta::assert_snapshot!("help", render(&mut app, 80, 24).backend());
    app.update(Msg::Key(Action::Back));
    app.update(Msg::Key(Action::Down));
    app.update(Msg::Key(Action::Offer));
    insta::assert_snapshot!("offer", render(&mut app, 80, 24).backend());
}

#[test]
fn a_lost_connection_shows_a_banner_and_keeps_the_view() {
    let mut app = scene();
    app.update(Msg::Conn(crate::dashboard::msg::Conn::Down {
        reason: "connection refused".to_owned(),
    }));
    let terminal = render(&mut app, 80, 24);
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
    app.update(Msg::Key(Action::Down));
    app.update(Msg::Key(Action::Open));
    for (width, height) in [(80, 24), (132, 30)] {
        let terminal = render(&mut app, width, height);
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
fn any_size_draws_without_panicking() {
    let mut app = scene();
    app.update(Msg::Key(Action::Down));
    app.update(Msg::Key(Action::Open));
    for (w, h) in [
        (0, 0),
        (1, 1),
        (19, 5),
        (20, 6),
        (40, 10),
        (80, 15),
        (300, 100),
    ] {
        render(&mut app, w, h);
    }
}
