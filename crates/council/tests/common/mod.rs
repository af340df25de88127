//! What the council server's integration tests share: a real database for each test
//! (SQLite always, Postgres when `TALLY_TEST_POSTGRES_URL` names a server), a client that
//! drives the router as the wallet and the workspace do, and small record builders.

#![allow(dead_code, unused_macros, unused_imports)]

pub mod contract;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tally_api::{PairResponse, PullResponse, PushResponse, PushStatus};
use tally_council::storage::Storage;
use tally_council::{app, seed, sqlite_url, AppState};
use tally_ledger::{Author, Entry, EntryBody, EntryId, Money, PlanLineId, Spend};
use time::macros::{date, datetime};
use tower::ServiceExt;
use uuid::Uuid;

/// A database for one test, removed afterwards.
pub struct TestDb {
    pub storage: Storage,
    pub _dir: Option<tempfile::TempDir>,
    pub postgres: Option<(String, String)>,
    pub url: String,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = sqlite_url(dir.path()).unwrap();
        let storage = Storage::open(&url).await.unwrap();
        TestDb { storage, _dir: Some(dir), postgres: None, url }
    }

    /// A connection of the test's own to the same database, for planting rows no API
    /// would write (a damaged record).
    pub async fn raw(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.url).await.unwrap()
    }

    /// A fresh database on the Postgres server, or `None` when no server was given.
    pub async fn postgres() -> Option<TestDb> {
        let base = std::env::var("TALLY_TEST_POSTGRES_URL").ok()?;
        sqlx::any::install_default_drivers();
        let name = format!("tally_test_{}", Uuid::now_v7().simple());
        let admin = sqlx::AnyPool::connect(&base).await.expect("the Postgres test server answers");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await.unwrap();
        admin.close().await;
        let (prefix, _) = base.rsplit_once('/').expect("a Postgres URL ends with /database");
        let url = format!("{prefix}/{name}");
        let storage = Storage::open(&url).await.unwrap();
        Some(TestDb { storage, _dir: None, postgres: Some((base, name)), url })
    }

    pub async fn drop_db(self) {
        self.storage.close().await;
        if let Some((base, name)) = self.postgres {
            let admin = sqlx::AnyPool::connect(&base).await.unwrap();
            sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&admin).await.unwrap();
            admin.close().await;
        }
    }
}

/// After a scenario: the kept account summaries, once those marked out of date are brought
/// up to date the way the pages and the background task do it, are what rebuilding them
/// from the records gives. A change that forgot to mark a summary fails here.
pub async fn summaries_are_right(storage: &Storage) {
    let state = AppState::new(storage.clone());
    tally_council::api::summaries::catch_up(&state).await.unwrap();
    for council in storage.council_ids().await.unwrap() {
        let differ = tally_council::api::summaries::differences(&state, &council).await.unwrap();
        assert!(differ.is_empty(), "kept summaries differ from the records: {differ:#?}");
    }
}

/// Runs a scenario on SQLite, then on Postgres when there is one, and checks the kept
/// summaries afterwards.
macro_rules! on_every_database {
    ($($name:ident => $scenario:ident;)*) => {$(
        #[tokio::test]
        async fn $name() {
            let db = TestDb::sqlite().await;
            $scenario(&db.storage).await;
            summaries_are_right(&db.storage).await;
            db.drop_db().await;
            if let Some(db) = TestDb::postgres().await {
                $scenario(&db.storage).await;
                summaries_are_right(&db.storage).await;
                db.drop_db().await;
            }
        }
    )*};
}
pub(crate) use on_every_database;

/// [`on_every_database`] for scenarios that need the database itself (`&TestDb`).
macro_rules! on_every_test_db {
    ($($name:ident => $scenario:ident;)*) => {$(
        #[tokio::test]
        async fn $name() {
            let db = TestDb::sqlite().await;
            $scenario(&db).await;
            summaries_are_right(&db.storage).await;
            db.drop_db().await;
            if let Some(db) = TestDb::postgres().await {
                $scenario(&db).await;
                summaries_are_right(&db.storage).await;
                db.drop_db().await;
            }
        }
    )*};
}
pub(crate) use on_every_test_db;

pub struct Client {
    pub router: Router,
    /// The address requests come from (as a real server's connection gives it).
    pub peer: Option<std::net::SocketAddr>,
}

#[derive(Debug)]
pub struct StaffSession {
    pub cookie: String,
    pub csrf: String,
    pub profile: Value,
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Client {
    pub fn new(storage: &Storage) -> Client {
        Client { router: app(AppState::new(storage.clone()), None), peer: None }
    }

    /// A client of a server with these settings and limits.
    pub fn with(storage: &Storage, config: tally_council::Config, limits: tally_council::guard::Limits) -> Client {
        Client { router: app(AppState::with(storage.clone(), config, limits), None), peer: None }
    }

    /// The same server, reached from another address.
    pub fn at_address(&self, ip: [u8; 4]) -> Client {
        Client { router: self.router.clone(), peer: Some(std::net::SocketAddr::from((ip, 40_000))) }
    }

    /// A client of a server whose clock reads `at`.
    pub fn at(storage: &Storage, at: time::OffsetDateTime) -> Client {
        let state = AppState { clock: tally_council::Clock::fixed(at), ..AppState::new(storage.clone()) };
        Client { router: app(state, None), peer: None }
    }

    pub async fn send(&self, method: Method, uri: &str, token: Option<&str>, body: Option<String>) -> Reply {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => request.header(header::CONTENT_TYPE, "application/json").body(Body::from(body)),
            None => request.body(Body::empty()),
        }
        .unwrap();
        let (status, _, bytes) = self.exchange(request).await;
        Reply { status, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null) }
    }

    /// Sends a request; the answer, checked against the API's description first.
    pub async fn exchange(&self, mut request: Request<Body>) -> (StatusCode, header::HeaderMap, Vec<u8>) {
        if let Some(peer) = self.peer {
            request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
        }
        let method = request.method().clone();
        let uri = request.uri().to_string();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes().to_vec();
        let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        contract::check(&method, &uri, status, content_type, &bytes);
        (status, headers, bytes)
    }

    /// Sends raw bytes with a content type; the reply body as bytes too.
    pub async fn send_bytes(
        &self,
        method: Method,
        uri: &str,
        token: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Vec<u8>) {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap();
        let (status, _, bytes) = self.exchange(request).await;
        (status, bytes)
    }

    /// A workspace request: the session cookie and (for changes) the CSRF header, as the
    /// workspace in a browser sends them.
    pub async fn staff(
        &self,
        method: Method,
        uri: &str,
        session: &StaffSession,
        csrf: bool,
        body: Option<Value>,
    ) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::COOKIE, format!("tally_staff={}", session.cookie));
        if csrf {
            request = request.header("x-csrf-token", &session.csrf);
        }
        let request = match body {
            Some(body) => request.header(header::CONTENT_TYPE, "application/json").body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        }
        .unwrap();
        let (status, _, bytes) = self.exchange(request).await;
        Reply { status, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null) }
    }

    /// Signs in; the session cookie and CSRF token, or the refusal.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<StaffSession, Reply> {
        self.sign_in_with(json!({"email": email, "password": password})).await
    }

    /// Signs in with a two-factor code too.
    pub async fn sign_in_with_code(&self, email: &str, password: &str, code: &str) -> Result<StaffSession, Reply> {
        self.sign_in_with(json!({"email": email, "password": password, "code": code})).await
    }

    /// Signs in with any body (a council's name, say).
    pub async fn sign_in_with(&self, body: Value) -> Result<StaffSession, Reply> {
        let request = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/council/sign-in")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let (status, headers, bytes) = self.exchange(request).await;
        let cookie = headers.get(header::SET_COOKIE).map(|v| v.to_str().unwrap().to_owned());
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if status != StatusCode::OK {
            return Err(Reply { status, body });
        }
        let cookie = cookie.expect("a session cookie");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
        let value = cookie.split(';').next().unwrap().trim_start_matches("tally_staff=").to_owned();
        Ok(StaffSession { cookie: value, csrf: body["csrf_token"].as_str().unwrap().to_owned(), profile: body })
    }

    pub async fn get(&self, uri: &str, token: Option<&str>) -> Reply {
        self.send(Method::GET, uri, token, None).await
    }

    pub async fn post(&self, uri: &str, token: Option<&str>, body: &Value) -> Reply {
        self.send(Method::POST, uri, token, Some(body.to_string())).await
    }

    /// Seeds the demo council and pairs a device with it.
    pub async fn paired(&self, storage: &Storage) -> PairResponse {
        let demo = seed::ensure_demo(storage).await.unwrap();
        self.pair(&demo.pairing_code).await
    }

    pub async fn pair(&self, code: &str) -> PairResponse {
        self.pair_holding(code, &[]).await
    }

    /// Pairs a device that already holds these pairings (a phone paired again).
    pub async fn pair_holding(&self, code: &str, held: &[&PairResponse]) -> PairResponse {
        let held: Vec<Value> = held.iter().map(|p| json!({"device_id": p.device_id, "token": p.token})).collect();
        let reply = self
            .post("/api/v1/pairings", None, &json!({"code": code, "device_label": "Test phone", "held": held}))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        serde_json::from_value(reply.body).unwrap()
    }

    pub async fn push(&self, device: &PairResponse, entries: Vec<Value>) -> Reply {
        let uri = format!("/api/v1/accounts/{}/entries", device.account.account_id);
        self.post(&uri, Some(&device.token), &json!({ "entries": entries })).await
    }

    pub async fn pull_all(&self, device: &PairResponse) -> Vec<Entry> {
        let mut cursor = 0;
        let mut all = Vec::new();
        loop {
            let uri = format!("/api/v1/accounts/{}/entries?after={cursor}", device.account.account_id);
            let reply = self.get(&uri, Some(&device.token)).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            let page: PullResponse = serde_json::from_value(reply.body).unwrap();
            all.extend(page.entries);
            cursor = page.cursor;
            if !page.more {
                return all;
            }
        }
    }
}

pub fn spend(device: &PairResponse, pence: i64, payee: &str) -> Entry {
    Entry {
        id: EntryId(Uuid::now_v7()),
        account: device.account.account_id,
        author: Author { name: "Alex Morgan".into(), device: Some(device.device_id), device_seq: None },
        recorded_at: datetime!(2026-11-22 10:00 UTC),
        body: EntryBody::Spend(Spend::new(
            date!(2026 - 11 - 21),
            Money::from_pence(pence),
            payee,
            Some(PlanLineId("day-centre".into())),
        )),
    }
}

pub fn to_json(entry: &Entry) -> Value {
    serde_json::to_value(entry).unwrap()
}

pub fn statuses(reply: &Reply) -> Vec<PushStatus> {
    let response: PushResponse = serde_json::from_value(reply.body.clone()).unwrap();
    response.results.iter().map(|r| r.status).collect()
}

pub fn message(reply: &Reply) -> String {
    reply.body["error"]["message"].as_str().unwrap_or_default().to_owned()
}

/// A small valid-looking JPEG (the server checks the first bytes, not the whole image).
pub fn jpeg(fill: u8, len: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.resize(len, fill);
    bytes
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A member of staff at a council, with a password.
pub async fn staff_member(storage: &Storage, council_id: &str, email: &str, role: &str) {
    let hash = tally_council::staff::hash_password("a long enough password").unwrap();
    let role_name = role;
    let role = tally_api::Role::parse(role).expect("a role");
    storage
        .create_staff(
            &Uuid::now_v7().to_string(),
            council_id,
            email,
            &format!("{role_name} person"),
            role,
            &hash,
            None,
            0,
        )
        .await
        .unwrap();
}

/// A CSV download from the workspace, as text.
pub async fn staff_text(client: &Client, uri: &str, session: &StaffSession) -> String {
    let request = Request::builder()
        .uri(uri)
        .header(header::COOKIE, format!("tally_staff={}", session.cookie))
        .body(Body::empty())
        .unwrap();
    let (status, headers, bytes) = client.exchange(request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment; filename="));
    String::from_utf8(bytes).unwrap()
}
