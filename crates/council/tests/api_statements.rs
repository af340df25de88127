//! Statements through the council API: import, matching, queries to the person,
//! reconciliation and closing, driven through the router with real databases: a SQLite
//! file always,
//! and Postgres when `TALLY_TEST_POSTGRES_URL` names a server (`cargo xtask test` sets it
//! when one is reachable and says so when it is not). Every answer is also checked against
//! the API's description (`common::contract`).

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use tally_council::seed;
use tally_council::storage::Storage;
use tally_ledger::{Author, Entry, EntryBody, EntryId, Money, Spend};
use time::macros::{date, datetime};
use uuid::Uuid;

mod common;

use common::*;

on_every_database! {
    a_statement_is_imported_matched_reconciled_and_closed => statement_scenario;
    real_providers_layouts_import_match_and_reconcile => providers_scenario;
    a_feed_for_many_cardholders_imports_on_each_account_and_reconciles => feed_scenario;
}

const BANK_FILE: &str = include_str!("../../../tests/fixtures/statements/bank-statement.csv");
const CARD_FILE: &str = include_str!("../../../tests/fixtures/statements/card-feed.csv");

async fn statement_scenario(storage: &Storage) {
    let client = Client::new(storage);
    seed::ensure_demo(storage).await.unwrap();
    let council_id = storage.council_id_by_name(seed::DEMO_COUNCIL).await.unwrap().unwrap();
    // An account whose November matches the sample files, but for the corner shop (not
    // logged yet).
    let account = tally_council::storage::AccountRow {
        account_id: tally_ledger::AccountId(Uuid::now_v7()),
        reference: "DP-000050".into(),
        person_name: "Chris Lane".into(),
        council_name: seed::DEMO_COUNCIL.into(),
    };
    storage.create_account(&account, &council_id, &tally_ledger::SupportPlan::default(), 0).await.unwrap();
    let record = |n: u128, body: EntryBody| {
        let entry = Entry {
            id: EntryId(Uuid::from_u128((account.account_id.0.as_u128() & !0xffff) | n)),
            account: account.account_id,
            author: Author { name: "Chris Lane".into(), device: None, device_seq: None },
            recorded_at: datetime!(2026-11-01 09:00 UTC),
            body,
        };
        tally_council::storage::NewEntry::new(entry).unwrap()
    };
    let spend_on = |n, day, pence, payee: &str| {
        record(
            n,
            EntryBody::Spend(Spend::new(
                time::Date::from_calendar_date(2026, time::Month::November, day).unwrap(),
                Money::from_pence(pence),
                payee,
                None,
            )),
        )
    };
    let entries = vec![
        record(
            1,
            EntryBody::PaymentIn(tally_ledger::MoneyIn {
                date: date!(2026 - 11 - 01),
                amount: Money::from_pence(148_000),
                reference: "Payment".into(),
            }),
        ),
        spend_on(2, 3, 4_500, "Sunrise Day Centre"),
        spend_on(3, 5, 1_250, "City Taxis"),
        spend_on(4, 9, 24_000, "Ace Care Agency"),
    ];
    storage.store_entries(account.account_id, &entries, 0).await.unwrap();
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let auditor = client.sign_in(seed::DEMO_AUDITOR_EMAIL, seed::DEMO_AUDITOR_PASSWORD).await.unwrap();
    let base = "/api/v1/council/accounts/DP-000050/statements";
    let formats = client.staff(Method::GET, "/api/v1/council/statement-formats", &auditor, false, None).await;
    assert_eq!(formats.body["names"], json!([tally_council::statements::BANK, tally_council::statements::CARD_FEED]));

    // A broken file: every problem by line and column, and nothing imported.
    let broken = BANK_FILE.replace("03/11/2026", "31/11/2026").replace("12.50", "12.5O");
    let reply = client
        .staff(
            Method::POST,
            base,
            &officer,
            true,
            Some(json!({"format": tally_council::statements::BANK, "csv": broken})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let text = message(&reply);
    assert!(text.starts_with("Nothing was imported."), "{text}");
    assert!(text.contains("Line 3, column \"Date\": \"31/11/2026\" is not a date"), "{text}");
    assert!(text.contains("Line 4, column \"Money out\": \"12.5O\" is not an amount"), "{text}");
    assert_eq!(client.staff(Method::GET, base, &officer, false, None).await.body["statements"], json!([]));
    let auditor_import = client
        .staff(
            Method::POST,
            base,
            &auditor,
            true,
            Some(json!({"format": tally_council::statements::BANK, "csv": BANK_FILE})),
        )
        .await;
    assert_eq!(auditor_import.status, StatusCode::FORBIDDEN);
    let unknown = client
        .staff(Method::POST, base, &officer, true, Some(json!({"format": "Mystery Bank", "csv": BANK_FILE})))
        .await;
    assert!(message(&unknown).contains("no statement format called \"Mystery Bank\""));

    // The sample bank statement: four lines match, the corner shop does not.
    let imported = client
        .staff(
            Method::POST,
            base,
            &officer,
            true,
            Some(json!({"format": tally_council::statements::BANK, "csv": BANK_FILE})),
        )
        .await;
    assert_eq!(imported.status, StatusCode::CREATED, "{}", imported.body);
    let view = imported.body;
    let id = view["statement_id"].as_str().unwrap().to_owned();
    let states: Vec<&str> = view["lines"].as_array().unwrap().iter().map(|l| l["state"].as_str().unwrap()).collect();
    assert_eq!(states.iter().filter(|s| **s != "none").count(), 4, "{view}");
    assert_eq!(view["lines"][4]["description"], "CORNER SHOP");
    assert_eq!(view["lines"][4]["state"], "none");
    assert_eq!(view["reconciliation"]["closing"], "1182.50");
    assert_eq!(view["reconciliation"]["statement_closing"], "1173.75");
    assert_eq!(view["reconciliation"]["difference"], "-8.75");
    let closing = client.staff(Method::POST, &format!("{base}/{id}/close"), &officer, true, None).await;
    assert_eq!(closing.status, StatusCode::BAD_REQUEST);
    assert!(message(&closing).contains("a difference of -£8.75"), "{}", message(&closing));
    assert!(
        message(&closing).contains("1 statement line matches no logged record: ask the person about it."),
        "{}",
        message(&closing)
    );

    // The officer asks the person about the corner shop (an auditor may not).
    let ask = format!("{base}/{id}/queries");
    assert_eq!(client.staff(Method::POST, &ask, &auditor, true, Some(json!({}))).await.status, StatusCode::FORBIDDEN);
    let asked = client
        .staff(Method::POST, &ask, &officer, true, Some(json!({"note": "Please tell us what this was for."})))
        .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
    let query = asked.body["lines"][4]["query"].clone();
    assert_eq!(query["status"], "open", "{}", asked.body);
    assert_eq!(query["asked_by"], "Sam Patel (Demo Borough Council)");
    assert!(
        asked.body["reconciliation"]["open_points"]
            .to_string()
            .contains("1 statement line waits for the person's answer."),
        "{}",
        asked.body
    );
    let too_soon = client
        .staff(
            Method::POST,
            &format!("{base}/{id}/lines/6/query-decision"),
            &officer,
            true,
            Some(json!({"decision": "approved"})),
        )
        .await;
    assert!(message(&too_soon).contains("has not answered the question about line 6 yet"), "{}", message(&too_soon));
    let again = client.staff(Method::POST, &ask, &officer, true, Some(json!({}))).await;
    assert!(message(&again).contains("asked about already"), "{}", message(&again));
    let matched_line = client.staff(Method::POST, &ask, &officer, true, Some(json!({"lines": [3]}))).await;
    assert!(message(&matched_line).contains("Line 3 matches a record already"), "{}", message(&matched_line));
    // The question is a record on the account, so it reaches the person's wallet.
    let query_id: EntryId = serde_json::from_value(query["entry_id"].clone()).unwrap();
    let on_account = storage.all_entries(account.account_id).await.unwrap();
    let sent = on_account.iter().find(|e| e.id == query_id).expect("the query is on the account");
    assert!(
        matches!(&sent.body, EntryBody::StatementQuery(q) if q.amount == Money::from_pence(-875) && q.description == "CORNER SHOP" && q.statement == id && q.line_no == 6)
    );
    let list = client.staff(Method::GET, "/api/v1/council/accounts?search=DP-000050", &officer, false, None).await;
    assert!(
        list.body["accounts"][0]["exceptions"]
            .to_string()
            .contains("1 statement query waiting for the person's answer"),
        "{}",
        list.body
    );

    // The person logs the corner shop in answer: it is proposed for the line.
    let mut corner_spend = Spend::new(date!(2026 - 11 - 12), Money::from_pence(875), "Corner Shop", None);
    corner_spend.answers = Some(query_id);
    storage.store_entries(account.account_id, &[record(5, EntryBody::Spend(corner_spend))], 0).await.unwrap();
    let corner = EntryId(Uuid::from_u128((account.account_id.0.as_u128() & !0xffff) | 5));
    let answered = client.staff(Method::GET, &format!("{base}/{id}"), &officer, false, None).await;
    let line = &answered.body["lines"][4];
    assert_eq!(line["query"]["status"], "answered", "{line}");
    assert_eq!(line["query"]["logged"][0]["entry_id"], json!(corner));
    assert_eq!(line["state"], "proposed");
    assert_eq!(line["entry"]["entry_id"], json!(corner));
    // The answer waits in the review queue, with the way to its line.
    let queue = client.staff(Method::GET, "/api/v1/council/reviews", &auditor, false, None).await;
    let waiting: Vec<&Value> =
        queue.body["answers"].as_array().unwrap().iter().filter(|a| a["reference"] == "DP-000050").collect();
    assert_eq!(waiting.len(), 1, "{}", queue.body);
    assert_eq!(waiting[0]["statement_id"], id.as_str());
    assert_eq!(waiting[0]["line_no"], 6);
    assert_eq!(waiting[0]["answer"], "Logged the spending: £8.75 to Corner Shop on 12 November 2026");
    // A wrong amount is refused; confirming the answer closes the question.
    let taxis = EntryId(Uuid::from_u128((account.account_id.0.as_u128() & !0xffff) | 3));
    let wrong = client
        .staff(Method::POST, &format!("{base}/{id}/lines/6"), &officer, true, Some(json!({"entry_id": taxis})))
        .await;
    assert!(message(&wrong).contains("The amounts differ"), "{}", message(&wrong));
    // Turned down, the answer is not proposed again; the officer can still match it by hand.
    let turned_down = client
        .staff(Method::POST, &format!("{base}/{id}/lines/6"), &officer, true, Some(json!({"entry_id": null})))
        .await;
    assert_eq!(turned_down.body["lines"][4]["state"], "none", "{}", turned_down.body);
    assert!(turned_down.body["lines"][4]["entry"].is_null());
    assert!(
        !turned_down.body["reconciliation"]["open_points"].to_string().contains("proposed"),
        "{}",
        turned_down.body
    );
    let reread = client.staff(Method::GET, &format!("{base}/{id}"), &officer, false, None).await;
    assert_eq!(reread.body["lines"][4]["state"], "none", "a turned-down answer stays turned down");
    let matched = client
        .staff(Method::POST, &format!("{base}/{id}/lines/6"), &officer, true, Some(json!({"entry_id": corner})))
        .await;
    assert_eq!(matched.status, StatusCode::OK, "{}", matched.body);
    assert_eq!(matched.body["lines"][4]["query"]["status"], "closed");
    // Unmatched again, the question opens again for the person; matched, it closes.
    let unmatched = client
        .staff(Method::POST, &format!("{base}/{id}/lines/6"), &officer, true, Some(json!({"entry_id": null})))
        .await;
    assert_eq!(unmatched.body["lines"][4]["query"]["status"], "open", "{}", unmatched.body);
    assert!(unmatched.body["lines"][4]["query"]["thread"].to_string().contains("no longer matches a record in Tally"));
    let closed_query = client
        .staff(
            Method::POST,
            &format!("{base}/{id}/lines/6/query-decision"),
            &officer,
            true,
            Some(json!({"decision": "approved"})),
        )
        .await;
    assert_eq!(closed_query.status, StatusCode::BAD_REQUEST);
    let matched = client
        .staff(Method::POST, &format!("{base}/{id}/lines/6"), &officer, true, Some(json!({"entry_id": corner})))
        .await;
    assert_eq!(matched.status, StatusCode::OK, "{}", matched.body);
    assert_eq!(matched.body["lines"][4]["state"], "confirmed");
    assert_eq!(matched.body["lines"][4]["query"]["status"], "closed");
    assert_eq!(matched.body["lines"][4]["query"]["decision"], "approved");
    let queue = client.staff(Method::GET, "/api/v1/council/reviews", &officer, false, None).await;
    assert!(!queue.body["answers"].to_string().contains("DP-000050"), "read answers leave the queue: {}", queue.body);
    assert_eq!(matched.body["reconciliation"]["difference"], "0.00");
    // Confirm every proposed match, then close.
    for line in matched.body["lines"].as_array().unwrap() {
        if line["state"] == "proposed" {
            let entry = line["entry"]["entry_id"].clone();
            let no = line["line_no"].as_i64().unwrap();
            assert_eq!(
                client
                    .staff(
                        Method::POST,
                        &format!("{base}/{id}/lines/{no}"),
                        &officer,
                        true,
                        Some(json!({"entry_id": entry}))
                    )
                    .await
                    .status,
                StatusCode::OK
            );
        }
    }
    let closed = client.staff(Method::POST, &format!("{base}/{id}/close"), &officer, true, None).await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    assert_eq!(closed.body["closed_by"], "Sam Patel");
    let locked = client
        .staff(Method::POST, &format!("{base}/{id}/lines/6"), &officer, true, Some(json!({"entry_id": null})))
        .await;
    assert!(message(&locked).contains("closed"), "{}", message(&locked));
    let decided_late = client
        .staff(
            Method::POST,
            &format!("{base}/{id}/lines/6/query-decision"),
            &officer,
            true,
            Some(json!({"decision": "question", "note": "?"})),
        )
        .await;
    assert!(message(&decided_late).contains("closed"), "{}", message(&decided_late));
    // A late answer from a phone that was offline, after the period closed, waits for nobody.
    let late = tally_ledger::Explanation { about: query_id, text: "It was milk for my PA's shift.".into() };
    let mut late = record(7, EntryBody::Explanation(late));
    late.entry.recorded_at = time::OffsetDateTime::now_utc();
    late.body = serde_json::to_string(&late.entry).unwrap();
    storage.store_entries(account.account_id, &[late], 0).await.unwrap();
    let list = client.staff(Method::GET, "/api/v1/council/accounts?search=DP-000050", &officer, false, None).await;
    assert!(!list.body.to_string().contains("statement query"), "{}", list.body);
    let queue = client.staff(Method::GET, "/api/v1/council/reviews", &officer, false, None).await;
    assert!(!queue.body["answers"].to_string().contains("DP-000050"), "{}", queue.body);
    // Decisions on statement questions are not reviews of spending in the council's figures.
    let figures = client.staff(Method::GET, "/api/v1/council/figures", &officer, false, None).await;
    assert_eq!(figures.body["reviews_closed"], 0, "{}", figures.body);
    let detail = client.staff(Method::GET, "/api/v1/council/accounts/DP-000050", &officer, false, None).await;
    let actions: Vec<&str> =
        detail.body["audit"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(actions.first(), Some(&"period closed"));
    assert!(actions.contains(&"statement imported"));

    // The card feed: the declined line is skipped, a reversal with no payment to cancel in
    // the file (here, from another merchant) is money back to ask about.
    let unpaired = CARD_FILE.replace("1195.00,CITY TAXIS LTD", "1195.00,CITY CABS");
    let card = client
        .staff(
            Method::POST,
            base,
            &officer,
            true,
            Some(json!({"format": tally_council::statements::CARD_FEED, "csv": unpaired})),
        )
        .await;
    assert_eq!(card.status, StatusCode::CREATED, "{}", card.body);
    assert_eq!(card.body["lines"].as_array().unwrap().len(), 5);
    assert_eq!(card.body["lines"][4]["amount"], "12.50");
    // The reversal matches no record: asked about, explained, accepted.
    let card_id = card.body["statement_id"].as_str().unwrap().to_owned();
    let reversal = card.body["lines"][4]["line_no"].as_i64().unwrap();
    let asked = client
        .staff(Method::POST, &format!("{base}/{card_id}/queries"), &officer, true, Some(json!({"lines": [reversal]})))
        .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
    let query_id: EntryId = serde_json::from_value(asked.body["lines"][4]["query"]["entry_id"].clone()).unwrap();
    let explanation =
        tally_ledger::Explanation { about: query_id, text: "The taxi firm charged me twice and paid one back.".into() };
    storage.store_entries(account.account_id, &[record(6, EntryBody::Explanation(explanation))], 0).await.unwrap();
    let decide = format!("{base}/{card_id}/lines/{reversal}/query-decision");
    assert_eq!(
        client.staff(Method::POST, &decide, &auditor, true, Some(json!({"decision": "approved"}))).await.status,
        StatusCode::FORBIDDEN
    );
    let no_question =
        client.staff(Method::POST, &decide, &officer, true, Some(json!({"decision": "question", "note": " "}))).await;
    assert!(message(&no_question).contains("needs the question written"), "{}", message(&no_question));
    let not_asked = client
        .staff(
            Method::POST,
            &format!("{base}/{card_id}/lines/3/query-decision"),
            &officer,
            true,
            Some(json!({"decision": "approved"})),
        )
        .await;
    assert_eq!(not_asked.status, StatusCode::NOT_FOUND);
    let accepted = client
        .staff(Method::POST, &decide, &officer, true, Some(json!({"decision": "approved", "note": "Thank you."})))
        .await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.body);
    let line = &accepted.body["lines"][4];
    assert_eq!(line["query"]["status"], "closed", "{line}");
    let said: Vec<&str> =
        line["query"]["thread"].as_array().unwrap().iter().map(|t| t["text"].as_str().unwrap()).collect();
    assert_eq!(said, vec!["The taxi firm charged me twice and paid one back.", "Thank you."]);
    assert!(!accepted.body["reconciliation"]["open_points"].to_string().contains("answer"), "{}", accepted.body);
    assert_eq!(
        client.staff(Method::GET, base, &auditor, false, None).await.body["statements"].as_array().unwrap().len(),
        2
    );
    // The open card statement shows in the accounts list.
    let list = client.staff(Method::GET, "/api/v1/council/accounts?search=DP-000050", &officer, false, None).await;
    let exceptions: Vec<&str> =
        list.body["accounts"][0]["exceptions"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
    assert!(exceptions.contains(&"1 statement not reconciled yet"), "{exceptions:?}");

    // Another provider's format, saved by the council and then used.
    let mapping = json!({
        "columns": ["When", "Who", "Value"], "date": "When", "date_format": "iso",
        "amount": {"kind": "signed", "column": "Value"}, "description": "Who",
    });
    let wrong = json!({"name": "Mystery Bank", "mapping": {"columns": ["When", "Who"], "date": "When", "date_format": "iso", "amount": {"kind": "signed", "column": "Value"}, "description": "Who"}});
    let reply = client.staff(Method::POST, "/api/v1/council/statement-formats", &officer, true, Some(wrong)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        message(&reply).contains("The amount column, \"Value\", is not one of the file's columns."),
        "{}",
        message(&reply)
    );
    let builtin = json!({"name": tally_council::statements::BANK, "mapping": mapping.clone()});
    assert_eq!(
        client.staff(Method::POST, "/api/v1/council/statement-formats", &officer, true, Some(builtin)).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        client
            .staff(
                Method::POST,
                "/api/v1/council/statement-formats",
                &auditor,
                true,
                Some(json!({"name": "Mystery Bank", "mapping": mapping.clone()}))
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let saved = client
        .staff(
            Method::POST,
            "/api/v1/council/statement-formats",
            &officer,
            true,
            Some(json!({"name": "Mystery Bank", "mapping": mapping})),
        )
        .await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
    let formats = client.staff(Method::GET, "/api/v1/council/statement-formats", &officer, false, None).await;
    assert_eq!(formats.body["names"][2], "Mystery Bank");
    let file = "When,Who,Value\r\n2026-11-20,CORNER SHOP,-3.10\r\n";
    let used =
        client.staff(Method::POST, base, &officer, true, Some(json!({"format": "Mystery Bank", "csv": file}))).await;
    assert_eq!(used.status, StatusCode::CREATED, "{}", used.body);
    assert_eq!(used.body["lines"][0]["amount"], "-3.10");
}

/// A fixture of a real provider's layout (see `tests/fixtures/statements/README.md`) and
/// the mapping a council saves for it.
struct Layout {
    name: &'static str,
    csv: &'static str,
    format: &'static str,
}

const LAYOUTS: [Layout; 4] = [
    Layout {
        name: "Newest-first bank",
        csv: include_str!("../../../tests/fixtures/statements/bank-newest-first.csv"),
        format: include_str!("../../../tests/fixtures/statements/bank-newest-first.format.json"),
    },
    Layout {
        name: "DR and CR bank",
        csv: include_str!("../../../tests/fixtures/statements/bank-dr-cr.csv"),
        format: include_str!("../../../tests/fixtures/statements/bank-dr-cr.format.json"),
    },
    Layout {
        name: "Debit or credit column",
        csv: include_str!("../../../tests/fixtures/statements/bank-indicator.csv"),
        format: include_str!("../../../tests/fixtures/statements/bank-indicator.format.json"),
    },
    Layout {
        name: "Card programme",
        csv: include_str!("../../../tests/fixtures/statements/card-feed-iso.csv"),
        format: include_str!("../../../tests/fixtures/statements/card-feed-iso.format.json"),
    },
];

/// Each real provider's layout, saved as a format, imports; with the person's records all
/// there its lines match them, and the statement reconciles to a zero difference and closes.
async fn providers_scenario(storage: &Storage) {
    let client = Client::new(storage);
    seed::ensure_demo(storage).await.unwrap();
    let council_id = storage.council_id_by_name(seed::DEMO_COUNCIL).await.unwrap().unwrap();
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let nothing = client
        .staff(
            Method::POST,
            "/api/v1/council/statement-formats/proposal",
            &officer,
            true,
            Some(json!({"csv": "Dear customer,\nthank you for banking with us.\n"})),
        )
        .await;
    assert_eq!(nothing.status, StatusCode::BAD_REQUEST);
    assert!(message(&nothing).contains("No line names the columns"), "{}", nothing.body);
    for (n, layout) in LAYOUTS.iter().enumerate() {
        let reference = format!("DP-00007{n}");
        let account = tally_council::storage::AccountRow {
            account_id: tally_ledger::AccountId(Uuid::now_v7()),
            reference: reference.clone(),
            person_name: "Chris Lane".into(),
            council_name: seed::DEMO_COUNCIL.into(),
        };
        storage.create_account(&account, &council_id, &tally_ledger::SupportPlan::default(), 0).await.unwrap();
        let record = |i: u128, body: EntryBody| {
            let entry = Entry {
                id: EntryId(Uuid::from_u128((account.account_id.0.as_u128() & !0xffff) | i)),
                account: account.account_id,
                author: Author { name: "Chris Lane".into(), device: None, device_seq: None },
                recorded_at: datetime!(2026-11-01 09:00 UTC),
                body,
            };
            tally_council::storage::NewEntry::new(entry).unwrap()
        };
        let spend_on = |i, day, pence, payee: &str| {
            let date = time::Date::from_calendar_date(2026, time::Month::November, day).unwrap();
            record(i, EntryBody::Spend(Spend::new(date, Money::from_pence(pence), payee, None)))
        };
        let payment = tally_ledger::MoneyIn {
            date: date!(2026 - 11 - 01),
            amount: Money::from_pence(148_000),
            reference: "Payment".into(),
        };
        let entries = vec![
            record(1, EntryBody::PaymentIn(payment)),
            spend_on(2, 3, 4_500, "Sunrise Day Centre"),
            spend_on(3, 5, 1_250, "City Taxis"),
            spend_on(4, 9, 24_000, "Ace Care Agency"),
        ];
        storage.store_entries(account.account_id, &entries, 0).await.unwrap();
        // From the file alone, Tally proposes a mapping that reads it as the saved one does.
        let proposed = client
            .staff(
                Method::POST,
                "/api/v1/council/statement-formats/proposal",
                &officer,
                true,
                Some(json!({"csv": layout.csv})),
            )
            .await;
        assert_eq!(proposed.status, StatusCode::OK, "{}: {}", layout.name, proposed.body);
        assert_eq!(proposed.body["problems"], json!([]), "{}: {}", layout.name, proposed.body);
        assert_eq!(
            proposed.body["lines"][0]["date"],
            if layout.name == "Newest-first bank" { "2026-11-09" } else { "2026-11-01" }
        );
        let mapping: Value = serde_json::from_str(layout.format).unwrap();
        let saved = client
            .staff(
                Method::POST,
                "/api/v1/council/statement-formats",
                &officer,
                true,
                Some(json!({"name": layout.name, "mapping": mapping})),
            )
            .await;
        assert_eq!(saved.status, StatusCode::CREATED, "{}: {}", layout.name, saved.body);
        let base = format!("/api/v1/council/accounts/{reference}/statements");
        let imported = client
            .staff(Method::POST, &base, &officer, true, Some(json!({"format": layout.name, "csv": layout.csv})))
            .await;
        assert_eq!(imported.status, StatusCode::CREATED, "{}: {}", layout.name, imported.body);
        let view = imported.body;
        let id = view["statement_id"].as_str().unwrap().to_owned();
        assert_eq!(view["first_date"], "2026-11-01", "{}", layout.name);
        let card = layout.name == "Card programme";
        assert_eq!(view["last_date"], if card { "2026-11-11" } else { "2026-11-09" }, "{}", layout.name);
        // Closing balances come from the latest line, whichever way the file runs.
        assert_eq!(view["reconciliation"]["statement_closing"], if card { "1181.00" } else { "1182.50" });
        for line in view["lines"].as_array().unwrap() {
            let no = line["line_no"].as_i64().unwrap();
            if line["state"] == "proposed" {
                let entry = line["entry"]["entry_id"].clone();
                let confirmed = client
                    .staff(
                        Method::POST,
                        &format!("{base}/{id}/lines/{no}"),
                        &officer,
                        true,
                        Some(json!({"entry_id": entry})),
                    )
                    .await;
                assert_eq!(confirmed.status, StatusCode::OK, "{}: {}", layout.name, confirmed.body);
            }
        }
        let after = client.staff(Method::GET, &format!("{base}/{id}"), &officer, false, None).await;
        let matched: Vec<&Value> =
            after.body["lines"].as_array().unwrap().iter().filter(|l| !l["entry"].is_null()).collect();
        assert_eq!(matched.len(), 4, "{}: every logged record is on the statement: {}", layout.name, after.body);
        if card {
            // The corner shop's payment and its reversal cancel each other: shown as a
            // pair, never asked about, and refused a record.
            let line =
                |no: i64| after.body["lines"].as_array().unwrap().iter().find(|l| l["line_no"] == no).unwrap().clone();
            assert_eq!((line(8)["state"].clone(), line(8)["paired_with"].clone()), (json!("reversed"), json!(9)));
            assert_eq!((line(9)["state"].clone(), line(9)["paired_with"].clone()), (json!("reversed"), json!(8)));
            let refused = client
                .staff(
                    Method::POST,
                    &format!("{base}/{id}/queries"),
                    &officer,
                    true,
                    Some(json!({"lines": [9], "note": ""})),
                )
                .await;
            assert!(message(&refused).contains("cancel each other"), "{}", refused.body);
            let refused = client
                .staff(Method::POST, &format!("{base}/{id}/lines/8"), &officer, true, Some(json!({"entry_id": null})))
                .await;
            assert!(message(&refused).contains("cancel each other"), "{}", refused.body);
            // The card fee is the one line left: £1.50 the records do not hold, a fee to
            // accept (never a question for the person).
            assert_eq!(after.body["reconciliation"]["difference"], "-1.50", "{}", after.body);
            assert_eq!(line(6)["fee_line"], true, "{}", after.body);
            let open = after.body["reconciliation"]["open_points"].to_string();
            assert!(open.contains("1 fee the provider charged is not recorded"), "{open}");
            assert!(!open.contains("no logged record"), "{open}");
            let refused = client
                .staff(Method::POST, &format!("{base}/{id}/queries"), &officer, true, Some(json!({"lines": [6]})))
                .await;
            assert!(message(&refused).contains("the provider's own charge"), "{}", refused.body);
            let charged = client
                .staff(Method::POST, &format!("{base}/{id}/charges"), &officer, true, Some(json!({"lines": []})))
                .await;
            assert_eq!(charged.status, StatusCode::OK, "{}", charged.body);
            let fee = charged.body["lines"].as_array().unwrap().iter().find(|l| l["line_no"] == 6).unwrap().clone();
            assert_eq!((fee["state"].clone(), fee["entry"]["amount"].clone()), (json!("confirmed"), json!("-1.50")));
            // Accepted once: a second press records nothing more.
            let again = client
                .staff(Method::POST, &format!("{base}/{id}/charges"), &officer, true, Some(json!({"lines": []})))
                .await;
            assert!(message(&again).contains("nothing to accept"), "{}", again.body);
            // Unmatched and accepted again, the fee takes the charge already on the account
            // rather than a second one.
            let unmatched = client
                .staff(Method::POST, &format!("{base}/{id}/lines/6"), &officer, true, Some(json!({"entry_id": null})))
                .await;
            assert_eq!(unmatched.status, StatusCode::OK, "{}", unmatched.body);
            let again =
                client.staff(Method::POST, &format!("{base}/{id}/charges"), &officer, true, Some(json!({}))).await;
            assert_eq!(again.status, StatusCode::OK, "{}", again.body);
            // The charge is on the person's account, as money out, in the wallet's sync too.
            let loaded = storage.entries_after(account.account_id, 0, 100).await.unwrap();
            assert_eq!(loaded.iter().filter(|e| e.body.contains("\"type\":\"charge\"")).count(), 1);
        }
        let after = client.staff(Method::GET, &format!("{base}/{id}"), &officer, false, None).await;
        assert_eq!(after.body["reconciliation"]["difference"], "0.00", "{}: {}", layout.name, after.body);
        assert_eq!(after.body["reconciliation"]["open_points"], json!([]), "{}: {}", layout.name, after.body);
        print_reconciliation(layout.name, &after.body);
        let closed = client.staff(Method::POST, &format!("{base}/{id}/close"), &officer, true, None).await;
        assert_eq!(closed.status, StatusCode::OK, "{}: {}", layout.name, closed.body);
    }
}

const PROGRAMME_FEED: &str = include_str!("../../../tests/fixtures/statements/card-programme-feed.csv");
const PROGRAMME_FORMAT: &str = include_str!("../../../tests/fixtures/statements/card-programme-feed.format.json");

/// A card programme's feed for two cardholders: refused whole while a card is on no
/// account; then one statement on each account, where cash drawn at an ATM is made up of
/// three logged cash spends, the ATM fee beside it is accepted as a charge, a refund line
/// matches the refund an officer recorded, and both periods reconcile to zero and close.
async fn feed_scenario(storage: &Storage) {
    let client = Client::new(storage);
    seed::ensure_demo(storage).await.unwrap();
    let council_id = storage.council_id_by_name(seed::DEMO_COUNCIL).await.unwrap().unwrap();
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let mut accounts = Vec::new();
    for (reference, payment, spends) in [
        (
            "DP-000080",
            148_000,
            vec![(3, 4_500, "Sunrise Day Centre"), (5, 1_250, "City Taxis"), (9, 24_000, "Ace Care Agency")],
        ),
        (
            "DP-000081",
            80_000,
            vec![(4, 4_000, "Window cleaner"), (5, 3_500, "Hairdresser"), (6, 2_500, "Taxi home"), (8, 3_000, "Argos")],
        ),
    ] {
        let account = tally_council::storage::AccountRow {
            account_id: tally_ledger::AccountId(Uuid::now_v7()),
            reference: reference.into(),
            person_name: format!("Holder of {reference}"),
            council_name: seed::DEMO_COUNCIL.into(),
        };
        storage.create_account(&account, &council_id, &tally_ledger::SupportPlan::default(), 0).await.unwrap();
        let record = |i: u128, body: EntryBody| {
            let entry = Entry {
                id: EntryId(Uuid::from_u128((account.account_id.0.as_u128() & !0xffff) | i)),
                account: account.account_id,
                author: Author { name: "Sam Holder".into(), device: None, device_seq: None },
                recorded_at: datetime!(2026-11-01 09:00 UTC),
                body,
            };
            tally_council::storage::NewEntry::new(entry).unwrap()
        };
        let mut entries = vec![record(
            1,
            EntryBody::PaymentIn(tally_ledger::MoneyIn {
                date: date!(2026 - 11 - 01),
                amount: Money::from_pence(payment),
                reference: "Payment".into(),
            }),
        )];
        for (i, (day, pence, payee)) in spends.into_iter().enumerate() {
            let date = time::Date::from_calendar_date(2026, time::Month::November, day).unwrap();
            entries
                .push(record(i as u128 + 2, EntryBody::Spend(Spend::new(date, Money::from_pence(pence), payee, None))));
        }
        storage.store_entries(account.account_id, &entries, 0).await.unwrap();
        accounts.push(account);
    }
    // The refund Argos gave, recorded by an officer.
    let refund = client
        .staff(
            Method::POST,
            "/api/v1/council/accounts/DP-000081/money-in",
            &officer,
            true,
            Some(json!({"kind": "refund", "date": "2026-11-12", "amount": "30.00", "reference": ""})),
        )
        .await;
    assert_eq!(refund.status, StatusCode::BAD_REQUEST, "a refund says who gave it back: {}", refund.body);
    assert!(refund.body.to_string().contains("who gave the money back"), "{}", refund.body);
    let refund = client
        .staff(
            Method::POST,
            "/api/v1/council/accounts/DP-000081/money-in",
            &officer,
            true,
            Some(json!({"kind": "refund", "date": "2026-11-12", "amount": "30.00", "reference": "Argos"})),
        )
        .await;
    assert_eq!(refund.status, StatusCode::CREATED, "{}", refund.body);
    let mapping: Value = serde_json::from_str(PROGRAMME_FORMAT).unwrap();
    let saved = client
        .staff(
            Method::POST,
            "/api/v1/council/statement-formats",
            &officer,
            true,
            Some(json!({"name": "Card programme feed", "mapping": mapping})),
        )
        .await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
    let import = || {
        client.staff(
            Method::POST,
            "/api/v1/council/statement-feeds",
            &officer,
            true,
            Some(json!({"format": "Card programme feed", "csv": PROGRAMME_FEED})),
        )
    };
    // No card is known yet: nothing is imported, and every line is named.
    let refused = import().await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    let said = message(&refused);
    assert!(said.starts_with("Nothing was imported"), "{said}");
    assert!(
        said.contains("Line 4, column \"Card Number\": \"************1234\" is not the reference of an account"),
        "{said}"
    );
    assert_eq!(said.matches("is not the reference of an account").count(), 8, "{said}");
    let card = |reference: &str, card: &str, removal: bool| {
        let path = format!("/api/v1/council/accounts/{reference}/cards{}", if removal { "/removal" } else { "" });
        let body = json!({"card": card});
        let (client, officer) = (&client, &officer);
        async move { client.staff(Method::POST, &path, officer, true, Some(body)).await }
    };
    let added = card("DP-000080", "************1234", false).await;
    assert_eq!((added.status, added.body["cards"].clone()), (StatusCode::OK, json!(["************1234"])));
    let refused = import().await;
    assert_eq!(message(&refused).matches("is not the reference of an account").count(), 4, "{}", refused.body);
    assert!(message(&refused).contains("Line 5, column"), "{}", refused.body);
    let listed =
        client.staff(Method::GET, "/api/v1/council/accounts/DP-000080/statements", &officer, false, None).await;
    assert_eq!(listed.body["statements"], json!([]), "all or nothing: {}", listed.body);
    // A card is one account's: written another way, it is the same card.
    let mistaken = card("DP-000080", "**** **** **** 5678", false).await;
    assert_eq!(mistaken.status, StatusCode::OK);
    let taken = card("DP-000081", "************5678", false).await;
    assert!(message(&taken).contains("is on DP-000080 already"), "{}", taken.body);
    let off = card("DP-000080", "************5678", true).await;
    assert_eq!(off.body["cards"], json!(["************1234"]), "{}", off.body);
    assert_eq!(card("DP-000081", "**** **** **** 5678", false).await.status, StatusCode::OK);
    let imported = import().await;
    assert_eq!(imported.status, StatusCode::CREATED, "{}", imported.body);
    let statements = imported.body["statements"].as_array().unwrap().clone();
    assert_eq!(statements.len(), 2, "{}", imported.body);
    for (n, expected_closing) in [(0, "1182.50"), (1, "698.50")] {
        let reference = statements[n]["reference"].as_str().unwrap().to_owned();
        assert_eq!(reference, accounts[n].reference);
        let base = format!(
            "/api/v1/council/accounts/{reference}/statements/{}",
            statements[n]["statement_id"].as_str().unwrap()
        );
        let view = client.staff(Method::GET, &base, &officer, false, None).await.body;
        assert_eq!(view["reconciliation"]["statement_closing"], expected_closing, "{view}");
        let line = |view: &Value, no: i64| {
            view["lines"].as_array().unwrap().iter().find(|l| l["line_no"] == no).unwrap().clone()
        };
        if n == 1 {
            // Cash drawn at the ATM: three cash spends add up to it, proposed together.
            let atm = line(&view, 7);
            assert_eq!(atm["state"], "proposed", "{view}");
            let parts: Vec<Value> = atm["parts"].as_array().unwrap().iter().map(|p| p["amount"].clone()).collect();
            assert_eq!(parts, vec![json!("-40.00"), json!("-35.00"), json!("-25.00")], "{view}");
            assert_eq!(atm["fee"]["amount"], "1.50", "{view}");
            assert!(atm["fee"]["charge"].is_null());
            // The refund line matches the refund recorded.
            assert_eq!(line(&view, 12)["entry"]["who"], "Argos", "{view}");
            // Turned down, the set is not proposed again; the officer can still choose it.
            let turned_down = client
                .staff(Method::POST, &format!("{base}/lines/7"), &officer, true, Some(json!({"entry_id": null})))
                .await;
            assert_eq!(turned_down.status, StatusCode::OK, "{}", turned_down.body);
            let again = line(&turned_down.body, 7);
            assert_eq!(
                (again["state"].clone(), again.get("parts").cloned()),
                (json!("none"), None),
                "{}",
                turned_down.body
            );
            // Records that do not add up to the line are refused.
            let two: Vec<Value> = atm["parts"].as_array().unwrap()[..2].iter().map(|p| p["entry_id"].clone()).collect();
            let wrong = client
                .staff(
                    Method::POST,
                    &format!("{base}/lines/7"),
                    &officer,
                    true,
                    Some(json!({"entry_id": null, "entry_ids": two})),
                )
                .await;
            assert!(message(&wrong).contains("add up to -£75.00"), "{}", wrong.body);
            let ids: Vec<Value> = atm["parts"].as_array().unwrap().iter().map(|p| p["entry_id"].clone()).collect();
            let confirmed = client
                .staff(
                    Method::POST,
                    &format!("{base}/lines/7"),
                    &officer,
                    true,
                    Some(json!({"entry_id": null, "entry_ids": ids})),
                )
                .await;
            assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
            assert_eq!(line(&confirmed.body, 7)["state"], "confirmed");
            let open = confirmed.body["reconciliation"]["open_points"].to_string();
            assert!(open.contains("1 fee the provider charged is not recorded"), "{open}");
            let charged = client
                .staff(Method::POST, &format!("{base}/charges"), &officer, true, Some(json!({"lines": []})))
                .await;
            assert_eq!(charged.status, StatusCode::OK, "{}", charged.body);
            assert_eq!(line(&charged.body, 7)["fee"]["charge"]["amount"], "-1.50", "{}", charged.body);
        }
        let view = client.staff(Method::GET, &base, &officer, false, None).await.body;
        for l in view["lines"].as_array().unwrap() {
            if l["state"] == "proposed" {
                let no = l["line_no"].as_i64().unwrap();
                let confirmed = client
                    .staff(
                        Method::POST,
                        &format!("{base}/lines/{no}"),
                        &officer,
                        true,
                        Some(json!({"entry_id": l["entry"]["entry_id"]})),
                    )
                    .await;
                assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
            }
        }
        let view = client.staff(Method::GET, &base, &officer, false, None).await.body;
        assert_eq!(view["reconciliation"]["difference"], "0.00", "{reference}: {view}");
        assert_eq!(view["reconciliation"]["open_points"], json!([]), "{reference}: {view}");
        print_reconciliation(&format!("Card programme feed, {reference}"), &view);
        let closed = client.staff(Method::POST, &format!("{base}/close"), &officer, true, None).await;
        assert_eq!(closed.status, StatusCode::OK, "{reference}: {}", closed.body);
    }
}

/// One line of the reconciliation of a fixture, for the record (`-- --nocapture`).
fn print_reconciliation(name: &str, view: &Value) {
    let lines = view["lines"].as_array().map_or(0, Vec::len);
    let count = |state: &str| view["lines"].as_array().map_or(0, |l| l.iter().filter(|l| l["state"] == state).count());
    let fees = view["lines"]
        .as_array()
        .map_or(0, |l| l.iter().filter(|l| l["fee_line"] == true || !l["fee"]["charge"].is_null()).count());
    let r = &view["reconciliation"];
    println!(
        "reconciliation | {name} | {lines} lines: {} matched by Tally, {} by the officer, {} reversed, {fees} fees charged | statement closes {} | records close {} | difference {}",
        count("certain"),
        count("confirmed"),
        count("reversed"),
        r["statement_closing"].as_str().unwrap_or("-"),
        r["closing"].as_str().unwrap_or("-"),
        r["difference"].as_str().unwrap_or("-"),
    );
}
