//! Operator credentials: an nkey seed file, the form the NATS ecosystem
//! reads (`nats --nkey FILE`, nats-py's `nkeys_seed=`, async-nats's
//! `with_nkey`), kept readable by its owner only and never put on a
//! command line (where `ps` would show it).
//!
//! Why nkeys and not `.creds` (a user JWT with its seed): nats-server
//! outside operator mode drops the JWT a client sends before the auth
//! callout sees it, so only the key and its signature of the server's
//! nonce reach the gate. The gate holds who each key is (docs/DEPLOY.md).
//!
//! The file holds the seed alone (nats-py refuses anything more); the
//! operator's user name is the file's name, `<user>.nk`, as `floorwalker
//! auth` writes it.

use std::fs;
use std::path::{Path, PathBuf};

use nkeys::KeyPair;
use thiserror::Error;

/// The extension of an operator's seed file.
pub const EXTENSION: &str = "nk";

/// Where `user`'s seed file goes in `dir`.
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
    #[error("'{path}' is not an operator's nkey seed file: {reason}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

/// An operator's credentials: its user name and nkey.
#[derive(Clone)]
pub struct OperatorCreds {
    /// The user name (the file's name); the gate knows its role.
    pub user: String,
    seed: String,
}

impl PartialEq for OperatorCreds {
    fn eq(&self, other: &Self) -> bool {
        self.user == other.user && self.public_key() == other.public_key()
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

impl OperatorCreds {
    /// New credentials for `user`: a fresh user nkey.
    pub fn generate(user: &str) -> Self {
        Self {
            user: user.to_owned(),
            seed: KeyPair::new_user().seed().unwrap_or_default(),
        }
    }

    /// The public key the gate knows this operator by (`U…`).
    pub fn public_key(&self) -> String {
        KeyPair::from_seed(&self.seed)
            .map(|k| k.public_key())
            .unwrap_or_default()
    }

    /// The seed, for the client that signs the server's nonce with it.
    pub fn seed(&self) -> &str {
        &self.seed
    }

    /// Reads a seed file; the user is the file's name without `.nk`.
    pub fn load(path: &Path) -> Result<Self, CredsError> {
        let format = |reason: &str| CredsError::Format {
            path: path.display().to_string(),
            reason: reason.to_owned(),
        };
        let text = fs::read_to_string(path).map_err(|source| CredsError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let user = path
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or_else(|| format("its name is not a user name"))?
            .to_owned();
        // The seed alone, as `auth` writes it; a decorated file (seed on a
        // line of its own among others, as nsc writes) is read too.
        let seed = text
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("SU"))
            .ok_or_else(|| format("no user seed (a line starting with SU)"))?;
        KeyPair::from_seed(seed).map_err(|_| format("the seed does not decode"))?;
        Ok(Self {
            user,
            seed: seed.to_owned(),
        })
    }

    /// Writes the seed file readable by its owner only. Its name is the
    /// user's, so write it as [`file_in`] names it.
    pub fn store(&self, path: &Path) -> Result<(), CredsError> {
        write_private(path, &format!("{}\n", self.seed)).map_err(|source| CredsError::Io {
            path: path.display().to_string(),
            source,
        })
    }
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
    /// The user name cannot name an inbox (the gate would refuse it too).
    User,
    /// The server refused the credentials.
    Refused,
    /// The key is admitted under another user name than its file's.
    WrongName,
    /// Nothing answered at that address in time.
    Unreachable,
    /// Anything else the client reported.
    Other,
}

/// An operator's connection that failed, with its kind and cause.
#[derive(Debug, Error)]
#[error("{}", match .kind {
    ConnectErrorKind::User => "the credentials' user name cannot name an inbox",
    ConnectErrorKind::Refused => "the server refused these credentials",
    ConnectErrorKind::WrongName => "the gate admits this key under another user name than its \
        file's: an operator's file is named <user>.nk, as `floorwalker auth` wrote it \
        (`floorwalker auth list` shows whose key it is)",
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
/// within ten seconds, it refuses the credentials, or it admits the key
/// under another user name than the file's.
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
    let options = async_nats::ConnectOptions::with_nkey(creds.seed.clone())
        .name(name)
        .custom_inbox_prefix(inbox.to_string())
        .connection_timeout(std::time::Duration::from_secs(5));
    // The server's complaints, to see whether the inbox named after the
    // file is this key's.
    let (complaints_tx, mut complaints) = tokio::sync::mpsc::unbounded_channel();
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
        if let async_nats::Event::ServerError(async_nats::ServerError::Other(text)) = event {
            let _ = complaints_tx.send(text);
        }
        async {}
    });
    let connecting = tokio::time::timeout(std::time::Duration::from_secs(10), options.connect(url));
    let client = match connecting.await {
        Err(elapsed) => {
            return Err(ConnectError {
                kind: ConnectErrorKind::Unreachable,
                source: Some(Box::new(elapsed)),
            });
        }
        Ok(Ok(client)) => client,
        Ok(Err(e)) => {
            use async_nats::ConnectErrorKind as Kind;
            let kind = match e.kind() {
                Kind::AuthorizationViolation | Kind::Authentication => ConnectErrorKind::Refused,
                Kind::Io | Kind::TimedOut | Kind::Dns => ConnectErrorKind::Unreachable,
                _ => ConnectErrorKind::Other,
            };
            return Err(ConnectError {
                kind,
                source: Some(Box::new(e)),
            });
        }
    };
    check_name(&client, &inbox, &mut complaints).await?;
    Ok(client)
}

/// Whether the server's complaint `text` refuses the subscription to
/// `subject` (the server quotes it; its words' case varies by version).
fn refuses(text: &str, subject: &str) -> bool {
    let text = text.to_lowercase();
    text.contains("permissions violation")
        && text.contains("subscription")
        && text.contains(&format!("\"{}\"", subject.to_lowercase()))
}

/// How long the server's complaint about a subscription may take to reach
/// the client's event handler after the round trip that carried it.
const COMPLAINT_DELIVERY: std::time::Duration = std::time::Duration::from_millis(300);

/// The gate grants an operator the inbox of the user its key belongs to;
/// the client names its inbox after the file (`<user>.nk`). A file renamed
/// would make every request of the client go unanswered, so the client
/// subscribes to its inbox once and, if the server refuses that, says so.
async fn check_name(
    client: &async_nats::Client,
    inbox: &floorwalker_shared::subject::Subject,
    complaints: &mut tokio::sync::mpsc::UnboundedReceiver<String>,
) -> Result<(), ConnectError> {
    let probe = format!("{inbox}.whoami");
    let Ok(subscription) = client.subscribe(probe.clone()).await else {
        return Ok(());
    };
    // The server answers the round trip after it has judged the SUB.
    let _ = client.flush().await;
    let mut wrong = false;
    while let Ok(Some(text)) = tokio::time::timeout(COMPLAINT_DELIVERY, complaints.recv()).await {
        if refuses(&text, &probe) {
            wrong = true;
            break;
        }
    }
    drop(subscription);
    if wrong {
        return Err(ConnectError {
            kind: ConnectErrorKind::WrongName,
            source: None,
        });
    }
    Ok(())
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

    #[test]
    fn only_a_refusal_of_the_probe_itself_counts() {
        let probe = "fw.inbox.Ana.whoami";
        assert!(refuses(
            "Permissions Violation for Subscription to \"fw.inbox.Ana.whoami\"",
            probe
        ));
        assert!(!refuses(
            "Permissions Violation for Subscription to \"fw.inbox.Ana.whoami.x\"",
            probe
        ));
        assert!(!refuses(
            "Permissions Violation for Publish to \"fw.inbox.Ana.whoami\"",
            probe
        ));
        assert!(!refuses("Maximum Connections Exceeded", probe));
    }

    #[test]
    fn stores_privately_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let creds = OperatorCreds::generate("agent");
        let path = file_in(dir.path(), "agent");
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
        // The file is the seed alone, as nats-py wants it.
        assert_eq!(fs::read_to_string(&path).unwrap().trim(), creds.seed());
        // Storing again replaces the file whole, still private, and leaves
        // nothing beside it.
        let again = OperatorCreds::generate("agent");
        again.store(&path).unwrap();
        assert_eq!(OperatorCreds::load(&path).unwrap(), again);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        fs::write(&path, "nonsense").unwrap();
        let err = OperatorCreds::load(&path).unwrap_err().to_string();
        assert!(err.contains("is not an operator's nkey seed file"), "{err}");
        // An account seed is not an operator's.
        fs::write(&path, KeyPair::new_account().seed().unwrap()).unwrap();
        assert!(OperatorCreds::load(&path).is_err());
    }
}
