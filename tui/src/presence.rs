//! The broker's word on which shoppers are connected, for the readers that
//! count them (the dashboard, `tail`): the one reader of it, beside
//! [`crate::feed`], the one reader of the streams.
//!
//! nats-server announces in its system account every connection of the
//! shoppers' account that opens or closes (`$SYS.ACCOUNT.SHOP.CONNECT` and
//! `.DISCONNECT`), and lists the ones open when asked
//! (`$SYS.REQ.ACCOUNT.SHOP.CONNZ`). The server config the gate generates
//! brings these into the operators' account under Floorwalker's own
//! subjects ([`subject::shoppers_presence`], [`subject::shoppers_connz`]),
//! which shoppers cannot reach. Each connection is tied to its session by
//! its user name, which the gate issues ([`user_name`]): a name a browser
//! cannot choose, unlike the client name it sends.
//!
//! [`spawn`] subscribes to the announcements, then asks for the list, and
//! asks again every [`ASK_EVERY`]: what was missed while this reader was
//! cut off (or the server restarted) is put right by the next list. What it
//! hears it sends as [`Heard`], which [`Heard::fold`] takes into the floor
//! (`floorwalker_shared::floor::presence` keeps the books; the floor decides
//! what they mean). Times are the server's, as the streams' are.
//!
//! One server is asked; in a cluster each server answers for its own
//! connections and only the first answer is read.

use std::time::Duration;

use floorwalker_shared::floor::Floor;
use floorwalker_shared::floor::presence::ConnId;
use floorwalker_shared::subject::{self, SessionSubjects, SessionToken, SiteId};
use futures::StreamExt;
use serde::Deserialize;
use tokio::sync::mpsc;

use crate::feed::{Following, ms_of, now_ms};

/// How often the list of open connections is asked for again.
pub const ASK_EVERY: Duration = Duration::from_secs(30);

/// Connections asked for in one request (the server's own page size).
const PAGE: usize = 1_024;

/// Pages asked for at most in one list: a bound on a hostile or broken
/// answer, far above any floor.
const MAX_PAGES: usize = 1_000;

/// How long the server may take to answer.
const ANSWER: Duration = Duration::from_secs(5);

/// What the reader heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// The list of open connections is being asked for.
    Asking,
    /// A shopper connection opened.
    Connected {
        /// The connection.
        id: ConnId,
        /// Its session.
        session: SessionSubjects,
    },
    /// A shopper connection closed, at `at_ms`.
    Disconnected {
        /// The connection.
        id: ConnId,
        /// When (the server's clock).
        at_ms: u64,
    },
    /// The shopper connections open at `at_ms`.
    OpenNow {
        /// Every one, with its session.
        conns: Vec<(ConnId, SessionSubjects)>,
        /// When the server listed them (its clock).
        at_ms: u64,
    },
    /// The list could not be had (permissions, no server, an old server
    /// config without the imports); the reader tries again.
    Down(String),
}

impl Heard {
    /// Takes what was heard into `floor`.
    pub fn fold(self, floor: &mut Floor) {
        let presence = floor.presence_mut();
        match self {
            Self::Asking => presence.asking(),
            Self::Connected { id, session } => presence.connected(id, session),
            Self::Disconnected { id, at_ms } => presence.disconnected(id, at_ms),
            Self::OpenNow { conns, at_ms } => presence.open_now(conns, at_ms),
            Self::Down(_) => {}
        }
    }
}

/// The user name the gate gives a shopper connection of `session`, bounded
/// under `address`: `shopper:<site>:<token>@<address>`. nats-server repeats
/// it in its advisories and connection lists, but not the user JWT's tags.
pub fn user_name(session: &SessionSubjects, address: &str) -> String {
    format!("shopper:{}:{}@{address}", session.site(), session.token())
}

/// The session a shopper connection's user name names, if it is one.
pub fn session_of(user: &str) -> Option<SessionSubjects> {
    let user = user.split_once('@').map_or(user, |(name, _)| name);
    let rest = user.strip_prefix("shopper:")?;
    let (site, token) = rest.split_once(':')?;
    Some(SessionSubjects::new(
        SiteId::new(site).ok()?,
        SessionToken::new(token).ok()?,
    ))
}

/// The address a shopper connection's user name names, if any.
pub fn address_of(user: &str) -> Option<String> {
    let (name, address) = user.split_once('@')?;
    session_of(name)?;
    let address: std::net::IpAddr = address.parse().ok()?;
    Some(address.to_string())
}

/// Starts reading (see the module); drop the result to stop.
pub fn spawn(client: &async_nats::Client) -> (Following, mpsc::Receiver<Heard>) {
    let client = client.clone();
    crate::feed::follow(
        "hearing which shoppers are connected".into(),
        4_096,
        Heard::Down,
        move |tx| listen(client.clone(), tx),
    )
}

/// One attempt: `Break` when the receiver is gone, `Continue(why)` to be
/// tried again.
async fn listen(
    client: async_nats::Client,
    tx: mpsc::Sender<Heard>,
) -> std::ops::ControlFlow<(), String> {
    use std::ops::ControlFlow::{Break, Continue};
    let mut advisories = match client
        .subscribe(subject::shoppers_presence().to_string())
        .await
    {
        Ok(s) => s,
        Err(e) => return Continue(format!("subscribing to shopper connections: {e}")),
    };
    let mut ask = tokio::time::interval(ASK_EVERY);
    ask.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let heard = tokio::select! {
            _ = ask.tick() => {
                if tx.send(Heard::Asking).await.is_err() {
                    return Break(());
                }
                match open_now(&client).await {
                    Ok(heard) => heard,
                    Err(why) => return Continue(why.to_string()),
                }
            }
            msg = advisories.next() => match msg {
                Some(msg) => match advisory(&msg.subject, &msg.payload) {
                    Some(heard) => heard,
                    None => continue,
                },
                None => return Continue("the subscription ended".to_owned()),
            },
        };
        if tx.send(heard).await.is_err() {
            return Break(());
        }
    }
}

/// Why the open connections could not be listed.
#[derive(Debug, thiserror::Error)]
enum ListError {
    #[error("the server did not list shopper connections in time")]
    Timeout,
    #[error("asking which shoppers are connected: {0}")]
    Request(#[from] async_nats::RequestError),
    #[error("the server's list of shopper connections: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the server would not list connections: {0}")]
    Refused(String),
}

/// Asks for the open connections, page by page.
async fn open_now(client: &async_nats::Client) -> Result<Heard, ListError> {
    let mut conns = Vec::new();
    let mut at_ms = None;
    for page in 0..MAX_PAGES {
        let ask = serde_json::json!({ "auth": true, "offset": page * PAGE, "limit": PAGE });
        let answer = tokio::time::timeout(
            ANSWER,
            client.request(
                subject::shoppers_connz().to_string(),
                ask.to_string().into(),
            ),
        )
        .await
        .map_err(|_| ListError::Timeout)??;
        let list: Connz = serde_json::from_slice(&answer.payload)?;
        if let Some(error) = list.error {
            return Err(ListError::Refused(error.description));
        }
        let data = list.data.unwrap_or_default();
        let server = data.server_id.clone();
        at_ms.get_or_insert(data.now.map_or_else(now_ms, ms_of));
        let got = data.connections.len();
        conns.extend(data.connections.into_iter().filter_map(|c| {
            let session = session_of(c.authorized_user.as_deref()?)?;
            Some((
                ConnId {
                    server: server.clone(),
                    cid: c.cid,
                },
                session,
            ))
        }));
        if got < PAGE || (page + 1) * PAGE >= data.total {
            break;
        }
    }
    Ok(Heard::OpenNow {
        conns,
        at_ms: at_ms.unwrap_or_else(now_ms),
    })
}

/// What an advisory says, if it is about a shopper's connection.
fn advisory(on: &async_nats::Subject, payload: &[u8]) -> Option<Heard> {
    let advisory: Advisory = serde_json::from_slice(payload).ok()?;
    let session = session_of(advisory.client.user.as_deref()?)?;
    let id = ConnId {
        server: advisory.server.id,
        cid: advisory.client.id,
    };
    if on.as_str() == subject::shoppers_connect().as_str() {
        Some(Heard::Connected { id, session })
    } else if on.as_str() == subject::shoppers_disconnect().as_str() {
        let at_ms = advisory
            .client
            .stop
            .or(advisory.timestamp)
            .map_or_else(now_ms, ms_of);
        Some(Heard::Disconnected { id, at_ms })
    } else {
        None
    }
}

/// What a connect or disconnect advisory says of a shopper connection
/// beyond presence: where it came from, and why the server closed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The connection's session.
    pub session: SessionSubjects,
    /// The client's address: the one the gate bounded it under, named in
    /// the user name ([`user_name`]), which behind a trusted proxy is the
    /// address the proxy saw; else (a gate before this) the socket's, as
    /// connect advisories report it.
    pub host: Option<String>,
    /// Why it closed, in the server's words (disconnect advisories).
    pub reason: Option<String>,
}

/// What an advisory says of a shopper's connection, if it is about one.
pub fn connection(payload: &[u8]) -> Option<Connection> {
    let advisory: Advisory = serde_json::from_slice(payload).ok()?;
    Some(Connection {
        session: session_of(advisory.client.user.as_deref()?)?,
        host: advisory
            .client
            .user
            .as_deref()
            .and_then(address_of)
            .or(advisory.client.host),
        reason: advisory.reason,
    })
}

/// A connect or disconnect advisory, as much of it as is read.
#[derive(Debug, Deserialize)]
struct Advisory {
    #[serde(default, with = "time::serde::rfc3339::option")]
    timestamp: Option<time::OffsetDateTime>,
    server: ServerInfo,
    client: ClientInfo,
    reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ServerInfo {
    id: String,
}

#[derive(Debug, Deserialize)]
struct ClientInfo {
    id: u64,
    /// The user the gate named.
    user: Option<String>,
    host: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    stop: Option<time::OffsetDateTime>,
}

/// The server's answer to a `CONNZ` request.
#[derive(Debug, Deserialize)]
struct Connz {
    data: Option<ConnzData>,
    error: Option<ConnzError>,
}

#[derive(Debug, Deserialize)]
struct ConnzError {
    #[serde(default)]
    description: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ConnzData {
    server_id: String,
    #[serde(with = "time::serde::rfc3339::option")]
    now: Option<time::OffsetDateTime>,
    total: usize,
    connections: Vec<ConnzConn>,
}

#[derive(Debug, Deserialize)]
struct ConnzConn {
    cid: u64,
    authorized_user: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> SessionSubjects {
        SessionSubjects::new(
            SiteId::new("shop").unwrap(),
            SessionToken::new("6khreFrggSeaz47Am3ZH6qjNO9AHpwWk").unwrap(),
        )
    }

    #[test]
    fn the_user_name_names_the_session_and_nothing_else_does() {
        for address in ["192.0.2.7", "2001:db8::1"] {
            let name = user_name(&session(), address);
            assert_eq!(session_of(&name), Some(session()));
            assert_eq!(address_of(&name).as_deref(), Some(address));
        }
        assert_eq!(
            session_of("shopper:shop:6khreFrggSeaz47Am3ZH6qjNO9AHpwWk"),
            Some(session())
        );
        assert_eq!(
            address_of("shopper:shop:6khreFrggSeaz47Am3ZH6qjNO9AHpwWk"),
            None
        );
        assert_eq!(
            address_of("shopper:shop:6khreFrggSeaz47Am3ZH6qjNO9AHpwWk@nowhere"),
            None
        );
        assert_eq!(address_of("dashboard:dashboard@192.0.2.7"), None);
        for name in [
            "dashboard:dashboard",
            "shopper:shop",
            "shopper:shop:short",
            "shopper:Bad.Site:6khreFrggSeaz47Am3ZH6qjNO9AHpwWk",
            "shopper:shop:6khreFrggSeaz47Am3ZH6qjNO9AHpwWk.>",
        ] {
            assert_eq!(session_of(name), None, "{name}");
        }
    }

    // Advisories as nats-server 2.15.1 sent them for a shopper admitted by
    // the gate (trimmed).
    const CONNECT: &str = r#"{"type":"io.nats.server.advisory.v1.client_connect","id":"x","timestamp":"2026-11-27T21:45:34.819404855Z","server":{"name":"floorwalker-test","host":"127.0.0.1","id":"NDDUAB","ver":"2.15.1","seq":20},"client":{"start":"2026-11-27T21:45:34.712825762Z","host":"127.0.0.1","id":11,"acc":"SHOP","user":"shopper:shop:6khreFrggSeaz47Am3ZH6qjNO9AHpwWk","name":"anything a browser says","lang":"rust-floorwalker","name_tag":"SHOP","kind":"Client","client_type":"websocket"}}"#;
    const DISCONNECT: &str = r#"{"type":"io.nats.server.advisory.v1.client_disconnect","id":"y","timestamp":"2026-11-27T21:45:34.820829475Z","server":{"name":"floorwalker-test","id":"NDDUAB"},"client":{"start":"2026-11-27T21:45:34.712825762Z","id":11,"acc":"SHOP","user":"shopper:shop:6khreFrggSeaz47Am3ZH6qjNO9AHpwWk","stop":"2026-11-27T21:45:34.820829475Z","kind":"Client","client_type":"websocket"},"sent":{"msgs":0,"bytes":0},"received":{"msgs":0,"bytes":0},"reason":"Client Closed"}"#;

    fn on(s: &subject::Subject) -> async_nats::Subject {
        async_nats::Subject::from(s.to_string())
    }

    #[test]
    fn advisories_say_where_a_shopper_came_from_and_why_it_left() {
        let connect = connection(CONNECT.as_bytes()).unwrap();
        assert_eq!(connect.session, session());
        assert_eq!(connect.host.as_deref(), Some("127.0.0.1"));
        let disconnect = connection(DISCONNECT.as_bytes()).unwrap();
        assert_eq!(disconnect.host, None);
        assert_eq!(disconnect.reason.as_deref(), Some("Client Closed"));
        assert_eq!(connection(b"{}"), None);
        // The gate names the address it bounded the shopper under, which
        // behind a trusted proxy is the one the proxy saw.
        let named = CONNECT.replace(
            "6khreFrggSeaz47Am3ZH6qjNO9AHpwWk\"",
            "6khreFrggSeaz47Am3ZH6qjNO9AHpwWk@198.51.100.7\"",
        );
        let proxied = connection(named.as_bytes()).unwrap();
        assert_eq!(proxied.session, session());
        assert_eq!(proxied.host.as_deref(), Some("198.51.100.7"));
    }

    #[test]
    fn advisories_are_read_as_the_server_sends_them() {
        let id = ConnId {
            server: "NDDUAB".into(),
            cid: 11,
        };
        assert_eq!(
            advisory(&on(&subject::shoppers_connect()), CONNECT.as_bytes()),
            Some(Heard::Connected {
                id: id.clone(),
                session: session()
            })
        );
        assert_eq!(
            advisory(&on(&subject::shoppers_disconnect()), DISCONNECT.as_bytes()),
            Some(Heard::Disconnected {
                id,
                at_ms: 1_795_815_934_820
            })
        );
        // An operator's connection, or garbage, is no shopper's.
        let operator =
            CONNECT.replace("shopper:shop:6khreFrggSeaz47Am3ZH6qjNO9AHpwWk", "agent:ana");
        assert_eq!(
            advisory(&on(&subject::shoppers_connect()), operator.as_bytes()),
            None
        );
        assert_eq!(
            advisory(&on(&subject::shoppers_connect()), b"\x1b[2J"),
            None
        );
    }
}
