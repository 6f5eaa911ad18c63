//! A shopper's session credential, and the session token derived from it.
//!
//! The browser makes a random [`SessionSecret`] when a session starts and
//! keeps it to itself. It connects with the credential `fw1:<site>:<secret>`
//! as its NATS token; the gate derives the [`SessionToken`] from it and admits
//! the connection to that token's subjects only. The token is a one-way hash
//! of the secret, so a token seen on a supervisor's screen, in a log or in a
//! subject is not enough to connect as that shopper.

use alloc::string::String;

use core::fmt;

use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::base64url;
use crate::subject::{SessionSubjects, SessionToken, SiteId, SubjectError};

/// The credential's version tag; a new derivation would get a new tag.
const PREFIX: &str = "fw1";

/// Separates the derivation's inputs, so no two (site, secret) pairs hash alike.
const DOMAIN: &[u8] = b"floorwalker/session-token/v1\0";

/// Characters of the token kept from the hash: 32 base64url characters are
/// 192 bits, far beyond guessing.
const TOKEN_LEN: usize = 32;

/// Why a shopper credential was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum CredentialError {
    /// Not of the form `fw1:<site>:<secret>`.
    #[error("is not of the form 'fw1:<site>:<secret>'")]
    Shape,
    /// The site part is not a valid site id.
    #[error("has an invalid site id: {0}")]
    Site(SubjectError),
    /// The secret is too short, too long, or has characters outside base64url.
    #[error("has an invalid secret: 22 to 64 characters of [A-Za-z0-9_-] expected")]
    Secret,
}

/// The secret a shopper's browser holds for one session: 22 to 64 base64url
/// characters (at least 128 bits when random).
#[derive(Clone, PartialEq, Eq)]
pub struct SessionSecret(String);

impl SessionSecret {
    /// Shortest secret accepted.
    pub const MIN_LEN: usize = 22;
    /// Longest secret accepted.
    pub const MAX_LEN: usize = 64;

    /// Validates a secret.
    pub fn new(text: impl Into<String>) -> Result<Self, CredentialError> {
        let text = text.into();
        let ok = (Self::MIN_LEN..=Self::MAX_LEN).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(text))
        } else {
            Err(CredentialError::Secret)
        }
    }

    /// The secret's text, for the browser to keep; never log or display it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A secret from 32 random bytes (the caller supplies the randomness, so
    /// this crate stays free of IO).
    pub fn from_random(bytes: [u8; 32]) -> Self {
        Self(base64url::encode(&bytes))
    }
}

impl fmt::Debug for SessionSecret {
    /// Never prints the secret itself.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionSecret(..)")
    }
}

/// What a shopper's browser connects with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopperCredential {
    site: SiteId,
    secret: SessionSecret,
}

impl ShopperCredential {
    /// The credential for `secret` on `site`.
    pub fn new(site: SiteId, secret: SessionSecret) -> Self {
        Self { site, secret }
    }

    /// Parses `fw1:<site>:<secret>`, as sent in CONNECT's `auth_token`.
    ///
    /// # Examples
    ///
    /// ```
    /// use floorwalker_shared::credential::ShopperCredential;
    /// let cred = ShopperCredential::parse("fw1:shoes:abcdefghijklmnopqrstuvwxyz012345")?;
    /// assert_eq!(cred.site().as_str(), "shoes");
    /// assert!(ShopperCredential::parse("shoes:secret").is_err());
    /// # Ok::<(), floorwalker_shared::credential::CredentialError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Self, CredentialError> {
        let mut parts = text.splitn(3, ':');
        let (Some(PREFIX), Some(site), Some(secret)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(CredentialError::Shape);
        };
        Ok(Self {
            site: SiteId::new(site).map_err(CredentialError::Site)?,
            secret: SessionSecret::new(secret)?,
        })
    }

    /// The text to send as the NATS token.
    pub fn to_token_string(&self) -> String {
        // Not `format!`: see `nats::encode`.
        crate::cat(&[PREFIX, ":", self.site.as_str(), ":", &self.secret.0])
    }

    /// The site the credential is for.
    pub fn site(&self) -> &SiteId {
        &self.site
    }

    /// The session token derived from the secret, as used in subjects.
    pub fn session_token(&self) -> SessionToken {
        let digest = Sha256::new()
            .chain_update(DOMAIN)
            .chain_update(self.site.as_str())
            .chain_update(b"\0")
            .chain_update(self.secret.0.as_bytes())
            .finalize();
        let mut token = base64url::encode(&digest);
        token.truncate(TOKEN_LEN);
        // Base64url of a 32-byte digest is 43 characters from the token's
        // alphabet, so this cannot fail; the fallback only keeps it total.
        SessionToken::new(token)
            .unwrap_or_else(|_| unreachable!("base64url digest is a valid token"))
    }

    /// The session's subjects.
    pub fn subjects(&self) -> SessionSubjects {
        SessionSubjects::new(self.site.clone(), self.session_token())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cred(site: &str, secret: &str) -> ShopperCredential {
        ShopperCredential::new(
            SiteId::new(site).unwrap(),
            SessionSecret::new(secret).unwrap(),
        )
    }

    #[test]
    fn the_token_is_a_stable_one_way_function_of_site_and_secret() {
        let a = cred("shoes", "abcdefghijklmnopqrstuvwxyz012345");
        assert_eq!(a.session_token(), a.clone().session_token());
        // Pinned, so a change to the derivation cannot slip through unnoticed:
        // every live session would lose its subjects. (Checked with Python.)
        assert_eq!(
            a.session_token().as_str(),
            "_k0vdtLBnXGLYUBhHq1vn3p--J51EFSK"
        );
        assert_ne!(
            a.session_token(),
            cred("hats", "abcdefghijklmnopqrstuvwxyz012345").session_token()
        );
        assert_ne!(
            a.session_token(),
            cred("shoes", "abcdefghijklmnopqrstuvwxyz012346").session_token()
        );
        assert!(!a.session_token().as_str().contains("abcdefghij"));
    }

    #[test]
    fn credentials_round_trip_and_reject_bad_shapes() {
        let a = cred("shoes", "abcdefghijklmnopqrstuvwxyz012345");
        assert_eq!(ShopperCredential::parse(&a.to_token_string()), Ok(a));
        let cases = [
            ("", CredentialError::Shape),
            ("fw1:shoes", CredentialError::Shape),
            (
                "fw2:shoes:abcdefghijklmnopqrstuvwxyz012345",
                CredentialError::Shape,
            ),
            (
                "fw1:Shoes:abcdefghijklmnopqrstuvwxyz012345",
                CredentialError::Site(SubjectError::Character),
            ),
            (
                "fw1:a.b:abcdefghijklmnopqrstuvwxyz012345",
                CredentialError::Site(SubjectError::Character),
            ),
            ("fw1:shoes:short", CredentialError::Secret),
            (
                "fw1:shoes:abcdefghijklmnopqrstuvwxyz01234:5",
                CredentialError::Secret,
            ),
            (
                "fw1:shoes:abcdefghijklmnopqrstuvwxyz 12345",
                CredentialError::Secret,
            ),
        ];
        for (text, err) in cases {
            assert_eq!(ShopperCredential::parse(text), Err(err), "{text}");
        }
        assert!(SessionSecret::new("a".repeat(65)).is_err());
    }

    #[test]
    fn random_secrets_are_valid_and_never_printed() {
        let secret = SessionSecret::from_random([7; 32]);
        assert_eq!(SessionSecret::new(secret.0.clone()), Ok(secret.clone()));
        assert_eq!(format!("{secret:?}"), "SessionSecret(..)");
        let cred = ShopperCredential::new(SiteId::new("shoes").unwrap(), secret);
        assert!(!format!("{cred:?}").contains(&base64url::encode(&[7; 32])));
    }
}
