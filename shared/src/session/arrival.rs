//! How the shopper arrived (referrer and campaign), and the short phrase
//! the Source column shows for it.

use alloc::borrow::ToOwned;
use alloc::string::String;

use crate::event::Utm;

/// How the shopper arrived: the landing page's referrer and campaign.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Arrival {
    /// The referring URL.
    pub referrer: Option<String>,
    /// Campaign parameters of the landing URL.
    pub utm: Option<Utm>,
}

impl Arrival {
    /// One short phrase for the Source column: the campaign's source (and
    /// medium) if there was one, else the referrer's host, else "direct".
    pub fn source(&self) -> String {
        if let Some(source) = self.utm.as_ref().and_then(|u| u.source.as_deref()) {
            return match self.utm.as_ref().and_then(|u| u.medium.as_deref()) {
                Some(medium) => [source, "/", medium].concat(),
                None => source.to_owned(),
            };
        }
        match self.referrer.as_deref() {
            Some(referrer) => host(referrer).to_owned(),
            None => "direct".to_owned(),
        }
    }
}

/// The host of a URL (`https://www.google.com/search?q=x` → `www.google.com`).
fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    host.rsplit_once('@').map_or(host, |(_, h)| h)
}
