//! Councils: their names and local policy.

use anyhow::Context;
use tally_ledger::CouncilPolicy;

use super::*;

impl Storage {
    pub async fn council_id_by_name(&self, name: &str) -> anyhow::Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT council_id FROM council WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn create_council(
        &self,
        council_id: &str,
        name: &str,
        policy: &CouncilPolicy,
        now_ms: i64,
    ) -> anyhow::Result<()> {
        sqlx::query("INSERT INTO council (council_id, name, policy, created_at_ms) VALUES ($1, $2, $3, $4)")
            .bind(council_id)
            .bind(name)
            .bind(serde_json::to_string(policy)?)
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A council's policy.
    pub async fn council_policy(&self, council_id: &str) -> anyhow::Result<CouncilPolicy> {
        let body: String = sqlx::query_scalar("SELECT policy FROM council WHERE council_id = $1")
            .bind(council_id)
            .fetch_one(&self.pool)
            .await?;
        serde_json::from_str(&body).context("a stored council policy is unreadable")
    }

    /// Replaces a council's policy; every device takes it on its next sync.
    pub async fn set_council_policy(
        &self,
        council_id: &str,
        policy: &CouncilPolicy,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE council SET policy = $1 WHERE council_id = $2")
            .bind(serde_json::to_string(policy)?)
            .bind(council_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE account_summary SET stale = stale + 1 WHERE council_id = $1")
            .bind(council_id)
            .execute(&mut *tx)
            .await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The database's size in bytes (Postgres; for the benchmarks).
    pub async fn database_size(&self) -> anyhow::Result<u64> {
        let size: i64 = sqlx::query_scalar("SELECT CAST(pg_database_size(current_database()) AS BIGINT)")
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(size).unwrap_or(0))
    }

    /// Every council on this server.
    pub async fn council_ids(&self) -> anyhow::Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT council_id FROM council ORDER BY council_id").fetch_all(&self.pool).await?)
    }

    pub async fn council_name(&self, council_id: &str) -> anyhow::Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT name FROM council WHERE council_id = $1")
            .bind(council_id)
            .fetch_optional(&self.pool)
            .await?)
    }
}
