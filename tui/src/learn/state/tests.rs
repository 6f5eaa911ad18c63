use floorwalker_shared::chat::{ChatFact, DeskFact};
use floorwalker_shared::event::ShopperEvent;
use floorwalker_shared::memory::{DAY_MS, Recall};
use floorwalker_shared::subject::{SessionSubjects, SiteId};
use floorwalker_shared::testing::{
    MINUTE, T0, batch, chat_message, desk_message, order, page, request, session,
};
use floorwalker_shared::wire::encode_batch;

use super::*;

const VISITOR: &str = "visitor-1";

fn visit_batch(l: &mut Learner, s: &SessionSubjects, seq: u64, at: u64, kinds: Vec<ShopperEvent>) {
    let mut b = batch(seq, at, kinds);
    b.visitor = Some(VISITOR.into());
    l.batch(&s.events(), &encode_batch(&b), at);
}

fn id() -> VisitorId {
    (SiteId::new("shoes").unwrap(), VISITOR.into())
}

fn survey(chat: &str, helped: bool) -> ChatFact {
    ChatFact::Survey {
        chat_id: chat.into(),
        helped,
        comment: None,
    }
}

#[test]
fn two_sessions_of_one_visitor_are_two_visits_and_a_replay_changes_nothing() {
    let mut l = Learner::new(LearnConfig::default());
    let (first, second) = (session(1), session(2));
    visit_batch(&mut l, &first, 0, T0, vec![page("/"), page("/shoes")]);
    visit_batch(&mut l, &second, 0, T0 + 2 * DAY_MS, vec![page("/")]);
    visit_batch(
        &mut l,
        &second,
        1,
        T0 + 2 * DAY_MS + MINUTE,
        vec![order("o-1", 8_900)],
    );
    let written = l.take_dirty();
    assert_eq!(written.len(), 1);
    let memory = l.memory(&id()).unwrap().clone();
    assert_eq!(memory.visit_count(), 2);
    assert_eq!(memory.visits[0].pages, 2);
    assert_eq!(memory.visits_to_first_order(), Some(2));
    assert_eq!(l.first_purchase(&id().0).unwrap().median(), Some(2));
    assert_eq!(l.take_dirty_sites().len(), 1);

    // The same batches again (a restart reading the stream anew, a
    // resend): nothing changes, nothing is written.
    visit_batch(&mut l, &first, 0, T0, vec![page("/"), page("/shoes")]);
    visit_batch(
        &mut l,
        &second,
        1,
        T0 + 2 * DAY_MS + MINUTE,
        vec![order("o-1", 8_900)],
    );
    assert!(l.take_dirty().is_empty());
    assert!(l.take_dirty_sites().is_empty());
    assert_eq!(l.memory(&id()), Some(&memory));
}

#[test]
fn a_fresh_learner_over_a_stored_memory_rebuilds_the_same() {
    let mut first = Learner::new(LearnConfig::default());
    let s = session(1);
    visit_batch(&mut first, &s, 0, T0, vec![page("/")]);
    let (chat_subject, chat_payload) = chat_message(&s, request("c-1"));
    first.fact(&chat_subject, &chat_payload, T0 + MINUTE);
    let stored = first.take_dirty();

    let mut again = Learner::new(LearnConfig::default());
    for ((site, visitor), memory) in stored {
        again.load(&(site, visitor), memory);
    }
    visit_batch(&mut again, &s, 0, T0, vec![page("/")]);
    again.fact(&chat_subject, &chat_payload, T0 + MINUTE);
    assert!(again.take_dirty().is_empty());
    assert_eq!(again.memory(&id()), first.memory(&id()));
}

#[test]
fn a_chat_heard_before_its_session_still_reaches_the_visitor_with_its_answer() {
    let mut l = Learner::new(LearnConfig::default());
    let s = session(1);
    // AUDIT is read beside EVENTS: the chat may come first.
    let (subject, payload) = chat_message(&s, request("c-1"));
    l.fact(&subject, &payload, T0 + MINUTE);
    let (subject, payload) = chat_message(&s, survey("c-1", false));
    l.fact(&subject, &payload, T0 + 3 * MINUTE);
    let (subject, payload) = desk_message(
        "router",
        DeskFact::Incident {
            chat_id: "c-1".into(),
            journey: vec![],
        },
    );
    l.fact(&subject, &payload, T0 + 3 * MINUTE);
    assert!(l.memory(&id()).is_none());
    visit_batch(&mut l, &s, 0, T0, vec![page("/")]);
    let chats = &l.memory(&id()).unwrap().chats;
    assert_eq!(chats.len(), 1);
    assert_eq!(chats[0].helped, Some(false));
    assert!(chats[0].incident);

    // The next visit recalls it.
    let recall = Recall::of(l.memory(&id()).unwrap(), "next", T0 + DAY_MS);
    assert_eq!(
        recall.line(T0 + DAY_MS + MINUTE),
        "2nd visit · last 1 day ago via direct · earlier chat: answered No, incident"
    );
}

#[test]
fn another_sessions_survey_or_chat_id_is_not_taken() {
    let mut l = Learner::new(LearnConfig::default());
    let (mine, other) = (session(1), session(2));
    visit_batch(&mut l, &mine, 0, T0, vec![page("/")]);
    let (subject, payload) = chat_message(&mine, request("c-1"));
    l.fact(&subject, &payload, T0);
    for fact in [request("c-1"), survey("c-1", true)] {
        let (subject, payload) = chat_message(&other, fact);
        l.fact(&subject, &payload, T0 + MINUTE);
    }
    let chats = &l.memory(&id()).unwrap().chats;
    assert_eq!(chats[0].helped, None);
    assert_eq!(chats[0].session, mine.token().as_str());
}

#[test]
fn what_is_not_a_batch_or_fact_is_counted_and_bounds_hold() {
    let mut l = Learner::new(LearnConfig {
        max_sessions: 1,
        ..LearnConfig::default()
    });
    l.batch(&session(1).events(), b"not json", T0);
    l.batch(&session(1).chat(), b"{}", T0);
    l.fact(&session(1).chat(), b"{", T0);
    assert_eq!(l.counts().refused, 3);
    visit_batch(&mut l, &session(1), 0, T0, vec![page("/")]);
    visit_batch(&mut l, &session(2), 0, T0, vec![page("/")]);
    assert_eq!(l.counts().full, 1);
    assert_eq!(l.sessions(), 1);
}

#[test]
fn sweeping_forgets_idle_sessions_but_not_their_visits() {
    let mut l = Learner::new(LearnConfig::default());
    visit_batch(&mut l, &session(1), 0, T0, vec![page("/")]);
    l.sweep(T0 + 2 * 60 * MINUTE);
    assert_eq!(l.sessions(), 0);
    assert_eq!(l.memory(&id()).unwrap().visit_count(), 1);
    // Past the memory's retention, the visit goes too, and is written as
    // empty (deleted).
    l.take_dirty();
    l.sweep(T0 + 181 * DAY_MS);
    let written = l.take_dirty();
    assert_eq!(written.len(), 1);
    assert!(written[0].1.is_empty());
    assert_eq!(l.visitors(), 0);
}
