//! `tally-council`: runs the council server, or does one administrative job.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tally_council::storage::Storage;
use tally_council::{app, issue_pairing_code, seed, sqlite_url, AppState};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(version, about = "Tally's council server")]
struct Cli {
    /// Where the embedded database lives.
    #[arg(long, env = "TALLY_DATA_DIR", default_value = "data", global = true)]
    data_dir: PathBuf,
    /// Use this database instead of the embedded one (sqlite://... or postgres://...).
    #[arg(long, env = "TALLY_DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// The server's secret key (pairing codes are kept under it), made if missing. Keep
    /// it out of the database's backups; every server on one database needs the same one.
    /// Default: server.key in the data directory.
    #[arg(long, env = "TALLY_KEY_FILE", global = true)]
    key_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the wallet app.
    Serve {
        #[arg(long, env = "TALLY_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// The built wallet app (Trunk's output).
        #[arg(long, env = "TALLY_DIST", default_value = "dist")]
        dist: PathBuf,
        /// Create the demo council if missing and print a pairing code for it (implies
        /// --demo).
        #[arg(long)]
        seed_demo: bool,
        /// This server runs the demo: staff may sign in with the demo's published
        /// passwords. Without it, `serve` refuses to start while anyone still can.
        #[arg(long)]
        demo: bool,
        /// The address people reach the server at, e.g. https://tally.example.gov.uk.
        /// When it is HTTPS the staff cookie is Secure and answers carry HSTS.
        #[arg(long, env = "TALLY_PUBLIC_URL")]
        public_url: Option<String>,
        /// The server is behind a reverse proxy that adds the client's address to
        /// X-Forwarded-For (throttling goes by that address, not the proxy's).
        #[arg(long, env = "TALLY_BEHIND_PROXY")]
        behind_proxy: bool,
        /// Where the apps' earlier files are kept, so a browser updating from one of the
        /// last few versions downloads only what changed. Default: app-versions in the
        /// data directory.
        #[arg(long, env = "TALLY_APP_VERSIONS")]
        app_versions: Option<PathBuf>,
        /// Records an account may send in 24 hours.
        #[arg(long, env = "TALLY_RECORDS_PER_DAY", default_value_t = tally_council::guard::Limits::default().records_per_day)]
        records_per_day: i64,
        /// Requests a device may make a second, on average (it may make 60 times as many
        /// at once).
        #[arg(long, env = "TALLY_DEVICE_REQUESTS_PER_SECOND", default_value_t = 2)]
        device_requests_per_second: u32,
    },
    /// Set up a council with no demo data: prints a one-time link (72 hours, single use)
    /// for its first administrator to choose a password.
    CreateCouncil {
        /// The council's name, e.g. "Northshire County Council".
        #[arg(long)]
        name: String,
        /// The first administrator's work email address (they sign in with it).
        #[arg(long)]
        admin_email: String,
        /// The first administrator's name.
        #[arg(long)]
        admin_name: String,
        /// The address people reach the server at (for the link), e.g.
        /// https://tally.example.gov.uk.
        #[arg(long, env = "TALLY_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
        public_url: String,
    },
    /// Print a new one-time link for a member of staff to choose a password (an
    /// administrator who lost theirs, or whose link ran out). Their earlier links stop
    /// working; their password works until they choose a new one.
    PasswordLink {
        /// The email address they sign in with.
        #[arg(long)]
        email: String,
        /// The council's name, needed only when several councils on this server use the
        /// same reference or email.
        #[arg(long)]
        council: Option<String>,
        #[arg(long, env = "TALLY_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
        public_url: String,
    },
    /// Write a checked copy of the embedded database (every account, record, receipt
    /// photo and audit line) to a new file, while the server runs. For Postgres, use
    /// pg_dump (docs/deploy.md).
    Backup {
        /// The new file.
        #[arg(long)]
        to: PathBuf,
    },
    /// Put a backup in place as the data directory's database. The data directory must
    /// have no database yet; the backup is checked first (its pages and its audit chain).
    Restore {
        /// The backup file, as `backup` wrote it.
        #[arg(long)]
        from: PathBuf,
    },
    /// Check the audit trail's hash chain from its first line to its last; exits with
    /// status 1 at the first line that was changed, removed or slipped in.
    VerifyAudit,
    /// Print a new one-time pairing code for an account.
    PairingCode {
        /// The council's reference for the account, e.g. DP-000001.
        #[arg(long)]
        reference: String,
        /// The council's name, needed only when several councils on this server use the
        /// same reference or email.
        #[arg(long)]
        council: Option<String>,
    },
    /// List the devices paired with an account.
    Devices {
        /// The council's reference for the account, e.g. DP-000001.
        #[arg(long)]
        reference: String,
        /// The council's name, needed only when several councils on this server use the
        /// same reference or email.
        #[arg(long)]
        council: Option<String>,
    },
    /// Print an account's support plan (all versions) as JSON.
    Plan {
        #[arg(long)]
        reference: String,
        /// The council's name, needed only when several councils on this server use the
        /// same reference or email.
        #[arg(long)]
        council: Option<String>,
    },
    /// Replace an account's support plan with one from a JSON file (as `plan` prints it).
    /// The person's devices take it on their next sync.
    SetPlan {
        #[arg(long)]
        reference: String,
        /// The council's name, needed only when several councils on this server use the
        /// same reference or email.
        #[arg(long)]
        council: Option<String>,
        #[arg(long)]
        file: PathBuf,
    },
    /// Stop a paired device reaching its account (a lost or replaced phone). What it
    /// already sent is kept.
    RevokeDevice {
        /// The device's id, as `devices` lists it.
        #[arg(long)]
        device: uuid::Uuid,
    },
    /// Print the API's OpenAPI 3.1 description (as served at /api/v1/openapi.json), to
    /// generate a client or check a change to the API.
    Openapi,
    /// Add a made-up caseload to the demo council, for trying the workspace at a
    /// council's scale and for its benchmarks: accounts with a year of records each.
    SeedCaseload {
        /// How many accounts to add (references from DP-100000).
        #[arg(long, default_value_t = 500)]
        accounts: usize,
        /// Flag half the spending (no plan line), not about 6%.
        #[arg(long)]
        heavy: bool,
        /// How many days of records each account has, up to today.
        #[arg(long, default_value_t = 365)]
        days: i64,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        println!("{}", serde_json::to_string_pretty(&tally_council::api::openapi())?);
        return Ok(());
    }
    if let Command::Restore { from } = &cli.command {
        anyhow::ensure!(
            cli.database_url.is_none(),
            "restore puts a backup in place as the embedded database; a Postgres database is restored with pg_restore (docs/deploy.md)"
        );
        let database = cli.data_dir.join(tally_council::SQLITE_FILE);
        let copy = tally_council::backup::restore(from, &database).await?;
        println!("Restored {copy}.");
        if !cli.key_file.clone().unwrap_or_else(|| cli.data_dir.join("server.key")).exists() {
            println!(
                "Copy the old server's key (server.key) into {} too: without it, pairing codes issued before the backup do not work (everything else does).",
                cli.data_dir.display()
            );
        }
        return Ok(());
    }
    let url = match &cli.database_url {
        Some(url) => url.clone(),
        None => sqlite_url(&cli.data_dir)?,
    };
    let key_file = cli.key_file.clone().unwrap_or_else(|| cli.data_dir.join("server.key"));
    let key = tally_council::auth::ServerKey::load_or_create(&key_file)?;
    let storage = Storage::open_with_key(&url, key).await?;
    // Who ran a command, for the audit trail.
    let operator =
        std::env::var("SUDO_USER").or_else(|_| std::env::var("USER")).unwrap_or_else(|_| "unknown".to_owned());
    match cli.command {
        Command::VerifyAudit => {
            let check = storage.verify_audit().await?;
            match check.first_break {
                None => {
                    println!("The audit trail is whole: {} lines, each following from the one before.", check.lines);
                    println!("Last line's hash: {}", check.head_hash);
                }
                Some((seq, why)) => {
                    eprintln!(
                        "The audit trail is broken at line {seq}: {why}. The {} lines before it check out (last hash {}).",
                        check.lines, check.head_hash
                    );
                    storage.close().await;
                    std::process::exit(1);
                }
            }
        }
        Command::Serve {
            addr,
            dist,
            seed_demo,
            demo: demo_allowed,
            public_url,
            behind_proxy,
            records_per_day,
            device_requests_per_second,
            app_versions,
        } => {
            if let Some(url) = &public_url {
                anyhow::ensure!(
                    url.starts_with("https://") || url.starts_with("http://"),
                    "--public-url must start with https:// (or http:// for a test), not {url:?}"
                );
            }
            if !(seed_demo || demo_allowed) {
                let published = tally_council::setup::demo_passwords_in_use(&storage).await?;
                anyhow::ensure!(
                    published.is_empty(),
                    "this database has staff who sign in with the demo's published passwords ({}). Anyone could sign in as them. Run the demo with --seed-demo (or --demo), or use a database set up with `tally-council create-council`.",
                    published.join(", ")
                );
            }
            let demo = if seed_demo { Some(seed::ensure_demo(&storage).await?) } else { None };
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("could not listen on {addr}; is another server using it?"))?;
            let addr = listener.local_addr()?;
            if !dist.join("index.html").exists() {
                tracing::warn!(dist = %dist.display(), "no built wallet app here; serving the API only");
            }
            let base = public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
            let base = base.trim_end_matches('/').to_owned();
            println!("Tally council server is running.");
            println!("  Open the wallet:      {base}/");
            println!("  Listening on:         http://{addr}");
            println!("  Health check:         {base}/api/v1/health");
            if let Some(demo) = demo {
                println!(
                    "  Demo pairing code:    {}  (for {}, account {}; one use, valid {} days)",
                    demo.pairing_code,
                    demo.person_name,
                    demo.reference,
                    seed::PAIRING_CODE_DAYS
                );
                println!("  Council workspace:    {base}/council");
                println!("  Demo finance officer: {} / {}", seed::DEMO_OFFICER_EMAIL, seed::DEMO_OFFICER_PASSWORD);
                println!("  Demo auditor:         {} / {}", seed::DEMO_AUDITOR_EMAIL, seed::DEMO_AUDITOR_PASSWORD);
                println!("  Demo administrator:   {} / {}", seed::DEMO_ADMIN_EMAIL, seed::DEMO_ADMIN_PASSWORD);
            }
            if cli.database_url.is_none() {
                println!("  Data directory:       {}", cli.data_dir.display());
            }
            println!("Press Ctrl+C to stop.");
            // Scheduled payments in: recorded when due, checked at start and every 10 minutes.
            let payments = storage.clone();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
                loop {
                    every.tick().await;
                    let today = tally_council::Clock::system().today();
                    match tally_council::record_due_payments(&payments, today, tally_council::now_ms()).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(payments = n, "scheduled payments in recorded"),
                        Err(e) => tracing::error!(error = format!("{e:#}"), "could not record scheduled payments"),
                    }
                }
            });
            // Account summaries: brought up to date every few seconds (after a policy
            // change, a new day, or records another server stored).
            let summaries = AppState::new(storage.clone());
            tokio::spawn(async move {
                let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
                loop {
                    every.tick().await;
                    match tally_council::api::summaries::catch_up(&summaries).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(accounts = n, "account summaries brought up to date"),
                        Err(e) => tracing::error!(error = %e, "could not bring account summaries up to date"),
                    }
                }
            });
            let per_second = std::num::NonZeroU32::new(device_requests_per_second)
                .context("--device-requests-per-second must be at least 1")?;
            let limits = tally_council::guard::Limits {
                records_per_day,
                device_requests: governor::Quota::per_second(per_second)
                    .allow_burst(per_second.saturating_mul(tally_council::guard::per(60))),
                ..tally_council::guard::Limits::default()
            };
            let header_timeout = limits.header_timeout;
            let state = AppState::with(
                storage.clone(),
                tally_council::Config {
                    public_url,
                    behind_proxy,
                    app_versions: Some(app_versions.unwrap_or_else(|| cli.data_dir.join("app-versions"))),
                },
                limits,
            );
            // Housekeeping: forget idle rate-limit state, and remove wrong passwords,
            // ended sessions and old pairing codes no longer needed.
            let keeping = state.clone();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
                loop {
                    every.tick().await;
                    keeping.guard.forget_idle();
                    match keeping.storage.purge_expired(tally_council::now_ms()).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(rows = n, "expired sign-in attempts, sessions and codes removed"),
                        Err(e) => tracing::error!(error = format!("{e:#}"), "could not remove expired rows"),
                    }
                    let today = tally_council::Clock::system().today();
                    match tally_council::retention::apply(&keeping, today, tally_council::now_ms()).await {
                        Ok(0) => {}
                        Ok(n) => {
                            tracing::info!(accounts = n, "accounts past the council's retention period anonymised")
                        }
                        Err(e) => tracing::error!(error = format!("{e:#}"), "could not apply the retention period"),
                    }
                }
            });
            let router = app(state, Some(&dist));
            tally_council::serve(listener, router, header_timeout, shutdown_signal()).await?;
            storage.close().await;
        }
        Command::CreateCouncil { name, admin_email, admin_name, public_url } => {
            let made = tally_council::setup::create_council(
                &storage,
                &name,
                &admin_email,
                &admin_name,
                &operator,
                tally_council::now_ms(),
            )
            .await?;
            println!("Created {} (no accounts yet).", name.trim());
            println!(
                "Give this link to {} <{}> only. It works once, until {}, for them to choose a password:",
                admin_name.trim(),
                admin_email.trim().to_lowercase(),
                tally_council::format_ms(made.expires_at_ms)
            );
            println!("{}{}", public_url.trim_end_matches('/'), made.link_path);
        }
        Command::PasswordLink { email, council, public_url } => {
            let made = tally_council::setup::password_link_for(
                &storage,
                council.as_deref(),
                &email,
                &operator,
                tally_council::now_ms(),
            )
            .await?;
            println!(
                "Give this link to {} only. It works once, until {}:",
                email.trim(),
                tally_council::format_ms(made.expires_at_ms)
            );
            println!("{}{}", public_url.trim_end_matches('/'), made.link_path);
        }
        Command::Backup { to } => {
            let copy = tally_council::backup::backup(&storage, &to).await?;
            println!("Backed up to {copy}.");
            println!("The server key is not in the backup: keep a copy of it apart (docs/deploy.md).");
        }
        Command::Restore { .. } => unreachable!("restored before the database is opened"),
        Command::SeedCaseload { accounts, heavy, days } => {
            let started = std::time::Instant::now();
            let today = tally_council::Clock::system().today();
            let records = seed::caseload(&storage, accounts, heavy, today, days).await?;
            let summaries = tally_council::api::summaries::catch_up(&AppState::new(storage.clone())).await?;
            println!(
                "Added {accounts} accounts with {records} records to {} ({summaries} summaries worked out) in {:.1} s.",
                seed::DEMO_COUNCIL,
                started.elapsed().as_secs_f64()
            );
        }
        Command::PairingCode { reference, council } => {
            let account = storage
                .account_by_reference(council.as_deref(), &reference)
                .await?
                .with_context(|| format!("there is no account with reference {reference}"))?;
            let (council, detail) = command_context(&storage, &account, &operator, "").await?;
            let event = command_event(council.as_deref(), &account, "pairing code issued", &detail);
            let code = issue_pairing_code(&storage, account.account_id, Some(&event)).await?;
            println!("{code}");
        }
        Command::Devices { reference, council } => {
            let account = storage
                .account_by_reference(council.as_deref(), &reference)
                .await?
                .with_context(|| format!("there is no account with reference {reference}"))?;
            let devices = storage.devices(account.account_id).await?;
            if devices.is_empty() {
                println!("No devices are paired with {reference} ({}).", account.person_name);
            }
            for device in devices {
                let state = match device.revoked_at_ms {
                    Some(at) => format!("revoked {}", tally_council::format_ms(at)),
                    None => "active".to_owned(),
                };
                let received = match (device.records, device.last_received_at_ms) {
                    (0, _) | (_, None) => "no records yet".to_owned(),
                    (n, Some(at)) => format!("{n} records, last {}", tally_council::format_ms(at)),
                };
                let missing = match device.missing {
                    0 => String::new(),
                    n => format!("  {n} numbered records not received yet"),
                };
                println!(
                    "{}  {}  paired {}  {state}  {received}{missing}",
                    device.device_id.0,
                    device.label,
                    tally_council::format_ms(device.paired_at_ms)
                );
            }
        }
        Command::Plan { reference, council } => {
            let account = storage
                .account_by_reference(council.as_deref(), &reference)
                .await?
                .with_context(|| format!("there is no account with reference {reference}"))?;
            println!("{}", serde_json::to_string_pretty(&storage.support_plan(account.account_id).await?)?);
        }
        Command::SetPlan { reference, council, file } => {
            let account = storage
                .account_by_reference(council.as_deref(), &reference)
                .await?
                .with_context(|| format!("there is no account with reference {reference}"))?;
            let text = std::fs::read_to_string(&file).with_context(|| format!("could not read {}", file.display()))?;
            let plan: tally_ledger::SupportPlan =
                serde_json::from_str(&text).with_context(|| format!("{} is not a support plan", file.display()))?;
            let from = format!("from {}", file.display());
            let (council, detail) = command_context(&storage, &account, &operator, &from).await?;
            let event = command_event(council.as_deref(), &account, "support plan changed", &detail);
            storage.set_support_plan(account.account_id, &plan, &event, tally_council::now_ms()).await?;
            println!(
                "The support plan of {reference} ({}) is updated; devices take it when they next sync.",
                account.person_name
            );
        }
        Command::RevokeDevice { device } => {
            let detail = format!("{device}, by {operator}");
            let event = tally_council::storage::AuditEvent::command_line(None, "device revoked", &detail);
            match storage.revoke_device(tally_ledger::DeviceId(device), &event, tally_council::now_ms()).await? {
                Some(account) => {
                    println!("Revoked device {device} of account {account}; its token no longer works.")
                }
                None => anyhow::bail!("there is no active device {device} (it may be revoked already)"),
            }
        }
        Command::Openapi => unreachable!("printed before the database is opened"),
    }
    Ok(())
}

/// For a change made at the command line: the account's council, and the detail naming
/// who ran it.
async fn command_context(
    storage: &Storage,
    account: &tally_council::storage::AccountRow,
    operator: &str,
    detail: &str,
) -> anyhow::Result<(Option<String>, String)> {
    let detail = if detail.is_empty() { format!("by {operator}") } else { format!("{detail}, by {operator}") };
    Ok((storage.council_of_account(account.account_id).await?, detail))
}

/// The audit line of a change made at the command line, written with the change.
fn command_event<'a>(
    council: Option<&'a str>,
    account: &tally_council::storage::AccountRow,
    action: &'a str,
    detail: &'a str,
) -> tally_council::storage::AuditEvent<'a> {
    tally_council::storage::AuditEvent {
        account_id: Some(account.account_id),
        ..tally_council::storage::AuditEvent::command_line(council, action, detail)
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}
