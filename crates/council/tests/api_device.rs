//! The council API as the wallets use it (pairing, push and pull, receipt photos,
//! revoking), its description and what it serves, driven through the router with real
//! databases: a SQLite file always,
//! and Postgres when `TALLY_TEST_POSTGRES_URL` names a server (`cargo xtask test` sets it
//! when one is reachable and says so when it is not). Every answer is also checked against
//! the API's description (`common::contract`).

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tally_api::{PairResponse, PullResponse, PushStatus};
use tally_council::storage::Storage;
use tally_council::{app, issue_pairing_code, seed, AppState};
use tally_ledger::{Entry, EntryBody, EntryId, Money};
use time::macros::date;
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
    the_openapi_description_matches_the_routes => openapi_scenario;
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

    // A new code cancels the account's earlier ones: one live code an account.
    let account_id = device.account.account_id;
    let earlier = issue_pairing_code(storage, account_id, None).await.unwrap();
    // Seeding again keeps the account and gives a new code that works.
    let second = seed::ensure_demo(storage).await.unwrap();
    assert_ne!(second.pairing_code, demo.pairing_code);
    let replaced = client.post("/api/v1/pairings", None, &json!({"code": earlier})).await;
    assert_eq!(replaced.status, StatusCode::BAD_REQUEST);
    assert!(message(&replaced).contains("replaced by a newer one"), "{}", replaced.body);
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
    let code = issue_pairing_code(storage, device.account.account_id, None).await.unwrap();
    let re_paired = client.pair_holding(&code, &[&device]).await;
    let logged_before = spend(&device, 333, "Logged before pairing again");
    assert_eq!(statuses(&client.push(&re_paired, vec![to_json(&logged_before)]).await), vec![PushStatus::Stored]);
    let code = issue_pairing_code(storage, device.account.account_id, None).await.unwrap();
    let third = client.pair_holding(&code, &[&re_paired]).await;
    let logged_long_before = spend(&device, 334, "Logged two pairings ago");
    assert_eq!(statuses(&client.push(&third, vec![to_json(&logged_long_before)]).await), vec![PushStatus::Stored]);
    let pulled = client.pull_all(&device).await;

    // Another device on the same account sees the same entries, and may not send records
    // as if it were the first phone (a wrong token proves nothing).
    let code = issue_pairing_code(storage, device.account.account_id, None).await.unwrap();
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
        "Only the council can record payments in, clawbacks, bank or card charges, review decisions and questions about statements."
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
    let other_code = issue_pairing_code(storage, other.account_id, None).await.unwrap();
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
    let code = issue_pairing_code(storage, account, None).await.unwrap();
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
    let stranger = client.pair(&issue_pairing_code(storage, stranger_account.account_id, None).await.unwrap()).await;
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
    let replacement = client.pair(&issue_pairing_code(storage, account, None).await.unwrap()).await;

    let devices = storage.devices(account).await.unwrap();
    assert_eq!(devices.len(), 2);
    assert!(devices.iter().all(|d| d.revoked_at_ms.is_none() && d.label == "Test phone"));
    assert_eq!(
        storage
            .revoke_device(
                lost.device_id,
                &tally_council::storage::AuditEvent::server("device revoked", "by a test"),
                1_000
            )
            .await
            .unwrap(),
        Some(account)
    );
    assert_eq!(
        storage
            .revoke_device(
                lost.device_id,
                &tally_council::storage::AuditEvent::server("device revoked", "by a test"),
                2_000
            )
            .await
            .unwrap(),
        None,
        "revoked once"
    );
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
    let idle = client.pair(&issue_pairing_code(storage, account, None).await.unwrap()).await;
    let info = storage.devices(account).await.unwrap().into_iter().find(|d| d.device_id == idle.device_id).unwrap();
    assert_eq!((info.records, info.highest_number, info.missing, info.last_received_at_ms), (0, None, 0, None));
    // The number travels with the record to the person's other devices.
    let pulled = client.pull_all(&idle).await;
    let mut numbers: Vec<u64> = pulled.iter().filter_map(|e| e.author.device_seq).collect();
    numbers.sort();
    assert_eq!(numbers, vec![1, 2, 3, 4, 4]);
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
            let public = [
                "/health",
                "/openapi.json",
                "/pairings",
                "/council/sign-in",
                "/council/password-link",
                "/council/password-link/details",
            ]
            .contains(&path.as_str());
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

/// The server serves two built apps: the council workspace (`dist/council`) under
/// `/council`, the wallet at every other address; each app's own routes get its page.
#[tokio::test]
async fn the_wallet_and_the_workspace_are_served_as_separate_apps() {
    let db = TestDb::sqlite().await;
    let dist = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dist.path().join("council")).unwrap();
    const WALLET_PAGE: &str = "<script type=\"module\">start('wallet')</script>the wallet page";
    std::fs::write(dist.path().join("index.html"), WALLET_PAGE).unwrap();
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
    assert_eq!(body("/").await, WALLET_PAGE);
    assert_eq!(body("/history").await, WALLET_PAGE);
    assert_eq!(body("/tally-1.js").await, "the wallet script");
    assert_eq!(body("/council").await, "the workspace page");
    assert_eq!(body("/council/").await, "the workspace page");
    assert_eq!(body("/council/accounts/DP-000001").await, "the workspace page");
    assert_eq!(body("/council/tally-workspace-1.js").await, "the workspace script");
    // The API is never an app page.
    let api = router.clone().oneshot(Request::get("/api/v1/council/me").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    // Every answer, page or API, carries the security headers; the API's are never stored.
    for uri in ["/", "/council/", "/tally-1.js", "/api/v1/health", "/api/v1/council/me", "/api/v1/nowhere"] {
        let reply = router.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
        let header =
            |name: &str| reply.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert!(header("content-security-policy").contains("frame-ancestors 'none'"), "{uri}");
        assert_eq!(header("x-frame-options"), "DENY", "{uri}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{uri}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{uri}");
        assert!(header("permissions-policy").contains("microphone=()"), "{uri}");
        assert_eq!(header("strict-transport-security"), "", "{uri}: plain HTTP has no HSTS");
        let cache = header("cache-control");
        let policy = header("content-security-policy");
        if uri.starts_with("/api/") {
            assert_eq!(cache, "no-store", "{uri}");
            assert_eq!(policy, "default-src 'none'; frame-ancestors 'none'", "{uri}");
        } else {
            // Scripts only from here, WebAssembly, and the page's own inline start-up
            // script by its hash (sha256 of "start('wallet')"); nothing inline else.
            use sha2::Digest;
            let hash = {
                let digest = sha2::Sha256::digest(b"start('wallet')");
                let mut text = String::new();
                // Standard base64, written out here so the test does not share the server's.
                const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
                for chunk in digest.chunks(3) {
                    let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
                    for i in 0..4 {
                        text.push(if i <= chunk.len() { A[((n >> (18 - 6 * i)) & 63) as usize] as char } else { '=' });
                    }
                }
                text
            };
            assert!(
                policy.contains(&format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}';")),
                "{uri}: {policy}"
            );
            assert!(policy.contains("default-src 'self'") && policy.contains("object-src 'none'"), "{policy}");
            assert!(!policy.contains("unsafe-inline"), "{policy}");
            assert_eq!(cache, "no-cache", "{uri}: the apps' files are revalidated");
        }
    }
    db.drop_db().await;
}

/// The apps' files: sent as the build compressed them (brotli or gzip, as the browser
/// asks), a hashed file kept a year without asking, the pages and the service worker asked
/// about each time.
#[tokio::test]
async fn the_apps_files_are_sent_precompressed_and_hashed_ones_are_kept_a_year() {
    let db = TestDb::sqlite().await;
    let dist = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dist.path().join("council")).unwrap();
    let put = |path: &str, body: &[u8]| std::fs::write(dist.path().join(path), body).unwrap();
    put("index.html", b"<p>the wallet page</p>");
    put("index.html.br", b"brotli page");
    put("index.html.gz", b"gzip page");
    put("tally-2ac61da628ab4c75_bg.wasm", b"the wasm");
    put("tally-2ac61da628ab4c75_bg.wasm.br", b"brotli wasm");
    put("tally-2ac61da628ab4c75_bg.wasm.gz", b"gzip wasm");
    put("sw.js", b"the worker");
    put("sw.js.br", b"brotli worker");
    put("council/index.html", b"the workspace page");
    put("council/tally-workspace-ca94ca33c45ab847.js", b"the workspace script");
    put("council/tally-workspace-ca94ca33c45ab847.js.br", b"brotli workspace script");
    let router = app(AppState::new(db.storage.clone()), Some(dist.path()));
    let get = |uri: &'static str, accept: &'static str| {
        let router = router.clone();
        async move {
            let mut request = Request::get(uri);
            if !accept.is_empty() {
                request = request.header("accept-encoding", accept);
            }
            let reply = router.oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
            assert_eq!(reply.status(), StatusCode::OK, "{uri}");
            let header =
                |name: &str| reply.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            let (encoding, cache, vary) = (header("content-encoding"), header("cache-control"), header("vary"));
            let body = String::from_utf8(reply.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
            (body, encoding, cache, vary)
        }
    };
    let immutable = "public, max-age=31536000, immutable";
    let wasm = "/tally-2ac61da628ab4c75_bg.wasm";
    assert_eq!(
        get(wasm, "gzip, deflate, br, zstd").await,
        ("brotli wasm".into(), "br".into(), immutable.into(), "accept-encoding, available-dictionary".into())
    );
    assert_eq!(
        get(wasm, "gzip").await,
        ("gzip wasm".into(), "gzip".into(), immutable.into(), "accept-encoding, available-dictionary".into())
    );
    assert_eq!(get(wasm, "").await.0, "the wasm");
    let (body, encoding, cache, _) = get("/", "br").await;
    assert_eq!((body.as_str(), encoding.as_str(), cache.as_str()), ("brotli page", "br", "no-cache"));
    let (body, _, cache, _) = get("/history", "gzip").await;
    assert_eq!((body.as_str(), cache.as_str()), ("gzip page", "no-cache"), "an app route gets the page");
    let (body, _, cache, _) = get("/sw.js", "br").await;
    assert_eq!(
        (body.as_str(), cache.as_str()),
        ("brotli worker", "no-cache"),
        "the service worker is always asked about"
    );
    let (body, encoding, cache, _) = get("/council/tally-workspace-ca94ca33c45ab847.js", "br").await;
    assert_eq!((body.as_str(), encoding.as_str(), cache.as_str()), ("brotli workspace script", "br", immutable));
    let (body, _, cache, _) = get("/council/accounts", "").await;
    assert_eq!((body.as_str(), cache.as_str()), ("the workspace page", "no-cache"));
    // A first-time visitor gets the small first screen at /; a browser that uses the wallet
    // (its cookie) gets the wallet. The answer says it depends on the cookie.
    std::fs::create_dir_all(dist.path().join("welcome")).unwrap();
    put("welcome/index.html", b"the first screen");
    let router = app(AppState::new(db.storage.clone()), Some(dist.path()));
    let entry = |cookie: Option<&'static str>| {
        let router = router.clone();
        async move {
            let mut request = Request::get("/");
            if let Some(cookie) = cookie {
                request = request.header("cookie", cookie);
            }
            let reply = router.oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
            let vary = reply.headers().get("vary").unwrap().to_str().unwrap().to_owned();
            (String::from_utf8(reply.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap(), vary)
        }
    };
    assert_eq!(entry(None).await, ("the first screen".into(), "accept-encoding, cookie".into()));
    assert_eq!(entry(Some("other=2; tally_wallet=1")).await.0, "<p>the wallet page</p>");
    let deep = router.clone().oneshot(Request::get("/history").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(deep.into_body().collect().await.unwrap().to_bytes().as_ref(), b"<p>the wallet page</p>");

    // A hashed file that is not there is not found (never the page in its place), and not kept.
    let missing =
        router.clone().oneshot(Request::get("/tally-0000000000000000.js").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(missing.headers().get("cache-control").unwrap(), "no-cache");
    db.drop_db().await;
}

/// An update's wasm comes as a delta of the version the browser has (RFC 9842's `dcz`),
/// when the browser says which it has and this server kept it, even across a restart with
/// the new build; anything else gets the whole file. The apps' identical style sheets are
/// each a dictionary for their own next version. Only the last few versions are kept.
#[tokio::test]
async fn an_update_is_sent_as_a_delta_of_the_version_the_browser_has() {
    let db = TestDb::sqlite().await;
    let kept = tempfile::tempdir().unwrap();
    let whole_br = |name: &str| [name.as_bytes(), &[b'.'; 40_000][..]].concat();
    // A build: a 300 KB wasm, the style sheet all three apps share, each with a brotli
    // stand-in of 40 KB that names it.
    let build = |n: u8, wasm: &[u8], css: &[u8]| {
        let dist = tempfile::tempdir().unwrap();
        let wasm_name = format!("tally-{}_bg.wasm", format!("{n}").repeat(16));
        let css_name = format!("main-{}.css", format!("{n}").repeat(16));
        for folder in ["", "council/", "welcome/"] {
            std::fs::create_dir_all(dist.path().join(folder)).unwrap();
            std::fs::write(dist.path().join(format!("{folder}index.html")), b"<p>a page</p>").unwrap();
            std::fs::write(dist.path().join(format!("{folder}{css_name}")), css).unwrap();
            std::fs::write(dist.path().join(format!("{folder}{css_name}.br")), whole_br("brotli css")).unwrap();
        }
        std::fs::write(dist.path().join(&wasm_name), wasm).unwrap();
        std::fs::write(dist.path().join(format!("{wasm_name}.br")), whole_br("brotli wasm")).unwrap();
        let config = tally_council::Config { app_versions: Some(kept.path().to_owned()), ..Default::default() };
        let router = app(AppState::with(db.storage.clone(), config, Default::default()), Some(dist.path()));
        // This build's copies are the newest, by n (set here, not left to the clock).
        let at = std::time::SystemTime::now() - std::time::Duration::from_secs(1_000 - u64::from(n));
        for copy in
            [kept.path().join(&wasm_name), kept.path().join(&css_name), kept.path().join("council").join(&css_name)]
        {
            std::fs::File::options().write(true).open(copy).unwrap().set_modified(at).unwrap();
        }
        (dist, router, format!("/{wasm_name}"), css_name)
    };
    let get = |router: axum::Router, method: Method, uri: String, accept: &'static str, dictionary: Option<Vec<u8>>| async move {
        let mut request = Request::builder().method(method).uri(&uri).header("accept-encoding", accept);
        if let Some(hash) = dictionary {
            request = request.header("available-dictionary", format!(":{}:", base64_standard(&hash)));
        }
        let reply = router.oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
        let status = reply.status();
        let headers = reply.headers().clone();
        let header = move |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        (status, reply.into_body().collect().await.unwrap().to_bytes().to_vec(), header)
    };
    let v1: Vec<u8> = (0..75_000u32).flat_map(|i| (i.wrapping_mul(2_654_435_761)).to_le_bytes()).collect();
    let css1: Vec<u8> =
        (0..4_000u32).flat_map(|i| format!(".c{i} {{ margin: {}px }}\n", i % 97).into_bytes()).collect();
    let (dist1, router1, wasm1, _) = build(1, &v1, &css1);
    let (_, body, header) = get(router1, Method::GET, wasm1, "gzip, br", None).await;
    assert!(body.starts_with(b"brotli wasm"));
    assert_eq!(header("use-as-dictionary"), "match=\"/tally-*_bg.wasm\"", "kept by the browser for the next update");
    drop(dist1);

    // Version 2 changes a few bytes of each; the server restarts with only the new build.
    let mut v2 = v1.clone();
    v2[150_000..150_020].copy_from_slice(b"one page's new code.");
    let mut css2 = css1.clone();
    css2.extend_from_slice(b".new { color: black }\n");
    let (_dist2, router2, wasm2, css2_name) = build(2, &v2, &css2);
    let chrome = "gzip, deflate, br, zstd, dcb, dcz";
    let v1_hash = tally_delta::sha256(&v1).to_vec();
    let (status, body, header) = get(router2.clone(), Method::GET, wasm2.clone(), chrome, Some(v1_hash.clone())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header("content-encoding"), "dcz");
    assert_eq!(header("content-type"), "application/wasm");
    assert_eq!(header("cache-control"), "public, max-age=31536000, immutable");
    assert_eq!(header("vary"), "accept-encoding, available-dictionary");
    assert_eq!(header("use-as-dictionary"), "match=\"/tally-*_bg.wasm\"");
    assert!(body.len() < 1_000, "20 changed bytes of 300 KB cost {} bytes", body.len());
    assert_eq!(tally_delta::decode(&v1, &body).unwrap(), v2, "decodes to the new version");
    // Each app's style sheet, though the three are the same bytes.
    for address in [format!("/{css2_name}"), format!("/council/{css2_name}"), format!("/welcome/{css2_name}")] {
        let (_, body, header) =
            get(router2.clone(), Method::GET, address.clone(), chrome, Some(tally_delta::sha256(&css1).to_vec())).await;
        assert_eq!(header("content-encoding"), "dcz", "{address}");
        assert_eq!(tally_delta::decode(&css1, &body).unwrap(), css2, "{address}");
    }

    // Anything else gets the whole file.
    let whole = |method, accept, dictionary| get(router2.clone(), method, wasm2.clone(), accept, dictionary);
    let (_, body, header) = whole(Method::GET, "gzip, br", Some(v1_hash.clone())).await;
    assert!(body.starts_with(b"brotli wasm") && header("content-encoding") == "br", "no dcz: whole");
    let (_, body, _) = whole(Method::GET, chrome, Some(vec![9; 32])).await;
    assert!(body.starts_with(b"brotli wasm"), "a version this server never had: whole");
    let (_, body, _) = whole(Method::GET, chrome, Some(tally_delta::sha256(&css1).to_vec())).await;
    assert!(body.starts_with(b"brotli wasm"), "another file is no dictionary for the wasm");
    let (_, body, _) = whole(Method::GET, chrome, Some(tally_delta::sha256(&v2).to_vec())).await;
    assert!(body.starts_with(b"brotli wasm"), "the same version: whole (the browser had it anyway)");
    let (status, _, header) = whole(Method::POST, chrome, Some(v1_hash.clone())).await;
    assert!(status != StatusCode::OK && header("content-encoding") != "dcz", "only a GET gets a delta: {status}");

    // A version that shares nothing with the one the browser has: the delta would be no
    // smaller than the whole file in brotli, so the whole file it is.
    let v3: Vec<u8> = (0..75_000u32).flat_map(|i| (i.wrapping_mul(40_503) ^ 0x5555).to_be_bytes()).collect();
    let (_dist3, router3, wasm3, _) = build(3, &v3, &css2);
    let (_, body, header) = get(router3, Method::GET, wasm3, chrome, Some(v1_hash.clone())).await;
    assert!(body.starts_with(b"brotli wasm") && header("content-encoding") == "br", "a rewrite: whole");

    // Updates in turn: the current version and the five newest earlier ones are kept.
    for n in 4..=9u8 {
        let mut next = v1.clone();
        next[0] = n;
        let _ = build(n, &next, &css2);
    }
    let mut wasm_kept: Vec<String> = std::fs::read_dir(kept.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with("_bg.wasm"))
        .collect();
    wasm_kept.sort();
    let expected: Vec<String> = (4..=9).map(|n: u8| format!("tally-{}_bg.wasm", format!("{n}").repeat(16))).collect();
    assert_eq!(
        wasm_kept,
        expected,
        "version 9 and the {} before it",
        tally_council::app_versions::EARLIER_VERSIONS_KEPT
    );
    db.drop_db().await;
}

fn base64_standard(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
