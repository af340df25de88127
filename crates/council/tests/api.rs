//! The council API, driven through the router with real databases: a SQLite file always,
//! and Postgres when `TALLY_TEST_POSTGRES_URL` names a server (`cargo xtask test` sets it
//! when one is reachable and says so when it is not).

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tally_api::{PairResponse, PullResponse, PushStatus};
use tally_council::storage::Storage;
use tally_council::{app, issue_pairing_code, seed, AppState};
use tally_ledger::{Author, Entry, EntryBody, EntryId, Money, Spend};
use time::macros::{date, datetime};
use tower::ServiceExt;
use uuid::Uuid;

mod common;

use common::*;

on_every_database! {
    health_answers => health_scenario;
    pairing_gives_a_token_once => pairing_scenario;
    push_is_idempotent_and_pull_sees_each_entry_once => idempotency_scenario;
    each_entry_in_a_batch_is_judged_on_its_own => batch_scenario;
    tokens_reach_only_their_own_account => scope_scenario;
    bad_requests_get_plain_errors_and_store_nothing => bad_request_scenario;
    pull_pages_through_many_entries => paging_scenario;
    receipt_photos_are_checked_and_kept_once => receipts_scenario;
    a_revoked_device_is_shut_out_and_its_records_kept => revocation_scenario;
    devices_number_their_records_so_gaps_show => device_numbers_scenario;
    staff_sign_in_is_limited_and_sessions_need_csrf => staff_sign_in_scenario;
    each_staff_role_is_refused_what_it_may_not_do => staff_roles_scenario;
    a_review_decision_reaches_the_wallet_and_closes_the_flag => review_flow_scenario;
    officers_record_money_recover_surplus_and_export_audit_sheets => money_scenario;
    the_openapi_description_matches_the_routes => openapi_scenario;
    safeguarding_signals_are_listed_for_officers_with_their_notes => safeguarding_scenario;
    a_statement_is_imported_matched_reconciled_and_closed => statement_scenario;
    council_figures_add_up_across_accounts => figures_scenario;
    administrators_set_policy_and_officers_version_plans => policy_and_plan_scenario;
    administrators_manage_staff_access => staff_management_scenario;
    officers_open_accounts_with_a_first_plan => new_account_scenario;
    scheduled_payments_are_recorded_once_when_due => schedule_scenario;
    the_councils_today_is_londons => london_scenario;
}

async fn health_scenario(storage: &Storage) {
    let client = Client::new(storage);
    let reply = client.get("/api/v1/health", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["status"], "ok");
    let missing = client.get("/api/v1/nothing-here", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.body["error"]["code"], "not_found");
}

async fn pairing_scenario(storage: &Storage) {
    let client = Client::new(storage);
    let demo = seed::ensure_demo(storage).await.unwrap();
    // People type codes in lower case, with spaces: still the same code.
    let typed = demo.pairing_code.to_lowercase().replace('-', " ");
    let device = client.pair(&typed).await;
    assert_eq!(device.account.person_name, seed::DEMO_PERSON);
    assert_eq!(device.account.reference, seed::DEMO_REFERENCE);
    assert_eq!(device.account.plan.current().map(|v| v.lines.len()), Some(4));
    assert_eq!(device.account.policy.contingency_weeks, 8);
    assert_eq!(device.token.len(), 64);

    let again = client.post("/api/v1/pairings", None, &json!({"code": demo.pairing_code})).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(message(&again).contains("already been used"), "{}", again.body);

    let wrong = client.post("/api/v1/pairings", None, &json!({"code": "AAAA-AAAA"})).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let empty = client.post("/api/v1/pairings", None, &json!({"code": "  "})).await;
    assert_eq!(message(&empty), "Enter the pairing code your council gave you.");

    // Seeding again keeps the account and gives a new code that works.
    let second = seed::ensure_demo(storage).await.unwrap();
    assert_ne!(second.pairing_code, demo.pairing_code);
    let other_device = client.pair(&second.pairing_code).await;
    assert_eq!(other_device.account.account_id, device.account.account_id);
    assert_ne!(other_device.device_id, device.device_id);
}

async fn idempotency_scenario(storage: &Storage) {
    let client = Client::new(storage);
    let device = client.paired(storage).await;
    let entry = spend(&device, 1_250, "Sunrise Day Centre");

    let first = client.push(&device, vec![to_json(&entry)]).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(statuses(&first), vec![PushStatus::Stored]);
    let second = client.push(&device, vec![to_json(&entry), to_json(&entry)]).await;
    assert_eq!(statuses(&second), vec![PushStatus::AlreadyStored, PushStatus::AlreadyStored]);
    assert_eq!(storage.count_entries_with_id(entry.id).await.unwrap(), 1);

    let mut changed = entry.clone();
    if let EntryBody::Spend(s) = &mut changed.body {
        s.amount = Money::from_pence(99_999);
    }
    let conflict = client.push(&device, vec![to_json(&changed)]).await;
    assert_eq!(statuses(&conflict), vec![PushStatus::Refused]);
    assert!(conflict.body["results"][0]["message"].as_str().unwrap().contains("never change"));

    // Within one new batch: the first copy of an id is stored, the same again is held,
    // a different record under it is refused; the stored one is the first.
    let fresh = spend(&device, 700, "City Taxis");
    let mut clash = fresh.clone();
    if let EntryBody::Spend(s) = &mut clash.body {
        s.payee = "Someone else".into();
    }
    let mixed = client.push(&device, vec![to_json(&fresh), to_json(&fresh), to_json(&clash)]).await;
    assert_eq!(statuses(&mixed), vec![PushStatus::Stored, PushStatus::AlreadyStored, PushStatus::Refused]);
    assert_eq!(storage.count_entries_with_id(fresh.id).await.unwrap(), 1);

    let pulled = client.pull_all(&device).await;
    let payments = pulled.iter().filter(|e| matches!(e.body, EntryBody::PaymentIn(_))).count();
    assert_eq!(payments, 1, "the seeded first payment comes down");
    let copies: Vec<&Entry> = pulled.iter().filter(|e| e.id == entry.id).collect();
    assert_eq!(copies, vec![&entry], "the spend comes down once, as first sent");
    let copies: Vec<&Entry> = pulled.iter().filter(|e| e.id == fresh.id).collect();
    assert_eq!(copies, vec![&fresh]);

    // A phone paired again (new token, new device id), showing it held the earlier
    // pairing, can still send what it logged under it; so can the pairing after that.
    let code = issue_pairing_code(storage, device.account.account_id).await.unwrap();
    let re_paired = client.pair_holding(&code, &[&device]).await;
    let logged_before = spend(&device, 333, "Logged before pairing again");
    assert_eq!(statuses(&client.push(&re_paired, vec![to_json(&logged_before)]).await), vec![PushStatus::Stored]);
    let code = issue_pairing_code(storage, device.account.account_id).await.unwrap();
    let third = client.pair_holding(&code, &[&re_paired]).await;
    let logged_long_before = spend(&device, 334, "Logged two pairings ago");
    assert_eq!(statuses(&client.push(&third, vec![to_json(&logged_long_before)]).await), vec![PushStatus::Stored]);
    let pulled = client.pull_all(&device).await;

    // Another device on the same account sees the same entries, and may not send records
    // as if it were the first phone (a wrong token proves nothing).
    let code = issue_pairing_code(storage, device.account.account_id).await.unwrap();
    let pretender = PairResponse { token: "0".repeat(64), ..device.clone() };
    let carer = client.pair_holding(&code, &[&pretender]).await;
    assert_eq!(client.pull_all(&carer).await, pulled);
    let as_the_phone = spend(&device, 335, "Pretending");
    let reply = client.push(&carer, vec![to_json(&as_the_phone)]).await;
    assert_eq!(statuses(&reply), vec![PushStatus::Refused]);
    assert!(reply.body["results"][0]["message"].as_str().unwrap().contains("made on another device"), "{}", reply.body);
}

async fn batch_scenario(storage: &Storage) {
    let client = Client::new(storage);
    let device = client.paired(storage).await;
    let good = spend(&device, 500, "Taxi");
    let mut other_account = spend(&device, 500, "Taxi");
    other_account.account = tally_ledger::AccountId(Uuid::now_v7());
    let mut other_device = spend(&device, 500, "Taxi");
    other_device.author.device = Some(tally_ledger::DeviceId(Uuid::now_v7()));
    let zero = spend(&device, 0, "Taxi");
    let mut payment_in = spend(&device, 500, "Taxi");
    payment_in.body = EntryBody::PaymentIn(tally_ledger::MoneyIn {
        date: date!(2026 - 11 - 01),
        amount: Money::from_pence(100_000),
        reference: "I paid myself".into(),
    });
    let mut too_precise = to_json(&spend(&device, 500, "Taxi"));
    too_precise["body"]["amount"] = json!("12.345");
    let malformed = json!({"id": "not-a-uuid", "hello": 1});
    let also_good = spend(&device, 700, "Bus");

    let reply = client
        .push(
            &device,
            vec![
                to_json(&good),
                to_json(&other_account),
                to_json(&other_device),
                to_json(&zero),
                to_json(&payment_in),
                too_precise,
                malformed,
                to_json(&also_good),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    use PushStatus::*;
    assert_eq!(statuses(&reply), vec![Stored, Refused, Refused, Refused, Refused, Refused, Refused, Stored]);
    let messages: Vec<String> = reply.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(messages[1], "This record belongs to a different account.");
    assert_eq!(
        messages[2],
        "This record says it was made on another device. A device can send only the records it made itself."
    );
    assert_eq!(messages[3], "The amount must be more than £0.");
    assert_eq!(
        messages[4],
        "Only the council can record payments in, clawbacks, review decisions and questions about statements."
    );
    assert!(messages[5].contains("more than two"), "{}", messages[5]);
    assert!(messages[6].starts_with("This record could not be read"), "{}", messages[6]);

    let pulled = client.pull_all(&device).await;
    let spends: Vec<EntryId> = pulled.iter().filter(|e| matches!(e.body, EntryBody::Spend(_))).map(|e| e.id).collect();
    assert_eq!(spends, vec![good.id, also_good.id]);
}

async fn scope_scenario(storage: &Storage) {
    let client = Client::new(storage);
    let device = client.paired(storage).await;
    // A second account at the same council, with its own device.
    let other = tally_council::storage::AccountRow {
        account_id: tally_ledger::AccountId(Uuid::now_v7()),
        reference: "DP-000099".into(),
        person_name: "Jo Bloggs".into(),
        council_name: seed::DEMO_COUNCIL.into(),
    };
    let council_id = storage.council_id_by_name(seed::DEMO_COUNCIL).await.unwrap().unwrap();
    storage.create_account(&other, &council_id, &tally_ledger::SupportPlan::default(), 0).await.unwrap();
    let other_code = issue_pairing_code(storage, other.account_id).await.unwrap();
    let other_device = client.pair(&other_code).await;
    let secret = spend(&other_device, 4_200, "Private payee");
    assert_eq!(statuses(&client.push(&other_device, vec![to_json(&secret)]).await), vec![PushStatus::Stored]);

    let their_entries = format!("/api/v1/accounts/{}/entries", other.account_id);
    let read = client.get(&their_entries, Some(&device.token)).await;
    assert_eq!(read.status, StatusCode::FORBIDDEN);
    assert_eq!(message(&read), "This device is not allowed to use that account.");
    let profile = client.get(&format!("/api/v1/accounts/{}", other.account_id), Some(&device.token)).await;
    assert_eq!(profile.status, StatusCode::FORBIDDEN);
    let write =
        client.post(&their_entries, Some(&device.token), &json!({"entries": [to_json(&spend(&device, 1, "x"))]})).await;
    assert_eq!(write.status, StatusCode::FORBIDDEN);
    assert_eq!(storage.entries_after(other.account_id, 0, 100).await.unwrap().len(), 1);

    let no_token = client.get(&format!("/api/v1/accounts/{}", device.account.account_id), None).await;
    assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
    let bad_token = client.get(&format!("/api/v1/accounts/{}", device.account.account_id), Some("nope")).await;
    assert_eq!(bad_token.status, StatusCode::UNAUTHORIZED);
    assert!(message(&bad_token).contains("no longer paired"));

    let unknown = client.get(&format!("/api/v1/accounts/{}/entries", Uuid::now_v7()), Some(&device.token)).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(message(&unknown), "There is no account with that id.");
    let nonsense = client.get("/api/v1/accounts/not-an-id", Some(&device.token)).await;
    assert_eq!(nonsense.status, StatusCode::NOT_FOUND);

    let own = client.get(&format!("/api/v1/accounts/{}", device.account.account_id), Some(&device.token)).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.body["person_name"], seed::DEMO_PERSON);
}

async fn bad_request_scenario(storage: &Storage) {
    let client = Client::new(storage);
    let device = client.paired(storage).await;
    let uri = format!("/api/v1/accounts/{}/entries", device.account.account_id);
    let before = storage.entries_after(device.account.account_id, 0, 100).await.unwrap().len();

    let malformed = client.send(Method::POST, &uri, Some(&device.token), Some("{\"entries\": [".into())).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(message(&malformed), "The request body is not valid JSON.");

    let wrong_shape = client.post(&uri, Some(&device.token), &json!({"records": []})).await;
    assert_eq!(wrong_shape.status, StatusCode::BAD_REQUEST);
    assert!(message(&wrong_shape).starts_with("The request body has the wrong shape"));

    let too_many: Vec<Value> = (0..tally_api::MAX_PUSH_ENTRIES + 1).map(|_| json!({})).collect();
    let oversized_batch = client.push(&device, too_many).await;
    assert_eq!(oversized_batch.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(message(&oversized_batch).contains("at most 500 records"));

    let huge = format!("{{\"entries\": [\"{}\"]}}", "x".repeat(tally_api::MAX_BODY_BYTES));
    let oversized_body = client.send(Method::POST, &uri, Some(&device.token), Some(huge)).await;
    assert_eq!(oversized_body.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(oversized_body.body["error"]["code"], "payload_too_large");

    let after = storage.entries_after(device.account.account_id, 0, 100).await.unwrap().len();
    assert_eq!(before, after, "nothing stored from bad requests");

    let bad_cursor = client.get(&format!("{uri}?after=-3"), Some(&device.token)).await;
    assert_eq!(bad_cursor.status, StatusCode::BAD_REQUEST);
}

async fn paging_scenario(storage: &Storage) {
    let client = Client::new(storage);
    let device = client.paired(storage).await;
    let mut sent = Vec::new();
    for _ in 0..3 {
        let batch: Vec<Entry> = (0..450).map(|i| spend(&device, 100 + i, "Shop")).collect();
        let reply = client.push(&device, batch.iter().map(to_json).collect()).await;
        assert!(statuses(&reply).iter().all(|s| *s == PushStatus::Stored));
        sent.extend(batch);
    }
    let pulled = client.pull_all(&device).await;
    assert_eq!(pulled.len(), 1 + sent.len(), "payment in plus every spend");
    let pulled_ids: Vec<EntryId> = pulled.iter().skip(1).map(|e| e.id).collect();
    let sent_ids: Vec<EntryId> = sent.iter().map(|e| e.id).collect();
    assert_eq!(pulled_ids, sent_ids, "in the order the council stored them");

    // Pulling from the last cursor gives nothing new.
    let first_page: PullResponse = serde_json::from_value(
        client.get(&format!("/api/v1/accounts/{}/entries", device.account.account_id), Some(&device.token)).await.body,
    )
    .unwrap();
    assert_eq!(first_page.entries.len(), tally_api::MAX_PULL_ENTRIES);
    assert!(first_page.more);
}

async fn receipts_scenario(storage: &Storage) {
    let client = Client::new(storage);
    let device = client.paired(storage).await;
    let account = device.account.account_id;
    let photo = jpeg(7, 150_000);
    let name = sha256_hex(&photo);
    let other = jpeg(8, 2_000);
    let other_name = sha256_hex(&other);
    let missing_uri = format!("/api/v1/accounts/{account}/receipts/missing");
    let photo_uri = format!("/api/v1/accounts/{account}/receipts/{name}");

    // Nothing held yet: both are missing, in the order asked.
    let ask = json!({"receipts": [name, other_name]});
    let reply = client.post(&missing_uri, Some(&device.token), &ask).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["missing"], json!([name, other_name]));

    // Sent once: stored; sent again: already stored, nothing changes.
    let (status, body) = client.send_bytes(Method::PUT, &photo_uri, &device.token, "image/jpeg", photo.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&body));
    let stored: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(stored["status"], "stored");
    assert_eq!(stored["size_bytes"], 150_000);
    let (status, body) = client.send_bytes(Method::PUT, &photo_uri, &device.token, "image/jpeg", photo.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap()["status"], "already_stored");
    let reply = client.post(&missing_uri, Some(&device.token), &ask).await;
    assert_eq!(reply.body["missing"], json!([other_name]));

    // The same photo comes back, byte for byte, to another device of the account.
    let code = issue_pairing_code(storage, account).await.unwrap();
    let second = client.pair(&code).await;
    let (status, body) = client.send_bytes(Method::GET, &photo_uri, &second.token, "", Vec::new()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, photo);

    // Checks, each with a plain reason, and nothing kept.
    let other_uri = format!("/api/v1/accounts/{account}/receipts/{other_name}");
    let refusals: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        ("image/jpeg", jpeg(9, 2_000), StatusCode::BAD_REQUEST, "not the one named"),
        ("application/pdf", other.clone(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "image/jpeg, image/png or image/webp"),
        ("image/png", other.clone(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "not a PNG image"),
        ("image/jpeg", Vec::new(), StatusCode::BAD_REQUEST, "empty"),
    ];
    for (content_type, bytes, expected, words) in refusals {
        let (status, body) = client.send_bytes(Method::PUT, &other_uri, &device.token, content_type, bytes).await;
        let message = serde_json::from_slice::<Value>(&body).unwrap()["error"]["message"].as_str().unwrap().to_owned();
        assert_eq!(status, expected, "{content_type}: {message}");
        assert!(message.contains(words), "{content_type}: {message}");
    }
    let text_named = sha256_hex(b"%PDF-1.7 not a photo");
    let (status, _) = client
        .send_bytes(
            Method::PUT,
            &format!("/api/v1/accounts/{account}/receipts/{text_named}"),
            &device.token,
            "image/jpeg",
            b"%PDF-1.7 not a photo".to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = jpeg(1, tally_api::MAX_RECEIPT_BYTES + 1);
    let huge_uri = format!("/api/v1/accounts/{account}/receipts/{}", sha256_hex(&huge));
    let (status, body) = client.send_bytes(Method::PUT, &huge_uri, &device.token, "image/jpeg", huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(String::from_utf8_lossy(&body).contains("too large"));
    let (status, _) = client
        .send_bytes(
            Method::PUT,
            &format!("/api/v1/accounts/{account}/receipts/NOTAHASH"),
            &device.token,
            "image/jpeg",
            other.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let reply = client.post(&missing_uri, Some(&device.token), &ask).await;
    assert_eq!(reply.body["missing"], json!([other_name]), "nothing refused was kept");
    let (status, body) = client.send_bytes(Method::GET, &other_uri, &device.token, "", Vec::new()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(String::from_utf8_lossy(&body).contains("does not have this receipt photo yet"));

    // Council staff see the photo when they review the spending; staff of another council
    // do not.
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let staff_uri = format!("/api/v1/council/accounts/{}/receipts/{name}", seed::DEMO_REFERENCE);
    let request = Request::builder()
        .uri(&staff_uri)
        .header(header::COOKIE, format!("tally_staff={}", officer.cookie))
        .body(Body::empty())
        .unwrap();
    let response = client.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.into_body().collect().await.unwrap().to_bytes().to_vec(), photo);
    assert_eq!(
        client
            .staff(
                Method::GET,
                &format!("/api/v1/council/accounts/{}/receipts/{other_name}", seed::DEMO_REFERENCE),
                &officer,
                false,
                None
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(client.get(&staff_uri, Some(&device.token)).await.status, StatusCode::UNAUTHORIZED);

    // Another account's device can neither read nor write this account's photos.
    let council_id = storage.council_id_by_name(seed::DEMO_COUNCIL).await.unwrap().unwrap();
    let stranger_account = tally_council::storage::AccountRow {
        account_id: tally_ledger::AccountId(Uuid::now_v7()),
        reference: "DP-000098".into(),
        person_name: "Sam Stranger".into(),
        council_name: seed::DEMO_COUNCIL.into(),
    };
    storage.create_account(&stranger_account, &council_id, &tally_ledger::SupportPlan::default(), 0).await.unwrap();
    let stranger = client.pair(&issue_pairing_code(storage, stranger_account.account_id).await.unwrap()).await;
    let (status, _) = client.send_bytes(Method::GET, &photo_uri, &stranger.token, "", Vec::new()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = client.send_bytes(Method::PUT, &other_uri, &stranger.token, "image/jpeg", other.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let reply = client.post(&missing_uri, Some(&stranger.token), &ask).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let too_many = json!({"receipts": vec![name.clone(); tally_api::MAX_RECEIPT_QUERY + 1]});
    let reply = client.post(&missing_uri, Some(&device.token), &too_many).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
}

async fn revocation_scenario(storage: &Storage) {
    let client = Client::new(storage);
    let lost = client.paired(storage).await;
    let account = lost.account.account_id;
    let logged = spend(&lost, 1_250, "Sunrise Day Centre");
    assert_eq!(statuses(&client.push(&lost, vec![to_json(&logged)]).await), vec![PushStatus::Stored]);
    let replacement = client.pair(&issue_pairing_code(storage, account).await.unwrap()).await;

    let devices = storage.devices(account).await.unwrap();
    assert_eq!(devices.len(), 2);
    assert!(devices.iter().all(|d| d.revoked_at_ms.is_none() && d.label == "Test phone"));
    assert_eq!(storage.revoke_device(lost.device_id, 1_000).await.unwrap(), Some(account));
    assert_eq!(storage.revoke_device(lost.device_id, 2_000).await.unwrap(), None, "revoked once");
    let devices = storage.devices(account).await.unwrap();
    assert_eq!(devices.iter().find(|d| d.device_id == lost.device_id).unwrap().revoked_at_ms, Some(1_000));

    // The lost phone's token no longer reads or writes anything, with a plain reason.
    let profile = client.get(&format!("/api/v1/accounts/{account}"), Some(&lost.token)).await;
    assert_eq!(profile.status, StatusCode::UNAUTHORIZED);
    assert!(message(&profile).contains("no longer paired"), "{}", message(&profile));
    let push = client.push(&lost, vec![to_json(&spend(&lost, 99, "After revoking"))]).await;
    assert_eq!(push.status, StatusCode::UNAUTHORIZED);
    // What it sent before stays, and the other device carries on.
    let entries = client.pull_all(&replacement).await;
    assert!(entries.iter().any(|e| e.id == logged.id));
    assert!(!entries.iter().any(|e| matches!(&e.body, EntryBody::Spend(s) if s.payee == "After revoking")));
    let more = spend(&replacement, 500, "City Taxis");
    assert_eq!(statuses(&client.push(&replacement, vec![to_json(&more)]).await), vec![PushStatus::Stored]);
}

async fn device_numbers_scenario(storage: &Storage) {
    let client = Client::new(storage);
    let phone = client.paired(storage).await;
    let account = phone.account.account_id;
    let made: Vec<Value> = (1..=4u64)
        .map(|n| {
            let mut entry = spend(&phone, 100 + n as i64, "Corner Shop");
            entry.author.device_seq = Some(n);
            to_json(&entry)
        })
        .collect();
    let numbered = |n: usize| made[n - 1].clone();
    // Records 1, 2 and 4 arrive; 3 is still on the phone (or lost on the way).
    let reply = client.push(&phone, vec![numbered(1), numbered(2), numbered(4)]).await;
    assert_eq!(statuses(&reply), vec![PushStatus::Stored; 3]);
    let info = storage.devices(account).await.unwrap().into_iter().find(|d| d.device_id == phone.device_id).unwrap();
    assert_eq!((info.records, info.highest_number, info.missing), (3, Some(4), 1));
    assert!(info.last_received_at_ms.is_some());
    // It arrives; nothing is missing. A copy sent again changes nothing.
    client.push(&phone, vec![numbered(3), numbered(4)]).await;
    let info = storage.devices(account).await.unwrap().into_iter().find(|d| d.device_id == phone.device_id).unwrap();
    assert_eq!((info.records, info.highest_number, info.missing), (4, Some(4), 0));
    // Two different records under one number (two copies of the app on one phone) are
    // both kept: the number only helps find gaps, it never costs a record.
    let mut twin = spend(&phone, 999, "Second tab");
    twin.author.device_seq = Some(4);
    assert_eq!(statuses(&client.push(&phone, vec![to_json(&twin)]).await), vec![PushStatus::Stored]);
    let info = storage.devices(account).await.unwrap().into_iter().find(|d| d.device_id == phone.device_id).unwrap();
    assert_eq!((info.records, info.highest_number, info.missing), (5, Some(4), 0));
    // A device that has sent nothing.
    let idle = client.pair(&issue_pairing_code(storage, account).await.unwrap()).await;
    let info = storage.devices(account).await.unwrap().into_iter().find(|d| d.device_id == idle.device_id).unwrap();
    assert_eq!((info.records, info.highest_number, info.missing, info.last_received_at_ms), (0, None, 0, None));
    // The number travels with the record to the person's other devices.
    let pulled = client.pull_all(&idle).await;
    let mut numbers: Vec<u64> = pulled.iter().filter_map(|e| e.author.device_seq).collect();
    numbers.sort();
    assert_eq!(numbers, vec![1, 2, 3, 4, 4]);
}

async fn staff_sign_in_scenario(storage: &Storage) {
    let client = Client::new(storage);
    seed::ensure_demo(storage).await.unwrap();
    let officer = seed::DEMO_OFFICER_EMAIL;

    // Wrong password and unknown email get the same plain answer.
    let wrong = client.sign_in(officer, "not it").await.err().unwrap();
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let unknown = client.sign_in("nobody@demo.invalid", "not it").await.err().unwrap();
    assert_eq!(message(&wrong), message(&unknown));
    assert!(message(&wrong).contains("do not match"));
    let empty = client.sign_in(officer, "").await.err().unwrap();
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);

    // The right password works, in any case of email; the session reads who is signed in.
    let session = client.sign_in(&officer.to_uppercase(), seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    assert_eq!(session.profile["role"], "finance_officer");
    assert_eq!(session.profile["council_name"], seed::DEMO_COUNCIL);
    let me = client.staff(Method::GET, "/api/v1/council/me", &session, false, None).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["email"], officer);
    let nobody = client.get("/api/v1/council/me", None).await;
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);
    assert!(message(&nobody).contains("not signed in"));

    // A change without the CSRF token is refused; with it, signing out ends the session.
    let forged = client.staff(Method::POST, "/api/v1/council/sign-out", &session, false, None).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(message(&forged).contains("did not come from the council workspace"));
    let out = client.staff(Method::POST, "/api/v1/council/sign-out", &session, true, None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let after = client.staff(Method::GET, "/api/v1/council/me", &session, false, None).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);

    // Five wrong passwords in a row lock the email for a while, even for the right one.
    for _ in 0..4 {
        assert_eq!(client.sign_in(officer, "guess").await.err().unwrap().status, StatusCode::UNAUTHORIZED);
    }
    let locked = client.sign_in(officer, seed::DEMO_OFFICER_PASSWORD).await.err().unwrap();
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(message(&locked).contains("Wait 15 minutes"));
    // Another member of staff is not locked out by it.
    let council_id = storage.council_id_by_name(seed::DEMO_COUNCIL).await.unwrap().unwrap();
    staff_member(storage, &council_id, "reader@demo.invalid", "auditor").await;
    assert!(client.sign_in("reader@demo.invalid", "a long enough password").await.is_ok());
}

async fn staff_roles_scenario(storage: &Storage) {
    let client = Client::new(storage);
    let device = client.paired(storage).await;
    let flagged = spend(&device, 6_000, "Corner Shop"); // above the receipt threshold, no receipt
    assert_eq!(statuses(&client.push(&device, vec![to_json(&flagged)]).await), vec![PushStatus::Stored]);
    let council_id = storage.council_id_by_name(seed::DEMO_COUNCIL).await.unwrap().unwrap();
    staff_member(storage, &council_id, "reader@demo.invalid", "auditor").await;
    staff_member(storage, &council_id, "admin@demo.invalid", "administrator").await;
    let auditor = client.sign_in("reader@demo.invalid", "a long enough password").await.unwrap();
    let admin = client.sign_in("admin@demo.invalid", "a long enough password").await.unwrap();
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let account = format!("/api/v1/council/accounts/{}", seed::DEMO_REFERENCE);
    let decision = json!({"about": flagged.id, "decision": "approved", "note": ""});

    // Everyone may read.
    for session in [&auditor, &admin, &officer] {
        for uri in ["/api/v1/council/accounts", "/api/v1/council/reviews", account.as_str()] {
            assert_eq!(client.staff(Method::GET, uri, session, false, None).await.status, StatusCode::OK, "{uri}");
        }
    }
    // The auditor may change nothing, and is told why.
    let refused = [
        client.staff(Method::POST, &format!("{account}/decisions"), &auditor, true, Some(decision.clone())).await,
        client.staff(Method::POST, &format!("{account}/pairing-codes"), &auditor, true, None).await,
        client
            .staff(Method::POST, &format!("/api/v1/council/devices/{}/revoke", device.device_id), &auditor, true, None)
            .await,
    ];
    for reply in &refused {
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
        assert!(message(reply).contains("Your role (read-only auditor) cannot"), "{}", message(reply));
    }
    // Nobody signed in may do anything at all.
    let signed_out = StaffSession { cookie: "nonsense".into(), csrf: "x".into(), profile: Value::Null };
    for (method, uri) in [
        (Method::GET, "/api/v1/council/accounts".to_owned()),
        (Method::GET, "/api/v1/council/reviews".to_owned()),
        (Method::POST, format!("{account}/pairing-codes")),
    ] {
        assert_eq!(client.staff(method, &uri, &signed_out, true, None).await.status, StatusCode::UNAUTHORIZED);
    }
    // A device token is not a staff session.
    assert_eq!(client.get("/api/v1/council/accounts", Some(&device.token)).await.status, StatusCode::UNAUTHORIZED);
    // Officers and administrators may, with the CSRF token.
    let no_csrf = client.staff(Method::POST, &format!("{account}/pairing-codes"), &officer, false, None).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    let code = client.staff(Method::POST, &format!("{account}/pairing-codes"), &officer, true, None).await;
    assert_eq!(code.status, StatusCode::CREATED, "{}", code.body);
    let paired = client.pair(code.body["code"].as_str().unwrap()).await;
    assert_eq!(paired.account.reference, seed::DEMO_REFERENCE);
    let approved = client.staff(Method::POST, &format!("{account}/decisions"), &admin, true, Some(decision)).await;
    assert_eq!(approved.status, StatusCode::CREATED, "{}", approved.body);
    let revoked = client
        .staff(Method::POST, &format!("/api/v1/council/devices/{}/revoke", paired.device_id), &officer, true, None)
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert_eq!(
        client.get(&format!("/api/v1/accounts/{}", paired.account.account_id), Some(&paired.token)).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Staff of another council see none of this council's accounts.
    storage.create_council("other-council", "Other Council", &tally_ledger::CouncilPolicy::default(), 0).await.unwrap();
    staff_member(storage, "other-council", "officer@other.invalid", "finance_officer").await;
    let stranger = client.sign_in("officer@other.invalid", "a long enough password").await.unwrap();
    assert_eq!(client.staff(Method::GET, &account, &stranger, false, None).await.status, StatusCode::NOT_FOUND);
    let list = client.staff(Method::GET, "/api/v1/council/accounts", &stranger, false, None).await;
    assert_eq!(list.body["accounts"], json!([]));
    let theirs = client
        .staff(Method::POST, &format!("/api/v1/council/devices/{}/revoke", device.device_id), &stranger, true, None)
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
}

async fn review_flow_scenario(storage: &Storage) {
    let client = Client::new(storage);
    let device = client.paired(storage).await;
    // Dated and recorded now: the demo's first payment is paid in when it is seeded.
    let now = time::OffsetDateTime::now_utc();
    let today = now.date();
    let on_today = |mut entry: Entry| {
        entry.recorded_at = now;
        if let EntryBody::Spend(s) = &mut entry.body {
            s.date = today;
        }
        entry
    };
    let flagged = on_today(spend(&device, 6_000, "Corner Shop"));
    let fine = on_today(spend(&device, 1_000, "Sunrise Day Centre"));
    let mut explanation = spend(&device, 1, "x");
    explanation.body = EntryBody::Explanation(tally_ledger::Explanation {
        about: flagged.id,
        text: "The receipt blew away in the wind.".into(),
    });
    let pushed = client.push(&device, vec![to_json(&flagged), to_json(&fine), to_json(&explanation)]).await;
    assert_eq!(statuses(&pushed), vec![PushStatus::Stored; 3]);
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let account = format!("/api/v1/council/accounts/{}", seed::DEMO_REFERENCE);

    // The accounts list puts the account with a flag first and says why.
    let list = client.staff(Method::GET, "/api/v1/council/accounts", &officer, false, None).await;
    let first = &list.body["accounts"][0];
    assert_eq!(first["reference"], seed::DEMO_REFERENCE);
    let queue = client.staff(Method::GET, "/api/v1/council/reviews", &officer, false, None).await;
    assert_eq!(first["open_flags"], 1, "{}", queue.body);
    assert_eq!(first["exceptions"][0], "1 flagged spend to review");
    let found = client.staff(Method::GET, "/api/v1/council/accounts?search=alex", &officer, false, None).await;
    assert_eq!(found.body["accounts"].as_array().unwrap().len(), 1);

    // The queue holds the flagged spend with its reason and the person's explanation.
    let queue = client.staff(Method::GET, "/api/v1/council/reviews", &officer, false, None).await;
    let items = queue.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", queue.body);
    assert_eq!(items[0]["entry_id"], json!(flagged.id));
    assert_eq!(items[0]["flags"][0]["title"], "Receipt needed");
    assert_eq!(items[0]["thread"][0]["text"], "The receipt blew away in the wind.");

    // A question needs words; with them, it is stored and reaches the person's phone.
    let blank = client
        .staff(
            Method::POST,
            &format!("{account}/decisions"),
            &officer,
            true,
            Some(json!({"about": flagged.id, "decision": "question", "note": " "})),
        )
        .await;
    assert_eq!(blank.status, StatusCode::BAD_REQUEST);
    let question =
        json!({"about": flagged.id, "decision": "question", "note": "Do you have a bank statement line for it?"});
    let asked = client.staff(Method::POST, &format!("{account}/decisions"), &officer, true, Some(question)).await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
    assert_eq!(asked.body["decision"], "question");
    let pulled = client.pull_all(&device).await;
    let decision = pulled
        .iter()
        .find(|e| matches!(&e.body, EntryBody::ReviewDecision(d) if d.about == flagged.id))
        .expect("the decision syncs");
    assert!(decision.author.name.starts_with("Sam Patel ("), "{}", decision.author.name);
    assert!(decision.author.device.is_none());
    // A question keeps it in the queue; approving closes it.
    let queue = client.staff(Method::GET, "/api/v1/council/reviews", &officer, false, None).await;
    assert_eq!(queue.body["items"].as_array().unwrap().len(), 1);
    let approve = json!({"about": flagged.id, "decision": "approved", "note": "Thank you."});
    assert_eq!(
        client.staff(Method::POST, &format!("{account}/decisions"), &officer, true, Some(approve)).await.status,
        StatusCode::CREATED
    );
    let queue = client.staff(Method::GET, "/api/v1/council/reviews", &officer, false, None).await;
    assert_eq!(queue.body["items"], json!([]));
    let detail = client.staff(Method::GET, &account, &officer, false, None).await;
    assert_eq!(detail.body["summary"]["open_flags"], 0);
    let audit: Vec<&str> =
        detail.body["audit"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(audit, vec!["review decision", "review decision"]);
    assert_eq!(detail.body["devices"].as_array().unwrap().len(), 1);
    // The sync history: each delivery from the phone, adding up to what it sent.
    let history = detail.body["sync_history"].as_array().unwrap();
    assert!(!history.is_empty(), "{}", detail.body);
    assert!(history.iter().all(|e| e["device_label"] == detail.body["devices"][0]["label"]));
    assert!(history.windows(2).all(|w| w[0]["at_ms"].as_i64() >= w[1]["at_ms"].as_i64()), "newest first");
    let delivered: i64 = history.iter().map(|e| e["records"].as_i64().unwrap()).sum();
    assert_eq!(delivered, detail.body["devices"][0]["records"].as_i64().unwrap());
    // Only spending can be decided on.
    let not_spend = json!({"about": explanation.id, "decision": "approved"});
    assert_eq!(
        client.staff(Method::POST, &format!("{account}/decisions"), &officer, true, Some(not_spend)).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn money_scenario(storage: &Storage) {
    let client = Client::new(storage);
    let device = client.paired(storage).await;
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let auditor = client.sign_in(seed::DEMO_AUDITOR_EMAIL, seed::DEMO_AUDITOR_PASSWORD).await.unwrap();
    let account = format!("/api/v1/council/accounts/{}", seed::DEMO_REFERENCE);
    let today = tally_ledger::date::iso_date(time::OffsetDateTime::now_utc().date());

    // Bad input: every field's problem, in words, and nothing recorded.
    let bad = json!({"kind": "gift", "date": "31/02/2026", "amount": "12.345"});
    let reply = client.staff(Method::POST, &format!("{account}/money-in"), &officer, true, Some(bad)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let text = message(&reply);
    assert!(
        text.contains("kind: Choose a payment")
            && text.contains("date: Enter a real date")
            && text.contains("amount: "),
        "{text}"
    );
    // A contribution, recorded by the officer; an auditor may not.
    let contribution = json!({"kind": "contribution", "date": today, "amount": "£52.00", "reference": "Week 1"});
    let refused =
        client.staff(Method::POST, &format!("{account}/money-in"), &auditor, true, Some(contribution.clone())).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let made = client.staff(Method::POST, &format!("{account}/money-in"), &officer, true, Some(contribution)).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    // It reaches the person's phone as a council record.
    let pulled = client.pull_all(&device).await;
    assert!(pulled.iter().any(|e| matches!(&e.body, EntryBody::Contribution(m) if m.amount == Money::from_pence(5_200) && m.reference == "Week 1")));

    // The balance is £1,532. Recovering more than the balance is refused.
    let detail = client.staff(Method::GET, &account, &officer, false, None).await;
    assert_eq!(detail.body["summary"]["balance"], "1532.00");
    let too_much = json!({"date": today, "amount": "2,000", "reason": "Surplus"});
    let reply = client.staff(Method::POST, &format!("{account}/clawbacks"), &officer, true, Some(too_much)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(message(&reply).contains("more than the account holds (£1,532.00)"), "{}", message(&reply));
    let no_reason = json!({"date": today, "amount": "100", "reason": " "});
    assert!(message(
        &client.staff(Method::POST, &format!("{account}/clawbacks"), &officer, true, Some(no_reason)).await
    )
    .contains("reason: Say why"));
    let recover = json!({"date": today, "amount": "100", "reason": "Agreed at review"});
    assert_eq!(
        client.staff(Method::POST, &format!("{account}/clawbacks"), &auditor, true, Some(recover.clone())).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        client.staff(Method::POST, &format!("{account}/clawbacks"), &officer, true, Some(recover)).await.status,
        StatusCode::CREATED
    );
    let pulled = client.pull_all(&device).await;
    assert!(pulled.iter().any(|e| matches!(&e.body, EntryBody::Clawback(c) if c.reason == "Agreed at review")));

    // The audit sheet: the council's header and a line per transaction; auditors may read it.
    let spent = spend(&device, 2_500, "Sunrise Day Centre");
    client.push(&device, vec![to_json(&spent)]).await;
    let uri = format!("{account}/audit-sheet.csv?from=2026-01-01&to=2027-06-30");
    let (status, _) = client.send_bytes(Method::GET, &uri, &device.token, "", Vec::new()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a device token is not a staff session");
    let sheet = staff_text(&client, &uri, &auditor).await;
    let lines: Vec<&str> = sheet.split("\r\n").collect();
    assert_eq!(lines[0], "Person,Alex Morgan");
    assert_eq!(lines[1], "Council reference,DP-000001");
    assert_eq!(lines[3], "Opening balance,0.00");
    assert_eq!(lines[4], "Total in,1532.00");
    assert_eq!(lines[5], "Total out,125.00");
    assert_eq!(lines[6], "Closing balance,1407.00");
    assert!(lines
        .contains(&"Date,Payee,Description,Amount in,Amount out,Support plan line,Receipt present,Query or decision"));
    assert!(lines.iter().any(|l| l.starts_with("2026-11-21,Sunrise Day Centre,,,25.00,Day centre,No,")), "{sheet}");
    assert!(lines.iter().any(|l| l.contains("Council (clawback),Agreed at review,,100.00")), "{sheet}");
    let bad_period = client
        .staff(Method::GET, &format!("{account}/audit-sheet.csv?from=2026-12-01&to=2026-01-01"), &officer, false, None)
        .await;
    assert_eq!(bad_period.status, StatusCode::BAD_REQUEST);
    // The same sheet for the printable page: the header with money as people read it.
    let page = client
        .staff(Method::GET, &format!("{account}/audit-sheet?from=2026-01-01&to=2027-06-30"), &auditor, false, None)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.body["header"][6], json!(["Closing balance", "£1,407.00"]));
    assert_eq!(page.body["columns"][7], "Query or decision");
    let rows = page.body["lines"].as_array().unwrap();
    assert_eq!(
        rows.len(),
        lines.iter().skip_while(|l| !l.starts_with("Date,")).skip(1).filter(|l| !l.is_empty()).count()
    );
    assert!(rows.iter().any(|r| r[1] == "Sunrise Day Centre" && r[4] == "25.00"), "{}", page.body);
    let (status, _) =
        client.send_bytes(Method::GET, &format!("{account}/audit-sheet"), &device.token, "", Vec::new()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Every account's transactions, for the finance system, with the account in front.
    let all = staff_text(&client, "/api/v1/council/transactions.csv?from=2026-01-01&to=2027-06-30", &officer).await;
    let all_lines: Vec<&str> = all.split("\r\n").collect();
    assert!(all_lines[0].starts_with("\u{feff}Council reference,Person,Date,Type,"));
    assert!(
        all_lines.iter().any(|l| l.starts_with("DP-000001,Alex Morgan,2026-11-21,Spend,Sunrise Day Centre")),
        "{all}"
    );
    assert!(all_lines.iter().any(|l| l.starts_with("DP-000002,Pat Morgan,")), "{all}");
    let detail = client.staff(Method::GET, &account, &officer, false, None).await;
    let actions: Vec<&str> =
        detail.body["audit"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["audit sheet viewed", "audit sheet exported", "surplus recovered", "money in"]);
}

async fn openapi_scenario(storage: &Storage) {
    let client = Client::new(storage);
    seed::ensure_demo(storage).await.unwrap();
    let reply = client.get("/api/v1/openapi.json", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let doc = reply.body;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();

    // Every operation described answers at its address (with no credentials it may be
    // refused, but never "nothing at this address" or "method not allowed").
    let fill = |path: &str| {
        path.replace("{account_id}", &Uuid::now_v7().to_string())
            .replace("{device_id}", &Uuid::now_v7().to_string())
            .replace("{reference}", seed::DEMO_REFERENCE)
            .replace("{sha256}", &"0f".repeat(32))
    };
    let mut operations = 0;
    for (path, item) in paths {
        for (method, _) in item.as_object().unwrap() {
            let method: Method = method.to_uppercase().parse().unwrap();
            let reply =
                client.send(method.clone(), &format!("/api/v1{}", fill(path)), None, Some("{}".to_owned())).await;
            assert_ne!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert!(
                !message(&reply).contains("nothing at this address"),
                "{method} {path} is described but not served"
            );
            operations += 1;
        }
    }
    assert!(operations >= 21, "{operations}");

    // Every route the server has is described.
    let mut routes = 0;
    for (method, path) in tally_council::api::routes() {
        let described = paths.get(path).and_then(|item| item.get(method.as_str().to_lowercase()));
        assert!(described.is_some(), "the route {method} {path} is not in openapi.json");
        routes += 1;
    }
    assert!(routes >= 40, "{routes}");

    // Every operation says what it is for, what success looks like, and how to get in.
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{method} {path} has no summary");
            assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{method} {path} has no tag");
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.keys().any(|s| s.starts_with('2')), "{method} {path} describes no success");
            let public = ["/health", "/openapi.json", "/pairings", "/council/sign-in"].contains(&path.as_str());
            assert_eq!(op.get("security").is_none(), public, "{method} {path}: who may call it");
        }
    }
}

/// The contract check every test's answers go through does catch an answer that breaks
/// the description, and lets a right one through.
#[test]
fn the_contract_check_catches_an_answer_that_breaks_the_description() {
    use common::contract::check;
    let json = Some("application/json");
    check(&Method::GET, "/api/v1/health", StatusCode::OK, json, br#"{"status":"ok","version":"1"}"#);
    let wrong = [
        (StatusCode::OK, json, &br#"{"status":1,"version":"1"}"#[..]),
        (StatusCode::OK, json, br#"{"version":"1"}"#),
        (StatusCode::CREATED, json, br#"{"status":"ok","version":"1"}"#),
        (StatusCode::NOT_FOUND, json, br#"{"message":"gone"}"#),
        (StatusCode::NOT_FOUND, Some("text/plain"), b"gone"),
    ];
    for (status, content_type, body) in wrong {
        let caught = std::panic::catch_unwind(|| check(&Method::GET, "/api/v1/health", status, content_type, body));
        assert!(caught.is_err(), "{status} {}", String::from_utf8_lossy(body));
    }
    let refused = br#"{"error":{"code":"not_found","message":"There is no account with that id."}}"#;
    check(&Method::GET, "/api/v1/accounts/x/profile", StatusCode::NOT_FOUND, json, refused);
}

async fn safeguarding_scenario(storage: &Storage) {
    let client = Client::new(storage);
    let device = client.paired(storage).await;
    // A payee never paid before receives £1,200 in their first weeks: a signal.
    let now = time::OffsetDateTime::now_utc();
    let mut big = spend(&device, 120_000, "New Helper Ltd");
    big.recorded_at = now;
    if let EntryBody::Spend(s) = &mut big.body {
        s.date = now.date();
    }
    assert_eq!(statuses(&client.push(&device, vec![to_json(&big)]).await), vec![PushStatus::Stored]);
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let auditor = client.sign_in(seed::DEMO_AUDITOR_EMAIL, seed::DEMO_AUDITOR_PASSWORD).await.unwrap();

    let list = client.staff(Method::GET, "/api/v1/council/safeguarding", &auditor, false, None).await;
    assert_eq!(list.status, StatusCode::OK);
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", list.body);
    assert_eq!(items[0]["key"], "new_payee:new helper ltd");
    assert_eq!(items[0]["title"], "A new payee, New Helper Ltd, received a large amount");
    assert!(items[0]["figures"].as_str().unwrap().contains("received £1,200.00 in their first 4 weeks"));
    assert_eq!(items[0]["notes"], json!([]));

    let uri = format!("/api/v1/council/accounts/{}/safeguarding", seed::DEMO_REFERENCE);
    let note = json!({"key": "new_payee:new helper ltd", "outcome": "no_concern", "note": "A new care agency, agreed at review."});
    assert_eq!(
        client.staff(Method::POST, &uri, &auditor, true, Some(note.clone())).await.status,
        StatusCode::FORBIDDEN
    );
    let no_choice = json!({"key": "new_payee:new helper ltd", "outcome": ""});
    assert_eq!(client.staff(Method::POST, &uri, &officer, true, Some(no_choice)).await.status, StatusCode::BAD_REQUEST);
    let gone = json!({"key": "cash_share", "outcome": "raised"});
    assert_eq!(client.staff(Method::POST, &uri, &officer, true, Some(gone)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(client.staff(Method::POST, &uri, &officer, true, Some(note)).await.status, StatusCode::CREATED);
    let list = client.staff(Method::GET, "/api/v1/council/safeguarding", &officer, false, None).await;
    let notes = &list.body["items"][0]["notes"];
    assert_eq!(notes[0]["outcome"], "no_concern");
    assert_eq!(notes[0]["who"], "Sam Patel");
    // Never sent to the person's devices.
    let pulled = client.pull_all(&device).await;
    assert!(pulled.iter().all(|e| !serde_json::to_string(e).unwrap().contains("agreed at review")));
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

    // The card feed: the declined line is skipped, the reversal is money back.
    let card = client
        .staff(
            Method::POST,
            base,
            &officer,
            true,
            Some(json!({"format": tally_council::statements::CARD_FEED, "csv": CARD_FILE})),
        )
        .await;
    assert_eq!(card.status, StatusCode::CREATED, "{}", card.body);
    assert_eq!(card.body["lines"].as_array().unwrap().len(), 5);
    assert_eq!(card.body["lines"][4]["amount"], "12.50");
    // The taxi firm's reversal matches no record: asked about, explained, accepted.
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

async fn figures_scenario(storage: &Storage) {
    let client = Client::new(storage);
    let device = client.paired(storage).await;
    let now = time::OffsetDateTime::now_utc();
    let dated = |mut entry: Entry, relative: bool| {
        entry.recorded_at = now;
        if let EntryBody::Spend(s) = &mut entry.body {
            s.date = now.date();
            s.close_relative_in_household = relative;
        }
        entry
    };
    let fine = dated(spend(&device, 2_500, "Sunrise Day Centre"), false);
    let relative = dated(spend(&device, 3_000, "My brother"), true);
    assert_eq!(
        statuses(&client.push(&device, vec![to_json(&fine), to_json(&relative)]).await),
        vec![PushStatus::Stored; 2]
    );
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let account = format!("/api/v1/council/accounts/{}", seed::DEMO_REFERENCE);
    let decision = json!({"about": relative.id, "decision": "not_allowed", "note": "Paying a relative who lives with you needs the council's agreement first."});
    assert_eq!(
        client.staff(Method::POST, &format!("{account}/decisions"), &officer, true, Some(decision)).await.status,
        StatusCode::CREATED
    );

    let figures = client.staff(Method::GET, "/api/v1/council/figures", &officer, false, None).await;
    assert_eq!(figures.status, StatusCode::OK, "{}", figures.body);
    let f = &figures.body;
    assert_eq!(f["people"], 2);
    assert_eq!(f["paid_in"], "2000.00", "both demo accounts' first payments");
    assert_eq!(f["spent"], "55.00");
    assert_eq!(f["spent_within_plan"], "25.00");
    assert_eq!(f["within_plan_percent"], 45);
    assert_eq!(f["flags_raised"], 1);
    assert_eq!(f["reviews_closed"], 1);
    assert_eq!(f["review_days_median"], 0);
    assert_eq!(f["recovered"], "0.00");
    let month = tally_ledger::date::iso_date(now.date().replace_day(1).unwrap());
    assert_eq!(f["months"], json!([[month, "2000.00", "55.00"]]));

    let csv = staff_text(&client, "/api/v1/council/figures.csv", &officer).await;
    assert!(csv.contains("People on direct payments,2\r\n"), "{csv}");
    assert!(csv.contains("Share of spending within the plan (%),45\r\n"), "{csv}");
    assert!(csv.contains(&format!("{},2000.00,55.00\r\n", &month[..7])), "{csv}");
    // Another period has none of it.
    let empty =
        client.staff(Method::GET, "/api/v1/council/figures?from=2020-01-01&to=2020-12-31", &officer, false, None).await;
    assert_eq!(empty.body["spent"], "0.00");
    assert_eq!(empty.body["within_plan_percent"], Value::Null);
}

async fn policy_and_plan_scenario(storage: &Storage) {
    let client = Client::new(storage);
    let device = client.paired(storage).await;
    let council_id = storage.council_id_by_name(seed::DEMO_COUNCIL).await.unwrap().unwrap();
    staff_member(storage, &council_id, "admin@demo.invalid", "administrator").await;
    let admin = client.sign_in("admin@demo.invalid", "a long enough password").await.unwrap();
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let auditor = client.sign_in(seed::DEMO_AUDITOR_EMAIL, seed::DEMO_AUDITOR_PASSWORD).await.unwrap();

    let update = json!({"contingency_weeks": "6", "receipt_threshold": "25", "per_entry_maximum": "2,500", "cash_allowed": false,
        "respite_cap_weeks": "4", "banned_categories": ["equipment"], "banned_reason": "Equipment comes from the council's own store."});
    let refused = client.staff(Method::POST, "/api/v1/council/policy", &officer, true, Some(update.clone())).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(message(&refused).contains("Your role (finance officer) cannot change the council's policy"));
    let bad = json!({"contingency_weeks": "lots", "receipt_threshold": "0", "per_entry_maximum": "2500", "cash_allowed": true,
        "respite_cap_weeks": "4", "banned_categories": ["equipment"], "banned_reason": ""});
    let reply = client.staff(Method::POST, "/api/v1/council/policy", &admin, true, Some(bad)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let text = message(&reply);
    assert!(
        text.contains("contingency: Enter the contingency as a whole number")
            && text.contains("receipt: ")
            && text.contains("reason: Say why"),
        "{text}"
    );
    let changed = client.staff(Method::POST, "/api/v1/council/policy", &admin, true, Some(update)).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["contingency_weeks"], 6);
    assert_eq!(changed.body["cash_allowed"], false);
    let read = client.staff(Method::GET, "/api/v1/council/policy", &auditor, false, None).await;
    assert_eq!(read.body, changed.body);
    // The person's device gets it with the profile.
    let profile = client.get(&format!("/api/v1/accounts/{}", device.account.account_id), Some(&device.token)).await;
    assert_eq!(profile.body["policy"]["receipt_threshold"], "25.00");
    assert_eq!(profile.body["policy"]["banned_categories"][0]["category"], "equipment");

    // A new plan version: one line kept with a new budget, one new line.
    let account = format!("/api/v1/council/accounts/{}", seed::DEMO_REFERENCE);
    let version = json!({"effective_from": "2027-01-01", "lines": [
        {"id": "day-centre", "name": "Day centre", "category": "day_activities", "budget": "300", "period": "four_weekly"},
        {"name": "Help in the garden", "category": "other", "budget": "40", "period": "monthly"},
    ]});
    assert_eq!(
        client
            .staff(Method::POST, &format!("{account}/plan-versions"), &auditor, true, Some(version.clone()))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let bad_version = json!({"effective_from": "soon", "lines": [{"name": " ", "category": "other", "budget": "40", "period": "monthly"}]});
    let reply =
        client.staff(Method::POST, &format!("{account}/plan-versions"), &officer, true, Some(bad_version)).await;
    assert!(
        message(&reply).contains("effective_from: Enter a real date")
            && message(&reply).contains("line-0-name: Give line 1 a name"),
        "{}",
        message(&reply)
    );
    let made = client.staff(Method::POST, &format!("{account}/plan-versions"), &officer, true, Some(version)).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let versions = made.body["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    let newest = &versions[1];
    assert_eq!(newest["version"], 2);
    assert_eq!(newest["lines"][0]["budget"], "300.00");
    assert_eq!(newest["lines"][1]["id"], "help-in-the-garden");
    assert_eq!(newest["outcomes"], versions[0]["outcomes"], "the person's outcomes carry over");
    assert_eq!(newest["lines"][0]["outcomes"], json!(["friends"]), "a kept line keeps what it served");
    let profile = client.get(&format!("/api/v1/accounts/{}", device.account.account_id), Some(&device.token)).await;
    assert_eq!(profile.body["plan"]["versions"].as_array().unwrap().len(), 2);
}

async fn staff_management_scenario(storage: &Storage) {
    let client = Client::new(storage);
    seed::ensure_demo(storage).await.unwrap();
    let admin = client.sign_in(seed::DEMO_ADMIN_EMAIL, seed::DEMO_ADMIN_PASSWORD).await.unwrap();
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    assert_eq!(
        client.staff(Method::GET, "/api/v1/council/staff", &officer, false, None).await.status,
        StatusCode::FORBIDDEN
    );
    let list = client.staff(Method::GET, "/api/v1/council/staff", &admin, false, None).await;
    assert_eq!(list.body["staff"].as_array().unwrap().len(), 3, "{}", list.body);

    let new = json!({"name": "Ravi Shah", "email": "Ravi.Shah@demo.invalid", "role": "auditor", "password": "a first password"});
    assert_eq!(
        client.staff(Method::POST, "/api/v1/council/staff", &officer, true, Some(new.clone())).await.status,
        StatusCode::FORBIDDEN
    );
    let bad = json!({"name": "", "email": "ravi", "role": "boss", "password": "short"});
    let reply = client.staff(Method::POST, "/api/v1/council/staff", &admin, true, Some(bad)).await;
    let text = message(&reply);
    assert!(
        text.contains("name: Enter their name")
            && text.contains("email: Enter their work email")
            && text.contains("role: Choose a role")
            && text.contains("password: Give a first password of at least 12"),
        "{text}"
    );
    assert_eq!(
        client.staff(Method::POST, "/api/v1/council/staff", &admin, true, Some(new.clone())).await.status,
        StatusCode::CREATED
    );
    let again = client.staff(Method::POST, "/api/v1/council/staff", &admin, true, Some(new)).await;
    assert!(message(&again).contains("already has access with that email"), "{}", message(&again));
    let ravi = client.sign_in("ravi.shah@demo.invalid", "a first password").await.unwrap();
    assert_eq!(ravi.profile["role"], "auditor");

    // Promoted, then removed: the session ends and signing in no longer works.
    let list = client.staff(Method::GET, "/api/v1/council/staff", &admin, false, None).await;
    let id = list.body["staff"].as_array().unwrap().iter().find(|m| m["email"] == "ravi.shah@demo.invalid").unwrap()
        ["staff_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let own = admin.profile["email"].clone();
    let own_id = list.body["staff"].as_array().unwrap().iter().find(|m| m["email"] == own).unwrap()["staff_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mine = client
        .staff(
            Method::POST,
            &format!("/api/v1/council/staff/{own_id}/role"),
            &admin,
            true,
            Some(json!({"role": "auditor"})),
        )
        .await;
    assert!(message(&mine).contains("cannot change your own role"));
    let promoted = client
        .staff(
            Method::POST,
            &format!("/api/v1/council/staff/{id}/role"),
            &admin,
            true,
            Some(json!({"role": "finance_officer"})),
        )
        .await;
    assert_eq!(promoted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        client.staff(Method::GET, "/api/v1/council/me", &ravi, false, None).await.body["role"],
        "finance_officer"
    );
    assert_eq!(
        client.staff(Method::POST, &format!("/api/v1/council/staff/{id}/remove"), &admin, true, None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        client.staff(Method::GET, "/api/v1/council/me", &ravi, false, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        client.sign_in("ravi.shah@demo.invalid", "a first password").await.err().unwrap().status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        client.staff(Method::GET, "/api/v1/council/staff", &admin, false, None).await.body["staff"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

async fn new_account_scenario(storage: &Storage) {
    let client = Client::new(storage);
    seed::ensure_demo(storage).await.unwrap();
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let auditor = client.sign_in(seed::DEMO_AUDITOR_EMAIL, seed::DEMO_AUDITOR_PASSWORD).await.unwrap();
    let new = json!({"reference": "dp-000123", "person_name": "Sam Rivers", "plan_starts": "2026-12-01", "plan_ends": "2027-11-30",
        "outcomes": ["Go swimming every week", " "],
        "lines": [{"name": "Personal assistant hours", "category": "personal_assistant", "budget": "960", "period": "four_weekly"}]});
    assert_eq!(
        client.staff(Method::POST, "/api/v1/council/accounts", &auditor, true, Some(new.clone())).await.status,
        StatusCode::FORBIDDEN
    );
    let bad = json!({"reference": "DP-000001", "person_name": " ", "plan_starts": "2026-12-01", "plan_ends": "2026-01-01", "lines": []});
    let text = message(&client.staff(Method::POST, "/api/v1/council/accounts", &officer, true, Some(bad)).await);
    assert!(
        text.contains("person_name: Enter the person's name")
            && text.contains("reference: There is already an account with reference DP-000001")
            && text.contains("plan_ends: The review date must be after")
            && text.contains("lines: A plan needs at least one line"),
        "{text}"
    );
    let made = client.staff(Method::POST, "/api/v1/council/accounts", &officer, true, Some(new)).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    assert_eq!(made.body["reference"], "DP-000123");
    assert!(made.body["exceptions"].as_array().unwrap().iter().any(|e| e == "No device has sent anything yet"));
    let detail = client.staff(Method::GET, "/api/v1/council/accounts/DP-000123", &officer, false, None).await;
    assert_eq!(detail.body["plan"]["versions"][0]["lines"][0]["id"], "personal-assistant-hours");
    assert_eq!(
        detail.body["plan"]["versions"][0]["outcomes"],
        json!([{"id": "outcome-1", "text": "Go swimming every week"}])
    );
    assert_eq!(detail.body["plan"]["ends_on"], "2027-11-30");
    // A pairing code for the new person, and their phone gets the plan.
    let code =
        client.staff(Method::POST, "/api/v1/council/accounts/DP-000123/pairing-codes", &officer, true, None).await;
    let phone = client.pair(code.body["code"].as_str().unwrap()).await;
    assert_eq!(phone.account.person_name, "Sam Rivers");
    assert_eq!(phone.account.plan.versions[0].lines[0].name, "Personal assistant hours");
}

async fn schedule_scenario(storage: &Storage) {
    let client = Client::new(storage);
    let device = client.paired(storage).await;
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let auditor = client.sign_in(seed::DEMO_AUDITOR_EMAIL, seed::DEMO_AUDITOR_PASSWORD).await.unwrap();
    let uri = format!("/api/v1/council/accounts/{}/payment-schedules", seed::DEMO_REFERENCE);
    let today = time::OffsetDateTime::now_utc().date();
    // Four-weekly from eight weeks ago: three payments are due today (weeks 0, 4 and 8).
    let first = tally_ledger::date::iso_date(today - time::Duration::weeks(8));
    let request =
        json!({"amount": "370", "every_weeks": "4", "first_date": first, "reference": "Four-weekly direct payment"});
    assert_eq!(
        client.staff(Method::POST, &uri, &auditor, true, Some(request.clone())).await.status,
        StatusCode::FORBIDDEN
    );
    let bad = client
        .staff(Method::POST, &uri, &officer, true, Some(json!({"amount": "0", "every_weeks": "0", "first_date": "x"})))
        .await;
    assert!(
        message(&bad).contains("every_weeks: Choose how often")
            && message(&bad).contains("first_date: Enter a real date"),
        "{}",
        message(&bad)
    );
    let made = client.staff(Method::POST, &uri, &officer, true, Some(request)).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    assert_eq!(made.body[0]["next_date"], json!(tally_ledger::date::iso_date(today + time::Duration::weeks(4))));
    let payments = |entries: &[Entry]| {
        entries
            .iter()
            .filter(|e| matches!(&e.body, EntryBody::PaymentIn(m) if m.reference == "Four-weekly direct payment"))
            .count()
    };
    assert_eq!(payments(&client.pull_all(&device).await), 3);

    // Another server running the same job, even from stale state, records nothing twice.
    assert_eq!(tally_council::record_due_payments(storage, today, 0).await.unwrap(), 0);
    let schedule = storage.schedules_of_account(device.account.account_id).await.unwrap().remove(0);
    storage.advance_schedule(&schedule.schedule_id, &schedule.next_date, &first).await.unwrap();
    assert_eq!(
        tally_council::record_due_payments(storage, today, 0).await.unwrap(),
        0,
        "the same payments, the same ids"
    );
    assert_eq!(payments(&client.pull_all(&device).await), 3);
    // Four weeks on, the next one.
    assert_eq!(tally_council::record_due_payments(storage, today + time::Duration::weeks(4), 0).await.unwrap(), 1);
    assert_eq!(payments(&client.pull_all(&device).await), 4);

    // Stopped: nothing more, and what was paid stays.
    let id = schedule.schedule_id;
    assert_eq!(
        client.staff(Method::POST, &format!("{uri}/{id}/stop"), &officer, true, None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(tally_council::record_due_payments(storage, today + time::Duration::weeks(20), 0).await.unwrap(), 0);
    assert_eq!(payments(&client.pull_all(&device).await), 4);
    let detail = client
        .staff(Method::GET, &format!("/api/v1/council/accounts/{}", seed::DEMO_REFERENCE), &officer, false, None)
        .await;
    assert_eq!(detail.body["schedules"], json!([]));
}

/// The server serves two built apps: the council workspace (`dist/council`) under
/// `/council`, the wallet at every other address; each app's own routes get its page.
#[tokio::test]
async fn the_wallet_and_the_workspace_are_served_as_separate_apps() {
    let db = TestDb::sqlite().await;
    let dist = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dist.path().join("council")).unwrap();
    std::fs::write(dist.path().join("index.html"), "the wallet page").unwrap();
    std::fs::write(dist.path().join("tally-1.js"), "the wallet script").unwrap();
    std::fs::write(dist.path().join("council/index.html"), "the workspace page").unwrap();
    std::fs::write(dist.path().join("council/tally-workspace-1.js"), "the workspace script").unwrap();
    let router = app(AppState::new(db.storage.clone()), Some(dist.path()));
    let body = |uri: &'static str| {
        let router = router.clone();
        async move {
            let reply = router.oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
            assert_eq!(reply.status(), StatusCode::OK, "{uri}");
            String::from_utf8(reply.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
        }
    };
    assert_eq!(body("/").await, "the wallet page");
    assert_eq!(body("/history").await, "the wallet page");
    assert_eq!(body("/tally-1.js").await, "the wallet script");
    assert_eq!(body("/council").await, "the workspace page");
    assert_eq!(body("/council/").await, "the workspace page");
    assert_eq!(body("/council/accounts/DP-000001").await, "the workspace page");
    assert_eq!(body("/council/tally-workspace-1.js").await, "the workspace script");
    // The API is never an app page.
    let api = router.clone().oneshot(Request::get("/api/v1/council/me").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    db.drop_db().await;
}

/// Half past eleven at night in June (UTC) is already the next day in London: spending the
/// person logged for "today" on their phone is not in the future for the council.
async fn london_scenario(storage: &Storage) {
    let client = Client::at(storage, datetime!(2026-06-14 23:30 UTC));
    let device = client.paired(storage).await;
    let mut logged = spend(&device, 1_250, "Late shift");
    logged.recorded_at = datetime!(2026-06-14 23:29 UTC);
    if let EntryBody::Spend(s) = &mut logged.body {
        s.date = date!(2026 - 06 - 15);
    }
    assert_eq!(statuses(&client.push(&device, vec![to_json(&logged)]).await), vec![PushStatus::Stored]);
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let detail = client
        .staff(Method::GET, &format!("/api/v1/council/accounts/{}", seed::DEMO_REFERENCE), &officer, false, None)
        .await;
    let spends = detail.body["spends"].as_array().unwrap();
    let late_shift = spends.iter().find(|s| s["payee"] == "Late shift").unwrap();
    let titles: Vec<&str> =
        late_shift["flags"].as_array().unwrap().iter().map(|f| f["title"].as_str().unwrap()).collect();
    assert!(!titles.contains(&"Date in the future"), "{titles:?}");
    // A day later than London's today is in the future.
    let mut tomorrow = spend(&device, 1_250, "Tomorrow");
    tomorrow.recorded_at = datetime!(2026-06-14 23:29 UTC);
    if let EntryBody::Spend(s) = &mut tomorrow.body {
        s.date = date!(2026 - 06 - 16);
    }
    assert_eq!(statuses(&client.push(&device, vec![to_json(&tomorrow)]).await), vec![PushStatus::Stored]);
    let detail = client
        .staff(Method::GET, &format!("/api/v1/council/accounts/{}", seed::DEMO_REFERENCE), &officer, false, None)
        .await;
    let flagged =
        detail.body["spends"].as_array().unwrap().iter().find(|s| s["payee"] == "Tomorrow").unwrap().to_string();
    assert!(flagged.contains("Date in the future"), "{flagged}");
}
