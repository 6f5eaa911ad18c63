//! Which shopper sessions are connected, in the broker's own words.
//!
//! A batch says what a shopper did, not that the page is still open: a tab
//! closed says nothing more. The broker knows: nats-server announces every
//! shopper connection that opens and closes (its `CONNECT` and `DISCONNECT`
//! advisories), and lists the ones open now when asked (`CONNZ`), for a
//! reader that starts later or was cut off. The gate names each admitted
//! shopper connection after its session, so each connection is tied to a
//! session; one session may hold several (the session spans the tabs of one
//! browser), and it is connected while any is.
//!
//! This is only the bookkeeping: [`Presence`] says whether a session's
//! connections are open, or since when none is ([`Link`]). What that means
//! for the shopper (on the floor, reconnecting, gone) is the floor's call,
//! with what the session's own batches said ([`crate::floor::Floor::state`]).
//!
//! Until the first list of open connections is in, the broker's word is
//! incomplete and [`Presence::link`] says nothing (`None`), nor for any
//! time before it (the minutes a reader replays): the floor then judges by
//! what it hears, as it did before presence.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;

use crate::subject::SessionSubjects;

/// One connection, as the broker names it: the server that holds it and the
/// server's id for it (ids start over when a server restarts; its own id
/// does not repeat).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId {
    /// The server's id.
    pub server: String,
    /// The server's id for the connection.
    pub cid: u64,
}

/// Where a session's connections stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// At least one is open.
    Open,
    /// None is open since `since_ms` (the operator's clock).
    Closed {
        /// When the last one closed.
        since_ms: u64,
    },
    /// The broker has not told of any.
    Never,
}

/// Closed connections remembered this long, so that a list of open
/// connections taken before a close was announced does not reopen it.
const CLOSED_KEPT_MS: u64 = 60_000;

/// Connections the presence keeps at most (the floor's sessions are bounded
/// too; one session rarely holds more than a few).
pub const MAX_CONNECTIONS: usize = 400_000;

#[derive(Debug, Clone)]
struct Open {
    session: SessionSubjects,
    /// In what order connections were heard of: a list of open connections
    /// closes only those heard of before it was asked for.
    order: u64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Links {
    open: u32,
    closed_ms: u64,
}

/// Every shopper connection the broker told of (see the module doc).
#[derive(Debug, Clone, Default)]
pub struct Presence {
    /// When the first list of open connections was made.
    known_ms: Option<u64>,
    open: BTreeMap<ConnId, Open>,
    sessions: BTreeMap<SessionSubjects, Links>,
    /// Recently closed connections, with when.
    closed: BTreeMap<ConnId, u64>,
    heard: u64,
    /// Connections heard of before the list being asked for.
    asked_at: Option<u64>,
}

impl Presence {
    /// A connection of `session` opened.
    pub fn connected(&mut self, id: ConnId, session: SessionSubjects) {
        if self.closed.contains_key(&id)
            || self.open.contains_key(&id)
            || self.open.len() >= MAX_CONNECTIONS
        {
            return;
        }
        self.heard += 1;
        let links = self.sessions.entry(session.clone()).or_default();
        links.open += 1;
        self.open.insert(
            id,
            Open {
                session,
                order: self.heard,
            },
        );
    }

    /// A connection closed, at `at_ms`.
    pub fn disconnected(&mut self, id: ConnId, at_ms: u64) {
        if let Some(open) = self.open.remove(&id) {
            self.close(&open.session, at_ms);
        }
        if self.closed.len() < MAX_CONNECTIONS {
            self.closed.insert(id, at_ms);
        }
    }

    fn close(&mut self, session: &SessionSubjects, at_ms: u64) {
        if let Some(links) = self.sessions.get_mut(session) {
            links.open = links.open.saturating_sub(1);
            links.closed_ms = links.closed_ms.max(at_ms);
        }
    }

    /// The list of open connections is being asked for now: what is heard
    /// from here on is newer than it.
    pub fn asking(&mut self) {
        self.asked_at = Some(self.heard);
    }

    /// The connections open when the broker was asked ([`Self::asking`]),
    /// heard at `at_ms`: those not heard of are opened, and those heard of
    /// before the asking but missing have closed (their close was missed:
    /// this reader was cut off, or the server restarted).
    pub fn open_now(
        &mut self,
        conns: impl IntoIterator<Item = (ConnId, SessionSubjects)>,
        at_ms: u64,
    ) {
        let listed: BTreeSet<ConnId> = conns
            .into_iter()
            .map(|(id, session)| {
                self.connected(id.clone(), session);
                id
            })
            .collect();
        let asked_at = self.asked_at.take().unwrap_or(self.heard);
        let missing: alloc::vec::Vec<ConnId> = self
            .open
            .iter()
            .filter(|(id, open)| open.order <= asked_at && !listed.contains(id))
            .map(|(id, _)| id.clone())
            .collect();
        for id in missing {
            self.disconnected(id, at_ms);
        }
        self.known_ms.get_or_insert(at_ms);
    }

    /// Where `session`'s connections stand at `at_ms`; `None` while the
    /// broker's word is not in, and for times before it was (a reader
    /// replaying history judges those by what it heard).
    pub fn link(&self, session: &SessionSubjects, at_ms: u64) -> Option<Link> {
        if self.known_ms.is_none_or(|known| at_ms < known) {
            return None;
        }
        Some(match self.sessions.get(session) {
            Some(links) if links.open > 0 => Link::Open,
            Some(links) => Link::Closed {
                since_ms: links.closed_ms,
            },
            None => Link::Never,
        })
    }

    /// Connections open now.
    pub fn open_connections(&self) -> usize {
        self.open.len()
    }

    /// Forgets sessions with nothing open since `keep_ms` before `now_ms`,
    /// and closed connections past remembering.
    pub fn sweep(&mut self, now_ms: u64, keep_ms: u64) {
        self.sessions
            .retain(|_, l| l.open > 0 || now_ms.saturating_sub(l.closed_ms) < keep_ms);
        self.closed
            .retain(|_, at| now_ms.saturating_sub(*at) < CLOSED_KEPT_MS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subject::{SessionToken, SiteId};

    fn session(n: u8) -> SessionSubjects {
        SessionSubjects::new(
            SiteId::new("shop").unwrap(),
            SessionToken::new(alloc::format!("token-of-session-{n:02}")).unwrap(),
        )
    }

    fn conn(cid: u64) -> ConnId {
        ConnId {
            server: "NSERVER".into(),
            cid,
        }
    }

    /// When the tests' links are asked for: after every list.
    const NOW: u64 = 1_000_000;

    fn known() -> Presence {
        let mut p = Presence::default();
        p.asking();
        p.open_now([], 0);
        p
    }

    #[test]
    fn says_nothing_until_the_list_of_open_connections_is_in() {
        let mut p = Presence::default();
        p.connected(conn(1), session(1));
        assert_eq!(p.link(&session(1), NOW), None);
        p.asking();
        p.open_now([(conn(1), session(1))], 20);
        assert_eq!(p.link(&session(1), 20), Some(Link::Open));
        assert_eq!(p.link(&session(1), 19), None, "before the list was made");
        assert_eq!(p.link(&session(2), NOW), Some(Link::Never));
    }

    #[test]
    fn a_session_is_open_while_any_of_its_tabs_is() {
        let mut p = known();
        p.connected(conn(1), session(1));
        p.connected(conn(2), session(1));
        p.disconnected(conn(1), 300);
        assert_eq!(p.link(&session(1), NOW), Some(Link::Open));
        p.disconnected(conn(2), 400);
        assert_eq!(
            p.link(&session(1), NOW),
            Some(Link::Closed { since_ms: 400 })
        );
        // A page of the session connects again.
        p.connected(conn(3), session(1));
        assert_eq!(p.link(&session(1), NOW), Some(Link::Open));
    }

    #[test]
    fn a_close_heard_twice_or_of_an_unknown_connection_changes_nothing() {
        let mut p = known();
        p.connected(conn(1), session(1));
        p.connected(conn(2), session(1));
        p.disconnected(conn(1), 200);
        p.disconnected(conn(1), 250);
        p.disconnected(conn(9), 260);
        assert_eq!(p.link(&session(1), NOW), Some(Link::Open));
        assert_eq!(p.open_connections(), 1);
    }

    #[test]
    fn the_list_closes_what_it_misses_and_opens_what_was_not_heard() {
        let mut p = known();
        p.connected(conn(1), session(1));
        p.connected(conn(2), session(2));
        // This reader was cut off: conn 1 closed and conn 3 opened unheard.
        p.asking();
        p.open_now([(conn(2), session(2)), (conn(3), session(3))], 900);
        assert_eq!(
            p.link(&session(1), NOW),
            Some(Link::Closed { since_ms: 900 })
        );
        assert_eq!(p.link(&session(2), NOW), Some(Link::Open));
        assert_eq!(p.link(&session(3), NOW), Some(Link::Open));
    }

    #[test]
    fn the_list_does_not_undo_what_was_heard_after_asking() {
        let mut p = known();
        p.connected(conn(1), session(1));
        p.asking();
        // Heard between the asking and the answer, which was made before.
        p.connected(conn(2), session(2));
        p.disconnected(conn(1), 160);
        p.open_now([(conn(1), session(1))], 200);
        assert_eq!(
            p.link(&session(2), NOW),
            Some(Link::Open),
            "a new connection"
        );
        assert_eq!(
            p.link(&session(1), NOW),
            Some(Link::Closed { since_ms: 160 }),
            "a closed connection reopened by an older list"
        );
    }

    #[test]
    fn a_server_restart_closes_the_old_connections() {
        let mut p = known();
        p.connected(conn(1), session(1));
        p.asking();
        let restarted = ConnId {
            server: "NOTHER".into(),
            cid: 1,
        };
        p.open_now([(restarted, session(2))], 300);
        assert_eq!(
            p.link(&session(1), NOW),
            Some(Link::Closed { since_ms: 300 })
        );
        assert_eq!(p.link(&session(2), NOW), Some(Link::Open));
    }

    #[test]
    fn sweeping_forgets_long_closed_sessions_only() {
        let mut p = known();
        p.connected(conn(1), session(1));
        p.connected(conn(2), session(2));
        p.disconnected(conn(1), 1_000);
        p.sweep(200_000, 100_000);
        assert_eq!(p.link(&session(1), NOW), Some(Link::Never));
        assert_eq!(p.link(&session(2), NOW), Some(Link::Open));
    }
}
