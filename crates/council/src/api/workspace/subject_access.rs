//! A person's subject access request: everything the council's server holds about them
//! in one zip (administrators): the account and support plan, every record (JSON and CSV),
//! their devices, the audit lines about them, and their receipt photos.
//!
//! The zip is written to an anonymous temporary file and streamed from it, so years of
//! photos never sit in the server's memory at once.

use std::io::{Seek, Write};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tally_ledger::date::iso_date;
use tally_ledger::export;
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

use crate::api::described::{Administering, OnAccount, Reference};
use crate::api::Routes;
use crate::error::ApiError;
use crate::staff::Staff;
use crate::AppState;

use super::*;

/// The audit lines of one person at most (a person's trail is a few thousand lines a year).
const MAX_AUDIT_LINES: usize = 200_000;

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>().add(
        "/council/accounts/{reference}/subject-access.zip",
        &[Method::GET],
        get(subject_access),
    )
}

fn zip_error(e: zip::result::ZipError) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("could not write the subject access zip: {e}"))
}

#[utoipa::path(
    get,
    path = "/council/accounts/{reference}/subject-access.zip",
    tag = "workspace",
    summary = "Everything held about the account's person, for a subject access request, as a zip (administrators)",
    params(Reference),
    responses(
        (status = 200, description = "A zip: README.txt, account.json, records.json, records.csv, devices.json, audit.csv, photos/", content_type = "application/zip"),
        Administering,
        OnAccount
    ),
    security(("staff" = [])),
)]
async fn subject_access(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
) -> Result<Response, ApiError> {
    // Another council's staff are told the account does not exist, as everywhere.
    let row = council_account(&state, &staff, &reference).await?;
    if !staff.role.may_administer() {
        return Err(ApiError::Forbidden(format!(
            "Your role ({}) cannot export everything held about a person: ask an administrator.",
            staff.role.label()
        )));
    }
    let storage = &state.storage;
    let account = row.account_id;
    let entries = storage.all_entries(account).await?;
    let plan = storage.support_plan(account).await?;
    let devices = storage.devices(account).await?;
    let lines = storage.audit_of_account(account, "", MAX_AUDIT_LINES).await?;
    let photos = storage.receipt_names(account).await?;
    let loaded = Loaded::read(&state, &row).await?;
    let today = state.clock.today();
    let exported_at = crate::format_ms(state.clock.now_ms());

    let text = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated).large_file(true);
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored).large_file(true);
    let mut zip = zip::ZipWriter::new(tempfile::tempfile().map_err(anyhow::Error::from)?);
    let add = |zip: &mut zip::ZipWriter<std::fs::File>, name: &str, bytes: &[u8]| -> Result<(), ApiError> {
        zip.start_file(name, text).map_err(zip_error)?;
        zip.write_all(bytes).map_err(anyhow::Error::from)?;
        Ok(())
    };
    let readme = format!(
        "Everything {council} holds about {person} (account {reference}) in Tally, exported on {exported_at}.\r\n\r\n\
         account.json   the account and every version of the support plan\r\n\
         records.json   every record: spending, money in, notes, the council's decisions and questions ({records} records)\r\n\
         records.csv    the same records as a statement, one line each, with the balance\r\n\
         devices.json   the phones and tablets paired with the account\r\n\
         audit.csv      who did or looked at what about this account, and when ({audit} lines)\r\n\
         photos/        the receipt photos ({photos} photos), named by their SHA-256\r\n",
        council = row.council_name,
        person = row.person_name,
        reference = row.reference,
        records = entries.len(),
        audit = lines.len(),
        photos = photos.len(),
    );
    add(&mut zip, "README.txt", readme.as_bytes())?;
    let account_json = serde_json::json!({
        "reference": row.reference,
        "person_name": row.person_name,
        "council": row.council_name,
        "support_plan": plan,
        "exported_at": exported_at,
    });
    add(&mut zip, "account.json", &serde_json::to_vec_pretty(&account_json).map_err(anyhow::Error::from)?)?;
    add(&mut zip, "records.json", &serde_json::to_vec_pretty(&entries).map_err(anyhow::Error::from)?)?;
    let earliest = Date::from_calendar_date(2000, time::Month::January, 1).unwrap_or(today);
    let mut csv = String::from("\u{feff}");
    csv.push_str(&export::CSV_HEADER.join(","));
    csv.push_str("\r\n");
    for statement_row in export::statement_rows(&loaded.ledger, &loaded.plan, earliest, today) {
        csv.push_str(&export::to_csv_record(&export::row_cells(&statement_row)));
    }
    add(&mut zip, "records.csv", csv.as_bytes())?;
    let devices_json: Vec<serde_json::Value> = devices
        .iter()
        .map(|d| {
            serde_json::json!({
                "device_id": d.device_id.0,
                "label": d.label,
                "paired_at": crate::format_ms(d.paired_at_ms),
                "revoked_at": d.revoked_at_ms.map(crate::format_ms),
                "records_received": d.records,
                "last_received_at": d.last_received_at_ms.map(crate::format_ms),
            })
        })
        .collect();
    add(&mut zip, "devices.json", &serde_json::to_vec_pretty(&devices_json).map_err(anyhow::Error::from)?)?;
    let mut audit_csv = String::from("\u{feff}Number,When,Who,Kind,Address,Action,Detail\r\n");
    for line in lines.iter().rev() {
        audit_csv.push_str(&export::to_csv_record(&[
            line.seq.to_string(),
            crate::format_ms(line.at_ms),
            line.who.clone(),
            line.actor.clone(),
            line.address.clone().unwrap_or_default(),
            line.action.clone(),
            line.detail.clone(),
        ]));
    }
    add(&mut zip, "audit.csv", audit_csv.as_bytes())?;
    for name in &photos {
        // One photo in memory at a time.
        let Some(photo) = storage.receipt(account, name).await? else {
            continue;
        };
        let extension = match photo.content_type.as_str() {
            "image/png" => "png",
            "image/webp" => "webp",
            "image/heic" => "heic",
            _ => "jpg",
        };
        zip.start_file(format!("photos/{name}.{extension}"), stored).map_err(zip_error)?;
        zip.write_all(&photo.bytes).map_err(anyhow::Error::from)?;
    }
    let mut file = zip.finish().map_err(zip_error)?;
    file.flush().map_err(anyhow::Error::from)?;
    let size = file.stream_position().map_err(anyhow::Error::from)?;
    file.rewind().map_err(anyhow::Error::from)?;

    // The export leaves the server here: the trail says who took it.
    let detail = format!("{} records, {} photos, {} audit lines", entries.len(), photos.len(), lines.len());
    audit(&state, &staff.row, Some(account), "subject access export", &detail).await?;
    let stream = tokio_util::io::ReaderStream::new(tokio::fs::File::from_std(file));
    let name = format!("subject-access-{}-{}.zip", row.reference, iso_date(today));
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CONTENT_LENGTH, size.to_string()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(subject_access))]
pub(crate) struct Doc;
