//! The key-value buckets the learning service keeps, and their keys: each
//! key is a subject under `$KV.<bucket>.`, built here like every other.
//!
//! - [`VISITORS`]: one key per site and visitor, `<site>.<visitor>`, whose
//!   value is that visitor's memory (`crate::memory`).
//! - [`INSIGHTS`]: what the floor teaches per site: `<site>.visitors`
//!   (visits before a first purchase) and one key per page pattern,
//!   `<site>.page.<pattern>` with the pattern in unpadded base64url, since
//!   a pattern holds `/`, `:` and `*`.

use alloc::string::String;

use super::{SiteId, Subject};
use crate::base64url;

/// The bucket of visitors' memories.
pub const VISITORS: &str = "VISITORS";

/// The bucket of learned figures.
pub const INSIGHTS: &str = "INSIGHTS";

/// Every key of `bucket`, as the subject its values are published on.
pub fn bucket_all(bucket: &str) -> Subject {
    Subject::join(&["$KV", bucket, ">"])
}

/// The key a value of `bucket` published on `subject` is stored under.
pub fn key_in<'a>(bucket: &str, subject: &'a Subject) -> Option<&'a str> {
    subject
        .as_str()
        .strip_prefix("$KV.")?
        .strip_prefix(bucket)?
        .strip_prefix('.')
}

/// The key of a visitor's memory. A visitor id is a short token of
/// `[A-Za-z0-9_-]` (`event::Batch::validate` checks it), which a key may
/// hold as it is.
pub fn visitor_key(site: &SiteId, visitor: &str) -> String {
    crate::cat(&[site.as_str(), ".", visitor])
}

/// The site and visitor a [`visitor_key`] names.
pub fn visitor_of_key(key: &str) -> Option<(SiteId, &str)> {
    let (site, visitor) = key.split_once('.')?;
    let ok = !visitor.is_empty()
        && visitor
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    Some((SiteId::new(site).ok()?, visitor)).filter(|_| ok)
}

/// The key of a site's visits before a first purchase.
pub fn first_purchase_key(site: &SiteId) -> String {
    crate::cat(&[site.as_str(), ".visitors"])
}

/// The key of a page pattern's statistics.
pub fn page_key(site: &SiteId, pattern: &str) -> String {
    crate::cat(&[
        site.as_str(),
        ".page.",
        &base64url::encode(pattern.as_bytes()),
    ])
}

/// What an [`INSIGHTS`] key holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsightKey {
    /// A site's visits before a first purchase.
    FirstPurchase(SiteId),
    /// A page pattern's statistics (the value names the pattern).
    Page(SiteId),
}

/// Reads an [`INSIGHTS`] key.
pub fn insight_of_key(key: &str) -> Option<InsightKey> {
    let (site, rest) = key.split_once('.')?;
    let site = SiteId::new(site).ok()?;
    if rest == "visitors" {
        return Some(InsightKey::FirstPurchase(site));
    }
    rest.strip_prefix("page.")
        .filter(|p| !p.is_empty())
        .map(|_| InsightKey::Page(site))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_back_as_what_they_name() {
        let site = SiteId::new("shoes-eu").unwrap();
        let key = visitor_key(&site, "Vb3_x-9Q");
        assert_eq!(key, "shoes-eu.Vb3_x-9Q");
        assert_eq!(visitor_of_key(&key), Some((site.clone(), "Vb3_x-9Q")));
        assert_eq!(visitor_of_key("shoes-eu.a.b"), None);
        assert_eq!(visitor_of_key("Shoes.a"), None);
        let page = page_key(&site, "/product/:id");
        assert!(Subject::new(alloc::format!("$KV.{INSIGHTS}.{page}")).is_ok());
        assert_eq!(insight_of_key(&page), Some(InsightKey::Page(site.clone())));
        assert_eq!(
            insight_of_key(&first_purchase_key(&site)),
            Some(InsightKey::FirstPurchase(site))
        );
        assert_eq!(insight_of_key("shoes-eu.other"), None);
        assert_eq!(bucket_all(VISITORS).as_str(), "$KV.VISITORS.>");
        let stored = Subject::new(alloc::format!("$KV.{VISITORS}.{key}")).unwrap();
        assert_eq!(key_in(VISITORS, &stored), Some(key.as_str()));
        assert_eq!(key_in(INSIGHTS, &stored), None);
    }
}
