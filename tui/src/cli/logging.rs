//! Logs go to a file through `tracing`, never to the terminal, which belongs
//! to the user interface.

use std::fs::{self, OpenOptions};
use std::path::Path;
use std::sync::Mutex;

use color_eyre::eyre::{Result, WrapErr};
use tracing_subscriber::EnvFilter;

/// Sends `tracing` output to `file` (appending), filtered by `RUST_LOG`
/// (default `info`).
pub(crate) fn init(file: &Path) -> Result<()> {
    if let Some(dir) = file.parent() {
        fs::create_dir_all(dir)
            .wrap_err_with(|| format!("creating log directory '{}'", dir.display()))?;
    }
    let out = OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .wrap_err_with(|| format!("opening log file '{}'", file.display()))?;
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_ansi(false)
        .with_writer(Mutex::new(out))
        .init();
    Ok(())
}
