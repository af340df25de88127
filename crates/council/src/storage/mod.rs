//! All of the council server's SQL, in one place.
//!
//! The statements are portable: the same text runs on SQLite (the embedded default, one
//! file under the data directory) and on Postgres (for a council that runs several
//! stateless servers on one database). Placeholders are `$1, $2...`, which both accept;
//! times are Unix milliseconds and money whole pence, both `BIGINT`.
//!
//! # Layout
//! One module per area, each an `impl Storage` block with its row types: [`accounts`], [`audit`], [`councils`], [`devices`], [`entries`], [`receipts`], [`safeguarding`], [`schedules`], [`staff`], [`statements`], [`summaries`].
//! Everything is re-exported here.

mod accounts;
mod api_clients;
mod audit;
mod copies;
mod councils;
mod devices;
mod entries;
mod life;
mod links;
mod receipts;
mod safeguarding;
mod schedules;
mod staff;
mod statements;
mod summaries;
mod two_factor;

pub use accounts::*;
pub use api_clients::*;
pub use audit::*;
pub use copies::*;
pub use devices::*;
pub use entries::*;
pub use life::*;
pub use links::*;
pub use receipts::*;
pub use safeguarding::*;
pub use schedules::*;
pub use staff::*;
pub use statements::*;
pub use summaries::*;
pub use two_factor::*;

use std::str::FromStr;

use anyhow::Context;
use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
use uuid::Uuid;

/// Ids looked up in one `IN (...)` list; rows written by one `INSERT`. Both stay far
/// below the bound parameters SQLite (32,766) and Postgres (65,535) accept.
const IDS_PER_STATEMENT: usize = 500;

const ROWS_PER_INSERT: usize = 100;

/// `$from, $from+1, ...` (`count` of them), for statements built for a batch.
fn placeholders(from: usize, count: usize) -> String {
    (from..from + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Inserts rows [`ROWS_PER_INSERT`] to a statement: `head` names the table and its columns,
/// `tail` follows the values (an `ON CONFLICT` clause, or nothing), and `bind` binds one
/// row's `width` values in order.
async fn insert_rows<T>(
    conn: &mut sqlx::AnyConnection,
    head: &str,
    width: usize,
    tail: &str,
    rows: &[T],
    bind: impl for<'q> Fn(AnyQuery<'q>, &T) -> AnyQuery<'q>,
) -> anyhow::Result<()> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let values: Vec<String> =
            (0..chunk.len()).map(|i| format!("({})", placeholders(1 + i * width, width))).collect();
        let sql = format!("{head} VALUES {} {tail}", values.join(", "));
        let mut query = sqlx::query(&sql);
        for row in chunk {
            query = bind(query, row);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
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
    /// The server's secret that pairing codes are kept under (never in the database).
    key: crate::auth::ServerKey,
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

impl Storage {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://...`) and brings the
    /// schema up to date, with a server key for this process only (tests and tools that
    /// neither issue nor redeem codes another process sees).
    pub async fn open(url: &str) -> anyhow::Result<Storage> {
        Storage::open_with_key(url, crate::auth::ServerKey::ephemeral()).await
    }

    /// [`Storage::open`], keeping pairing codes under the server's own key.
    pub async fn open_with_key(url: &str, key: crate::auth::ServerKey) -> anyhow::Result<Storage> {
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
        let storage = Storage { pool, backend, key };
        storage.migrate().await?;
        storage.seal_audit().await.context("could not chain the audit trail written before it was chained")?;
        Ok(storage)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// What the database keeps for a pairing code as a person types it.
    pub fn code_hash(&self, typed: &str) -> String {
        self.key.code_hash(&crate::auth::normalise_code(typed))
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
}
