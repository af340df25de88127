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
    /// When it was anonymised (its retention period over): its summary is then frozen.
    pub anonymised_at_ms: Option<i64>,
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
            "SELECT contribution_pence, ended_on, COALESCE(ended_reason, ''), COALESCE(ended_at_ms, 0), anonymised_at_ms \
             FROM account WHERE account_id = $1",
        )
        .bind(&account)
        .fetch_one(&self.pool)
        .await?;
        let ended = ended_from(&row, 1)?;
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
        Ok(AccountLife { contribution_pence: row.try_get(0)?, ended, reviews, anonymised_at_ms: row.try_get(4)? })
    }

    /// When and why the account's direct payment ended, if it has.
    pub async fn ended_of(&self, account_id: AccountId) -> anyhow::Result<Option<Ended>> {
        let row = sqlx::query(
            "SELECT ended_on, COALESCE(ended_reason, ''), COALESCE(ended_at_ms, 0) FROM account WHERE account_id = $1",
        )
        .bind(account_id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| ended_from(&row, 0)).transpose()?.flatten())
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
        // The row is held since `still_open`: nobody ended it meanwhile.
        sqlx::query("UPDATE account SET ended_on = $1, ended_reason = $2, ended_at_ms = $3 WHERE account_id = $4")
            .bind(ended_on)
            .bind(reason)
            .bind(now_ms)
            .bind(&account)
            .execute(&mut *tx)
            .await?;
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

/// The end from a row holding `ended_on, ended_reason, ended_at_ms` from column `at`.
fn ended_from(row: &sqlx::any::AnyRow, at: usize) -> anyhow::Result<Option<Ended>> {
    let ended_on: Option<String> = row.try_get(at)?;
    Ok(match ended_on {
        Some(ended_on) => Some(Ended { ended_on, reason: row.try_get(at + 1)?, at_ms: row.try_get(at + 2)? }),
        None => None,
    })
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

/// What anonymising leaves of a person's name and words.
pub const ANONYMISED_NAME: &str = "Anonymised";

impl Storage {
    /// Accounts of the council whose direct payment ended before `cutoff` (an ISO date)
    /// and are not anonymised yet, at most `limit`.
    pub async fn accounts_past_retention(
        &self,
        council_id: &str,
        cutoff: &str,
        limit: i64,
    ) -> anyhow::Result<Vec<AccountRow>> {
        let rows = sqlx::query(
            "SELECT a.account_id, a.reference, a.person_name, c.name FROM account a \
             JOIN council c ON c.council_id = a.council_id WHERE a.council_id = $1 AND a.ended_on IS NOT NULL \
             AND a.ended_on < $2 AND a.anonymised_at_ms IS NULL ORDER BY a.ended_on, a.account_id LIMIT $3",
        )
        .bind(council_id)
        .bind(cutoff)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(account_from_row).collect()
    }

    /// Anonymises one account whose retention period has passed, all or nothing. The
    /// person's name and the council's reference are replaced; their records, receipt
    /// photos, statements, cards, safeguarding and review notes, the reason it ended,
    /// device names, pairing codes and the plan's outcomes in their words go. What the
    /// council's figures are made of stays: the account's summary and its day figures,
    /// which are never worked out again (see [`Storage::stale_summaries`]), the plan's
    /// lines and budgets, and the audit trail. `false` when it was not due, is done
    /// already, or still has spending in the review queue (its summary is not up to date).
    pub async fn anonymise_account(
        &self,
        account_id: AccountId,
        cutoff: &str,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<bool> {
        let account = account_id.to_string();
        let mut tx = self.pool.begin().await?;
        let reference = anonymised_reference(account_id);
        let done = sqlx::query(
            "UPDATE account SET person_name = $1, reference = $2, ended_reason = '', anonymised_at_ms = $3 \
             WHERE account_id = $4 AND ended_on IS NOT NULL AND ended_on < $5 AND anonymised_at_ms IS NULL",
        )
        .bind(ANONYMISED_NAME)
        .bind(&reference)
        .bind(now_ms)
        .bind(&account)
        .bind(cutoff)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM review_item WHERE account_id = $1")
            .bind(&account)
            .fetch_one(&mut *tx)
            .await?;
        if queued > 0 {
            return Ok(false);
        }
        for sql in [
            "DELETE FROM receipt WHERE account_id = $1",
            "DELETE FROM safeguarding_note WHERE account_id = $1",
            "DELETE FROM pairing_code WHERE account_id = $1",
            "DELETE FROM account_card WHERE account_id = $1",
            "DELETE FROM review_rule WHERE account_id = $1",
            "DELETE FROM statement_line_part WHERE statement_id IN (SELECT statement_id FROM statement WHERE account_id = $1)",
            "DELETE FROM statement_line WHERE statement_id IN (SELECT statement_id FROM statement WHERE account_id = $1)",
            "DELETE FROM statement WHERE account_id = $1",
            "DELETE FROM entry WHERE account_id = $1",
            "UPDATE dp_review SET note = '' WHERE account_id = $1",
            "UPDATE device SET label = 'A device' WHERE account_id = $1",
            "UPDATE payment_schedule SET reference = '' WHERE account_id = $1",
            "UPDATE account_summary SET signals = '[]', answers = '[]' WHERE account_id = $1",
        ] {
            sqlx::query(sql).bind(&account).execute(&mut *tx).await?;
        }
        let plan: Option<String> = sqlx::query_scalar("SELECT body FROM support_plan WHERE account_id = $1")
            .bind(&account)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(body) = plan {
            let mut plan: tally_ledger::SupportPlan = serde_json::from_str(&body)?;
            for version in &mut plan.versions {
                for (n, outcome) in version.outcomes.iter_mut().enumerate() {
                    outcome.text = format!("Outcome {}", n + 1);
                }
            }
            sqlx::query("UPDATE support_plan SET body = $1 WHERE account_id = $2")
                .bind(serde_json::to_string(&plan)?)
                .bind(&account)
                .execute(&mut *tx)
                .await?;
        }
        // The summary keeps its figures; only the name it is found by changes.
        let council_id: String = sqlx::query_scalar("SELECT council_id FROM account WHERE account_id = $1")
            .bind(&account)
            .fetch_one(&mut *tx)
            .await?;
        let search = format!("{} {}", ANONYMISED_NAME.to_lowercase(), reference.to_lowercase());
        sqlx::query("UPDATE account_summary SET reference = $1, search = $2 WHERE account_id = $3")
            .bind(&reference)
            .bind(&search)
            .bind(&account)
            .execute(&mut *tx)
            .await?;
        put_words(&mut tx, &council_id, &account, &search).await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// The reference an anonymised account is listed under: from its id, not the person.
pub fn anonymised_reference(account_id: AccountId) -> String {
    format!("ANON-{}", account_id.to_string().replace('-', "")[..12].to_uppercase())
}
