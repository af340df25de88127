//! Who has access to the workspace, with which role (administrators).

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{get, post};
use axum::Json;
use tally_api::{ErrorBody, NewStaff, PasswordLink, RoleChange, StaffList, StaffMember};
use uuid::Uuid;

use crate::api::described::{Administering, Csrf};
use crate::api::Routes;
use crate::error::{ApiError, LaterJson};
use crate::staff::Administrator;
use crate::AppState;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>()
        .add("/council/staff", &[Method::GET, Method::POST], get(list_staff).post(add_staff))
        .add("/council/staff/{staff_id}/role", &[Method::POST], post(change_role))
        .add("/council/staff/{staff_id}/remove", &[Method::POST], post(remove_staff))
        .add("/council/staff/{staff_id}/sign-in-failures/clear", &[Method::POST], post(clear_failures))
        .add("/council/audit-log", &[Method::GET], get(audit_log))
}

#[utoipa::path(
    get,
    path = "/council/staff",
    tag = "workspace",
    summary = "The council's staff with access (administrators)",
    responses(
        (status = 200, description = "The staff", body = StaffList),
        Administering
    ),
    security(("staff" = [])),
)]
async fn list_staff(
    State(state): State<AppState>,
    Administrator(staff): Administrator,
) -> Result<Json<StaffList>, ApiError> {
    let council = &staff.row.council_id;
    let with_two_factor = two_factor::who_has_it(&state.storage, council).await?;
    let member = |m: StaffRow| StaffMember {
        two_factor_on: with_two_factor.contains(&m.staff_id),
        staff_id: m.staff_id,
        name: m.display_name,
        email: m.email,
        role: m.role,
    };
    let members = state.storage.staff_of_council(council).await?;
    let removed = state.storage.removed_staff_of_council(council).await?;
    Ok(Json(StaffList {
        staff: members.into_iter().map(member).collect(),
        removed: removed.into_iter().map(member).collect(),
        two_factor_for_everyone: state.storage.two_factor_rule(council).await?
            == crate::storage::TwoFactorRule::Everyone,
    }))
}

#[utoipa::path(
    post,
    path = "/council/staff",
    tag = "workspace",
    summary = "Give someone access with a role; answers a one-time link for them to set their own password (administrators)",
    params(Csrf),
    request_body = NewStaff,
    responses(
        (status = 201, description = "Added: the link, shown once", body = PasswordLink),
        (status = 400, description = "field: message lines", body = ErrorBody),
        Administering
    ),
    security(("staff" = [])),
)]
async fn add_staff(
    State(state): State<AppState>,
    Administrator(staff): Administrator,
    new: LaterJson<NewStaff>,
) -> Result<(StatusCode, Json<PasswordLink>), ApiError> {
    let new = new.read()?;
    let name = new.name.trim();
    let email = new.email.trim().to_lowercase();
    let role = new.role;
    let mut errors = problems([
        (
            "name",
            (name.is_empty() || name.chars().count() > 200)
                .then(|| "Enter their name (at most 200 characters)".to_owned()),
        ),
        (
            "email",
            (!crate::staff::is_work_email(&email))
                .then(|| "Enter their work email address, like name@council.gov.uk".to_owned()),
        ),
        ("role", role.is_none().then(|| "Choose a role".to_owned())),
    ]);
    if errors.is_empty() && state.storage.staff_email_taken(&staff.row.council_id, &email).await? {
        errors.push(("email".to_owned(), "Someone already has access with that email address".to_owned()));
    }
    let (Some(role), true) = (role, errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let now = state.clock.now_ms();
    let link = passwords::FreshLink::new(crate::storage::LinkPurpose::Welcome, now);
    let detail = format!("{name} <{email}> as {}, with a link to set a password", role.label());
    state
        .storage
        .create_staff_with_link(
            &crate::storage::NewMember {
                staff_id: &Uuid::now_v7().to_string(),
                council_id: &staff.row.council_id,
                email: &email,
                display_name: name,
                role,
            },
            &link.stored(),
            &staff_event(&staff.row, None, "staff added", &detail),
            now,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(PasswordLink { name: name.to_owned(), email, path: link.path(), expires_at_ms: link.expires_at_ms }),
    ))
}

#[utoipa::path(
    post,
    path = "/council/staff/{staff_id}/role",
    tag = "workspace",
    summary = "Change a member of staff's role (administrators; not their own)",
    params(Csrf, ("staff_id" = String, Path, description = "The member of staff's id")),
    request_body = RoleChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 400, description = "Own role, or no role", body = ErrorBody),
        (status = 404, description = "No such member of staff", body = ErrorBody),
        Administering
    ),
    security(("staff" = [])),
)]
async fn change_role(
    State(state): State<AppState>,
    Administrator(staff): Administrator,
    Path(staff_id): Path<String>,
    change: LaterJson<RoleChange>,
) -> Result<StatusCode, ApiError> {
    let change = change.read()?;
    if staff_id == staff.row.staff_id {
        return Err(ApiError::BadRequest("You cannot change your own role: ask another administrator.".to_owned()));
    }
    let role = change.role.ok_or_else(|| ApiError::BadRequest("Choose a role".to_owned()))?;
    let detail = format!("{staff_id} is now {}", role.label());
    let event = staff_event(&staff.row, None, "staff role changed", &detail);
    if !state.storage.set_staff_role(&staff.row.council_id, &staff_id, role, &event, state.clock.now_ms()).await? {
        return Err(ApiError::NotFound("There is no member of staff with that id.".to_owned()));
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/council/staff/{staff_id}/remove",
    tag = "workspace",
    summary = "Remove a member of staff's access and end their sessions (administrators; not their own)",
    params(Csrf, ("staff_id" = String, Path, description = "The member of staff's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "Own access", body = ErrorBody),
        (status = 404, description = "No such member of staff", body = ErrorBody),
        Administering
    ),
    security(("staff" = [])),
)]
async fn remove_staff(
    State(state): State<AppState>,
    Administrator(staff): Administrator,
    Path(staff_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if staff_id == staff.row.staff_id {
        return Err(ApiError::BadRequest("You cannot remove your own access: ask another administrator.".to_owned()));
    }
    let event = staff_event(&staff.row, None, "staff access removed", &staff_id);
    if !state.storage.disable_staff(&staff.row.council_id, &staff_id, &event, state.clock.now_ms()).await? {
        return Err(ApiError::NotFound("There is no member of staff with that id.".to_owned()));
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/council/staff/{staff_id}/sign-in-failures/clear",
    tag = "workspace",
    summary = "Let a member of staff try their password again now, clearing the waits wrong passwords made (administrators)",
    params(Csrf, ("staff_id" = String, Path, description = "The member of staff's id")),
    responses(
        (status = 204, description = "Cleared"),
        (status = 404, description = "No such member of staff", body = ErrorBody),
        Administering
    ),
    security(("staff" = [])),
)]
async fn clear_failures(
    State(state): State<AppState>,
    Administrator(staff): Administrator,
    Path(staff_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let event = staff_event(&staff.row, None, "sign-in waits cleared", &staff_id);
    if !state.storage.clear_sign_in_failures(&staff.row.council_id, &staff_id, &event, state.clock.now_ms()).await? {
        return Err(ApiError::NotFound("There is no member of staff with that id.".to_owned()));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The audit log's filters, as the address carries them.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditLogQuery {
    /// Words in the action, detail, who, reference or address
    words: Option<String>,
    /// One kind of line
    action: Option<String>,
    /// From this date (YYYY-MM-DD), inclusive
    from: Option<String>,
    /// To this date (YYYY-MM-DD), inclusive
    to: Option<String>,
    /// Lines before this number (the next page)
    before: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/council/audit-log",
    tag = "workspace",
    summary = "The council's audit trail, newest first, filtered and a page at a time (administrators)",
    params(AuditLogQuery),
    responses(
        (status = 200, description = "A page of the log", body = tally_api::AuditLogPage),
        (status = 400, description = "A date that is not a date", body = ErrorBody),
        Administering
    ),
    security(("staff" = [])),
)]
async fn audit_log(
    State(state): State<AppState>,
    Administrator(staff): Administrator,
    query: Result<axum::extract::Query<AuditLogQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<tally_api::AuditLogPage>, ApiError> {
    let axum::extract::Query(query) = query.map_err(|_| {
        ApiError::BadRequest(
            "The audit log's filters could not be read. Start again from the audit log page.".to_owned(),
        )
    })?;
    let mut problems = Vec::new();
    let mut day_ms = |field: &str, text: &Option<String>, next_day: bool| -> Option<i64> {
        let text = text.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
        match tally_ledger::date::parse_iso_date(text) {
            Some(date) => {
                let date = if next_day { date.next_day().unwrap_or(date) } else { date };
                Some(crate::unix_ms(date.midnight().assume_utc()))
            }
            None => {
                problems.push((field.to_owned(), format!("Enter a date like 2026-11-30, not {text:?}")));
                None
            }
        }
    };
    let from_ms = day_ms("from", &query.from, false);
    let to_ms = day_ms("to", &query.to, true);
    if !problems.is_empty() {
        return Err(ApiError::Invalid(problems));
    }
    let filter = crate::storage::AuditFilter {
        words: query.words.map(|w| w.trim().chars().take(200).collect::<String>()).filter(|w| !w.is_empty()),
        action: query.action.filter(|a| !a.trim().is_empty()).map(|a| a.chars().take(100).collect()),
        before_seq: query.before,
        from_ms,
        to_ms,
    };
    let page = tally_api::AUDIT_LOG_PAGE;
    let mut rows = state.storage.audit_of_council(&staff.row.council_id, &filter, page + 1).await?;
    let more = rows.len() > page;
    rows.truncate(page);
    let next_before = if more { rows.last().map(|r| r.seq) } else { None };
    Ok(Json(tally_api::AuditLogPage {
        lines: rows
            .into_iter()
            .map(|r| tally_api::AuditLogLine {
                seq: r.seq,
                at_ms: r.at_ms,
                who: r.who,
                actor: r.actor,
                address: r.address,
                reference: r.reference,
                action: r.action,
                detail: r.detail,
            })
            .collect(),
        next_before,
        actions: state.storage.audit_actions(&staff.row.council_id).await?,
    }))
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list_staff, add_staff, change_role, remove_staff, clear_failures, audit_log))]
pub(crate) struct Doc;
