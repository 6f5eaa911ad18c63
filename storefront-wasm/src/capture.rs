//! Listening to the page: page views (loads and single-page route changes),
//! the tab going hidden or visible, leaving, exit intent, scroll depth and
//! idleness.
//!
//! Every listener is passive and reads no layout; the work is recording an
//! event, and batches leave later, off the event path (see `transport`).

use alloc::rc::{Rc, Weak};
use alloc::string::String;

use floorwalker_shared::event::ShopperEvent;
use js_sys::{Function, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AddEventListenerOptions, EventTarget, MouseEvent, VisibilityState};

use crate::error::{StartError, StartErrorKind as Kind};
use crate::plugin::{Inner, Plugin};
use crate::storage;
use crate::transport::{self, wall_ms};

// The page hooks that run on every input or push, in plain JS: a call into
// wasm per pointer move would cost more than the move itself.
//
// The input listeners only note that there was input (and a scroll); the
// once-a-second tick reads and clears the notes, so input is timed to the
// second, which is all idleness needs. Wrapping `dataLayer.push` in JS keeps
// every argument of the shop's call (a Rust closure has a fixed arity)
// without `new Function`, which a storefront's content security policy may
// forbid; the shop's push runs first and its result is returned, and our
// hook can neither throw nor change it.
#[wasm_bindgen(inline_js = "let input = false, scrolled = false;
export function watch_input() {
  const opts = { passive: true, capture: true };
  const note = () => { input = true; };
  for (const name of ['pointermove', 'keydown', 'touchstart']) addEventListener(name, note, opts);
  addEventListener('scroll', () => { input = scrolled = true; }, opts);
}
export function take_input() { const i = input; input = false; return i; }
export function take_scrolled() { const s = scrolled; scrolled = false; return s; }
export function wrap_push(layer, hook) {
  const original = layer.push;
  layer.push = function (...entries) {
    const result = original.apply(this, entries);
    for (const entry of entries) { try { hook(entry); } catch (_) {} }
    return result;
  };
}")]
extern "C" {
    fn watch_input();
    fn take_input() -> bool;
    fn take_scrolled() -> bool;
    pub(crate) fn wrap_push(layer: &JsValue, hook: &Function);
}

/// Records the first page view and installs every listener.
pub(crate) fn install(plugin: &Rc<Plugin>) -> Result<(), StartError> {
    let window = web_sys::window().ok_or(Kind::NO_WINDOW)?;
    let document = window.document().ok_or(Kind::NO_DOCUMENT)?;
    record_page(plugin, true);

    // Single-page shops change routes with history.pushState/replaceState,
    // which fire no event: wrap them.
    let history = window.history().map_err(|_| Kind::NO_HISTORY)?;
    for name in ["pushState", "replaceState"] {
        let original: Function = Reflect::get(&history, &JsValue::from_str(name))
            .ok()
            .and_then(|f| f.dyn_into().ok())
            .ok_or(Kind::NO_HISTORY_HOOKS)?;
        let (weak, target) = (Rc::downgrade(plugin), history.clone());
        let wrapper =
            Closure::<dyn FnMut(JsValue, JsValue, JsValue) -> Result<JsValue, JsValue>>::new(
                move |state: JsValue, title: JsValue, url: JsValue| {
                    // The page's own call: its errors stay its own.
                    let result = original.call3(&target, &state, &title, &url);
                    if let Some(plugin) = weak.upgrade() {
                        record_page(&plugin, false);
                    }
                    result
                },
            );
        let _ = Reflect::set(&history, &JsValue::from_str(name), wrapper.as_ref());
        // The wrapper replaces a page function for the page's lifetime.
        wrapper.forget();
    }

    let win: &EventTarget = window.as_ref();
    let doc: &EventTarget = document.as_ref();
    listen(plugin, win, "popstate", |plugin, _| {
        record_page(plugin, false);
    });
    listen(plugin, win, "hashchange", |plugin, _| {
        record_page(plugin, false);
    });
    listen(plugin, doc, "visibilitychange", |plugin, _| {
        let hidden = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.visibility_state() == VisibilityState::Hidden);
        let kind = if hidden {
            ShopperEvent::TabHidden
        } else {
            ShopperEvent::TabVisible
        };
        with(plugin, |inner| {
            inner.recorder.record(wall_ms(), kind);
            // The page may be closed from the background: send what waits.
            if hidden {
                transport::send_batches(inner, true);
            }
        });
    });
    listen(plugin, win, "pagehide", |plugin, _| {
        with(plugin, |inner| {
            inner.recorder.leave_page(wall_ms());
            transport::send_batches(inner, true);
        });
        // What could not go (the page is left before the connection is up,
        // or while it is down) waits in storage for the session's next page.
        if let Ok(mut inner) = plugin.inner.try_borrow_mut() {
            let events = inner.subjects.events();
            let unsent = inner.conn.take_unsent(&events);
            storage::keep_unsent(&inner.session, &unsent);
        }
    });
    // Input is noted in JS (see `watch_input`); a once-a-second tick reads
    // it and the scroll depth, so no handler reads layout.
    watch_input();
    let weak = Rc::downgrade(plugin);
    let tick = Closure::<dyn FnMut()>::new(move || {
        if let Some(plugin) = weak.upgrade() {
            tick(&plugin);
        }
    });
    let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
        tick.as_ref().unchecked_ref(),
        1_000,
    );
    // The tick runs for the page's lifetime.
    tick.forget();
    listen(plugin, doc, "mouseout", |plugin, event| {
        // Leaving through the top edge, towards the tabs or the close button.
        let Some(mouse) = event.dyn_ref::<MouseEvent>() else {
            return;
        };
        if mouse.related_target().is_none() && mouse.client_y() <= 0 {
            with(plugin, |inner| {
                inner.recorder.record(wall_ms(), ShopperEvent::ExitIntent);
            });
        }
    });
    Ok(())
}

/// Once a second: activity, scroll depth and idleness for the recorder.
fn tick(plugin: &Rc<Plugin>) {
    let input = take_input();
    let depth = take_scrolled().then(scroll_percent).flatten();
    with(plugin, |inner| {
        let now = wall_ms();
        if input {
            inner.recorder.activity(now);
        }
        if let Some(percent) = depth {
            inner.recorder.scrolled(now, percent);
        }
        inner.recorder.tick(now);
    });
}

/// How far down the page the bottom of the window is, in percent.
fn scroll_percent() -> Option<u8> {
    let window = web_sys::window()?;
    let height = f64::from(window.document()?.document_element()?.scroll_height());
    let bottom = window.scroll_y().ok()? + window.inner_height().ok()?.as_f64()?;
    if height <= 0.0 {
        return None;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // clamped to 0..=100
    let percent = (bottom / height * 100.0).clamp(0.0, 100.0) as u8;
    Some(percent)
}

/// Adds a passive listener that lives as long as the page.
fn listen(
    plugin: &Rc<Plugin>,
    target: &EventTarget,
    name: &str,
    act: fn(&Rc<Plugin>, &web_sys::Event),
) {
    let weak: Weak<Plugin> = Rc::downgrade(plugin);
    let callback = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        if let Some(plugin) = weak.upgrade() {
            act(&plugin, &event);
        }
    });
    let options = AddEventListenerOptions::new();
    options.set_passive(true);
    let _ = target.add_event_listener_with_callback_and_add_event_listener_options(
        name,
        callback.as_ref().unchecked_ref(),
        &options,
    );
    if let Ok(mut inner) = plugin.inner.try_borrow_mut() {
        inner.listeners.push(callback);
    }
}

/// Runs `act` on the plugin's state, then lets the transport send.
fn with(plugin: &Rc<Plugin>, act: impl FnOnce(&mut Inner)) {
    {
        let Ok(mut inner) = plugin.inner.try_borrow_mut() else {
            return;
        };
        act(&mut inner);
    }
    transport::pump(plugin);
}

/// Records a view of the page the browser shows now.
fn record_page(plugin: &Rc<Plugin>, landing: bool) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let mut path = location.pathname().unwrap_or_default();
    // Hash routers keep the route after '#/'.
    if let Ok(hash) = location.hash() {
        if hash.starts_with("#/") {
            path.push_str(&hash);
        }
    }
    let query = location.search().unwrap_or_default();
    let document = window.document();
    let title = document
        .as_ref()
        .map(web_sys::Document::title)
        .unwrap_or_default();
    // Only the landing page has a referrer: later views come from this site.
    let referrer = if landing {
        document
            .as_ref()
            .map(web_sys::Document::referrer)
            .unwrap_or_default()
    } else {
        String::new()
    };
    with(plugin, |inner| {
        inner
            .recorder
            .page_view(wall_ms(), &path, &query, &title, &referrer);
    });
}

#[cfg(test)]
#[cfg(target_arch = "wasm32")]
mod tests {
    use wasm_bindgen::JsValue;
    use wasm_bindgen_test::wasm_bindgen_test;

    use crate::plugin::with_plugin;

    fn current_path() -> Option<String> {
        let mut path = None;
        with_plugin(|p| path = p.inner.borrow().recorder.current_path().map(str::to_owned));
        path
    }

    #[wasm_bindgen_test]
    fn input_and_scrolling_are_noted_until_the_tick_reads_them() {
        super::watch_input();
        let window = web_sys::window().unwrap();
        let _ = (super::take_input(), super::take_scrolled());
        assert!(!super::take_input(), "nothing happened yet");
        window
            .dispatch_event(&web_sys::Event::new("pointermove").unwrap())
            .unwrap();
        assert!(super::take_input());
        assert!(!super::take_input(), "read once");
        assert!(!super::take_scrolled());
        window
            .dispatch_event(&web_sys::Event::new("scroll").unwrap())
            .unwrap();
        assert!(super::take_scrolled() && !super::take_scrolled());
    }

    // One test: the plugin starts once per page.
    #[wasm_bindgen_test]
    fn start_follows_route_changes_and_bad_options_leave_the_page_alone() {
        crate::start(JsValue::from(42));
        assert_eq!(
            current_path(),
            None,
            "bad options start nothing, and throw nothing"
        );

        let window = web_sys::window().unwrap();
        let history = window.history().unwrap();
        let page = window.location().pathname().unwrap();
        let options = js_sys::JSON::parse(r#"{"server":"ws://127.0.0.1:9","site":"test"}"#);
        crate::start(options.unwrap());
        assert_eq!(current_path(), Some(page.clone()));

        history
            .push_state_with_url(&JsValue::NULL, "", Some("/shoes/trail?utm_source=x"))
            .unwrap();
        assert_eq!(current_path().as_deref(), Some("/shoes/trail"));
        history
            .replace_state_with_url(&JsValue::NULL, "", Some("/shoes/road"))
            .unwrap();
        assert_eq!(current_path().as_deref(), Some("/shoes/road"));
        history
            .replace_state_with_url(&JsValue::NULL, "", Some(&page))
            .unwrap();
    }
}
