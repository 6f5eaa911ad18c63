//! Shoppers and operators connecting to a [`TestServer`] the way the real
//! ones do: shoppers over WebSocket with a session credential, operators
//! over TCP signing the server's nonce with their role's nkey.

use std::time::Duration;

use floorwalker::creds::OperatorCreds;
use floorwalker::gate::policy::Role;
use floorwalker_shared::credential::{SessionSecret, ShopperCredential};
use floorwalker_shared::nats::{ConnectInfo, ServerInfo};
use floorwalker_shared::subject::SiteId;

use crate::raw::{HandshakeError, RawClient, Tcp, Ws};
use crate::server::{ORIGIN, TestServer};

/// How long a handshake may take; longer than the server's auth timeout, so
/// a gate that never answers shows as a refusal, not as a test timeout.
pub const HANDSHAKE: Duration = Duration::from_secs(10);

/// A new shopper session's credential on `site`, with a random secret.
///
/// # Panics
/// If `site` is not a valid site id or the OS has no randomness.
pub fn new_shopper(site: &str) -> ShopperCredential {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("randomness");
    ShopperCredential::new(
        SiteId::new(site).expect("a valid site"),
        SessionSecret::from_random(bytes),
    )
}

/// Connects a shopper over WebSocket from the storefront's origin with
/// `token` as its NATS token.
///
/// # Panics
/// If the WebSocket cannot be opened at all.
pub fn connect_shopper_with(
    server: &TestServer,
    token: Option<String>,
) -> Result<RawClient<Ws>, HandshakeError> {
    let ws = server.websocket_addr().expect("a WebSocket listener");
    let mut client = RawClient::connect_ws(ws, ORIGIN).expect("opening a WebSocket");
    client.handshake(
        ConnectInfo {
            name: Some("test-shopper".into()),
            auth_token: token,
            ..ConnectInfo::default()
        },
        HANDSHAKE,
    )?;
    Ok(client)
}

/// Connects a shopper with its credential.
pub fn connect_shopper(
    server: &TestServer,
    cred: &ShopperCredential,
) -> Result<RawClient<Ws>, HandshakeError> {
    connect_shopper_with(server, Some(cred.to_token_string()))
}

/// Connects an operator of `role` over TCP.
///
/// # Panics
/// If the operator is refused.
pub fn connect_operator(server: &TestServer, role: Role) -> RawClient<Tcp> {
    try_connect_operator(server, role).unwrap_or_else(|e| panic!("operator {role} refused: {e:?}"))
}

/// Connects an operator of `role` over TCP, or says why not.
///
/// # Panics
/// If the TCP connection itself fails.
pub fn try_connect_operator(
    server: &TestServer,
    role: Role,
) -> Result<RawClient<Tcp>, HandshakeError> {
    let creds = server.creds(role);
    let mut client = RawClient::connect(server.client_addr(), 4096).expect("connecting over TCP");
    client.handshake_with(
        |info| signed_connect(&creds, info, &format!("test-{role}")),
        HANDSHAKE,
    )?;
    Ok(client)
}

/// Credentials for `user` in `role` from another deployment: well made,
/// and no key of this one's signed them.
///
/// # Panics
/// Never: the site id is a valid one.
pub fn foreign_creds(role: Role, user: &str) -> OperatorCreds {
    let site = SiteId::new("elsewhere").expect("a site id");
    let mut other = floorwalker::gate::config::AuthSetup::generate(&[site], 0);
    other.trust.add_operator(role, user, 0)
}

/// The CONNECT of an operator signing in with its credentials: its JWT and
/// its signature of the server's nonce, as async-nats sends them.
///
/// # Panics
/// If the credentials' seed does not decode (they come from `auth`).
pub fn signed_connect(creds: &OperatorCreds, info: &ServerInfo, name: &str) -> ConnectInfo {
    let key = nkeys::KeyPair::from_seed(creds.seed()).expect("a test operator's seed");
    let nonce = info.nonce.clone().unwrap_or_default();
    let sig = key.sign(nonce.as_bytes()).expect("signing the nonce");
    ConnectInfo {
        name: Some(name.to_owned()),
        jwt: Some(creds.jwt().to_owned()),
        sig: Some(data_encoding::BASE64URL_NOPAD.encode(&sig)),
        ..ConnectInfo::default()
    }
}
