//! `tally-council backup` and `restore`, for the embedded (SQLite) database.
//!
//! A backup is one file, taken while the server runs: a consistent copy of everything
//! the council holds (accounts, records, receipt photos, the audit trail), checked before
//! it is given its name. A restore goes only into a data directory with no database, and
//! checks the copy (SQLite's integrity check, the audit trail's hash chain) before the
//! server can use it. The server key (`server.key`) is not in the database: keep it apart
//! (docs/deploy.md). A Postgres database is backed up with `pg_dump` instead.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::storage::{Holdings, Storage};

/// What a backup or a restore holds, once checked.
#[derive(Clone, Debug)]
pub struct Copy {
    pub path: PathBuf,
    pub bytes: u64,
    pub holdings: Holdings,
    /// The audit trail's last hash, to write down beside the copy.
    pub audit_head: String,
}

impl std::fmt::Display for Copy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let h = &self.holdings;
        write!(
            f,
            "{} ({:.1} MB): {} councils, {} accounts, {} records, {} receipt photos, {} audit lines (the chain checks out; last hash {})",
            self.path.display(),
            self.bytes as f64 / 1_000_000.0,
            h.councils,
            h.accounts,
            h.entries,
            h.receipts,
            h.audit_lines,
            self.audit_head
        )
    }
}

/// `path` with `.partial` after its name: where a copy is written before it is checked.
fn partial(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

fn sqlite_url_of(path: &Path) -> anyhow::Result<String> {
    Ok(format!("sqlite://{}?mode=rw", std::path::absolute(path)?.display()))
}

/// Opens a copy and checks it: every page readable, the audit trail whole.
async fn check(path: &Path) -> anyhow::Result<Copy> {
    let copy = Storage::open(&sqlite_url_of(path)?)
        .await
        .with_context(|| format!("{} is not a Tally database", path.display()))?;
    let checked = async {
        let integrity = copy.integrity().await?;
        anyhow::ensure!(integrity == "ok", "the copy is damaged: {integrity}");
        let audit = copy.verify_audit().await?;
        if let Some((seq, why)) = audit.first_break {
            anyhow::bail!("the copy's audit trail is broken at line {seq}: {why}");
        }
        Ok((copy.holdings().await?, audit.head_hash))
    }
    .await;
    copy.close().await;
    let (holdings, audit_head) = checked?;
    Ok(Copy { path: path.to_owned(), bytes: std::fs::metadata(path)?.len(), holdings, audit_head })
}

/// Writes a checked copy of the database to `to` (a new file) while the server runs.
pub async fn backup(storage: &Storage, to: &Path) -> anyhow::Result<Copy> {
    anyhow::ensure!(
        !to.exists(),
        "{} already exists: a backup never overwrites a file, choose a new name",
        to.display()
    );
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("could not make the folder {}", dir.display()))?;
    }
    let writing = partial(to);
    let _ = std::fs::remove_file(&writing);
    let absolute = std::path::absolute(&writing)?;
    let taken = async {
        storage
            .vacuum_into(&absolute.display().to_string())
            .await
            .with_context(|| format!("could not write the backup to {}", writing.display()))?;
        check(&writing).await
    }
    .await;
    let copy = match taken {
        Ok(copy) => copy,
        Err(e) => {
            let _ = std::fs::remove_file(&writing);
            return Err(e);
        }
    };
    std::fs::rename(&writing, to)?;
    Ok(Copy { path: to.to_owned(), ..copy })
}

/// Puts a backup in place as `database` (the data directory's `tally.sqlite3`), which
/// must not exist yet. The backup is checked before it is put in place; it is left as it was.
pub async fn restore(from: &Path, database: &Path) -> anyhow::Result<Copy> {
    anyhow::ensure!(from.is_file(), "there is no backup file at {}", from.display());
    anyhow::ensure!(
        !database.exists(),
        "{} already exists: restore only into a data directory with no database (stop the server and move the old one aside first)",
        database.display()
    );
    if let Some(dir) = database.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("could not make the folder {}", dir.display()))?;
    }
    let writing = partial(database);
    let _ = std::fs::remove_file(&writing);
    std::fs::copy(from, &writing).with_context(|| format!("could not copy {} into place", from.display()))?;
    let copy = match check(&writing).await {
        Ok(copy) => copy,
        Err(e) => {
            let _ = std::fs::remove_file(&writing);
            return Err(e);
        }
    };
    std::fs::rename(&writing, database)?;
    Ok(Copy { path: database.to_owned(), ..copy })
}
