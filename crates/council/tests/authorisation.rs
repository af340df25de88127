//! Who may use what: every route of the API (from the router's own list, so a new route
//! cannot escape) × every kind of caller (nobody, a device of the account, a device of
//! another account, a revoked device, each staff role, staff of another council), with the
//! answer each must get. On SQLite and Postgres.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{json, Value};
use tally_api::{PairResponse, PushStatus};
use tally_council::storage::Storage;
use tally_council::{issue_pairing_code, seed};

on_every_database! {
    every_route_answers_each_caller_as_its_access_says => matrix_scenario;
}

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    /// Anyone (the health check, the description, pairing and signing in).
    Public,
    /// A device paired with the account in the address.
    Device,
    /// Any member of the council's staff.
    StaffRead,
    /// Finance officers and administrators.
    StaffChange,
    /// Administrators only.
    StaffAdmin,
}

/// The access of every route. A route missing here fails the test: decide who may use it.
fn access(method: &Method, path: &str) -> Access {
    use Access::*;
    let get = method == Method::GET;
    match path {
        "/health" | "/openapi.json" | "/pairings" | "/council/sign-in" => Public,
        // A one-time link's secret is the authority.
        "/council/password-link/details" | "/council/password-link" => Public,
        p if p.starts_with("/accounts/{account_id}") => Device,
        "/council/staff"
        | "/council/staff/{staff_id}/role"
        | "/council/staff/{staff_id}/remove"
        | "/council/staff/{staff_id}/sign-in-failures/clear"
        | "/council/staff/{staff_id}/password-link"
        | "/council/staff/{staff_id}/two-factor/reset"
        | "/council/accounts/{reference}/subject-access.zip"
        | "/council/two-factor/rule"
        | "/council/api-clients"
        | "/council/api-clients/{client_id}/revoke"
        | "/council/audit-log" => StaffAdmin,
        "/council/policy" if !get => StaffAdmin,
        "/council/sign-out"
        | "/council/me"
        | "/council/password"
        | "/council/sessions"
        | "/council/sessions/{id}/end"
        | "/council/two-factor/setup"
        | "/council/two-factor/confirm" => StaffRead,
        p if p.starts_with("/council/") && get => StaffRead,
        "/council/accounts"
        | "/council/accounts/{reference}/decisions"
        | "/council/reviews/decisions"
        | "/council/accounts/{reference}/pairing-codes"
        | "/council/devices/{device_id}/revoke"
        | "/council/accounts/{reference}/money-in"
        | "/council/accounts/{reference}/clawbacks"
        | "/council/accounts/{reference}/payment-schedules"
        | "/council/accounts/{reference}/payment-schedules/{schedule_id}/stop"
        | "/council/accounts/{reference}/plan-versions"
        | "/council/accounts/{reference}/safeguarding"
        | "/council/statement-formats"
        | "/council/statement-formats/proposal"
        | "/council/accounts/{reference}/statements"
        | "/council/accounts/{reference}/statements/{statement_id}/lines/{line_no}"
        | "/council/accounts/{reference}/statements/{statement_id}/close"
        | "/council/accounts/{reference}/statements/{statement_id}/queries"
        | "/council/accounts/{reference}/statements/{statement_id}/lines/{line_no}/query-decision"
        | "/council/accounts/{reference}/statements/{statement_id}/late-records-seen"
        | "/council/accounts/{reference}/statements/{statement_id}/charges"
        | "/council/statement-feeds"
        | "/council/accounts/{reference}/cards"
        | "/council/accounts/{reference}/cards/removal"
        | "/council/accounts/{reference}/reviews"
        | "/council/accounts/{reference}/contribution"
        | "/council/accounts/{reference}/end" => StaffChange,
        _ => panic!("no access is set for {method} {path}: add it to the authorisation matrix"),
    }
}

/// Whether the route is about one account or device of the council (staff of another
/// council are told it does not exist).
fn about_one_account(path: &str) -> bool {
    path.contains("{reference}") || path.contains("{device_id}")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Caller {
    Nobody,
    ThisDevice,
    OtherAccountsDevice,
    RevokedDevice,
    Officer,
    Auditor,
    Administrator,
    OtherCouncilsOfficer,
}

const CALLERS: [Caller; 8] = [
    Caller::Nobody,
    Caller::ThisDevice,
    Caller::OtherAccountsDevice,
    Caller::RevokedDevice,
    Caller::OtherCouncilsOfficer,
    Caller::Auditor,
    // Last, as their changes are real (a device revoked, a schedule stopped).
    Caller::Officer,
    Caller::Administrator,
];

/// What a caller must get, as a check on the status.
#[derive(Debug)]
enum Expect {
    Status(StatusCode),
    /// Let through: anything but 401, 403 or a server error (a 400 for an empty form is fine).
    Allowed,
    /// Let through, and the account found: as [`Expect::Allowed`], and not "no account".
    AllowedForAccount,
}

fn expected(access: Access, path: &str, caller: Caller) -> Expect {
    use Caller::*;
    let staff = matches!(caller, Officer | Auditor | Administrator | OtherCouncilsOfficer);
    match access {
        Access::Public => Expect::Allowed,
        Access::Device => match caller {
            ThisDevice => Expect::AllowedForAccount,
            OtherAccountsDevice => Expect::Status(StatusCode::FORBIDDEN),
            _ => Expect::Status(StatusCode::UNAUTHORIZED),
        },
        _ if !staff => Expect::Status(StatusCode::UNAUTHORIZED),
        _ if caller == OtherCouncilsOfficer && about_one_account(path) => Expect::Status(StatusCode::NOT_FOUND),
        Access::StaffRead => Expect::AllowedForAccount,
        Access::StaffChange if matches!(caller, Officer | Administrator | OtherCouncilsOfficer) => {
            Expect::AllowedForAccount
        }
        Access::StaffAdmin if caller == Administrator => Expect::AllowedForAccount,
        _ => Expect::Status(StatusCode::FORBIDDEN),
    }
}

struct World {
    alex: PairResponse,
    pat: PairResponse,
    revoked: PairResponse,
    to_revoke: PairResponse,
    officer: StaffSession,
    auditor: StaffSession,
    administrator: StaffSession,
    other_officer: StaffSession,
    statement_id: String,
    schedule_id: String,
    spare_staff_id: String,
    receipt: String,
}

async fn world(client: &Client, storage: &Storage) -> World {
    let alex = client.paired(storage).await;
    let account = alex.account.account_id;
    let pat_account = storage.account_by_reference(None, seed::DEMO_SECOND_REFERENCE).await.unwrap().unwrap();
    let pat = client.pair(&issue_pairing_code(storage, pat_account.account_id, None).await.unwrap()).await;
    let revoked = client.pair(&issue_pairing_code(storage, account, None).await.unwrap()).await;
    storage
        .revoke_device(revoked.device_id, &tally_council::storage::AuditEvent::server("device revoked", "by a test"), 1)
        .await
        .unwrap();
    let to_revoke = client.pair(&issue_pairing_code(storage, account, None).await.unwrap()).await;
    let officer = client.sign_in(seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD).await.unwrap();
    let auditor = client.sign_in(seed::DEMO_AUDITOR_EMAIL, seed::DEMO_AUDITOR_PASSWORD).await.unwrap();
    let administrator = client.sign_in(seed::DEMO_ADMIN_EMAIL, seed::DEMO_ADMIN_PASSWORD).await.unwrap();
    storage
        .create_council("other-council", "Other Borough Council", &tally_ledger::CouncilPolicy::default(), 0)
        .await
        .unwrap();
    staff_member(storage, "other-council", "officer@other.invalid", "finance_officer").await;
    let other_officer = client.sign_in("officer@other.invalid", "a long enough password").await.unwrap();
    let council_id = storage.council_id_by_name(seed::DEMO_COUNCIL).await.unwrap().unwrap();
    staff_member(storage, &council_id, "spare@demo.invalid", "auditor").await;
    let spare_staff_id = storage.staff_with_email("spare@demo.invalid").await.unwrap().remove(0).staff_id;
    // A statement, a schedule and a receipt photo for the routes that name one.
    let base = format!("/api/v1/council/accounts/{}", seed::DEMO_REFERENCE);
    let csv = "Date,Description,Reference,Money out,Money in,Balance\n03/11/2026,CORNER SHOP,CARD,4.50,,\"1,000.00\"\n";
    let imported = client
        .staff(
            Method::POST,
            &format!("{base}/statements"),
            &officer,
            true,
            Some(json!({"format": "Bank statement (sample format)", "csv": csv})),
        )
        .await;
    assert_eq!(imported.status, StatusCode::CREATED, "{}", imported.body);
    let statement_id = imported.body["statement_id"].as_str().unwrap().to_owned();
    let first = tally_ledger::date::iso_date(time::OffsetDateTime::now_utc().date() + time::Duration::days(30));
    let scheduled = client
        .staff(
            Method::POST,
            &format!("{base}/payment-schedules"),
            &officer,
            true,
            Some(json!({"amount": "10.00", "every_weeks": "4", "first_date": first, "reference": "x"})),
        )
        .await;
    assert_eq!(scheduled.status, StatusCode::CREATED, "{}", scheduled.body);
    let schedule_id = scheduled.body[0]["schedule_id"].as_str().unwrap().to_owned();
    let photo = jpeg(7, 600);
    let receipt = sha256_hex(&photo);
    let uri = format!("/api/v1/accounts/{account}/receipts/{receipt}");
    let (status, _) = client.send_bytes(Method::PUT, &uri, &alex.token, "image/jpeg", photo).await;
    assert!(status.is_success(), "{status}");
    let mut with_receipt = spend(&alex, 450, "Corner Shop");
    if let tally_ledger::EntryBody::Spend(s) = &mut with_receipt.body {
        s.receipts = vec![tally_ledger::ReceiptRef(receipt.clone())];
    }
    assert_eq!(statuses(&client.push(&alex, vec![to_json(&with_receipt)]).await), vec![PushStatus::Stored]);
    World {
        alex,
        pat,
        revoked,
        to_revoke,
        officer,
        auditor,
        administrator,
        other_officer,
        statement_id,
        schedule_id,
        spare_staff_id,
        receipt,
    }
}

impl World {
    fn fill(&self, path: &str) -> String {
        path.replace("{account_id}", &self.alex.account.account_id.to_string())
            .replace("{reference}", seed::DEMO_REFERENCE)
            .replace("{statement_id}", &self.statement_id)
            .replace("{line_no}", "2")
            .replace("{schedule_id}", &self.schedule_id)
            .replace("{staff_id}", &self.spare_staff_id)
            .replace("{device_id}", &self.to_revoke.device_id.to_string())
            .replace("{sha256}", &self.receipt)
    }

    async fn call(&self, client: &Client, caller: Caller, method: Method, uri: &str) -> Reply {
        let body = (method != Method::GET).then(|| json!({}));
        let device = |d: &PairResponse| Some(d.token.clone());
        let token = match caller {
            Caller::ThisDevice => device(&self.alex),
            Caller::OtherAccountsDevice => device(&self.pat),
            Caller::RevokedDevice => device(&self.revoked),
            _ => None,
        };
        let session = match caller {
            Caller::Officer => Some(&self.officer),
            Caller::Auditor => Some(&self.auditor),
            Caller::Administrator => Some(&self.administrator),
            Caller::OtherCouncilsOfficer => Some(&self.other_officer),
            _ => None,
        };
        match session {
            Some(session) => client.staff(method.clone(), uri, session, method != Method::GET, body).await,
            None => client.send(method, uri, token.as_deref(), body.map(|b: Value| b.to_string())).await,
        }
    }
}

async fn matrix_scenario(storage: &Storage) {
    let client = Client::new(storage);
    seed::ensure_demo(storage).await.unwrap();
    let world = world(&client, storage).await;
    let routes = tally_council::api::routes();
    assert!(routes.len() >= 45, "{}", routes.len());
    let mut checked = 0;
    for caller in CALLERS {
        for (method, path) in &routes {
            // Signing out ends the session: each caller does it last.
            if *path == "/council/sign-out" {
                continue;
            }
            let uri = format!("/api/v1{}", world.fill(path));
            let reply = world.call(&client, caller, method.clone(), &uri).await;
            let want = expected(access(method, path), path, caller);
            let what = format!("{caller:?} {method} {path}: {} {}", reply.status, reply.body);
            match want {
                Expect::Status(status) => assert_eq!(reply.status, status, "{what}"),
                Expect::Allowed | Expect::AllowedForAccount => {
                    assert!(!matches!(reply.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN), "{what}");
                    assert!(!reply.status.is_server_error(), "{what}");
                    if matches!(want, Expect::AllowedForAccount) {
                        assert!(!message(&reply).starts_with("There is no account"), "{what}");
                    }
                }
            }
            checked += 1;
        }
        let signed_out = world.call(&client, caller, Method::POST, "/api/v1/council/sign-out").await;
        let want = if matches!(
            caller,
            Caller::Officer | Caller::Auditor | Caller::Administrator | Caller::OtherCouncilsOfficer
        ) {
            StatusCode::NO_CONTENT
        } else {
            StatusCode::UNAUTHORIZED
        };
        assert_eq!(signed_out.status, want, "{caller:?} signing out");
        checked += 1;
    }
    assert_eq!(checked, CALLERS.len() * routes.len());

    // Each route answers only the methods listed for it: every other one is "not
    // allowed", so the list the matrix walks is whole.
    for path in routes.iter().map(|(_, path)| *path).collect::<std::collections::BTreeSet<_>>() {
        for method in [Method::GET, Method::POST, Method::PUT, Method::DELETE, Method::PATCH] {
            if routes.iter().any(|(m, p)| *p == path && *m == method) {
                continue;
            }
            let reply = client.send(method.clone(), &format!("/api/v1{}", world.fill(path)), None, None).await;
            assert_eq!(
                reply.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} is served but not in the route list"
            );
        }
    }
}
