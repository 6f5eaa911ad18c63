//! Bounds on every field, checked by [`Batch::validate`](super::Batch::validate)
//! and [`PushEnvelope::validate`](super::PushEnvelope::validate).
//!
//! Lengths are in bytes of UTF-8, not characters, because bytes are what a
//! hostile sender can use to exhaust memory; the plugin truncates at a
//! character boundary before it sends.

/// Most events one batch may hold; the plugin sends more in further batches.
pub const MAX_EVENTS_PER_BATCH: usize = 200;

/// Most items a checkout step or an order lists: with SKUs at their
/// longest, an order still fits the smallest batch
/// ([`MIN_BATCH_BYTES`](crate::wire::MIN_BATCH_BYTES)).
pub const MAX_ITEMS_PER_EVENT: usize = 16;

/// Longest URL path, in bytes.
pub const MAX_PATH_LEN: usize = 2048;
/// Longest page title, in bytes.
pub const MAX_TITLE_LEN: usize = 512;
/// Longest referrer URL, in bytes.
pub const MAX_REFERRER_LEN: usize = 2048;
/// Longest UTM source, medium or campaign, in bytes.
pub const MAX_UTM_LEN: usize = 256;
/// Longest SKU, in bytes.
pub const MAX_SKU_LEN: usize = 128;
/// Longest product name, in bytes.
pub const MAX_NAME_LEN: usize = 256;
/// Longest checkout step name, in bytes.
pub const MAX_STEP_NAME_LEN: usize = 64;
/// Longest site search query, in bytes.
pub const MAX_QUERY_LEN: usize = 256;
/// Longest chat message, from a shopper or an agent, in bytes.
pub const MAX_CHAT_TEXT_LEN: usize = 4000;
/// Longest survey comment, in bytes.
pub const MAX_COMMENT_LEN: usize = 1000;
/// Longest id (order, offer, chat, client message), in bytes.
pub const MAX_ID_LEN: usize = 64;
/// Longest agent display name, in bytes.
pub const MAX_AGENT_NAME_LEN: usize = 64;
/// Longest offer text, in bytes.
pub const MAX_OFFER_TEXT_LEN: usize = 500;
/// Longest survey question, in bytes.
pub const MAX_QUESTION_LEN: usize = 512;

/// Largest amount of money in one field, in minor units: ten billion in a
/// two-decimal currency, and low enough that summing a session cannot
/// overflow a `u64`.
pub const MAX_MINOR_UNITS: u64 = 1_000_000_000_000;
/// Most items in one cart change.
pub const MAX_QUANTITY: u32 = 100_000;
/// Highest checkout step number; steps count from 1.
pub const MAX_CHECKOUT_STEP: u8 = 20;
/// Longest dwell or idle time, in milliseconds (one day).
pub const MAX_DURATION_MS: u32 = 86_400_000;
/// Highest scroll depth, in percent.
pub const MAX_SCROLL_PERCENT: u8 = 100;
/// Highest place in the queue a push may name.
pub const MAX_QUEUE_POSITION: u32 = 1_000_000;
/// Longest expected wait a push may name, in seconds (one day).
pub const MAX_EXPECTED_WAIT_SECS: u32 = 86_400;
/// Most lines in one transcript push; their texts and names together are
/// at most [`MAX_CHAT_TEXT_LEN`] bytes, so the push fits in
/// [`MAX_PUSH_BYTES`](crate::wire::MAX_PUSH_BYTES) however it is escaped.
pub const MAX_TRANSCRIPT_LINES: usize = 20;
