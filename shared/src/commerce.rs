//! Commerce as storefronts already report it, turned into shopper events.
//!
//! Most storefronts push GA4 ecommerce events to `window.dataLayer`
//! (`view_item`, `add_to_cart`, `begin_checkout`, `purchase`…); the plugin's
//! `track(name, params)` takes the same names and parameters, so a shop that
//! has one has the other. Amounts arrive in major units (`129.99`), as GA4
//! sends them, and leave as integer minor units of the event's currency
//! ([`currency`]): its own `currency`, else its first item's (as GA4 reads
//! it), else the shop's. Checkout steps keep their `value` and `items`,
//! purchases their `items`, `tax` and `shipping` (the first
//! [`MAX_ITEMS_PER_EVENT`] items; a cart change is an event per item), each
//! text cut to its bound.

use alloc::{borrow::ToOwned, string::String, vec::Vec};

use crate::event::limits::{
    MAX_ID_LEN, MAX_ITEMS_PER_EVENT, MAX_MINOR_UNITS, MAX_NAME_LEN, MAX_QUANTITY, MAX_QUERY_LEN,
    MAX_SKU_LEN,
};
use crate::event::{CartLine, ShopperEvent, is_currency};
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
    /// `currency`, or when absent its first item's, as given (see
    /// [`currency`]).
    pub currency: Option<String>,
    /// `value`: the event's total, in major units.
    pub value: Option<f64>,
    /// `tax` of a purchase, in major units.
    pub tax: Option<f64>,
    /// `shipping` of a purchase, in major units.
    pub shipping: Option<f64>,
    /// `transaction_id` of a purchase.
    pub transaction_id: Option<String>,
    /// `search_term` of a search.
    pub search_term: Option<String>,
    /// `items`.
    pub items: Vec<Item>,
}

/// The currency of an event whose parameters name `given` (see
/// [`Params::currency`]) on a shop whose currency is `shop`: `given` if it
/// is an ISO 4217 code (three ASCII uppercase letters), `shop` if none was
/// given (or an empty text), and `None` for anything else: amounts in a
/// currency nobody can name are not recorded as if they were the shop's.
pub fn currency<'a>(given: Option<&'a str>, shop: &'a str) -> Option<&'a str> {
    match given {
        None | Some("") => Some(shop),
        Some(code) => is_currency(code).then_some(code),
    }
}

/// The shopper events a GA4 event means, its amounts in `currency`; none
/// for names Floorwalker does not follow.
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
    // Cart changes become events as they are read, other events' items
    // lines: no second pass (each is code of its own in the plugin's
    // download, as is each `collect` from iterator adaptors).
    let cart = match name {
        "add_to_cart" => Some(true),
        "remove_from_cart" => Some(false),
        _ => None,
    };
    let mut events = Vec::new();
    let mut lines = Vec::new();
    for item in &params.items {
        if !item.sku.is_empty() {
            match cart {
                Some(true) => events.push(ShopperEvent::CartAdd(line(item))),
                Some(false) => events.push(ShopperEvent::CartRemove(line(item))),
                None if lines.len() < MAX_ITEMS_PER_EVENT => lines.push(line(item)),
                None => {}
            }
        }
    }
    let step = match name {
        "begin_checkout" => Some((1, "begin_checkout")),
        "add_shipping_info" => Some((2, "shipping")),
        "add_payment_info" => Some((3, "payment")),
        _ => None,
    };
    if let Some((step, step_name)) = step {
        events.push(ShopperEvent::CheckoutStep {
            step,
            name: step_name.to_owned(),
            value_minor: params.value.map(minor),
            items: lines,
        });
        return events;
    }
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
                tax_minor: params.tax.map(minor),
                shipping_minor: params.shipping.map(minor),
                items: lines,
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
                total_minor: 29300,
                tax_minor: None,
                shipping_minor: None,
                items: vec![],
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
    fn checkout_steps_and_purchases_keep_value_items_tax_and_shipping() {
        let lines = [
            CartLine {
                sku: "trail".into(),
                quantity: 1,
                value_minor: 12_900,
            },
            CartLine {
                sku: "socks".into(),
                quantity: 2,
                value_minor: 2_998,
            },
        ];
        let cart = Params {
            value: Some(158.98),
            items: vec![
                item("trail", 129.0, 1.0),
                item("", 5.0, 1.0),
                item("socks", 14.99, 2.0),
            ],
            ..Params::default()
        };
        assert_eq!(
            events("add_shipping_info", &cart, "USD"),
            [ShopperEvent::CheckoutStep {
                step: 2,
                name: "shipping".into(),
                value_minor: Some(15_898),
                items: lines.to_vec(),
            }],
            "items without an id are left out"
        );
        let purchase = Params {
            transaction_id: Some("T-9".into()),
            tax: Some(12.72),
            shipping: Some(5.99),
            ..cart
        };
        assert_eq!(
            events("purchase", &purchase, "USD"),
            [ShopperEvent::OrderCompleted {
                order_id: "T-9".into(),
                total_minor: 15_898,
                tax_minor: Some(1_272),
                shipping_minor: Some(599),
                items: lines.to_vec(),
            }]
        );
        // However many items the page lists, an event holds the first few.
        let many = params(vec![item(&"x".repeat(500), 1.0, 1.0); 100]);
        let [ShopperEvent::CheckoutStep { items, .. }] =
            &events("begin_checkout", &many, "EUR")[..]
        else {
            panic!("one checkout step");
        };
        assert_eq!(items.len(), MAX_ITEMS_PER_EVENT);
        assert!(items.iter().all(|l| l.sku.len() == MAX_SKU_LEN));
    }

    #[test]
    fn an_events_currency_is_its_own_if_it_names_one() {
        assert_eq!(currency(Some("USD"), "EUR"), Some("USD"));
        assert_eq!(currency(None, "EUR"), Some("EUR"));
        assert_eq!(
            currency(Some(""), "EUR"),
            Some("EUR"),
            "an empty text names none"
        );
        for bad in ["usd", "US", "USDX", "$", "840", "ÜSD", "US "] {
            assert_eq!(currency(Some(bad), "EUR"), None, "{bad:?}");
        }
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
