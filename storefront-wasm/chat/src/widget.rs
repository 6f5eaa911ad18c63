//! What the shopper sees: a chat offer pushed to this session, with Accept
//! and No thanks; the chat window that accepting or asking (the launcher,
//! which the loader shows) opens, with a status line (the place in the
//! queue, the agent who joined) and the chat's lines; the one question that
//! closes a chat, with Yes, No and an optional comment. Declining is
//! remembered for the rest of the session: no later offer is shown, however
//! it is pushed.
//!
//! The widget is built by a small JS snippet, in a Shadow DOM so the shop's
//! CSS cannot break it nor it the shop. Text is set with `textContent` only,
//! never parsed as HTML. Building the DOM in JS rather than through web-sys
//! keeps a dozen DOM bindings out of the download. What a chat push changes
//! is worked out by `chat`; this module draws it.

use alloc::string::String;

use floorwalker_shared::chat::ChatFact;
use floorwalker_shared::event::limits::{MAX_CHAT_TEXT_LEN, MAX_COMMENT_LEN};
use floorwalker_shared::recorder::trim;
use js_sys::Function;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::chat::{self, Stage, Update};
use crate::part::{self, Part};
use crate::push::{self, Shown};
use crate::{storage, strings};

#[wasm_bindgen(module = "/src/widget.js")]
extern "C" {
    fn show_offer(text: &str, answer: &Function) -> bool;
    fn open_chat(send: &Function, close: &Function, chat_id: &str);
    fn chat_status(text: &str);
    fn chat_add(msg_id: &str, who: &str, text: &str);
    fn show_survey(question: &str, answer: &Function) -> bool;
}

/// Makes the chat window's callbacks, and shows the window if a chat of
/// the session is open (on an earlier page or in another tab).
pub(crate) fn install(part: &'static Part) {
    let send = Closure::<dyn FnMut(String)>::new(move |text: String| {
        say(part, &text);
    });
    let close = Closure::<dyn FnMut()>::new(move || {
        leave(part);
    });
    if let Ok(mut inner) = part.inner.try_borrow_mut() {
        inner.chat_send = Some(send);
        inner.chat_close = Some(close);
    }
    show_chat(part);
}

/// Opens the chat window on the session's open chat, if it has one: with
/// its status line, and the lines it showed on the chat's earlier pages.
fn show_chat(part: &'static Part) {
    let Ok(inner) = part.inner.try_borrow() else {
        return;
    };
    let Some(chat) = inner.chats.chat.as_ref().filter(|c| c.is_open()) else {
        return;
    };
    if let (Some(send), Some(close)) = (&inner.chat_send, &inner.chat_close) {
        open_chat(
            send.as_ref().unchecked_ref(),
            close.as_ref().unchecked_ref(),
            &chat.id,
        );
        chat_status(&chat.status);
    }
}

/// Shows what a push changed in the open chat window.
fn draw(update: &Update) {
    if let Some(status) = &update.status {
        chat_status(status);
    }
    for line in &update.lines {
        chat_add(
            line.id.as_deref().unwrap_or_default(),
            line.from.as_deref().unwrap_or(strings::YOU),
            &line.text,
        );
    }
}

/// The shopper opened the launcher or accepted offer `offer_id`: a chat
/// opens unless one is, and its window shows.
pub(crate) fn ask_for_help(part: &'static Part, offer_id: Option<String>) {
    if let Ok(mut inner) = part.inner.try_borrow_mut() {
        chat::start(&mut inner, offer_id);
    }
    show_chat(part);
    part::pump(part);
}

/// The shopper wrote in the chat window: shown, and sent in the open chat
/// (or a new one, if the last one ended).
fn say(part: &'static Part, text: &str) {
    let text = trim(text.trim(), MAX_CHAT_TEXT_LEN);
    let Ok(sent) = part
        .inner
        .try_borrow_mut()
        .map(|mut inner| chat::say(&mut inner, text.clone()))
    else {
        return;
    };
    if let Some(msg_id) = sent {
        // A new chat, if the last one ended, starts with an empty window.
        show_chat(part);
        chat_add(&msg_id, strings::YOU, &text);
    } else {
        chat_status(strings::NOT_SENT);
    }
    part::pump(part);
}

/// The shopper closed the chat window: the open chat is left.
fn leave(part: &'static Part) {
    part::with(part, chat::leave);
}

/// Handles a message pushed to this session.
pub(crate) fn on_push(part: &'static Part, payload: &[u8]) {
    let Some(shown) = push::read(payload) else {
        return;
    };
    if let Some(id) = shown.chat_id() {
        if let Ok(mut inner) = part.inner.try_borrow_mut() {
            chat::adopt(&mut inner, id);
        }
    }
    match shown {
        Shown::Offer { id, text } => show(part, &id, &text),
        Shown::Survey { chat_id, question } => ask(part, chat_id, &question),
        shown => {
            let update = {
                let Ok(mut inner) = part.inner.try_borrow_mut() else {
                    return;
                };
                let update = chat::apply(&mut inner.chats, shown);
                if update.is_empty() {
                    return;
                }
                chat::save(&inner);
                update
            };
            // The window is open while the chat is, unless the page had no
            // body when this part started.
            show_chat(part);
            draw(&update);
        }
    }
}

/// Asks the one question that closes chat `chat_id`, if it is the
/// session's (open, or just left); the answer, with its optional comment,
/// goes as the chat's last fact. Answered or dismissed, the chat is over.
fn ask(part: &'static Part, chat_id: String, question: &str) {
    {
        let Ok(mut inner) = part.inner.try_borrow_mut() else {
            return;
        };
        let Some(chat) = inner.chats.get(&chat_id) else {
            return;
        };
        chat.stage = Stage::Over;
        chat.status = strings::ENDED.into();
        chat::save(&inner);
    }
    chat_status(strings::ENDED);
    let answer = Closure::<dyn FnMut(Option<bool>, String)>::new(
        move |helped: Option<bool>, comment: String| {
            if let Ok(mut inner) = part.inner.try_borrow_mut() {
                if let Some(helped) = helped {
                    let comment = trim(&comment, MAX_COMMENT_LEN);
                    let fact = ChatFact::Survey {
                        chat_id: chat_id.clone(),
                        helped,
                        comment: (!comment.is_empty()).then_some(comment),
                    };
                    chat::send(&mut inner, fact);
                }
                chat::forget(&mut inner, &chat_id);
            }
            part::pump(part);
        },
    );
    if show_survey(question, answer.as_ref().unchecked_ref()) {
        if let Ok(mut inner) = part.inner.try_borrow_mut() {
            inner.survey_answer = Some(answer);
        }
    }
}

fn show(part: &'static Part, id: &str, text: &str) {
    {
        let Ok(inner) = part.inner.try_borrow() else {
            return;
        };
        if storage::declined(&inner.key) {
            return;
        }
    }
    let offer_id = String::from(id);
    let answer = Closure::<dyn FnMut(String)>::new(move |how: String| {
        let accepted = how == "accepted";
        {
            let Ok(inner) = part.inner.try_borrow() else {
                return;
            };
            if !accepted {
                storage::set_declined(&inner.key);
            }
            let what = if accepted { "accepted" } else { "declined" };
            inner.host.record(what, &offer_id);
        }
        if accepted {
            ask_for_help(part, Some(offer_id.clone()));
        } else {
            part::pump(part);
        }
    });
    if show_offer(text, answer.as_ref().unchecked_ref()) {
        if let Ok(mut inner) = part.inner.try_borrow_mut() {
            inner.host.record("shown", id);
            // The callback lives until the next offer replaces it.
            inner.offer_answer = Some(answer);
        }
        part::pump(part);
    }
}

#[cfg(test)]
#[cfg(target_arch = "wasm32")]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

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

    /// A callback that counts its calls.
    fn counter() -> (Closure<dyn FnMut()>, Rc<RefCell<u32>>) {
        let calls = Rc::new(RefCell::new(0));
        let sink = calls.clone();
        let callback = Closure::<dyn FnMut()>::new(move || *sink.borrow_mut() += 1);
        (callback, calls)
    }

    #[wasm_bindgen_test]
    fn the_chat_window_sends_what_the_shopper_types_and_shows_agents_text_as_text() {
        let (send, messages) = recorder();
        let (close, closed) = counter();
        let (send, close) = (
            send.as_ref().unchecked_ref(),
            close.as_ref().unchecked_ref(),
        );
        remove_window();
        open_chat(send, close, "c-0");
        open_chat(send, close, "c-0");
        assert_eq!(
            web_sys::window()
                .unwrap()
                .document()
                .unwrap()
                .query_selector_all("#floorwalker-chat")
                .unwrap()
                .length(),
            1,
            "one window"
        );
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

        chat_add("m-1", "Ana <i>", HOSTILE);
        let log = find(&root, "[role=log]").unwrap();
        assert!(find(&root, "img").is_none() && find(&root, "i").is_none());
        assert_eq!(log.text_content().unwrap(), format!("Ana <i>: {HOSTILE}"));

        assert_eq!(*closed.borrow(), 0);
        press(&log, "Escape");
        assert!(
            panel("floorwalker-chat").is_none(),
            "Escape closes the chat"
        );
        assert_eq!(*closed.borrow(), 1, "closing is told, once");
    }

    /// A chat window on the page for the open chat `id` (one per test: the
    /// tests share the page and its storage), and the chat's state.
    /// What the chat window calls, kept alive while it is open.
    type Callbacks = [Closure<dyn FnMut()>; 2];

    fn open_window(id: &str) -> (chat::Chats, Callbacks, ShadowRoot) {
        let (send, close) = (counter().0, counter().0);
        remove_window();
        open_chat(
            send.as_ref().unchecked_ref(),
            close.as_ref().unchecked_ref(),
            id,
        );
        let mut chats = chat::Chats::default();
        chats.chat = Some(chat::Chat {
            id: id.into(),
            stage: Stage::Waiting,
            status: strings::WAITING.into(),
        });
        (chats, [send, close], panel("floorwalker-chat").unwrap())
    }

    /// What leaving the page does to the chat window.
    fn remove_window() {
        if let Some(old) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("floorwalker-chat"))
        {
            old.remove();
        }
    }

    /// The texts of the chat window's lines.
    fn lines(root: &ShadowRoot) -> Vec<String> {
        let lines = root.query_selector_all("[role=log] p").unwrap();
        (0..lines.length())
            .map(|i| lines.item(i).unwrap().text_content().unwrap())
            .collect()
    }

    /// Reads `json` as a push and shows what it changes, as `on_push` does.
    fn receive(chats: &mut chat::Chats, json: &str) {
        let shown = push::read(json.as_bytes()).expect("a valid push");
        draw(&chat::apply(chats, shown));
    }

    fn text(root: &ShadowRoot, css: &str) -> String {
        find(root, css).unwrap().text_content().unwrap_or_default()
    }

    #[wasm_bindgen_test]
    fn the_status_line_shows_the_place_in_the_queue_and_who_joined() {
        let (mut chats, _callbacks, root) = open_window("c-1");
        let status = find(&root, ".s").unwrap();
        assert_eq!(status.get_attribute("aria-live").as_deref(), Some("polite"));
        let queue = |position: u32, wait: &str| {
            format!(
                r#"{{"v":1,"push":{{"queue_status":{{"chat_id":"c-1","position":{position}{wait}}}}}}}"#
            )
        };
        for (push, shown) in [
            (
                queue(2, r#","expected_wait_secs":180"#),
                "You are number 2 in the queue · about 3 min",
            ),
            (
                queue(1, r#","expected_wait_secs":20"#),
                "You are number 1 in the queue · less than a minute",
            ),
            (queue(12, ""), "You are number 12 in the queue"),
            (
                queue(3, r#","expected_wait_secs":null"#),
                "You are number 3 in the queue",
            ),
        ] {
            receive(&mut chats, &push);
            assert_eq!(text(&root, ".s"), shown, "{push}");
        }
        // About another chat: ignored.
        receive(
            &mut chats,
            r#"{"v":1,"push":{"queue_status":{"chat_id":"c-0","position":9}}}"#,
        );
        assert_eq!(text(&root, ".s"), "You are number 3 in the queue");

        receive(
            &mut chats,
            r#"{"v":1,"push":{"chat_joined":{"chat_id":"c-1","agent_name":"Ana <b>"}}}"#,
        );
        assert_eq!(text(&root, ".s"), "Ana <b> joined the chat");
        assert!(find(&root, "b").is_none());
        let chat = chats.chat.as_ref().unwrap();
        assert_eq!(chat.stage, Stage::Answered);
        assert_eq!(
            chat.status, "Ana <b> joined the chat",
            "kept for the next page"
        );
    }

    #[wasm_bindgen_test]
    fn an_agents_message_is_shown_once_per_id() {
        let (mut chats, _callbacks, root) = open_window("c-2");
        let message = |id: &str, text: &str| {
            format!(
                r#"{{"v":1,"push":{{"agent_message":{{"chat_id":"c-2","agent_name":"Ana","text":"{text}","from_supervisor":false,"msg_id":"{id}"}}}}}}"#
            )
        };
        receive(&mut chats, &message("m1", "Hello!"));
        receive(&mut chats, &message("m1", "Hello!"));
        receive(&mut chats, &message("m2", "Hello!"));
        receive(
            &mut chats,
            r#"{"v":1,"push":{"agent_message":{"chat_id":"c-2","agent_name":"Sam","text":"<b>Hi</b>","from_supervisor":true}}}"#,
        );
        receive(
            &mut chats,
            r#"{"v":1,"push":{"agent_message":{"chat_id":"other","agent_name":"Eve","text":"psst","from_supervisor":false}}}"#,
        );
        assert_eq!(
            text(&root, "[role=log]"),
            "Ana: Hello!Ana: Hello!Sam (supervisor): <b>Hi</b>",
            "m1 once, m2 once, the supervisor's text as text, nothing from another chat"
        );
        assert!(find(&root, "b").is_none());
    }

    #[wasm_bindgen_test]
    fn a_transcript_adds_only_the_lines_not_shown_yet() {
        let (mut chats, _callbacks, root) = open_window("c-3");
        receive(
            &mut chats,
            r#"{"v":1,"push":{"agent_message":{"chat_id":"c-3","agent_name":"Ana","text":"Hi, how can I help?","from_supervisor":false,"msg_id":"m2"}}}"#,
        );
        receive(
            &mut chats,
            r#"{"v":1,"push":{"transcript":{"chat_id":"c-3","lines":[
                {"msg_id":"m1","text":"Do you ship to Norway?"},
                {"msg_id":"m2","from":"Ana","text":"Hi, how can I help?"},
                {"msg_id":"m3","from":"Ana","text":"Yes, in 3 days."}]}}}"#,
        );
        assert_eq!(
            lines(&root),
            [
                "Ana: Hi, how can I help?",
                "You: Do you ship to Norway?",
                "Ana: Yes, in 3 days."
            ]
        );
        // The same transcript again (a reconnect) adds nothing.
        receive(
            &mut chats,
            r#"{"v":1,"push":{"transcript":{"chat_id":"c-3","lines":[
                {"msg_id":"m3","from":"Ana","text":"Yes, in 3 days."}]}}}"#,
        );
        assert_eq!(lines(&root).len(), 3);
    }

    #[wasm_bindgen_test]
    fn the_next_page_of_a_chat_shows_its_lines_again_and_another_chat_starts_empty() {
        let (mut chats, callbacks, _) = open_window("c-4");
        let message = r#"{"v":1,"push":{"agent_message":{"chat_id":"c-4","agent_name":"Ana","text":"Hi!","from_supervisor":false,"msg_id":"m1"}}}"#;
        receive(&mut chats, message);
        chat_add("m2", strings::YOU, "Hello");
        let [send, close] = callbacks.each_ref().map(|c| c.as_ref().unchecked_ref());

        // A new page: the window opens with the chat's lines, and a push
        // seen on the last page is not shown again.
        remove_window();
        open_chat(send, close, "c-5");
        open_chat(send, close, "c-4");
        let root = panel("floorwalker-chat").unwrap();
        assert_eq!(lines(&root), ["Ana: Hi!", "You: Hello"]);
        receive(&mut chats, message);
        assert_eq!(lines(&root).len(), 2);

        // Another chat in the same window starts empty.
        open_chat(send, close, "c-6");
        assert_eq!(lines(&root), Vec::<String>::new());
    }

    #[wasm_bindgen_test]
    fn the_survey_answers_no_with_a_comment_or_is_dismissed() {
        let answers = Rc::new(RefCell::new(Vec::new()));
        let sink = answers.clone();
        let answer = Closure::<dyn FnMut(Option<bool>, String)>::new(move |helped, comment| {
            sink.borrow_mut().push((helped, comment));
        });
        for button in ["button.no", "button.x"] {
            assert!(show_survey(
                "Did you get the help you needed?",
                answer.as_ref().unchecked_ref()
            ));
            let root = panel("floorwalker-survey").unwrap();
            let comment: web_sys::HtmlInputElement =
                find(&root, "input").unwrap().dyn_into().unwrap();
            comment.set_value(" too slow ");
            click(&find(&root, button).unwrap());
            assert!(panel("floorwalker-survey").is_none());
        }
        assert_eq!(
            *answers.borrow(),
            [
                (Some(false), "too slow".to_owned()),
                (None, "too slow".to_owned())
            ]
        );
    }
}
