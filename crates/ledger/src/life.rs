//! The life of a direct payment: when it is next reviewed, whether the person's
//! contribution is being paid, and what is returned when it ends. Pure: the council's
//! server asks these questions of an account's records and the facts it keeps beside them
//! (the reviews done, the weekly contribution assessed, the end).

use time::Date;

use crate::date::{add_days, add_months, long_date};
use crate::entry::EntryBody;
use crate::ledger::View;
use crate::money::Money;

/// The first review is due within this many months of the direct payment starting.
pub const FIRST_REVIEW_MONTHS: i64 = 6;
/// Then at least this often.
pub const REVIEW_EVERY_MONTHS: i64 = 12;
/// A review is listed for officers this many days before it is due.
pub const REVIEW_NOTICE_DAYS: i64 = 28;
/// How far back contributions are compared with what was assessed.
pub const CONTRIBUTION_WEEKS: i64 = 8;

/// Why a review is wanted sooner than its date (the statutory guidance's triggers that
/// the records show).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewTrigger {
    SurplusAboveContingency,
    ContributionNotPaid,
    SafeguardingConcern,
}

impl ReviewTrigger {
    pub fn words(self) -> &'static str {
        match self {
            ReviewTrigger::SurplusAboveContingency => "a surplus is building up",
            ReviewTrigger::ContributionNotPaid => "the contribution is not being paid",
            ReviewTrigger::SafeguardingConcern => "there is a safeguarding concern",
        }
    }
}

/// When the direct payment is next reviewed: within 6 months of its start, then 12 months
/// after the latest review done (reviews are dates; their order does not matter).
pub fn next_review(started_on: Date, reviews_done: &[Date]) -> Date {
    match reviews_done.iter().filter(|d| **d >= started_on).max() {
        Some(last) => add_months(*last, REVIEW_EVERY_MONTHS),
        None => add_months(started_on, FIRST_REVIEW_MONTHS),
    }
}

/// What officers are told about the review on `today`: nothing while it is more than
/// [`REVIEW_NOTICE_DAYS`] away and nothing calls for one sooner.
pub fn review_notice(due_on: Date, triggers: &[ReviewTrigger], today: Date) -> Option<String> {
    if due_on < today {
        return Some(format!("Review overdue: it was due by {}", long_date(due_on)));
    }
    if !triggers.is_empty() {
        let why: Vec<&str> = triggers.iter().map(|t| t.words()).collect();
        return Some(format!("Review needed sooner than {}: {}", long_date(due_on), join_words(&why)));
    }
    (due_on <= add_days(today, REVIEW_NOTICE_DAYS)).then(|| format!("Review due by {}", long_date(due_on)))
}

fn join_words(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Contributions behind what was assessed: over the last [`CONTRIBUTION_WEEKS`] weeks (or
/// since the start, if later), what was due and what was recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContributionShortfall {
    pub from: Date,
    pub expected: Money,
    pub recorded: Money,
}

impl ContributionShortfall {
    pub fn words(&self) -> String {
        format!(
            "Contribution not paid: {} was due since {} and {} was recorded",
            self.expected,
            long_date(self.from),
            self.recorded
        )
    }
}

/// Whether the person's contribution (`weekly`, as assessed) is more than a week behind on
/// `today`. Payments are often monthly, so a week's slack is allowed; nothing is due before
/// the direct payment's first full week.
pub fn contribution_shortfall(
    view: &View<'_>,
    weekly: Money,
    started_on: Date,
    today: Date,
) -> Option<ContributionShortfall> {
    if !weekly.is_positive() || today < started_on {
        return None;
    }
    let from = add_days(today, -7 * CONTRIBUTION_WEEKS).max(started_on);
    let weeks = (today - from).whole_days() / 7;
    if weeks < 1 {
        return None;
    }
    let expected = weekly.mul_div(weeks, 1);
    let recorded = view
        .active
        .iter()
        .filter(|a| (from..=today).contains(&a.date))
        .filter(|a| matches!(a.body, EntryBody::Contribution(_)))
        .fold(Money::ZERO, |total, a| total.saturating_add(a.amount));
    let behind = expected.checked_sub(recorded).unwrap_or(Money::ZERO);
    (behind > weekly).then_some(ContributionShortfall { from, expected, recorded })
}

/// What the council takes back when a direct payment ends: everything left in the account
/// (nothing when it is empty or overdrawn).
pub fn final_surplus(balance: Money) -> Money {
    balance.at_least_zero()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::tests::{by_council, entry};
    use crate::entry::{Entry, MoneyIn};
    use crate::ledger::Ledger;
    use time::macros::date;

    #[test]
    fn the_first_review_is_within_six_months_then_yearly_after_the_latest() {
        let start = date!(2026 - 01 - 31);
        assert_eq!(next_review(start, &[]), date!(2026 - 07 - 31));
        assert_eq!(next_review(start, &[date!(2026 - 06 - 15)]), date!(2027 - 06 - 15));
        // In any order; a review from before this direct payment does not count.
        assert_eq!(
            next_review(start, &[date!(2027 - 05 - 01), date!(2026 - 06 - 15), date!(2025 - 12 - 01)]),
            date!(2028 - 05 - 01)
        );
        assert_eq!(next_review(date!(2026 - 08 - 31), &[]), date!(2027 - 02 - 28));
    }

    #[test]
    fn officers_hear_of_a_review_four_weeks_ahead_when_overdue_or_sooner_on_a_trigger() {
        let due = date!(2027 - 03 - 01);
        assert_eq!(review_notice(due, &[], date!(2027 - 01 - 01)), None);
        assert_eq!(review_notice(due, &[], date!(2027 - 02 - 01)).unwrap(), "Review due by 1 March 2027");
        assert_eq!(review_notice(due, &[], date!(2027 - 03 - 01)).unwrap(), "Review due by 1 March 2027");
        assert_eq!(
            review_notice(due, &[], date!(2027 - 03 - 02)).unwrap(),
            "Review overdue: it was due by 1 March 2027"
        );
        let triggers = [ReviewTrigger::SurplusAboveContingency, ReviewTrigger::ContributionNotPaid];
        assert_eq!(
            review_notice(due, &triggers, date!(2026 - 12 - 01)).unwrap(),
            "Review needed sooner than 1 March 2027: a surplus is building up and the contribution is not being paid"
        );
    }

    fn contribution(day: Date, pence: i64, n: u128) -> Entry {
        by_council(entry(
            n,
            EntryBody::Contribution(MoneyIn { date: day, amount: Money::from_pence(pence), reference: String::new() }),
        ))
    }

    #[test]
    fn a_contribution_more_than_a_week_behind_is_noticed() {
        let start = date!(2026 - 09 - 01);
        let today = date!(2026 - 12 - 01);
        let weekly = Money::from_pence(2_000);
        // Eight weeks due (£160). Paid four-weekly, one payment of £80 missed by a day or two: fine.
        let paid: Vec<Entry> =
            vec![contribution(date!(2026 - 10 - 08), 8_000, 1), contribution(date!(2026 - 11 - 05), 8_000, 2)];
        let ledger = Ledger::from_entries(paid.clone()).unwrap();
        assert_eq!(contribution_shortfall(&ledger.view(), weekly, start, today), None);
        // Only one payment of £80: £80 behind, four weeks' worth.
        let ledger = Ledger::from_entries(paid[..1].to_vec()).unwrap();
        let short = contribution_shortfall(&ledger.view(), weekly, start, today).unwrap();
        assert_eq!(
            (short.from, short.expected, short.recorded),
            (date!(2026 - 10 - 06), Money::from_pence(16_000), Money::from_pence(8_000))
        );
        assert_eq!(
            short.words(),
            "Contribution not paid: £160.00 was due since 6 October 2026 and £80.00 was recorded"
        );
        // None assessed, or too early to say.
        assert_eq!(contribution_shortfall(&ledger.view(), Money::ZERO, start, today), None);
        assert_eq!(contribution_shortfall(&ledger.view(), weekly, date!(2026 - 11 - 28), today), None);
        // Since the start when that is within the eight weeks: three weeks due, none paid.
        let none = Ledger::from_entries(Vec::new()).unwrap();
        let short = contribution_shortfall(&none.view(), weekly, date!(2026 - 11 - 10), today).unwrap();
        assert_eq!(short.expected, Money::from_pence(6_000));
    }

    #[test]
    fn everything_left_is_returned_when_a_direct_payment_ends() {
        assert_eq!(final_surplus(Money::from_pence(12_345)), Money::from_pence(12_345));
        assert_eq!(final_surplus(Money::from_pence(-500)), Money::ZERO);
    }
}
