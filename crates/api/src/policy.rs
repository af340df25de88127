//! The council's local rules, as an administrator types them.

use serde::{Deserialize, Serialize};

/// `POST /api/v1/council/policy` (administrators): the council's local rules, as typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyUpdate {
    pub contingency_weeks: String,
    pub receipt_threshold: String,
    pub per_entry_maximum: String,
    pub cash_allowed: bool,
    pub respite_cap_weeks: String,
    /// Category names (snake_case) the council does not allow, and the reason given.
    pub banned_categories: Vec<tally_ledger::Category>,
    #[serde(default)]
    pub banned_reason: String,
    /// Years a direct payment's records are kept after it ended (3 to 7); blank keeps the
    /// council's setting.
    #[serde(default)]
    pub retention_years: String,
}
