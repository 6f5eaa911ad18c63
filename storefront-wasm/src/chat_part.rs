//! The core's side of the chat part: publishing what it asks, on the
//! session's subjects, through the core's one connection. The chat part
//! never names a subject: it gives a fact's dedupe id, and the core builds
//! the reply subject from the session's inbox (where the intake answers,
//! and which it would find without it). No `Nats-Msg-Id`: the intake
//! makes the id a fact is stored under, from the session the broker
//! vouches for.

use alloc::vec::Vec;

use floorwalker_shared::event::ShopperEvent;

use crate::plugin::Inner;
use crate::transport::{self, wall_ms};

/// Publishes the chat fact `json` whose dedupe id is `id` on the session's
/// chat subject, with a reply subject in its inbox named by `id` (where the
/// intake answers it). `false` if it cannot go now: not connected, a bad
/// id, or too large.
pub(crate) fn send(inner: &mut Inner, id: &str, json: &str) -> bool {
    if !inner.conn.is_connected() {
        return false;
    }
    let Ok(reply) = inner.subjects.inbox(id) else {
        return false;
    };
    let payload = json.as_bytes().to_vec();
    let sent = inner
        .conn
        .publish(inner.subjects.chat(), Some(reply), None, payload)
        .is_ok();
    transport::soon(inner);
    sent
}

/// Says on the session's `here` subject that the shopper is still in the
/// open chat; `sync` asks the router for the chat so far.
pub(crate) fn here(inner: &mut Inner, sync: bool) {
    let payload = if sync { b"sync".to_vec() } else { Vec::new() };
    let _ = inner
        .conn
        .publish(inner.subjects.here(), None, None, payload);
    transport::soon(inner);
}

/// Records that offer `offer_id` was `shown`, `accepted` or `declined`;
/// anything else is ignored.
pub(crate) fn record(inner: &mut Inner, what: &str, offer_id: &str) {
    let offer_id = offer_id.into();
    let event = match what {
        "shown" => ShopperEvent::OfferShown { offer_id },
        "accepted" => ShopperEvent::OfferAccepted { offer_id },
        "declined" => ShopperEvent::OfferDeclined { offer_id },
        _ => return,
    };
    inner.recorder.record(wall_ms(), event);
    transport::soon(inner);
}
