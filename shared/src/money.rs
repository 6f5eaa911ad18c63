//! Money as operators read it: an amount in minor units of a currency, with
//! the currency's symbol where one is common. Here, not in the console, so
//! that every screen and the words of [`crate::triage`] write an amount
//! the same way.

use alloc::format;
use alloc::string::{String, ToString};

use crate::commerce::minor_unit_digits;

/// `minor` units of `currency` with its symbol where one is common:
/// `€129.00`, `$5.50`, `¥1500`, `12.500 KWD`.
pub fn money(minor: u64, currency: &str) -> String {
    let digits = u32::from(minor_unit_digits(currency));
    let scale = 10u64.pow(digits);
    let amount = if digits == 0 {
        minor.to_string()
    } else {
        format!(
            "{}.{:0width$}",
            minor / scale,
            minor % scale,
            width = digits as usize
        )
    };
    match symbol(currency) {
        Some(symbol) => format!("{symbol}{amount}"),
        None => format!("{amount} {currency}"),
    }
}

/// A short money figure for narrow columns: `€129`, `€1.2k`, `€35k`, and
/// for a currency without a common symbol its code's first letter after.
pub fn money_short(minor: u64, currency: &str) -> String {
    let major = major_units(minor, currency);
    let amount = match major {
        0..1_000 => major.to_string(),
        1_000..10_000 => format!("{}.{}k", major / 1_000, major % 1_000 / 100),
        10_000..1_000_000 => format!("{}k", major / 1_000),
        _ => format!("{}M", major / 1_000_000),
    };
    match symbol(currency) {
        Some(symbol) => format!("{symbol}{amount}"),
        None => format!("{amount}{}", currency.chars().next().unwrap_or(' ')),
    }
}

/// The currency's symbol, where one is common.
fn symbol(currency: &str) -> Option<&'static str> {
    match currency {
        "EUR" => Some("€"),
        "USD" => Some("$"),
        "GBP" => Some("£"),
        "JPY" => Some("¥"),
        _ => None,
    }
}

/// `minor` units of `currency` in whole units, rounded down: what a score
/// weighs, not what a screen shows.
pub fn major_units(minor: u64, currency: &str) -> u64 {
    minor / 10u64.pow(u32::from(minor_unit_digits(currency)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_uses_the_currencys_minor_unit_and_symbol() {
        assert_eq!(money(12_900, "EUR"), "€129.00");
        assert_eq!(money(17_980, "EUR"), "€179.80");
        assert_eq!(money(5, "USD"), "$0.05");
        assert_eq!(money(1_500, "JPY"), "¥1500");
        assert_eq!(money(12_500, "KWD"), "12.500 KWD");
        assert_eq!(major_units(17_980, "EUR"), 179);
        assert_eq!(major_units(1_500, "JPY"), 1_500);
        assert_eq!(major_units(12_500, "KWD"), 12);
    }
}
