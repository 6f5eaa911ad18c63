//! The gate's configuration file, and what `floorwalker auth init` generates:
//! the gate's keys, one credential per operator role, and the nats-server
//! config block that sends every connection through the gate.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use ipnet::IpNet;
use nkeys::{KeyPair, XKey};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::limiter::parse_proxy;
use super::policy::{Role, ShopperLimits, UnknownRole};
use crate::creds::{self, OperatorCreds, write_private};
use floorwalker_shared::subject::{self, SiteId};

/// The account shoppers and operators land in.
pub const APP_ACCOUNT: &str = "APP";
/// The account shoppers land in: its own limits, and only the subjects that
/// the imports below bring across.
pub const SHOP_ACCOUNT: &str = "SHOP";
/// The server's service that closes a connection by its id; the gate may
/// ask it (`$SYS.REQ.SERVER.<server id>.KICK`, `{"cid": N}`).
pub const KICK: &str = "$SYS.REQ.SERVER.*.KICK";
/// The account the gate itself connects to.
pub const AUTH_ACCOUNT: &str = "AUTH";
/// The server's system account: its advisories say when shoppers connect
/// and disconnect.
pub const SYS_ACCOUNT: &str = "SYS";

/// The default flood bound on connection attempts from one client address
/// per minute: 50 a second, about 7% of what one gate admits on two cores,
/// and 1,500 shoppers behind one address at two pages a minute each
/// (docs/LIMITS.md has the figures).
pub const CONNECTS_PER_ADDRESS_PER_MINUTE: u32 = 3_000;
/// The default bound on connection attempts of one shopper session per
/// minute: thirty at once (tabs restored together), then one every two
/// seconds; a simulated shopper's busiest minute opens at most 6 pages
/// (docs/LIMITS.md).
pub const CONNECTS_PER_SESSION_PER_MINUTE: u32 = 30;
/// How long an operator's connection is admitted before the gate checks
/// its key again (the client reconnects by itself): a day. A key revoked
/// sooner loses its open connections at once: the gate has the server
/// close them.
pub const OPERATOR_SESSION_TTL_SECS: u32 = 24 * 3_600;
/// The per-address cap `auth init` wrote before the per-session bound.
const OLD_CONNECTS_PER_ADDRESS_PER_MINUTE: u32 = 120;

fn default_connects_per_address() -> u32 {
    CONNECTS_PER_ADDRESS_PER_MINUTE
}

fn default_connects_per_session() -> u32 {
    CONNECTS_PER_SESSION_PER_MINUTE
}

/// Why the gate's configuration could not be used.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// A file could not be read or written.
    #[error("cannot access '{path}'")]
    Io {
        /// The file.
        path: PathBuf,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid gate configuration.
    #[error("'{path}' is not a valid gate configuration: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: Invalid,
    },
    /// An operator's credentials could not be written.
    #[error(transparent)]
    Creds(#[from] crate::creds::CredsError),
}

/// What is wrong with a gate configuration.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Invalid {
    /// It is not TOML of the right shape.
    #[error("{0}")]
    Syntax(String),
    /// A site id the gate could not admit.
    #[error("site '{0}' {1}")]
    Site(String, subject::SubjectError),
    /// The issuer seed is not an account seed.
    #[error("issuer_seed is not an account seed")]
    IssuerSeed,
    /// The xkey seed is not a curve seed.
    #[error("xkey_seed is not a curve seed")]
    XkeySeed,
    /// An operator's role is not one of the roles.
    #[error(transparent)]
    Role(#[from] UnknownRole),
    /// An operator's user name cannot name an inbox.
    #[error("operator user '{0}' {1}")]
    User(String, subject::SubjectError),
    /// An operator's key is not a user's public nkey.
    #[error("operator '{0}' has a key that is not a user's public nkey (U…)")]
    OperatorKey(String),
    /// The gate's own seed is not a user seed.
    #[error("gate_seed is not a user seed")]
    GateSeed,
    /// A file from before operators had nkeys.
    #[error(
        "it is from before operators signed in with nkeys (it holds passwords): make new \
         keys with `floorwalker auth init --force` (every operator gets a new .nk file)"
    )]
    Passwords,
    /// The shoppers' largest payload is too small for the server: it is
    /// every connection's, operators' and the gate's too.
    #[error(
        "shopper.max_payload {0} is below {MIN_MAX_PAYLOAD}: the server applies it to every \
         connection, and operators' facts and the gate's answers need that much"
    )]
    MaxPayload(u32),
    /// A trusted proxy is neither an address nor a network.
    #[error("trusted proxy '{0}' is neither an IP address nor a network like '10.0.0.0/24'")]
    TrustedProxy(String),
    /// Trusted proxies without the token they vouch for addresses with.
    #[error(
        "trusted_proxies needs a proxy_token, which the proxy sends with each shopper's \
         address: run `floorwalker auth proxy` (docs/DEPLOY.md)"
    )]
    ProxyToken,
}

/// The least `shopper.max_payload` may be: the server announces and applies
/// one maximum to everyone, so it must fit the largest fact an operator
/// records (32 KiB) and the gate's signed answers.
pub const MIN_MAX_PAYLOAD: u32 = 32 * 1024;

/// One operator the gate admits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorEntry {
    /// User name: what the operator acts as (and what shoppers see of an
    /// agent).
    pub user: String,
    /// Role, by name.
    pub role: String,
    /// The operator's public nkey (`U…`); its seed is in `<user>.nk`, which
    /// the gate never sees.
    pub key: String,
    /// When it was issued, seconds since the epoch.
    #[serde(default)]
    pub issued: i64,
    /// When it stops being admitted, seconds since the epoch (none: never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<i64>,
}

/// A key the gate refuses: an operator revoked, or the key an operator had
/// before `auth rotate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokedKey {
    /// Whose it was.
    pub user: String,
    /// The public nkey.
    pub key: String,
    /// When it was revoked, seconds since the epoch.
    pub at: i64,
}

/// The gate's own keys: the account key that signs what it admits, the
/// curve key requests are sealed to, and the nkey it connects with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateKeys {
    /// The seed of the account key that signs admitted users (`SA…`).
    pub issuer_seed: String,
    /// The seed of the curve key requests are sealed to (`SX…`).
    pub xkey_seed: String,
    /// The seed of the user key the gate connects with (`SU…`), one of the
    /// callout's `auth_users`.
    pub gate_seed: String,
}

impl GateKeys {
    /// New keys.
    pub fn generate() -> Self {
        Self {
            issuer_seed: KeyPair::new_account().seed().unwrap_or_default(),
            xkey_seed: XKey::new().seed().unwrap_or_default(),
            gate_seed: KeyPair::new_user().seed().unwrap_or_default(),
        }
    }

    /// The issuer's key pair.
    pub fn issuer(&self) -> Option<KeyPair> {
        KeyPair::from_seed(&self.issuer_seed).ok()
    }

    /// The curve key pair.
    pub fn xkey(&self) -> Option<XKey> {
        XKey::from_seed(&self.xkey_seed).ok()
    }

    /// The gate's own user key pair.
    pub fn gate(&self) -> Option<KeyPair> {
        KeyPair::from_seed(&self.gate_seed).ok()
    }

    fn check(&self) -> Result<(), Invalid> {
        match self.issuer() {
            Some(k) if k.public_key().starts_with('A') => {}
            _ => return Err(Invalid::IssuerSeed),
        }
        self.xkey().ok_or(Invalid::XkeySeed)?;
        match self.gate() {
            Some(k) if k.public_key().starts_with('U') => Ok(()),
            _ => Err(Invalid::GateSeed),
        }
    }
}

/// The gate's configuration file (`gate.toml`), readable by its owner only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateConfig {
    /// Sites whose shoppers are admitted.
    pub sites: Vec<String>,
    /// The gate's keys.
    #[serde(flatten)]
    pub keys: GateKeys,
    /// The keys before the last `floorwalker auth rotate-gate`, still
    /// answered with until the next: nats-server takes new callout keys
    /// only when it restarts, and whichever keys its config names, the
    /// gate answers with those.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_keys: Option<GateKeys>,
    /// Connection attempts per client address per minute (0 = none): a
    /// flood bound, far above what a crowd behind one address makes
    /// (docs/LIMITS.md). Files from before the per-session bound carry the
    /// old default, 120, which [`GateConfig::load`] reads as the new one.
    #[serde(default = "default_connects_per_address")]
    pub connects_per_address_per_minute: u32,
    /// Connection attempts per shopper session per minute (0 = none): each
    /// page a shopper opens is one (docs/LIMITS.md).
    #[serde(default = "default_connects_per_session")]
    pub connects_per_session_per_minute: u32,
    /// Reverse proxies in front of nats-server's WebSocket listener, as
    /// addresses (`10.0.0.5`) or networks (`10.0.0.0/24`). nats-server tells
    /// the gate the address a connection comes from, which behind a proxy
    /// is the proxy's, so a proxy listed here tells the gate each shopper's
    /// address with [`GateConfig::proxy_token`] (`gate::proxy`), and a
    /// shopper connection from it without that is refused. None by default;
    /// `floorwalker auth proxy` sets both.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// The secret a trusted proxy sends beside each shopper's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_token: Option<String>,
    /// Limits on every shopper connection.
    pub shopper: ShopperLimits,
    /// How long an admitted operator connection lives before it must
    /// reconnect, in seconds.
    pub operator_session_ttl_secs: u32,
    /// The operators admitted.
    pub operators: Vec<OperatorEntry>,
    /// Keys refused: operators revoked, and keys replaced by `auth rotate`.
    #[serde(default)]
    pub revoked: Vec<RevokedKey>,
}

impl GateConfig {
    /// Reads and checks `gate.toml`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_owned(),
            source,
        })?;
        let invalid = |reason: Invalid| ConfigError::Invalid {
            path: path.to_owned(),
            reason,
        };
        if text.contains("\ngate_password") || text.contains("password_hash") {
            return Err(invalid(Invalid::Passwords));
        }
        let mut config: Self =
            toml::from_str(&text).map_err(|e| invalid(Invalid::Syntax(e.message().to_owned())))?;
        config.upgrade_old_default(&text);
        config.check().map_err(invalid)?;
        Ok(config)
    }

    /// A file written by `auth init` before the per-session bound existed
    /// holds the per-address cap it wrote then, 120 a minute, which refused
    /// crowds behind one address (issue 16): read as the new default. A file
    /// that names the per-session bound, or another per-address figure,
    /// was set by someone and is kept as it is.
    fn upgrade_old_default(&mut self, text: &str) {
        let Ok(table) = text.parse::<toml::Table>() else {
            return;
        };
        let old = table
            .get("connects_per_address_per_minute")
            .and_then(toml::Value::as_integer);
        if !table.contains_key("connects_per_session_per_minute")
            && old == Some(i64::from(OLD_CONNECTS_PER_ADDRESS_PER_MINUTE))
        {
            tracing::info!(
                old = OLD_CONNECTS_PER_ADDRESS_PER_MINUTE,
                new = CONNECTS_PER_ADDRESS_PER_MINUTE,
                "gate.toml has the old default per-address bound: using the new default"
            );
            self.connects_per_address_per_minute = CONNECTS_PER_ADDRESS_PER_MINUTE;
        }
    }

    /// Checks what `load` cannot see in the TOML's shape.
    ///
    /// # Errors
    /// The first thing wrong.
    pub fn check(&self) -> Result<(), Invalid> {
        for site in &self.sites {
            SiteId::new(site.as_str()).map_err(|e| Invalid::Site(site.clone(), e))?;
        }
        if self.shopper.max_payload < MIN_MAX_PAYLOAD {
            return Err(Invalid::MaxPayload(self.shopper.max_payload));
        }
        self.keys.check()?;
        if let Some(previous) = &self.previous_keys {
            previous.check()?;
        }
        if !self.proxies()?.is_empty() && self.proxy_token.as_deref().is_none_or(str::is_empty) {
            return Err(Invalid::ProxyToken);
        }
        for op in &self.operators {
            op.role.parse::<Role>()?;
            subject::operator_inbox(&op.user).map_err(|e| Invalid::User(op.user.clone(), e))?;
            if !is_user_key(&op.key) {
                return Err(Invalid::OperatorKey(op.user.clone()));
            }
        }
        Ok(())
    }

    /// Admits `user` in `role` with a new key issued at `now` (seconds since
    /// the epoch), replacing any operator of that name, whose old key is
    /// revoked; returns the credentials to hand over.
    pub fn add_operator(&mut self, role: Role, user: &str, now: i64) -> OperatorCreds {
        let creds = OperatorCreds::generate(user);
        self.revoke(user, now);
        self.operators.push(OperatorEntry {
            user: user.to_owned(),
            role: role.name().to_owned(),
            key: creds.public_key(),
            issued: now,
            expires: None,
        });
        creds
    }

    /// Stops admitting `user`: its entry goes, its key joins the revoked.
    /// Returns the entry removed, if there was one.
    pub fn revoke(&mut self, user: &str, now: i64) -> Option<OperatorEntry> {
        let at = self.operators.iter().position(|op| op.user == user)?;
        let entry = self.operators.remove(at);
        self.revoked.push(RevokedKey {
            user: entry.user.clone(),
            key: entry.key.clone(),
            at: now,
        });
        Some(entry)
    }

    /// New gate keys; the current ones are kept as the previous, so that
    /// the gate answers whichever nats-server names, before its restart
    /// and after.
    pub fn rotate_keys(&mut self) {
        let old = std::mem::replace(&mut self.keys, GateKeys::generate());
        self.previous_keys = Some(old);
    }

    /// Writes `gate.toml`, readable by its owner only.
    pub fn save(&self, path: &Path) -> Result<(), ConfigError> {
        let text = format!(
            "# Floorwalker gate configuration, made by `floorwalker auth init`. Keep private.\n{}",
            toml::to_string(self).unwrap_or_default()
        );
        write_private(path, &text).map_err(|source| ConfigError::Io {
            path: path.to_owned(),
            source,
        })
    }

    /// Trusts `proxies` (replacing those listed), with a new proxy token
    /// unless there is one; returns the token.
    ///
    /// # Errors
    /// The first proxy that is neither an address nor a network.
    pub fn trust_proxies(&mut self, proxies: &[String]) -> Result<String, Invalid> {
        if let Some(bad) = proxies.iter().find(|p| parse_proxy(p).is_none()) {
            return Err(Invalid::TrustedProxy(bad.clone()));
        }
        self.trusted_proxies = proxies.to_vec();
        let token = self
            .proxy_token
            .get_or_insert_with(creds::random_secret)
            .clone();
        Ok(token)
    }

    /// The trusted proxies, parsed.
    ///
    /// # Errors
    /// The first that is neither an address nor a network.
    pub fn proxies(&self) -> Result<Vec<IpNet>, Invalid> {
        self.trusted_proxies
            .iter()
            .map(|p| parse_proxy(p).ok_or_else(|| Invalid::TrustedProxy(p.clone())))
            .collect()
    }

    /// The issuer's key pair (checked on load).
    pub fn issuer(&self) -> Option<KeyPair> {
        self.keys.issuer()
    }

    /// The curve key pair (checked on load).
    pub fn xkey(&self) -> Option<XKey> {
        self.keys.xkey()
    }

    /// The gate's own keys, current and previous (a gate still running on
    /// the previous connects after the server restarts): as
    /// `users` entries, and as `auth_users`.
    fn gate_users(&self) -> (String, String) {
        let gates: Vec<String> = std::iter::once(&self.keys)
            .chain(&self.previous_keys)
            .filter_map(|k| k.gate().map(|k| format!("\"{}\"", k.public_key())))
            .collect();
        let users = gates
            .iter()
            .map(|k| format!("{{ nkey: {k} }}"))
            .collect::<Vec<_>>()
            .join(", ");
        (users, gates.join(", "))
    }

    /// The nats-server config block that routes every connection through the
    /// gate: accounts, and `authorization { auth_callout }`.
    pub fn server_block(&self) -> String {
        let issuer = self.issuer().map(|k| k.public_key()).unwrap_or_default();
        let xkey = self.xkey().map(|k| k.public_key()).unwrap_or_default();
        let status = subject::gate_status();
        let (events, chat, here, push, inbox) = (
            subject::all_sites_events(),
            subject::all_sites_chat(),
            subject::all_sites_here(),
            subject::all_sites_push(),
            subject::all_sites_inbox(),
        );
        let raw = subject::RAW_PREFIX;
        let (connect, disconnect, connz) = (
            subject::shoppers_connect(),
            subject::shoppers_disconnect(),
            subject::shoppers_connz(),
        );
        let sys = SYS_ACCOUNT;
        let limits = self.shopper;
        let (gate_users, gate_keys) = self.gate_users();
        let kick = KICK;
        let mut out = String::new();
        let _ = write!(
            out,
            r#"# Every client but the gate itself is admitted (or not) by `floorwalker gate`.
# What the server announces is what a shopper may send: one limit for all.
max_payload: {max_payload}
# Shoppers land in {SHOP_ACCOUNT}, whose limits bind every shopper connection;
# its imports and exports are the only way between shoppers and operators
# ({APP_ACCOUNT}). What shoppers publish reaches {APP_ACCOUNT} as streams under
# "{raw}.", which only the intake and the router hear and nothing answers, so
# no reply address a shopper names is ever used; what reaches a shopper is
# its push subject and its inbox, where only the intake and the router write.
accounts {{
  {AUTH_ACCOUNT}: {{
    users: [ {gate_users} ]
    exports: [ {{ service: "{status}" }} ]
    # To close the open connections of an operator whose key was revoked.
    imports: [ {{ service: {{ account: "{sys}", subject: "{kick}" }} }} ]
  }}
  {APP_ACCOUNT}: {{
    jetstream: enabled
    imports: [
      {{ service: {{ account: "{AUTH_ACCOUNT}", subject: "{status}" }} }}
      {{ stream: {{ account: "{sys}", subject: "$SYS.ACCOUNT.{SHOP_ACCOUNT}.CONNECT" }}, to: "{connect}" }}
      {{ stream: {{ account: "{sys}", subject: "$SYS.ACCOUNT.{SHOP_ACCOUNT}.DISCONNECT" }}, to: "{disconnect}" }}
      {{ service: {{ account: "{sys}", subject: "$SYS.REQ.ACCOUNT.{SHOP_ACCOUNT}.CONNZ" }}, to: "{connz}" }}
      {{ stream: {{ account: "{SHOP_ACCOUNT}", subject: "{events}" }}, prefix: "{raw}" }}
      {{ stream: {{ account: "{SHOP_ACCOUNT}", subject: "{chat}" }}, prefix: "{raw}" }}
      {{ stream: {{ account: "{SHOP_ACCOUNT}", subject: "{here}" }}, prefix: "{raw}" }}
    ]
    exports: [
      {{ stream: "{push}" }}
      {{ stream: "{inbox}" }}
    ]
  }}
  {SHOP_ACCOUNT}: {{
    limits: {{ max_payload: {max_payload}, max_subscriptions: {max_subscriptions} }}
    exports: [
      {{ stream: "{events}" }}
      {{ stream: "{chat}" }}
      {{ stream: "{here}" }}
    ]
    imports: [
      {{ stream: {{ account: "{APP_ACCOUNT}", subject: "{push}" }} }}
      {{ stream: {{ account: "{APP_ACCOUNT}", subject: "{inbox}" }} }}
    ]
  }}
  # The broker's word on which shopper connections are open, for operators
  # only: {SHOP_ACCOUNT} imports none of it.
  {sys}: {{
    exports: [
      {{ stream: "$SYS.ACCOUNT.{SHOP_ACCOUNT}.CONNECT" }}
      {{ stream: "$SYS.ACCOUNT.{SHOP_ACCOUNT}.DISCONNECT" }}
      {{ service: "$SYS.REQ.ACCOUNT.{SHOP_ACCOUNT}.CONNZ" }}
      {{ service: "{kick}", accounts: [ "{AUTH_ACCOUNT}" ] }}
    ]
  }}
}}
system_account: {sys}
authorization {{
  timeout: 2
  auth_callout {{
    issuer: "{issuer}"
    account: "{AUTH_ACCOUNT}"
    auth_users: [ {gate_keys} ]
    xkey: "{xkey}"
  }}
}}
"#,
            max_payload = limits.max_payload,
            max_subscriptions = limits.max_subscriptions,
        );
        out
    }
}

/// Now, in seconds since the epoch (when keys are issued and revoked).
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Whether `key` is a user's public nkey.
pub fn is_user_key(key: &str) -> bool {
    key.starts_with('U') && KeyPair::from_public_key(key).is_ok()
}

/// What `auth init` makes: written into one directory.
#[derive(Debug)]
pub struct AuthSetup {
    /// The gate's configuration.
    pub gate: GateConfig,
    /// One credential per role, by role.
    pub operators: Vec<(Role, OperatorCreds)>,
}

impl AuthSetup {
    /// New keys and credentials for `sites`, issued at `now` (seconds
    /// since the epoch).
    pub fn generate(sites: &[SiteId], now: i64) -> Self {
        let mut gate = GateConfig {
            sites: sites.iter().map(ToString::to_string).collect(),
            keys: GateKeys::generate(),
            previous_keys: None,
            connects_per_address_per_minute: CONNECTS_PER_ADDRESS_PER_MINUTE,
            connects_per_session_per_minute: CONNECTS_PER_SESSION_PER_MINUTE,
            trusted_proxies: Vec::new(),
            proxy_token: None,
            shopper: ShopperLimits::default(),
            operator_session_ttl_secs: OPERATOR_SESSION_TTL_SECS,
            operators: Vec::new(),
            revoked: Vec::new(),
        };
        let operators = Role::ALL
            .into_iter()
            .map(|role| (role, gate.add_operator(role, role.name(), now)))
            .collect();
        Self { gate, operators }
    }

    /// Adds an operator `user` in `role` (beside the one per role).
    pub fn add(&mut self, role: Role, user: &str, now: i64) {
        let creds = self.gate.add_operator(role, user, now);
        self.operators.retain(|(_, c)| c.user != user);
        self.operators.push((role, creds));
    }

    /// Writes `gate.toml`, `<user>.nk` and `nats-auth.conf` into `dir`.
    pub fn write(&self, dir: &Path) -> Result<(), ConfigError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| ConfigError::Io { path, source }
        };
        fs::create_dir_all(dir).map_err(io(dir))?;
        self.gate.save(&dir.join("gate.toml"))?;
        for (_, creds) in &self.operators {
            creds.store(&creds::file_in(dir, &creds.user))?;
        }
        // Public keys only, but it says who may do what: private too.
        let conf = dir.join("nats-auth.conf");
        write_private(&conf, &self.gate.server_block()).map_err(io(&conf))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn generated_setup_loads_back_and_keeps_secrets_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let setup = AuthSetup::generate(&[SiteId::new("shoes").unwrap()], NOW);
        setup.write(dir.path()).unwrap();
        let loaded = GateConfig::load(&dir.path().join("gate.toml")).unwrap();
        assert_eq!(loaded, setup.gate);
        for file in [
            "gate.toml",
            "nats-auth.conf",
            "admin.nk",
            "dashboard.nk",
            "agent.nk",
            "tail.nk",
            "simulator.nk",
            "router.nk",
            "intake.nk",
        ] {
            let mode = fs::metadata(dir.path().join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
        for (role, creds) in &setup.operators {
            let entry = loaded
                .operators
                .iter()
                .find(|o| o.user == creds.user)
                .unwrap();
            assert_eq!(entry.role, role.name());
            assert_eq!(entry.key, creds.public_key());
            // The gate never holds an operator's seed.
            assert!(
                !fs::read_to_string(dir.path().join("gate.toml"))
                    .unwrap()
                    .contains(creds.seed())
            );
        }
        let block = setup.gate.server_block();
        assert!(block.contains(&loaded.issuer().unwrap().public_key()));
        assert!(block.contains(&loaded.keys.gate().unwrap().public_key()));
        for seed in [
            &loaded.keys.issuer_seed,
            &loaded.keys.xkey_seed,
            &loaded.keys.gate_seed,
        ] {
            assert!(!block.contains(seed.as_str()), "the block leaks a seed");
        }
        assert!(!block.contains("password"), "{block}");
    }

    #[test]
    fn revoking_and_rotating_keep_what_the_gate_needs() {
        let mut setup = AuthSetup::generate(&[SiteId::new("shoes").unwrap()], NOW);
        let old = setup
            .gate
            .operators
            .iter()
            .find(|o| o.user == "agent")
            .unwrap()
            .key
            .clone();
        let new = setup.gate.add_operator(Role::Agent, "agent", NOW + 1);
        assert_ne!(new.public_key(), old);
        assert_eq!(setup.gate.revoked.len(), 1);
        assert_eq!(setup.gate.revoked[0].key, old);
        assert!(setup.gate.revoke("agent", NOW + 2).is_some());
        assert!(setup.gate.revoke("agent", NOW + 3).is_none());
        assert_eq!(setup.gate.revoked.len(), 2);

        let before = setup.gate.keys.clone();
        setup.gate.rotate_keys();
        assert_eq!(setup.gate.previous_keys.as_ref(), Some(&before));
        assert_ne!(setup.gate.keys, before);
        // Both gate keys may connect across the server's restart.
        let block = setup.gate.server_block();
        for keys in [&setup.gate.keys, &before] {
            assert!(block.contains(&keys.gate().unwrap().public_key()));
        }
        let dir = tempfile::tempdir().unwrap();
        setup.gate.save(&dir.path().join("gate.toml")).unwrap();
        assert_eq!(
            GateConfig::load(&dir.path().join("gate.toml")).unwrap(),
            setup.gate
        );
    }

    #[test]
    fn a_gate_toml_with_passwords_says_how_to_move_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gate.toml");
        fs::write(&path, "sites = [\"shoes\"]\ngate_password = \"x\"\n").unwrap();
        let err = GateConfig::load(&path).unwrap_err().to_string();
        assert!(err.contains("auth init --force"), "{err}");
    }

    #[test]
    fn auth_init_writes_the_bounds_and_an_older_gate_toml_still_loads() {
        let dir = tempfile::tempdir().unwrap();
        let setup = AuthSetup::generate(&[SiteId::new("shoes").unwrap()], NOW);
        setup.write(dir.path()).unwrap();
        let path = dir.path().join("gate.toml");
        let written = fs::read_to_string(&path).unwrap();
        assert!(
            written.contains("connects_per_address_per_minute = 3000\n")
                && written.contains("connects_per_session_per_minute = 30\n"),
            "{written}"
        );

        // A file from before the per-session bound: the old default per
        // address is read as the new one; a figure someone chose is kept,
        // and so is any figure in a file that names the session bound.
        let cases = [
            (None, Some(120), 3000),
            (None, Some(500), 500),
            (Some(10), Some(120), 120),
            (None, None, 3000),
        ];
        for (per_session, per_address, want) in cases {
            let mut text: String = written
                .lines()
                .filter(|l| !l.starts_with("connects_per_"))
                .flat_map(|l| [l, "\n"])
                .collect();
            let head: String = [
                per_address.map(|n| format!("connects_per_address_per_minute = {n}\n")),
                per_session.map(|n| format!("connects_per_session_per_minute = {n}\n")),
            ]
            .into_iter()
            .flatten()
            .collect();
            text.insert_str(text.find("sites").unwrap(), &head);
            fs::write(&path, &text).unwrap();
            let loaded = GateConfig::load(&path).unwrap();
            let case = format!("{per_session:?} {per_address:?}");
            assert_eq!(loaded.connects_per_address_per_minute, want, "{case}");
            assert_eq!(
                loaded.connects_per_session_per_minute,
                per_session.unwrap_or(30),
                "{case}"
            );
        }
    }

    #[test]
    fn the_default_bounds_admit_what_simulated_shoppers_do() {
        use crate::simulate::behaviour::{Act, Mix, plan};
        // `floorwalker simulate`'s shoppers, who open a new page (a new
        // connection, in the plugin) on each of these acts.
        let mut rng = fastrand::Rng::with_seed(16);
        let (visits, mut pages, mut ms, mut busiest, mut closest) = (20_000, 0, 0, 0, u64::MAX);
        for _ in 0..visits {
            let steps = plan(Mix::default().pick(&mut rng), &mut rng);
            let mut at = 0;
            let mut opened = Vec::new();
            for step in steps {
                at += step.after_ms;
                if matches!(
                    step.act,
                    Act::Land { .. }
                        | Act::Go { .. }
                        | Act::Product(_)
                        | Act::Checkout { .. }
                        | Act::Purchase
                ) {
                    opened.push(at);
                }
            }
            for (i, first) in opened.iter().enumerate() {
                let in_a_minute = opened[i..].iter().take_while(|t| **t < first + 60_000);
                busiest = busiest.max(in_a_minute.count());
            }
            for pair in opened.windows(2) {
                closest = closest.min(pair[1] - pair[0]);
            }
            pages += opened.len();
            ms += at;
        }
        #[allow(clippy::cast_precision_loss)] // counts far below 2^52
        let (pages, ms) = (pages as f64, ms as f64);
        let per_minute = pages / (ms / 60_000.0);
        println!(
            "simulated shoppers: {visits} visits, {:.2} pages a visit over {:.0} s, \
             {per_minute:.2} pages a minute, at most {busiest} in any minute, \
             pages at least {closest} ms apart",
            pages / f64::from(visits),
            ms / 1000.0 / f64::from(visits),
        );
        // A shopper with three tabs at the busiest pace, and room to spare.
        let per_session = CONNECTS_PER_SESSION_PER_MINUTE as usize;
        assert!(
            3 * busiest <= per_session,
            "busiest minute: {busiest} pages"
        );
        // 1,000 shoppers behind one address at their average pace.
        assert!(1000.0 * per_minute <= f64::from(CONNECTS_PER_ADDRESS_PER_MINUTE));
    }

    #[test]
    fn bad_configs_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let mut setup = AuthSetup::generate(&[SiteId::new("shoes").unwrap()], NOW);
        setup.gate.sites.push("Bad.Site".into());
        setup.write(dir.path()).unwrap();
        let err = GateConfig::load(&dir.path().join("gate.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("site 'Bad.Site'"), "{err}");

        let mut setup = AuthSetup::generate(&[SiteId::new("shoes").unwrap()], NOW);
        setup.gate.trusted_proxies = vec!["10.0.0.5".into(), "proxy.internal".into()];
        setup.write(dir.path()).unwrap();
        let err = GateConfig::load(&dir.path().join("gate.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("trusted proxy 'proxy.internal'"), "{err}");

        // A proxy the gate would trust without a token to check its word.
        let mut setup = AuthSetup::generate(&[SiteId::new("shoes").unwrap()], NOW);
        setup.gate.trusted_proxies = vec!["10.0.0.5".into()];
        setup.write(dir.path()).unwrap();
        let err = GateConfig::load(&dir.path().join("gate.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("run `floorwalker auth proxy`"), "{err}");
        let token = setup.gate.trust_proxies(&["10.0.0.5".into()]).unwrap();
        setup.write(dir.path()).unwrap();
        let loaded = GateConfig::load(&dir.path().join("gate.toml")).unwrap();
        assert_eq!(loaded.proxy_token.as_deref(), Some(token.as_str()));
        // Trusting again keeps the token the proxy already has.
        assert_eq!(
            setup.gate.trust_proxies(&["10.0.0.0/24".into()]).unwrap(),
            token
        );
        assert_eq!(
            setup.gate.trust_proxies(&["proxy.internal".into()]),
            Err(Invalid::TrustedProxy("proxy.internal".into()))
        );
    }
}
