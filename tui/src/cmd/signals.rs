//! Stopping a long-running command the way a terminal or a service manager
//! asks: Ctrl-C (SIGINT) or SIGTERM.

use color_eyre::eyre::{Result, WrapErr};
use tokio::signal::unix::{SignalKind, signal};

/// Completes at the first SIGINT or SIGTERM; listening starts now.
pub(crate) fn stop() -> Result<impl Future<Output = ()>> {
    let mut sigint = signal(SignalKind::interrupt()).wrap_err("listening for SIGINT")?;
    let mut sigterm = signal(SignalKind::terminate()).wrap_err("listening for SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = sigint.recv() => {}
            _ = sigterm.recv() => {}
        }
    })
}
