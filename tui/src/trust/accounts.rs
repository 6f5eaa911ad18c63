//! The JWTs of a deployment, from its keys: the operator, the four accounts
//! (`SYS`, `AUTH`, `SHOP`, `APP`), the sentinel that leads every client
//! without credentials to the gate, the operators' and the gate's own
//! credentials, and the nats-server config that trusts them.
//!
//! Who may do what is the same as in docs/ARCHITECTURE.md ("Who may do
//! what"): the accounts meet only through stream exports, what shoppers
//! publish reaches `APP` under `raw.`, and `APP` alone hears the broker's
//! word on shopper connections.

use std::fmt::Write as _;
use std::path::Path;

use nkeys::KeyPair;

use super::claims::{
    AccountClaims, AccountNats, Authorization, Export, Import, Kind, Limits, OperatorClaims,
    OperatorNats,
};
use super::keys::Trust;
use crate::gate::claims::{AllowDeny, UserClaims, UserPermissions};
use crate::gate::config::{APP_ACCOUNT, AUTH_ACCOUNT, GateConfig, SHOP_ACCOUNT, SYS_ACCOUNT};
use crate::gate::jwt::{self, JwtError};
use crate::gate::policy::{self, Role};
use floorwalker_shared::subject::{self, Subject};

/// Which curve key the gate's account names for sealing requests: during
/// `auth rotate-gate`, the previous one until the gate holds the new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sealing {
    /// The current keys' (the usual).
    Current,
    /// The previous keys' (while a rotation waits for the gate).
    Previous,
}

/// One account's JWT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Floorwalker's name for it (`SHOP`).
    pub name: &'static str,
    /// Its public key: its name in the server.
    pub key: String,
    /// The signed JWT.
    pub jwt: String,
}

/// The operator's JWT.
///
/// # Errors
/// If a key in `trust` cannot sign (checked on load, so only a hand-made
/// one fails).
pub fn operator(trust: &Trust, iat: i64) -> Result<String, JwtError> {
    let key = trust.operator().ok_or(JwtError::Sign)?;
    let signing = trust.operator_signing().ok_or(JwtError::Sign)?;
    let claims = OperatorClaims {
        iat,
        iss: key.public_key(),
        sub: key.public_key(),
        name: "floorwalker".into(),
        nats: OperatorNats {
            signing_keys: vec![signing.public_key()],
            system_account: trust.sys.public_key(),
            kind: "operator".into(),
            version: 2,
        },
    };
    jwt::encode(&claims, &key)
}

/// The four accounts' public keys.
struct Keys {
    sys: String,
    auth: String,
    shop: String,
    app: String,
}

/// The four accounts' JWTs, issued at `iat`, with `revoked` (operators'
/// keys) in `APP`'s revocations.
///
/// # Errors
/// As [`operator`].
pub fn accounts(
    trust: &Trust,
    gate: &GateConfig,
    sealing: Sealing,
    iat: i64,
) -> Result<Vec<Account>, JwtError> {
    let signer = trust.operator_signing().ok_or(JwtError::Sign)?;
    let keys = Keys {
        sys: trust.sys.public_key(),
        auth: trust.auth.public_key(),
        shop: trust.shop.public_key(),
        app: trust.app.public_key(),
    };
    let sign = |name: &'static str, key: &str, nats: AccountNats| {
        let claims = AccountClaims {
            iat,
            iss: signer.public_key(),
            sub: key.to_owned(),
            name: name.into(),
            nats,
        };
        Ok::<_, JwtError>(Account {
            name,
            key: key.to_owned(),
            jwt: jwt::encode(&claims, &signer)?,
        })
    };
    Ok(vec![
        sign(SYS_ACCOUNT, &keys.sys, sys_account(trust, &keys))?,
        sign(
            AUTH_ACCOUNT,
            &keys.auth,
            auth_account(gate, sealing, &keys)?,
        )?,
        sign(SHOP_ACCOUNT, &keys.shop, shop_account(gate, &keys))?,
        sign(APP_ACCOUNT, &keys.app, app_account(trust, &keys))?,
    ])
}

/// An account's claims with `limits` and nothing else.
fn bare(limits: Limits) -> AccountNats {
    AccountNats {
        limits,
        signing_keys: Vec::new(),
        authorization: None,
        exports: Vec::new(),
        imports: Vec::new(),
        revocations: std::collections::BTreeMap::new(),
        kind: "account".into(),
        version: 2,
    }
}

fn export(name: &str, subject: String, kind: Kind) -> Export {
    Export {
        name: name.into(),
        subject,
        kind,
    }
}

fn import(name: &str, subject: String, account: &str, kind: Kind, local: Option<String>) -> Import {
    Import {
        name: name.into(),
        subject,
        account: account.to_owned(),
        kind,
        local_subject: local,
    }
}

/// What shoppers publish: exported by `SHOP`, imported by `APP` under `raw.`.
fn shopper_subjects() -> [(&'static str, Subject); 3] {
    [
        ("events", subject::all_sites_events()),
        ("chat", subject::all_sites_chat()),
        ("here", subject::all_sites_here()),
    ]
}

/// The broker's word on shopper connections: (connect, disconnect, connz).
fn presence(shop: &str) -> (String, String, String) {
    (
        format!("$SYS.ACCOUNT.{shop}.CONNECT"),
        format!("$SYS.ACCOUNT.{shop}.DISCONNECT"),
        format!("$SYS.REQ.ACCOUNT.{shop}.CONNZ"),
    )
}

fn sys_account(trust: &Trust, keys: &Keys) -> AccountNats {
    let (connect, disconnect, connz) = presence(&keys.shop);
    AccountNats {
        signing_keys: trust
            .sys
            .signing()
            .map(|k| k.public_key())
            .into_iter()
            .collect(),
        // The broker's word on shopper connections, for APP only.
        exports: vec![
            export("shoppers connect", connect, Kind::Stream),
            export("shoppers disconnect", disconnect, Kind::Stream),
            export("shoppers open", connz, Kind::Service),
        ],
        ..bare(Limits::NONE)
    }
}

fn auth_account(gate: &GateConfig, sealing: Sealing, keys: &Keys) -> Result<AccountNats, JwtError> {
    let sets: Vec<_> = std::iter::once(&gate.keys)
        .chain(&gate.previous_keys)
        .collect();
    let publics = |f: &dyn Fn(&crate::gate::config::GateKeys) -> Option<KeyPair>| {
        sets.iter()
            .filter_map(|k| f(k).map(|k| k.public_key()))
            .collect::<Vec<_>>()
    };
    let xkey = match (sealing, &gate.previous_keys) {
        (Sealing::Previous, Some(previous)) => previous.xkey(),
        _ => gate.keys.xkey(),
    }
    .map(|k| k.public_key())
    .ok_or(JwtError::Sign)?;
    Ok(AccountNats {
        signing_keys: publics(&|k| k.issuer()),
        authorization: Some(Authorization {
            auth_users: publics(&|k| k.gate()),
            allowed_accounts: vec![keys.shop.clone()],
            xkey,
        }),
        exports: vec![export(
            "gate status",
            subject::gate_status().to_string(),
            Kind::Service,
        )],
        ..bare(Limits::NONE)
    })
}

fn shop_account(gate: &GateConfig, keys: &Keys) -> AccountNats {
    let limits = gate.shopper;
    AccountNats {
        signing_keys: std::iter::once(&gate.keys)
            .chain(&gate.previous_keys)
            .filter_map(|k| k.shop().map(|k| k.public_key()))
            .collect(),
        exports: shopper_subjects()
            .into_iter()
            .map(|(name, s)| export(name, s.to_string(), Kind::Stream))
            .collect(),
        imports: vec![
            import(
                "push",
                subject::all_sites_push().to_string(),
                &keys.app,
                Kind::Stream,
                None,
            ),
            import(
                "inbox",
                subject::all_sites_inbox().to_string(),
                &keys.app,
                Kind::Stream,
                None,
            ),
        ],
        ..bare(Limits {
            subs: i64::from(limits.max_subscriptions),
            payload: i64::from(limits.max_payload),
            ..Limits::NONE
        })
    }
}

fn app_account(trust: &Trust, keys: &Keys) -> AccountNats {
    let (connect, disconnect, connz) = presence(&keys.shop);
    let raw = shopper_subjects().into_iter().map(|(name, s)| {
        let local = numbered(subject::RAW_PREFIX, s.as_str());
        import(name, s.to_string(), &keys.shop, Kind::Stream, Some(local))
    });
    let from_sys = [
        (
            "shoppers connect",
            connect,
            Kind::Stream,
            subject::shoppers_connect(),
        ),
        (
            "shoppers disconnect",
            disconnect,
            Kind::Stream,
            subject::shoppers_disconnect(),
        ),
        (
            "shoppers open",
            connz,
            Kind::Service,
            subject::shoppers_connz(),
        ),
    ]
    .into_iter()
    .map(|(name, s, kind, local)| import(name, s, &keys.sys, kind, Some(local.to_string())));
    let status = import(
        "gate status",
        subject::gate_status().to_string(),
        &keys.auth,
        Kind::Service,
        None,
    );
    AccountNats {
        signing_keys: trust
            .app
            .signing()
            .map(|k| k.public_key())
            .into_iter()
            .collect(),
        exports: vec![
            export("push", subject::all_sites_push().to_string(), Kind::Stream),
            export(
                "inbox",
                subject::all_sites_inbox().to_string(),
                Kind::Stream,
            ),
        ],
        imports: raw.chain(from_sys).chain([status]).collect(),
        revocations: trust
            .revoked
            .iter()
            .map(|r| (r.key.clone(), r.at))
            .collect(),
        ..bare(Limits::WITH_JETSTREAM)
    }
}

/// `prefix.` before `pattern`, its wildcards as the import's `$1`, `$2`...
fn numbered(prefix: &str, pattern: &str) -> String {
    let mut n = 0;
    let tokens: Vec<String> = pattern
        .split('.')
        .map(|t| {
            if t == "*" {
                n += 1;
                format!("${n}")
            } else {
                t.to_owned()
            }
        })
        .collect();
    format!("{prefix}.{}", tokens.join("."))
}

/// A user JWT: `name`, signed by `signer` for `account`, with `nats`.
fn user(
    signer: &KeyPair,
    account: &str,
    user: &str,
    name: String,
    mut nats: UserPermissions,
    iat: i64,
    exp: Option<i64>,
) -> Result<String, JwtError> {
    nats.issuer_account = Some(account.to_owned());
    let claims = UserClaims {
        iat,
        exp,
        iss: signer.public_key(),
        sub: user.to_owned(),
        name,
        nats,
    };
    jwt::encode(&claims, signer)
}

/// Everything allowed, no limits.
fn unrestricted() -> UserPermissions {
    UserPermissions {
        publish: AllowDeny::default(),
        subscribe: AllowDeny::default(),
        subs: -1,
        data: -1,
        payload: -1,
        allowed_connection_types: Vec::new(),
        issuer_account: None,
        bearer_token: false,
        kind: "user".into(),
        version: 2,
    }
}

/// An operator's credentials JWT: `user` in `role`, its key `key`, signed
/// with `APP`'s signing key.
///
/// # Errors
/// As [`operator`].
pub fn operator_user(
    trust: &Trust,
    role: Role,
    user_name: &str,
    key: &str,
    iat: i64,
    exp: Option<i64>,
) -> Result<String, JwtError> {
    operator_jwt(trust, role, user_name, key, (iat, exp), false)
}

/// An operator's JWT, issued and expiring at `(iat, exp)`, a bearer token
/// or not.
fn operator_jwt(
    trust: &Trust,
    role: Role,
    user_name: &str,
    key: &str,
    (iat, exp): (i64, Option<i64>),
    bearer: bool,
) -> Result<String, JwtError> {
    let signer = trust.app.signing().ok_or(JwtError::Sign)?;
    let mut nats = policy::operator(role, user_name).to_permissions(-1, -1, &["STANDARD"]);
    nats.bearer_token = bearer;
    user(
        &signer,
        &trust.app.public_key(),
        key,
        format!("{role}:{user_name}"),
        nats,
        iat,
        exp,
    )
}

/// A bearer JWT of `user` in `role` (the server asks it for no signature of
/// its nonce), for tests of a client that signs nothing; `floorwalker auth`
/// never issues one. Valid for an hour.
///
/// # Errors
/// As [`operator`].
pub fn bearer_operator_user(
    trust: &Trust,
    role: Role,
    user_name: &str,
    key: &str,
    iat: i64,
) -> Result<String, JwtError> {
    operator_jwt(trust, role, user_name, key, (iat, Some(iat + 3600)), true)
}

/// The gate's own credentials JWT: a user of `AUTH`, one of its callout's
/// `auth_users`, signed with the gate keys' issuer.
///
/// # Errors
/// If the keys do not make key pairs.
pub fn gate_user(
    keys: &crate::gate::config::GateKeys,
    auth: &str,
    iat: i64,
) -> Result<String, JwtError> {
    let signer = keys.issuer().ok_or(JwtError::Sign)?;
    let gate = keys.gate().ok_or(JwtError::Sign)?;
    user(
        &signer,
        auth,
        &gate.public_key(),
        "gate".into(),
        unrestricted(),
        iat,
        None,
    )
}

/// A short-lived user of the system account, for `auth` to send account
/// changes with: its key pair and JWT.
///
/// # Errors
/// As [`operator`].
pub fn system_user(trust: &Trust, iat: i64) -> Result<(KeyPair, String), JwtError> {
    let signer = trust.sys.signing().ok_or(JwtError::Sign)?;
    let pair = KeyPair::new_user();
    let token = user(
        &signer,
        &trust.sys.public_key(),
        &pair.public_key(),
        "floorwalker-auth".into(),
        unrestricted(),
        iat,
        Some(iat + 300),
    )?;
    Ok((pair, token))
}

/// The sentinel: the bearer user every client without credentials is
/// given, in `AUTH`, allowed nothing, so the gate decides.
///
/// # Errors
/// As [`operator`].
pub fn sentinel(trust: &Trust, iat: i64) -> Result<String, JwtError> {
    let key = trust.auth.pair().ok_or(JwtError::Sign)?;
    let deny_all = AllowDeny {
        allow: Vec::new(),
        deny: vec![">".into()],
    };
    let claims = UserClaims {
        iat,
        exp: None,
        iss: key.public_key(),
        sub: KeyPair::new_user().public_key(),
        name: "sentinel".into(),
        nats: UserPermissions {
            publish: deny_all.clone(),
            subscribe: deny_all,
            bearer_token: true,
            ..unrestricted()
        },
    };
    jwt::encode(&claims, &key)
}

/// The nats-server config block of an operator-mode deployment: the
/// operator, the accounts (kept in `resolver_dir` from the first start on;
/// `floorwalker auth` sends changes to the running server), and the
/// sentinel.
///
/// # Errors
/// As [`operator`].
pub fn server_block(
    trust: &Trust,
    gate: &GateConfig,
    resolver_dir: &Path,
    iat: i64,
) -> Result<String, JwtError> {
    let accounts = accounts(trust, gate, Sealing::Current, iat)?;
    let mut out = String::new();
    let _ = write!(
        out,
        "# Made by `floorwalker auth`. Every client without credentials is given the\n\
         # sentinel, a user of {AUTH_ACCOUNT} allowed nothing, and the gate decides whether and\n\
         # where it may in; operators and services sign in with their .creds files.\n\
         # What shoppers send is what the server announces: one limit for all.\n\
         max_payload: {max_payload}\n\
         authorization {{\n  timeout: 2\n}}\n\
         operator: {operator}\n\
         system_account: {sys}\n\
         # Accounts live in this directory from the first start on; `floorwalker auth`\n\
         # sends the running server every change, and the newest is kept.\n\
         resolver: {{\n  type: full\n  dir: {dir}\n  allow_delete: false\n  interval: \"2m\"\n  \
         timeout: \"1.9s\"\n}}\n\
         resolver_preload: {{\n",
        max_payload = gate.shopper.max_payload,
        operator = quoted(&operator(trust, iat)?),
        sys = trust.sys.public_key(),
        dir = quoted(&resolver_dir.display().to_string()),
    );
    for account in &accounts {
        let _ = writeln!(
            out,
            "  # {}\n  {}: {}",
            account.name,
            account.key,
            quoted(&account.jwt)
        );
    }
    let _ = writeln!(
        out,
        "}}\ndefault_sentinel: {}",
        quoted(&sentinel(trust, iat)?)
    );
    Ok(out)
}

/// A string as the config format quotes it.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_imports_number_the_wildcards() {
        assert_eq!(
            numbered("raw", "fw.*.shopper.*.events"),
            "raw.fw.$1.shopper.$2.events"
        );
        assert_eq!(numbered("raw", "fw.a.b"), "raw.fw.a.b");
    }
}
