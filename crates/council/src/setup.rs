//! Setting a council up from the command line (`tally-council create-council`), and the
//! check that keeps the demo's published passwords off a real server.

use anyhow::Context;
use tally_ledger::CouncilPolicy;
use uuid::Uuid;

use crate::api::passwords::FreshLink;
use crate::storage::{AuditEvent, LinkPurpose, NewMember, Storage};

/// A council just set up: the link its first administrator sets a password with.
#[derive(Debug)]
pub struct NewCouncil {
    pub council_id: String,
    /// `/council/set-password#…`: put the server's public address in front.
    pub link_path: String,
    pub expires_at_ms: i64,
}

/// Creates a council with no accounts and its first administrator, who has no password
/// until they use the one-time link this returns. `operator` is who ran the command (for
/// the audit trail).
pub async fn create_council(
    storage: &Storage,
    name: &str,
    admin_email: &str,
    admin_name: &str,
    operator: &str,
    now_ms: i64,
) -> anyhow::Result<NewCouncil> {
    let name = name.trim();
    let email = admin_email.trim().to_lowercase();
    let admin_name = admin_name.trim();
    anyhow::ensure!(
        !name.is_empty() && name.chars().count() <= 200,
        "--name: give the council's name (at most 200 characters)"
    );
    anyhow::ensure!(
        crate::staff::is_work_email(&email),
        "--admin-email: give the first administrator's work email address, like name@council.gov.uk, not {admin_email:?}"
    );
    anyhow::ensure!(
        !admin_name.is_empty() && admin_name.chars().count() <= 200,
        "--admin-name: give the first administrator's name (at most 200 characters)"
    );
    anyhow::ensure!(
        storage.council_id_by_name(name).await?.is_none(),
        "there is already a council called {name:?} on this server"
    );
    let council_id = Uuid::now_v7().to_string();
    let staff_id = Uuid::now_v7().to_string();
    let link = FreshLink::new(LinkPurpose::Welcome, now_ms);
    let detail =
        format!("{name}, first administrator {admin_name} <{email}> (a link to set a password), by {operator}");
    let event = AuditEvent::command_line(Some(&council_id), "council created", &detail);
    let admin = NewMember {
        staff_id: &staff_id,
        council_id: &council_id,
        email: &email,
        display_name: admin_name,
        role: tally_api::Role::Administrator,
    };
    storage
        .create_council_with_administrator(name, &CouncilPolicy::default(), &admin, &link.stored(), &event, now_ms)
        .await
        .context("could not create the council")?;
    Ok(NewCouncil { council_id, link_path: link.path(), expires_at_ms: link.expires_at_ms })
}

/// A new one-time link for a member of staff found by email, from the command line: for
/// a council whose only administrator lost their password (or their link ran out).
pub async fn password_link_for(
    storage: &Storage,
    council: Option<&str>,
    email: &str,
    operator: &str,
    now_ms: i64,
) -> anyhow::Result<NewCouncil> {
    let mut found = storage.staff_with_email(email).await?;
    if let Some(council) = council {
        let council_id = storage
            .council_id_by_name(council.trim())
            .await?
            .with_context(|| format!("--council: there is no council called {:?} on this server", council.trim()))?;
        found.retain(|staff| staff.council_id == council_id);
    }
    anyhow::ensure!(
        found.len() <= 1,
        "more than one council has a member of staff with the email address {}: say which with --council",
        email.trim()
    );
    let staff = found.pop().with_context(|| format!("no one with access has the email address {}", email.trim()))?;
    let purpose = if staff.password_hash.is_empty() { LinkPurpose::Welcome } else { LinkPurpose::Reset };
    let link = FreshLink::new(purpose, now_ms);
    let detail = format!("for {} <{}>, by {operator}", staff.display_name, staff.email);
    let event = AuditEvent::command_line(Some(&staff.council_id), "password reset link issued", &detail);
    anyhow::ensure!(
        storage.issue_staff_link(&staff.council_id, &staff.staff_id, &link.stored(), &event, now_ms).await?,
        "{} no longer has access",
        staff.email
    );
    // Someone locked out at the command line may have lost their phone too: they set
    // two-factor sign-in up again at their next sign-in.
    let detail = format!("for {} <{}> (with a password link), by {operator}", staff.display_name, staff.email);
    let reset = AuditEvent::command_line(Some(&staff.council_id), "two-factor sign-in reset", &detail);
    storage.reset_two_factor(&staff.council_id, &staff.staff_id, &reset, now_ms).await?;
    Ok(NewCouncil { council_id: staff.council_id, link_path: link.path(), expires_at_ms: link.expires_at_ms })
}

/// The members of staff who still sign in with a password the demo publishes: a server
/// open to the internet must have none (`serve` refuses to start unless it runs the demo).
pub async fn demo_passwords_in_use(storage: &Storage) -> anyhow::Result<Vec<String>> {
    let demo = [
        (crate::seed::DEMO_OFFICER_EMAIL, crate::seed::DEMO_OFFICER_PASSWORD),
        (crate::seed::DEMO_AUDITOR_EMAIL, crate::seed::DEMO_AUDITOR_PASSWORD),
        (crate::seed::DEMO_ADMIN_EMAIL, crate::seed::DEMO_ADMIN_PASSWORD),
    ];
    let mut found = Vec::new();
    for (email, password) in demo {
        for staff in storage.staff_with_email(email).await? {
            let hash = staff.password_hash.clone();
            let password = password.to_owned();
            let matches =
                tokio::task::spawn_blocking(move || crate::staff::password_matches(&password, Some(&hash))).await?;
            if matches {
                found.push(staff.email);
            }
        }
    }
    Ok(found)
}
