//! Pairing codes and paired devices.

use sqlx::any::AnyRow;
use sqlx::Row;
use tally_ledger::{AccountId, DeviceId};

use super::*;

/// A paired device, found by its token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceRow {
    pub device_id: DeviceId,
    pub account_id: AccountId,
}

/// A paired device, as the council lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
    pub device_id: DeviceId,
    pub label: String,
    pub paired_at_ms: i64,
    pub revoked_at_ms: Option<i64>,
    /// Records received from this device.
    pub records: i64,
    /// The highest number the device gave a record the council holds.
    pub highest_number: Option<i64>,
    /// Numbers below the highest with no record: records made on the device that have not
    /// arrived (yet).
    pub missing: i64,
    pub last_received_at_ms: Option<i64>,
}

impl Storage {
    /// The account a device was paired with.
    pub async fn account_of_device(&self, device_id: DeviceId) -> anyhow::Result<Option<AccountId>> {
        let account: Option<String> = sqlx::query_scalar("SELECT account_id FROM device WHERE device_id = $1")
            .bind(device_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        account.map(|a| Ok(AccountId(parse_uuid(&a)?))).transpose()
    }

    pub async fn create_pairing_code(
        &self,
        code_hash: &str,
        account_id: AccountId,
        now_ms: i64,
        expires_at_ms: i64,
        audit: Option<&AuditEvent<'_>>,
    ) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        // One live code an account: a new one cancels the codes issued before it (kept,
        // as used at this moment), so a code given out earlier and lost cannot be guessed
        // or found later.
        sqlx::query("UPDATE pairing_code SET used_at_ms = $1 WHERE account_id = $2 AND used_at_ms IS NULL")
            .bind(now_ms)
            .bind(account_id.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO pairing_code (code_hash, account_id, created_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4)",
        )
        .bind(code_hash)
        .bind(account_id.to_string())
        .bind(now_ms)
        .bind(expires_at_ms)
        .execute(&mut *tx)
        .await?;
        if let Some(audit) = audit {
            append_audit(&mut tx, audit, now_ms).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Uses up a pairing code and records the new device, with its audit line (the pairing
    /// from `address`), all or nothing. `None` when the code is unknown, used or expired.
    ///
    /// `held` are the pairings the device says it holds, as (device id, token hash): the
    /// newest that is a device of the code's account holding that token (revoked or not)
    /// is the one the new device carries on from (see [`Storage::device_lineage`]).
    #[allow(clippy::too_many_arguments)]
    pub async fn redeem_pairing_code(
        &self,
        code_hash: &str,
        device_id: DeviceId,
        token_hash: &str,
        label: &str,
        held: &[(DeviceId, String)],
        address: &str,
        now_ms: i64,
    ) -> anyhow::Result<Option<AccountId>> {
        let mut tx = self.pool.begin().await?;
        let account: Option<String> = sqlx::query_scalar(
            "UPDATE pairing_code SET used_at_ms = $1 \
             WHERE code_hash = $2 AND used_at_ms IS NULL AND expires_at_ms > $1 RETURNING account_id",
        )
        .bind(now_ms)
        .bind(code_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(account) = account else {
            return Ok(None);
        };
        let mut replaces: Option<(i64, String)> = None;
        for (held_id, held_hash) in held {
            let paired: Option<i64> = sqlx::query_scalar(
                "SELECT paired_at_ms FROM device WHERE device_id = $1 AND account_id = $2 AND token_hash = $3",
            )
            .bind(held_id.to_string())
            .bind(&account)
            .bind(held_hash)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(at) = paired.filter(|at| replaces.as_ref().is_none_or(|(t, _)| at > t)) {
                replaces = Some((at, held_id.to_string()));
            }
        }
        sqlx::query(
            "INSERT INTO device (device_id, account_id, token_hash, label, paired_at_ms, replaces) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(device_id.to_string())
        .bind(&account)
        .bind(token_hash)
        .bind(label)
        .bind(now_ms)
        .bind(replaces.map(|(_, id)| id))
        .execute(&mut *tx)
        .await?;
        let council: String = sqlx::query_scalar("SELECT council_id FROM account WHERE account_id = $1")
            .bind(&account)
            .fetch_one(&mut *tx)
            .await?;
        let account_id = AccountId(parse_uuid(&account)?);
        let detail = format!("{label} ({device_id})");
        let event = AuditEvent {
            council_id: Some(&council),
            staff_id: None,
            account_id: Some(account_id),
            actor: Actor::Device,
            address: Some(address),
            action: "device paired",
            detail: &detail,
        };
        append_audit(&mut tx, &event, now_ms).await?;
        tx.commit().await?;
        Ok(Some(account_id))
    }

    /// The device holding this token, unless the council revoked it.
    pub async fn device_by_token(&self, token_hash: &str) -> anyhow::Result<Option<DeviceRow>> {
        let row =
            sqlx::query("SELECT device_id, account_id FROM device WHERE token_hash = $1 AND revoked_at_ms IS NULL")
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|row| {
            Ok(DeviceRow {
                device_id: DeviceId(parse_uuid(&row.try_get::<String, _>(0)?)?),
                account_id: AccountId(parse_uuid(&row.try_get::<String, _>(1)?)?),
            })
        })
        .transpose()
    }

    /// A device and the devices it carries on from (see [`Storage::set_replaces`]), newest
    /// first: the devices whose records it may send.
    pub async fn device_lineage(&self, device_id: DeviceId) -> anyhow::Result<Vec<DeviceId>> {
        let mut lineage = vec![device_id];
        // A chain is a phone paired again and again; the cap only guards against a loop.
        while lineage.len() < 100 {
            let last = lineage[lineage.len() - 1];
            let earlier: Option<Option<String>> =
                sqlx::query_scalar("SELECT replaces FROM device WHERE device_id = $1")
                    .bind(last.to_string())
                    .fetch_optional(&self.pool)
                    .await?;
            match earlier.flatten() {
                Some(id) => {
                    let id = DeviceId(parse_uuid(&id)?);
                    if lineage.contains(&id) {
                        break;
                    }
                    lineage.push(id);
                }
                None => break,
            }
        }
        Ok(lineage)
    }

    /// Every device paired with an account, newest first, revoked ones too, with what the
    /// council has received from each.
    pub async fn devices(&self, account_id: AccountId) -> anyhow::Result<Vec<DeviceInfo>> {
        let rows = sqlx::query(
            "SELECT d.device_id, d.label, d.paired_at_ms, d.revoked_at_ms, \
                    COUNT(e.entry_id), COUNT(DISTINCT e.device_seq), MAX(e.device_seq), MAX(e.received_at_ms) \
             FROM device d LEFT JOIN entry e ON e.device_id = d.device_id AND e.account_id = d.account_id \
             WHERE d.account_id = $1 \
             GROUP BY d.device_id, d.label, d.paired_at_ms, d.revoked_at_ms \
             ORDER BY d.paired_at_ms DESC, d.device_id",
        )
        .bind(account_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row: AnyRow| {
                let numbered: i64 = row.try_get(5)?;
                let highest: Option<i64> = row.try_get(6)?;
                Ok(DeviceInfo {
                    device_id: DeviceId(parse_uuid(&row.try_get::<String, _>(0)?)?),
                    label: row.try_get(1)?,
                    paired_at_ms: row.try_get(2)?,
                    revoked_at_ms: row.try_get(3)?,
                    records: row.try_get(4)?,
                    highest_number: highest,
                    missing: highest.map_or(0, |h| (h - numbered).max(0)),
                    last_received_at_ms: row.try_get(7)?,
                })
            })
            .collect()
    }

    /// Stops a device's token working (a lost or replaced phone). What it sent stays.
    /// Returns the account it belonged to, or `None` if there is no such device or it was
    /// revoked already.
    ///
    /// `audit` is written in the same transaction, as a line about the device's account
    /// (its council and account are filled in here).
    pub async fn revoke_device(
        &self,
        device_id: DeviceId,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<Option<AccountId>> {
        let mut tx = self.pool.begin().await?;
        let account: Option<String> = sqlx::query_scalar(
            "UPDATE device SET revoked_at_ms = $1 WHERE device_id = $2 AND revoked_at_ms IS NULL RETURNING account_id",
        )
        .bind(now_ms)
        .bind(device_id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(account) = account else { return Ok(None) };
        let account_id = AccountId(parse_uuid(&account)?);
        let council: String = sqlx::query_scalar("SELECT council_id FROM account WHERE account_id = $1")
            .bind(&account)
            .fetch_one(&mut *tx)
            .await?;
        let event = AuditEvent { council_id: Some(&council), account_id: Some(account_id), ..*audit };
        append_audit(&mut tx, &event, now_ms).await?;
        tx.commit().await?;
        Ok(Some(account_id))
    }
}
