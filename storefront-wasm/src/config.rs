//! The options a storefront passes to `start`.

use alloc::string::String;
use floorwalker_shared::subject::SiteId;
use js_sys::Reflect;
use wasm_bindgen::JsValue;

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
    pub(crate) fn from_js(options: &JsValue) -> Result<Self, String> {
        if !options.is_object() {
            return Err(
                "start() needs an object: start({ server: 'wss://…', site: 'my-shop' })".into(),
            );
        }
        let text = |key: &str| -> Option<String> {
            Reflect::get(options, &JsValue::from_str(key))
                .ok()
                .and_then(|v| v.as_string())
        };
        let server = text("server")
            .ok_or("start() needs 'server', the ws:// or wss:// URL of nats-server")?;
        // Messages are concatenated, not `format!`ted (see lib.rs).
        if !(server.starts_with("ws://") || server.starts_with("wss://")) {
            return Err([
                "'server' must be a ws:// or wss:// URL, not '",
                &server,
                "'",
            ]
            .concat());
        }
        let site = text("site").ok_or("start() needs 'site', your site id")?;
        let site = SiteId::new(site.as_str())
            .map_err(|_| ["'site' must be 1 to 32 of [a-z0-9-], not '", &site, "'"].concat())?;
        let currency = text("currency").unwrap_or_else(|| "EUR".into());
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err([
                "'currency' must be an ISO 4217 code like 'EUR', not '",
                &currency,
                "'",
            ]
            .concat());
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

    fn read(json: &str) -> Result<Config, String> {
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
            ("42", "start() needs an object"),
            ("null", "start() needs an object"),
            (r#"{"site":"shop"}"#, "needs 'server'"),
            (
                r#"{"server":"https://x","site":"shop"}"#,
                "'server' must be a ws:// or wss:// URL, not 'https://x'",
            ),
            (r#"{"server":"wss://x"}"#, "needs 'site'"),
            (r#"{"server":"wss://x","site":"My Shop!"}"#, "'site'"),
            (
                r#"{"server":"wss://x","site":"shop","currency":"euro"}"#,
                "'currency' must be an ISO 4217 code",
            ),
        ];
        for (json, says) in cases {
            let error = read(json).expect_err(json);
            assert!(error.contains(says), "{json}: {error}");
        }
    }
}
