//! The reassign dialog as a supervisor sees it.

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::cmd::dashboard::keymap::Action;
use crate::cmd::dashboard::supervise::tests::{full_and_free, press};
use crate::cmd::dashboard::view::draw;
use crate::ui::theme::Theme;

fn screen(app: &crate::cmd::dashboard::app::App, width: u16, height: u16) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| draw(f, app, Theme { color: false }))
        .unwrap();
    terminal.backend().clone()
}

#[test]
fn the_picker_shows_each_agents_state_and_load() {
    let mut app = full_and_free();
    press(&mut app, Action::Reassign);
    let wide = screen(&app, 200, 60);
    let text = wide.to_string();
    for line in [
        "  back to the queue",
        "  ana          busy      1/1 chats · has it",
        "  bo           busy      1/1 chats",
        "▸ cleo         available 0/2 chats",
        "  dee          away      0/2 chats",
    ] {
        assert!(text.contains(line), "{line:?} missing:\n{text}");
    }
    insta::assert_snapshot!("reassign_200x60", wide);
}

#[test]
fn the_picker_asks_before_giving_a_full_agent_one_more() {
    let mut app = full_and_free();
    press(&mut app, Action::Reassign);
    press(&mut app, Action::Up);
    press(&mut app, Action::Open);
    let small = screen(&app, 80, 24);
    let text = small.to_string();
    assert!(text.contains("bo holds 1 of 1 chats."), "{text}");
    assert!(text.contains("Enter again gives them"), "{text}");
    insta::assert_snapshot!("reassign_full_80x24", small);
}
