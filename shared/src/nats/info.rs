//! The JSON bodies of `INFO` (server → client) and `CONNECT` (client → server).
//!
//! Only the fields a Floorwalker client acts on are named; unknown fields are
//! ignored so a newer server does not break an older client.

use alloc::{string::String, vec::Vec};

use serde::{Deserialize, Serialize};

use crate::json::{Json, ToJson};

/// What a server says about itself in `INFO`.
// The protocol's flags are booleans; mirroring it beats inventing enums.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerInfo {
    /// The server's unique id (a public nkey starting with `N`).
    pub server_id: String,
    /// The server's configured name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub server_name: String,
    /// The server's version, e.g. `2.15.1`.
    pub version: String,
    /// The protocol level; 1 supports headers and async INFO.
    pub proto: i32,
    /// The address the server listens on.
    pub host: String,
    /// The port the server listens on.
    pub port: u16,
    /// Whether the server accepts `HPUB` and sends `HMSG`.
    pub headers: bool,
    /// The largest payload the server accepts, in bytes.
    pub max_payload: u64,
    /// Whether JetStream is enabled for this client's account.
    pub jetstream: bool,
    /// Whether the client must authenticate in `CONNECT`.
    pub auth_required: bool,
    /// The nonce to sign for nkey authentication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The id the server gave this connection.
    pub client_id: u64,
    /// The client's address as the server sees it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_ip: Option<String>,
    /// Other servers of the cluster a client may reconnect to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub connect_urls: Vec<String>,
    /// WebSocket URLs of the cluster's servers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ws_connect_urls: Vec<String>,
    /// Set when the server is entering lame-duck mode and will shut down.
    #[serde(skip_serializing_if = "core::ops::Not::not")]
    pub ldm: bool,
}

/// INFO's JSON as the server sent it, parsed only on demand.
///
/// The plugin reads nothing from INFO but `max_payload`, which
/// [`RawInfo::max_payload`] finds without a JSON parser: `serde_json`'s
/// deserializer (with the float handling of its error messages) would add
/// tens of kilobytes to every shopper's download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawInfo(String);

impl RawInfo {
    /// INFO's JSON text.
    pub fn new(json: impl Into<String>) -> Self {
        Self(json.into())
    }

    /// The JSON of a [`ServerInfo`], for test servers.
    pub fn from_info(info: &ServerInfo) -> Self {
        // A struct of strings, numbers and booleans always serialises.
        Self(serde_json::to_string(info).unwrap_or_default())
    }

    /// The text as received.
    pub fn json(&self) -> &str {
        &self.0
    }

    /// Parses every field a Floorwalker client acts on.
    pub fn parse(&self) -> Result<ServerInfo, serde_json::Error> {
        serde_json::from_str(&self.0)
    }

    /// The `max_payload` the server announced, found without parsing the
    /// rest.
    pub fn max_payload(&self) -> Option<u64> {
        // A byte-window search: `str::find` would bring a substring
        // searcher into the plugin for this one use.
        const KEY: &[u8] = b"\"max_payload\"";
        let at = self
            .0
            .as_bytes()
            .windows(KEY.len())
            .position(|w| w == KEY)?
            + KEY.len();
        let rest = self.0[at..].trim_start().strip_prefix(':')?.trim_start();
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        crate::decimal(&rest[..digits])
    }
}

/// What a client says about itself, and its credentials, in `CONNECT`.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectInfo {
    /// Ask for `+OK` after every operation.
    pub verbose: bool,
    /// Ask the server for strict checking of subjects.
    pub pedantic: bool,
    /// Whether the client requires TLS.
    pub tls_required: bool,
    /// The client's name, shown in the server's monitoring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The client's implementation language.
    pub lang: String,
    /// The client's version.
    pub version: String,
    /// The protocol level; 1 for headers and async INFO.
    pub protocol: i32,
    /// Whether the server sends the client its own messages.
    pub echo: bool,
    /// Whether the client understands `HMSG`.
    pub headers: bool,
    /// Ask for a 503 status message when a request has no responders.
    pub no_responders: bool,
    /// The user name, for user/password authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The password, for user/password authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<String>,
    /// The token, for token authentication (the plugin's session credential).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_token: Option<String>,
    /// A user JWT, for decentralised authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt: Option<String>,
    /// The public nkey, for nkey authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nkey: Option<String>,
    /// The signature of the server's nonce.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sig: Option<String>,
}

impl Default for ConnectInfo {
    /// The options Floorwalker's clients use: quiet, headers on, no echo.
    fn default() -> Self {
        Self {
            verbose: false,
            pedantic: false,
            tls_required: false,
            name: None,
            lang: "rust-floorwalker".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            protocol: 1,
            echo: false,
            headers: true,
            no_responders: true,
            user: None,
            pass: None,
            auth_token: None,
            jwt: None,
            nkey: None,
            sig: None,
        }
    }
}

/// Written by hand for the plugin, as its `Serialize` derive does through
/// `serde_json` (see [`crate::json`]): the fields in order, the `None`s
/// left out.
impl ToJson for ConnectInfo {
    fn write_json(&self, json: &mut Json) {
        let Self {
            verbose,
            pedantic,
            tls_required,
            name,
            lang,
            version,
            protocol,
            echo,
            headers,
            no_responders,
            user,
            pass,
            auth_token,
            jwt,
            nkey,
            sig,
        } = self;
        json.begin_object();
        json.field("verbose", verbose);
        json.field("pedantic", pedantic);
        json.field("tls_required", tls_required);
        json.field_if_some("name", name.as_ref());
        json.field("lang", lang);
        json.field("version", version);
        json.field("protocol", protocol);
        json.field("echo", echo);
        json.field("headers", headers);
        json.field("no_responders", no_responders);
        json.field_if_some("user", user.as_ref());
        json.field_if_some("pass", pass.as_ref());
        json.field_if_some("auth_token", auth_token.as_ref());
        json.field_if_some("jwt", jwt.as_ref());
        json.field_if_some("nkey", nkey.as_ref());
        json.field_if_some("sig", sig.as_ref());
        json.end_object();
    }
}
