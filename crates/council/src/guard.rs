//! What one client address, one device or one account may ask of the server, so a
//! stranger guessing codes or passwords, or a scripted phone, can neither get in nor wear
//! the server down for everyone else.
//!
//! - **Pairing** is limited per client address and for the whole server (in memory, with
//!   governor's rate limiters: on several servers, each has its own).
//! - **Signing in** waits longer after each wrong password, per address and per account
//!   (counted in the database, so the delays hold across servers), instead of locking an
//!   account anyone could lock. An address an officer signed in from before is not slowed
//!   by failures on their account from elsewhere; an administrator can clear the failures.
//! - **Password checks** (argon2, 19 MiB each) run at most [`Limits::password_checks`] at
//!   once; more are answered 429 at once rather than queued.
//! - **Devices**: requests per device token; records and photo bytes received per account
//!   in a day (counted in the database).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use tally_ledger::DeviceId;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;
use crate::AppState;

/// The limits a server runs with. [`Limits::default`] is what a council runs; tests and
/// the load benchmark set their own.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Pairing attempts from one address: 10 at once, then one a minute.
    pub pairing_per_address: Quota,
    /// Pairing attempts to the whole server: 60 at once, then one a second. With 5,000
    /// codes live at once, that is one chance in 170 million a guess.
    pub pairing_overall: Quota,
    /// Requests with one device token: 120 at once, then two a second (a sync is a few).
    /// `serve --device-requests-per-second` sets it (60 seconds' worth at once).
    pub device_requests: Quota,
    /// Records an account may receive in 24 hours (a person records a few a day; a phone
    /// back after a month offline sends a few hundred).
    pub records_per_day: i64,
    /// Receipt photo bytes an account may receive in 24 hours (100 photos at the most).
    pub photo_bytes_per_day: i64,
    /// Password checks at once.
    pub password_checks: usize,
    /// Requests the server works on at once; more are answered 503 at once.
    pub requests_at_once: usize,
    /// The longest a request may take, its body included.
    pub request_timeout: Duration,
    /// The longest a client may take to send a request's headers.
    pub header_timeout: Duration,
    /// The longest a request's body may stop arriving for.
    pub body_timeout: Duration,
}

/// `n` as a quota's count (at least 1).
pub const fn per(n: u32) -> NonZeroU32 {
    match NonZeroU32::new(n) {
        Some(n) => n,
        None => NonZeroU32::MIN,
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            pairing_per_address: Quota::per_minute(per(1)).allow_burst(per(10)),
            pairing_overall: Quota::per_second(per(1)).allow_burst(per(60)),
            device_requests: Quota::per_second(per(2)).allow_burst(per(120)),
            records_per_day: 2_000,
            photo_bytes_per_day: 100 * tally_api::MAX_RECEIPT_BYTES as i64,
            password_checks: 4,
            requests_at_once: 512,
            request_timeout: Duration::from_secs(60),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
        }
    }
}

/// How sign-in slows down after wrong passwords: free failures in the last day, then a
/// wait after the latest that doubles with each one, up to a most.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub free: i64,
    pub first_wait_secs: i64,
    pub most_secs: i64,
}

/// Per address (all accounts): an office's shared address may mistype often.
pub const ADDRESS_BACKOFF: Backoff = Backoff { free: 20, first_wait_secs: 2, most_secs: 15 * 60 };
/// Per account, from addresses it has not signed in from: at most five minutes' wait, so
/// nobody can keep an officer out for long, and at most 288 guesses a day at a password.
pub const ACCOUNT_BACKOFF: Backoff = Backoff { free: 5, first_wait_secs: 5, most_secs: 5 * 60 };
/// How far back wrong passwords count.
pub const FAILURES_COUNT_FOR_MS: i64 = 24 * 3_600_000;
/// How long an address an officer signed in from is known.
pub const KNOWN_ADDRESS_MS: i64 = 30 * 24 * 3_600_000;

impl Backoff {
    /// Seconds to wait after the latest of `failures` before another try.
    pub fn wait_secs(&self, failures: i64) -> i64 {
        if failures < self.free {
            return 0;
        }
        let doublings = u32::try_from(failures - self.free).unwrap_or(u32::MAX).min(30);
        self.first_wait_secs.saturating_mul(1i64 << doublings).min(self.most_secs)
    }

    /// Seconds still to wait at `now_ms`, given the failures and the latest's time.
    pub fn remaining_secs(&self, failures: i64, latest_ms: Option<i64>, now_ms: i64) -> i64 {
        let Some(latest) = latest_ms else { return 0 };
        let until = latest.saturating_add(self.wait_secs(failures).saturating_mul(1000));
        ((until - now_ms).max(0) + 999) / 1000
    }
}

/// The server's rate limiters and the password-check permits.
#[derive(Debug)]
pub struct Guard {
    pub limits: Limits,
    pairing_by_address: DefaultKeyedRateLimiter<IpAddr>,
    pairing_overall: DefaultDirectRateLimiter,
    device_requests: DefaultKeyedRateLimiter<DeviceId>,
    /// API clients' calls, per client id, at the devices' rate.
    client_requests: DefaultKeyedRateLimiter<String>,
    password_checks: Arc<Semaphore>,
    /// Addresses refused pairing, and when the burst was audited (once in 15 minutes).
    noted: Mutex<HashMap<IpAddr, Instant>>,
}

/// Why a pairing attempt was refused before its code was looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PairingRefused {
    /// This address tried too often.
    Address { wait: Duration, first_in_burst: bool },
    /// The whole server is seeing too many attempts.
    Overall { wait: Duration },
}

impl Guard {
    pub fn new(limits: Limits) -> Guard {
        Guard {
            pairing_by_address: RateLimiter::keyed(limits.pairing_per_address),
            pairing_overall: RateLimiter::direct(limits.pairing_overall),
            device_requests: RateLimiter::keyed(limits.device_requests),
            client_requests: RateLimiter::keyed(limits.device_requests),
            password_checks: Arc::new(Semaphore::new(limits.password_checks.max(1))),
            noted: Mutex::new(HashMap::new()),
            limits,
        }
    }

    /// Whether `address` may try a pairing code now. Every attempt counts, right or wrong.
    pub fn pairing(&self, address: IpAddr) -> Result<(), PairingRefused> {
        let now = DefaultClock::default().now();
        if let Err(not_until) = self.pairing_by_address.check_key(&address) {
            let wait = not_until.wait_time_from(now);
            let mut noted = self.noted.lock().unwrap_or_else(|e| e.into_inner());
            let first_in_burst = noted.get(&address).is_none_or(|at| at.elapsed() > Duration::from_secs(15 * 60));
            if first_in_burst {
                noted.insert(address, Instant::now());
            }
            return Err(PairingRefused::Address { wait, first_in_burst });
        }
        if let Err(not_until) = self.pairing_overall.check() {
            return Err(PairingRefused::Overall { wait: not_until.wait_time_from(now) });
        }
        Ok(())
    }

    /// Whether this device may make another request now.
    pub fn device_request(&self, device: DeviceId) -> Result<(), ApiError> {
        self.device_requests.check_key(&device).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::SlowDown {
                message: "This device is sending too much too quickly. It will try again by itself shortly.".to_owned(),
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }

    /// Whether this API client may make another call now.
    pub fn client_request(&self, client_id: &str) -> Result<(), ApiError> {
        self.client_requests.check_key(&client_id.to_owned()).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::SlowDown {
                message: "This API client is calling too often. Wait and try again.".to_owned(),
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }

    /// A permit to check one password, or 429 when as many are being checked as the
    /// server allows.
    pub fn password_check(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        self.password_checks.clone().try_acquire_owned().map_err(|_| ApiError::SlowDown {
            message: "Many people are signing in at this moment. Wait a few seconds and try again.".to_owned(),
            retry_after_secs: 2,
        })
    }

    /// Forgets addresses and devices that have not been limited lately (every few minutes).
    pub fn forget_idle(&self) {
        self.pairing_by_address.retain_recent();
        self.device_requests.retain_recent();
        self.client_requests.retain_recent();
        let mut noted = self.noted.lock().unwrap_or_else(|e| e.into_inner());
        noted.retain(|_, at| at.elapsed() < Duration::from_secs(15 * 60));
    }
}

/// The address of the client making a request: the peer of the connection, or, on a
/// server behind a reverse proxy (`--behind-proxy`), the last address in the
/// `X-Forwarded-For` the proxy adds (the one it saw; earlier ones are the client's word).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let forwarded = || {
            parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<IpAddr>().ok())
                .next_back()
        };
        let address = if state.config.behind_proxy { forwarded().or(peer) } else { peer };
        Ok(ClientAddress(address.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))))
    }
}

/// A wait, in words: "a second", "20 seconds", "a minute", "3 minutes".
pub fn wait_words(wait: Duration) -> String {
    match wait.as_secs() {
        0..=1 => "a second".to_owned(),
        n @ 2..=59 => format!("{n} seconds"),
        60..=119 => "a minute".to_owned(),
        n => format!("{} minutes", n.div_ceil(60)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_and_stop_at_their_most() {
        let b = ACCOUNT_BACKOFF;
        assert_eq!(b.wait_secs(4), 0);
        assert_eq!(b.wait_secs(5), 5);
        assert_eq!(b.wait_secs(6), 10);
        assert_eq!(b.wait_secs(8), 40);
        assert_eq!(b.wait_secs(12), 300);
        assert_eq!(b.wait_secs(i64::MAX), 300);
        assert_eq!(b.remaining_secs(6, Some(100_000), 104_000), 6);
        assert_eq!(b.remaining_secs(6, Some(100_000), 111_000), 0);
        assert_eq!(b.remaining_secs(6, None, 0), 0);
        assert_eq!(ADDRESS_BACKOFF.wait_secs(19), 0);
        assert_eq!(ADDRESS_BACKOFF.wait_secs(40), 900);
    }

    #[test]
    fn pairing_is_limited_per_address_then_overall() {
        let guard = Guard::new(Limits {
            pairing_per_address: Quota::per_hour(per(1)).allow_burst(per(3)),
            pairing_overall: Quota::per_hour(per(1)).allow_burst(per(5)),
            ..Limits::default()
        });
        let (a, b, c) = ([10, 0, 0, 1], [10, 0, 0, 2], [10, 0, 0, 3]);
        let ip = |o: [u8; 4]| IpAddr::from(o);
        for _ in 0..3 {
            assert_eq!(guard.pairing(ip(a)), Ok(()));
        }
        assert!(matches!(guard.pairing(ip(a)), Err(PairingRefused::Address { first_in_burst: true, .. })));
        assert!(matches!(guard.pairing(ip(a)), Err(PairingRefused::Address { first_in_burst: false, .. })));
        // Another address is not held up by the first…
        assert_eq!(guard.pairing(ip(b)), Ok(()));
        assert_eq!(guard.pairing(ip(b)), Ok(()));
        // …until the whole server has seen its most.
        assert!(matches!(guard.pairing(ip(c)), Err(PairingRefused::Overall { .. })));
    }

    #[test]
    fn password_checks_are_capped() {
        let guard = Guard::new(Limits { password_checks: 2, ..Limits::default() });
        let first = guard.password_check().unwrap();
        let _second = guard.password_check().unwrap();
        assert!(matches!(guard.password_check(), Err(ApiError::SlowDown { .. })));
        drop(first);
        assert!(guard.password_check().is_ok());
    }
}
