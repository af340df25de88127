//! A new version of a person's support plan, as an officer types it.

use serde::{Deserialize, Serialize};

/// `POST /api/v1/council/accounts/{reference}/plan-versions`: a new version of the support
/// plan from a date. The person's outcomes carry over; the lines are as given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanVersionRequest {
    /// "2026-12-01".
    pub effective_from: String,
    pub lines: Vec<PlanLineRequest>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanLineRequest {
    /// Kept for an existing line (spending stays on it); empty for a new line.
    #[serde(default)]
    pub id: String,
    pub name: String,
    pub category: tally_ledger::Category,
    /// As typed: "280.00".
    pub budget: String,
    pub period: tally_ledger::Period,
}
