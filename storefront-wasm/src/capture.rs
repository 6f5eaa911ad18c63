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
// second, which is all idleness needs.
//
// The page itself is read in JS too (`this_page`: time, path with a hash
// router's route, query, title and referrer, one per line, which none of them
// can hold), for a page left before the plugin starts on it. The wasm starts
// only after the page has loaded (`await init()` fetches and compiles it), so
// a shopper who moves on at once (a quick click, a redirect) leaves before
// `start` runs, and that page, often the landing page with how the shopper
// came, would never be recorded. This module runs earlier, with the page's
// scripts (the glue imports it): it notes when the page was shown, and a page
// left before `start` keeps its view, and when it was left, in
// `localStorage`; the next page's `start` records it first (`take_early`).
//
// Wrapping `dataLayer.push` in JS keeps every argument of the shop's call (a
// Rust closure has a fixed arity) without `new Function`, which a
// storefront's content security policy may forbid; the shop's push runs
// first and its result is returned, and our hook can neither throw nor
// change it.
#[wasm_bindgen(inline_js = "let input = false, scrolled = false, started = false;
const shown = Date.now();
const page = (at) => [at, location.pathname + (location.hash.startsWith('#/') ? location.hash : ''),
  location.search, document.title, document.referrer].join('\\n');
addEventListener('pagehide', () => {
  if (!started) try { localStorage.setItem('floorwalker.early', page(shown) + '\\n' + Date.now()); } catch (_) {}
});
export function this_page() { return page(Date.now()); }
export function take_early() {
  started = true;
  try {
    const early = localStorage.getItem('floorwalker.early');
    localStorage.removeItem('floorwalker.early');
    return early;
  } catch (_) {}
}
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
    fn this_page() -> String;
    fn take_early() -> Option<String>;
    fn watch_input();
    fn take_input() -> bool;
    fn take_scrolled() -> bool;
    pub(crate) fn wrap_push(layer: &JsValue, hook: &Function);
}

/// Records the first page view and installs every listener.
pub(crate) fn install(plugin: &Rc<Plugin>) -> Result<(), StartError> {
    let window = web_sys::window().ok_or(Kind::NO_WINDOW)?;
    let document = window.document().ok_or(Kind::NO_DOCUMENT)?;
    if let Some(early) = take_early() {
        record_page(plugin, &early, true);
    }
    record_page(plugin, &this_page(), true);

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
                        record_page(&plugin, &this_page(), false);
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
        record_page(plugin, &this_page(), false);
    });
    listen(plugin, win, "hashchange", |plugin, _| {
        record_page(plugin, &this_page(), false);
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

/// Records a view of a page as `this_page` reads it; a page left before the
/// plugin started on it (`take_early`) also says when it was left, and one
/// left longer ago than a session lasts (a tab closed long ago) belongs to
/// no session of now.
fn record_page(plugin: &Rc<Plugin>, page: &str, landing: bool) {
    let mut fields = page.split('\n');
    let mut next = || fields.next();
    let (Some(at), Some(path), Some(query), Some(title), Some(referrer), left) =
        (next(), next(), next(), next(), next(), next())
    else {
        return;
    };
    let Ok(at) = at.parse() else { return };
    let left = left.and_then(|l| l.parse::<u64>().ok());
    if left.is_some_and(|l| wall_ms().saturating_sub(l) > u64::from(storage::SESSION_IDLE_MS)) {
        return;
    }
    // Only the landing page has a referrer: later views come from this site.
    let referrer = if landing { referrer } else { "" };
    with(plugin, |inner| {
        inner.recorder.page_view(at, path, query, title, referrer);
        if let Some(left) = left {
            inner.recorder.leave_page(left);
        }
    });
}

#[cfg(test)]
#[cfg(target_arch = "wasm32")]
mod tests {
    use wasm_bindgen::JsValue;
    use wasm_bindgen_test::wasm_bindgen_test;

    use floorwalker_shared::event::{ShopperEvent, Utm};
    use floorwalker_shared::wire::decode_batch;

    use crate::plugin::with_plugin;
    use crate::transport::wall_ms;

    /// The events the plugin has published since last asked (it has no
    /// server: they wait in its outbox), taken back.
    fn published() -> Vec<ShopperEvent> {
        let mut events = Vec::new();
        with_plugin(|p| {
            let mut inner = p.inner.borrow_mut();
            let subject = inner.subjects.events();
            for batch in inner.conn.take_unsent(&subject) {
                let batch = decode_batch(&batch).unwrap();
                events.extend(batch.events.into_iter().map(|e| e.kind));
            }
        });
        events
    }

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
    fn start_records_a_page_left_before_it_then_follows_route_changes() {
        crate::start(JsValue::from(42));
        assert_eq!(
            current_path(),
            None,
            "bad options start nothing, and throw nothing"
        );

        let window = web_sys::window().unwrap();
        let history = window.history().unwrap();
        let page = window.location().pathname().unwrap();
        // A page left before the plugin could start on it, as the JS hook
        // keeps it: shown, path, query, title, referrer, left.
        let now = wall_ms();
        let early = |shown: u64, left: u64| {
            [
                &shown.to_string(),
                "/landing",
                "?utm_source=news&x=1",
                "Landing",
                "https://mail.example/",
                &left.to_string(),
            ]
            .join("\n")
        };
        let storage = window.local_storage().unwrap().unwrap();
        storage
            .set_item("floorwalker.early", &early(now - 500, now - 300))
            .unwrap();
        let options = js_sys::JSON::parse(r#"{"server":"ws://127.0.0.1:9","site":"test"}"#);
        crate::start(options.unwrap());
        assert_eq!(current_path(), Some(page.clone()));
        let events = published();
        assert_eq!(
            events[..2],
            [
                ShopperEvent::PageView {
                    path: "/landing".into(),
                    title: "Landing".into(),
                    referrer: Some("https://mail.example/".into()),
                    utm: Some(Utm {
                        source: Some("news".into()),
                        medium: None,
                        campaign: None,
                    }),
                },
                ShopperEvent::Dwell {
                    path: "/landing".into(),
                    ms: 200,
                },
            ],
            "the page left early comes first, with its dwell"
        );
        assert!(
            matches!(&events[2], ShopperEvent::PageView { path, .. } if *path == page),
            "{events:?}"
        );
        assert_eq!(
            storage.get_item("floorwalker.early").unwrap(),
            None,
            "taken once"
        );
        // One left longer ago than a session lasts belongs to no session of
        // now; anything else in its place is not a page.
        let hour = 3_600_000;
        for junk in [
            early(now - hour, now - hour + 1),
            String::new(),
            "x\ny".into(),
        ] {
            with_plugin(|p| super::record_page(p, &junk, true));
            assert_eq!(published(), [], "{junk:?}");
        }

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
