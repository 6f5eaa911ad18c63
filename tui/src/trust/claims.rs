//! The claims of the JWTs that make up an operator-mode deployment: the
//! operator, its accounts, and (in `gate::claims`) their users, as
//! nats-server 2.15 reads them (nats-io/jwt v2; the field names were
//! checked against a real server, `shared/notes/nats-operator-mode.md`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The operator: who vouches for every account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorClaims {
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// The operator's own key: it signs itself.
    pub iss: String,
    /// The operator's own key.
    pub sub: String,
    /// Shown in the server's monitoring.
    pub name: String,
    /// What the operator says.
    pub nats: OperatorNats,
}

/// The `nats` part of the operator's claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorNats {
    /// Keys that may sign accounts in the operator's name.
    pub signing_keys: Vec<String>,
    /// The system account's key.
    pub system_account: String,
    /// Always `operator`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Always 2.
    pub version: u8,
}

/// One account: its limits, who may sign its users, what it shares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountClaims {
    /// Issued at, seconds since the epoch: the server keeps the newest.
    pub iat: i64,
    /// The operator signing key that signed it.
    pub iss: String,
    /// The account's own key: its name everywhere in the server.
    pub sub: String,
    /// Its name in Floorwalker's words (`SHOP`), shown as a tag.
    pub name: String,
    /// What the account says.
    pub nats: AccountNats,
}

/// The `nats` part of an account's claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountNats {
    /// Its limits; an account without them may not connect anyone.
    pub limits: Limits,
    /// Keys that may sign its users. A user signed by a key taken out is
    /// disconnected at once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signing_keys: Vec<String>,
    /// The auth callout, on the account the sentinel user is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<Authorization>,
    /// Subjects it shares.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exports: Vec<Export>,
    /// Subjects it takes from others.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub imports: Vec<Import>,
    /// Users refused: public key → time; a user JWT issued at or before it
    /// is refused, and its connections are closed when this arrives.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub revocations: BTreeMap<String, i64>,
    /// Always `account`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Always 2.
    pub version: u8,
}

/// An account's limits (-1: none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Subscriptions per connection.
    pub subs: i64,
    /// Bytes in flight.
    pub data: i64,
    /// Largest payload.
    pub payload: i64,
    /// Imports.
    pub imports: i64,
    /// Exports.
    pub exports: i64,
    /// Whether wildcard exports are allowed.
    pub wildcards: bool,
    /// Connections.
    pub conn: i64,
    /// Leaf node connections.
    pub leaf: i64,
    /// JetStream memory; with `disk_storage`, non-zero turns JetStream on.
    #[serde(default)]
    pub mem_storage: i64,
    /// JetStream file storage.
    #[serde(default)]
    pub disk_storage: i64,
    /// JetStream streams.
    #[serde(default)]
    pub streams: i64,
    /// JetStream consumers.
    #[serde(default)]
    pub consumer: i64,
}

impl Limits {
    /// No limits, and no JetStream.
    pub const NONE: Self = Self {
        subs: -1,
        data: -1,
        payload: -1,
        imports: -1,
        exports: -1,
        wildcards: true,
        conn: -1,
        leaf: -1,
        mem_storage: 0,
        disk_storage: 0,
        streams: 0,
        consumer: 0,
    };

    /// No limits, with JetStream.
    pub const WITH_JETSTREAM: Self = Self {
        mem_storage: -1,
        disk_storage: -1,
        streams: -1,
        consumer: -1,
        ..Self::NONE
    };
}

/// The auth callout of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorization {
    /// Users of the account the callout does not ask about: the gates.
    pub auth_users: Vec<String>,
    /// Accounts the callout may place users in.
    pub allowed_accounts: Vec<String>,
    /// The curve key requests are sealed to.
    pub xkey: String,
}

/// Whether an export or import carries messages or requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Messages, one way.
    Stream,
    /// Requests, answered.
    Service,
}

/// A subject an account shares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Export {
    /// What it is, in words.
    pub name: String,
    /// The subject (wildcards allowed).
    pub subject: String,
    /// Stream or service.
    #[serde(rename = "type")]
    pub kind: Kind,
}

/// A subject an account takes from another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Import {
    /// What it is, in words.
    pub name: String,
    /// The subject, as the exporter names it.
    pub subject: String,
    /// The exporting account's key.
    pub account: String,
    /// Stream or service.
    #[serde(rename = "type")]
    pub kind: Kind,
    /// The subject it has here, if another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_subject: Option<String>,
}
