//! The council server's Postgres connection over TLS (docs/deploy.md, "Postgres over
//! TLS"): with `sslmode=require` the connection is encrypted, and with `verify-full` a
//! server whose certificate the given CA did not sign is refused. Needs the Postgres test
//! server (`TALLY_TEST_POSTGRES_URL`) with TLS on; says plainly what it skipped otherwise.

mod common;

use common::*;
use sqlx::Row;
use tally_council::storage::Storage;

#[tokio::test]
async fn postgres_connections_can_use_tls_and_check_the_certificate() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("skipped: no Postgres test server (TALLY_TEST_POSTGRES_URL)");
        return;
    };
    let raw = db.raw().await;
    let ssl: String = sqlx::query("SHOW ssl").fetch_one(&raw).await.unwrap().get(0);
    raw.close().await;
    if ssl != "on" {
        eprintln!("skipped: the Postgres test server has TLS switched off (ssl = {ssl})");
        db.drop_db().await;
        return;
    }
    let separator = if db.url.contains('?') { '&' } else { '?' };

    // Encrypted: the server itself says this connection uses TLS.
    let encrypted_url = format!("{}{separator}sslmode=require", db.url);
    let storage = Storage::open(&encrypted_url).await.expect("the server connects with sslmode=require");
    storage.ping().await.unwrap();
    storage.close().await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&encrypted_url).await.unwrap();
    let on: bool =
        sqlx::query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetch_one(&pool).await.unwrap().get(0);
    assert!(on, "the connection is encrypted");
    pool.close().await;

    // Checked: a CA that did not sign the server's certificate is refused.
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("other-ca.pem");
    let made = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=Not the database's CA"])
        .arg("-keyout")
        .arg(dir.path().join("other-ca.key"))
        .arg("-out")
        .arg(&ca)
        .output()
        .expect("openssl makes a certificate");
    assert!(made.status.success(), "{made:?}");
    let checked_url = format!("{}{separator}sslmode=verify-full&sslrootcert={}", db.url, ca.display());
    let refused = Storage::open(&checked_url).await.expect_err("a certificate from another CA is refused");
    let message = format!("{refused:#}").to_lowercase();
    assert!(message.contains("certificate"), "{message}");
    db.drop_db().await;
}
