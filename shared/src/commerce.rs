//! Commerce as storefronts already report it, turned into shopper events.
//!
//! Most storefronts push GA4 ecommerce events to `window.dataLayer`
//! (`view_item`, `add_to_cart`, `begin_checkout`, `purchase`…); the plugin's
//! `track(name, params)` takes the same names and parameters, so a shop that
//! has one has the other. Amounts arrive in major units (`129.99`), as GA4
//! sends them, and leave as integer minor units of the batch currency.

use alloc::{borrow::ToOwned, string::String, vec::Vec};

use crate::event::limits::{
    MAX_ID_LEN, MAX_MINOR_UNITS, MAX_NAME_LEN, MAX_QUANTITY, MAX_QUERY_LEN, MAX_SKU_LEN,
};
use crate::event::{CartLine, ShopperEvent};
use crate::recorder::trim;

/// One item of a GA4 event's `items`.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// `item_id`: the shop's SKU.
    pub sku: String,
    /// `item_name`.
    pub name: String,
    /// `price`, per unit, in major units.
    pub price: f64,
    /// `quantity` (1 when absent).
    pub quantity: f64,
}

/// A GA4 event's parameters that Floorwalker reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params {
    /// `value`: the event's total, in major units.
    pub value: Option<f64>,
    /// `transaction_id` of a purchase.
    pub transaction_id: Option<String>,
    /// `search_term` of a search.
    pub search_term: Option<String>,
    /// `items`.
    pub items: Vec<Item>,
}

/// The shopper events a GA4 event means; none for names Floorwalker does not
/// follow.
pub fn events(name: &str, params: &Params, currency: &str) -> Vec<ShopperEvent> {
    let minor = |major: f64| minor_units(major, currency);
    let line = |item: &Item| {
        let quantity = quantity(item.quantity);
        CartLine {
            sku: trim(&item.sku, MAX_SKU_LEN),
            quantity,
            value_minor: minor(item.price * f64::from(quantity)),
        }
    };
    let step = |step: u8, name: &str| ShopperEvent::CheckoutStep {
        step,
        name: name.to_owned(),
    };
    // Pushed one by one rather than collected from adaptors: each
    // `collect` is code of its own in the plugin's download.
    let mut events = Vec::new();
    match name {
        "view_item" => {
            if let Some(item) = params.items.iter().find(|i| !i.sku.is_empty()) {
                events.push(ShopperEvent::ProductViewed {
                    sku: trim(&item.sku, MAX_SKU_LEN),
                    name: trim(&item.name, MAX_NAME_LEN),
                    price_minor: minor(item.price),
                });
            }
        }
        "add_to_cart" | "remove_from_cart" => {
            for item in params.items.iter().filter(|i| !i.sku.is_empty()) {
                events.push(if name == "add_to_cart" {
                    ShopperEvent::CartAdd(line(item))
                } else {
                    ShopperEvent::CartRemove(line(item))
                });
            }
        }
        "begin_checkout" => events.push(step(1, "begin_checkout")),
        "add_shipping_info" => events.push(step(2, "shipping")),
        "add_payment_info" => events.push(step(3, "payment")),
        "purchase" => {
            let total = params.value.unwrap_or_else(|| {
                params
                    .items
                    .iter()
                    .map(|i| i.price * f64::from(quantity(i.quantity)))
                    .sum()
            });
            let order_id = params
                .transaction_id
                .as_deref()
                .filter(|t| !t.is_empty())
                .unwrap_or("unknown");
            events.push(ShopperEvent::OrderCompleted {
                order_id: trim(order_id, MAX_ID_LEN),
                total_minor: minor(total),
            });
        }
        "search" | "view_search_results" => {
            if let Some(query) = params.search_term.as_deref().map(str::trim) {
                if !query.is_empty() {
                    events.push(ShopperEvent::SiteSearch {
                        query: trim(query, MAX_QUERY_LEN),
                    });
                }
            }
        }
        _ => {}
    }
    events
}

/// `major` units of `currency` as integer minor units, rounded, within the
/// schema's bounds (negative or not-a-number amounts become 0).
pub fn minor_units(major: f64, currency: &str) -> u64 {
    let scale = match minor_unit_digits(currency) {
        0 => 1.0,
        3 => 1000.0,
        _ => 100.0,
    };
    let scaled = major * scale;
    #[allow(clippy::cast_precision_loss)] // 10^12 is exact in an f64
    let max = MAX_MINOR_UNITS as f64;
    if scaled.is_nan() || scaled <= 0.0 {
        0
    } else if scaled >= max {
        MAX_MINOR_UNITS
    } else {
        round(scaled)
    }
}

/// How many digits `currency`'s minor unit has: 2 for most (cents), 0 for
/// JPY and others without one, 3 for KWD and others with mils.
pub fn minor_unit_digits(currency: &str) -> u8 {
    // ISO 4217 minor-unit exponents that are not 2.
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// `x` rounded half away from zero, for `0 <= x < 2^52`: `f64::round` is
/// std's, and the plugin builds without std.
fn round(x: f64) -> u64 {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // in range, per the caller
    let whole = x as u64;
    #[allow(clippy::cast_precision_loss)] // below 2^52, exact
    let fraction = x - whole as f64;
    if fraction >= 0.5 { whole + 1 } else { whole }
}

fn quantity(q: f64) -> u32 {
    if q.is_nan() || q < 1.0 {
        1
    } else if q >= f64::from(MAX_QUANTITY) {
        MAX_QUANTITY
    } else {
        // Below MAX_QUANTITY, checked above.
        u32::try_from(round(q)).unwrap_or(MAX_QUANTITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(sku: &str, price: f64, quantity: f64) -> Item {
        Item {
            sku: sku.into(),
            name: format!("{sku} name"),
            price,
            quantity,
        }
    }

    fn params(items: Vec<Item>) -> Params {
        Params {
            items,
            ..Params::default()
        }
    }

    #[test]
    fn ga4_ecommerce_events_become_shopper_events() {
        let view = events("view_item", &params(vec![item("trail", 129.0, 1.0)]), "EUR");
        assert_eq!(
            view,
            [ShopperEvent::ProductViewed {
                sku: "trail".into(),
                name: "trail name".into(),
                price_minor: 12900
            }]
        );
        let add = events(
            "add_to_cart",
            &params(vec![item("socks", 14.99, 3.0)]),
            "EUR",
        );
        assert_eq!(
            add,
            [ShopperEvent::CartAdd(CartLine {
                sku: "socks".into(),
                quantity: 3,
                value_minor: 4497
            })]
        );
        assert!(matches!(
            events(
                "remove_from_cart",
                &params(vec![item("socks", 14.99, 0.0)]),
                "EUR"
            )[..],
            [ShopperEvent::CartRemove(CartLine {
                quantity: 1,
                value_minor: 1499,
                ..
            })]
        ));
        for (name, step) in [
            ("begin_checkout", 1),
            ("add_shipping_info", 2),
            ("add_payment_info", 3),
        ] {
            assert!(
                matches!(events(name, &Params::default(), "EUR")[..], [ShopperEvent::CheckoutStep { step: s, .. }] if s == step)
            );
        }
        let purchase = Params {
            value: Some(293.0),
            transaction_id: Some("T-1".into()),
            ..Params::default()
        };
        assert_eq!(
            events("purchase", &purchase, "EUR"),
            [ShopperEvent::OrderCompleted {
                order_id: "T-1".into(),
                total_minor: 29300
            }]
        );
        let search = Params {
            search_term: Some("  trail shoes ".into()),
            ..Params::default()
        };
        assert_eq!(
            events("search", &search, "EUR"),
            [ShopperEvent::SiteSearch {
                query: "trail shoes".into()
            }]
        );
        assert_eq!(events("page_view", &Params::default(), "EUR"), []);
        assert_eq!(
            events("view_item", &params(vec![item("", 1.0, 1.0)]), "EUR"),
            []
        );
    }

    #[test]
    fn amounts_respect_the_currency_and_the_bounds() {
        assert_eq!(minor_units(129.99, "EUR"), 12999);
        assert_eq!(minor_units(0.1 + 0.2, "USD"), 30);
        assert_eq!(minor_units(1500.0, "JPY"), 1500);
        assert_eq!(minor_units(1.234, "KWD"), 1234);
        assert_eq!(minor_units(-5.0, "EUR"), 0);
        assert_eq!(minor_units(f64::NAN, "EUR"), 0);
        assert_eq!(minor_units(f64::INFINITY, "EUR"), MAX_MINOR_UNITS);
        // Halves round away from zero, as f64::round does.
        assert_eq!(minor_units(0.005, "EUR"), 1);
        assert_eq!(minor_units(0.004, "EUR"), 0);
        assert_eq!(minor_units(2.5, "JPY"), 3);
        assert_eq!(minor_units(9_999_999_999.994, "EUR"), 999_999_999_999);
        assert_eq!(quantity(1e12), MAX_QUANTITY);
    }
}
