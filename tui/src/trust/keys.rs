//! `trust.toml`: the keys only `floorwalker auth` holds (the operator's and
//! the accounts' own, and the signing keys of the system and operators'
//! accounts) and the operators it has issued credentials to. No service
//! reads it; the gate's keys are in `gate.toml`.

use std::path::Path;

use nkeys::KeyPair;
use serde::{Deserialize, Serialize};

use crate::creds::{OperatorCreds, write_private};
use crate::gate::config::{ConfigError, Invalid, OperatorEntry, RevokedKey};
use crate::gate::jwt::is_kind;
use crate::gate::policy::Role;
use floorwalker_shared::subject;

/// The file's name, beside `gate.toml`.
pub const FILE: &str = "trust.toml";

/// One account's own key and, where `auth` signs its users, a signing key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountKeys {
    /// The account's seed (`SA…`): signs nothing but the sentinel (AUTH's).
    pub seed: String,
    /// The seed of the key that signs its users (`SA…`), if `auth` does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_seed: Option<String>,
}

impl AccountKeys {
    fn generate(signing: bool) -> Self {
        Self {
            seed: new_account_seed(),
            signing_seed: signing.then(new_account_seed),
        }
    }

    /// The account's public key: its name in the server.
    pub fn public_key(&self) -> String {
        self.pair().map(|k| k.public_key()).unwrap_or_default()
    }

    /// The account's key pair.
    pub fn pair(&self) -> Option<KeyPair> {
        KeyPair::from_seed(&self.seed).ok()
    }

    /// The signing key pair.
    pub fn signing(&self) -> Option<KeyPair> {
        KeyPair::from_seed(self.signing_seed.as_deref()?).ok()
    }

    fn check(&self, name: &str) -> Result<(), Invalid> {
        if !is_kind(self.pair(), 'A')
            || self.signing_seed.is_some() && !is_kind(self.signing(), 'A')
        {
            return Err(Invalid::TrustKey(name.to_owned()));
        }
        Ok(())
    }
}

fn new_account_seed() -> String {
    KeyPair::new_account().seed().unwrap_or_default()
}

/// What `floorwalker auth` alone holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trust {
    /// The operator's seed (`SO…`): signs itself only.
    pub operator_seed: String,
    /// The seed of the operator's signing key (`SO…`): signs the accounts.
    pub operator_signing_seed: String,
    /// The system account: signs the users `auth` pushes account changes
    /// with.
    pub sys: AccountKeys,
    /// The gate's account, where the sentinel leads every client without
    /// credentials.
    pub auth: AccountKeys,
    /// The shoppers' account.
    pub shop: AccountKeys,
    /// The operators' account: signs their credentials.
    pub app: AccountKeys,
    /// The newest `iat` given an account JWT: each change is newer.
    pub issued: i64,
    /// The operators issued credentials.
    #[serde(default)]
    pub operators: Vec<OperatorEntry>,
    /// Operators' keys revoked (their account's revocations).
    #[serde(default)]
    pub revoked: Vec<RevokedKey>,
}

impl Trust {
    /// New keys, none issued yet.
    pub fn generate() -> Self {
        Self {
            operator_seed: KeyPair::new_operator().seed().unwrap_or_default(),
            operator_signing_seed: KeyPair::new_operator().seed().unwrap_or_default(),
            sys: AccountKeys::generate(true),
            auth: AccountKeys::generate(false),
            shop: AccountKeys::generate(false),
            app: AccountKeys::generate(true),
            issued: 0,
            operators: Vec::new(),
            revoked: Vec::new(),
        }
    }

    /// The operator's key pair.
    pub fn operator(&self) -> Option<KeyPair> {
        KeyPair::from_seed(&self.operator_seed).ok()
    }

    /// The operator's signing key pair.
    pub fn operator_signing(&self) -> Option<KeyPair> {
        KeyPair::from_seed(&self.operator_signing_seed).ok()
    }

    /// An `iat` newer than every one given before, and not before `now`.
    pub fn next_issued(&mut self, now: i64) -> i64 {
        self.issued = now.max(self.issued + 1);
        self.issued
    }

    /// Issues `user` in `role` credentials with a new key at `now`,
    /// replacing any operator of that name, whose old key is revoked.
    ///
    /// # Panics
    /// If the keys cannot sign (checked on load).
    pub fn add_operator(&mut self, role: Role, user: &str, now: i64) -> OperatorCreds {
        self.add_operator_until(role, user, now, None)
    }

    /// As [`Trust::add_operator`], the credentials expiring at `expires`
    /// (seconds since the epoch): the server refuses them from then on and
    /// closes their connections.
    ///
    /// # Panics
    /// As [`Trust::add_operator`].
    pub fn add_operator_until(
        &mut self,
        role: Role,
        user: &str,
        now: i64,
        expires: Option<i64>,
    ) -> OperatorCreds {
        let seed = OperatorCreds::new_seed();
        let key = KeyPair::from_seed(&seed)
            .map(|k| k.public_key())
            .unwrap_or_default();
        self.revoke(user, now);
        // Issued after the revocation of any key before it.
        let iat = self.next_issued(now);
        let jwt = super::accounts::operator_user(self, role, user, &key, iat, expires)
            .unwrap_or_else(|e| panic!("signing an operator's credentials: {e}"));
        self.operators.push(OperatorEntry {
            user: user.to_owned(),
            role: role.name().to_owned(),
            key,
            issued: iat,
            expires,
        });
        OperatorCreds::new(&seed, &jwt)
            .unwrap_or_else(|e| panic!("credentials just issued do not read back: {e}"))
    }

    /// Stops admitting `user`: its entry goes, its key joins the revoked
    /// (from `now`, which must be at or after its JWT's issue). Returns the
    /// entry removed, if there was one.
    pub fn revoke(&mut self, user: &str, now: i64) -> Option<OperatorEntry> {
        let at = self.operators.iter().position(|op| op.user == user)?;
        let entry = self.operators.remove(at);
        self.revoked.push(RevokedKey {
            user: entry.user.clone(),
            key: entry.key.clone(),
            at: now.max(entry.issued),
        });
        Some(entry)
    }

    /// Reads and checks `trust.toml`.
    ///
    /// # Errors
    /// If it cannot be read, or is not a valid one.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let (text, invalid) = crate::gate::config::read(path)?;
        let trust: Self =
            toml::from_str(&text).map_err(|e| invalid(Invalid::Syntax(e.message().to_owned())))?;
        trust.check().map_err(invalid)?;
        Ok(trust)
    }

    fn check(&self) -> Result<(), Invalid> {
        if !is_kind(self.operator(), 'O') || !is_kind(self.operator_signing(), 'O') {
            return Err(Invalid::TrustKey("operator".into()));
        }
        for (name, keys) in [
            ("sys", &self.sys),
            ("auth", &self.auth),
            ("shop", &self.shop),
            ("app", &self.app),
        ] {
            keys.check(name)?;
        }
        if self.sys.signing().is_none() || self.app.signing().is_none() {
            return Err(Invalid::TrustKey("sys or app signing".into()));
        }
        for op in &self.operators {
            op.role.parse::<Role>()?;
            subject::operator_inbox(&op.user).map_err(|e| Invalid::User(op.user.clone(), e))?;
        }
        Ok(())
    }

    /// Writes `trust.toml`, readable by its owner only.
    ///
    /// # Errors
    /// If it cannot be written.
    pub fn save(&self, path: &Path) -> Result<(), ConfigError> {
        let text = format!(
            "# Floorwalker's operator and account keys, made by `floorwalker auth init`.\n\
             # Only `floorwalker auth` reads this: keep it private, and off the servers if \
             you can.\n{}",
            toml::to_string(self).unwrap_or_default()
        );
        write_private(path, &text).map_err(|source| ConfigError::Io {
            path: path.to_owned(),
            source,
        })
    }
}
