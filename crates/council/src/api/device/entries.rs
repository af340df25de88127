//! Sync: `POST` and `GET /api/v1/accounts/{account_id}/entries`.
//!
//! Push stores a batch of entries, each judged on its own: a refused entry never stops
//! the good ones. The server trusts no device: each record must name this device (or one
//! it carries on from), be a kind a device may write, carry dates in range and a clock
//! reading no more than two days ahead, and change only what a device may change (see
//! [`Ledger::device_change_refused`]). The same entry sent again is acknowledged and stored once; the same id
//! with different content is refused, and the stored one never changes. Pull returns the
//! account's entries after a cursor, oldest first.

use axum::extract::{Query, State};
use axum::http::Method;
use axum::routing::get;
use axum::Json;
use serde::Deserialize;
use tally_api::{
    ErrorBody, PullResponse, PushRequest, PushResponse, PushResult, PushStatus, MAX_PULL_ENTRIES, MAX_PUSH_ENTRIES,
};
use tally_ledger::date::{long_date, DateRange};
use tally_ledger::{AccountId, DeviceId, Entry, EntryBody, Ledger};
use time::{Duration, OffsetDateTime};

use crate::api::described::{AccountIdParam, DeviceRefusals};
use crate::api::DeviceAccount;
use crate::api::Routes;
use crate::error::{ApiError, ApiJson};
use crate::storage::{NewEntry, StoreOutcome};
use crate::AppState;

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>().add(
        "/accounts/{account_id}/entries",
        &[Method::GET, Method::POST],
        get(pull).post(push),
    )
}

#[utoipa::path(
    post,
    path = "/accounts/{account_id}/entries",
    tag = "sync",
    summary = "Push entries; each gets its own result (stored, already_stored, refused with a reason)",
    params(AccountIdParam),
    request_body = PushRequest,
    responses(
        (status = 200, description = "One result per entry, in order", body = PushResponse),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 413, description = "More than 500 entries or 2 MiB", body = ErrorBody),
        DeviceRefusals
    ),
    security(("device" = [])),
)]
async fn push(
    State(state): State<AppState>,
    DeviceAccount { device, account_id }: DeviceAccount,
    ApiJson(request): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    if request.entries.len() > MAX_PUSH_ENTRIES {
        return Err(ApiError::PayloadTooLarge(format!(
            "Send at most {MAX_PUSH_ENTRIES} records at a time; this request had {}.",
            request.entries.len()
        )));
    }
    let row = state
        .storage
        .account(account_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("There is no account with that id.".to_owned()))?;
    let now = state.clock.now();
    let limits = Limits {
        account_id,
        // This device, and the earlier pairings it carries on from.
        devices: state.storage.device_lineage(device.device_id).await?,
        council_name: normalised_name(&row.council_name),
        now,
        dates: DateRange::for_records(now.date()),
    };
    // Each record is read and checked on its own: a refused one never stops the others.
    let mut checked: Vec<(Option<String>, Result<Entry, String>)> = request
        .entries
        .into_iter()
        .map(|value| {
            let entry_id = value.get("id").and_then(|id| id.as_str()).map(str::to_owned);
            (entry_id, limits.accept(value))
        })
        .collect();
    // Voids and corrections are checked against what they change: the account's records
    // as the council holds them, with the earlier records of this batch.
    if checked
        .iter()
        .any(|(_, r)| r.as_ref().is_ok_and(|e| matches!(e.body, EntryBody::Void(_) | EntryBody::Correction(_))))
    {
        let mut ledger = Ledger::from_entries(state.storage.all_entries(account_id).await?)
            .map_err(|e| anyhow::anyhow!("the records of {account_id} do not fold: {e}"))?;
        for (_, result) in &mut checked {
            let Ok(entry) = result else { continue };
            if let Some(refusal) = ledger.device_change_refused(entry) {
                *result = Err(refusal.to_string());
            } else {
                // Checked already; a copy of a held id changes nothing here.
                let _ = ledger.insert(entry.clone());
            }
        }
    }
    let mut results: Vec<PushResult> = Vec::with_capacity(checked.len());
    let mut to_store: Vec<(usize, NewEntry)> = Vec::new();
    for (entry_id, result) in checked {
        match result.and_then(|entry| {
            NewEntry::new(entry).map_err(|e| format!("This record could not be stored as it is: {e}."))
        }) {
            Ok(new) => {
                to_store.push((results.len(), new));
                results.push(PushResult { entry_id, status: PushStatus::Stored, message: None });
            }
            Err(message) => results.push(PushResult { entry_id, status: PushStatus::Refused, message: Some(message) }),
        }
    }
    // A day's quota: far above what a person records, so only a scripted phone meets it.
    // The records are kept on the phone and sent when the day has passed.
    let quota = state.guard.limits.records_per_day;
    if !to_store.is_empty()
        && state.storage.records_received_since(account_id, state.clock.now_ms() - DAY_MS).await? >= quota
    {
        tracing::warn!(%account_id, device_id = %device.device_id, quota, "records quota reached");
        return Err(ApiError::SlowDown {
            message: format!(
                "This account has sent the council {quota} records in the last 24 hours, the most it takes in a day. \
                 Your records are kept on this device and will be sent tomorrow."
            ),
            retry_after_secs: 3600,
        });
    }
    let (indexes, entries): (Vec<usize>, Vec<NewEntry>) = to_store.into_iter().unzip();
    let outcomes = state
        .storage
        .store_entries(account_id, &entries, state.clock.now_ms())
        .await?
        .ok_or_else(|| ApiError::NotFound("There is no account with that id.".to_owned()))?;
    for (index, outcome) in indexes.into_iter().zip(outcomes) {
        let result = &mut results[index];
        match outcome {
            StoreOutcome::Stored => result.status = PushStatus::Stored,
            StoreOutcome::AlreadyStored => result.status = PushStatus::AlreadyStored,
            StoreOutcome::Conflict => {
                result.status = PushStatus::Refused;
                result.message = Some(
                    "A different record with this id is already stored. Records never change once \
                     the council has them: send a correction as a new record."
                        .to_owned(),
                );
            }
        }
    }
    let stored = results.iter().filter(|r| r.status == PushStatus::Stored).count();
    let refused = results.iter().filter(|r| r.status == PushStatus::Refused).count();
    tracing::info!(%account_id, device_id = %device.device_id, received = results.len(), stored, refused, "push");
    Ok(Json(PushResponse { results }))
}

/// A day, for the quotas.
pub(crate) const DAY_MS: i64 = 24 * 3_600_000;

/// How far ahead of the council's clock a device's clock may be: phones are often a few
/// minutes out, sometimes a day across a time zone; more is a wrong clock or a forgery.
pub const DEVICE_CLOCK_AHEAD: Duration = Duration::days(2);

/// What a pushed record is checked against: the server trusts no device.
struct Limits {
    account_id: AccountId,
    devices: Vec<DeviceId>,
    /// The council's name, lower case with single spaces, which no device record may use.
    council_name: String,
    now: OffsetDateTime,
    dates: DateRange,
}

impl Limits {
    /// Reads and checks one pushed record on its own; the error is the plain-English
    /// reason it is refused, with what to do.
    fn accept(&self, value: serde_json::Value) -> Result<Entry, String> {
        let entry: Entry = serde_json::from_value(value).map_err(|e| format!("This record could not be read: {e}."))?;
        if entry.account != self.account_id {
            return Err("This record belongs to a different account.".to_owned());
        }
        let Some(device) = entry.author.device else {
            return Err(
                "A record from a device must name the device that made it: only the council's own records name none."
                    .to_owned(),
            );
        };
        if !self.devices.contains(&device) {
            return Err(
                "This record says it was made on another device. A device can send only the records it made itself."
                    .to_owned(),
            );
        }
        if !self.council_name.is_empty() && normalised_name(&entry.author.name).contains(&self.council_name) {
            return Err(format!(
                "The name on this record (\"{}\") is the council's. Records from the app carry the name of the person or carer who logged them.",
                entry.author.name.trim()
            ));
        }
        if entry.body.council_only() {
            return Err(
                "Only the council can record payments in, clawbacks, bank or card charges, review decisions and questions about statements."
                    .to_owned(),
            );
        }
        if entry.recorded_at > self.now + DEVICE_CLOCK_AHEAD {
            return Err(format!(
                "This record says it was made on {}, which is ahead of the council's clock. Check the date and time on this device, then log it again.",
                long_date(entry.recorded_at.date())
            ));
        }
        if entry.recorded_at.date() < self.dates.earliest {
            return Err(format!(
                "This record says it was made on {}, before {}. Check the date and time on this device, then log it again.",
                long_date(entry.recorded_at.date()),
                long_date(self.dates.earliest)
            ));
        }
        entry.check().map_err(|e| e.to_string())?;
        entry.check_dates(self.dates).map_err(|e| e.to_string())?;
        Ok(entry)
    }
}

/// A name as it is compared: lower case, words separated by single spaces.
fn normalised_name(name: &str) -> String {
    name.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ")
}

#[derive(Deserialize)]
struct PullQuery {
    after: Option<String>,
}

#[utoipa::path(
    get,
    path = "/accounts/{account_id}/entries",
    tag = "sync",
    summary = "Entries after a cursor, oldest first (at most 1,000)",
    params(AccountIdParam, ("after" = Option<i64>, Query, description = "The sync cursor: entries after this sequence number (0 for all)")),
    responses(
        (status = 200, description = "A page of entries", body = PullResponse),
        (status = 400, description = "Bad cursor", body = ErrorBody),
        DeviceRefusals
    ),
    security(("device" = [])),
)]
async fn pull(
    State(state): State<AppState>,
    DeviceAccount { account_id, .. }: DeviceAccount,
    Query(query): Query<PullQuery>,
) -> Result<Json<PullResponse>, ApiError> {
    let after = match query.after.as_deref() {
        None | Some("") => 0,
        Some(text) => text.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            ApiError::BadRequest("The sync cursor \"after\" must be a whole number from 0 up.".to_owned())
        })?,
    };
    let limit = MAX_PULL_ENTRIES as i64;
    let rows = state.storage.entries_after(account_id, after, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    let mut cursor = after;
    let mut entries = Vec::with_capacity(rows.len().min(MAX_PULL_ENTRIES));
    for crate::storage::StoredEntry { seq, body } in rows.into_iter().take(MAX_PULL_ENTRIES) {
        let entry: Entry = serde_json::from_str(&body)
            .map_err(|e| anyhow::anyhow!("stored entry {seq} of {account_id} is unreadable: {e}"))?;
        entries.push(entry);
        cursor = seq;
    }
    Ok(Json(PullResponse { entries, cursor, more }))
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(push, pull))]
pub(crate) struct Doc;
