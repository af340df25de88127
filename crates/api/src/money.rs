//! Money in, surplus recovered, and regular payments in.

use serde::{Deserialize, Serialize};

/// Who paid money in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MoneyInKind {
    /// A payment from the council.
    PaymentIn,
    /// The person's assessed contribution.
    Contribution,
    /// Money a payee gave back (a refund): `reference` says who.
    Refund,
}
use tally_ledger::Money;

/// `POST /api/v1/council/accounts/{reference}/money-in`: a payment from the council or
/// the person's assessed contribution, paid into the account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MoneyInRequest {
    /// `None` until one is chosen.
    #[serde(default, deserialize_with = "crate::chosen")]
    pub kind: Option<MoneyInKind>,
    /// "2026-11-22".
    pub date: String,
    /// As typed: "1,480.00", "£52".
    pub amount: String,
    #[serde(default)]
    pub reference: String,
}

/// `POST /api/v1/council/accounts/{reference}/clawbacks`: surplus the council takes back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClawbackRequest {
    pub date: String,
    pub amount: String,
    pub reason: String,
}

/// A regular payment in, recorded by the council's server when due.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleView {
    pub schedule_id: String,
    pub amount: Money,
    pub every_weeks: i64,
    #[serde(with = "tally_ledger::date::iso")]
    pub next_date: time::Date,
    pub reference: String,
}

/// `POST /api/v1/council/accounts/{reference}/payment-schedules`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleRequest {
    pub amount: String,
    /// 1, 2 or 4 (four-weekly is the usual).
    pub every_weeks: String,
    pub first_date: String,
    #[serde(default)]
    pub reference: String,
}
