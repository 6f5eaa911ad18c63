//! The campaign parameters (`utm_source`, `utm_medium`, `utm_campaign`) a
//! shopper landed with: from their values as the browser read them (the
//! plugin), or from a query string (the simulator, tests).

use alloc::string::String;
use alloc::vec::Vec;

use super::trim;
use crate::event::Utm;
use crate::event::limits::MAX_UTM_LEN;

/// The campaign parameters of a query string (`utm_source`, `utm_medium`,
/// `utm_campaign`), percent-decoded, the first non-empty value of each;
/// `None` when it has none.
pub fn utm_from_query(query: &str) -> Option<Utm> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut values: [String; 3] = Default::default();
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(slot) = ["utm_source", "utm_medium", "utm_campaign"]
            .iter()
            .position(|k| *k == key)
        else {
            continue;
        };
        if values[slot].is_empty() {
            values[slot] = percent_decode(value);
        }
    }
    let [source, medium, campaign] = &values;
    utm(source, medium, campaign)
}

/// Campaign parameters from their values, each trimmed to the schema's
/// bounds; an empty value is absent, and `None` when all are.
pub fn utm(source: &str, medium: &str, campaign: &str) -> Option<Utm> {
    let value = |v: &str| (!v.is_empty()).then(|| trim(v, MAX_UTM_LEN));
    let utm = Utm {
        source: value(source),
        medium: value(medium),
        campaign: value(campaign),
    };
    (utm.source.is_some() || utm.medium.is_some() || utm.campaign.is_some()).then_some(utm)
}

/// Decodes `%XX` and `+` as a URL query does; invalid escapes stay as they
/// are, and a value that does not decode to UTF-8 stays as written (not
/// lossily decoded: `from_utf8_lossy` is 800 bytes of the plugin's wasm).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| u8::from_str_radix(core::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], escaped) {
            (_, Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (b, None) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn campaign_values_read_elsewhere_are_trimmed_and_empty_ones_absent() {
        assert_eq!(utm("", "", ""), None);
        let long = "s".repeat(MAX_UTM_LEN + 10);
        let read = utm(&long, "", "spring").unwrap();
        assert_eq!(read.source.map(|s| s.len()), Some(MAX_UTM_LEN));
        assert_eq!(read.medium, None);
        assert_eq!(read.campaign.as_deref(), Some("spring"));
    }

    #[test]
    fn query_decoding_is_total() {
        assert_eq!(utm_from_query(""), None);
        assert_eq!(utm_from_query("?a=1&b"), None);
        let odd = utm_from_query("utm_source=%zz%4&utm_medium=%E2%82%AC&utm_campaign=%ff").unwrap();
        assert_eq!(odd.source.as_deref(), Some("%zz%4"));
        assert_eq!(odd.medium.as_deref(), Some("€"));
        assert_eq!(
            odd.campaign.as_deref(),
            Some("%ff"),
            "not UTF-8: as written"
        );
        assert_eq!(
            utm_from_query("utm_source=&utm_source=b")
                .unwrap()
                .source
                .as_deref(),
            Some("b")
        );
    }
}
