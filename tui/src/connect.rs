//! How an operator command connects: its credentials file (given, or the
//! demo's for its role) and the server, with errors that say what to do.

use std::path::{Path, PathBuf};
use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr, eyre};
use floorwalker::creds::{self, OperatorCreds};

/// Loads the credentials at `given`, or else the demo's `<role>.creds`
/// under `data_dir`, and connects to `server` as them.
pub(crate) async fn operator(
    server: &str,
    given: Option<&Path>,
    data_dir: &Path,
    role: &str,
    name: &str,
) -> Result<(OperatorCreds, async_nats::Client)> {
    let path: PathBuf = given.map_or_else(
        || data_dir.join("auth").join(format!("{role}.creds")),
        Path::to_path_buf,
    );
    let creds = OperatorCreds::load(&path).wrap_err_with(|| {
        format!(
            "reading the {role} credentials '{}': make them with `floorwalker auth init` (or \
             run `floorwalker demo`), or pass --creds",
            path.display()
        )
    })?;
    let client = tokio::time::timeout(
        Duration::from_secs(10),
        creds::connect(&creds, server, name),
    )
    .await
    .map_err(|_| eyre!("no answer from nats-server at '{server}'"))?
    .wrap_err_with(|| {
        format!(
            "connecting to nats-server at '{server}' as '{}'",
            creds.user
        )
    })?;
    Ok((creds, client))
}
