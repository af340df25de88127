//! All of the council server's SQL, in one place.
//!
//! The statements are portable: the same text runs on SQLite (the embedded default, one
//! file under the data directory) and on Postgres (for a council that runs several
//! stateless servers on one database). Placeholders are `$1, $2...`, which both accept;
//! times are Unix milliseconds and money whole pence, both `BIGINT`.

use std::collections::HashMap;
use std::str::FromStr;

use anyhow::Context;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use tally_api::{Role, SafeguardingOutcome};
use tally_ledger::{AccountId, CouncilPolicy, DeviceId, Entry, EntryId, SupportPlan};
use uuid::Uuid;

/// Ids looked up in one `IN (...)` list; rows written by one `INSERT`. Both stay far
/// below the bound parameters SQLite (32,766) and Postgres (65,535) accept.
const IDS_PER_STATEMENT: usize = 500;
const ROWS_PER_INSERT: usize = 100;

/// `$from, $from+1, ...` (`count` of them), for statements built for a batch.
fn placeholders(from: usize, count: usize) -> String {
    (from..from + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}

/// Which database engine a [`Storage`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The council's database. Cheap to clone (a pool handle).
#[derive(Clone, Debug)]
pub struct Storage {
    pool: AnyPool,
    backend: Backend,
}

/// A direct payment account as the council holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRow {
    pub account_id: AccountId,
    pub reference: String,
    pub person_name: String,
    pub council_name: String,
}

/// A paired device, found by its token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceRow {
    pub device_id: DeviceId,
    pub account_id: AccountId,
}

/// A member of a council's staff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffRow {
    pub staff_id: String,
    pub council_id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
}

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
    /// `certain`, `proposed`, `confirmed`, `none`, or `rejected` (a spend the person logged in
    /// answer to the line's question, which an officer found is not its match).
    pub state: String,
    pub confidence: i64,
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

/// One line of the audit trail.
#[derive(Clone, Copy, Debug)]
pub struct AuditEvent<'a> {
    pub council_id: &'a str,
    pub staff_id: Option<&'a str>,
    pub account_id: Option<AccountId>,
    pub action: &'a str,
    pub detail: &'a str,
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

/// A receipt photo offered for keeping, already checked.
#[derive(Clone, Copy, Debug)]
pub struct NewReceipt<'a> {
    pub account_id: AccountId,
    pub sha256: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
    pub device_id: Option<DeviceId>,
}

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

impl Storage {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://...`) and brings the
    /// schema up to date.
    pub async fn open(url: &str) -> anyhow::Result<Storage> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            anyhow::bail!("The database address must start with sqlite: or postgres:, not {url:?}");
        };
        let options = AnyPoolOptions::new().max_connections(match backend {
            Backend::Sqlite => 4,
            Backend::Postgres => 16,
        });
        let options = if backend == Backend::Sqlite {
            options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // Wait for the write lock rather than failing at once; keep
                    // references honest.
                    sqlx::query("PRAGMA busy_timeout = 10000").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
                    Ok(())
                })
            })
        } else {
            options
        };
        let pool =
            options.connect(url).await.with_context(|| format!("could not open the database at {}", redact(url)))?;
        if backend == Backend::Sqlite {
            // Write-ahead logging lets readers carry on while a push is written.
            sqlx::query("PRAGMA journal_mode = WAL").execute(&pool).await?;
        }
        let storage = Storage { pool, backend };
        storage.migrate().await?;
        Ok(storage)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    async fn migrate(&self) -> anyhow::Result<()> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite").run(&self.pool).await,
            Backend::Postgres => sqlx::migrate!("migrations/postgres").run(&self.pool).await,
        }
        .context("could not bring the database schema up to date")
    }

    /// Answers when the database answers.
    pub async fn ping(&self) -> anyhow::Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    // --- councils, staff and accounts -------------------------------------------------

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

    #[allow(clippy::too_many_arguments)]
    pub async fn create_staff(
        &self,
        staff_id: &str,
        council_id: &str,
        email: &str,
        display_name: &str,
        role: Role,
        password_hash: &str,
        now_ms: i64,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO staff (staff_id, council_id, email, display_name, role, password_hash, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(staff_id)
        .bind(council_id)
        .bind(email)
        .bind(display_name)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

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

    pub async fn account_by_reference(&self, reference: &str) -> anyhow::Result<Option<AccountRow>> {
        let row = sqlx::query(
            "SELECT a.account_id, a.reference, a.person_name, c.name \
             FROM account a JOIN council c ON c.council_id = a.council_id WHERE a.reference = $1",
        )
        .bind(reference)
        .fetch_optional(&self.pool)
        .await?;
        row.map(account_from_row).transpose()
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
        now_ms: i64,
    ) -> anyhow::Result<bool> {
        let done = sqlx::query("UPDATE support_plan SET body = $1, updated_at_ms = $2 WHERE account_id = $3")
            .bind(serde_json::to_string(plan)?)
            .bind(now_ms)
            .bind(account_id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
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
    pub async fn set_council_policy(&self, council_id: &str, policy: &CouncilPolicy) -> anyhow::Result<()> {
        sqlx::query("UPDATE council SET policy = $1 WHERE council_id = $2")
            .bind(serde_json::to_string(policy)?)
            .bind(council_id)
            .execute(&self.pool)
            .await?;
        Ok(())
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

    // --- staff, their sessions and the audit trail ---------------------------------------

    /// A member of staff by the email they sign in with (compared without case).
    pub async fn staff_by_email(&self, email: &str) -> anyhow::Result<Option<StaffRow>> {
        let row = sqlx::query(
            "SELECT staff_id, council_id, email, display_name, role, password_hash FROM staff \
             WHERE LOWER(email) = LOWER($1) AND disabled_at_ms IS NULL",
        )
        .bind(email.trim())
        .fetch_optional(&self.pool)
        .await?;
        row.map(staff_from_row).transpose()
    }

    /// A council's staff with access, by name.
    pub async fn staff_of_council(&self, council_id: &str) -> anyhow::Result<Vec<StaffRow>> {
        let rows = sqlx::query(
            "SELECT staff_id, council_id, email, display_name, role, password_hash FROM staff \
             WHERE council_id = $1 AND disabled_at_ms IS NULL ORDER BY display_name, email",
        )
        .bind(council_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(staff_from_row).collect()
    }

    /// Whether any member of staff, past or present, has this email.
    pub async fn staff_email_taken(&self, email: &str) -> anyhow::Result<bool> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff WHERE LOWER(email) = LOWER($1)")
            .bind(email.trim())
            .fetch_one(&self.pool)
            .await?;
        Ok(count > 0)
    }

    /// Changes the role of a member of a council's staff. `false` if there is no such
    /// member with access.
    pub async fn set_staff_role(&self, council_id: &str, staff_id: &str, role: Role) -> anyhow::Result<bool> {
        let done = sqlx::query(
            "UPDATE staff SET role = $1 WHERE staff_id = $2 AND council_id = $3 AND disabled_at_ms IS NULL",
        )
        .bind(role.as_str())
        .bind(staff_id)
        .bind(council_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes a member of staff's access and ends their sessions, all or nothing.
    pub async fn disable_staff(&self, council_id: &str, staff_id: &str, now_ms: i64) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE staff SET disabled_at_ms = $1 WHERE staff_id = $2 AND council_id = $3 AND disabled_at_ms IS NULL",
        )
        .bind(now_ms)
        .bind(staff_id)
        .bind(council_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM staff_session WHERE staff_id = $1").bind(staff_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn record_sign_in_attempt(&self, email: &str, succeeded: bool, now_ms: i64) -> anyhow::Result<()> {
        sqlx::query("INSERT INTO sign_in_attempt (email, at_ms, succeeded) VALUES ($1, $2, $3)")
            .bind(email.trim().to_lowercase())
            .bind(now_ms)
            .bind(i64::from(succeeded))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Failed sign-ins for an email since a moment.
    pub async fn failed_sign_ins_since(&self, email: &str, since_ms: i64) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM sign_in_attempt WHERE email = $1 AND at_ms >= $2 AND succeeded = 0",
        )
        .bind(email.trim().to_lowercase())
        .bind(since_ms)
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn create_staff_session(
        &self,
        token_hash: &str,
        staff_id: &str,
        csrf_token: &str,
        now_ms: i64,
        expires_at_ms: i64,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO staff_session (token_hash, staff_id, csrf_token, created_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(staff_id)
        .bind(csrf_token)
        .bind(now_ms)
        .bind(expires_at_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The member of staff signed in with this session, and the session's CSRF token,
    /// unless it has expired.
    pub async fn staff_by_session(&self, token_hash: &str, now_ms: i64) -> anyhow::Result<Option<(StaffRow, String)>> {
        let row = sqlx::query(
            "SELECT s.staff_id, s.council_id, s.email, s.display_name, s.role, s.password_hash, x.csrf_token \
             FROM staff_session x JOIN staff s ON s.staff_id = x.staff_id \
             WHERE x.token_hash = $1 AND x.expires_at_ms > $2 AND s.disabled_at_ms IS NULL",
        )
        .bind(token_hash)
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row: AnyRow| {
            let csrf: String = row.try_get(6)?;
            Ok((staff_from_row(row)?, csrf))
        })
        .transpose()
    }

    pub async fn delete_staff_session(&self, token_hash: &str) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM staff_session WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }

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

    /// An account's audit trail, newest first: (when, who, action, detail).
    pub async fn audit_of_account(&self, account_id: AccountId) -> anyhow::Result<Vec<(i64, String, String, String)>> {
        let rows = sqlx::query(
            "SELECT e.at_ms, COALESCE(s.display_name, ''), e.action, e.detail FROM audit_event e \
             LEFT JOIN staff s ON s.staff_id = e.staff_id WHERE e.account_id = $1 ORDER BY e.at_ms DESC, e.event_id DESC",
        )
        .bind(account_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row: AnyRow| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?)))
            .collect()
    }

    /// Records what an officer found about a safeguarding signal.
    pub async fn add_safeguarding_note(
        &self,
        account_id: AccountId,
        key: &str,
        outcome: SafeguardingOutcome,
        note: &str,
        staff_id: &str,
        now_ms: i64,
    ) -> anyhow::Result<()> {
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
        .execute(&self.pool)
        .await?;
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

    // --- payment schedules -------------------------------------------------------------

    pub async fn create_schedule(&self, schedule: &ScheduleRow, created_by: &str, now_ms: i64) -> anyhow::Result<()> {
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
        .execute(&self.pool)
        .await?;
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
    pub async fn stop_schedule(&self, account_id: AccountId, schedule_id: &str, now_ms: i64) -> anyhow::Result<bool> {
        let done = sqlx::query("UPDATE payment_schedule SET stopped_at_ms = $1 WHERE schedule_id = $2 AND account_id = $3 AND stopped_at_ms IS NULL")
            .bind(now_ms)
            .bind(schedule_id)
            .bind(account_id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    // --- statements ------------------------------------------------------------------

    /// Keeps an imported statement and all its lines, all or nothing.
    pub async fn create_statement(&self, statement: &StatementRow, lines: &[StatementLineRow]) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
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
        .execute(&mut *tx)
        .await?;
        for chunk in lines.chunks(ROWS_PER_INSERT) {
            let values: Vec<String> = (0..chunk.len()).map(|i| format!("({})", placeholders(i * 9 + 1, 9))).collect();
            let sql = format!(
                "INSERT INTO statement_line (statement_id, line_no, line_date, amount, description, reference, entry_id, state, confidence) VALUES {}",
                values.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for line in chunk {
                query = query
                    .bind(&statement.statement_id)
                    .bind(line.line_no)
                    .bind(&line.date)
                    .bind(line.amount)
                    .bind(&line.description)
                    .bind(&line.reference)
                    .bind(line.entry_id.clone())
                    .bind(&line.state)
                    .bind(line.confidence);
            }
            query.execute(&mut *tx).await?;
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
            "SELECT line_no, line_date, amount, description, reference, entry_id, state, confidence FROM statement_line \
             WHERE statement_id = $1 ORDER BY line_no",
        )
        .bind(statement_id)
        .fetch_all(&self.pool)
        .await?;
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
    ) -> anyhow::Result<bool> {
        let done = sqlx::query(
            "UPDATE statement_line SET entry_id = $1, state = $2 WHERE statement_id = $3 AND line_no = $4 \
             AND statement_id IN (SELECT statement_id FROM statement WHERE closed_at_ms IS NULL)",
        )
        .bind(entry_id)
        .bind(state)
        .bind(statement_id)
        .bind(line_no)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Closes (locks) a reconciled statement.
    /// Closes (locks) a statement, keeping what it showed then (`view`, JSON). `false`
    /// if it was closed already.
    pub async fn close_statement(
        &self,
        statement_id: &str,
        staff_id: &str,
        view: &str,
        now_ms: i64,
    ) -> anyhow::Result<bool> {
        let done = sqlx::query(
            "UPDATE statement SET closed_by = $1, closed_at_ms = $2, closed_view = $3 WHERE statement_id = $4 AND closed_at_ms IS NULL",
        )
        .bind(staff_id)
        .bind(now_ms)
        .bind(view)
        .bind(statement_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Notes that an officer has seen the records that arrived after a statement closed.
    pub async fn mark_late_records_seen(&self, statement_id: &str, now_ms: i64) -> anyhow::Result<bool> {
        let done = sqlx::query(
            "UPDATE statement SET late_seen_at_ms = $1 WHERE statement_id = $2 AND closed_at_ms IS NOT NULL",
        )
        .bind(now_ms)
        .bind(statement_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The ids of an account's entries that arrived after a moment, with when each did.
    pub async fn entries_received_after(
        &self,
        account_id: AccountId,
        after_ms: i64,
    ) -> anyhow::Result<Vec<(EntryId, i64)>> {
        let rows = sqlx::query("SELECT entry_id, received_at_ms FROM entry WHERE account_id = $1 AND received_at_ms > $2 ORDER BY account_seq")
            .bind(account_id.to_string())
            .bind(after_ms)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|row: AnyRow| Ok((EntryId(parse_uuid(&row.try_get::<String, _>(0)?)?), row.try_get(1)?)))
            .collect()
    }

    pub async fn statement_formats(&self, council_id: &str) -> anyhow::Result<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT name, mapping FROM statement_format WHERE council_id = $1 ORDER BY name")
            .bind(council_id)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(|row: AnyRow| Ok((row.try_get(0)?, row.try_get(1)?))).collect()
    }

    /// Saves a provider's column mapping (replacing one of the same name).
    pub async fn save_statement_format(&self, council_id: &str, name: &str, mapping: &str) -> anyhow::Result<()> {
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
        tx.commit().await?;
        Ok(())
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

    pub async fn council_name(&self, council_id: &str) -> anyhow::Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT name FROM council WHERE council_id = $1")
            .bind(council_id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The account a device was paired with.
    pub async fn account_of_device(&self, device_id: DeviceId) -> anyhow::Result<Option<AccountId>> {
        let account: Option<String> = sqlx::query_scalar("SELECT account_id FROM device WHERE device_id = $1")
            .bind(device_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        account.map(|a| Ok(AccountId(parse_uuid(&a)?))).transpose()
    }

    /// The council an account belongs to.
    pub async fn council_of_account(&self, account_id: AccountId) -> anyhow::Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT council_id FROM account WHERE account_id = $1")
            .bind(account_id.to_string())
            .fetch_optional(&self.pool)
            .await?)
    }

    /// When the council last received a record from one of the account's devices.
    pub async fn last_received_from_devices(&self, account_id: AccountId) -> anyhow::Result<Option<i64>> {
        Ok(sqlx::query_scalar("SELECT MAX(received_at_ms) FROM entry WHERE account_id = $1 AND device_id IS NOT NULL")
            .bind(account_id.to_string())
            .fetch_one(&self.pool)
            .await?)
    }

    /// The latest deliveries of records from the account's devices, newest first: `(when,
    /// device label, new records)`. A push stores its records at one time, so each group is
    /// one delivery (or several in the same millisecond).
    pub async fn sync_history(&self, account_id: AccountId, limit: i64) -> anyhow::Result<Vec<(i64, String, i64)>> {
        let rows = sqlx::query(
            "SELECT e.received_at_ms, d.label, COUNT(*) FROM entry e JOIN device d ON d.device_id = e.device_id \
             WHERE e.account_id = $1 GROUP BY e.received_at_ms, d.device_id, d.label ORDER BY e.received_at_ms DESC, d.label LIMIT $2",
        )
        .bind(account_id.to_string())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?))).collect()
    }

    /// Every entry of an account, in the order the council received them.
    pub async fn all_entries(&self, account_id: AccountId) -> anyhow::Result<Vec<Entry>> {
        let rows = self.entries_after(account_id, 0, i64::MAX).await?;
        rows.into_iter()
            .map(|(seq, body)| {
                serde_json::from_str(&body).with_context(|| format!("stored entry {seq} of {account_id} is unreadable"))
            })
            .collect()
    }

    // --- pairing and devices ----------------------------------------------------------

    pub async fn create_pairing_code(
        &self,
        code_hash: &str,
        account_id: AccountId,
        now_ms: i64,
        expires_at_ms: i64,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO pairing_code (code_hash, account_id, created_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4)",
        )
        .bind(code_hash)
        .bind(account_id.to_string())
        .bind(now_ms)
        .bind(expires_at_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Uses up a pairing code and records the new device, all or nothing. `None` when the
    /// code is unknown, used or expired.
    ///
    /// `held` are the pairings the device says it holds, as (device id, token hash): the
    /// newest that is a device of the code's account holding that token (revoked or not)
    /// is the one the new device carries on from (see [`Storage::device_lineage`]).
    pub async fn redeem_pairing_code(
        &self,
        code_hash: &str,
        device_id: DeviceId,
        token_hash: &str,
        label: &str,
        held: &[(DeviceId, String)],
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
        tx.commit().await?;
        Ok(Some(AccountId(parse_uuid(&account)?)))
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
    pub async fn revoke_device(&self, device_id: DeviceId, now_ms: i64) -> anyhow::Result<Option<AccountId>> {
        let account: Option<String> = sqlx::query_scalar(
            "UPDATE device SET revoked_at_ms = $1 WHERE device_id = $2 AND revoked_at_ms IS NULL RETURNING account_id",
        )
        .bind(now_ms)
        .bind(device_id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        account.map(|a| Ok(AccountId(parse_uuid(&a)?))).transpose()
    }

    // --- receipt photos -------------------------------------------------------------------

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
    pub async fn receipt(&self, account_id: AccountId, sha256: &str) -> anyhow::Result<Option<(String, Vec<u8>)>> {
        let row = sqlx::query("SELECT content_type, body FROM receipt WHERE account_id = $1 AND sha256 = $2")
            .bind(account_id.to_string())
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row: AnyRow| Ok((row.try_get(0)?, row.try_get(1)?))).transpose()
    }

    // --- entries ------------------------------------------------------------------------

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
        let account = account_id.to_string();
        let mut tx = self.pool.begin().await?;
        let last_seq: Option<i64> =
            sqlx::query_scalar("UPDATE account SET last_seq = last_seq WHERE account_id = $1 RETURNING last_seq")
                .bind(&account)
                .fetch_optional(&mut *tx)
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
            for row in query.fetch_all(&mut *tx).await? {
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
            query.execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE account SET last_seq = $1 WHERE account_id = $2")
            .bind(seq)
            .bind(&account)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(outcomes))
    }

    /// Entries of an account after a cursor, oldest first, at most `limit`: pairs of
    /// (sequence number, canonical JSON).
    pub async fn entries_after(
        &self,
        account_id: AccountId,
        after: i64,
        limit: i64,
    ) -> anyhow::Result<Vec<(i64, String)>> {
        let rows = sqlx::query(
            "SELECT account_seq, body FROM entry WHERE account_id = $1 AND account_seq > $2 \
             ORDER BY account_seq LIMIT $3",
        )
        .bind(account_id.to_string())
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(|row: AnyRow| Ok((row.try_get(0)?, row.try_get(1)?))).collect()
    }

    /// How many entries with this id are stored (0 or 1): for tests and checks.
    pub async fn count_entries_with_id(&self, entry_id: EntryId) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM entry WHERE entry_id = $1")
            .bind(entry_id.to_string())
            .fetch_one(&self.pool)
            .await?)
    }
}

fn account_from_row(row: AnyRow) -> anyhow::Result<AccountRow> {
    Ok(AccountRow {
        account_id: AccountId(parse_uuid(&row.try_get::<String, _>(0)?)?),
        reference: row.try_get(1)?,
        person_name: row.try_get(2)?,
        council_name: row.try_get(3)?,
    })
}

fn staff_from_row(row: AnyRow) -> anyhow::Result<StaffRow> {
    Ok(StaffRow {
        staff_id: row.try_get(0)?,
        council_id: row.try_get(1)?,
        email: row.try_get(2)?,
        display_name: row.try_get(3)?,
        role: {
            let role: String = row.try_get(4)?;
            Role::parse(&role).with_context(|| format!("the database holds an unknown role {role:?}"))?
        },
        password_hash: row.try_get(5)?,
    })
}

fn parse_uuid(text: &str) -> anyhow::Result<Uuid> {
    Uuid::from_str(text).with_context(|| format!("the database holds a malformed id {text:?}"))
}

/// The database address without any password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…@{}", &url[..scheme], &url[at + 1..]),
        _ => url.to_owned(),
    }
}
