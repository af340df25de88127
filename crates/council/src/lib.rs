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
pub mod auth;
pub mod error;
pub mod seed;
pub mod staff;
pub mod statements;
pub mod storage;

use std::path::{Path, PathBuf};

use axum::http::{header, HeaderValue};
use axum::Router;
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
}

impl AppState {
    /// The server as it runs: the database and the system clock.
    pub fn new(storage: Storage) -> AppState {
        AppState { storage, clock: Clock::system() }
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
    // The API's answers hold people's data: never kept by a browser or a proxy (a shared
    // council PC included), unless a route says otherwise.
    let api = api::router()
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
    let router = Router::new().nest("/api/v1", api).with_state(state);
    let router = match dist {
        Some(dist) => router.fallback_service(wallet_files(dist)),
        None => router,
    };
    // A panicking handler answers 500 in the API's error shape; nothing else is affected.
    let router = router.layer(CatchPanicLayer::custom(error::panic_response));
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
pub const SECURITY_HEADERS: [(&str, &str); 5] = [
    ("content-security-policy", "frame-ancestors 'none'; object-src 'none'; base-uri 'none'"),
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("permissions-policy", "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"),
];

/// Serves the built apps: the council workspace (its own build, in `dist/council`) under
/// `/council`, the wallet everywhere else. Unknown paths get the app's `index.html` so its
/// own routes work on reload. Answers are compressed, and the page itself is never cached
/// stale (the hashed scripts it names can be cached).
fn wallet_files(dist: &Path) -> Router {
    let workspace = dist.join("council");
    let workspace_files = ServeDir::new(&workspace).fallback(ServeFile::new(workspace.join("index.html")));
    let files = ServeDir::new(dist).fallback(ServeFile::new(dist.join("index.html")));
    Router::new()
        .nest_service("/council", workspace_files)
        .fallback_service(files)
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .layer(CompressionLayer::new())
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
pub async fn issue_pairing_code(storage: &Storage, account_id: AccountId) -> anyhow::Result<String> {
    let code = auth::new_pairing_code();
    let now = now_ms();
    let expires = now + seed::PAIRING_CODE_DAYS * 24 * 60 * 60 * 1000;
    storage.create_pairing_code(&auth::secret_hash(&auth::normalise_code(&code)), account_id, now, expires).await?;
    Ok(code)
}

/// The SQLite database inside a data directory, created if missing.
pub fn sqlite_url(data_dir: &Path) -> anyhow::Result<String> {
    std::fs::create_dir_all(data_dir)?;
    let file: PathBuf = std::path::absolute(data_dir.join("tally.sqlite3"))?;
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
