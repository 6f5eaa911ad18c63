//! The options a storefront passes to `start`.

use alloc::string::String;
use floorwalker_shared::subject::SiteId;
use js_sys::Reflect;
use wasm_bindgen::JsValue;

use crate::error::{StartError, StartErrorKind as Kind};

/// What `start` was given, checked.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// nats-server's WebSocket URL.
    pub(crate) server: String,
    /// The site id the gate serves this storefront as.
    pub(crate) site: SiteId,
    /// ISO 4217 code of the shop's prices.
    pub(crate) currency: String,
}

impl Config {
    /// Reads `{ server, site, currency? }`; the error says what to fix.
    pub(crate) fn from_js(options: &JsValue) -> Result<Self, StartError> {
        if !options.is_object() {
            return Err(Kind::NOT_AN_OBJECT.into());
        }
        let text = |key: &str| -> Option<String> {
            Reflect::get(options, &JsValue::from_str(key))
                .ok()
                .and_then(|v| v.as_string())
        };
        let server = text("server").ok_or(Kind::NO_SERVER)?;
        if !(server.starts_with("ws://") || server.starts_with("wss://")) {
            return Err(StartError::bad(Kind::BAD_SERVER, server));
        }
        let site = text("site").ok_or(Kind::NO_SITE)?;
        let site = SiteId::new(site.as_str()).map_err(|_| StartError::bad(Kind::BAD_SITE, site))?;
        let currency = text("currency").unwrap_or_else(|| "EUR".into());
        if !floorwalker_shared::event::is_currency(&currency) {
            return Err(StartError::bad(Kind::BAD_CURRENCY, currency));
        }
        Ok(Self {
            server,
            site,
            currency,
        })
    }
}

#[cfg(test)]
#[cfg(target_arch = "wasm32")]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn read(json: &str) -> Result<Config, StartError> {
        Config::from_js(&js_sys::JSON::parse(json).unwrap())
    }

    #[wasm_bindgen_test]
    fn a_good_configuration_is_read_with_euro_by_default() {
        let config = read(r#"{"server":"wss://nats.example.com","site":"shop-1"}"#).unwrap();
        assert_eq!(config.server, "wss://nats.example.com");
        assert_eq!(config.site.as_str(), "shop-1");
        assert_eq!(config.currency, "EUR");
        let yen = read(r#"{"server":"ws://127.0.0.1:4223","site":"jp","currency":"JPY"}"#);
        assert_eq!(yen.unwrap().currency, "JPY");
    }

    #[wasm_bindgen_test]
    fn a_bad_configuration_says_what_to_fix() {
        let cases = [
            ("42", Kind::NOT_AN_OBJECT),
            ("null", Kind::NOT_AN_OBJECT),
            (r#"{"site":"shop"}"#, Kind::NO_SERVER),
            (r#"{"server":"https://x","site":"shop"}"#, Kind::BAD_SERVER),
            (r#"{"server":"wss://x"}"#, Kind::NO_SITE),
            (r#"{"server":"wss://x","site":"My Shop!"}"#, Kind::BAD_SITE),
            (
                r#"{"server":"wss://x","site":"shop","currency":"euro"}"#,
                Kind::BAD_CURRENCY,
            ),
        ];
        for (json, kind) in cases {
            assert_eq!(read(json).expect_err(json).kind(), kind, "{json}");
        }
        // The message quotes what was given.
        let error = read(r#"{"server":"https://x","site":"shop"}"#).unwrap_err();
        assert_eq!(
            error.to_string(),
            "'server' must be a ws:// or wss:// URL, not 'https://x'"
        );
        let error = read("42").unwrap_err();
        assert_eq!(
            error.to_string(),
            "start() needs an object: start({ server: 'wss://…', site: 'my-shop' })"
        );
    }
}
