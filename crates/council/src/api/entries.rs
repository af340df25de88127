//! Sync: `POST` and `GET /api/v1/accounts/{account_id}/entries`.
//!
//! Push stores a batch of entries, each judged on its own: a refused entry never stops
//! the good ones. The same entry sent again is acknowledged and stored once; the same id
//! with different content is refused, and the stored one never changes. Pull returns the
//! account's entries after a cursor, oldest first.

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use tally_api::{PullResponse, PushRequest, PushResponse, PushResult, PushStatus, MAX_PULL_ENTRIES, MAX_PUSH_ENTRIES};
use tally_ledger::{AccountId, Entry};

use crate::auth::Device;
use crate::error::{ApiError, ApiJson};
use crate::storage::{NewEntry, StoreOutcome};
use crate::{now_ms, AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/accounts/{account_id}/entries", get(pull).post(push))
}

async fn push(
    State(state): State<AppState>,
    device: Device,
    Path(account): Path<String>,
    ApiJson(request): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    let account_id = super::authorised_account(&state, &device, &account).await?;
    if request.entries.len() > MAX_PUSH_ENTRIES {
        return Err(ApiError::PayloadTooLarge(format!(
            "Send at most {MAX_PUSH_ENTRIES} records at a time; this request had {}.",
            request.entries.len()
        )));
    }
    // Records may name any device paired with this account: a phone paired again sends
    // what it logged under its earlier pairing.
    let account_devices = state.storage.device_ids(account_id).await?;
    // Judge each entry; keep the acceptable ones to store together.
    let mut results: Vec<PushResult> = Vec::with_capacity(request.entries.len());
    let mut to_store: Vec<(usize, NewEntry)> = Vec::new();
    for value in request.entries {
        let entry_id = value.get("id").and_then(|id| id.as_str()).map(str::to_owned);
        match accept(value, &account_devices, account_id) {
            Ok(entry) => {
                to_store.push((results.len(), NewEntry::new(entry)?));
                results.push(PushResult { entry_id, status: PushStatus::Stored, message: None });
            }
            Err(message) => {
                results.push(PushResult { entry_id, status: PushStatus::Refused, message: Some(message) });
            }
        }
    }
    let (indexes, entries): (Vec<usize>, Vec<NewEntry>) = to_store.into_iter().unzip();
    let outcomes = state
        .storage
        .store_entries(account_id, &entries, now_ms())
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
    tracing::info!(%account_id, device_id = %device.0.device_id, received = results.len(), stored, refused, "push");
    Ok(Json(PushResponse { results }))
}

/// Reads and checks one pushed entry; the error is the plain-English reason it is refused.
fn accept(value: serde_json::Value, account_devices: &[tally_ledger::DeviceId], account_id: AccountId) -> Result<Entry, String> {
    let entry: Entry =
        serde_json::from_value(value).map_err(|e| format!("This record could not be read: {e}."))?;
    if entry.account != account_id {
        return Err("This record belongs to a different account.".to_owned());
    }
    if !entry.author.device.is_some_and(|d| account_devices.contains(&d)) {
        return Err("This record says it was made on a device that was never paired with this account.".to_owned());
    }
    if entry.body.council_only() {
        return Err("Only the council can record payments in, clawbacks and review decisions.".to_owned());
    }
    entry.check().map_err(|e| e.to_string())?;
    Ok(entry)
}

#[derive(Deserialize)]
struct PullQuery {
    after: Option<String>,
}

async fn pull(
    State(state): State<AppState>,
    device: Device,
    Path(account): Path<String>,
    Query(query): Query<PullQuery>,
) -> Result<Json<PullResponse>, ApiError> {
    let account_id = super::authorised_account(&state, &device, &account).await?;
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
    for (seq, body) in rows.into_iter().take(MAX_PULL_ENTRIES) {
        let entry: Entry = serde_json::from_str(&body)
            .map_err(|e| anyhow::anyhow!("stored entry {seq} of {account_id} is unreadable: {e}"))?;
        entries.push(entry);
        cursor = seq;
    }
    Ok(Json(PullResponse { entries, cursor, more }))
}
