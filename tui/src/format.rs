//! Numbers and journey steps as an operator reads them: durations, money,
//! counts, and one line per step of a shopper's path.

use floorwalker_shared::journey::Step;

// In shared, so the reasons a shopper needs help (`triage`) write money
// as every screen does.
pub use floorwalker_shared::money::{money, money_short};

/// `ms` as the two largest units: `42s`, `3m05s`, `2h07m`, `3d04h`.
pub fn duration(ms: u64) -> String {
    let s = ms / 1000;
    match s {
        0..60 => format!("{s}s"),
        60..3_600 => format!("{}m{:02}s", s / 60, s % 60),
        3_600..86_400 => format!("{}h{:02}m", s / 3_600, s % 3_600 / 60),
        _ => format!("{}d{:02}h", s / 86_400, s % 86_400 / 3_600),
    }
}

/// `ms` relative to a start: `+0:00`, `+1:05`, `+1:02:03`.
pub fn offset(ms: u64) -> String {
    let s = ms / 1000;
    if s < 3_600 {
        format!("+{}:{:02}", s / 60, s % 60)
    } else {
        format!("+{}:{:02}:{:02}", s / 3_600, s % 3_600 / 60, s % 60)
    }
}

/// One step of a shopper's path, in words (untrusted text inside: sanitize
/// before a terminal shows it).
pub fn step_text(step: &Step, currency: &str) -> String {
    match step {
        Step::Page {
            path,
            title,
            dwell_ms,
        } => {
            let dwell = dwell_ms.map_or(String::new(), |ms| {
                format!(" · {}", duration(u64::from(ms)))
            });
            format!("page {path} ({title}){dwell}")
        }
        Step::Search { query } => format!("search \"{query}\""),
        Step::CartAdd {
            sku,
            quantity,
            value_minor,
        } => format!(
            "cart + {quantity} × {sku} ({})",
            money(*value_minor, currency)
        ),
        Step::CartRemove {
            sku,
            quantity,
            value_minor,
        } => format!(
            "cart − {quantity} × {sku} ({})",
            money(*value_minor, currency)
        ),
        Step::Toggling {
            first_sku,
            second_sku,
        } => format!("toggling {first_sku} / {second_sku}"),
        Step::Checkout {
            step,
            name,
            value_minor,
            items,
        } => {
            let mut text = format!("checkout step {step} ({name})");
            if let Some(value) = value_minor {
                text = format!("{text} · {}", money(*value, currency));
            }
            format!("{text}{}", items_text(*items))
        }
        Step::Order {
            order_id,
            total_minor,
            tax_minor,
            shipping_minor,
            items,
        } => {
            let mut text = format!(
                "ORDER {order_id} · {}{}",
                money(*total_minor, currency),
                items_text(*items)
            );
            for (what, minor) in [("tax", tax_minor), ("shipping", shipping_minor)] {
                if let Some(minor) = minor {
                    text = format!("{text} · {what} {}", money(*minor, currency));
                }
            }
            text
        }
        Step::ExitIntent => "reached for the tabs".to_owned(),
        Step::OfferSent { text, by, .. } => format!("offer by {by}: \"{text}\""),
        Step::OfferShown { .. } => "offer shown".to_owned(),
        Step::OfferAccepted { .. } => "offer ACCEPTED".to_owned(),
        Step::OfferDeclined { .. } => "offer declined".to_owned(),
        Step::ChatMessage { text } => format!("chat: \"{text}\""),
        Step::Survey { helped, comment } => format!(
            "survey: {}{}",
            if *helped { "helped" } else { "did NOT help" },
            comment
                .as_deref()
                .map_or(String::new(), |c| format!(" \"{c}\""))
        ),
    }
}

/// ` · 3 items`, or nothing for none listed.
fn items_text(items: u32) -> String {
    match items {
        0 => String::new(),
        1 => " · 1 item".to_owned(),
        n => format!(" · {n} items"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_two_units() {
        let cases = [
            (0, "0s"),
            (59_999, "59s"),
            (65_000, "1m05s"),
            (7_620_000, "2h07m"),
            (273_600_000, "3d04h"),
        ];
        for (ms, text) in cases {
            assert_eq!(duration(ms), text);
        }
    }

    #[test]
    fn money_uses_the_currencys_minor_unit() {
        assert_eq!(money(12_900, "EUR"), "€129.00");
        assert_eq!(money(5, "USD"), "$0.05");
        assert_eq!(money(1_500, "JPY"), "¥1500");
        assert_eq!(money(12_500, "KWD"), "12.500 KWD");
        assert_eq!(money_short(12_900, "EUR"), "€129");
        assert_eq!(money_short(123_456, "EUR"), "€1.2k");
        assert_eq!(money_short(3_500_000, "CHF"), "35kC");
    }

    #[test]
    fn checkouts_and_orders_say_what_the_shop_said_in_its_currency() {
        let checkout = Step::Checkout {
            step: 1,
            name: "begin_checkout".into(),
            value_minor: Some(15_898),
            items: 3,
        };
        assert_eq!(
            step_text(&checkout, "USD"),
            "checkout step 1 (begin_checkout) · $158.98 · 3 items"
        );
        let order = Step::Order {
            order_id: "T-9".into(),
            total_minor: 15_898,
            tax_minor: Some(1_272),
            shipping_minor: None,
            items: 1,
        };
        assert_eq!(
            step_text(&order, "USD"),
            "ORDER T-9 · $158.98 · 1 item · tax $12.72"
        );
        let bare = Step::Checkout {
            step: 2,
            name: "shipping".into(),
            value_minor: None,
            items: 0,
        };
        assert_eq!(step_text(&bare, "EUR"), "checkout step 2 (shipping)");
    }

    #[test]
    fn offsets_count_from_the_start() {
        assert_eq!(offset(0), "+0:00");
        assert_eq!(offset(65_000), "+1:05");
        assert_eq!(offset(3_723_000), "+1:02:03");
    }
}
