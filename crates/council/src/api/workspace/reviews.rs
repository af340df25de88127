//! The review queue of flagged spending, and an officer's decision on a spend.

use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::routing::{get, post};
use axum::Json;
use serde::Deserialize;
use tally_api::{BulkDecided, BulkDecisionRequest, DecisionRequest, ErrorBody, ReviewQueue, SpendView};
use tally_ledger::date::iso_date;
use tally_ledger::{Decision, EntryBody, EntryId, Money, ReviewDecision, Rule};

use crate::api::described::{Changing, Csrf, Reference, SignedIn};
use crate::api::Routes;
use crate::error::{ApiError, LaterJson};
use crate::staff::{Changer, Staff};
use crate::storage::ReviewFilter;
use crate::AppState;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>()
        .add("/council/accounts/{reference}/decisions", &[Method::POST], post(decide))
        .add("/council/reviews", &[Method::GET], get(reviews))
        .add("/council/reviews/decisions", &[Method::POST], post(decide_many))
}

/// `?search=&rule=&from=&to=&min=&max=&after=&limit=`: which flagged spending, and which page.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct QueueQuery {
    /// Words in the person's name, reference or the payee
    search: Option<String>,
    /// Only spending flagged under this rule (`receipt_missing`, ...)
    rule: Option<String>,
    /// Spent on or after this day (YYYY-MM-DD)
    from: Option<String>,
    /// Spent on or before this day (YYYY-MM-DD)
    to: Option<String>,
    /// At least this amount in pounds
    min: Option<String>,
    /// At most this amount in pounds
    max: Option<String>,
    /// The `next` of the page before
    after: Option<String>,
    /// How many spends a page holds (1 to 200; 50 when not given)
    limit: Option<usize>,
}

impl QueueQuery {
    /// The filter, every problem named by its field.
    fn filter(&self) -> Result<ReviewFilter, ApiError> {
        let mut problems: Vec<(String, String)> = Vec::new();
        let text = |t: &Option<String>| t.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
        let rule = text(&self.rule).and_then(|r| match Rule::parse(&r) {
            Some(rule) => Some(rule.as_str().to_owned()),
            None => {
                problems.push(("rule".into(), format!("There is no flag rule called {r:?}")));
                None
            }
        });
        let mut date = |field: &str, what: &str, value: &Option<String>| {
            let value = text(value)?;
            match tally_ledger::date::parse_iso_date(&value) {
                Some(d) => Some(iso_date(d)),
                None => {
                    problems.push((field.into(), format!("{what} must be a real date, like 2026-11-22")));
                    None
                }
            }
        };
        let from = date("from", "The first day", &self.from);
        let to = date("to", "The last day", &self.to);
        let mut amount = |field: &str, what: &str, value: &Option<String>| {
            let value = text(value)?;
            match Money::parse_amount(&value, Money::from_pence(tally_ledger::money::HARD_MAXIMUM_PENCE)) {
                Ok(m) => m.pence(),
                _ => {
                    problems.push((field.into(), format!("{what} must be an amount in pounds, like 25 or 25.50")));
                    None
                }
            }
        };
        let min_pence = amount("min", "The smallest amount", &self.min);
        let max_pence = amount("max", "The largest amount", &self.max);
        if !problems.is_empty() {
            return Err(ApiError::Invalid(problems));
        }
        Ok(ReviewFilter {
            search: self.search.as_deref().unwrap_or_default().trim().to_lowercase(),
            rule,
            from,
            to,
            min_pence,
            max_pence,
        })
    }
}

#[utoipa::path(
    get,
    path = "/council/reviews",
    tag = "workspace",
    summary = "Flagged spending with no final decision across the council's accounts, oldest first, a page at a time",
    params(QueueQuery),
    responses(
        (status = 200, description = "A page of the queue, with how many the filter finds", body = ReviewQueue),
        (status = 400, description = "A filter that cannot be used, named by field", body = ErrorBody),
        SignedIn
    ),
    security(("staff" = [])),
)]
async fn reviews(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<QueueQuery>,
) -> Result<Json<ReviewQueue>, ApiError> {
    let council = &staff.row.council_id;
    let filter = query.filter()?;
    let limit = page_size(query.limit);
    let after: Option<Vec<String>> = match query.after.as_deref().filter(|a| !a.is_empty()) {
        None => None,
        Some(after) => {
            let parts: Vec<String> = after.splitn(3, ':').map(str::to_owned).collect();
            if parts.len() != 3 {
                return Err(not_a_page());
            }
            Some(parts)
        }
    };
    summaries::bring_up_to_date(&state, council).await?;
    let (page, counted) = state
        .storage
        .review_list(
            council,
            &filter,
            after.as_ref().map(|p| (p[0].as_str(), p[1].as_str(), p[2].as_str())),
            limit as i64 + 1,
        )
        .await?;
    let mut items = page
        .iter()
        .map(|view| serde_json::from_str::<SpendView>(view).map_err(|e| ApiError::Internal(e.into())))
        .collect::<Result<Vec<_>, _>>()?;
    let next = (items.len() > limit).then(|| {
        items.truncate(limit);
        items.last().map(|s| format!("{}:{}:{}", iso_date(s.date), s.reference, s.entry_id.0))
    });
    let mut answers: Vec<tally_api::QueryAnswer> = Vec::new();
    for list in state.storage.answer_lists(council).await? {
        answers.extend(serde_json::from_str::<Vec<tally_api::QueryAnswer>>(&list).map_err(anyhow::Error::from)?);
    }
    answers.sort_by(|a, b| {
        a.date.cmp(&b.date).then_with(|| a.reference.cmp(&b.reference)).then_with(|| a.line_no.cmp(&b.line_no))
    });
    let capped = counted > crate::storage::REVIEW_COUNT_CAP;
    Ok(Json(ReviewQueue {
        items,
        answers,
        unreadable: unreadable_accounts(&state, council).await?,
        total: u64::try_from(counted.min(crate::storage::REVIEW_COUNT_CAP)).unwrap_or(0),
        more_than_total: capped,
        next: next.flatten(),
    }))
}

#[utoipa::path(
    post,
    path = "/council/accounts/{reference}/decisions",
    tag = "workspace",
    summary = "Record a review decision on a spend (approved, question, not_allowed); syncs to the wallet",
    params(Csrf, Reference),
    request_body = DecisionRequest,
    responses(
        (status = 201, description = "Recorded", body = SpendView),
        (status = 400, description = "A question without words", body = ErrorBody),
        (status = 404, description = "No such spend or account", body = ErrorBody),
        Changing
    ),
    security(("staff" = [])),
)]
async fn decide(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path(reference): Path<String>,
    request: LaterJson<DecisionRequest>,
) -> Result<(StatusCode, Json<SpendView>), ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let request = request.read()?;
    let mut loaded = Loaded::read(&state, &row).await?;
    // The values the officer decided on: a final decision keeps them in force.
    let version =
        loaded.ledger.view().spending().find(|active| active.id() == request.about).map(|active| active.version);
    let Some(version) = version else {
        return Err(ApiError::NotFound("There is no spending with that id on this account.".to_owned()));
    };
    let note = request.note.trim().to_owned();
    let body = EntryBody::ReviewDecision(ReviewDecision {
        about: request.about,
        decision: request.decision,
        note: note.clone(),
        version: Some(version),
    });
    let words = audit_words(request.decision);
    let detail = format!("{words} spending {}: {note}", request.about);
    let decision =
        store_council_entry(&state, &staff, &row, body, Audit::on(row.account_id, "review decision", detail)).await?;
    loaded.ledger.insert(decision).map_err(anyhow::Error::from)?;
    let view = loaded
        .spends(false)
        .into_iter()
        .find(|s| s.entry_id == request.about)
        .ok_or_else(|| anyhow::anyhow!("decided spend vanished"))?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(
    post,
    path = "/council/reviews/decisions",
    tag = "workspace",
    summary = "Record one decision, with one note, on several flagged spends across accounts: all or none",
    params(Csrf),
    request_body = BulkDecisionRequest,
    responses(
        (status = 201, description = "Every spend decided", body = BulkDecided),
        (status = 400, description = "No spends, too many, a question without words, or a spend not waiting for a decision (named); nothing is recorded", body = ErrorBody),
        Changing
    ),
    security(("staff" = [])),
)]
async fn decide_many(
    State(state): State<AppState>,
    Changer(staff): Changer,
    request: LaterJson<BulkDecisionRequest>,
) -> Result<(StatusCode, Json<BulkDecided>), ApiError> {
    let request = request.read()?;
    let refuse = |message: String| ApiError::Invalid(vec![("spends".to_owned(), message)]);
    if request.spends.is_empty() {
        return Err(refuse("Choose at least one spend to decide".to_owned()));
    }
    if request.spends.len() > tally_api::MAX_BULK {
        return Err(refuse(format!(
            "Decide at most {} spends at once ({} were chosen)",
            tally_api::MAX_BULK,
            request.spends.len()
        )));
    }
    let note = request.note.trim().to_owned();
    if request.decision == Decision::Question && note.is_empty() {
        return Err(ApiError::Invalid(vec![("note".to_owned(), "Write the question for the people".to_owned())]));
    }
    // The spends by account, in the order first named; the same spend twice is once.
    let mut by_account: Vec<(String, Vec<EntryId>)> = Vec::new();
    for spend in &request.spends {
        match by_account.iter_mut().find(|(reference, _)| *reference == spend.reference) {
            Some((_, ids)) if ids.contains(&spend.entry_id) => {}
            Some((_, ids)) => ids.push(spend.entry_id),
            None => by_account.push((spend.reference.clone(), vec![spend.entry_id])),
        }
    }
    // Every spend checked before anything is stored.
    let mut batches = Vec::with_capacity(by_account.len());
    let mut rows = Vec::with_capacity(by_account.len());
    let mut problems: Vec<String> = Vec::new();
    for (reference, ids) in &by_account {
        let Some(row) = state.storage.council_account_by_reference(&staff.row.council_id, reference).await? else {
            problems.push(format!("There is no account with reference {reference}"));
            continue;
        };
        let loaded = Loaded::read(&state, &row).await?;
        let open = loaded.spends(true);
        let view = loaded.ledger.view();
        let mut bodies = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(spend) = open.iter().find(|s| s.entry_id == *id) else {
                problems.push(format!(
                    "A spend on {reference} is not waiting for a decision (it may have been decided already)"
                ));
                continue;
            };
            let version = view.spending().find(|a| a.id() == *id).map(|a| a.version);
            bodies.push(EntryBody::ReviewDecision(ReviewDecision {
                about: spend.entry_id,
                decision: request.decision,
                note: note.clone(),
                version,
            }));
        }
        batches.push(bodies);
        rows.push(row);
    }
    if !problems.is_empty() {
        problems.sort();
        problems.dedup();
        return Err(refuse(format!("Nothing was recorded. {}.", problems.join(". "))));
    }
    let words = audit_words(request.decision);
    let audits = rows
        .iter()
        .zip(&batches)
        .flat_map(|(row, bodies)| {
            bodies.iter().filter_map(|body| match body {
                EntryBody::ReviewDecision(d) => Some(Audit::on(
                    row.account_id,
                    "review decision",
                    format!("{words} spending {} (with others at once): {note}", d.about),
                )),
                _ => None,
            })
        })
        .collect();
    let decided = store_council_entries_for_accounts(&state, &staff, &rows, batches, audits).await?;
    Ok((StatusCode::CREATED, Json(BulkDecided { decided: decided.iter().map(Vec::len).sum() })))
}

/// A decision as the audit trail says it ("approved spending …").
fn audit_words(decision: Decision) -> &'static str {
    match decision {
        Decision::Approved => "approved",
        Decision::Question => "asked a question about",
        Decision::NotAllowed => "marked not allowed",
    }
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(reviews, decide, decide_many))]
pub(crate) struct Doc;
