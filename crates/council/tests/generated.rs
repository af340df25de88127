//! Generated records from a scripted phone, pushed to a real council server on loopback.
//!
//! Arbitrary entries over the whole entry type (every kind; dates from the year -9999 to
//! 9999; any amount; long and unusual text; references to real and unknown ids; other
//! accounts, other devices, no device, the council's name; clocks anywhere) and JSON that
//! is not an entry at all. Every answer must be 2xx or 4xx, never 5xx or a dropped
//! connection; afterwards every council page answers, the council's records are all in
//! force, and every record the server kept passes the checks a device record must.
//!
//! 10,000 records by default (`cargo xtask test`); `TALLY_GENERATED_RECORDS=N` runs more
//! (`cargo xtask hostile --records N`), `TALLY_GENERATED_SEED` another seed. The run prints
//! how many ran and what became of them.

mod common;

use std::net::SocketAddr;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Value};
use tally_api::{PairRequest, PairResponse, PushResponse, PushStatus};
use tally_council::{app, issue_pairing_code, seed, AppState};
use tally_ledger::date::DateRange;
use tally_ledger::{AccountId, DeviceId, EntryId, Ledger};
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use common::TestDb;

const DEFAULT_RECORDS: usize = 10_000;
const PER_PUSH: usize = 100;

/// A real server on a loopback port, serving the database until the test ends.
async fn serve(storage: tally_council::storage::Storage) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app(AppState::new(storage), None)).await.unwrap() });
    address
}

/// What the generator aims at: the accounts, devices and records it has seen.
#[derive(Clone, Debug)]
struct Targets {
    account: AccountId,
    other_account: AccountId,
    devices: Vec<DeviceId>,
    ids: Vec<EntryId>,
}

fn any_date() -> impl Strategy<Value = Date> {
    let (min, max) = (Date::MIN.to_julian_day(), Date::MAX.to_julian_day());
    let today = OffsetDateTime::now_utc().date();
    prop_oneof![
        Just(Date::MIN),
        Just(Date::MAX),
        (min..=max).prop_map(|d| Date::from_julian_day(d).unwrap()),
        (-800i64..800).prop_map(move |d| today.saturating_add(Duration::days(d))),
    ]
}

/// A clock reading as a device might send it, including ones RFC 3339 cannot write.
fn any_moment() -> impl Strategy<Value = Value> {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let format = |t: OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339).map(Value::String).unwrap_or(Value::Null)
    };
    prop_oneof![
        (-86_400i64 * 5..86_400 * 5).prop_map(move |d| format(OffsetDateTime::from_unix_timestamp(now + d).unwrap())),
        (-62_000_000_000i64..253_000_000_000)
            .prop_map(move |t| format(OffsetDateTime::from_unix_timestamp(t).unwrap())),
        Just(json!("-9999-01-01T00:00:00Z")),
        Just(json!("9999-12-31T23:59:59+14:00")),
        Just(json!("2026-11-29")),
        Just(json!(12345)),
    ]
}

/// Text people and scripts write: short, long, empty, every script, control characters.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z0-9 ,.'&-]{0,40}",
        2 => any::<String>(),
        1 => "\\PC{0,300}",
        1 => (190usize..2_100).prop_map(|n| "é".repeat(n)),
        1 => Just("Demo Borough Council".to_owned()),
        1 => Just("  ".to_owned()),
        1 => Just("\u{0}\u{202e}<script>alert(1)</script>".to_owned()),
    ]
}

fn any_amount() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => (1i64..500_000).prop_map(|p| json!(format!("{}.{:02}", p / 100, p % 100))),
        1 => any::<i64>().prop_map(|p| json!(tally_ledger::Money::from_pence(p).to_plain_string())),
        1 => Just(json!("0.00")),
        1 => Just(json!("12.345")),
        1 => Just(json!(12.5)),
        1 => Just(json!("£1,234.50")),
        1 => Just(json!("NaN")),
    ]
}

fn any_ref(targets: &Targets) -> impl Strategy<Value = Value> {
    let ids = targets.ids.clone();
    prop_oneof![
        3 => (0..ids.len().max(1)).prop_map(move |i| ids.get(i).map_or(json!(Uuid::nil()), |id| json!(id))),
        1 => any::<u128>().prop_map(|n| json!(Uuid::from_u128(n))),
        1 => Just(json!("not-an-id")),
    ]
}

fn line_id() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("day-centre")),
        Just(json!("pa-hours")),
        Just(Value::Null),
        any_text().prop_map(Value::String)
    ]
}

fn date_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        8 => any_date().prop_map(|d| json!(d)),
        1 => Just(json!("2026-02-30")),
        1 => Just(json!("yesterday")),
    ]
}

/// A money body of any kind, as JSON.
fn money_body(targets: &Targets) -> impl Strategy<Value = Value> {
    let spend = (date_value(), any_amount(), any_text(), line_id(), any::<bool>(), prop::collection::vec("[0-9a-f]{64}|[A-Z]{3}", 0..3), prop::option::of(any::<u32>()), prop::option::of(any_ref(targets)))
        .prop_map(|(date, amount, payee, line, relative, receipts, respite, answers)| {
            json!({"type": "spend", "date": date, "amount": amount, "payee": payee, "plan_line": line, "close_relative_in_household": relative,
                   "method": "cash", "receipts": receipts, "respite_days": respite, "answers": answers, "note": "x"})
        });
    let money_in = (prop_oneof![Just("payment_in"), Just("contribution")], date_value(), any_amount(), any_text())
        .prop_map(|(kind, date, amount, reference)| json!({"type": kind, "date": date, "amount": amount, "reference": reference}));
    let refund = (date_value(), any_amount(), any_text(), prop::option::of(any_ref(targets)))
        .prop_map(|(date, amount, payee, of)| json!({"type": "refund", "date": date, "amount": amount, "payee": payee, "refund_of": of}));
    let clawback = (date_value(), any_amount(), any_text()).prop_map(
        |(date, amount, reason)| json!({"type": "clawback", "date": date, "amount": amount, "reason": reason}),
    );
    prop_oneof![4 => spend, 2 => money_in, 1 => refund, 1 => clawback]
}

/// Any body at all.
fn any_body(targets: &Targets) -> impl Strategy<Value = Value> {
    let correction = (any_ref(targets), money_body(targets), any_text())
        .prop_map(|(of, replacement, reason)| json!({"type": "correction", "corrects": of, "replacement": replacement, "reason": reason}));
    let void =
        (any_ref(targets), any_text()).prop_map(|(of, reason)| json!({"type": "void", "voids": of, "reason": reason}));
    let decision = (any_ref(targets), prop_oneof![Just("approved"), Just("question"), Just("not_allowed")], any_text(), prop::option::of(any_ref(targets)))
        .prop_map(|(about, decision, note, version)| json!({"type": "review_decision", "about": about, "decision": decision, "note": note, "version": version}));
    let explanation = (any_ref(targets), any_text())
        .prop_map(|(about, text)| json!({"type": "explanation", "about": about, "text": text}));
    let query = (date_value(), any_amount(), any_text(), any::<u32>())
        .prop_map(|(date, amount, description, line)| json!({"type": "statement_query", "date": date, "amount": amount, "description": description, "statement": "s", "line_no": line}));
    prop_oneof![6 => money_body(targets), 2 => correction, 2 => void, 1 => decision, 2 => explanation, 1 => query, 1 => Just(json!({"type": "grant", "amount": "1.00"}))]
}

/// A record an honest phone could send (its own device, a sane clock, dates and amounts
/// in range), of a kind it may write, naming records seen so far: these reach the checks
/// of authority (what a void or a correction may change) rather than stopping at reading.
fn plausible_record(targets: &Targets) -> impl Strategy<Value = Value> {
    let (account, device) = (targets.account, targets.devices[0]);
    let now = OffsetDateTime::now_utc();
    let today = now.date();
    let date = (-300i64..30).prop_map(move |d| json!(today.saturating_add(Duration::days(d))));
    let amount = (1i64..200_000).prop_map(|p| json!(format!("{}.{:02}", p / 100, p % 100)));
    let spend = (date.clone(), amount.clone(), "[A-Za-z ]{1,30}", prop::option::of(any_ref(targets)))
        .prop_map(|(date, amount, payee, answers)| json!({"type": "spend", "date": date, "amount": amount, "payee": payee, "plan_line": "day-centre", "answers": answers}))
        .boxed();
    let contribution = (date.clone(), amount.clone())
        .prop_map(|(date, amount)| json!({"type": "contribution", "date": date, "amount": amount}))
        .boxed();
    let body = prop_oneof![
        3 => spend.clone(),
        1 => contribution.clone(),
        2 => (any_ref(targets), prop_oneof![spend, contribution]).prop_map(|(of, replacement)| json!({"type": "correction", "corrects": of, "replacement": replacement})),
        2 => any_ref(targets).prop_map(|of| json!({"type": "void", "voids": of, "reason": "Logged twice"})),
        1 => any_ref(targets).prop_map(|about| json!({"type": "explanation", "about": about, "text": "It was for my support."})),
    ];
    (any::<u128>(), -3_600i64..3_600, body).prop_map(move |(id, skew, body)| {
        let at = (now + Duration::seconds(skew)).format(&time::format_description::well_known::Rfc3339).unwrap();
        json!({"id": Uuid::from_u128(id), "account": account, "author": {"name": "Alex Morgan", "device": device}, "recorded_at": at, "body": body})
    })
}

/// A whole record as a phone might send it.
fn any_record(targets: &Targets) -> impl Strategy<Value = Value> {
    let own = targets.account;
    let accounts = prop_oneof![8 => Just(json!(own)), 1 => Just(json!(targets.other_account)), 1 => any::<u128>().prop_map(|n| json!(Uuid::from_u128(n)))];
    let devices = targets.devices.clone();
    let device = prop_oneof![
        8 => Just(json!(devices[0])),
        2 => (0..devices.len()).prop_map(move |i| json!(devices[i])),
        1 => Just(Value::Null),
        1 => any::<u128>().prop_map(|n| json!(Uuid::from_u128(n))),
    ];
    let id = prop_oneof![8 => any::<u128>().prop_map(|n| json!(Uuid::from_u128(n))), 2 => any_ref(targets)];
    let name = prop_oneof![8 => Just("Alex Morgan".to_owned()), 2 => any_text()];
    let record = (id, accounts, name, device, prop::option::of(any::<u64>()), any_moment(), any_body(targets))
        .prop_map(|(id, account, name, device, seq, at, body)| {
            json!({"id": id, "account": account, "author": {"name": name, "device": device, "device_seq": seq}, "recorded_at": at, "body": body})
        });
    // Half of them plausible; now and then, not a record at all.
    prop_oneof![30 => plausible_record(targets), 30 => record, 1 => Just(json!(null)), 1 => Just(json!([1, 2])), 1 => Just(json!({"id": "x"})), 1 => any_text().prop_map(Value::String)]
}

#[test]
fn generated_records_never_break_the_server() {
    on_a_big_stack(|| async {
        let db = TestDb::sqlite().await;
        run(&db).await;
        db.drop_db().await;
    });
}

#[test]
fn generated_records_never_break_the_server_on_postgres() {
    on_a_big_stack(|| async {
        match TestDb::postgres().await {
            Some(db) => {
                run(&db).await;
                db.drop_db().await;
            }
            None => println!("skipped: no Postgres server was given (TALLY_TEST_POSTGRES_URL)"),
        }
    });
}

fn on_a_big_stack<F: std::future::Future<Output = ()>>(test: impl FnOnce() -> F + Send + 'static) {
    // The generator's nested strategies are deep; unoptimised, they need a larger stack
    // than a test thread has. The server runs on the runtime's own threads.
    std::thread::Builder::new()
        .stack_size(256 * 1024 * 1024)
        .spawn(|| {
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap().block_on(test())
        })
        .unwrap()
        .join()
        .unwrap();
}

async fn run(db: &TestDb) {
    let records: usize =
        std::env::var("TALLY_GENERATED_RECORDS").ok().and_then(|n| n.parse().ok()).unwrap_or(DEFAULT_RECORDS);
    let seed_text = std::env::var("TALLY_GENERATED_SEED").unwrap_or_else(|_| "tally-hostile-phones".to_owned());
    let storage = db.storage.clone();
    let demo = seed::ensure_demo(&storage).await.unwrap();
    let address = serve(storage.clone()).await;
    let base = format!("http://{address}/api/v1");
    let http = reqwest::Client::new();

    let pair = |code: String| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            let request = PairRequest { code, device_label: "Scripted phone".into(), held: Vec::new() };
            let reply = http.post(format!("{base}/pairings")).json(&request).send().await.unwrap();
            assert_eq!(reply.status(), 201);
            reply.json::<PairResponse>().await.unwrap()
        }
    };
    let phone = pair(demo.pairing_code).await;
    let account = phone.account.account_id;
    let other = storage.account_by_reference(None, seed::DEMO_SECOND_REFERENCE).await.unwrap().unwrap().account_id;
    let carer = pair(issue_pairing_code(&storage, account, None).await.unwrap()).await;
    let pats = pair(issue_pairing_code(&storage, other, None).await.unwrap()).await;
    let councils_before = councils_in_force(&storage, account).await;
    let mut targets = Targets {
        account,
        other_account: other,
        devices: vec![phone.device_id, carer.device_id, pats.device_id],
        ids: councils_before.iter().map(|(id, _)| *id).collect(),
    };

    let mut seed = [0u8; 32];
    for (i, b) in seed_text.bytes().enumerate() {
        seed[i % 32] ^= b;
    }
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
    let (mut stored, mut refused, mut held, mut requests) = (0usize, 0usize, 0usize, 0usize);
    let mut reasons: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    let mut sent = 0;
    while sent < records {
        let strategy = prop::collection::vec(any_record(&targets), PER_PUSH.min(records - sent));
        let batch: Vec<Value> = strategy.new_tree(&mut runner).unwrap().current();
        sent += batch.len();
        let reply = http
            .post(format!("{base}/accounts/{account}/entries"))
            .bearer_auth(&phone.token)
            .json(&json!({"entries": batch}))
            .send()
            .await
            .unwrap_or_else(|e| panic!("the server dropped the connection after {sent} records: {e}"));
        requests += 1;
        let status = reply.status();
        assert!(
            status.is_success() || status.is_client_error(),
            "push {requests} answered {status}: {}",
            reply.text().await.unwrap_or_default()
        );
        if status.is_success() {
            let answer: PushResponse = reply.json().await.unwrap();
            assert_eq!(answer.results.len(), batch.len());
            for (result, value) in answer.results.iter().zip(&batch) {
                match result.status {
                    PushStatus::Stored => {
                        stored += 1;
                        if let Some(id) = value["id"].as_str().and_then(|id| id.parse().ok()) {
                            targets.ids.push(EntryId(id));
                        }
                    }
                    PushStatus::AlreadyStored => held += 1,
                    PushStatus::Refused => {
                        refused += 1;
                        let words: Vec<&str> =
                            result.message.as_deref().unwrap_or_default().split_whitespace().take(7).collect();
                        *reasons.entry(words.join(" ")).or_default() += 1;
                        assert!(
                            result.message.as_deref().is_some_and(|m| m.ends_with('.') && m.len() > 10),
                            "a refusal says why: {result:?}"
                        );
                    }
                }
            }
        }
        // The phone can still pull what the council holds.
        if requests % 20 == 0 {
            let pull =
                http.get(format!("{base}/accounts/{account}/entries")).bearer_auth(&phone.token).send().await.unwrap();
            assert_eq!(pull.status(), 200);
        }
    }

    // Every council page answers, for a signed-in officer, over the same connection kind.
    let officer = reqwest::Client::new();
    let signed_in = officer
        .post(format!("{base}/council/sign-in"))
        .json(&json!({"email": seed::DEMO_OFFICER_EMAIL, "password": seed::DEMO_OFFICER_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);
    let cookie = signed_in.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let today = OffsetDateTime::now_utc().date();
    let (from, to) = (tally_ledger::date::iso_date(tally_ledger::date::EARLIEST), tally_ledger::date::iso_date(today));
    for page in [
        "/council/accounts".to_owned(),
        "/council/reviews".to_owned(),
        format!("/council/figures?from={from}&to={to}"),
        format!("/council/figures.csv?from={from}&to={to}"),
        "/council/safeguarding".to_owned(),
        format!("/council/transactions.csv?from={from}&to={to}"),
        format!("/council/accounts/{}", seed::DEMO_REFERENCE),
        format!("/council/accounts/{}/audit-sheet?from={from}&to={to}", seed::DEMO_REFERENCE),
        format!("/council/accounts/{}/audit-sheet.csv?from={from}&to={to}", seed::DEMO_REFERENCE),
    ] {
        let reply = officer.get(format!("{base}{page}")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(reply.status(), 200, "{page}: {}", reply.text().await.unwrap_or_default());
    }
    let list: Value = officer
        .get(format!("{base}/council/accounts"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(list["unreadable"].as_array().is_none_or(Vec::is_empty), "{list}");

    // The council's records all stand, and what was kept is what a device may write.
    assert_eq!(councils_in_force(&storage, account).await, councils_before);
    let kept = storage.all_entries(account).await.unwrap();
    let range = DateRange::for_records(today);
    for entry in &kept {
        if entry.by_council() {
            continue;
        }
        assert!(targets.devices[..2].contains(&entry.author.device.unwrap()), "{entry:?}");
        assert!(!entry.body.council_only(), "{entry:?}");
        assert!(entry.check().is_ok() && entry.check_dates(range).is_ok(), "{entry:?}");
        assert!(entry.recorded_at <= OffsetDateTime::now_utc() + Duration::days(2), "{entry:?}");
        assert!(!entry.author.name.to_lowercase().contains("demo borough council"), "{entry:?}");
    }
    assert!(
        Ledger::from_entries(kept).unwrap().without_force().is_empty(),
        "nothing kept lacks the authority it claims"
    );
    println!(
        "generated records: {sent} pushed in {requests} requests: {stored} stored, {refused} refused, {held} already held; 0 server errors, 0 dropped connections"
    );
    let mut by_count: Vec<(&String, &usize)> = reasons.iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(a.1));
    for (reason, count) in by_count {
        println!("  {count:>6} refused: {reason}…");
    }
    assert!(stored > 0 && refused > 0, "the generator reaches both sides: {stored} stored, {refused} refused");
}

/// The council's records of an account in force: ids and values.
async fn councils_in_force(storage: &tally_council::storage::Storage, account: AccountId) -> Vec<(EntryId, String)> {
    let ledger = Ledger::from_entries(storage.all_entries(account).await.unwrap()).unwrap();
    ledger
        .active()
        .iter()
        .filter(|a| a.original.by_council())
        .map(|a| (a.id(), format!("{:?}", a.body)))
        .collect::<Vec<(EntryId, String)>>()
}
