//! Sending account changes to a running nats-server: as a short-lived user
//! of the system account, each account JWT on `$SYS.REQ.CLAIMS.UPDATE`,
//! then read back from `$SYS.REQ.ACCOUNT.<key>.CLAIMS.LOOKUP`. The server
//! keeps it in its account directory and applies it at once: a revoked
//! user's connections close, a signing key taken out ends the connections
//! of the users it signed, and nothing else drops.
//!
//! The server checks little of an update (an older or wrongly signed JWT
//! may still be answered "jwt updated": `shared/notes/nats-operator-mode.md`),
//! so what is sent is always made here from `trust.toml`, newer than any
//! before it, and read back.

use std::time::Duration;

use thiserror::Error;

use super::accounts::{self, Account};
use super::keys::Trust;
use crate::gate::jwt::JwtError;
use crate::gate::policy::Role;

/// How long the server may take to answer.
const ANSWER: Duration = Duration::from_secs(5);

/// Why an account change did not reach the server.
#[derive(Debug, Error)]
pub enum PushError {
    /// The keys could not sign.
    #[error("the keys in trust.toml cannot sign: {0}")]
    Sign(#[from] JwtError),
    /// No connection as the system account.
    #[error("cannot connect to nats-server at '{url}' as its system account: {reason}")]
    Connect {
        /// The server.
        url: String,
        /// Why.
        reason: String,
    },
    /// The server did not answer, or refused.
    #[error("nats-server did not take account {name}: {reason}")]
    Refused {
        /// The account.
        name: &'static str,
        /// Its words, or what went wrong.
        reason: String,
    },
}

/// A connection to `url` as `signer`'s short-lived user.
async fn connect(jwt: String, seed: String, url: &str) -> Result<async_nats::Client, PushError> {
    let failed = |reason: String| PushError::Connect {
        url: url.to_owned(),
        reason,
    };
    let options = async_nats::ConnectOptions::with_credentials(&crate::creds::text(&jwt, &seed))
        .map_err(|e| failed(e.to_string()))?
        .name("floorwalker-auth")
        .connection_timeout(ANSWER);
    // One attempt: a command that waits forever on a wrong address helps
    // no one.
    tokio::time::timeout(ANSWER * 2, options.connect(url))
        .await
        .map_err(|_| failed("no answer".into()))?
        .map_err(|e| failed(e.to_string()))
}

/// A connection to `url` as a user of the system account, valid for five
/// minutes from `now`.
///
/// # Errors
/// If the keys cannot sign or the server does not admit it (not this
/// deployment's, or not reachable).
pub async fn system(trust: &Trust, url: &str, now: i64) -> Result<async_nats::Client, PushError> {
    let (pair, jwt) = accounts::system_user(trust, now)?;
    connect(jwt, pair.seed().unwrap_or_default(), url).await
}

/// A connection to `url` as a short-lived admin of `APP` (to ask the gate
/// how it is), valid for five minutes from `now`.
///
/// # Errors
/// As [`system`].
pub async fn admin(trust: &Trust, url: &str, now: i64) -> Result<async_nats::Client, PushError> {
    let pair = nkeys::KeyPair::new_user();
    let jwt = accounts::operator_user(
        trust,
        Role::Admin,
        "floorwalker-auth",
        &pair.public_key(),
        now,
        Some(now + 300),
    )?;
    connect(jwt, pair.seed().unwrap_or_default(), url).await
}

/// Sends `account` and reads it back.
///
/// # Errors
/// If the server does not answer, says it failed, or keeps another JWT.
pub async fn push(client: &async_nats::Client, account: &Account) -> Result<(), PushError> {
    let refused = |reason: String| PushError::Refused {
        name: account.name,
        reason,
    };
    let answer = tokio::time::timeout(
        ANSWER,
        client.request("$SYS.REQ.CLAIMS.UPDATE", account.jwt.clone().into()),
    )
    .await
    .map_err(|_| refused("no answer".into()))?
    .map_err(|e| refused(e.to_string()))?;
    let reply: serde_json::Value = serde_json::from_slice(&answer.payload).unwrap_or_default();
    if reply["data"]["code"].as_i64() != Some(200) {
        let words = reply["error"]["description"]
            .as_str()
            .or_else(|| reply["data"]["message"].as_str())
            .unwrap_or("an answer without a result")
            .to_owned();
        return Err(refused(words));
    }
    let lookup = format!("$SYS.REQ.ACCOUNT.{}.CLAIMS.LOOKUP", account.key);
    let kept = tokio::time::timeout(ANSWER, client.request(lookup, bytes::Bytes::new()))
        .await
        .map_err(|_| refused("no answer to reading it back".into()))?
        .map_err(|e| refused(e.to_string()))?;
    if kept.payload.as_ref() != account.jwt.as_bytes() {
        return Err(refused("it keeps another version (a newer one?)".into()));
    }
    Ok(())
}

/// Sends every account in `accounts`, in order.
///
/// # Errors
/// The first that failed.
pub async fn push_all(client: &async_nats::Client, accounts: &[Account]) -> Result<(), PushError> {
    for account in accounts {
        push(client, account).await?;
    }
    Ok(())
}
