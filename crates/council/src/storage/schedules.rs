//! Regular payments in.

use sqlx::any::AnyRow;
use sqlx::Row;
use tally_ledger::AccountId;

use super::*;

/// A regular payment in. `next_date` is ISO text; `amount` whole pence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleRow {
    pub schedule_id: String,
    pub account_id: AccountId,
    pub amount: i64,
    pub every_weeks: i64,
    pub next_date: String,
    pub reference: String,
}

const SCHEDULE_SELECT: &str =
    "SELECT schedule_id, account_id, amount, every_weeks, next_date, reference FROM payment_schedule";

fn schedule_from_row(row: AnyRow) -> anyhow::Result<ScheduleRow> {
    Ok(ScheduleRow {
        schedule_id: row.try_get(0)?,
        account_id: AccountId(parse_uuid(&row.try_get::<String, _>(1)?)?),
        amount: row.try_get(2)?,
        every_weeks: row.try_get(3)?,
        next_date: row.try_get(4)?,
        reference: row.try_get(5)?,
    })
}

impl Storage {
    /// Adds a schedule of payments in, with its audit line.
    pub async fn create_schedule(
        &self,
        schedule: &ScheduleRow,
        created_by: &str,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO payment_schedule (schedule_id, account_id, amount, every_weeks, next_date, reference, created_by, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&schedule.schedule_id)
        .bind(schedule.account_id.to_string())
        .bind(schedule.amount)
        .bind(schedule.every_weeks)
        .bind(&schedule.next_date)
        .bind(&schedule.reference)
        .bind(created_by)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An account's running schedules.
    pub async fn schedules_of_account(&self, account_id: AccountId) -> anyhow::Result<Vec<ScheduleRow>> {
        let rows = sqlx::query(&format!(
            "{SCHEDULE_SELECT} WHERE account_id = $1 AND stopped_at_ms IS NULL ORDER BY next_date, schedule_id"
        ))
        .bind(account_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(schedule_from_row).collect()
    }

    /// Running schedules with a payment due on or before `today` (ISO dates sort as text).
    pub async fn due_schedules(&self, today: &str) -> anyhow::Result<Vec<ScheduleRow>> {
        let rows = sqlx::query(&format!(
            "{SCHEDULE_SELECT} WHERE stopped_at_ms IS NULL AND next_date <= $1 ORDER BY next_date, schedule_id"
        ))
        .bind(today)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(schedule_from_row).collect()
    }

    /// Moves a schedule on, only from the date it was read with (another server may have
    /// moved it already).
    pub async fn advance_schedule(&self, schedule_id: &str, from: &str, to: &str) -> anyhow::Result<bool> {
        let done = sqlx::query("UPDATE payment_schedule SET next_date = $1 WHERE schedule_id = $2 AND next_date = $3")
            .bind(to)
            .bind(schedule_id)
            .bind(from)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Stops a schedule of an account. `false` if there is no such running schedule.
    pub async fn stop_schedule(
        &self,
        account_id: AccountId,
        schedule_id: &str,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE payment_schedule SET stopped_at_ms = $1 WHERE schedule_id = $2 AND account_id = $3 AND stopped_at_ms IS NULL")
            .bind(now_ms)
            .bind(schedule_id)
            .bind(account_id.to_string())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(true)
    }
}
