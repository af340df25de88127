//! The council's figures for a period, as a page and as CSV.

use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::get;
use axum::Json;
use tally_api::{CouncilFigures, ErrorBody};
use tally_ledger::date::iso_date;
use tally_ledger::export::{self};
use tally_ledger::{Decision, EntryBody, Money, Rules, Severity};
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
#[derive(Default)]
struct AccountFigures {
    paid_in: Money,
    contributions: Money,
    spent: Money,
    spent_within_plan: Money,
    flags_raised: usize,
    review_days: Vec<i64>,
    surplus_held: Money,
    recovered: Money,
    /// First day of the month: (paid in, spent).
    months: std::collections::BTreeMap<Date, (Money, Money)>,
}

fn add(total: &mut Money, amount: Money) {
    *total = total.checked_add(amount).unwrap_or(*total);
}

impl AccountFigures {
    fn of(loaded: &Loaded, from: Date, to: Date) -> AccountFigures {
        let mut f = AccountFigures::default();
        let view = loaded.ledger.view();
        let review = Rules { plan: &loaded.plan, policy: &loaded.policy, today: to }.review_view(&view);
        let histories = loaded.ledger.histories();
        for active in view.active.iter().filter(|a| a.date >= from && a.date <= to) {
            match active.body {
                EntryBody::PaymentIn(m) => add(&mut f.paid_in, m.amount),
                EntryBody::Contribution(m) => add(&mut f.contributions, m.amount),
                EntryBody::Clawback(c) => add(&mut f.recovered, c.amount),
                EntryBody::Spend(s) => {
                    add(&mut f.spent, s.amount);
                    let flags = review.spends.get(&active.id());
                    let not_allowed_flag =
                        flags.is_some_and(|flags| flags.iter().any(|flag| flag.severity() == Severity::NotAllowed));
                    let decided_not_allowed =
                        histories.get(&active.id()).and_then(|h| h.decision()) == Some(Decision::NotAllowed);
                    if !not_allowed_flag && !decided_not_allowed {
                        add(&mut f.spent_within_plan, s.amount);
                    }
                    if flags.is_some() {
                        f.flags_raised += 1;
                    }
                }
                _ => {}
            }
            let slot =
                f.months.entry(tally_ledger::date::month_start(active.date)).or_insert((Money::ZERO, Money::ZERO));
            if matches!(active.body, EntryBody::PaymentIn(_) | EntryBody::Contribution(_)) {
                add(&mut slot.0, active.amount);
            } else if matches!(active.body, EntryBody::Spend(_)) {
                add(&mut slot.1, -active.amount);
            }
        }
        // Reviews of spending closed in the period, and how long each took from the spend
        // being logged (decisions on statement questions are not reviews of spending).
        for history in histories.values().filter(|h| matches!(h.original.body, EntryBody::Spend(_))) {
            let Some(decision) = history
                .thread
                .iter()
                .find(|e| matches!(&e.body, EntryBody::ReviewDecision(d) if d.decision.is_final()))
            else {
                continue;
            };
            let decided = decision.recorded_at.date();
            if decided >= from && decided <= to {
                f.review_days.push((decision.recorded_at - history.original.recorded_at).whole_days().max(0));
            }
        }
        f.surplus_held = view.surplus(&loaded.plan, &loaded.policy, to).surplus;
        f
    }
}

async fn council_figures(state: &AppState, staff: &Staff, from: Date, to: Date) -> Result<CouncilFigures, ApiError> {
    let policy = state.storage.council_policy(&staff.row.council_id).await?;
    let rows = state.storage.accounts_of_council(&staff.row.council_id).await?;
    let (parts, unreadable) =
        for_each_account(state, rows, &policy, |loaded| async move { Ok(AccountFigures::of(&loaded, from, to)) })
            .await?;
    let mut f = CouncilFigures {
        from,
        to,
        people: parts.len() + unreadable.len(),
        paid_in: Money::ZERO,
        contributions: Money::ZERO,
        spent: Money::ZERO,
        spent_within_plan: Money::ZERO,
        within_plan_percent: None,
        flags_raised: 0,
        reviews_closed: 0,
        review_days_median: None,
        review_days_longest: None,
        surplus_held: Money::ZERO,
        recovered: Money::ZERO,
        months: Vec::new(),
        unreadable,
    };
    let mut review_days: Vec<i64> = Vec::new();
    let mut months: std::collections::BTreeMap<Date, (Money, Money)> = std::collections::BTreeMap::new();
    for part in parts {
        add(&mut f.paid_in, part.paid_in);
        add(&mut f.contributions, part.contributions);
        add(&mut f.spent, part.spent);
        add(&mut f.spent_within_plan, part.spent_within_plan);
        add(&mut f.surplus_held, part.surplus_held);
        add(&mut f.recovered, part.recovered);
        f.flags_raised += part.flags_raised;
        review_days.extend(part.review_days);
        for (month, (paid, spent)) in part.months {
            let slot = months.entry(month).or_insert((Money::ZERO, Money::ZERO));
            add(&mut slot.0, paid);
            add(&mut slot.1, spent);
        }
    }
    f.reviews_closed = review_days.len();
    f.within_plan_percent = f.spent.pence().filter(|p| *p > 0).map(|spent| {
        let within = f.spent_within_plan.pence().unwrap_or(0);
        u32::try_from(within * 100 / spent).unwrap_or(0)
    });
    review_days.sort_unstable();
    f.review_days_median = review_days.get(review_days.len() / 2).copied();
    f.review_days_longest = review_days.last().copied();
    f.months = months.into_iter().map(|(month, (paid, spent))| (month, paid, spent)).collect();
    Ok(f)
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(figures, figures_csv))]
pub(crate) struct Doc;
