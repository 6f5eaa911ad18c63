//! A [`Batch`] as JSON, written by hand ([`crate::json`]) for
//! [`crate::wire::encode_batch`]: the same bytes as the types' `Serialize`
//! derives give through `serde_json`, without its serializer in the plugin.
//!
//! Serde's forms here: structs are objects of their fields in order, an
//! `Option` without `skip_serializing_if` is `null` when `None`, and
//! [`ShopperEvent`] (`rename_all = "snake_case"`, externally tagged) is
//! `"name"` for a unit variant, `{"name":value}` for a newtype variant and
//! `{"name":{fields}}` for a struct variant.

use super::{Batch, CartLine, Event, ShopperEvent, Utm};
use crate::json::{Json, ToJson};

impl ToJson for Batch {
    fn write_json(&self, json: &mut Json) {
        let Self {
            v,
            seq,
            currency,
            visitor,
            events,
        } = self;
        json.begin_object();
        json.field("v", v);
        json.field("seq", seq);
        json.field("currency", currency);
        json.field("visitor", visitor);
        json.field("events", events);
        json.end_object();
    }
}

impl ToJson for Event {
    fn write_json(&self, json: &mut Json) {
        let Self { at_ms, kind } = self;
        json.begin_object();
        json.field("at_ms", at_ms);
        json.field("kind", kind);
        json.end_object();
    }
}

impl ToJson for Utm {
    fn write_json(&self, json: &mut Json) {
        let Self {
            source,
            medium,
            campaign,
        } = self;
        json.begin_object();
        json.field("source", source);
        json.field("medium", medium);
        json.field("campaign", campaign);
        json.end_object();
    }
}

impl ToJson for CartLine {
    fn write_json(&self, json: &mut Json) {
        let Self {
            sku,
            quantity,
            value_minor,
        } = self;
        json.begin_object();
        json.field("sku", sku);
        json.field("quantity", quantity);
        json.field("value_minor", value_minor);
        json.end_object();
    }
}

impl ToJson for ShopperEvent {
    // One arm per variant, each as long as its fields: splitting the match
    // would only hide which variant writes what.
    #[allow(clippy::too_many_lines)]
    fn write_json(&self, json: &mut Json) {
        match self {
            Self::PageView {
                path,
                title,
                referrer,
                utm,
            } => {
                json.begin_struct_variant("page_view");
                json.field("path", path);
                json.field("title", title);
                json.field("referrer", referrer);
                json.field("utm", utm);
                json.end_struct_variant();
            }
            Self::Dwell { path, ms } => {
                json.begin_struct_variant("dwell");
                json.field("path", path);
                json.field("ms", ms);
                json.end_struct_variant();
            }
            Self::ScrollDepth { path, percent } => {
                json.begin_struct_variant("scroll_depth");
                json.field("path", path);
                json.field("percent", percent);
                json.end_struct_variant();
            }
            Self::ProductViewed {
                sku,
                name,
                price_minor,
            } => {
                json.begin_struct_variant("product_viewed");
                json.field("sku", sku);
                json.field("name", name);
                json.field("price_minor", price_minor);
                json.end_struct_variant();
            }
            Self::ProductToggling {
                first_sku,
                second_sku,
            } => {
                json.begin_struct_variant("product_toggling");
                json.field("first_sku", first_sku);
                json.field("second_sku", second_sku);
                json.end_struct_variant();
            }
            Self::CartAdd(line) => json.newtype_variant("cart_add", line),
            Self::CartRemove(line) => json.newtype_variant("cart_remove", line),
            Self::CheckoutStep {
                step,
                name,
                value_minor,
                items,
            } => {
                json.begin_struct_variant("checkout_step");
                json.field("step", step);
                json.field("name", name);
                json.field("value_minor", value_minor);
                json.field("items", items);
                json.end_struct_variant();
            }
            Self::OrderCompleted {
                order_id,
                total_minor,
                tax_minor,
                shipping_minor,
                items,
            } => {
                json.begin_struct_variant("order_completed");
                json.field("order_id", order_id);
                json.field("total_minor", total_minor);
                json.field("tax_minor", tax_minor);
                json.field("shipping_minor", shipping_minor);
                json.field("items", items);
                json.end_struct_variant();
            }
            Self::SiteSearch { query } => {
                json.begin_struct_variant("site_search");
                json.field("query", query);
                json.end_struct_variant();
            }
            Self::ExitIntent => json.str("exit_intent"),
            Self::TabHidden => json.str("tab_hidden"),
            Self::TabVisible => json.str("tab_visible"),
            Self::Idle { ms } => {
                json.begin_struct_variant("idle");
                json.field("ms", ms);
                json.end_struct_variant();
            }
            Self::BatchesDropped { count } => {
                json.begin_struct_variant("batches_dropped");
                json.field("count", count);
                json.end_struct_variant();
            }
            Self::OfferShown { offer_id } => {
                json.begin_struct_variant("offer_shown");
                json.field("offer_id", offer_id);
                json.end_struct_variant();
            }
            Self::OfferAccepted { offer_id } => {
                json.begin_struct_variant("offer_accepted");
                json.field("offer_id", offer_id);
                json.end_struct_variant();
            }
            Self::OfferDeclined { offer_id } => {
                json.begin_struct_variant("offer_declined");
                json.field("offer_id", offer_id);
                json.end_struct_variant();
            }
            Self::ChatMessage {
                chat_id,
                client_msg_id,
                text,
            } => {
                json.begin_struct_variant("chat_message");
                json.field("chat_id", chat_id);
                json.field("client_msg_id", client_msg_id);
                json.field("text", text);
                json.end_struct_variant();
            }
            Self::SurveyAnswer {
                chat_id,
                helped,
                comment,
            } => {
                json.begin_struct_variant("survey_answer");
                json.field("chat_id", chat_id);
                json.field("helped", helped);
                json.field("comment", comment);
                json.end_struct_variant();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::{borrow::ToOwned, string::String, vec};

    use pretty_assertions::assert_eq;
    use proptest::prelude::*;

    use super::super::strategy;
    use super::*;
    use crate::json::to_vec;

    fn both(batch: &Batch) -> (String, String) {
        (
            String::from_utf8(to_vec(batch)).unwrap(),
            serde_json::to_string(batch).unwrap(),
        )
    }

    #[test]
    fn hostile_text_is_written_as_serde_json_writes_it() {
        let hostile = "\"quoted\" \\back\\ \u{0}\u{8}\t\n\u{c}\r\u{1b}\u{1f}\u{7f} \u{1f6d2} \u{2028}\u{2029}";
        let s = || hostile.to_owned();
        let mut batch = Batch::new(
            u64::MAX,
            s(),
            vec![
                Event {
                    at_ms: u64::MAX,
                    kind: ShopperEvent::PageView {
                        path: s(),
                        title: s(),
                        referrer: Some(s()),
                        utm: Some(Utm {
                            source: Some(s()),
                            medium: None,
                            campaign: Some(String::new()),
                        }),
                    },
                },
                Event {
                    at_ms: 0,
                    kind: ShopperEvent::CartRemove(CartLine {
                        sku: s(),
                        quantity: u32::MAX,
                        value_minor: u64::MAX,
                    }),
                },
                Event {
                    at_ms: 1,
                    kind: ShopperEvent::TabVisible,
                },
                Event {
                    at_ms: 2,
                    kind: ShopperEvent::SurveyAnswer {
                        chat_id: s(),
                        helped: false,
                        comment: None,
                    },
                },
            ],
        );
        batch.v = u16::MAX;
        batch.visitor = Some(s());
        let (ours, serde) = both(&batch);
        assert_eq!(ours, serde);
        assert!(
            ours.contains(r#""utm":{"source":"\"quoted\" \\back\\ \u0000\b\t\n\f\r\u001b\u001f"#)
        );
    }

    #[test]
    fn unit_newtype_and_struct_variants() {
        let batch = Batch::new(
            0,
            "EUR",
            vec![
                Event {
                    at_ms: 1,
                    kind: ShopperEvent::ExitIntent,
                },
                Event {
                    at_ms: 2,
                    kind: ShopperEvent::CartAdd(CartLine {
                        sku: "socks".to_owned(),
                        quantity: 3,
                        value_minor: 4497,
                    }),
                },
                Event {
                    at_ms: 3,
                    kind: ShopperEvent::PageView {
                        path: "/".to_owned(),
                        title: "Home".to_owned(),
                        referrer: None,
                        utm: None,
                    },
                },
            ],
        );
        let expected = r#"{"v":1,"seq":0,"currency":"EUR","visitor":null,"events":[
            {"at_ms":1,"kind":"exit_intent"},
            {"at_ms":2,"kind":{"cart_add":{"sku":"socks","quantity":3,"value_minor":4497}}},
            {"at_ms":3,"kind":{"page_view":{"path":"/","title":"Home","referrer":null,"utm":null}}}]}"#;
        let expected: String = expected.split('\n').map(str::trim_start).collect();
        let (ours, serde) = both(&batch);
        assert_eq!(ours, expected);
        assert_eq!(serde, expected);
    }

    proptest! {
        #[test]
        fn any_batch_is_written_as_serde_json_writes_it(
            batch in strategy::batch(),
            v in any::<u16>(),
        ) {
            let batch = Batch { v, ..batch };
            let (ours, serde) = both(&batch);
            prop_assert_eq!(ours, serde);
        }
    }
}
