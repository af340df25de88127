//! New versions of a person's support plan.

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::post;
use axum::Json;
use tally_api::{ErrorBody, PlanVersionRequest};
use tally_ledger::date::long_date;
use tally_ledger::{Money, SupportPlan};
use time::Date;

use crate::api::described::{Changing, Csrf, OnAccount, Reference};
use crate::api::Routes;
use crate::error::{ApiError, LaterJson};
use crate::staff::Changer;
use crate::AppState;

use super::accounts::slug;
use super::*;

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>().add(
        "/council/accounts/{reference}/plan-versions",
        &[Method::POST],
        post(add_plan_version),
    )
}

#[utoipa::path(
    post,
    path = "/council/accounts/{reference}/plan-versions",
    tag = "workspace",
    summary = "Add a version of the support plan from a date (kept lines keep their ids and spending)",
    params(Csrf, Reference),
    request_body = PlanVersionRequest,
    responses(
        (status = 201, description = "The plan with all its versions", body = SupportPlan),
        (status = 400, description = "field: message lines", body = ErrorBody),
        Changing,
        OnAccount
    ),
    security(("staff" = [])),
)]
async fn add_plan_version(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path(reference): Path<String>,
    request: LaterJson<PlanVersionRequest>,
) -> Result<(StatusCode, Json<SupportPlan>), ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    life::ensure_open(&state, &row).await?;
    let request = request.read()?;
    let plan = state.storage.support_plan(row.account_id).await?;
    let mut errors: Vec<(String, String)> = Vec::new();
    let effective_from = plan_date(&request.effective_from, "The date the new plan starts", state.clock.today())
        .map_err(|e| errors.push(("effective_from".into(), e)))
        .ok();
    if request.lines.is_empty() {
        errors.push(("lines".into(), "A plan needs at least one line".into()));
    }
    let lines = plan_lines(&request.lines, &plan, effective_from.unwrap_or(Date::MIN), &mut errors);
    let Some(effective_from) = effective_from.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let current = plan.current();
    let version = current.map_or(1, |v| v.version + 1);
    let outcomes = current.map(|v| v.outcomes.clone()).unwrap_or_default();
    let mut versions = plan.versions.clone();
    versions.push(tally_ledger::PlanVersion { version, effective_from, outcomes, lines });
    let updated = SupportPlan::new(versions, plan.ends_on);
    let detail = format!("version {version} from {}", long_date(effective_from));
    let event = staff_event(&staff.row, Some(row.account_id), "support plan changed", &detail);
    state.storage.set_support_plan(row.account_id, &updated, &event, state.clock.now_ms()).await?;
    Ok((StatusCode::CREATED, Json(updated)))
}

/// Plan lines as typed, checked (problems go to `errors`, by field). A line that keeps an
/// earlier line's id keeps its start, approved payees, receipt threshold and outcomes, so
/// spending logged on it stays on it; a new one gets an id from its name.
pub(super) fn plan_lines(
    typed: &[tally_api::PlanLineRequest],
    plan: &SupportPlan,
    start: Date,
    errors: &mut Vec<(String, String)>,
) -> Vec<tally_ledger::PlanLine> {
    let mut lines = Vec::new();
    let mut used: Vec<String> = Vec::new();
    for (n, line) in typed.iter().enumerate() {
        let name = line.name.trim();
        if name.is_empty() {
            errors.push((format!("line-{n}-name"), format!("Give line {} a name", n + 1)));
            continue;
        }
        let budget = match Money::parse_amount(&line.budget, Money::from_pence(tally_ledger::money::HARD_MAXIMUM_PENCE))
        {
            Ok(budget) => budget,
            Err(e) => {
                errors.push((format!("line-{n}-budget"), format!("{name}: {e}")));
                continue;
            }
        };
        let id = if line.id.trim().is_empty() { slug(name, &used) } else { line.id.trim().to_owned() };
        used.push(id.clone());
        let earlier = plan.versions.iter().flat_map(|v| v.lines.iter()).find(|l| l.id.0 == id);
        let mut new = tally_ledger::PlanLine::new(&id, name, line.category, budget, line.period, start);
        if let Some(earlier) = earlier {
            new.start = earlier.start;
            new.approved_payees = earlier.approved_payees.clone();
            new.receipt_threshold = earlier.receipt_threshold;
            new.outcomes = earlier.outcomes.clone();
        }
        lines.push(new);
    }
    lines
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(add_plan_version))]
pub(crate) struct Doc;
