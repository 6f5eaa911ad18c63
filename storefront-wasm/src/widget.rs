//! What the shopper sees: a chat offer pushed to this session, with Accept
//! and No thanks. Declining is remembered for the rest of the session: no
//! later offer is shown, however it is pushed.
//!
//! The widget is built by a small JS snippet, in a Shadow DOM so the shop's
//! CSS cannot break it nor it the shop. Text is set with `textContent` only,
//! never parsed as HTML. Building the DOM in JS rather than through web-sys
//! keeps a dozen DOM bindings out of the download.

use std::rc::Rc;

use floorwalker_shared::event::ShopperEvent;
use floorwalker_shared::event::limits::{MAX_ID_LEN, MAX_OFFER_TEXT_LEN};
use js_sys::{Function, JSON, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::plugin::Plugin;
use crate::storage;
use crate::transport::{self, wall_ms};

#[wasm_bindgen(inline_js = r#"
const CSS = `:host{all:initial}
.o{position:fixed;right:16px;bottom:16px;z-index:2147483647;max-width:320px;font:15px/1.4 system-ui,sans-serif;color:#1b1b1b;background:#fff;border:1px solid #888;border-radius:8px;padding:12px 36px 12px 14px;box-shadow:0 4px 16px #0003}
p{margin:0 0 10px}button{font:inherit;margin-right:8px;padding:4px 12px;cursor:pointer}
.x{position:absolute;top:4px;right:4px;margin:0;padding:0 6px;border:0;background:none;font-size:18px}
button:focus-visible{outline:2px solid #1a5fb4;outline-offset:2px}`;

export function show_offer(text, answer) {
  if (!document.body) return false;
  document.getElementById("floorwalker-offer")?.remove();
  const host = document.createElement("div");
  host.id = "floorwalker-offer";
  const root = host.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent = CSS;
  const box = document.createElement("div");
  box.className = "o";
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-label", "Chat offer");
  box.setAttribute("aria-live", "polite");
  const message = document.createElement("p");
  message.textContent = text;
  const button = (label, name) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = name;
    b.textContent = label;
    return b;
  };
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
  box.append(message, accept, decline, close);
  root.append(style, box);
  document.body.append(host);
  return true;
}
"#)]
extern "C" {
    fn show_offer(text: &str, answer: &Function) -> bool;
}

/// An offer as pushed.
struct Offer {
    id: String,
    text: String,
}

/// Reads a push's payload (`{ v: 1, push: { chat_offer: { offer_id, text } } }`)
/// with the browser's JSON parser, and checks it as the schema would.
fn offer_of(payload: &[u8]) -> Option<Offer> {
    let text = std::str::from_utf8(payload).ok()?;
    let value = JSON::parse(text).ok()?;
    let get = |v: &JsValue, key: &str| Reflect::get(v, &JsValue::from_str(key)).ok();
    #[allow(clippy::float_cmp)] // JSON numbers are f64s; small integers are exact
    let other_version =
        get(&value, "v")?.as_f64()? != f64::from(floorwalker_shared::event::SCHEMA_VERSION);
    if other_version {
        return None;
    }
    let offer = get(&get(&value, "push")?, "chat_offer")?;
    let id = get(&offer, "offer_id")?.as_string()?;
    let text = get(&offer, "text")?.as_string()?;
    let valid = !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && !text.trim().is_empty()
        && text.len() <= MAX_OFFER_TEXT_LEN;
    valid.then_some(Offer { id, text })
}

/// Handles a message pushed to this session.
pub(crate) fn on_push(plugin: &Rc<Plugin>, payload: &[u8]) {
    let Some(offer) = offer_of(payload) else {
        return;
    };
    {
        let Ok(inner) = plugin.inner.try_borrow() else {
            return;
        };
        if storage::declined(&inner.session) {
            return;
        }
    }
    let weak = Rc::downgrade(plugin);
    let id = offer.id.clone();
    let answer = Closure::<dyn FnMut(String)>::new(move |how: String| {
        let Some(plugin) = weak.upgrade() else { return };
        {
            let Ok(mut inner) = plugin.inner.try_borrow_mut() else {
                return;
            };
            let offer_id = id.clone();
            let event = if how == "accepted" {
                ShopperEvent::OfferAccepted { offer_id }
            } else {
                storage::set_declined(&inner.session);
                ShopperEvent::OfferDeclined { offer_id }
            };
            inner.recorder.record(wall_ms(), event);
        }
        transport::pump(&plugin);
    });
    if show_offer(&offer.text, answer.as_ref().unchecked_ref()) {
        if let Ok(mut inner) = plugin.inner.try_borrow_mut() {
            inner
                .recorder
                .record(wall_ms(), ShopperEvent::OfferShown { offer_id: offer.id });
            // The callback lives until the next offer replaces it.
            inner.offer_answer = Some(answer);
        }
        transport::pump(plugin);
    }
}
