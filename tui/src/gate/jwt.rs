//! NATS JWTs: `header.claims.signature`, each part base64url without padding,
//! signed with an nkey (`alg: ed25519-nkey`).
//!
//! Hand-written because the published NATS JWT crates do not cover the
//! authorization request and response claims (see
//! `shared/notes/nats-auth-callout.md` in the steering repo); the nkeys crate
//! does the cryptography.

use data_encoding::{BASE32_NOPAD, BASE64URL_NOPAD};
use nkeys::KeyPair;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha512_256};
use thiserror::Error;

/// The only header nats-server accepts (a crate writing `alg: EdDSA` is refused).
const HEADER: &str = r#"{"typ":"JWT","alg":"ed25519-nkey"}"#;

/// Longest JWT accepted: the server's requests are a few KiB.
pub const MAX_LEN: usize = 64 * 1024;

/// Why a JWT was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum JwtError {
    /// Longer than [`MAX_LEN`].
    #[error("too long")]
    TooLong,
    /// Not three base64url parts, or their JSON is malformed.
    #[error("malformed")]
    Malformed,
    /// The header names another algorithm.
    #[error("unsupported algorithm")]
    Algorithm,
    /// `iss` is not a public nkey, or the signature does not verify with it.
    #[error("bad signature")]
    Signature,
    /// The claims do not have the expected fields.
    #[error("unexpected claims")]
    Claims,
    /// Signing failed (a seed without a private key).
    #[error("cannot sign")]
    Sign,
    /// Issued to another key than expected (`sub`).
    #[error("issued to another key")]
    OtherKey,
}

#[derive(serde::Deserialize)]
struct Header {
    #[serde(default)]
    alg: String,
}

#[derive(serde::Deserialize)]
struct Issuer {
    iss: String,
}

/// Signs `claims` (a JSON object) with `signer`, setting `jti` as NATS does:
/// base32 of SHA-512/256 of the claims serialised with `jti` empty.
pub fn encode(claims: &impl Serialize, signer: &KeyPair) -> Result<String, JwtError> {
    let mut value = serde_json::to_value(claims).map_err(|_| JwtError::Claims)?;
    let object = value.as_object_mut().ok_or(JwtError::Claims)?;
    object.insert("jti".into(), "".into());
    let unsigned = serde_json::to_vec(&value).map_err(|_| JwtError::Claims)?;
    let jti = BASE32_NOPAD.encode(&Sha512_256::digest(&unsigned));
    if let Some(object) = value.as_object_mut() {
        object.insert("jti".into(), jti.into());
    }
    let body = serde_json::to_vec(&value).map_err(|_| JwtError::Claims)?;
    let signing_input = format!(
        "{}.{}",
        BASE64URL_NOPAD.encode(HEADER.as_bytes()),
        BASE64URL_NOPAD.encode(&body)
    );
    let signature = signer
        .sign(signing_input.as_bytes())
        .map_err(|_| JwtError::Sign)?;
    Ok(format!(
        "{signing_input}.{}",
        BASE64URL_NOPAD.encode(&signature)
    ))
}

/// Verifies `token`'s signature against the public nkey in its own `iss`
/// claim and decodes the claims. The caller checks that `iss` is who it
/// expects.
pub fn decode_verified<T: DeserializeOwned>(token: &str) -> Result<T, JwtError> {
    if token.len() > MAX_LEN {
        return Err(JwtError::TooLong);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(claims), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let part = |p: &str| {
        BASE64URL_NOPAD
            .decode(p.as_bytes())
            .map_err(|_| JwtError::Malformed)
    };
    let header: Header = serde_json::from_slice(&part(header)?).map_err(|_| JwtError::Malformed)?;
    if header.alg != "ed25519-nkey" {
        return Err(JwtError::Algorithm);
    }
    let body = part(claims)?;
    let issuer: Issuer = serde_json::from_slice(&body).map_err(|_| JwtError::Claims)?;
    let key = KeyPair::from_public_key(&issuer.iss).map_err(|_| JwtError::Signature)?;
    let signed_len = token.len() - signature.len() - 1;
    key.verify(&token.as_bytes()[..signed_len], &part(signature)?)
        .map_err(|_| JwtError::Signature)?;
    serde_json::from_slice(&body).map_err(|_| JwtError::Claims)
}

/// Verifies `token` as [`decode_verified`] does, and that it is issued to
/// `key` (its `sub`): a credentials JWT beside its seed.
pub fn decode_issued_to(token: &str, key: &str) -> Result<serde_json::Value, JwtError> {
    let claims: serde_json::Value = decode_verified(token)?;
    if claims["sub"].as_str() != Some(key) {
        return Err(JwtError::OtherKey);
    }
    Ok(claims)
}

/// Whether `pair` is a key pair whose public key is of the kind `prefix`
/// names (`A` account, `U` user, `O` operator).
pub fn is_kind(pair: Option<KeyPair>, prefix: char) -> bool {
    pair.is_some_and(|k| k.public_key().starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Claims {
        #[serde(default)]
        jti: String,
        iss: String,
        sub: String,
    }

    #[test]
    fn signs_and_verifies_with_the_issuers_key() {
        let key = KeyPair::new_account();
        let claims = Claims {
            jti: String::new(),
            iss: key.public_key(),
            sub: "UABC".into(),
        };
        let token = encode(&claims, &key).unwrap();
        assert!(token.starts_with("eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ."));
        let back: Claims = decode_verified(&token).unwrap();
        assert_eq!(
            (back.iss.as_str(), back.sub.as_str()),
            (claims.iss.as_str(), "UABC")
        );
        assert_eq!(back.jti.len(), 52, "jti is base32 of a 32-byte hash");
    }

    #[test]
    fn refuses_tampering_forgery_and_garbage() {
        let key = KeyPair::new_account();
        let claims = Claims {
            jti: String::new(),
            iss: key.public_key(),
            sub: "UABC".into(),
        };
        let token = encode(&claims, &key).unwrap();
        let parts: Vec<&str> = token.split('.').collect();

        // Claims changed after signing.
        let forged_body = BASE64URL_NOPAD.encode(
            serde_json::to_string(&Claims {
                sub: "UEVIL".into(),
                ..claims
            })
            .unwrap()
            .as_bytes(),
        );
        let tampered = format!("{}.{forged_body}.{}", parts[0], parts[2]);
        assert_eq!(
            decode_verified::<Claims>(&tampered).unwrap_err(),
            JwtError::Signature
        );

        // Signed by another key while naming this one as issuer.
        let other = KeyPair::new_account();
        let forged = encode(
            &Claims {
                jti: String::new(),
                iss: key.public_key(),
                sub: "U".into(),
            },
            &other,
        )
        .unwrap();
        assert_eq!(
            decode_verified::<Claims>(&forged).unwrap_err(),
            JwtError::Signature
        );

        let eddsa = format!(
            "{}.{}.{}",
            BASE64URL_NOPAD.encode(br#"{"alg":"EdDSA"}"#),
            parts[1],
            parts[2]
        );
        assert_eq!(
            decode_verified::<Claims>(&eddsa).unwrap_err(),
            JwtError::Algorithm
        );
        for bad in ["", "a.b", "a.b.c.d", "!!.!!.!!", &"x".repeat(MAX_LEN + 1)] {
            assert!(decode_verified::<Claims>(bad).is_err(), "{bad}");
        }
    }
}
