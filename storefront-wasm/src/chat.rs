//! The shopper's side of a chat, without the DOM: which chat is open and
//! what it has shown, and the delivery of its facts.
//!
//! A chat's facts (`ChatFact`: the request, each message, leaving, the
//! survey's answer) are JetStream publishes on the session's chat subject,
//! each with a `Nats-Msg-Id` of the session token and the fact's dedupe id
//! and a reply subject in the session's inbox named by that same dedupe id.
//! A fact stays pending until a reply with a `stream` and no `error` (the
//! stream's acknowledgement) names it; pending facts go again every
//! [`RESEND_MS`] while connected and right after each reconnect, and the
//! stream stores a resend once (its duplicate window is ten minutes). They
//! are kept in `localStorage`, so a page left or reloaded before the
//! acknowledgement loses none: the session's next page sends them.
//!
//! The open chat (its id, stage and status line) is kept in `localStorage`
//! too, so the session's next page, or another tab, carries on the same
//! chat; the chat window keeps its lines beside it (`widget`), and shows
//! each message id once. While one is open the plugin says it is still there
//! on the session's `here` subject every [`HERE_MS`] and after each
//! reconnect (that first one says `sync`: the router then sends the chat
//! so far, what was said while no page of the session listened); the router
//! takes silence as the shopper gone.
//!
//! Tabs of one session share the stored facts, each reading them before it
//! changes them, so an acknowledgement seen by one tab clears the fact for
//! all; the stored chat is written whole by whichever tab changed it last.

use alloc::string::String;
use alloc::vec::Vec;

use bytes::Bytes;
use floorwalker_shared::chat::{ChatEnvelope, ChatFact};
use floorwalker_shared::nats::HeaderMap;
use floorwalker_shared::nats::conn::Millis;
use floorwalker_shared::subject::Subject;
use js_sys::{JSON, Reflect};
use wasm_bindgen::JsValue;

use crate::plugin::Inner;
use crate::push::{Line, Shown};
use crate::{storage, strings};

/// How long a fact waits for its acknowledgement before it goes again.
pub(crate) const RESEND_MS: Millis = 5_000;

/// How often an open chat says the shopper is still there.
pub(crate) const HERE_MS: Millis = 15_000;

/// Where a chat is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Asked for, not yet taken by an agent.
    Waiting,
    /// An agent took it.
    Answered,
    /// The shopper left it, or its survey is asked: nothing more is said
    /// in it, but the answer to its survey is still awaited.
    Over,
}

/// The session's chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chat {
    /// Its id, made by this plugin.
    pub(crate) id: String,
    /// Where it is.
    pub(crate) stage: Stage,
    /// The status line shown above its lines.
    pub(crate) status: String,
}

impl Chat {
    /// Whether the shopper is in it.
    pub(crate) fn is_open(&self) -> bool {
        self.stage != Stage::Over
    }
}

/// Facts not yet acknowledged by the stream, as they are stored: one line
/// per fact, oldest first, each the fact's dedupe id (the tail of its
/// message id, and its reply subject), a space, and the encoded
/// `ChatEnvelope` (JSON, which has no raw line breaks).
pub(crate) type Pending = String;

/// Each pending fact's dedupe id and payload.
fn facts(pending: &str) -> impl Iterator<Item = (&str, &str)> {
    pending.split('\n').filter_map(|line| line.split_once(' '))
}

/// Adds a fact unless it is pending already; `false` if the pending facts
/// are at their bound (see `storage::MAX_FACTS`).
pub(crate) fn add_fact(pending: &mut Pending, id: &str, json: &str) -> bool {
    if facts(pending).any(|(i, _)| i == id) {
        return true;
    }
    if facts(pending).count() >= storage::MAX_FACTS
        || pending.len() + id.len() + json.len() + 2 > storage::MAX_FACTS_BYTES
    {
        return false;
    }
    if !pending.is_empty() {
        pending.push('\n');
    }
    pending.push_str(id);
    pending.push(' ');
    pending.push_str(json);
    true
}

/// Removes the fact `id`, acknowledged.
pub(crate) fn remove_fact(pending: &mut Pending, id: &str) {
    let mut kept = Pending::new();
    for (i, json) in facts(pending) {
        if i != id {
            add_fact(&mut kept, i, json);
        }
    }
    *pending = kept;
}

/// The chat part of the plugin's state.
#[derive(Debug, Default)]
pub(crate) struct Chats {
    /// The session's chat, open or awaiting its survey's answer.
    pub(crate) chat: Option<Chat>,
    /// Facts awaiting acknowledgement; what storage holds, read again
    /// before every change (another tab may have changed it).
    pub(crate) pending: Pending,
    /// When pending facts go (again); `None` when nothing is pending.
    resend_at: Option<Millis>,
    /// When the open chat next says the shopper is here.
    here_at: Millis,
}

impl Chats {
    /// The session's chat and pending facts as stored by earlier pages.
    pub(crate) fn load(session: &storage::Session) -> Self {
        let pending = storage::load_facts(session).unwrap_or_default();
        Self {
            chat: storage::load_chat(session),
            resend_at: (!pending.is_empty()).then_some(0),
            pending,
            here_at: 0,
        }
    }

    /// The open chat, if any.
    pub(crate) fn open(&mut self) -> Option<&mut Chat> {
        self.chat.as_mut().filter(|c| c.is_open())
    }

    /// The chat `id`, open or over.
    pub(crate) fn get(&mut self, id: &str) -> Option<&mut Chat> {
        self.chat.as_mut().filter(|c| c.id == id)
    }

    /// The open chat `id`.
    pub(crate) fn open_with(&mut self, id: &str) -> Option<&mut Chat> {
        self.open().filter(|c| c.id == id)
    }
}

/// What a push changes in the chat window.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Update {
    /// A new status line.
    pub(crate) status: Option<String>,
    /// Lines for the window, oldest first; it shows those it has not.
    pub(crate) lines: Vec<Line>,
}

impl Update {
    /// Whether nothing changes.
    pub(crate) fn is_empty(&self) -> bool {
        self.status.is_none() && self.lines.is_empty()
    }
}

/// Applies a push about a chat to the open chat: a new status line, or
/// lines. Pushes about any other chat change nothing; offers and surveys
/// are not for this.
pub(crate) fn apply(chats: &mut Chats, shown: Shown) -> Update {
    let mut update = Update::default();
    let Some(chat) = shown.chat_id().and_then(|id| chats.open_with(id)) else {
        return update;
    };
    let (stage, status) = match shown {
        Shown::Queue {
            position,
            wait_secs,
            ..
        } => (Stage::Waiting, queue_text(position, wait_secs)),
        Shown::Joined { name, .. } => (Stage::Answered, [&name, strings::JOINED].concat()),
        Shown::Lines { lines, .. } => {
            update.lines = lines;
            return update;
        }
        Shown::Offer { .. } | Shown::Survey { .. } => return update,
    };
    chat.stage = stage;
    chat.status.clone_from(&status);
    update.status = Some(status);
    update
}

/// "You are number 2 in the queue · about 3 min".
pub(crate) fn queue_text(position: u32, wait_secs: Option<u32>) -> String {
    let mut text = [
        strings::QUEUE[0],
        // As u64, the one itoa the plugin has anyway.
        itoa::Buffer::new().format(u64::from(position)),
        strings::QUEUE[1],
    ]
    .concat();
    match wait_secs {
        Some(secs) if secs < 60 => text.push_str(strings::WAIT_SHORT),
        Some(secs) => {
            text.push_str(strings::WAIT_MINUTES[0]);
            text.push_str(itoa::Buffer::new().format(u64::from(secs + 30) / 60));
            text.push_str(strings::WAIT_MINUTES[1]);
        }
        None => {}
    }
    text
}

/// Takes up chat `id` as another tab stored it, if this page does not
/// know it (it loaded before that tab opened the chat).
pub(crate) fn adopt(inner: &mut Inner, id: &str) {
    if inner.chats.get(id).is_none() {
        if let Some(chat) = storage::load_chat(&inner.session).filter(|c| c.id == id) {
            inner.chats.chat = Some(chat);
        }
    }
}

/// A new random id of 16 characters of `[A-Za-z0-9_-]`.
pub(crate) fn new_id() -> Option<String> {
    let random = storage::random_bytes().ok()?;
    Some(floorwalker_shared::base64url::encode(&random[..12]))
}

/// Opens a chat unless one is open (here or, as stored, in another tab):
/// the chat's request goes with `offer_id`, the offer accepted if any.
/// Returns whether a new chat was opened.
pub(crate) fn start(inner: &mut Inner, offer_id: Option<String>) -> bool {
    if inner.chats.open().is_none() {
        if let Some(stored) = storage::load_chat(&inner.session).filter(Chat::is_open) {
            inner.chats.chat = Some(stored);
        }
    }
    if inner.chats.open().is_some() {
        return false;
    }
    let Some(chat_id) = new_id() else {
        return false;
    };
    inner.chats.chat = Some(Chat {
        id: chat_id.clone(),
        stage: Stage::Waiting,
        status: strings::WAITING.into(),
    });
    save(inner);
    inner.chats.here_at = 0;
    send(inner, ChatFact::Request { chat_id, offer_id });
    true
}

/// Keeps the session's chat for its other pages and tabs.
pub(crate) fn save(inner: &Inner) {
    match &inner.chats.chat {
        Some(chat) => storage::save_chat(&inner.session, chat),
        None => storage::forget_chat(),
    }
}

/// Forgets chat `id` (its survey was answered or dismissed).
pub(crate) fn forget(inner: &mut Inner, id: &str) {
    if inner.chats.get(id).is_some() {
        inner.chats.chat = None;
    }
    if storage::load_chat(&inner.session).is_some_and(|c| c.id == id) {
        storage::forget_chat();
    }
}

/// The shopper wrote `text`: it goes in the open chat, or in a new one.
/// Returns the message's id if it will be sent (see [`send`]).
pub(crate) fn say(inner: &mut Inner, text: String) -> Option<String> {
    start(inner, None);
    let msg_id = new_id()?;
    let fact = ChatFact::Message {
        chat_id: inner.chats.open()?.id.clone(),
        msg_id: msg_id.clone(),
        text,
    };
    send(inner, fact).then_some(msg_id)
}

/// The shopper closed the chat window: the open chat is left. It is kept,
/// over, only so that its survey is still asked.
pub(crate) fn leave(inner: &mut Inner) {
    let Some(chat) = inner.chats.open() else {
        return;
    };
    chat.stage = Stage::Over;
    let chat_id = chat.id.clone();
    save(inner);
    storage::forget_log();
    send(inner, ChatFact::Leave { chat_id });
}

/// Reads the facts other tabs may have changed.
fn refresh(inner: &mut Inner) {
    if let Some(stored) = storage::load_facts(&inner.session) {
        inner.chats.pending = stored;
    }
}

/// Sends `fact` until the stream acknowledges it. Returns `false` if it
/// cannot be kept: the pending facts are at their bound (see
/// `storage::MAX_FACTS`), which takes a stream down for a long while.
pub(crate) fn send(inner: &mut Inner, fact: ChatFact) -> bool {
    let id = fact.dedupe_id();
    let Ok(json) = String::from_utf8(ChatEnvelope::new(fact).encode()) else {
        return false;
    };
    refresh(inner);
    if !add_fact(&mut inner.chats.pending, &id, &json) {
        return false;
    }
    storage::save_facts(&inner.session, &inner.chats.pending);
    inner.chats.resend_at = Some(0);
    true
}

/// The connection is (back) up: pending facts and presence go at once.
pub(crate) fn on_connected(inner: &mut Inner) {
    inner.chats.resend_at = Some(0);
    inner.chats.here_at = 0;
}

/// A message on the session's inbox: if it acknowledges a pending fact,
/// the fact is done.
pub(crate) fn on_reply(inner: &mut Inner, subject: &Subject, payload: &[u8]) {
    let prefix = inner.subjects.inbox_prefix();
    let Some(id) = subject
        .as_str()
        .strip_prefix(prefix.as_str())
        .and_then(|rest| rest.strip_prefix('.'))
    else {
        return;
    };
    if !is_ack(payload) {
        return;
    }
    refresh(inner);
    remove_fact(&mut inner.chats.pending, id);
    storage::save_facts(&inner.session, &inner.chats.pending);
}

/// Whether `payload` is a JetStream publish acknowledgement: JSON with a
/// `stream` and no `error` (a missing stream answers "no responders",
/// without JSON; a full one with an `error`).
pub(crate) fn is_ack(payload: &[u8]) -> bool {
    let Some(value) = core::str::from_utf8(payload)
        .ok()
        .and_then(|text| JSON::parse(text).ok())
        .filter(JsValue::is_object)
    else {
        return false;
    };
    let has =
        |key: &str| Reflect::get(&value, &JsValue::from_str(key)).is_ok_and(|v| !v.is_undefined());
    has("stream") && !has("error")
}

/// Publishes what is due: pending facts, and that the shopper is here.
pub(crate) fn poll(inner: &mut Inner, now: Millis) {
    if !inner.conn.is_connected() {
        return;
    }
    if inner.chats.resend_at.is_some_and(|at| now >= at) {
        refresh(inner);
        let token = inner.subjects.token().as_str();
        for (id, json) in facts(&inner.chats.pending) {
            let Ok(reply) = inner.subjects.inbox(id) else {
                continue;
            };
            let mut headers = HeaderMap::new();
            if headers
                .append("Nats-Msg-Id", [token, "-", id].concat())
                .is_err()
            {
                continue;
            }
            let payload = Bytes::copy_from_slice(json.as_bytes());
            let _ = inner
                .conn
                .publish(inner.subjects.chat(), Some(reply), Some(headers), payload);
        }
        inner.chats.resend_at = (!inner.chats.pending.is_empty()).then_some(now + RESEND_MS);
    }
    if inner.chats.open().is_some() && now >= inner.chats.here_at {
        // The first after a connect asks the router for the chat so far:
        // what was said while this page was away.
        let payload = if inner.chats.here_at == 0 {
            Bytes::from_static(b"sync")
        } else {
            Bytes::new()
        };
        let _ = inner
            .conn
            .publish(inner.subjects.here(), None, None, payload);
        inner.chats.here_at = now + HERE_MS;
    }
}

/// When [`poll`] has something to do next, if anything.
pub(crate) fn due_at(inner: &mut Inner) -> Option<Millis> {
    if !inner.conn.is_connected() {
        // Reconnecting wakes the loop, and sends what waits.
        return None;
    }
    let here = inner.chats.open().is_some().then_some(inner.chats.here_at);
    inner.chats.resend_at.into_iter().chain(here).min()
}

#[cfg(test)]
#[cfg(target_arch = "wasm32")]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn pending_facts_are_kept_once_each_in_order_and_bounded() {
        let mut pending = Pending::new();
        assert!(add_fact(&mut pending, "c-request", r#"{"v":1}"#));
        assert!(add_fact(&mut pending, "c-m1", r#"{"v":1,"x":"a b"}"#));
        assert!(
            add_fact(&mut pending, "c-m1", r#"{"v":1,"x":"a b"}"#),
            "a resend"
        );
        assert!(add_fact(&mut pending, "c-m2", "{}"));
        assert_eq!(
            facts(&pending).collect::<Vec<_>>(),
            [
                ("c-request", r#"{"v":1}"#),
                ("c-m1", r#"{"v":1,"x":"a b"}"#),
                ("c-m2", "{}")
            ]
        );
        remove_fact(&mut pending, "c-m1");
        remove_fact(&mut pending, "c-unknown");
        let ids: Vec<&str> = facts(&pending).map(|(id, _)| id).collect();
        assert_eq!(ids, ["c-request", "c-m2"]);

        for i in 2..storage::MAX_FACTS {
            assert!(add_fact(&mut pending, &format!("f{i}"), "{}"), "{i}");
        }
        assert!(!add_fact(&mut pending, "one-too-many", "{}"));
        remove_fact(&mut pending, "f2");
        assert!(add_fact(&mut pending, "one-more", "{}"));
        let big = "x".repeat(storage::MAX_FACTS_BYTES);
        assert!(
            !add_fact(&mut Pending::new(), "big", &big),
            "too many bytes"
        );
    }

    #[wasm_bindgen_test]
    fn only_a_stream_acknowledgement_counts() {
        assert!(is_ack(br#"{"stream":"AUDIT","seq":7}"#));
        assert!(is_ack(br#"{"stream":"AUDIT","seq":7,"duplicate":true}"#));
        for not in [
            &b""[..],
            b"null",
            b"\"stream\"",
            br#"{"seq":7}"#,
            br#"{"error":{"code":503,"description":"no responders"}}"#,
            br#"{"stream":"AUDIT","error":{"code":400}}"#,
            b"\xff",
        ] {
            assert!(!is_ack(not), "{not:?}");
        }
    }

    #[wasm_bindgen_test]
    fn ids_are_sixteen_url_safe_random_characters() {
        let (a, b) = (new_id().unwrap(), new_id().unwrap());
        assert_ne!(a, b);
        for id in [a, b] {
            assert_eq!(id.len(), 16);
            assert!(
                id.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'),
                "{id}"
            );
        }
    }
}
