//! The visitor and the session, kept in `localStorage` so they survive page
//! loads and are shared by the tabs of one browser; in memory only when
//! storage is unavailable (some private modes throw).

use floorwalker_shared::credential::SessionSecret;

/// A session ends after this long without activity.
const SESSION_IDLE_MS: f64 = 30.0 * 60.0 * 1000.0;

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
pub(crate) fn random_bytes() -> Result<[u8; 32], String> {
    let crypto = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .ok_or("this browser has no crypto.getRandomValues")?;
    let mut bytes = [0u8; 32];
    crypto
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(|_| "crypto.getRandomValues failed")?;
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
pub(crate) fn session(now_ms: f64) -> Result<Session, String> {
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
        let _ = s.set_item(
            SESSION_KEY,
            &format!("{}|{at}|{}", session.secret.expose(), session.next_seq),
        );
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
        text.push_str(&String::from(js_sys::encode_uri_component(product)));
    }
    text.push('|');
    for (i, (a, b)) in toggled.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&String::from(js_sys::encode_uri_component(a)));
        text.push(':');
        text.push_str(&String::from(js_sys::encode_uri_component(b)));
    }
    if let Some(s) = storage() {
        let _ = s.set_item(JOURNEY_KEY, &text);
    }
}

/// The product history saved by an earlier page of this session.
pub(crate) fn load_products(session: &Session) -> (Vec<String>, Vec<(String, String)>) {
    let dec = |s: &str| js_sys::decode_uri_component(s).ok().map(String::from);
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
        .filter_map(dec)
        .collect();
    let toggled = parts
        .next()
        .unwrap_or_default()
        .split(',')
        .filter_map(|pair| pair.split_once(':'))
        .filter_map(|(a, b)| Some((dec(a)?, dec(b)?)))
        .collect();
    (products, toggled)
}

fn parse(text: &str, now_ms: f64) -> Option<Session> {
    let mut parts = text.split('|');
    let secret = SessionSecret::new(parts.next()?).ok()?;
    // Whole milliseconds: parsing a float would add kilobytes of wasm.
    let last: u64 = parts.next()?.parse().ok()?;
    let next_seq = parts.next()?.parse().ok()?;
    #[allow(clippy::cast_precision_loss)] // ms since 1970 fit an f64 exactly
    let idle = now_ms - last as f64;
    (idle <= SESSION_IDLE_MS).then_some(Session { secret, next_seq })
}
