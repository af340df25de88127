//! Imported statements, their lines and matches, and saved statement formats.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::Row;
use tally_ledger::AccountId;

use super::*;

/// An imported statement. Dates are ISO text; money whole pence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementRow {
    pub statement_id: String,
    pub account_id: AccountId,
    pub format: String,
    pub first_date: String,
    pub last_date: String,
    pub closing_balance: Option<i64>,
    /// Written as the staff id; read back as their name.
    pub imported_by: String,
    pub imported_at_ms: i64,
    /// The name of who closed it, and when.
    pub closed: Option<(String, i64)>,
    /// What it showed when it was closed (a `StatementView` as JSON).
    pub closed_view: Option<String>,
    /// When an officer last marked the records that arrived after closing as seen.
    pub late_seen_at_ms: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementLineRow {
    pub line_no: i64,
    pub date: String,
    pub amount: i64,
    pub description: String,
    pub reference: String,
    /// The matched record; for `rejected`, the spending an officer turned down as the match.
    pub entry_id: Option<String>,
    /// `certain`, `proposed`, `confirmed`, `none`, `rejected` (a spend the person logged in
    /// answer to the line's question, which an officer found is not its match), or
    /// `reversed` (cancelled by, or cancelling, the line `paired_with` names).
    pub state: String,
    pub confidence: i64,
    /// For a reversal and the line it cancels (state `reversed`): the other's number.
    pub paired_with: Option<i64>,
    /// `fee` for the provider's own charge (a fee entry type), else empty.
    pub kind: String,
    /// A fee charged with the line (a fee column), pence, positive; 0 for none.
    pub fee: i64,
    /// The charge recorded for `fee`.
    pub fee_entry_id: Option<String>,
    /// For a line several records make up together (state `split`): those records.
    pub parts: Vec<String>,
}

/// A charge recorded for a statement line: the line's own match (a fee line), or the
/// charge of the fee beside its amount (a fee column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChargedLine {
    pub statement_id: String,
    pub line_no: i64,
    pub entry_id: String,
    /// The fee beside the amount, not the line itself.
    pub fee_column: bool,
    /// What the line (or its fee) was stored as matched with when the officer looked ("" for
    /// nothing, or a record cancelled since): a line changed meanwhile is not charged.
    pub seen: String,
}

/// A card or bank account on a feed for many cardholders, and whose it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardRow {
    /// As compared: without spaces, `-` or `_`, lower case.
    pub card: String,
    /// As the officer wrote it.
    pub written: String,
    pub account_id: AccountId,
}

const STATEMENT_SELECT: &str =
    "SELECT s.statement_id, s.account_id, s.format, s.first_date, s.last_date, s.closing_balance, \
     i.display_name, s.imported_at_ms, c.display_name, s.closed_at_ms, s.closed_view, s.late_seen_at_ms \
     FROM statement s JOIN staff i ON i.staff_id = s.imported_by LEFT JOIN staff c ON c.staff_id = s.closed_by";

fn statement_from_row(row: AnyRow) -> anyhow::Result<StatementRow> {
    let closed_by: Option<String> = row.try_get(8)?;
    let closed_at: Option<i64> = row.try_get(9)?;
    Ok(StatementRow {
        statement_id: row.try_get(0)?,
        account_id: AccountId(parse_uuid(&row.try_get::<String, _>(1)?)?),
        format: row.try_get(2)?,
        first_date: row.try_get(3)?,
        last_date: row.try_get(4)?,
        closing_balance: row.try_get(5)?,
        imported_by: row.try_get(6)?,
        imported_at_ms: row.try_get(7)?,
        closed: closed_by.zip(closed_at),
        closed_view: row.try_get(10)?,
        late_seen_at_ms: row.try_get(11)?,
    })
}

/// A provider's column mapping, saved under a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementFormatRow {
    pub name: String,
    /// The mapping as JSON.
    pub mapping: String,
}

/// A statement changed: its account's summary (open statements, late records) is out of date.
const STALE_BY_STATEMENT: &str =
    "UPDATE account_summary SET stale = stale + 1 WHERE account_id = (SELECT account_id FROM statement WHERE statement_id = $1)";

impl Storage {
    /// Keeps imported statements (a feed's, one for each cardholder's account) with all
    /// their lines and the import's audit lines, all or nothing.
    pub async fn create_statements(
        &self,
        statements: &[(StatementRow, Vec<StatementLineRow>)],
        audits: &[AuditEvent<'_>],
        now_ms: i64,
    ) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        for (statement, lines) in statements {
            insert_statement(&mut tx, statement, lines).await?;
        }
        for audit in audits {
            append_audit(&mut tx, audit, now_ms).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// An account's statements, newest period first.
    pub async fn statements(&self, account_id: AccountId) -> anyhow::Result<Vec<StatementRow>> {
        let rows = sqlx::query(&format!(
            "{STATEMENT_SELECT} WHERE s.account_id = $1 ORDER BY s.first_date DESC, s.statement_id"
        ))
        .bind(account_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(statement_from_row).collect()
    }

    pub async fn statement(&self, account_id: AccountId, statement_id: &str) -> anyhow::Result<Option<StatementRow>> {
        let row = sqlx::query(&format!("{STATEMENT_SELECT} WHERE s.account_id = $1 AND s.statement_id = $2"))
            .bind(account_id.to_string())
            .bind(statement_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(statement_from_row).transpose()
    }

    pub async fn statement_lines(&self, statement_id: &str) -> anyhow::Result<Vec<StatementLineRow>> {
        let rows = sqlx::query(
            "SELECT line_no, line_date, amount, description, reference, entry_id, state, confidence, paired_with, \
             kind, fee, fee_entry_id FROM statement_line WHERE statement_id = $1 ORDER BY line_no",
        )
        .bind(statement_id)
        .fetch_all(&self.pool)
        .await?;
        let mut parts: HashMap<i64, Vec<String>> = HashMap::new();
        let part_rows = sqlx::query(
            "SELECT line_no, entry_id FROM statement_line_part WHERE statement_id = $1 ORDER BY line_no, entry_id",
        )
        .bind(statement_id)
        .fetch_all(&self.pool)
        .await?;
        for row in part_rows {
            parts.entry(row.try_get(0)?).or_default().push(row.try_get(1)?);
        }
        rows.into_iter()
            .map(|row: AnyRow| {
                Ok(StatementLineRow {
                    line_no: row.try_get(0)?,
                    date: row.try_get(1)?,
                    amount: row.try_get(2)?,
                    description: row.try_get(3)?,
                    reference: row.try_get(4)?,
                    entry_id: row.try_get(5)?,
                    state: row.try_get(6)?,
                    confidence: row.try_get(7)?,
                    paired_with: row.try_get(8)?,
                    kind: row.try_get(9)?,
                    fee: row.try_get(10)?,
                    fee_entry_id: row.try_get(11)?,
                    parts: parts.remove(&row.try_get::<i64, _>(0)?).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Sets what a line of an open statement is matched with. `false` when the statement
    /// is closed or has no such line.
    pub async fn set_line_match(
        &self,
        statement_id: &str,
        line_no: i64,
        entry_id: Option<&str>,
        state: &str,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<bool> {
        self.set_line_parts(statement_id, line_no, entry_id, state, &[], audit, now_ms).await
    }

    /// Sets what a line of an open statement is matched with: one record (`entry_id`), or
    /// several that together make it up (`parts`, state `split`). `false` when the
    /// statement is closed or has no such line (then nothing changes).
    #[allow(clippy::too_many_arguments)]
    pub async fn set_line_parts(
        &self,
        statement_id: &str,
        line_no: i64,
        entry_id: Option<&str>,
        state: &str,
        parts: &[String],
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE statement_line SET entry_id = $1, state = $2 WHERE statement_id = $3 AND line_no = $4 \
             AND statement_id IN (SELECT statement_id FROM statement WHERE closed_at_ms IS NULL)",
        )
        .bind(entry_id)
        .bind(state)
        .bind(statement_id)
        .bind(line_no)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM statement_line_part WHERE statement_id = $1 AND line_no = $2")
            .bind(statement_id)
            .bind(line_no)
            .execute(&mut *tx)
            .await?;
        let head = "INSERT INTO statement_line_part (statement_id, line_no, entry_id)";
        insert_rows(&mut tx, head, 3, "", parts, |query, part| {
            query.bind(statement_id.to_owned()).bind(line_no).bind(part.clone())
        })
        .await?;
        sqlx::query(STALE_BY_STATEMENT).bind(statement_id).execute(&mut *tx).await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The cards added to an account, in the order written.
    pub async fn account_cards(&self, account_id: AccountId) -> anyhow::Result<Vec<CardRow>> {
        let rows =
            sqlx::query("SELECT card, written, account_id FROM account_card WHERE account_id = $1 ORDER BY written")
                .bind(account_id.to_string())
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(card_from_row).collect()
    }

    /// Adds a card to an account of the council. `Err` with the account it is on already,
    /// when it is on another one.
    pub async fn add_account_card(
        &self,
        council_id: &str,
        account_id: AccountId,
        card: &str,
        written: &str,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<Result<(), AccountId>> {
        let mut tx = self.pool.begin().await?;
        // Inserted unless the card is on an account already (two officers adding it at once
        // included); then whose it is decides the answer.
        let added = sqlx::query(
            "INSERT INTO account_card (council_id, card, account_id, written) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (council_id, card) DO NOTHING",
        )
        .bind(council_id)
        .bind(card)
        .bind(account_id.to_string())
        .bind(written)
        .execute(&mut *tx)
        .await?;
        let found =
            sqlx::query("SELECT card, written, account_id FROM account_card WHERE council_id = $1 AND card = $2")
                .bind(council_id)
                .bind(card)
                .fetch_one(&mut *tx)
                .await?;
        let owner = card_from_row(&found)?.account_id;
        if owner != account_id {
            return Ok(Err(owner));
        }
        if added.rows_affected() == 1 {
            append_audit(&mut tx, audit, now_ms).await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Takes a card off an account. `false` if it was not on it.
    pub async fn remove_account_card(
        &self,
        account_id: AccountId,
        card: &str,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("DELETE FROM account_card WHERE account_id = $1 AND card = $2")
            .bind(account_id.to_string())
            .bind(card)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The council's accounts the cards (as compared) belong to.
    pub async fn card_accounts(
        &self,
        council_id: &str,
        cards: &[String],
    ) -> anyhow::Result<HashMap<String, AccountId>> {
        let mut found = HashMap::new();
        for chunk in cards.chunks(IDS_PER_STATEMENT) {
            let sql = format!(
                "SELECT card, written, account_id FROM account_card WHERE council_id = $1 AND card IN ({})",
                placeholders(2, chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(council_id);
            for card in chunk {
                query = query.bind(card);
            }
            for row in query.fetch_all(&self.pool).await? {
                let row = card_from_row(&row)?;
                found.insert(row.card, row.account_id);
            }
        }
        Ok(found)
    }

    /// Closes (locks) a statement, keeping what it showed then (`view`, JSON). `false`
    /// if it was closed already (then nothing changes).
    pub async fn close_statement(
        &self,
        statement_id: &str,
        staff_id: &str,
        view: &str,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE statement SET closed_by = $1, closed_at_ms = $2, closed_view = $3 WHERE statement_id = $4 AND closed_at_ms IS NULL",
        )
        .bind(staff_id)
        .bind(now_ms)
        .bind(view)
        .bind(statement_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(STALE_BY_STATEMENT).bind(statement_id).execute(&mut *tx).await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Notes that an officer has seen the records that arrived after a statement closed.
    pub async fn mark_late_records_seen(
        &self,
        statement_id: &str,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE statement SET late_seen_at_ms = $1 WHERE statement_id = $2 AND closed_at_ms IS NOT NULL",
        )
        .bind(now_ms)
        .bind(statement_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(STALE_BY_STATEMENT).bind(statement_id).execute(&mut *tx).await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The council's saved statement formats, by name.
    pub async fn statement_formats(&self, council_id: &str) -> anyhow::Result<Vec<StatementFormatRow>> {
        let rows = sqlx::query("SELECT name, mapping FROM statement_format WHERE council_id = $1 ORDER BY name")
            .bind(council_id)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|row: AnyRow| Ok(StatementFormatRow { name: row.try_get(0)?, mapping: row.try_get(1)? }))
            .collect()
    }

    /// Saves a provider's column mapping (replacing one of the same name).
    pub async fn save_statement_format(
        &self,
        council_id: &str,
        name: &str,
        mapping: &str,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM statement_format WHERE council_id = $1 AND name = $2")
            .bind(council_id)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO statement_format (council_id, name, mapping) VALUES ($1, $2, $3)")
            .bind(council_id)
            .bind(name)
            .bind(mapping)
            .execute(&mut *tx)
            .await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(())
    }
}

fn card_from_row(row: &AnyRow) -> anyhow::Result<CardRow> {
    Ok(CardRow {
        card: row.try_get(0)?,
        written: row.try_get(1)?,
        account_id: AccountId(parse_uuid(&row.try_get::<String, _>(2)?)?),
    })
}

/// Inserts one statement and its lines in a transaction.
async fn insert_statement(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    statement: &StatementRow,
    lines: &[StatementLineRow],
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO statement (statement_id, account_id, format, first_date, last_date, closing_balance, imported_by, imported_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&statement.statement_id)
    .bind(statement.account_id.to_string())
    .bind(&statement.format)
    .bind(&statement.first_date)
    .bind(&statement.last_date)
    .bind(statement.closing_balance)
    .bind(&statement.imported_by)
    .bind(statement.imported_at_ms)
    .execute(&mut **tx)
    .await?;
    let id = &statement.statement_id;
    let head = "INSERT INTO statement_line (statement_id, line_no, line_date, amount, description, reference, \
                entry_id, state, confidence, paired_with, kind, fee)";
    insert_rows(tx, head, 12, "", lines, |query, line| {
        query
            .bind(id.clone())
            .bind(line.line_no)
            .bind(line.date.clone())
            .bind(line.amount)
            .bind(line.description.clone())
            .bind(line.reference.clone())
            .bind(line.entry_id.clone())
            .bind(line.state.clone())
            .bind(line.confidence)
            .bind(line.paired_with)
            .bind(line.kind.clone())
            .bind(line.fee)
    })
    .await?;
    sqlx::query(STALE_BY_STATEMENT).bind(&statement.statement_id).execute(&mut **tx).await?;
    Ok(())
}
