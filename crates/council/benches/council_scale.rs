//! The council workspace at a county's caseload (a benchmark: it prints numbers).
//!
//! `cargo bench -p tally-council --bench council_scale` (or `cargo xtask bench-council`)
//! seeds a council of 500 accounts, then one of 5,000, each with a year of records (a
//! payment in every four weeks, spending six days a week, some of it flagged and a third
//! of that decided), and times every workspace page on the release server over loopback.
//! Options: `--postgres URL` (a database of its own there, dropped afterwards), `--heavy`
//! (half the spending flagged), `--accounts 500,5000`, `--requests 20`.
//!
//! For each page: p50 and p95 time of `--requests` requests after two to warm up, and the
//! answer's size; then the server's memory and the database's size. The last columns are
//! the ratios of the larger council's p50 and p95 to the smaller's.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tally_council::storage::Storage;
use tally_council::{seed, sqlite_url, AppState};
use uuid::Uuid;

struct Options {
    postgres: Option<String>,
    heavy: bool,
    sizes: Vec<usize>,
    requests: usize,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    Options {
        postgres: value("--postgres"),
        heavy: args.iter().any(|a| a == "--heavy"),
        sizes: value("--accounts")
            .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
            .unwrap_or_else(|| vec![500, 5_000]),
        requests: value("--requests").and_then(|n| n.parse().ok()).unwrap_or(20),
    }
}

fn main() -> anyhow::Result<()> {
    let options = options();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(options))
}

/// One page's figures at one size.
struct Timing {
    p50_ms: f64,
    p95_ms: f64,
    bytes: usize,
}

async fn run(options: Options) -> anyhow::Result<()> {
    println!(
        "Council workspace at scale: {}, {} spending flagged, {} requests a page",
        if options.postgres.is_some() { "Postgres" } else { "SQLite" },
        if options.heavy { "half the" } else { "about 6% of" },
        options.requests
    );
    let mut results: Vec<(usize, Vec<(String, Timing)>)> = Vec::new();
    for &size in &options.sizes {
        results.push((size, council_of(size, &options).await?));
    }
    println!();
    print!("| page |");
    for (size, _) in &results {
        print!(" {size} accounts: p50 / p95 ms, size |");
    }
    if results.len() > 1 {
        print!(" p50 ratio | p95 ratio |");
    }
    println!();
    print!("| --- |");
    for _ in &results {
        print!(" --- |");
    }
    if results.len() > 1 {
        print!(" --- | --- |");
    }
    println!();
    let pages: Vec<String> =
        results.first().map(|(_, t)| t.iter().map(|(p, _)| p.clone()).collect()).unwrap_or_default();
    for (i, page) in pages.iter().enumerate() {
        print!("| {page} |");
        for (_, timings) in &results {
            let t = &timings[i].1;
            print!(" {:.1} / {:.1}, {} |", t.p50_ms, t.p95_ms, size_text(t.bytes));
        }
        if let (Some(first), Some(last)) = (results.first(), results.last()) {
            if results.len() > 1 {
                let (a, b) = (&first.1[i].1, &last.1[i].1);
                print!(" {:.2} | {:.2} |", b.p50_ms / a.p50_ms.max(0.001), b.p95_ms / a.p95_ms.max(0.001));
            }
        }
        println!();
    }
    Ok(())
}

fn size_text(bytes: usize) -> String {
    if bytes >= 10 * 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} B")
    }
}

async fn council_of(size: usize, options: &Options) -> anyhow::Result<Vec<(String, Timing)>> {
    let dir = tempfile::tempdir()?;
    let (url, cleanup) = match &options.postgres {
        None => (sqlite_url(dir.path())?, None),
        Some(base) => {
            sqlx::any::install_default_drivers();
            let name = format!("tally_scale_{}", Uuid::now_v7().simple());
            let admin = sqlx::AnyPool::connect(base).await?;
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await?;
            admin.close().await;
            let (prefix, _) = base.rsplit_once('/').expect("a Postgres URL ends with /database");
            (format!("{prefix}/{name}"), Some((base.clone(), name)))
        }
    };
    println!();
    println!("== {size} accounts ==");
    let storage = Storage::open(&url).await?;
    let started = Instant::now();
    let today = tally_council::Clock::system().today();
    let records = seed::caseload(&storage, size, options.heavy, today, 365).await?;
    println!("seeded {size} accounts, {records} records, in {:.1} s", started.elapsed().as_secs_f64());
    let started = Instant::now();
    let state = AppState::new(storage.clone());
    let built = tally_council::api::summaries::catch_up(&state).await?;
    println!(
        "account summaries worked out for {built} accounts in {:.1} s ({:.1} ms an account)",
        started.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64() * 1000.0 / built.max(1) as f64
    );
    let database = database_size(&storage, dir.path()).await?;
    storage.close().await;
    if options.postgres.is_some() {
        // What autovacuum does for a database in use: the planner's statistics, and the
        // visibility map that lets an index answer alone. Straight after a bulk load
        // neither is there yet.
        let started = Instant::now();
        let pool = sqlx::AnyPool::connect(&url).await?;
        sqlx::query("VACUUM ANALYZE").execute(&pool).await?;
        pool.close().await;
        println!("VACUUM ANALYZE in {:.1} s", started.elapsed().as_secs_f64());
    }

    let server = Server::start(&url, dir.path())?;
    let http = reqwest::Client::new();
    let cookie = sign_in(&http, &server.base).await?;
    let get = |path: String| {
        let (http, cookie, base) = (http.clone(), cookie.clone(), server.base.clone());
        async move {
            let response = http.get(format!("{base}{path}")).header("cookie", &cookie).send().await?;
            let status = response.status();
            let body = response.bytes().await?;
            anyhow::ensure!(status.is_success(), "{path} answered {status}: {}", String::from_utf8_lossy(&body));
            anyhow::Ok(body.to_vec())
        }
    };
    let first_accounts: Value = serde_json::from_slice(&get("/council/accounts".into()).await?)?;
    let first_queue: Value = serde_json::from_slice(&get("/council/reviews".into()).await?)?;
    println!(
        "the accounts list finds {} accounts; the review queue {}{} flagged spends",
        first_accounts["total"],
        if first_queue["more_than_total"] == true { "more than " } else { "" },
        first_queue["total"]
    );
    let accounts_next = first_accounts["next"].as_str().unwrap_or_default().to_owned();
    let queue_next = first_queue["next"].as_str().unwrap_or_default().to_owned();
    let pages: Vec<(&str, String)> = vec![
        ("accounts list, first page", "/council/accounts".into()),
        ("accounts list, second page", format!("/council/accounts?after={}", encode(&accounts_next))),
        ("accounts with flags to review", "/council/accounts?exception=flags".into()),
        ("accounts search (a reference)", "/council/accounts?search=DP-100042".into()),
        ("accounts search (a surname: 1 in 25 of the accounts)", "/council/accounts?search=morgan".into()),
        ("review queue, first page", "/council/reviews".into()),
        ("review queue, second page", format!("/council/reviews?after={}", encode(&queue_next))),
        ("review queue, receipts missing", "/council/reviews?rule=receipt_missing".into()),
        ("review queue, £55 to £100", "/council/reviews?min=55&max=100".into()),
        ("figures for the year", "/council/figures".into()),
        ("figures as CSV", "/council/figures.csv".into()),
        ("safeguarding", "/council/safeguarding".into()),
        ("one account", format!("/council/accounts/DP-{:06}", 100_000 + size / 2)),
    ];
    let mut timings = Vec::new();
    for (name, path) in pages {
        let mut times = Vec::with_capacity(options.requests);
        let mut bytes = 0;
        for i in 0..options.requests + 2 {
            let started = Instant::now();
            let body = get(path.clone()).await?;
            if i >= 2 {
                times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
            bytes = body.len();
        }
        times.sort_by(f64::total_cmp);
        let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
        let timing = Timing { p50_ms: at(0.5), p95_ms: at(0.95), bytes };
        println!("{name}: p50 {:.1} ms, p95 {:.1} ms, {}", timing.p50_ms, timing.p95_ms, size_text(timing.bytes));
        timings.push((name.to_owned(), timing));
    }
    println!(
        "server memory: {:.0} MB resident now, {:.0} MB at most; database {:.0} MB",
        server.status_kb("VmRSS:") as f64 / 1024.0,
        server.status_kb("VmHWM:") as f64 / 1024.0,
        database as f64 / 1_048_576.0
    );
    drop(server);
    if let Some((base, name)) = cleanup {
        let admin = sqlx::AnyPool::connect(&base).await?;
        sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&admin).await?;
        admin.close().await;
    }
    Ok(timings)
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn sign_in(http: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let response = http
        .post(format!("{base}/council/sign-in"))
        .json(&serde_json::json!({"email": seed::DEMO_OFFICER_EMAIL, "password": seed::DEMO_OFFICER_PASSWORD}))
        .send()
        .await?;
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    anyhow::ensure!(response.status().is_success(), "could not sign in: {}", response.status());
    cookie.ok_or_else(|| anyhow::anyhow!("no session cookie"))
}

async fn database_size(storage: &Storage, dir: &std::path::Path) -> anyhow::Result<u64> {
    match storage.backend() {
        tally_council::storage::Backend::Sqlite => Ok(std::fs::read_dir(dir)?
            .filter_map(Result::ok)
            .filter_map(|e| e.metadata().ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum()),
        tally_council::storage::Backend::Postgres => storage.database_size().await,
    }
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(url: &str, data_dir: &std::path::Path) -> anyhow::Result<Server> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tally-council"))
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--database-url", url, "serve", "--demo", "--addr", "127.0.0.1:0", "--dist"])
            .arg(data_dir.join("no-app"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdout = child.stdout.take().expect("piped");
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            if let Some(rest) = line.split("Open the wallet:").nth(1) {
                let address = rest.trim().trim_end_matches('/');
                std::thread::sleep(Duration::from_millis(200));
                return Ok(Server { child, base: format!("{address}/api/v1") });
            }
        }
        anyhow::bail!("the council server did not start")
    }

    /// A figure from /proc/<pid>/status, in kB (0 where there is no /proc).
    fn status_kb(&self, field: &str) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            })
            .unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
