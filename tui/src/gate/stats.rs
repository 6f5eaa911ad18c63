//! What the gate has decided, counted by outcome.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// Why a connection was refused. Logged and counted; never carries a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// No token and no user/password.
    NoCredential,
    /// A token that is not a well-formed shopper credential.
    MalformedCredential,
    /// A shopper credential for a site this gate does not serve.
    UnknownSite,
    /// A user name no operator has.
    UnknownOperator,
    /// The operator's password did not match.
    WrongPassword,
    /// A shopper credential not over WebSocket, or an operator's over it.
    WrongConnectionType,
    /// Too many attempts from the client's address this minute.
    RateLimited,
    /// The server's request could not be opened, verified or understood.
    BadRequest,
}

impl Refusal {
    /// The text sent back to the server (and shown in its log).
    pub fn reason(self) -> &'static str {
        match self {
            Self::NoCredential => "no credential",
            Self::MalformedCredential => "malformed shopper credential",
            Self::UnknownSite => "unknown site",
            Self::UnknownOperator => "unknown operator",
            Self::WrongPassword => "wrong password",
            Self::WrongConnectionType => "wrong connection type for this credential",
            Self::RateLimited => "too many connection attempts from this address",
            Self::BadRequest => "bad authorization request",
        }
    }
}

/// Counts since the gate started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Shopper connections admitted.
    pub admitted_shoppers: u64,
    /// Operator connections admitted, by role.
    pub admitted_operators: BTreeMap<String, u64>,
    /// Refusals, by reason.
    pub refused: BTreeMap<Refusal, u64>,
}

impl Stats {
    /// All refusals.
    pub fn refused_total(&self) -> u64 {
        self.refused.values().sum()
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let operators: u64 = self.admitted_operators.values().sum();
        writeln!(f, "admitted shoppers   {}", self.admitted_shoppers)?;
        write!(f, "admitted operators  {operators}")?;
        for (role, n) in &self.admitted_operators {
            write!(f, "  {role}: {n}")?;
        }
        writeln!(f)?;
        write!(f, "refused             {}", self.refused_total())?;
        for (why, n) in &self.refused {
            write!(f, "\n  {}: {n}", why.reason())?;
        }
        Ok(())
    }
}
