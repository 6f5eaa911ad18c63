//! The core's side of the chat part: publishing what it asks, on the
//! session's subjects, through the core's one connection. The chat part
//! never names a subject: it gives a fact's dedupe id, and the core builds
//! the reply subject and the `Nats-Msg-Id` from the session's.

use alloc::vec::Vec;

use floorwalker_shared::chat::{MSG_ID_HEADER, message_id};
use floorwalker_shared::event::ShopperEvent;
use floorwalker_shared::nats::HeaderMap;

use crate::plugin::Inner;
use crate::transport::{self, wall_ms};

/// Publishes the chat fact `json` whose dedupe id is `id` on the session's
/// chat subject, with a reply subject in its inbox named by `id` (where the
/// stream acknowledges it) and a `Nats-Msg-Id` of the session token and
/// `id` (which makes a resend a duplicate). `false` if it cannot go now:
/// not connected, a bad id, or too large.
pub(crate) fn send(inner: &mut Inner, id: &str, json: &str) -> bool {
    if !inner.conn.is_connected() {
        return false;
    }
    let Ok(reply) = inner.subjects.inbox(id) else {
        return false;
    };
    let mut headers = HeaderMap::new();
    let token = inner.subjects.token().as_str();
    if headers
        .append(MSG_ID_HEADER, message_id(token, id))
        .is_err()
    {
        return false;
    }
    let payload = json.as_bytes().to_vec();
    let sent = inner
        .conn
        .publish(inner.subjects.chat(), Some(reply), Some(headers), payload)
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
