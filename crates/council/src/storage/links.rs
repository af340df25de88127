//! One-time links for staff to set a password, a council's first administrator, and
//! passwords changed. Each change writes its audit line in its own transaction.

use sqlx::Row;
use tally_api::Role;
use tally_ledger::CouncilPolicy;

use super::*;

/// What a link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkPurpose {
    /// A first password: a council's first administrator, someone given access, or given
    /// access again.
    Welcome,
    /// A new password, for someone who lost theirs (an administrator issued it).
    Reset,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Welcome => "welcome",
            LinkPurpose::Reset => "reset",
        }
    }

    fn parse(text: &str) -> LinkPurpose {
        if text == "reset" {
            LinkPurpose::Reset
        } else {
            LinkPurpose::Welcome
        }
    }
}

/// A link as kept, with whom it is for, while it can still be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffLinkRow {
    pub staff: StaffRow,
    pub council_name: String,
    pub purpose: LinkPurpose,
    pub expires_at_ms: i64,
}

/// A new link to keep: the hash of its secret, and until when it works.
#[derive(Clone, Copy, Debug)]
pub struct NewLink<'a> {
    pub token_hash: &'a str,
    pub purpose: LinkPurpose,
    pub expires_at_ms: i64,
}

/// A member of staff to add with no password: they choose one through a link.
#[derive(Clone, Copy, Debug)]
pub struct NewMember<'a> {
    pub staff_id: &'a str,
    pub council_id: &'a str,
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: Role,
}

async fn insert_member(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    member: &NewMember<'_>,
    now_ms: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO staff (staff_id, council_id, email, display_name, role, password_hash, created_at_ms) \
         VALUES ($1, $2, $3, $4, $5, '', $6)",
    )
    .bind(member.staff_id)
    .bind(member.council_id)
    .bind(member.email)
    .bind(member.display_name)
    .bind(member.role.as_str())
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Cancels a person's earlier links, then keeps the new one.
async fn replace_links(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    staff_id: &str,
    link: &NewLink<'_>,
    now_ms: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE staff_link SET expires_at_ms = $1 WHERE staff_id = $2 AND used_at_ms IS NULL AND expires_at_ms > $1",
    )
    .bind(now_ms)
    .bind(staff_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO staff_link (token_hash, staff_id, purpose, created_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(link.token_hash)
    .bind(staff_id)
    .bind(link.purpose.as_str())
    .bind(now_ms)
    .bind(link.expires_at_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Storage {
    /// A new council with no accounts, its first administrator (`admin`, with no password
    /// yet) and the link they choose one with: all or nothing.
    pub async fn create_council_with_administrator(
        &self,
        name: &str,
        policy: &CouncilPolicy,
        admin: &NewMember<'_>,
        link: &NewLink<'_>,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO council (council_id, name, policy, created_at_ms) VALUES ($1, $2, $3, $4)")
            .bind(admin.council_id)
            .bind(name)
            .bind(serde_json::to_string(policy)?)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        insert_member(&mut tx, admin, now_ms).await?;
        replace_links(&mut tx, admin.staff_id, link, now_ms).await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Someone given access by an administrator: no password until they use the link.
    pub async fn create_staff_with_link(
        &self,
        member: &NewMember<'_>,
        link: &NewLink<'_>,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        insert_member(&mut tx, member, now_ms).await?;
        replace_links(&mut tx, member.staff_id, link, now_ms).await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A new link for a member of the council's staff: a reset (their password stops
    /// working only when they set a new one), or, for someone whose access was removed,
    /// access given again (with no password until they use it). Earlier links stop
    /// working. `false` when there is no such member of this council.
    pub async fn issue_staff_link(
        &self,
        council_id: &str,
        staff_id: &str,
        link: &NewLink<'_>,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let found: Option<Option<i64>> =
            sqlx::query_scalar("SELECT disabled_at_ms FROM staff WHERE staff_id = $1 AND council_id = $2 AND email NOT LIKE 'api-client:%'")
                .bind(staff_id)
                .bind(council_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(disabled) = found else {
            return Ok(false);
        };
        if disabled.is_some() {
            sqlx::query("UPDATE staff SET disabled_at_ms = NULL, password_hash = '' WHERE staff_id = $1")
                .bind(staff_id)
                .execute(&mut *tx)
                .await?;
        }
        replace_links(&mut tx, staff_id, link, now_ms).await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The link with this secret's hash, while it can be used.
    pub async fn staff_link(&self, token_hash: &str, now_ms: i64) -> anyhow::Result<Option<StaffLinkRow>> {
        let row = sqlx::query(
            "SELECT s.staff_id, s.council_id, s.email, s.display_name, s.role, s.password_hash, \
                    l.purpose, l.expires_at_ms, c.name \
             FROM staff_link l JOIN staff s ON s.staff_id = l.staff_id JOIN council c ON c.council_id = s.council_id \
             WHERE l.token_hash = $1 AND l.used_at_ms IS NULL AND l.expires_at_ms > $2 AND s.disabled_at_ms IS NULL",
        )
        .bind(token_hash)
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let purpose: String = row.try_get(6)?;
        let expires_at_ms: i64 = row.try_get(7)?;
        let council_name: String = row.try_get(8)?;
        Ok(Some(StaffLinkRow {
            staff: staff_from_row(row)?,
            council_name,
            purpose: LinkPurpose::parse(&purpose),
            expires_at_ms,
        }))
    }

    /// Uses a link once: the member of staff's password becomes `password_hash` and every
    /// session they had ends. `false` when the link was used, ran out or was cancelled in
    /// the meantime (nothing changes then).
    pub async fn use_staff_link(
        &self,
        token_hash: &str,
        staff_id: &str,
        password_hash: &str,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let used = sqlx::query(
            "UPDATE staff_link SET used_at_ms = $1 \
             WHERE token_hash = $2 AND staff_id = $3 AND used_at_ms IS NULL AND expires_at_ms > $1",
        )
        .bind(now_ms)
        .bind(token_hash)
        .bind(staff_id)
        .execute(&mut *tx)
        .await?;
        if used.rows_affected() != 1 {
            return Ok(false);
        }
        let set = sqlx::query("UPDATE staff SET password_hash = $1 WHERE staff_id = $2 AND disabled_at_ms IS NULL")
            .bind(password_hash)
            .bind(staff_id)
            .execute(&mut *tx)
            .await?;
        if set.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM staff_session WHERE staff_id = $1").bind(staff_id).execute(&mut *tx).await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// A member of staff's own new password: every other session of theirs ends (the one
    /// they changed it from, `keep_session`, stays).
    pub async fn change_password(
        &self,
        staff_id: &str,
        password_hash: &str,
        keep_session: &str,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE staff SET password_hash = $1 WHERE staff_id = $2")
            .bind(password_hash)
            .bind(staff_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM staff_session WHERE staff_id = $1 AND token_hash <> $2")
            .bind(staff_id)
            .bind(keep_session)
            .execute(&mut *tx)
            .await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One member of a council's staff, and whether their access was removed.
    pub async fn staff_member(&self, council_id: &str, staff_id: &str) -> anyhow::Result<Option<(StaffRow, bool)>> {
        let row = sqlx::query(
            "SELECT staff_id, council_id, email, display_name, role, password_hash, \
                    CAST(CASE WHEN disabled_at_ms IS NULL THEN 0 ELSE 1 END AS BIGINT) \
             FROM staff WHERE council_id = $1 AND staff_id = $2 AND email NOT LIKE 'api-client:%'",
        )
        .bind(council_id)
        .bind(staff_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            let removed: i64 = row.try_get(6)?;
            Ok((staff_from_row(row)?, removed != 0))
        })
        .transpose()
    }

    /// A council's staff whose access was removed, by name (to give access again).
    pub async fn removed_staff_of_council(&self, council_id: &str) -> anyhow::Result<Vec<StaffRow>> {
        let rows = sqlx::query(
            "SELECT staff_id, council_id, email, display_name, role, password_hash FROM staff \
             WHERE council_id = $1 AND disabled_at_ms IS NOT NULL AND email NOT LIKE 'api-client:%' ORDER BY display_name, email",
        )
        .bind(council_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(staff_from_row).collect()
    }
}
