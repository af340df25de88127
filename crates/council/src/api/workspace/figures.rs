//! The council's figures for a period, as a page and as CSV.

use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::get;
use axum::Json;
use tally_api::{CouncilFigures, ErrorBody};
use tally_ledger::date::iso_date;
use tally_ledger::export::{self};
use tally_ledger::Money;
use time::Date;

use crate::api::described::SignedIn;
use crate::api::Routes;
use crate::error::ApiError;
use crate::staff::Staff;
use crate::AppState;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>().add("/council/figures", &[Method::GET], get(figures)).add(
        "/council/figures.csv",
        &[Method::GET],
        get(figures_csv),
    )
}

#[utoipa::path(
    get,
    path = "/council/figures",
    tag = "workspace",
    summary = "The council's figures for a period (default the last twelve months): people, money in and spent, share within plan, flags and review times, surplus held and recovered, month by month",
    params(Period),
    responses(
        (status = 200, description = "The figures", body = CouncilFigures),
        (status = 400, description = "Bad period", body = ErrorBody),
        SignedIn
    ),
    security(("staff" = [])),
)]
async fn figures(
    State(state): State<AppState>,
    staff: Staff,
    Query(period): Query<Period>,
) -> Result<Json<CouncilFigures>, ApiError> {
    let (from, to) = period.dates_or_year(state.clock.today())?;
    Ok(Json(council_figures(&state, &staff, from, to).await?))
}

#[utoipa::path(
    get,
    path = "/council/figures.csv",
    tag = "workspace",
    summary = "The same figures as CSV",
    params(Period),
    responses(
        (status = 200, description = "CSV", content_type = "text/csv"),
        (status = 400, description = "Bad period", body = ErrorBody),
        SignedIn
    ),
    security(("staff" = [])),
)]
async fn figures_csv(
    State(state): State<AppState>,
    staff: Staff,
    Query(period): Query<Period>,
) -> Result<Response, ApiError> {
    let (from, to) = period.dates_or_year(state.clock.today())?;
    let f = council_figures(&state, &staff, from, to).await?;
    let money = |m: Money| m.to_plain_string();
    let optional = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    let rows: Vec<[String; 2]> = vec![
        ["Period".into(), format!("{} to {}", iso_date(from), iso_date(to))],
        ["People on direct payments".into(), f.people.to_string()],
        ["Paid in by the council".into(), money(f.paid_in)],
        ["Contributions paid in".into(), money(f.contributions)],
        ["Spent".into(), money(f.spent)],
        ["Spent within the support plan".into(), money(f.spent_within_plan)],
        [
            "Share of spending within the plan (%)".into(),
            f.within_plan_percent.map(|p| p.to_string()).unwrap_or_default(),
        ],
        ["Flags raised".into(), f.flags_raised.to_string()],
        ["Reviews closed".into(), f.reviews_closed.to_string()],
        ["Days to close a review (median)".into(), optional(f.review_days_median)],
        ["Days to close a review (longest)".into(), optional(f.review_days_longest)],
        ["Surplus held at the end".into(), money(f.surplus_held)],
        ["Surplus recovered".into(), money(f.recovered)],
    ];
    let mut csv = String::from("\u{feff}");
    for row in rows {
        csv.push_str(&export::to_csv_record(&row));
    }
    csv.push_str("\r\n");
    csv.push_str(&export::to_csv_record(&["Month".into(), "Paid in".into(), "Spent".into()]));
    for (month, paid_in, spent) in &f.months {
        csv.push_str(&export::to_csv_record(&[iso_date(*month)[..7].to_owned(), money(*paid_in), money(*spent)]));
    }
    Ok(csv_download(&format!("council-figures-{}-to-{}.csv", iso_date(from), iso_date(to)), csv))
}

/// One account's share of the council's figures for a period.
/// The council's figures for a period, from the accounts' summaries: what the period's
/// days add up to, and the surplus every account holds now.
async fn council_figures(state: &AppState, staff: &Staff, from: Date, to: Date) -> Result<CouncilFigures, ApiError> {
    let council = &staff.row.council_id;
    summaries::bring_up_to_date(state, council).await?;
    let totals = state.storage.period_totals(council, &iso_date(from), &iso_date(to)).await?;
    let (people, surplus) = state.storage.council_totals(council).await?;
    // The median and longest from how many reviews took each number of days.
    let reviews_closed: i64 = totals.review_days.iter().map(|(_, n)| n).sum();
    let mut seen = 0;
    let review_days_median = totals.review_days.iter().find_map(|(took, n)| {
        seen += n;
        (seen > reviews_closed / 2).then_some(*took)
    });
    let within_plan_percent =
        (totals.spent > 0).then(|| u32::try_from(totals.within_plan * 100 / totals.spent).unwrap_or(0));
    Ok(CouncilFigures {
        from,
        to,
        people: usize::try_from(people).unwrap_or(0),
        paid_in: Money::from_pence(totals.paid_in),
        contributions: Money::from_pence(totals.contributions),
        spent: Money::from_pence(totals.spent),
        spent_within_plan: Money::from_pence(totals.within_plan),
        within_plan_percent,
        flags_raised: usize::try_from(totals.flags_raised).unwrap_or(0),
        reviews_closed: usize::try_from(reviews_closed).unwrap_or(0),
        review_days_median,
        review_days_longest: totals.review_days.last().map(|(took, _)| *took),
        surplus_held: Money::from_pence(surplus),
        recovered: Money::from_pence(totals.recovered),
        months: totals
            .months
            .into_iter()
            .filter_map(|(month, paid, spent)| {
                Some((tally_ledger::date::parse_iso_date(&month)?, Money::from_pence(paid), Money::from_pence(spent)))
            })
            .collect(),
        unreadable: unreadable_accounts(state, council).await?,
    })
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(figures, figures_csv))]
pub(crate) struct Doc;
