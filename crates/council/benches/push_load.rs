//! Push load on the real council server over loopback (a benchmark: it prints numbers and
//! asserts only that every record was stored once).
//!
//! `cargo bench -p tally-council --bench push_load` (add `-- --postgres URL` to run the
//! same against a Postgres database; it creates and drops a database of its own there).
//!
//! The release server binary runs as its own process on an embedded SQLite file in a
//! temporary folder, with 200 accounts each paired with one device. The load comes from
//! this process, on the same 2 cores, so the figures are a floor. Three phases:
//! 1. ingest: one device sends 100,000 records in batches of 500, one batch at a time;
//! 2. ingest, four devices (four accounts) at once, 25,000 records each;
//! 3. 200 devices at once, each sending 25 pushes of 20 records (a phone catching up
//!    after a day without signal): latency of every push (p50, p99, max), records per
//!    second, and the server's memory (resident set, sampled every 10 ms, and its peak).
//!
//! 4. under attack: the 200 devices sync again (5 pushes of 20 each) and an officer signs
//!    in, while one address guesses pairing codes and passwords as fast as it can and
//!    guessers on 1,000 other addresses spread pairing guesses: the devices' latency, the
//!    officer's sign-in time, and what became of the guesses (checked, or turned away).
//!
//! Pairing the 200 phones meets the server's pairing limit (60 at once, then one a second):
//! they wait as told. The server runs with the council's limits but for the per-device ones (a day's records
//! and requests a second), raised so phases 1 and 2 measure what the server can store; each
//! phone has an address of its own (`--behind-proxy`, `X-Forwarded-For`), as behind a
//! council's reverse proxy.
//!
//! Every phase is bounded in count; nothing is sent anywhere but 127.0.0.1.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tally_api::{PairResponse, PushResponse};
use tally_council::storage::{AccountRow, Storage};
use tally_council::{issue_pairing_code, seed, sqlite_url};
use tally_ledger::{AccountId, Author, Entry, EntryBody, EntryId, Money, PlanLineId, Spend, SupportPlan};
use time::macros::{date, datetime};
use uuid::Uuid;

const DEVICES: usize = 200;

fn main() -> anyhow::Result<()> {
    let postgres = std::env::args().skip_while(|a| a != "--postgres").nth(1);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(postgres))
}

async fn run(postgres: Option<String>) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (url, cleanup) = match &postgres {
        None => (sqlite_url(dir.path())?, None),
        Some(base) => {
            sqlx::any::install_default_drivers();
            let name = format!("tally_bench_{}", Uuid::now_v7().simple());
            let admin = sqlx::AnyPool::connect(base).await?;
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await?;
            admin.close().await;
            let (prefix, _) = base.rsplit_once('/').expect("a Postgres URL ends with /database");
            (format!("{prefix}/{name}"), Some((base.clone(), name)))
        }
    };

    // The council's accounts and their pairing codes, written before the server starts.
    // The server's key, in the data directory it will run with, so the codes issued here
    // are the ones it redeems.
    let key = tally_council::auth::ServerKey::load_or_create(&dir.path().join("server.key"))?;
    let storage = Storage::open_with_key(&url, key).await?;
    seed::ensure_demo(&storage).await?;
    let council_id = storage.council_id_by_name(seed::DEMO_COUNCIL).await?.expect("the demo council");
    let mut codes = Vec::with_capacity(DEVICES);
    for n in 0..DEVICES {
        let account = AccountRow {
            account_id: AccountId(Uuid::now_v7()),
            reference: format!("DP-9{n:05}"),
            person_name: format!("Person {n}"),
            council_name: seed::DEMO_COUNCIL.into(),
        };
        storage.create_account(&account, &council_id, &SupportPlan::default(), 0).await?;
        codes.push(issue_pairing_code(&storage, account.account_id, None).await?);
    }
    storage.close().await;

    let mut server = Server::start(&url, dir.path())?;
    println!(
        "council server: {} ({}), pid {}",
        if postgres.is_some() { "Postgres" } else { "SQLite" },
        server.base,
        server.pid()
    );
    println!("server memory at rest: {:.1} MB resident", server.rss_kb() as f64 / 1024.0);
    let http = reqwest::Client::builder().pool_max_idle_per_host(DEVICES).build()?;
    let mut devices = Vec::with_capacity(DEVICES);
    // The server takes 60 pairings at once, then one a second (its limit for guessers): the
    // phones past the 60th wait as they are told to, as a council's would.
    let pairing = Instant::now();
    let mut waited = 0;
    for (n, code) in codes.iter().enumerate() {
        let reply = loop {
            let reply = http
                .post(format!("{}/pairings", server.base))
                .header("x-forwarded-for", phone_address(n))
                .json(&json!({"code": code, "device_label": "Load"}))
                .send()
                .await?;
            if reply.status() != 429 {
                break reply;
            }
            waited += 1;
            let wait = reply.headers().get("retry-after").and_then(|v| v.to_str().ok()?.parse().ok()).unwrap_or(1);
            tokio::time::sleep(Duration::from_secs(wait)).await;
        };
        devices.push(reply.error_for_status()?.json::<PairResponse>().await?);
    }
    println!(
        "pairing {DEVICES} phones from their own addresses: {:.1} s ({waited} told to wait by the server's limit)",
        pairing.elapsed().as_secs_f64()
    );
    let devices = Arc::new(devices);

    // 1. One device, 100,000 records in batches of 500.
    let batches: Vec<String> = (0..200).map(|b| body(&devices[0], 500, b)).collect();
    let started = Instant::now();
    for batch in &batches {
        push(&http, &server.base, &devices[0], batch.clone(), 500).await?;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "ingest, one device, 100,000 records in batches of 500: {:.0} records/s ({seconds:.2} s) — target 20,000/s",
        100_000.0 / seconds
    );

    // 2. Four devices at once, 25,000 records each.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for d in 1..=4 {
        let (http, base, devices) = (http.clone(), server.base.clone(), devices.clone());
        let batches: Vec<String> = (0..50).map(|b| body(&devices[d], 500, b)).collect();
        tasks.push(tokio::spawn(async move {
            for batch in batches {
                push(&http, &base, &devices[d], batch, 500).await?;
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!("ingest, four devices at once, 100,000 records: {:.0} records/s ({seconds:.2} s)", 100_000.0 / seconds);

    // 3. 200 devices at once, 25 pushes of 20 records each, while the server's memory is
    // sampled.
    let sampling = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let (pid, sampling) = (server.pid(), sampling.clone());
        std::thread::spawn(move || {
            let mut peak = 0;
            while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(rss_kb(pid));
                std::thread::sleep(Duration::from_millis(10));
            }
            peak
        })
    };
    let started = Instant::now();
    let latencies = every_device_syncs(&http, &server.base, &devices, 25, 1_000).await?;
    let seconds = started.elapsed().as_secs_f64();
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    let peak_sampled = sampler.join().expect("the sampler thread");
    let at = |q: f64| percentile_ms(&latencies, q);
    let records = DEVICES * 25 * 20;
    println!(
        "{DEVICES} devices at once, {} pushes of 20 ({records} records): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {:.0} records/s ({seconds:.2} s)",
        latencies.len(),
        at(0.50),
        at(0.99),
        at(1.0),
        records as f64 / seconds
    );
    println!(
        "server memory under that load: peak resident {:.1} MB (sampled every 10 ms), high-water mark {:.1} MB",
        peak_sampled as f64 / 1024.0,
        server.hwm_kb() as f64 / 1024.0
    );

    // 4. The same devices sync again while guessers try their luck.
    let attacking = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let officer_address = "10.200.0.1";
    sign_in(&http, &server.base, officer_address, seed::DEMO_OFFICER_PASSWORD).await?;
    let guesser = {
        let (http, base, attacking) = (http.clone(), server.base.clone(), attacking.clone());
        tokio::spawn(async move {
            // (sent, turned away, code or password checked) for pairing, then sign-in.
            let mut counts = [[0u64; 3]; 2];
            let mut n = 0u64;
            while attacking.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let status = http
                    .post(format!("{base}/pairings"))
                    .header("x-forwarded-for", "203.0.113.66")
                    .json(&json!({"code": format!("ZZZZ{:04}", n % 10_000), "device_label": "Guess"}))
                    .send()
                    .await?
                    .status();
                counts[0][0] += 1;
                counts[0][if status == 429 { 1 } else { 2 }] += 1;
                let status = sign_in(&http, &base, "203.0.113.66", &format!("guess {n}")).await?;
                counts[1][0] += 1;
                counts[1][if status == 429 { 1 } else { 2 }] += 1;
            }
            anyhow::Ok(counts)
        })
    };
    let sprayers = {
        let (http, base, attacking) = (http.clone(), server.base.clone(), attacking.clone());
        tokio::spawn(async move {
            let (mut sent, mut refused) = (0u64, 0u64);
            while attacking.load(std::sync::atomic::Ordering::Relaxed) {
                let address = format!("198.18.{}.{}", (sent / 250) % 4, sent % 250 + 1);
                let status = http
                    .post(format!("{base}/pairings"))
                    .header("x-forwarded-for", address)
                    .json(&json!({"code": format!("YYYY{:04}", sent % 10_000), "device_label": "Guess"}))
                    .send()
                    .await?
                    .status();
                sent += 1;
                refused += u64::from(status == 429);
            }
            anyhow::Ok((sent, refused))
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = Instant::now();
    let syncing = every_device_syncs(&http, &server.base, &devices, 5, 5_000);
    let signing_in = async {
        let at = Instant::now();
        let status = sign_in(&http, &server.base, officer_address, seed::DEMO_OFFICER_PASSWORD).await?;
        anyhow::Ok((status, at.elapsed().as_secs_f64() * 1000.0))
    };
    let (attacked, officer) = tokio::join!(syncing, signing_in);
    let (attacked, (officer, officer_ms)) = (attacked?, officer?);
    let seconds = started.elapsed().as_secs_f64();
    attacking.store(false, std::sync::atomic::Ordering::Relaxed);
    let [pairing, passwords] = guesser.await??;
    let (sprayed, spray_refused) = sprayers.await??;
    let at = |q: f64| percentile_ms(&attacked, q);
    println!(
        "under attack, {DEVICES} devices, {} pushes of 20: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({seconds:.2} s); every record stored",
        attacked.len(),
        at(0.50),
        at(0.99),
        at(1.0)
    );
    println!("under attack, the officer signed in from their usual address: status {officer}, in {officer_ms:.0} ms");
    println!(
        "one address guessing pairing codes: {} sent, {} turned away (429), {} codes checked",
        pairing[0], pairing[1], pairing[2]
    );
    println!(
        "the same address guessing the officer's password: {} sent, {} turned away (429), {} passwords checked",
        passwords[0], passwords[1], passwords[2]
    );
    println!(
        "1,000 addresses spreading pairing guesses: {sprayed} sent, {spray_refused} turned away (429), {} codes checked",
        sprayed - spray_refused
    );
    anyhow::ensure!(officer == 200, "the officer could not sign in during the attack");

    // Every record is held once.
    server.stop();
    let storage = Storage::open(&url).await?;
    let mut total = 0;
    for device in devices.iter() {
        total += storage.entries_after(device.account.account_id, 0, 1_000_000).await?.len();
    }
    storage.close().await;
    assert_eq!(total, 100_000 + 100_000 + records + DEVICES * 5 * 20, "every record stored once");
    println!("records held: {total}, each once");
    if let Some((base, name)) = cleanup {
        let admin = sqlx::AnyPool::connect(&base).await?;
        sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&admin).await?;
        admin.close().await;
    }
    Ok(())
}

/// Every device pushes `pushes` batches of 20 new records, one after another, all devices
/// at once; the latency of each push, sorted.
async fn every_device_syncs(
    http: &reqwest::Client,
    base: &str,
    devices: &Arc<Vec<PairResponse>>,
    pushes: usize,
    first_batch: usize,
) -> anyhow::Result<Vec<Duration>> {
    let mut tasks = Vec::new();
    for d in 0..devices.len() {
        let (http, base, devices) = (http.clone(), base.to_owned(), devices.clone());
        let bodies: Vec<String> = (0..pushes).map(|b| body(&devices[d], 20, first_batch + b)).collect();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(bodies.len());
            for body in bodies {
                let sent = Instant::now();
                push(&http, &base, &devices[d], body, 20).await?;
                latencies.push(sent.elapsed());
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    latencies.sort();
    Ok(latencies)
}

/// The `q` quantile of sorted latencies, in milliseconds.
fn percentile_ms(sorted: &[Duration], q: f64) -> f64 {
    sorted[((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

/// The address phone `n` reaches the council from.
fn phone_address(n: usize) -> String {
    format!("10.1.{}.{}", n / 250, n % 250 + 1)
}

/// Signs in as the demo officer from an address; the answer's status.
async fn sign_in(http: &reqwest::Client, base: &str, address: &str, password: &str) -> anyhow::Result<u16> {
    Ok(http
        .post(format!("{base}/council/sign-in"))
        .header("x-forwarded-for", address)
        .json(&json!({"email": seed::DEMO_OFFICER_EMAIL, "password": password}))
        .send()
        .await?
        .status()
        .as_u16())
}

/// A push body of `count` new spends for a device, batch number `batch`.
fn body(device: &PairResponse, count: usize, batch: usize) -> String {
    let entries: Vec<Value> = (0..count)
        .map(|n| {
            let entry = Entry {
                id: EntryId(Uuid::now_v7()),
                account: device.account.account_id,
                author: Author { name: "Alex Morgan".into(), device: Some(device.device_id), device_seq: None },
                recorded_at: datetime!(2026-11-22 10:00 UTC),
                body: EntryBody::Spend(Spend::new(
                    date!(2026 - 11 - 21),
                    Money::from_pence(100 + ((batch * count + n) % 9_000) as i64),
                    ["Sunrise Day Centre", "Ace Care Agency", "City Taxis", "Corner Shop"][n % 4],
                    Some(PlanLineId("day-centre".into())),
                )),
            };
            serde_json::to_value(entry).expect("an entry is JSON")
        })
        .collect();
    json!({ "entries": entries }).to_string()
}

async fn push(
    http: &reqwest::Client,
    base: &str,
    device: &PairResponse,
    body: String,
    expected: usize,
) -> anyhow::Result<()> {
    let reply = http
        .post(format!("{base}/accounts/{}/entries", device.account.account_id))
        .bearer_auth(&device.token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await?
        .error_for_status()?
        .json::<PushResponse>()
        .await?;
    let stored = reply.results.iter().filter(|r| r.status == tally_api::PushStatus::Stored).count();
    anyhow::ensure!(stored == expected, "{stored} of {expected} stored: {:?}", reply.results.first());
    Ok(())
}

/// The server binary, run as its own process.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(url: &str, data_dir: &std::path::Path) -> anyhow::Result<Server> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tally-council"))
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--database-url", url, "serve", "--demo", "--addr", "127.0.0.1:0", "--behind-proxy"])
            .args(["--records-per-day", "100000000", "--device-requests-per-second", "100000", "--dist"])
            .arg(data_dir.join("no-app"))
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child.stdout.take().expect("piped");
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            if let Some(rest) = line.split("Open the wallet:").nth(1) {
                let address = rest.trim().trim_end_matches('/');
                return Ok(Server { child, base: format!("{address}/api/v1") });
            }
        }
        anyhow::bail!("the council server did not start")
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn rss_kb(&self) -> u64 {
        rss_kb(self.pid())
    }

    fn hwm_kb(&self) -> u64 {
        status_kb(self.pid(), "VmHWM:")
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn rss_kb(pid: u32) -> u64 {
    status_kb(pid, "VmRSS:")
}

/// A figure from /proc/<pid>/status, in kB (0 where there is no /proc).
fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}
