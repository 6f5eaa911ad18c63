//! Where Floorwalker keeps its files.

use std::path::PathBuf;

use color_eyre::eyre::{OptionExt, Result};
use directories::ProjectDirs;

/// Floorwalker's data directory: the one given, or the platform's
/// (`~/.local/share/floorwalker` on Linux).
pub(crate) fn data_dir(given: Option<PathBuf>) -> Result<PathBuf> {
    match given {
        Some(dir) => Ok(dir),
        None => ProjectDirs::from("", "", "floorwalker")
            .map(|dirs| dirs.data_dir().to_owned())
            .ok_or_eyre(
                "cannot tell your home directory; pass --data-dir or set FLOORWALKER_DATA_DIR",
            ),
    }
}
