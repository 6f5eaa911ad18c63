//! What to type in another terminal while the demo runs: the commands the
//! demo prints, with its real server address and credentials files, so
//! that they work when pasted as they are.

use std::path::{Path, PathBuf};

/// How another terminal reaches this demo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NextSteps {
    /// How to run this binary there: `floorwalker` when that is this
    /// binary on `PATH`, else its full path.
    pub(super) program: String,
    /// The data directory, when it is not the default (so the commands'
    /// logs go beside the demo's).
    pub(super) data_dir: Option<PathBuf>,
    /// The demo's NATS URL for clients.
    pub(super) server: String,
    /// Where the demo keeps its operators' credentials.
    pub(super) auth_dir: PathBuf,
}

impl NextSteps {
    /// Answering chats as the demo's agent `alex`.
    pub(super) fn agent(&self) -> String {
        self.command("agent --name alex", "alex")
    }

    /// The live figures, every five seconds.
    pub(super) fn tail(&self) -> String {
        self.command("tail --every 5", "tail")
    }

    fn command(&self, what: &str, creds: &str) -> String {
        let data = self
            .data_dir
            .as_ref()
            .map_or_else(String::new, |dir| format!(" --data-dir {}", quoted(dir)));
        format!(
            "{}{data} {what} --server {} --creds {}",
            self.program,
            self.server,
            quoted(&self.auth_dir.join(format!("{creds}.creds")))
        )
    }
}

/// How to run `exe` from a shell: `floorwalker` if the first `floorwalker`
/// on `path` (a `PATH` value) is `exe`, else `exe`'s full path.
pub(super) fn program(exe: &Path, path: Option<&std::ffi::OsStr>) -> String {
    let on_path = path
        .into_iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("floorwalker"))
        .find(|candidate| candidate.is_file());
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    match on_path {
        Some(found) if same(&found, exe) => "floorwalker".to_owned(),
        _ => quoted(exe),
    }
}

/// A path as one shell word: as it is when that is safe, else in single
/// quotes (hand-written: a shell-quoting crate for one line is not worth it).
fn quoted(path: &Path) -> String {
    let text = path.display().to_string();
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:@%,".contains(c));
    if plain {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(data_dir: Option<&str>, auth: &str) -> NextSteps {
        NextSteps {
            program: "floorwalker".to_owned(),
            data_dir: data_dir.map(PathBuf::from),
            server: "nats://127.0.0.1:40123".to_owned(),
            auth_dir: PathBuf::from(auth),
        }
    }

    #[test]
    fn the_commands_carry_the_server_and_the_credentials() {
        let s = steps(None, "/home/sam/.local/share/floorwalker/auth");
        assert_eq!(
            s.agent(),
            "floorwalker agent --name alex --server nats://127.0.0.1:40123 \
             --creds /home/sam/.local/share/floorwalker/auth/alex.creds"
        );
        assert_eq!(
            s.tail(),
            "floorwalker tail --every 5 --server nats://127.0.0.1:40123 \
             --creds /home/sam/.local/share/floorwalker/auth/tail.creds"
        );
    }

    #[test]
    fn paths_a_shell_would_split_are_quoted() {
        let s = steps(Some("/tmp/my demo"), "/tmp/my demo/it's/auth");
        assert_eq!(
            s.agent(),
            "floorwalker --data-dir '/tmp/my demo' agent --name alex --server \
             nats://127.0.0.1:40123 --creds '/tmp/my demo/it'\\''s/auth/alex.creds'"
        );
    }

    #[test]
    fn the_program_is_its_name_only_when_path_finds_this_binary() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("floorwalker");
        std::fs::write(&exe, "").unwrap();
        let other = tempfile::tempdir().unwrap();
        std::fs::write(other.path().join("floorwalker"), "").unwrap();
        let path = |dirs: &[&Path]| std::env::join_paths(dirs).unwrap();
        assert_eq!(program(&exe, Some(&path(&[dir.path()]))), "floorwalker");
        // Another floorwalker comes first on PATH, or none is there.
        let full = exe.display().to_string();
        assert_eq!(
            program(&exe, Some(&path(&[other.path(), dir.path()]))),
            full
        );
        assert_eq!(program(&exe, None), full);
    }
}
