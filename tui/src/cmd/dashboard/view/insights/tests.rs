//! The Insights view as a supervisor sees it, at 80x24 and wider, and at
//! any size without panicking.

use floorwalker_shared::chat::{ChatFact, DeskFact};
use floorwalker_shared::floor::FloorConfig;
use floorwalker_shared::testing::{self, MINUTE, SEC, T0, session};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

use crate::cmd::dashboard::app::tests::audit;
use crate::cmd::dashboard::app::{App, Mode};
use crate::cmd::dashboard::msg::Msg;
use crate::cmd::dashboard::view::draw;
use crate::ui::theme::Theme;

const PLAIN: Theme = Theme { color: false };

/// An hour on the desk, now at its end: ana and ben (two chats each)
/// answer a chat every two minutes for 45 minutes, 20 s after it is asked,
/// and end it 4 minutes later; then chats come every 40 s and nobody
/// answers them, and every third shopper gives up after 50 s. cy (two
/// chats) is away.
fn surge() -> App {
    let mut app = App::new("sam", Vec::new(), FloorConfig::default(), "n0nce", T0);
    let desk = |app: &mut App, user: &str, fact: DeskFact, at_ms: u64| {
        app.update(audit(testing::desk_message(user, fact), at_ms));
    };
    let shopper = |app: &mut App, n: u32, fact: ChatFact, at_ms: u64| {
        app.update(audit(testing::chat_message(&session(n), fact), at_ms));
    };
    for agent in ["ana", "ben", "cy"] {
        desk(&mut app, agent, testing::available(2), T0);
    }
    let away = DeskFact::Status {
        available: false,
        capacity: 2,
    };
    desk(&mut app, "cy", away, T0);
    for n in 0..22_u32 {
        let asked = T0 + MINUTE + u64::from(n) * 2 * MINUTE;
        let chat = format!("steady-{n}");
        let agent = if n % 2 == 0 { "ana" } else { "ben" };
        shopper(&mut app, n, testing::request(&chat), asked);
        desk(&mut app, agent, testing::claim(&chat), asked + 20 * SEC);
        let end = DeskFact::End {
            chat_id: chat.clone(),
        };
        desk(&mut app, agent, end, asked + 20 * SEC + 4 * MINUTE);
    }
    for k in 0..22_u32 {
        let n = 100 + k;
        let asked = T0 + 45 * MINUTE + 20 * SEC + u64::from(k) * 40 * SEC;
        let chat = format!("surge-{k}");
        shopper(&mut app, n, testing::request(&chat), asked);
        if k % 3 == 2 {
            let leave = ChatFact::Leave { chat_id: chat };
            shopper(&mut app, n, leave, asked + 50 * SEC);
        }
    }
    app.update(Msg::Tick {
        now_ms: T0 + 60 * MINUTE,
    });
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        crate::cmd::dashboard::keymap::Action::Insights,
    )));
    assert_eq!(app.mode, Mode::Insights);
    app
}

fn render(app: &App, width: u16, height: u16) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| draw(f, app, PLAIN)).unwrap();
    terminal.backend().clone()
}

#[test]
fn staffing_shows_the_load_the_need_and_what_each_level_would_give() {
    let app = surge();
    let a = &app.staffing;
    // 22 chats in the last quarter of an hour, 44 in the hour: the
    // quarter's rate; the hour's 4-minute handle time.
    assert_eq!((a.recent.requested, a.hour.requested), (22, 44));
    assert_eq!((a.hour.ended, a.hour.abandoned), (22, 7));
    assert_eq!(a.hour.handle_ms, Some(4 * MINUTE));
    assert_eq!((a.have, a.concurrency), (2, 2));
    let needed = a.needed.unwrap();
    assert!(needed > a.have, "{a:?}");

    let small = render(&app, 80, 24);
    let text = small.to_string();
    for words in [
        "Staffing",
        "1.47 chats a minute over 15 min (22) · 0.73 over the hour (44)",
        "4m00s, the mean of 22 chats ended in the hour",
        "from 7 shoppers who gave up waiting in the hour",
        "takes 2 chats at once",
        "80% answered within 30s",
        &format!("{needed} agents · have 2 on duty!!"),
        "Agents  Answered in 30s   Wait   Give up",
        "i/Esc shoppers",
    ] {
        assert!(text.contains(words), "{words:?} missing:\n{text}");
    }
    // Every level's row fits, from one agent to two past the need, the
    // one on duty and the one needed named.
    let row = |agents: u32| {
        let start = format!("\"│{agents:>6}  ");
        text.lines().find(|l| l.starts_with(&start)).unwrap_or("")
    };
    assert!(row(1).contains("%!!"), "{text}");
    assert!(row(2).contains("on duty"), "{text}");
    assert!(row(needed).contains("needed"), "{text}");
    assert!(!row(needed + 2).is_empty(), "{text}");
    insta::assert_snapshot!("insights_80x24", small);
    insta::assert_snapshot!("insights_200x50", render(&app, 200, 50));
}

#[test]
fn before_any_chat_has_ended_it_says_what_it_waits_for() {
    let mut app = App::new("sam", Vec::new(), FloorConfig::default(), "n0nce", T0);
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        crate::cmd::dashboard::keymap::Action::Insights,
    )));
    let text = render(&app, 80, 24).to_string();
    for words in [
        "0.00 chats a minute over 15 min (0)",
        "no chat has ended in the last hour",
        "nobody gave up waiting",
        "— until a chat has ended · have 0 on duty",
        "shows once a chat has ended",
        "need — · have 0",
    ] {
        assert!(text.contains(words), "{words:?} missing:\n{text}");
    }
}

#[test]
fn any_size_draws_without_panicking() {
    let app = surge();
    for (w, h) in [
        (0, 0),
        (1, 1),
        (20, 6),
        (40, 10),
        (80, 12),
        (80, 16),
        (300, 100),
    ] {
        render(&app, w, h);
    }
    // The view itself, in no room at all and in a sliver.
    let mut terminal = Terminal::new(TestBackend::new(10, 3)).unwrap();
    for area in [Rect::ZERO, Rect::new(0, 0, 10, 1), Rect::new(0, 0, 1, 3)] {
        terminal
            .draw(|f| super::draw(f, area, &app, PLAIN))
            .unwrap();
    }
}
