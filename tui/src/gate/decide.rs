//! The gate's decision on one authorization request, without IO: bytes in,
//! bytes out, time as an argument.
//!
//! Only shoppers come through the gate: operators and services sign in with
//! `.creds` files nats-server checks itself (`crate::trust`). Every client
//! without those is given the sentinel, a user of `AUTH` allowed nothing,
//! and the server asks the gate where it may go.
//!
//! The order of checks: open (if sealed) and verify the server's request,
//! then the flood bound on the client's address (a trusted proxy's word for
//! it, for a shopper behind one: `super::proxy`), then the credential, and
//! last, for a shopper who would be admitted, the bound on its session's
//! attempts (so only sessions of served sites are remembered). A request
//! that cannot be verified gets no answer at all, so the server refuses the
//! client when its auth timeout passes (fail closed).

use std::collections::HashSet;
use std::time::Instant;

use floorwalker_shared::credential::ShopperCredential;
use floorwalker_shared::subject::SiteId;
use nkeys::{KeyPair, XKey};

use super::claims::{
    AuthRequest, AuthResponse, REQUEST_AUDIENCE, RequestClaims, ResponseClaims, UserClaims,
};
use super::config::{GateConfig, GateKeys, Invalid};
use super::jwt;
use super::limiter::{Bounds, Verdict};
use super::policy::{self, ShopperLimits};
use super::proxy;
use super::stats::{ConnectBounds, Refusal, Stats};

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
        /// The address it was bounded under: its socket's, or the one a
        /// trusted proxy vouched for.
        address: String,
    },
    /// Refused, answered with the reason.
    Refused(Refusal),
    /// Refused without an answer: the request itself was not trustworthy.
    Ignored,
}

/// One set of the gate's keys, as key pairs.
struct Keys {
    /// `AUTH`'s signing key: signs the answers.
    issuer: KeyPair,
    /// `SHOP`'s signing key: signs the shoppers admitted.
    shop: KeyPair,
    /// The curve key requests are sealed to.
    xkey: XKey,
}

impl Keys {
    fn of(keys: &GateKeys) -> Result<Self, Invalid> {
        Ok(Self {
            issuer: keys.issuer().ok_or(Invalid::IssuerSeed)?,
            shop: keys.shop().ok_or(Invalid::ShopSeed)?,
            xkey: keys.xkey().ok_or(Invalid::XkeySeed)?,
        })
    }
}

/// The gate's state: keys, sites, the bounds and the counts.
pub struct Gate {
    /// The current keys first, then the previous (while the server's
    /// accounts may still name them: `auth rotate-gate`).
    keys: Vec<Keys>,
    sites: HashSet<SiteId>,
    auth_account: String,
    shop_account: String,
    /// What trusted proxies send beside each shopper's address.
    proxy_token: Option<String>,
    shopper: ShopperLimits,
    bounds: Bounds,
    stats: Stats,
}

/// The keys and sites of a configuration.
fn admits(config: &GateConfig) -> Result<(Vec<Keys>, HashSet<SiteId>), Invalid> {
    config.check()?;
    let sites = config
        .sites
        .iter()
        .map(|s| SiteId::new(s.as_str()).map_err(|e| Invalid::Site(s.clone(), e)))
        .collect::<Result<_, _>>()?;
    let keys = std::iter::once(&config.keys)
        .chain(&config.previous_keys)
        .map(Keys::of)
        .collect::<Result<_, _>>()?;
    Ok((keys, sites))
}

impl Gate {
    /// A gate for a loaded configuration.
    ///
    /// # Errors
    /// If the configuration's keys do not parse (`GateConfig::load` checks
    /// them, so only a hand-built config can fail here).
    pub fn new(config: &GateConfig) -> Result<Self, Invalid> {
        let (keys, sites) = admits(config)?;
        let mut gate = Self {
            keys,
            sites,
            auth_account: config.auth_account.clone(),
            shop_account: config.shop_account.clone(),
            proxy_token: config.proxy_token.clone(),
            shopper: config.shopper,
            bounds: Bounds::new(
                config.connects_per_address_per_minute,
                config.connects_per_session_per_minute,
                config.proxies()?,
            ),
            stats: Stats {
                bounds: ConnectBounds {
                    connects_per_address_per_minute: config.connects_per_address_per_minute,
                    connects_per_session_per_minute: config.connects_per_session_per_minute,
                    trusted_proxies: config.trusted_proxies.clone(),
                },
                ..Stats::default()
            },
        };
        gate.stats.xkeys = gate.xkeys();
        Ok(gate)
    }

    /// Takes in a changed configuration (`floorwalker auth` rotated the
    /// keys, trusted a proxy, served a site): keys, sites, proxies and
    /// limits; the counts and the bounds' memory stay.
    ///
    /// # Errors
    /// If the configuration is invalid; the gate keeps the one it had.
    pub fn reload(&mut self, config: &GateConfig) -> Result<(), Invalid> {
        let (keys, sites) = admits(config)?;
        self.bounds.trust(config.proxies()?);
        self.keys = keys;
        self.sites = sites;
        self.auth_account.clone_from(&config.auth_account);
        self.shop_account.clone_from(&config.shop_account);
        self.proxy_token.clone_from(&config.proxy_token);
        self.stats
            .bounds
            .trusted_proxies
            .clone_from(&config.trusted_proxies);
        self.shopper = config.shopper;
        self.stats.xkeys = self.xkeys();
        Ok(())
    }

    /// The counts so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The curve keys requests may be sealed to, current first.
    pub fn xkeys(&self) -> Vec<String> {
        self.keys.iter().map(|k| k.xkey.public_key()).collect()
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
        let Some((request, sender, keys)) = self.open(body, server_xkey, now_unix) else {
            self.stats.refuse(Refusal::BadRequest);
            tracing::warn!("ignored an authorization request that could not be opened or verified");
            return (Decision::Ignored, None);
        };
        let decision = self.decide(&request.nats, now);
        self.stats.tracked = self.bounds.tracked();
        let host = &request.nats.client_info.host;
        let kind = &request.nats.client_info.kind;
        let outcome = match &decision {
            Decision::Shopper { site, address } => {
                self.stats.admitted_shoppers += 1;
                tracing::debug!(%host, %kind, %site, %address, "admitted shopper");
                let cred = request
                    .nats
                    .connect_opts
                    .auth_token
                    .as_deref()
                    .and_then(|t| ShopperCredential::parse(t).ok());
                cred.map(|c| self.shopper_user(&request.nats, &c, address, now_unix, keys))
            }
            Decision::Refused(why) => {
                self.stats.refuse(*why);
                tracing::info!(%host, %kind, reason = why.reason(), "refused connection");
                None
            }
            Decision::Ignored => None,
        };
        let signer = &self.keys[keys];
        let response = ResponseClaims {
            iat: now_unix,
            iss: signer.issuer.public_key(),
            sub: request.nats.user_nkey.clone(),
            aud: request.nats.server_id.id.clone(),
            nats: AuthResponse {
                kind: "authorization_response",
                version: 2,
                issuer_account: Some(self.auth_account.clone()),
                error: outcome.is_none().then(|| match decision {
                    Decision::Refused(why) => why.reason().to_owned(),
                    _ => "refused".to_owned(),
                }),
                jwt: outcome,
            },
        };
        let Ok(token) = jwt::encode(&response, &signer.issuer) else {
            return (decision, None);
        };
        let reply = match (sealed, sender) {
            (true, Some(server)) => signer.xkey.seal(token.as_bytes(), &server).ok(),
            _ => Some(token.into_bytes()),
        };
        (decision, reply)
    }

    /// Opens a sealed body and verifies the request JWT; says which of the
    /// gate's keys the server sealed it to (answered with that set).
    fn open(
        &self,
        body: &[u8],
        server_xkey: Option<&str>,
        now_unix: i64,
    ) -> Option<(RequestClaims, Option<XKey>, usize)> {
        let (text, sender, keys) = if body.starts_with(SEALED) {
            let server = XKey::from_public_key(server_xkey?).ok()?;
            let (keys, text) = self
                .keys
                .iter()
                .enumerate()
                .find_map(|(i, k)| Some((i, k.xkey.open(body, &server).ok()?)))?;
            (text, Some(server), keys)
        } else {
            (body.to_vec(), None, 0)
        };
        let claims: RequestClaims = jwt::decode_verified(std::str::from_utf8(&text).ok()?).ok()?;
        let valid = claims.aud == REQUEST_AUDIENCE
            && claims.iss == claims.nats.server_id.id
            && claims.exp.is_none_or(|exp| exp + CLOCK_SKEW >= now_unix)
            && !claims.nats.user_nkey.is_empty();
        valid.then_some((claims, sender, keys))
    }

    fn decide(&mut self, request: &AuthRequest, now: Instant) -> Decision {
        let opts = &request.connect_opts;
        // Shoppers come from browsers. The server does not enforce a
        // callout user's connection types, so the gate does.
        let websocket = request.client_info.kind.eq_ignore_ascii_case("websocket");
        let host = &request.client_info.host;
        let address = if websocket && self.bounds.is_proxy(host) {
            let token = self.proxy_token.as_deref().unwrap_or_default();
            match proxy::vouched(token, opts.pass.as_deref()) {
                Some(address) => address.to_string(),
                None => return Decision::Refused(Refusal::Unvouched),
            }
        } else {
            host.clone()
        };
        match self.bounds.address(&address, now) {
            Verdict::Allowed => {}
            Verdict::Over => return Decision::Refused(Refusal::AddressFlood),
            Verdict::Full => return Decision::Refused(Refusal::LimiterFull),
        }
        let Some(token) = opts.auth_token.as_deref() else {
            return Decision::Refused(Refusal::NoCredential);
        };
        match ShopperCredential::parse(token) {
            Err(_) => Decision::Refused(Refusal::MalformedCredential),
            Ok(_) if !websocket => Decision::Refused(Refusal::WrongConnectionType),
            Ok(cred) if !self.sites.contains(cred.site()) => {
                Decision::Refused(Refusal::UnknownSite)
            }
            Ok(cred) => match self.bounds.session(cred.session_token().as_str(), now) {
                Verdict::Allowed => Decision::Shopper {
                    site: cred.site().clone(),
                    address,
                },
                Verdict::Over => Decision::Refused(Refusal::SessionFlood),
                Verdict::Full => Decision::Refused(Refusal::LimiterFull),
            },
        }
    }

    /// The user JWT of an admitted shopper: signed with `SHOP`'s signing
    /// key, which places it in `SHOP`.
    fn shopper_user(
        &self,
        request: &AuthRequest,
        cred: &ShopperCredential,
        address: &str,
        now_unix: i64,
        keys: usize,
    ) -> String {
        let signer = &self.keys[keys].shop;
        let mut nats = policy::shopper(cred).to_permissions(
            i64::from(self.shopper.max_subscriptions),
            i64::from(self.shopper.max_payload),
            &["WEBSOCKET"],
        );
        nats.issuer_account = Some(self.shop_account.clone());
        let claims = UserClaims {
            iat: now_unix,
            exp: Some(now_unix + i64::from(self.shopper.session_ttl_secs)),
            iss: signer.public_key(),
            sub: request.user_nkey.clone(),
            // The whole session and the address the gate bounded it under,
            // so the broker's connection advisories and lists name them
            // (crate::presence): a browser cannot choose this.
            name: crate::presence::user_name(&cred.subjects(), address),
            nats,
        };
        jwt::encode(&claims, signer).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::config::AuthSetup;
    use floorwalker_shared::credential::{SessionSecret, ShopperCredential};
    use serde_json::{Value, json};
    use std::time::Duration;

    const NOW: i64 = 1_800_000_000;
    const NONCE: &str = "Ka9cxzVfqyhw7Eg";

    struct FakeServer {
        key: KeyPair,
        xkey: XKey,
    }

    impl FakeServer {
        fn new() -> Self {
            Self {
                key: KeyPair::new_server(),
                xkey: XKey::new(),
            }
        }

        /// A request as nats-server 2.15 writes it, sealed to the gate.
        fn request(&self, gate: &XKey, client_type: &str, opts: &Value) -> Vec<u8> {
            self.request_from(gate, "192.0.2.7", client_type, opts)
        }

        /// A request for a client at `host`.
        fn request_from(
            &self,
            gate: &XKey,
            host: &str,
            client_type: &str,
            opts: &Value,
        ) -> Vec<u8> {
            let id = self.key.public_key();
            let claims = json!({
                "iss": id, "aud": REQUEST_AUDIENCE, "exp": NOW + 2, "iat": NOW,
                "sub": "ABC", "name": "",
                "nats": {
                    "user_nkey": "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4",
                    "server_id": { "name": "t", "host": "0.0.0.0", "id": id, "version": "2.15.1", "xkey": self.xkey.public_key() },
                    "client_info": { "host": host, "id": 5, "user": "", "type": client_type, "kind": "Client", "nonce": NONCE },
                    "connect_opts": opts,
                    "type": "authorization_request", "version": 2
                }
            });
            let token = jwt::encode(&claims, &self.key).unwrap();
            self.xkey.seal(token.as_bytes(), gate).unwrap()
        }

        /// Opens and verifies the gate's reply; returns its claims.
        fn open(&self, reply: &[u8], gate: &XKey) -> Value {
            let token = self.xkey.open(reply, gate).unwrap();
            jwt::decode_verified(std::str::from_utf8(&token).unwrap()).unwrap()
        }
    }

    fn gate() -> (Gate, XKey, GateConfig) {
        let (gate, xkey, setup) = gate_setup();
        (gate, xkey, setup.gate)
    }

    fn gate_setup() -> (Gate, XKey, AuthSetup) {
        let setup = AuthSetup::generate(&[SiteId::new("shop").unwrap()], NOW);
        let gate = Gate::new(&setup.gate).unwrap();
        let xkey = XKey::from_public_key(&setup.gate.xkey().unwrap().public_key()).unwrap();
        (gate, xkey, setup)
    }

    #[test]
    fn after_rotate_gate_it_answers_with_whichever_keys_the_server_names() {
        let (mut gate, old_xkey, mut setup) = gate_setup();
        let old_issuer = setup.gate.issuer().unwrap().public_key();
        let old_shop = setup.gate.keys.shop().unwrap().public_key();
        setup.gate.rotate_keys(NOW);
        gate.reload(&setup.gate).unwrap();
        let new_xkey = XKey::from_public_key(&setup.gate.xkey().unwrap().public_key()).unwrap();
        let new_issuer = setup.gate.issuer().unwrap().public_key();
        let new_shop = setup.gate.keys.shop().unwrap().public_key();
        assert_eq!(
            gate.stats().xkeys,
            [new_xkey.public_key(), old_xkey.public_key()]
        );
        let server = FakeServer::new();
        let xkey = server.xkey.public_key();
        let opts = json!({ "auth_token": shopper().to_token_string() });
        // Whichever curve key the server sealed to, the answer comes from
        // that set of keys; the new shoppers are signed with the new.
        for (gate_xkey, issuer, shop) in [
            (&old_xkey, &old_issuer, &old_shop),
            (&new_xkey, &new_issuer, &new_shop),
        ] {
            let body = server.request(gate_xkey, "websocket", &opts);
            let (decision, reply) = gate.handle(&body, Some(&xkey), NOW, Instant::now());
            assert!(matches!(decision, Decision::Shopper { .. }));
            let response = server.open(&reply.unwrap(), gate_xkey);
            assert_eq!(response["iss"], issuer.as_str());
            let user: Value =
                jwt::decode_verified(response["nats"]["jwt"].as_str().unwrap()).unwrap();
            assert_eq!(user["iss"], shop.as_str());
        }
    }

    fn shopper() -> ShopperCredential {
        ShopperCredential::new(
            SiteId::new("shop").unwrap(),
            SessionSecret::from_random([9; 32]),
        )
    }

    #[test]
    fn admits_a_shopper_to_its_own_subjects_only() {
        let (mut gate, gate_xkey, config) = gate();
        let server = FakeServer::new();
        let cred = shopper();
        let body = server.request(
            &gate_xkey,
            "websocket",
            &json!({ "auth_token": cred.to_token_string() }),
        );
        let xkey = server.xkey.public_key();
        let (decision, reply) = gate.handle(&body, Some(&xkey), NOW, Instant::now());
        assert_eq!(
            decision,
            Decision::Shopper {
                site: SiteId::new("shop").unwrap(),
                address: "192.0.2.7".into(),
            }
        );

        let response = server.open(&reply.unwrap(), &gate_xkey);
        let issuer = config.issuer().unwrap().public_key();
        assert_eq!(response["iss"], issuer.as_str());
        assert_eq!(
            response["nats"]["issuer_account"],
            config.auth_account.as_str()
        );
        assert_eq!(response["aud"], server.key.public_key().as_str());
        assert_eq!(
            response["sub"],
            "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4"
        );
        assert!(response["nats"].get("error").is_none());

        let user: Value = jwt::decode_verified(response["nats"]["jwt"].as_str().unwrap()).unwrap();
        let s = cred.subjects();
        // Signed with SHOP's signing key, which places the shopper there.
        assert_eq!(
            user["iss"],
            config.keys.shop().unwrap().public_key().as_str()
        );
        assert_eq!(user["nats"]["issuer_account"], config.shop_account.as_str());
        assert_eq!(
            user["name"],
            format!("shopper:shop:{}@192.0.2.7", s.token()).as_str()
        );
        assert_eq!(
            user["nats"]["pub"]["allow"],
            json!([s.events().as_str(), s.chat().as_str(), s.here().as_str()])
        );
        assert_eq!(
            user["nats"]["sub"]["allow"],
            json!([s.push().as_str(), s.inbox_wildcard().as_str()])
        );
        assert!(user["exp"].as_i64().unwrap() > NOW);
        assert_eq!(gate.stats().admitted_shoppers, 1);
    }

    #[test]
    fn refuses_with_a_reason_the_server_can_read() {
        let (mut gate, gate_xkey, _) = gate_setup();
        let server = FakeServer::new();
        let xkey = server.xkey.public_key();
        let cases = [
            ("websocket", json!({}), Refusal::NoCredential),
            (
                "websocket",
                json!({ "auth_token": "nope" }),
                Refusal::MalformedCredential,
            ),
            (
                "nats",
                json!({ "auth_token": shopper().to_token_string() }),
                Refusal::WrongConnectionType,
            ),
            // An operator without its credentials file reaches the gate
            // (the server checks the file itself), which has nothing for it.
            (
                "nats",
                json!({ "user": "agent", "pass": "guess" }),
                Refusal::NoCredential,
            ),
        ];
        for (kind, opts, why) in cases {
            let body = server.request(&gate_xkey, kind, &opts);
            let (decision, reply) = gate.handle(&body, Some(&xkey), NOW, Instant::now());
            assert_eq!(decision, Decision::Refused(why), "{opts}");
            let response = server.open(&reply.unwrap(), &gate_xkey);
            assert_eq!(response["nats"]["error"], why.reason(), "{opts}");
            assert!(response["nats"].get("jwt").is_none());
        }
        assert_eq!(gate.stats().refused_total(), 4);
    }

    #[test]
    fn ignores_requests_it_cannot_trust() {
        let (mut gate, gate_xkey, _) = gate();
        let server = FakeServer::new();
        let xkey = server.xkey.public_key();
        let opts = json!({ "auth_token": shopper().to_token_string() });
        let good = server.request(&gate_xkey, "websocket", &opts);

        // Expired: the server stopped waiting long ago.
        assert_eq!(
            gate.handle(&good, Some(&xkey), NOW + 60, Instant::now()).0,
            Decision::Ignored
        );
        // Sealed by someone who is not the server named in the header.
        let other = FakeServer::new();
        assert_eq!(
            gate.handle(&good, Some(&other.xkey.public_key()), NOW, Instant::now())
                .0,
            Decision::Ignored
        );
        // Garbage, an unsealed JWT signed by a key that is not the server's id.
        assert_eq!(
            gate.handle(b"xkv1garbage", Some(&xkey), NOW, Instant::now())
                .0,
            Decision::Ignored
        );
        let impostor = KeyPair::new_server();
        let claims = json!({ "iss": server.key.public_key(), "aud": REQUEST_AUDIENCE,
            "nats": { "user_nkey": "U", "server_id": { "id": server.key.public_key() } } });
        let forged = jwt::encode(&claims, &impostor).unwrap();
        assert_eq!(
            gate.handle(forged.as_bytes(), None, NOW, Instant::now()).0,
            Decision::Ignored
        );
        assert_eq!(gate.stats().refused.get(&Refusal::BadRequest), Some(&4));

        // The same request in time is admitted.
        assert!(matches!(
            gate.handle(&good, Some(&xkey), NOW, Instant::now()).0,
            Decision::Shopper { .. }
        ));
    }

    /// A shopper's request from `host` with credential `cred`.
    fn shopper_from(
        server: &FakeServer,
        gate: &XKey,
        host: &str,
        cred: &ShopperCredential,
    ) -> Vec<u8> {
        server.request_from(
            gate,
            host,
            "websocket",
            &json!({ "auth_token": cred.to_token_string() }),
        )
    }

    fn new_session(n: u8) -> ShopperCredential {
        ShopperCredential::new(
            SiteId::new("shop").unwrap(),
            SessionSecret::from_random([n; 32]),
        )
    }

    #[test]
    fn a_crowd_behind_one_address_is_admitted_under_the_default_bounds() {
        // 250 shoppers behind one address, each opening 4 pages 5 s apart:
        // 1,000 attempts in 20 s, which the old cap of 120 a minute refused.
        let (mut gate, gate_xkey, _) = gate();
        let server = FakeServer::new();
        let xkey = server.xkey.public_key();
        let start = Instant::now();
        let crowd: Vec<Vec<u8>> = (0..250u8)
            .map(|n| shopper_from(&server, &gate_xkey, "203.0.113.9", &new_session(n)))
            .collect();
        for page in 0..4u32 {
            for (i, body) in (0u32..).zip(&crowd) {
                let at = start
                    + Duration::from_secs(u64::from(page) * 5)
                    + Duration::from_millis(u64::from(i) * 20);
                let (decision, _) = gate.handle(body, Some(&xkey), NOW, at);
                assert!(
                    matches!(decision, Decision::Shopper { .. }),
                    "page {page} of shopper {i}: {decision:?}"
                );
            }
        }
        assert_eq!(gate.stats().admitted_shoppers, 1000);
        assert_eq!(gate.stats().refused_total(), 0);
        assert_eq!(gate.stats().tracked.addresses, 1);
        assert_eq!(gate.stats().tracked.sessions, 250);
    }

    #[test]
    fn a_session_flooding_attempts_is_refused_and_its_neighbours_are_not() {
        let (mut gate, gate_xkey, config) = gate();
        let server = FakeServer::new();
        let xkey = server.xkey.public_key();
        let now = Instant::now();
        let flood = shopper_from(&server, &gate_xkey, "203.0.113.9", &new_session(1));
        let per_session = config.connects_per_session_per_minute;
        for attempt in 0..per_session + 50 {
            let (decision, reply) = gate.handle(&flood, Some(&xkey), NOW, now);
            if attempt < per_session {
                assert!(matches!(decision, Decision::Shopper { .. }), "{attempt}");
            } else {
                assert_eq!(decision, Decision::Refused(Refusal::SessionFlood));
                let response = server.open(&reply.unwrap(), &gate_xkey);
                assert_eq!(
                    response["nats"]["error"],
                    "too many connection attempts for this session"
                );
            }
        }
        let neighbour = shopper_from(&server, &gate_xkey, "203.0.113.9", &new_session(2));
        assert!(matches!(
            gate.handle(&neighbour, Some(&xkey), NOW, now).0,
            Decision::Shopper { .. }
        ));
        assert_eq!(gate.stats().refused[&Refusal::SessionFlood], 50);
        assert_eq!(gate.stats().refused_total(), 50);
        // Two seconds on, the flooding session may open one more page.
        let later = now + Duration::from_secs(2);
        assert!(matches!(
            gate.handle(&flood, Some(&xkey), NOW, later).0,
            Decision::Shopper { .. }
        ));
    }

    #[test]
    fn the_address_bound_refuses_before_looking_at_credentials() {
        let (_, gate_xkey, mut config) = gate();
        config.connects_per_address_per_minute = 2;
        let mut gate = Gate::new(&config).unwrap();
        let server = FakeServer::new();
        let xkey = server.xkey.public_key();
        let now = Instant::now();
        for n in 0..2 {
            let body = shopper_from(&server, &gate_xkey, "203.0.113.9", &new_session(n));
            assert!(matches!(
                gate.handle(&body, Some(&xkey), NOW, now).0,
                Decision::Shopper { .. }
            ));
        }
        // Any credential, even none, from that address is refused now...
        for opts in [
            json!({}),
            json!({ "auth_token": new_session(3).to_token_string() }),
        ] {
            let body = server.request_from(&gate_xkey, "203.0.113.9", "websocket", &opts);
            assert_eq!(
                gate.handle(&body, Some(&xkey), NOW, now).0,
                Decision::Refused(Refusal::AddressFlood)
            );
        }
        // ... and another address is not, nor another /64.
        for host in ["203.0.113.10", "2001:db8::1", "2001:db8:0:1::1"] {
            let body = shopper_from(&server, &gate_xkey, host, &new_session(4));
            assert!(
                matches!(
                    gate.handle(&body, Some(&xkey), NOW, now).0,
                    Decision::Shopper { .. }
                ),
                "{host}"
            );
        }
        let body = shopper_from(&server, &gate_xkey, "2001:db8::2", &new_session(5));
        assert_eq!(
            gate.handle(&body, Some(&xkey), NOW, now).0,
            Decision::Shopper {
                site: SiteId::new("shop").unwrap(),
                address: "2001:db8::2".into(),
            }
        );
        let body = shopper_from(&server, &gate_xkey, "2001:db8::3", &new_session(6));
        assert_eq!(
            gate.handle(&body, Some(&xkey), NOW, now).0,
            Decision::Refused(Refusal::AddressFlood),
            "a third attempt from one /64"
        );
        assert_eq!(gate.stats().refused[&Refusal::AddressFlood], 3);
        assert_eq!(gate.stats().refused_total(), 3);
    }

    #[test]
    fn behind_a_trusted_proxy_each_shopper_is_bounded_under_the_address_it_vouches_for() {
        let (_, gate_xkey, mut config) = gate();
        config.connects_per_address_per_minute = 2;
        let token = config.trust_proxies(&["10.0.0.5".into()]).unwrap();
        let mut gate = Gate::new(&config).unwrap();
        let server = FakeServer::new();
        let xkey = server.xkey.public_key();
        let now = Instant::now();
        let via_proxy = |pass: Option<String>, n: u8| {
            let mut opts = json!({ "auth_token": new_session(n).to_token_string() });
            if let Some(pass) = pass {
                opts["pass"] = json!(pass);
            }
            server.request_from(&gate_xkey, "10.0.0.5", "websocket", &opts)
        };
        // Ten shoppers behind the proxy, each twice: none is over its own
        // address's bound of two, though all come from the proxy.
        for n in 0..10u8 {
            for _ in 0..2 {
                let body = via_proxy(Some(format!("{token}@198.51.100.{n}")), n);
                let (decision, _) = gate.handle(&body, Some(&xkey), NOW, now);
                assert!(
                    matches!(decision, Decision::Shopper { .. }),
                    "{n}: {decision:?}"
                );
            }
        }
        // A third attempt from one of those addresses is over it.
        let body = via_proxy(Some(format!("{token}@198.51.100.3")), 3);
        assert_eq!(
            gate.handle(&body, Some(&xkey), NOW, now).0,
            Decision::Refused(Refusal::AddressFlood)
        );
        // Without the proxy's word, or with a word the client made up, a
        // shopper from the proxy is refused, whatever its credential.
        for pass in [
            None,
            Some("198.51.100.77".to_owned()),
            Some("guess@198.51.100.77".to_owned()),
        ] {
            let body = via_proxy(pass.clone(), 20);
            let (decision, reply) = gate.handle(&body, Some(&xkey), NOW, now);
            assert_eq!(decision, Decision::Refused(Refusal::Unvouched), "{pass:?}");
            let response = server.open(&reply.unwrap(), &gate_xkey);
            assert!(
                response["nats"]["error"]
                    .as_str()
                    .unwrap()
                    .contains("trusted proxy")
            );
        }
        // Elsewhere, a `pass` names nothing: the address is the socket's.
        let opts = json!({
            "auth_token": new_session(30).to_token_string(),
            "pass": format!("{token}@198.51.100.3"),
        });
        for _ in 0..2 {
            let body = server.request_from(&gate_xkey, "192.0.2.50", "websocket", &opts);
            assert!(matches!(
                gate.handle(&body, Some(&xkey), NOW, now).0,
                Decision::Shopper { .. }
            ));
        }
        assert_eq!(gate.stats().refused[&Refusal::Unvouched], 3);
        // A gate.toml without the proxy takes its word no more.
        config.trusted_proxies.clear();
        gate.reload(&config).unwrap();
        let body = via_proxy(Some(format!("{token}@198.51.100.9")), 40);
        assert!(matches!(
            gate.handle(&body, Some(&xkey), NOW, now).0,
            Decision::Shopper { .. }
        ));
    }
}
