//! Receipt photos, named by their SHA-256.

use sqlx::any::AnyRow;
use sqlx::Row;
use tally_ledger::{AccountId, DeviceId};

use super::*;

/// A receipt photo offered for keeping, already checked.
#[derive(Clone, Copy, Debug)]
pub struct NewReceipt<'a> {
    pub account_id: AccountId,
    pub sha256: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
    pub device_id: Option<DeviceId>,
}

/// A receipt photo as kept: its type and bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptRow {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Storage {
    /// Every photo the council holds for the account (their SHA-256 names, in order).
    pub async fn receipt_names(&self, account_id: AccountId) -> anyhow::Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT sha256 FROM receipt WHERE account_id = $1 ORDER BY sha256")
            .bind(account_id.to_string())
            .fetch_all(&self.pool)
            .await?)
    }

    /// Which of these photos (by SHA-256) the council holds for the account.
    pub async fn receipts_held(&self, account_id: AccountId, names: &[String]) -> anyhow::Result<Vec<String>> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT sha256 FROM receipt WHERE account_id = $1 AND sha256 IN ({})",
            placeholders(2, names.len())
        );
        let mut query = sqlx::query_scalar(&sql).bind(account_id.to_string());
        for name in names {
            query = query.bind(name);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// The bytes of the photos an account received since a moment.
    pub async fn photo_bytes_since(&self, account_id: AccountId, since_ms: i64) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT) FROM receipt WHERE account_id = $1 AND uploaded_at_ms > $2",
        )
        .bind(account_id.to_string())
        .bind(since_ms)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Keeps a photo; a second copy of the same one changes nothing. `true` when it was new.
    pub async fn store_receipt(&self, receipt: &NewReceipt<'_>, now_ms: i64) -> anyhow::Result<bool> {
        let done = sqlx::query(
            "INSERT INTO receipt (account_id, sha256, content_type, size_bytes, body, device_id, uploaded_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account_id, sha256) DO NOTHING",
        )
        .bind(receipt.account_id.to_string())
        .bind(receipt.sha256)
        .bind(receipt.content_type)
        .bind(receipt.bytes.len() as i64)
        .bind(receipt.bytes.to_vec())
        .bind(receipt.device_id.map(|d| d.to_string()))
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A photo the council holds: its type and bytes.
    pub async fn receipt(&self, account_id: AccountId, sha256: &str) -> anyhow::Result<Option<ReceiptRow>> {
        let row = sqlx::query("SELECT content_type, body FROM receipt WHERE account_id = $1 AND sha256 = $2")
            .bind(account_id.to_string())
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row: AnyRow| Ok(ReceiptRow { content_type: row.try_get(0)?, bytes: row.try_get(1)? })).transpose()
    }
}
