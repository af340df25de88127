//! The council workspace's API, for council staff: `/api/v1/council/...`.
//!
//! Staff sign in (see [`crate::staff`]); every endpoint checks the session and the role,
//! and every change carries the CSRF token and is written to the audit trail. Staff see
//! only their own council's accounts. Figures come from the ledger, computed from the
//! account's records as the wallet computes them, so officer and person see the same
//! flags.
//!
//! # Layout
//! One module per area, with the same names as the wire types (`tally_api`) and the
//! workspace's pages: [`accounts`], [`exports`], [`figures`], [`loaded`], [`money`], [`plans`], [`policy`], [`reviews`], [`safeguarding`], [`session`], [`staff`], [`statements`].
//! This module holds what they share: reading an account of the signed-in member's
//! council, the audit trail, council records, dates and periods, CSV downloads.

mod accounts;
mod api_clients;
mod exports;
mod figures;
mod life;
mod loaded;
mod money;
pub mod passwords;
mod plans;
mod policy;
mod reviews;
mod safeguarding;
mod session;
mod staff;
mod statements;
mod subject_access;
pub mod summaries;
mod two_factor;

pub(super) use loaded::Loaded;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use serde::Deserialize;
use tally_api::{ThreadItem, ThreadKind, UnreadableAccount};
use tally_ledger::date::{add_days, DateRange};
use tally_ledger::{AccountId, Author, Entry, EntryBody, EntryId};
use time::Date;
use uuid::Uuid;

use crate::api::Routes;
use crate::error::ApiError;
use crate::staff::Staff;
use crate::storage::{AccountRow, AuditEvent, NewEntry, StaffRow};
use crate::AppState;

/// Every route of the workspace's API.
pub(super) fn routes() -> Routes {
    Routes::default()
        .merge(accounts::routes())
        .merge(api_clients::routes())
        .merge(exports::routes())
        .merge(figures::routes())
        .merge(life::routes())
        .merge(money::routes())
        .merge(passwords::routes())
        .merge(plans::routes())
        .merge(policy::routes())
        .merge(reviews::routes())
        .merge(safeguarding::routes())
        .merge(session::routes())
        .merge(staff::routes())
        .merge(statements::routes())
        .merge(subject_access::routes())
        .merge(two_factor::routes())
}

/// A period staff ask about (`?from=&to=`).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Period {
    /// The first day of the period (YYYY-MM-DD)
    from: Option<String>,
    /// The last day of the period (YYYY-MM-DD)
    to: Option<String>,
}

impl Period {
    /// The dates asked for; by default the last twelve months to today.
    fn dates_or_year(&self, today: Date) -> Result<(Date, Date), ApiError> {
        if self.from.as_deref().unwrap_or_default().is_empty() && self.to.as_deref().unwrap_or_default().is_empty() {
            return Ok((add_days(today, -364), today));
        }
        self.dates(today)
    }

    /// The dates asked for; by default the last 4 weeks to today. Both in the range a
    /// record's dates may be (from 2000 to a year ahead).
    fn dates(&self, today: Date) -> Result<(Date, Date), ApiError> {
        let read = |text: &Option<String>, default: Date, what: &str| match text.as_deref() {
            None | Some("") => Ok(default),
            Some(text) => record_date(text, what, today).map_err(ApiError::BadRequest),
        };
        let (from, to) = (
            read(&self.from, add_days(today, -27), "The start of the period")?,
            read(&self.to, today, "The end of the period")?,
        );
        if from > to {
            return Err(ApiError::BadRequest("The period must start on or before the day it ends.".to_owned()));
        }
        Ok((from, to))
    }
}

fn csv_download(name: &str, csv: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        csv,
    )
        .into_response()
}

fn parse_date(text: &str) -> Result<Date, String> {
    tally_ledger::date::parse_iso_date(text.trim())
        .ok_or_else(|| "Enter a real date, for example 2026-11-22".to_owned())
}

/// A date for a record or a period, from 2000 to a year after today: `what` names it in
/// the message ("The date of the payment").
fn record_date(text: &str, what: &str, today: Date) -> Result<Date, String> {
    let date = parse_date(text)?;
    DateRange::for_records(today).check(date, what)?;
    Ok(date)
}

/// A date in a support plan (a start, a new version, a review date), from 2000 to ten
/// years after today.
fn plan_date(text: &str, what: &str, today: Date) -> Result<Date, String> {
    let date = parse_date(text)?;
    DateRange::for_plans(today).check(date, what)?;
    Ok(date)
}

/// The fields that have a problem, with it.
fn problems<const N: usize>(fields: [(&str, Option<String>); N]) -> Vec<(String, String)> {
    fields.into_iter().filter_map(|(field, error)| error.map(|e| (field.to_owned(), e))).collect()
}

/// Stores an entry written by the council (no device), as the signed-in member of staff,
/// and gives it back.
pub(super) async fn store_council_entry(
    state: &AppState,
    staff: &Staff,
    row: &AccountRow,
    body: EntryBody,
    audit: Audit,
) -> Result<Entry, ApiError> {
    let mut stored = store_council_entries(state, staff, row, vec![body], audit).await?;
    Ok(stored.pop().expect("one entry was stored"))
}

/// Stores entries written by the council, all or none, with their audit line, and gives
/// them back.
pub(super) async fn store_council_entries(
    state: &AppState,
    staff: &Staff,
    row: &AccountRow,
    bodies: Vec<EntryBody>,
    audit: Audit,
) -> Result<Vec<Entry>, ApiError> {
    let mut stored =
        store_council_entries_for_accounts(state, staff, std::slice::from_ref(row), vec![bodies], vec![audit]).await?;
    Ok(stored.pop().unwrap_or_default())
}

/// Stores entries written by the council on several accounts (`bodies[i]` on `rows[i]`),
/// all or none, with their audit lines, and gives them back.
pub(super) async fn store_council_entries_for_accounts(
    state: &AppState,
    staff: &Staff,
    rows: &[AccountRow],
    bodies: Vec<Vec<EntryBody>>,
    audits: Vec<Audit>,
) -> Result<Vec<Vec<Entry>>, ApiError> {
    store_council_entries_charging(state, staff, rows, bodies, audits, |_| Vec::new()).await
}

/// An audit line to write in the transaction of the change it records.
pub(super) struct Audit {
    pub account: Option<AccountId>,
    pub action: &'static str,
    pub detail: String,
}

impl Audit {
    pub(super) fn on(account: AccountId, action: &'static str, detail: impl Into<String>) -> Audit {
        Audit { account: Some(account), action, detail: detail.into() }
    }
}

/// [`store_council_entries_for_accounts`], and in the same transaction the statement lines
/// `charged` names for the new entries (the provider's charges recorded from a statement).
pub(super) async fn store_council_entries_charging(
    state: &AppState,
    staff: &Staff,
    rows: &[AccountRow],
    bodies: Vec<Vec<EntryBody>>,
    audits: Vec<Audit>,
    charged: impl FnOnce(&[Vec<Entry>]) -> Vec<crate::storage::ChargedLine>,
) -> Result<Vec<Vec<Entry>>, ApiError> {
    let dates = DateRange::for_records(state.clock.today());
    let mut all = Vec::with_capacity(rows.len());
    let mut batches = Vec::with_capacity(rows.len());
    for (row, bodies) in rows.iter().zip(bodies) {
        let author = Author {
            name: format!("{} ({})", staff.row.display_name, row.council_name),
            device: None,
            device_seq: None,
        };
        let entries: Vec<Entry> = bodies
            .into_iter()
            .map(|body| Entry {
                id: EntryId(Uuid::now_v7()),
                account: row.account_id,
                author: author.clone(),
                recorded_at: state.clock.now(),
                body,
            })
            .collect();
        for entry in &entries {
            entry.check().and_then(|()| entry.check_dates(dates)).map_err(|e| ApiError::BadRequest(e.to_string()))?;
        }
        let new = entries.iter().cloned().map(NewEntry::new).collect::<anyhow::Result<Vec<_>>>()?;
        batches.push((row.account_id, new));
        all.push(entries);
    }
    let charged = charged(&all);
    let events: Vec<AuditEvent> =
        audits.iter().map(|a| staff_event(&staff.row, a.account, a.action, &a.detail)).collect();
    let stored =
        state.storage.store_entries_and_charge_lines(&batches, &charged, &events, state.clock.now_ms()).await?;
    match stored {
        Some(_) => Ok(all),
        None if charged.is_empty() => {
            for row in rows {
                life::ensure_open(state, row).await?;
            }
            Err(ApiError::NotFound("There is no account with that reference.".to_owned()))
        }
        None => Err(ApiError::BadRequest(
            "The statement changed meanwhile (closed, or the charges recorded by someone else): nothing was recorded. Look at it again."
                .to_owned(),
        )),
    }
}

/// An account of the signed-in member's council, by reference; other councils' accounts
/// are "not found", as if they did not exist.
pub(super) async fn council_account(state: &AppState, staff: &Staff, reference: &str) -> Result<AccountRow, ApiError> {
    state
        .storage
        .council_account_by_reference(&staff.row.council_id, reference)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("There is no account with reference {reference}.")))
}

/// One account of a page that goes through every account of the council: read and folded
/// on its own, so an account that cannot be read is listed with the reason (and logged)
/// while every other account is shown. `part` computes the account's share of the page;
/// if it panics (a bug, or records no check foresaw) that too is the account's problem,
/// not the page's.
async fn for_each_account<T, Fut>(
    state: &AppState,
    rows: Vec<AccountRow>,
    policy: &tally_ledger::CouncilPolicy,
    mut part: impl FnMut(Loaded) -> Fut,
) -> Result<(Vec<T>, Vec<UnreadableAccount>), ApiError>
where
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    let mut done = Vec::with_capacity(rows.len());
    let mut unreadable = Vec::new();
    for row in rows {
        let problem = match Loaded::try_read(state, &row, policy.clone()).await? {
            Err(reason) => reason,
            Ok(loaded) => match std::panic::AssertUnwindSafe(part(loaded)).catch_unwind().await {
                Ok(result) => {
                    done.push(result?);
                    continue;
                }
                Err(panic) => {
                    format!("its figures could not be worked out ({})", crate::error::panic_message(panic.as_ref()))
                }
            },
        };
        tracing::error!(reference = %row.reference, reason = %problem, "an account could not be read");
        unreadable.push(UnreadableAccount {
            reference: row.reference,
            person_name: row.person_name,
            reason: format!("Could not be read: {problem}."),
        });
    }
    Ok((done, unreadable))
}

/// A page's size: what was asked for, within bounds.
fn page_size(asked: Option<usize>) -> usize {
    asked.unwrap_or(tally_api::DEFAULT_PAGE).clamp(1, tally_api::MAX_PAGE)
}

/// A page cursor this server did not give.
fn not_a_page() -> ApiError {
    ApiError::Invalid(vec![(
        "after".to_owned(),
        "This page of the list could not be found: start from the first page".to_owned(),
    )])
}

/// A council's accounts whose records cannot be read, as every council-wide page lists them.
async fn unreadable_accounts(state: &AppState, council_id: &str) -> Result<Vec<UnreadableAccount>, ApiError> {
    Ok(state
        .storage
        .unreadable_accounts(council_id)
        .await?
        .into_iter()
        .map(|(reference, person_name, reason)| UnreadableAccount { reference, person_name, reason })
        .collect())
}

/// An audit line for something a member of staff looked at or took away (a view, an
/// export). A change writes its line in its own transaction instead ([`staff_event`]).
pub(super) async fn audit(
    state: &AppState,
    staff: &StaffRow,
    account: Option<AccountId>,
    action: &str,
    detail: &str,
) -> Result<(), ApiError> {
    Ok(state.storage.audit(&staff_event(staff, account, action, detail), state.clock.now_ms()).await?)
}

/// An audit line for something a member of staff did.
pub(super) fn staff_event<'a>(
    staff: &'a StaffRow,
    account: Option<AccountId>,
    action: &'a str,
    detail: &'a str,
) -> AuditEvent<'a> {
    AuditEvent {
        council_id: Some(&staff.council_id),
        staff_id: Some(&staff.staff_id),
        account_id: account,
        actor: crate::storage::Actor::Staff,
        address: None,
        action,
        detail,
    }
}

/// Explanations and decisions, as the workspace shows them.
pub(super) fn thread_items(thread: &[&Entry]) -> Vec<ThreadItem> {
    thread
        .iter()
        .filter_map(|e| match &e.body {
            EntryBody::Explanation(x) => Some(ThreadItem {
                author: e.author.name.clone(),
                kind: ThreadKind::Explanation,
                decision: None,
                text: x.text.clone(),
            }),
            EntryBody::ReviewDecision(d) => Some(ThreadItem {
                author: e.author.name.clone(),
                kind: ThreadKind::Decision,
                decision: Some(d.decision),
                text: d.note.clone(),
            }),
            _ => None,
        })
        .collect()
}
