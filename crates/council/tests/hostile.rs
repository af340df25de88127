//! The server trusts no device: what a lost, stolen or scripted phone might send, on
//! SQLite and Postgres. Every attempt is refused with a plain reason and nothing of it is
//! stored; afterwards the council's money is unchanged and every council page and CSV
//! answers. Also: an account whose stored records cannot be read is listed as such while
//! every other account is shown, and a record that arrives dated inside a closed period is
//! kept and listed without changing the period's figures.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{json, Value};
use tally_api::{PairResponse, PushStatus};
use tally_council::{issue_pairing_code, seed};
use tally_ledger::{Author, Decision, Entry, EntryBody, EntryId, Ledger, Money, MoneyIn, Spend, Void};
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

on_every_test_db! {
    hostile_device_records_are_refused_and_every_page_still_answers => hostile_scenario;
    an_account_that_cannot_be_read_is_listed_and_every_other_shown => unreadable_scenario;
    a_record_arriving_after_its_period_closed_is_kept_and_listed => closed_period_scenario;
}

/// A record from `device`, made now, of any kind.
fn record(device: &PairResponse, body: EntryBody) -> Entry {
    Entry {
        id: EntryId(Uuid::now_v7()),
        account: device.account.account_id,
        author: Author { name: "Alex Morgan".into(), device: Some(device.device_id), device_seq: None },
        recorded_at: OffsetDateTime::now_utc(),
        body,
    }
}

fn spend_on(device: &PairResponse, date: Date, pence: i64, payee: &str) -> Entry {
    record(device, EntryBody::Spend(Spend::new(date, Money::from_pence(pence), payee, None)))
}

fn void_of(device: &PairResponse, target: EntryId) -> Entry {
    record(device, EntryBody::Void(Void { voids: target, reason: "Not mine".into() }))
}

fn correction_of(device: &PairResponse, target: EntryId, replacement: EntryBody) -> Entry {
    record(
        device,
        EntryBody::Correction(tally_ledger::Correction {
            corrects: target,
            replacement: Box::new(replacement),
            reason: "Fixed".into(),
        }),
    )
}

fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

/// Every page and CSV of the council workspace answers 200 for the officer.
async fn every_council_page_answers(client: &Client, officer: &StaffSession) {
    let year_ago = tally_ledger::date::iso_date(today() - Duration::days(364));
    let to = tally_ledger::date::iso_date(today());
    for page in [
        "/api/v1/council/accounts".to_owned(),
        "/api/v1/council/reviews".to_owned(),
        "/api/v1/council/figures".to_owned(),
        format!("/api/v1/council/figures?from=2000-01-01&to={to}"),
        "/api/v1/council/safeguarding".to_owned(),
        format!("/api/v1/council/accounts/{}", seed::DEMO_REFERENCE),
        format!("/api/v1/council/accounts/{}", seed::DEMO_SECOND_REFERENCE),
        format!("/api/v1/council/accounts/{}/audit-sheet?from={year_ago}&to={to}", seed::DEMO_REFERENCE),
        format!("/api/v1/council/accounts/{}/statements", seed::DEMO_REFERENCE),
    ] {
        let reply = client.staff(Method::GET, &page, officer, false, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{page}: {}", reply.body);
    }
    for csv in [
        format!("/api/v1/council/transactions.csv?from=2000-01-01&to={to}"),
        format!("/api/v1/council/figures.csv?from={year_ago}&to={to}"),
        format!("/api/v1/council/accounts/{}/audit-sheet.csv?from={year_ago}&to={to}", seed::DEMO_REFERENCE),
    ] {
        staff_text(client, &csv, officer).await;
    }
}

/// The council's own money records of an account, as the ledger holds them in force.
async fn councils_money(
    client: &Client,
    storage: &tally_council::storage::Storage,
    device: &PairResponse,
) -> Vec<(EntryId, Money)> {
    let _ = client;
    let ledger = Ledger::from_entries(storage.all_entries(device.account.account_id).await.unwrap()).unwrap();
    ledger.active().iter().filter(|a| a.original.by_council()).map(|a| (a.id(), a.amount)).collect()
}

async fn balance(client: &Client, officer: &StaffSession, reference: &str) -> String {
    let detail =
        client.staff(Method::GET, &format!("/api/v1/council/accounts/{reference}"), officer, false, None).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    detail.body["summary"]["balance"].as_str().unwrap().to_owned()
}

async fn hostile_scenario(db: &TestDb) {
    let storage = &db.storage;
    let client = Client::new(storage);
    let alex = client.paired(storage).await;
    let pulled = client.pull_all(&alex).await;
    let payment =
        pulled.iter().find(|e| matches!(e.body, EntryBody::PaymentIn(_))).expect("the demo's first payment").clone();
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let account = format!("/api/v1/council/accounts/{}", seed::DEMO_REFERENCE);

    // What the council has done on the account: a spend approved, a clawback, a
    // contribution it recorded, and a regular payment paid in.
    let approved = spend_on(&alex, today(), 2_500, "Sunrise Day Centre");
    let open = spend_on(&alex, today(), 1_200, "City Taxis");
    let explained = record(
        &alex,
        EntryBody::Explanation(tally_ledger::Explanation { about: open.id, text: "To the day centre".into() }),
    );
    assert_eq!(
        statuses(&client.push(&alex, vec![to_json(&approved), to_json(&open), to_json(&explained)]).await),
        vec![PushStatus::Stored; 3]
    );
    let decided = client
        .staff(
            Method::POST,
            &format!("{account}/decisions"),
            &officer,
            true,
            Some(json!({"about": approved.id, "decision": "approved", "note": ""})),
        )
        .await;
    assert_eq!(decided.status, StatusCode::CREATED, "{}", decided.body);
    let day = tally_ledger::date::iso_date(today());
    for (path, body) in [
        ("clawbacks", json!({"date": day, "amount": "10.00", "reason": "Surplus"})),
        ("money-in", json!({"kind": "contribution", "date": day, "amount": "20.00", "reference": "Cheque"})),
        (
            "payment-schedules",
            json!({"amount": "30.00", "every_weeks": "4", "first_date": day, "reference": "Regular"}),
        ),
    ] {
        let reply = client.staff(Method::POST, &format!("{account}/{path}"), &officer, true, Some(body)).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{path}: {}", reply.body);
    }
    let pulled = client.pull_all(&alex).await;
    let council_record = |pick: fn(&EntryBody) -> bool| {
        pulled.iter().find(|e| e.by_council() && pick(&e.body)).expect("a council record").clone()
    };
    let clawback = council_record(|b| matches!(b, EntryBody::Clawback(_)));
    let contribution = council_record(|b| matches!(b, EntryBody::Contribution(_)));
    let scheduled = council_record(|b| matches!(b, EntryBody::PaymentIn(m) if m.reference == "Regular"));
    let decision = council_record(|b| matches!(b, EntryBody::ReviewDecision(_)));
    let balance_before = balance(&client, &officer, seed::DEMO_REFERENCE).await;
    let council_before = councils_money(&client, storage, &alex).await;
    assert_eq!(council_before.len(), 4, "payment, clawback, contribution, scheduled payment");
    let stored_before = pulled.len();

    // Another account's phone, and a second phone of Alex's.
    let pat_account = storage.account_by_reference(None, seed::DEMO_SECOND_REFERENCE).await.unwrap().unwrap();
    let pat = client.pair(&issue_pairing_code(storage, pat_account.account_id, None).await.unwrap()).await;
    let pats_spend = spend_on(&pat, today(), 700, "Corner Shop");
    assert_eq!(statuses(&client.push(&pat, vec![to_json(&pats_spend)]).await), vec![PushStatus::Stored]);
    let carer = client.pair(&issue_pairing_code(storage, alex.account.account_id, None).await.unwrap()).await;

    let one_pound = |kind: &str| -> EntryBody {
        let money = MoneyIn { date: today(), amount: Money::from_pence(100), reference: String::new() };
        match kind {
            "spend" => EntryBody::Spend(Spend::new(today(), Money::from_pence(100), "Me", None)),
            "payment_in" => EntryBody::PaymentIn(money),
            _ => EntryBody::Contribution(money),
        }
    };
    let with = |mut entry: Entry, change: &dyn Fn(&mut Entry)| {
        change(&mut entry);
        to_json(&entry)
    };
    let with_json = |entry: Entry, change: &dyn Fn(&mut Value)| {
        let mut value = to_json(&entry);
        change(&mut value);
        value
    };
    let date_of = |text: &str| Date::parse(text, &time::format_description::well_known::Iso8601::DATE).unwrap();
    let forged = |body: EntryBody| to_json(&record(&alex, body));
    let refused_for: Vec<(&str, Value, &str)> = vec![
        (
            "void of the council's payment in",
            to_json(&void_of(&alex, payment.id)),
            "This would change a record the council made",
        ),
        (
            "correction of the payment in into a £1 spend",
            to_json(&correction_of(&alex, payment.id, one_pound("spend"))),
            "This would change a record the council made",
        ),
        (
            "correction of the payment in into £1 paid in",
            to_json(&correction_of(&alex, payment.id, one_pound("payment_in"))),
            "Only the council can record payments in",
        ),
        (
            "void of the council's clawback",
            to_json(&void_of(&alex, clawback.id)),
            "This would change a record the council made",
        ),
        (
            "void of a contribution the council recorded",
            to_json(&void_of(&alex, contribution.id)),
            "This would change a record the council made",
        ),
        (
            "correction of a contribution the council recorded",
            to_json(&correction_of(&alex, contribution.id, one_pound("contribution"))),
            "This would change a record the council made",
        ),
        (
            "void of a scheduled payment",
            to_json(&void_of(&alex, scheduled.id)),
            "This would change a record the council made",
        ),
        (
            "void of the council's decision",
            to_json(&void_of(&alex, decision.id)),
            "This would change a record the council made",
        ),
        ("a payment in from a phone", forged(one_pound("payment_in")), "Only the council can record payments in"),
        (
            "a clawback from a phone",
            forged(EntryBody::Clawback(tally_ledger::Clawback {
                date: today(),
                amount: Money::from_pence(100),
                reason: "x".into(),
            })),
            "Only the council can record",
        ),
        (
            "a provider's charge from a phone",
            forged(EntryBody::Charge(tally_ledger::Charge {
                date: today(),
                amount: Money::from_pence(150),
                description: "Card fee".into(),
            })),
            "Only the council can record",
        ),
        (
            "a decision from a phone",
            forged(EntryBody::ReviewDecision(tally_ledger::ReviewDecision {
                about: open.id,
                decision: Decision::Approved,
                note: String::new(),
                version: None,
            })),
            "Only the council can record",
        ),
        (
            "a statement question from a phone",
            forged(EntryBody::StatementQuery(tally_ledger::StatementQuery {
                date: today(),
                amount: Money::from_pence(-100),
                description: "X".into(),
                statement: "s".into(),
                line_no: 1,
                note: String::new(),
            })),
            "Only the council can record",
        ),
        ("void of approved spending", to_json(&void_of(&alex, approved.id)), "The council has approved this spending"),
        (
            "correction of approved spending",
            to_json(&correction_of(&alex, approved.id, one_pound("spend"))),
            "The council has approved this spending",
        ),
        (
            "correction into another kind",
            to_json(&correction_of(&alex, open.id, one_pound("contribution"))),
            "the same kind of record",
        ),
        ("void of an unknown record", to_json(&void_of(&alex, EntryId(Uuid::now_v7()))), "not held by the council"),
        ("void of another account's spending", to_json(&void_of(&alex, pats_spend.id)), "not held by the council"),
        (
            "void of an explanation (not money)",
            to_json(&void_of(&alex, explained.id)),
            "Only spending, refunds and money you paid in",
        ),
        (
            "spending dated -9999-01-01",
            to_json(&spend_on(&alex, Date::MIN, 100, "Far past")),
            "The date of the spending",
        ),
        (
            "spending dated 9999-12-31",
            to_json(&spend_on(&alex, Date::MAX, 100, "Far future")),
            "The date of the spending",
        ),
        (
            "spending dated 1999-12-31",
            to_json(&spend_on(&alex, date_of("1999-12-31"), 100, "Last century")),
            "must be between 1 January 2000",
        ),
        (
            "spending dated 400 days ahead",
            to_json(&spend_on(&alex, today() + Duration::days(400), 100, "Next year")),
            "The date of the spending",
        ),
        (
            "spending dated 30 February",
            with_json(spend_on(&alex, today(), 100, "x"), &|v| v["body"]["date"] = json!("2026-02-30")),
            "could not be read",
        ),
        (
            "spending dated 'yesterday'",
            with_json(spend_on(&alex, today(), 100, "x"), &|v| v["body"]["date"] = json!("yesterday")),
            "could not be read",
        ),
        (
            "made in the year 9999",
            with(spend_on(&alex, today(), 100, "x"), &|e| e.recorded_at = Date::MAX.midnight().assume_utc()),
            "ahead of the council's clock",
        ),
        (
            "made three days ahead",
            with(spend_on(&alex, today(), 100, "x"), &|e| {
                e.recorded_at = OffsetDateTime::now_utc() + Duration::days(3)
            }),
            "ahead of the council's clock",
        ),
        (
            "made in 1990",
            with(spend_on(&alex, today(), 100, "x"), &|e| {
                e.recorded_at = date_of("1990-01-01").midnight().assume_utc()
            }),
            "before 1 January 2000",
        ),
        (
            "made in the year -9999",
            with_json(spend_on(&alex, today(), 100, "x"), &|v| v["recorded_at"] = json!("-9999-01-01T00:00:00Z")),
            "could not be read",
        ),
        (
            "an explanation made in the year 9999",
            with(
                record(
                    &alex,
                    EntryBody::Explanation(tally_ledger::Explanation { about: open.id, text: "Later".into() }),
                ),
                &|e| e.recorded_at = Date::MAX.midnight().assume_utc(),
            ),
            "ahead of the council's clock",
        ),
        (
            "a record of another account",
            with(spend_on(&alex, today(), 100, "x"), &|e| e.account = pat.account.account_id),
            "belongs to a different account",
        ),
        (
            "a record naming another account's phone",
            with(spend_on(&alex, today(), 100, "x"), &|e| e.author.device = Some(pat.device_id)),
            "made on another device",
        ),
        (
            "a record naming Alex's other phone",
            with(spend_on(&alex, today(), 100, "x"), &|e| e.author.device = Some(carer.device_id)),
            "made on another device",
        ),
        (
            "a record naming an unknown device",
            with(spend_on(&alex, today(), 100, "x"), &|e| {
                e.author.device = Some(tally_ledger::DeviceId(Uuid::now_v7()))
            }),
            "made on another device",
        ),
        (
            "a record naming no device (as the council's do)",
            with(spend_on(&alex, today(), 100, "x"), &|e| e.author.device = None),
            "must name the device",
        ),
        (
            "a record in the council's name",
            with(spend_on(&alex, today(), 100, "x"), &|e| e.author.name = "Demo Borough Council".into()),
            "is the council's",
        ),
        (
            "a record in an officer's name",
            with(spend_on(&alex, today(), 100, "x"), &|e| e.author.name = "Sam Patel (Demo  borough COUNCIL)".into()),
            "is the council's",
        ),
        (
            "an amount of -£5",
            with_json(spend_on(&alex, today(), 100, "x"), &|v| v["body"]["amount"] = json!("-5.00")),
            "more than £0",
        ),
        (
            "an amount beyond any payment",
            with_json(spend_on(&alex, today(), 100, "x"), &|v| v["body"]["amount"] = json!("99999999999999999999")),
            "could not be read",
        ),
        (
            "a payee of 5,000 characters",
            to_json(&spend_on(&alex, today(), 100, &"x".repeat(5_000))),
            "200 characters or fewer",
        ),
        (
            "a kind no one knows",
            with_json(spend_on(&alex, today(), 100, "x"), &|v| v["body"]["type"] = json!("grant")),
            "could not be read",
        ),
        (
            "the payment in's id with other content",
            with(spend_on(&alex, today(), 100, "x"), &|e| e.id = payment.id),
            "A different record with this id is already stored",
        ),
        ("not a record at all", json!({"id": 1, "body": [1, 2, 3]}), "could not be read"),
    ];
    // A good record among them is stored, as is a void of it in the same batch.
    let good = spend_on(&alex, today(), 300, "Bus");
    let mut batch: Vec<Value> = refused_for.iter().map(|(_, value, _)| value.clone()).collect();
    batch.push(to_json(&good));
    batch.push(to_json(&void_of(&alex, good.id)));
    let reply = client.push(&alex, batch).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let results = reply.body["results"].as_array().unwrap();
    for ((label, _, expected), result) in refused_for.iter().zip(results) {
        assert_eq!(result["status"], "refused", "{label}: {result}");
        let message = result["message"].as_str().unwrap_or_default();
        assert!(message.contains(expected), "{label}: expected \"{expected}\" in \"{message}\"");
    }
    assert_eq!(results[refused_for.len()]["status"], "stored", "{}", reply.body);
    assert_eq!(results[refused_for.len() + 1]["status"], "stored", "{}", reply.body);

    // Wrong credentials or another account's address: refused before any record is read.
    let to_pats = format!("/api/v1/accounts/{}/entries", pat.account.account_id);
    let body = json!({"entries": [to_json(&spend_on(&alex, today(), 100, "x"))]});
    assert_eq!(client.post(&to_pats, Some(&alex.token), &body).await.status, StatusCode::FORBIDDEN);
    let to_alex = format!("/api/v1/accounts/{}/entries", alex.account.account_id);
    assert_eq!(client.post(&to_alex, None, &body).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(client.post(&to_alex, Some("not-a-token"), &body).await.status, StatusCode::UNAUTHORIZED);
    storage
        .revoke_device(carer.device_id, &tally_council::storage::AuditEvent::server("device revoked", "by a test"), 1)
        .await
        .unwrap();
    let carers = json!({"entries": [to_json(&with_device(spend_on(&alex, today(), 100, "x"), &carer))]});
    assert_eq!(client.post(&to_alex, Some(&carer.token), &carers).await.status, StatusCode::UNAUTHORIZED);
    let unknown_account = format!("/api/v1/accounts/{}/entries", Uuid::now_v7());
    assert_eq!(client.post(&unknown_account, Some(&alex.token), &body).await.status, StatusCode::NOT_FOUND);

    // Nothing refused was stored; the council's money and decisions stand.
    let after = client.pull_all(&alex).await;
    assert_eq!(after.len(), stored_before + 2, "only the good record and its void");
    assert_eq!(councils_money(&client, storage, &alex).await, council_before);
    assert_eq!(balance(&client, &officer, seed::DEMO_REFERENCE).await, balance_before);
    let ledger = Ledger::from_entries(after).unwrap();
    assert_eq!(ledger.history(approved.id).unwrap().decision(), Some(Decision::Approved));
    assert!(ledger.without_force().is_empty());
    every_council_page_answers(&client, &officer).await;

    // A period no record can have is refused with a reason, not a dropped connection.
    for (query, expected) in [
        ("to=9999-12-31", "The end of the period"),
        ("from=-9999-01-01", "The start of the period (1 January -9999)"),
        ("from=2026-13-01", "Enter a real date"),
        ("from=1999-12-31", "The start of the period"),
    ] {
        let reply = client.staff(Method::GET, &format!("/api/v1/council/figures?{query}"), &officer, false, None).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(message(&reply).contains(expected), "{query}: {}", message(&reply));
    }
}

fn with_device(mut entry: Entry, device: &PairResponse) -> Entry {
    entry.author.device = Some(device.device_id);
    entry
}

async fn unreadable_scenario(db: &TestDb) {
    let storage = &db.storage;
    let client = Client::new(storage);
    let alex = client.paired(storage).await;
    let pat_account = storage.account_by_reference(None, seed::DEMO_SECOND_REFERENCE).await.unwrap().unwrap();
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let logged = spend_on(&alex, today(), 1_250, "Sunrise Day Centre");
    assert_eq!(statuses(&client.push(&alex, vec![to_json(&logged)]).await), vec![PushStatus::Stored]);

    // Planted straight in the database, as a damaged disk or a past bug might leave them:
    // a record that is not JSON on Pat's account, and a record dated at the end of time on
    // Alex's (which no check lets in any more, but the pages must still fold).
    let raw = db.raw().await;
    let plant = |account: String, seq: i64, body: String| {
        let raw = raw.clone();
        async move {
            sqlx::query("UPDATE account SET last_seq = $1 WHERE account_id = $2")
                .bind(seq)
                .bind(&account)
                .execute(&raw)
                .await
                .unwrap();
            sqlx::query("INSERT INTO entry (entry_id, account_id, account_seq, device_id, device_seq, body, received_at_ms) VALUES ($1, $2, $3, NULL, NULL, $4, 1)")
                .bind(Uuid::now_v7().to_string())
                .bind(&account)
                .bind(seq)
                .bind(body)
                .execute(&raw)
                .await
                .unwrap();
        }
    };
    let last_seq = |account: tally_ledger::AccountId| {
        let raw = raw.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT last_seq FROM account WHERE account_id = $1")
                .bind(account.to_string())
                .fetch_one(&raw)
                .await
                .unwrap()
        }
    };
    let pat_seq = last_seq(pat_account.account_id).await + 1;
    plant(pat_account.account_id.to_string(), pat_seq, "{\"id\": \"this is not a record".to_owned()).await;
    let mut end_of_time = spend_on(&alex, Date::MAX, 100, "End of time");
    end_of_time.recorded_at = Date::MAX.midnight().assume_utc();
    let alex_seq = last_seq(alex.account.account_id).await + 1;
    plant(alex.account.account_id.to_string(), alex_seq, serde_json::to_string(&end_of_time).unwrap()).await;
    raw.close().await;

    // Every page answers; Pat's account is listed as unreadable, with the reason, and
    // Alex's is shown in full.
    every_council_page_answers_but_pats(&client, &officer).await;
    let list = client.staff(Method::GET, "/api/v1/council/accounts", &officer, false, None).await;
    assert_eq!(list.status, StatusCode::OK);
    let references: Vec<&str> =
        list.body["accounts"].as_array().unwrap().iter().map(|a| a["reference"].as_str().unwrap()).collect();
    assert_eq!(references, vec![seed::DEMO_REFERENCE]);
    let unreadable = &list.body["unreadable"][0];
    assert_eq!(unreadable["reference"], seed::DEMO_SECOND_REFERENCE);
    assert!(
        unreadable["reason"]
            .as_str()
            .unwrap()
            .starts_with(&format!("Could not be read: record number {pat_seq} is damaged")),
        "{unreadable}"
    );
    for page in ["/api/v1/council/reviews", "/api/v1/council/figures", "/api/v1/council/safeguarding"] {
        let reply = client.staff(Method::GET, page, &officer, false, None).await;
        assert_eq!(reply.body["unreadable"][0]["reference"], seed::DEMO_SECOND_REFERENCE, "{page}: {}", reply.body);
    }
    let figures = client.staff(Method::GET, "/api/v1/council/figures", &officer, false, None).await;
    assert_eq!(figures.body["people"], 2, "counted, though its figures are left out");
    let csv = staff_text(
        &client,
        &format!("/api/v1/council/transactions.csv?from=2000-01-01&to={}", tally_ledger::date::iso_date(today())),
        &officer,
    )
    .await;
    assert!(
        csv.lines().any(|l| l.starts_with(&format!(
            "{},{},,,,Could not be read",
            seed::DEMO_SECOND_REFERENCE,
            seed::DEMO_SECOND_PERSON
        ))),
        "{csv}"
    );
    assert!(csv.lines().any(|l| l.contains("Sunrise Day Centre")), "{csv}");
    // Pat's own page says what is wrong, in words.
    let pats = client
        .staff(Method::GET, &format!("/api/v1/council/accounts/{}", seed::DEMO_SECOND_REFERENCE), &officer, false, None)
        .await;
    assert_eq!(pats.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(message(&pats).contains("could not be read"), "{}", pats.body);
    // Alex's phone still syncs, including the planted record (its own view folds it).
    let pulled = client.pull_all(&alex).await;
    assert!(pulled.iter().any(|e| e.id == end_of_time.id));
}

/// [`every_council_page_answers`] for a council where Pat's account cannot be read (its
/// own page is an error naming the problem).
async fn every_council_page_answers_but_pats(client: &Client, officer: &StaffSession) {
    let to = tally_ledger::date::iso_date(today());
    for page in [
        "/api/v1/council/accounts".to_owned(),
        "/api/v1/council/reviews".to_owned(),
        "/api/v1/council/figures".to_owned(),
        "/api/v1/council/safeguarding".to_owned(),
        format!("/api/v1/council/accounts/{}", seed::DEMO_REFERENCE),
        format!("/api/v1/council/accounts/{}/audit-sheet?from=2000-01-01&to={to}", seed::DEMO_REFERENCE),
    ] {
        let reply = client.staff(Method::GET, &page, officer, false, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{page}: {}", reply.body);
    }
    staff_text(client, &format!("/api/v1/council/figures.csv?from=2000-01-01&to={to}"), officer).await;
}

async fn closed_period_scenario(db: &TestDb) {
    let storage = &db.storage;
    let client = Client::new(storage);
    let alex = client.paired(storage).await;
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let account = format!("/api/v1/council/accounts/{}", seed::DEMO_REFERENCE);
    // The bank statement for the day the demo's first payment went in: it matches.
    let day = today();
    let dmy = format!("{:02}/{:02}/{}", day.day(), day.month() as u8, day.year());
    let csv = format!("Date,Description,Reference,Money out,Money in,Balance\n{dmy},DEMO BOROUGH COUNCIL DP,DP-000001 PAYMENT,,\"1,480.00\",\"1,480.00\"\n");
    let imported = client
        .staff(
            Method::POST,
            &format!("{account}/statements"),
            &officer,
            true,
            Some(json!({"format": "Bank statement (sample format)", "csv": csv})),
        )
        .await;
    assert_eq!(imported.status, StatusCode::CREATED, "{}", imported.body);
    let statement = format!("{account}/statements/{}", imported.body["statement_id"].as_str().unwrap());
    let closed = client.staff(Method::POST, &format!("{statement}/close"), &officer, true, None).await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    let at_close = closed.body["reconciliation"].clone();
    assert_eq!(at_close["closing"], "1480.00");

    // A phone that was offline sends spending dated inside the closed period, and a
    // correction of nothing in it: both kept.
    let late = spend_on(&alex, day, 4_500, "Sunrise Day Centre");
    assert_eq!(statuses(&client.push(&alex, vec![to_json(&late)]).await), vec![PushStatus::Stored]);
    assert!(client.pull_all(&alex).await.iter().any(|e| e.id == late.id), "kept, never refused or lost");

    // The closed statement keeps its figures; the late record is listed beside them.
    let view = client.staff(Method::GET, &statement, &officer, false, None).await;
    assert_eq!(view.body["reconciliation"], at_close, "the figures it was closed with");
    assert_eq!(view.body["closed_by"], closed.body["closed_by"]);
    let listed = &view.body["late_records"];
    assert_eq!(listed.as_array().unwrap().len(), 1, "{}", view.body);
    assert_eq!(listed[0]["entry_id"], json!(late.id));
    assert_eq!(listed[0]["seen"], false);
    assert!(
        listed[0]["description"].as_str().unwrap().starts_with("spending of £45.00 to Sunrise Day Centre on"),
        "{listed}"
    );
    let summary = client.staff(Method::GET, &account, &officer, false, None).await;
    let exceptions: Vec<&str> =
        summary.body["summary"]["exceptions"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
    assert!(exceptions.contains(&"1 record arrived after the period was closed"), "{exceptions:?}");

    // An auditor may not mark them seen; an officer may, and they stay listed.
    let auditor = client.sign_in(seed::DEMO_AUDITOR_EMAIL, seed::DEMO_AUDITOR_PASSWORD).await.unwrap();
    assert_eq!(
        client.staff(Method::POST, &format!("{statement}/late-records-seen"), &auditor, true, None).await.status,
        StatusCode::FORBIDDEN
    );
    let seen = client.staff(Method::POST, &format!("{statement}/late-records-seen"), &officer, true, None).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
    assert_eq!(seen.body["late_records"][0]["seen"], true);
    assert_eq!(seen.body["reconciliation"], at_close);
    let summary = client.staff(Method::GET, &account, &officer, false, None).await;
    let exceptions = summary.body["summary"]["exceptions"].to_string();
    assert!(!exceptions.contains("arrived after"), "{exceptions}");
    let audit = summary.body["audit"].to_string();
    assert!(audit.contains("late records seen"), "{audit}");

    // A cancellation arriving later is late too (it changes a record of the period).
    let cancelled = void_of(&alex, late.id);
    assert_eq!(statuses(&client.push(&alex, vec![to_json(&cancelled)]).await), vec![PushStatus::Stored]);
    let view = client.staff(Method::GET, &statement, &officer, false, None).await;
    assert_eq!(view.body["reconciliation"], at_close);
    assert_eq!(view.body["late_records"][1]["entry_id"], json!(cancelled.id));
    assert!(
        view.body["late_records"][1]["description"]
            .as_str()
            .unwrap()
            .starts_with("A cancellation of spending of £45.00"),
        "{}",
        view.body
    );
}
