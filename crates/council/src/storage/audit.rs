//! The audit trail: who did what, to which account, when. Append-only.

use sqlx::any::AnyRow;
use sqlx::Row;
use tally_ledger::AccountId;
use uuid::Uuid;

use super::*;

/// One line of the audit trail.
#[derive(Clone, Copy, Debug)]
pub struct AuditEvent<'a> {
    pub council_id: &'a str,
    pub staff_id: Option<&'a str>,
    pub account_id: Option<AccountId>,
    pub action: &'a str,
    pub detail: &'a str,
}

/// One line of an account's audit trail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditLineRow {
    pub at_ms: i64,
    /// The name of who did it (empty for the server itself).
    pub who: String,
    pub action: String,
    pub detail: String,
}

impl Storage {
    /// Adds to the audit trail (never changed or removed).
    pub async fn audit(&self, event: &AuditEvent<'_>, now_ms: i64) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO audit_event (event_id, council_id, staff_id, account_id, action, detail, at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(event.council_id)
        .bind(event.staff_id)
        .bind(event.account_id.map(|a| a.to_string()))
        .bind(event.action)
        .bind(event.detail)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// An account's audit trail, newest first.
    pub async fn audit_of_account(&self, account_id: AccountId) -> anyhow::Result<Vec<AuditLineRow>> {
        let rows = sqlx::query(
            "SELECT e.at_ms, COALESCE(s.display_name, ''), e.action, e.detail FROM audit_event e \
             LEFT JOIN staff s ON s.staff_id = e.staff_id WHERE e.account_id = $1 ORDER BY e.at_ms DESC, e.event_id DESC",
        )
        .bind(account_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row: AnyRow| {
                Ok(AuditLineRow {
                    at_ms: row.try_get(0)?,
                    who: row.try_get(1)?,
                    action: row.try_get(2)?,
                    detail: row.try_get(3)?,
                })
            })
            .collect()
    }
}
