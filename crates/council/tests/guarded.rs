//! The server on the open internet: throttled pairing and devices, quotas, the session
//! cookie as the public address decides it, timeouts and the concurrency limit on a real
//! loopback server, and the audit trail's chain and triggers (SQLite and Postgres).

use std::num::NonZeroU32;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use governor::Quota;
use serde_json::json;
use sqlx::Row;
use tally_council::guard::Limits;
use tally_council::storage::Storage;
use tally_council::{issue_pairing_code, seed, Config};

mod common;

use common::*;

on_every_database! {
    pairing_is_throttled_per_address_and_overall => pairing_scenario;
    devices_are_limited_per_token_and_accounts_per_day => quota_scenario;
    the_cookie_and_hsts_follow_the_public_address => cookie_scenario;
}

on_every_test_db! {
    the_audit_trail_is_chained_and_cannot_be_changed => audit_chain_scenario;
}

fn n(value: u32) -> NonZeroU32 {
    NonZeroU32::new(value).unwrap()
}

async fn pairing_scenario(storage: &Storage) {
    let limits = Limits {
        pairing_per_address: Quota::per_hour(n(1)).allow_burst(n(3)),
        pairing_overall: Quota::per_hour(n(1)).allow_burst(n(8)),
        ..Limits::default()
    };
    let server = Client::with(storage, Config::default(), limits);
    let demo = seed::ensure_demo(storage).await.unwrap();
    let guess = |client: &Client, code: &str| {
        let body = json!({"code": code, "device_label": "Phone", "held": []});
        let request = Request::post("/api/v1/pairings")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let client = Client { router: client.router.clone(), peer: client.peer };
        async move { client.exchange(request).await }
    };

    // Someone guessing from one address gets three tries, then waits (Retry-After).
    let guesser = server.at_address([203, 0, 113, 5]);
    for _ in 0..3 {
        assert_eq!(guess(&guesser, "AAAA-AAAA").await.0, StatusCode::BAD_REQUEST);
    }
    let (status, headers, body) = guess(&guesser, "AAAA-AAAA").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(headers.get(header::RETRY_AFTER).is_some());
    assert!(String::from_utf8_lossy(&body).contains("Too many pairing codes were tried from this connection"));
    // Even the right code waits: the guesser cannot tell a hit from a miss.
    assert_eq!(guess(&guesser, &demo.pairing_code).await.0, StatusCode::TOO_MANY_REQUESTS);

    // A person elsewhere pairs as usual, with the code their council gave them.
    let person = server.at_address([198, 51, 100, 20]);
    let (status, _, body) = guess(&person, &demo.pairing_code).await;
    assert_eq!(status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&body));

    // Guessing spread over many addresses meets the server's overall limit.
    let mut refused_overall = 0;
    for last in 1..=10u8 {
        let (status, _, body) = guess(&server.at_address([192, 0, 2, last]), "BBBB-BBBB").await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert!(String::from_utf8_lossy(&body).contains("too many pairing attempts"));
            refused_overall += 1;
        }
    }
    assert_eq!(refused_overall, 6, "8 attempts a burst: 3 + 1 before, then 4 of these 10");

    // The pairing and the burst of refusals are in the audit trail (the burst once), with
    // their addresses; the chain holds.
    let db_lines = audit_lines(storage).await;
    let refused: Vec<_> = db_lines.iter().filter(|(action, _, _)| action == "pairing attempts refused").collect();
    assert_eq!(refused.len(), 1, "{db_lines:?}");
    assert_eq!(refused[0].2.as_deref(), Some("203.0.113.5"));
    let paired: Vec<_> = db_lines.iter().filter(|(action, _, _)| action == "device paired").collect();
    assert_eq!(paired.len(), 1);
    assert_eq!(paired[0].2.as_deref(), Some("198.51.100.20"));
    assert!(storage.verify_audit().await.unwrap().first_break.is_none());
}

/// Every line of the audit trail: (action, detail, address), oldest first.
async fn audit_lines(storage: &Storage) -> Vec<(String, String, Option<String>)> {
    let council = storage.council_id_by_name(seed::DEMO_COUNCIL).await.unwrap().unwrap();
    let mut lines: Vec<_> = storage
        .audit_of_council(&council, &Default::default(), 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|l| (l.action, l.detail, l.address))
        .collect();
    lines.reverse();
    // The server's own lines belong to no council.
    let server_lines = storage.server_audit_lines(100).await.unwrap();
    lines.extend(server_lines.into_iter().map(|l| (l.action, l.detail, l.address)));
    lines
}

async fn quota_scenario(storage: &Storage) {
    let limits = Limits {
        device_requests: Quota::per_hour(n(1)).allow_burst(n(5)),
        records_per_day: 3,
        photo_bytes_per_day: 3000,
        ..Limits::default()
    };
    let client = Client::with(storage, Config::default(), limits);
    let device = client.paired(storage).await;

    // Three records a day for this account: a push that finds the quota met is refused
    // whole, nothing stored, and the phone keeps its records for tomorrow.
    let held = storage.all_entries(device.account.account_id).await.unwrap().len();
    let first: Vec<_> = (0..3).map(|i| to_json(&spend(&device, 100 + i, "Shop"))).collect();
    assert_eq!(statuses(&client.push(&device, first).await), vec![tally_api::PushStatus::Stored; 3]);
    let more = client.push(&device, vec![to_json(&spend(&device, 500, "Shop"))]).await;
    assert_eq!(more.status, StatusCode::TOO_MANY_REQUESTS, "{}", more.body);
    assert!(message(&more).contains("3 records in the last 24 hours"), "{}", more.body);
    assert!(message(&more).contains("kept on this device"));
    assert_eq!(storage.all_entries(device.account.account_id).await.unwrap().len(), held + 3);

    // Photos: 3,000 bytes a day for this account.
    let photo = |fill: u8| jpeg(fill, 1400);
    let upload = |bytes: Vec<u8>| {
        let uri = format!("/api/v1/accounts/{}/receipts/{}", device.account.account_id, sha256_hex(&bytes));
        let client = Client { router: client.router.clone(), peer: None };
        let token = device.token.clone();
        async move { client.send_bytes(Method::PUT, &uri, &token, "image/jpeg", bytes).await }
    };
    assert_eq!(upload(photo(1)).await.0, StatusCode::CREATED);
    assert_eq!(upload(photo(2)).await.0, StatusCode::CREATED);
    let (status, body) = upload(photo(3)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(String::from_utf8_lossy(&body).contains("receipt photos in the last 24 hours"));
    // That was the device's fifth request since pairing (a burst of five): the sixth waits,
    // whatever it asks.
    let slowed = client.get(&format!("/api/v1/accounts/{}", device.account.account_id), Some(&device.token)).await;
    assert_eq!(slowed.status, StatusCode::TOO_MANY_REQUESTS, "{}", slowed.body);
    assert!(message(&slowed).contains("sending too much too quickly"));
    // Another device of another account is not held up by it.
    let account = storage.account_by_reference(None, "DP-000002").await.unwrap().unwrap();
    let other = client.pair(&issue_pairing_code(storage, account.account_id, None).await.unwrap()).await;
    let fine = client.get(&format!("/api/v1/accounts/{}", other.account.account_id), Some(&other.token)).await;
    assert_eq!(fine.status, StatusCode::OK, "{}", fine.body);
}

async fn cookie_scenario(storage: &Storage) {
    seed::ensure_demo(storage).await.unwrap();
    let sign_in = |client: Client, forwarded_https: bool| async move {
        let mut request = Request::post("/api/v1/council/sign-in").header(header::CONTENT_TYPE, "application/json");
        if forwarded_https {
            request = request.header("x-forwarded-proto", "https");
        }
        let body = json!({"email": seed::DEMO_OFFICER_EMAIL, "password": seed::DEMO_OFFICER_PASSWORD});
        let (status, headers, _) = client.exchange(request.body(Body::from(body.to_string())).unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        let text = |name| headers.get(name).map(|v: &header::HeaderValue| v.to_str().unwrap().to_owned());
        (text(header::SET_COOKIE).unwrap(), text(header::STRICT_TRANSPORT_SECURITY))
    };
    // Plain HTTP (development): no Secure flag, whatever a request's header claims.
    let (cookie, hsts) = sign_in(Client::new(storage), true).await;
    assert!(cookie.starts_with("tally_staff="), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("Path=/api/v1/council;"), "the cookie goes to the staff API only: {cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    assert_eq!(hsts, None);

    // Served at an HTTPS address: Secure, the __Secure- name, and HSTS on every answer.
    let config =
        Config { public_url: Some("https://tally.example.gov.uk".into()), behind_proxy: true, ..Config::default() };
    let https = Client::with(storage, config, Limits::default());
    let (cookie, hsts) = sign_in(Client { router: https.router.clone(), peer: None }, false).await;
    assert!(cookie.starts_with("__Secure-tally_staff="), "{cookie}");
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert!(cookie.contains("Path=/api/v1/council;"), "{cookie}");
    assert_eq!(hsts.as_deref(), Some("max-age=31536000"));
    // The session works with that cookie, and not under the plain name.
    let token = cookie.split(';').next().unwrap().trim_start_matches("__Secure-tally_staff=").to_owned();
    for (name, expected) in [("__Secure-tally_staff", StatusCode::OK), ("tally_staff", StatusCode::UNAUTHORIZED)] {
        let request = Request::get("/api/v1/council/me")
            .header(header::COOKIE, format!("{name}={token}"))
            .body(Body::empty())
            .unwrap();
        assert_eq!(https.exchange(request).await.0, expected, "{name}");
    }
}

async fn audit_chain_scenario(db: &TestDb) {
    let storage = &db.storage;
    let client = Client::new(storage);
    let device = client.paired(storage).await;
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let account = format!("/api/v1/council/accounts/{}", seed::DEMO_REFERENCE);
    // A view of a person's records, a photo, and an export of everyone's are all audited.
    assert_eq!(client.staff(Method::GET, &account, &officer, false, None).await.status, StatusCode::OK);
    let csv = client
        .staff(Method::GET, "/api/v1/council/transactions.csv?from=2026-01-01&to=2026-12-31", &officer, false, None)
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let _ = device;
    let actions: Vec<String> = audit_lines(storage).await.into_iter().map(|l| l.0).collect();
    for expected in ["device paired", "signed in", "account viewed", "transactions exported"] {
        assert!(actions.iter().any(|a| a == expected), "{expected} in {actions:?}");
    }
    let check = storage.verify_audit().await.unwrap();
    assert_eq!(check.first_break, None);
    assert_eq!(check.lines, actions.len() as i64);

    let raw = db.raw().await;

    // A change and its audit line are written together: when the line cannot be written
    // (here the chain's head is taken away), the change is not made either.
    let head = sqlx::query("SELECT seq, hash FROM audit_head").fetch_one(&raw).await.unwrap();
    let (seq, hash): (i64, String) = (head.get(0), head.get(1));
    let count_codes = || sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM pairing_code").fetch_one(&raw);
    let codes = count_codes().await.unwrap();
    sqlx::query("DELETE FROM audit_head").execute(&raw).await.unwrap();
    let cards = format!("{account}/cards");
    let card = client.staff(Method::POST, &cards, &officer, true, Some(json!({"card": "****4242"}))).await;
    assert_eq!(card.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", card.body);
    let code = client.staff(Method::POST, &format!("{account}/pairing-codes"), &officer, true, None).await;
    assert_eq!(code.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", code.body);
    sqlx::query("INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $2)")
        .bind(seq)
        .bind(&hash)
        .execute(&raw)
        .await
        .unwrap();
    let listed = client.staff(Method::GET, &cards, &officer, false, None).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert!(!listed.body.to_string().contains("4242"), "the card was not added: {}", listed.body);
    assert_eq!(count_codes().await.unwrap(), codes, "no code was issued");
    // With the head back, the same change is made and audited.
    let card = client.staff(Method::POST, &cards, &officer, true, Some(json!({"card": "****4242"}))).await;
    assert_eq!(card.status, StatusCode::OK, "{}", card.body);
    let actions: Vec<String> = audit_lines(storage).await.into_iter().map(|l| l.0).collect();
    assert_eq!(actions.iter().filter(|a| *a == "card added").count(), 1, "{actions:?}");
    let check = storage.verify_audit().await.unwrap();
    assert_eq!((check.lines, check.first_break), (actions.len() as i64, None));

    // The database itself refuses to change or remove an audit line or a record.
    for refused in [
        "UPDATE audit_log SET detail = 'nothing happened'",
        "DELETE FROM audit_log",
        "UPDATE entry SET body = '{}'",
        "DELETE FROM entry",
    ] {
        let outcome = sqlx::query(refused).execute(&raw).await;
        let error = outcome.expect_err(refused).to_string();
        assert!(error.contains("never"), "{refused}: {error}");
    }
    assert_eq!(storage.verify_audit().await.unwrap().first_break, None);

    // Someone with the power to drop the guard and rewrite a line is still found out, at
    // that line.
    let unguard = match storage.backend() {
        tally_council::storage::Backend::Sqlite => "DROP TRIGGER audit_log_kept",
        tally_council::storage::Backend::Postgres => "DROP TRIGGER audit_log_kept ON audit_log",
    };
    sqlx::query(unguard).execute(&raw).await.unwrap();
    sqlx::query("UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 2").execute(&raw).await.unwrap();
    let broken = storage.verify_audit().await.unwrap();
    assert_eq!(broken.first_break.as_ref().map(|b| b.0), Some(2), "{broken:?}");
    assert!(broken.first_break.unwrap().1.contains("changed after it was written"));
    assert_eq!(broken.lines, 1);

    // The command line says so too, and exits with status 1.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tally-council"))
        .args(["--database-url", &db.url, "--data-dir"])
        .arg(tempfile::tempdir().unwrap().path())
        .arg("verify-audit")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("broken at line 2"), "{output:?}");
    raw.close().await;
}

/// A real server on loopback with small limits: a client that sends its headers slowly
/// is cut off, a body that stops arriving is answered 408, and requests beyond the limit
/// at once are turned away with 503 while the others are answered.
#[tokio::test]
async fn slow_clients_and_floods_are_cut_off_on_a_real_server() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = TestDb::sqlite().await;
    let limits = Limits {
        header_timeout: Duration::from_millis(500),
        body_timeout: Duration::from_secs(3),
        request_timeout: Duration::from_secs(5),
        requests_at_once: 2,
        ..Limits::default()
    };
    let header_timeout = limits.header_timeout;
    let state = tally_council::AppState::with(db.storage.clone(), Config::default(), limits);
    let router = tally_council::app(state, None);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(tally_council::serve(listener, router, header_timeout, async {
        let _ = stopped.await;
    }));

    // Headers that never finish: the connection is closed, not held.
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the server closed the connection within the header timeout");

    // A body that stops arriving: 408 in the API's error shape.
    let mut stalled = tokio::net::TcpStream::connect(addr).await.unwrap();
    stalled
        .write_all(b"POST /api/v1/pairings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"code\"")
        .await
        .unwrap();
    let mut answer = vec![0u8; 4096];
    let got = tokio::time::timeout(Duration::from_secs(5), stalled.read(&mut answer)).await.unwrap().unwrap();
    let answer = String::from_utf8_lossy(&answer[..got]).to_string();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("took too long"), "{answer}");

    // Two requests held open (bodies not yet sent) fill the server: a third is turned
    // away at once; when they finish, it is answered again.
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"POST /api/v1/pairings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n")
            .await
            .unwrap();
        held.push(stream);
    }
    // (The two reach their handlers as the server gets to them: wait for that, up to the
    // body timeout, which would end them.)
    let http = reqwest::Client::new();
    let health = || http.get(format!("http://{addr}/api/v1/health")).send();
    let started = std::time::Instant::now();
    let busy = loop {
        let answer = health().await.unwrap();
        if answer.status() == 503 || started.elapsed() > Duration::from_secs(2) {
            break answer;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(busy.status(), 503);
    assert!(busy.headers().get("retry-after").is_some());
    assert!(busy.text().await.unwrap().contains("very busy"));
    drop(held);
    let started = std::time::Instant::now();
    let fine = loop {
        let answer = health().await.unwrap();
        if answer.status() == 200 || started.elapsed() > Duration::from_secs(5) {
            break answer;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(fine.status(), 200);

    let _ = stop.send(());
    server.await.unwrap().unwrap();
    db.drop_db().await;
}
