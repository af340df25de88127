//! The council API as the workspace uses it (staff sign-in and roles, reviews, money,
//! safeguarding, figures, policy and plans, staff, accounts, schedules), driven through
//! the router with real databases: a SQLite file always,
//! and Postgres when `TALLY_TEST_POSTGRES_URL` names a server (`cargo xtask test` sets it
//! when one is reachable and says so when it is not). Every answer is also checked against
//! the API's description (`common::contract`).

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use tally_api::PushStatus;
use tally_council::seed;
use tally_council::storage::Storage;
use tally_ledger::{Entry, EntryBody, Money};
use time::macros::{date, datetime};

mod common;

use common::*;

on_every_database! {
    staff_sign_in_is_limited_and_sessions_need_csrf => staff_sign_in_scenario;
    each_staff_role_is_refused_what_it_may_not_do => staff_roles_scenario;
    a_review_decision_reaches_the_wallet_and_closes_the_flag => review_flow_scenario;
    officers_record_money_recover_surplus_and_export_audit_sheets => money_scenario;
    safeguarding_signals_are_listed_for_officers_with_their_notes => safeguarding_scenario;
    council_figures_add_up_across_accounts => figures_scenario;
    administrators_set_policy_and_officers_version_plans => policy_and_plan_scenario;
    administrators_manage_staff_access => staff_management_scenario;
    officers_open_accounts_with_a_first_plan => new_account_scenario;
    scheduled_payments_are_recorded_once_when_due => schedule_scenario;
    the_councils_today_is_londons => london_scenario;
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

    // Wrong passwords slow signing in down; they lock no one out. From an address the
    // officer has not signed in from, the sixth try on their email has to wait, even with
    // the right password…
    let stranger = client.at_address([203, 0, 113, 9]);
    for _ in 0..5 {
        assert_eq!(stranger.sign_in(officer, "guess").await.err().unwrap().status, StatusCode::UNAUTHORIZED);
    }
    let slowed = stranger.sign_in(officer, seed::DEMO_OFFICER_PASSWORD).await.err().unwrap();
    assert_eq!(slowed.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(message(&slowed).contains("for this email address. Wait 5 seconds"), "{}", slowed.body);
    // …another member of staff is not slowed by it…
    let council_id = storage.council_id_by_name(seed::DEMO_COUNCIL).await.unwrap().unwrap();
    staff_member(storage, &council_id, "reader@demo.invalid", "auditor").await;
    assert!(stranger.sign_in("reader@demo.invalid", "a long enough password").await.is_ok());
    // …and an administrator can let the officer try again at once.
    let admin = client.sign_in(seed::DEMO_ADMIN_EMAIL, seed::DEMO_ADMIN_PASSWORD).await.unwrap();
    let members = client.staff(Method::GET, "/api/v1/council/staff", &admin, false, None).await;
    let officer_id = members.body["staff"].as_array().unwrap().iter().find(|m| m["email"] == officer).unwrap()
        ["staff_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let clear = format!("/api/v1/council/staff/{officer_id}/sign-in-failures/clear");
    assert_eq!(client.staff(Method::POST, &clear, &admin, true, None).await.status, StatusCode::NO_CONTENT);
    assert!(stranger.sign_in(officer, seed::DEMO_OFFICER_PASSWORD).await.is_ok());

    // Someone guessing from elsewhere cannot keep the officer out at the desk they signed
    // in from.
    let guesser = client.at_address([198, 51, 100, 7]);
    for _ in 0..6 {
        let _ = guesser.sign_in(officer, "guess").await;
    }
    assert_eq!(guesser.sign_in(officer, "guess").await.err().unwrap().status, StatusCode::TOO_MANY_REQUESTS);
    assert!(client.sign_in(officer, seed::DEMO_OFFICER_PASSWORD).await.is_ok());

    // One address trying many emails is slowed down too.
    let sprayer = client.at_address([192, 0, 2, 1]);
    for n in 0..20 {
        let refused = sprayer.sign_in(&format!("someone{n}@demo.invalid"), "guess").await.err().unwrap();
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    }
    let sprayed = sprayer.sign_in("someone-else@demo.invalid", "guess").await.err().unwrap();
    assert_eq!(sprayed.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(message(&sprayed).contains("from this connection"), "{}", sprayed.body);

    // Every wrong password is in the audit trail, with where it came from; the council's
    // log shows its own staff's, filtered by words.
    let log = client.staff(Method::GET, "/api/v1/council/audit-log?action=sign-in%20failed", &admin, false, None).await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    let lines = log.body["lines"].as_array().unwrap();
    // The first wrong password above, 5 from the stranger and 5 from the guesser (tries
    // made to wait are refused before the password is looked at).
    assert_eq!(lines.len(), 11, "{}", log.body);
    assert!(lines.iter().all(|l| l["who"] == "The server"), "{}", log.body);
    assert!(lines.iter().all(|l| l["detail"].as_str().unwrap().contains("wrong password")));
    assert!(lines.iter().any(|l| l["address"] == "203.0.113.9"));
    let worded = client.staff(Method::GET, "/api/v1/council/audit-log?words=198.51.100", &admin, false, None).await;
    assert_eq!(worded.body["lines"].as_array().unwrap().len(), 5, "{}", worded.body);
    let bad = client.staff(Method::GET, "/api/v1/council/audit-log?from=yesterday", &admin, false, None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body["error"]["fields"][0]["field"] == "from", "{}", bad.body);
    // Not for an officer.
    let as_officer = client.sign_in(officer, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let refused = client.staff(Method::GET, "/api/v1/council/audit-log", &as_officer, false, None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
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
    assert_eq!(audit, vec!["review decision", "review decision", "device paired"]);
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
    assert_eq!(
        actions,
        vec!["audit sheet viewed", "audit sheet exported", "surplus recovered", "money in", "device paired"]
    );
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

    let new = json!({"name": "Ravi Shah", "email": "Ravi.Shah@demo.invalid", "role": "auditor"});
    assert_eq!(
        client.staff(Method::POST, "/api/v1/council/staff", &officer, true, Some(new.clone())).await.status,
        StatusCode::FORBIDDEN
    );
    let bad = json!({"name": "", "email": "ravi", "role": "boss"});
    let reply = client.staff(Method::POST, "/api/v1/council/staff", &admin, true, Some(bad)).await;
    let text = message(&reply);
    assert!(
        text.contains("name: Enter their name")
            && text.contains("email: Enter their work email")
            && text.contains("role: Choose a role"),
        "{text}"
    );
    let added = client.staff(Method::POST, "/api/v1/council/staff", &admin, true, Some(new.clone())).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let again = client.staff(Method::POST, "/api/v1/council/staff", &admin, true, Some(new)).await;
    assert!(message(&again).contains("already has access with that email"), "{}", message(&again));
    // They choose their own first password with the one-time link.
    let token = added.body["path"].as_str().unwrap().split_once('#').unwrap().1.to_owned();
    let chosen = client
        .post("/api/v1/council/password-link", None, &json!({"token": token, "password": "a first password"}))
        .await;
    assert_eq!(chosen.status, StatusCode::NO_CONTENT, "{}", chosen.body);
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
