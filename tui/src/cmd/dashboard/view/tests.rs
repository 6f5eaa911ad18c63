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
        value_minor: None,
        items: vec![],
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
    // The first row is selected from the start.
    let app = scene();
    insta::assert_snapshot!(render(&app, 80, 24).backend());
}

#[test]
fn a_journey_beside_the_table_on_a_wide_terminal() {
    let mut app = scene();
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
        Action::Open,
    )));
    insta::assert_snapshot!(render(&app, 80, 24).backend());
}

/// The screen's rows as text.
fn rows(terminal: &Terminal<TestBackend>) -> Vec<String> {
    let buffer = terminal.backend().buffer();
    let width = usize::from(buffer.area.width);
    buffer
        .content()
        .chunks(width)
        .map(|row| row.iter().map(ratatui::buffer::Cell::symbol).collect())
        .collect()
}

#[test]
fn the_help_repeats_the_demos_addresses_below_the_keys_or_on_its_border() {
    let mut app = scene();
    let agent = "floorwalker agent --name alex --server nats://127.0.0.1:4222 --creds \
                 /home/sam/.local/share/floorwalker/auth/alex.creds";
    app.about = vec![
        (
            "NATS clients".to_owned(),
            "nats://127.0.0.1:4222".to_owned(),
        ),
        ("Demo shop".to_owned(), "http://localhost:4280/".to_owned()),
        ("Answer chats".to_owned(), agent.to_owned()),
    ];
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Help,
    )));
    let tall = rows(&render(&app, 200, 60));
    let has = |rows: &[String], text: &str| rows.iter().any(|r| r.contains(text));
    assert!(
        has(&tall, "NATS clients  nats://127.0.0.1:4222"),
        "{tall:#?}"
    );
    assert!(has(&tall, &format!("Answer chats  {agent}")), "{tall:#?}");
    // Every key is still there, and the addresses come after them.
    let at = |text: &str| tall.iter().position(|r| r.contains(text));
    assert!(at("q ^c  quit") < at("Demo shop  http://localhost:4280/"));
    assert!(has(&tall, "j/↓  next shopper"));

    // Too short for both: the keys whole, the first addresses on the border.
    let short = rows(&render(&app, 80, 24));
    assert!(has(&short, "q ^c  quit"), "{short:#?}");
    assert!(has(&short, "j/↓  next shopper"), "{short:#?}");
    assert!(
        has(&short, "nats://127.0.0.1:4222 · http://localhost:4280/"),
        "{short:#?}"
    );
    assert!(!has(&short, "NATS clients"), "{short:#?}");
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
    // The first shopper (who needs help most, selected from the start) is
    // in no chat yet.
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Offer,
    )));
    insta::assert_snapshot!("offer", render(&app, 80, 24).backend());
}

#[test]
fn the_offer_dialog_keeps_its_shopper_while_the_table_re_sorts() {
    let mut app = scene();
    let press = |app: &mut App, action| {
        app.update(Msg::Press(crate::cmd::dashboard::keymap::press(action)))
    };
    press(&mut app, Action::First);
    let meant = app.selected.clone().unwrap();
    press(&mut app, Action::Offer);
    let screen = format!("{:?}", render(&app, 80, 24).backend());
    let named = format!("To {} on", meant.token().short());
    assert!(screen.contains(&named), "{named} in\n{screen}");

    // Meanwhile another shopper with a large cart reaches for the tabs
    // and takes the top row, and the clock moves on: the dialog still
    // names, and the offer still goes to, the shopper it opened for.
    app.update(batch(
        9,
        0,
        app.now_ms,
        vec![page("/big", "Big"), cart(900_000), ShopperEvent::ExitIntent],
    ));
    app.update(Msg::Tick {
        now_ms: app.now_ms + 5_000,
    });
    let rows = crate::cmd::dashboard::table::rows(&app.floor, app.now_ms, &app.filter, app.sort);
    assert_eq!(
        rows[0].session.subjects(),
        &session(9),
        "the table re-sorted"
    );
    let screen = format!("{:?}", render(&app, 80, 24).backend());
    assert!(screen.contains(&named), "{named} in\n{screen}");
    let effects = press(&mut app, Action::Confirm);
    assert!(
        matches!(&effects[..], [Effect::SendOffer { session, .. }] if *session == meant),
        "{effects:?}"
    );
}

/// The top `rows` lines of a screen drawn with `theme`, each followed by
/// the runs of text that are not plainly styled and their style.
fn styled_top(app: &App, theme: Theme, rows: u16) -> String {
    use std::fmt::Write as _;
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| draw(f, app, theme)).unwrap();
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..rows {
        let mut line = String::new();
        let mut runs: Vec<(ratatui::style::Style, String)> = Vec::new();
        for x in 0..buffer.area.width {
            let cell = &buffer[(x, y)];
            line.push_str(cell.symbol());
            let style = cell.style();
            match runs.last_mut() {
                Some((last, text)) if *last == style => text.push_str(cell.symbol()),
                _ => runs.push((style, cell.symbol().to_owned())),
            }
        }
        out.push_str(&line);
        out.push('\n');
        for (style, text) in runs {
            let plain = style.fg.is_none_or(|c| c == ratatui::style::Color::Reset)
                && style.bg.is_none_or(|c| c == ratatui::style::Color::Reset)
                && style.add_modifier.is_empty();
            if !plain && !text.trim().is_empty() {
                let _ = writeln!(
                    out,
                    "    {text:?}: fg {:?} bg {:?} {:?}",
                    style.fg, style.bg, style.add_modifier
                );
            }
        }
    }
    out
}

#[test]
fn figures_past_their_targets_turn_amber_and_red_with_a_marker_also_without_colour() {
    let mut app = scene();
    // Fifty seconds on, the second shopper's chat has waited a minute and
    // a half (amber), and ana has gone away, so no agent is free (red).
    operator(
        &mut app,
        "ana",
        DeskFact::Status {
            available: false,
            capacity: 2,
        },
        T0 + 280_000,
    );
    app.update(Msg::Tick {
        now_ms: T0 + 290_000,
    });
    let plain = styled_top(&app, PLAIN, 5);
    assert!(plain.contains("wait 1m30s! "), "{plain}");
    assert!(plain.contains("0 agents!!"), "{plain}");
    insta::assert_snapshot!("targets_without_colour", plain);
    insta::assert_snapshot!(
        "targets_in_colour",
        styled_top(&app, Theme { color: true }, 5)
    );
}

#[test]
fn too_few_agents_on_duty_show_beside_the_queue_and_in_the_title_line() {
    let mut app = scene();
    assert!(rows(&render(&app, 80, 24))[1].contains("need — · have 1┐"));
    // ana ends her chat after two minutes, and ten more shoppers ask: 12
    // chats in a quarter of an hour, 0.8 a minute of two minutes each.
    // Erlang C (nobody gave up) wants 3 servers for 80% within 30 s: two
    // of ana's capacity of 2. Her 2 alone answer 36% in time, under the
    // red 60%.
    let end = DeskFact::End {
        chat_id: "chat-one-1234".to_owned(),
    };
    operator(&mut app, "ana", end, T0 + 230_000);
    for n in 10..20 {
        asks(
            &mut app,
            n,
            &format!("chat-more-{n}"),
            T0 + 150_000 + u64::from(n),
        );
    }
    app.update(Msg::Tick {
        now_ms: T0 + 240_000,
    });
    assert_eq!((app.staffing.needed, app.staffing.have), (Some(2), 1));
    let plain = styled_top(&app, PLAIN, 5);
    assert!(plain.contains("need 2 · have 1!!┐"), "{plain}");
    assert!(plain.contains("need 2 agents!!"), "{plain}");
    insta::assert_snapshot!("staffing_short_without_colour", plain);
    insta::assert_snapshot!(
        "staffing_short_in_colour",
        styled_top(&app, Theme { color: true }, 5)
    );
}

/// Thirty shoppers on one site: carts to the cent, one who bought, pages
/// with titles, sources of every length.
fn busy() -> App {
    let mut app = scene();
    let sources = [
        "direct",
        "newsletter",
        "www.bing.com",
        "partner-affiliate-program",
    ];
    for n in 10..40u32 {
        let at = T0 + u64::from(n) * 1_000;
        let mut kinds = vec![page(
            &format!("/products/item-{n}"),
            &format!("Item number {n}"),
        )];
        if n % 3 == 0 {
            kinds.push(cart(u64::from(n) * 1_001));
        }
        if n == 12 {
            kinds.push(testing::order("o-12", 18_470));
        }
        kinds.insert(
            0,
            ShopperEvent::PageView {
                path: "/".to_owned(),
                title: "Home".to_owned(),
                referrer: None,
                utm: Some(Utm {
                    source: Some(sources[n as usize % sources.len()].to_owned()),
                    medium: None,
                    campaign: None,
                }),
            },
        );
        app.update(batch(n, 0, at, kinds));
    }
    app.update(Msg::Tick {
        now_ms: T0 + 241_000,
    });
    app
}

#[test]
fn a_busy_floor_uses_the_width_and_says_how_many_rows_are_below() {
    let app = busy();
    let narrow = format!("{:?}", render(&app, 80, 24).backend());
    assert!(narrow.contains("1–16 of 33 ↓"), "{narrow}");
    assert!(narrow.contains("▸"), "the first row is selected: {narrow}");
    insta::assert_snapshot!("busy_80x24", render(&app, 80, 24).backend());
    let wide = format!("{:?}", render(&app, 200, 60).backend());
    assert!(wide.contains("bought €184.70"), "{wide}");
    assert!(
        wide.contains("Item number 39"),
        "the page's title in the room left: {wide}"
    );
    assert!(wide.contains("partner-affiliate-program"), "{wide}");
    insta::assert_snapshot!("busy_200x60", render(&app, 200, 60).backend());
}

#[test]
fn one_sites_dashboard_has_no_site_column() {
    let mut app = busy();
    let with = format!("{:?}", render(&app, 80, 24).backend());
    assert!(with.contains(" Site "), "{with}");
    app.site = Some(floorwalker_shared::subject::SiteId::new("shoes").unwrap());
    let without = format!("{:?}", render(&app, 80, 24).backend());
    assert!(!without.contains(" Site "), "{without}");
}

#[test]
fn a_notice_has_its_own_lines_and_the_keys_stay() {
    let mut app = scene();
    let why = floorwalker::offers::OfferError::Audit(
        "the server did not answer in time, so nothing was stored; try again in a minute"
            .to_owned(),
    );
    let said = why.to_string();
    app.update(Msg::OfferDone(Err(why)));
    let terminal = render(&app, 60, 24);
    let buffer = terminal.backend().buffer();
    let lines: Vec<String> = (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect();
    let screen = lines.join("\n");
    let n = lines.len();
    assert!(lines[n - 1].contains("j/k move"), "the keys stay: {screen}");
    // Two lines of the notice, broken between words, and an ellipsis after
    // a whole word where the rest did not fit.
    let shown = format!("{} {}", lines[n - 3], lines[n - 2]);
    let shown = shown.trim_end_matches('…');
    assert!(said.starts_with(shown), "{shown:?} of {said:?}");
    assert!(
        said[shown.len()..].starts_with(' '),
        "cut after a whole word: {shown:?}"
    );
}

#[test]
fn the_title_line_drops_whole_items_and_never_cuts_one() {
    let app = scene();
    let items = |width: u16| -> Vec<String> {
        let mut terminal = Terminal::new(TestBackend::new(width, 24)).unwrap();
        terminal.draw(|f| draw(f, &app, PLAIN)).unwrap();
        let buffer = terminal.backend().buffer();
        let line: String = (0..width).map(|x| buffer[(x, 0)].symbol()).collect();
        let left = line
            .trim_end()
            .rsplit_once("  ")
            .map_or(line.as_str(), |(l, _)| l);
        left.trim_start_matches("Floorwalker")
            .split(" · ")
            .map(|item| item.trim().to_owned())
            .filter(|item| !item.is_empty())
            .collect()
    };
    let all = items(400);
    assert_eq!(all.len(), 4, "{all:?}");
    for width in 20..200 {
        let shown = items(width);
        assert!(
            shown.iter().all(|item| all.contains(item)),
            "at {width}: {shown:?} of {all:?}"
        );
    }
    assert!(items(80).contains(&"3 online".to_owned()));
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

#[test]
fn a_flagged_shopper_says_why_in_a_column_at_200_and_in_the_journey() {
    let mut app = scene();
    // Shopper 2 reached for the tabs with €49 in the cart; shopper 3 is
    // toggling but has an offer waiting for an answer: not flagged.
    let wide = render(&app, 200, 60).backend().to_string();
    let row = wide
        .lines()
        .find(|l| l.contains("newsletter"))
        .unwrap_or_else(|| panic!("{wide}"));
    // After the selection marker's column.
    let flagged = |row: &str| row.chars().nth(2) == Some('!');
    assert!(flagged(row), "{row}");
    assert!(row.contains("exit intent with €49.00 cart"), "{row}");
    assert!(wide.contains("Why▼"), "sorted by need: {wide}");
    let toggler = wide.lines().find(|l| l.contains("/road-racer")).unwrap();
    assert!(
        !toggler.contains("toggling") && !flagged(toggler),
        "{toggler}"
    );
    for line in wide.lines() {
        assert!(line.chars().count() <= 202, "{line}");
    }
    let narrow = render(&app, 199, 60).backend().to_string();
    assert!(!narrow.contains("exit intent"), "{narrow}");
    assert!(!narrow.contains("Why"), "{narrow}");

    // Sorted by need, shopper 2 is first (and selected); its journey says
    // why.
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(
        Action::Open,
    )));
    let journey = render(&app, 80, 24).backend().to_string();
    assert!(
        journey.contains("Flagged  exit intent with €49.00 cart"),
        "{journey}"
    );
    assert!(
        journey.contains("Priority 224 = flagged 200 + cart 4 + checkout 20"),
        "{journey}"
    );
}

/// Shopper text of the Big List of Naughty Strings' kind: a few hostile
/// pieces and arbitrary characters joined.
fn naughty() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let piece = prop_oneof![
        prop::sample::select(testing::NAUGHTY).prop_map(str::to_owned),
        prop::collection::vec(any::<char>(), 0..12).prop_map(String::from_iter),
    ];
    prop::collection::vec(piece, 1..4).prop_map(|pieces| pieces.concat())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(16))]

    /// Whatever shoppers send, every row a terminal draws is as wide as
    /// ratatui thinks: the border stays in place and no glyph is left behind.
    #[test]
    fn no_drawn_row_is_wider_than_its_area(text in proptest::collection::vec(naughty(), 7)) {
        let mut app = scene();
        let visit = ShopperEvent::PageView {
            path: format!("/{}", text[0]),
            title: text[1].clone(),
            referrer: Some(format!("https://{}/", text[2])),
            utm: Some(Utm { source: Some(text[3].clone()), medium: None, campaign: None }),
        };
        let search = ShopperEvent::SiteSearch { query: format!("q {}", text[4]) };
        let sku: String = text[5].chars().take(24).collect();
        let cart = ShopperEvent::CartAdd(testing::line(&format!("sku-{sku}"), 1, 4_900));
        app.update(batch(9, 0, T0 + 200_000, vec![visit, search, cart]));
        asks(&mut app, 9, "chat-nine", T0 + 210_000);
        let said = ChatFact::Message {
            chat_id: "chat-nine".to_owned(),
            msg_id: "m9".to_owned(),
            text: text[6].clone(),
        };
        shopper(&mut app, 9, said, T0 + 220_000);
        app.update(Msg::Tick { now_ms: T0 + 240_000 });
        proptest::prop_assert!(app.floor.get(&session(9)).is_some());
        let press = |app: &mut App, action| {
            app.update(Msg::Press(crate::cmd::dashboard::keymap::press(action)));
        };
        let sizes = [(80, 24), (200, 60)];
        // Each shopper's row and journey, then the desk and its transcripts.
        for _ in 0..5 {
            press(&mut app, Action::Down);
            for (w, h) in sizes {
                let wrong = crate::ui::grid::misdrawn_as_sent(render(&app, w, h).backend().buffer());
                proptest::prop_assert!(wrong.is_empty(), "table at {}x{}: {:?}", w, h, wrong);
            }
            press(&mut app, Action::Open);
            for (w, h) in sizes {
                let wrong = crate::ui::grid::misdrawn_as_sent(render(&app, w, h).backend().buffer());
                proptest::prop_assert!(wrong.is_empty(), "journey at {}x{}: {:?}", w, h, wrong);
            }
            press(&mut app, Action::Back);
        }
        press(&mut app, Action::Desk);
        for _ in 0..3 {
            press(&mut app, Action::Down);
            for (w, h) in sizes {
                let wrong = crate::ui::grid::misdrawn_as_sent(render(&app, w, h).backend().buffer());
                proptest::prop_assert!(wrong.is_empty(), "desk at {}x{}: {:?}", w, h, wrong);
            }
        }
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

mod refused;
