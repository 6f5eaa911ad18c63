//! Visitors' memories as the two screens hold them: read from the
//! `VISITORS` bucket when a shopper's journey is shown, kept a while, and
//! said in one line ("3rd visit · last 2 days ago via newsletter · …").
//! Pure: a screen asks [`Memories::want`] whether to read one, its runtime
//! reads it, and the answer comes back through [`Memories::heard`].

use std::collections::HashMap;
use std::sync::Arc;

use floorwalker::learn::{ReadError, VisitorId};
use floorwalker_shared::memory::{Memory, Recall};
use floorwalker_shared::session::Session;

/// A memory read is read again after this long while it is shown.
const FRESH_MS: u64 = 30_000;

/// A read not answered in this long is asked again.
const RETRY_MS: u64 = 5_000;

/// Memories kept at most; the oldest read go first.
const MAX: usize = 1_000;

/// What is known of one visitor's memory.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    /// Asked for at this time, no answer yet.
    Asked(u64),
    /// Read at this time: `None` when nothing is remembered.
    Read(Option<Memory>, u64),
    /// The read failed, for this reason.
    Failed(String, u64),
}

/// The memories a screen has read (see the module doc).
#[derive(Debug, Clone, Default)]
pub(crate) struct Memories {
    entries: HashMap<VisitorId, Entry>,
}

impl Memories {
    /// Whether to read `session`'s visitor's memory now (it is shown): not
    /// read yet, or read a while ago. Notes that it was asked for.
    pub(crate) fn want(&mut self, session: &Session, now_ms: u64) -> Option<VisitorId> {
        let id = (session.subjects().site().clone(), session.visitor.clone()?);
        let stale = match self.entries.get(&id) {
            None => true,
            Some(Entry::Asked(at)) => now_ms.saturating_sub(*at) >= RETRY_MS,
            Some(Entry::Read(_, at) | Entry::Failed(_, at)) => {
                now_ms.saturating_sub(*at) >= FRESH_MS
            }
        };
        if !stale {
            return None;
        }
        if self.entries.len() >= MAX && !self.entries.contains_key(&id) {
            let oldest = self
                .entries
                .iter()
                .min_by_key(|(_, e)| match e {
                    Entry::Asked(at) | Entry::Read(_, at) | Entry::Failed(_, at) => *at,
                })
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                self.entries.remove(&oldest);
            }
        }
        // An answer already shown stays shown while it is read again.
        match self.entries.get_mut(&id) {
            Some(Entry::Read(_, at) | Entry::Failed(_, at)) => *at = now_ms,
            _ => {
                self.entries.insert(id.clone(), Entry::Asked(now_ms));
            }
        }
        Some(id)
    }

    /// The answer to a read.
    pub(crate) fn heard(
        &mut self,
        id: VisitorId,
        read: Result<Option<Memory>, Arc<ReadError>>,
        now_ms: u64,
    ) {
        let entry = match read {
            Ok(memory) => Entry::Read(memory, now_ms),
            Err(why) => Entry::Failed(why.to_string(), now_ms),
        };
        self.entries.insert(id, entry);
    }

    /// What came before `session`, if its visitor's memory has been read.
    pub(crate) fn recall(&self, session: &Session) -> Option<Recall> {
        let id = (session.subjects().site().clone(), session.visitor.clone()?);
        match self.entries.get(&id)? {
            Entry::Read(memory, _) => Some(Recall::of(
                memory.as_ref().unwrap_or(&Memory::default()),
                session.subjects().token().as_str(),
                session.first_heard_ms,
            )),
            _ => None,
        }
    }

    /// One line on `session`'s visitor, as the journey opens with it.
    /// Shopper text in it (how they came) is not yet made safe for a
    /// terminal.
    pub(crate) fn line(&self, session: &Session, now_ms: u64) -> String {
        let Some(visitor) = session.visitor.as_deref() else {
            return "unknown: the browser keeps no visitor id".into();
        };
        let id = (session.subjects().site().clone(), visitor.to_owned());
        match self.entries.get(&id) {
            Some(Entry::Read(..)) => self
                .recall(session)
                .map_or_else(String::new, |r| r.line(now_ms)),
            Some(Entry::Failed(why, _)) => format!("earlier visits not read ({why})"),
            Some(Entry::Asked(_)) | None => "reading earlier visits…".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use floorwalker_shared::memory::{MemoryConfig, Visit};
    use floorwalker_shared::subject::SiteId;
    use floorwalker_shared::testing::{T0, batch, page, session};

    use super::*;

    fn shopper(visitor: Option<&str>) -> Session {
        let s = session(1);
        let mut b = batch(0, T0, vec![page("/")]);
        b.visitor = visitor.map(str::to_owned);
        let mut session = Session::new(s, T0);
        session.apply(&b, T0);
        session
    }

    #[test]
    fn a_memory_is_read_once_while_fresh_and_said_in_one_line() {
        let mut m = Memories::default();
        let s = shopper(Some("v1"));
        let id = m.want(&s, T0).expect("read at first");
        assert_eq!(id, (SiteId::new("shoes").unwrap(), "v1".to_owned()));
        assert_eq!(m.want(&s, T0 + 1_000), None, "asked already");
        assert_eq!(m.line(&s, T0), "reading earlier visits…");
        let mut memory = Memory::default();
        memory.visit(
            Visit {
                session: "earlier".into(),
                started_ms: T0 - 3_600_000,
                last_ms: T0 - 3_000_000,
                source: "newsletter".into(),
                pages: 3,
                order: None,
            },
            &MemoryConfig::default(),
        );
        m.heard(id.clone(), Ok(Some(memory)), T0 + 1_000);
        assert_eq!(
            m.line(&s, T0 + 60_000),
            "2nd visit · last 51 min ago via newsletter"
        );
        assert_eq!(m.want(&s, T0 + 2_000), None, "fresh");
        assert_eq!(m.want(&s, T0 + 40_000), Some(id.clone()), "read again");
        // Still shown while read again.
        assert!(m.line(&s, T0 + 40_000).starts_with("2nd visit"));
        let garbled = serde_json::from_slice::<Memory>(b"{").unwrap_err();
        m.heard(id, Err(Arc::new(ReadError::Decode(garbled))), T0 + 41_000);
        assert!(
            m.line(&s, T0)
                .starts_with("earlier visits not read (a visitor's memory does not read: "),
            "{}",
            m.line(&s, T0)
        );
        // Nothing remembered: a first visit.
        let mut m = Memories::default();
        let id = m.want(&s, T0).unwrap();
        m.heard(id, Ok(None), T0);
        assert_eq!(m.line(&s, T0), "1st visit");
    }

    #[test]
    fn a_shopper_without_a_visitor_id_is_never_read() {
        let mut m = Memories::default();
        let s = shopper(None);
        assert_eq!(m.want(&s, T0), None);
        assert_eq!(m.line(&s, T0), "unknown: the browser keeps no visitor id");
    }
}
