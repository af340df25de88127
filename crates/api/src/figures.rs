//! The council's figures for a period.

use serde::{Deserialize, Serialize};
use tally_ledger::Money;

use crate::accounts::UnreadableAccount;

/// `GET /api/v1/council/figures?from=&to=`: the numbers councils are judged on, for a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CouncilFigures {
    #[serde(with = "tally_ledger::date::iso")]
    pub from: time::Date,
    #[serde(with = "tally_ledger::date::iso")]
    pub to: time::Date,
    /// Accounts with a direct payment.
    pub people: usize,
    pub paid_in: Money,
    pub contributions: Money,
    pub spent: Money,
    /// Spending with no "not allowed" flag and not decided "not allowed".
    pub spent_within_plan: Money,
    /// Whole percent of spending that was within the plan (none when nothing was spent).
    pub within_plan_percent: Option<u32>,
    /// Spends dated in the period that raised a flag.
    pub flags_raised: usize,
    /// Final decisions (approved, not allowed) recorded in the period.
    pub reviews_closed: usize,
    /// Days from the spend being logged to its final decision: the median and the slowest.
    pub review_days_median: Option<i64>,
    pub review_days_longest: Option<i64>,
    /// Surplus above contingency held across accounts at the end of the period.
    pub surplus_held: Money,
    /// Clawbacks dated in the period.
    pub recovered: Money,
    /// Month by month: (first day, paid in incl. contributions, spent).
    #[serde(with = "months")]
    pub months: Vec<(time::Date, Money, Money)>,
    /// Accounts left out of the figures because their records could not be read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<UnreadableAccount>,
}

/// `CouncilFigures::months` on the wire: each month's first day as "2026-03-01".
mod months {
    use serde::{Deserialize, Deserializer, Serializer};
    use tally_ledger::date::iso::IsoDate;
    use tally_ledger::Money;

    type Month = (time::Date, Money, Money);

    pub fn serialize<S: Serializer>(months: &[Month], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(months.iter().map(|&(month, paid_in, spent)| (IsoDate(month), paid_in, spent)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Month>, D::Error> {
        let months = Vec::<(IsoDate, Money, Money)>::deserialize(deserializer)?;
        Ok(months.into_iter().map(|(IsoDate(month), paid_in, spent)| (month, paid_in, spent)).collect())
    }
}
