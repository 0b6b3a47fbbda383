//! Dates and numbers as each language writes them. Times are always shown in UTC, and say so.

use super::Locale;

/// The civil date and time of Unix seconds: (year, month, day, hour, minute).
pub fn civil(secs: i64) -> (i64, i64, i64, i64, i64) {
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, rest / 3_600, (rest % 3_600) / 60)
}

/// Unix seconds as a date and time in UTC: `2026-12-04 16:31 UTC`, `04.12.2026, 16:31 UTC`,
/// `04/12/2026 16:31 UTC`.
pub fn datetime_in(locale: Locale, secs: i64) -> String {
    let (year, month, day, hour, minute) = civil(secs);
    match locale {
        Locale::En => format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC"),
        Locale::De => format!("{day:02}.{month:02}.{year:04}, {hour:02}:{minute:02} UTC"),
        Locale::Fr => format!("{day:02}/{month:02}/{year:04} {hour:02}:{minute:02} UTC"),
    }
}

/// An integer with the language's digit grouping: `12,345`, `12.345`, `12 345`.
pub fn number_in(locale: Locale, value: i64) -> String {
    let separator = match locale {
        Locale::En => ",",
        Locale::De => ".",
        // A narrow no-break space, as French typography groups digits.
        Locale::Fr => "\u{202f}",
    };
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(digit);
    }
    out
}

/// [`number_in`] in the current language.
pub fn number(value: i64) -> String {
    number_in(super::current(), value)
}

/// [`datetime_in`] in the current language.
pub fn datetime(secs: i64) -> String {
    datetime_in(super::current(), secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_follow_the_language() {
        let secs = 1_709_210_096; // 2024-02-29 12:34:56 UTC
        assert_eq!(datetime_in(Locale::En, secs), "2024-02-29 12:34 UTC");
        assert_eq!(datetime_in(Locale::De, secs), "29.02.2024, 12:34 UTC");
        assert_eq!(datetime_in(Locale::Fr, secs), "29/02/2024 12:34 UTC");
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(number_in(Locale::En, 1_234_567), "1,234,567");
        assert_eq!(number_in(Locale::De, 1_234_567), "1.234.567");
        assert_eq!(number_in(Locale::Fr, 1_234), "1\u{202f}234");
        assert_eq!(number_in(Locale::En, 999), "999");
        assert_eq!(number_in(Locale::En, -1_000), "-1,000");
        assert_eq!(number_in(Locale::En, 0), "0");
    }
}
