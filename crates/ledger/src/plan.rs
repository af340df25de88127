//! The support plan: what the direct payment is for.
//!
//! A [`SupportPlan`] has versions, each in force from a date until the next one starts. A
//! version holds the person's outcomes in their own words and the plan lines: the kinds of
//! support, the budget for each and how often it comes round.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::date::{add_days, add_months};

use crate::entry::PlanLineId;
use crate::money::Money;

/// What kind of support a plan line buys (the councils' fixed vocabulary).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Category {
    PersonalAssistant,
    AgencyCare,
    Respite,
    DayActivities,
    Equipment,
    Transport,
    Training,
    Other,
}

impl Category {
    pub const ALL: [Category; 8] = [
        Category::PersonalAssistant,
        Category::AgencyCare,
        Category::Respite,
        Category::DayActivities,
        Category::Equipment,
        Category::Transport,
        Category::Training,
        Category::Other,
    ];

    /// Plain English, as the wallet shows it.
    pub fn label(self) -> &'static str {
        match self {
            Category::PersonalAssistant => "Personal assistant",
            Category::AgencyCare => "Agency care",
            Category::Respite => "Respite",
            Category::DayActivities => "Day activities",
            Category::Equipment => "Equipment",
            Category::Transport => "Transport",
            Category::Training => "Training",
            Category::Other => "Other",
        }
    }
}

/// How often a plan line's budget comes round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Weekly,
    FourWeekly,
    Monthly,
    Yearly,
    /// Once, for the whole time the line runs (a piece of equipment).
    OneOff,
}

impl Period {
    /// "a week", "every 4 weeks"...: reads after an amount ("£320.00 every 4 weeks").
    pub fn phrase(self) -> &'static str {
        match self {
            Period::Weekly => "a week",
            Period::FourWeekly => "every 4 weeks",
            Period::Monthly => "a month",
            Period::Yearly => "a year",
            Period::OneOff => "in total",
        }
    }

    /// The budget period containing `date`, for a line whose periods start on `anchor`:
    /// the first and last day. `None` before the anchor.
    pub fn containing(self, anchor: Date, date: Date, line_end: Option<Date>) -> Option<(Date, Date)> {
        if date < anchor {
            return None;
        }
        let span = match self {
            Period::Weekly | Period::FourWeekly => {
                let length = if self == Period::Weekly { 7 } else { 28 };
                let index = (date - anchor).whole_days() / length;
                let start = add_days(anchor, index * length);
                (start, add_days(start, length - 1))
            }
            Period::Monthly => {
                let mut months =
                    i64::from(date.year() - anchor.year()) * 12 + (date.month() as i64 - anchor.month() as i64);
                if add_months(anchor, months) > date {
                    months -= 1;
                }
                let start = add_months(anchor, months);
                (start, add_days(add_months(anchor, months + 1), -1).max(start))
            }
            Period::Yearly => {
                let mut years = i64::from(date.year() - anchor.year());
                if add_months(anchor, years * 12) > date {
                    years -= 1;
                }
                let start = add_months(anchor, years * 12);
                (start, add_days(add_months(anchor, (years + 1) * 12), -1).max(start))
            }
            Period::OneOff => (anchor, line_end.unwrap_or(Date::MAX)),
        };
        Some(span)
    }
}

/// Identifies one of the person's outcomes within a plan.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct OutcomeId(pub String);

/// Something the person wants their support to achieve, in their own words ("get out for
/// fresh air twice a week").
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Outcome {
    pub id: OutcomeId,
    pub text: String,
}

/// One line of a support plan: a kind of support and the budget for it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanLine {
    pub id: PlanLineId,
    pub name: String,
    pub category: Category,
    /// The amount allowed each period. More than zero.
    pub budget: Money,
    pub period: Period,
    /// The first day the line can be spent on; its budget periods count from here.
    #[serde(with = "crate::date::iso")]
    pub start: Date,
    /// The last day, if the line ends.
    #[serde(with = "crate::date::iso::option", default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Date>,
    /// When not empty, the only payees this line is meant to pay.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approved_payees: Vec<String>,
    /// Receipts are needed for spending of this much or more on this line (overrides the
    /// council's threshold).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_threshold: Option<Money>,
    /// The outcomes this line serves.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<OutcomeId>,
}

impl PlanLine {
    /// A line from its start date, with no end, no agreed payees, no receipt threshold of
    /// its own and no outcomes yet.
    pub fn new(id: &str, name: &str, category: Category, budget: Money, period: Period, start: Date) -> PlanLine {
        PlanLine {
            id: PlanLineId(id.to_owned()),
            name: name.to_owned(),
            category,
            budget,
            period,
            start,
            end: None,
            approved_payees: Vec::new(),
            receipt_threshold: None,
            outcomes: Vec::new(),
        }
    }

    /// Whether the line can be spent on that day.
    pub fn runs_on(&self, date: Date) -> bool {
        date >= self.start && self.end.is_none_or(|end| date <= end)
    }

    /// The budget period containing `date`.
    pub fn period_containing(&self, date: Date) -> Option<(Date, Date)> {
        if !self.runs_on(date) {
            return None;
        }
        self.period.containing(self.start, date, self.end)
    }

    /// The budget as a weekly amount, for the council's contingency sums: 4-weekly ÷ 4,
    /// monthly × 12 ÷ 52, yearly ÷ 52; one-off lines are not part of the regular budget.
    pub fn weekly_equivalent(&self) -> Money {
        let weekly = |numerator: i64, denominator: i64| self.budget.mul_div(numerator, denominator);
        match self.period {
            Period::Weekly => self.budget,
            Period::FourWeekly => weekly(1, 4),
            Period::Monthly => weekly(12, 52),
            Period::Yearly => weekly(1, 52),
            Period::OneOff => Money::ZERO,
        }
    }
}

/// One version of the plan, in force from `effective_from` until the next version starts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanVersion {
    pub version: u32,
    #[serde(with = "crate::date::iso")]
    pub effective_from: Date,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<Outcome>,
    pub lines: Vec<PlanLine>,
}

/// A person's support plan, all its versions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupportPlan {
    /// Kept in order of `effective_from`.
    pub versions: Vec<PlanVersion>,
    /// When the plan (and so the direct payment agreement) ends, if set; usually the
    /// review date.
    #[serde(with = "crate::date::iso::option", default, skip_serializing_if = "Option::is_none")]
    pub ends_on: Option<Date>,
}

impl SupportPlan {
    pub fn new(mut versions: Vec<PlanVersion>, ends_on: Option<Date>) -> SupportPlan {
        versions.sort_by_key(|v| (v.effective_from, v.version));
        SupportPlan { versions, ends_on }
    }

    /// The version in force on a date.
    pub fn version_on(&self, date: Date) -> Option<&PlanVersion> {
        self.versions.iter().rev().find(|v| v.effective_from <= date)
    }

    /// The newest version.
    pub fn current(&self) -> Option<&PlanVersion> {
        self.versions.last()
    }

    pub fn starts_on(&self) -> Option<Date> {
        self.versions.first().map(|v| v.effective_from)
    }

    /// Whether a date falls inside the plan.
    pub fn covers(&self, date: Date) -> bool {
        self.starts_on().is_some_and(|start| date >= start) && self.ends_on.is_none_or(|end| date <= end)
    }

    /// A line as it stands on a date (in the version in force then).
    pub fn line_on(&self, id: &PlanLineId, date: Date) -> Option<&PlanLine> {
        self.version_on(date)?.lines.iter().find(|l| &l.id == id)
    }

    fn version_index_on(&self, date: Date) -> Option<usize> {
        self.versions.iter().rposition(|v| v.effective_from <= date)
    }

    /// An index of the lines by id, for looking up many spends' lines.
    pub fn line_index(&self) -> LineIndex<'_> {
        let by_version = self.versions.iter().map(|v| v.lines.iter().map(|l| (l.id.0.as_str(), l)).collect()).collect();
        LineIndex { plan: self, by_version }
    }

    /// A line in any version, newest first: for showing a name.
    pub fn any_line(&self, id: &PlanLineId) -> Option<&PlanLine> {
        self.versions.iter().rev().flat_map(|v| &v.lines).find(|l| &l.id == id)
    }

    /// The gross weekly budget on a date: the sum of the lines' weekly equivalents.
    pub fn weekly_budget_on(&self, date: Date) -> Money {
        self.version_on(date)
            .map(|v| {
                v.lines
                    .iter()
                    .filter(|l| l.runs_on(date))
                    .map(PlanLine::weekly_equivalent)
                    .fold(Money::ZERO, Money::saturating_add)
            })
            .unwrap_or(Money::ZERO)
    }
}

/// [`SupportPlan::line_on`] by hashing rather than scanning: built once per review.
pub struct LineIndex<'p> {
    plan: &'p SupportPlan,
    by_version: Vec<rustc_hash::FxHashMap<&'p str, &'p PlanLine>>,
}

impl<'p> LineIndex<'p> {
    pub fn line_on(&self, id: &PlanLineId, date: Date) -> Option<&'p PlanLine> {
        self.by_version.get(self.plan.version_index_on(date)?)?.get(id.0.as_str()).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn check(period: Period, anchor: Date, on: Date, expected: Option<(Date, Date)>) {
        assert_eq!(period.containing(anchor, on, None), expected, "{period:?} from {anchor} on {on}");
    }

    #[test]
    fn budget_periods_count_from_the_line_start() {
        let anchor = date!(2026 - 01 - 05);
        check(Period::Weekly, anchor, date!(2026 - 01 - 05), Some((date!(2026 - 01 - 05), date!(2026 - 01 - 11))));
        check(Period::Weekly, anchor, date!(2026 - 01 - 12), Some((date!(2026 - 01 - 12), date!(2026 - 01 - 18))));
        check(Period::FourWeekly, anchor, date!(2026 - 02 - 01), Some((date!(2026 - 01 - 05), date!(2026 - 02 - 01))));
        check(Period::FourWeekly, anchor, date!(2026 - 02 - 02), Some((date!(2026 - 02 - 02), date!(2026 - 03 - 01))));
        check(Period::Monthly, anchor, date!(2026 - 02 - 04), Some((date!(2026 - 01 - 05), date!(2026 - 02 - 04))));
        check(Period::Monthly, anchor, date!(2026 - 02 - 05), Some((date!(2026 - 02 - 05), date!(2026 - 03 - 04))));
        check(Period::Yearly, anchor, date!(2027 - 01 - 04), Some((date!(2026 - 01 - 05), date!(2027 - 01 - 04))));
        check(Period::Yearly, anchor, date!(2027 - 01 - 05), Some((date!(2027 - 01 - 05), date!(2028 - 01 - 04))));
        check(Period::OneOff, anchor, date!(2030 - 01 - 01), Some((anchor, Date::MAX)));
        check(Period::Weekly, anchor, date!(2026 - 01 - 04), None);
    }

    #[test]
    fn month_ends_are_clamped() {
        let anchor = date!(2026 - 01 - 31);
        check(Period::Monthly, anchor, date!(2026 - 02 - 28), Some((date!(2026 - 02 - 28), date!(2026 - 03 - 30))));
        check(Period::Monthly, anchor, date!(2026 - 02 - 27), Some((date!(2026 - 01 - 31), date!(2026 - 02 - 27))));
        check(
            Period::Yearly,
            date!(2028 - 02 - 29),
            date!(2029 - 03 - 01),
            Some((date!(2029 - 02 - 28), date!(2030 - 02 - 27))),
        );
    }

    fn line(period: Period, pence: i64) -> PlanLine {
        PlanLine {
            end: Some(date!(2026 - 12 - 31)),
            ..PlanLine::new("l", "Line", Category::Other, Money::from_pence(pence), period, date!(2026 - 01 - 05))
        }
    }

    #[test]
    fn weekly_equivalents_round_to_the_penny() {
        assert_eq!(line(Period::Weekly, 10_000).weekly_equivalent(), Money::from_pence(10_000));
        assert_eq!(line(Period::FourWeekly, 96_000).weekly_equivalent(), Money::from_pence(24_000));
        assert_eq!(line(Period::Monthly, 100_000).weekly_equivalent(), Money::from_pence(23_077));
        assert_eq!(line(Period::Yearly, 150_000).weekly_equivalent(), Money::from_pence(2_885));
        assert_eq!(line(Period::OneOff, 50_000).weekly_equivalent(), Money::ZERO);
    }

    #[test]
    fn the_version_in_force_is_the_latest_started() {
        let v = |version, from| PlanVersion {
            version,
            effective_from: from,
            outcomes: vec![],
            lines: vec![line(Period::Weekly, version as i64 * 100)],
        };
        let plan = SupportPlan::new(
            vec![v(2, date!(2026 - 06 - 01)), v(1, date!(2026 - 01 - 05))],
            Some(date!(2026 - 12 - 31)),
        );
        assert_eq!(plan.version_on(date!(2026 - 01 - 04)), None);
        assert_eq!(plan.version_on(date!(2026 - 05 - 31)).map(|v| v.version), Some(1));
        assert_eq!(plan.version_on(date!(2026 - 06 - 01)).map(|v| v.version), Some(2));
        assert!(plan.covers(date!(2026 - 12 - 31)));
        assert!(!plan.covers(date!(2027 - 01 - 01)));
        let id = PlanLineId("l".into());
        assert!(plan.line_on(&id, date!(2026 - 07 - 01)).is_some_and(|l| l.budget == Money::from_pence(200)));
        let index = plan.line_index();
        for day in [date!(2026 - 01 - 04), date!(2026 - 03 - 01), date!(2026 - 07 - 01)] {
            assert_eq!(index.line_on(&id, day), plan.line_on(&id, day), "{day}");
        }
        assert_eq!(index.line_on(&PlanLineId("other".into()), date!(2026 - 07 - 01)), None);
        assert!(line(Period::Weekly, 1).period_containing(date!(2027 - 01 - 01)).is_none(), "after the line ends");
    }
}
