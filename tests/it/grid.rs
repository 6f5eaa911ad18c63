// The dashboard in a real terminal keeps its grid whatever shoppers send.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use floorwalker_shared::chat::{ChatEnvelope, ChatFact};
use floorwalker_shared::event::{Batch, CartLine, Event, ShopperEvent, Utm};
use floorwalker_shared::nats::{ClientOp, ServerOp};
use floorwalker_shared::sanitize::width;
use floorwalker_shared::subject::{SessionSubjects, Subject};
use floorwalker_shared::testing::NAUGHTY;
use floorwalker_shared::wire::encode_batch;
use floorwalker_tests::clients::{connect_shopper, new_shopper};
use floorwalker_tests::raw::{RawClient, Ws};
use floorwalker_tests::server::TestServer;
use floorwalker_tests::setup::create_streams;
use floorwalker_tests::tmux::Tmux;
use floorwalker_tests::wait_until;

const WAIT: Duration = Duration::from_secs(5);
const SEEN: Duration = Duration::from_secs(30);
const WIDTH: u16 = 80;
const HEIGHT: u16 = 24;

/// Publishes `payload` on `subject` as the plugin does; a chat fact (with
/// its dedupe `id`) is answered on the page's inbox once stored, and this
/// waits for that answer.
fn store(
    client: &mut RawClient<Ws>,
    s: &SessionSubjects,
    subject: Subject,
    payload: Vec<u8>,
    id: Option<&str>,
) {
    let reply = id.map(|id| s.inbox(id).unwrap());
    client
        .send(&[ClientOp::Pub {
            subject,
            reply: reply.clone(),
            headers: None,
            payload,
        }])
        .unwrap();
    let Some(reply) = reply else { return };
    loop {
        match client.next_significant(WAIT).expect("an acknowledgement") {
            ServerOp::Msg(msg) if msg.subject == reply => return,
            ServerOp::Err(e) => panic!("refused: {e:?}"),
            _ => {}
        }
    }
}

/// A shopper whose page, title, referrer, source, search, cart and chat
/// carry hostile text (the `n`th pieces of [`NAUGHTY`]).
fn hostile_shopper(server: &TestServer, n: usize) -> RawClient<Ws> {
    let cred = new_shopper("shop");
    let s = cred.subjects();
    let mut client = connect_shopper(server, &cred).unwrap();
    client
        .send(&[ClientOp::Sub {
            subject: s.inbox_wildcard(),
            queue: None,
            sid: 1,
        }])
        .unwrap();
    let piece = |k: usize| NAUGHTY[(n * 7 + k) % NAUGHTY.len()];
    let now = u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();
    let kinds = vec![
        ShopperEvent::PageView {
            path: format!("/p{n}/{}", piece(0)),
            title: piece(1).to_owned(),
            referrer: Some(format!("https://{}/", piece(2))),
            utm: Some(Utm {
                source: Some(piece(3).to_owned()),
                medium: None,
                campaign: None,
            }),
        },
        ShopperEvent::SiteSearch {
            query: format!("q {}", piece(4)),
        },
        ShopperEvent::CartAdd(CartLine {
            sku: format!("sku-{}", piece(5)),
            quantity: 1,
            value_minor: 4_990,
        }),
    ];
    let events = kinds
        .into_iter()
        .map(|kind| Event { at_ms: now, kind })
        .collect();
    let batch = Batch::new(0, "EUR", events);
    store(&mut client, &s, s.events(), encode_batch(&batch), None);
    if n % 2 == 0 {
        let chat_id = format!("chat-{n}");
        for fact in [
            ChatFact::Request {
                chat_id: chat_id.clone(),
                offer_id: None,
            },
            ChatFact::Message {
                chat_id: chat_id.clone(),
                msg_id: "m1".into(),
                text: format!("{} {} {}", piece(6), piece(0), piece(1)),
            },
        ] {
            let id = fact.dedupe_id();
            store(
                &mut client,
                &s,
                s.chat(),
                ChatEnvelope::new(fact).encode(),
                Some(&id),
            );
        }
    }
    client
}

/// The screen once it has stopped changing: the same over six captures
/// (300 ms, three of the dashboard's frames).
fn settled(tmux: &Tmux) -> String {
    let mut last = String::new();
    let mut same = 0;
    wait_until(SEEN, || {
        let now = tmux.screen();
        same = if now == last { same + 1 } else { 0 };
        last = now;
        (same >= 6).then(|| last.clone())
    })
    .expect("a screen that settles")
}

/// The characters of `line` with the column each starts at, as the
/// terminal laid them out (a zero-width character shares its column).
fn columns_of(line: &str) -> Vec<(usize, char)> {
    let mut at = 0;
    line.chars()
        .map(|c| {
            let here = (at, c);
            at += width(c.encode_utf8(&mut [0; 4]));
            here
        })
        .collect()
}

/// Where the borders are not where they belong: a line wider than the
/// terminal, a vertical border off the columns the boxes' corners set, or a
/// box whose right side is missing on a row.
fn broken_borders(screen: &str, columns: usize) -> Vec<String> {
    let rows: Vec<Vec<(usize, char)>> = screen.lines().map(columns_of).collect();
    let at = |y: usize, x: usize| rows[y].iter().find(|(c, _)| *c == x).map(|(_, ch)| *ch);
    let corners: Vec<usize> = rows
        .iter()
        .flatten()
        .filter(|(_, c)| "┌┐└┘├┤".contains(*c))
        .map(|(x, _)| *x)
        .collect();
    let mut broken = Vec::new();
    for (y, line) in screen.lines().enumerate() {
        if width(line) > columns {
            broken.push(format!("row {y} is {} columns: {line}", width(line)));
        }
        for (x, c) in &rows[y] {
            if *c == '│' && !corners.contains(x) {
                broken.push(format!("row {y} has a border at column {x}: {line}"));
            }
        }
        // Each box opened on this row: its sides on every row down to its
        // bottom.
        for (left, c) in &rows[y] {
            if *c != '┌' {
                continue;
            }
            let right = rows[y]
                .iter()
                .find(|(x, c)| x > left && "┐┌".contains(*c))
                .filter(|(_, c)| *c == '┐')
                .map(|(x, _)| *x);
            let Some(right) = right else {
                continue;
            };
            // Down the left side to the box's bottom.
            for below in
                (y + 1..rows.len()).take_while(|b| matches!(at(*b, *left), Some('│' | '├')))
            {
                if !matches!(at(below, right), Some('│' | '┤')) {
                    broken.push(format!(
                        "row {below} lacks the border at column {right}: {}",
                        screen.lines().nth(below).unwrap_or_default()
                    ));
                }
            }
        }
    }
    broken
}

/// `screen` with each figure (a run of digits, with the units of a
/// duration) as `#`, each run of a chart's bars as one bar and of spaces as
/// one, so figures moving on between two captures ("59s" becoming "1m00s")
/// are not taken for stale glyphs.
fn without_figures(screen: &str) -> String {
    let mut out = String::with_capacity(screen.len());
    // The title line is figures only, and which of them show changes as
    // they cross their targets (a wait past a minute adds itself, marked).
    let rest = screen.split_once('\n').map_or("", |(_, rest)| rest);
    for c in rest.chars() {
        let c = match c {
            '!' => continue,
            '0'..='9' => '#',
            'd' | 'h' | 'm' | 's' if out.ends_with('#') => continue,
            '▁'..='█' => '█',
            c => c,
        };
        if !(matches!(c, '#' | '█' | ' ') && out.ends_with(c)) {
            out.push(c);
        }
    }
    out
}

/// Whether `screen` is drawn whole at `columns`: a box closes on the last
/// column (a screen caught between a clear and the next frame has none),
/// and every border is in place.
fn drawn_at(screen: &str, columns: usize) -> bool {
    let closed = screen
        .lines()
        .any(|l| l.ends_with('┐') && width(l) == columns);
    closed && broken_borders(screen, columns).is_empty()
}

/// Asserts the screen keeps its borders and equals what a full redraw
/// shows: drawn at another width and back, the dashboard paints every cell
/// afresh, so a glyph left behind by an earlier screen shows as a
/// difference.
fn assert_intact(tmux: &Tmux, after: &str) {
    let shown = settled(tmux);
    let broken = broken_borders(&shown, usize::from(WIDTH));
    assert!(
        broken.is_empty(),
        "after {after}, borders out of place:\n{}\n\n{shown}",
        broken.join("\n")
    );
    for columns in [WIDTH + 1, WIDTH] {
        tmux.resize(columns, HEIGHT);
        wait_until(SEEN, || {
            drawn_at(&settled(tmux), usize::from(columns)).then_some(())
        })
        .unwrap_or_else(|| {
            panic!(
                "after {after}, not redrawn at {columns} columns:\n{}",
                tmux.screen()
            )
        });
    }
    let redrawn = settled(tmux);
    assert_eq!(
        without_figures(&shown),
        without_figures(&redrawn),
        "after {after}, the screen differs from a full redraw (stale glyphs):\n{shown}\n\nredrawn:\n{redrawn}"
    );
}

#[test]
fn paging_through_hostile_sessions_at_80_by_24_keeps_every_border_and_leaves_no_stale_glyph() {
    let server = TestServer::start();
    create_streams(&server);
    let shoppers: Vec<RawClient<Ws>> = (0..10).map(|n| hostile_shopper(&server, n)).collect();
    let tmux = crate::dashboard::open_dashboard_sized(&server, WIDTH, HEIGHT);
    tmux.wait_for(&format!("({})", shoppers.len()), SEEN);
    // Every other shopper asked for a chat: wait for the desk to know.
    let asked = shoppers.len() / 2;
    wait_until(SEEN, || {
        (tmux.screen().matches("queued").count() == asked).then_some(())
    })
    .unwrap_or_else(|| panic!("{asked} queued chats not shown:\n{}", tmux.screen()));
    assert_intact(&tmux, "opening");
    // Each key, and whether it changes what is shown (a moved selection
    // may not show without colour).
    let mut keys = Vec::new();
    for _ in 0..5 {
        keys.extend([("j", false), ("Enter", true), ("Escape", true)]);
    }
    keys.extend([("G", false), ("g", false), ("Space", false), ("a", true)]);
    keys.extend([("j", false); 6]);
    keys.push(("a", true));
    let mut before = settled(&tmux);
    for (n, (key, changes)) in keys.into_iter().enumerate() {
        tmux.send_keys(key);
        if changes {
            wait_until(SEEN, || {
                (without_figures(&settled(&tmux)) != without_figures(&before)).then_some(())
            })
            .unwrap_or_else(|| panic!("key {n} ({key}) changed nothing:\n{}", tmux.screen()));
        }
        assert_intact(&tmux, &format!("key {n} ({key})"));
        before = settled(&tmux);
    }
}
