//! The visitor and the session, and what a session's next page needs (its
//! product history, batches and chat facts not yet sent, its chat), kept in
//! `localStorage` so they survive page loads and are shared by the tabs of
//! one browser; in memory only when storage is unavailable (some private
//! modes throw). Everything a session keeps starts with the session's key,
//! so a new session ignores what an old one left. (A page left before the
//! plugin started on it keeps its view there too, before there is a session
//! to tie it to: `capture`'s JS hook writes it, with the time it was left.)

use alloc::{string::String, vec::Vec};
use floorwalker_shared::credential::SessionSecret;

use crate::chat::{Chat, Pending, Stage};
use crate::error::{StartError, StartErrorKind};

/// A session ends after this long without activity, in ms.
pub(crate) const SESSION_IDLE_MS: u32 = 30 * 60 * 1000;

const SESSION_KEY: &str = "floorwalker.session";

/// This tab's session.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    /// The secret the session's credential is made from.
    pub(crate) secret: SessionSecret,
    /// The next batch number.
    pub(crate) next_seq: u64,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// 32 random bytes from the browser's CSPRNG.
pub(crate) fn random_bytes() -> Result<[u8; 32], StartError> {
    let crypto = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .ok_or(StartErrorKind::NO_CRYPTO)?;
    let mut bytes = [0u8; 32];
    crypto
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(|_| StartErrorKind::RANDOM_FAILED)?;
    Ok(bytes)
}

const VISITOR_KEY: &str = "floorwalker.visitor";

/// This browser's visitor id, made on its first visit and kept until the
/// shopper clears the site's storage; `None` where storage is unavailable
/// (an id that lived for one page would count every page as a new visitor).
pub(crate) fn visitor() -> Option<String> {
    let storage = storage()?;
    if let Some(id) = storage.get_item(VISITOR_KEY).ok().flatten() {
        return Some(id);
    }
    let random = random_bytes().ok()?;
    let id = floorwalker_shared::base64url::encode(&random[..16]);
    storage.set_item(VISITOR_KEY, &id).ok()?;
    Some(id)
}

/// The current session, or a new one if none is stored or it went idle.
pub(crate) fn session(now_ms: f64) -> Result<Session, StartError> {
    let stored = storage().and_then(|s| s.get_item(SESSION_KEY).ok().flatten());
    if let Some(found) = stored.as_deref().and_then(|text| parse(text, now_ms)) {
        return Ok(found);
    }
    let session = Session {
        secret: SessionSecret::from_random(random_bytes()?),
        next_seq: 0,
    };
    save(&session, now_ms);
    Ok(session)
}

/// Records activity, and the next batch number, for every tab.
pub(crate) fn save(session: &Session, now_ms: f64) {
    if let Some(s) = storage() {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // ms since 1970
        let at = now_ms as u64;
        // Not `format!` (see lib.rs): itoa writes the numbers.
        let text = [
            session.secret.expose(),
            "|",
            itoa::Buffer::new().format(at),
            "|",
            itoa::Buffer::new().format(session.next_seq),
        ]
        .concat();
        let _ = s.set_item(SESSION_KEY, &text);
    }
}

/// The next batch number as stored, which another tab of this session may
/// have advanced.
pub(crate) fn stored_seq(session: &Session) -> u64 {
    storage()
        .and_then(|s| s.get_item(SESSION_KEY).ok().flatten())
        .and_then(|text| {
            let mut parts = text.split('|');
            (parts.next()? == session.secret.expose()).then_some(())?;
            parts.nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

const UNSENT_KEY: &str = "floorwalker.unsent";

/// Most bytes of unsent batches kept in storage; batches beyond wait no
/// longer than the page.
const MAX_UNSENT_BYTES: usize = 64 * 1024;

/// Keeps batches that could not be sent before the page went away, after
/// any another page or tab of the session kept. Batches are JSON, which has
/// no raw line breaks: the session's key, then one batch per line.
pub(crate) fn keep_unsent(session: &Session, batches: &[bytes::Bytes]) {
    let Some(s) = storage() else { return };
    let key = session_key(session);
    let mut text = s
        .get_item(UNSENT_KEY)
        .ok()
        .flatten()
        .filter(|t| t.split('\n').next() == Some(key.as_str()))
        .unwrap_or(key);
    for batch in batches {
        if let Ok(batch) = core::str::from_utf8(batch) {
            if text.len() + batch.len() < MAX_UNSENT_BYTES {
                text.push('\n');
                text.push_str(batch);
            }
        }
    }
    let _ = s.set_item(UNSENT_KEY, &text);
}

/// Takes the batches kept for this session, oldest first, and forgets them.
pub(crate) fn take_unsent(session: &Session) -> Vec<String> {
    let Some(s) = storage() else {
        return Vec::new();
    };
    let text = s.get_item(UNSENT_KEY).ok().flatten().unwrap_or_default();
    let _ = s.remove_item(UNSENT_KEY);
    let mut lines = text.split('\n');
    if lines.next() != Some(session_key(session).as_str()) {
        return Vec::new();
    }
    lines.map(String::from).collect()
}

const JOURNEY_KEY: &str = "floorwalker.journey";
const DECLINED_KEY: &str = "floorwalker.declined";

/// A short, stable key of the session, to tie stored facts to it.
fn session_key(session: &Session) -> String {
    session.secret.expose().chars().take(8).collect()
}

/// Whether the shopper declined an offer in this session.
pub(crate) fn declined(session: &Session) -> bool {
    storage()
        .and_then(|s| s.get_item(DECLINED_KEY).ok().flatten())
        .is_some_and(|key| key == session_key(session))
}

/// Remembers for the session's other pages and tabs that the shopper
/// declined an offer.
pub(crate) fn set_declined(session: &Session) {
    if let Some(s) = storage() {
        let _ = s.set_item(DECLINED_KEY, &session_key(session));
    }
}

/// A session's product history (see `Recorder::product_history`), so that
/// toggling between products on different pages is seen. Each SKU is
/// URI-encoded, so no separator can come from a shop's data.
pub(crate) fn save_products(session: &Session, products: &[String], toggled: &[(String, String)]) {
    let mut text = session_key(session);
    text.push('|');
    for (i, product) in products.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&encode(product));
    }
    text.push('|');
    for (i, (a, b)) in toggled.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&encode(a));
        text.push(':');
        text.push_str(&encode(b));
    }
    if let Some(s) = storage() {
        let _ = s.set_item(JOURNEY_KEY, &text);
    }
}

/// The product history saved by an earlier page of this session.
pub(crate) fn load_products(session: &Session) -> (Vec<String>, Vec<(String, String)>) {
    let key = session_key(session);
    let text = storage()
        .and_then(|s| s.get_item(JOURNEY_KEY).ok().flatten())
        .unwrap_or_default();
    let mut parts = text.split('|');
    if parts.next() != Some(key.as_str()) {
        return (Vec::new(), Vec::new());
    }
    let products = parts
        .next()
        .unwrap_or_default()
        .split(',')
        .filter(|p| !p.is_empty())
        .filter_map(decode)
        .collect();
    let toggled = parts
        .next()
        .unwrap_or_default()
        .split(',')
        .filter_map(|pair| pair.split_once(':'))
        .filter_map(|(a, b)| Some((decode(a)?, decode(b)?)))
        .collect();
    (products, toggled)
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
pub(crate) fn save_chat(session: &Session, chat: &Chat) {
    let Some(s) = storage() else { return };
    let stage = match chat.stage {
        Stage::Waiting => "w",
        Stage::Answered => "a",
        Stage::Over => "o",
    };
    let text = [
        &session_key(session),
        "|",
        &chat.id,
        "|",
        stage,
        "|",
        &encode(&chat.status),
    ]
    .concat();
    let _ = s.set_item(CHAT_KEY, &text);
}

/// The session's chat as stored, if there is one.
pub(crate) fn load_chat(session: &Session) -> Option<Chat> {
    let text = storage()?.get_item(CHAT_KEY).ok().flatten()?;
    let mut parts = text.split('|');
    (parts.next()? == session_key(session)).then_some(())?;
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
/// after the session's key.
pub(crate) fn save_facts(session: &Session, facts: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(FACTS_KEY, &[&session_key(session), "\n", facts].concat());
    }
}

/// The session's chat facts still to be acknowledged, as stored by any of
/// its pages and tabs; `None` where storage is unavailable.
pub(crate) fn load_facts(session: &Session) -> Option<Pending> {
    let text = storage()?.get_item(FACTS_KEY).ok()?.unwrap_or_default();
    Some(match text.split_once('\n') {
        Some((key, facts)) if key == session_key(session) => facts.into(),
        _ => Pending::new(),
    })
}

fn parse(text: &str, now_ms: f64) -> Option<Session> {
    let mut parts = text.split('|');
    let secret = SessionSecret::new(parts.next()?).ok()?;
    // Whole milliseconds: parsing a float would add kilobytes of wasm.
    let last: u64 = parts.next()?.parse().ok()?;
    let next_seq = parts.next()?.parse().ok()?;
    #[allow(clippy::cast_precision_loss)] // ms since 1970 fit an f64 exactly
    let idle = now_ms - last as f64;
    (idle <= f64::from(SESSION_IDLE_MS)).then_some(Session { secret, next_seq })
}

#[cfg(test)]
#[cfg(target_arch = "wasm32")]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    const MINUTE: f64 = 60_000.0;
    const T0: f64 = 1_750_000_000_000.0;

    fn clear() {
        storage().unwrap().clear().unwrap();
    }

    #[wasm_bindgen_test]
    fn a_session_is_shared_until_thirty_idle_minutes_end_it() {
        clear();
        let first = session(T0).unwrap();
        // Another tab, or the next page, 29 minutes later.
        let same = session(T0 + 29.0 * MINUTE).unwrap();
        assert_eq!(same.secret.expose(), first.secret.expose());
        // Activity moved the idle clock: 58 minutes after the start is 29
        // after the last activity.
        save(&same, T0 + 29.0 * MINUTE);
        let still = session(T0 + 58.0 * MINUTE).unwrap();
        assert_eq!(still.secret.expose(), first.secret.expose());
        let next = session(T0 + 89.0 * MINUTE).unwrap();
        assert_ne!(next.secret.expose(), first.secret.expose());
        assert_eq!(next.next_seq, 0);
    }

    #[wasm_bindgen_test]
    fn batch_numbers_advanced_by_one_tab_are_seen_by_the_others() {
        clear();
        let mut tab_a = session(T0).unwrap();
        let tab_b = session(T0).unwrap();
        tab_a.next_seq = 7;
        save(&tab_a, T0 + MINUTE);
        assert_eq!(stored_seq(&tab_b), 7);
        assert_eq!(session(T0 + 2.0 * MINUTE).unwrap().next_seq, 7);
    }

    #[wasm_bindgen_test]
    fn a_corrupt_stored_session_is_replaced_not_trusted() {
        for junk in ["", "garbage", "short|1|2", "x|y|z|w", "|||"] {
            clear();
            storage().unwrap().set_item(SESSION_KEY, junk).unwrap();
            let fresh = session(T0).unwrap();
            assert_eq!(fresh.next_seq, 0, "{junk:?}");
            assert_ne!(fresh.secret.expose(), junk);
        }
    }

    #[wasm_bindgen_test]
    fn the_visitor_id_outlives_sessions() {
        clear();
        let visitor_id = visitor().unwrap();
        assert_eq!(visitor_id.len(), 22);
        session(T0).unwrap();
        storage().unwrap().remove_item(SESSION_KEY).unwrap();
        session(T0 + 90.0 * MINUTE).unwrap();
        assert_eq!(visitor().unwrap(), visitor_id);
        clear();
        assert_ne!(
            visitor().unwrap(),
            visitor_id,
            "a cleared browser is a new visitor"
        );
    }

    #[wasm_bindgen_test]
    fn product_history_survives_any_sku_and_belongs_to_its_session() {
        clear();
        let one = session(T0).unwrap();
        let products = vec!["a|b,c:d".to_owned(), "ünï 💡%".to_owned()];
        let toggled = vec![("x:y".to_owned(), "p,q".to_owned())];
        save_products(&one, &products, &toggled);
        assert_eq!(load_products(&one), (products, toggled));
        let other = session(T0 + 90.0 * MINUTE).unwrap();
        assert_eq!(load_products(&other), (vec![], vec![]));
    }

    #[wasm_bindgen_test]
    fn a_decline_is_remembered_for_its_session_only() {
        clear();
        let one = session(T0).unwrap();
        assert!(!declined(&one));
        set_declined(&one);
        assert!(
            declined(&session(T0 + MINUTE).unwrap()),
            "another tab sees it"
        );
        let next = session(T0 + 90.0 * MINUTE).unwrap();
        assert!(!declined(&next));
    }
}
