//! Two-factor sign-in: each member of staff's authenticator secret (sealed under the
//! server key), recovery codes, and who a council requires it of.

use sqlx::Row;

use super::*;

/// Who at a council must sign in with two factors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TwoFactorRule {
    /// Administrators (the least a council can choose).
    Administrators,
    Everyone,
    /// Nobody: the demo council only, whose passwords are published anyway.
    Nobody,
}

impl TwoFactorRule {
    pub fn as_str(self) -> &'static str {
        match self {
            TwoFactorRule::Administrators => "administrators",
            TwoFactorRule::Everyone => "everyone",
            TwoFactorRule::Nobody => "none",
        }
    }

    pub fn parse(text: &str) -> Option<TwoFactorRule> {
        [TwoFactorRule::Administrators, TwoFactorRule::Everyone, TwoFactorRule::Nobody]
            .into_iter()
            .find(|rule| rule.as_str() == text)
    }
}

/// A member of staff's two-factor state as kept (secrets still sealed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TwoFactorRow {
    pub secret: Option<String>,
    pub pending: Option<String>,
    pub last_step: Option<i64>,
}

impl Storage {
    /// The server key seals and opens authenticator secrets.
    pub fn key(&self) -> &crate::auth::ServerKey {
        &self.key
    }

    pub async fn two_factor_of(&self, staff_id: &str) -> anyhow::Result<TwoFactorRow> {
        let row = sqlx::query("SELECT totp_secret, totp_pending, totp_last_step FROM staff WHERE staff_id = $1")
            .bind(staff_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else {
            return Ok(TwoFactorRow::default());
        };
        Ok(TwoFactorRow { secret: row.try_get(0)?, pending: row.try_get(1)?, last_step: row.try_get(2)? })
    }

    /// Keeps a secret being set up (replacing any earlier one not confirmed).
    pub async fn set_pending_two_factor(&self, staff_id: &str, sealed: &str) -> anyhow::Result<()> {
        sqlx::query("UPDATE staff SET totp_pending = $1 WHERE staff_id = $2")
            .bind(sealed)
            .bind(staff_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Two-factor sign-in is on: the pending secret (`pending`, as it was checked) becomes
    /// the secret, `step` is the one its first code was for, and the recovery codes (their
    /// hashes) replace any earlier ones. `false` when the pending secret changed meanwhile.
    pub async fn confirm_two_factor(
        &self,
        staff_id: &str,
        pending: &str,
        step: i64,
        recovery_hashes: &[String],
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE staff SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $1 \
             WHERE staff_id = $2 AND totp_pending = $3",
        )
        .bind(step)
        .bind(staff_id)
        .bind(pending)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM staff_recovery_code WHERE staff_id = $1").bind(staff_id).execute(&mut *tx).await?;
        for hash in recovery_hashes {
            sqlx::query("INSERT INTO staff_recovery_code (code_hash, staff_id) VALUES ($1, $2)")
                .bind(hash)
                .bind(staff_id)
                .execute(&mut *tx)
                .await?;
        }
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Accepts a code's step once: `false` when a code for this step (or a later one) was
    /// already used.
    pub async fn use_two_factor_step(&self, staff_id: &str, step: i64) -> anyhow::Result<bool> {
        let done = sqlx::query(
            "UPDATE staff SET totp_last_step = $1 WHERE staff_id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(staff_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Uses a recovery code once; `false` when it is not one of theirs or was used.
    pub async fn use_recovery_code(&self, staff_id: &str, code_hash: &str, now_ms: i64) -> anyhow::Result<bool> {
        let done = sqlx::query(
            "UPDATE staff_recovery_code SET used_at_ms = $1 WHERE code_hash = $2 AND staff_id = $3 AND used_at_ms IS NULL",
        )
        .bind(now_ms)
        .bind(code_hash)
        .bind(staff_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// How many unused recovery codes a member of staff has left.
    pub async fn recovery_codes_left(&self, staff_id: &str) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM staff_recovery_code WHERE staff_id = $1 AND used_at_ms IS NULL")
            .bind(staff_id)
            .fetch_one(&self.pool)
            .await?)
    }

    /// Turns a member of the council's staff's two-factor sign-in off (a lost phone): they
    /// set it up again at their next sign-in if the council requires it, and their
    /// sessions end. `false` when there is no such member of this council.
    pub async fn reset_two_factor(
        &self,
        council_id: &str,
        staff_id: &str,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE staff SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL \
             WHERE staff_id = $1 AND council_id = $2",
        )
        .bind(staff_id)
        .bind(council_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM staff_recovery_code WHERE staff_id = $1").bind(staff_id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM staff_session WHERE staff_id = $1").bind(staff_id).execute(&mut *tx).await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The staff of a council with two-factor sign-in on.
    pub async fn staff_with_two_factor(&self, council_id: &str) -> anyhow::Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT staff_id FROM staff WHERE council_id = $1 AND totp_secret IS NOT NULL")
            .bind(council_id)
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn two_factor_rule(&self, council_id: &str) -> anyhow::Result<TwoFactorRule> {
        let text: String = sqlx::query_scalar("SELECT two_factor FROM council WHERE council_id = $1")
            .bind(council_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(TwoFactorRule::parse(&text).unwrap_or(TwoFactorRule::Administrators))
    }

    /// Who at the council must use two-factor sign-in.
    pub async fn set_two_factor_rule(
        &self,
        council_id: &str,
        rule: TwoFactorRule,
        audit: Option<&AuditEvent<'_>>,
        now_ms: i64,
    ) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE council SET two_factor = $1 WHERE council_id = $2")
            .bind(rule.as_str())
            .bind(council_id)
            .execute(&mut *tx)
            .await?;
        if let Some(audit) = audit {
            append_audit(&mut tx, audit, now_ms).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
