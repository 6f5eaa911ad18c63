//! The claims of ADR-26's authorization request and response, and of the user
//! JWT the gate issues, as a real nats-server 2.15 sends and accepts them.
//!
//! Every request field is optional or defaulted: the server leaves many out
//! rather than sending them empty.

use serde::{Deserialize, Serialize};

/// `aud` of every authorization request.
pub const REQUEST_AUDIENCE: &str = "nats-authorization-request";

/// The claims of an authorization request JWT.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RequestClaims {
    /// The server's id (a public nkey starting with `N`), who signed it.
    pub iss: String,
    /// Always [`REQUEST_AUDIENCE`].
    pub aud: String,
    /// Expiry, in seconds since the epoch (now + the auth timeout).
    pub exp: Option<i64>,
    /// The request itself.
    pub nats: AuthRequest,
}

/// The `nats` part of an authorization request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AuthRequest {
    /// The key the response and user JWT must be issued to.
    pub user_nkey: String,
    /// The server asking.
    pub server_id: ServerId,
    /// The connecting client.
    pub client_info: ClientInfo,
    /// What the client sent in CONNECT.
    pub connect_opts: ConnectOpts,
}

/// The server asking.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ServerId {
    /// Its id; the response's `aud`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its curve key, when it seals requests.
    pub xkey: Option<String>,
}

/// The connecting client, as the server sees it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ClientInfo {
    /// The client's address (there is no `ip` field).
    pub host: String,
    /// The server's id for the connection.
    pub id: u64,
    /// `nats` or `websocket` (the notes' surprises: not `kind`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The nonce the server sent the client, when the client signed it.
    pub nonce: Option<String>,
}

/// The credentials a client sent in CONNECT.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ConnectOpts {
    /// User name.
    pub user: Option<String>,
    /// Password.
    pub pass: Option<String>,
    /// Token; shoppers send their session credential here.
    pub auth_token: Option<String>,
    /// The client's public nkey; operators sign in with theirs.
    pub nkey: Option<String>,
    /// The client's signature of the server's nonce, with its nkey.
    pub sig: Option<String>,
    /// The client's name.
    pub name: Option<String>,
}

/// The claims of the gate's response.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseClaims {
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// The issuer account's public key.
    pub iss: String,
    /// The request's `user_nkey`.
    pub sub: String,
    /// The requesting server's id.
    pub aud: String,
    /// The response.
    pub nats: AuthResponse,
}

/// The `nats` part of the response: a user JWT, or an error.
#[derive(Debug, Clone, Serialize)]
pub struct AuthResponse {
    /// Always `authorization_response`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Always 2.
    pub version: u8,
    /// The account whose signing key signed the response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer_account: Option<String>,
    /// The user JWT, when admitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwt: Option<String>,
    /// Why not, when refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The claims of a user JWT: the ones the gate issues to shoppers, and the
/// operators', the gate's own and the sentinel's that `floorwalker auth`
/// writes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserClaims {
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expiry: the server disconnects the client then (none: never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// The key that signed it: its account's, or one of its signing keys.
    pub iss: String,
    /// The user's public key (for the gate's, the request's `user_nkey`).
    pub sub: String,
    /// Shown as the user in the server's monitoring and advisories.
    pub name: String,
    /// Permissions and limits.
    pub nats: UserPermissions,
}

/// What a user may do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserPermissions {
    /// Publish permissions.
    #[serde(rename = "pub")]
    pub publish: AllowDeny,
    /// Subscribe permissions.
    #[serde(rename = "sub")]
    pub subscribe: AllowDeny,
    /// Most subscriptions at once (-1 = unlimited).
    pub subs: i64,
    /// Most bytes in flight (-1 = unlimited).
    pub data: i64,
    /// Largest payload (-1 = unlimited).
    pub payload: i64,
    /// Connection types allowed (`STANDARD`, `WEBSOCKET`); empty = any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_connection_types: Vec<String>,
    /// The account the user is in, when a signing key of it signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_account: Option<String>,
    /// A bearer token: the server asks for no signature of its nonce (the
    /// sentinel, which only leads to the gate).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bearer_token: bool,
    /// Always `user`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Always 2.
    pub version: u8,
}

/// Subjects allowed and denied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowDeny {
    /// Allowed subjects; empty with a non-empty deny list means "all but".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<String>,
    /// Denied subjects, winning over allowed ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deny: Vec<String>,
}
