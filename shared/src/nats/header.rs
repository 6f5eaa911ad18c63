//! The header block of `HPUB` and `HMSG`: `NATS/1.0[ status[ description]]\r\n`,
//! then `Name: value\r\n` lines, then an empty line.

use alloc::{borrow::ToOwned, string::String, vec::Vec};

use thiserror::Error;

/// Why a header name or value was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum HeaderError {
    /// Names must be non-empty printable ASCII without `:` or spaces.
    #[error("header name must be printable ASCII without ':' or spaces")]
    Name,
    /// Values must not contain control characters (no `\r`, `\n`).
    #[error("header value must not contain control characters")]
    Value,
}

/// Ordered headers with an optional status line (e.g. `503 No Responders`).
///
/// Names keep their case on the wire; [`HeaderMap::get`] matches them
/// case-insensitively, as nats-server does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderMap {
    status: Option<u16>,
    description: Option<String>,
    entries: Vec<(String, String)>,
}

impl HeaderMap {
    /// An empty header block.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `name: value`, keeping any earlier value of the same name.
    ///
    /// # Examples
    ///
    /// ```
    /// use floorwalker_shared::nats::HeaderMap;
    /// let mut h = HeaderMap::new();
    /// h.append("Nats-Msg-Id", "chat-42")?;
    /// assert_eq!(h.get("nats-msg-id"), Some("chat-42"));
    /// assert!(h.append("Bad: name", "x").is_err());
    /// # Ok::<(), floorwalker_shared::nats::HeaderError>(())
    /// ```
    pub fn append(
        &mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<(), HeaderError> {
        let (name, value) = (name.into(), value.into());
        if !valid_name(&name) {
            return Err(HeaderError::Name);
        }
        if !valid_value(&value) {
            return Err(HeaderError::Value);
        }
        self.entries.push((name, value));
        Ok(())
    }

    /// The first value of `name`, compared case-insensitively.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every `(name, value)` in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The status code of the first line, e.g. 503 for "no responders".
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The text after the status code, if any.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// Sets the status line; the description must be a valid value.
    pub fn set_status(
        &mut self,
        status: u16,
        description: Option<String>,
    ) -> Result<(), HeaderError> {
        if status > 999
            || description
                .as_deref()
                .is_some_and(|d| !valid_value(d) || d.trim() != d)
        {
            return Err(HeaderError::Value);
        }
        self.status = Some(status);
        self.description = description.filter(|d| !d.is_empty());
        Ok(())
    }

    /// Whether there are no headers and no status.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.status.is_none()
    }

    /// Writes the block, ending with the empty line.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"NATS/1.0");
        if let Some(status) = self.status {
            out.push(b' ');
            // As u64: the one itoa instance the plugin has anyway.
            out.extend_from_slice(itoa::Buffer::new().format(u64::from(status)).as_bytes());
            if let Some(d) = &self.description {
                out.push(b' ');
                out.extend_from_slice(d.as_bytes());
            }
        }
        out.extend_from_slice(b"\r\n");
        for (name, value) in &self.entries {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
    }

    /// Parses a whole block, including its final empty line.
    pub(crate) fn parse(block: &[u8]) -> Option<Self> {
        let text = core::str::from_utf8(block).ok()?;
        // The empty line ends the block; every line before it ends in CRLF.
        // Splitting on '\n' and requiring the '\r' keeps a substring
        // searcher out of the plugin.
        let body = text.strip_suffix("\r\n")?;
        if !body.ends_with("\r\n") {
            return None;
        }
        let mut lines = Vec::new();
        for line in body.split_terminator('\n') {
            lines.push(line.strip_suffix('\r')?);
        }
        let mut lines = lines.into_iter();
        let first = lines.next()?;
        let rest = first.strip_prefix("NATS/1.0")?;
        let mut map = Self::new();
        let rest = rest.trim_start_matches(' ');
        if !rest.is_empty() {
            let (code, description) = rest.split_once(' ').unwrap_or((rest, ""));
            if code.len() != 3 {
                return None;
            }
            let status = code.parse().ok()?;
            let description = description.trim();
            map.set_status(status, Some(description.to_owned())).ok()?;
        }
        for line in lines {
            let (name, value) = line.split_once(':')?;
            // A value's leading space is the separator's, not the value's.
            map.append(name, value.trim_start_matches([' ', '\t']))
                .ok()?;
        }
        Some(map)
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
}

fn valid_value(value: &str) -> bool {
    !value.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(map: &HeaderMap) -> Vec<u8> {
        let mut out = Vec::new();
        map.write(&mut out);
        out
    }

    #[test]
    fn writes_and_parses_headers_in_order() {
        let mut h = HeaderMap::new();
        h.append("Nats-Msg-Id", "m1").unwrap();
        h.append("X-Two", "a b").unwrap();
        h.append("X-Two", "again").unwrap();
        assert_eq!(
            block(&h),
            b"NATS/1.0\r\nNats-Msg-Id: m1\r\nX-Two: a b\r\nX-Two: again\r\n\r\n"
        );
        assert_eq!(HeaderMap::parse(&block(&h)), Some(h));
    }

    #[test]
    fn parses_a_status_line() {
        let h = HeaderMap::parse(b"NATS/1.0 503\r\n\r\n").unwrap();
        assert_eq!((h.status(), h.description()), (Some(503), None));
        let h =
            HeaderMap::parse(b"NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 1\r\n\r\n")
                .unwrap();
        assert_eq!(h.status(), Some(408));
        assert_eq!(h.description(), Some("Request Timeout"));
        assert_eq!(h.get("nats-pending-messages"), Some("1"));
    }

    #[test]
    fn refuses_injection_and_malformed_blocks() {
        let mut h = HeaderMap::new();
        assert_eq!(h.append("X", "a\r\nEvil: 1"), Err(HeaderError::Value));
        assert_eq!(h.append("X Y", "a"), Err(HeaderError::Name));
        assert_eq!(h.append("", "a"), Err(HeaderError::Name));
        for bad in [
            &b"NATS/2.0\r\n\r\n"[..],
            b"NATS/1.0\r\nno-colon\r\n\r\n",
            b"NATS/1.0\r\n",
            b"NATS/1.0 5x3\r\n\r\n",
            b"\xff\xfe\r\n\r\n",
        ] {
            assert_eq!(HeaderMap::parse(bad), None, "{bad:?}");
        }
    }
}
