//! Several servers on one Postgres, as a council runs them behind a load balancer: two
//! real server processes on one database over loopback. A phone that pushes to both and
//! pulls from both sees each record once; a staff session made on one works on the other;
//! scheduled payments both servers find due are recorded once; a decision made on one is
//! in the other's review queue at once; the kept summaries stay right.
//!
//! Needs Postgres (`TALLY_TEST_POSTGRES_URL`, which `cargo xtask test` sets when one is
//! reachable): without it, the test says it was skipped.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use tally_api::{PairResponse, PullResponse};
use tally_council::seed;
use tally_council::storage::{ScheduleRow, Storage};
use tally_ledger::{Entry, EntryBody};

/// A council server process on the test's database.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn spawn(url: &str, data_dir: &std::path::Path, key_file: &std::path::Path) -> Child {
        Command::new(env!("CARGO_BIN_EXE_tally-council"))
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--key-file")
            .arg(key_file)
            .args(["--database-url", url, "serve", "--demo", "--addr", "127.0.0.1:0", "--dist"])
            .arg(data_dir.join("no-app"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the council server starts")
    }

    /// Waits for a spawned server to say where it listens.
    fn ready(mut child: Child) -> Server {
        let stdout = child.stdout.take().expect("piped");
        let mut lines = BufReader::new(stdout).lines();
        while let Some(line) = lines.next() {
            let line = line.expect("the server's output");
            if let Some(rest) = line.split("Open the wallet:").nth(1) {
                let base = format!("{}/api/v1", rest.trim().trim_end_matches('/'));
                // Keeps reading what the server says, so that it never writes to a closed pipe.
                std::thread::spawn(move || lines.for_each(drop));
                return Server { child, base };
            }
        }
        panic!("the council server stopped before it was listening")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Http(reqwest::Client);

impl Http {
    async fn send(
        &self,
        method: reqwest::Method,
        url: String,
        auth: &[(&str, String)],
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self.0.request(method, url);
        for (name, value) in auth {
            request = request.header(*name, value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

#[tokio::test]
async fn two_servers_on_one_postgres_act_as_one() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("skipped: two servers on one Postgres (TALLY_TEST_POSTGRES_URL is not set)");
        return;
    };
    // Every server on one database shares one key file (pairing codes are kept under it):
    // a code issued through one is redeemed on another.
    let keys = tempfile::tempdir().unwrap();
    let key_file = keys.path().join("server.key");
    let key = tally_council::auth::ServerKey::load_or_create(&key_file).unwrap();
    let issuer = Storage::open_with_key(&db.url, key).await.unwrap();
    let demo = seed::ensure_demo(&issuer).await.unwrap();
    issuer.close().await;
    let account = db.storage.account_by_reference(None, seed::DEMO_REFERENCE).await.unwrap().unwrap();
    // A four-weekly payment from eight weeks ago: three are due. Both servers record due
    // payments as they start, at the same moment.
    let today = time::OffsetDateTime::now_utc().date();
    let schedule = ScheduleRow {
        schedule_id: uuid::Uuid::now_v7().to_string(),
        account_id: account.account_id,
        amount: 37_000,
        every_weeks: 4,
        next_date: tally_ledger::date::iso_date(today - time::Duration::weeks(8)),
        reference: "Four-weekly direct payment".into(),
    };
    let officer = db.storage.staff_with_email(seed::DEMO_OFFICER_EMAIL).await.unwrap().remove(0);
    let event = tally_council::storage::AuditEvent::server("payments scheduled", "by the test");
    db.storage.create_schedule(&schedule, &officer.staff_id, &event, 0).await.unwrap();
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b) = (Server::spawn(&db.url, dir_a.path(), &key_file), Server::spawn(&db.url, dir_b.path(), &key_file));
    let (a, b) = (Server::ready(a), Server::ready(b));
    let http = Http(reqwest::Client::new());

    // A phone pairs on one server, pushes some records to each (and a batch again to the
    // other, as a retry after a lost answer would), then pulls everything from both.
    let (status, paired) = http
        .send(
            reqwest::Method::POST,
            format!("{}/pairings", a.base),
            &[],
            Some(json!({"code": demo.pairing_code, "device_label": "Phone", "held": []})),
        )
        .await;
    assert_eq!(status, 201, "{paired}");
    let device: PairResponse = serde_json::from_value(paired).unwrap();
    let bearer = [("authorization", format!("Bearer {}", device.token))];
    let entries = format!("/accounts/{}/entries", device.account.account_id);
    let records: Vec<Entry> = (0..6).map(|i| spend(&device, 6_000 + i, &format!("Shop {i}"))).collect();
    for (i, server) in [&a, &b, &a].iter().enumerate() {
        let batch: Vec<Value> = records[i * 2..i * 2 + 2].iter().map(to_json).collect();
        let (status, body) = http
            .send(
                reqwest::Method::POST,
                format!("{}{entries}", server.base),
                &bearer,
                Some(json!({"entries": batch.clone()})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let other = if i == 1 { &a } else { &b };
        let (status, again) = http
            .send(reqwest::Method::POST, format!("{}{entries}", other.base), &bearer, Some(json!({"entries": batch})))
            .await;
        assert_eq!(status, 200);
        assert!(again["results"].as_array().unwrap().iter().all(|r| r["status"] == "already_stored"), "{again}");
    }
    let mut seen = Vec::new();
    for server in [&a, &b] {
        let mut cursor = 0;
        let mut pulled: Vec<Entry> = Vec::new();
        loop {
            let (status, page) = http
                .send(reqwest::Method::GET, format!("{}{entries}?after={cursor}", server.base), &bearer, None)
                .await;
            assert_eq!(status, 200, "{page}");
            let page: PullResponse = serde_json::from_value(page).unwrap();
            pulled.extend(page.entries);
            cursor = page.cursor;
            if !page.more {
                break;
            }
        }
        seen.push(pulled);
    }
    assert_eq!(seen[0], seen[1], "both servers give the same records in the same order");
    for record in &records {
        assert_eq!(seen[0].iter().filter(|e| e.id == record.id).count(), 1, "each record once");
    }
    let payments = seen[0]
        .iter()
        .filter(|e| matches!(&e.body, EntryBody::PaymentIn(m) if m.reference == "Four-weekly direct payment"))
        .count();
    assert_eq!(payments, 3, "the three due payments, recorded once though both servers found them due");

    // A finance officer signs in on one server and works on the other.
    let response = http
        .0
        .post(format!("{}/council/sign-in", a.base))
        .json(&json!({"email": seed::DEMO_OFFICER_EMAIL, "password": seed::DEMO_OFFICER_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tally_staff="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let csrf = response.json::<Value>().await.unwrap()["csrf_token"].as_str().unwrap().to_owned();
    let staff = [("cookie", cookie.clone()), ("x-csrf-token", csrf)];
    let (status, queue) = http.send(reqwest::Method::GET, format!("{}/council/reviews", b.base), &staff, None).await;
    assert_eq!(status, 200, "the session made on the first server works on the second: {queue}");
    assert_eq!(queue["total"], 6, "every £60+ spend without a receipt is flagged: {queue}");
    // A decision on the second server is in the first's queue at once.
    let first = &queue["items"][0]["entry_id"];
    let (status, decided) = http
        .send(
            reqwest::Method::POST,
            format!("{}/council/accounts/{}/decisions", b.base, seed::DEMO_REFERENCE),
            &staff,
            Some(json!({"about": first, "decision": "approved", "note": "Seen."})),
        )
        .await;
    assert_eq!(status, 201, "{decided}");
    let (_, queue) = http.send(reqwest::Method::GET, format!("{}/council/reviews", a.base), &staff, None).await;
    assert_eq!(queue["total"], 5);
    assert!(queue["items"].as_array().unwrap().iter().all(|i| &i["entry_id"] != first));
    let (_, list) = http.send(reqwest::Method::GET, format!("{}/council/accounts", a.base), &staff, None).await;
    let row = list["accounts"].as_array().unwrap().iter().find(|r| r["reference"] == seed::DEMO_REFERENCE).unwrap();
    assert_eq!(row["open_flags"], 5, "{row}");
    // Signing out on the first ends the session on both.
    let (status, _) = http.send(reqwest::Method::POST, format!("{}/council/sign-out", a.base), &staff, None).await;
    assert_eq!(status, 204);
    let (status, _) = http.send(reqwest::Method::GET, format!("{}/council/me", b.base), &staff, None).await;
    assert_eq!(status, 401);

    drop((a, b));
    tokio::time::sleep(Duration::from_millis(100)).await;
    summaries_are_right(&db.storage).await;
    db.drop_db().await;
}
