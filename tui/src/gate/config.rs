//! The gate's configuration file, and what `floorwalker auth init` generates:
//! the gate's keys and bounds (`gate.toml`), the deployment's other keys
//! (`crate::trust`), and one credential per operator role.

use std::fs;
use std::path::{Path, PathBuf};

use ipnet::IpNet;
use nkeys::{KeyPair, XKey};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::jwt::{decode_issued_to, is_kind};
use super::limiter::parse_proxy;
use super::policy::{Role, ShopperLimits, UnknownRole};
use crate::creds::{self, OperatorCreds, write_private};
use crate::trust::keys::Trust;
use floorwalker_shared::subject::{self, SiteId};

/// The account operators and services are in.
pub const APP_ACCOUNT: &str = "APP";
/// The account shoppers land in: its own limits, and only the subjects that
/// the imports below bring across.
pub const SHOP_ACCOUNT: &str = "SHOP";
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
    /// The gate's own seed is not a user seed.
    #[error("gate_seed is not a user seed")]
    GateSeed,
    /// A file from before operators had nkeys.
    #[error(
        "it is from before operators signed in with nkeys (it holds passwords): make new \
         keys with `floorwalker auth init --force` (every operator gets a new .creds file)"
    )]
    Passwords,
    /// The shoppers' largest payload is too small for the server: it is
    /// every connection's, operators' and the gate's too.
    #[error(
        "shopper.max_payload {0} is below {MIN_MAX_PAYLOAD}: the server applies it to every \
         connection, and operators' facts and the gate's answers need that much"
    )]
    MaxPayload(u32),
    /// A key in `trust.toml` is not of its kind.
    #[error("the {0} key is not of its kind")]
    TrustKey(String),
    /// The shoppers' signing seed is not an account seed.
    #[error("shop_seed is not an account seed")]
    ShopSeed,
    /// The gate's credentials JWT is missing or not for its key.
    #[error("gate_jwt is missing or not issued to gate_seed's key")]
    GateJwt,
    /// A file from before operator mode.
    #[error(
        "it is from before Floorwalker's accounts were JWTs (operator mode): make new keys \
         with `floorwalker auth init --force` (every operator gets a new .creds file, and \
         nats-server needs the new nats-auth.conf)"
    )]
    BeforeOperatorMode,
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

/// One operator issued credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorEntry {
    /// User name: what the operator acts as (and what shoppers see of an
    /// agent).
    pub user: String,
    /// Role, by name.
    pub role: String,
    /// The operator's public nkey (`U…`); its seed is in `<user>.creds`,
    /// which nothing else holds.
    pub key: String,
    /// When it was issued, seconds since the epoch.
    #[serde(default)]
    pub issued: i64,
    /// When it stops being admitted, seconds since the epoch (none: never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<i64>,
}

/// A key revoked: an operator's, or the key an operator had before `auth
/// rotate` (`APP`'s revocations).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokedKey {
    /// Whose it was.
    pub user: String,
    /// The public nkey.
    pub key: String,
    /// When it was revoked, seconds since the epoch.
    pub at: i64,
}

/// The gate's own keys: `AUTH`'s signing key, which signs its answers and
/// its own credentials; `SHOP`'s, which signs the shoppers it admits; the
/// curve key requests are sealed to; and the key and JWT it connects with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateKeys {
    /// The seed of `AUTH`'s signing key (`SA…`).
    pub issuer_seed: String,
    /// The seed of `SHOP`'s signing key (`SA…`).
    pub shop_seed: String,
    /// The seed of the curve key requests are sealed to (`SX…`).
    pub xkey_seed: String,
    /// The seed of the user key the gate connects with (`SU…`), one of
    /// the callout's `auth_users`.
    pub gate_seed: String,
    /// The gate's user JWT, signed with `issuer_seed`.
    #[serde(default)]
    pub gate_jwt: String,
}

impl GateKeys {
    /// New keys, the gate's JWT issued in `auth` (`AUTH`'s public key) at
    /// `iat`.
    pub fn generate(auth: &str, iat: i64) -> Self {
        let mut keys = Self {
            issuer_seed: KeyPair::new_account().seed().unwrap_or_default(),
            shop_seed: KeyPair::new_account().seed().unwrap_or_default(),
            xkey_seed: XKey::new().seed().unwrap_or_default(),
            gate_seed: KeyPair::new_user().seed().unwrap_or_default(),
            gate_jwt: String::new(),
        };
        keys.gate_jwt = crate::trust::accounts::gate_user(&keys, auth, iat).unwrap_or_default();
        keys
    }

    /// `AUTH`'s signing key pair.
    pub fn issuer(&self) -> Option<KeyPair> {
        KeyPair::from_seed(&self.issuer_seed).ok()
    }

    /// `SHOP`'s signing key pair.
    pub fn shop(&self) -> Option<KeyPair> {
        KeyPair::from_seed(&self.shop_seed).ok()
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
        if !is_kind(self.issuer(), 'A') {
            return Err(Invalid::IssuerSeed);
        }
        if !is_kind(self.shop(), 'A') {
            return Err(Invalid::ShopSeed);
        }
        self.xkey().ok_or(Invalid::XkeySeed)?;
        let gate = self.gate().filter(|k| k.public_key().starts_with('U'));
        let gate = gate.ok_or(Invalid::GateSeed)?.public_key();
        decode_issued_to(&self.gate_jwt, &gate).map_err(|_| Invalid::GateJwt)?;
        Ok(())
    }
}

/// The gate's configuration file (`gate.toml`), readable by its owner only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateConfig {
    /// Sites whose shoppers are admitted.
    pub sites: Vec<String>,
    /// `AUTH`'s public key (the gate's account).
    pub auth_account: String,
    /// `SHOP`'s public key (where shoppers land).
    pub shop_account: String,
    /// The gate's keys.
    #[serde(flatten)]
    pub keys: GateKeys,
    /// The keys before the last `floorwalker auth rotate-gate`: the gate
    /// opens requests sealed to either, and shoppers it admitted with them
    /// stay connected, until the next rotation takes them out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_keys: Option<GateKeys>,
    /// When the keys were last rotated, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotated_at: Option<i64>,
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
}

/// The text of a configuration file, and how to say what is wrong in it.
///
/// # Errors
/// If it cannot be read.
pub fn read(path: &Path) -> Result<(String, impl Fn(Invalid) -> ConfigError), ConfigError> {
    let text = fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: path.to_owned(),
        source,
    })?;
    let path = path.to_owned();
    Ok((text, move |reason| ConfigError::Invalid {
        path: path.clone(),
        reason,
    }))
}

impl GateConfig {
    /// Reads and checks `gate.toml`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let (text, invalid) = read(path)?;
        if text.contains("\ngate_password") || text.contains("password_hash") {
            return Err(invalid(Invalid::Passwords));
        }
        if text.contains("[[operators]]") || !text.contains("shop_seed") {
            return Err(invalid(Invalid::BeforeOperatorMode));
        }
        let config: Self =
            toml::from_str(&text).map_err(|e| invalid(Invalid::Syntax(e.message().to_owned())))?;
        config.check().map_err(invalid)?;
        Ok(config)
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
        Ok(())
    }

    /// New gate keys, issued at `now`; the current ones are kept as the
    /// previous, so that requests sealed to either are answered while the
    /// server's accounts change over (`floorwalker auth rotate-gate`).
    pub fn rotate_keys(&mut self, now: i64) {
        let new = GateKeys::generate(&self.auth_account, now);
        let old = std::mem::replace(&mut self.keys, new);
        self.previous_keys = Some(old);
        self.rotated_at = Some(now);
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
}

/// Now, in seconds since the epoch (when keys are issued and revoked).
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// What `auth init` makes: written into one directory.
#[derive(Debug)]
pub struct AuthSetup {
    /// The gate's configuration.
    pub gate: GateConfig,
    /// The keys only `floorwalker auth` holds, and who was issued what.
    pub trust: Trust,
    /// One credential per role, by role.
    pub operators: Vec<(Role, OperatorCreds)>,
}

impl AuthSetup {
    /// New keys and credentials for `sites`, issued at `now` (seconds
    /// since the epoch).
    pub fn generate(sites: &[SiteId], now: i64) -> Self {
        let mut trust = Trust::generate();
        let iat = trust.next_issued(now);
        let auth_account = trust.auth.public_key();
        let gate = GateConfig {
            sites: sites.iter().map(ToString::to_string).collect(),
            keys: GateKeys::generate(&auth_account, iat),
            auth_account,
            shop_account: trust.shop.public_key(),
            previous_keys: None,
            rotated_at: None,
            connects_per_address_per_minute: CONNECTS_PER_ADDRESS_PER_MINUTE,
            connects_per_session_per_minute: CONNECTS_PER_SESSION_PER_MINUTE,
            trusted_proxies: Vec::new(),
            proxy_token: None,
            shopper: ShopperLimits::default(),
        };
        let operators = Role::ALL
            .into_iter()
            .map(|role| (role, trust.add_operator(role, role.name(), now)))
            .collect();
        Self {
            gate,
            trust,
            operators,
        }
    }

    /// Adds an operator `user` in `role` (beside the one per role).
    pub fn add(&mut self, role: Role, user: &str, now: i64) {
        let creds = self.trust.add_operator(role, user, now);
        self.operators.retain(|(_, c)| c.user != user);
        self.operators.push((role, creds));
    }

    /// The nats-server config block: the operator, the accounts (kept in
    /// `resolver_dir`) and the sentinel.
    pub fn server_block(&self, resolver_dir: &Path) -> String {
        crate::trust::accounts::server_block(
            &self.trust,
            &self.gate,
            resolver_dir,
            self.trust.issued,
        )
        .unwrap_or_default()
    }

    /// Writes `gate.toml`, `trust.toml`, `<user>.creds` and
    /// `nats-auth.conf` (its accounts kept in `resolver_dir`) into `dir`.
    pub fn write(&self, dir: &Path, resolver_dir: &Path) -> Result<(), ConfigError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| ConfigError::Io { path, source }
        };
        fs::create_dir_all(dir).map_err(io(dir))?;
        self.gate.save(&dir.join("gate.toml"))?;
        self.trust.save(&dir.join(crate::trust::keys::FILE))?;
        for (_, creds) in &self.operators {
            creds.store(&creds::file_in(dir, &creds.user))?;
        }
        // Public keys only, but it says who may do what: private too.
        let conf = dir.join("nats-auth.conf");
        write_private(&conf, &self.server_block(resolver_dir)).map_err(io(&conf))?;
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
        setup
            .write(dir.path(), &dir.path().join("accounts"))
            .unwrap();
        let loaded = GateConfig::load(&dir.path().join("gate.toml")).unwrap();
        assert_eq!(loaded, setup.gate);
        let trust = Trust::load(&dir.path().join("trust.toml")).unwrap();
        assert_eq!(trust, setup.trust);
        let creds = Role::ALL
            .iter()
            .map(|role| format!("{}.creds", role.name()));
        let files: Vec<String> = ["gate.toml", "trust.toml", "nats-auth.conf"]
            .map(String::from)
            .into_iter()
            .chain(creds)
            .collect();
        for file in &files {
            let mode = fs::metadata(dir.path().join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
        let gate_toml = fs::read_to_string(dir.path().join("gate.toml")).unwrap();
        for (role, creds) in &setup.operators {
            let entry = trust
                .operators
                .iter()
                .find(|o| o.user == creds.user)
                .unwrap();
            assert_eq!(entry.role, role.name());
            assert_eq!(entry.key, creds.public_key());
            // Nothing else holds an operator's seed.
            assert!(!gate_toml.contains(creds.seed()));
        }
        // The gate holds no key of the operator's or of the accounts'.
        for seed in [
            &trust.operator_seed,
            &trust.operator_signing_seed,
            &trust.auth.seed,
            &trust.shop.seed,
            &trust.app.seed,
        ] {
            assert!(!gate_toml.contains(seed.as_str()));
        }
        let block = setup.server_block(&dir.path().join("accounts"));
        assert!(block.contains(&trust.sys.public_key()));
        for seed in [
            &loaded.keys.issuer_seed,
            &loaded.keys.xkey_seed,
            &loaded.keys.gate_seed,
            &loaded.keys.shop_seed,
            &trust.operator_seed,
        ] {
            assert!(!block.contains(seed.as_str()), "the block leaks a seed");
        }
        assert!(!block.contains("password"), "{block}");
    }

    #[test]
    fn rotating_keeps_the_previous_keys_until_the_next_rotation() {
        let mut setup = AuthSetup::generate(&[SiteId::new("shoes").unwrap()], NOW);
        let before = setup.gate.keys.clone();
        setup.gate.rotate_keys(NOW + 5);
        assert_eq!(setup.gate.previous_keys.as_ref(), Some(&before));
        assert_ne!(setup.gate.keys, before);
        assert_eq!(setup.gate.rotated_at, Some(NOW + 5));
        let dir = tempfile::tempdir().unwrap();
        setup.gate.save(&dir.path().join("gate.toml")).unwrap();
        assert_eq!(
            GateConfig::load(&dir.path().join("gate.toml")).unwrap(),
            setup.gate
        );
    }

    #[test]
    fn an_older_gate_toml_says_how_to_move_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gate.toml");
        fs::write(&path, "sites = [\"shoes\"]\ngate_password = \"x\"\n").unwrap();
        let err = GateConfig::load(&path).unwrap_err().to_string();
        assert!(err.contains("auth init --force"), "{err}");
        fs::write(&path, "sites = [\"shoes\"]\n[[operators]]\nuser = \"a\"\n").unwrap();
        let err = GateConfig::load(&path).unwrap_err().to_string();
        assert!(err.contains("operator mode"), "{err}");
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

    /// `setup` written into `dir` and its `gate.toml` read back.
    fn written(setup: &AuthSetup, dir: &Path) -> Result<GateConfig, ConfigError> {
        setup.write(dir, &dir.join("accounts")).unwrap();
        GateConfig::load(&dir.join("gate.toml"))
    }

    #[test]
    fn bad_configs_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let mut setup = AuthSetup::generate(&[SiteId::new("shoes").unwrap()], NOW);
        setup.gate.sites.push("Bad.Site".into());
        let err = written(&setup, dir.path()).unwrap_err().to_string();
        assert!(err.contains("site 'Bad.Site'"), "{err}");

        let mut setup = AuthSetup::generate(&[SiteId::new("shoes").unwrap()], NOW);
        setup.gate.trusted_proxies = vec!["10.0.0.5".into(), "proxy.internal".into()];
        let err = written(&setup, dir.path()).unwrap_err().to_string();
        assert!(err.contains("trusted proxy 'proxy.internal'"), "{err}");

        // A proxy the gate would trust without a token to check its word.
        let mut setup = AuthSetup::generate(&[SiteId::new("shoes").unwrap()], NOW);
        setup.gate.trusted_proxies = vec!["10.0.0.5".into()];
        let err = written(&setup, dir.path()).unwrap_err().to_string();
        assert!(err.contains("run `floorwalker auth proxy`"), "{err}");
        let token = setup.gate.trust_proxies(&["10.0.0.5".into()]).unwrap();
        let loaded = written(&setup, dir.path()).unwrap();
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
