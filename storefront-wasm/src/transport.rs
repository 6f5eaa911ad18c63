//! The browser's WebSocket under the shared sans-IO NATS connection.
//!
//! [`pump`] is the whole loop: after anything happens (bytes, open, close, a
//! timer, a recorded event) it sends due batches, opens a socket when the
//! connection asks for one, acts on its events (passing pushes, replies to
//! chat facts and reconnects on to the loader, for the chat part), writes
//! what the connection wrote, and sets one timer for the next deadline.
//! Every socket has a generation, so the late `close` of an old socket
//! cannot end a new one.

use alloc::string::String;
use alloc::vec::Vec;

use floorwalker_shared::nats::conn::{Event, Millis};
use floorwalker_shared::wire::{MIN_BATCH_BYTES, encode_batch};
use floorwalker_storefront_base::{clear_timeout, performance_now, set_timeout};
use js_sys::Function;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use web_sys::WebSocket;

use crate::plugin::{Inner, Plugin};
use crate::storage;

#[wasm_bindgen(module = "/src/socket.js")]
extern "C" {
    fn open_socket(url: &str, hook: &Function) -> Option<WebSocket>;
}

/// What `open_socket` (socket.js) tells the hook.
const OPEN: u32 = 0;
const CLOSED: u32 = 1;

/// What hears an open socket: `open_socket`'s kind and bytes.
type Hook = Closure<dyn FnMut(u32, Vec<u8>)>;

/// An open (or opening) WebSocket and the hook that must live with it.
pub(crate) struct Socket {
    ws: WebSocket,
    _hook: Hook,
}

/// `performance.now()` in whole milliseconds.
fn monotonic_ms() -> Millis {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // non-negative ms
    let ms = performance_now() as Millis;
    ms
}

/// `Date.now()` in whole milliseconds, for event times.
pub(crate) fn wall_ms() -> u64 {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // ms since 1970
    let ms = js_sys::Date::now() as u64;
    ms
}

/// What the page's hook (see `Inner::hook`) hears from the timer: it is
/// called with no argument, which arrives as 0.
pub(crate) const TIMER: u32 = 0;

/// The timer went off: it is spent; run the loop.
pub(crate) fn timer(plugin: &'static Plugin) {
    if let Ok(mut inner) = plugin.inner.try_borrow_mut() {
        inner.timer = None;
    }
    pump(plugin);
}

/// What arrived for the chat part in a turn of the loop.
#[derive(Default)]
struct ForChat {
    /// Payloads pushed to the session.
    pushed: Vec<Vec<u8>>,
    /// Replies to chat facts: the fact's dedupe id and the payload.
    replies: Vec<(String, Vec<u8>)>,
    /// Whether the connection came (back) up.
    connected: bool,
}

/// Runs the loop once (see the module doc).
pub(crate) fn pump(plugin: &'static Plugin) {
    let (for_chat, shell) = {
        let Ok(mut guard) = plugin.inner.try_borrow_mut() else {
            return;
        };
        (step(plugin, &mut guard), guard.shell.clone())
    };
    // Passed on with the state released: the chat part calls the core back.
    let Some(shell) = shell else { return };
    for payload in for_chat.pushed {
        shell.push(&payload);
    }
    for (id, payload) in for_chat.replies {
        shell.reply(&id, &payload);
    }
    if for_chat.connected {
        shell.connected();
    }
}

/// One turn of the loop; returns what arrived for the chat part.
fn step(plugin: &'static Plugin, inner: &mut Inner) -> ForChat {
    let now = monotonic_ms();
    // Keepalive and handshake deadlines: without this call a deadline
    // passed once stays due, and the timer below fires every few ms.
    inner.conn.handle_timeout(now);
    send_batches(inner, false);
    if inner.conn.wants_transport(now) {
        open(plugin, inner, now);
    }
    let mut for_chat = ForChat::default();
    let push = inner.subjects.push();
    let inbox = inner.subjects.inbox_prefix();
    while let Some(event) = inner.conn.poll_event() {
        match event {
            Event::CloseTransport => {
                if let Some(socket) = inner.socket.take() {
                    let _ = socket.ws.close();
                }
            }
            Event::Dropped(n) => {
                let count = u32::try_from(n).unwrap_or(u32::MAX);
                let kind = floorwalker_shared::event::ShopperEvent::BatchesDropped { count };
                inner.recorder.record(wall_ms(), kind);
                // The report is urgent: it goes with this turn's writes.
                send_batches(inner, false);
            }
            Event::Message(msg) if msg.subject == push => for_chat.pushed.push(msg.payload),
            Event::Message(msg) => {
                // A reply in the session's inbox names its fact.
                let id = msg
                    .subject
                    .as_str()
                    .strip_prefix(inbox.as_str())
                    .and_then(|rest| rest.strip_prefix('.'));
                if let Some(id) = id {
                    for_chat.replies.push((id.into(), msg.payload));
                }
            }
            Event::Connected(_) => for_chat.connected = true,
            Event::Disconnected(_) | Event::ServerError(_) => {}
        }
    }
    while let Some(bytes) = inner.conn.poll_transmit() {
        if let Some(socket) = &inner.socket {
            let _ = socket.ws.send_with_u8_array(&bytes);
        }
    }
    schedule(inner, now);
    for_chat
}

/// Publishes the batches that are due (all waiting events if `all`).
pub(crate) fn send_batches(inner: &mut Inner, all: bool) {
    let wall = wall_ms();
    while inner.recorder.pending() > 0 && (all || inner.recorder.due(wall)) {
        inner
            .recorder
            .advance_seq(storage::stored_seq(&inner.session));
        // As large as the server takes (the smallest it may say, until it
        // has): a larger batch would get the connection closed.
        let max_bytes = inner.conn.max_payload().unwrap_or(MIN_BATCH_BYTES);
        let Some(batch) = inner.recorder.take_batch(max_bytes) else {
            break;
        };
        // Cannot be refused: the batch is within the server's bound and the
        // outbox's.
        let _ = inner
            .conn
            .publish(inner.subjects.events(), None, None, encode_batch(&batch));
        inner.session.next_seq = inner.recorder.next_seq();
        #[allow(clippy::cast_precision_loss)] // ms since 1970 fit an f64 exactly
        storage::save(&inner.session, wall as f64);
        let (products, toggled) = inner.recorder.product_history();
        storage::save_products(&inner.session, products, toggled);
    }
}

fn open(plugin: &'static Plugin, inner: &mut Inner, now: Millis) {
    inner.generation += 1;
    let generation = inner.generation;
    // Acts only while its socket is the current one.
    let hook = Hook::new(move |kind: u32, bytes: Vec<u8>| {
        with_current(plugin, generation, |inner, now| match kind {
            OPEN => inner.conn.handle_open(now),
            CLOSED => {
                inner.socket = None;
                inner.conn.handle_closed(now);
            }
            _ => inner.conn.handle_bytes(&bytes, now),
        });
    });
    let Some(ws) = open_socket(&inner.config.server, hook.as_ref().unchecked_ref()) else {
        inner.conn.handle_closed(now);
        return;
    };
    inner.socket = Some(Socket { ws, _hook: hook });
}

fn with_current(plugin: &'static Plugin, generation: u64, act: impl FnOnce(&mut Inner, Millis)) {
    {
        let Ok(mut inner) = plugin.inner.try_borrow_mut() else {
            return;
        };
        if inner.generation != generation {
            return;
        }
        act(&mut inner, monotonic_ms());
    }
    pump(plugin);
}

/// Runs the loop as soon as the page is free: after the chat part
/// published or recorded, which it does while the core is not running.
pub(crate) fn soon(inner: &mut Inner) {
    arm(inner, Some(0));
}

/// Sets the one timer for the next deadline: the connection's or a batch's.
fn schedule(inner: &mut Inner, now: Millis) {
    let wall = wall_ms();
    let conn_in = inner.conn.poll_timeout().map(|t| t.saturating_sub(now));
    let batch_in = inner.recorder.due_at().map(|t| t.saturating_sub(wall));
    arm(inner, conn_in.into_iter().chain(batch_in).min());
}

/// Sets the one timer to run the loop in `delay_ms`, if given, replacing
/// the one set.
fn arm(inner: &mut Inner, delay_ms: Option<u64>) {
    if let Some(id) = inner.timer.take() {
        clear_timeout(id);
    }
    let (Some(delay), Some(callback)) = (delay_ms, &inner.hook) else {
        return;
    };
    let delay = i32::try_from(delay).unwrap_or(i32::MAX);
    inner.timer = Some(set_timeout(callback.as_ref().unchecked_ref(), delay));
}
