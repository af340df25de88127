//! Statements in the council workspace: import a bank or card statement as CSV, match its
//! lines to logged records with the ledger's matcher, confirm, re-match or unmatch, and
//! reconcile and close the period.
//!
//! `/api/v1/council/statement-formats`, `/api/v1/council/accounts/{reference}/statements...`

//!
//! - [`formats`]: the column mappings of providers' files
//! - [`queries`]: asking the person about lines with no record, and deciding on answers
//! - [`late`]: records that arrived after a period was closed

mod charges;
mod feeds;
mod formats;
mod late;
mod queries;

use std::collections::{HashMap, HashSet};

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{get, post};
use axum::Json;
use tally_api::{
    EntryBrief, ErrorBody, LineMatchRequest, LineQuery, MatchState, QueryState, Reconciliation, StatementImport,
    StatementLineView, StatementList, StatementSummary, StatementView,
};
use tally_ledger::date::{add_days, iso_date, long_date, parse_iso_date, DateRange};
use tally_ledger::matching::{
    ledger_items, match_statement, propose_splits, LedgerItem, MatchOptions, StatementLine, SPLIT_WINDOW_DAYS,
};
use tally_ledger::{Decision, EntryBody, EntryId, Money, QueryStatus, QueryThread, ReviewDecision};
use uuid::Uuid;

use super::{audit, council_account, staff_event, store_council_entry, thread_items, Audit, Loaded};
use crate::api::described::{Changing, Csrf, Line, OnAccount, Reference, SignedIn, Statement};
use crate::api::Routes;
use crate::error::{ApiError, LaterJson};
use crate::staff::{Changer, Staff};
use crate::statements::{self};
use crate::storage::{StatementLineRow, StatementRow};
use crate::AppState;

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>()
        .add(
            "/council/statement-formats",
            &[Method::GET, Method::POST],
            get(formats::formats).post(formats::save_format),
        )
        .add("/council/statement-formats/proposal", &[Method::POST], post(formats::propose_format))
        .add("/council/statement-feeds", &[Method::POST], post(feeds::import_feed))
        .add(
            "/council/accounts/{reference}/cards",
            &[Method::GET, Method::POST],
            get(feeds::cards).post(feeds::add_card),
        )
        .add("/council/accounts/{reference}/cards/removal", &[Method::POST], post(feeds::remove_card))
        .add("/council/accounts/{reference}/statements", &[Method::GET, Method::POST], get(list).post(import))
        .add("/council/accounts/{reference}/statements/{statement_id}", &[Method::GET], get(view))
        .add(
            "/council/accounts/{reference}/statements/{statement_id}/lines/{line_no}",
            &[Method::POST],
            post(set_match),
        )
        .add("/council/accounts/{reference}/statements/{statement_id}/close", &[Method::POST], post(close))
        .add(
            "/council/accounts/{reference}/statements/{statement_id}/charges",
            &[Method::POST],
            post(charges::record_charges),
        )
        .add("/council/accounts/{reference}/statements/{statement_id}/queries", &[Method::POST], post(queries::ask))
        .add(
            "/council/accounts/{reference}/statements/{statement_id}/lines/{line_no}/query-decision",
            &[Method::POST],
            post(queries::decide_query),
        )
        .add(
            "/council/accounts/{reference}/statements/{statement_id}/late-records-seen",
            &[Method::POST],
            post(late::late_records_seen),
        )
}

#[utoipa::path(
    post,
    path = "/council/accounts/{reference}/statements",
    tag = "workspace",
    summary = "Import a statement (CSV text and its format); every line is checked first and nothing is kept if any is wrong; lines are matched to logged records",
    params(Csrf, Reference),
    request_body = StatementImport,
    responses(
        (status = 201, description = "Imported and matched", body = StatementView),
        (status = 400, description = "Problems, each naming its line and column", body = ErrorBody),
        Changing,
        OnAccount
    ),
    security(("staff" = [])),
)]
async fn import(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path(reference): Path<String>,
    request: LaterJson<StatementImport>,
) -> Result<(StatusCode, Json<StatementView>), ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let request = request.read()?;
    let (mapping, parsed) = read_file(&state, &staff, &request).await?;
    if let Some(column) = &mapping.holder {
        // A feed's format, used for one person's file: every line must be theirs.
        let accounts = feeds::holders_accounts(&state, &staff, &parsed).await?;
        let others: Vec<String> = parsed
            .lines
            .iter()
            .filter(|(line_no, _)| {
                parsed.holders.get(line_no).and_then(|h| accounts.get(h)).map(|a| a.account_id) != Some(row.account_id)
            })
            .take(statements::MAX_PROBLEMS)
            .map(|(line_no, _)| {
                format!(
                    "Line {line_no}, column \"{column}\": \"{}\" is not a card of {reference}. Import a feed for several people from the statements page.",
                    parsed.holders.get(line_no).map_or("", String::as_str)
                )
            })
            .collect();
        if !others.is_empty() {
            return Err(nothing_imported(others));
        }
    }
    // A feed's format used for one person's file: the balances are those of their card
    // (or none, for several cards).
    let parsed = if mapping.holder.is_some() {
        let (skipped, around) = (parsed.skipped, parsed.around);
        let mut own = feeds::one_statement(parsed.by_holder().into_iter().map(|(_, p)| p).collect());
        (own.skipped, own.around) = (skipped, around);
        own
    } else {
        parsed
    };
    let loaded = Loaded::read(&state, &row).await?;
    let (statement, rows, matched) = statement_for(&state, &staff, &loaded, &parsed, &request.format);
    let detail = import_detail(&statement, &rows, matched, &parsed);
    let event = staff_event(&staff.row, Some(row.account_id), "statement imported", &detail);
    state.storage.create_statements(&[(statement.clone(), rows)], &[event], state.clock.now_ms()).await?;
    Ok((StatusCode::CREATED, Json(statement_view(&state, &loaded, &statement.statement_id).await?)))
}

/// "Nothing was imported", with the problems.
fn nothing_imported(problems: Vec<String>) -> ApiError {
    ApiError::BadRequest(format!(
        "Nothing was imported. Put these right in the file and import it again:\n{}",
        problems.join("\n")
    ))
}

/// Reads and checks a file with its format: every problem by line and column, and every
/// date one a record could carry.
async fn read_file(
    state: &AppState,
    staff: &Staff,
    request: &StatementImport,
) -> Result<(statements::Mapping, statements::Parsed), ApiError> {
    let mapping = formats::mapping(state, staff, &request.format).await?;
    let parsed = statements::parse(&request.csv, &mapping)
        .map_err(|problems| nothing_imported(problems.iter().map(ToString::to_string).collect()))?;
    // Every date on the statement is one a record could carry (from 2000 to a year ahead).
    let dates = DateRange::for_records(state.clock.today());
    let out_of_range: Vec<String> = parsed
        .lines
        .iter()
        .filter(|(_, line)| !dates.contains(line.date))
        .map(|(line_no, line)| {
            format!("Line {line_no}: the date ({}) must be {}.", long_date(line.date), dates.describe())
        })
        .collect();
    if !out_of_range.is_empty() {
        let more = out_of_range.len().saturating_sub(statements::MAX_PROBLEMS);
        let mut said: Vec<String> = out_of_range.into_iter().take(statements::MAX_PROBLEMS).collect();
        if more > 0 {
            said.push(format!("And {more} more lines with dates like these."));
        }
        return Err(nothing_imported(said));
    }
    Ok((mapping, parsed))
}

/// A statement of an account from its lines as read: reversals paired, fees marked, and
/// the rest matched with the account's records (fees with its charges). Also how many
/// lines matched.
fn statement_for(
    state: &AppState,
    staff: &Staff,
    loaded: &Loaded,
    parsed: &statements::Parsed,
    format: &str,
) -> (StatementRow, Vec<StatementLineRow>, usize) {
    let first = parsed.lines.iter().map(|(_, l)| l.date).min().unwrap_or(time::Date::MIN);
    let last = parsed.lines.iter().map(|(_, l)| l.date).max().unwrap_or(time::Date::MIN);
    // A reversal and the payment it cancels: shown together, needing no record.
    let paired: HashMap<usize, usize> = parsed
        .reversals
        .iter()
        .flat_map(|&(original, reversal)| [(original, reversal), (reversal, original)])
        .collect();
    let mut rows: Vec<StatementLineRow> = parsed
        .lines
        .iter()
        .map(|(line_no, line)| StatementLineRow {
            line_no: *line_no as i64,
            date: iso_date(line.date),
            amount: line.amount.pence().unwrap_or_default(),
            description: line.description.clone(),
            reference: line.reference.clone(),
            entry_id: None,
            state: if paired.contains_key(line_no) { "reversed" } else { "none" }.to_owned(),
            confidence: 0,
            paired_with: paired.get(line_no).map(|&other| other as i64),
            kind: if parsed.fee_lines.contains(line_no) { "fee" } else { "" }.to_owned(),
            fee: parsed.fees.get(line_no).and_then(|f| f.pence()).unwrap_or(0),
            fee_entry_id: None,
            parts: Vec::new(),
        })
        .collect();
    // The rest are matched: the provider's charges (fee lines, and fees beside a line's
    // amount) with the charges on the account, every other line with the other records.
    let charges = charge_ids(loaded);
    let (charge_items, items): (Vec<LedgerItem>, Vec<LedgerItem>) =
        items_near(loaded, first, last).into_iter().partition(|i| charges.contains(&i.id));
    // (row, whether it is the fee beside the row's amount)
    let mut to_match: Vec<(usize, bool)> = Vec::new();
    let mut fees_to_match: Vec<(usize, bool)> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if row.fee > 0 {
            fees_to_match.push((i, true));
        }
        if row.paired_with.is_none() {
            if row.kind == "fee" { &mut fees_to_match } else { &mut to_match }.push((i, false));
        }
    }
    let fee_of: Vec<i64> = rows.iter().map(|r| r.fee).collect();
    let as_line = |&(i, fee): &(usize, bool)| {
        let (_, line) = &parsed.lines[i];
        if fee {
            StatementLine { amount: -Money::from_pence(fee_of[i]), ..line.clone() }
        } else {
            line.clone()
        }
    };
    for (wanted, items) in [(&to_match, &items), (&fees_to_match, &charge_items)] {
        let lines: Vec<StatementLine> = wanted.iter().map(as_line).collect();
        let found = match_statement(&lines, items, MatchOptions::default());
        for m in &found.matches {
            let (i, fee) = wanted[m.line];
            let line = &mut rows[i];
            if fee {
                line.fee_entry_id = Some(m.entry.to_string());
            } else {
                line.entry_id = Some(m.entry.to_string());
                line.state = if m.certain { "certain" } else { "proposed" }.to_owned();
                line.confidence = i64::from(m.confidence);
            }
        }
    }
    let matched = rows.iter().filter(|r| r.entry_id.is_some()).count();
    let statement = StatementRow {
        statement_id: Uuid::now_v7().to_string(),
        account_id: loaded.row.account_id,
        format: format.to_owned(),
        first_date: iso_date(first),
        last_date: iso_date(last),
        closing_balance: parsed.closing_balance.and_then(Money::pence),
        imported_by: staff.row.staff_id.clone(),
        imported_at_ms: state.clock.now_ms(),
        closed: None,
        closed_view: None,
        late_seen_at_ms: None,
    };
    (statement, rows, matched)
}

/// The ids of the account's charges (a provider's fees recorded by the council).
pub(super) fn charge_ids(loaded: &Loaded) -> HashSet<EntryId> {
    loaded.ledger.active().iter().filter(|a| matches!(a.body, EntryBody::Charge(_))).map(|a| a.id()).collect()
}

/// What the audit trail says of an import.
fn import_detail(
    statement: &StatementRow,
    rows: &[StatementLineRow],
    matched: usize,
    parsed: &statements::Parsed,
) -> String {
    let mut detail = format!(
        "{} lines from {} to {} ({}), {matched} matched",
        rows.len(),
        statement.first_date,
        statement.last_date,
        statement.format,
    );
    if parsed.skipped > 0 {
        detail += &format!(", {} declined lines skipped", parsed.skipped);
    }
    if !parsed.reversals.is_empty() {
        detail += &format!(", {} reversals paired with the payments they cancel", parsed.reversals.len());
    }
    let fees = parsed.fee_lines.len() + parsed.fees.len();
    if fees > 0 {
        detail += &format!(", {fees} fees");
    }
    if parsed.around > 0 {
        detail += &format!(", {} lines above the header or below the lines left out", parsed.around);
    }
    if parsed.newest_first {
        detail += ", newest line first in the file";
    }
    detail
}

#[utoipa::path(
    get,
    path = "/council/accounts/{reference}/statements",
    tag = "workspace",
    summary = "The account's imported statements",
    params(Reference),
    responses(
        (status = 200, description = "Statements", body = StatementList),
        SignedIn,
        OnAccount
    ),
    security(("staff" = [])),
)]
async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
) -> Result<Json<StatementList>, ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let statements = state
        .storage
        .statements(row.account_id)
        .await?
        .into_iter()
        .map(|s| StatementSummary {
            first_date: parse_iso_date(&s.first_date).unwrap_or(time::Date::MIN),
            last_date: parse_iso_date(&s.last_date).unwrap_or(time::Date::MIN),
            statement_id: s.statement_id,
            format: s.format,
            closed: s.closed.is_some(),
        })
        .collect();
    Ok(Json(StatementList { statements }))
}

#[utoipa::path(
    get,
    path = "/council/accounts/{reference}/statements/{statement_id}",
    tag = "workspace",
    summary = "A statement's lines, matches, unmatched records and reconciliation",
    params(Reference, Statement),
    responses(
        (status = 200, description = "The statement", body = StatementView),
        (status = 404, description = "No such statement", body = ErrorBody),
        SignedIn
    ),
    security(("staff" = [])),
)]
async fn view(
    State(state): State<AppState>,
    staff: Staff,
    Path((reference, statement_id)): Path<(String, String)>,
) -> Result<Json<StatementView>, ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let loaded = Loaded::read(&state, &row).await?;
    let view = statement_view(&state, &loaded, &statement_id).await?;
    audit(&state, &staff.row, Some(row.account_id), "statement viewed", &statement_id).await?;
    Ok(Json(view))
}

#[utoipa::path(
    post,
    path = "/council/accounts/{reference}/statements/{statement_id}/lines/{line_no}",
    tag = "workspace",
    summary = "Confirm, re-match (same amount) or unmatch (entry_id null) a line",
    params(Csrf, Reference, Line),
    request_body = LineMatchRequest,
    responses(
        (status = 200, description = "The statement", body = StatementView),
        (status = 400, description = "Amounts differ, record matched elsewhere, or statement closed", body = ErrorBody),
        (status = 404, description = "No such line or record", body = ErrorBody),
        Changing
    ),
    security(("staff" = [])),
)]
async fn set_match(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path((reference, statement_id, line_no)): Path<(String, String, i64)>,
    request: LaterJson<LineMatchRequest>,
) -> Result<Json<StatementView>, ApiError> {
    let (row, loaded, view) = open_statement(&state, &staff, &reference, &statement_id).await?;
    let request = request.read()?;
    let line = view
        .lines
        .iter()
        .find(|l| l.line_no == line_no)
        .ok_or_else(|| ApiError::NotFound("There is no such line on this statement.".to_owned()))?;
    if let Some(other) = line.paired_with {
        return Err(ApiError::BadRequest(format!(
            "Line {line_no} and line {other} cancel each other (a payment and its reversal): they need no record."
        )));
    }
    // A spend the person logged in answer, proposed for the line, that the officer turns
    // down: kept as "rejected", so it is not proposed again.
    let answer = line
        .entry
        .as_ref()
        .filter(|e| line.state == MatchState::Proposed && line.query.as_ref().is_some_and(|q| q.logged.contains(e)));
    if request.entry_ids.len() > 1 {
        return set_parts(&state, &staff, &row, loaded, &view, line, &request.entry_ids).await;
    }
    let (entry, state_text, what) = match request.entry_id.or(request.entry_ids.first().copied()) {
        None if line.state == MatchState::Proposed && !line.parts.is_empty() => {
            (None, "unmatched", format!("line {line_no}: the records proposed together are not its match"))
        }
        None => match answer {
            Some(e) => (
                Some(e.entry_id.to_string()),
                "rejected",
                format!("line {line_no}: the spending logged in answer is not its match"),
            ),
            None => (None, "unmatched", format!("line {line_no} unmatched")),
        },
        Some(id) => {
            let item = ledger_items(&loaded.ledger)
                .into_iter()
                .find(|i| i.id == id)
                .ok_or_else(|| ApiError::NotFound("There is no such record on this account.".to_owned()))?;
            if item.amount != line.amount {
                return Err(ApiError::BadRequest(format!(
                    "The amounts differ: the statement line is {} and the record is {}. Only the same amount can be matched.",
                    line.amount, item.amount
                )));
            }
            if holds_record(&view, line_no, id) {
                return Err(ApiError::BadRequest(
                    "That record is matched with another line of this statement (or is the charge of this line's fee). Unmatch it there first.".to_owned(),
                ));
            }
            (
                Some(id.to_string()),
                "confirmed",
                format!("line {line_no} matched with {} {} on {}", item.payee, item.amount, iso_date(item.date)),
            )
        }
    };
    let event = staff_event(&staff.row, Some(row.account_id), "statement line", &what);
    if !state
        .storage
        .set_line_match(&statement_id, line_no, entry.as_deref(), state_text, &event, state.clock.now_ms())
        .await?
    {
        return Err(ApiError::BadRequest("This statement is closed: its matches can no longer change.".to_owned()));
    }
    let mut loaded = loaded;
    let was_matched = line.has_match() && line.state != MatchState::Proposed;
    follow_up(&state, &staff, &row, &mut loaded, line, state_text == "confirmed", was_matched).await?;
    Ok(Json(statement_view(&state, &loaded, &statement_id).await?))
}

#[utoipa::path(
    post,
    path = "/council/accounts/{reference}/statements/{statement_id}/close",
    tag = "workspace",
    summary = "Close (lock) a reconciled period: refused while anything is open, with what is",
    params(Csrf, Reference, Statement),
    responses(
        (status = 200, description = "Closed", body = StatementView),
        (status = 400, description = "What is still open", body = ErrorBody),
        (status = 404, description = "No such statement", body = ErrorBody),
        Changing
    ),
    security(("staff" = [])),
)]
async fn close(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path((reference, statement_id)): Path<(String, String)>,
) -> Result<Json<StatementView>, ApiError> {
    let (row, loaded, view) = open_statement(&state, &staff, &reference, &statement_id).await?;
    if !view.reconciliation.open_points.is_empty() {
        return Err(ApiError::BadRequest(format!(
            "The period cannot be closed yet:\n{}",
            view.reconciliation.open_points.join("\n")
        )));
    }
    // What the statement shows now is what it keeps: records that arrive later are listed
    // beside it, never folded into it.
    let mut kept = view.clone();
    kept.closed_by = Some(staff.row.display_name.clone());
    let snapshot = serde_json::to_string(&kept).map_err(anyhow::Error::from)?;
    let detail = format!("{} to {} reconciled and closed", iso_date(view.first_date), iso_date(view.last_date));
    let event = staff_event(&staff.row, Some(row.account_id), "period closed", &detail);
    state.storage.close_statement(&statement_id, &staff.row.staff_id, &snapshot, &event, state.clock.now_ms()).await?;
    Ok(Json(statement_view(&state, &loaded, &statement_id).await?))
}

/// After a line's match changed: a question still waiting about a line now matched is
/// closed, so the person is not left with something to answer; a line unmatched again after
/// its question was closed is asked about again.
async fn follow_up(
    state: &AppState,
    staff: &Staff,
    row: &crate::storage::AccountRow,
    loaded: &mut Loaded,
    line: &StatementLineView,
    matched_now: bool,
    was_matched: bool,
) -> Result<(), ApiError> {
    let follow_up = match &line.query {
        Some(q) if matched_now && q.status != QueryState::Closed => Some((
            q.entry_id,
            Decision::Approved,
            "This payment now matches a record on your account, so nothing more is needed.",
            "closed, as the line is matched",
        )),
        Some(q) if !matched_now && was_matched && q.status == QueryState::Closed => Some((
            q.entry_id,
            Decision::Question,
            "This payment on your statement no longer matches a record in Tally. Please tell us what it was, or log the spending.",
            "asked again, as the line no longer matches",
        )),
        _ => None,
    };
    if let Some((query, decision, note, what)) = follow_up {
        let body =
            EntryBody::ReviewDecision(ReviewDecision { about: query, decision, note: note.to_owned(), version: None });
        let what = format!("line {}: {what}", line.line_no);
        let stored =
            store_council_entry(state, staff, row, body, Audit::on(row.account_id, "statement query", what)).await?;
        loaded.ledger.insert(stored).map_err(anyhow::Error::from)?;
    }
    Ok(())
}

/// Whether a line other than `line_no` is matched with the record (a proposed set of
/// records holds none of them), or any line's fee is charged with it.
fn holds_record(view: &StatementView, line_no: i64, id: EntryId) -> bool {
    view.lines.iter().any(|l| {
        let fee_charge = l.fee.as_ref().and_then(|f| f.charge.as_ref()).is_some_and(|c| c.entry_id == id);
        let matched = l.entry.as_ref().is_some_and(|e| e.entry_id == id)
            || (l.state != MatchState::Proposed && l.parts.iter().any(|p| p.entry_id == id));
        fee_charge || (l.line_no != line_no && matched)
    })
}

/// Matches a line with several records that together make it up.
async fn set_parts(
    state: &AppState,
    staff: &Staff,
    row: &crate::storage::AccountRow,
    mut loaded: Loaded,
    view: &StatementView,
    line: &StatementLineView,
    ids: &[EntryId],
) -> Result<Json<StatementView>, ApiError> {
    const MOST: usize = 50;
    let line_no = line.line_no;
    if ids.len() > MOST {
        return Err(ApiError::BadRequest(format!("A line can be made up of at most {MOST} records.")));
    }
    let unique: HashSet<EntryId> = ids.iter().copied().collect();
    if unique.len() != ids.len() {
        return Err(ApiError::BadRequest("A record is named twice.".to_owned()));
    }
    let items = ledger_items(&loaded.ledger);
    let by_id: HashMap<EntryId, &LedgerItem> = items.iter().map(|i| (i.id, i)).collect();
    let mut total = Money::ZERO;
    for id in ids {
        let item =
            by_id.get(id).ok_or_else(|| ApiError::NotFound("There is no such record on this account.".to_owned()))?;
        total = total.checked_add(item.amount).unwrap_or(Money::ZERO);
        if holds_record(view, line_no, *id) {
            return Err(ApiError::BadRequest(format!(
                "The record of {} on {} ({}) is matched with another line of this statement. Unmatch it there first.",
                item.amount,
                long_date(item.date),
                item.payee
            )));
        }
    }
    if total != line.amount {
        return Err(ApiError::BadRequest(format!(
            "The records add up to {total}, and the statement line is {}. Only records that add up to the line can make it up.",
            line.amount
        )));
    }
    let parts: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let what = format!("line {line_no} matched with {} records that add up to {}", ids.len(), line.amount);
    let event = staff_event(&staff.row, Some(row.account_id), "statement line", &what);
    if !state
        .storage
        .set_line_parts(&view.statement_id, line_no, None, "split", &parts, &event, state.clock.now_ms())
        .await?
    {
        return Err(ApiError::BadRequest("This statement is closed: its matches can no longer change.".to_owned()));
    }
    follow_up(state, staff, row, &mut loaded, line, true, false).await?;
    Ok(Json(statement_view(state, &loaded, &view.statement_id).await?))
}

/// For a change to a statement: the account, its records and the statement, refusing a
/// role that may not change anything and a statement already closed (locked).
async fn open_statement(
    state: &AppState,
    staff: &Staff,
    reference: &str,
    statement_id: &str,
) -> Result<(crate::storage::AccountRow, Loaded, StatementView), ApiError> {
    let row = council_account(state, staff, reference).await?;
    let loaded = Loaded::read(state, &row).await?;
    let view = statement_view(state, &loaded, statement_id).await?;
    if view.closed_by.is_some() {
        return Err(ApiError::BadRequest(
            "This statement is closed: the period is locked and its lines can no longer change.".to_owned(),
        ));
    }
    Ok((row, loaded, view))
}

/// The account's money records dated within a week either side of the statement's dates
/// (card payments settle late).
fn items_near(loaded: &Loaded, first: time::Date, last: time::Date) -> Vec<LedgerItem> {
    let (from, to) = (add_days(first, -7), add_days(last, 7));
    ledger_items(&loaded.ledger).into_iter().filter(|i| i.date >= from && i.date <= to).collect()
}

async fn statement_view(state: &AppState, loaded: &Loaded, statement_id: &str) -> Result<StatementView, ApiError> {
    let statement = state
        .storage
        .statement(loaded.row.account_id, statement_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("There is no such statement on this account.".to_owned()))?;
    let date = |text: &str| parse_iso_date(text).ok_or_else(|| anyhow::anyhow!("stored date {text:?} is unreadable"));
    let (first, last) = (date(&statement.first_date)?, date(&statement.last_date)?);
    if let Some((who, closed_ms)) = statement.closed.clone() {
        let received = state.storage.entries_received_after(loaded.row.account_id, closed_ms).await?;
        let late = late_records(&loaded.ledger, first, last, &received, statement.late_seen_at_ms);
        // A closed period keeps what it showed when it was closed. (Statements closed
        // before that was kept are worked out as they stand.)
        let kept = statement.closed_view.as_deref().and_then(|json| serde_json::from_str::<StatementView>(json).ok());
        let mut view = match kept {
            Some(kept) => kept,
            None => live_statement_view(state, loaded, statement, first, last).await?,
        };
        view.closed_by = Some(who);
        view.closed_ms = Some(closed_ms);
        view.late_records = late;
        return Ok(view);
    }
    live_statement_view(state, loaded, statement, first, last).await
}

/// A statement worked out from the account's records as they stand.
async fn live_statement_view(
    state: &AppState,
    loaded: &Loaded,
    statement: StatementRow,
    first: time::Date,
    last: time::Date,
) -> Result<StatementView, ApiError> {
    let date = |text: &str| parse_iso_date(text).ok_or_else(|| anyhow::anyhow!("stored date {text:?} is unreadable"));
    let statement_id = statement.statement_id.as_str();
    let items = ledger_items(&loaded.ledger);
    let brief = |item: &LedgerItem| EntryBrief {
        entry_id: item.id,
        date: item.date,
        amount: item.amount,
        who: item.payee.clone(),
    };
    // Looked up by id and by line, never searched for: a statement of thousands of lines
    // against a year of records costs its length, not the product.
    let by_id: HashMap<EntryId, &LedgerItem> = items.iter().map(|i| (i.id, i)).collect();
    let queries = loaded.ledger.queries();
    // The latest query of each line of this statement.
    let query_by_line: HashMap<i64, &QueryThread<'_>> =
        queries.iter().filter(|q| q.query.statement == statement_id).map(|q| (i64::from(q.query.line_no), q)).collect();
    let query_of = |line_no: i64| query_by_line.get(&line_no).copied();
    let mut lines = Vec::new();
    let mut matched: HashSet<EntryId> = HashSet::new();
    let mut rejected: HashSet<(i64, EntryId)> = HashSet::new();
    let id_of = |text: &Option<String>| text.as_deref().and_then(|id| id.parse().ok()).map(EntryId);
    // Lines an officer unmatched: never proposed a set of records again.
    let mut unmatched_by_officer: HashSet<i64> = HashSet::new();
    for line in state.storage.statement_lines(statement_id).await? {
        let mut entry_id: Option<EntryId> = id_of(&line.entry_id);
        if line.state == "rejected" {
            rejected.extend(entry_id.map(|id| (line.line_no, id)));
            entry_id = None;
        }
        if line.state == "unmatched" || line.state == "rejected" {
            unmatched_by_officer.insert(line.line_no);
        }
        let entry = entry_id.and_then(|id| by_id.get(&id).copied()).map(brief);
        matched.extend(entry.as_ref().map(|e| e.entry_id));
        // Every part must still stand for the set to count (a record cancelled since
        // leaves the line to look at again).
        let parts: Vec<EntryBrief> = line
            .parts
            .iter()
            .map(|p| p.parse().ok().map(EntryId).and_then(|id| by_id.get(&id).copied()).map(brief))
            .collect::<Option<Vec<_>>>()
            .unwrap_or_default();
        matched.extend(parts.iter().map(|p| p.entry_id));
        let fee = (line.fee > 0).then(|| tally_api::LineFee {
            amount: Money::from_pence(line.fee),
            charge: id_of(&line.fee_entry_id).and_then(|id| by_id.get(&id).copied()).map(brief),
        });
        matched.extend(fee.as_ref().and_then(|f| f.charge.as_ref()).map(|c| c.entry_id));
        let query = query_of(line.line_no).map(|q| LineQuery {
            entry_id: q.entry.id,
            status: match q.status {
                QueryStatus::Open => QueryState::Open,
                QueryStatus::Answered => QueryState::Answered,
                QueryStatus::Closed(_) => QueryState::Closed,
            },
            decision: match q.status {
                QueryStatus::Closed(decision) => Some(decision),
                _ => None,
            },
            asked_by: q.entry.author.name.clone(),
            note: q.query.note.clone(),
            thread: thread_items(&q.thread),
            logged: q.logged.iter().filter_map(|a| by_id.get(&a.id()).copied()).map(brief).collect(),
        });
        lines.push(StatementLineView {
            line_no: line.line_no,
            date: date(&line.date)?,
            amount: Money::from_pence(line.amount),
            description: line.description,
            reference: line.reference,
            // A record cancelled since it was matched no longer counts as a match; a turned
            // down proposal is no match.
            state: match (&entry, line.paired_with) {
                (_, Some(_)) => MatchState::Reversed,
                (None, None) if !parts.is_empty() => MatchState::Confirmed,
                (None, None) => MatchState::None,
                (Some(_), None) => stored_match_state(&line.state),
            },
            entry,
            confidence: line.confidence,
            query,
            paired_with: line.paired_with,
            fee_line: line.kind == "fee",
            fee,
            parts,
        });
    }
    // A spend the person logged in answer to a line's query, for the same amount, is
    // proposed for that line (an officer confirms it).
    for line in lines.iter_mut().filter(|l| !l.has_match()) {
        let line_no = line.line_no;
        let answer = line.query.as_ref().filter(|q| q.status != QueryState::Closed).and_then(|q| {
            q.logged.iter().find(|e| {
                e.amount == line.amount && !matched.contains(&e.entry_id) && !rejected.contains(&(line_no, e.entry_id))
            })
        });
        if let Some(answer) = answer.cloned() {
            matched.insert(answer.entry_id);
            line.entry = Some(answer);
            line.state = MatchState::Proposed;
            line.confidence = 100;
        }
    }
    // A line no one record matches may be several together: cash drawn and spent in
    // several logged payments, one payment for several invoices (proposed, for an officer
    // to confirm). Bounded: the first lines of a long statement are looked at first.
    let open: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            let l = &lines[i];
            !l.has_match() && !l.fee_line && !unmatched_by_officer.contains(&l.line_no)
        })
        .take(MAX_SPLIT_LINES)
        .collect();
    if !open.is_empty() {
        let charges = charge_ids(loaded);
        // Records an officer turned down as a line's match are not proposed again.
        let turned_down: HashSet<EntryId> = rejected.iter().map(|(_, id)| *id).collect();
        let (from, to) = (add_days(first, -SPLIT_WINDOW_DAYS), add_days(last, SPLIT_WINDOW_DAYS));
        let free: Vec<LedgerItem> = items
            .iter()
            .filter(|i| {
                !matched.contains(&i.id)
                    && !charges.contains(&i.id)
                    && !turned_down.contains(&i.id)
                    && i.date >= from
                    && i.date <= to
            })
            .cloned()
            .collect();
        let wanted: Vec<StatementLine> = open
            .iter()
            .map(|&i| StatementLine {
                date: lines[i].date,
                amount: lines[i].amount,
                description: lines[i].description.clone(),
                reference: lines[i].reference.clone(),
            })
            .collect();
        for split in propose_splits(&wanted, &free) {
            let line = &mut lines[open[split.line]];
            line.parts = split.entries.iter().filter_map(|id| by_id.get(id).copied()).map(brief).collect();
            matched.extend(split.entries);
            line.state = MatchState::Proposed;
            line.confidence = 50;
        }
    }
    let unmatched_entries: Vec<EntryBrief> =
        items.iter().filter(|i| i.date >= first && i.date <= last && !matched.contains(&i.id)).map(brief).collect();
    let figures = loaded.ledger.statement(first, last);
    let statement_closing = statement.closing_balance.map(Money::from_pence);
    let difference = statement_closing.and_then(|s| s.checked_sub(figures.closing));
    let mut open_points = Vec::new();
    match difference {
        Some(d) if d != Money::ZERO => open_points.push(format!(
            "The statement closes at {} but the logged records close at {}: a difference of {d}.",
            statement_closing.unwrap_or(Money::ZERO),
            figures.closing
        )),
        _ => {}
    }
    let proposed = lines.iter().filter(|l| l.state == MatchState::Proposed).count();
    if proposed > 0 {
        open_points.push(format!("{proposed} proposed matches to confirm or unmatch."));
    }
    let unmatched = || lines.iter().filter(|l| !l.has_match() && !l.fee_line);
    let count =
        |status: Option<QueryState>| unmatched().filter(|l| l.query.as_ref().map(|q| q.status) == status).count();
    let (not_asked, waiting, answered) =
        (count(None), count(Some(QueryState::Open)), count(Some(QueryState::Answered)));
    if not_asked > 0 {
        open_points.push(format!(
            "{} no logged record: ask the person about {}.",
            lines_phrase(not_asked, "matches", "match"),
            if not_asked == 1 { "it" } else { "them" }
        ));
    }
    if waiting > 0 {
        open_points.push(format!("{} for the person's answer.", lines_phrase(waiting, "waits", "wait")));
    }
    if answered > 0 {
        open_points.push(format!(
            "{} the person's answer to read: accept it, or ask again.",
            lines_phrase(answered, "has", "have")
        ));
    }
    let fees = lines.iter().filter(|l| l.fee_line && !l.has_match()).count()
        + lines.iter().filter(|l| l.fee.as_ref().is_some_and(|f| f.charge.is_none())).count();
    if fees > 0 {
        open_points.push(if fees == 1 {
            "1 fee the provider charged is not recorded on the account: accept it as a charge.".to_owned()
        } else {
            format!("{fees} fees the provider charged are not recorded on the account: accept them as charges.")
        });
    }
    if !unmatched_entries.is_empty() {
        open_points.push(format!("{} logged records in the period are not on the statement.", unmatched_entries.len()));
    }
    Ok(StatementView {
        late_records: Vec::new(),
        statement_id: statement.statement_id.clone(),
        format: statement.format,
        first_date: first,
        last_date: last,
        imported_by: statement.imported_by,
        imported_ms: statement.imported_at_ms,
        closed_by: statement.closed.as_ref().map(|(who, _)| who.clone()),
        closed_ms: statement.closed.map(|(_, at)| at),
        lines,
        unmatched_entries,
        reconciliation: Reconciliation {
            opening: figures.opening,
            money_in: figures.money_in,
            money_out: figures.money_out,
            closing: figures.closing,
            statement_closing,
            difference,
            open_points,
        },
    })
}

/// The most lines of one statement looked at for sets of records that make them up.
const MAX_SPLIT_LINES: usize = 500;

/// How a stored line's match reads on the wire: a turned-down proposal is no match.
fn stored_match_state(stored: &str) -> MatchState {
    match stored {
        "certain" => MatchState::Certain,
        "proposed" => MatchState::Proposed,
        "confirmed" => MatchState::Confirmed,
        _ => MatchState::None,
    }
}

/// "1 statement line matches", "3 statement lines match".
fn lines_phrase(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 statement line {one}")
    } else {
        format!("{n} statement lines {many}")
    }
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    formats::formats,
    formats::save_format,
    formats::propose_format,
    feeds::import_feed,
    feeds::cards,
    feeds::add_card,
    feeds::remove_card,
    charges::record_charges,
    import,
    list,
    view,
    set_match,
    close,
    late::late_records_seen,
    queries::ask,
    queries::decide_query
))]
pub(crate) struct Doc;

pub(crate) use late::late_records;
