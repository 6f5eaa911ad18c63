//! Payload bytes for [`Batch`]es and [`PushEnvelope`]s: JSON, as
//! `serde_json` writes it.
//!
//! The plugin's batches are written by hand (`crate::json`), to the same
//! bytes, so that its wasm carries no `serde_json` serializer; pushes,
//! written by the console, go through serde.
//!
//! JSON won against msgpack and postcard on the measurements in
//! `docs/BENCHMARKS.md` (`cargo bench -p floorwalker-shared --bench
//! wire_format`): like msgpack with named fields it is self-describing, so a
//! reader skips fields a newer writer added and reads optional fields an older
//! writer lacked as `None` (postcard breaks on both); msgpack's smaller
//! payloads and faster decoding did not pay for the code it adds to the
//! plugin, and JSON stays readable on `nats sub`.
//!
//! Decoding is the trust boundary: [`decode_batch`] and [`decode_push`] refuse
//! oversized input before parsing it, parse, and then validate against
//! [`crate::event::limits`], so a caller only ever holds a checked value.
//! Encoding does not validate: senders build valid values, and a reader
//! checks anyway.
//!
//! # Examples
//!
//! ```
//! use floorwalker_shared::event::{Batch, Event, ShopperEvent};
//! use floorwalker_shared::wire::{decode_batch, encode_batch};
//!
//! let batch = Batch::new(
//!     0,
//!     "EUR",
//!     vec![Event { at_ms: 1_750_000_000_000, kind: ShopperEvent::TabHidden }],
//! );
//! let bytes = encode_batch(&batch);
//! assert_eq!(decode_batch(&bytes)?, batch);
//! # Ok::<(), floorwalker_shared::wire::WireError>(())
//! ```

use alloc::{boxed::Box, vec::Vec};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::event::{Batch, InvalidEvent, InvalidEventKind, PushEnvelope, SCHEMA_VERSION};

/// Largest encoded batch a reader accepts, in bytes; the plugin's recorder
/// splits what would encode larger ([`Recorder::take_batch`]), and sizes
/// its batches to the server's `max_payload` where that is smaller. Limits
/// on fields count decoded bytes, and JSON escapes can make a field up to
/// six times longer on the wire.
///
/// [`Recorder::take_batch`]: crate::recorder::Recorder::take_batch
pub const MAX_BATCH_BYTES: usize = 64 * 1024;

/// The smallest `max_payload` a server may announce to shoppers, in bytes:
/// every event the recorder makes fits a batch this large (a page view, the
/// longest, keeps its texts within
/// [`PAGE_VIEW_TEXT_BYTES`](crate::recorder::PAGE_VIEW_TEXT_BYTES)), so the
/// recorder sizes batches down to it without holding any event back. The
/// recorder also sizes batches to it while the server has not yet said.
/// A server that announces less is not supported: it still gets nothing
/// larger than it takes, but batches made before it said may be dropped
/// (as the connection drops them from a full offline buffer), and an event
/// too large for it alone is left out ([`Recorder::take_batch`]); readers
/// count both among the batches that never came.
///
/// [`Recorder::take_batch`]: crate::recorder::Recorder::take_batch
pub const MIN_BATCH_BYTES: usize = 4 * 1024;

/// Largest encoded push a reader accepts, in bytes: room for the largest
/// valid push even if every character needs a six-byte JSON escape.
pub const MAX_PUSH_BYTES: usize = 32 * 1024;

/// Why bytes were not accepted as a batch or push.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// The input is longer than the limit, so it was not parsed at all.
    #[error("payload of {len} bytes is over the {max}-byte limit")]
    TooLarge {
        /// Length of the input, in bytes.
        len: usize,
        /// The limit it broke, in bytes.
        max: usize,
    },
    /// The input is not JSON of this schema.
    #[error("malformed payload: {0}")]
    Malformed(Box<dyn core::error::Error + Send + Sync>),
    /// The input decoded but broke a rule of [`crate::event::limits`], or has
    /// another schema version.
    #[error("invalid payload: {0}")]
    Invalid(InvalidEvent),
}

/// What kind of [`WireError`] happened; what a consumer counts rejections by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WireErrorKind {
    /// See [`WireError::TooLarge`].
    TooLarge,
    /// See [`WireError::Malformed`].
    Malformed,
    /// See [`WireError::Invalid`]; carries which rule was broken.
    Invalid(InvalidEventKind),
}

impl WireError {
    /// What kind of error this is.
    pub fn kind(&self) -> WireErrorKind {
        match self {
            Self::TooLarge { .. } => WireErrorKind::TooLarge,
            Self::Malformed(_) => WireErrorKind::Malformed,
            Self::Invalid(invalid) => WireErrorKind::Invalid(invalid.kind()),
        }
    }
}

/// Encodes a batch as payload bytes; does not validate it.
pub fn encode_batch(batch: &Batch) -> Vec<u8> {
    // The bytes `encode(batch)` would give; by hand, for the plugin's size.
    crate::json::to_vec(batch)
}

/// Decodes payload bytes into a batch that passed [`Batch::validate`].
pub fn decode_batch(bytes: &[u8]) -> Result<Batch, WireError> {
    decode(bytes, MAX_BATCH_BYTES, Batch::validate)
}

/// Encodes a push as payload bytes; does not validate it.
pub fn encode_push(push: &PushEnvelope) -> Vec<u8> {
    encode(push)
}

/// Decodes payload bytes into a push that passed [`PushEnvelope::validate`].
pub fn decode_push(bytes: &[u8]) -> Result<PushEnvelope, WireError> {
    decode(bytes, MAX_PUSH_BYTES, PushEnvelope::validate)
}

pub(crate) fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    match serde_json::to_vec(value) {
        Ok(bytes) => bytes,
        // Writing to a Vec cannot fail, the schema has no maps with
        // non-string keys, and its types raise no custom errors: nothing here
        // can go wrong.
        // The error is not formatted: its messages would add kilobytes to
        // the plugin for a case that cannot happen.
        Err(_) => unreachable!("encoding the event schema failed"),
    }
}

/// The one field every version of a batch or push is promised to keep.
#[derive(Deserialize)]
struct Version {
    v: u16,
}

pub(crate) fn decode<T: DeserializeOwned>(
    bytes: &[u8],
    max: usize,
    validate: impl FnOnce(&T) -> Result<(), InvalidEvent>,
) -> Result<T, WireError> {
    if bytes.len() > max {
        return Err(WireError::TooLarge {
            len: bytes.len(),
            max,
        });
    }
    let value: T = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        Err(e) => {
            // Another major version most likely fails to parse as this one:
            // say so, rather than calling the sender's bytes malformed.
            return Err(match serde_json::from_slice::<Version>(bytes) {
                Ok(Version { v }) if v != SCHEMA_VERSION => {
                    WireError::Invalid(InvalidEvent::unsupported_version())
                }
                _ => WireError::Malformed(Box::new(e)),
            });
        }
    };
    validate(&value).map_err(WireError::Invalid)?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use proptest::prelude::*;

    use super::*;
    use crate::event::{Event, Push, ShopperEvent, limits, strategy};

    fn small_batch() -> Batch {
        Batch::new(
            7,
            "EUR",
            vec![
                Event {
                    at_ms: 1_750_000_000_000,
                    kind: ShopperEvent::SiteSearch {
                        query: "trail shoes".to_owned(),
                    },
                },
                Event {
                    at_ms: 1_750_000_004_000,
                    kind: ShopperEvent::ScrollDepth {
                        path: "/search".to_owned(),
                        percent: 40,
                    },
                },
            ],
        )
    }

    fn offer() -> PushEnvelope {
        PushEnvelope::new(Push::ChatOffer {
            offer_id: "of-1".to_owned(),
            text: "Need help choosing a size?".to_owned(),
        })
    }

    #[test]
    fn a_batch_survives_encoding() {
        let batch = small_batch();
        assert_eq!(decode_batch(&encode_batch(&batch)).unwrap(), batch);
    }

    #[test]
    fn a_push_survives_encoding() {
        assert_eq!(decode_push(&encode_push(&offer())).unwrap(), offer());
    }

    // The exact bytes, so that renaming a field or a variant, which breaks
    // every reader in the field, cannot pass unnoticed.
    #[test]
    fn a_batch_is_json_with_named_fields() {
        let expected = r#"{"v":1,"seq":7,"currency":"EUR","visitor":"Vb3_x-9QmZ","events":[
            {"at_ms":1750000000000,"kind":{"site_search":{"query":"trail shoes"}}},
            {"at_ms":1750000004000,"kind":{"scroll_depth":{"path":"/search","percent":40}}}]}"#;
        let expected: String = expected.split('\n').map(str::trim_start).collect();
        let mut batch = small_batch();
        batch.visitor = Some("Vb3_x-9QmZ".to_owned());
        assert_eq!(String::from_utf8(encode_batch(&batch)).unwrap(), expected);
    }

    #[test]
    fn every_push_is_json_with_named_fields() {
        let cases = [
            (
                offer().push,
                r#"{"chat_offer":{"offer_id":"of-1","text":"Need help choosing a size?"}}"#,
            ),
            (
                Push::AgentMessage {
                    chat_id: "c-1".to_owned(),
                    agent_name: "Mara".to_owned(),
                    text: "Hi!".to_owned(),
                    from_supervisor: false,
                    msg_id: None,
                },
                r#"{"agent_message":{"chat_id":"c-1","agent_name":"Mara","text":"Hi!","from_supervisor":false,"msg_id":null}}"#,
            ),
            (
                Push::SurveyPrompt {
                    chat_id: "c-1".to_owned(),
                    question: "Did this help?".to_owned(),
                },
                r#"{"survey_prompt":{"chat_id":"c-1","question":"Did this help?"}}"#,
            ),
        ];
        for (push, json) in cases {
            let bytes = encode_push(&PushEnvelope::new(push));
            assert_eq!(
                String::from_utf8(bytes).unwrap(),
                format!(r#"{{"v":1,"push":{json}}}"#)
            );
        }
    }

    #[test]
    fn a_field_added_by_a_newer_writer_is_skipped() {
        #[derive(Serialize)]
        struct NewerBatch {
            v: u16,
            seq: u64,
            currency: &'static str,
            events: Vec<Event>,
            plugin_build: &'static str,
        }
        let newer = NewerBatch {
            v: SCHEMA_VERSION,
            seq: 7,
            currency: "EUR",
            events: small_batch().events,
            plugin_build: "1.4.0",
        };
        assert_eq!(decode_batch(&encode(&newer)).unwrap(), small_batch());
    }

    #[test]
    fn an_optional_field_missing_from_an_older_writer_reads_as_none() {
        // A writer from before `SurveyAnswer` had a `comment`.
        #[derive(Serialize)]
        #[serde(rename_all = "snake_case")]
        enum OlderKind {
            SurveyAnswer { chat_id: &'static str, helped: bool },
        }
        #[derive(Serialize)]
        struct OlderEvent {
            at_ms: u64,
            kind: OlderKind,
        }
        #[derive(Serialize)]
        struct OlderBatch {
            v: u16,
            seq: u64,
            currency: &'static str,
            events: Vec<OlderEvent>,
        }
        let older = OlderBatch {
            v: SCHEMA_VERSION,
            seq: 1,
            currency: "EUR",
            events: vec![OlderEvent {
                at_ms: 5,
                kind: OlderKind::SurveyAnswer {
                    chat_id: "c-1",
                    helped: true,
                },
            }],
        };
        let expected = Batch::new(
            1,
            "EUR",
            vec![Event {
                at_ms: 5,
                kind: ShopperEvent::SurveyAnswer {
                    chat_id: "c-1".to_owned(),
                    helped: true,
                    comment: None,
                },
            }],
        );
        assert_eq!(decode_batch(&encode(&older)).unwrap(), expected);
    }

    #[test]
    fn another_schema_version_is_unsupported() {
        for v in [0, SCHEMA_VERSION + 1] {
            let batch = Batch { v, ..small_batch() };
            let push = PushEnvelope { v, ..offer() };
            let unsupported = WireErrorKind::Invalid(InvalidEventKind::UnsupportedVersion);
            assert_eq!(
                decode_batch(&encode_batch(&batch)).unwrap_err().kind(),
                unsupported
            );
            assert_eq!(
                decode_push(&encode_push(&push)).unwrap_err().kind(),
                unsupported
            );
        }
    }

    #[test]
    fn another_version_is_unsupported_even_if_its_layout_changed() {
        #[derive(Serialize)]
        struct V2 {
            v: u16,
            session_events: Vec<u32>,
        }
        let bytes = encode(&V2 {
            v: 2,
            session_events: vec![1, 2],
        });
        assert_eq!(
            decode_batch(&bytes).unwrap_err().kind(),
            WireErrorKind::Invalid(InvalidEventKind::UnsupportedVersion)
        );
        // The same bytes claiming the current version are just malformed.
        let bytes = encode(&V2 {
            v: SCHEMA_VERSION,
            session_events: vec![1, 2],
        });
        assert_eq!(
            decode_batch(&bytes).unwrap_err().kind(),
            WireErrorKind::Malformed
        );
    }

    #[test]
    fn a_decoded_batch_is_validated() {
        let mut batch = small_batch();
        batch.events[1].kind = ShopperEvent::ScrollDepth {
            path: "/search".to_owned(),
            percent: 101,
        };
        let err = decode_batch(&encode_batch(&batch)).unwrap_err();
        assert_eq!(
            err.kind(),
            WireErrorKind::Invalid(InvalidEventKind::OutOfRange)
        );
        assert_eq!(
            err.to_string(),
            "invalid payload: event 1: value out of range in 'scroll_depth.percent'"
        );
    }

    #[test]
    fn a_decoded_push_is_validated() {
        let push = PushEnvelope::new(Push::SurveyPrompt {
            chat_id: "c-1".to_owned(),
            question: String::new(),
        });
        assert_eq!(
            decode_push(&encode_push(&push)).unwrap_err().kind(),
            WireErrorKind::Invalid(InvalidEventKind::FieldEmpty)
        );
    }

    #[test]
    fn input_over_the_limit_is_refused_unparsed() {
        // A valid batch padded past the limit with whitespace, which JSON
        // allows: parsed, it would be accepted.
        let mut bytes = encode_batch(&small_batch());
        bytes.resize(MAX_BATCH_BYTES + 1, b' ');
        let err = decode_batch(&bytes).unwrap_err();
        assert_eq!(err.kind(), WireErrorKind::TooLarge);
        assert_eq!(
            err.to_string(),
            "payload of 65537 bytes is over the 65536-byte limit"
        );
        bytes.truncate(MAX_BATCH_BYTES);
        assert_eq!(decode_batch(&bytes).unwrap(), small_batch());

        let mut bytes = encode_push(&offer());
        bytes.resize(MAX_PUSH_BYTES + 1, b' ');
        assert_eq!(
            decode_push(&bytes).unwrap_err().kind(),
            WireErrorKind::TooLarge
        );
        bytes.truncate(MAX_PUSH_BYTES);
        assert_eq!(decode_push(&bytes).unwrap(), offer());
    }

    #[test]
    fn input_exactly_at_the_limit_is_parsed() {
        let dwell = |path_len| Event {
            at_ms: 1,
            kind: ShopperEvent::Dwell {
                path: "/".repeat(path_len),
                ms: 1,
            },
        };
        let mut batch = Batch::new(0, "EUR", vec![dwell(2048); 31]);
        batch.events.push(dwell(300));
        // '/' needs no escaping: one more byte of path is one more byte of
        // payload.
        let missing = MAX_BATCH_BYTES - encode_batch(&batch).len();
        batch.events[31] = dwell(300 + missing);
        let bytes = encode_batch(&batch);
        assert_eq!(bytes.len(), MAX_BATCH_BYTES);
        assert_eq!(decode_batch(&bytes).unwrap(), batch);

        batch.events[31] = dwell(300 + missing + 1);
        assert_eq!(
            decode_batch(&encode_batch(&batch)).unwrap_err().kind(),
            WireErrorKind::TooLarge
        );
    }

    #[test]
    fn the_largest_valid_push_fits_even_when_escaped() {
        // Control characters are escaped as `\u0001`: six bytes for one.
        let worst = |max| "\u{1}".repeat(max);
        let push = PushEnvelope::new(Push::AgentMessage {
            chat_id: worst(limits::MAX_ID_LEN),
            agent_name: worst(limits::MAX_AGENT_NAME_LEN),
            text: worst(limits::MAX_CHAT_TEXT_LEN),
            from_supervisor: true,
            msg_id: None,
        });
        let bytes = encode_push(&push);
        assert!(bytes.len() > 6 * limits::MAX_CHAT_TEXT_LEN);
        assert_eq!(decode_push(&bytes).unwrap(), push);
    }

    #[test]
    fn garbage_is_malformed() {
        let valid = encode_batch(&small_batch());
        let nested = "[".repeat(10_000);
        let cases: [&[u8]; 8] = [
            b"",
            b"null",
            // The start of a batch in msgpack.
            b"\x94\x01\x07\xa3EUR",
            // Cut short, or followed by more.
            &valid[..valid.len() - 1],
            &[valid.as_slice(), b"{}"].concat(),
            // A field twice, which could smuggle a value past a checker
            // that reads the first.
            br#"{"v":1,"seq":7,"currency":"EUR","visitor":"Vb3_x-9QmZ","events":[],"seq":8}"#,
            // Not UTF-8.
            b"{\"v\":1,\"seq\":7,\"currency\":\"\xff\xfe\",\"events\":[]}",
            // Deeper than the parser's recursion limit: an error, not a
            // stack overflow.
            nested.as_bytes(),
        ];
        for bytes in cases {
            let shown = String::from_utf8_lossy(bytes);
            assert_eq!(
                decode_batch(bytes).unwrap_err().kind(),
                WireErrorKind::Malformed,
                "{shown}"
            );
            assert_eq!(
                decode_push(bytes).unwrap_err().kind(),
                WireErrorKind::Malformed,
                "{shown}"
            );
        }
    }

    proptest! {
        #[test]
        fn any_valid_batch_round_trips(batch in strategy::batch()) {
            let bytes = encode_batch(&batch);
            // Many long strings can push a valid batch over the byte limit;
            // the plugin splits those, and the reader must refuse them.
            if bytes.len() <= MAX_BATCH_BYTES {
                prop_assert_eq!(decode_batch(&bytes).unwrap(), batch);
            } else {
                prop_assert_eq!(decode_batch(&bytes).unwrap_err().kind(), WireErrorKind::TooLarge);
            }
        }

        #[test]
        fn any_valid_push_round_trips(push in strategy::push_envelope()) {
            prop_assert_eq!(decode_push(&encode_push(&push)).unwrap(), push);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode_batch(&bytes);
            let _ = decode_push(&bytes);
        }

        #[test]
        fn a_damaged_batch_never_panics(
            batch in strategy::batch(),
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
        ) {
            // Random bytes rarely get past the first marker; flipping one
            // byte of a real batch reaches deep into the decoder.
            let mut bytes = encode_batch(&batch);
            if !bytes.is_empty() {
                let at = at.index(bytes.len());
                bytes[at] = byte;
            }
            let _ = decode_batch(&bytes);
        }
    }
}
