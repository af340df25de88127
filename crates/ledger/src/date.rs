//! Dates the way people read them.

use time::{Date, Month};

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

/// Parses an ISO date ("2026-03-03"), the value an HTML date field gives.
pub fn parse_iso_date(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format).ok()
}

/// Formats a date as ISO ("2026-03-03") for forms and files.
pub fn iso_date(date: Date) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    date.format(&format).expect("a calendar date always formats as year-month-day")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn long_dates_have_no_leading_zero() {
        assert_eq!(long_date(date!(2026 - 03 - 03)), "3 March 2026");
        assert_eq!(long_date(date!(2026 - 12 - 25)), "25 December 2026");
    }

    #[test]
    fn iso_round_trip() {
        assert_eq!(parse_iso_date(" 2026-11-22 "), Some(date!(2026 - 11 - 22)));
        assert_eq!(parse_iso_date("2026-02-30"), None);
        assert_eq!(parse_iso_date("22/11/2026"), None);
        assert_eq!(iso_date(date!(2026 - 01 - 05)), "2026-01-05");
    }
}
