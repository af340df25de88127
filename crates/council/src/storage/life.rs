//! The life of a direct payment as the council keeps it beside the records: the weekly
//! contribution assessed, the reviews done, and the end (the account then read-only and
//! kept, its devices revoked, its schedules stopped, its pairing codes cancelled). Each
//! change writes its audit line in its own transaction.

use sqlx::Row;
use tally_ledger::AccountId;

use super::*;

/// When and why a direct payment ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ended {
    pub ended_on: String,
    pub reason: String,
    pub at_ms: i64,
}

/// A review done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewRow {
    pub done_on: String,
    pub note: String,
    pub by: String,
}

/// What the council keeps about an account's life.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountLife {
    pub contribution_pence: i64,
    pub ended: Option<Ended>,
    /// Newest first.
    pub reviews: Vec<ReviewRow>,
}

/// What a phone whose account ended is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndedNotice {
    pub ended_on: String,
    pub reason: String,
    pub council_name: String,
}

/// How many reviews an account's page lists.
const REVIEWS_SHOWN: i64 = 50;

impl Storage {
    pub async fn account_life(&self, account_id: AccountId) -> anyhow::Result<AccountLife> {
        let account = account_id.to_string();
        let row = sqlx::query(
            "SELECT contribution_pence, ended_on, COALESCE(ended_reason, ''), COALESCE(ended_at_ms, 0) FROM account WHERE account_id = $1",
        )
        .bind(&account)
        .fetch_one(&self.pool)
        .await?;
        let ended_on: Option<String> = row.try_get(1)?;
        let ended = match ended_on {
            Some(ended_on) => Some(Ended { ended_on, reason: row.try_get(2)?, at_ms: row.try_get(3)? }),
            None => None,
        };
        let reviews = sqlx::query(
            "SELECT r.done_on, r.note, s.display_name FROM dp_review r JOIN staff s ON s.staff_id = r.staff_id \
             WHERE r.account_id = $1 ORDER BY r.done_on DESC, r.at_ms DESC LIMIT $2",
        )
        .bind(&account)
        .bind(REVIEWS_SHOWN)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|r| Ok(ReviewRow { done_on: r.try_get(0)?, note: r.try_get(1)?, by: r.try_get(2)? }))
        .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(AccountLife { contribution_pence: row.try_get(0)?, ended, reviews })
    }

    /// Records a review done. `false` (nothing written) when the direct payment ended.
    pub async fn record_review(
        &self,
        account_id: AccountId,
        done_on: &str,
        note: &str,
        staff_id: &str,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<bool> {
        let account = account_id.to_string();
        let mut tx = self.pool.begin().await?;
        if !still_open(&mut tx, &account).await? {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO dp_review (review_id, account_id, done_on, note, staff_id, at_ms) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(&account)
        .bind(done_on)
        .bind(note)
        .bind(staff_id)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        mark_stale(&mut tx, &account).await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Sets the weekly contribution assessed. `false` when the direct payment ended.
    pub async fn set_contribution(
        &self,
        account_id: AccountId,
        pence: i64,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<bool> {
        let account = account_id.to_string();
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE account SET contribution_pence = $1 WHERE account_id = $2 AND ended_on IS NULL")
            .bind(pence)
            .bind(&account)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        mark_stale(&mut tx, &account).await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Ends a direct payment, all or nothing: the final surplus's record (when there is
    /// money left), the end, every device revoked, schedules stopped, unused pairing codes
    /// cancelled, and the audit line. `false` (nothing written) when it had ended already.
    pub async fn end_direct_payment(
        &self,
        account_id: AccountId,
        ended_on: &str,
        reason: &str,
        final_surplus: Option<&NewEntry>,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<bool> {
        let account = account_id.to_string();
        let mut tx = self.pool.begin().await?;
        if !still_open(&mut tx, &account).await? {
            return Ok(false);
        }
        if let Some(entry) = final_surplus {
            anyhow::ensure!(
                store_in(&mut tx, account_id, std::slice::from_ref(entry), now_ms).await?.is_some(),
                "the account went away while its direct payment was ending"
            );
        }
        let done = sqlx::query(
            "UPDATE account SET ended_on = $1, ended_reason = $2, ended_at_ms = $3 WHERE account_id = $4 AND ended_on IS NULL",
        )
        .bind(ended_on)
        .bind(reason)
        .bind(now_ms)
        .bind(&account)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("UPDATE device SET revoked_at_ms = $1 WHERE account_id = $2 AND revoked_at_ms IS NULL")
            .bind(now_ms)
            .bind(&account)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE payment_schedule SET stopped_at_ms = $1 WHERE account_id = $2 AND stopped_at_ms IS NULL")
            .bind(now_ms)
            .bind(&account)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE pairing_code SET expires_at_ms = $1 WHERE account_id = $2 AND used_at_ms IS NULL AND expires_at_ms > $1",
        )
        .bind(now_ms)
        .bind(&account)
        .execute(&mut *tx)
        .await?;
        mark_stale(&mut tx, &account).await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// For a device token that no longer works because its account's direct payment
    /// ended: what the phone is told.
    pub async fn ended_notice_for_token(&self, token_hash: &str) -> anyhow::Result<Option<EndedNotice>> {
        let row = sqlx::query(
            "SELECT a.ended_on, COALESCE(a.ended_reason, ''), c.name FROM device d \
             JOIN account a ON a.account_id = d.account_id JOIN council c ON c.council_id = a.council_id \
             WHERE d.token_hash = $1 AND a.ended_on IS NOT NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok(EndedNotice { ended_on: r.try_get(0)?, reason: r.try_get(1)?, council_name: r.try_get(2)? }))
            .transpose()
    }
}

async fn still_open(tx: &mut sqlx::Transaction<'_, sqlx::Any>, account: &str) -> anyhow::Result<bool> {
    // Locks the account's row (as a push does) so an end and a change never interleave.
    let open: Option<i64> = sqlx::query_scalar(
        "UPDATE account SET last_seq = last_seq WHERE account_id = $1 AND ended_on IS NULL RETURNING last_seq",
    )
    .bind(account)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(open.is_some())
}

async fn mark_stale(tx: &mut sqlx::Transaction<'_, sqlx::Any>, account: &str) -> anyhow::Result<()> {
    sqlx::query("UPDATE account_summary SET stale = stale + 1 WHERE account_id = $1")
        .bind(account)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
