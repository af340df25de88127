//! Dates the way people read them, the range of dates a record may carry, and date
//! arithmetic that never panics.
//!
//! `time`'s `Date + Duration` panics past the years -9999 and 9999. A record from a device
//! is untrusted input: its dates are checked against a [`DateRange`] before it is stored,
//! but every fold still uses the saturating helpers here, so a record already stored (or
//! a future bug) can never take a page down.

use time::macros::date;
use time::{Date, Duration, Month, OffsetDateTime};

/// The earliest date any record may carry: direct payments long predate Tally, but nothing
/// in an account is older than this.
pub const EARLIEST: Date = date!(2000 - 01 - 01);

/// How far ahead of today a record's date may be.
pub const RECORD_DAYS_AHEAD: i64 = 366;

/// How far ahead of today a support plan's dates (a review date, a new version) may be.
pub const PLAN_DAYS_AHEAD: i64 = 10 * 366;

/// The dates allowed for something, from the first to the last day (both included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateRange {
    pub earliest: Date,
    pub latest: Date,
}

impl DateRange {
    /// Dates a record may carry when `today` is the day it is checked: from 1 January
    /// 2000 to a year ahead.
    pub fn for_records(today: Date) -> DateRange {
        DateRange { earliest: EARLIEST, latest: add_days(today, RECORD_DAYS_AHEAD) }
    }

    /// Dates a support plan may carry: from 1 January 2000 to ten years ahead.
    pub fn for_plans(today: Date) -> DateRange {
        DateRange { earliest: EARLIEST, latest: add_days(today, PLAN_DAYS_AHEAD) }
    }

    pub fn contains(&self, date: Date) -> bool {
        (self.earliest..=self.latest).contains(&date)
    }

    /// "between 1 January 2000 and 29 November 2027", for messages.
    pub fn describe(&self) -> String {
        format!("between {} and {}", long_date(self.earliest), long_date(self.latest))
    }

    /// `what` ("The date of the spending") with the problem, when the date is outside.
    pub fn check(&self, date: Date, what: &str) -> Result<(), String> {
        if self.contains(date) {
            Ok(())
        } else {
            Err(format!("{what} ({}) must be {}.", long_date(date), self.describe()))
        }
    }
}

/// `date` plus `days` (which may be negative), stopping at the first and last dates
/// `time` knows rather than panicking.
pub fn add_days(date: Date, days: i64) -> Date {
    date.saturating_add(Duration::days(days))
}

/// `date` moved by whole months, the day clamped to the month's length (31 January + 1
/// month = 28 or 29 February); stops at the first and last dates `time` knows.
pub fn add_months(date: Date, months: i64) -> Date {
    let total = i64::from(date.year()) * 12 + (date.month() as i64 - 1) + months;
    let year = total.div_euclid(12);
    let (min, max) = (Date::MIN.year() as i64, Date::MAX.year() as i64);
    if year < min {
        return Date::MIN;
    }
    if year > max {
        return Date::MAX;
    }
    let year = year as i32;
    let month = Month::try_from((total.rem_euclid(12) + 1) as u8).unwrap_or(Month::January);
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(if months < 0 { Date::MIN } else { Date::MAX })
}

/// The first day of `date`'s month.
pub fn month_start(date: Date) -> Date {
    date.replace_day(1).unwrap_or(date)
}

/// The first day of the month after `date`'s, or `None` past the last date `time` knows.
pub fn next_month_start(date: Date) -> Option<Date> {
    let next = add_months(month_start(date), 1);
    (next > date && next.day() == 1).then_some(next)
}

/// "3 March 2026": the form every screen and printout uses.
pub fn long_date(date: Date) -> String {
    format!("{} {} {}", date.day(), month_name(date.month()), date.year())
}

fn month_name(month: Month) -> &'static str {
    match month {
        Month::January => "January",
        Month::February => "February",
        Month::March => "March",
        Month::April => "April",
        Month::May => "May",
        Month::June => "June",
        Month::July => "July",
        Month::August => "August",
        Month::September => "September",
        Month::October => "October",
        Month::November => "November",
        Month::December => "December",
    }
}

/// Parses an ISO date ("2026-03-03"), the value an HTML date field gives; spaces around it
/// are ignored.
pub fn parse_iso_date(text: &str) -> Option<Date> {
    parse_iso(text.trim())
}

/// Formats a date as ISO ("2026-03-03") for forms and files.
pub fn iso_date(date: Date) -> String {
    let mut text = String::with_capacity(10);
    push_iso(&mut text, date);
    text
}

/// Writes `date` as `time`'s own `[year]-[month]-[day]` does: four digits of year (with a
/// `-` before a year before 1 AD), two of month, two of day.
fn push_iso(text: &mut String, date: Date) {
    use std::fmt::Write;
    let year = date.year();
    if year < 0 {
        text.push('-');
    }
    let _ = write!(text, "{:04}-{:02}-{:02}", year.unsigned_abs(), date.month() as u8, date.day());
}

/// `count` ASCII digits at the start of `bytes` as a number, and the rest.
fn digits(bytes: &[u8], count: usize) -> Option<(u32, &[u8])> {
    let (head, rest) = bytes.split_at_checked(count)?;
    let mut value = 0;
    for &b in head {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u32::from(b - b'0');
    }
    Some((value, rest))
}

/// `bytes` without its first byte, if that is `expected`.
fn literal(bytes: &[u8], expected: u8) -> Option<&[u8]> {
    bytes.split_first().filter(|(first, _)| **first == expected).map(|(_, rest)| rest)
}

/// A date at the start of `bytes` in `time`'s `[year]-[month]-[day]` (a year of four
/// digits, signed or not), and the rest.
fn iso_prefix(bytes: &[u8]) -> Option<(Date, &[u8])> {
    let (negative, bytes) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        Some(b'+') => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    let (year, bytes) = digits(bytes, 4)?;
    let (month, bytes) = digits(literal(bytes, b'-')?, 2)?;
    let (day, bytes) = digits(literal(bytes, b'-')?, 2)?;
    let year = if negative { -(year as i32) } else { year as i32 };
    let month = Month::try_from(month as u8).ok()?;
    Some((Date::from_calendar_date(year, month, day as u8).ok()?, bytes))
}

/// Parses exactly an ISO date ("2026-03-03"), as `time` reads one: nothing before or after.
pub fn parse_iso(text: &str) -> Option<Date> {
    iso_prefix(text.as_bytes()).filter(|(_, rest)| rest.is_empty()).map(|(date, _)| date)
}

/// A moment as RFC 3339 text ("2026-11-22T11:00:00Z", "2026-07-01T00:30:00.25+01:00"),
/// written exactly as `time`'s `Rfc3339` writes it; `None` for a year RFC 3339 cannot hold
/// (before 0 or after 9999) or an offset with seconds.
pub fn format_rfc3339(moment: OffsetDateTime) -> Option<String> {
    use std::fmt::Write;
    let offset = moment.offset();
    if !(0..10_000).contains(&moment.year()) || offset.seconds_past_minute() != 0 {
        return None;
    }
    let mut text = String::with_capacity(35);
    push_iso(&mut text, moment.date());
    let _ = write!(text, "T{:02}:{:02}:{:02}", moment.hour(), moment.minute(), moment.second());
    let nanos = moment.nanosecond();
    if nanos != 0 {
        let fraction = format!("{nanos:09}");
        let _ = write!(text, ".{}", fraction.trim_end_matches('0'));
    }
    if offset.is_utc() {
        text.push('Z');
    } else {
        let sign = if offset.is_negative() { '-' } else { '+' };
        let _ = write!(
            text,
            "{sign}{:02}:{:02}",
            offset.whole_hours().unsigned_abs(),
            offset.minutes_past_hour().unsigned_abs()
        );
    }
    Some(text)
}

/// Parses RFC 3339 text as `time`'s `Rfc3339` does: any one character between the date and
/// the time, a fraction of any length (digits past the ninth are dropped), `Z` in either
/// case or an offset of at most 23:59, and a leap second (`:60`) only where one can fall,
/// read as the last nanosecond before it.
pub fn parse_rfc3339(text: &str) -> Option<OffsetDateTime> {
    let bytes = text.as_bytes();
    let (year, bytes) = digits(bytes, 4)?;
    let (month, bytes) = digits(literal(bytes, b'-')?, 2)?;
    let (day, bytes) = digits(literal(bytes, b'-')?, 2)?;
    let bytes = bytes.get(1..)?;
    let (hour, bytes) = digits(bytes, 2)?;
    let (minute, bytes) = digits(literal(bytes, b':')?, 2)?;
    let (mut second, mut bytes) = digits(literal(bytes, b':')?, 2)?;
    let mut nanosecond = 0;
    if let Some(rest) = literal(bytes, b'.') {
        let count = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if count == 0 {
            return None;
        }
        let mut scale = 100_000_000;
        for &b in &rest[..count] {
            nanosecond += u32::from(b - b'0') * scale;
            scale /= 10;
        }
        bytes = &rest[count..];
    }
    let offset = match bytes.split_first()? {
        (b'Z' | b'z', rest) => {
            bytes = rest;
            time::UtcOffset::UTC
        }
        (&sign @ (b'+' | b'-'), rest) => {
            let (hours, rest) = digits(rest, 2)?;
            let (minutes, rest) = digits(literal(rest, b':')?, 2)?;
            if hours > 23 {
                return None;
            }
            bytes = rest;
            let (hours, minutes) = (hours as i8, minutes as i8);
            let (hours, minutes) = if sign == b'-' { (-hours, -minutes) } else { (hours, minutes) };
            time::UtcOffset::from_hms(hours, minutes, 0).ok()?
        }
        _ => return None,
    };
    if !bytes.is_empty() {
        return None;
    }
    let leap = second == 60;
    if leap {
        second = 59;
        nanosecond = 999_999_999;
    }
    let date = Date::from_calendar_date(year as i32, Month::try_from(month as u8).ok()?, day as u8).ok()?;
    let time = time::Time::from_hms_nano(hour as u8, minute as u8, second as u8, nanosecond).ok()?;
    let moment = date.with_time(time).assume_offset(offset);
    if leap {
        // A leap second is only ever the last second of a month in UTC.
        let utc = moment.to_offset(time::UtcOffset::UTC);
        let last_day = utc.month().length(utc.year());
        if (utc.day(), utc.hour(), utc.minute(), utc.second()) != (last_day, 23, 59, 59) {
            return None;
        }
    }
    Some(moment)
}

/// Dates on the wire: `#[serde(with = "tally_ledger::date::iso")]` writes and reads a
/// [`Date`] as "2026-03-03", the text `time`'s own serde uses in JSON, without its general
/// format machinery (which was a tenth of the wallet's download).
pub mod iso {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::iso_date(*date))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = String::deserialize(deserializer)?;
        super::parse_iso(&text).ok_or_else(|| D::Error::custom(format!("{text:?} is not a date (year-month-day)")))
    }

    /// A [`Date`] that is written and read this way wherever it is, for dates inside
    /// other types (a tuple, a list).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    #[serde(transparent)]
    pub struct IsoDate(#[serde(with = "self")] pub Date);

    /// The same for an `Option<Date>` (`null` when there is none).
    pub mod option {
        use serde::{Deserialize, Deserializer, Serialize, Serializer};
        use time::Date;

        use super::IsoDate;

        pub fn serialize<S: Serializer>(date: &Option<Date>, serializer: S) -> Result<S::Ok, S::Error> {
            date.map(IsoDate).serialize(serializer)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Date>, D::Error> {
            Ok(Option::<IsoDate>::deserialize(deserializer)?.map(|IsoDate(date)| date))
        }
    }
}

/// Moments on the wire: `#[serde(with = "tally_ledger::date::rfc3339")]`, the text
/// `time::serde::rfc3339` writes and reads (see [`format_rfc3339`], [`parse_rfc3339`]).
pub mod rfc3339 {
    use serde::de::Error as _;
    use serde::ser::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    pub fn serialize<S: Serializer>(moment: &OffsetDateTime, serializer: S) -> Result<S::Ok, S::Error> {
        let text = super::format_rfc3339(*moment)
            .ok_or_else(|| S::Error::custom("a moment outside the years 0 to 9999 cannot be written"))?;
        serializer.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<OffsetDateTime, D::Error> {
        let text = String::deserialize(deserializer)?;
        super::parse_rfc3339(&text)
            .ok_or_else(|| D::Error::custom(format!("{text:?} is not an RFC 3339 date and time")))
    }
}

/// The date and time in the United Kingdom at a moment: British Summer Time (an hour ahead
/// of UTC) runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday
/// of October (the Summer Time Order 2002); Greenwich Mean Time otherwise.
pub fn uk_local(moment: OffsetDateTime) -> time::PrimitiveDateTime {
    let utc = moment.to_offset(time::UtcOffset::UTC);
    let last_sunday = |month: Month| {
        let next = if month == Month::December {
            Date::from_calendar_date(utc.year().saturating_add(1), Month::January, 1)
        } else {
            Date::from_calendar_date(utc.year(), month.next(), 1)
        };
        next.ok().and_then(|d| d.previous_day()).map(|mut d| {
            while d.weekday() != time::Weekday::Sunday {
                d = d.previous_day().unwrap_or(d);
            }
            d
        })
    };
    let change =
        |date: Option<Date>| date.map(|d| d.with_time(time::Time::from_hms(1, 0, 0).unwrap_or(time::Time::MIDNIGHT)));
    let summer = match (change(last_sunday(Month::March)), change(last_sunday(Month::October))) {
        (Some(starts), Some(ends)) => {
            let at = time::PrimitiveDateTime::new(utc.date(), utc.time());
            at >= starts && at < ends
        }
        _ => false,
    };
    let local = if summer { utc.checked_add(Duration::HOUR).unwrap_or(utc) } else { utc };
    time::PrimitiveDateTime::new(local.date(), local.time())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn uk_time_follows_british_summer_time() {
        // 2026: summer time from 29 March to 25 October.
        assert_eq!(uk_local(datetime!(2026-03-29 00:59 UTC)), datetime!(2026-03-29 00:59));
        assert_eq!(uk_local(datetime!(2026-03-29 01:00 UTC)), datetime!(2026-03-29 02:00));
        assert_eq!(uk_local(datetime!(2026-06-30 23:30 UTC)), datetime!(2026-07-01 00:30));
        assert_eq!(uk_local(datetime!(2026-10-25 00:59 UTC)), datetime!(2026-10-25 01:59));
        assert_eq!(uk_local(datetime!(2026-10-25 01:00 UTC)), datetime!(2026-10-25 01:00));
        assert_eq!(uk_local(datetime!(2026-11-03 09:12:45 UTC)), datetime!(2026-11-03 09:12:45));
        assert_eq!(uk_local(datetime!(2026-07-01 00:30 +01:00)), datetime!(2026-07-01 00:30));
        assert_eq!(uk_local(datetime!(2026-12-31 23:59 -05:00)), datetime!(2027-01-01 04:59));
        // The ends of time do not panic.
        let _ = uk_local(datetime!(9999-12-31 23:59 UTC));
        let _ = uk_local(datetime!(-9999-01-01 00:00 UTC));
    }

    #[test]
    fn long_dates_have_no_leading_zero() {
        assert_eq!(long_date(date!(2026 - 03 - 03)), "3 March 2026");
        assert_eq!(long_date(date!(2026 - 12 - 25)), "25 December 2026");
    }

    #[test]
    fn arithmetic_stops_at_the_ends_of_time() {
        assert_eq!(add_days(Date::MAX, 1), Date::MAX);
        assert_eq!(add_days(Date::MIN, -1), Date::MIN);
        assert_eq!(add_days(date!(2026 - 02 - 27), 2), date!(2026 - 03 - 01));
        assert_eq!(add_months(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(add_months(date!(2024 - 01 - 31), 1), date!(2024 - 02 - 29));
        assert_eq!(add_months(date!(2026 - 03 - 15), -3), date!(2025 - 12 - 15));
        assert_eq!(add_months(Date::MAX, 1), Date::MAX);
        assert_eq!(add_months(Date::MIN, -1), Date::MIN);
        assert_eq!(add_months(date!(2026 - 03 - 15), i64::MAX / 2), Date::MAX);
        assert_eq!(next_month_start(date!(2026 - 12 - 09)), Some(date!(2027 - 01 - 01)));
        assert_eq!(next_month_start(Date::MAX), None);
        assert_eq!(month_start(Date::MIN), Date::MIN);
    }

    #[test]
    fn a_record_date_is_from_2000_to_a_year_ahead() {
        let range = DateRange::for_records(date!(2026 - 11 - 29));
        assert_eq!(range.latest, date!(2027 - 11 - 30));
        assert!(range.contains(date!(2000 - 01 - 01)));
        assert!(!range.contains(date!(1999 - 12 - 31)));
        assert_eq!(
            range.check(date!(9999 - 12 - 31), "The date of the spending"),
            Err("The date of the spending (31 December 9999) must be between 1 January 2000 and 30 November 2027."
                .to_owned())
        );
        assert_eq!(DateRange::for_records(Date::MAX).latest, Date::MAX);
        assert!(DateRange::for_plans(date!(2026 - 11 - 29)).contains(date!(2035 - 01 - 01)));
    }

    #[test]
    fn iso_round_trip() {
        assert_eq!(parse_iso_date(" 2026-11-22 "), Some(date!(2026 - 11 - 22)));
        assert_eq!(parse_iso_date("2026-02-30"), None);
        assert_eq!(parse_iso_date("22/11/2026"), None);
        assert_eq!(iso_date(date!(2026 - 01 - 05)), "2026-01-05");
    }
}
