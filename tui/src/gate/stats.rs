//! What the gate has decided, counted by outcome: the body of its answer on
//! `fw.gate.status` (JSON) and of what `floorwalker gate` prints when it
//! stops.
//!
//! The status's fields, whose names are stable (docs/LIMITS.md):
//! `admitted_shoppers`, `refused` (by [`Refusal::name`], every reason
//! present, zero or not), `bounds` (the bounds on connection attempts in
//! force), `tracked` (how many addresses and sessions the bounds remember
//! now) and `xkeys` (the curve keys it opens requests sealed to, current
//! first). Operators and services sign in with `.creds` files the server
//! checks: the gate never sees them.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::limiter::Tracked;

/// Why a connection was refused. Logged and counted; never carries a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Over the flood bound on attempts from one client address.
    AddressFlood,
    /// Over the bound on attempts of one shopper session.
    SessionFlood,
    /// The bounds' tables were full of live addresses or sessions.
    LimiterFull,
    /// No shopper credential: operators and services sign in with their
    /// `.creds` files, which the server checks without the gate.
    NoCredential,
    /// A token that is not a well-formed shopper credential.
    MalformedCredential,
    /// A shopper credential for a site this gate does not serve.
    UnknownSite,
    /// A shopper credential not over WebSocket.
    /// (A page from an origin the server does not allow never reaches the
    /// gate: nats-server answers its WebSocket upgrade with 403.)
    WrongConnectionType,
    /// The server's request could not be opened, verified or understood.
    BadRequest,
    /// A shopper connection from a trusted proxy without the proxy's word
    /// for its address (a proxy not set up as `auth proxy` says, or a
    /// client reaching nats-server past it).
    Unvouched,
}

impl Refusal {
    /// Every reason, in the order they are listed.
    pub const ALL: [Self; 9] = [
        Self::AddressFlood,
        Self::SessionFlood,
        Self::LimiterFull,
        Self::NoCredential,
        Self::MalformedCredential,
        Self::UnknownSite,
        Self::WrongConnectionType,
        Self::BadRequest,
        Self::Unvouched,
    ];

    /// The reason's key in the status JSON, in `snake_case`; stable.
    pub fn name(self) -> &'static str {
        match self {
            Self::AddressFlood => "address_flood",
            Self::SessionFlood => "session_flood",
            Self::LimiterFull => "limiter_full",
            Self::NoCredential => "no_credential",
            Self::MalformedCredential => "malformed_credential",
            Self::UnknownSite => "unknown_site",
            Self::WrongConnectionType => "wrong_connection_type",
            Self::BadRequest => "bad_request",
            Self::Unvouched => "unvouched",
        }
    }

    /// The text sent back to the server (and shown in its log).
    pub fn reason(self) -> &'static str {
        match self {
            Self::AddressFlood => "too many connection attempts from this address",
            Self::SessionFlood => "too many connection attempts for this session",
            Self::LimiterFull => "too many addresses and sessions at once",
            Self::NoCredential => {
                "no shopper credential (operators and services sign in with their .creds file)"
            }
            Self::MalformedCredential => "malformed shopper credential",
            Self::UnknownSite => "unknown site",
            Self::WrongConnectionType => "wrong connection type for this credential",
            Self::BadRequest => "bad authorization request",
            Self::Unvouched => "from a trusted proxy without its word for the client's address",
        }
    }
}

/// The bounds on connection attempts in force (`gate.toml`'s fields of the
/// same names; 0 = none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConnectBounds {
    /// Attempts per client address per minute: the flood bound.
    pub connects_per_address_per_minute: u32,
    /// Attempts per shopper session per minute.
    pub connects_per_session_per_minute: u32,
    /// Proxies whose word on each shopper's address the gate takes.
    pub trusted_proxies: Vec<String>,
}

/// Counts since the gate started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Shopper connections admitted.
    pub admitted_shoppers: u64,
    /// Refusals, by reason: every reason, zero or not.
    pub refused: BTreeMap<Refusal, u64>,
    /// The bounds on connection attempts in force.
    pub bounds: ConnectBounds,
    /// How many addresses and sessions the bounds remember now.
    pub tracked: Tracked,
    /// The curve keys requests may be sealed to, current first.
    pub xkeys: Vec<String>,
}

impl Default for Stats {
    fn default() -> Self {
        Self {
            admitted_shoppers: 0,
            refused: Refusal::ALL.into_iter().map(|why| (why, 0)).collect(),
            bounds: ConnectBounds::default(),
            tracked: Tracked::default(),
            xkeys: Vec::new(),
        }
    }
}

impl Stats {
    /// All refusals.
    pub fn refused_total(&self) -> u64 {
        self.refused.values().sum()
    }

    /// Counts one refusal.
    pub fn refuse(&mut self, why: Refusal) {
        *self.refused.entry(why).or_default() += 1;
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "admitted shoppers   {}", self.admitted_shoppers)?;
        write!(f, "refused             {}", self.refused_total())?;
        for (why, n) in self.refused.iter().filter(|(_, n)| **n > 0) {
            write!(f, "\n  {}: {n}", why.reason())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_names_every_reason_by_its_stable_name() {
        let mut stats = Stats::default();
        stats.refuse(Refusal::SessionFlood);
        let json = serde_json::to_value(&stats).unwrap();
        let refused = json["refused"].as_object().unwrap();
        assert_eq!(refused.len(), Refusal::ALL.len());
        for why in Refusal::ALL {
            let want = u64::from(why == Refusal::SessionFlood);
            assert_eq!(refused[why.name()], want, "{}", why.name());
        }
        for field in ["admitted_shoppers", "bounds", "xkeys", "tracked"] {
            assert!(json.get(field).is_some(), "{field} missing from {json}");
        }
        assert_eq!(
            json["bounds"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            [
                "connects_per_address_per_minute",
                "connects_per_session_per_minute",
                "trusted_proxies"
            ]
        );
        // What the gate prints names only the reasons that happened.
        let printed = stats.to_string();
        assert!(printed.contains("refused             1"), "{printed}");
        assert!(
            printed.contains("too many connection attempts for this session: 1"),
            "{printed}"
        );
        assert!(!printed.contains("from this address"), "{printed}");
    }
}
