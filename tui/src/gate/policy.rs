//! Who may do what: the permissions the gate issues to shoppers and to each
//! operator role. docs/ARCHITECTURE.md shows this table; a test keeps the two
//! in step.
//!
//! Every list is an explicit allow list. Shoppers get their own session's
//! subjects and nothing else; operators get what their job needs, with
//! explicit denials of shopper publishing so no operator can speak as a
//! shopper.

use std::fmt;
use std::str::FromStr;

use floorwalker_shared::chat::DeskFact;
use floorwalker_shared::credential::ShopperCredential;
use floorwalker_shared::subject::{self, Subject, js};

use super::claims::{AllowDeny, UserPermissions};

/// An operator role. Each operator credential has exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Deploys and configures: the whole JetStream API and every subject.
    Admin,
    /// The supervisor's dashboard: reads shoppers, pushes offers.
    Dashboard,
    /// An agent's console: reads chats and journeys, answers in chats.
    Agent,
    /// On-call metrics: reads only.
    Tail,
    /// The simulator's agent bots: what an agent may do.
    Simulator,
    /// The chat router: tells waiting shoppers their place, delivers
    /// agents' messages, finds lost agents and gone shoppers.
    Router,
    /// The intake: the one way shoppers' batches and chat facts reach the
    /// streams, checked and bounded, answered on the sender's own inbox.
    Intake,
    /// The learning service: reads the streams, writes visitors' memories
    /// and the learned figures to their buckets.
    Learner,
}

impl Role {
    /// Every role, in the order the docs list them.
    pub const ALL: [Self; 8] = [
        Self::Admin,
        Self::Dashboard,
        Self::Agent,
        Self::Tail,
        Self::Simulator,
        Self::Router,
        Self::Intake,
        Self::Learner,
    ];

    /// The role's name in config and credential files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Dashboard => "dashboard",
            Self::Agent => "agent",
            Self::Tail => "tail",
            Self::Simulator => "simulator",
            Self::Router => "router",
            Self::Intake => "intake",
            Self::Learner => "learner",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A role name that is none of the roles.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown role '{0}'; roles: admin, dashboard, agent, tail, simulator, router, intake, learner"
)]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.name() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// Limits on every shopper connection. nats-server does not apply a callout
/// user's own limits, so `max_payload` and `max_subscriptions` are enforced
/// by the shoppers' account (see `GateConfig::server_block`); the user JWT
/// repeats them for servers that do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShopperLimits {
    /// Largest message a shopper may publish, in bytes.
    pub max_payload: u32,
    /// Most subscriptions a shopper may hold (the plugin needs two).
    pub max_subscriptions: u32,
    /// How long an admitted shopper connection lives before it must
    /// reconnect (and be checked again), in seconds.
    pub session_ttl_secs: u32,
}

impl Default for ShopperLimits {
    fn default() -> Self {
        Self {
            // An event batch is at most 64 KiB (floorwalker_shared::wire).
            max_payload: 64 * 1024,
            max_subscriptions: 4,
            session_ttl_secs: 4 * 60 * 60,
        }
    }
}

/// Publish and subscribe lists, as subjects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    /// May publish to.
    pub publish: Vec<Subject>,
    /// May not publish to, whatever `publish` says.
    pub publish_deny: Vec<Subject>,
    /// May subscribe to.
    pub subscribe: Vec<Subject>,
    /// May not subscribe to, whatever `subscribe` says.
    pub subscribe_deny: Vec<Subject>,
}

impl Grants {
    /// The JWT form. An empty allow list would mean "everything" to the
    /// server, so it becomes an explicit deny of everything.
    pub fn to_permissions(
        &self,
        subs: i64,
        payload: i64,
        connection_types: &[&str],
    ) -> UserPermissions {
        let list = |allow: &[Subject], deny: &[Subject]| {
            let mut out = AllowDeny {
                allow: allow.iter().map(ToString::to_string).collect(),
                deny: deny.iter().map(ToString::to_string).collect(),
            };
            if out.allow.is_empty() {
                out.deny = vec![">".into()];
            }
            out
        };
        UserPermissions {
            publish: list(&self.publish, &self.publish_deny),
            subscribe: list(&self.subscribe, &self.subscribe_deny),
            subs,
            data: -1,
            payload,
            allowed_connection_types: connection_types.iter().map(|t| (*t).to_owned()).collect(),
            issuer_account: None,
            bearer_token: false,
            kind: "user".to_owned(),
            version: 2,
        }
    }
}

/// A shopper's grants: its own session's subjects, nothing else.
pub fn shopper(credential: &ShopperCredential) -> Grants {
    let s = credential.subjects();
    Grants {
        publish: vec![s.events(), s.chat(), s.here()],
        subscribe: vec![s.push(), s.inbox_wildcard()],
        ..Grants::default()
    }
}

/// An operator's grants, by role; `user` names its private reply inbox.
pub fn operator(role: Role, user: &str) -> Grants {
    let inbox: Vec<Subject> = subject::operator_inbox(user)
        .ok()
        .and_then(|i| Subject::new(format!("{i}.>")).ok())
        .into_iter()
        .collect();
    let read_streams = read_streams();
    let shopper_traffic = vec![subject::all_sites_events(), subject::all_sites_chat()];
    // No operator publishes as a shopper; none but admin manages streams.
    let impersonation = [shopper_traffic.clone(), vec![subject::all_sites_here()]].concat();
    let operator_deny = [impersonation.clone(), js::stream_admin()].concat();
    // Who is on the floor: the broker's connection advisories, and the
    // connections open now, for the screens that count shoppers.
    let floor_presence = vec![subject::shoppers_presence()];
    let ask_presence = vec![subject::shoppers_connz()];
    // What the intake refused and why, for the screens that show it.
    let intake_report = vec![subject::intake_report()];
    match role {
        Role::Admin => Grants {
            publish: vec![subject::everything()],
            publish_deny: impersonation,
            subscribe: vec![subject::everything()],
            subscribe_deny: vec![],
        },
        Role::Dashboard => Grants {
            publish: [
                vec![subject::all_sites_push(), subject::gate_status()],
                subject::audit_offer(user).ok().into_iter().collect(),
                desk_kinds(user, &DeskFact::SUPERVISOR_KINDS),
                ask_presence,
                read_streams,
            ]
            .concat(),
            publish_deny: operator_deny,
            subscribe: [shopper_traffic, floor_presence, intake_report, inbox].concat(),
            subscribe_deny: vec![],
        },
        // Agents record what they do; the router, not they, speaks to
        // shoppers, so an agent's console cannot push to any shopper.
        Role::Agent | Role::Simulator => Grants {
            publish: [
                desk_kinds(user, &DeskFact::AGENT_KINDS),
                subject::presence(user).ok().into_iter().collect(),
                read_streams,
            ]
            .concat(),
            publish_deny: operator_deny,
            subscribe: [shopper_traffic, inbox].concat(),
            subscribe_deny: vec![],
        },
        Role::Router => Grants {
            publish: [
                vec![subject::all_sites_push(), subject::router_report()],
                desk_kinds(user, &DeskFact::ROUTER_KINDS),
                read_streams,
            ]
            .concat(),
            publish_deny: operator_deny,
            subscribe: [
                shopper_traffic,
                vec![
                    subject::raw(&subject::all_sites_here()),
                    subject::all_presence(),
                ],
                inbox,
            ]
            .concat(),
            subscribe_deny: vec![],
        },
        Role::Tail => Grants {
            publish: [vec![subject::gate_status()], ask_presence, read_streams].concat(),
            publish_deny: operator_deny,
            // And what the routers did, for `tail --prometheus`.
            subscribe: [
                shopper_traffic,
                floor_presence,
                intake_report,
                vec![subject::router_report()],
                inbox,
            ]
            .concat(),
            subscribe_deny: vec![],
        },
        // The one operator that stores what shoppers send, and answers
        // them on their own inboxes only; it manages no stream.
        Role::Intake => Grants {
            publish: [
                shopper_traffic.clone(),
                vec![subject::all_sites_inbox(), subject::intake_report()],
                read_streams,
            ]
            .concat(),
            publish_deny: [vec![subject::all_sites_here()], js::stream_admin()].concat(),
            // What shoppers published it reads from the RAW work queue.
            subscribe: [floor_presence, inbox].concat(),
            subscribe_deny: vec![],
        },
        // Reads the streams; writes its two buckets and nothing else.
        Role::Learner => Grants {
            publish: [learned_buckets(), read_streams].concat(),
            publish_deny: operator_deny,
            subscribe: inbox,
            subscribe_deny: vec![],
        },
    }
}

/// What reading streams and buckets takes: their info, direct reads,
/// consumers and their acknowledgements.
fn read_streams() -> Vec<Subject> {
    [
        vec![
            js::api_info(),
            js::stream_info(),
            js::stream_msg_get(),
            js::direct_get(),
            js::consumer_all(),
        ],
        js::acks(),
    ]
    .concat()
}

/// The buckets the learning service writes.
fn learned_buckets() -> Vec<Subject> {
    vec![
        subject::kv::bucket_all(subject::kv::VISITORS),
        subject::kv::bucket_all(subject::kv::INSIGHTS),
    ]
}

/// The desk subjects of `kinds` under `user`.
fn desk_kinds(user: &str, kinds: &[&str]) -> Vec<Subject> {
    kinds
        .iter()
        .filter_map(|kind| subject::desk(user, kind).ok())
        .collect()
}

/// The permission table as Markdown, as docs/ARCHITECTURE.md shows it.
pub fn table_markdown() -> String {
    use floorwalker_shared::credential::SessionSecret;
    use floorwalker_shared::subject::SiteId;

    let list = |subjects: &[Subject]| {
        if subjects.is_empty() {
            return "—".to_owned();
        }
        let quoted: Vec<String> = subjects.iter().map(|s| format!("`{s}`")).collect();
        quoted.join("<br>")
    };
    let row = |who: &str, account: &str, g: &Grants| {
        format!(
            "| {who} | {account} | {} | {} | {} |\n",
            list(&g.publish),
            list(&g.publish_deny),
            list(&g.subscribe)
        )
    };
    let mut out = String::from(
        "| Role | Account | Publish | Publish denied | Subscribe |\n| --- | --- | --- | --- | --- |\n",
    );
    // A sample shopper, its site and token then written as placeholders.
    let site = SiteId::new("site").unwrap_or_else(|_| unreachable!("a valid site id"));
    let cred = ShopperCredential::new(site, SessionSecret::from_random([0; 32]));
    let token = cred.session_token().to_string();
    let shopper_row = row("shopper", super::config::SHOP_ACCOUNT, &shopper(&cred))
        .replace(&token, "<token>")
        .replace("fw.site.", "fw.<site>.");
    out.push_str(&shopper_row);
    for role in Role::ALL {
        let grants = operator(role, "USER");
        out.push_str(
            &row(role.name(), super::config::APP_ACCOUNT, &grants).replace("USER", "<user>"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_architecture_doc_shows_this_table() {
        crate::docs::assert_holds("ARCHITECTURE.md", &table_markdown(), "permission table");
    }

    #[test]
    fn no_grant_is_empty_and_no_operator_may_speak_as_a_shopper() {
        for role in Role::ALL {
            let grants = operator(role, "someone");
            assert!(
                !grants.publish.is_empty() && !grants.subscribe.is_empty(),
                "{role}"
            );
            if role == Role::Intake {
                // It stores what shoppers sent, as theirs; never as `here`.
                assert!(grants.publish_deny.contains(&subject::all_sites_here()));
                continue;
            }
            assert!(
                grants.publish_deny.contains(&subject::all_sites_events()),
                "{role}"
            );
            assert!(
                grants.publish_deny.contains(&subject::all_sites_chat()),
                "{role}"
            );
            if role != Role::Admin {
                assert!(
                    js::stream_admin()
                        .iter()
                        .all(|s| grants.publish_deny.contains(s)),
                    "{role}"
                );
            }
        }
        let empty = Grants::default().to_permissions(-1, -1, &[]);
        assert_eq!(
            empty.publish.deny,
            [">"],
            "an empty allow list must deny everything"
        );
        assert_eq!(empty.subscribe.deny, [">"]);
    }
}
