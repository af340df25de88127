//! Tally's council server: the API the wallets sync with, and the wallet app itself.
//!
//! # Layout
//! - [`storage`]: every SQL statement, portable between SQLite and Postgres.
//! - [`api`]: the JSON API under `/api/v1`, one module per resource.
//! - [`auth`]: pairing codes and device tokens.
//! - [`staff`]: council staff sign-in, sessions, CSRF and roles.
//! - [`error`]: the one error type and its JSON shape.
//! - [`seed`]: the demo council for trying Tally out.
//!
//! `main.rs` only parses arguments and calls [`serve`] or [`issue_pairing_code`].

pub mod api;
pub mod app_versions;
pub mod auth;
pub mod backup;
pub mod error;
pub mod guard;
pub mod retention;
pub mod seed;
pub mod setup;
pub mod staff;
pub mod statements;
pub mod storage;

use std::path::{Path, PathBuf};

use axum::http::{header, HeaderValue};
use axum::Router;
use sha2::Digest as _;
use tally_ledger::AccountId;
use time::OffsetDateTime;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use storage::Storage;

/// What every request handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    pub storage: Storage,
    pub clock: Clock,
    pub guard: std::sync::Arc<guard::Guard>,
    pub config: std::sync::Arc<Config>,
}

impl AppState {
    /// The server with the system clock, the usual limits, and no public address (plain
    /// HTTP on loopback, as in development and the tests).
    pub fn new(storage: Storage) -> AppState {
        AppState::with(storage, Config::default(), guard::Limits::default())
    }

    pub fn with(storage: Storage, config: Config, limits: guard::Limits) -> AppState {
        AppState {
            storage,
            clock: Clock::system(),
            guard: std::sync::Arc::new(guard::Guard::new(limits)),
            config: std::sync::Arc::new(config),
        }
    }
}

/// How the server is reached: decided by whoever deploys it, never by a request.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The address people use (`https://tally.example.gov.uk`). When it is HTTPS, the
    /// staff cookie is `Secure` (and named `__Secure-…`), and every answer carries
    /// `Strict-Transport-Security`.
    pub public_url: Option<String>,
    /// The server is behind a reverse proxy: a client's address is the last in
    /// `X-Forwarded-For`, not the connection's.
    pub behind_proxy: bool,
    /// Where the apps' earlier files are kept, so an update can be sent as a delta of the
    /// version a browser has ([`app_versions`]). `None`: only this build's files.
    pub app_versions: Option<PathBuf>,
}

impl Config {
    /// Whether people reach the server over HTTPS.
    pub fn https(&self) -> bool {
        self.public_url.as_deref().is_some_and(|url| url.to_ascii_lowercase().starts_with("https://"))
    }
}

/// The server's one clock: the moment now, and "today" as the council reckons it, in its
/// own time zone (Europe/London), so a spend at 00:30 in June is on the same day for the
/// person's phone and the council. Tests fix it.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    fixed: Option<OffsetDateTime>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock { fixed: None }
    }

    /// A clock that always reads `at`.
    pub fn fixed(at: OffsetDateTime) -> Clock {
        Clock { fixed: Some(at) }
    }

    pub fn now(&self) -> OffsetDateTime {
        self.fixed.unwrap_or_else(OffsetDateTime::now_utc)
    }

    /// Now, as Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        unix_ms(self.now())
    }

    /// Today's date in the council's time zone.
    pub fn today(&self) -> time::Date {
        council_date(self.now())
    }
}

/// The date a moment falls on in the council's time zone (Europe/London: GMT in winter,
/// BST in summer), from the time zone database bundled with the server.
pub fn council_date(at: OffsetDateTime) -> time::Date {
    let london = || -> Option<time::Date> {
        let zone = jiff::tz::TimeZone::get("Europe/London").ok()?;
        let moment = jiff::Timestamp::from_nanosecond(at.unix_timestamp_nanos()).ok()?;
        let day = moment.to_zoned(zone).date();
        let month = time::Month::try_from(u8::try_from(day.month()).ok()?).ok()?;
        time::Date::from_calendar_date(i32::from(day.year()), month, u8::try_from(day.day()).ok()?).ok()
    };
    // Outside the years the time zone library knows, the UTC date is as good as any.
    london().unwrap_or(at.to_offset(time::UtcOffset::UTC).date())
}

/// The whole server as one router: the API under `/api/v1` and, when `dist` is given,
/// the built wallet app for every other path.
pub fn app(state: AppState, dist: Option<&Path>) -> Router {
    use axum::error_handling::HandleErrorLayer;
    use tower::ServiceBuilder;
    use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
    let limits = state.guard.limits.clone();
    let https = state.config.https();
    let kept_versions = state.config.app_versions.clone();
    // The API's answers hold people's data: never kept by a browser or a proxy (a shared
    // council PC included), unless a route says otherwise. No page is ever made of them.
    let api = api::router()
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ));
    let router = Router::new().nest("/api/v1", api).with_state(state);
    let router = match dist {
        Some(dist) => {
            let versions = app_versions::AppVersions::open(dist, kept_versions.as_deref());
            router.fallback_service(wallet_files(dist, std::sync::Arc::new(versions)))
        }
        None => router,
    };
    // A panicking handler answers 500 in the API's error shape; nothing else is affected.
    let router = router.layer(CatchPanicLayer::custom(error::panic_response));
    // A request has a time to finish in, and a body that stops arriving ends it sooner.
    let router = router
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, limits.request_timeout))
        .layer(ServiceBuilder::new().layer(RequestBodyTimeoutLayer::new(limits.body_timeout)).map_request(
            |r: axum::http::Request<tower_http::timeout::TimeoutBody<axum::body::Body>>| r.map(axum::body::Body::new),
        ));
    // So many requests at once and no more: the rest are turned away at once (503), not
    // queued behind a flood.
    let router = router.layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(|_: tower::BoxError| async { error::overloaded() }))
            .load_shed()
            .layer(tower::limit::GlobalConcurrencyLimitLayer::new(limits.requests_at_once)),
    );
    let router = router.layer(axum::middleware::map_response(error::plain_refusals));
    let policy = HeaderValue::from_str(&page_policy(dist)).expect("the policy is ASCII");
    let router = router.layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, policy));
    let router = if https {
        router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ))
    } else {
        router
    };
    SECURITY_HEADERS
        .iter()
        .fold(router, |router, (name, value)| {
            router.layer(SetResponseHeaderLayer::if_not_present(
                header::HeaderName::from_static(name),
                HeaderValue::from_static(value),
            ))
        })
        .layer(TraceLayer::new_for_http())
}

/// Headers on every answer: no page of Tally's may be framed by another site (nor by
/// itself), no answer is read as another type than it says, no address is sent on to
/// other sites, and the browser features the apps do not use are off (the camera only for
/// Tally's own pages: receipts are photographed through the file picker).
pub const SECURITY_HEADERS: [(&str, &str); 4] = [
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("permissions-policy", "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"),
];

/// The Content-Security-Policy of the apps' pages: everything from this server only;
/// scripts only Tally's own files, WebAssembly, and the one inline script each page
/// starts the app with (Trunk writes it), allowed by its hash, read from the built pages
/// when the server starts. No inline style, no plugins, no framing, no other site.
pub fn page_policy(dist: Option<&Path>) -> String {
    let mut hashes: Vec<String> = Vec::new();
    for page in dist.into_iter().flat_map(|d| {
        [d.join("index.html"), d.join("council").join("index.html"), d.join("welcome").join("index.html")]
    }) {
        if let Ok(html) = std::fs::read_to_string(&page) {
            for script in inline_scripts(&html) {
                let hash = format!("'sha256-{}'", base64_standard(&sha2::Sha256::digest(script.as_bytes())));
                if !hashes.contains(&hash) {
                    hashes.push(hash);
                }
            }
        }
    }
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{}; style-src 'self'; img-src 'self' blob: data:; \
         connect-src 'self'; worker-src 'self'; manifest-src 'self'; font-src 'self'; form-action 'self'; \
         frame-ancestors 'none'; object-src 'none'; base-uri 'none'",
        hashes.iter().map(|h| format!(" {h}")).collect::<String>()
    )
}

/// The text of each `<script>` element without a `src` in a page.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let Some(open_end) = rest[start..].find('>').map(|i| start + i + 1) else { break };
        let Some(close) = rest[open_end..].find("</script>").map(|i| open_end + i) else { break };
        if !rest[start..open_end].contains(" src=") {
            found.push(&rest[open_end..close]);
        }
        rest = &rest[close + "</script>".len()..];
    }
    found
}

/// Standard base64 with padding (for the policy's hashes).
fn base64_standard(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Serves the built apps: the council workspace (its own build, in `dist/council`) under
/// `/council`, the wallet everywhere else. Unknown paths get the app's `index.html` so its
/// own routes work on reload. Files are sent as the build compressed them (brotli or gzip,
/// whichever the browser takes; `cargo xtask build` writes both), never compressed again
/// on each request. A file whose name carries its content's hash never changes, so a
/// browser keeps it a year without asking; the rest (the pages, the service worker, the
/// manifest and icons) it asks about every time ([`static_cache_control`]). An update's
/// code and style come as a delta of the version the browser has, when it says which
/// ([`app_versions`]).
fn wallet_files(dist: &Path, versions: std::sync::Arc<app_versions::AppVersions>) -> Router {
    let workspace = dist.join("council");
    let has_first_screen = dist.join("welcome").join("index.html").is_file();
    let page = |folder: &Path| ServeFile::new(folder.join("index.html")).precompressed_br().precompressed_gzip();
    let workspace_files = ServeDir::new(&workspace).precompressed_br().precompressed_gzip().fallback(page(&workspace));
    let files = ServeDir::new(dist).precompressed_br().precompressed_gzip().fallback(page(dist));
    Router::new()
        .nest_service("/council", workspace_files)
        .fallback_service(files)
        .layer(axum::middleware::from_fn(move |request, next| {
            app_versions::send_deltas(versions.clone(), request, next)
        }))
        .layer(axum::middleware::from_fn(static_cache_control))
        .layer(axum::middleware::from_fn(move |request, next| first_screen(has_first_screen, request, next)))
        // Only for what the build did not compress (there should be nothing).
        .layer(CompressionLayer::new())
}

/// The cookie the wallet (and its first screen, once the person has paired) sets: this
/// browser uses the whole wallet.
const WALLET_COOKIE: &str = "tally_wallet=1";

/// A browser that has not used the wallet yet gets, at `/`, the first screen: a small build
/// that pairs the phone (or starts Tally without a council) and then opens the whole wallet,
/// which from then on comes from its service worker. Every other address is the wallet's.
async fn first_screen(
    has_first_screen: bool,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let entry = request.uri().path() == "/";
    let uses_wallet = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|pair| pair.trim() == WALLET_COOKIE);
    if entry && has_first_screen && !uses_wallet {
        *request.uri_mut() = axum::http::Uri::from_static("/welcome/");
    }
    let mut response = next.run(request).await;
    if entry {
        response.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding, cookie"));
    }
    response
}

/// `Cache-Control` for the apps' files: a year and `immutable` for hashed names (see
/// [`is_hashed`]), `no-cache` (ask each time; a 304 costs a few bytes) for the rest.
async fn static_cache_control(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let hashed = is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    // A hashed file that is not there (an old build's, asked for after an update) is not
    // found: never the app's page in its place, which a browser would keep a year.
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if hashed && is_page {
        response = axum::response::IntoResponse::into_response((axum::http::StatusCode::NOT_FOUND, "Not found"));
    }
    let value =
        if hashed && response.status().is_success() { "public, max-age=31536000, immutable" } else { "no-cache" };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    // A hashed file's answer depends on the earlier version the browser has, if any.
    let vary = if hashed { "accept-encoding, available-dictionary" } else { "accept-encoding" };
    headers.insert(header::VARY, HeaderValue::from_static(vary));
    response
}

/// Whether a path names a file by its content's hash, as the build names them:
/// `tally-2ac61da628ab4c75_bg.wasm`, `main-43edb09fcccb096.css`. A file in wasm-bindgen's
/// `snippets/tally-6b53e2c907a96ea5/` is not: that hash names the crate, not the file, so
/// the file is asked about again like the page.
pub fn is_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    file.contains('.') && tally_delta::split_hashed(file).is_some()
}

/// Serves `router` on `listener` until `shutdown` finishes, then lets the requests under
/// way finish (for up to 10 seconds). Each request knows its client's address
/// ([`guard::ClientAddress`]); a client has [`guard::Limits::header_timeout`] to send a
/// request's headers, so a slow client cannot hold connections open.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    header_timeout: std::time::Duration,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Answers go out as soon as they are written, not held back to fill a packet while
        // the client waits to acknowledge the last one (Nagle's delay).
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, %peer, "could not set TCP_NODELAY");
        }
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: axum::http::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            router.clone().oneshot(request.map(axum::body::Body::new))
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(std::time::Duration::from_secs(10)) => {
            tracing::warn!("stopped with requests still under way");
        }
    }
    Ok(())
}

/// The current time as Unix milliseconds, from the system clock (for the command line and
/// start-up; request handlers use [`AppState::clock`]).
pub fn now_ms() -> i64 {
    unix_ms(OffsetDateTime::now_utc())
}

pub fn unix_ms(time: OffsetDateTime) -> i64 {
    (time.unix_timestamp_nanos() / 1_000_000) as i64
}

/// Unix milliseconds as "2026-11-22 10:42 UTC", for the command line.
pub fn format_ms(ms: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_else(|| ms.to_string())
}

/// Issues a new one-time pairing code for an account and returns it as shown to people.
/// `audit`: the line that says who asked for it (written with the code); `None` for the
/// demo's seed and tests.
pub async fn issue_pairing_code(
    storage: &Storage,
    account_id: AccountId,
    audit: Option<&storage::AuditEvent<'_>>,
) -> anyhow::Result<String> {
    let code = auth::new_pairing_code();
    let now = now_ms();
    let expires = now + seed::PAIRING_CODE_DAYS * 24 * 60 * 60 * 1000;
    storage.create_pairing_code(&storage.code_hash(&code), account_id, now, expires, audit).await?;
    Ok(code)
}

/// The SQLite database inside a data directory, created if missing.
/// The embedded database's file in the data directory.
pub const SQLITE_FILE: &str = "tally.sqlite3";

pub fn sqlite_url(data_dir: &Path) -> anyhow::Result<String> {
    std::fs::create_dir_all(data_dir)?;
    let file: PathBuf = std::path::absolute(data_dir.join(SQLITE_FILE))?;
    Ok(format!("sqlite://{}?mode=rwc", file.display()))
}

/// Records every scheduled payment in that is due by `today`, and moves each schedule on.
/// Safe to run on several servers at once: a payment's id comes from its schedule and
/// date, so a second server's copy is "already stored", and a schedule moves on only from
/// the date it was read with. Returns how many payments were recorded by this call.
pub async fn record_due_payments(storage: &Storage, today: time::Date, now_ms: i64) -> anyhow::Result<usize> {
    use sha2::{Digest, Sha256};
    use tally_ledger::{Author, Entry, EntryBody, EntryId, Money, MoneyIn};
    let mut recorded = 0;
    for schedule in storage.due_schedules(&tally_ledger::date::iso_date(today)).await? {
        let Some(mut due) = tally_ledger::date::parse_iso_date(&schedule.next_date) else { continue };
        let start = schedule.next_date.clone();
        let step = time::Duration::weeks(schedule.every_weeks.max(1));
        let council = storage.account(schedule.account_id).await?.map(|a| a.council_name).unwrap_or_default();
        let mut entries = Vec::new();
        while due <= today {
            let Some(next) = due.checked_add(step) else { break };
            let digest =
                Sha256::digest(format!("{}/{}", schedule.schedule_id, tally_ledger::date::iso_date(due)).as_bytes());
            let mut bytes = [0u8; 16];
            bytes.copy_from_slice(&digest[..16]);
            let entry = Entry {
                id: EntryId(uuid::Builder::from_random_bytes(bytes).into_uuid()),
                account: schedule.account_id,
                author: Author { name: council.clone(), device: None, device_seq: None },
                // The same on every server (so a second copy is the same record), and the
                // first moment of the day, so the money is in before that day's spending.
                recorded_at: due.midnight().assume_utc(),
                body: EntryBody::PaymentIn(MoneyIn {
                    date: due,
                    amount: Money::from_pence(schedule.amount),
                    reference: schedule.reference.clone(),
                }),
            };
            entries.push(storage::NewEntry::new(entry)?);
            due = next;
        }
        if let Some(outcomes) = storage.store_entries(schedule.account_id, &entries, now_ms).await? {
            recorded += outcomes.iter().filter(|o| **o == storage::StoreOutcome::Stored).count();
        }
        storage.advance_schedule(&schedule.schedule_id, &start, &tally_ledger::date::iso_date(due)).await?;
    }
    Ok(recorded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_pages_inline_scripts_are_allowed_by_their_hash() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("index.html"),
            "<head><script type=\"module\" src=\"/x.js\"></script><script type=\"module\">import init from '/x.js';</script></head>",
        )
        .unwrap();
        let policy = page_policy(Some(dir.path()));
        // echo -n "import init from '/x.js';" | openssl dgst -sha256 -binary | base64
        assert!(policy.contains("'sha256-"), "{policy}");
        let hash = base64_standard(&sha2::Sha256::digest(b"import init from '/x.js';"));
        assert!(policy.contains(&format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}';")), "{policy}");
        assert!(!page_policy(None).contains("sha256"));
        assert_eq!(base64_standard(b"Man"), "TWFu");
        assert_eq!(base64_standard(b"Ma"), "TWE=");
        assert_eq!(base64_standard(b"M"), "TQ==");
        assert_eq!(base64_standard(b""), "");
    }

    #[test]
    fn hashed_file_names_are_known_by_their_hash() {
        for hashed in [
            "/tally-2ac61da628ab4c75_bg.wasm",
            "/tally-2ac61da628ab4c75.js",
            "/main-43edb09fcccb096.css",
            "/council/tally-workspace-ca94ca33c45ab847.js",
            "/favicon-a49da9b8866a539c.svg",
        ] {
            assert!(is_hashed(hashed), "{hashed}");
        }
        for plain in [
            "/",
            "/index.html",
            "/sw.js",
            "/manifest.webmanifest",
            "/snippets/tally-6b53e2c907a96ea5/inline0.js",
            "/icons/icon-192.png",
            "/council/",
            "/history",
            "/a-b.js",
            "/-2ac61da628ab4c75.js",
        ] {
            assert!(!is_hashed(plain), "{plain}");
        }
    }

    #[test]
    fn the_councils_day_is_londons() {
        // Half past midnight in June is the next day in London (BST), not yet in UTC.
        assert_eq!(council_date(datetime!(2026-06-14 23:30 UTC)), time::macros::date!(2026 - 06 - 15));
        // In winter London is on GMT.
        assert_eq!(council_date(datetime!(2026-12-14 23:30 UTC)), time::macros::date!(2026 - 12 - 14));
        // The clocks go forward at 01:00 UTC on the last Sunday of March.
        assert_eq!(council_date(datetime!(2026-03-28 23:30 UTC)), time::macros::date!(2026 - 03 - 28));
        assert_eq!(council_date(datetime!(2026-03-29 23:30 UTC)), time::macros::date!(2026 - 03 - 30));
        let fixed = Clock::fixed(datetime!(2026-07-01 23:15 UTC));
        assert_eq!(fixed.today(), time::macros::date!(2026 - 07 - 02));
        assert_eq!(fixed.now_ms(), unix_ms(datetime!(2026-07-01 23:15 UTC)));
    }
}
