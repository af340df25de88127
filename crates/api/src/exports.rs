//! The audit sheet of one account and period, as the printable page shows it.

use serde::{Deserialize, Serialize};

/// `GET /api/v1/council/accounts/{reference}/audit-sheet?from=&to=`: the audit sheet of
/// one account and period, for the printable page (the same sheet as the CSV).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditSheetView {
    pub person_name: String,
    pub reference: String,
    #[serde(with = "tally_ledger::date::iso")]
    pub from: time::Date,
    #[serde(with = "tally_ledger::date::iso")]
    pub to: time::Date,
    /// `(name, value)`: money as "£1,234.50".
    pub header: Vec<(String, String)>,
    pub columns: Vec<String>,
    /// Each line's cells, in the order of `columns`; amounts as plain digits ("12.50").
    pub lines: Vec<Vec<String>>,
}
