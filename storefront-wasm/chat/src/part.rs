//! The chat part's one instance: the core it works through, the session's
//! chat, the widget's callbacks, and one timer for what is due next.

use alloc::string::String;
use core::cell::RefCell;

use floorwalker_storefront_base::{clear_timeout, one_per_page, set_timeout};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::chat::{self, Chats};
use crate::host::Host;
use crate::widget;

/// What the survey calls with the shopper's answer (`None`: dismissed) and
/// comment.
pub(crate) type SurveyAnswer = Closure<dyn FnMut(Option<bool>, String)>;

/// Everything the part's handlers share.
pub(crate) struct Inner {
    /// The core's chat functions.
    pub(crate) host: Host,
    /// What the session's stored data starts with.
    pub(crate) key: String,
    /// The session's chat and the chat facts on their way.
    pub(crate) chats: Chats,
    /// The pending timer, and what it calls.
    timer: Option<i32>,
    timer_callback: Option<Closure<dyn FnMut()>>,
    /// The answer callback of the offer on screen.
    pub(crate) offer_answer: Option<Closure<dyn FnMut(String)>>,
    /// What the chat window calls with the shopper's messages.
    pub(crate) chat_send: Option<Closure<dyn FnMut(String)>>,
    /// What the chat window calls when the shopper closes it.
    pub(crate) chat_close: Option<Closure<dyn FnMut()>>,
    /// The answer callback of the survey on screen (`None` for dismissed).
    pub(crate) survey_answer: Option<SurveyAnswer>,
}

/// The chat part.
pub(crate) struct Part {
    pub(crate) inner: RefCell<Inner>,
}

one_per_page!(PART: Part);

/// Starts the part once (see `start` in lib.rs).
pub(crate) fn start(host: JsValue, key: &str) {
    if PART.get().is_some() {
        return;
    }
    let part = floorwalker_storefront_base::for_the_page(Part {
        inner: RefCell::new(Inner {
            host: host.unchecked_into(),
            key: key.into(),
            chats: Chats::load(key),
            timer: None,
            timer_callback: None,
            offer_answer: None,
            chat_send: None,
            chat_close: None,
            survey_answer: None,
        }),
    });
    let callback = Closure::<dyn FnMut()>::new(move || {
        if let Ok(mut inner) = part.inner.try_borrow_mut() {
            inner.timer = None;
        }
        pump(part);
    });
    part.inner.borrow_mut().timer_callback = Some(callback);
    PART.set(Some(part));
    widget::install(part);
    pump(part);
}

/// Runs `act` with the part if it has started.
pub(crate) fn with_part(act: impl FnOnce(&'static Part)) {
    if let Some(part) = PART.get() {
        act(part);
    }
}

/// Sends what is due (pending facts, presence) and sets the one timer for
/// what is due next.
pub(crate) fn pump(part: &'static Part) {
    let Ok(mut inner) = part.inner.try_borrow_mut() else {
        return;
    };
    let now = now_ms();
    chat::poll(&mut inner, now);
    if let Some(id) = inner.timer.take() {
        clear_timeout(id);
    }
    let Some(at) = chat::due_at(&mut inner) else {
        return;
    };
    let delay = i32::try_from(at.saturating_sub(now)).unwrap_or(i32::MAX);
    let Some(callback) = &inner.timer_callback else {
        return;
    };
    inner.timer = Some(set_timeout(callback.as_ref().unchecked_ref(), delay));
}

/// Runs `act` on the part's state, unless it is in use, then sends what is
/// due.
pub(crate) fn with(part: &'static Part, act: impl FnOnce(&mut Inner)) {
    if let Ok(mut inner) = part.inner.try_borrow_mut() {
        act(&mut inner);
    }
    pump(part);
}

/// The connection is (back) up: pending facts and presence go at once.
pub(crate) fn on_connected(part: &'static Part) {
    with(part, chat::on_connected);
}

/// A reply for the fact `id`: if it is the stream's acknowledgement, the
/// fact is done.
pub(crate) fn on_reply(part: &'static Part, id: &str, payload: &[u8]) {
    with(part, |inner| chat::on_reply(inner, id, payload));
}

/// `Date.now()` in whole milliseconds: the chat's deadlines are seconds
/// apart.
pub(crate) fn now_ms() -> u64 {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // ms since 1970
    let ms = js_sys::Date::now() as u64;
    ms
}
