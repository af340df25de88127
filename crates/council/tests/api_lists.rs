//! The council-wide lists at a caseload: the accounts list and the review queue come a page
//! at a time with a total and a cursor, filter on the server, refuse filters they cannot
//! use by field, and a bulk decision records every spend it names or none. On SQLite and
//! Postgres; every answer is checked against the API's description.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{json, Value};
use tally_council::seed;
use tally_council::storage::{AccountRow, NewEntry, Storage};
use tally_ledger::{AccountId, Author, DeviceId, Entry, EntryBody, EntryId, Money, MoneyIn, PlanLineId, Spend};
use uuid::Uuid;

on_every_database! {
    the_accounts_list_and_review_queue_page_filter_and_count => lists_scenario;
    several_flagged_spends_are_decided_at_once_all_or_none => bulk_scenario;
    a_change_while_a_summary_is_worked_out_leaves_it_out_of_date => marks_scenario;
    the_queue_counts_exactly_up_to_a_thousand => count_cap_scenario;
}

/// Accounts beyond the demo's: account `n` has `n + 1` spends over £50 with no receipt
/// (flagged "Receipt needed"), the first of them with no plan line too, and one spend with
/// a receipt (not flagged). Gives each account's reference and flagged spends.
async fn caseload(storage: &Storage, accounts: usize) -> Vec<(String, Vec<EntryId>)> {
    seed::ensure_demo(storage).await.unwrap();
    let council = storage.council_id_by_name(seed::DEMO_COUNCIL).await.unwrap().unwrap();
    let today = time::OffsetDateTime::now_utc().date();
    let start = today - time::Duration::days(60);
    let mut made = Vec::new();
    for n in 0..accounts {
        let row = AccountRow {
            account_id: AccountId(Uuid::now_v7()),
            reference: format!("DP-{:06}", 500 + n),
            person_name: format!("Person {n:02} Lister"),
            council_name: seed::DEMO_COUNCIL.into(),
        };
        storage.create_account(&row, &council, &seed::sample_plan(start), 0).await.unwrap();
        let author = Author { name: "The person".into(), device: Some(DeviceId(Uuid::now_v7())), device_seq: None };
        // Money in first, so no spend takes the account below zero.
        let mut entries = vec![Entry {
            id: EntryId(Uuid::now_v7()),
            account: row.account_id,
            author: Author { name: seed::DEMO_COUNCIL.into(), device: None, device_seq: None },
            recorded_at: start.with_hms(8, 0, 0).unwrap().assume_utc(),
            body: EntryBody::PaymentIn(MoneyIn {
                date: start,
                amount: Money::from_pence(100_000),
                reference: "Payment".into(),
            }),
        }];
        let mut flagged = Vec::new();
        for i in 0..=n {
            let day = today - time::Duration::days(20 - i as i64);
            let line = (i > 0).then(|| PlanLineId("day-centre".into()));
            let spend = Spend::new(day, Money::from_pence(5_100 + 100 * i as i64), "Corner Shop", line);
            let id = EntryId(Uuid::now_v7());
            flagged.push(id);
            entries.push(entry(row.account_id, id, &author, i as u64 + 1, day, spend));
        }
        let mut kept =
            Spend::new(today - time::Duration::days(1), Money::from_pence(2_000), "Sunrise Day Centre", None);
        kept.plan_line = Some(PlanLineId("day-centre".into()));
        kept.receipts = vec![tally_ledger::ReceiptRef(format!("{:064x}", n + 1))];
        entries.push(entry(row.account_id, EntryId(Uuid::now_v7()), &author, 99, today, kept));
        let new = entries.into_iter().map(NewEntry::new).collect::<anyhow::Result<Vec<_>>>().unwrap();
        storage.store_entries(row.account_id, &new, tally_council::now_ms()).await.unwrap();
        made.push((row.reference, flagged));
    }
    made
}

fn entry(account: AccountId, id: EntryId, author: &Author, seq: u64, day: time::Date, spend: Spend) -> Entry {
    Entry {
        id,
        account,
        author: Author { device_seq: Some(seq), ..author.clone() },
        recorded_at: day.with_hms(12, 0, 0).unwrap().assume_utc(),
        body: EntryBody::Spend(spend),
    }
}

/// Every page of a list, following `next`: the rows of each page.
async fn every_page(client: &Client, staff: &StaffSession, path: &str, rows: &str) -> (Vec<Vec<Value>>, u64) {
    let mut pages = Vec::new();
    let mut after: Option<String> = None;
    let mut total = None;
    loop {
        let joiner = if path.contains('?') { '&' } else { '?' };
        let uri = match &after {
            Some(a) => format!("{path}{joiner}limit=4&after={}", urlencoding(a)),
            None => format!("{path}{joiner}limit=4"),
        };
        let page = client.staff(Method::GET, &uri, staff, false, None).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}: {}", page.body);
        let this_total = page.body["total"].as_u64().unwrap();
        assert_eq!(*total.get_or_insert(this_total), this_total, "the total is the same on every page");
        let found = page.body[rows].as_array().unwrap().clone();
        assert!(found.len() <= 4, "a page holds at most the limit");
        pages.push(found);
        match page.body["next"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => break,
        }
        assert!(pages.len() < 100, "paging ends");
    }
    (pages, total.unwrap_or(0))
}

fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn lists_scenario(storage: &Storage) {
    let made = caseload(storage, 9).await;
    let client = Client::new(storage);
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();

    // The accounts list: every account once, across pages, exceptions first.
    let (pages, total) = every_page(&client, &officer, "/api/v1/council/accounts", "accounts").await;
    let all: Vec<&Value> = pages.iter().flatten().collect();
    assert_eq!(total as usize, all.len());
    assert_eq!(all.len(), 9 + 2, "the demo's two accounts and nine more");
    let mut references: Vec<&str> = all.iter().map(|a| a["reference"].as_str().unwrap()).collect();
    references.sort_unstable();
    references.dedup();
    assert_eq!(references.len(), all.len(), "no account twice");
    let needs: Vec<usize> = all.iter().map(|a| a["exceptions"].as_array().unwrap().len()).collect();
    assert!(needs.windows(2).all(|w| w[0] >= w[1]), "accounts that need most looks come first: {needs:?}");

    // Filters: search, and a kind of exception.
    let (found, total) = every_page(&client, &officer, "/api/v1/council/accounts?search=lister", "accounts").await;
    assert_eq!((total, found.concat().len()), (9, 9));
    let found = client.staff(Method::GET, "/api/v1/council/accounts?search=DP-000503", &officer, false, None).await;
    assert_eq!(found.body["total"], 1);
    assert_eq!(found.body["accounts"][0]["person_name"], "Person 03 Lister");
    // Each word typed starts a word of the name or reference, in any order and case.
    for (search, expected) in
        [("LIST", 9), ("lister person 03", 1), ("03", 1), ("000503", 1), ("ister", 0), ("dp-0005", 9), ("--", 0)]
    {
        let uri = format!("/api/v1/council/accounts?search={}", urlencoding(search));
        let found = client.staff(Method::GET, &uri, &officer, false, None).await;
        assert_eq!(found.body["total"], expected, "{search:?}: {}", found.body);
        assert_eq!(found.body["accounts"].as_array().unwrap().len(), expected, "{search:?}");
    }
    let (with_flags, total) =
        every_page(&client, &officer, "/api/v1/council/accounts?exception=flags", "accounts").await;
    assert_eq!(total, 9, "each new account has flagged spending; the demo's have none yet");
    assert!(with_flags.concat().iter().all(|a| a["open_flags"].as_u64().unwrap() > 0));
    let unknown = client.staff(Method::GET, "/api/v1/council/accounts?exception=sad", &officer, false, None).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.body["error"]["fields"][0]["field"], "exception");
    let forged = client.staff(Method::GET, "/api/v1/council/accounts?after=nonsense", &officer, false, None).await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST, "{}", forged.body);
    assert_eq!(forged.body["error"]["fields"][0]["field"], "after");

    // The review queue: every flagged spend once, oldest first, across pages.
    let flagged: usize = made.iter().map(|(_, ids)| ids.len()).sum();
    let (pages, total) = every_page(&client, &officer, "/api/v1/council/reviews", "items").await;
    let items: Vec<&Value> = pages.iter().flatten().collect();
    assert_eq!((total as usize, items.len()), (flagged, flagged));
    let mut ids: Vec<&str> = items.iter().map(|i| i["entry_id"].as_str().unwrap()).collect();
    let dates: Vec<&str> = items.iter().map(|i| i["date"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "oldest first: {dates:?}");
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), flagged, "no spend twice");

    // Filters: by rule, amount, date and person, each alone and together.
    let (no_line, total) = every_page(&client, &officer, "/api/v1/council/reviews?rule=no_plan_line", "items").await;
    assert_eq!(total, 9, "the first spend of each account has no plan line");
    assert!(no_line.concat().iter().all(|i| i["flags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "no_plan_line")));
    let (dear, total) = every_page(&client, &officer, "/api/v1/council/reviews?min=55&max=55.50", "items").await;
    assert_eq!(total as usize, made.iter().filter(|(_, ids)| ids.len() > 4).count(), "one £55.xx spend each");
    assert!(dear.concat().iter().all(|i| i["amount"].as_str().unwrap().starts_with("55.")), "{dear:?}");
    let today = time::OffsetDateTime::now_utc().date();
    let day = tally_ledger::date::iso_date(today - time::Duration::days(20));
    let (on_day, total) =
        every_page(&client, &officer, &format!("/api/v1/council/reviews?from={day}&to={day}"), "items").await;
    assert_eq!(total, 9);
    assert!(on_day.concat().iter().all(|i| i["date"] == day.as_str()));
    let (one, total) = every_page(
        &client,
        &officer,
        &format!("/api/v1/council/reviews?search=person%2008&rule=receipt_missing&from={day}"),
        "items",
    )
    .await;
    assert_eq!(total, 9, "Person 08 has nine flagged spends, all without receipts");
    assert!(one.concat().iter().all(|i| i["reference"] == "DP-000508"));
    let bad = client
        .staff(Method::GET, "/api/v1/council/reviews?rule=sad&from=2026-02-30&min=lots", &officer, false, None)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let fields: Vec<&str> =
        bad.body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["rule", "from", "min"], "{}", bad.body);
    let forged = client.staff(Method::GET, "/api/v1/council/reviews?after=a:b", &officer, false, None).await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    let too_many = client.staff(Method::GET, "/api/v1/council/reviews?limit=100000", &officer, false, None).await;
    assert_eq!(too_many.status, StatusCode::OK);
    assert!(too_many.body["items"].as_array().unwrap().len() <= tally_api::MAX_PAGE);

    // A decision moves the spend out of the queue, and the count with it, on every page.
    let (reference, ids) = &made[2];
    let decided = client
        .staff(
            Method::POST,
            &format!("/api/v1/council/accounts/{reference}/decisions"),
            &officer,
            true,
            Some(json!({"about": ids[0], "decision": "approved", "note": "Seen."})),
        )
        .await;
    assert_eq!(decided.status, StatusCode::CREATED);
    let (_, total) = every_page(&client, &officer, "/api/v1/council/reviews", "items").await;
    assert_eq!(total as usize, flagged - 1);
}

async fn bulk_scenario(storage: &Storage) {
    let made = caseload(storage, 4).await;
    let client = Client::new(storage);
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let auditor = client.sign_in(seed::DEMO_AUDITOR_EMAIL, seed::DEMO_AUDITOR_PASSWORD).await.unwrap();
    let uri = "/api/v1/council/reviews/decisions";
    let spend = |reference: &str, id: EntryId| json!({"reference": reference, "entry_id": id});
    let before = queue_total(&client, &officer).await;
    let queue = client.staff(Method::GET, "/api/v1/council/reviews", &officer, false, None).await;
    let flags: Vec<String> = queue.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| format!("{} {} {} {}", i["reference"], i["payee"], i["amount"], i["flags"]))
        .collect();
    assert_eq!(before, 1 + 2 + 3 + 4, "{flags:#?}");

    // Auditors may not; an empty choice, a question without words, or a spend of no
    // account is refused by field, and nothing is recorded.
    let some = vec![spend(&made[1].0, made[1].1[0]), spend(&made[3].0, made[3].1[2])];
    let body = json!({"spends": some, "decision": "approved", "note": "Small amounts, checked."});
    assert_eq!(client.staff(Method::POST, uri, &auditor, true, Some(body.clone())).await.status, StatusCode::FORBIDDEN);
    let empty =
        client.staff(Method::POST, uri, &officer, true, Some(json!({"spends": [], "decision": "approved"}))).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert_eq!(empty.body["error"]["fields"][0]["field"], "spends");
    let wordless = json!({"spends": some, "decision": "question", "note": "  "});
    let wordless = client.staff(Method::POST, uri, &officer, true, Some(wordless)).await;
    assert_eq!(wordless.body["error"]["fields"][0]["field"], "note");
    let mut with_stranger = some.clone();
    with_stranger.push(spend("DP-999999", made[0].1[0]));
    let stranger = json!({"spends": with_stranger, "decision": "approved", "note": "x"});
    let stranger = client.staff(Method::POST, uri, &officer, true, Some(stranger)).await;
    assert_eq!(stranger.status, StatusCode::BAD_REQUEST);
    let said = stranger.body["error"]["fields"][0]["message"].as_str().unwrap().to_owned();
    assert!(said.contains("Nothing was recorded") && said.contains("DP-999999"), "{said}");
    let mut too_many = Vec::new();
    for _ in 0..=tally_api::MAX_BULK {
        too_many.push(spend(&made[0].0, made[0].1[0]));
    }
    let too_many = json!({"spends": too_many, "decision": "approved"});
    assert_eq!(client.staff(Method::POST, uri, &officer, true, Some(too_many)).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(queue_total(&client, &officer).await, before, "nothing was recorded");

    // One decision on two spends of two accounts: both recorded, both audited.
    let done = client.staff(Method::POST, uri, &officer, true, Some(body.clone())).await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
    assert_eq!(done.body["decided"], 2);
    assert_eq!(queue_total(&client, &officer).await, before - 2);
    for (reference, id) in [(&made[1].0, made[1].1[0]), (&made[3].0, made[3].1[2])] {
        let detail =
            client.staff(Method::GET, &format!("/api/v1/council/accounts/{reference}"), &officer, false, None).await;
        let audit = detail.body["audit"].as_array().unwrap();
        assert_eq!(audit.len(), 1, "{}", detail.body["audit"]);
        assert!(audit[0]["detail"].as_str().unwrap().contains(&id.0.to_string()));
    }

    // The same again: the spends are decided already, so nothing at all is recorded, even
    // for a spend in the batch that is still open.
    let mut again = some.clone();
    again.push(spend(&made[2].0, made[2].1[0]));
    let again = json!({"spends": again, "decision": "not_allowed", "note": "No."});
    let again = client.staff(Method::POST, uri, &officer, true, Some(again)).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(again.body["error"]["fields"][0]["message"].as_str().unwrap().contains("not waiting for a decision"));
    assert_eq!(queue_total(&client, &officer).await, before - 2);

    // A question keeps the spends in the queue; the same spend named twice is asked once.
    let ask = json!({
        "spends": [spend(&made[2].0, made[2].1[1]), spend(&made[2].0, made[2].1[1])],
        "decision": "question",
        "note": "Do you have the receipt?",
    });
    let asked = client.staff(Method::POST, uri, &officer, true, Some(ask)).await;
    assert_eq!(asked.body["decided"], 1);
    assert_eq!(queue_total(&client, &officer).await, before - 2);
}

async fn queue_total(client: &Client, staff: &StaffSession) -> u64 {
    client.staff(Method::GET, "/api/v1/council/reviews", staff, false, None).await.body["total"].as_u64().unwrap()
}

/// Two servers (or a page and the background task) can work out an account's summary while
/// records arrive or a plan changes: what they keep must stay marked out of date, or the
/// change would never show on the council-wide pages.
async fn marks_scenario(storage: &Storage) {
    let made = caseload(storage, 2).await;
    let state = tally_council::AppState::new(storage.clone());
    let today = tally_ledger::date::iso_date(state.clock.today());
    tally_council::api::summaries::catch_up(&state).await.unwrap();
    assert!(storage.stale_summaries(None, &today, 10).await.unwrap().is_empty());
    let row = storage.account_by_reference(None, &made[0].0).await.unwrap().unwrap();
    let stale = || async { storage.stale_summaries(None, &today, 10).await.unwrap() };

    // A record arrives after the records were read, before the summary is kept.
    let marks = storage.summary_marks(row.account_id).await.unwrap();
    let early = tally_council::api::summaries::digest(&state, &row).await.unwrap();
    let author = Author { name: "The person".into(), device: Some(DeviceId(Uuid::now_v7())), device_seq: Some(1) };
    let late = Spend::new(time::OffsetDateTime::now_utc().date(), Money::from_pence(7_000), "Late Shop", None);
    let late = entry(row.account_id, EntryId(Uuid::now_v7()), &author, 1, time::OffsetDateTime::now_utc().date(), late);
    storage.store_entries(row.account_id, &[NewEntry::new(late).unwrap()], 0).await.unwrap();
    storage.put_digest(&early, marks).await.unwrap();
    let found: Vec<String> = stale().await.iter().map(|r| r.reference.clone()).collect();
    assert_eq!(found, vec![made[0].0.clone()], "the record that came meanwhile keeps it out of date");
    tally_council::api::summaries::catch_up(&state).await.unwrap();
    assert!(stale().await.is_empty());

    // A mark (a plan, a statement, a note) made meanwhile: the same.
    let marks = storage.summary_marks(row.account_id).await.unwrap();
    let early = tally_council::api::summaries::digest(&state, &row).await.unwrap();
    storage.mark_summary_stale(row.account_id).await.unwrap();
    storage.put_digest(&early, marks).await.unwrap();
    assert_eq!(stale().await.len(), 1, "the mark made meanwhile stays");
    tally_council::api::summaries::catch_up(&state).await.unwrap();
    assert!(stale().await.is_empty());
}

/// Past 1,000 flagged spends the queue says "more than 1,000" (counting stops there, so
/// it costs the same however many there are); a filter that finds fewer is exact.
async fn count_cap_scenario(storage: &Storage) {
    let made = caseload(storage, 45).await;
    let flagged: usize = made.iter().map(|(_, ids)| ids.len()).sum();
    assert!(flagged > 1_000);
    // As the server's background task does (a page brings only 20 up to date itself).
    tally_council::api::summaries::catch_up(&tally_council::AppState::new(storage.clone())).await.unwrap();
    let client = Client::new(storage);
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let all = client.staff(Method::GET, "/api/v1/council/reviews", &officer, false, None).await;
    assert_eq!((all.body["total"].as_u64(), all.body["more_than_total"].as_bool()), (Some(1_000), Some(true)));
    let some = client.staff(Method::GET, "/api/v1/council/reviews?rule=no_plan_line", &officer, false, None).await;
    assert_eq!(some.body["total"], 45);
    assert!(some.body.get("more_than_total").is_none(), "{}", some.body);
    // By amount: a range holding every spend counts up to 1,000; one amount's spends come
    // oldest first, each of that amount, however they are read.
    let wide = client.staff(Method::GET, "/api/v1/council/reviews?min=0.01", &officer, false, None).await;
    assert_eq!((wide.body["total"].as_u64(), wide.body["more_than_total"].as_bool()), (Some(1_000), Some(true)));
    let amount = all.body["items"][0]["amount"].as_str().unwrap().to_owned();
    let uri = format!("/api/v1/council/reviews?min={amount}&max={amount}");
    let (pages, total) = every_page(&client, &officer, &uri, "items").await;
    let items: Vec<&Value> = pages.iter().flatten().collect();
    assert!(total >= 1 && total as usize == items.len(), "{total} {}", items.len());
    assert!(items.iter().all(|i| i["amount"] == amount.as_str()));
    let dates: Vec<&str> = items.iter().map(|i| i["date"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "oldest first: {dates:?}");
}
