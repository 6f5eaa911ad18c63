//! Bringing the server up to date, the IO beside [`super::plan`]:
//! [`survey`] reads what the server has and makes the plan, [`rights`]
//! asks the server whether the connected user may manage streams,
//! [`apply`] carries a plan out, and [`ensure`] does all three without
//! asking (`floorwalker demo`, the tests' servers).
//!
//! Whether a user may manage streams is read from the server's own answer
//! to `$SYS.REQ.USER.INFO` (its permissions), matched by hand: no
//! well-kept crate matches NATS subjects apart from a client, and it is a
//! dozen lines.

use std::time::Duration;

use async_nats::jetstream::{self, ErrorCode, context, stream};

use super::plan::{self, Action, Kind, Plan};
use super::{INTAKE_CONSUMER, RAW, configs, intake_consumer, purpose};

/// How long the server may take to say who the user is. A user who may
/// not ask gets no answer at all (the server refuses the publish), so this
/// is also how long setup takes to learn that.
const WHO_AM_I: Duration = Duration::from_secs(2);

/// How long creating or changing a stream may take: a file-backed stream
/// waits on the disk, which on a loaded machine is slow. A user who may
/// not make the change gets no answer, so a change not answered in this
/// time is taken as refused.
const CHANGE: Duration = Duration::from_secs(30);

/// Why setup could not read or change the streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupErrorKind {
    /// JetStream is not enabled for the user's account (or the server).
    JetStreamDisabled,
    /// The user may not create or update streams.
    Denied,
    /// A field the server cannot change in place differs.
    Blocked,
    /// The server refused or did not answer for another reason.
    Failed,
}

/// Why setup could not read or change the streams, and which item.
#[derive(Debug)]
pub struct SetupError {
    kind: SetupErrorKind,
    item: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl SetupError {
    /// What kind of failure it was.
    pub fn kind(&self) -> SetupErrorKind {
        self.kind
    }

    fn new(
        kind: SetupErrorKind,
        item: &str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            kind,
            item: item.to_owned(),
            source: Some(source.into()),
        }
    }
}

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let item = &self.item;
        match self.kind {
            SetupErrorKind::JetStreamDisabled => write!(
                f,
                "JetStream is not enabled for this account: enable it in nats-server's config \
                 (`jetstream: {{ store_dir: … }}` and the account's `jetstream: enabled`)"
            ),
            SetupErrorKind::Denied => write!(
                f,
                "the server did not answer a change to '{item}' in {} s, as it does not when the \
                 user may not manage streams: run setup with the admin credentials (auth init \
                 wrote admin.creds)",
                CHANGE.as_secs()
            ),
            SetupErrorKind::Blocked => write!(
                f,
                "'{item}' has a setting the server cannot change in place: remove it (e.g. `nats \
                 stream rm {item}`, losing what it holds) and run `floorwalker setup` again"
            ),
            SetupErrorKind::Failed => write!(f, "could not read or change '{item}'"),
        }
    }
}

impl std::error::Error for SetupError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Whether the connected user may create and update streams.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rights {
    /// Its permissions allow it.
    Manage,
    /// Its permissions do not (or it may not even ask the server who it
    /// is, as only the admin role may).
    Denied,
    /// The server cannot say (no system account): setup tries.
    Unknown,
}

/// Reads what the server has and decides what setup would do.
///
/// # Errors
/// When JetStream is off for the account, or the server does not answer.
pub async fn survey(client: &async_nats::Client) -> Result<Plan, SetupError> {
    let js = jetstream::new(client.clone());
    if let Err(e) = js.query_account().await {
        let disabled = match e.kind() {
            context::AccountErrorKind::JetStreamUnavailable => true,
            context::AccountErrorKind::JetStream(ref js) => matches!(
                js.error_code(),
                ErrorCode::JETSTREAM_NOT_ENABLED | ErrorCode::JETSTREAM_NOT_ENABLED_FOR_ACCOUNT
            ),
            _ => false,
        };
        let kind = if disabled {
            SetupErrorKind::JetStreamDisabled
        } else {
            SetupErrorKind::Failed
        };
        return Err(SetupError::new(kind, "JetStream", e));
    }
    let mut items = Vec::new();
    let mut raw = None;
    for want in configs() {
        let have = match js.get_stream(&want.name).await {
            Ok(stream) => {
                let config = stream.cached_info().config.clone();
                if want.name == RAW {
                    raw = Some(stream);
                }
                Some(config)
            }
            Err(e) if super::is_missing(&e) => None,
            Err(e) => return Err(SetupError::new(SetupErrorKind::Failed, &want.name, e)),
        };
        items.push(plan::stream_item(&want, have.as_ref(), purpose(&want.name)));
    }
    let consumer = intake_consumer();
    let have = match raw {
        None => None,
        Some(stream) => match stream.consumer_info(INTAKE_CONSUMER).await {
            Ok(info) => Some(info.config),
            Err(e) if is_missing_consumer(&e) => None,
            Err(e) => {
                let name = format!("{RAW}/{INTAKE_CONSUMER}");
                return Err(SetupError::new(SetupErrorKind::Failed, &name, e));
            }
        },
    };
    items.push(plan::consumer_item(
        RAW,
        &consumer,
        have.as_ref(),
        purpose(INTAKE_CONSUMER),
    ));
    Ok(Plan { items })
}

fn is_missing_consumer(e: &context::ConsumerInfoError) -> bool {
    match e.kind() {
        context::ConsumerInfoErrorKind::NotFound => true,
        context::ConsumerInfoErrorKind::JetStream(ref js) => {
            js.error_code() == ErrorCode::CONSUMER_NOT_FOUND
        }
        _ => false,
    }
}

/// Carries `plan` out, item by item, in order; returns what it did, a line
/// each.
///
/// # Errors
/// When an item is blocked (before changing anything), or the server
/// refuses a change: what came before it is done.
pub async fn apply(client: &async_nats::Client, plan: &Plan) -> Result<Vec<String>, SetupError> {
    if let Some(item) = plan.blocked().next() {
        return Err(SetupError {
            kind: SetupErrorKind::Blocked,
            item: item.name.clone(),
            source: None,
        });
    }
    let mut js = jetstream::new(client.clone());
    js.set_timeout(CHANGE);
    let mut done = Vec::new();
    for item in &plan.items {
        let verb = match item.action {
            Action::Unchanged | Action::Blocked(_) => continue,
            Action::Create => "created",
            Action::Update(_) => "updated",
        };
        let denied_or_failed = |timed_out: bool| {
            if timed_out {
                SetupErrorKind::Denied
            } else {
                SetupErrorKind::Failed
            }
        };
        match item.kind {
            Kind::Stream => {
                let Some(config) = configs().into_iter().find(|c| c.name == item.name) else {
                    continue;
                };
                let result = if item.action == Action::Create {
                    js.create_stream(config).await.map(drop)
                } else {
                    js.update_stream(config).await.map(drop)
                };
                result.map_err(|e| {
                    let timed_out = e.kind() == context::CreateStreamErrorKind::TimedOut;
                    SetupError::new(denied_or_failed(timed_out), &item.name, e)
                })?;
            }
            Kind::Consumer => {
                let stream = js
                    .get_stream(RAW)
                    .await
                    .map_err(|e| SetupError::new(SetupErrorKind::Failed, RAW, e))?;
                stream
                    .create_consumer(intake_consumer())
                    .await
                    .map_err(|e| {
                        let timed_out = e.kind() == stream::ConsumerErrorKind::TimedOut;
                        SetupError::new(denied_or_failed(timed_out), &item.name, e)
                    })?;
            }
        }
        done.push(format!("{verb} {}", item.name));
    }
    Ok(done)
}

/// Makes every stream and consumer as Floorwalker wants it, without
/// asking: for a server Floorwalker runs itself (the demo's, the tests').
///
/// # Errors
/// As [`survey`] and [`apply`].
pub async fn ensure(client: &async_nats::Client) -> Result<(), SetupError> {
    let plan = survey(client).await?;
    apply(client, &plan).await.map(drop)
}

/// Asks the server what the connected user may publish, and whether that
/// includes creating and updating Floorwalker's streams.
pub async fn rights(client: &async_nats::Client) -> Rights {
    let asked = tokio::time::timeout(
        WHO_AM_I,
        client.request("$SYS.REQ.USER.INFO", bytes::Bytes::new()),
    )
    .await;
    let reply = match asked {
        // The server drops a request the user may not publish, unanswered.
        Err(_) => return Rights::Denied,
        Ok(Err(e)) if e.kind() == async_nats::RequestErrorKind::TimedOut => return Rights::Denied,
        Ok(Err(_)) => return Rights::Unknown,
        Ok(Ok(reply)) => reply,
    };
    let Ok(info) = serde_json::from_slice::<serde_json::Value>(&reply.payload) else {
        return Rights::Unknown;
    };
    let publish = &info["data"]["permissions"]["publish"];
    let list = |key: &str| -> Option<Vec<String>> {
        publish.get(key)?.as_array().map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
    };
    let (allow, deny) = (list("allow"), list("deny").unwrap_or_default());
    let may = |subject: &str| {
        allow
            .as_ref()
            .is_none_or(|allow| allow.iter().any(|p| matches(p, subject)))
            && !deny.iter().any(|p| matches(p, subject))
    };
    let all = configs().iter().all(|c| {
        may(&format!("$JS.API.STREAM.CREATE.{}", c.name))
            && may(&format!("$JS.API.STREAM.UPDATE.{}", c.name))
    });
    if all { Rights::Manage } else { Rights::Denied }
}

/// Whether `subject` matches the NATS subject `pattern` (`*` one token,
/// `>` the rest).
fn matches(pattern: &str, subject: &str) -> bool {
    let mut tokens = subject.split('.');
    for want in pattern.split('.') {
        match (want, tokens.next()) {
            (">", Some(_)) => return true,
            ("*", Some(_)) => {}
            (want, Some(token)) if want == token => {}
            _ => return false,
        }
    }
    tokens.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_match_as_nats_matches_them() {
        assert!(matches(">", "$JS.API.STREAM.CREATE.RAW"));
        assert!(matches(
            "$JS.API.STREAM.CREATE.*",
            "$JS.API.STREAM.CREATE.RAW"
        ));
        assert!(!matches("$JS.API.STREAM.CREATE.*", "$JS.API.STREAM.CREATE"));
        assert!(!matches("$JS.API.STREAM.*", "$JS.API.STREAM.CREATE.RAW"));
        assert!(matches("$JS.API.>", "$JS.API.STREAM.CREATE.RAW"));
        assert!(!matches("fw.*.shopper.*.chat", "fw.a.shopper.b.events"));
    }
}
