//! The gate's decision on one authorization request, without IO: bytes in,
//! bytes out, time as an argument.
//!
//! The order of checks: open (if sealed) and verify the server's request,
//! then the client address's rate, then the credential. A request that cannot
//! be verified gets no answer at all, so the server refuses the client when
//! its auth timeout passes (fail closed).

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use floorwalker_shared::credential::ShopperCredential;
use floorwalker_shared::subject::SiteId;
use nkeys::{KeyPair, XKey};

use super::claims::{
    AuthRequest, AuthResponse, REQUEST_AUDIENCE, RequestClaims, ResponseClaims, UserClaims,
};
use super::config::{APP_ACCOUNT, GateConfig, SHOP_ACCOUNT, verify_password};
use super::jwt;
use super::limiter::RateLimiter;
use super::policy::{self, Role, ShopperLimits};
use super::stats::{Refusal, Stats};

/// The prefix of a sealed request (xkey version 1).
const SEALED: &[u8] = b"xkv1";

/// Grace for clock differences between gate and server, in seconds.
const CLOCK_SKEW: i64 = 5;

/// What the gate decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A shopper admitted to one session.
    Shopper {
        /// The site.
        site: SiteId,
    },
    /// An operator admitted with a role.
    Operator {
        /// The user name.
        user: String,
        /// Its role.
        role: Role,
    },
    /// Refused, answered with the reason.
    Refused(Refusal),
    /// Refused without an answer: the request itself was not trustworthy.
    Ignored,
}

/// The gate's state: keys, who is admitted, the rate limiter and the counts.
pub struct Gate {
    issuer: KeyPair,
    xkey: XKey,
    sites: HashSet<SiteId>,
    operators: HashMap<String, (Role, String)>,
    shopper: ShopperLimits,
    operator_ttl: i64,
    limiter: RateLimiter,
    stats: Stats,
}

impl Gate {
    /// A gate for a loaded configuration.
    ///
    /// # Errors
    /// If the configuration's keys or roles do not parse (`GateConfig::load`
    /// checks them, so only a hand-built config can fail here).
    pub fn new(config: &GateConfig) -> Result<Self, String> {
        let sites = config
            .sites
            .iter()
            .map(|s| SiteId::new(s.as_str()).map_err(|e| format!("site '{s}' {e}")))
            .collect::<Result<_, _>>()?;
        let operators = config
            .operators
            .iter()
            .map(|o| {
                Ok((
                    o.user.clone(),
                    (o.role.parse::<Role>()?, o.password_hash.clone()),
                ))
            })
            .collect::<Result<_, String>>()?;
        Ok(Self {
            issuer: config.issuer().ok_or("bad issuer seed")?,
            xkey: config.xkey().ok_or("bad xkey seed")?,
            sites,
            operators,
            shopper: config.shopper,
            operator_ttl: i64::from(config.operator_session_ttl_secs),
            limiter: RateLimiter::new(config.connects_per_address_per_minute),
            stats: Stats::default(),
        })
    }

    /// The counts so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Decides on one request body from `$SYS.REQ.USER.AUTH`; `server_xkey`
    /// is its `Nats-Server-Xkey` header. Returns the decision and the reply
    /// to send (none for [`Decision::Ignored`]).
    pub fn handle(
        &mut self,
        body: &[u8],
        server_xkey: Option<&str>,
        now_unix: i64,
        now: Instant,
    ) -> (Decision, Option<Vec<u8>>) {
        let sealed = body.starts_with(SEALED);
        let Some((request, sender)) = self.open(body, server_xkey, now_unix) else {
            *self.stats.refused.entry(Refusal::BadRequest).or_default() += 1;
            tracing::warn!("ignored an authorization request that could not be opened or verified");
            return (Decision::Ignored, None);
        };
        let decision = self.decide(&request.nats, now);
        let host = &request.nats.client_info.host;
        let kind = &request.nats.client_info.kind;
        let outcome = match &decision {
            Decision::Shopper { site } => {
                self.stats.admitted_shoppers += 1;
                tracing::debug!(%host, %kind, %site, "admitted shopper");
                let cred = request
                    .nats
                    .connect_opts
                    .auth_token
                    .as_deref()
                    .and_then(|t| ShopperCredential::parse(t).ok());
                cred.map(|c| self.shopper_user(&request.nats, &c, now_unix))
            }
            Decision::Operator { user, role } => {
                *self
                    .stats
                    .admitted_operators
                    .entry(role.name().to_owned())
                    .or_default() += 1;
                tracing::info!(%host, %kind, %user, %role, "admitted operator");
                Some(self.operator_user(&request.nats, user, *role, now_unix))
            }
            Decision::Refused(why) => {
                *self.stats.refused.entry(*why).or_default() += 1;
                tracing::info!(%host, %kind, reason = why.reason(), "refused connection");
                None
            }
            Decision::Ignored => None,
        };
        let response = ResponseClaims {
            iat: now_unix,
            iss: self.issuer.public_key(),
            sub: request.nats.user_nkey.clone(),
            aud: request.nats.server_id.id.clone(),
            nats: AuthResponse {
                kind: "authorization_response",
                version: 2,
                error: outcome.is_none().then(|| match decision {
                    Decision::Refused(why) => why.reason().to_owned(),
                    _ => "refused".to_owned(),
                }),
                jwt: outcome,
            },
        };
        let Ok(token) = jwt::encode(&response, &self.issuer) else {
            return (decision, None);
        };
        let reply = match (sealed, sender) {
            (true, Some(server)) => self.xkey.seal(token.as_bytes(), &server).ok(),
            _ => Some(token.into_bytes()),
        };
        (decision, reply)
    }

    /// Opens a sealed body and verifies the request JWT.
    fn open(
        &self,
        body: &[u8],
        server_xkey: Option<&str>,
        now_unix: i64,
    ) -> Option<(RequestClaims, Option<XKey>)> {
        let (text, sender) = if body.starts_with(SEALED) {
            let server = XKey::from_public_key(server_xkey?).ok()?;
            (self.xkey.open(body, &server).ok()?, Some(server))
        } else {
            (body.to_vec(), None)
        };
        let claims: RequestClaims = jwt::decode_verified(std::str::from_utf8(&text).ok()?).ok()?;
        let valid = claims.aud == REQUEST_AUDIENCE
            && claims.iss == claims.nats.server_id.id
            && claims.exp.is_none_or(|exp| exp + CLOCK_SKEW >= now_unix)
            && !claims.nats.user_nkey.is_empty();
        valid.then_some((claims, sender))
    }

    fn decide(&mut self, request: &AuthRequest, now: Instant) -> Decision {
        if !self.limiter.allow(&request.client_info.host, now) {
            return Decision::Refused(Refusal::RateLimited);
        }
        let opts = &request.connect_opts;
        // Shoppers come from browsers, operators from terminals and services.
        // The server does not enforce a callout user's connection types, so
        // the gate does.
        let websocket = request.client_info.kind.eq_ignore_ascii_case("websocket");
        if let Some(token) = opts.auth_token.as_deref() {
            return match ShopperCredential::parse(token) {
                Err(_) => Decision::Refused(Refusal::MalformedCredential),
                Ok(_) if !websocket => Decision::Refused(Refusal::WrongConnectionType),
                Ok(cred) if !self.sites.contains(cred.site()) => {
                    Decision::Refused(Refusal::UnknownSite)
                }
                Ok(cred) => Decision::Shopper {
                    site: cred.site().clone(),
                },
            };
        }
        match (opts.user.as_deref(), opts.pass.as_deref()) {
            (Some(_), Some(_)) if websocket => Decision::Refused(Refusal::WrongConnectionType),
            (Some(user), Some(pass)) => match self.operators.get(user) {
                None => Decision::Refused(Refusal::UnknownOperator),
                Some((_, hash)) if !verify_password(hash, pass) => {
                    Decision::Refused(Refusal::WrongPassword)
                }
                Some((role, _)) => Decision::Operator {
                    user: user.to_owned(),
                    role: *role,
                },
            },
            _ => Decision::Refused(Refusal::NoCredential),
        }
    }

    fn shopper_user(
        &self,
        request: &AuthRequest,
        cred: &ShopperCredential,
        now_unix: i64,
    ) -> String {
        let token = cred.session_token();
        let grants = policy::shopper(cred);
        let claims = UserClaims {
            iat: now_unix,
            exp: now_unix + i64::from(self.shopper.session_ttl_secs),
            iss: self.issuer.public_key(),
            sub: request.user_nkey.clone(),
            aud: SHOP_ACCOUNT.to_owned(),
            // The token's start is enough to find the session in monitoring.
            name: format!("shopper:{}:{}", cred.site(), &token.as_str()[..8]),
            nats: grants.to_permissions(
                i64::from(self.shopper.max_subscriptions),
                i64::from(self.shopper.max_payload),
                &["WEBSOCKET"],
            ),
        };
        jwt::encode(&claims, &self.issuer).unwrap_or_default()
    }

    fn operator_user(
        &self,
        request: &AuthRequest,
        user: &str,
        role: Role,
        now_unix: i64,
    ) -> String {
        let claims = UserClaims {
            iat: now_unix,
            exp: now_unix + self.operator_ttl,
            iss: self.issuer.public_key(),
            sub: request.user_nkey.clone(),
            aud: APP_ACCOUNT.to_owned(),
            name: format!("{role}:{user}"),
            nats: policy::operator(role, user).to_permissions(-1, -1, &["STANDARD"]),
        };
        jwt::encode(&claims, &self.issuer).unwrap_or_default()
    }
}
