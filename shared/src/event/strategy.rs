//! Proptest strategies that generate valid batches and pushes, for round-trip
//! tests of the wire encoding, and the texts they are made of, for other
//! schemas' strategies.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use super::limits::{
    MAX_AGENT_NAME_LEN, MAX_CHAT_TEXT_LEN, MAX_CHECKOUT_STEP, MAX_COMMENT_LEN, MAX_DURATION_MS,
    MAX_ID_LEN, MAX_MINOR_UNITS, MAX_NAME_LEN, MAX_OFFER_TEXT_LEN, MAX_PATH_LEN, MAX_QUANTITY,
    MAX_QUERY_LEN, MAX_QUESTION_LEN, MAX_REFERRER_LEN, MAX_SCROLL_PERCENT, MAX_SKU_LEN,
    MAX_STEP_NAME_LEN, MAX_TITLE_LEN, MAX_UTM_LEN,
};
use super::{Batch, CartLine, Event, Push, PushEnvelope, SCHEMA_VERSION, ShopperEvent, Utm};

/// Any characters, control characters included (validation leaves those to
/// whoever displays text), mostly short, sometimes exactly `max` bytes long.
pub(crate) fn text(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => vec(any::<char>(), 0..=8).prop_map(String::from_iter),
        1 => Just("x".repeat(max)),
    ]
}

/// Like [`text`], never empty.
fn required(max: usize) -> impl Strategy<Value = String> {
    text(max).prop_map(|s| if s.is_empty() { "r".to_owned() } else { s })
}

fn minor_units() -> impl Strategy<Value = u64> {
    0..=MAX_MINOR_UNITS
}

fn utm() -> impl Strategy<Value = Utm> {
    (
        option::of(text(MAX_UTM_LEN)),
        option::of(text(MAX_UTM_LEN)),
        option::of(text(MAX_UTM_LEN)),
    )
        .prop_map(|(source, medium, campaign)| Utm {
            source,
            medium,
            campaign,
        })
}

fn cart_line() -> impl Strategy<Value = CartLine> {
    (required(MAX_SKU_LEN), 1..=MAX_QUANTITY, minor_units()).prop_map(
        |(sku, quantity, value_minor)| CartLine {
            sku,
            quantity,
            value_minor,
        },
    )
}

/// Any valid shopper event, every kind equally likely.
pub(crate) fn shopper_event() -> impl Strategy<Value = ShopperEvent> {
    prop_oneof![
        (
            required(MAX_PATH_LEN),
            text(MAX_TITLE_LEN),
            option::of(text(MAX_REFERRER_LEN)),
            option::of(utm()),
        )
            .prop_map(|(path, title, referrer, utm)| ShopperEvent::PageView {
                path,
                title,
                referrer,
                utm,
            }),
        (required(MAX_PATH_LEN), 0..=MAX_DURATION_MS)
            .prop_map(|(path, ms)| ShopperEvent::Dwell { path, ms }),
        (required(MAX_PATH_LEN), 0..=MAX_SCROLL_PERCENT)
            .prop_map(|(path, percent)| ShopperEvent::ScrollDepth { path, percent }),
        (required(MAX_SKU_LEN), text(MAX_NAME_LEN), minor_units()).prop_map(
            |(sku, name, price_minor)| ShopperEvent::ProductViewed {
                sku,
                name,
                price_minor,
            }
        ),
        (required(MAX_SKU_LEN), required(MAX_SKU_LEN)).prop_map(|(first_sku, second_sku)| {
            ShopperEvent::ProductToggling {
                first_sku,
                second_sku,
            }
        }),
        cart_line().prop_map(ShopperEvent::CartAdd),
        cart_line().prop_map(ShopperEvent::CartRemove),
        (
            1..=MAX_CHECKOUT_STEP,
            required(MAX_STEP_NAME_LEN),
            option::of(minor_units()),
            vec(cart_line(), 0..=3),
        )
            .prop_map(|(step, name, value_minor, items)| {
                ShopperEvent::CheckoutStep {
                    step,
                    name,
                    value_minor,
                    items,
                }
            }),
        (
            required(MAX_ID_LEN),
            minor_units(),
            option::of(minor_units()),
            option::of(minor_units()),
            vec(cart_line(), 0..=3),
        )
            .prop_map(
                |(order_id, total_minor, tax_minor, shipping_minor, items)| {
                    ShopperEvent::OrderCompleted {
                        order_id,
                        total_minor,
                        tax_minor,
                        shipping_minor,
                        items,
                    }
                }
            ),
        required(MAX_QUERY_LEN).prop_map(|query| ShopperEvent::SiteSearch { query }),
        Just(ShopperEvent::ExitIntent),
        Just(ShopperEvent::TabHidden),
        Just(ShopperEvent::TabVisible),
        (0..=MAX_DURATION_MS).prop_map(|ms| ShopperEvent::Idle { ms }),
        (1..=u32::MAX).prop_map(|count| ShopperEvent::BatchesDropped { count }),
        required(MAX_ID_LEN).prop_map(|offer_id| ShopperEvent::OfferShown { offer_id }),
        required(MAX_ID_LEN).prop_map(|offer_id| ShopperEvent::OfferAccepted { offer_id }),
        required(MAX_ID_LEN).prop_map(|offer_id| ShopperEvent::OfferDeclined { offer_id }),
        (
            option::of(required(MAX_ID_LEN)),
            required(MAX_ID_LEN),
            required(MAX_CHAT_TEXT_LEN),
        )
            .prop_map(|(chat_id, client_msg_id, text)| ShopperEvent::ChatMessage {
                chat_id,
                client_msg_id,
                text,
            }),
        (
            required(MAX_ID_LEN),
            any::<bool>(),
            option::of(text(MAX_COMMENT_LEN)),
        )
            .prop_map(|(chat_id, helped, comment)| ShopperEvent::SurveyAnswer {
                chat_id,
                helped,
                comment,
            }),
    ]
}

/// A valid batch of up to 24 events.
pub(crate) fn batch() -> impl Strategy<Value = Batch> {
    (
        any::<u64>(),
        "[A-Z]{3}",
        option::of("[A-Za-z0-9_-]{1,64}"),
        vec((any::<u64>(), shopper_event()), 0..=24),
    )
        .prop_map(|(seq, currency, visitor, events)| Batch {
            v: SCHEMA_VERSION,
            seq,
            currency,
            visitor,
            events: events
                .into_iter()
                .map(|(at_ms, kind)| Event { at_ms, kind })
                .collect(),
        })
}

/// Any valid push, in an envelope of the current version.
pub(crate) fn push_envelope() -> impl Strategy<Value = PushEnvelope> {
    prop_oneof![
        (required(MAX_ID_LEN), required(MAX_OFFER_TEXT_LEN))
            .prop_map(|(offer_id, text)| Push::ChatOffer { offer_id, text }),
        (
            required(MAX_ID_LEN),
            required(MAX_AGENT_NAME_LEN),
            required(MAX_CHAT_TEXT_LEN),
            any::<bool>(),
        )
            .prop_map(
                |(chat_id, agent_name, text, from_supervisor)| Push::AgentMessage {
                    chat_id,
                    agent_name,
                    text,
                    from_supervisor,
                    msg_id: None,
                }
            ),
        (required(MAX_ID_LEN), required(MAX_QUESTION_LEN))
            .prop_map(|(chat_id, question)| Push::SurveyPrompt { chat_id, question }),
        (
            required(MAX_ID_LEN),
            1..=super::limits::MAX_QUEUE_POSITION,
            option::of(0..=super::limits::MAX_EXPECTED_WAIT_SECS)
        )
            .prop_map(
                |(chat_id, position, expected_wait_secs)| Push::QueueStatus {
                    chat_id,
                    position,
                    expected_wait_secs,
                }
            ),
        (required(MAX_ID_LEN), required(MAX_AGENT_NAME_LEN)).prop_map(|(chat_id, agent_name)| {
            Push::ChatJoined {
                chat_id,
                agent_name,
            }
        }),
    ]
    .prop_map(PushEnvelope::new)
}
