//! A JSON writer for the three payloads the storefront plugin sends: event
//! batches ([`crate::wire::encode_batch`]), the body of NATS `CONNECT`
//! ([`crate::nats::ClientOp::encode`]) and chat facts
//! ([`crate::chat::ChatEnvelope::encode`]).
//!
//! Hand-written, though the house rule is the well-kept crate first, because
//! `serde_json`'s generic serializer costs every shopper's download
//! kilobytes: the derived `Serialize` impls monomorphised over its
//! `Serializer`, `Compound` and `Formatter` took 2,100 bytes gzipped of the
//! core's wasm (batches and `CONNECT`) and 760 of the chat part's (chat
//! facts), measured with `just wasm` against a build whose three encodings
//! wrote nothing (2026-11-27). This writer and the encodings take 1,480 and
//! 490: what a page loads before any chat went from 47,061 to 46,442 bytes
//! gzipped, the whole plugin from 68,394 to 67,503. It is a `Vec<u8>`, one
//! separator rule and one escaper: no formatting machinery (`core::fmt`),
//! numbers through itoa.
//!
//! The bytes are `serde_json::to_vec`'s for the same value, byte for byte:
//! each type's [`ToJson`], beside the type, follows its serde attributes
//! (field order, `skip_serializing_if`, externally tagged enums with
//! `snake_case` variants, `None` as `null`), and tests compare the two on
//! random values of every type. The `Serialize` derives stay: native code
//! and the tests still write and read through serde. Every impl
//! destructures its struct and matches its enum exhaustively, so a field or
//! variant added to a type does not compile until its `ToJson` writes it.

use alloc::{string::String, vec::Vec};

/// A value that writes itself as JSON, exactly as its `Serialize` derive
/// does through `serde_json`.
pub(crate) trait ToJson {
    /// Appends the value to `json`.
    fn write_json(&self, json: &mut Json);
}

/// The JSON of `value`, in a new buffer.
pub(crate) fn to_vec<T: ToJson + ?Sized>(value: &T) -> Vec<u8> {
    let mut json = Json(Vec::new());
    value.write_json(&mut json);
    json.0
}

/// A buffer being written as compact JSON (no whitespace), in order: open an
/// object, write each member as [`Json::key`] and its value (or
/// [`Json::field`]), close the object.
///
/// Separators need no state: a member or an element is preceded by a comma
/// unless it follows the `{` or `[` that opened its container, and no value
/// ends in either.
pub(crate) struct Json(Vec<u8>);

impl Json {
    /// `{`: members follow, then [`Json::end_object`].
    pub(crate) fn begin_object(&mut self) {
        self.0.push(b'{');
    }

    /// `}`.
    pub(crate) fn end_object(&mut self) {
        self.0.push(b'}');
    }

    /// A member's name and the colon; its value follows.
    pub(crate) fn key(&mut self, name: &str) {
        self.separator();
        self.str(name);
        self.0.push(b':');
    }

    /// A member: its name, then `value`.
    pub(crate) fn field<T: ToJson + ?Sized>(&mut self, name: &str, value: &T) {
        self.key(name);
        value.write_json(self);
    }

    /// A member only if `value` is some: serde's
    /// `skip_serializing_if = "Option::is_none"`.
    pub(crate) fn field_if_some<T: ToJson>(&mut self, name: &str, value: Option<&T>) {
        if let Some(value) = value {
            self.field(name, value);
        }
    }

    /// A variant of an externally tagged enum (serde's default) with
    /// fields: `{"name":{`, then its fields, then
    /// [`Json::end_struct_variant`]. A unit variant is its name as a string.
    pub(crate) fn begin_struct_variant(&mut self, name: &str) {
        self.begin_object();
        self.key(name);
        self.begin_object();
    }

    /// `}}`.
    pub(crate) fn end_struct_variant(&mut self) {
        self.0.extend_from_slice(b"}}");
    }

    /// A newtype variant of an externally tagged enum: `{"name":value}`.
    pub(crate) fn newtype_variant<T: ToJson + ?Sized>(&mut self, name: &str, value: &T) {
        self.begin_object();
        self.field(name, value);
        self.end_object();
    }

    /// A comma, unless this is the first member or element of its container.
    fn separator(&mut self) {
        if !matches!(self.0.last(), None | Some(b'{' | b'[')) {
            self.0.push(b',');
        }
    }

    /// A string, escaped as `serde_json` escapes: `"` and `\` with a
    /// backslash, control characters (U+0000 to U+001F) as `\b`, `\t`,
    /// `\n`, `\f`, `\r` or `\u00XX` (lowercase hex), everything else (DEL,
    /// U+2028, non-ASCII) as its UTF-8 bytes.
    ///
    /// Byte by byte, where `serde_json` copies runs of plain bytes at once:
    /// about 100 bytes gzipped smaller in the plugin, for a little time per
    /// byte that a batch every few seconds does not notice.
    pub(crate) fn str(&mut self, s: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let out = &mut self.0;
        out.push(b'"');
        for &byte in s.as_bytes() {
            // What follows the backslash, or 0 for `\u00XX`.
            let short = match byte {
                b'"' | b'\\' => byte,
                b'\n' => b'n',
                b'\r' => b'r',
                b'\t' => b't',
                0x08 => b'b',
                0x0c => b'f',
                0x00..=0x1f => 0,
                _ => {
                    out.push(byte);
                    continue;
                }
            };
            out.push(b'\\');
            if short == 0 {
                out.extend_from_slice(&[
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(byte >> 4)],
                    HEX[usize::from(byte & 0xf)],
                ]);
            } else {
                out.push(short);
            }
        }
        out.push(b'"');
    }

    /// An unsigned integer, in decimal.
    pub(crate) fn u64(&mut self, n: u64) {
        self.0
            .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }

    /// A signed integer, in decimal; through [`Json::u64`], so the plugin
    /// carries one instance of itoa's formatting.
    pub(crate) fn i64(&mut self, n: i64) {
        if n < 0 {
            self.0.push(b'-');
        }
        self.u64(n.unsigned_abs());
    }

    /// `true` or `false`.
    pub(crate) fn bool(&mut self, b: bool) {
        self.0.extend_from_slice(if b { b"true" } else { b"false" });
    }

    /// `null`.
    pub(crate) fn null(&mut self) {
        self.0.extend_from_slice(b"null");
    }
}

/// How many bytes `byte` takes inside a JSON string, as [`Json::str`]
/// writes it: 1, or 2 or 6 escaped.
pub(crate) fn escaped_len(byte: u8) -> usize {
    match byte {
        b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
        0x00..=0x1f => 6,
        _ => 1,
    }
}

impl ToJson for str {
    fn write_json(&self, json: &mut Json) {
        json.str(self);
    }
}

impl ToJson for String {
    fn write_json(&self, json: &mut Json) {
        json.str(self);
    }
}

impl ToJson for bool {
    fn write_json(&self, json: &mut Json) {
        json.bool(*self);
    }
}

impl ToJson for u8 {
    fn write_json(&self, json: &mut Json) {
        json.u64(u64::from(*self));
    }
}

impl ToJson for u16 {
    fn write_json(&self, json: &mut Json) {
        json.u64(u64::from(*self));
    }
}

impl ToJson for u32 {
    fn write_json(&self, json: &mut Json) {
        json.u64(u64::from(*self));
    }
}

impl ToJson for u64 {
    fn write_json(&self, json: &mut Json) {
        json.u64(*self);
    }
}

impl ToJson for i32 {
    fn write_json(&self, json: &mut Json) {
        json.i64(i64::from(*self));
    }
}

/// `None` as `null`: what serde does for an `Option` without
/// `skip_serializing_if` (for those, see [`Json::field_if_some`]).
impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, json: &mut Json) {
        match self {
            Some(value) => value.write_json(json),
            None => json.null(),
        }
    }
}

/// An array.
impl<T: ToJson> ToJson for [T] {
    fn write_json(&self, json: &mut Json) {
        json.0.push(b'[');
        for item in self {
            json.separator();
            item.write_json(json);
        }
        json.0.push(b']');
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, json: &mut Json) {
        self.as_slice().write_json(json);
    }
}

#[cfg(test)]
mod tests {
    use alloc::{borrow::ToOwned, vec};

    use pretty_assertions::assert_eq;
    use proptest::prelude::*;
    use serde::Serialize;

    use super::*;

    /// What `serde_json` writes for `value`, which the writer must match.
    fn serde_bytes<T: Serialize + ?Sized>(value: &T) -> String {
        serde_json::to_string(value).unwrap()
    }

    fn ours<T: ToJson + ?Sized>(value: &T) -> String {
        String::from_utf8(to_vec(value)).unwrap()
    }

    /// Strings that need escaping, and some that look as if they might.
    const HOSTILE: [&str; 12] = [
        "",
        "plain",
        r#"say "hi""#,
        r"C:\shop\new",
        "\\\"",
        "line\nbreak\r\n\ttab",
        "\u{8}\u{c}",
        "\0\u{1}\u{1f}\u{b}\u{1b}[31m",
        "\u{7f} is DEL, not escaped",
        "caf\u{e9} \u{1f6d2}\u{1f469}\u{200d}\u{1f4bb}",
        "\u{2028}\u{2029} end lines in JS, not in JSON",
        "</script><!--",
    ];

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for s in HOSTILE {
            assert_eq!(ours(s), serde_bytes(s), "{s:?}");
        }
    }

    #[test]
    fn escapes_read_as_one_would_write_them() {
        let cases = [
            (r#"say "hi""#, r#""say \"hi\"""#),
            (r"C:\shop", r#""C:\\shop""#),
            ("a\nb\r\tc", r#""a\nb\r\tc""#),
            ("\u{8}\u{c}", r#""\b\f""#),
            ("\0\u{1f}\u{b}", r#""\u0000\u001f\u000b""#),
            ("\u{7f}", "\"\u{7f}\""),
            ("\u{2028}", "\"\u{2028}\""),
            ("\u{1f6d2}", "\"\u{1f6d2}\""),
        ];
        for (s, json) in cases {
            assert_eq!(ours(s), json, "{s:?}");
        }
    }

    #[test]
    fn numbers_at_their_bounds() {
        assert_eq!(ours(&0u64), "0");
        assert_eq!(ours(&u64::MAX), serde_bytes(&u64::MAX));
        assert_eq!(ours(&u32::MAX), serde_bytes(&u32::MAX));
        assert_eq!(ours(&u16::MAX), serde_bytes(&u16::MAX));
        assert_eq!(ours(&u8::MAX), serde_bytes(&u8::MAX));
        for n in [i32::MIN, -1, 0, 1, i32::MAX] {
            assert_eq!(ours(&n), serde_bytes(&n));
        }
    }

    #[test]
    fn containers_separate_their_members() {
        let empty: Vec<u64> = vec![];
        assert_eq!(ours(&empty), "[]");
        assert_eq!(ours(&vec![1u64, 2, 3]), "[1,2,3]");
        assert_eq!(ours(&vec![None, Some(true)]), "[null,true]");
        let nested = vec![
            vec![],
            vec!["a".to_owned()],
            vec!["b".to_owned(), "{[".to_owned()],
        ];
        assert_eq!(ours(&nested), serde_bytes(&nested));

        let mut json = Json(Vec::new());
        json.begin_object();
        json.end_object();
        assert_eq!(json.0, b"{}");

        let mut json = Json(Vec::new());
        json.begin_object();
        json.field("a", &empty);
        json.field_if_some::<u8>("skipped", None);
        json.key("b");
        json.begin_object();
        json.end_object();
        json.key("c");
        json.begin_struct_variant("d");
        json.field("e", &Some(1u8));
        json.end_struct_variant();
        json.key("f");
        json.newtype_variant("g", "h");
        json.field_if_some("i", Some(&false));
        json.end_object();
        assert_eq!(
            String::from_utf8(json.0).unwrap(),
            r#"{"a":[],"b":{},"c":{"d":{"e":1}},"f":{"g":"h"},"i":false}"#
        );
    }

    proptest! {
        #[test]
        fn any_string_is_escaped_as_serde_json_escapes_it(s in any::<String>()) {
            prop_assert_eq!(ours(&s), serde_bytes(&s));
        }

        #[test]
        fn strings_of_what_needs_escaping_are_escaped_as_serde_json_does(
            s in "[\\x00-\\x20\"\\\\/a\u{7f}\u{80}\u{e9}\u{2028}\u{1f6d2}]{0,24}",
        ) {
            prop_assert_eq!(ours(&s), serde_bytes(&s));
        }

        #[test]
        fn escaped_lengths_add_up_to_the_written_string(
            s in prop_oneof![
                any::<String>(),
                "[\\x00-\\x20\"\\\\/a\u{7f}\u{80}\u{e9}\u{2028}\u{1f6d2}]{0,24}",
            ],
        ) {
            let counted: usize = s.bytes().map(escaped_len).sum();
            prop_assert_eq!(counted + 2, ours(&s).len());
        }

        #[test]
        fn any_integer_is_written_as_serde_json_writes_it(
            u in any::<u64>(),
            i in any::<i32>(),
        ) {
            prop_assert_eq!(ours(&u), serde_bytes(&u));
            prop_assert_eq!(ours(&i), serde_bytes(&i));
        }
    }
}
