//! The `floorwalker` binary under test.

use std::path::PathBuf;

/// The path of the `floorwalker` binary built with these tests.
///
/// Cargo only builds a package's own binaries for its integration tests, so
/// `just test` builds the workspace's binaries first; this finds it beside
/// the test executable.
///
/// # Panics
/// If it has not been built, saying how to build it.
pub fn floorwalker() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    // target/<profile>/deps/it-<hash> → target/<profile>/floorwalker
    let path = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join("floorwalker"))
        .expect("the target directory");
    assert!(
        path.is_file(),
        "'{}' is missing: run `cargo build -p floorwalker` first (`just test` does)",
        path.display()
    );
    path
}
