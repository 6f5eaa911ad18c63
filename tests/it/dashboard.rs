// The supervisor's dashboard in a real terminal, watching real shoppers in
// headless Chromium through the gate.

use std::time::Duration;

use floorwalker::gate::policy::Role;
use floorwalker::streams;
use floorwalker_tests::bin::floorwalker;
use floorwalker_tests::browser::{Browser, Shop};
use floorwalker_tests::clients::connect_operator;
use floorwalker_tests::server::TestServer;
use floorwalker_tests::setup::{agent_available, create_streams, js_request, shop_and_server};
use floorwalker_tests::tmux::Tmux;
use floorwalker_tests::wait_until;

const SEEN: Duration = Duration::from_secs(30);

/// The dashboard in an 80x24 terminal, as the `dashboard` operator.
fn open_dashboard(server: &TestServer) -> Tmux {
    open_dashboard_sized(server, 80, 24)
}

/// The dashboard in a terminal of `width` x `height`.
pub(crate) fn open_dashboard_sized(server: &TestServer, width: u16, height: u16) -> Tmux {
    let creds = server.dir().join("dashboard.creds");
    server.creds(Role::Dashboard).store(&creds).unwrap();
    let command = format!(
        "env NO_COLOR=1 {} --data-dir '{dir}' --log-file '{dir}/dashboard.log' --server {} --creds '{}'",
        floorwalker().display(),
        server.server().client_url(),
        creds.display(),
        dir = server.dir().display(),
    );
    Tmux::start(&command, width, height)
}

/// A shopper who has looked at the home page and a product.
fn shopper(shop: &Shop) -> Browser {
    let browser = Browser::start();
    browser.goto(&shop.url("/?utm_source=newsletter&utm_medium=email"));
    browser.goto(&shop.url("/trail-runner.html"));
    browser
}

#[test]
fn a_supervisor_who_opens_the_dashboard_later_sees_the_shopper_and_their_journey() {
    let (shop, server) = shop_and_server();
    create_streams(&server);
    let _browser = shopper(&shop);
    // The batches reach the stream before the dashboard opens: it must find
    // them in history.
    let stored = wait_until(SEEN, || {
        let all = floorwalker_tests::setup::stream_messages(&server, streams::EVENTS).concat();
        let has = |needle: &[u8]| all.windows(needle.len()).any(|w| w == needle);
        (has(b"newsletter") && has(b"/trail-runner.html")).then_some(())
    });
    assert!(stored.is_some(), "the shopper's pages never reached EVENTS");

    let tmux = open_dashboard(&server);
    let screen = tmux.wait_for("/trail-runner.html", SEEN);
    assert!(screen.contains("Shoppers (1)"), "{screen}");
    assert!(screen.contains("newsletter"), "the source: {screen}");
    assert!(screen.contains("1 on"), "{screen}");

    tmux.send_keys("j");
    tmux.send_keys("Enter");
    let screen = tmux.wait_for("Journey", SEEN);
    assert!(
        screen.contains("page / (Floorwalker demo shop)"),
        "the landing page in the journey: {screen}"
    );
    assert!(screen.contains("page /trail-runner.html"), "{screen}");
    tmux.send_keys("q");
    assert!(
        wait_until(SEEN, || tmux.exited().then_some(())).is_some(),
        "q did not quit"
    );
}

/// Where the newsletter brings shoppers.
const LANDING: &str = "/?utm_source=newsletter&utm_medium=email";

/// Leaves the browser's page for `path` `after_ms` after the page was parsed
/// (its `DOMContentLoaded`, when a shopper can first click), as a shopper who
/// moves on at once.
fn leave_after(browser: &Browser, after_ms: u64, path: &str) {
    browser.execute_with(
        "const [path, after] = arguments;
         const leave = () => setTimeout(() => location.assign(path), after);
         if (performance.getEntriesByType('navigation')[0].domContentLoadedEventStart > 0) leave();
         else addEventListener('DOMContentLoaded', leave);
         return true;",
        vec![path.into(), after_ms.into()],
    );
}

/// A shopper's connection. On a phone's slow one the plugin's wasm (over
/// 100 KB) takes a second to arrive, so a shopper who moves on at once
/// leaves before the plugin can start; on a fast one it starts within a few
/// ms, but is not connected yet.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Connection {
    Slow,
    Fast,
}

/// The rows of the sessions table of shoppers now on `page`, two pages in,
/// who came from the newsletter: their landing page was seen first.
fn from_the_newsletter_on(screen: &str, page: &str) -> usize {
    screen
        .lines()
        .filter(|line| {
            let cells: Vec<&str> = line.split_whitespace().collect();
            // Page, time on site, pages.
            let pages = cells
                .iter()
                .position(|c| *c == page)
                .map(|i| cells.get(i + 2));
            pages == Some(Some(&"2")) && line.contains("newsletter")
        })
        .count()
}

#[test]
fn shoppers_who_leave_their_landing_page_within_200_ms_keep_it_and_their_source() {
    let (shop, server) = shop_and_server();
    create_streams(&server);
    let live = open_dashboard(&server);
    live.wait_for("No shoppers", SEEN);
    // Each shopper's connection, and how long after the landing page is
    // parsed (when they can first click) they leave it.
    let shoppers = [
        (Connection::Slow, 0),
        (Connection::Slow, 100),
        (Connection::Slow, 200),
        (Connection::Fast, 0),
        (Connection::Fast, 200),
    ];
    // Each stays on the floor while its browser is open.
    let mut browsers = Vec::new();
    for (n, (connection, after_ms)) in (1..).zip(shoppers) {
        let browser = Browser::start_eager();
        if connection == Connection::Slow {
            browser.throttle(Duration::from_millis(100), 100_000);
        }
        browser.goto(&shop.url(LANDING));
        leave_after(&browser, after_ms, "/trail-runner.html");
        wait_until(SEEN, || {
            let screen = live.screen();
            (from_the_newsletter_on(&screen, "/trail-runner.html") == n).then_some(())
        })
        .unwrap_or_else(|| {
            panic!(
                "shopper {n} ({connection:?} connection) left the landing page after \
                 {after_ms} ms; the dashboard:\n{}",
                live.screen()
            )
        });
        browsers.push(browser);
    }

    // A supervisor who opens the dashboard later reads the same from the
    // stream, and each journey starts on the landing page.
    let later = open_dashboard(&server);
    let screen = wait_until(SEEN, || {
        let screen = later.screen();
        (from_the_newsletter_on(&screen, "/trail-runner.html") == shoppers.len()).then_some(screen)
    })
    .unwrap_or_else(|| panic!("from history:\n{}", later.screen()));
    assert!(screen.contains("Shoppers (5)"), "{screen}");
    let mut visitors: Vec<String> = Vec::new();
    // The first row is selected from the start; `j` moves to each next one.
    // Live shoppers' rows may move while the test steps through them (the
    // selection follows its shopper), so it goes round again from the top
    // (`g`) until it has opened every shopper's journey, or gives up.
    for i in 0..4 * shoppers.len() {
        let mut seen = visitors.clone();
        seen.sort();
        seen.dedup();
        if seen.len() == shoppers.len() {
            break;
        }
        if i % shoppers.len() == 0 {
            later.send_keys("g");
        } else {
            later.send_keys("j");
        }
        later.send_keys("Enter");
        let screen = later.wait_for("Journey (Esc closes)", SEEN);
        assert!(screen.contains("Arrived  newsletter/email"), "{screen}");
        let landing = screen.find("page / (Floorwalker demo shop)");
        let next = screen.find("page /trail-runner.html");
        assert!(
            landing.is_some() && landing < next,
            "the journey starts on the landing page: {screen}"
        );
        visitors.extend(
            screen
                .lines()
                .find(|l| l.contains("visitor "))
                .map(str::to_owned),
        );
        later.send_keys("Escape");
        later.wait_for("Shoppers (5)", SEEN);
    }
    visitors.sort();
    visitors.dedup();
    assert_eq!(visitors.len(), shoppers.len(), "{visitors:#?}");
}

#[test]
fn an_offer_from_the_dashboard_reaches_the_shopper_is_audited_and_a_decline_is_final() {
    let (shop, server) = shop_and_server();
    create_streams(&server);
    let tmux = open_dashboard(&server);
    tmux.wait_for("No shoppers", SEEN);
    let browser = shopper(&shop);
    tmux.wait_for("/trail-runner.html", SEEN);

    // No agent to answer: no offer.
    tmux.send_keys("j");
    tmux.send_keys("o");
    tmux.wait_for("no agent is available", SEEN);
    agent_available(&server);
    tmux.wait_for("1 agent", SEEN);
    tmux.send_keys("o");
    tmux.wait_for("Offer a chat", SEEN);
    tmux.send_keys("Enter");
    tmux.wait_for("Offer sent", SEEN);

    // The widget appears in the shopper's page, with the template's text.
    let shown = wait_until(SEEN, || {
        let text = browser.execute(
            "const host = document.getElementById('floorwalker-offer');
             return host && host.shadowRoot.querySelector('p').textContent;",
        );
        text.as_str().map(str::to_owned)
    })
    .expect("the offer did not appear in the page");
    assert_eq!(shown, "Hi! Can I help you find the right size?");
    // Its progress: the widget is on screen.
    tmux.wait_for("offer shown", SEEN);

    // The audit trail says who sent it.
    let mut admin = connect_operator(&server, Role::Admin);
    let audit = js_request(
        &mut admin,
        "$JS.API.STREAM.MSG.GET.AUDIT",
        r#"{"last_by_subj":"fw.audit.dashboard.offer"}"#,
    );
    let data = audit["message"]["data"].as_str().expect("an audited offer");
    let record: serde_json::Value =
        serde_json::from_slice(&data_encoding::BASE64.decode(data.as_bytes()).unwrap()).unwrap();
    assert_eq!(record["text"], "Hi! Can I help you find the right size?");
    assert_eq!(record["site"], "shop");

    browser.execute(
        "document.getElementById('floorwalker-offer').shadowRoot
           .querySelector('button.decline').click(); return true;",
    );
    tmux.wait_for("declined", SEEN);
    tmux.send_keys("o");
    let screen = tmux.wait_for("Not sent", SEEN);
    assert!(screen.contains("declined an offer"), "{screen}");
}

#[test]
fn a_shopper_going_back_and_forth_is_flagged_with_why_until_offered_help() {
    let (shop, server) = shop_and_server();
    create_streams(&server);
    agent_available(&server);
    let tmux = open_dashboard_sized(&server, 200, 60);
    tmux.wait_for("1 agent", SEEN);
    let browser = Browser::start();
    // Each product page stays until the dashboard has heard of it: the
    // plugin starts on a page once it is idle, and a page left before
    // that records no product view.
    for page in ["/trail-runner.html", "/road-racer.html"] {
        browser.goto(&shop.url(page));
        tmux.wait_for(page, SEEN);
    }
    browser.goto(&shop.url("/trail-runner.html"));
    // The plugin reports the toggling; the row says why, 200 columns wide.
    let screen = tmux.wait_for("toggling 2 products for", SEEN);
    let row = screen
        .lines()
        .find(|l| l.contains("toggling 2 products for"))
        .unwrap_or_default();
    // After the selection marker's column.
    assert_eq!(row.chars().nth(1), Some('!'), "{screen}");
    assert!(row.contains("/trail-runner.html"), "{screen}");

    // Only who needs help; then help them: an offer silences the flag.
    tmux.send_keys("!");
    tmux.wait_for("Shoppers (1 of 1 online, needs help)", SEEN);
    tmux.send_keys("j");
    tmux.send_keys("o");
    tmux.wait_for("Offer a chat", SEEN);
    tmux.send_keys("Enter");
    tmux.wait_for("Offer sent", SEEN);
    let screen = tmux.wait_for("No shopper matches the filter", SEEN);
    assert!(!screen.contains("toggling 2 products"), "{screen}");
    tmux.send_keys("!");
    let screen = tmux.wait_for("/trail-runner.html", SEEN);
    assert!(!screen.contains("toggling 2 products"), "{screen}");
}

#[test]
fn hostile_page_titles_reach_the_terminal_inert() {
    let (shop, server) = shop_and_server();
    create_streams(&server);
    let tmux = open_dashboard(&server);
    tmux.wait_for("No shoppers", SEEN);
    let browser = Browser::start();
    browser.goto(&shop.url("/"));
    tmux.wait_for("Shoppers (1)", SEEN);
    // Clear the screen, set the window title, override the text direction.
    browser.execute(
        "document.title = '\\u001b[2J\\u001b]0;pwned\\u0007\\u202eevil';
         history.pushState({}, '', '/x\\u001b[31m');
         return true;",
    );
    // The row shows the title too: wait for the row, then open the journey.
    tmux.wait_for("pwned", SEEN);
    tmux.send_keys("Enter");
    let screen = tmux.wait_for("Journey (Esc", SEEN);
    // Had the escapes reached the terminal, the screen would have been
    // cleared and the text would not be there as text.
    assert!(
        screen.contains("[2J") && screen.contains("]0;pwned"),
        "{screen}"
    );
    assert!(screen.contains("Floorwalker"), "{screen}");
    assert!(screen.contains("Journey"), "{screen}");
}

#[test]
fn a_lost_connection_shows_a_banner_and_the_view_survives_until_it_returns() {
    let (shop, mut server) = shop_and_server();
    create_streams(&server);
    let tmux = open_dashboard(&server);
    let _browser = shopper(&shop);
    tmux.wait_for("/trail-runner.html", SEEN);

    server.stop_server();
    let screen = tmux.wait_for("NATS connection lost", SEEN);
    assert!(screen.contains("/trail-runner.html"), "{screen}");
    server.start_server();
    let screen = wait_until(Duration::from_secs(60), || {
        let screen = tmux.screen();
        (!screen.contains("connection lost") && screen.contains("live")).then_some(screen)
    })
    .unwrap_or_else(|| panic!("the banner stayed:\n{}", tmux.screen()));
    assert!(screen.contains("/trail-runner.html"), "{screen}");
}

#[test]
fn wrong_credentials_or_no_server_are_told_plainly() {
    let server = TestServer::start();
    std::fs::create_dir(server.dir().join("wrong")).unwrap();
    let creds = server.dir().join("wrong").join("dashboard.creds");
    // Another deployment's credentials for the dashboard.
    let wrong = floorwalker_tests::clients::foreign_creds(Role::Dashboard, "dashboard");
    wrong.store(&creds).unwrap();
    for (url, says) in [
        (
            server.server().client_url(),
            "refused the credentials of user 'dashboard'",
        ),
        (
            "nats://127.0.0.1:1".to_owned(),
            "point to another with --server URL or NATS_URL",
        ),
    ] {
        // `sleep 30` keeps the pane, and what was printed, until the test has read it.
        let command = format!(
            "env RUST_BACKTRACE=0 {} --data-dir '{dir}' --server {url} --creds '{}'; echo exit=$?; sleep 30",
            floorwalker().display(),
            creds.display(),
            dir = server.dir().display(),
        );
        let tmux = Tmux::start(&command, 100, 24);
        tmux.wait_for("exit=", SEEN);
        // The one line, however the terminal wrapped it.
        let screen = tmux.transcript();
        assert!(screen.contains(says), "{screen}");
        assert!(!screen.contains("exit=0"), "{screen}");
    }
}

/// The whole story with every real part: the supervisor offers a chat from
/// the dashboard, the shopper in Chromium accepts, the agent's console in
/// tmux claims it and answers, the page shows the answer, the agent ends
/// the chat, the shopper answers No, and the incident shows in the
/// dashboard's desk view.
#[test]
fn an_offer_accepted_in_the_browser_is_answered_from_the_console_and_a_no_becomes_an_incident() {
    let (shop, server) = shop_and_server();
    create_streams(&server);
    let _router = server.start_router();
    let console = crate::chat::open_console(&server);
    console.wait_for("0 waiting", SEEN);
    let dashboard = open_dashboard(&server);
    let browser = shopper(&shop);
    dashboard.wait_for("/trail-runner.html", SEEN);
    dashboard.wait_for("1 agent", SEEN);

    dashboard.send_keys("j");
    dashboard.send_keys("o");
    dashboard.wait_for("Offer a chat", SEEN);
    dashboard.send_keys("Enter");
    wait_until(SEEN, || {
        browser
            .execute("return document.getElementById('floorwalker-offer') !== null;")
            .as_bool()
            .filter(|shown| *shown)
    })
    .expect("the offer did not appear");
    browser.execute(
        "document.getElementById('floorwalker-offer').shadowRoot
           .querySelector('button.accept').click(); return true;",
    );
    let chat_text = || {
        browser
            .execute(
                "const host = document.getElementById('floorwalker-chat');
                 return host ? host.shadowRoot.textContent : '';",
            )
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    wait_until(SEEN, || chat_text().contains("number 1").then_some(()))
        .unwrap_or_else(|| panic!("no place in the queue: {}", chat_text()));
    dashboard.wait_for("queued", SEEN);

    console.wait_for("1 waiting", SEEN);
    console.send_keys("n");
    console.wait_for("yours", SEEN);
    console.send_keys("Hello! The Trail Runner fits true to size.");
    console.send_keys("Enter");
    wait_until(SEEN, || {
        chat_text()
            .contains("agent: Hello! The Trail Runner fits true to size.")
            .then_some(())
    })
    .unwrap_or_else(|| panic!("the answer never reached the page: {}", chat_text()));
    dashboard.wait_for("chatting", SEEN);

    console.send_keys("Escape");
    // Out of the reply field before `e` (an Escape and a key at once read
    // as Alt and the key).
    console.wait_for("n claim", SEEN);
    console.send_keys("e");
    console.wait_for("send the survey?", SEEN);
    console.send_keys("y");
    wait_until(SEEN, || {
        browser
            .execute("return document.getElementById('floorwalker-survey') !== null;")
            .as_bool()
            .filter(|shown| *shown)
    })
    .expect("the survey did not appear");
    browser.execute(
        "const root = document.getElementById('floorwalker-survey').shadowRoot;
         root.querySelector('input').value = 'I wanted a size chart';
         root.querySelector('button.no').click(); return true;",
    );

    dashboard.send_keys("a");
    dashboard.wait_for("INCIDENT untaken", SEEN);
    let screen = dashboard.wait_for("1 incident ", SEEN);
    assert!(screen.contains("did NOT help"), "{screen}");
    assert!(screen.contains("I wanted a size"), "{screen}");
    assert!(screen.contains("offer ACCEPTED"), "the journey: {screen}");
    console.wait_for("Incidents (1)", SEEN);
}
