//! Operator credentials: a NATS `.creds` file (a user JWT and its nkey
//! seed), the form the NATS ecosystem reads (`nats --creds FILE`, nats-py's
//! `user_credentials=`, async-nats's `credentials_file`), kept readable by
//! its owner only and never put on a command line (where `ps` would show
//! it). nats-server checks the JWT itself: `APP`'s signing key signed it,
//! it has not expired, and its key is not among `APP`'s revocations
//! (`crate::trust`). The JWT names the operator (`<role>:<user>`), so the
//! file may have any name.

use std::fs;
use std::path::{Path, PathBuf};

use nkeys::KeyPair;
use thiserror::Error;

/// The extension of an operator's credentials file.
pub const EXTENSION: &str = "creds";

/// Where `user`'s credentials file goes in `dir`.
pub fn file_in(dir: &Path, user: &str) -> PathBuf {
    dir.join(format!("{user}.{EXTENSION}"))
}

/// Why a credentials file could not be used.
#[derive(Debug, Error)]
pub enum CredsError {
    /// The file could not be read or written.
    #[error("cannot access credentials file '{path}'")]
    Io {
        /// The file.
        path: String,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a credentials file.
    #[error("'{path}' is not an operator's NATS credentials file: {reason}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

/// Why a seed and a JWT are not an operator's credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum NotCreds {
    /// The seed does not decode.
    #[error("the seed does not decode")]
    Seed,
    /// The JWT does not verify, or is issued to another key than the
    /// seed's.
    #[error("its JWT is {0}")]
    Jwt(#[from] crate::gate::jwt::JwtError),
    /// The JWT names no operator.
    #[error("its JWT names no operator (<role>:<user>)")]
    NoOperator,
}

/// An operator's credentials: its user name, nkey and JWT.
#[derive(Clone)]
pub struct OperatorCreds {
    /// The user name, from the JWT's `<role>:<user>`.
    pub user: String,
    seed: String,
    jwt: String,
}

impl PartialEq for OperatorCreds {
    fn eq(&self, other: &Self) -> bool {
        self.user == other.user && self.jwt == other.jwt
    }
}

impl Eq for OperatorCreds {}

impl std::fmt::Debug for OperatorCreds {
    /// Never prints the seed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorCreds")
            .field("user", &self.user)
            .field("key", &self.public_key())
            .finish_non_exhaustive()
    }
}

const JWT_BEGIN: &str = "-----BEGIN NATS USER JWT-----";
const JWT_END: &str = "------END NATS USER JWT------";
const SEED_BEGIN: &str = "-----BEGIN USER NKEY SEED-----";
const SEED_END: &str = "------END USER NKEY SEED------";

impl OperatorCreds {
    /// A new user key pair's seed, for [`OperatorCreds::new`].
    pub fn new_seed() -> String {
        KeyPair::new_user().seed().unwrap_or_default()
    }

    /// Credentials from a seed and the JWT issued to its key.
    ///
    /// # Errors
    /// If the JWT does not name an operator (`<role>:<user>`) or is not
    /// issued to the seed's key.
    pub fn new(seed: &str, jwt: &str) -> Result<Self, NotCreds> {
        let key = KeyPair::from_seed(seed).map_err(|_| NotCreds::Seed)?;
        let claims = crate::gate::jwt::decode_issued_to(jwt, &key.public_key())?;
        let user = claims["name"]
            .as_str()
            .and_then(|n| n.split_once(':'))
            .map(|(_, user)| user.to_owned())
            .ok_or(NotCreds::NoOperator)?;
        Ok(Self {
            user,
            seed: seed.to_owned(),
            jwt: jwt.to_owned(),
        })
    }

    /// The public key the server knows this operator by (`U…`).
    pub fn public_key(&self) -> String {
        KeyPair::from_seed(&self.seed)
            .map(|k| k.public_key())
            .unwrap_or_default()
    }

    /// The seed, for the client that signs the server's nonce with it.
    pub fn seed(&self) -> &str {
        &self.seed
    }

    /// The user JWT the client presents.
    pub fn jwt(&self) -> &str {
        &self.jwt
    }

    /// The file's text, as nsc and the NATS tools write it.
    pub fn text(&self) -> String {
        text(&self.jwt, &self.seed)
    }

    /// Reads a credentials file.
    ///
    /// # Errors
    /// If it cannot be read or is not one.
    pub fn load(path: &Path) -> Result<Self, CredsError> {
        let format = |reason: String| CredsError::Format {
            path: path.display().to_string(),
            reason,
        };
        let text = fs::read_to_string(path).map_err(|source| CredsError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let between = |begin: &str, end: &str| {
            let rest = &text[text.find(begin)? + begin.len()..];
            Some(rest[..rest.find(end)?].trim().to_owned())
        };
        let jwt = between(JWT_BEGIN, JWT_END).ok_or_else(|| format("no user JWT".into()))?;
        let seed = between(SEED_BEGIN, SEED_END).ok_or_else(|| format("no user seed".into()))?;
        Self::new(&seed, &jwt).map_err(|e| format(e.to_string()))
    }

    /// Writes the file readable by its owner only.
    ///
    /// # Errors
    /// If it cannot be written.
    pub fn store(&self, path: &Path) -> Result<(), CredsError> {
        write_private(path, &self.text()).map_err(|source| CredsError::Io {
            path: path.display().to_string(),
            source,
        })
    }
}

/// A `.creds` file's text for `jwt` and `seed`, as nsc and the NATS tools
/// write it.
pub fn text(jwt: &str, seed: &str) -> String {
    format!(
        "{JWT_BEGIN}\n{jwt}\n{JWT_END}\n\n\
         ************************* IMPORTANT *************************\n\
         NKEY Seed printed below can be used to sign and prove identity.\n\
         NKEYs are sensitive and should be treated as secrets.\n\n\
         {SEED_BEGIN}\n{seed}\n{SEED_END}\n\n\
         *************************************************************\n"
    )
}

/// 32 random bytes as URL-safe text.
///
/// # Panics
/// If the operating system has no randomness to give, which leaves nothing
/// safe to do.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).unwrap_or_else(|e| panic!("the OS gave no randomness: {e}"));
    data_encoding::BASE64URL_NOPAD.encode(&bytes)
}

/// Why an operator could not connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectErrorKind {
    /// The user name cannot name an inbox.
    User,
    /// The server refused the credentials (revoked, expired, or not this
    /// deployment's).
    Refused,
    /// Nothing answered at that address in time.
    Unreachable,
    /// Anything else the client reported.
    Other,
}

/// An operator's connection that failed, with its kind and cause.
#[derive(Debug, Error)]
#[error("{}", match .kind {
    ConnectErrorKind::User => "the credentials' user name cannot name an inbox",
    ConnectErrorKind::Refused => "the server refused these credentials (revoked, expired, or \
        another deployment's: `floorwalker auth list` shows who is admitted)",
    ConnectErrorKind::Unreachable => "no nats-server answered there",
    ConnectErrorKind::Other => "the connection failed",
})]
pub struct ConnectError {
    kind: ConnectErrorKind,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl ConnectError {
    /// What went wrong.
    pub fn kind(&self) -> ConnectErrorKind {
        self.kind
    }
}

/// The connection's ups and downs, for a screen's banner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Connected (again).
    Up,
    /// Lost or refused; the client reconnects by itself.
    Down(String),
}

/// Connects to nats-server at `url` as this operator, with replies in its
/// own inbox (the only one its permissions open; a user name that cannot
/// name one is an error, never a fallback to a shared inbox), naming the
/// connection `name` for the server's monitoring. `links`, when given,
/// hears every later loss and return of the connection.
///
/// # Errors
/// When the user name cannot name an inbox, the server cannot be reached
/// within ten seconds, or it refuses the credentials.
pub async fn connect(
    creds: &OperatorCreds,
    url: &str,
    name: &str,
    links: Option<tokio::sync::mpsc::UnboundedSender<Link>>,
) -> Result<async_nats::Client, ConnectError> {
    let inbox =
        floorwalker_shared::subject::operator_inbox(&creds.user).map_err(|e| ConnectError {
            kind: ConnectErrorKind::User,
            source: Some(Box::new(e)),
        })?;
    let options = async_nats::ConnectOptions::with_credentials(&creds.text())
        .map_err(|e| ConnectError {
            kind: ConnectErrorKind::Other,
            source: Some(Box::new(e)),
        })?
        .name(name)
        .custom_inbox_prefix(inbox.to_string())
        .connection_timeout(std::time::Duration::from_secs(5));
    let options = options.event_callback(move |event| {
        let link = match &event {
            async_nats::Event::Connected => Some(Link::Up),
            async_nats::Event::Disconnected => Some(Link::Down("disconnected".to_owned())),
            async_nats::Event::ServerError(async_nats::ServerError::AuthorizationViolation) => {
                Some(Link::Down(
                    "the server refused these credentials".to_owned(),
                ))
            }
            _ => None,
        };
        if let (Some(link), Some(links)) = (link, &links) {
            let _ = links.send(link);
        }
        async {}
    });
    let connecting = tokio::time::timeout(std::time::Duration::from_secs(10), options.connect(url));
    match connecting.await {
        Err(elapsed) => Err(ConnectError {
            kind: ConnectErrorKind::Unreachable,
            source: Some(Box::new(elapsed)),
        }),
        Ok(Ok(client)) => Ok(client),
        Ok(Err(e)) => {
            use async_nats::ConnectErrorKind as Kind;
            let kind = match e.kind() {
                Kind::AuthorizationViolation | Kind::Authentication => ConnectErrorKind::Refused,
                Kind::Io | Kind::TimedOut | Kind::Dns => ConnectErrorKind::Unreachable,
                _ => ConnectErrorKind::Other,
            };
            Err(ConnectError {
                kind,
                source: Some(Box::new(e)),
            })
        }
    }
}

/// Writes `text` to `path` with mode 0600, replacing any file there only
/// once the new one is whole: it is written beside it and renamed into
/// place, so a crash leaves the old file or the new, never neither.
pub fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    // tempfile creates it with mode 0600.
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(text.as_bytes())?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn issued(seed: &str, name: &str) -> String {
        let key = KeyPair::from_seed(seed).unwrap();
        let claims = serde_json::json!({
            "iat": 1, "iss": key.public_key(), "sub": key.public_key(), "name": name,
            "nats": { "type": "user", "version": 2 }
        });
        crate::gate::jwt::encode(&claims, &key).unwrap()
    }

    #[test]
    fn stores_privately_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let seed = OperatorCreds::new_seed();
        let creds = OperatorCreds::new(&seed, &issued(&seed, "agent:ana")).unwrap();
        assert_eq!(creds.user, "ana");
        let path = dir.path().join("whatever.creds");
        creds.store(&path).unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let loaded = OperatorCreds::load(&path).unwrap();
        assert_eq!(loaded, creds);
        assert_eq!(loaded.seed(), creds.seed());
        assert!(creds.public_key().starts_with('U'));
        assert!(!format!("{creds:?}").contains(creds.seed()));
        // The form async-nats reads.
        assert!(async_nats::ConnectOptions::with_credentials(&creds.text()).is_ok());
        // Storing again replaces the file whole and leaves nothing beside it.
        creds.store(&path).unwrap();
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        fs::write(&path, "nonsense").unwrap();
        let err = OperatorCreds::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("is not an operator's NATS credentials file"),
            "{err}"
        );
        // A JWT issued to another key, or naming no operator, is refused.
        let other = OperatorCreds::new_seed();
        assert!(OperatorCreds::new(&seed, &issued(&other, "agent:ana")).is_err());
        assert!(OperatorCreds::new(&seed, &issued(&seed, "nobody")).is_err());
    }
}
