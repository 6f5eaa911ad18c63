//! What the chat part keeps in `localStorage` for the session's other pages
//! and tabs: that the shopper declined an offer, the open chat, and the chat
//! facts awaiting acknowledgement (the chat window keeps its lines itself,
//! see `widget`). Each starts with the session's key (given by the core), so
//! a new session ignores what an old one left. The loader reads the chat's
//! and the facts' keys (`storefront-wasm/js/floorwalker.js`), to load this
//! part at once on a page whose session has a chat or facts.

use alloc::string::String;

use floorwalker_storefront_base::storage;

use crate::chat::{Chat, Pending, Stage};

const DECLINED_KEY: &str = "floorwalker.declined";

/// Whether the shopper declined an offer in this session.
pub(crate) fn declined(key: &str) -> bool {
    storage()
        .and_then(|s| s.get_item(DECLINED_KEY).ok().flatten())
        .is_some_and(|stored| stored == key)
}

/// Remembers for the session's other pages and tabs that the shopper
/// declined an offer.
pub(crate) fn set_declined(key: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(DECLINED_KEY, key);
    }
}

const CHAT_KEY: &str = "floorwalker.chat";

/// Where the chat window keeps its lines (see `widget`).
const LOG_KEY: &str = "floorwalker.chatlog";

fn encode(text: &str) -> String {
    js_sys::encode_uri_component(text).into()
}

fn decode(text: &str) -> Option<String> {
    js_sys::decode_uri_component(text).ok().map(String::from)
}

/// Keeps the session's chat for its next page and its other tabs: the
/// session's key, the chat's id, its stage and its status line
/// (URI-encoded, so no separator can come from an agent's name).
pub(crate) fn save_chat(key: &str, chat: &Chat) {
    let Some(s) = storage() else { return };
    let stage = match chat.stage {
        Stage::Waiting => "w",
        Stage::Answered => "a",
        Stage::Over => "o",
    };
    let text =
        floorwalker_shared::cat(&[key, "|", &chat.id, "|", stage, "|", &encode(&chat.status)]);
    let _ = s.set_item(CHAT_KEY, &text);
}

/// The session's chat as stored, if there is one.
pub(crate) fn load_chat(key: &str) -> Option<Chat> {
    let text = storage()?.get_item(CHAT_KEY).ok().flatten()?;
    let mut parts = text.split('|');
    (parts.next()? == key).then_some(())?;
    let id = parts.next()?.into();
    let stage = match parts.next()? {
        "w" => Stage::Waiting,
        "a" => Stage::Answered,
        "o" => Stage::Over,
        _ => return None,
    };
    Some(Chat {
        id,
        stage,
        status: decode(parts.next()?)?,
    })
}

/// Forgets the stored chat, and its lines.
pub(crate) fn forget_chat() {
    if let Some(s) = storage() {
        let _ = s.remove_item(CHAT_KEY);
        let _ = s.remove_item(LOG_KEY);
    }
}

/// Forgets the lines of a chat the shopper left.
pub(crate) fn forget_log() {
    if let Some(s) = storage() {
        let _ = s.remove_item(LOG_KEY);
    }
}

const FACTS_KEY: &str = "floorwalker.facts";

/// Most chat facts kept until the stream acknowledges them, and most bytes
/// of them: a fact beyond either is refused (the shopper is told it was not
/// sent) rather than kept, and none kept is dropped. Reaching them takes a
/// stream that has been unreachable while the shopper wrote dozens of
/// messages.
pub(crate) const MAX_FACTS: usize = 50;
pub(crate) const MAX_FACTS_BYTES: usize = 64 * 1024;

/// Keeps the chat facts still to be acknowledged (see `chat::Pending`),
/// after the session's key; with none, nothing is kept, so that the
/// session's next page need not load this part for them.
pub(crate) fn save_facts(key: &str, facts: &str) {
    if let Some(s) = storage() {
        let _ = if facts.is_empty() {
            s.remove_item(FACTS_KEY)
        } else {
            s.set_item(FACTS_KEY, &floorwalker_shared::cat(&[key, "\n", facts]))
        };
    }
}

/// The session's chat facts still to be acknowledged, as stored by any of
/// its pages and tabs; `None` where storage is unavailable.
pub(crate) fn load_facts(key: &str) -> Option<Pending> {
    let text = storage()?.get_item(FACTS_KEY).ok()?.unwrap_or_default();
    Some(match text.split_once('\n') {
        Some((stored, facts)) if stored == key => facts.into(),
        _ => Pending::new(),
    })
}

#[cfg(test)]
#[cfg(target_arch = "wasm32")]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn a_decline_is_remembered_for_its_session_only() {
        storage().unwrap().clear().unwrap();
        assert!(!declined("session1"));
        set_declined("session1");
        assert!(declined("session1"), "another page or tab of it sees it");
        assert!(!declined("session2"));
    }

    #[wasm_bindgen_test]
    fn facts_are_kept_for_their_session_and_none_leaves_nothing() {
        storage().unwrap().clear().unwrap();
        save_facts("session1", "c-request {}");
        assert_eq!(load_facts("session1").as_deref(), Some("c-request {}"));
        assert_eq!(load_facts("session2").as_deref(), Some(""));
        save_facts("session1", "");
        assert_eq!(storage().unwrap().get_item(FACTS_KEY).unwrap(), None);
    }
}
