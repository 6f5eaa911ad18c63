//! The shopper's side of a chat, without the DOM: which chat is open and
//! what it has shown, and the delivery of its facts.
//!
//! A chat's facts (`ChatFact`: the request, each message, leaving, the
//! survey's answer) are JetStream publishes on the session's chat subject,
//! which the core makes (`chat_send`): each with a `Nats-Msg-Id` of the
//! session token and the fact's dedupe id, and a reply subject in the
//! session's inbox named by that same dedupe id. A fact stays pending until
//! a reply with a `stream` and no `error` (the stream's acknowledgement)
//! names it; pending facts go again every [`RESEND_MS`] while connected and
//! right after each reconnect, and the stream stores a resend once (its
//! duplicate window is ten minutes). They are kept in `localStorage`, so a
//! page left or reloaded before the acknowledgement loses none: the
//! session's next page loads this part and sends them.
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

use floorwalker_shared::chat::{ChatEnvelope, ChatFact};
use js_sys::{JSON, Reflect};
use wasm_bindgen::JsValue;

use crate::part::Inner;
use crate::{storage, strings};

mod pending;
mod state;

use pending::facts;
pub(crate) use pending::{Pending, add_fact, remove_fact};
pub(crate) use state::{Chat, Chats, Stage, Update, apply};

/// How long a fact waits for its acknowledgement before it goes again.
pub(crate) const RESEND_MS: u64 = 5_000;

/// How often an open chat says the shopper is still there.
pub(crate) const HERE_MS: u64 = 15_000;

/// Takes up chat `id` as another tab stored it, if this page does not
/// know it (it loaded before that tab opened the chat).
pub(crate) fn adopt(inner: &mut Inner, id: &str) {
    if inner.chats.get(id).is_none() {
        if let Some(chat) = storage::load_chat(&inner.key).filter(|c| c.id == id) {
            inner.chats.chat = Some(chat);
        }
    }
}

/// A new random id of 16 characters of `[A-Za-z0-9_-]`.
pub(crate) fn new_id() -> Option<String> {
    floorwalker_storefront_base::random_id(12)
}

/// Opens a chat unless one is open (here or, as stored, in another tab):
/// the chat's request goes with `offer_id`, the offer accepted if any.
/// Returns whether a new chat was opened.
pub(crate) fn start(inner: &mut Inner, offer_id: Option<String>) -> bool {
    if inner.chats.open().is_none() {
        if let Some(stored) = storage::load_chat(&inner.key).filter(Chat::is_open) {
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
        Some(chat) => storage::save_chat(&inner.key, chat),
        None => storage::forget_chat(),
    }
}

/// Forgets chat `id` (its survey was answered or dismissed).
pub(crate) fn forget(inner: &mut Inner, id: &str) {
    if inner.chats.get(id).is_some() {
        inner.chats.chat = None;
    }
    if storage::load_chat(&inner.key).is_some_and(|c| c.id == id) {
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
    if let Some(stored) = storage::load_facts(&inner.key) {
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
    storage::save_facts(&inner.key, &inner.chats.pending);
    inner.chats.resend_at = Some(0);
    true
}

/// The connection is (back) up: pending facts and presence go at once.
pub(crate) fn on_connected(inner: &mut Inner) {
    inner.chats.resend_at = Some(0);
    inner.chats.here_at = 0;
}

/// A reply for the fact `id`: if it is the stream's acknowledgement, the
/// fact is done.
pub(crate) fn on_reply(inner: &mut Inner, id: &str, payload: &[u8]) {
    if !is_ack(payload) {
        return;
    }
    refresh(inner);
    remove_fact(&mut inner.chats.pending, id);
    storage::save_facts(&inner.key, &inner.chats.pending);
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
pub(crate) fn poll(inner: &mut Inner, now: u64) {
    if !inner.host.connected() {
        return;
    }
    if inner.chats.resend_at.is_some_and(|at| now >= at) {
        refresh(inner);
        for (id, json) in facts(&inner.chats.pending) {
            inner.host.send(id, json);
        }
        inner.chats.resend_at = (!inner.chats.pending.is_empty()).then_some(now + RESEND_MS);
    }
    if inner.chats.open().is_some() && now >= inner.chats.here_at {
        // The first after a connect asks the router for the chat so far:
        // what was said while this page was away.
        inner.host.here(inner.chats.here_at == 0);
        inner.chats.here_at = now + HERE_MS;
    }
}

/// When [`poll`] has something to do next, if anything.
pub(crate) fn due_at(inner: &mut Inner) -> Option<u64> {
    if !inner.host.connected() {
        // Reconnecting wakes the part (`connected`), and sends what waits.
        return None;
    }
    let here = inner.chats.open().is_some().then_some(inner.chats.here_at);
    inner.chats.resend_at.into_iter().chain(here).min()
}

#[cfg(test)]
#[cfg(target_arch = "wasm32")]
mod tests {
    use alloc::vec::Vec;

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
