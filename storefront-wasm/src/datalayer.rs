//! Commerce events: the GA4 ecommerce events a storefront pushes to
//! `window.dataLayer` (read as they are pushed, and those pushed before the
//! plugin started), and the same events given to `track(name, params)`.
//! The shared `commerce` module says what they mean, and in which currency:
//! the event's `currency`, else its first item's, else `start`'s. An event
//! whose currency is not an ISO 4217 code is not recorded (its amounts
//! would be counted in a currency they are not in), and the console says
//! why, once a page.

use alloc::{string::String, vec::Vec};

use floorwalker_shared::commerce::{self, Item, Params};
use js_sys::{Array, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::capture::{data_layer, wrap_push};
use crate::plugin::Plugin;
use crate::transport::{self, wall_ms};

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Reads what the plugin needs from a GA4 parameters object.
fn params(object: &JsValue) -> Params {
    if !object.is_object() {
        return Params::default();
    }
    // Ids may be numbers; JS turns them into text (Rust's float formatting
    // would add kilobytes to the plugin).
    let text = |v: JsValue| {
        v.as_string().or_else(|| {
            v.dyn_ref::<js_sys::Number>()
                .and_then(|n| n.to_string_with_radix(10).ok())
                .map(String::from)
        })
    };
    let list = get(object, "items");
    let mut items = Vec::new();
    // GA4 reads an event without a currency in its first item's.
    let mut currency = text(get(object, "currency"));
    if Array::is_array(&list) {
        let list = Array::from(&list);
        // An index loop: iterator adaptors over a JS array are each code of
        // their own in the download.
        // The first 50: a cart change is an event per item, a checkout or
        // an order lists the first `MAX_ITEMS_PER_EVENT`.
        for i in 0..list.length().min(50) {
            let item = list.get(i);
            if item.is_object() {
                if i == 0 && currency.is_none() {
                    currency = text(get(&item, "currency"));
                }
                items.push(Item {
                    sku: text(get(&item, "item_id")).unwrap_or_default(),
                    name: get(&item, "item_name").as_string().unwrap_or_default(),
                    price: get(&item, "price").as_f64().unwrap_or(0.0),
                    quantity: get(&item, "quantity").as_f64().unwrap_or(1.0),
                });
            }
        }
    }
    Params {
        currency,
        value: get(object, "value").as_f64(),
        tax: get(object, "tax").as_f64(),
        shipping: get(object, "shipping").as_f64(),
        transaction_id: text(get(object, "transaction_id")),
        search_term: get(object, "search_term").as_string(),
        items,
    }
}

/// Records what a named GA4 event means.
pub(crate) fn record(plugin: &'static Plugin, name: &str, params_object: &JsValue) {
    let params = params(params_object);
    {
        let Ok(mut inner) = plugin.inner.try_borrow_mut() else {
            return;
        };
        let inner = &mut *inner;
        let Some(currency) = commerce::currency(params.currency.as_deref(), &inner.config.currency)
        else {
            if !inner.currency_refused {
                inner.currency_refused = true;
                refused(params.currency.as_deref().unwrap_or_default());
            }
            return;
        };
        inner.recorder.set_currency(currency);
        let at = wall_ms();
        for event in commerce::events(name, &params, currency) {
            inner.recorder.record(at, event);
        }
    }
    transport::pump(plugin);
}

/// Says on the console that an event's currency `given` is not one.
fn refused(given: &str) {
    let text = floorwalker_shared::cat(&[
        "floorwalker: events in currency '",
        given,
        "' are not recorded: not an ISO 4217 code",
    ]);
    web_sys::console::error_1(&wasm_bindgen::JsError::new(&text).into());
}

/// One `dataLayer` entry: `{ event, ecommerce }` as Google Tag Manager's
/// shops push it, or `gtag('event', name, params)`'s arguments.
fn record_entry(plugin: &'static Plugin, entry: &JsValue) {
    if let Some(name) = get(entry, "event").as_string() {
        let ecommerce = get(entry, "ecommerce");
        let params = if ecommerce.is_object() {
            ecommerce
        } else {
            entry.clone()
        };
        record(plugin, &name, &params);
    } else if get(entry, "0").as_string().as_deref() == Some("event") {
        if let Some(name) = get(entry, "1").as_string() {
            record(plugin, &name, &get(entry, "2"));
        }
    }
}

/// Reads the entries pushed so far and every one pushed from now on.
pub(crate) fn install(plugin: &'static Plugin) {
    let layer = data_layer();
    for entry in Array::from(&layer).iter() {
        record_entry(plugin, &entry);
    }
    let hook =
        Closure::<dyn FnMut(JsValue)>::new(move |entry: JsValue| record_entry(plugin, &entry));
    wrap_push(&layer, hook.as_ref().unchecked_ref());
    // The hook serves the page's dataLayer for the page's lifetime.
    hook.forget();
}
