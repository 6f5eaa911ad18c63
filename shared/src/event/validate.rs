//! Checks a decoded batch or push against [`limits`](super::limits) and says
//! which rule the first offending field broke.

use core::fmt;

use super::limits::{
    MAX_AGENT_NAME_LEN, MAX_CHAT_TEXT_LEN, MAX_CHECKOUT_STEP, MAX_COMMENT_LEN, MAX_DURATION_MS,
    MAX_EVENTS_PER_BATCH, MAX_ID_LEN, MAX_MINOR_UNITS, MAX_NAME_LEN, MAX_OFFER_TEXT_LEN,
    MAX_PATH_LEN, MAX_QUANTITY, MAX_QUERY_LEN, MAX_QUESTION_LEN, MAX_REFERRER_LEN,
    MAX_SCROLL_PERCENT, MAX_SKU_LEN, MAX_STEP_NAME_LEN, MAX_TITLE_LEN, MAX_UTM_LEN,
};
use super::limits::{
    MAX_EXPECTED_WAIT_SECS, MAX_ITEMS_PER_EVENT, MAX_QUEUE_POSITION, MAX_TRANSCRIPT_LINES,
};
use super::{Batch, CartLine, Event, Push, PushEnvelope, SCHEMA_VERSION, ShopperEvent, Utm};

/// Which rule a batch or push broke; what a consumer counts rejections by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, thiserror::Error)]
pub enum InvalidEventKind {
    /// `v` is not [`SCHEMA_VERSION`].
    #[error("unsupported schema version")]
    UnsupportedVersion,
    /// The batch holds more than [`MAX_EVENTS_PER_BATCH`] events.
    #[error("too many events")]
    TooManyEvents,
    /// A string is longer than its limit, counted in bytes.
    #[error("field too long")]
    FieldTooLong,
    /// A string that must say something is empty.
    #[error("empty field")]
    FieldEmpty,
    /// A number is outside its range (a percent over 100, a quantity of 0).
    #[error("value out of range")]
    OutOfRange,
    /// A string does not have the required shape (a currency that is not
    /// three uppercase letters).
    #[error("bad format")]
    BadFormat,
}

/// The first rule a batch or push broke, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub struct InvalidEvent {
    kind: InvalidEventKind,
    field: &'static str,
    event: Option<usize>,
}

impl InvalidEvent {
    pub(crate) fn new(kind: InvalidEventKind, field: &'static str) -> Self {
        Self {
            kind,
            field,
            event: None,
        }
    }

    /// The error for a `v` other than [`SCHEMA_VERSION`].
    pub(crate) fn unsupported_version() -> Self {
        Self::new(InvalidEventKind::UnsupportedVersion, "v")
    }

    /// Which rule was broken.
    pub fn kind(&self) -> InvalidEventKind {
        self.kind
    }

    /// The offending field, as `variant.field` (`page_view.path`) or a batch
    /// field (`currency`).
    pub fn field(&self) -> &'static str {
        self.field
    }

    /// Position of the offending event in the batch, if an event was at fault.
    pub fn event(&self) -> Option<usize> {
        self.event
    }

    fn at(self, index: usize) -> Self {
        Self {
            event: Some(index),
            ..self
        }
    }
}

impl fmt::Display for InvalidEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(index) = self.event {
            write!(f, "event {index}: ")?;
        }
        write!(f, "{} in '{}'", self.kind, self.field)
    }
}

type Check = Result<(), InvalidEvent>;

impl Batch {
    /// Checks the version, the number of events, the currency code and every
    /// event against [`limits`](super::limits); stops at the first problem.
    pub fn validate(&self) -> Check {
        version(self.v)?;
        if self.events.len() > MAX_EVENTS_PER_BATCH {
            return Err(InvalidEvent::new(InvalidEventKind::TooManyEvents, "events"));
        }
        currency(&self.currency)?;
        if let Some(visitor) = &self.visitor {
            id_token(visitor, "visitor")?;
        }
        for (index, event) in self.events.iter().enumerate() {
            event.validate().map_err(|e| e.at(index))?;
        }
        Ok(())
    }
}

impl Event {
    /// Checks the event's fields against [`limits`](super::limits).
    pub fn validate(&self) -> Check {
        self.kind.validate()
    }
}

impl ShopperEvent {
    /// Checks the event's fields against [`limits`](super::limits).
    pub fn validate(&self) -> Check {
        match self {
            Self::PageView {
                path,
                title,
                referrer,
                utm,
            } => {
                required(path, MAX_PATH_LEN, "page_view.path")?;
                text(title, MAX_TITLE_LEN, "page_view.title")?;
                optional(referrer.as_deref(), MAX_REFERRER_LEN, "page_view.referrer")?;
                utm.as_ref().map_or(Ok(()), Utm::validate)
            }
            Self::Dwell { path, ms } => {
                required(path, MAX_PATH_LEN, "dwell.path")?;
                within(*ms, 0, MAX_DURATION_MS, "dwell.ms")
            }
            Self::ScrollDepth { path, percent } => {
                required(path, MAX_PATH_LEN, "scroll_depth.path")?;
                within(*percent, 0, MAX_SCROLL_PERCENT, "scroll_depth.percent")
            }
            Self::ProductViewed {
                sku,
                name,
                price_minor,
            } => {
                required(sku, MAX_SKU_LEN, "product_viewed.sku")?;
                text(name, MAX_NAME_LEN, "product_viewed.name")?;
                within(
                    *price_minor,
                    0,
                    MAX_MINOR_UNITS,
                    "product_viewed.price_minor",
                )
            }
            Self::ProductToggling {
                first_sku,
                second_sku,
            } => {
                required(first_sku, MAX_SKU_LEN, "product_toggling.first_sku")?;
                required(second_sku, MAX_SKU_LEN, "product_toggling.second_sku")
            }
            Self::CartAdd(line) | Self::CartRemove(line) => line.validate(),
            Self::CheckoutStep {
                step,
                name,
                value_minor,
                items,
            } => {
                within(*step, 1, MAX_CHECKOUT_STEP, "checkout_step.step")?;
                required(name, MAX_STEP_NAME_LEN, "checkout_step.name")?;
                amount(*value_minor, "checkout_step.value_minor")?;
                lines(items, "checkout_step.items")
            }
            Self::OrderCompleted {
                order_id,
                total_minor,
                tax_minor,
                shipping_minor,
                items,
            } => {
                required(order_id, MAX_ID_LEN, "order_completed.order_id")?;
                within(
                    *total_minor,
                    0,
                    MAX_MINOR_UNITS,
                    "order_completed.total_minor",
                )?;
                amount(*tax_minor, "order_completed.tax_minor")?;
                amount(*shipping_minor, "order_completed.shipping_minor")?;
                lines(items, "order_completed.items")
            }
            Self::SiteSearch { query } => required(query, MAX_QUERY_LEN, "site_search.query"),
            Self::ExitIntent | Self::TabHidden | Self::TabVisible => Ok(()),
            Self::Idle { ms } => within(*ms, 0, MAX_DURATION_MS, "idle.ms"),
            Self::BatchesDropped { count } => within(*count, 1, u32::MAX, "batches_dropped.count"),
            Self::OfferShown { offer_id }
            | Self::OfferAccepted { offer_id }
            | Self::OfferDeclined { offer_id } => required(offer_id, MAX_ID_LEN, "offer.offer_id"),
            Self::ChatMessage {
                chat_id,
                client_msg_id,
                text,
            } => {
                if let Some(chat_id) = chat_id {
                    required(chat_id, MAX_ID_LEN, "chat_message.chat_id")?;
                }
                required(client_msg_id, MAX_ID_LEN, "chat_message.client_msg_id")?;
                required(text, MAX_CHAT_TEXT_LEN, "chat_message.text")
            }
            Self::SurveyAnswer {
                chat_id,
                helped: _,
                comment,
            } => {
                required(chat_id, MAX_ID_LEN, "survey_answer.chat_id")?;
                optional(comment.as_deref(), MAX_COMMENT_LEN, "survey_answer.comment")
            }
        }
    }
}

impl Utm {
    fn validate(&self) -> Check {
        optional(self.source.as_deref(), MAX_UTM_LEN, "utm.source")?;
        optional(self.medium.as_deref(), MAX_UTM_LEN, "utm.medium")?;
        optional(self.campaign.as_deref(), MAX_UTM_LEN, "utm.campaign")
    }
}

impl CartLine {
    fn validate(&self) -> Check {
        required(&self.sku, MAX_SKU_LEN, "cart.sku")?;
        within(self.quantity, 1, MAX_QUANTITY, "cart.quantity")?;
        within(self.value_minor, 0, MAX_MINOR_UNITS, "cart.value_minor")
    }
}

impl PushEnvelope {
    /// Checks the version and the push's fields against
    /// [`limits`](super::limits).
    pub fn validate(&self) -> Check {
        version(self.v)?;
        self.push.validate()
    }
}

impl Push {
    /// Checks the push's fields against [`limits`](super::limits).
    pub fn validate(&self) -> Check {
        match self {
            Self::ChatOffer { offer_id, text } => {
                required(offer_id, MAX_ID_LEN, "chat_offer.offer_id")?;
                required(text, MAX_OFFER_TEXT_LEN, "chat_offer.text")
            }
            Self::AgentMessage {
                chat_id,
                agent_name,
                text,
                from_supervisor: _,
                msg_id,
            } => {
                required(chat_id, MAX_ID_LEN, "agent_message.chat_id")?;
                required(agent_name, MAX_AGENT_NAME_LEN, "agent_message.agent_name")?;
                required(text, MAX_CHAT_TEXT_LEN, "agent_message.text")?;
                msg_id
                    .as_deref()
                    .map_or(Ok(()), |id| id_token(id, "agent_message.msg_id"))
            }
            Self::QueueStatus {
                chat_id,
                position,
                expected_wait_secs,
            } => {
                required(chat_id, MAX_ID_LEN, "queue_status.chat_id")?;
                within(*position, 1, MAX_QUEUE_POSITION, "queue_status.position")?;
                expected_wait_secs.map_or(Ok(()), |secs| {
                    within(
                        secs,
                        0,
                        MAX_EXPECTED_WAIT_SECS,
                        "queue_status.expected_wait_secs",
                    )
                })
            }
            Self::ChatJoined {
                chat_id,
                agent_name,
            } => {
                required(chat_id, MAX_ID_LEN, "chat_joined.chat_id")?;
                required(agent_name, MAX_AGENT_NAME_LEN, "chat_joined.agent_name")
            }
            Self::Transcript { chat_id, lines } => {
                required(chat_id, MAX_ID_LEN, "transcript.chat_id")?;
                if lines.len() > MAX_TRANSCRIPT_LINES {
                    return Err(InvalidEvent::new(
                        InvalidEventKind::TooManyEvents,
                        "transcript.lines",
                    ));
                }
                let mut total = 0;
                for line in lines {
                    id_token(&line.msg_id, "transcript.msg_id")?;
                    optional(line.from.as_deref(), MAX_AGENT_NAME_LEN, "transcript.from")?;
                    required(&line.text, MAX_CHAT_TEXT_LEN, "transcript.text")?;
                    total += line.text.len() + line.from.as_deref().map_or(0, str::len);
                }
                if total > MAX_CHAT_TEXT_LEN {
                    return Err(InvalidEvent::new(
                        InvalidEventKind::FieldTooLong,
                        "transcript.lines",
                    ));
                }
                Ok(())
            }
            Self::SurveyPrompt { chat_id, question } => {
                required(chat_id, MAX_ID_LEN, "survey_prompt.chat_id")?;
                required(question, MAX_QUESTION_LEN, "survey_prompt.question")
            }
        }
    }
}

fn version(v: u16) -> Check {
    if v == SCHEMA_VERSION {
        Ok(())
    } else {
        Err(InvalidEvent::unsupported_version())
    }
}

fn currency(code: &str) -> Check {
    if is_currency(code) {
        Ok(())
    } else {
        Err(InvalidEvent::new(InvalidEventKind::BadFormat, "currency"))
    }
}

/// Whether `code` has the shape of an ISO 4217 code: three ASCII uppercase
/// letters (`EUR`, `USD`). Whether the code is assigned is not checked: a
/// new currency needs no new Floorwalker.
pub fn is_currency(code: &str) -> bool {
    matches!(code.as_bytes(), [a, b, c]
        if a.is_ascii_uppercase() && b.is_ascii_uppercase() && c.is_ascii_uppercase())
}

/// An optional amount within [`MAX_MINOR_UNITS`].
fn amount(minor: Option<u64>, field: &'static str) -> Check {
    minor.map_or(Ok(()), |m| within(m, 0, MAX_MINOR_UNITS, field))
}

/// A checkout's or an order's items: at most [`MAX_ITEMS_PER_EVENT`], each
/// a valid line.
fn lines(items: &[CartLine], field: &'static str) -> Check {
    if items.len() > MAX_ITEMS_PER_EVENT {
        return Err(InvalidEvent::new(InvalidEventKind::OutOfRange, field));
    }
    items.iter().try_for_each(CartLine::validate)
}

/// An id the plugin made: 1 to [`MAX_ID_LEN`] of `[A-Za-z0-9_-]`, so it
/// can be shown anywhere as it is.
fn id_token(value: &str, field: &'static str) -> Check {
    required(value, MAX_ID_LEN, field)?;
    if value.chars().all(crate::subject::is_name_char) {
        Ok(())
    } else {
        Err(InvalidEvent::new(InvalidEventKind::BadFormat, field))
    }
}

/// A string that may be empty, at most `max` bytes long.
fn text(value: &str, max: usize, field: &'static str) -> Check {
    if value.len() > max {
        Err(InvalidEvent::new(InvalidEventKind::FieldTooLong, field))
    } else {
        Ok(())
    }
}

/// A string of 1 to `max` bytes.
fn required(value: &str, max: usize, field: &'static str) -> Check {
    if value.is_empty() {
        Err(InvalidEvent::new(InvalidEventKind::FieldEmpty, field))
    } else {
        text(value, max, field)
    }
}

fn optional(value: Option<&str>, max: usize, field: &'static str) -> Check {
    value.map_or(Ok(()), |value| text(value, max, field))
}

/// A number from `min` to `max`, both included.
fn within<T: PartialOrd + Copy>(value: T, min: T, max: T, field: &'static str) -> Check {
    if min <= value && value <= max {
        Ok(())
    } else {
        Err(InvalidEvent::new(InvalidEventKind::OutOfRange, field))
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;
    use crate::event::TranscriptLine;

    fn s(value: &str) -> String {
        value.to_owned()
    }

    /// Exactly `len` bytes in fewer than `len` characters, so a limit counted
    /// in characters would let one byte too many through.
    fn bytes_long(len: usize) -> String {
        let mut text = "é".repeat(len / 2);
        if len % 2 == 1 {
            text.push('a');
        }
        text
    }

    fn at(at_ms: u64, kind: ShopperEvent) -> Event {
        Event { at_ms, kind }
    }

    /// One event of every kind, all valid.
    fn every_kind() -> Vec<ShopperEvent> {
        let line = CartLine {
            sku: s("TR-42-BLU"),
            quantity: 1,
            value_minor: 12_900,
        };
        vec![
            ShopperEvent::PageView {
                path: s("/shoes/trail"),
                title: s("Trail shoes | Ridgeway Outfitters"),
                referrer: Some(s("https://www.google.com/")),
                utm: Some(Utm {
                    source: Some(s("newsletter")),
                    medium: Some(s("email")),
                    campaign: None,
                }),
            },
            ShopperEvent::Dwell {
                path: s("/shoes/trail"),
                ms: 42_000,
            },
            ShopperEvent::ScrollDepth {
                path: s("/shoes/trail"),
                percent: 75,
            },
            ShopperEvent::ProductViewed {
                sku: s("TR-42-BLU"),
                name: s("Ridgeway Trail Runner"),
                price_minor: 12_900,
            },
            ShopperEvent::CartAdd(line.clone()),
            ShopperEvent::CartRemove(line.clone()),
            ShopperEvent::CheckoutStep {
                step: 1,
                name: s("shipping"),
                value_minor: Some(12_900),
                items: vec![line.clone()],
            },
            ShopperEvent::OrderCompleted {
                order_id: s("R-100234"),
                total_minor: 12_900,
                tax_minor: Some(2_451),
                shipping_minor: Some(0),
                items: vec![line.clone()],
            },
            ShopperEvent::SiteSearch {
                query: s("waterproof"),
            },
            ShopperEvent::ExitIntent,
            ShopperEvent::TabHidden,
            ShopperEvent::TabVisible,
            ShopperEvent::Idle { ms: 60_000 },
            ShopperEvent::OfferShown {
                offer_id: s("of-1"),
            },
            ShopperEvent::OfferAccepted {
                offer_id: s("of-1"),
            },
            ShopperEvent::OfferDeclined {
                offer_id: s("of-1"),
            },
            ShopperEvent::ChatMessage {
                chat_id: None,
                client_msg_id: s("m-1"),
                text: s("Do these run small?"),
            },
            ShopperEvent::SurveyAnswer {
                chat_id: s("c-1"),
                helped: true,
                comment: Some(String::new()),
            },
        ]
    }

    fn batch_of(kinds: Vec<ShopperEvent>) -> Batch {
        Batch::new(
            0,
            "EUR",
            kinds
                .into_iter()
                .map(|kind| at(1_750_000_000_000, kind))
                .collect(),
        )
    }

    /// Validates `kind` as the second event of a batch whose first is valid.
    fn check(kind: ShopperEvent) -> Check {
        batch_of(vec![ShopperEvent::TabVisible, kind]).validate()
    }

    fn rejected(kind: InvalidEventKind, field: &'static str) -> Check {
        Err(InvalidEvent {
            kind,
            field,
            event: Some(1),
        })
    }

    fn every_push() -> Vec<Push> {
        vec![
            Push::ChatOffer {
                offer_id: s("of-1"),
                text: s("Free returns on trail shoes this week"),
            },
            Push::AgentMessage {
                chat_id: s("c-1"),
                agent_name: s("Mara"),
                text: s("They run half a size small."),
                from_supervisor: false,
                msg_id: None,
            },
            Push::SurveyPrompt {
                chat_id: s("c-1"),
                question: s("Did this chat help?"),
            },
            Push::QueueStatus {
                chat_id: s("c-1"),
                position: 2,
                expected_wait_secs: Some(90),
            },
            Push::ChatJoined {
                chat_id: s("c-1"),
                agent_name: s("Mara"),
            },
            Push::Transcript {
                chat_id: s("c-1"),
                lines: vec![
                    TranscriptLine {
                        msg_id: s("m-1"),
                        from: None,
                        text: s("Do these run small?"),
                    },
                    TranscriptLine {
                        msg_id: s("a-1"),
                        from: Some(s("Mara")),
                        text: s("Half a size."),
                    },
                ],
            },
        ]
    }

    #[test]
    fn queue_status_and_transcripts_are_bounded() {
        let status = |position| {
            PushEnvelope::new(Push::QueueStatus {
                chat_id: s("c"),
                position,
                expected_wait_secs: None,
            })
            .validate()
            .map_err(|e| (e.kind(), e.field()))
        };
        assert_eq!(
            status(0),
            Err((InvalidEventKind::OutOfRange, "queue_status.position"))
        );
        assert_eq!(status(1), Ok(()));
        let line = |text: String| TranscriptLine {
            msg_id: s("m"),
            from: None,
            text,
        };
        let transcript = |lines| {
            PushEnvelope::new(Push::Transcript {
                chat_id: s("c"),
                lines,
            })
            .validate()
            .map_err(|e| (e.kind(), e.field()))
        };
        assert_eq!(
            transcript(vec![line(s("hi")); MAX_TRANSCRIPT_LINES + 1]),
            Err((InvalidEventKind::TooManyEvents, "transcript.lines"))
        );
        assert_eq!(
            transcript(vec![line("x".repeat(MAX_CHAT_TEXT_LEN / 2 + 1)); 2]),
            Err((InvalidEventKind::FieldTooLong, "transcript.lines")),
            "the lines together must fit one push"
        );
    }

    #[test]
    fn every_kind_of_event_and_push_can_be_valid() {
        // The baseline the other tests break one field of.
        assert_eq!(batch_of(every_kind()).validate(), Ok(()));
        for push in every_push() {
            assert_eq!(PushEnvelope::new(push).validate(), Ok(()));
        }
    }

    #[test]
    fn only_the_current_version_is_supported() {
        for v in [0, SCHEMA_VERSION + 1, u16::MAX] {
            let expected = Err(InvalidEvent::new(InvalidEventKind::UnsupportedVersion, "v"));
            assert_eq!(
                Batch {
                    v,
                    ..batch_of(vec![])
                }
                .validate(),
                expected
            );
            let push = PushEnvelope {
                v,
                push: every_push().remove(0),
            };
            assert_eq!(push.validate(), expected);
        }
    }

    #[test]
    fn a_batch_holds_at_most_max_events() {
        let mut batch = batch_of(vec![ShopperEvent::TabHidden; MAX_EVENTS_PER_BATCH]);
        assert_eq!(batch.validate(), Ok(()));
        batch.events.push(at(1, ShopperEvent::TabVisible));
        assert_eq!(
            batch.validate(),
            Err(InvalidEvent::new(InvalidEventKind::TooManyEvents, "events"))
        );
    }

    #[test]
    fn an_empty_batch_is_valid() {
        assert_eq!(batch_of(vec![]).validate(), Ok(()));
    }

    #[test]
    fn currency_is_three_uppercase_letters() {
        for good in ["EUR", "JPY", "CHF"] {
            assert_eq!(Batch::new(0, good, vec![]).validate(), Ok(()), "{good}");
        }
        for bad in ["", "EU", "EURO", "eur", "E1R", "€UR", "EU\0"] {
            assert_eq!(
                Batch::new(0, bad, vec![]).validate(),
                Err(InvalidEvent::new(InvalidEventKind::BadFormat, "currency")),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_visitor_id_is_a_short_token_that_a_terminal_can_show() {
        let with_visitor = |id: &str| {
            let mut batch = Batch::new(0, "EUR", vec![]);
            batch.visitor = Some(id.to_owned());
            batch.validate()
        };
        assert_eq!(with_visitor("Vb3_x-9QmZ"), Ok(()));
        assert_eq!(with_visitor(&"a".repeat(MAX_ID_LEN)), Ok(()));
        let broken = [
            ("", InvalidEventKind::FieldEmpty),
            (&*"a".repeat(MAX_ID_LEN + 1), InvalidEventKind::FieldTooLong),
            ("visitor one", InvalidEventKind::BadFormat),
            ("\u{1b}[31m", InvalidEventKind::BadFormat),
            ("v\u{202e}", InvalidEventKind::BadFormat),
        ];
        for (id, kind) in broken {
            assert_eq!(
                with_visitor(id),
                Err(InvalidEvent::new(kind, "visitor")),
                "{id:?}"
            );
        }
    }

    #[test]
    fn a_drop_report_counts_at_least_one_batch() {
        let report = |count| batch_of(vec![ShopperEvent::BatchesDropped { count }]).validate();
        assert_eq!(report(1), Ok(()));
        assert_eq!(
            report(0),
            Err(InvalidEvent::new(InvalidEventKind::OutOfRange, "batches_dropped.count").at(0))
        );
    }

    /// A string field: its name in errors, its limit, whether it may be
    /// empty, and how to build a value with it.
    struct StringField<T> {
        field: &'static str,
        max: usize,
        may_be_empty: bool,
        make: fn(String) -> T,
    }

    fn check_string_fields<T>(fields: &[StringField<T>], validate: impl Fn(T) -> Check) {
        for f in fields {
            let name = f.field;
            assert_eq!(
                validate((f.make)(bytes_long(f.max))),
                Ok(()),
                "{name} at max"
            );
            let err = validate((f.make)(bytes_long(f.max + 1))).unwrap_err();
            assert_eq!(
                (err.kind(), err.field()),
                (InvalidEventKind::FieldTooLong, name)
            );
            let empty = validate((f.make)(String::new()));
            if f.may_be_empty {
                assert_eq!(empty, Ok(()), "{name} empty");
            } else {
                let err = empty.unwrap_err();
                assert_eq!(
                    (err.kind(), err.field()),
                    (InvalidEventKind::FieldEmpty, name)
                );
            }
        }
    }

    #[test]
    fn page_strings_are_bounded_in_bytes() {
        fn page_view(
            path: String,
            title: String,
            referrer: Option<String>,
            utm: Option<Utm>,
        ) -> ShopperEvent {
            ShopperEvent::PageView {
                path,
                title,
                referrer,
                utm,
            }
        }
        fn utm(
            source: Option<String>,
            medium: Option<String>,
            campaign: Option<String>,
        ) -> ShopperEvent {
            let utm = Utm {
                source,
                medium,
                campaign,
            };
            page_view(s("/"), s("Home"), None, Some(utm))
        }
        let fields: &[StringField<ShopperEvent>] = &[
            StringField {
                field: "page_view.path",
                max: MAX_PATH_LEN,
                may_be_empty: false,
                make: |v| page_view(v, s("Home"), None, None),
            },
            StringField {
                field: "page_view.title",
                max: MAX_TITLE_LEN,
                may_be_empty: true,
                make: |v| page_view(s("/"), v, None, None),
            },
            StringField {
                field: "page_view.referrer",
                max: MAX_REFERRER_LEN,
                may_be_empty: true,
                make: |v| page_view(s("/"), s("Home"), Some(v), None),
            },
            StringField {
                field: "utm.source",
                max: MAX_UTM_LEN,
                may_be_empty: true,
                make: |v| utm(Some(v), None, None),
            },
            StringField {
                field: "utm.medium",
                max: MAX_UTM_LEN,
                may_be_empty: true,
                make: |v| utm(None, Some(v), None),
            },
            StringField {
                field: "utm.campaign",
                max: MAX_UTM_LEN,
                may_be_empty: true,
                make: |v| utm(None, None, Some(v)),
            },
            StringField {
                field: "dwell.path",
                max: MAX_PATH_LEN,
                may_be_empty: false,
                make: |path| ShopperEvent::Dwell { path, ms: 1 },
            },
            StringField {
                field: "scroll_depth.path",
                max: MAX_PATH_LEN,
                may_be_empty: false,
                make: |path| ShopperEvent::ScrollDepth { path, percent: 1 },
            },
        ];
        check_string_fields(fields, check);
    }

    #[test]
    fn shopping_strings_are_bounded_in_bytes() {
        let fields: &[StringField<ShopperEvent>] = &[
            StringField {
                field: "product_viewed.sku",
                max: MAX_SKU_LEN,
                may_be_empty: false,
                make: |sku| ShopperEvent::ProductViewed {
                    sku,
                    name: s("Boot"),
                    price_minor: 1,
                },
            },
            StringField {
                field: "product_viewed.name",
                max: MAX_NAME_LEN,
                may_be_empty: true,
                make: |name| ShopperEvent::ProductViewed {
                    sku: s("B-1"),
                    name,
                    price_minor: 1,
                },
            },
            StringField {
                field: "cart.sku",
                max: MAX_SKU_LEN,
                may_be_empty: false,
                make: |sku| {
                    ShopperEvent::CartAdd(CartLine {
                        sku,
                        quantity: 1,
                        value_minor: 1,
                    })
                },
            },
            StringField {
                field: "cart.sku",
                max: MAX_SKU_LEN,
                may_be_empty: false,
                make: |sku| {
                    ShopperEvent::CartRemove(CartLine {
                        sku,
                        quantity: 1,
                        value_minor: 1,
                    })
                },
            },
            StringField {
                field: "checkout_step.name",
                max: MAX_STEP_NAME_LEN,
                may_be_empty: false,
                make: |name| ShopperEvent::CheckoutStep {
                    step: 1,
                    name,
                    value_minor: None,
                    items: vec![],
                },
            },
            StringField {
                field: "order_completed.order_id",
                max: MAX_ID_LEN,
                may_be_empty: false,
                make: |order_id| ShopperEvent::OrderCompleted {
                    order_id,
                    total_minor: 1,
                    tax_minor: None,
                    shipping_minor: None,
                    items: vec![],
                },
            },
            StringField {
                field: "site_search.query",
                max: MAX_QUERY_LEN,
                may_be_empty: false,
                make: |query| ShopperEvent::SiteSearch { query },
            },
        ];
        check_string_fields(fields, check);
    }

    #[test]
    fn conversation_strings_are_bounded_in_bytes() {
        let fields: &[StringField<ShopperEvent>] = &[
            StringField {
                field: "offer.offer_id",
                max: MAX_ID_LEN,
                may_be_empty: false,
                make: |offer_id| ShopperEvent::OfferShown { offer_id },
            },
            StringField {
                field: "offer.offer_id",
                max: MAX_ID_LEN,
                may_be_empty: false,
                make: |offer_id| ShopperEvent::OfferAccepted { offer_id },
            },
            StringField {
                field: "offer.offer_id",
                max: MAX_ID_LEN,
                may_be_empty: false,
                make: |offer_id| ShopperEvent::OfferDeclined { offer_id },
            },
            StringField {
                field: "chat_message.chat_id",
                max: MAX_ID_LEN,
                may_be_empty: false,
                make: |chat_id| ShopperEvent::ChatMessage {
                    chat_id: Some(chat_id),
                    client_msg_id: s("m-1"),
                    text: s("hi"),
                },
            },
            StringField {
                field: "chat_message.client_msg_id",
                max: MAX_ID_LEN,
                may_be_empty: false,
                make: |client_msg_id| ShopperEvent::ChatMessage {
                    chat_id: None,
                    client_msg_id,
                    text: s("hi"),
                },
            },
            StringField {
                field: "chat_message.text",
                max: MAX_CHAT_TEXT_LEN,
                may_be_empty: false,
                make: |text| ShopperEvent::ChatMessage {
                    chat_id: None,
                    client_msg_id: s("m-1"),
                    text,
                },
            },
            StringField {
                field: "survey_answer.chat_id",
                max: MAX_ID_LEN,
                may_be_empty: false,
                make: |chat_id| ShopperEvent::SurveyAnswer {
                    chat_id,
                    helped: false,
                    comment: None,
                },
            },
            StringField {
                field: "survey_answer.comment",
                max: MAX_COMMENT_LEN,
                may_be_empty: true,
                make: |comment| ShopperEvent::SurveyAnswer {
                    chat_id: s("c-1"),
                    helped: false,
                    comment: Some(comment),
                },
            },
        ];
        check_string_fields(fields, check);
    }

    #[test]
    fn push_strings_are_bounded_in_bytes() {
        let fields: &[StringField<Push>] = &[
            StringField {
                field: "chat_offer.offer_id",
                max: MAX_ID_LEN,
                may_be_empty: false,
                make: |offer_id| Push::ChatOffer {
                    offer_id,
                    text: s("Hi"),
                },
            },
            StringField {
                field: "chat_offer.text",
                max: MAX_OFFER_TEXT_LEN,
                may_be_empty: false,
                make: |text| Push::ChatOffer {
                    offer_id: s("of-1"),
                    text,
                },
            },
            StringField {
                field: "agent_message.chat_id",
                max: MAX_ID_LEN,
                may_be_empty: false,
                make: |chat_id| Push::AgentMessage {
                    chat_id,
                    agent_name: s("Mara"),
                    text: s("Hi"),
                    from_supervisor: true,
                    msg_id: None,
                },
            },
            StringField {
                field: "agent_message.agent_name",
                max: MAX_AGENT_NAME_LEN,
                may_be_empty: false,
                make: |agent_name| Push::AgentMessage {
                    chat_id: s("c-1"),
                    agent_name,
                    text: s("Hi"),
                    from_supervisor: true,
                    msg_id: None,
                },
            },
            StringField {
                field: "agent_message.text",
                max: MAX_CHAT_TEXT_LEN,
                may_be_empty: false,
                make: |text| Push::AgentMessage {
                    chat_id: s("c-1"),
                    agent_name: s("Mara"),
                    text,
                    from_supervisor: true,
                    msg_id: None,
                },
            },
            StringField {
                field: "survey_prompt.chat_id",
                max: MAX_ID_LEN,
                may_be_empty: false,
                make: |chat_id| Push::SurveyPrompt {
                    chat_id,
                    question: s("Helpful?"),
                },
            },
            StringField {
                field: "survey_prompt.question",
                max: MAX_QUESTION_LEN,
                may_be_empty: false,
                make: |question| Push::SurveyPrompt {
                    chat_id: s("c-1"),
                    question,
                },
            },
        ];
        check_string_fields(fields, |push| PushEnvelope::new(push).validate());
    }

    #[test]
    fn numbers_stay_in_range() {
        let out = InvalidEventKind::OutOfRange;
        let line = |quantity, value_minor| CartLine {
            sku: s("B-1"),
            quantity,
            value_minor,
        };
        let dwell = |ms| ShopperEvent::Dwell { path: s("/"), ms };
        let scroll = |percent| ShopperEvent::ScrollDepth {
            path: s("/"),
            percent,
        };
        let price = |price_minor| ShopperEvent::ProductViewed {
            sku: s("B-1"),
            name: s("Boot"),
            price_minor,
        };
        let step = |step| ShopperEvent::CheckoutStep {
            step,
            name: s("payment"),
            value_minor: None,
            items: vec![],
        };
        let total = |total_minor| ShopperEvent::OrderCompleted {
            order_id: s("R-1"),
            total_minor,
            tax_minor: None,
            shipping_minor: None,
            items: vec![],
        };
        let cases = [
            (scroll(0), Ok(())),
            (scroll(100), Ok(())),
            (scroll(101), rejected(out, "scroll_depth.percent")),
            (scroll(u8::MAX), rejected(out, "scroll_depth.percent")),
            (dwell(0), Ok(())),
            (dwell(MAX_DURATION_MS), Ok(())),
            (dwell(MAX_DURATION_MS + 1), rejected(out, "dwell.ms")),
            (
                ShopperEvent::Idle {
                    ms: MAX_DURATION_MS,
                },
                Ok(()),
            ),
            (
                ShopperEvent::Idle {
                    ms: MAX_DURATION_MS + 1,
                },
                rejected(out, "idle.ms"),
            ),
            (price(0), Ok(())),
            (price(MAX_MINOR_UNITS), Ok(())),
            (
                price(MAX_MINOR_UNITS + 1),
                rejected(out, "product_viewed.price_minor"),
            ),
            (ShopperEvent::CartAdd(line(1, 0)), Ok(())),
            (
                ShopperEvent::CartAdd(line(MAX_QUANTITY, MAX_MINOR_UNITS)),
                Ok(()),
            ),
            (
                ShopperEvent::CartAdd(line(0, 100)),
                rejected(out, "cart.quantity"),
            ),
            (
                ShopperEvent::CartRemove(line(0, 100)),
                rejected(out, "cart.quantity"),
            ),
            (
                ShopperEvent::CartAdd(line(MAX_QUANTITY + 1, 100)),
                rejected(out, "cart.quantity"),
            ),
            (
                ShopperEvent::CartRemove(line(1, MAX_MINOR_UNITS + 1)),
                rejected(out, "cart.value_minor"),
            ),
            (step(0), rejected(out, "checkout_step.step")),
            (step(1), Ok(())),
            (step(MAX_CHECKOUT_STEP), Ok(())),
            (
                step(MAX_CHECKOUT_STEP + 1),
                rejected(out, "checkout_step.step"),
            ),
            (total(0), Ok(())),
            (total(MAX_MINOR_UNITS), Ok(())),
            (
                total(MAX_MINOR_UNITS + 1),
                rejected(out, "order_completed.total_minor"),
            ),
        ];
        for (kind, expected) in cases {
            assert_eq!(check(kind.clone()), expected, "{kind:?}");
        }
    }

    #[test]
    fn checkouts_and_orders_list_few_valid_items_and_bounded_amounts() {
        let line = |sku: &str| CartLine {
            sku: s(sku),
            quantity: 1,
            value_minor: 100,
        };
        let order = |items: Vec<CartLine>, tax_minor| ShopperEvent::OrderCompleted {
            order_id: s("R-1"),
            total_minor: 100,
            tax_minor,
            shipping_minor: None,
            items,
        };
        let step = |items: Vec<CartLine>, value_minor| ShopperEvent::CheckoutStep {
            step: 1,
            name: s("begin_checkout"),
            value_minor,
            items,
        };
        let most = vec![line("B-1"); MAX_ITEMS_PER_EVENT];
        let too_many = vec![line("B-1"); MAX_ITEMS_PER_EVENT + 1];
        let out = InvalidEventKind::OutOfRange;
        let cases = [
            (order(most.clone(), Some(MAX_MINOR_UNITS)), Ok(())),
            (step(most, Some(MAX_MINOR_UNITS)), Ok(())),
            (
                order(too_many.clone(), None),
                rejected(out, "order_completed.items"),
            ),
            (step(too_many, None), rejected(out, "checkout_step.items")),
            (
                order(vec![line("")], None),
                rejected(InvalidEventKind::FieldEmpty, "cart.sku"),
            ),
            (
                order(vec![], Some(MAX_MINOR_UNITS + 1)),
                rejected(out, "order_completed.tax_minor"),
            ),
            (
                step(vec![], Some(MAX_MINOR_UNITS + 1)),
                rejected(out, "checkout_step.value_minor"),
            ),
        ];
        for (kind, expected) in cases {
            assert_eq!(check(kind.clone()), expected, "{kind:?}");
        }
    }

    #[test]
    fn older_plugins_checkouts_and_orders_still_read() {
        let old = br#"{"v":1,"seq":0,"currency":"EUR","visitor":null,"events":[
            {"at_ms":1,"kind":{"checkout_step":{"step":1,"name":"begin_checkout"}}},
            {"at_ms":2,"kind":{"order_completed":{"order_id":"R-1","total_minor":100}}}]}"#;
        let batch = crate::wire::decode_batch(old).unwrap();
        assert_eq!(
            batch.events[1].kind,
            ShopperEvent::OrderCompleted {
                order_id: s("R-1"),
                total_minor: 100,
                tax_minor: None,
                shipping_minor: None,
                items: vec![],
            }
        );
    }

    #[test]
    fn the_first_offending_event_is_reported() {
        let mut batch = batch_of(every_kind());
        batch.events[3].kind = ShopperEvent::SiteSearch { query: s("") };
        batch.events[5].kind = ShopperEvent::Idle { ms: u32::MAX };
        let err = batch.validate().unwrap_err();
        assert_eq!(err.event(), Some(3));
        assert_eq!(
            err.to_string(),
            "event 3: empty field in 'site_search.query'"
        );
    }

    #[test]
    fn batch_level_errors_name_no_event() {
        let err = Batch::new(0, "eur", vec![]).validate().unwrap_err();
        assert_eq!(err.event(), None);
        assert_eq!(err.to_string(), "bad format in 'currency'");
    }
}
