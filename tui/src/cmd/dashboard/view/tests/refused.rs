//! What was refused, on the title line and in its overlay (`x`).

use floorwalker::refusals::{GateCounts, Heard};
use floorwalker_shared::intake::{IntakeReport, Refusal, What};

use super::*;

fn intake(name: &str, refusals: &[(What, Refusal, u64)]) -> Msg {
    let mut report = IntakeReport::new(name);
    report.stored_events = 1_200;
    report.stored_facts = 35;
    for &(what, reason, n) in refusals {
        for _ in 0..n {
            report.refuse(what, reason);
        }
    }
    Msg::Refusals(Heard::Intake(report))
}

fn gate(refused: &[(&str, u64)]) -> Msg {
    Msg::Refusals(Heard::Gate(GateCounts {
        refused: refused.iter().map(|&(k, n)| (k.to_owned(), n)).collect(),
        ..GateCounts::default()
    }))
}

fn tick(app: &mut App, ms: u64) {
    let now_ms = app.now_ms + ms;
    app.update(Msg::Tick { now_ms });
}

/// The busy floor, with two intakes and the gate refusing: 14 in all,
/// 9 of them in the last few seconds.
fn refusing() -> App {
    let mut app = busy();
    app.update(intake(
        "intake-a",
        &[(What::Facts, Refusal::SessionRate, 2)],
    ));
    app.update(intake("intake-b", &[(What::Events, Refusal::TooLarge, 2)]));
    app.update(gate(&[("rate_limited", 1)]));
    tick(&mut app, 1_000);
    app.update(intake(
        "intake-a",
        &[
            (What::Facts, Refusal::SessionRate, 6),
            (What::Events, Refusal::SessionRate, 3),
        ],
    ));
    app.update(intake("intake-b", &[(What::Events, Refusal::TooLarge, 2)]));
    app.update(gate(&[("rate_limited", 2), ("no_credential", 1)]));
    app
}

fn title(app: &App, width: u16) -> String {
    rows(&render(app, width, 24))[0].trim_end().to_owned()
}

#[test]
fn an_intake_that_falls_silent_is_flagged_on_the_title_line_until_it_reports_again() {
    let mut app = busy();
    app.update(intake("intake-a", &[]));
    tick(&mut app, 1_000);
    assert!(
        !title(&app, 80).contains("intake silent"),
        "{}",
        title(&app, 80)
    );
    tick(&mut app, floorwalker::refusals::SILENT_AFTER_MS);
    assert!(
        title(&app, 80).contains("intake silent!!"),
        "{}",
        title(&app, 80)
    );
    app.update(intake("intake-a", &[]));
    assert!(
        !title(&app, 80).contains("intake silent"),
        "{}",
        title(&app, 80)
    );
}

#[test]
fn nothing_refused_or_nothing_heard_puts_nothing_on_the_title_line() {
    let mut app = busy();
    let before = title(&app, 200);
    assert!(!before.contains("refused"), "{before}");
    app.update(intake("intake-a", &[]));
    app.update(gate(&[]));
    assert_eq!(title(&app, 200), before, "zero is no news");
}

#[test]
fn the_title_line_says_how_many_were_refused_and_why_as_room_allows() {
    let mut app = refusing();
    // Wide: the reasons in words, most first.
    let wide = title(&app, 200);
    assert!(
        wide.contains(
            "14 refused (+9 in 1m): 9 session too fast, 2 too large, 2 rate limited, 1 no credential"
        ),
        "{wide}"
    );
    assert!(wide.ends_with("sam · live"), "{wide}");
    // Narrower: fewer reasons before the operator's name goes, then the
    // number alone before any figure goes.
    let fewer = title(&app, 150);
    assert!(
        fewer.contains("14 refused (+9 in 1m): 9 session too fast, 2 too large, …"),
        "{fewer}"
    );
    assert!(fewer.ends_with("sam · live"), "{fewer}");
    let alone = title(&app, 120);
    assert!(alone.contains("· 14 refused (+9) "), "{alone}");
    assert!(alone.contains("1 in checkout"), "{alone}");
    // At 80 columns growth ranks with the figures past their targets: the
    // number stays, what the panels repeat goes.
    let narrow = title(&app, 80);
    assert!(narrow.contains("14 refused (+9)"), "{narrow}");
    assert!(narrow.contains("33 online"), "{narrow}");
    assert!(narrow.contains("1 agent (1 free)"), "{narrow}");
    assert!(!narrow.contains("in checkout"), "{narrow}");
    insta::assert_snapshot!("refusing_80x24", render(&app, 80, 24).backend());
    insta::assert_snapshot!("refusing_200x60", render(&app, 200, 60).backend());

    // A minute on with no more, it is no longer news, but still there.
    tick(&mut app, 61_000);
    app.update(intake(
        "intake-a",
        &[
            (What::Facts, Refusal::SessionRate, 6),
            (What::Events, Refusal::SessionRate, 3),
        ],
    ));
    app.update(intake("intake-b", &[(What::Events, Refusal::TooLarge, 2)]));
    let narrow = title(&app, 80);
    assert!(narrow.contains("· 14 refused "), "{narrow}");
    assert!(!narrow.contains("(+"), "{narrow}");
    // A short line keeps who is online and the agents before it.
    let short = title(&app, 60);
    assert!(!short.contains("refused"), "{short}");
    assert!(short.contains(" online · 1 agent"), "{short}");
}

#[test]
fn x_shows_the_reasons_with_what_they_refused_and_closes_again() {
    let mut app = refusing();
    let press = |app: &mut App, action| {
        app.update(Msg::Press(crate::cmd::dashboard::keymap::press(action)));
    };
    press(&mut app, Action::Refused);
    insta::assert_snapshot!("refused", render(&app, 80, 24).backend());
    press(&mut app, Action::Refused);
    assert_eq!(app.mode, crate::cmd::dashboard::app::Mode::Floor);
    // From the desk too, and Esc closes it back to the desk.
    press(&mut app, Action::Desk);
    press(&mut app, Action::Refused);
    let screen = format!("{:?}", render(&app, 80, 24).backend());
    assert!(screen.contains("At the gate"), "{screen}");
    press(&mut app, Action::Back);
    assert!(app.desk_mode().is_some(), "{:?}", app.mode);
}

#[test]
fn the_overlay_says_who_was_not_heard_rather_than_zeros() {
    let mut app = busy();
    app.update(Msg::Refusals(Heard::GateDown(
        "no gate answers on fw.gate.status".to_owned(),
    )));
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Refused,
    )));
    insta::assert_snapshot!("refused_nothing_heard", render(&app, 80, 24).backend());
    // Tiny terminals draw without panicking.
    for (w, h) in [(20, 6), (30, 8), (0, 0)] {
        render(&app, w, h);
    }
}

#[test]
fn names_from_the_bus_reach_the_terminal_sanitized() {
    let mut app = busy();
    for name in testing::NAUGHTY {
        app.update(intake(name, &[(What::Events, Refusal::Malformed, 1)]));
    }
    app.update(gate(&[("\u{1b}[2J", 3)]));
    app.update(Msg::Refusals(Heard::GateDown(testing::NAUGHTY.concat())));
    // Every intake goes silent: their names are listed.
    tick(&mut app, 20_000);
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Refused,
    )));
    for (w, h) in [(80, 24), (200, 60)] {
        let terminal = render(&app, w, h);
        let wrong = crate::ui::grid::misdrawn_as_sent(terminal.backend().buffer());
        assert!(wrong.is_empty(), "at {w}x{h}: {wrong:?}");
        let screen = rows(&terminal).join("\n");
        let controls: Vec<char> = screen
            .chars()
            .filter(|&c| c.is_control() && c != '\n')
            .collect();
        assert!(controls.is_empty(), "{controls:?} in {screen}");
        assert!(screen.contains("silent:"), "{screen}");
        assert!(screen.contains("3  other"), "{screen}");
    }
}
