//! The council's local rules (administrators change them).

use axum::extract::State;
use axum::http::Method;
use axum::routing::get;
use axum::Json;
use tally_api::{ErrorBody, PolicyUpdate};
use tally_ledger::Money;

use crate::api::described::{Administering, Csrf, SignedIn};
use crate::api::Routes;
use crate::error::{ApiError, LaterJson};
use crate::staff::{Administrator, Staff};
use crate::AppState;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>().add("/council/policy", &[Method::GET, Method::POST], get(get_policy).post(set_policy))
}

#[utoipa::path(
    get,
    path = "/council/policy",
    tag = "workspace",
    summary = "The council's policy",
    responses(
        (status = 200, description = "The policy", body = tally_ledger::CouncilPolicy),
        SignedIn
    ),
    security(("staff" = [])),
)]
async fn get_policy(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Json<tally_ledger::CouncilPolicy>, ApiError> {
    Ok(Json(state.storage.council_policy(&staff.row.council_id).await?))
}

#[utoipa::path(
    post,
    path = "/council/policy",
    tag = "workspace",
    summary = "Change the council's policy (administrators); devices take it on their next sync",
    params(Csrf),
    request_body = PolicyUpdate,
    responses(
        (status = 200, description = "The new policy", body = tally_ledger::CouncilPolicy),
        (status = 400, description = "field: message lines", body = ErrorBody),
        Administering
    ),
    security(("staff" = [])),
)]
async fn set_policy(
    State(state): State<AppState>,
    Administrator(staff): Administrator,
    update: LaterJson<PolicyUpdate>,
) -> Result<Json<tally_ledger::CouncilPolicy>, ApiError> {
    let update = update.read()?;
    let mut policy = state.storage.council_policy(&staff.row.council_id).await?;
    let weeks = |text: &str, most: u32, what: &str| {
        text.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n <= most)
            .ok_or_else(|| format!("Enter {what} as a whole number of weeks from 0 to {most}"))
    };
    let hard_maximum = Money::from_pence(tally_ledger::money::HARD_MAXIMUM_PENCE);
    let contingency = weeks(&update.contingency_weeks, 52, "the contingency");
    let respite = weeks(&update.respite_cap_weeks, 52, "the respite limit");
    let receipt = Money::parse_amount(&update.receipt_threshold, hard_maximum).map_err(|e| e.to_string());
    let maximum = Money::parse_amount(&update.per_entry_maximum, hard_maximum).map_err(|e| e.to_string());
    let retention = match update.retention_years.trim() {
        "" => Ok(policy.retention_years),
        typed => {
            typed.parse::<u32>().ok().filter(|n| tally_ledger::policy::RETENTION_YEARS.contains(n)).ok_or_else(|| {
                "Enter how many years records are kept after a direct payment ends, a whole number from 3 to 7"
                    .to_owned()
            })
        }
    };
    let reason = update.banned_reason.trim().to_owned();
    let reason_error = (!update.banned_categories.is_empty() && reason.is_empty())
        .then(|| "Say why these kinds of spending are not allowed (people will see it)".to_owned());
    let errors = problems([
        ("contingency", contingency.as_ref().err().cloned()),
        ("receipt", receipt.as_ref().err().cloned()),
        ("maximum", maximum.as_ref().err().cloned()),
        ("respite", respite.as_ref().err().cloned()),
        ("reason", reason_error),
        ("retention", retention.as_ref().err().cloned()),
    ]);
    let (Ok(contingency), Ok(receipt), Ok(maximum), Ok(respite), Ok(retention), true) =
        (contingency, receipt, maximum, respite, retention, errors.is_empty())
    else {
        return Err(ApiError::Invalid(errors));
    };
    policy.contingency_weeks = contingency;
    policy.receipt_threshold = receipt;
    policy.per_entry_maximum = maximum;
    policy.cash_allowed = update.cash_allowed;
    policy.respite_cap_weeks = respite;
    policy.retention_years = retention;
    policy.banned_categories = update
        .banned_categories
        .iter()
        .map(|category| tally_ledger::BannedCategory { category: *category, reason: reason.clone() })
        .collect();
    let detail = format!(
        "contingency {contingency} weeks, receipts from {receipt}, at most {maximum} an entry, cash {}, respite {respite} weeks, {} banned categories, records kept {retention} years after a direct payment ends",
        if update.cash_allowed { "allowed" } else { "not allowed" },
        policy.banned_categories.len()
    );
    let event = staff_event(&staff.row, None, "policy changed", &detail);
    state.storage.set_council_policy(&staff.row.council_id, &policy, &event, state.clock.now_ms()).await?;
    Ok(Json(policy))
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(get_policy, set_policy))]
pub(crate) struct Doc;
