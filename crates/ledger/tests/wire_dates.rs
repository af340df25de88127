//! Dates and moments on the wire are written and read by `tally_ledger::date::{iso,
//! rfc3339}`, not by `time`'s format machinery (kept out of the wallet for its size). The
//! text must stay exactly what `time` wrote before, and every text must read the same way
//! `time` reads it: records already stored, on devices and at the council, were written by
//! `time`, and a council and a device of different versions read each other's records.

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use tally_ledger::date::{format_rfc3339, iso_date, parse_iso, parse_rfc3339};
use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, Time, UtcOffset};

/// The format `time`'s serde uses for a `Date` in JSON.
const TIME_DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Ours {
    #[serde(with = "tally_ledger::date::iso")]
    date: Date,
    #[serde(default, with = "tally_ledger::date::iso::option")]
    until: Option<Date>,
    #[serde(with = "tally_ledger::date::rfc3339")]
    at: OffsetDateTime,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Times {
    date: Date,
    until: Option<Date>,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
}

fn any_date() -> impl Strategy<Value = Date> {
    (Date::MIN.to_julian_day()..=Date::MAX.to_julian_day()).prop_map(|day| Date::from_julian_day(day).unwrap())
}

/// A moment RFC 3339 can hold: years 0 to 9999, any nanosecond, offsets to ±23:59.
fn any_moment() -> impl Strategy<Value = OffsetDateTime> {
    let day = Date::from_calendar_date(0, Month::January, 1).unwrap().to_julian_day()
        ..=Date::from_calendar_date(9999, Month::December, 31).unwrap().to_julian_day();
    let nanos = prop_oneof![Just(0u32), 0u32..1_000_000_000, (0u32..1000).prop_map(|ms| ms * 1_000_000)];
    let offset = prop_oneof![Just((0i8, 0i8)), (-23i8..=23, 0i8..60)];
    (day, 0u8..24, 0u8..60, 0u8..60, nanos, offset).prop_filter_map(
        "an offset that puts the moment past year 9999 or before year 0",
        |(day, h, m, s, ns, (oh, om))| {
            let om = if oh < 0 { -om } else { om };
            let moment = Date::from_julian_day(day)
                .ok()?
                .with_time(Time::from_hms_nano(h, m, s, ns).ok()?)
                .assume_offset(UtcOffset::from_hms(oh, om, 0).ok()?);
            Some(moment)
        },
    )
}

/// Text shaped like a date or a moment, with the mistakes a device or a hand-edited file
/// makes: wrong digits, signs, separators, lengths, trailing text.
fn date_like_text() -> impl Strategy<Value = String> {
    "[+-]?[0-9]{3,5}[-/][0-9]{1,3}[-/][0-9]{1,3}( |x)?"
}

fn moment_like_text() -> impl Strategy<Value = String> {
    concat!(
        "[0-9]{4}-[01][0-9]-[0-3][0-9][Tt _]",
        "[0-2][0-9]:[0-6][0-9]:[0-6][0-9]",
        r"(\.[0-9]{0,12})?",
        "([Zz]|[+-][0-2][0-9]:[0-6][0-9]|[+-][0-9]{4}|)( )?"
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn a_date_is_written_as_time_wrote_it(date in any_date()) {
        let text = iso_date(date);
        prop_assert_eq!(&text, &date.format(TIME_DATE).unwrap());
        prop_assert_eq!(parse_iso(&text), Some(date));
    }

    #[test]
    fn a_moment_is_written_as_time_wrote_it(moment in any_moment()) {
        let text = format_rfc3339(moment).unwrap();
        prop_assert_eq!(&text, &moment.format(&Rfc3339).unwrap());
        let read = parse_rfc3339(&text).unwrap();
        prop_assert_eq!(read, moment);
        prop_assert_eq!(read.offset(), moment.offset());
    }

    #[test]
    fn a_date_text_reads_as_time_reads_it(text in date_like_text()) {
        prop_assert_eq!(parse_iso(&text), Date::parse(&text, TIME_DATE).ok(), "{}", text);
    }

    #[test]
    fn a_moment_text_reads_as_time_reads_it(text in moment_like_text()) {
        let theirs = OffsetDateTime::parse(&text, &Rfc3339).ok();
        let ours = parse_rfc3339(&text);
        prop_assert_eq!(ours, theirs, "{}", text);
        if let (Some(ours), Some(theirs)) = (ours, theirs) {
            prop_assert_eq!(ours.offset(), theirs.offset());
        }
    }

    #[test]
    fn json_is_the_same_both_ways(date in any_date(), until in proptest::option::of(any_date()), at in any_moment()) {
        let ours = Ours { date, until, at };
        let json = serde_json::to_string(&ours).unwrap();
        prop_assert_eq!(&json, &serde_json::to_string(&Times { date, until, at }).unwrap());
        prop_assert_eq!(serde_json::from_str::<Ours>(&json).unwrap(), ours);
    }
}

#[test]
fn the_edges_read_as_time_reads_them() {
    for text in [
        "2026-03-03",
        "-0001-12-31",
        "+2026-03-03",
        "2026-02-29",
        "2024-02-29",
        "0000-01-01",
        "9999-12-31",
        "10000-01-01",
        "2026-3-3",
        "2026-03-03 ",
        " 2026-03-03",
        "",
        "2026-13-01",
        "2026-00-10",
        "2026-01-00",
        "２０２６-03-03",
    ] {
        assert_eq!(parse_iso(text), Date::parse(text, TIME_DATE).ok(), "{text:?}");
    }
    for text in [
        "2026-11-22T11:00:00Z",
        "2026-11-22t11:00:00z",
        "2026-11-22 11:00:00+01:00",
        "2026-11-22T11:00:00.5Z",
        "2026-11-22T11:00:00.123456789123Z",
        "2026-11-22T11:00:00.Z",
        "2026-11-22T11:00:00",
        "2026-11-22T24:00:00Z",
        "2026-11-22T11:00:00+24:00",
        "2026-11-22T11:00:00-23:59",
        "2026-11-22T11:00:00+01:60",
        "2016-12-31T23:59:60Z",
        "2016-12-31T23:59:60.5Z",
        "2016-12-30T23:59:60Z",
        "2017-01-01T00:59:60+01:00",
        "2026-11-22T11:00:00Zextra",
        "2026-11-22T11:00:00+0100",
        "2026-11-22",
        "",
    ] {
        let theirs = OffsetDateTime::parse(text, &Rfc3339).ok();
        assert_eq!(parse_rfc3339(text), theirs, "{text:?}");
    }
}

#[test]
fn a_moment_rfc_3339_cannot_hold_is_an_error_not_a_panic() {
    let too_early = Date::from_calendar_date(-1, Month::June, 1).unwrap().midnight().assume_utc();
    assert_eq!(format_rfc3339(too_early), None);
    assert!(too_early.format(&Rfc3339).is_err());
    let at_seconds = Date::from_calendar_date(2026, Month::June, 1)
        .unwrap()
        .midnight()
        .assume_offset(UtcOffset::from_hms(1, 0, 30).unwrap());
    assert_eq!(format_rfc3339(at_seconds), None);
    assert!(at_seconds.format(&Rfc3339).is_err());
    let ours = Ours { date: Date::MIN, until: None, at: too_early };
    assert!(serde_json::to_string(&ours).is_err());
}

#[test]
fn an_option_left_out_reads_as_none_and_a_bad_date_names_itself() {
    let read: Ours = serde_json::from_str(r#"{"date":"2026-03-03","at":"2026-03-03T10:00:00Z"}"#).unwrap();
    assert_eq!(read.until, None);
    let read: Ours = serde_json::from_str(r#"{"date":"2026-03-03","until":null,"at":"2026-03-03T10:00:00Z"}"#).unwrap();
    assert_eq!(read.until, None);
    let error = serde_json::from_str::<Ours>(r#"{"date":"3/3/2026","at":"2026-03-03T10:00:00Z"}"#).unwrap_err();
    assert!(error.to_string().contains("\"3/3/2026\" is not a date"), "{error}");
}
