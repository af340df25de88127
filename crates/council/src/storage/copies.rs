//! Copies of the database: an online backup (SQLite), and what a copy holds.

use super::*;

/// How much a database holds: what a backup and a restore are checked against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Holdings {
    pub councils: i64,
    pub accounts: i64,
    pub entries: i64,
    pub receipts: i64,
    pub audit_lines: i64,
}

impl Storage {
    /// Writes a consistent copy of the whole database to `path` while the server runs
    /// (SQLite's `VACUUM INTO`: one read transaction, so pushes carry on and the copy
    /// holds each of them whole or not at all). SQLite only.
    pub async fn vacuum_into(&self, path: &str) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.backend == Backend::Sqlite,
            "a Postgres database is backed up with pg_dump (see docs/deploy.md), not with this command"
        );
        sqlx::query("VACUUM INTO $1").bind(path).execute(&self.pool).await?;
        Ok(())
    }

    /// What the database holds.
    pub async fn holdings(&self) -> anyhow::Result<Holdings> {
        let count = |table: &'static str| {
            let pool = self.pool.clone();
            async move {
                let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&pool).await?;
                anyhow::Ok(n)
            }
        };
        Ok(Holdings {
            councils: count("council").await?,
            accounts: count("account").await?,
            entries: count("entry").await?,
            receipts: count("receipt").await?,
            audit_lines: count("audit_log").await?,
        })
    }

    /// SQLite's own check of every page of the file: "ok", or what is wrong.
    pub async fn integrity(&self) -> anyhow::Result<String> {
        if self.backend != Backend::Sqlite {
            return Ok("ok".to_owned());
        }
        let said: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&self.pool).await?;
        Ok(said.join("; "))
    }
}
