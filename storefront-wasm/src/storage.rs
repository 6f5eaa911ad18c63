//! The visitor and the session, and what a session's next page needs (its
//! product history and batches not yet sent), kept in
//! `localStorage` so they survive page loads and are shared by the tabs of
//! one browser; in memory only when storage is unavailable (some private
//! modes throw). Everything a session keeps starts with the session's key,
//! so a new session ignores what an old one left. (A page left before the
//! plugin started on it keeps its view there too, before there is a session
//! to tie it to: `capture`'s JS hook writes it, with the time it was left.
//! The chat part keeps its own, under the same session key: see
//! `storefront-wasm/chat/src/storage.rs`.)

use alloc::{string::String, vec::Vec};
use floorwalker_shared::credential::SessionSecret;
use floorwalker_shared::decimal;
use floorwalker_storefront_base::storage;

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

/// 32 random bytes from the browser's CSPRNG.
pub(crate) fn random_bytes() -> Result<[u8; 32], StartError> {
    floorwalker_storefront_base::random_bytes().ok_or_else(|| StartErrorKind::NO_RANDOM.into())
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
    let id = floorwalker_storefront_base::random_id(16)?;
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
        let text = floorwalker_shared::cat(&[
            session.secret.expose(),
            "|",
            itoa::Buffer::new().format(at),
            "|",
            itoa::Buffer::new().format(session.next_seq),
        ]);
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
            decimal(parts.nth(1)?)
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
pub(crate) fn keep_unsent(session: &Session, batches: &[Vec<u8>]) {
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

/// Takes the batches kept for this session, one per line, oldest first,
/// and forgets them; empty if none are kept.
pub(crate) fn take_unsent(session: &Session) -> String {
    let Some(s) = storage() else {
        return String::new();
    };
    let text = s.get_item(UNSENT_KEY).ok().flatten().unwrap_or_default();
    let _ = s.remove_item(UNSENT_KEY);
    match text.split_once('\n') {
        Some((key, batches)) if key == session_key(session) => batches.into(),
        _ => String::new(),
    }
}

const JOURNEY_KEY: &str = "floorwalker.journey";

/// A short, stable key of the session, to tie stored facts to it (the chat
/// part's too: the core gives it this key).
pub(crate) fn session_key(session: &Session) -> String {
    // A secret is ASCII: its first eight bytes are eight characters.
    floorwalker_shared::recorder::trim(session.secret.expose(), 8)
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
    // Loops rather than iterator adaptors, each of which is code of its own
    // in the download.
    let mut products = Vec::new();
    for product in parts.next().unwrap_or_default().split(',') {
        if let Some(product) = decode(product).filter(|p| !p.is_empty()) {
            products.push(product);
        }
    }
    let mut toggled = Vec::new();
    for pair in parts.next().unwrap_or_default().split(',') {
        if let Some((a, b)) = pair.split_once(':') {
            if let (Some(a), Some(b)) = (decode(a), decode(b)) {
                toggled.push((a, b));
            }
        }
    }
    (products, toggled)
}

fn encode(text: &str) -> String {
    js_sys::encode_uri_component(text).into()
}

fn decode(text: &str) -> Option<String> {
    js_sys::decode_uri_component(text).ok().map(String::from)
}

fn parse(text: &str, now_ms: f64) -> Option<Session> {
    let mut parts = text.split('|');
    let secret = SessionSecret::new(parts.next()?).ok()?;
    // Whole milliseconds: parsing a float would add kilobytes of wasm.
    let last = decimal(parts.next()?)?;
    let next_seq = decimal(parts.next()?)?;
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
}
