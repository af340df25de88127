//! The records of each account: stored once each, numbered in order, pulled after a
//! cursor; and when they arrived.

use std::collections::HashMap;

use anyhow::Context;
use sqlx::any::AnyRow;
use sqlx::Row;
use tally_ledger::{AccountId, Entry, EntryId};

use super::*;

/// An entry offered for storage.
#[derive(Clone, Debug)]
pub struct NewEntry {
    pub entry: Entry,
    /// Its canonical JSON, as stored.
    pub body: String,
}

impl NewEntry {
    pub fn new(entry: Entry) -> anyhow::Result<NewEntry> {
        let body = serde_json::to_string(&entry)?;
        Ok(NewEntry { entry, body })
    }
}

/// What storing one entry did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreOutcome {
    Stored,
    AlreadyStored,
    /// An entry with this id and different content is already stored; it stays as it was.
    Conflict,
}

/// An entry as stored: its sequence number in the account and its canonical JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEntry {
    pub seq: i64,
    pub body: String,
}

/// When an entry arrived at the council.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arrival {
    pub entry_id: EntryId,
    pub received_at_ms: i64,
}

/// One delivery of records from a device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryRow {
    pub at_ms: i64,
    pub device_label: String,
    /// How many new records it brought.
    pub records: i64,
}

impl Storage {
    /// How many records an account received since a moment.
    pub async fn records_received_since(&self, account_id: AccountId, since_ms: i64) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM entry WHERE account_id = $1 AND received_at_ms > $2")
            .bind(account_id.to_string())
            .bind(since_ms)
            .fetch_one(&self.pool)
            .await?)
    }

    /// The ids of an account's entries that arrived after a moment, with when each did.
    pub async fn entries_received_after(&self, account_id: AccountId, after_ms: i64) -> anyhow::Result<Vec<Arrival>> {
        let rows = sqlx::query("SELECT entry_id, received_at_ms FROM entry WHERE account_id = $1 AND received_at_ms > $2 ORDER BY account_seq")
            .bind(account_id.to_string())
            .bind(after_ms)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|row: AnyRow| {
                Ok(Arrival {
                    entry_id: EntryId(parse_uuid(&row.try_get::<String, _>(0)?)?),
                    received_at_ms: row.try_get(1)?,
                })
            })
            .collect()
    }

    /// When the council last received a record from one of the account's devices.
    pub async fn last_received_from_devices(&self, account_id: AccountId) -> anyhow::Result<Option<i64>> {
        Ok(sqlx::query_scalar("SELECT MAX(received_at_ms) FROM entry WHERE account_id = $1 AND device_id IS NOT NULL")
            .bind(account_id.to_string())
            .fetch_one(&self.pool)
            .await?)
    }

    /// The latest deliveries of records from the account's devices, newest first. A push
    /// stores its records at one time, so each group is one delivery (or several in the same
    /// millisecond).
    pub async fn sync_history(&self, account_id: AccountId, limit: i64) -> anyhow::Result<Vec<DeliveryRow>> {
        let rows = sqlx::query(
            "SELECT e.received_at_ms, d.label, COUNT(*) FROM entry e JOIN device d ON d.device_id = e.device_id \
             WHERE e.account_id = $1 GROUP BY e.received_at_ms, d.device_id, d.label ORDER BY e.received_at_ms DESC, d.label LIMIT $2",
        )
        .bind(account_id.to_string())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(DeliveryRow { at_ms: row.try_get(0)?, device_label: row.try_get(1)?, records: row.try_get(2)? })
            })
            .collect()
    }

    /// Every entry of an account, in the order the council received them.
    pub async fn all_entries(&self, account_id: AccountId) -> anyhow::Result<Vec<Entry>> {
        let rows = self.entries_after(account_id, 0, i64::MAX).await?;
        rows.into_iter()
            .map(|row| {
                serde_json::from_str(&row.body)
                    .with_context(|| format!("stored entry {} of {account_id} is unreadable", row.seq))
            })
            .collect()
    }

    /// Stores a batch of entries for one account in one transaction, giving each new entry
    /// the next account sequence number. Returns one outcome per entry, in order; `None`
    /// if the account does not exist.
    ///
    /// The first statement updates the account row, which takes its write lock (a row
    /// lock on Postgres, the database lock on SQLite) until commit: pushes to one account
    /// are serialised, so sequence numbers become visible in order and a pull cursor never
    /// skips an entry.
    pub async fn store_entries(
        &self,
        account_id: AccountId,
        entries: &[NewEntry],
        now_ms: i64,
    ) -> anyhow::Result<Option<Vec<StoreOutcome>>> {
        let mut tx = self.pool.begin().await?;
        let outcomes = store_in(&mut tx, account_id, entries, now_ms).await?;
        if outcomes.is_some() {
            tx.commit().await?;
        }
        Ok(outcomes)
    }

    /// Stores entries for several accounts in one transaction: all or none. The accounts'
    /// rows are locked in the order of their ids, so two such batches cannot deadlock.
    /// `None` if one of the accounts does not exist (then nothing is stored).
    pub async fn store_entries_for_accounts(
        &self,
        batches: &[(AccountId, Vec<NewEntry>)],
        now_ms: i64,
    ) -> anyhow::Result<Option<Vec<Vec<StoreOutcome>>>> {
        self.store_entries_and_charge_lines(batches, &[], &[], now_ms).await
    }

    /// [`Storage::store_entries_for_accounts`], and in the same transaction the statement
    /// lines the new charges are for. `None` also when one of the lines is on a closed
    /// statement or is already charged (then nothing is stored).
    pub async fn store_entries_and_charge_lines(
        &self,
        batches: &[(AccountId, Vec<NewEntry>)],
        charged: &[ChargedLine],
        audits: &[AuditEvent<'_>],
        now_ms: i64,
    ) -> anyhow::Result<Option<Vec<Vec<StoreOutcome>>>> {
        let mut order: Vec<usize> = (0..batches.len()).collect();
        order.sort_by_key(|&i| batches[i].0.to_string());
        let mut tx = self.pool.begin().await?;
        let mut outcomes: Vec<Option<Vec<StoreOutcome>>> = vec![None; batches.len()];
        for i in order {
            let (account_id, entries) = &batches[i];
            match store_in(&mut tx, *account_id, entries, now_ms).await? {
                Some(stored) => outcomes[i] = Some(stored),
                None => return Ok(None),
            }
        }
        for line in charged {
            let sql = if line.fee_column {
                "UPDATE statement_line SET fee_entry_id = $1 WHERE statement_id = $2 AND line_no = $3 \
                 AND fee > 0 AND COALESCE(fee_entry_id, '') = $4 \
                 AND statement_id IN (SELECT statement_id FROM statement WHERE closed_at_ms IS NULL)"
            } else {
                "UPDATE statement_line SET entry_id = $1, state = 'confirmed' WHERE statement_id = $2 AND line_no = $3 \
                 AND COALESCE(entry_id, '') = $4 AND paired_with IS NULL \
                 AND statement_id IN (SELECT statement_id FROM statement WHERE closed_at_ms IS NULL)"
            };
            let done = sqlx::query(sql)
                .bind(&line.entry_id)
                .bind(&line.statement_id)
                .bind(line.line_no)
                .bind(&line.seen)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() != 1 {
                return Ok(None);
            }
            if !line.fee_column {
                sqlx::query("DELETE FROM statement_line_part WHERE statement_id = $1 AND line_no = $2")
                    .bind(&line.statement_id)
                    .bind(line.line_no)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for statement_id in charged.iter().map(|c| &c.statement_id).collect::<std::collections::BTreeSet<_>>() {
            sqlx::query(
                "UPDATE account_summary SET stale = stale + 1 WHERE account_id = (SELECT account_id FROM statement WHERE statement_id = $1)",
            )
            .bind(statement_id)
            .execute(&mut *tx)
            .await?;
        }
        for event in audits {
            append_audit(&mut tx, event, now_ms).await?;
        }
        tx.commit().await?;
        Ok(outcomes.into_iter().collect())
    }

    /// Entries of an account after a cursor, oldest first, at most `limit`: pairs of
    /// (sequence number, canonical JSON).
    pub async fn entries_after(
        &self,
        account_id: AccountId,
        after: i64,
        limit: i64,
    ) -> anyhow::Result<Vec<StoredEntry>> {
        let rows = sqlx::query(
            "SELECT account_seq, body FROM entry WHERE account_id = $1 AND account_seq > $2 \
             ORDER BY account_seq LIMIT $3",
        )
        .bind(account_id.to_string())
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(|row: AnyRow| Ok(StoredEntry { seq: row.try_get(0)?, body: row.try_get(1)? })).collect()
    }

    /// How many entries with this id are stored (0 or 1): for tests and checks.
    pub async fn count_entries_with_id(&self, entry_id: EntryId) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM entry WHERE entry_id = $1")
            .bind(entry_id.to_string())
            .fetch_one(&self.pool)
            .await?)
    }
}

/// Stores a batch of one account's entries inside `tx` (see [`Storage::store_entries`]).
pub(super) async fn store_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    account_id: AccountId,
    entries: &[NewEntry],
    now_ms: i64,
) -> anyhow::Result<Option<Vec<StoreOutcome>>> {
    let account = account_id.to_string();
    let last_seq: Option<i64> = sqlx::query_scalar(
        "UPDATE account SET last_seq = last_seq WHERE account_id = $1 AND ended_on IS NULL RETURNING last_seq",
    )
    .bind(&account)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(mut seq) = last_seq else {
        return Ok(None);
    };
    // What is held already under these ids, read in a few statements rather than one
    // per entry.
    let mut held: HashMap<String, String> = HashMap::new();
    for chunk in entries.chunks(IDS_PER_STATEMENT) {
        let sql = format!("SELECT entry_id, body FROM entry WHERE entry_id IN ({})", placeholders(1, chunk.len()));
        let mut query = sqlx::query(&sql);
        for new in chunk {
            query = query.bind(new.entry.id.to_string());
        }
        for row in query.fetch_all(&mut **tx).await? {
            held.insert(row.try_get(0)?, row.try_get(1)?);
        }
    }
    // Compared as entries, not as text: a record stored before a field was added is
    // still the same record when it is sent again. The same id twice in one batch is
    // judged against the first.
    let mut outcomes = Vec::with_capacity(entries.len());
    let mut fresh: HashMap<EntryId, &Entry> = HashMap::new();
    let mut rows: Vec<(String, i64, &NewEntry)> = Vec::new();
    for new in entries {
        let id = new.entry.id.to_string();
        let outcome = if let Some(body) = held.get(&id) {
            let same = serde_json::from_str::<Entry>(body).is_ok_and(|stored| stored == new.entry);
            if same {
                StoreOutcome::AlreadyStored
            } else {
                StoreOutcome::Conflict
            }
        } else if let Some(first) = fresh.get(&new.entry.id) {
            if **first == new.entry {
                StoreOutcome::AlreadyStored
            } else {
                StoreOutcome::Conflict
            }
        } else {
            seq += 1;
            fresh.insert(new.entry.id, &new.entry);
            rows.push((id, seq, new));
            StoreOutcome::Stored
        };
        outcomes.push(outcome);
    }
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let values: Vec<String> = (0..chunk.len()).map(|i| format!("({})", placeholders(i * 7 + 1, 7))).collect();
        let sql = format!(
            "INSERT INTO entry (entry_id, account_id, account_seq, device_id, device_seq, body, received_at_ms) \
             VALUES {}",
            values.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for (id, seq, new) in chunk {
            query = query
                .bind(id.as_str())
                .bind(account.as_str())
                .bind(*seq)
                .bind(new.entry.author.device.map(|d| d.to_string()))
                .bind(new.entry.author.device_seq.and_then(|n| i64::try_from(n).ok()))
                .bind(new.body.as_str())
                .bind(now_ms);
        }
        query.execute(&mut **tx).await?;
    }
    if !rows.is_empty() {
        // The account's summary is out of date from now (see `stale_summaries`).
        sqlx::query("UPDATE account_summary SET stale = stale + 1 WHERE account_id = $1")
            .bind(&account)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("UPDATE account SET last_seq = $1 WHERE account_id = $2")
        .bind(seq)
        .bind(&account)
        .execute(&mut **tx)
        .await?;
    Ok(Some(outcomes))
}
