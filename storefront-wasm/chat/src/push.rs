//! Reading what operators push to the session (`{ v: 1, push: { chat_offer:
//! {…} } }` and the like, as `floorwalker_shared::event::Push` writes it)
//! with the browser's `JSON.parse` and `Reflect`, not serde: `serde_json`'s
//! deserializer would cost every shopper several kilobytes. Each push is
//! checked as the schema's validation would; anything else (another
//! version, a missing or oversized field, a kind this plugin does not know)
//! is `None`, never an error.

use alloc::string::String;
use alloc::vec::Vec;

use floorwalker_shared::event::limits::{
    MAX_AGENT_NAME_LEN, MAX_CHAT_TEXT_LEN, MAX_EXPECTED_WAIT_SECS, MAX_ID_LEN, MAX_OFFER_TEXT_LEN,
    MAX_QUESTION_LEN, MAX_QUEUE_POSITION, MAX_TRANSCRIPT_LINES,
};
use js_sys::{Array, JSON, Reflect};
use wasm_bindgen::JsValue;

use crate::strings;

/// A line of the chat: the shopper's or an agent's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    /// The message's id; `None` for an agent's message from an older sender.
    pub(crate) id: Option<String>,
    /// Who wrote it, as shown; `None` for the shopper.
    pub(crate) from: Option<String>,
    /// What was written.
    pub(crate) text: String,
}

/// What a push asks the page to do.
#[derive(Debug)]
pub(crate) enum Shown {
    /// Show a chat offer.
    Offer { id: String, text: String },
    /// Show where the waiting chat stands.
    Queue {
        chat_id: String,
        position: u32,
        wait_secs: Option<u32>,
    },
    /// Say that an agent took the chat.
    Joined { chat_id: String, name: String },
    /// Add lines to the chat, each id once: an agent's (or supervisor's)
    /// message, or a transcript of the chat.
    Lines { chat_id: String, lines: Vec<Line> },
    /// Ask the question that closes a chat.
    Survey { chat_id: String, question: String },
}

impl Shown {
    /// The chat the push is about, if it is about one.
    pub(crate) fn chat_id(&self) -> Option<&str> {
        match self {
            Self::Offer { .. } => None,
            Self::Queue { chat_id, .. }
            | Self::Joined { chat_id, .. }
            | Self::Lines { chat_id, .. }
            | Self::Survey { chat_id, .. } => Some(chat_id),
        }
    }
}

fn get(v: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(v, &JsValue::from_str(key)).ok()
}

/// A non-blank string of at most `max` bytes.
fn text(v: &JsValue, key: &str, max: usize) -> Option<String> {
    get(v, key)?
        .as_string()
        .filter(|s| !s.trim().is_empty() && s.len() <= max)
}

/// An id: 1 to 64 of `[A-Za-z0-9_-]`.
fn id(v: &JsValue, key: &str) -> Option<String> {
    text(v, key, MAX_ID_LEN).filter(|s| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// A whole number in `min..=max`.
fn number(v: &JsValue, key: &str, min: u32, max: u32) -> Option<u32> {
    let n = get(v, key)?.as_f64()?;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // range checked
    let whole = n as u32;
    #[allow(clippy::float_cmp)] // JSON numbers are f64s; small integers are exact
    (f64::from(whole) == n && (min..=max).contains(&whole)).then_some(whole)
}

/// Whether the optional field `key` is absent (or `null`).
fn absent(v: &JsValue, key: &str) -> bool {
    get(v, key).is_none_or(|v| v.is_undefined() || v.is_null())
}

/// A line: `msg_id` and `from_key` if present, and `text`.
fn line(v: &JsValue, from_key: &str) -> Option<Line> {
    Some(Line {
        id: if absent(v, "msg_id") {
            None
        } else {
            Some(id(v, "msg_id")?)
        },
        from: if absent(v, from_key) {
            None
        } else {
            Some(text(v, from_key, MAX_AGENT_NAME_LEN)?)
        },
        text: text(v, "text", MAX_CHAT_TEXT_LEN)?,
    })
}

/// The object under `key`, if it is one.
fn object(v: &JsValue, key: &str) -> Option<JsValue> {
    get(v, key).filter(JsValue::is_object)
}

/// Reads a push's payload.
pub(crate) fn read(payload: &[u8]) -> Option<Shown> {
    let value = JSON::parse(core::str::from_utf8(payload).ok()?).ok()?;
    #[allow(clippy::float_cmp)] // JSON numbers are f64s; small integers are exact
    let other_version =
        get(&value, "v")?.as_f64()? != f64::from(floorwalker_shared::event::SCHEMA_VERSION);
    if other_version {
        return None;
    }
    let push = get(&value, "push")?;
    let chat_id = |o: &JsValue| id(o, "chat_id");
    if let Some(o) = object(&push, "chat_offer") {
        return Some(Shown::Offer {
            id: text(&o, "offer_id", MAX_ID_LEN)?,
            text: text(&o, "text", MAX_OFFER_TEXT_LEN)?,
        });
    }
    if let Some(o) = object(&push, "queue_status") {
        let wait = "expected_wait_secs";
        return Some(Shown::Queue {
            chat_id: chat_id(&o)?,
            position: number(&o, "position", 1, MAX_QUEUE_POSITION)?,
            wait_secs: if absent(&o, wait) {
                None
            } else {
                Some(number(&o, wait, 0, MAX_EXPECTED_WAIT_SECS)?)
            },
        });
    }
    if let Some(o) = object(&push, "chat_joined") {
        return Some(Shown::Joined {
            chat_id: chat_id(&o)?,
            name: text(&o, "agent_name", MAX_AGENT_NAME_LEN)?,
        });
    }
    if let Some(o) = object(&push, "agent_message") {
        let mut line = line(&o, "agent_name")?;
        let name = line.from.as_mut()?;
        if get(&o, "from_supervisor").and_then(|v| v.as_bool()) == Some(true) {
            name.push_str(strings::SUPERVISOR);
        }
        return Some(Shown::Lines {
            chat_id: chat_id(&o)?,
            lines: alloc::vec![line],
        });
    }
    if let Some(o) = object(&push, "transcript") {
        let lines = get(&o, "lines")?;
        if !Array::is_array(&lines) {
            return None;
        }
        let lines = Array::from(&lines);
        if lines.length() as usize > MAX_TRANSCRIPT_LINES {
            return None;
        }
        let mut read = Vec::new();
        for item in lines.iter() {
            let line = line(item.is_object().then_some(&item)?, "from")?;
            line.id.as_ref()?;
            read.push(line);
        }
        return Some(Shown::Lines {
            chat_id: chat_id(&o)?,
            lines: read,
        });
    }
    let survey = object(&push, "survey_prompt")?;
    Some(Shown::Survey {
        chat_id: chat_id(&survey)?,
        question: text(&survey, "question", MAX_QUESTION_LEN)?,
    })
}

#[cfg(test)]
#[cfg(target_arch = "wasm32")]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn push(json: &str) -> Option<Shown> {
        read(json.as_bytes())
    }

    #[wasm_bindgen_test]
    fn pushes_are_read_as_the_schema_says_and_anything_else_is_ignored() {
        assert!(matches!(
            push(r#"{"v":1,"push":{"chat_offer":{"offer_id":"of-1","text":"Hi"}}}"#),
            Some(Shown::Offer { id, text }) if id == "of-1" && text == "Hi"
        ));
        assert!(matches!(
            push(r#"{"v":1,"push":{"agent_message":{"chat_id":"c","agent_name":"Ana","text":"Hello","from_supervisor":true,"msg_id":"m-1"}}}"#),
            Some(Shown::Lines { chat_id, lines }) if chat_id == "c"
                && lines == [Line { id: Some("m-1".into()), from: Some("Ana (supervisor)".into()), text: "Hello".into() }]
        ));
        assert!(matches!(
            push(
                r#"{"v":1,"push":{"agent_message":{"chat_id":"c","agent_name":"Ana","text":"Hi","from_supervisor":false,"msg_id":null}}}"#
            ),
            Some(Shown::Lines { lines, .. }) if lines[0].id.is_none()
        ));
        assert!(matches!(
            push(r#"{"v":1,"push":{"survey_prompt":{"chat_id":"c-1","question":"Helped?"}}}"#),
            Some(Shown::Survey { chat_id, .. }) if chat_id == "c-1"
        ));
        assert!(matches!(
            push(
                r#"{"v":1,"push":{"queue_status":{"chat_id":"c-1","position":2,"expected_wait_secs":180}}}"#
            ),
            Some(Shown::Queue {
                position: 2,
                wait_secs: Some(180),
                ..
            })
        ));
        assert!(matches!(
            push(
                r#"{"v":1,"push":{"queue_status":{"chat_id":"c-1","position":1,"expected_wait_secs":null}}}"#
            ),
            Some(Shown::Queue {
                position: 1,
                wait_secs: None,
                ..
            })
        ));
        assert!(matches!(
            push(r#"{"v":1,"push":{"chat_joined":{"chat_id":"c-1","agent_name":"Ana"}}}"#),
            Some(Shown::Joined { name, .. }) if name == "Ana"
        ));
        let Some(Shown::Lines { chat_id, lines }) = push(
            r#"{"v":1,"push":{"transcript":{"chat_id":"c-1","lines":[
                {"msg_id":"m1","from":null,"text":"Hello?"},
                {"msg_id":"m2","from":"Ana","text":"Hi!"}]}}}"#,
        ) else {
            panic!("a transcript")
        };
        assert_eq!(chat_id, "c-1");
        assert_eq!(
            lines,
            [
                Line {
                    id: Some("m1".into()),
                    from: None,
                    text: "Hello?".into()
                },
                Line {
                    id: Some("m2".into()),
                    from: Some("Ana".into()),
                    text: "Hi!".into()
                },
            ]
        );

        let long = "x".repeat(MAX_OFFER_TEXT_LEN + 1);
        let many = [r#"{"msg_id":"m","text":"t"}"#; MAX_TRANSCRIPT_LINES + 1].join(",");
        for bad in [
            String::new(),
            "not json".to_owned(),
            "null".to_owned(),
            r#"{"v":2,"push":{"chat_offer":{"offer_id":"of-1","text":"Hi"}}}"#.to_owned(),
            r#"{"v":1,"push":{"chat_offer":{"offer_id":"of-1","text":"  "}}}"#.to_owned(),
            r#"{"v":1,"push":{"chat_offer":{"offer_id":"of-1"}}}"#.to_owned(),
            format!(r#"{{"v":1,"push":{{"chat_offer":{{"offer_id":"of-1","text":"{long}"}}}}}}"#),
            r#"{"v":1,"push":{"refund":{"amount":100}}}"#.to_owned(),
            r#"{"v":1,"push":{"queue_status":{"chat_id":"c","position":0}}}"#.to_owned(),
            r#"{"v":1,"push":{"queue_status":{"chat_id":"c","position":1.5}}}"#.to_owned(),
            r#"{"v":1,"push":{"queue_status":{"chat_id":"c","position":"2"}}}"#.to_owned(),
            r#"{"v":1,"push":{"queue_status":{"chat_id":"c","position":2,"expected_wait_secs":-1}}}"#.to_owned(),
            r#"{"v":1,"push":{"queue_status":{"chat_id":"a.b","position":2}}}"#.to_owned(),
            r#"{"v":1,"push":{"agent_message":{"chat_id":"c","agent_name":"A","text":"t","msg_id":"a b"}}}"#.to_owned(),
            r#"{"v":1,"push":{"transcript":{"chat_id":"c","lines":[{"msg_id":"m","text":""}]}}}"#.to_owned(),
            r#"{"v":1,"push":{"transcript":{"chat_id":"c","lines":[7]}}}"#.to_owned(),
            r#"{"v":1,"push":{"transcript":{"chat_id":"c","lines":{}}}}"#.to_owned(),
            format!(r#"{{"v":1,"push":{{"transcript":{{"chat_id":"c","lines":[{many}]}}}}}}"#),
        ] {
            assert!(push(&bad).is_none(), "{bad}");
        }
        assert!(read(&[0xff, 0xfe]).is_none(), "not UTF-8");
    }
}
