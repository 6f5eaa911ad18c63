//! What several commands take: where an operator connects and as whom
//! (credentials read once, from `--creds` or the demo's file for the
//! role), and a `--site`. Connecting itself is the library's
//! [`floorwalker::creds::connect`]; this adds the hints a person needs.

use std::path::{Path, PathBuf};

use clap::Args;
use color_eyre::eyre::{Result, WrapErr, eyre};
use floorwalker::creds::{self, ConnectErrorKind, Link, OperatorCreds};
use floorwalker_shared::subject::SiteId;
use tokio::sync::mpsc;

/// The nats-server a command talks to (NATS clients' port, not the
/// browsers' WebSocket).
#[derive(Debug, Args)]
pub(crate) struct ServerArg {
    /// The nats-server to connect to.
    #[arg(
        long,
        env = "NATS_URL",
        default_value = "nats://127.0.0.1:4222",
        value_name = "URL"
    )]
    pub(crate) server: String,
}

/// Where an operator command connects, and as whom.
#[derive(Debug, Args)]
pub(crate) struct ConnectArgs {
    #[command(flatten)]
    pub(crate) nats: ServerArg,

    /// The operator's NATS credentials file, `<user>.creds` (from
    /// `floorwalker auth init` or `auth add`; it names its user). Default: the demo's
    /// for this command, under the data directory (`auth/<role>.creds`; with
    /// `--name`, `auth/<NAME>.creds`).
    #[arg(long, env = "FLOORWALKER_CREDS", value_name = "FILE")]
    pub(crate) creds: Option<PathBuf>,
}

impl ConnectArgs {
    /// Reads the credentials: `--creds`, or `auth/<user>.creds` under
    /// `data_dir` (the demo's).
    pub(crate) fn creds(&self, data_dir: &Path, user: &str) -> Result<OperatorCreds> {
        let path = self
            .creds
            .clone()
            .unwrap_or_else(|| creds::file_in(&data_dir.join("auth"), user));
        load(&path)
    }
}

/// Who signs in as a person of their own, and the role `auth add` gives
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Person {
    /// `floorwalker agent --name`.
    Agent,
    /// `floorwalker --name` (the dashboard).
    Supervisor,
}

impl Person {
    fn word(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Supervisor => "supervisor",
        }
    }

    fn role(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Supervisor => "dashboard",
        }
    }
}

/// The credentials of `name`, who acts under their own name: `--creds`,
/// or `auth/<name>.creds` under `data_dir`; refused when they are someone
/// else's.
pub(crate) fn own_creds(
    connect: &ConnectArgs,
    data_dir: &Path,
    name: &str,
    who: Person,
) -> Result<OperatorCreds> {
    let (word, role) = (who.word(), who.role());
    let creds = connect
        .creds(data_dir, name)
        .wrap_err_with(|| format!("signing in {word} '{name}'"))?;
    if creds.user != name {
        color_eyre::eyre::bail!(
            "the credentials are for user '{}', not '{name}': each {word} acts under their own \
             name; pass --name {} or the right --creds (`floorwalker auth add --role {role} \
             --user {name}` makes theirs)",
            creds.user,
            creds.user
        );
    }
    Ok(creds)
}

/// Reads a credentials file, saying how to make one when it cannot.
pub(crate) fn load(path: &Path) -> Result<OperatorCreds> {
    OperatorCreds::load(path).wrap_err_with(|| {
        format!(
            "reading the credentials '{}': make them with `floorwalker auth init` or `auth \
             add` (or run `floorwalker demo`), or pass --creds",
            path.display()
        )
    })
}

/// Connects to `server` as `creds`, naming the connection `name`; `links`
/// hears the connection's later losses and returns. A first connection
/// that fails is a mistake to fix: the error says, on one line, where it
/// tried, why it failed and how to point the command elsewhere.
pub(crate) async fn connect(
    server: &str,
    creds: &OperatorCreds,
    name: &str,
    links: Option<mpsc::UnboundedSender<Link>>,
) -> Result<async_nats::Client> {
    creds::connect(creds, server, name, links)
        .await
        .map_err(|e| eyre!(connect_failed(server, &creds.user, &e)))
}

/// The line that says why connecting to `server` as `user` failed, and
/// what to do.
fn connect_failed(server: &str, user: &str, e: &creds::ConnectError) -> String {
    // The client's own words, on the same line.
    let cause = std::error::Error::source(e)
        .map(|c| c.to_string().replace('\n', " "))
        .filter(|c| !c.is_empty())
        .map_or_else(String::new, |c| format!(" ({c})"));
    let elsewhere = "point to another with --server URL or NATS_URL \
                     (`floorwalker demo` prints its URL as \"NATS clients\")";
    let why = match e.kind() {
        ConnectErrorKind::User => format!(
            "the user name '{user}' cannot be an operator's{cause}; make credentials with \
             `floorwalker auth add`"
        ),
        ConnectErrorKind::Refused => {
            format!("the server refused the credentials of user '{user}'{cause}; check --creds")
        }
        ConnectErrorKind::Unreachable => {
            format!("no nats-server answered there{cause}; start one there, or {elsewhere}")
        }
        ConnectErrorKind::Other => format!("the connection failed{cause}; {elsewhere}"),
    };
    format!("cannot connect to '{server}': {why}")
}

/// A `--site` value (dashboard, tail, simulate), checked as the gate checks
/// site ids.
pub(crate) fn site_id(text: &str) -> Result<SiteId, BadSite> {
    SiteId::new(text).map_err(BadSite)
}

/// A `--site` the gate would refuse.
#[derive(Debug, thiserror::Error)]
#[error("{0}; use [a-z0-9-], up to 32")]
pub(crate) struct BadSite(floorwalker_shared::subject::SubjectError);

#[cfg(test)]
mod tests {
    use super::*;

    fn connect(creds: Option<PathBuf>) -> ConnectArgs {
        ConnectArgs {
            nats: ServerArg {
                server: "nats://127.0.0.1:4222".to_owned(),
            },
            creds,
        }
    }

    #[test]
    fn a_person_signs_in_with_their_own_credentials_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("auth")).unwrap();
        let mut trust = floorwalker::trust::keys::Trust::generate();
        let sam = trust.add_operator(floorwalker::gate::policy::Role::Dashboard, "sam", 0);
        sam.store(&dir.path().join("auth").join("sam.creds"))
            .unwrap();
        // `--name sam` finds sam's file under the data directory.
        let found = own_creds(&connect(None), dir.path(), "sam", Person::Supervisor).unwrap();
        assert_eq!(found.user, "sam");
        // Someone else's file is refused, saying whose it is.
        let theirs = connect(Some(dir.path().join("auth").join("sam.creds")));
        let err = own_creds(&theirs, dir.path(), "kim", Person::Supervisor).unwrap_err();
        let text = format!("{err:#}");
        assert!(
            text.contains("for user 'sam', not 'kim': each supervisor")
                && text.contains("--role dashboard"),
            "{text}"
        );
        // No file for that name says how to make one.
        let err = own_creds(&connect(None), dir.path(), "kim", Person::Supervisor).unwrap_err();
        assert!(format!("{err:#}").contains("auth add"), "{err:#}");
    }
}
