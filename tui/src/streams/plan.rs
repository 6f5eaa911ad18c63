//! What `floorwalker setup` would do, decided without IO: for each stream
//! and consumer Floorwalker needs, [`Action::Create`], [`Action::Unchanged`]
//! or [`Action::Update`] with each field that differs, old → new. A field
//! the server cannot change in place (a stream's retention or storage, a
//! consumer's acknowledgement or delivery policy) makes the item
//! [`Action::Blocked`]: setup then changes nothing and says what to do.
//!
//! A field left at its default in what Floorwalker wants (a duplicate
//! window of zero, no maximum message size) is the server's to choose, so
//! whatever the server chose is no difference.

use std::fmt;
use std::time::Duration;

use async_nats::jetstream::{consumer, stream};

/// Whether an item is a stream or a consumer of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A JetStream stream.
    Stream,
    /// A durable consumer of a stream.
    Consumer,
}

/// One field that differs: what the server has, what Floorwalker wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The field, as nats-server names it (`max_age`, `max_bytes`, …).
    pub field: &'static str,
    /// What the server has now.
    pub old: String,
    /// What Floorwalker wants.
    pub new: String,
}

/// What setup does to one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// It does not exist: setup creates it.
    Create,
    /// It exists as wanted.
    Unchanged,
    /// It exists with other limits: setup changes them (after asking).
    Update(Vec<Change>),
    /// It exists with a field the server cannot change in place (the
    /// changes that cannot come first).
    Blocked(Vec<Change>),
}

/// One stream or consumer and what setup does to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Stream or consumer.
    pub kind: Kind,
    /// Its name: a stream's, or `STREAM/consumer`.
    pub name: String,
    /// What it is for, in a few words.
    pub purpose: &'static str,
    /// What setup does.
    pub action: Action,
}

/// Every item, in the order setup brings them up to date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// The items.
    pub items: Vec<Item>,
}

impl Plan {
    /// Whether nothing would change.
    pub fn is_unchanged(&self) -> bool {
        self.items.iter().all(|i| i.action == Action::Unchanged)
    }

    /// Whether it changes something that exists already (what setup asks
    /// about first).
    pub fn updates_existing(&self) -> bool {
        self.items
            .iter()
            .any(|i| matches!(i.action, Action::Update(_)))
    }

    /// The items the server cannot bring up to date in place.
    pub fn blocked(&self) -> impl Iterator<Item = &Item> {
        self.items
            .iter()
            .filter(|i| matches!(i.action, Action::Blocked(_)))
    }

    /// The items that would change, with what they lack (for `doctor`).
    pub fn differing(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| i.action != Action::Unchanged)
    }
}

/// What to do about stream `want`, given what the server has (`None`:
/// no such stream).
pub fn stream_item(
    want: &stream::Config,
    have: Option<&stream::Config>,
    purpose: &'static str,
) -> Item {
    let action = match have {
        None => Action::Create,
        Some(have) => {
            let (mut fixed, mut changes) = (Vec::new(), Vec::new());
            differ(
                &mut fixed,
                "retention",
                &have.retention,
                &want.retention,
                name_of,
            );
            differ(&mut fixed, "storage", &have.storage, &want.storage, name_of);
            differ(
                &mut changes,
                "subjects",
                &have.subjects,
                &want.subjects,
                |s| s.join(", "),
            );
            differ(&mut changes, "max_age", &have.max_age, &want.max_age, |d| {
                duration(*d)
            });
            differ(
                &mut changes,
                "max_bytes",
                &have.max_bytes,
                &want.max_bytes,
                |b| bytes(*b),
            );
            differ(
                &mut changes,
                "discard",
                &have.discard,
                &want.discard,
                name_of,
            );
            // Left to the server when not wanted: whatever it has is fine.
            if !want.duplicate_window.is_zero() {
                differ(
                    &mut changes,
                    "duplicate_window",
                    &have.duplicate_window,
                    &want.duplicate_window,
                    |d| duration(*d),
                );
            }
            if want.max_message_size > 0 {
                differ(
                    &mut changes,
                    "max_msg_size",
                    &have.max_message_size,
                    &want.max_message_size,
                    |n| bytes(i64::from(*n)),
                );
            }
            // Wanted by the buckets only; the server's default elsewhere.
            if want.max_messages_per_subject > 0 {
                differ(
                    &mut changes,
                    "max_msgs_per_subject",
                    &have.max_messages_per_subject,
                    &want.max_messages_per_subject,
                    ToString::to_string,
                );
            }
            differ(
                &mut changes,
                "no_ack",
                &have.no_ack,
                &want.no_ack,
                ToString::to_string,
            );
            differ(
                &mut changes,
                "sources",
                &sources(have),
                &sources(want),
                Clone::clone,
            );
            decide(fixed, changes)
        }
    };
    Item {
        kind: Kind::Stream,
        name: want.name.clone(),
        purpose,
        action,
    }
}

/// What to do about the durable pull consumer `want` of `stream`, given
/// what the server has.
pub fn consumer_item(
    stream: &str,
    want: &consumer::pull::Config,
    have: Option<&consumer::Config>,
    purpose: &'static str,
) -> Item {
    let action = match have {
        None => Action::Create,
        Some(have) => {
            let (mut fixed, mut changes) = (Vec::new(), Vec::new());
            differ(
                &mut fixed,
                "ack_policy",
                &have.ack_policy,
                &want.ack_policy,
                name_of,
            );
            differ(
                &mut fixed,
                "deliver_policy",
                &have.deliver_policy,
                &want.deliver_policy,
                name_of,
            );
            differ(
                &mut changes,
                "ack_wait",
                &have.ack_wait,
                &want.ack_wait,
                |d| duration(*d),
            );
            differ(
                &mut changes,
                "max_ack_pending",
                &have.max_ack_pending,
                &want.max_ack_pending,
                ToString::to_string,
            );
            decide(fixed, changes)
        }
    };
    Item {
        kind: Kind::Consumer,
        name: format!(
            "{stream}/{}",
            want.durable_name.as_deref().unwrap_or_default()
        ),
        purpose,
        action,
    }
}

fn decide(fixed: Vec<Change>, changes: Vec<Change>) -> Action {
    if !fixed.is_empty() {
        Action::Blocked(fixed)
    } else if changes.is_empty() {
        Action::Unchanged
    } else {
        Action::Update(changes)
    }
}

/// Notes `field` in `out`, shown by `show`, when what the server has
/// differs from what is wanted.
fn differ<T: PartialEq + ?Sized>(
    out: &mut Vec<Change>,
    field: &'static str,
    have: &T,
    want: &T,
    show: impl Fn(&T) -> String,
) {
    if have != want {
        out.push(Change {
            field,
            old: show(have),
            new: show(want),
        });
    }
}

/// The names of the streams a stream sources, as one value.
fn sources(config: &stream::Config) -> String {
    let names: Vec<&str> = config
        .sources
        .iter()
        .flatten()
        .map(|s| s.name.as_str())
        .collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

/// A policy as nats-server names it (`workqueue`, `file`, `new`…).
fn name_of(value: &impl serde::Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => "?".to_owned(),
    }
}

/// A duration as people read it: `100ms`, `2m`, `24h`, `365d`.
pub fn duration(d: Duration) -> String {
    const UNITS: [(u128, &str); 4] = [
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (1_000, "s"),
    ];
    let ms = d.as_millis();
    if ms == 0 {
        return "none".to_owned();
    }
    for (unit, name) in UNITS {
        if ms % unit == 0 {
            return format!("{}{name}", ms / unit);
        }
    }
    format!("{ms}ms")
}

/// A size as people read it: `256 MiB`, `32 KiB`; zero or less is no limit.
pub fn bytes(n: i64) -> String {
    const UNITS: [(i64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    if n <= 0 {
        return "unlimited".to_owned();
    }
    for (unit, name) in UNITS {
        if n % unit == 0 {
            return format!("{} {name}", n / unit);
        }
    }
    format!("{n} B")
}

impl fmt::Display for Item {
    /// One line (`create  stream EVENTS  every shopper's …`), then a line
    /// per differing field.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (word, changes) = match &self.action {
            Action::Create => ("create", None),
            Action::Unchanged => ("unchanged", None),
            Action::Update(c) => ("update", Some(c)),
            Action::Blocked(c) => ("cannot update", Some(c)),
        };
        let kind = match self.kind {
            Kind::Stream => "stream",
            Kind::Consumer => "consumer",
        };
        write!(
            f,
            "  {word:<13} {kind:<8} {:<11} {}",
            self.name, self.purpose
        )?;
        for c in changes.into_iter().flatten() {
            write!(f, "\n      {:<17} {} → {}", c.field, c.old, c.new)?;
        }
        Ok(())
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, item) in self.items.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{item}")?;
        }
        Ok(())
    }
}

/// The streams and the consumer as docs/ARCHITECTURE.md tabulates them
/// (a unit test keeps that copy true to [`super::configs`]).
pub fn table_markdown() -> String {
    use std::fmt::Write as _;

    use super::{INTAKE_CONSUMER, RAW, configs, intake_consumer, purpose};
    let mut out = String::from(
        "| Stream | Subjects | Retention | Max age | Max bytes | Discard | Duplicate window | Max message | Storage | For |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for c in configs() {
        let mut subjects: Vec<String> = c.subjects.iter().map(|s| format!("`{s}`")).collect();
        for source in c.sources.iter().flatten() {
            subjects.push(format!("sources `{}`", source.name));
        }
        let mut retention = name_of(&c.retention);
        if c.no_ack {
            retention.push_str(", no_ack");
        }
        if c.max_messages_per_subject == 1 {
            retention.push_str(", a value per key");
        }
        let window = if c.duplicate_window.is_zero() {
            "server's default".to_owned()
        } else {
            duration(c.duplicate_window)
        };
        let message = if c.max_message_size > 0 {
            bytes(i64::from(c.max_message_size))
        } else {
            "server's max_payload".to_owned()
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {retention} | {} | {} | {} | {window} | {message} | {} | {} |",
            c.name,
            subjects.join("<br>"),
            duration(c.max_age),
            bytes(c.max_bytes),
            name_of(&c.discard),
            name_of(&c.storage),
            purpose(&c.name),
        );
    }
    let c = intake_consumer();
    let _ = write!(
        out,
        "\n| Consumer | Of | Kind | Acknowledgement | Ack wait | Max ack pending | For |\n\
         | --- | --- | --- | --- | --- | --- | --- |\n\
         | `{INTAKE_CONSUMER}` | `{RAW}` | durable, pull | {} | {} | {} | {} |\n",
        name_of(&c.ack_policy),
        duration(c.ack_wait),
        c.max_ack_pending,
        purpose(INTAKE_CONSUMER),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::streams;

    fn change(field: &'static str, old: String, new: String) -> Change {
        Change { field, old, new }
    }

    #[test]
    fn the_architecture_doc_tabulates_the_streams_as_configured() {
        crate::docs::assert_holds("ARCHITECTURE.md", &table_markdown(), "streams table");
    }

    #[test]
    fn a_missing_stream_is_created_and_a_wanted_one_unchanged() {
        let want = streams::raw_config();
        assert_eq!(stream_item(&want, None, "x").action, Action::Create);
        // The server fills in what was left to it: no difference.
        let mut have = want.clone();
        have.num_replicas = 1;
        assert_eq!(
            stream_item(&want, Some(&have), "x").action,
            Action::Unchanged
        );
        let events = &streams::configs()[0];
        let mut have = events.clone();
        have.duplicate_window = Duration::from_secs(120);
        have.max_message_size = -1;
        assert_eq!(
            stream_item(events, Some(&have), "x").action,
            Action::Unchanged
        );
    }

    #[test]
    fn differing_limits_are_listed_old_to_new() {
        let want = streams::raw_config();
        let mut have = want.clone();
        have.max_age = Duration::from_secs(7_200);
        have.max_bytes = 128 << 20;
        let item = stream_item(&want, Some(&have), "what shoppers sent");
        assert_eq!(
            item.action,
            Action::Update(vec![
                change("max_age", "2h".into(), "1h".into()),
                change("max_bytes", "128 MiB".into(), "256 MiB".into()),
            ])
        );
        let text = item.to_string();
        assert!(
            text.contains("update") && text.contains("max_age           2h → 1h"),
            "{text}"
        );
        let plan = Plan { items: vec![item] };
        assert!(plan.updates_existing() && !plan.is_unchanged());
    }

    #[test]
    fn a_field_the_server_cannot_change_blocks_the_item() {
        let want = streams::raw_config();
        let mut have = want.clone();
        have.storage = stream::StorageType::Memory;
        have.max_age = Duration::from_secs(1);
        let item = stream_item(&want, Some(&have), "x");
        assert_eq!(
            item.action,
            Action::Blocked(vec![change("storage", "memory".into(), "file".into())])
        );
        assert_eq!(Plan { items: vec![item] }.blocked().count(), 1);
    }

    #[test]
    fn the_consumer_is_compared_on_what_it_can_change() {
        let want = streams::intake_consumer();
        let mut have = consumer::Config {
            durable_name: want.durable_name.clone(),
            ack_policy: want.ack_policy,
            ack_wait: want.ack_wait,
            max_ack_pending: want.max_ack_pending,
            ..consumer::Config::default()
        };
        let item = consumer_item(streams::RAW, &want, Some(&have), "x");
        assert_eq!(
            (item.action, item.name.as_str()),
            (Action::Unchanged, "RAW/intake")
        );
        have.max_ack_pending = 10;
        assert!(matches!(
            consumer_item(streams::RAW, &want, Some(&have), "x").action,
            Action::Update(_)
        ));
    }

    #[test]
    fn sizes_and_durations_read_as_people_write_them() {
        assert_eq!(duration(Duration::from_millis(100)), "100ms");
        assert_eq!(duration(Duration::from_secs(365 * 86_400)), "365d");
        assert_eq!(duration(Duration::ZERO), "none");
        assert_eq!(bytes(2 << 30), "2 GiB");
        assert_eq!(bytes(-1), "unlimited");
        assert_eq!(bytes(1_000), "1000 B");
    }
}
