//! What officers recorded about safeguarding signals. Append-only.

use sqlx::any::AnyRow;
use sqlx::Row;
use tally_api::SafeguardingOutcome;
use tally_ledger::AccountId;
use uuid::Uuid;

use super::*;

/// What an officer recorded about a safeguarding signal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SafeguardingNoteRow {
    /// The signal's key ([`tally_ledger::Signal::key`]).
    pub key: String,
    pub outcome: SafeguardingOutcome,
    pub note: String,
    /// The name of who recorded it.
    pub who: String,
    pub at_ms: i64,
}

impl Storage {
    /// Records what an officer found about a safeguarding signal.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_safeguarding_note(
        &self,
        account_id: AccountId,
        key: &str,
        outcome: SafeguardingOutcome,
        note: &str,
        staff_id: &str,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO safeguarding_note (note_id, account_id, signal_key, outcome, note, staff_id, at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(account_id.to_string())
        .bind(key)
        .bind(outcome.as_str())
        .bind(note)
        .bind(staff_id)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        mark_stale(&mut tx, account_id).await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An account's safeguarding notes, newest first.
    pub async fn safeguarding_notes(&self, account_id: AccountId) -> anyhow::Result<Vec<SafeguardingNoteRow>> {
        let rows = sqlx::query(
            "SELECT n.signal_key, n.outcome, n.note, s.display_name, n.at_ms FROM safeguarding_note n \
             JOIN staff s ON s.staff_id = n.staff_id WHERE n.account_id = $1 ORDER BY n.at_ms DESC, n.note_id DESC",
        )
        .bind(account_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row: AnyRow| {
                let outcome: String = row.try_get(1)?;
                Ok(SafeguardingNoteRow {
                    key: row.try_get(0)?,
                    outcome: SafeguardingOutcome::parse(&outcome)
                        .with_context(|| format!("the database holds an unknown safeguarding outcome {outcome:?}"))?,
                    note: row.try_get(2)?,
                    who: row.try_get(3)?,
                    at_ms: row.try_get(4)?,
                })
            })
            .collect()
    }
}
