//! What the shopper sees: a chat offer pushed to this session, with Accept
//! and No thanks; a launcher to ask for help at any time; the chat window
//! that accepting or asking opens, with agents' messages pushed to it; the
//! one question that closes a chat, with Yes, No and an optional comment.
//! Declining is remembered for the rest of the session: no later offer is
//! shown, however it is pushed.
//!
//! The widget is built by a small JS snippet, in a Shadow DOM so the shop's
//! CSS cannot break it nor it the shop. Text is set with `textContent` only,
//! never parsed as HTML. Building the DOM in JS rather than through web-sys
//! keeps a dozen DOM bindings out of the download.

use alloc::rc::Rc;
use alloc::string::String;

use floorwalker_shared::event::ShopperEvent;
use floorwalker_shared::event::limits::{
    MAX_AGENT_NAME_LEN, MAX_CHAT_TEXT_LEN, MAX_COMMENT_LEN, MAX_ID_LEN, MAX_OFFER_TEXT_LEN,
    MAX_QUESTION_LEN,
};
use js_sys::{Function, JSON, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::plugin::Plugin;
use crate::storage;
use crate::transport::{self, wall_ms};

#[wasm_bindgen(inline_js = r#"
const CSS = `:host{all:initial}
.o,.c,.l{position:fixed;right:16px;z-index:2147483647;font:15px/1.4 system-ui,sans-serif;color:#1b1b1b;background:#fff;border:1px solid #888;border-radius:8px;box-shadow:0 4px 16px #0003}
.o{bottom:72px;max-width:320px;padding:12px 36px 12px 14px}
.c{bottom:72px;width:300px;padding:10px}
.l{bottom:16px;padding:8px 14px;cursor:pointer;font:inherit}
p{margin:0 0 10px}button{font:inherit;margin-right:8px;padding:4px 12px;cursor:pointer}
.x{position:absolute;top:4px;right:4px;margin:0;padding:0 6px;border:0;background:none;font-size:18px}
.g{max-height:240px;overflow:auto;margin:18px 0 8px}.g p{margin:0 0 6px}.a{font-weight:600}
input{font:inherit;width:190px}
button:focus-visible,input:focus-visible{outline:2px solid #1a5fb4;outline-offset:2px}`;

const el = (tag, props = {}) => Object.assign(document.createElement(tag), props);

function panel(id) {
  document.getElementById(id)?.remove();
  const host = el("div", { id });
  const root = host.attachShadow({ mode: "open" });
  root.append(el("style", { textContent: CSS }));
  document.body.append(host);
  return [host, root];
}

function button(label, className) {
  return el("button", { type: "button", className, textContent: label });
}

export function show_offer(text, answer) {
  if (!document.body) return false;
  const [host, root] = panel("floorwalker-offer");
  const box = el("div", { className: "o" });
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-label", "Chat offer");
  box.setAttribute("aria-live", "polite");
  const accept = button("Accept", "accept");
  const decline = button("No thanks", "decline");
  const close = button("\u00d7", "x");
  close.setAttribute("aria-label", "Dismiss");
  let done = false;
  const finish = (how) => {
    if (done) return;
    done = true;
    host.remove();
    try { answer(how); } catch (_) {}
  };
  accept.addEventListener("click", () => finish("accepted"));
  decline.addEventListener("click", () => finish("declined"));
  close.addEventListener("click", () => finish("declined"));
  box.addEventListener("keydown", (e) => { if (e.key === "Escape") finish("declined"); });
  box.append(el("p", { textContent: text }), accept, decline, close);
  root.append(box);
  return true;
}

export function show_launcher(open) {
  if (!document.body) return false;
  const [, root] = panel("floorwalker-launcher");
  const b = button("Chat with us", "l");
  b.addEventListener("click", () => { try { open(); } catch (_) {} });
  root.append(b);
  return true;
}

export function open_chat(send) {
  if (document.getElementById("floorwalker-chat") || !document.body) return;
  const [host, root] = panel("floorwalker-chat");
  const box = el("div", { className: "c" });
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-label", "Chat");
  const log = el("div", { className: "g" });
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  const form = el("form");
  const input = el("input", { type: "text", maxLength: 1000 });
  input.setAttribute("aria-label", "Your message");
  const close = button("\u00d7", "x");
  close.setAttribute("aria-label", "Close chat");
  close.addEventListener("click", () => host.remove());
  box.addEventListener("keydown", (e) => { if (e.key === "Escape") host.remove(); });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    try { send(text); } catch (_) {}
  });
  form.append(input, el("button", { type: "submit", textContent: "Send" }));
  box.append(close, log, form);
  root.append(box);
  input.focus({ preventScroll: true });
}

export function show_survey(question, answer) {
  if (!document.body) return false;
  const [host, root] = panel("floorwalker-survey");
  const box = el("form", { className: "o" });
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-label", "Survey");
  const comment = el("input", { type: "text", maxLength: 1000 });
  comment.setAttribute("aria-label", "Comment (optional)");
  let done = false;
  const finish = (helped) => {
    if (done) return;
    done = true;
    host.remove();
    try { answer(helped, comment.value.trim()); } catch (_) {}
  };
  const yes = button("Yes", "yes");
  const no = button("No", "no");
  yes.addEventListener("click", () => finish(true));
  no.addEventListener("click", () => finish(false));
  const close = button("\u00d7", "x");
  close.setAttribute("aria-label", "Dismiss");
  close.addEventListener("click", () => { done = true; host.remove(); });
  box.append(el("p", { textContent: question }), comment, el("p"), yes, no, close);
  root.append(box);
  return true;
}

export function chat_add(who, text) {
  const root = document.getElementById("floorwalker-chat")?.shadowRoot;
  const log = root?.querySelector(".g");
  if (!log) return;
  const line = el("p");
  line.append(el("span", { className: "a", textContent: who + ": " }), el("span", { textContent: text }));
  log.append(line);
  log.scrollTop = log.scrollHeight;
}
"#)]
extern "C" {
    fn show_offer(text: &str, answer: &Function) -> bool;
    fn show_launcher(open: &Function) -> bool;
    fn open_chat(send: &Function);
    fn chat_add(who: &str, text: &str);
    fn show_survey(question: &str, answer: &Function) -> bool;
}

/// What a push asks the page to show.
enum Shown {
    /// A chat offer.
    Offer { id: String, text: String },
    /// An agent's (or supervisor's) chat message.
    AgentMessage { name: String, text: String },
    /// The question that closes a chat.
    Survey { chat_id: String, question: String },
}

/// Reads a push's payload (`{ v: 1, push: { chat_offer: {…} } }` and the
/// like) with the browser's JSON parser, and checks it as the schema would.
fn read_push(payload: &[u8]) -> Option<Shown> {
    let text = core::str::from_utf8(payload).ok()?;
    let value = JSON::parse(text).ok()?;
    let get = |v: &JsValue, key: &str| Reflect::get(v, &JsValue::from_str(key)).ok();
    let string = |v: &JsValue, key: &str, max: usize| {
        get(v, key)?
            .as_string()
            .filter(|s| !s.trim().is_empty() && s.len() <= max)
    };
    #[allow(clippy::float_cmp)] // JSON numbers are f64s; small integers are exact
    let other_version =
        get(&value, "v")?.as_f64()? != f64::from(floorwalker_shared::event::SCHEMA_VERSION);
    if other_version {
        return None;
    }
    let push = get(&value, "push")?;
    let offer = get(&push, "chat_offer").filter(JsValue::is_object);
    if let Some(offer) = offer {
        return Some(Shown::Offer {
            id: string(&offer, "offer_id", MAX_ID_LEN)?,
            text: string(&offer, "text", MAX_OFFER_TEXT_LEN)?,
        });
    }
    if let Some(survey) = get(&push, "survey_prompt").filter(JsValue::is_object) {
        return Some(Shown::Survey {
            chat_id: string(&survey, "chat_id", MAX_ID_LEN)?,
            question: string(&survey, "question", MAX_QUESTION_LEN)?,
        });
    }
    let message = get(&push, "agent_message").filter(JsValue::is_object)?;
    let mut name = string(&message, "agent_name", MAX_AGENT_NAME_LEN)?;
    if get(&message, "from_supervisor").and_then(|v| v.as_bool()) == Some(true) {
        name.push_str(" (supervisor)");
    }
    Some(Shown::AgentMessage {
        name,
        text: string(&message, "text", MAX_CHAT_TEXT_LEN)?,
    })
}

/// Shows the launcher, which opens the chat window.
pub(crate) fn install(plugin: &Rc<Plugin>) {
    let weak = Rc::downgrade(plugin);
    let send = Closure::<dyn FnMut(String)>::new(move |text: String| {
        if let Some(plugin) = weak.upgrade() {
            send_chat(&plugin, &text);
        }
    });
    let weak = Rc::downgrade(plugin);
    let open = Closure::<dyn FnMut()>::new(move || {
        if let Some(plugin) = weak.upgrade() {
            open_chat_window(&plugin);
        }
    });
    show_launcher(open.as_ref().unchecked_ref());
    if let Ok(mut inner) = plugin.inner.try_borrow_mut() {
        inner.chat_send = Some(send);
        inner.launcher_open = Some(open);
    }
}

fn open_chat_window(plugin: &Rc<Plugin>) {
    if let Ok(inner) = plugin.inner.try_borrow() {
        if let Some(send) = &inner.chat_send {
            open_chat(send.as_ref().unchecked_ref());
        }
    }
}

/// The shopper wrote in the chat: shown, and sent as a chat message event.
fn send_chat(plugin: &Rc<Plugin>, text: &str) {
    let Ok(id) = storage::random_bytes() else {
        return;
    };
    let text = floorwalker_shared::recorder::trim(text.trim(), MAX_CHAT_TEXT_LEN);
    chat_add("You", &text);
    {
        let Ok(mut inner) = plugin.inner.try_borrow_mut() else {
            return;
        };
        let event = ShopperEvent::ChatMessage {
            chat_id: None,
            client_msg_id: floorwalker_shared::base64url::encode(&id[..12]),
            text,
        };
        inner.recorder.record(wall_ms(), event);
    }
    transport::pump(plugin);
}

/// Handles a message pushed to this session.
pub(crate) fn on_push(plugin: &Rc<Plugin>, payload: &[u8]) {
    match read_push(payload) {
        Some(Shown::Offer { id, text }) => show(plugin, id, &text),
        Some(Shown::AgentMessage { name, text }) => {
            open_chat_window(plugin);
            chat_add(&name, &text);
        }
        Some(Shown::Survey { chat_id, question }) => ask(plugin, chat_id, &question),
        None => {}
    }
}

/// Asks the one question that closes a chat; the answer, with its optional
/// comment, is recorded.
fn ask(plugin: &Rc<Plugin>, chat_id: String, question: &str) {
    let weak = Rc::downgrade(plugin);
    let answer = Closure::<dyn FnMut(bool, String)>::new(move |helped: bool, comment: String| {
        let Some(plugin) = weak.upgrade() else { return };
        {
            let Ok(mut inner) = plugin.inner.try_borrow_mut() else {
                return;
            };
            let comment = floorwalker_shared::recorder::trim(&comment, MAX_COMMENT_LEN);
            let event = ShopperEvent::SurveyAnswer {
                chat_id: chat_id.clone(),
                helped,
                comment: (!comment.is_empty()).then_some(comment),
            };
            inner.recorder.record(wall_ms(), event);
        }
        transport::pump(&plugin);
    });
    if show_survey(question, answer.as_ref().unchecked_ref()) {
        if let Ok(mut inner) = plugin.inner.try_borrow_mut() {
            inner.survey_answer = Some(answer);
        }
    }
}

fn show(plugin: &Rc<Plugin>, id: String, text: &str) {
    {
        let Ok(inner) = plugin.inner.try_borrow() else {
            return;
        };
        if storage::declined(&inner.session) {
            return;
        }
    }
    let weak = Rc::downgrade(plugin);
    let offer_id = id.clone();
    let answer = Closure::<dyn FnMut(String)>::new(move |how: String| {
        let Some(plugin) = weak.upgrade() else { return };
        let accepted = how == "accepted";
        {
            let Ok(mut inner) = plugin.inner.try_borrow_mut() else {
                return;
            };
            let offer_id = offer_id.clone();
            let event = if accepted {
                ShopperEvent::OfferAccepted { offer_id }
            } else {
                storage::set_declined(&inner.session);
                ShopperEvent::OfferDeclined { offer_id }
            };
            inner.recorder.record(wall_ms(), event);
        }
        if accepted {
            open_chat_window(&plugin);
        }
        transport::pump(&plugin);
    });
    if show_offer(text, answer.as_ref().unchecked_ref()) {
        if let Ok(mut inner) = plugin.inner.try_borrow_mut() {
            inner
                .recorder
                .record(wall_ms(), ShopperEvent::OfferShown { offer_id: id });
            // The callback lives until the next offer replaces it.
            inner.offer_answer = Some(answer);
        }
        transport::pump(plugin);
    }
}

#[cfg(test)]
#[cfg(target_arch = "wasm32")]
mod tests {
    use std::cell::RefCell;

    use wasm_bindgen_test::wasm_bindgen_test;
    use web_sys::{Element, HtmlElement, ShadowRoot};

    use super::*;

    /// The Shadow DOM of the widget panel `id`, if it is on the page.
    fn panel(id: &str) -> Option<ShadowRoot> {
        web_sys::window()?
            .document()?
            .get_element_by_id(id)?
            .shadow_root()
    }

    fn find(root: &ShadowRoot, css: &str) -> Option<Element> {
        root.query_selector(css).ok().flatten()
    }

    fn press(element: &Element, key: &str) {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key(key);
        init.set_bubbles(true);
        let event =
            web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        element.dispatch_event(&event).unwrap();
    }

    fn click(element: &Element) {
        element.dyn_ref::<HtmlElement>().unwrap().click();
    }

    type Calls = Rc<RefCell<Vec<String>>>;

    /// A callback that keeps what it is called with.
    fn recorder() -> (Closure<dyn FnMut(String)>, Calls) {
        let calls = Calls::default();
        let sink = calls.clone();
        let callback =
            Closure::<dyn FnMut(String)>::new(move |value| sink.borrow_mut().push(value));
        (callback, calls)
    }

    const HOSTILE: &str = "<img src=x onerror=\"window.pwned=1\"><b>Need help?</b>";

    #[wasm_bindgen_test]
    fn an_offer_shows_its_text_as_text_and_escape_declines_it() {
        let (answer, answers) = recorder();
        assert!(show_offer(HOSTILE, answer.as_ref().unchecked_ref()));
        let root = panel("floorwalker-offer").expect("the offer is on the page");
        assert!(find(&root, "img").is_none() && find(&root, "b").is_none());
        let text = find(&root, "p").unwrap().text_content();
        assert_eq!(text.as_deref(), Some(HOSTILE));
        let dialog = find(&root, "[role=dialog]").unwrap();
        assert_eq!(
            dialog.get_attribute("aria-label").as_deref(),
            Some("Chat offer")
        );
        let dismiss = find(&root, "button.x").unwrap();
        assert_eq!(
            dismiss.get_attribute("aria-label").as_deref(),
            Some("Dismiss")
        );

        press(&dialog, "Escape");
        assert_eq!(*answers.borrow(), ["declined"]);
        assert!(panel("floorwalker-offer").is_none(), "the offer went away");
    }

    #[wasm_bindgen_test]
    fn accepting_an_offer_answers_once() {
        let (answer, answers) = recorder();
        show_offer("Need a hand?", answer.as_ref().unchecked_ref());
        let root = panel("floorwalker-offer").unwrap();
        let accept = find(&root, "button.accept").unwrap();
        click(&accept);
        click(&accept);
        assert_eq!(*answers.borrow(), ["accepted"]);
    }

    #[wasm_bindgen_test]
    fn the_chat_window_sends_what_the_shopper_types_and_shows_agents_text_as_text() {
        let (send, messages) = recorder();
        open_chat(send.as_ref().unchecked_ref());
        let root = panel("floorwalker-chat").expect("the chat window is open");
        let input: web_sys::HtmlInputElement = find(&root, "input").unwrap().dyn_into().unwrap();
        input.set_value("  where is my order?  ");
        let form: web_sys::HtmlFormElement = find(&root, "form").unwrap().dyn_into().unwrap();
        form.request_submit().unwrap();
        assert_eq!(input.value(), "", "the input is cleared");
        input.set_value("   ");
        form.request_submit().unwrap();
        assert_eq!(
            *messages.borrow(),
            ["where is my order?"],
            "blank messages are not sent"
        );

        chat_add("Ana <i>", HOSTILE);
        let log = find(&root, "[role=log]").unwrap();
        assert!(find(&root, "img").is_none() && find(&root, "i").is_none());
        assert_eq!(log.text_content().unwrap(), format!("Ana <i>: {HOSTILE}"));

        press(&log, "Escape");
        assert!(
            panel("floorwalker-chat").is_none(),
            "Escape closes the chat"
        );
    }

    #[wasm_bindgen_test]
    fn the_survey_answers_no_with_a_comment() {
        let answers = Rc::new(RefCell::new(Vec::new()));
        let sink = answers.clone();
        let answer = Closure::<dyn FnMut(bool, String)>::new(move |helped, comment| {
            sink.borrow_mut().push((helped, comment));
        });
        assert!(show_survey(
            "Did you get the help you needed?",
            answer.as_ref().unchecked_ref()
        ));
        let root = panel("floorwalker-survey").unwrap();
        let comment: web_sys::HtmlInputElement = find(&root, "input").unwrap().dyn_into().unwrap();
        comment.set_value(" too slow ");
        click(&find(&root, "button.no").unwrap());
        assert_eq!(*answers.borrow(), [(false, "too slow".to_owned())]);
        assert!(panel("floorwalker-survey").is_none());
    }

    fn push(json: &str) -> Option<Shown> {
        read_push(json.as_bytes())
    }

    #[wasm_bindgen_test]
    fn pushes_are_read_as_the_schema_says_and_anything_else_is_ignored() {
        assert!(matches!(
            push(r#"{"v":1,"push":{"chat_offer":{"offer_id":"of-1","text":"Hi"}}}"#),
            Some(Shown::Offer { id, text }) if id == "of-1" && text == "Hi"
        ));
        assert!(matches!(
            push(r#"{"v":1,"push":{"agent_message":{"chat_id":"c","agent_name":"Ana","text":"Hello","from_supervisor":true}}}"#),
            Some(Shown::AgentMessage { name, .. }) if name == "Ana (supervisor)"
        ));
        assert!(matches!(
            push(r#"{"v":1,"push":{"survey_prompt":{"chat_id":"c-1","question":"Helped?"}}}"#),
            Some(Shown::Survey { chat_id, .. }) if chat_id == "c-1"
        ));
        let long = "x".repeat(MAX_OFFER_TEXT_LEN + 1);
        for bad in [
            String::new(),
            "not json".to_owned(),
            r#"{"v":2,"push":{"chat_offer":{"offer_id":"of-1","text":"Hi"}}}"#.to_owned(),
            r#"{"v":1,"push":{"chat_offer":{"offer_id":"of-1","text":"  "}}}"#.to_owned(),
            r#"{"v":1,"push":{"chat_offer":{"offer_id":"of-1"}}}"#.to_owned(),
            format!(r#"{{"v":1,"push":{{"chat_offer":{{"offer_id":"of-1","text":"{long}"}}}}}}"#),
            r#"{"v":1,"push":{"refund":{"amount":100}}}"#.to_owned(),
        ] {
            assert!(push(&bad).is_none(), "{bad}");
        }
        assert!(read_push(&[0xff, 0xfe]).is_none(), "not UTF-8");
    }
}
