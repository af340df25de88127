//! Council staff, sign-in attempts and sessions.

use anyhow::Context;
use sqlx::any::AnyRow;
use sqlx::Row;
use tally_api::Role;

use super::*;

/// A member of a council's staff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffRow {
    pub staff_id: String,
    pub council_id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
}

pub(super) fn staff_from_row(row: AnyRow) -> anyhow::Result<StaffRow> {
    Ok(StaffRow {
        staff_id: row.try_get(0)?,
        council_id: row.try_get(1)?,
        email: row.try_get(2)?,
        display_name: row.try_get(3)?,
        role: {
            let role: String = row.try_get(4)?;
            Role::parse(&role).with_context(|| format!("the database holds an unknown role {role:?}"))?
        },
        password_hash: row.try_get(5)?,
    })
}

/// Wrong passwords that slow signing in down (see [`crate::guard`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignInFailures {
    pub on_account: i64,
    pub latest_on_account: Option<i64>,
    pub from_address: i64,
    pub latest_from_address: Option<i64>,
    /// The account signed in from this address lately: failures on the account from
    /// elsewhere do not slow it down here.
    pub known_address: bool,
}

/// A session to start: the hash of its cookie's token, who, its CSRF token, until when,
/// and where from.
#[derive(Clone, Copy, Debug)]
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub staff_id: &'a str,
    pub csrf_token: &'a str,
    pub expires_at_ms: i64,
    pub address: &'a str,
    pub user_agent: &'a str,
}

/// One of a member of staff's sessions, as they see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    pub token_hash: String,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
    pub address: Option<String>,
    pub user_agent: Option<String>,
}

/// A live staff session: who, and the token every change must carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    pub staff: StaffRow,
    pub csrf_token: String,
    /// Their council requires two-factor sign-in of them and they have not set it up: the
    /// session may do nothing else until they do.
    pub two_factor_needed: bool,
}

impl Storage {
    #[allow(clippy::too_many_arguments)]
    pub async fn create_staff(
        &self,
        staff_id: &str,
        council_id: &str,
        email: &str,
        display_name: &str,
        role: Role,
        password_hash: &str,
        audit: Option<&AuditEvent<'_>>,
        now_ms: i64,
    ) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO staff (staff_id, council_id, email, display_name, role, password_hash, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(staff_id)
        .bind(council_id)
        .bind(email)
        .bind(display_name)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        if let Some(event) = audit {
            append_audit(&mut tx, event, now_ms).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The members of staff with access who sign in with this email (compared without
    /// case), in every council on the server: one person may work for several councils.
    pub async fn staff_with_email(&self, email: &str) -> anyhow::Result<Vec<StaffRow>> {
        let rows = sqlx::query(
            "SELECT staff_id, council_id, email, display_name, role, password_hash FROM staff \
             WHERE LOWER(email) = LOWER($1) AND disabled_at_ms IS NULL ORDER BY council_id LIMIT 20",
        )
        .bind(email.trim())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(staff_from_row).collect()
    }

    /// A council's staff with access, by name.
    pub async fn staff_of_council(&self, council_id: &str) -> anyhow::Result<Vec<StaffRow>> {
        let rows = sqlx::query(
            "SELECT staff_id, council_id, email, display_name, role, password_hash FROM staff \
             WHERE council_id = $1 AND disabled_at_ms IS NULL AND email NOT LIKE 'api-client:%' ORDER BY display_name, email",
        )
        .bind(council_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(staff_from_row).collect()
    }

    /// Whether any member of the council's staff, past or present, has this email.
    /// Other councils on the server are not asked: their staff are theirs to know.
    pub async fn staff_email_taken(&self, council_id: &str, email: &str) -> anyhow::Result<bool> {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM staff WHERE council_id = $1 AND LOWER(email) = LOWER($2)")
                .bind(council_id)
                .bind(email.trim())
                .fetch_one(&self.pool)
                .await?;
        Ok(count > 0)
    }

    /// Changes the role of a member of a council's staff, with its audit line. `false` if
    /// there is no such member with access (and nothing is written).
    pub async fn set_staff_role(
        &self,
        council_id: &str,
        staff_id: &str,
        role: Role,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE staff SET role = $1 WHERE staff_id = $2 AND council_id = $3 AND disabled_at_ms IS NULL AND email NOT LIKE 'api-client:%'",
        )
        .bind(role.as_str())
        .bind(staff_id)
        .bind(council_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Removes a member of staff's access and ends their sessions, with its audit line, all
    /// or nothing.
    pub async fn disable_staff(
        &self,
        council_id: &str,
        staff_id: &str,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE staff SET disabled_at_ms = $1 WHERE staff_id = $2 AND council_id = $3 AND disabled_at_ms IS NULL AND email NOT LIKE 'api-client:%'",
        )
        .bind(now_ms)
        .bind(staff_id)
        .bind(council_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM staff_session WHERE staff_id = $1").bind(staff_id).execute(&mut *tx).await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Records a sign-in: who (the email typed), from where, and whether the password was
    /// right. A wrong one is audited too, in the same transaction.
    pub async fn record_sign_in_attempt(
        &self,
        email: &str,
        address: &str,
        succeeded: bool,
        failure: Option<&AuditEvent<'_>>,
        now_ms: i64,
    ) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO sign_in_attempt (email, address, at_ms, succeeded) VALUES ($1, $2, $3, $4)")
            .bind(email.trim().to_lowercase())
            .bind(address)
            .bind(now_ms)
            .bind(i64::from(succeeded))
            .execute(&mut *tx)
            .await?;
        if let Some(event) = failure {
            append_audit(&mut tx, event, now_ms).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The wrong passwords that slow signing in down: those for `email` since its last
    /// sign-in (or since its failures were cleared), and those from `address`, in the
    /// last day; and whether `email` signed in from `address` lately.
    pub async fn sign_in_failures(&self, email: &str, address: &str, now_ms: i64) -> anyhow::Result<SignInFailures> {
        let email = email.trim().to_lowercase();
        let since = now_ms - crate::guard::FAILURES_COUNT_FOR_MS;
        let last_success: Option<i64> =
            sqlx::query_scalar("SELECT MAX(at_ms) FROM sign_in_attempt WHERE email = $1 AND succeeded > 0")
                .bind(&email)
                .fetch_one(&self.pool)
                .await?;
        let account_since = last_success.map_or(since, |at| at.max(since));
        let (on_account, latest_on_account): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MAX(at_ms) FROM sign_in_attempt WHERE email = $1 AND succeeded = 0 AND at_ms > $2",
        )
        .bind(&email)
        .bind(account_since)
        .fetch_one(&self.pool)
        .await?;
        let (from_address, latest_from_address): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MAX(at_ms) FROM sign_in_attempt WHERE address = $1 AND succeeded = 0 AND at_ms > $2",
        )
        .bind(address)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        let known: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sign_in_attempt WHERE email = $1 AND address = $2 AND succeeded = 1 AND at_ms > $3",
        )
        .bind(&email)
        .bind(address)
        .bind(now_ms - crate::guard::KNOWN_ADDRESS_MS)
        .fetch_one(&self.pool)
        .await?;
        Ok(SignInFailures {
            on_account,
            latest_on_account,
            from_address,
            latest_from_address,
            known_address: known > 0,
        })
    }

    /// Clears a member of staff's wrong passwords (an administrator's "let them try
    /// again"), with its audit line. `false` if there is no such member with access.
    pub async fn clear_sign_in_failures(
        &self,
        council_id: &str,
        staff_id: &str,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let email: Option<String> = sqlx::query_scalar(
            "SELECT email FROM staff WHERE staff_id = $1 AND council_id = $2 AND disabled_at_ms IS NULL AND email NOT LIKE 'api-client:%'",
        )
        .bind(staff_id)
        .bind(council_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(email) = email else { return Ok(false) };
        sqlx::query("INSERT INTO sign_in_attempt (email, address, at_ms, succeeded) VALUES ($1, NULL, $2, 2)")
            .bind(email.to_lowercase())
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Removes what is no longer needed: wrong passwords older than a day, sign-ins older
    /// than the time an address stays known, ended sessions, and pairing codes a month
    /// after they were used or ran out. Returns how many rows went.
    pub async fn purge_expired(&self, now_ms: i64) -> anyhow::Result<u64> {
        let mut removed = 0;
        removed += sqlx::query("DELETE FROM sign_in_attempt WHERE (succeeded = 0 AND at_ms < $1) OR at_ms < $2")
            .bind(now_ms - crate::guard::FAILURES_COUNT_FOR_MS)
            .bind(now_ms - crate::guard::KNOWN_ADDRESS_MS)
            .execute(&self.pool)
            .await?
            .rows_affected();
        removed += sqlx::query("DELETE FROM staff_session WHERE expires_at_ms < $1")
            .bind(now_ms)
            .execute(&self.pool)
            .await?
            .rows_affected();
        let month_ago = now_ms - 30 * 24 * 3_600_000;
        removed += sqlx::query(
            "DELETE FROM pairing_code WHERE (used_at_ms IS NOT NULL AND used_at_ms < $1) OR expires_at_ms < $1",
        )
        .bind(month_ago)
        .execute(&self.pool)
        .await?
        .rows_affected();
        removed += sqlx::query(
            "DELETE FROM staff_link WHERE (used_at_ms IS NOT NULL AND used_at_ms < $1) OR expires_at_ms < $1",
        )
        .bind(month_ago)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(removed)
    }

    pub async fn create_staff_session(
        &self,
        session: &NewSession<'_>,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO staff_session (token_hash, staff_id, csrf_token, created_at_ms, expires_at_ms, address, user_agent) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(session.token_hash)
        .bind(session.staff_id)
        .bind(session.csrf_token)
        .bind(now_ms)
        .bind(session.expires_at_ms)
        .bind(session.address)
        .bind(session.user_agent)
        .execute(&mut *tx)
        .await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A member of staff's live sessions, newest first (the latest 100).
    pub async fn sessions_of(&self, staff_id: &str, now_ms: i64) -> anyhow::Result<Vec<SessionInfo>> {
        let rows = sqlx::query(
            "SELECT token_hash, created_at_ms, expires_at_ms, address, user_agent FROM staff_session \
             WHERE staff_id = $1 AND expires_at_ms > $2 ORDER BY created_at_ms DESC, token_hash LIMIT 100",
        )
        .bind(staff_id)
        .bind(now_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SessionInfo {
                    token_hash: row.try_get(0)?,
                    created_at_ms: row.try_get(1)?,
                    expires_at_ms: row.try_get(2)?,
                    address: row.try_get(3)?,
                    user_agent: row.try_get(4)?,
                })
            })
            .collect()
    }

    /// Ends one of a member of staff's own sessions; `false` when they have no such session.
    pub async fn end_own_session(
        &self,
        staff_id: &str,
        token_hash: &str,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("DELETE FROM staff_session WHERE token_hash = $1 AND staff_id = $2")
            .bind(token_hash)
            .bind(staff_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The member of staff signed in with this session, and the session's CSRF token,
    /// unless it has expired.
    pub async fn staff_by_session(&self, token_hash: &str, now_ms: i64) -> anyhow::Result<Option<SessionRow>> {
        let row = sqlx::query(
            "SELECT s.staff_id, s.council_id, s.email, s.display_name, s.role, s.password_hash, x.csrf_token, \
                    CAST(CASE WHEN s.totp_secret IS NULL AND (c.two_factor = 'everyone' \
                         OR (c.two_factor = 'administrators' AND s.role = 'administrator')) THEN 1 ELSE 0 END AS BIGINT) \
             FROM staff_session x JOIN staff s ON s.staff_id = x.staff_id JOIN council c ON c.council_id = s.council_id \
             WHERE x.token_hash = $1 AND x.expires_at_ms > $2 AND s.disabled_at_ms IS NULL",
        )
        .bind(token_hash)
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row: AnyRow| {
            let csrf_token: String = row.try_get(6)?;
            let needed: i64 = row.try_get(7)?;
            Ok(SessionRow { staff: staff_from_row(row)?, csrf_token, two_factor_needed: needed != 0 })
        })
        .transpose()
    }

    /// Ends a session (signing out), with its audit line.
    pub async fn delete_staff_session(
        &self,
        token_hash: &str,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        let done =
            sqlx::query("DELETE FROM staff_session WHERE token_hash = $1").bind(token_hash).execute(&mut *tx).await?;
        if done.rows_affected() == 1 {
            append_audit(&mut tx, audit, now_ms).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
