//! Operator credentials: a user name and password kept in a file that only
//! its owner can read, never on the command line (where `ps` would show it).

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};
use thiserror::Error;

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
    #[error("'{path}' is not a Floorwalker credentials file: {reason}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

/// An operator's credentials, as written by `floorwalker auth init`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorCreds {
    /// The user name; the gate maps it to a role.
    pub user: String,
    /// The password.
    pub password: String,
}

impl std::fmt::Debug for OperatorCreds {
    /// Never prints the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorCreds")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl OperatorCreds {
    /// Reads a credentials file.
    pub fn load(path: &Path) -> Result<Self, CredsError> {
        let text = fs::read_to_string(path).map_err(|source| CredsError::Io {
            path: path.display().to_string(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| CredsError::Format {
            path: path.display().to_string(),
            reason: e.message().to_owned(),
        })
    }

    /// Writes a credentials file readable by its owner only.
    pub fn store(&self, path: &Path) -> Result<(), CredsError> {
        let text = format!(
            "# Floorwalker operator credentials. Keep private.\n{}",
            toml::to_string(self).unwrap_or_default()
        );
        write_private(path, &text).map_err(|source| CredsError::Io {
            path: path.display().to_string(),
            source,
        })
    }
}

/// Connects to nats-server at `url` as this operator, with replies in its
/// own inbox (the only one its permissions open), naming the connection
/// `name` for the server's monitoring.
///
/// # Errors
/// When the server cannot be reached or refuses the credentials.
pub async fn connect(
    creds: &OperatorCreds,
    url: &str,
    name: &str,
) -> Result<async_nats::Client, async_nats::ConnectError> {
    let inbox = floorwalker_shared::subject::operator_inbox(&creds.user)
        .map_or_else(|_| "_INBOX".to_owned(), |s| s.to_string());
    async_nats::ConnectOptions::with_user_and_password(creds.user.clone(), creds.password.clone())
        .name(name)
        .custom_inbox_prefix(inbox)
        .connection_timeout(std::time::Duration::from_secs(5))
        .connect(url)
        .await
}

/// Writes `text` to `path` with mode 0600, replacing any file there.
pub fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt;
    let _ = fs::remove_file(path);
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn stores_privately_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agent.creds");
        let creds = OperatorCreds {
            user: "agent".into(),
            password: "p\"w".into(),
        };
        creds.store(&path).unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(OperatorCreds::load(&path).unwrap(), creds);
        assert!(!format!("{creds:?}").contains("p\\\"w"));
        fs::write(&path, "nonsense").unwrap();
        let err = OperatorCreds::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("is not a Floorwalker credentials file"),
            "{err}"
        );
    }
}
