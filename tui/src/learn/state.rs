//! What the learning service knows and decides, without IO: the sessions
//! it is folding, which visitor each session belongs to, the chats it has
//! heard of, every visitor's memory, and which of them changed since they
//! were last written.

use std::collections::{BTreeSet, HashMap};

use floorwalker_shared::chat::{ChatFact, DeskFact};
use floorwalker_shared::desk::Fact;
use floorwalker_shared::memory::{FirstPurchase, Memory, MemoryConfig, Order, PastChat, Visit};
use floorwalker_shared::pages::{PageConfig, PageRow, Pages};
use floorwalker_shared::session::Session;
use floorwalker_shared::subject::{SessionSubjects, SiteId, Subject};
use floorwalker_shared::wire::decode_batch;

/// A visitor of one site.
pub type VisitorId = (SiteId, String);

/// Bounds and how long things are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearnConfig {
    /// What a memory keeps, and how long.
    pub memory: MemoryConfig,
    /// Page patterns, the statistics' window and bounds.
    pub pages: PageConfig,
    /// A session silent this long is done: its visit is as complete as
    /// it gets, and the session is forgotten (its visit is not).
    pub session_idle_ms: u64,
    /// Sessions followed at once, at most; batches of more are refused.
    pub max_sessions: usize,
    /// How long a session is remembered as its visitor's, for chats
    /// heard of later.
    pub link_ms: u64,
}

impl Default for LearnConfig {
    fn default() -> Self {
        Self {
            memory: MemoryConfig::default(),
            pages: PageConfig::default(),
            session_idle_ms: 60 * 60_000,
            max_sessions: 200_000,
            link_ms: 7 * floorwalker_shared::memory::DAY_MS,
        }
    }
}

/// What was folded, refused and written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Batches folded.
    pub batches: u64,
    /// Chat facts folded.
    pub facts: u64,
    /// Messages that were not a batch or fact (counted, skipped).
    pub refused: u64,
    /// Batches of new sessions beyond [`LearnConfig::max_sessions`], and
    /// inputs the page statistics had no room for.
    pub full: u64,
}

/// A session's link to its visitor, and when it was last heard.
#[derive(Debug, Clone)]
struct Link {
    visitor: String,
    last_ms: u64,
}

/// The learning service's state (see the module doc).
#[derive(Debug)]
pub struct Learner {
    config: LearnConfig,
    pages: Pages,
    /// The page rows last handed out to publish, by site and pattern.
    published: HashMap<SiteId, HashMap<String, PageRow>>,
    sessions: HashMap<SessionSubjects, Session>,
    links: HashMap<SessionSubjects, Link>,
    /// Chats by id: the session they are in, and what is known of them.
    chats: HashMap<String, (SessionSubjects, PastChat)>,
    /// Chats of sessions whose visitor is not known yet, by session.
    pending: HashMap<SessionSubjects, Vec<String>>,
    memories: HashMap<VisitorId, Memory>,
    /// Per visitor, the visit of first order counted in `first`.
    first_of: HashMap<VisitorId, u32>,
    first: HashMap<SiteId, FirstPurchase>,
    dirty: BTreeSet<VisitorId>,
    dirty_sites: BTreeSet<SiteId>,
    counts: Counts,
    latest_ms: u64,
}

impl Learner {
    /// A learner that knows nothing yet.
    pub fn new(config: LearnConfig) -> Self {
        Self {
            pages: Pages::new(config.pages.clone()),
            config,
            published: HashMap::new(),
            sessions: HashMap::new(),
            links: HashMap::new(),
            chats: HashMap::new(),
            pending: HashMap::new(),
            memories: HashMap::new(),
            first_of: HashMap::new(),
            first: HashMap::new(),
            dirty: BTreeSet::new(),
            dirty_sites: BTreeSet::new(),
            counts: Counts::default(),
            latest_ms: 0,
        }
    }

    /// Takes in a memory read from the bucket (at start): what the
    /// streams say is merged into it.
    pub fn load(&mut self, visitor: &VisitorId, memory: Memory) {
        self.memories.insert(visitor.clone(), memory);
        self.recount(visitor);
    }

    /// Folds one batch of `EVENTS`, stored at `at_ms`.
    pub fn batch(&mut self, subject: &Subject, payload: &[u8], at_ms: u64) {
        self.latest_ms = self.latest_ms.max(at_ms);
        let Some(key) = SessionSubjects::of(subject).filter(|s| s.events() == *subject) else {
            self.counts.refused += 1;
            return;
        };
        let Ok(batch) = decode_batch(payload) else {
            self.counts.refused += 1;
            return;
        };
        if !self.sessions.contains_key(&key) && self.sessions.len() >= self.config.max_sessions {
            self.counts.full += 1;
            return;
        }
        self.counts.batches += 1;
        if self.pages.batch(&key, &batch, at_ms).is_err() {
            self.counts.full += 1;
        }
        let session = self
            .sessions
            .entry(key.clone())
            .or_insert_with(|| Session::new(key.clone(), at_ms));
        session.apply(&batch, at_ms);
        let Some(visitor) = session.visitor.clone() else {
            return;
        };
        let visit = Visit {
            session: key.token().as_str().to_owned(),
            started_ms: session.first_heard_ms,
            last_ms: session.last_heard_ms,
            source: session.arrival.source(),
            pages: session.pages_seen,
            order: session.order.as_ref().map(|(_, total)| Order {
                total_minor: *total,
                currency: session.currency.clone(),
            }),
        };
        let id = (key.site().clone(), visitor.clone());
        let memory = self.memories.entry(id.clone()).or_default();
        if memory.visit(visit, &self.config.memory) {
            self.dirty.insert(id.clone());
            self.recount(&id);
        }
        let linked = self.links.insert(
            key.clone(),
            Link {
                visitor,
                last_ms: at_ms,
            },
        );
        if linked.is_none() {
            // Chats heard of before the session's visitor was known.
            for chat_id in self.pending.remove(&key).unwrap_or_default() {
                if let Some((_, chat)) = self.chats.get(&chat_id) {
                    let chat = chat.clone();
                    self.remember_chat(&key, chat);
                }
            }
        }
    }

    /// Folds one message of `AUDIT`, stored at `at_ms`: requests, survey
    /// answers and incidents are what a memory keeps of chats.
    pub fn fact(&mut self, subject: &Subject, payload: &[u8], at_ms: u64) {
        self.latest_ms = self.latest_ms.max(at_ms);
        let Ok(fact) = Fact::read(subject, payload) else {
            self.counts.refused += 1;
            return;
        };
        self.counts.facts += 1;
        let page_room = match &fact {
            Fact::Shopper(session, ChatFact::Request { chat_id, offer_id }) => {
                self.pages
                    .asked(session, chat_id, offer_id.as_deref(), at_ms)
            }
            Fact::Shopper(session, _) => self.pages.heard(session, at_ms),
            Fact::Operator(..) => Ok(()),
        };
        if page_room.is_err() {
            self.counts.full += 1;
        }
        let (session, chat) = match fact {
            Fact::Shopper(session, ChatFact::Request { chat_id, .. }) => {
                let chat = PastChat {
                    chat_id: chat_id.clone(),
                    session: session.token().as_str().to_owned(),
                    at_ms,
                    helped: None,
                    incident: false,
                };
                let known = self
                    .chats
                    .entry(chat_id)
                    .or_insert_with(|| (session.clone(), chat));
                if known.0 != session {
                    // Another session's chat id: not this shopper's.
                    return;
                }
                known.clone()
            }
            Fact::Shopper(
                session,
                ChatFact::Survey {
                    chat_id, helped, ..
                },
            ) => match self.chats.get_mut(&chat_id) {
                Some((of, chat)) if *of == session => {
                    chat.helped.get_or_insert(helped);
                    (of.clone(), chat.clone())
                }
                _ => return,
            },
            Fact::Operator(_, DeskFact::Incident { chat_id, .. }) => {
                match self.chats.get_mut(&chat_id) {
                    Some((of, chat)) => {
                        chat.incident = true;
                        (of.clone(), chat.clone())
                    }
                    None => return,
                }
            }
            _ => return,
        };
        self.remember_chat(&session, chat);
    }

    fn remember_chat(&mut self, session: &SessionSubjects, chat: PastChat) {
        let Some(link) = self.links.get(session) else {
            let waiting = self.pending.entry(session.clone()).or_default();
            if !waiting.contains(&chat.chat_id) {
                waiting.push(chat.chat_id);
            }
            return;
        };
        let id = (session.site().clone(), link.visitor.clone());
        if self
            .memories
            .entry(id.clone())
            .or_default()
            .chat(chat, &self.config.memory)
        {
            self.dirty.insert(id);
        }
    }

    /// Puts a visitor's first purchase in its site's figure afresh.
    fn recount(&mut self, id: &VisitorId) {
        let now = self
            .memories
            .get(id)
            .and_then(Memory::visits_to_first_order);
        let before = self.first_of.get(id).copied();
        if now == before {
            return;
        }
        let site = self.first.entry(id.0.clone()).or_default();
        if let Some(n) = before {
            site.remove(n);
            self.first_of.remove(id);
        }
        if let Some(n) = now {
            site.add(n);
            self.first_of.insert(id.clone(), n);
        }
        self.dirty_sites.insert(id.0.clone());
    }

    /// Forgets sessions silent past [`LearnConfig::session_idle_ms`] (their
    /// visits are kept), links and chats older than
    /// [`LearnConfig::link_ms`], and what memories keep past their time,
    /// judged at `now_ms`.
    pub fn sweep(&mut self, now_ms: u64) {
        self.pages.sweep(now_ms);
        let idle = self.config.session_idle_ms;
        self.sessions
            .retain(|_, s| now_ms.saturating_sub(s.last_heard_ms) < idle);
        let link = self.config.link_ms;
        self.links
            .retain(|_, l| now_ms.saturating_sub(l.last_ms) < link);
        self.chats
            .retain(|_, (_, c)| now_ms.saturating_sub(c.at_ms) < link);
        let chats = &self.chats;
        self.pending.retain(|_, ids| {
            ids.retain(|id| chats.contains_key(id));
            !ids.is_empty()
        });
        let memory = self.config.memory;
        let mut pruned = Vec::new();
        for (id, m) in &mut self.memories {
            if m.prune(now_ms, &memory) {
                pruned.push(id.clone());
            }
        }
        for id in pruned {
            self.dirty.insert(id.clone());
            self.recount(&id);
        }
    }

    /// The memories changed since last asked, to write: an empty one is
    /// to be deleted. Forgets empty ones.
    pub fn take_dirty(&mut self) -> Vec<(VisitorId, Memory)> {
        // Only a changed memory can have become empty: forgetting those
        // needs no pass over every visitor at each flush.
        std::mem::take(&mut self.dirty)
            .into_iter()
            .filter_map(|id| {
                let memory = if self.memories.get(&id)?.is_empty() {
                    self.memories.remove(&id)?
                } else {
                    self.memories.get(&id)?.clone()
                };
                Some((id, memory))
            })
            .collect()
    }

    /// The sites whose visits before a first purchase changed since last
    /// asked, with the figure.
    pub fn take_dirty_sites(&mut self) -> Vec<(SiteId, FirstPurchase)> {
        std::mem::take(&mut self.dirty_sites)
            .into_iter()
            .map(|site| {
                let figure = self.first.get(&site).cloned().unwrap_or_default();
                (site, figure)
            })
            .collect()
    }

    /// Writes `id`'s memory again at the next [`Self::take_dirty`]: the
    /// last write failed.
    pub fn retry(&mut self, id: VisitorId) {
        self.dirty.insert(id);
    }

    /// Likewise for a site's figure.
    pub fn retry_site(&mut self, site: SiteId) {
        self.dirty_sites.insert(site);
    }

    /// The page statistics of every site at `now_ms` that changed since
    /// last asked: rows to write, and patterns no longer seen (to delete).
    pub fn page_changes(&mut self, now_ms: u64) -> Vec<(SiteId, Vec<PageRow>, Vec<String>)> {
        let sites: Vec<SiteId> = self.pages.sites().cloned().collect();
        let mut out = Vec::new();
        for site in sites {
            let rows = self.pages.stats(&site, now_ms);
            let before = self.published.entry(site.clone()).or_default();
            let new_rows: Vec<PageRow> = rows
                .iter()
                .filter(|row| before.get(&row.pattern) != Some(*row))
                .cloned()
                .collect();
            let gone: Vec<String> = before
                .keys()
                .filter(|p| !rows.iter().any(|r| r.pattern == **p))
                .cloned()
                .collect();
            *before = rows.into_iter().map(|r| (r.pattern.clone(), r)).collect();
            if !new_rows.is_empty() || !gone.is_empty() {
                out.push((site, new_rows, gone));
            }
        }
        out
    }

    /// Hands out `site`'s rows again at the next [`Self::page_changes`]:
    /// writing them failed.
    pub fn retry_pages(&mut self, site: &SiteId) {
        self.published.remove(site);
    }

    /// A visitor's memory as it stands.
    pub fn memory(&self, id: &VisitorId) -> Option<&Memory> {
        self.memories.get(id)
    }

    /// A site's visits before a first purchase.
    pub fn first_purchase(&self, site: &SiteId) -> Option<&FirstPurchase> {
        self.first.get(site)
    }

    /// Visitors remembered.
    pub fn visitors(&self) -> usize {
        self.memories.len()
    }

    /// Sessions followed now.
    pub fn sessions(&self) -> usize {
        self.sessions.len()
    }

    /// What was folded and refused so far.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// The latest stream time heard.
    pub fn latest_ms(&self) -> u64 {
        self.latest_ms
    }
}

#[cfg(test)]
mod tests;
