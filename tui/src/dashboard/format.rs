//! Numbers as a supervisor reads them: durations, money, counts.

use floorwalker_shared::commerce::minor_unit_digits;

/// `ms` as the two largest units: `42s`, `3m05s`, `2h07m`, `3d04h`.
pub(crate) fn duration(ms: u64) -> String {
    let s = ms / 1000;
    match s {
        0..60 => format!("{s}s"),
        60..3_600 => format!("{}m{:02}s", s / 60, s % 60),
        3_600..86_400 => format!("{}h{:02}m", s / 3_600, s % 3_600 / 60),
        _ => format!("{}d{:02}h", s / 86_400, s % 86_400 / 3_600),
    }
}

/// `minor` units of `currency` with its symbol where one is common:
/// `€129.00`, `$5.50`, `¥1500`, `12.500 KWD`.
pub(crate) fn money(minor: u64, currency: &str) -> String {
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
    match currency {
        "EUR" => format!("€{amount}"),
        "USD" => format!("${amount}"),
        "GBP" => format!("£{amount}"),
        "JPY" => format!("¥{amount}"),
        _ => format!("{amount} {currency}"),
    }
}

/// A short money figure for narrow columns: `€129`, `€1.2k`, `€35k`.
pub(crate) fn money_short(minor: u64, currency: &str) -> String {
    let digits = u32::from(minor_unit_digits(currency));
    let major = minor / 10u64.pow(digits);
    let amount = match major {
        0..1_000 => major.to_string(),
        1_000..10_000 => format!("{}.{}k", major / 1_000, major % 1_000 / 100),
        10_000..1_000_000 => format!("{}k", major / 1_000),
        _ => format!("{}M", major / 1_000_000),
    };
    match currency {
        "EUR" => format!("€{amount}"),
        "USD" => format!("${amount}"),
        "GBP" => format!("£{amount}"),
        "JPY" => format!("¥{amount}"),
        _ => format!("{amount}{}", currency.chars().next().unwrap_or(' ')),
    }
}

/// `ms` relative to a start: `+0:00`, `+1:05`, `+1:02:03`.
pub(crate) fn offset(ms: u64) -> String {
    let s = ms / 1000;
    if s < 3_600 {
        format!("+{}:{:02}", s / 60, s % 60)
    } else {
        format!("+{}:{:02}:{:02}", s / 3_600, s % 3_600 / 60, s % 60)
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
    fn offsets_count_from_the_start() {
        assert_eq!(offset(0), "+0:00");
        assert_eq!(offset(65_000), "+1:05");
        assert_eq!(offset(3_723_000), "+1:02:03");
    }
}
