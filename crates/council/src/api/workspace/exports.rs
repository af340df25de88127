//! Audit sheets of one account, and every transaction of the council, as CSV.

use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::get;
use axum::Json;
use tally_ledger::date::iso_date;
use tally_ledger::export::{self, AuditSheetFor};

use crate::api::described::{OnAccount, Reference, SignedIn};
use crate::api::Routes;
use crate::error::ApiError;
use crate::staff::Staff;
use crate::AppState;
use tally_api::ErrorBody;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>()
        .add("/council/accounts/{reference}/audit-sheet.csv", &[Method::GET], get(audit_sheet))
        .add("/council/accounts/{reference}/audit-sheet", &[Method::GET], get(audit_sheet_page))
        .add("/council/transactions.csv", &[Method::GET], get(transactions))
}

#[utoipa::path(
    get,
    path = "/council/accounts/{reference}/audit-sheet.csv",
    tag = "workspace",
    summary = "The audit sheet for the account and period, as CSV",
    params(Reference, Period),
    responses(
        (status = 200, description = "CSV", content_type = "text/csv"),
        (status = 400, description = "A period that ends before it starts", body = ErrorBody),
        SignedIn,
        OnAccount
    ),
    security(("staff" = [])),
)]
async fn audit_sheet(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Query(period): Query<Period>,
) -> Result<Response, ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let (from, to) = period.dates(state.clock.today())?;
    let loaded = Loaded::read(&state, &row).await?;
    let sheet = AuditSheetFor { person: &row.person_name, reference: &row.reference, from, to };
    let csv = export::audit_sheet_csv(&loaded.ledger, &loaded.plan, &loaded.policy, sheet);
    audit(
        &state,
        &staff.row,
        Some(row.account_id),
        "audit sheet exported",
        &format!("{} to {}", iso_date(from), iso_date(to)),
    )
    .await?;
    Ok(csv_download(&format!("audit-sheet-{}-{}-to-{}.csv", row.reference, iso_date(from), iso_date(to)), csv))
}

/// The audit sheet for the printable page: the same sheet as the CSV, as figures.
#[utoipa::path(
    get,
    path = "/council/accounts/{reference}/audit-sheet",
    tag = "workspace",
    summary = "The audit sheet of one account and period as JSON, for the printable page (the same sheet as the CSV)",
    params(Reference, Period),
    responses(
        (status = 200, description = "The sheet: header (name, value), columns, lines", body = tally_api::AuditSheetView),
        (status = 400, description = "A period that ends before it starts", body = ErrorBody),
        SignedIn,
        OnAccount
    ),
    security(("staff" = [])),
)]
async fn audit_sheet_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Query(period): Query<Period>,
) -> Result<Json<tally_api::AuditSheetView>, ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let (from, to) = period.dates(state.clock.today())?;
    let loaded = Loaded::read(&state, &row).await?;
    let sheet = export::audit_sheet(
        &loaded.ledger,
        &loaded.plan,
        &loaded.policy,
        AuditSheetFor { person: &row.person_name, reference: &row.reference, from, to },
    );
    audit(
        &state,
        &staff.row,
        Some(row.account_id),
        "audit sheet viewed",
        &format!("{} to {}", iso_date(from), iso_date(to)),
    )
    .await?;
    Ok(Json(tally_api::AuditSheetView {
        person_name: row.person_name.clone(),
        reference: row.reference.clone(),
        from,
        to,
        header: sheet.header.into_iter().map(|(name, _, shown)| (name.to_owned(), shown)).collect(),
        columns: export::AUDIT_LINE_HEADER.iter().map(|c| (*c).to_owned()).collect(),
        lines: sheet.lines.into_iter().map(Vec::from).collect(),
    }))
}

#[utoipa::path(
    get,
    path = "/council/transactions.csv",
    tag = "workspace",
    summary = "Every account's transactions in the period, as CSV for the finance system",
    params(Period),
    responses(
        (status = 200, description = "CSV", content_type = "text/csv"),
        (status = 400, description = "Bad period", body = ErrorBody),
        SignedIn
    ),
    security(("staff" = [])),
)]
async fn transactions(
    State(state): State<AppState>,
    staff: Staff,
    Query(period): Query<Period>,
) -> Result<Response, ApiError> {
    let (from, to) = period.dates(state.clock.today())?;
    let mut out = String::from("\u{feff}Council reference,Person,");
    out.push_str(&export::CSV_HEADER.join(","));
    out.push_str("\r\n");
    let policy = state.storage.council_policy(&staff.row.council_id).await?;
    let rows = state.storage.accounts_of_council(&staff.row.council_id).await?;
    let (parts, unreadable) = for_each_account(&state, rows, &policy, |loaded| async move {
        // Each row of the account's statement, with the account in front.
        let mut out = String::new();
        for statement_row in export::statement_rows(&loaded.ledger, &loaded.plan, from, to) {
            let mut cells = vec![loaded.row.reference.clone(), loaded.row.person_name.clone()];
            cells.extend(export::row_cells(&statement_row));
            out.push_str(&export::to_csv_record(&cells));
        }
        Ok(out)
    })
    .await?;
    for part in parts {
        out.push_str(&part);
    }
    // An account that could not be read is a line saying so, never silently missing.
    for account in unreadable {
        let mut cells =
            vec![account.reference, account.person_name, String::new(), String::new(), String::new(), account.reason];
        cells.resize(2 + export::CSV_HEADER.len(), String::new());
        out.push_str(&export::to_csv_record(&cells));
    }
    // Every person's transactions leave the server here: the trail says who took them.
    audit(
        &state,
        &staff.row,
        None,
        "transactions exported",
        &format!("every account, {} to {}", iso_date(from), iso_date(to)),
    )
    .await?;
    Ok(csv_download(&format!("transactions-{}-to-{}.csv", iso_date(from), iso_date(to)), out))
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(audit_sheet, audit_sheet_page, transactions))]
pub(crate) struct Doc;
