use alloc::borrow::ToOwned;
use alloc::format;
use alloc::vec;

use pretty_assertions::assert_eq;

use super::*;
use crate::subject::{SessionToken, SiteId};

pub(crate) const T0: u64 = 1_750_000_000_000;
pub(crate) const SEC: u64 = 1_000;

pub(crate) fn session(n: u32) -> SessionSubjects {
    session_on("shoes", n)
}

pub(crate) fn session_on(site: &str, n: u32) -> SessionSubjects {
    SessionSubjects::new(
        SiteId::new(site).unwrap(),
        SessionToken::new(format!("token-{n:0>10}")).unwrap(),
    )
}

/// A desk driven by hand: each step says when the stream stored the fact.
pub(crate) struct Script {
    pub(crate) desk: Desk,
}

impl Script {
    pub(crate) fn new() -> Self {
        Self {
            desk: Desk::new(DeskConfig::default()),
        }
    }

    pub(crate) fn shopper(&mut self, n: u32, secs: u64, fact: ChatFact) -> Folded {
        self.desk
            .fold(&Fact::Shopper(session(n), fact), T0 + secs * SEC)
    }

    pub(crate) fn op(&mut self, user: &str, secs: u64, fact: DeskFact) -> Folded {
        self.desk
            .fold(&Fact::Operator(user.to_owned(), fact), T0 + secs * SEC)
    }

    pub(crate) fn request(&mut self, n: u32, chat: &str, secs: u64) {
        let fact = ChatFact::Request {
            chat_id: chat.to_owned(),
            offer_id: None,
        };
        assert_eq!(self.shopper(n, secs, fact), Ok(true));
    }

    pub(crate) fn say(&mut self, n: u32, chat: &str, msg: &str, secs: u64) -> Folded {
        let fact = ChatFact::Message {
            chat_id: chat.to_owned(),
            msg_id: msg.to_owned(),
            text: format!("shopper says {msg}"),
        };
        self.shopper(n, secs, fact)
    }

    pub(crate) fn status(&mut self, agent: &str, capacity: u8, secs: u64) {
        let fact = DeskFact::Status {
            available: true,
            capacity,
        };
        assert_eq!(self.op(agent, secs, fact), Ok(true));
    }

    pub(crate) fn claim(&mut self, agent: &str, chat: &str, secs: u64) -> Folded {
        self.op(
            agent,
            secs,
            DeskFact::Claim {
                chat_id: chat.to_owned(),
            },
        )
    }

    pub(crate) fn reply(&mut self, agent: &str, chat: &str, msg: &str, secs: u64) -> Folded {
        let fact = DeskFact::Message {
            chat_id: chat.to_owned(),
            msg_id: msg.to_owned(),
            text: format!("{agent} says {msg}"),
        };
        self.op(agent, secs, fact)
    }

    pub(crate) fn end(&mut self, agent: &str, chat: &str, secs: u64) -> Folded {
        self.op(
            agent,
            secs,
            DeskFact::End {
                chat_id: chat.to_owned(),
            },
        )
    }

    pub(crate) fn survey(&mut self, n: u32, chat: &str, helped: bool, secs: u64) -> Folded {
        let fact = ChatFact::Survey {
            chat_id: chat.to_owned(),
            helped,
            comment: None,
        };
        self.shopper(n, secs, fact)
    }

    fn chat(&self, id: &str) -> &Chat {
        self.desk.chat(id).unwrap()
    }

    fn queue(&self) -> Vec<&str> {
        self.desk.queue().iter().map(|c| c.id.as_str()).collect()
    }
}

#[test]
fn a_chat_goes_from_the_queue_to_an_agent_to_the_survey() {
    let mut s = Script::new();
    s.status("ana", 2, 0);
    s.request(1, "c1", 1);
    assert_eq!(s.queue(), ["c1"]);
    assert_eq!(
        s.say(1, "c1", "m1", 2),
        Ok(true),
        "a waiting shopper may write"
    );
    assert_eq!(s.claim("ana", "c1", 5), Ok(true));
    assert_eq!(s.chat("c1").agent(), Some("ana"));
    assert!(s.queue().is_empty());
    assert_eq!(s.reply("ana", "c1", "a1", 9), Ok(true));
    assert_eq!(s.end("ana", "c1", 20), Ok(true));
    assert_eq!(s.survey(1, "c1", false, 25), Ok(true));

    let chat = s.chat("c1");
    assert_eq!(chat.state, ChatState::Ended);
    assert_eq!(chat.answered_ms, Some(T0 + 5 * SEC));
    assert_eq!(chat.first_response_ms, Some(T0 + 9 * SEC));
    assert_eq!(chat.responses, [(7 * SEC, T0 + 9 * SEC)]);
    assert_eq!(chat.survey.as_ref().map(|s| s.helped), Some(false));
    let said: Vec<(&Speaker, &str)> = chat
        .lines
        .iter()
        .filter(|l| l.speaker != Speaker::Note)
        .map(|l| (&l.speaker, l.text.as_str()))
        .collect();
    assert_eq!(
        said,
        [
            (&Speaker::Shopper, "shopper says m1"),
            (&Speaker::Agent("ana".to_owned()), "ana says a1"),
        ]
    );
    assert!(s.desk.agent("ana").unwrap().holding.is_empty());
}

#[test]
fn the_first_claim_in_the_stream_wins() {
    let mut s = Script::new();
    s.status("ana", 1, 0);
    s.status("bo", 1, 0);
    s.request(1, "c1", 1);
    assert_eq!(s.claim("bo", "c1", 2), Ok(true));
    assert_eq!(s.claim("ana", "c1", 2), Err(Rejection::State));
    assert_eq!(s.claim("bo", "c1", 3), Ok(false), "a resent claim");
    assert_eq!(s.chat("c1").agent(), Some("bo"));
    assert_eq!(s.desk.rejected().get(&Rejection::State), Some(&1));
    assert_eq!(s.desk.repeated(), 1);
}

#[test]
fn an_agent_claims_only_while_available_and_below_capacity() {
    let mut s = Script::new();
    s.request(1, "c1", 0);
    assert_eq!(
        s.claim("ghost", "c1", 1),
        Err(Rejection::Unavailable),
        "no status, no claim"
    );
    s.status("ana", 1, 1);
    s.request(2, "c2", 1);
    assert_eq!(s.claim("ana", "c1", 2), Ok(true));
    assert_eq!(s.desk.agent("ana").unwrap().state(), AgentState::Busy);
    assert_eq!(s.claim("ana", "c2", 3), Err(Rejection::Unavailable));
    let away = DeskFact::Status {
        available: false,
        capacity: 3,
    };
    assert_eq!(s.op("ana", 4, away), Ok(true));
    assert_eq!(s.desk.agent("ana").unwrap().state(), AgentState::Away);
    assert_eq!(s.claim("ana", "c2", 5), Err(Rejection::Unavailable));
    assert!(!s.desk.can_answer(), "nobody takes chats");
}

#[test]
fn nobody_writes_in_a_chat_that_is_not_theirs() {
    let mut s = Script::new();
    s.status("ana", 1, 0);
    s.status("bo", 1, 0);
    s.request(1, "c1", 1);
    s.claim("ana", "c1", 2).unwrap();
    assert_eq!(s.reply("bo", "c1", "x", 3), Err(Rejection::NotYours));
    assert_eq!(s.end("bo", "c1", 3), Err(Rejection::NotYours));
    assert_eq!(
        s.say(2, "c1", "x", 3),
        Err(Rejection::NotYours),
        "another session's shopper"
    );
    let steal = ChatFact::Request {
        chat_id: "c1".to_owned(),
        offer_id: None,
    };
    assert_eq!(s.shopper(2, 3, steal), Err(Rejection::NotYours));
    assert_eq!(s.say(1, "nope", "x", 3), Err(Rejection::Unknown));
    assert_eq!(s.chat("c1").lines.len(), 2, "the request and the claim");
}

#[test]
fn a_resent_message_is_kept_once() {
    let mut s = Script::new();
    s.status("ana", 1, 0);
    s.request(1, "c1", 0);
    s.claim("ana", "c1", 1).unwrap();
    assert_eq!(s.say(1, "c1", "m1", 2), Ok(true));
    assert_eq!(s.say(1, "c1", "m1", 3), Ok(false));
    assert_eq!(
        s.reply("ana", "c1", "m1", 4),
        Ok(true),
        "ids are per sender"
    );
    assert_eq!(s.reply("ana", "c1", "m1", 5), Ok(false));
    let lines = s.chat("c1").lines.len();
    assert_eq!(lines, 4, "request, claim, one message each way");
    assert_eq!(s.desk.repeated(), 2);
}

#[test]
fn a_lost_agent_s_chats_go_back_to_the_front_of_the_queue() {
    let mut s = Script::new();
    s.status("ana", 2, 0);
    s.request(1, "c1", 1);
    s.claim("ana", "c1", 2).unwrap();
    s.request(2, "c2", 3);
    let lost = DeskFact::Lost {
        agent: "ana".to_owned(),
    };
    assert_eq!(s.op("router", 10, lost), Ok(true));
    assert_eq!(s.desk.agent("ana").unwrap().state(), AgentState::Offline);
    assert_eq!(s.queue(), ["c1", "c2"], "c1 asked first");
    assert_eq!(s.chat("c1").waiting_ms(T0 + 15 * SEC), Some(5 * SEC));
    // Back online, it claims again; the answer time stays the first claim.
    s.status("ana", 2, 12);
    assert_eq!(s.claim("ana", "c1", 13), Ok(true));
    assert_eq!(s.chat("c1").answered_ms, Some(T0 + 2 * SEC));
}

#[test]
fn a_shopper_who_leaves_the_queue_abandons_and_one_who_leaves_a_chat_ends_it() {
    let mut s = Script::new();
    s.status("ana", 1, 0);
    s.request(1, "c1", 0);
    s.request(2, "c2", 0);
    s.claim("ana", "c2", 1).unwrap();
    let leave = ChatFact::Leave {
        chat_id: "c1".to_owned(),
    };
    assert_eq!(s.shopper(1, 5, leave.clone()), Ok(true));
    assert_eq!(s.shopper(1, 6, leave), Ok(false));
    assert_eq!(s.chat("c1").state, ChatState::Abandoned);
    let gone = DeskFact::Gone {
        chat_id: "c2".to_owned(),
    };
    assert_eq!(s.op("router", 7, gone), Ok(true));
    assert_eq!(s.chat("c2").state, ChatState::Ended);
    assert_eq!(s.desk.agent("ana").unwrap().state(), AgentState::Available);
    assert_eq!(
        s.say(1, "c1", "late", 8),
        Err(Rejection::State),
        "nothing after the end"
    );
    assert_eq!(
        s.survey(1, "c1", true, 9),
        Err(Rejection::State),
        "no survey of an abandoned chat"
    );
}

#[test]
fn a_session_holds_one_open_chat() {
    let mut s = Script::new();
    s.request(1, "c1", 0);
    let again = ChatFact::Request {
        chat_id: "c2".to_owned(),
        offer_id: None,
    };
    assert_eq!(s.shopper(1, 1, again.clone()), Err(Rejection::AlreadyOpen));
    s.shopper(
        1,
        2,
        ChatFact::Leave {
            chat_id: "c1".to_owned(),
        },
    )
    .unwrap();
    assert_eq!(s.shopper(1, 3, again), Ok(true));
    assert_eq!(
        s.desk.chat_of(&session(1)).map(|c| c.id.as_str()),
        Some("c2")
    );
}

#[test]
fn supervisors_whisper_join_and_reassign() {
    let mut s = Script::new();
    s.status("ana", 1, 0);
    s.status("bo", 1, 0);
    s.request(1, "c1", 0);
    s.claim("ana", "c1", 1).unwrap();
    s.say(1, "c1", "m1", 2).unwrap();
    let whisper = DeskFact::Whisper {
        chat_id: "c1".to_owned(),
        msg_id: "w1".to_owned(),
        text: "offer free shipping".to_owned(),
    };
    assert_eq!(s.op("sam", 3, whisper), Ok(true));
    assert_eq!(
        s.chat("c1").first_response_ms,
        None,
        "the shopper saw no answer yet"
    );
    let join = DeskFact::Join {
        chat_id: "c1".to_owned(),
        msg_id: "j1".to_owned(),
        text: "Hello, I'm the supervisor".to_owned(),
    };
    assert_eq!(s.op("sam", 4, join), Ok(true));
    assert_eq!(s.chat("c1").first_response_ms, Some(T0 + 4 * SEC));
    let to = |to: Option<&str>| DeskFact::Reassign {
        chat_id: "c1".to_owned(),
        to: to.map(ToOwned::to_owned),
    };
    assert_eq!(s.op("sam", 5, to(Some("bo"))), Ok(true));
    assert_eq!(s.chat("c1").agent(), Some("bo"));
    assert!(s.desk.agent("ana").unwrap().holding.is_empty());
    assert_eq!(s.reply("ana", "c1", "a", 6), Err(Rejection::NotYours));
    assert_eq!(s.op("sam", 7, to(None)), Ok(true));
    assert_eq!(s.queue(), ["c1"]);
    assert_eq!(
        s.op("sam", 8, to(Some("nobody"))),
        Err(Rejection::Unavailable)
    );
    let speakers: Vec<&Speaker> = s.chat("c1").lines.iter().map(|l| &l.speaker).collect();
    assert!(speakers.contains(&&Speaker::Whisper("sam".to_owned())));
    let notes: Vec<&str> = s
        .chat("c1")
        .lines
        .iter()
        .filter(|l| l.speaker == Speaker::Note)
        .map(|l| l.text.as_str())
        .collect();
    assert_eq!(
        notes,
        [
            "the shopper asked for help",
            "ana took the chat",
            "sam moved the chat from ana to bo",
            "sam moved the chat from bo back to the queue"
        ],
        "the transcript names who moved the chat, not only who has it"
    );
    assert!(speakers.contains(&&Speaker::Supervisor("sam".to_owned())));
}

#[test]
fn a_chat_given_to_a_full_agent_says_so_in_the_transcript() {
    let mut s = Script::new();
    s.status("ana", 1, 0);
    s.status("bo", 1, 0);
    s.request(1, "c1", 0);
    s.request(2, "c2", 0);
    s.claim("ana", "c1", 1).unwrap();
    s.claim("bo", "c2", 1).unwrap();
    let to_bo = DeskFact::Reassign {
        chat_id: "c1".to_owned(),
        to: Some("bo".to_owned()),
    };
    assert_eq!(s.op("kim", 2, to_bo), Ok(true), "a supervisor may overload");
    assert_eq!(s.desk.agent("bo").unwrap().holding.len(), 2);
    assert_eq!(
        s.chat("c1").lines.last().map(|l| l.text.as_str()),
        Some("kim moved the chat from ana to bo (over capacity: 2/1)")
    );
    let from_queue = DeskFact::Reassign {
        chat_id: "c1".to_owned(),
        to: None,
    };
    s.op("kim", 3, from_queue).unwrap();
    let to_ana = DeskFact::Reassign {
        chat_id: "c1".to_owned(),
        to: Some("ana".to_owned()),
    };
    s.op("kim", 4, to_ana).unwrap();
    assert_eq!(
        s.chat("c1").lines.last().map(|l| l.text.as_str()),
        Some("kim moved the chat to ana")
    );
}

#[test]
fn a_no_opens_an_incident_that_one_agent_takes_and_resolves() {
    let mut s = Script::new();
    s.status("ana", 1, 0);
    s.status("bo", 1, 0);
    s.request(1, "c1", 0);
    s.claim("ana", "c1", 1).unwrap();
    let incident = || DeskFact::Incident {
        chat_id: "c1".to_owned(),
        journey: vec!["/shoes".to_owned()],
    };
    assert_eq!(
        s.op("router", 2, incident()),
        Err(Rejection::State),
        "no survey yet"
    );
    s.end("ana", "c1", 3).unwrap();
    s.survey(1, "c1", false, 4).unwrap();
    assert_eq!(s.op("router", 5, incident()), Ok(true));
    assert_eq!(s.op("router", 5, incident()), Ok(false));
    let take = || DeskFact::Take {
        chat_id: "c1".to_owned(),
    };
    let resolve = DeskFact::Resolve {
        chat_id: "c1".to_owned(),
    };
    assert_eq!(s.op("bo", 6, resolve.clone()), Err(Rejection::State));
    assert_eq!(s.op("bo", 6, take()), Ok(true));
    assert_eq!(s.op("ana", 7, take()), Err(Rejection::NotYours));
    assert_eq!(s.op("bo", 8, resolve), Ok(true));
    let incident = s.desk.incidents().next().unwrap();
    assert_eq!(incident.taken, Some(("bo".to_owned(), T0 + 6 * SEC)));
    assert_eq!(incident.resolved_ms, Some(T0 + 8 * SEC));
    assert_eq!(incident.journey, ["/shoes"]);
}

#[test]
fn facts_are_read_from_their_subjects() {
    let chat = ChatEnvelope::new(ChatFact::Leave {
        chat_id: "c1".to_owned(),
    })
    .encode();
    assert!(matches!(
        Fact::read(&session(1).chat(), &chat),
        Ok(Fact::Shopper(s, _)) if s == session(1)
    ));
    assert_eq!(
        Fact::read(&session(1).events(), &chat),
        Err(Rejection::Subject)
    );
    let claim = DeskEnvelope::new(DeskFact::Claim {
        chat_id: "c1".to_owned(),
    })
    .encode();
    let subject = |kind| subject::desk("ana", kind).unwrap();
    assert!(matches!(
        Fact::read(&subject("claim"), &claim),
        Ok(Fact::Operator(user, DeskFact::Claim { .. })) if user == "ana"
    ));
    assert_eq!(
        Fact::read(&subject("end"), &claim),
        Err(Rejection::Kind),
        "an agent may not pass a fact of one kind off as another"
    );
    assert_eq!(
        Fact::read(&subject::audit_offer("ana").unwrap(), &claim),
        Err(Rejection::Subject)
    );
    let mut desk = Desk::default();
    assert_eq!(
        desk.record(&session(1).chat(), b"{", T0),
        Err(Rejection::Wire(WireErrorKind::Malformed))
    );
    assert_eq!(
        desk.rejected()
            .get(&Rejection::Wire(WireErrorKind::Malformed)),
        Some(&1)
    );
}

#[test]
fn the_desk_is_bounded() {
    let mut s = Script {
        desk: Desk::new(DeskConfig {
            max_chats: 2,
            max_lines: 3,
            keep_ms: 60 * SEC,
            ..DeskConfig::default()
        }),
    };
    s.request(1, "c1", 0);
    s.request(2, "c2", 0);
    let third = ChatFact::Request {
        chat_id: "c3".to_owned(),
        offer_id: None,
    };
    assert_eq!(s.shopper(3, 0, third.clone()), Err(Rejection::Full));
    s.say(1, "c1", "m1", 1).unwrap();
    s.say(1, "c1", "m2", 1).unwrap();
    assert_eq!(
        s.say(1, "c1", "m3", 1),
        Err(Rejection::Full),
        "request note and two messages fill it"
    );
    s.shopper(
        2,
        10,
        ChatFact::Leave {
            chat_id: "c2".to_owned(),
        },
    )
    .unwrap();
    s.desk.forget(T0 + 70 * SEC);
    assert!(s.desk.chat("c2").is_some(), "closed 60 s ago: kept");
    s.desk.forget(T0 + 71 * SEC);
    assert!(s.desk.chat("c2").is_none());
    assert!(s.desk.chat("c1").is_some(), "still open");
    assert_eq!(s.shopper(3, 72, third), Ok(true));
}
