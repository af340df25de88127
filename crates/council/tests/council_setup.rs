//! A council runs itself: set up from the command line with no demo data, its first
//! administrator choosing a password through a one-time link, staff given access by link
//! (nobody chooses another's password), resets, changing your own password, access given
//! again; the demo's published passwords spotted; and backups taken while phones push,
//! restored whole (SQLite with `backup`/`restore`, Postgres with pg_dump and pg_restore).

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use tally_council::storage::Storage;
use tally_council::{seed, setup};

mod common;

use common::*;

on_every_database! {
    a_council_is_set_up_and_its_staff_choose_their_own_passwords => setup_scenario;
}

on_every_database! {
    several_councils_share_a_server_without_learning_of_each_other => councils_apart_scenario;
    a_finance_system_calls_the_api_within_its_scopes_and_every_call_is_audited => api_client_scenario;
    a_direct_payment_is_reviewed_its_contribution_watched_and_ended => life_scenario;
    an_ended_direct_payment_is_anonymised_after_the_retention_period_keeping_the_figures => retention_scenario;
}

on_every_database! {
    a_persons_data_is_exported_whole_for_a_subject_access_request => subject_access_scenario;
    staff_see_where_they_are_signed_in_and_end_a_session => sessions_scenario;
}

on_every_test_db! {
    a_backup_taken_during_pushes_restores_every_record_photo_and_audit_line => backup_scenario;
}

fn token_of(path: &str) -> String {
    let (page, token) = path.split_once('#').expect("a link's secret follows #");
    assert_eq!(page, "/council/set-password");
    assert_eq!(token.len(), 64);
    token.to_owned()
}

async fn details(client: &Client, token: &str) -> Reply {
    client.post("/api/v1/council/password-link/details", None, &json!({ "token": token })).await
}

async fn use_link(client: &Client, token: &str, password: &str) -> Reply {
    client.post("/api/v1/council/password-link", None, &json!({ "token": token, "password": password })).await
}

/// An authenticator app holding the secret as the setup showed it.
fn authenticator(shown: &str) -> totp_rs::Totp {
    let secret = totp_rs::Secret::try_from_base32(shown.replace(' ', "")).unwrap();
    totp_rs::Builder::new().with_secret(secret).with_account_name("app").build().unwrap()
}

async fn confirm(client: &Client, session: &StaffSession, code: &str) -> Reply {
    client.staff(Method::POST, "/api/v1/council/two-factor/confirm", session, true, Some(json!({ "code": code }))).await
}

fn member_id(list: &Value, key: &str, email: &str) -> String {
    list[key]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == email)
        .unwrap_or_else(|| panic!("{email} in {key}: {list}"))["staff_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn setup_scenario(storage: &Storage) {
    let client = Client::new(storage);
    let now = tally_council::now_ms();
    let made = setup::create_council(
        storage,
        "Northshire County Council",
        " Dana.Admin@Northshire.invalid ",
        "Dana Okafor",
        "tester",
        now,
    )
    .await
    .unwrap();
    let again = setup::create_council(storage, "Northshire County Council", "x@y.invalid", "X", "tester", now).await;
    assert!(again.unwrap_err().to_string().contains("already a council called"));
    let bad = setup::create_council(storage, "Eastshire", "not an email", "E", "tester", now).await;
    assert!(bad.unwrap_err().to_string().contains("--admin-email"));
    let email = "dana.admin@northshire.invalid";

    // No password until the link is used: nothing signs in.
    assert_eq!(client.sign_in(email, "").await.unwrap_err().status, StatusCode::BAD_REQUEST);
    assert_eq!(client.sign_in(email, "any password at all").await.unwrap_err().status, StatusCode::UNAUTHORIZED);

    let token = token_of(&made.link_path);
    let reply = details(&client, &token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["name"], "Dana Okafor");
    assert_eq!(reply.body["council_name"], "Northshire County Council");
    assert_eq!(reply.body["purpose"], "welcome");
    assert!(reply.body["expires_at_ms"].as_i64().unwrap() - now >= 71 * 3_600_000);
    assert_eq!(details(&client, &"0".repeat(64)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(details(&client, "not a token").await.status, StatusCode::NOT_FOUND);

    let short = use_link(&client, &token, "short").await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(message(&short).contains("password: Choose a password of at least 12"), "{}", message(&short));
    let same_as_email = use_link(&client, &token, email).await;
    assert!(message(&same_as_email).contains("not your email address"), "{}", message(&same_as_email));
    assert_eq!(use_link(&client, &token, "heron lantern quarry").await.status, StatusCode::NO_CONTENT);
    // Once only.
    assert_eq!(use_link(&client, &token, "a second password try").await.status, StatusCode::NOT_FOUND);
    assert_eq!(details(&client, &token).await.status, StatusCode::NOT_FOUND);

    let dana = client.sign_in(email, "heron lantern quarry").await.unwrap();
    assert_eq!(dana.profile["role"], "administrator");
    assert_eq!(dana.profile["council_name"], "Northshire County Council");

    // An administrator must set up two-factor sign-in before anything else.
    assert_eq!(dana.profile["two_factor_needed"], true);
    let blocked = client.staff(Method::GET, "/api/v1/council/accounts", &dana, false, None).await;
    assert_eq!(blocked.status, StatusCode::FORBIDDEN);
    assert!(message(&blocked).contains("requires two-factor sign-in"), "{}", message(&blocked));
    let started = client.staff(Method::POST, "/api/v1/council/two-factor/setup", &dana, true, None).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    assert!(started.body["otpauth_url"].as_str().unwrap().starts_with("otpauth://totp/Tally:"));
    assert!(started.body["qr_svg"].as_str().unwrap().starts_with("<svg"));
    let app = authenticator(started.body["secret"].as_str().unwrap());
    let now_s = (tally_council::now_ms() / 1000) as u64;
    let right = app.generate(now_s).to_string();
    let wrong_code = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    let wrong = confirm(&client, &dana, &wrong_code).await;
    assert!(message(&wrong).contains("code: That code is not right"), "{}", message(&wrong));
    let confirmed = confirm(&client, &dana, &right).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let recovery: Vec<String> =
        confirmed.body["codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(recovery.len(), 10);
    let me = client.staff(Method::GET, "/api/v1/council/me", &dana, false, None).await;
    assert_eq!((me.body["two_factor_on"].clone(), me.body["two_factor_needed"].clone()), (json!(true), json!(false)));

    // Signing in now needs a code: each works once; a recovery code works once too.
    let asked = client.sign_in(email, "heron lantern quarry").await.unwrap_err();
    assert_eq!(asked.status, StatusCode::BAD_REQUEST);
    assert!(message(&asked).contains("code: Enter the 6-digit code"), "{}", message(&asked));
    let used = client.sign_in_with_code(email, "heron lantern quarry", &right).await.unwrap_err();
    assert!(message(&used).contains("or was used already"), "{}", message(&used));
    let next = app.generate(now_s + 30).to_string();
    assert!(client.sign_in_with_code(email, "wrong password!", &next).await.is_err());
    assert!(client.sign_in_with_code(email, "heron lantern quarry", &next).await.is_ok());
    let spoken = recovery[0].to_uppercase().replace('-', " ");
    assert!(client.sign_in_with_code(email, "heron lantern quarry", &spoken).await.is_ok());
    assert!(client.sign_in_with_code(email, "heron lantern quarry", &recovery[0]).await.is_err());

    let accounts = client.staff(Method::GET, "/api/v1/council/accounts", &dana, false, None).await;
    assert_eq!(accounts.status, StatusCode::OK, "{}", accounts.body);
    assert_eq!(accounts.body["accounts"].as_array().unwrap().len(), 0, "no demo data: {}", accounts.body);

    // Someone given access gets a link, not a password chosen for them.
    let new = json!({"name": "Ravi Shah", "email": "Ravi.Shah@northshire.invalid", "role": "finance_officer"});
    let added = client.staff(Method::POST, "/api/v1/council/staff", &dana, true, Some(new)).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    assert_eq!(added.body["email"], "ravi.shah@northshire.invalid");
    let ravi_email = "ravi.shah@northshire.invalid";
    assert_eq!(client.sign_in(ravi_email, "").await.unwrap_err().status, StatusCode::BAD_REQUEST);
    let welcome = token_of(added.body["path"].as_str().unwrap());
    assert_eq!(use_link(&client, &welcome, "otter meadow candle").await.status, StatusCode::NO_CONTENT);
    let ravi = client.sign_in(ravi_email, "otter meadow candle").await.unwrap();
    assert_eq!(ravi.profile["role"], "finance_officer");

    // Only administrators issue links, and only for their own council's staff.
    let list = client.staff(Method::GET, "/api/v1/council/staff", &dana, false, None).await;
    let ravi_id = member_id(&list.body, "staff", ravi_email);
    let link_uri = format!("/api/v1/council/staff/{ravi_id}/password-link");
    assert_eq!(client.staff(Method::POST, &link_uri, &ravi, true, None).await.status, StatusCode::FORBIDDEN);
    seed::ensure_demo(storage).await.unwrap();
    let demo_admin = client.sign_in(seed::DEMO_ADMIN_EMAIL, seed::DEMO_ADMIN_PASSWORD).await.unwrap();
    assert_eq!(client.staff(Method::POST, &link_uri, &demo_admin, true, None).await.status, StatusCode::NOT_FOUND);
    let demo_list = client.staff(Method::GET, "/api/v1/council/staff", &demo_admin, false, None).await;
    assert!(!demo_list.body.to_string().contains("northshire"), "another council's staff: {}", demo_list.body);

    // A reset: the old password works until the new one is chosen; a newer link cancels
    // the older; using it ends the person's sessions.
    let first = client.staff(Method::POST, &link_uri, &dana, true, None).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let first = token_of(first.body["path"].as_str().unwrap());
    assert_eq!(details(&client, &first).await.body["purpose"], "reset");
    assert!(client.sign_in(ravi_email, "otter meadow candle").await.is_ok());
    let second = client.staff(Method::POST, &link_uri, &dana, true, None).await;
    let second = token_of(second.body["path"].as_str().unwrap());
    assert_eq!(use_link(&client, &first, "first link password").await.status, StatusCode::NOT_FOUND);
    assert_eq!(use_link(&client, &second, "badger willow sonnet").await.status, StatusCode::NO_CONTENT);
    assert_eq!(
        client.staff(Method::GET, "/api/v1/council/me", &ravi, false, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(client.sign_in(ravi_email, "otter meadow candle").await.unwrap_err().status, StatusCode::UNAUTHORIZED);
    let ravi = client.sign_in(ravi_email, "badger willow sonnet").await.unwrap();

    // Changing your own password: the current one is needed; other sessions end, this
    // one stays.
    let elsewhere = client.sign_in(ravi_email, "badger willow sonnet").await.unwrap();
    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let wrong = client
        .staff(
            Method::POST,
            "/api/v1/council/password",
            &ravi,
            true,
            Some(change("not it at all", "finch harbour tulip")),
        )
        .await;
    assert!(message(&wrong).contains("current_password: That is not your current password"), "{}", message(&wrong));
    let unchanged = client
        .staff(
            Method::POST,
            "/api/v1/council/password",
            &ravi,
            true,
            Some(change("badger willow sonnet", "badger willow sonnet")),
        )
        .await;
    assert!(message(&unchanged).contains("new_password: Choose a new password"), "{}", message(&unchanged));
    let no_csrf = client
        .staff(
            Method::POST,
            "/api/v1/council/password",
            &ravi,
            false,
            Some(change("badger willow sonnet", "finch harbour tulip")),
        )
        .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    let changed = client
        .staff(
            Method::POST,
            "/api/v1/council/password",
            &ravi,
            true,
            Some(change("badger willow sonnet", "finch harbour tulip")),
        )
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.body);
    assert_eq!(client.staff(Method::GET, "/api/v1/council/me", &ravi, false, None).await.status, StatusCode::OK);
    assert_eq!(
        client.staff(Method::GET, "/api/v1/council/me", &elsewhere, false, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(client.sign_in(ravi_email, "finch harbour tulip").await.is_ok());

    // Removed, then given access again: listed as removed; the old password does not come
    // back; a link does.
    let removed =
        client.staff(Method::POST, &format!("/api/v1/council/staff/{ravi_id}/remove"), &dana, true, None).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let list = client.staff(Method::GET, "/api/v1/council/staff", &dana, false, None).await;
    assert_eq!(member_id(&list.body, "removed", ravi_email), ravi_id);
    let back = client.staff(Method::POST, &link_uri, &dana, true, None).await;
    assert_eq!(back.status, StatusCode::CREATED, "{}", back.body);
    let list = client.staff(Method::GET, "/api/v1/council/staff", &dana, false, None).await;
    assert_eq!(member_id(&list.body, "staff", ravi_email), ravi_id);
    assert!(list.body["removed"].as_array().unwrap().is_empty());
    assert_eq!(client.sign_in(ravi_email, "finch harbour tulip").await.unwrap_err().status, StatusCode::UNAUTHORIZED);
    let back = token_of(back.body["path"].as_str().unwrap());
    assert_eq!(details(&client, &back).await.body["purpose"], "welcome");
    assert_eq!(use_link(&client, &back, "puffin gravel anthem").await.status, StatusCode::NO_CONTENT);
    assert!(client.sign_in(ravi_email, "puffin gravel anthem").await.is_ok());

    // The council can require two factors of everyone: Ravi (a finance officer) sets it
    // up before anything else; an administrator can turn it off for a lost phone.
    let rule = client
        .staff(Method::POST, "/api/v1/council/two-factor/rule", &dana, true, Some(json!({"everyone": true})))
        .await;
    assert_eq!(rule.status, StatusCode::NO_CONTENT, "{}", rule.body);
    let ravi = client.sign_in(ravi_email, "puffin gravel anthem").await.unwrap();
    assert_eq!(ravi.profile["two_factor_needed"], true);
    let list = client.staff(Method::GET, "/api/v1/council/staff", &dana, false, None).await;
    assert_eq!(list.body["two_factor_for_everyone"], true);
    let dana_row = list.body["staff"].as_array().unwrap().iter().find(|m| m["email"] == email).unwrap().clone();
    assert_eq!(dana_row["two_factor_on"], true);
    let own_reset = format!("/api/v1/council/staff/{}/two-factor/reset", dana_row["staff_id"].as_str().unwrap());
    assert!(message(&client.staff(Method::POST, &own_reset, &dana, true, None).await).contains("your own"));
    let theirs = format!("/api/v1/council/staff/{ravi_id}/two-factor/reset");
    assert_eq!(client.staff(Method::POST, &theirs, &demo_admin, true, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(client.staff(Method::POST, &theirs, &dana, true, None).await.status, StatusCode::NO_CONTENT);

    // Each step is in the council's audit trail, and the chain holds.
    let log = client.staff(Method::GET, "/api/v1/council/audit-log", &dana, false, None).await;
    let actions: Vec<&str> =
        log.body["lines"].as_array().unwrap().iter().map(|l| l["action"].as_str().unwrap()).collect();
    for action in [
        "council created",
        "two-factor sign-in set up",
        "two-factor sign-in required of",
        "two-factor sign-in reset",
        "password set with a welcome link",
        "staff added",
        "password reset link issued",
        "password reset with a link",
        "password changed",
        "staff access removed",
        "staff access given again",
    ] {
        assert!(actions.contains(&action), "{action} missing from {actions:?}");
    }
    assert!(log.body.to_string().contains("by tester"), "the command line's operator is named");
    assert!(!log.body.to_string().contains("heron lantern"), "no password is ever written down");
    assert!(storage.verify_audit().await.unwrap().first_break.is_none());

    // The command line can issue a link too (an administrator who lost their password,
    // and perhaps their phone): two-factor sign-in is set up again at the next sign-in.
    let cli =
        setup::password_link_for(storage, None, "DANA.ADMIN@northshire.invalid", "tester", tally_council::now_ms())
            .await
            .unwrap();
    assert_eq!(details(&client, &token_of(&cli.link_path)).await.body["purpose"], "reset");
    let dana_id = dana_row["staff_id"].as_str().unwrap();
    assert!(storage.two_factor_of(dana_id).await.unwrap().secret.is_none());
    assert_eq!(
        client.staff(Method::GET, "/api/v1/council/me", &dana, false, None).await.status,
        StatusCode::UNAUTHORIZED
    );

    // The demo's published passwords are spotted (serve refuses to start with them).
    let published = setup::demo_passwords_in_use(storage).await.unwrap();
    assert_eq!(published.len(), 3, "{published:?}");
    assert!(published.contains(&seed::DEMO_ADMIN_EMAIL.to_owned()));
}

/// A device pushing spends with receipt photos, `rounds` times.
async fn push_rounds(client: &Client, device: &tally_api::PairResponse, rounds: usize, tag: u8) -> usize {
    let mut stored = 0;
    for round in 0..rounds {
        let photo = jpeg(tag.wrapping_add(round as u8), 3_000 + round);
        let name = sha256_hex(&photo);
        let uri = format!("/api/v1/accounts/{}/receipts/{name}", device.account.account_id);
        let (status, body) = client.send_bytes(Method::PUT, &uri, &device.token, "image/jpeg", photo).await;
        assert!(status.is_success(), "{status}: {}", String::from_utf8_lossy(&body));
        let entries: Vec<Value> = (0..5).map(|i| to_json(&spend(device, 100 + i, "Day centre"))).collect();
        let reply = client.push(device, entries).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        stored += 5;
    }
    stored
}

async fn backup_scenario(db: &TestDb) {
    let storage = &db.storage;
    let client = Client::new(storage);
    let device = client.paired(storage).await;
    let second = client.pair(&seed::ensure_demo(storage).await.unwrap().pairing_code).await;
    push_rounds(&client, &device, 4, 1).await;
    let before = storage.holdings().await.unwrap();
    let dir = tempfile::tempdir().unwrap();

    // Pushes carry on while the backup is taken.
    let pushing = {
        let client = Client { router: client.router.clone(), peer: None };
        let second = second.clone();
        tokio::spawn(async move { push_rounds(&client, &second, 30, 50).await })
    };
    let mut restored_db = None;
    let restored_storage = match db.postgres.as_ref() {
        None => {
            let file = dir.path().join("backups").join("tally-backup.sqlite3");
            let copy = tally_council::backup::backup(storage, &file).await.unwrap();
            assert!(copy.holdings.entries >= before.entries && copy.holdings.receipts >= before.receipts);
            assert!(copy.holdings.audit_lines >= before.audit_lines);
            // Never over an existing file.
            let again = tally_council::backup::backup(storage, &file).await.unwrap_err();
            assert!(again.to_string().contains("already exists"), "{again}");
            pushing.await.unwrap();

            // Restored into an empty data directory: the copy as it was taken, checked.
            let data = dir.path().join("restored");
            let database = data.join(tally_council::SQLITE_FILE);
            let restored = tally_council::backup::restore(&file, &database).await.unwrap();
            assert_eq!(restored.holdings, copy.holdings);
            assert_eq!(restored.audit_head, copy.audit_head);
            let over = tally_council::backup::restore(&file, &database).await.unwrap_err();
            assert!(over.to_string().contains("already exists"), "{over}");
            // A damaged backup is refused and nothing is put in place.
            let damaged = dir.path().join("damaged.sqlite3");
            let mut bytes = std::fs::read(&file).unwrap();
            bytes.truncate(bytes.len() / 2);
            std::fs::write(&damaged, bytes).unwrap();
            let elsewhere = dir.path().join("other").join(tally_council::SQLITE_FILE);
            assert!(tally_council::backup::restore(&damaged, &elsewhere).await.is_err());
            assert!(!elsewhere.exists());
            Storage::open(&tally_council::sqlite_url(&data).unwrap()).await.unwrap()
        }
        Some((base, _)) => {
            // Postgres: pg_dump while the pushes run, pg_restore into a new database.
            let file = dir.path().join("tally.dump");
            let dumped = std::process::Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(&file)
                .arg(&db.url)
                .status()
                .expect("pg_dump runs");
            assert!(dumped.success());
            pushing.await.unwrap();
            let name = format!("tally_restore_{}", uuid::Uuid::now_v7().simple());
            let admin = sqlx::AnyPool::connect(base).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await.unwrap();
            admin.close().await;
            let (prefix, _) = base.rsplit_once('/').unwrap();
            let url = format!("{prefix}/{name}");
            let restored = std::process::Command::new("pg_restore")
                .args(["--no-owner", "--exit-on-error", "--dbname"])
                .arg(&url)
                .arg(&file)
                .status()
                .expect("pg_restore runs");
            assert!(restored.success());
            restored_db = Some((base.clone(), name));
            Storage::open(&url).await.unwrap()
        }
    };

    // Every record and photo in the copy is the live one, the chain holds, and everything
    // stored before the backup began is there.
    let copy = restored_storage.holdings().await.unwrap();
    let live = storage.holdings().await.unwrap();
    assert!(copy.entries >= before.entries && copy.entries <= live.entries, "{before:?} {copy:?} {live:?}");
    assert!(copy.receipts >= before.receipts && copy.receipts <= live.receipts);
    assert!(copy.audit_lines >= before.audit_lines && copy.audit_lines <= live.audit_lines);
    assert_eq!(copy.accounts, live.accounts);
    assert!(restored_storage.verify_audit().await.unwrap().first_break.is_none());
    let restored_client = Client::new(&restored_storage);
    let theirs = restored_client.pull_all(&device).await;
    let ours = client.pull_all(&device).await;
    for entry in &theirs {
        assert!(ours.contains(entry), "a record in the copy is not the live one: {entry:?}");
    }
    let first_device = |all: &[tally_ledger::Entry]| -> Vec<tally_ledger::Entry> {
        all.iter().filter(|e| e.author.device == Some(device.device_id)).cloned().collect()
    };
    assert_eq!(first_device(&theirs).len(), 20);
    assert_eq!(first_device(&theirs), first_device(&ours), "the records stored before the backup are all in it");
    let photo = jpeg(1, 3_000);
    let uri = format!("/api/v1/accounts/{}/receipts/{}", device.account.account_id, sha256_hex(&photo));
    let got = restored_client.get(&uri, Some(&device.token)).await;
    assert_eq!(got.status, StatusCode::OK, "the photo is in the copy");
    restored_storage.close().await;
    if let Some((base, name)) = restored_db {
        let admin = sqlx::AnyPool::connect(&base).await.unwrap();
        sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&admin).await.unwrap();
        admin.close().await;
    }
}

/// `serve` will not put the demo's published passwords on a server unless it runs the demo.
#[tokio::test]
async fn serve_refuses_the_demos_published_passwords_unless_it_runs_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::open(&tally_council::sqlite_url(dir.path()).unwrap()).await.unwrap();
    seed::ensure_demo(&storage).await.unwrap();
    storage.close().await;
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_tally-council"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--addr", "127.0.0.1:0", "--dist", "no-such-dist"])
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("the demo's published passwords (finance.officer@demo.invalid"), "{said}");
    assert!(!String::from_utf8_lossy(&refused.stdout).contains("is running"));
}

async fn subject_access_scenario(storage: &Storage) {
    let client = Client::new(storage);
    let device = client.paired(storage).await;
    push_rounds(&client, &device, 3, 9).await;
    let admin = client.sign_in(seed::DEMO_ADMIN_EMAIL, seed::DEMO_ADMIN_PASSWORD).await.unwrap();
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let uri = format!("/api/v1/council/accounts/{}/subject-access.zip", seed::DEMO_REFERENCE);
    assert_eq!(client.staff(Method::GET, &uri, &officer, false, None).await.status, StatusCode::FORBIDDEN);

    let request = axum::http::Request::builder()
        .method(Method::GET)
        .uri(&uri)
        .header(axum::http::header::COOKIE, format!("tally_staff={}", admin.cookie))
        .body(axum::body::Body::empty())
        .unwrap();
    let (status, headers, bytes) = client.exchange(request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[axum::http::header::CONTENT_TYPE], "application/zip");
    assert_eq!(headers[axum::http::header::CACHE_CONTROL], "no-store");
    assert!(headers[axum::http::header::CONTENT_DISPOSITION].to_str().unwrap().contains("subject-access-DP-000001-"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut read = |name: &str| -> Vec<u8> {
        let mut file = zip.by_name(name).unwrap_or_else(|_| panic!("{name} in the zip"));
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut out).unwrap();
        out
    };
    let readme = String::from_utf8(read("README.txt")).unwrap();
    assert!(readme.contains("Alex Morgan (account DP-000001)"), "{readme}");
    let account: Value = serde_json::from_slice(&read("account.json")).unwrap();
    assert_eq!(account["person_name"], "Alex Morgan");
    assert!(!account["support_plan"]["versions"].as_array().unwrap().is_empty(), "{account}");
    let records: Vec<tally_ledger::Entry> = serde_json::from_slice(&read("records.json")).unwrap();
    let held = storage.all_entries(device.account.account_id).await.unwrap();
    assert_eq!(records, held, "every record, as held");
    assert_eq!(records.iter().filter(|e| e.author.device == Some(device.device_id)).count(), 15);
    let csv = String::from_utf8(read("records.csv")).unwrap();
    assert!(csv.lines().count() > 15 && csv.contains("Day centre"), "{csv}");
    let devices: Value = serde_json::from_slice(&read("devices.json")).unwrap();
    assert_eq!(devices[0]["device_id"], device.device_id.0.to_string());
    let audit_csv = String::from_utf8(read("audit.csv")).unwrap();
    assert!(audit_csv.contains("paired"), "{audit_csv}");
    for round in 0..3 {
        let photo = jpeg(9 + round as u8, 3_000 + round);
        assert_eq!(read(&format!("photos/{}.jpg", sha256_hex(&photo))), photo);
    }
    assert_eq!(zip.len(), 6 + 3, "{:?}", zip.file_names().collect::<Vec<_>>());

    // Taking it is in the trail.
    let log = client
        .staff(Method::GET, "/api/v1/council/audit-log?action=subject%20access%20export", &admin, false, None)
        .await;
    let line = &log.body["lines"][0];
    assert_eq!(line["reference"], seed::DEMO_REFERENCE);
    assert!(line["detail"].as_str().unwrap().contains("3 photos"), "{line}");
}

async fn sessions_scenario(storage: &Storage) {
    let client = Client::new(storage);
    seed::ensure_demo(storage).await.unwrap();
    let here = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let elsewhere = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let auditor = client.sign_in(seed::DEMO_AUDITOR_EMAIL, seed::DEMO_AUDITOR_PASSWORD).await.unwrap();
    let list = client.staff(Method::GET, "/api/v1/council/sessions", &here, false, None).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let sessions = list.body["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2, "only their own: {}", list.body);
    assert_eq!(sessions.iter().filter(|s| s["this_one"] == true).count(), 1);
    let other = sessions.iter().find(|s| s["this_one"] == false).unwrap()["id"].as_str().unwrap().to_owned();
    let theirs = client.staff(Method::GET, "/api/v1/council/sessions", &auditor, false, None).await;
    let auditors = theirs.body["sessions"][0]["id"].as_str().unwrap().to_owned();

    // Not someone else's; their own, once.
    let end = |id: &str| format!("/api/v1/council/sessions/{id}/end");
    assert_eq!(client.staff(Method::POST, &end(&auditors), &here, true, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(client.staff(Method::GET, "/api/v1/council/me", &auditor, false, None).await.status, StatusCode::OK);
    assert_eq!(client.staff(Method::POST, &end(&other), &here, false, None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(client.staff(Method::POST, &end(&other), &here, true, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(
        client.staff(Method::GET, "/api/v1/council/me", &elsewhere, false, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(client.staff(Method::GET, "/api/v1/council/me", &here, false, None).await.status, StatusCode::OK);
    assert_eq!(client.staff(Method::POST, &end(&other), &here, true, None).await.status, StatusCode::NOT_FOUND);
    let list = client.staff(Method::GET, "/api/v1/council/sessions", &here, false, None).await;
    assert_eq!(list.body["sessions"].as_array().unwrap().len(), 1);
    let council = storage.council_id_by_name(seed::DEMO_COUNCIL).await.unwrap().unwrap();
    let filter = tally_council::storage::AuditFilter { action: Some("session ended".to_owned()), ..Default::default() };
    let ended = storage.audit_of_council(&council, &filter, 10).await.unwrap();
    assert_eq!(ended.len(), 1, "one line for the one session ended");
}

/// Two councils on one server use the same account reference and the same staff emails;
/// neither learns anything of the other from an answer.
async fn councils_apart_scenario(storage: &Storage) {
    let client = Client::new(storage);
    let now = tally_council::now_ms();
    let mut ids = Vec::new();
    for (name, admin) in [("Eastshire Council", "admin@east.invalid"), ("Westshire Council", "admin@west.invalid")] {
        let made = setup::create_council(storage, name, admin, "An Administrator", "tester", now).await.unwrap();
        storage
            .set_two_factor_rule(&made.council_id, tally_council::storage::TwoFactorRule::Nobody, None, now)
            .await
            .unwrap();
        ids.push(made.council_id);
    }
    // The same email may be the first administrator of a second council.
    setup::create_council(storage, "Northshire Council", "admin@east.invalid", "Ann", "tester", now).await.unwrap();
    // Pat works for both councils, with one password; Lee has a different password at each.
    for id in &ids {
        staff_member(storage, id, "pat@shared.invalid", "finance_officer").await;
        staff_member(storage, id, "admin.helper@shared.invalid", "administrator").await;
    }
    let lee_west = tally_council::staff::hash_password("westshire only password").unwrap();
    staff_member(storage, &ids[0], "lee@shared.invalid", "finance_officer").await;
    storage
        .create_staff(
            &uuid::Uuid::now_v7().to_string(),
            &ids[1],
            "lee@shared.invalid",
            "Lee",
            tally_api::Role::FinanceOfficer,
            &lee_west,
            None,
            0,
        )
        .await
        .unwrap();

    // Lee's password picks the council: no question asked.
    let lee = client.sign_in("lee@shared.invalid", "westshire only password").await.unwrap();
    assert_eq!(lee.profile["council_name"], "Westshire Council");
    let lee = client.sign_in("LEE@shared.invalid", "a long enough password").await.unwrap();
    assert_eq!(lee.profile["council_name"], "Eastshire Council");
    assert_eq!(
        client.sign_in("lee@shared.invalid", "neither password").await.unwrap_err().status,
        StatusCode::UNAUTHORIZED
    );

    // Pat's opens both: the answer names the councils (only to someone with the password).
    let asked = client.sign_in("pat@shared.invalid", "a long enough password").await.unwrap_err();
    assert_eq!(asked.status, StatusCode::BAD_REQUEST);
    let said = message(&asked);
    assert!(
        said.contains("council: You work for more than one council here (Eastshire Council, Westshire Council)")
            || said.contains("council: You work for more than one council here (Westshire Council, Eastshire Council)"),
        "{said}"
    );
    let wrong = client.sign_in_with(json!({"email": "pat@shared.invalid", "password": "a long enough password", "council": "Northshire Council"})).await;
    assert_eq!(wrong.unwrap_err().status, StatusCode::BAD_REQUEST);
    let mut pat = Vec::new();
    for name in ["eastshire council", " Westshire Council "] {
        let session = client
            .sign_in_with(json!({"email": "pat@shared.invalid", "password": "a long enough password", "council": name}))
            .await
            .unwrap();
        assert_eq!(session.profile["council_name"].as_str().unwrap().to_lowercase(), name.trim().to_lowercase());
        pat.push(session);
    }

    // The same reference in each council: each has its own account, and sees only it.
    for (session, person) in pat.iter().zip(["Ada East", "Bo West"]) {
        let new = json!({"reference": "dp-000001", "person_name": person, "plan_starts": "2026-12-01", "plan_ends": "2027-11-30",
            "lines": [{"name": "Personal assistant hours", "category": "personal_assistant", "budget": "960", "period": "four_weekly"}]});
        let made = client.staff(Method::POST, "/api/v1/council/accounts", session, true, Some(new.clone())).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        let again = client.staff(Method::POST, "/api/v1/council/accounts", session, true, Some(new)).await;
        assert!(
            message(&again).contains("There is already an account with reference DP-000001"),
            "{}",
            message(&again)
        );
    }
    for (session, person, other) in [(&pat[0], "Ada East", "Bo West"), (&pat[1], "Bo West", "Ada East")] {
        let list = client.staff(Method::GET, "/api/v1/council/accounts", session, false, None).await;
        let text = list.body.to_string();
        assert!(text.contains(person) && !text.contains(other), "{text}");
        let one = client.staff(Method::GET, "/api/v1/council/accounts/DP-000001", session, false, None).await;
        assert_eq!(one.status, StatusCode::OK, "{}", one.body);
        assert!(one.body.to_string().contains(person) && !one.body.to_string().contains(other), "{}", one.body);
    }
    // The command line serves every council, so it asks which when a reference is shared.
    let shared = storage.account_by_reference(None, "DP-000001").await;
    assert!(shared.unwrap_err().to_string().contains("more than one council has an account DP-000001"));
    let west = storage.account_by_reference(Some("westshire council"), "DP-000001").await.unwrap().unwrap();
    assert_eq!(west.person_name, "Bo West");
    let link = setup::password_link_for(storage, None, "pat@shared.invalid", "tester", now).await;
    assert!(link.unwrap_err().to_string().contains("say which with --council"));
    setup::password_link_for(storage, Some("Eastshire Council"), "pat@shared.invalid", "tester", now).await.unwrap();

    // Giving access to someone who works for the other council is not refused, so it
    // says nothing about the other council's staff.
    let helper = client
        .sign_in_with(json!({"email": "admin.helper@shared.invalid", "password": "a long enough password", "council": "Eastshire Council"}))
        .await
        .unwrap();
    let add = json!({"name": "Lee West", "email": "lee@shared.invalid", "role": "auditor"});
    let refused = client.staff(Method::POST, "/api/v1/council/staff", &helper, true, Some(add)).await;
    assert!(message(&refused).contains("already has access"), "Lee already works for Eastshire: {}", message(&refused));
    let add = json!({"name": "Kim", "email": "kim@west.invalid", "role": "auditor"});
    staff_member(storage, &ids[1], "kim@west.invalid", "auditor").await;
    let added = client.staff(Method::POST, "/api/v1/council/staff", &helper, true, Some(add)).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
}

/// A call as a finance system makes it: HTTP Basic with the client's id and secret.
async fn as_client(
    client: &Client,
    method: Method,
    uri: &str,
    id: &str,
    secret: &str,
    body: Option<Value>,
) -> (StatusCode, String) {
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    let mut request =
        axum::http::Request::builder().method(method).uri(uri).header("authorization", format!("Basic {basic}"));
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    let request = request.body(axum::body::Body::from(body.map(|b| b.to_string()).unwrap_or_default())).unwrap();
    let (status, _, bytes) = client.exchange(request).await;
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn api_client_scenario(storage: &Storage) {
    let client = Client::new(storage);
    seed::ensure_demo(storage).await.unwrap();
    let admin = client.sign_in(seed::DEMO_ADMIN_EMAIL, seed::DEMO_ADMIN_PASSWORD).await.unwrap();
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let clients = "/api/v1/council/api-clients";
    let new = json!({"name": "Payments interface", "scopes": ["read", "exports"]});
    assert_eq!(
        client.staff(Method::POST, clients, &officer, true, Some(new.clone())).await.status,
        StatusCode::FORBIDDEN
    );
    let bad = client.staff(Method::POST, clients, &admin, true, Some(json!({"name": " ", "scopes": []}))).await;
    let said = message(&bad);
    assert!(said.contains("name: Enter what the client is") && said.contains("scopes: Choose at least one"), "{said}");
    let made = client.staff(Method::POST, clients, &admin, true, Some(new)).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let (id, secret) =
        (made.body["client_id"].as_str().unwrap().to_owned(), made.body["secret"].as_str().unwrap().to_owned());
    assert_eq!(secret.len(), 64);

    // Reading and exports, within its scopes.
    let (status, csv) = as_client(&client, Method::GET, "/api/v1/council/transactions.csv", &id, &secret, None).await;
    assert_eq!(status, StatusCode::OK, "{csv}");
    assert!(csv.lines().count() > 1, "{csv}");
    let (status, list) = as_client(&client, Method::GET, "/api/v1/council/accounts", &id, &secret, None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(list.contains(seed::DEMO_REFERENCE));
    // Refused outside them: a change, a person's whole file, staff access.
    let account = format!("/api/v1/council/accounts/{}", seed::DEMO_REFERENCE);
    let today = tally_ledger::date::iso_date(time::OffsetDateTime::now_utc().date());
    let payment = json!({"kind": "payment_in", "date": today, "amount": "1,480.00", "reference": "Interface run 7"});
    let (status, said) =
        as_client(&client, Method::POST, &format!("{account}/money-in"), &id, &secret, Some(payment.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(said.contains("needs the scope money_in, and has read, exports"), "{said}");
    for refused in [
        format!("{account}/subject-access.zip"),
        "/api/v1/council/staff".to_owned(),
        "/api/v1/council/audit-log".to_owned(),
    ] {
        let (status, said) = as_client(&client, Method::GET, &refused, &id, &secret, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}: {said}");
    }
    let (status, _) =
        as_client(&client, Method::GET, "/api/v1/council/accounts", &id, "0".repeat(64).as_str(), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = as_client(&client, Method::GET, "/api/v1/council/accounts", "tc_nobody", &secret, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A client that records money in: the payment is the council's record, made by the client.
    let made = client
        .staff(Method::POST, clients, &admin, true, Some(json!({"name": "Payments run", "scopes": ["money_in"]})))
        .await;
    let (payer, payer_secret) =
        (made.body["client_id"].as_str().unwrap().to_owned(), made.body["secret"].as_str().unwrap().to_owned());
    let (status, said) =
        as_client(&client, Method::POST, &format!("{account}/money-in"), &payer, &payer_secret, Some(payment)).await;
    assert_eq!(status, StatusCode::CREATED, "{said}");
    let (status, _) = as_client(&client, Method::GET, "/api/v1/council/accounts", &payer, &payer_secret, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "money_in alone does not read");
    let sheet = client.staff(Method::GET, &account, &officer, false, None).await;
    let sheet = sheet.body.to_string();
    assert!(sheet.contains("payment in of £1,480.00") && sheet.contains("\"who\":\"Payments run\""), "{sheet}");

    // Every call is in the audit log, named by the client; the staff list does not show clients.
    let log = client.staff(Method::GET, "/api/v1/council/audit-log", &admin, false, None).await.body.to_string();
    assert!(log.contains("GET /api/v1/council/transactions.csv") && log.contains("API call refused"), "{log}");
    assert!(log.contains("Payments run") && log.contains("money in"), "{log}");
    let staff = client.staff(Method::GET, "/api/v1/council/staff", &admin, false, None).await.body.to_string();
    assert!(!staff.contains("Payments") && !staff.contains("api-client:"), "{staff}");
    let listed = client.staff(Method::GET, clients, &admin, false, None).await;
    let listed = listed.body["clients"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1]["name"], "Payments interface");
    assert!(listed[1]["last_used_at_ms"].as_i64().is_some() && listed[1]["revoked_at_ms"].is_null());
    assert!(!listed.iter().any(|c| c.to_string().contains(&secret)));

    // Revoked: the secret stops working at once; once only.
    let revoke = format!("{clients}/{id}/revoke");
    assert_eq!(client.staff(Method::POST, &revoke, &admin, true, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(client.staff(Method::POST, &revoke, &admin, true, None).await.status, StatusCode::NOT_FOUND);
    let (status, _) = as_client(&client, Method::GET, "/api/v1/council/accounts", &id, &secret, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The OpenAPI description says how a client signs its calls.
    let description = serde_json::to_string(&tally_council::api::openapi()).unwrap();
    assert!(description.contains("api_client") && description.contains("/council/api-clients"));
}

async fn life_scenario(storage: &Storage) {
    let client = Client::new(storage);
    let device = client.paired(storage).await;
    assert_eq!(client.push(&device, vec![to_json(&spend(&device, 2_500, "Day centre"))]).await.status, StatusCode::OK);
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let auditor = client.sign_in(seed::DEMO_AUDITOR_EMAIL, seed::DEMO_AUDITOR_PASSWORD).await.unwrap();
    let account = format!("/api/v1/council/accounts/{}", seed::DEMO_REFERENCE);
    let today = time::OffsetDateTime::now_utc().date();
    let iso = |d: time::Date| tally_ledger::date::iso_date(d);
    let detail = || async { client.staff(Method::GET, &account, &officer, false, None).await.body };

    // The first review is due within six months of the plan's start.
    let starts =
        tally_ledger::date::parse_iso_date(detail().await["plan"]["versions"][0]["effective_from"].as_str().unwrap())
            .unwrap();
    assert_eq!(detail().await["life"]["next_review"], iso(tally_ledger::date::add_months(starts, 6)));

    // A weekly contribution of £20 with none recorded: listed, and it calls for a review sooner.
    let set = |weekly: &str| json!({"weekly": weekly});
    let bad = client.staff(Method::POST, &format!("{account}/contribution"), &officer, true, Some(set("twenty"))).await;
    assert!(message(&bad).starts_with("weekly: "), "{}", message(&bad));
    let refused =
        client.staff(Method::POST, &format!("{account}/contribution"), &auditor, true, Some(set("£20"))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let done = client.staff(Method::POST, &format!("{account}/contribution"), &officer, true, Some(set("£20"))).await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.body);
    let said = detail().await["summary"]["exceptions"].to_string();
    assert!(said.contains("Contribution not paid: £") && said.contains("Review needed sooner than"), "{said}");
    assert!(said.contains("the contribution is not being paid"), "{said}");
    let listed = client
        .staff(Method::GET, "/api/v1/council/accounts?exception=contribution_not_paid", &officer, false, None)
        .await;
    assert!(listed.body.to_string().contains(seed::DEMO_REFERENCE), "{}", listed.body);
    // Paid: the exception goes.
    let paid = json!({"kind": "contribution", "date": iso(today), "amount": "£200", "reference": "Catching up"});
    assert_eq!(
        client.staff(Method::POST, &format!("{account}/money-in"), &officer, true, Some(paid)).await.status,
        StatusCode::CREATED
    );
    assert!(!detail().await["summary"]["exceptions"].to_string().contains("Contribution not paid"));

    // A review done: the next is a year after it.
    let future = json!({"done_on": iso(tally_ledger::date::add_days(today, 3)), "note": ""});
    let bad = client.staff(Method::POST, &format!("{account}/reviews"), &officer, true, Some(future)).await;
    assert!(message(&bad).contains("done_on: The review's date cannot be after today"), "{}", message(&bad));
    let review = json!({"done_on": iso(today), "note": "Plan still meets Alex's needs"});
    assert_eq!(
        client.staff(Method::POST, &format!("{account}/reviews"), &officer, true, Some(review)).await.status,
        StatusCode::CREATED
    );
    let life = detail().await["life"].clone();
    assert_eq!(life["next_review"], iso(tally_ledger::date::add_months(today, 12)));
    assert_eq!(life["reviews"][0]["note"], "Plan still meets Alex's needs");
    assert_eq!(life["reviews"][0]["by"], "Sam Patel");

    // Ending it: what is left is recorded as the final surplus to return.
    let before: Value = detail().await;
    let left: tally_ledger::Money = serde_json::from_value(before["summary"]["balance"].clone()).unwrap();
    assert!(left.is_positive());
    let end = |on: time::Date, reason: &str| json!({"ended_on": iso(on), "reason": reason});
    let bad = client
        .staff(
            Method::POST,
            &format!("{account}/end"),
            &officer,
            true,
            Some(end(tally_ledger::date::add_days(today, 1), " ")),
        )
        .await;
    let said = message(&bad);
    assert!(
        said.contains("ended_on: The last day cannot be after today") && said.contains("reason: Say why it ends"),
        "{said}"
    );
    let ended = client
        .staff(
            Method::POST,
            &format!("{account}/end"),
            &officer,
            true,
            Some(end(today, "You moved to a care home, which the council now pays for directly")),
        )
        .await;
    assert_eq!(ended.status, StatusCode::NO_CONTENT, "{}", ended.body);
    let after: Value = detail().await;
    assert_eq!(after["summary"]["balance"], "0.00");
    assert_eq!(after["life"]["ended"]["reason"], "You moved to a care home, which the council now pays for directly");
    assert!(after["life"]["next_review"].is_null());
    assert!(after["summary"]["exceptions"].to_string().contains("Direct payment ended on"), "{}", after["summary"]);
    assert!(after["audit"].to_string().contains(&format!("final surplus {left} to return")), "{}", after["audit"]);
    assert!(after["devices"][0]["revoked_ms"].as_i64().is_some());

    // The phone is told plainly; the account is read-only and kept.
    let pulled = client
        .get(&format!("/api/v1/accounts/{}/entries?after=0", device.account.account_id), Some(&device.token))
        .await;
    assert_eq!(pulled.status, StatusCode::UNAUTHORIZED);
    let told = message(&pulled);
    assert!(told.starts_with("Your direct payment from Demo Council ended on") || told.contains("ended on"), "{told}");
    assert!(told.contains("You moved to a care home") && told.contains("stays here for you to look at"), "{told}");
    let money = json!({"kind": "payment_in", "date": iso(today), "amount": "£10", "reference": "x"});
    let refused = client.staff(Method::POST, &format!("{account}/money-in"), &officer, true, Some(money)).await;
    assert!(
        message(&refused).contains("ended on") && message(&refused).contains("cannot be changed"),
        "{}",
        message(&refused)
    );
    let refused = client.staff(Method::POST, &format!("{account}/pairing-codes"), &officer, true, None).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let again = client.staff(Method::POST, &format!("{account}/end"), &officer, true, Some(end(today, "Again"))).await;
    assert!(message(&again).contains("ended on"), "{}", message(&again));
    let review = json!({"done_on": iso(today), "note": ""});
    assert_eq!(
        client.staff(Method::POST, &format!("{account}/reviews"), &officer, true, Some(review)).await.status,
        StatusCode::BAD_REQUEST
    );
}

async fn retention_scenario(storage: &Storage) {
    let client = Client::new(storage);
    let state = tally_council::AppState::new(storage.clone());
    let device = client.paired(storage).await;
    let account_id = device.account.account_id;
    let photo = jpeg(7, 2_000);
    let photo_uri = format!("/api/v1/accounts/{account_id}/receipts/{}", sha256_hex(&photo));
    let (status, _) = client.send_bytes(Method::PUT, &photo_uri, &device.token, "image/jpeg", photo).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(client.push(&device, vec![to_json(&spend(&device, 2_500, "Day centre"))]).await.status, StatusCode::OK);
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let admin = client.sign_in(seed::DEMO_ADMIN_EMAIL, seed::DEMO_ADMIN_PASSWORD).await.unwrap();
    let account = format!("/api/v1/council/accounts/{}", seed::DEMO_REFERENCE);
    let today = time::OffsetDateTime::now_utc().date();

    // The retention period is the council's policy: 3 to 7 years.
    let mut policy = json!({"contingency_weeks": "8", "receipt_threshold": "50", "per_entry_maximum": "5000",
        "cash_allowed": true, "respite_cap_weeks": "4", "banned_categories": [], "retention_years": "12"});
    let bad = client.staff(Method::POST, "/api/v1/council/policy", &admin, true, Some(policy.clone())).await;
    assert!(message(&bad).contains("retention: Enter how many years"), "{}", message(&bad));
    policy["retention_years"] = json!("3");
    let set = client.staff(Method::POST, "/api/v1/council/policy", &admin, true, Some(policy)).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(set.body["retention_years"], 3);

    let end = json!({"ended_on": tally_ledger::date::iso_date(today), "reason": "Alex Morgan moved away"});
    assert_eq!(
        client.staff(Method::POST, &format!("{account}/end"), &officer, true, Some(end)).await.status,
        StatusCode::NO_CONTENT
    );
    let period = "from=2000-01-01&to=";
    let figures_uri = format!("/api/v1/council/figures?{period}{}", tally_ledger::date::iso_date(today));
    let figures_before = client.staff(Method::GET, &figures_uri, &officer, false, None).await;
    assert_eq!(figures_before.status, StatusCode::OK, "{}", figures_before.body);

    // Within the period: kept whole.
    let now = tally_council::now_ms();
    let almost = tally_ledger::date::add_months(today, 36);
    assert_eq!(tally_council::retention::apply(&state, almost, now).await.unwrap(), 0);
    // After it: anonymised once.
    let after = tally_ledger::date::add_days(almost, 1);
    assert_eq!(tally_council::retention::apply(&state, after, now).await.unwrap(), 1);
    assert_eq!(tally_council::retention::apply(&state, after, now).await.unwrap(), 0);

    let listed = client.staff(Method::GET, "/api/v1/council/accounts?search=alex", &officer, false, None).await;
    assert!(!listed.body.to_string().contains(seed::DEMO_REFERENCE), "{}", listed.body);
    let all = client.staff(Method::GET, "/api/v1/council/accounts", &officer, false, None).await.body.to_string();
    assert!(!all.contains("Alex Morgan") && all.contains("Anonymised") && all.contains("ANON-"), "{all}");
    let reference = storage
        .accounts_by_reference(&format!("ANON-{}", account_id.to_string().replace('-', "")[..12].to_uppercase()))
        .await
        .unwrap();
    assert_eq!(reference.len(), 1);
    let page = client
        .staff(Method::GET, &format!("/api/v1/council/accounts/{}", reference[0].reference), &officer, false, None)
        .await;
    let text = page.body.to_string();
    assert!(
        !text.contains("Alex Morgan") && !text.contains("Get out for fresh air") && !text.contains("moved away"),
        "{text}"
    );
    assert!(text.contains("account anonymised"), "{text}");
    // The photo is gone; the figures are as they were.
    let (status, _) = client.send_bytes(Method::GET, &photo_uri, &device.token, "", Vec::new()).await;
    assert_ne!(status, StatusCode::OK);
    let figures_after = client.staff(Method::GET, &figures_uri, &officer, false, None).await;
    assert_eq!(figures_after.body, figures_before.body);
}
