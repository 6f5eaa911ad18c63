use floorwalker::feed::{Feed, Stored};
use floorwalker_shared::event::ShopperEvent;
use floorwalker_shared::session::State;
use floorwalker_shared::subject::SiteId;
use floorwalker_shared::testing::{self, T0, cart_add as cart, page_titled as page, session};
use pretty_assertions::assert_eq;

use super::*;
use crate::cmd::dashboard::keymap::Action;
use crate::cmd::dashboard::table;

/// Shopper `n`'s batch as the `EVENTS` feed hands it over, heard at
/// `heard_ms`.
pub(crate) fn batch(n: u32, seq: u64, heard_ms: u64, kinds: Vec<ShopperEvent>) -> Msg {
    Msg::Events(Feed::Message(Stored {
        subject: session(n).events(),
        payload: testing::payload(seq, heard_ms, kinds).into(),
        at_ms: heard_ms,
    }))
}

/// A chat or desk fact as the `AUDIT` feed hands it over.
pub(crate) fn audit(
    (subject, payload): (floorwalker_shared::subject::Subject, Vec<u8>),
    at_ms: u64,
) -> Msg {
    Msg::Audit(Feed::Message(Stored {
        subject,
        payload: payload.into(),
        at_ms,
    }))
}

fn app() -> App {
    App::new(
        "sam",
        vec!["Can I help you choose?".to_owned()],
        FloorConfig::default(),
        "n0nce",
        T0,
    )
}

fn key(app: &mut App, action: Action) -> Vec<Effect> {
    app.update(Msg::Press(crate::cmd::dashboard::keymap::press(action)))
}

#[test]
fn the_selection_moves_through_the_rows_in_sort_order() {
    let mut a = app();
    // Sorted by who needs help: nobody is flagged, so the larger carts
    // first (they count in the score): 3, 1, 2.
    a.update(batch(1, 0, T0, vec![page("/a", "A"), cart(5_000)]));
    a.update(batch(2, 0, T0, vec![page("/b", "B")]));
    a.update(batch(3, 0, T0, vec![page("/c", "C"), cart(9_000)]));
    key(&mut a, Action::Down);
    assert_eq!(a.selected, Some(session(3)), "the first row first");
    key(&mut a, Action::Down);
    key(&mut a, Action::Down);
    key(&mut a, Action::Down);
    assert_eq!(a.selected, Some(session(2)), "stops at the last row");
    key(&mut a, Action::First);
    assert_eq!(a.selected, Some(session(3)));
    key(&mut a, Action::Reverse);
    key(&mut a, Action::First);
    assert_eq!(a.selected, Some(session(2)));
}

#[test]
fn filters_narrow_the_rows_and_esc_clears_them() {
    let mut a = app();
    a.update(batch(1, 0, T0, vec![page("/shoes/trail", "Trail")]));
    a.update(batch(2, 0, T0, vec![page("/hats", "Hats")]));
    key(&mut a, Action::Search);
    assert!(a.typing());
    for c in "TRAIL".chars() {
        a.update(Msg::Press(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char(c),
        )));
    }
    key(&mut a, Action::Confirm);
    let rows = table::rows(&a.floor, a.now_ms, &a.filter, a.sort);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].session.subjects(), &session(1));

    key(&mut a, Action::Back);
    assert_eq!(a.filter, Filter::default());
    key(&mut a, Action::StateFilter);
    assert_eq!(a.filter.state, Some(State::Browsing));
    key(&mut a, Action::StateFilter);
    assert_eq!(a.filter.state, Some(State::InCheckout));
    assert!(table::rows(&a.floor, a.now_ms, &a.filter, a.sort).is_empty());
}

#[test]
fn filtering_with_a_journey_open_keeps_the_journey_open() {
    let mut a = app();
    a.update(batch(1, 0, T0, vec![page("/shoes/trail", "Trail")]));
    key(&mut a, Action::Down);
    key(&mut a, Action::Open);
    key(&mut a, Action::Search);
    assert!(a.typing());
    a.update(Msg::Press(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Char('t'),
    )));
    key(&mut a, Action::Confirm);
    assert_eq!(a.mode, Mode::Journey(Pane::Detail));
    assert_eq!(a.filter.text, "t");
}

/// An agent's status in the stream, so offers can be answered.
fn agent_online(a: &mut App) {
    a.update(audit(
        testing::desk_message("ana", testing::available(2)),
        T0,
    ));
}

#[test]
fn no_offer_is_made_that_no_agent_can_answer() {
    let mut a = app();
    a.update(batch(1, 0, T0, vec![page("/", "Home")]));
    key(&mut a, Action::Down);
    key(&mut a, Action::Offer);
    assert_eq!(a.offer_dialog(), None);
    assert_eq!(a.notice.as_ref().unwrap().text, strings::OFFER_NO_AGENT);
    agent_online(&mut a);
    key(&mut a, Action::Offer);
    assert!(
        a.offer_dialog().is_some(),
        "with an agent online the dialog opens"
    );
}

#[test]
fn an_offer_goes_to_the_selected_shopper_with_a_template_or_typed_text() {
    let mut a = app();
    agent_online(&mut a);
    a.update(batch(1, 0, T0, vec![page("/", "Home")]));
    key(&mut a, Action::Down);
    key(&mut a, Action::Offer);
    let effects = key(&mut a, Action::Confirm);
    let [
        Effect::SendOffer {
            session: to,
            record,
        },
    ] = &effects[..]
    else {
        panic!("{effects:?}")
    };
    assert_eq!(
        (to, record.text.as_str(), record.by.as_str()),
        (&session(1), "Can I help you choose?", "sam")
    );

    // Typed text, on another shopper.
    a.update(batch(2, 0, T0, vec![page("/", "Home")]));
    key(&mut a, Action::Down);
    key(&mut a, Action::Offer);
    key(&mut a, Action::Down);
    assert!(a.typing());
    for c in "Free shipping today!".chars() {
        a.update(Msg::Press(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char(c),
        )));
    }
    let effects = key(&mut a, Action::Confirm);
    assert!(
        matches!(&effects[..], [Effect::SendOffer { record, .. }] if record.text == "Free shipping today!"),
        "{effects:?}"
    );
}

#[test]
fn a_shopper_who_declined_is_not_offered_again_and_the_dashboard_says_why() {
    let mut a = app();
    a.update(batch(1, 0, T0, vec![page("/", "Home")]));
    a.update(Msg::OfferDone(Ok(OfferRecord {
        site: "shoes".to_owned(),
        token: session(1).token().as_str().to_owned(),
        offer_id: "of-1".to_owned(),
        text: "Help?".to_owned(),
        by: "kim".to_owned(),
        sent_ms: T0,
    })));
    key(&mut a, Action::Down);
    key(&mut a, Action::Offer);
    assert_eq!(a.offer_dialog(), None);
    assert_eq!(a.notice.as_ref().unwrap().text, strings::OFFER_PENDING);

    let declined = ShopperEvent::OfferDeclined {
        offer_id: "of-1".to_owned(),
    };
    a.update(batch(1, 1, T0 + 1_000, vec![declined]));
    let effects = key(&mut a, Action::Offer);
    assert_eq!(effects, []);
    assert_eq!(a.offer_dialog(), None);
    assert_eq!(a.notice.as_ref().unwrap().text, strings::OFFER_DECLINED);
}

#[test]
fn quitting_works_from_anywhere_and_esc_backs_out_first() {
    let mut a = app();
    a.update(batch(1, 0, T0, vec![page("/", "Home")]));
    key(&mut a, Action::Down);
    key(&mut a, Action::Open);
    assert!(a.journey().is_some());
    assert_eq!(key(&mut a, Action::Back), []);
    assert!(a.journey().is_none());
    key(&mut a, Action::Help);
    assert_eq!(key(&mut a, Action::Quit), [Effect::Quit]);
    let mut b = app();
    assert_eq!(key(&mut b, Action::Back), [Effect::Quit]);
}

#[test]
fn notices_go_away_after_a_while() {
    let mut a = app();
    key(&mut a, Action::Offer);
    assert!(a.notice.is_some());
    a.update(Msg::Tick { now_ms: T0 + 9_000 });
    assert_eq!(a.notice, None);
}

#[test]
fn a_dashboard_for_one_site_counts_that_sites_chats_only() {
    let request = |site: &str, n: u32| {
        let shopper = testing::session_on(site, n);
        let fact = testing::request(&format!("chat-{site}-{n}"));
        audit(testing::chat_message(&shopper, fact), T0)
    };
    let mut every = app();
    let mut shoes = app();
    shoes.site = Some(SiteId::new("shoes").unwrap());
    for a in [&mut every, &mut shoes] {
        agent_online(a);
        for msg in [request("shoes", 1), request("hats", 2), request("hats", 3)] {
            a.update(msg);
        }
        a.update(Msg::Tick { now_ms: T0 + 5_000 });
    }
    assert_eq!(every.figures.service.waiting, 3);
    assert_eq!(shoes.figures.service.waiting, 1);
    // The agents serve every site.
    assert_eq!(shoes.figures.service.agents_available, 1);
}

#[test]
fn the_same_messages_give_the_same_effects_so_nothing_hides_a_clock_or_a_dice() {
    let run = || {
        let mut a = app();
        agent_online(&mut a);
        a.update(batch(1, 0, T0, vec![page("/", "Home")]));
        key(&mut a, Action::Down);
        key(&mut a, Action::Offer);
        let mut effects = key(&mut a, Action::Confirm);
        a.update(Msg::Tick { now_ms: T0 + 1_000 });
        a.update(batch(2, 0, T0 + 1_000, vec![page("/", "Home")]));
        key(&mut a, Action::Down);
        key(&mut a, Action::Offer);
        effects.extend(key(&mut a, Action::Confirm));
        effects
    };
    let (first, second) = (run(), run());
    assert_eq!(first, second);
    let ids: Vec<&str> = first
        .iter()
        .filter_map(|e| match e {
            Effect::SendOffer { record, .. } => Some(record.offer_id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1], "two offers, two ids");
    assert!(ids.iter().all(|id| id.contains("n0nce")), "{ids:?}");
}

#[test]
fn an_offer_is_noted_when_it_went_out_and_a_failure_is_said() {
    let mut a = app();
    agent_online(&mut a);
    a.update(batch(1, 0, T0, vec![page("/", "Home")]));
    key(&mut a, Action::Down);
    key(&mut a, Action::Offer);
    let effects = key(&mut a, Action::Confirm);
    let [Effect::SendOffer { record, .. }] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(a.notice.as_ref().unwrap().text, strings::OFFER_SENDING);
    assert_eq!(a.mode, Mode::Floor, "the dialog closes at once");
    a.update(Msg::OfferDone(Err(floorwalker::offers::OfferError::Audit(
        "no stream".to_owned(),
    ))));
    assert_eq!(
        a.notice.as_ref().unwrap().text,
        "Offer not sent: no audit trail stored it (no stream); an admin must create the AUDIT \
         stream."
    );
    let state = |a: &App| a.floor.state(a.floor.get(&session(1)).unwrap(), a.now_ms);
    assert_eq!(state(&a), State::Browsing, "not sent, not offered");
    a.update(Msg::OfferDone(Ok(record.clone())));
    assert_eq!(state(&a), State::Offered);
    assert_eq!(a.notice.as_ref().unwrap().text, strings::OFFER_SENT);
}

#[test]
fn a_failing_feed_shows_a_banner_and_the_floor_stays() {
    let mut a = app();
    a.update(batch(1, 0, T0, vec![page("/", "Home")]));
    a.update(Msg::Events(Feed::CaughtUp { read: 1 }));
    assert_eq!(a.conn, Conn::Live);
    a.update(Msg::Events(Feed::Down(
        "reading the EVENTS stream failed unexpectedly".to_owned(),
    )));
    assert!(a.trouble.is_some());
    assert_eq!(a.floor.len(), 1, "what was known stays");
    a.update(batch(2, 0, T0 + 2_000, vec![page("/b", "B")]));
    assert_eq!(a.trouble, None, "reading again clears the banner");
    assert_eq!(a.floor.len(), 2);
}

#[test]
fn a_page_moves_as_far_as_the_terminal_shows_rows() {
    let mut a = app();
    for n in 0..60 {
        a.update(batch(n, 0, T0, vec![page(&format!("/p{n:02}"), "P")]));
    }
    a.sort = Sort {
        column: crate::cmd::dashboard::table::Column::Page,
        descending: false,
    };
    let index = |a: &App| {
        let rows = table::rows(&a.floor, a.now_ms, &a.filter, a.sort);
        rows.iter()
            .position(|r| Some(r.session.subjects()) == a.selected.as_ref())
    };
    a.update(Msg::Resize {
        width: 80,
        height: 24,
    });
    key(&mut a, Action::First);
    key(&mut a, Action::PageDown);
    let small = index(&a).unwrap();
    a.update(Msg::Resize {
        width: 80,
        height: 40,
    });
    key(&mut a, Action::First);
    key(&mut a, Action::PageDown);
    let big = index(&a).unwrap();
    assert_eq!(small, crate::cmd::dashboard::view::table_rows(80, 24));
    assert!(big > small, "{big} > {small}");
}

#[test]
fn bang_shows_only_who_needs_help_and_n_puts_them_first() {
    let mut a = app();
    // 1 reaches for the tabs with a small cart; 2 has a large cart and is
    // fine; 3 reaches for the tabs too, but is already chatting.
    let leaving = |value| vec![page("/cart", "Cart"), cart(value), ShopperEvent::ExitIntent];
    a.update(batch(1, 0, T0, leaving(1_500)));
    a.update(batch(2, 0, T0, vec![page("/", "Home"), cart(90_000)]));
    a.update(batch(3, 0, T0, leaving(9_000)));
    a.floor.chat_phase(
        &session(3),
        Some(floorwalker_shared::session::ChatPhase::Chatting),
    );
    let order = |a: &App| -> Vec<SessionSubjects> {
        table::rows(&a.floor, a.now_ms, &a.filter, a.sort)
            .iter()
            .map(|r| r.session.subjects().clone())
            .collect()
    };
    assert_eq!(
        order(&a),
        [session(1), session(2), session(3)],
        "flagged first"
    );
    key(&mut a, Action::Sort);
    assert_eq!(
        a.sort.column,
        table::Column::Site,
        "s moves on from the need"
    );
    key(&mut a, Action::NeedsHelpSort);
    assert_eq!(a.sort, Sort::default());

    key(&mut a, Action::NeedsHelpFilter);
    assert_eq!(order(&a), [session(1)]);
    assert!(a.filter.is_active());
    key(&mut a, Action::NeedsHelpFilter);
    assert_eq!(order(&a).len(), 3, "! again shows everyone");
    key(&mut a, Action::NeedsHelpFilter);
    key(&mut a, Action::Back);
    assert_eq!(a.filter, Filter::default(), "Esc clears it with the rest");
}

#[test]
fn a_journey_opens_with_the_visitors_earlier_visits() {
    use floorwalker_shared::memory::{Memory, MemoryConfig, Visit};
    let mut a = app();
    let mut b = testing::batch(0, T0, vec![page("/shoes/trail", "Trail")]);
    b.visitor = Some("v-7".into());
    a.update(Msg::Events(Feed::Message(Stored {
        subject: session(1).events(),
        payload: floorwalker_shared::wire::encode_batch(&b).into(),
        at_ms: T0,
    })));
    key(&mut a, Action::Down);
    // Not read while only the table shows.
    assert!(
        !a.update(Msg::Tick { now_ms: T0 })
            .iter()
            .any(|e| matches!(e, Effect::ReadMemory(_)))
    );
    let id = (SiteId::new("shoes").unwrap(), "v-7".to_owned());
    assert_eq!(
        key(&mut a, Action::Open),
        vec![Effect::ReadMemory(id.clone())]
    );
    // Asked once, not at every message.
    assert_eq!(a.update(Msg::Tick { now_ms: T0 + 100 }), vec![]);
    let mut memory = Memory::default();
    memory.visit(
        Visit {
            session: "earlier".into(),
            started_ms: T0 - 2 * 86_400_000,
            last_ms: T0 - 2 * 86_400_000 + 60_000,
            source: "newsletter".into(),
            pages: 4,
            order: None,
        },
        &MemoryConfig::default(),
    );
    a.update(Msg::Memory(id, Ok(Some(memory))));
    let s = a.floor.get(&session(1)).unwrap();
    assert_eq!(
        a.memories.line(s, a.now_ms),
        "2nd visit · last 1 day ago via newsletter"
    );
}

#[test]
fn i_opens_the_insights_from_the_floor_the_journey_and_the_desk_and_closes_them() {
    use crate::cmd::dashboard::supervise::DeskMode;
    let mut a = app();
    a.update(batch(1, 0, T0, vec![page("/a", "A")]));
    key(&mut a, Action::Insights);
    assert_eq!(a.mode, Mode::Insights);
    // What the floor's keys do means nothing here; no offer goes out.
    assert_eq!(key(&mut a, Action::Offer), Vec::<Effect>::new());
    assert_eq!(a.mode, Mode::Insights);
    key(&mut a, Action::Help);
    assert_eq!(a.mode, Mode::Help(Box::new(Mode::Insights)));
    assert_eq!(a.base(), &Mode::Insights);
    key(&mut a, Action::Back);
    assert_eq!(a.mode, Mode::Insights, "the help closes back to it");
    key(&mut a, Action::Insights);
    assert_eq!(a.mode, Mode::Floor, "i again: the shoppers");

    key(&mut a, Action::Open);
    assert_eq!(a.mode, Mode::Journey(Pane::Detail));
    key(&mut a, Action::Insights);
    key(&mut a, Action::Back);
    assert_eq!(a.mode, Mode::Floor, "Esc: the shoppers");

    key(&mut a, Action::Desk);
    key(&mut a, Action::Insights);
    assert_eq!(a.mode, Mode::Insights, "from the desk");
    key(&mut a, Action::Desk);
    assert_eq!(a.mode, Mode::Desk(DeskMode::Browse), "and back to it");
    // Typing in the desk, i is a letter of the text.
    a.mode = Mode::Desk(DeskMode::Typing(
        crate::cmd::dashboard::supervise::Say::Whisper,
        String::new(),
    ));
    key(&mut a, Action::Insights);
    assert_eq!(
        a.mode,
        Mode::Desk(DeskMode::Typing(
            crate::cmd::dashboard::supervise::Say::Whisper,
            "i".to_owned()
        ))
    );
    assert_eq!(key(&mut a, Action::Quit), [Effect::Quit]);
}
