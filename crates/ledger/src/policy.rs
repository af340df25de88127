//! A council's local rules for direct payments. Every number here is set by the council;
//! none is a constant in code.

use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::plan::Category;

/// A kind of spending the council does not allow, and why (shown to people as it is).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BannedCategory {
    pub category: Category,
    pub reason: String,
}

/// When the council's safeguarding team wants a look (see `rules::Signal`). Shares are
/// whole percentages, never floats.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SafeguardingThresholds {
    /// A payee's last 4 weeks above this percentage of their average 4 weeks before.
    pub payee_rise_percent: u32,
    /// ...and at least this much in those 4 weeks, so small amounts do not raise signals.
    pub payee_rise_minimum: Money,
    /// How many weeks before the last 4 make a payee's "recent average".
    pub payee_history_weeks: u32,
    /// Cash above this share of the last 4 weeks' spending.
    pub cash_share_percent: u32,
    /// A new payee paid more than this in their first 4 weeks.
    pub new_payee_amount: Money,
}

impl Default for SafeguardingThresholds {
    fn default() -> Self {
        SafeguardingThresholds {
            payee_rise_percent: 200,
            payee_rise_minimum: Money::from_pence(20_000),
            payee_history_weeks: 12,
            cash_share_percent: 30,
            new_payee_amount: Money::from_pence(100_000),
        }
    }
}

/// A council's policy for direct payments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CouncilPolicy {
    /// How many weeks of the gross weekly budget an account may hold before the excess
    /// counts as surplus (commonly 4, 6 or 8).
    pub contingency_weeks: u32,
    /// Receipts are needed for any spending of this much or more.
    pub receipt_threshold: Money,
    /// Kinds of spending not allowed, with the reason.
    #[serde(default)]
    pub banned_categories: Vec<BannedCategory>,
    /// Whether paying in cash is allowed (it always needs a receipt and who was paid).
    pub cash_allowed: bool,
    /// Paying a close relative who lives in the same household needs the council's
    /// recorded decision (the law's rule; a council may not relax it, but it is set here so
    /// the rule is visible and named).
    pub close_relative_needs_authorisation: bool,
    /// Respite stays allowed in any 12 months, in weeks (commonly 4).
    pub respite_cap_weeks: u32,
    /// The most a single entry may be.
    pub per_entry_maximum: Money,
    pub safeguarding: SafeguardingThresholds,
    /// How many years the council keeps a direct payment's records after it ended
    /// (commonly 6; from 3 to 7). After that its account is anonymised.
    #[serde(default = "default_retention_years")]
    pub retention_years: u32,
}

/// The retention period of a council that has not chosen one: six years, as for most
/// financial records.
pub fn default_retention_years() -> u32 {
    6
}

/// The shortest and longest retention a council may choose, in years.
pub const RETENTION_YEARS: std::ops::RangeInclusive<u32> = 3..=7;

impl Default for CouncilPolicy {
    /// A typical English council's policy, for people using Tally without a council and
    /// for tests. Councils set their own.
    fn default() -> Self {
        CouncilPolicy {
            contingency_weeks: 8,
            receipt_threshold: Money::from_pence(5_000),
            banned_categories: Vec::new(),
            cash_allowed: true,
            close_relative_needs_authorisation: true,
            respite_cap_weeks: 4,
            per_entry_maximum: Money::from_pence(500_000),
            safeguarding: SafeguardingThresholds::default(),
            retention_years: default_retention_years(),
        }
    }
}

impl CouncilPolicy {
    pub fn banned(&self, category: Category) -> Option<&BannedCategory> {
        self.banned_categories.iter().find(|b| b.category == category)
    }
}
