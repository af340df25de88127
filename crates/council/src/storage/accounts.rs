//! Direct payment accounts: who they are for, their council, their support plan.

use anyhow::Context;
use sqlx::any::AnyRow;
use sqlx::Row;
use tally_ledger::{AccountId, CouncilPolicy, SupportPlan};

use super::*;

/// A direct payment account as the council holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRow {
    pub account_id: AccountId,
    pub reference: String,
    pub person_name: String,
    pub council_name: String,
}

pub(super) fn account_from_row(row: AnyRow) -> anyhow::Result<AccountRow> {
    Ok(AccountRow {
        account_id: AccountId(parse_uuid(&row.try_get::<String, _>(0)?)?),
        reference: row.try_get(1)?,
        person_name: row.try_get(2)?,
        council_name: row.try_get(3)?,
    })
}

impl Storage {
    /// Creates an account with its support plan, all or nothing.
    pub async fn create_account(
        &self,
        account: &AccountRow,
        council_id: &str,
        plan: &SupportPlan,
        now_ms: i64,
    ) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO account (account_id, council_id, reference, person_name, last_seq, created_at_ms) \
             VALUES ($1, $2, $3, $4, 0, $5)",
        )
        .bind(account.account_id.to_string())
        .bind(council_id)
        .bind(&account.reference)
        .bind(&account.person_name)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO support_plan (account_id, body, updated_at_ms) VALUES ($1, $2, $3)")
            .bind(account.account_id.to_string())
            .bind(serde_json::to_string(plan)?)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO council_total (council_id, accounts, surplus_pence, opened) VALUES ($1, 0, 0, 1) \
             ON CONFLICT (council_id) DO UPDATE SET opened = council_total.opened + 1",
        )
        .bind(council_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn account(&self, account_id: AccountId) -> anyhow::Result<Option<AccountRow>> {
        let row = sqlx::query(
            "SELECT a.account_id, a.reference, a.person_name, c.name \
             FROM account a JOIN council c ON c.council_id = a.council_id WHERE a.account_id = $1",
        )
        .bind(account_id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.map(account_from_row).transpose()
    }

    /// An account of one council, by reference (`None` for another council's account).
    pub async fn council_account_by_reference(
        &self,
        council_id: &str,
        reference: &str,
    ) -> anyhow::Result<Option<AccountRow>> {
        let row = sqlx::query(
            "SELECT a.account_id, a.reference, a.person_name, c.name \
             FROM account a JOIN council c ON c.council_id = a.council_id WHERE a.reference = $1 AND a.council_id = $2",
        )
        .bind(reference)
        .bind(council_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(account_from_row).transpose()
    }

    /// The council's accounts with these references, or these ids (`by_id`), whichever
    /// exist.
    pub async fn council_accounts_where(
        &self,
        council_id: &str,
        by_id: bool,
        keys: &[String],
    ) -> anyhow::Result<Vec<AccountRow>> {
        let mut found = Vec::new();
        let column = if by_id { "a.account_id" } else { "a.reference" };
        for chunk in keys.chunks(IDS_PER_STATEMENT) {
            let sql = format!(
                "SELECT a.account_id, a.reference, a.person_name, c.name \
                 FROM account a JOIN council c ON c.council_id = a.council_id WHERE a.council_id = $1 AND {column} IN ({})",
                placeholders(2, chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(council_id);
            for key in chunk {
                query = query.bind(key);
            }
            for row in query.fetch_all(&self.pool).await? {
                found.push(account_from_row(row)?);
            }
        }
        Ok(found)
    }

    /// The accounts with this reference in every council on the server (for the command
    /// line, which serves them all; a reference is unique only within its council).
    pub async fn accounts_by_reference(&self, reference: &str) -> anyhow::Result<Vec<AccountRow>> {
        let rows = sqlx::query(
            "SELECT a.account_id, a.reference, a.person_name, c.name \
             FROM account a JOIN council c ON c.council_id = a.council_id WHERE a.reference = $1 ORDER BY c.name",
        )
        .bind(reference)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(account_from_row).collect()
    }

    /// The account with this reference, for the command line: `council` (a council's name)
    /// is needed only when more than one council on the server uses the reference.
    pub async fn account_by_reference(
        &self,
        council: Option<&str>,
        reference: &str,
    ) -> anyhow::Result<Option<AccountRow>> {
        let mut found = self.accounts_by_reference(reference).await?;
        if let Some(council) = council {
            found.retain(|row| row.council_name.eq_ignore_ascii_case(council.trim()));
        }
        anyhow::ensure!(
            found.len() <= 1,
            "more than one council has an account {reference} ({}): say which with --council",
            found.iter().map(|row| row.council_name.as_str()).collect::<Vec<_>>().join(", ")
        );
        Ok(found.pop())
    }

    /// The account's support plan (empty if it has none yet).
    pub async fn support_plan(&self, account_id: AccountId) -> anyhow::Result<SupportPlan> {
        let body: Option<String> = sqlx::query_scalar("SELECT body FROM support_plan WHERE account_id = $1")
            .bind(account_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        match body {
            Some(body) => serde_json::from_str(&body).context("a stored support plan is unreadable"),
            None => Ok(SupportPlan::default()),
        }
    }

    /// Replaces the account's support plan document (all its versions). Devices take it
    /// on their next sync round.
    pub async fn set_support_plan(
        &self,
        account_id: AccountId,
        plan: &SupportPlan,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE support_plan SET body = $1, updated_at_ms = $2 WHERE account_id = $3")
            .bind(serde_json::to_string(plan)?)
            .bind(now_ms)
            .bind(account_id.to_string())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        mark_stale(&mut tx, account_id).await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The policy of the council the account belongs to.
    pub async fn policy_for(&self, account_id: AccountId) -> anyhow::Result<CouncilPolicy> {
        let body: String = sqlx::query_scalar(
            "SELECT c.policy FROM council c JOIN account a ON a.council_id = c.council_id WHERE a.account_id = $1",
        )
        .bind(account_id.to_string())
        .fetch_one(&self.pool)
        .await?;
        serde_json::from_str(&body).context("a stored council policy is unreadable")
    }

    /// Every account of a council, by reference.
    pub async fn accounts_of_council(&self, council_id: &str) -> anyhow::Result<Vec<AccountRow>> {
        let rows = sqlx::query(
            "SELECT a.account_id, a.reference, a.person_name, c.name \
             FROM account a JOIN council c ON c.council_id = a.council_id WHERE a.council_id = $1 ORDER BY a.reference",
        )
        .bind(council_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(account_from_row).collect()
    }

    /// The sequence number of the account's last record (0 when it has none).
    pub async fn account_last_seq(&self, account_id: AccountId) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar("SELECT last_seq FROM account WHERE account_id = $1")
            .bind(account_id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .unwrap_or(0))
    }

    /// The council an account belongs to.
    pub async fn council_of_account(&self, account_id: AccountId) -> anyhow::Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT council_id FROM account WHERE account_id = $1")
            .bind(account_id.to_string())
            .fetch_optional(&self.pool)
            .await?)
    }
}
