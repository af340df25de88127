//! The audit trail: who did what, to which account, when, and from where. Append-only
//! (database triggers refuse changes and removals) and hash-chained: each line's hash
//! covers its fields and the hash of the line before, so [`Storage::verify_audit`] finds
//! any line changed, removed or slipped in afterwards.

use sqlx::any::AnyRow;
use sqlx::Row;
use tally_ledger::AccountId;
use uuid::Uuid;

use super::*;

/// Who an audit line is about: a member of staff, a device, the server itself, or
/// someone at the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    Staff,
    Device,
    Server,
    CommandLine,
    /// A council's finance system, with an API client's id and secret.
    ApiClient,
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Staff => "staff",
            Actor::Device => "device",
            Actor::Server => "server",
            Actor::CommandLine => "command line",
            Actor::ApiClient => "api client",
        }
    }
}

/// One line of the audit trail, to be written.
#[derive(Clone, Copy, Debug)]
pub struct AuditEvent<'a> {
    /// `None` for the server's own events that belong to no council (a stranger's
    /// pairing attempts refused).
    pub council_id: Option<&'a str>,
    pub staff_id: Option<&'a str>,
    pub account_id: Option<AccountId>,
    pub actor: Actor,
    /// The client's address, when a request did it.
    pub address: Option<&'a str>,
    pub action: &'a str,
    pub detail: &'a str,
}

impl<'a> AuditEvent<'a> {
    /// Something the server noticed, outside any council.
    pub fn server(action: &'a str, detail: &'a str) -> AuditEvent<'a> {
        AuditEvent {
            council_id: None,
            staff_id: None,
            account_id: None,
            actor: Actor::Server,
            address: None,
            action,
            detail,
        }
    }

    /// A change made at the command line (`tally-council …`), at this council if any.
    pub fn command_line(council_id: Option<&'a str>, action: &'a str, detail: &'a str) -> AuditEvent<'a> {
        AuditEvent { council_id, actor: Actor::CommandLine, ..AuditEvent::server(action, detail) }
    }
}

/// One line of an account's audit trail, as the workspace shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditLineRow {
    pub seq: i64,
    pub at_ms: i64,
    /// The name of who did it (empty for the server itself and for devices).
    pub who: String,
    pub actor: String,
    pub address: Option<String>,
    /// The account's reference, when the line is about one.
    pub reference: Option<String>,
    pub action: String,
    pub detail: String,
}

/// What [`Storage::audit_of_council`] looks for.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Lines whose action, detail, who or reference contain these words.
    pub words: Option<String>,
    pub action: Option<String>,
    /// Lines before this one (the next page).
    pub before_seq: Option<i64>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

/// What checking the chain found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditCheck {
    pub lines: i64,
    /// The hash of the last line (write it down elsewhere: a later check that ends on
    /// another hash for the same line means the trail was rewritten from there).
    pub head_hash: String,
    /// The first line that does not follow from the one before, and why.
    pub first_break: Option<(i64, String)>,
}

/// The hash the first line follows.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of one line: SHA-256 over its fields (as a JSON array, so no two lines
/// can read the same) and the hash before it.
#[allow(clippy::too_many_arguments)]
fn line_hash(
    seq: i64,
    event_id: &str,
    council_id: Option<&str>,
    staff_id: Option<&str>,
    account_id: Option<&str>,
    actor: &str,
    address: Option<&str>,
    action: &str,
    detail: &str,
    at_ms: i64,
    prev_hash: &str,
) -> String {
    use sha2::{Digest, Sha256};
    let fields = serde_json::json!([
        seq, event_id, council_id, staff_id, account_id, actor, address, action, detail, at_ms, prev_hash
    ]);
    Sha256::digest(fields.to_string().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Adds a line to the chain inside the caller's transaction: the change and its audit
/// line are stored together or not at all.
pub(crate) async fn append_audit(
    conn: &mut sqlx::AnyConnection,
    event: &AuditEvent<'_>,
    now_ms: i64,
) -> anyhow::Result<()> {
    // Taking the head locks it (Postgres: the row; SQLite: the database) until commit, so
    // two writers never chain on the same line.
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *conn)
        .await?;
    let seq: i64 = head.try_get(0)?;
    let prev: String = head.try_get(1)?;
    let prev = if prev.is_empty() { GENESIS.to_owned() } else { prev };
    let event_id = Uuid::now_v7().to_string();
    let account = event.account_id.map(|a| a.to_string());
    let hash = line_hash(
        seq,
        &event_id,
        event.council_id,
        event.staff_id,
        account.as_deref(),
        event.actor.as_str(),
        event.address,
        event.action,
        event.detail,
        now_ms,
        &prev,
    );
    sqlx::query(
        "INSERT INTO audit_log (seq, event_id, council_id, staff_id, account_id, actor, address, action, detail, at_ms, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(seq)
    .bind(&event_id)
    .bind(event.council_id)
    .bind(event.staff_id)
    .bind(account)
    .bind(event.actor.as_str())
    .bind(event.address)
    .bind(event.action)
    .bind(event.detail)
    .bind(now_ms)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&hash).execute(&mut *conn).await?;
    sqlx::query("INSERT INTO audit_action (council_id, action) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(event.council_id.unwrap_or(""))
        .bind(event.action)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

const LINE_COLUMNS: &str =
    "seq, event_id, council_id, staff_id, account_id, actor, address, action, detail, at_ms, prev_hash, hash";

/// A line as stored, for checking.
struct StoredLine {
    seq: i64,
    event_id: String,
    council_id: Option<String>,
    staff_id: Option<String>,
    account_id: Option<String>,
    actor: String,
    address: Option<String>,
    action: String,
    detail: String,
    at_ms: i64,
    prev_hash: String,
    hash: String,
}

impl StoredLine {
    fn read(row: &AnyRow) -> anyhow::Result<StoredLine> {
        Ok(StoredLine {
            seq: row.try_get(0)?,
            event_id: row.try_get(1)?,
            council_id: row.try_get(2)?,
            staff_id: row.try_get(3)?,
            account_id: row.try_get(4)?,
            actor: row.try_get(5)?,
            address: row.try_get(6)?,
            action: row.try_get(7)?,
            detail: row.try_get(8)?,
            at_ms: row.try_get(9)?,
            prev_hash: row.try_get(10)?,
            hash: row.try_get(11)?,
        })
    }

    fn expected_hash(&self, prev_hash: &str) -> String {
        line_hash(
            self.seq,
            &self.event_id,
            self.council_id.as_deref(),
            self.staff_id.as_deref(),
            self.account_id.as_deref(),
            &self.actor,
            self.address.as_deref(),
            &self.action,
            &self.detail,
            self.at_ms,
            prev_hash,
        )
    }
}

/// Lines read at a time when checking or sealing the chain.
const CHAIN_PAGE: i64 = 1000;

impl Storage {
    /// Adds a line to the audit trail in a transaction of its own (for events that change
    /// nothing else: a view, an export, a refused attempt).
    pub async fn audit(&self, event: &AuditEvent<'_>, now_ms: i64) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        append_audit(&mut tx, event, now_ms).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Chains the lines written before the chain existed (once, after the migration that
    /// made it): each gets its hash, in order, and the head the last one's.
    pub(super) async fn seal_audit(&self) -> anyhow::Result<()> {
        // Sealed already (every start but the first after the migration): nothing to lock.
        let sealed: String =
            sqlx::query_scalar("SELECT hash FROM audit_head WHERE id = 1").fetch_one(&self.pool).await?;
        if !sealed.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        // Takes the head first, so two servers starting at once seal once.
        let head: String = sqlx::query_scalar("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING hash")
            .fetch_one(&mut *tx)
            .await?;
        if !head.is_empty() {
            return Ok(());
        }
        let mut prev = GENESIS.to_owned();
        let mut after = 0i64;
        loop {
            let rows = sqlx::query(&format!(
                "SELECT {LINE_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT {CHAIN_PAGE}"
            ))
            .bind(after)
            .fetch_all(&mut *tx)
            .await?;
            for row in &rows {
                let line = StoredLine::read(row)?;
                let hash = line.expected_hash(&prev);
                sqlx::query("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3")
                    .bind(&prev)
                    .bind(&hash)
                    .bind(line.seq)
                    .execute(&mut *tx)
                    .await?;
                after = line.seq;
                prev = hash;
            }
            if (rows.len() as i64) < CHAIN_PAGE {
                break;
            }
        }
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&prev).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks the whole chain, line by line in order, a page at a time: every hash follows
    /// from its line and the one before, the numbers have no gap, and the head names the
    /// last line.
    pub async fn verify_audit(&self) -> anyhow::Result<AuditCheck> {
        let mut prev = GENESIS.to_owned();
        let mut expected_seq = 1i64;
        let mut lines = 0i64;
        loop {
            let rows = sqlx::query(&format!(
                "SELECT {LINE_COLUMNS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT {CHAIN_PAGE}"
            ))
            .bind(expected_seq)
            .fetch_all(&self.pool)
            .await?;
            for row in &rows {
                let line = StoredLine::read(row)?;
                let broken =
                    |why: String| AuditCheck { lines, head_hash: prev.clone(), first_break: Some((line.seq, why)) };
                if line.seq != expected_seq {
                    return Ok(broken(format!("line {expected_seq} is missing")));
                }
                if line.prev_hash != prev {
                    return Ok(broken("it does not follow the line before it".to_owned()));
                }
                if line.hash != line.expected_hash(&prev) {
                    return Ok(broken("it was changed after it was written".to_owned()));
                }
                prev = line.hash;
                expected_seq += 1;
                lines += 1;
            }
            if (rows.len() as i64) < CHAIN_PAGE {
                break;
            }
        }
        let (head_seq, head_hash): (i64, String) =
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&self.pool).await?;
        let head_hash = if head_hash.is_empty() { GENESIS.to_owned() } else { head_hash };
        if head_seq != lines || head_hash != prev {
            return Ok(AuditCheck {
                lines,
                head_hash: prev,
                first_break: Some((
                    head_seq.max(lines),
                    format!("the chain's head names line {head_seq}, but {lines} lines follow from each other"),
                )),
            });
        }
        Ok(AuditCheck { lines, head_hash: prev, first_break: None })
    }

    /// The latest `limit` lines of an account's audit trail, newest first, but for lines
    /// of the action `leave_out`.
    pub async fn audit_of_account(
        &self,
        account_id: AccountId,
        leave_out: &str,
        limit: usize,
    ) -> anyhow::Result<Vec<AuditLineRow>> {
        let rows = sqlx::query(&format!(
            "SELECT e.seq, e.at_ms, COALESCE(s.display_name, ''), e.actor, e.address, a.reference, e.action, e.detail \
             FROM audit_log e LEFT JOIN staff s ON s.staff_id = e.staff_id LEFT JOIN account a ON a.account_id = e.account_id \
             WHERE e.account_id = $1 AND e.action <> $2 ORDER BY e.seq DESC LIMIT {}",
            limit.max(1)
        ))
        .bind(account_id.to_string())
        .bind(leave_out)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(line_row).collect()
    }

    /// A page of a council's audit trail, newest first: what its staff did, and what was
    /// done to its accounts (by devices, the server and the command line too).
    pub async fn audit_of_council(
        &self,
        council_id: &str,
        filter: &AuditFilter,
        limit: usize,
    ) -> anyhow::Result<Vec<AuditLineRow>> {
        let mut sql = String::from(
            "SELECT e.seq, e.at_ms, COALESCE(s.display_name, ''), e.actor, e.address, a.reference, e.action, e.detail \
             FROM audit_log e LEFT JOIN staff s ON s.staff_id = e.staff_id LEFT JOIN account a ON a.account_id = e.account_id \
             WHERE e.council_id = $1",
        );
        let mut n = 1;
        let mut next = |sql: &mut String, clause: &str| {
            n += 1;
            sql.push_str(&clause.replace('?', &format!("${n}")));
        };
        if filter.before_seq.is_some() {
            next(&mut sql, " AND e.seq < ?");
        }
        if filter.from_ms.is_some() {
            next(&mut sql, " AND e.at_ms >= ?");
        }
        if filter.to_ms.is_some() {
            next(&mut sql, " AND e.at_ms < ?");
        }
        if filter.action.is_some() {
            next(&mut sql, " AND e.action = ?");
        }
        if filter.words.is_some() {
            next(
                &mut sql,
                " AND LOWER(e.action || ' ' || e.detail || ' ' || COALESCE(s.display_name, '') || ' ' || COALESCE(a.reference, '') || ' ' || COALESCE(e.address, '')) LIKE ?",
            );
        }
        sql.push_str(&format!(" ORDER BY e.seq DESC LIMIT {}", limit.max(1)));
        let mut query = sqlx::query(&sql).bind(council_id);
        if let Some(before) = filter.before_seq {
            query = query.bind(before);
        }
        if let Some(from) = filter.from_ms {
            query = query.bind(from);
        }
        if let Some(to) = filter.to_ms {
            query = query.bind(to);
        }
        if let Some(action) = &filter.action {
            query = query.bind(action.clone());
        }
        if let Some(words) = &filter.words {
            let escaped: String = words.to_lowercase().chars().filter(|c| !matches!(c, '%' | '_' | '\\')).collect();
            query = query.bind(format!("%{}%", escaped.trim()));
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(line_row).collect()
    }

    /// The latest lines of the server's own, outside any council (a stranger's pairing
    /// attempts refused), newest first.
    pub async fn server_audit_lines(&self, limit: usize) -> anyhow::Result<Vec<AuditLineRow>> {
        let rows = sqlx::query(&format!(
            "SELECT e.seq, e.at_ms, '', e.actor, e.address, NULL, e.action, e.detail FROM audit_log e \
             WHERE e.council_id IS NULL ORDER BY e.seq DESC LIMIT {}",
            limit.max(1)
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(line_row).collect()
    }

    /// The kinds of line a council's trail holds, for the workspace's filter.
    pub async fn audit_actions(&self, council_id: &str) -> anyhow::Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT action FROM audit_action WHERE council_id = $1 ORDER BY action")
            .bind(council_id)
            .fetch_all(&self.pool)
            .await?)
    }
}

fn line_row(row: &AnyRow) -> anyhow::Result<AuditLineRow> {
    let name: String = row.try_get(2)?;
    let actor: String = row.try_get(3)?;
    let who = match (name.is_empty(), actor.as_str()) {
        (false, _) => name,
        (true, "device") => "The person's device".to_owned(),
        (true, "command line") => "Command line".to_owned(),
        (true, _) => "The server".to_owned(),
    };
    Ok(AuditLineRow {
        seq: row.try_get(0)?,
        at_ms: row.try_get(1)?,
        who,
        actor,
        address: row.try_get(4)?,
        reference: row.try_get(5)?,
        action: row.try_get(6)?,
        detail: row.try_get(7)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lines_hash_covers_every_field_and_the_line_before() {
        let base = line_hash(1, "e", Some("c"), None, None, "staff", None, "signed in", "", 5, GENESIS);
        assert_eq!(base.len(), 64);
        assert_ne!(base, line_hash(2, "e", Some("c"), None, None, "staff", None, "signed in", "", 5, GENESIS));
        assert_ne!(base, line_hash(1, "e", Some("c"), None, None, "staff", None, "signed in", "x", 5, GENESIS));
        assert_ne!(base, line_hash(1, "e", Some("c"), None, None, "staff", None, "signed in", "", 5, &base));
        // Fields cannot be run together to read as another line.
        assert_ne!(
            line_hash(1, "e", Some("c"), None, None, "staff", None, "ab", "c", 5, GENESIS),
            line_hash(1, "e", Some("c"), None, None, "staff", None, "a", "bc", 5, GENESIS)
        );
    }
}
