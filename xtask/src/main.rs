//! `cargo xtask`: the project's two commands, working on a fresh machine.
//!
//! - `cargo xtask run`: installs what is missing, builds the wallet and the council server,
//!   seeds the demo council (keeping any data already there) and serves both.
//! - `cargo xtask test`: installs what the tests need, runs every Rust test and the browser
//!   tests in Chromium, and ends with a `N passed, N failed` line for the browser tests.
//!
//! Every tool comes from a package registry (crates.io, npm, Debian); nothing is downloaded
//! from anywhere else. Each install step is skipped when it is already done.

use std::collections::hash_map::DefaultHasher;
use std::env;
use std::ffi::OsString;
use std::fs;
use std::hash::{Hash, Hasher};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

/// Trunk 0.22 needs a newer rustc than these machines have.
const TRUNK_VERSION: &str = "~0.21";
const TRUNK_MAJOR_MINOR: &str = "trunk 0.21.";
/// Where Debian's Chromium lives.
const CHROMIUM: &str = "/usr/bin/chromium";
const NGINX: &str = "/usr/sbin/nginx";
/// The Postgres server the storage tests use when it is there.
const POSTGRES_ADDR: &str = "127.0.0.1:5432";
const POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
/// cargo-deny, which checks the dependencies' licences, sources and advisories (deny.toml).
const CARGO_DENY_VERSION: &str = "0.18.3";

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => test(&args[1..]),
        Some("build") => root().and_then(|root| ensure_build_tools(&root).and_then(|()| build_wallet(&root))),
        Some("bench-browser") => bench_browser(),
        Some("hostile") => hostile(&args[1..]),
        // Run by Trunk after each build (see Trunk.toml), in its staging directory.
        Some("precache") => {
            staging_dir("precache").and_then(|dir| name_by_content(&dir).map(|_| dir)).and_then(|dir| precache(&dir))
        }
        Some("name-by-content") => staging_dir("name-by-content").and_then(|dir| name_by_content(&dir)),
        _ => {
            eprintln!("usage: cargo xtask run [--port 8080] [--data-dir data]\n       cargo xtask test\n       cargo xtask build\n       cargo xtask bench-browser\n       cargo xtask hostile [--records 1000000] [--seed text]");
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate).
fn root() -> Result<PathBuf> {
    let manifest = env::var("CARGO_MANIFEST_DIR").map_err(|_| "run this through `cargo xtask`".to_owned())?;
    Path::new(&manifest).parent().map(Path::to_path_buf).ok_or_else(|| "no workspace root".to_owned())
}

// --- run ----------------------------------------------------------------------------------

fn run(args: &[String]) -> Result {
    let root = root()?;
    let mut port = env::var("TALLY_PORT").unwrap_or_else(|_| "8080".to_owned());
    let mut data_dir = env::var("TALLY_DATA_DIR").map(PathBuf::from).unwrap_or_else(|_| root.join("data"));
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--port" => port = rest.next().ok_or("--port needs a number")?.clone(),
            "--data-dir" => data_dir = PathBuf::from(rest.next().ok_or("--data-dir needs a folder")?),
            other => return Err(format!("unknown option {other}; try --port or --data-dir")),
        }
    }
    port.parse::<u16>().map_err(|_| format!("--port must be a number from 1 to 65535, not {port}"))?;
    let started = Instant::now();
    ensure_build_tools(&root)?;
    build_wallet(&root)?;
    step("Building the council server");
    cargo(&root, &["build", "--release", "--package", "tally-council"])?;
    println!("Ready in {:.0} s.", started.elapsed().as_secs_f64());
    let server = root.join("target/release/tally-council");
    let status = Command::new(server)
        .arg("--data-dir")
        .arg(&data_dir)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--seed-demo", "--dist"])
        .arg(root.join("dist"))
        .status()
        .map_err(|e| format!("could not start the council server: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the council server stopped with {status}"))
    }
}

// --- test ---------------------------------------------------------------------------------

fn test(args: &[String]) -> Result {
    if let Some(other) = args.first() {
        return Err(format!("`cargo xtask test` takes no options, not {other}"));
    }
    let root = root()?;
    let started = Instant::now();
    ensure_build_tools(&root)?;
    ensure_chromium()?;
    ensure_proxy()?;
    npm_install(&root.join("tests"))?;

    step("Style: cargo fmt --check, and cargo clippy with warnings as errors");
    ensure_components(&["rustfmt", "clippy"])?;
    check_status(
        Command::new(cargo_bin()).current_dir(&root).args(["fmt", "--all", "--check"]).status(),
        "the code is not formatted: run `cargo fmt --all`",
    )?;
    cargo(&root, &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])?;
    let advisories = check_dependencies(&root)?;

    let postgres = postgres_for_tests();
    step("Rust tests (ledger, API types, council server, the wallet's sync engine, xtask)");
    let mut cargo_test = Command::new(cargo_bin());
    cargo_test.current_dir(&root).args(["test", "--workspace"]);
    match &postgres {
        Some(url) => {
            cargo_test.env("TALLY_TEST_POSTGRES_URL", url);
        }
        None => {
            cargo_test.env_remove("TALLY_TEST_POSTGRES_URL");
        }
    }
    check_status(cargo_test.status(), "the Rust tests failed")?;

    build_wallet(&root)?;
    step("Building the council server for the browser tests");
    cargo(&root, &["build", "--package", "tally-council"])?;

    step("Browser tests in Chromium");
    let report = root.join("target/playwright-report.json");
    let _ = fs::remove_file(&report);
    let status = Command::new("npx")
        .current_dir(root.join("tests"))
        .args(["playwright", "test", "--reporter=list,json"])
        .env("PLAYWRIGHT_JSON_OUTPUT_NAME", &report)
        .env("TALLY_SERVER_BIN", root.join("target/debug/tally-council"))
        .env("TALLY_DIST", root.join("dist"))
        .env("CHROMIUM_PATH", CHROMIUM)
        .env("NGINX_PATH", NGINX)
        .status();
    let (passed, failed, skipped) = read_playwright_report(&report)?;
    if postgres.is_none() {
        println!("note: the Postgres storage tests were skipped: no Postgres server answered at {POSTGRES_ADDR}.");
    }
    if let Some(why) = advisories {
        println!("note: the dependencies' security advisories were not checked: {why}");
    }
    println!("Everything ran in {:.0} s.", started.elapsed().as_secs_f64());
    if skipped > 0 {
        println!("browser: {passed} passed, {failed} failed, {skipped} skipped");
    } else {
        println!("browser: {passed} passed, {failed} failed");
    }
    check_status(status, "the browser tests failed")?;
    if failed > 0 || passed == 0 {
        return Err("the browser tests did not all pass".to_owned());
    }
    Ok(())
}

// --- hostile ------------------------------------------------------------------------------

/// The generated-records test (`crates/council/tests/generated.rs`) at a length of your
/// choosing: records a scripted phone might send, pushed to a real server on loopback, on
/// SQLite and (when there is one) Postgres. It prints how many ran and what became of them.
fn hostile(args: &[String]) -> Result {
    let root = root()?;
    let mut records = "1000000".to_owned();
    let mut seed = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--records" => records = rest.next().ok_or("--records needs a number")?.clone(),
            "--seed" => seed = Some(rest.next().ok_or("--seed needs some text")?.clone()),
            other => return Err(format!("unknown option {other}; try --records or --seed")),
        }
    }
    records.parse::<usize>().map_err(|_| format!("--records must be a whole number, not {records}"))?;
    let mut command = Command::new(cargo_bin());
    command
        .current_dir(&root)
        .args([
            "test",
            "--release",
            "--package",
            "tally-council",
            "--test",
            "generated",
            "--",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("TALLY_GENERATED_RECORDS", &records);
    if let Some(seed) = seed {
        command.env("TALLY_GENERATED_SEED", seed);
    }
    match postgres_for_tests() {
        Some(url) => command.env("TALLY_TEST_POSTGRES_URL", url),
        None => command.env_remove("TALLY_TEST_POSTGRES_URL"),
    };
    step(&format!("Pushing {records} generated records to a council server on loopback"));
    check_status(command.status(), "the generated-records run failed")
}

// --- bench-browser ------------------------------------------------------------------------

/// The wallet's device-storage benchmarks in Chromium (tests/bench), against the release
/// council server. They print figures; see docs/PERFORMANCE.md.
fn bench_browser() -> Result {
    let root = root()?;
    ensure_build_tools(&root)?;
    ensure_chromium()?;
    npm_install(&root.join("tests"))?;
    // The peer app the first-load benchmark measures Tally against (Actual Budget's web build).
    npm_install(&root.join("tests/peer"))?;
    build_wallet(&root)?;
    step("Building the council server (release)");
    cargo(&root, &["build", "--release", "--package", "tally-council"])?;
    step("Browser benchmarks in Chromium");
    check_status(
        Command::new("npx")
            .current_dir(root.join("tests"))
            .args(["playwright", "test", "-c", "bench.config.ts", "--reporter=list"])
            .env("TALLY_SERVER_BIN", root.join("target/release/tally-council"))
            .env("TALLY_DIST", root.join("dist"))
            .env("CHROMIUM_PATH", CHROMIUM)
            .status(),
        "the browser benchmarks failed",
    )
}

/// Counts from Playwright's JSON report: (passed, failed, skipped).
fn read_playwright_report(path: &Path) -> Result<(u64, u64, u64)> {
    let text = fs::read_to_string(path).map_err(|e| format!("no browser test report at {}: {e}", path.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("the browser test report is unreadable: {e}"))?;
    let stat = |name: &str| json["stats"][name].as_u64().unwrap_or(0);
    Ok((stat("expected") + stat("flaky"), stat("unexpected"), stat("skipped")))
}

/// The Postgres URL for the storage tests, starting the local server if it is installed
/// but stopped. `None` (and a clear note) when there is none.
fn postgres_for_tests() -> Option<String> {
    if let Ok(url) = env::var("TALLY_TEST_POSTGRES_URL") {
        return Some(url);
    }
    let reachable = || {
        POSTGRES_ADDR
            .parse::<SocketAddr>()
            .ok()
            .map(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_ok())
            .unwrap_or(false)
    };
    if reachable() {
        return Some(POSTGRES_URL.to_owned());
    }
    if let Ok(versions) = fs::read_dir("/etc/postgresql") {
        for version in versions.flatten() {
            step("Starting the local Postgres server");
            let _ = Command::new("pg_ctlcluster")
                .args(["--skip-systemctl-redirect", &version.file_name().to_string_lossy(), "main", "start"])
                .status();
        }
        for _ in 0..20 {
            if reachable() {
                return Some(POSTGRES_URL.to_owned());
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }
    println!("SKIPPING the Postgres storage tests: no Postgres server at {POSTGRES_ADDR}, and none could be started. The same tests run on SQLite.");
    None
}

// --- tools --------------------------------------------------------------------------------

/// The wasm target, Trunk, wasm-bindgen (the Cargo.lock version) and wasm-opt.
fn ensure_build_tools(root: &Path) -> Result {
    let targets = output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !targets.lines().any(|t| t.trim() == "wasm32-unknown-unknown") {
        step("Installing the wasm32-unknown-unknown target");
        check_status(
            Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]).status(),
            "could not add the wasm target",
        )?;
    }
    let trunk = output(Command::new(cargo_home_bin("trunk")).arg("--version")).unwrap_or_default();
    if !trunk.starts_with(TRUNK_MAJOR_MINOR) {
        step("Installing Trunk 0.21 (about 8 minutes on 2 cores, once)");
        cargo(root, &["install", "trunk", "--locked", "--version", TRUNK_VERSION])?;
    }
    let wanted = wasm_bindgen_version(root)?;
    let installed = output(Command::new(cargo_home_bin("wasm-bindgen")).arg("--version")).unwrap_or_default();
    if installed.trim() != format!("wasm-bindgen {wanted}") {
        step(&format!("Installing wasm-bindgen-cli {wanted} (the version in Cargo.lock)"));
        // Not --locked: for some versions a pinned dependency is missing from the registry.
        cargo(root, &["install", "wasm-bindgen-cli", "--version", &wanted, "--force"])?;
    }
    if !root.join("tools/node_modules/.bin/wasm-opt").exists() {
        step("Installing wasm-opt (npm binaryen)");
        npm_install(&root.join("tools"))?;
    }
    Ok(())
}

/// The dependencies against deny.toml: licences, banned crates and sources always; the
/// RustSec advisories when their database can be fetched. `Some(why)` when it could not.
fn check_dependencies(root: &Path) -> Result<Option<String>> {
    let deny = cargo_home_bin("cargo-deny");
    let installed = output(Command::new(&deny).arg("--version")).unwrap_or_default();
    if installed.trim() != format!("cargo-deny {CARGO_DENY_VERSION}") {
        step(&format!("Installing cargo-deny {CARGO_DENY_VERSION} (about 6 minutes on 2 cores, once)"));
        cargo(root, &["install", "cargo-deny", "--locked", "--version", CARGO_DENY_VERSION])?;
    }
    step("Dependencies: cargo deny check licenses bans sources");
    check_status(
        Command::new(&deny)
            .current_dir(root)
            .args(["--log-level", "error", "check", "licenses", "bans", "sources"])
            .status(),
        "a dependency's licence, source or name is not allowed (deny.toml)",
    )?;
    step("Dependencies: cargo deny check advisories");
    let advisories = Command::new(&deny)
        .current_dir(root)
        .args(["--log-level", "error", "check", "advisories"])
        .output()
        .map_err(|e| format!("could not run cargo-deny: {e}"))?;
    let said = String::from_utf8_lossy(&advisories.stderr);
    if advisories.status.success() {
        return Ok(None);
    }
    if advisory_database_unreachable(&said) {
        return Ok(Some("the RustSec database could not be fetched from this machine".to_owned()));
    }
    eprintln!("{said}");
    Err("a dependency has a security advisory (cargo deny check advisories)".to_owned())
}

/// Whether cargo-deny failed because it could not fetch the advisory database, rather
/// than because it found an advisory.
fn advisory_database_unreachable(said: &str) -> bool {
    let said = said.to_lowercase();
    ["failed to fetch", "unable to fetch", "failed to open advisory database", "failed to load advisory database"]
        .iter()
        .any(|words| said.contains(words))
}

/// Rust toolchain components (rustfmt, clippy), added when missing.
fn ensure_components(names: &[&str]) -> Result {
    let installed = output(Command::new("rustup").args(["component", "list", "--installed"])).unwrap_or_default();
    for name in names {
        if !installed.lines().any(|c| c.starts_with(&format!("{name}-"))) {
            step(&format!("Installing the {name} component"));
            check_status(
                Command::new("rustup").args(["component", "add", name]).status(),
                &format!("could not add {name}"),
            )?;
        }
    }
    Ok(())
}

/// The exact wasm-bindgen version in Cargo.lock: the CLI must match it.
fn wasm_bindgen_version(root: &Path) -> Result<String> {
    let lock = fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines.next().and_then(|l| l.trim().strip_prefix("version = \"")) {
                return Ok(version.trim_end_matches('"').to_owned());
            }
        }
    }
    Err("Cargo.lock names no wasm-bindgen version".to_owned())
}

fn ensure_chromium() -> Result {
    ensure_debian_packages(&[(CHROMIUM, "chromium"), ("/usr/bin/chromedriver", "chromium-driver")])
}

/// nginx (the reverse proxy docs/deploy.md configures, which the deployment test runs) and
/// openssl (its self-signed certificate).
fn ensure_proxy() -> Result {
    ensure_debian_packages(&[(NGINX, "nginx"), ("/usr/bin/openssl", "openssl")])
}

/// Installs from Debian each package whose file is missing.
fn ensure_debian_packages(wanted: &[(&str, &str)]) -> Result {
    let missing: Vec<&str> =
        wanted.iter().filter(|(file, _)| !Path::new(file).exists()).map(|(_, package)| *package).collect();
    if missing.is_empty() {
        return Ok(());
    }
    step(&format!("Installing {} from Debian", missing.join(", ")));
    let apt = |args: &[&str]| Command::new("apt-get").args(args).env("DEBIAN_FRONTEND", "noninteractive").status();
    check_status(apt(&["update", "-qq"]), "apt-get update failed")?;
    let mut args = vec!["install", "-y", "-qq"];
    args.extend(&missing);
    check_status(apt(&args), &format!("could not install {} (apt-get install; needs root)", missing.join(" ")))
}

/// `npm ci` in a folder with a package-lock.json, unless its node_modules is up to date.
fn npm_install(dir: &Path) -> Result {
    let lock = dir.join("package-lock.json");
    let stamp = dir.join("node_modules/.package-lock.json");
    let fresh = match (fs::metadata(&lock).and_then(|m| m.modified()), fs::metadata(&stamp).and_then(|m| m.modified()))
    {
        (Ok(lock), Ok(stamp)) => stamp >= lock,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    step(&format!("Installing npm packages in {}", dir.display()));
    check_status(Command::new("npm").current_dir(dir).args(["ci", "--no-audit", "--no-fund"]).status(), "npm ci failed")
}

// --- building the wallet ------------------------------------------------------------------

/// Builds the wallet with Trunk in release, unless nothing it is built from has changed
/// since the last build.
fn build_wallet(root: &Path) -> Result {
    let fingerprint = wallet_fingerprint(root)?;
    let stamp = root.join("target/wallet-build.stamp");
    let dist_ok = ["dist/index.html", "dist/council/index.html", "dist/welcome/index.html"]
        .iter()
        .all(|page| root.join(page).exists());
    if dist_ok && fs::read_to_string(&stamp).ok().as_deref() == Some(fingerprint.as_str()) {
        step("The wallet app and the council workspace are up to date");
        return Ok(());
    }
    step("Building the wallet app and the council workspace (Trunk, release)");
    let previous = root.join("target/previous-build");
    keep_code_files(&root.join("dist"), &previous)?;
    let started = Instant::now();
    let trunk = |folder: &str, what: &str| {
        check_status(
            Command::new(cargo_home_bin("trunk"))
                .current_dir(root.join(folder))
                .args(["build", "--release", "--offline"])
                .env("PATH", tool_path(root))
                .status(),
            &format!("the {what} did not build"),
        )
    };
    // The wallet's build empties dist, so the workspace (dist/council) comes second.
    trunk(".", "wallet app")?;
    trunk("crates/workspace", "council workspace")?;
    trunk("crates/welcome", "first screen")?;
    fs::create_dir_all(root.join("target")).map_err(|e| e.to_string())?;
    fs::write(&stamp, fingerprint).map_err(|e| e.to_string())?;
    let dist = root.join("dist");
    let compressed = precompress(&dist)?;
    println!(
        "Built the wallet and the workspace in {:.0} s; {compressed} files compressed (brotli and gzip) for the server to send as they are.",
        started.elapsed().as_secs_f64()
    );
    print!("{}", size_report(&dist)?);
    print!("{}", update_report(&dist, &previous)?);
    Ok(())
}

/// Copies the code and style files of the build in `dist` (those an update may send as
/// deltas) into `kept`, replacing what was there: the previous build, for [`update_report`].
fn keep_code_files(dist: &Path, kept: &Path) -> Result {
    if !dist.join("index.html").exists() {
        return Ok(());
    }
    if kept.exists() {
        fs::remove_dir_all(kept).map_err(|e| format!("cannot empty {}: {e}", kept.display()))?;
    }
    for (address, file) in code_files(dist) {
        let copy = kept.join(address.trim_start_matches('/'));
        fs::create_dir_all(copy.parent().expect("a file has a folder")).map_err(|e| e.to_string())?;
        fs::copy(&file, &copy).map_err(|e| format!("cannot keep {}: {e}", file.display()))?;
    }
    Ok(())
}

/// The files of a build that an update may send as deltas, by address.
fn code_files(folder: &Path) -> Vec<(String, PathBuf)> {
    let mut files = Vec::new();
    collect_files(folder, &mut files);
    files
        .into_iter()
        .filter_map(|file| {
            let address = format!("/{}", file.strip_prefix(folder).ok()?.to_string_lossy().replace('\\', "/"));
            tally_delta::versions_pattern(&address).map(|_| (address, file))
        })
        .collect()
}

/// What updating from the previous build costs a browser that has it, per app: each
/// changed code or style file as the server sends it, a delta of its previous version
/// (`dcz`; see crates/council/src/app_versions.rs) or, when that is no smaller, the whole
/// file in brotli; against the whole app in brotli.
/// Files whose name (their content's hash) did not change cost nothing; the page and the
/// service worker, a few kilobytes, are left out of both.
fn update_report(dist: &Path, previous: &Path) -> Result<String> {
    if !previous.exists() {
        return Ok(
            "update: no previous build to compare with (the next build prints what updating to it costs)\n".into()
        );
    }
    let before: std::collections::HashMap<String, PathBuf> = code_files(previous)
        .into_iter()
        .filter_map(|(address, file)| Some((tally_delta::versions_pattern(&address)?, file)))
        .collect();
    let current = code_files(dist);
    let mut out = String::new();
    for (app, prefix) in [("wallet", "/"), ("workspace", "/council/"), ("first screen", "/welcome/")] {
        let in_app = |address: &str| {
            address.starts_with(prefix)
                && (prefix != "/" || !address.starts_with("/council/") && !address.starts_with("/welcome/"))
        };
        let (mut whole, mut update, mut changed) = (0usize, 0usize, Vec::new());
        for (address, file) in current.iter().filter(|(a, _)| in_app(a)) {
            // The brotli the build wrote beside it (`precompress`), as the server sends it.
            let brotli = fs::metadata(format!("{}.br", file.display()))
                .map_err(|e| format!("no brotli beside {}: {e}", file.display()))?
                .len() as usize;
            whole += brotli;
            let pattern = tally_delta::versions_pattern(address).expect("a code file has a pattern");
            let old_file = before.get(&pattern);
            if old_file.is_some_and(|old| old.file_name() == file.file_name()) {
                continue;
            }
            let cost = match old_file {
                Some(old) => {
                    let read = |f: &Path| fs::read(f).map_err(|e| format!("cannot read {}: {e}", f.display()));
                    tally_delta::encode(&read(old)?, &read(file)?).map_err(|e| e.to_string())?.len().min(brotli)
                }
                None => brotli,
            };
            update += cost;
            changed.push(format!("{address} {:.1} KiB", cost as f64 / 1024.0));
        }
        out.push_str(&format!(
            "update: {app}: from the previous build, {:.1} KiB as deltas ({}) of {:.1} KiB brotli for the whole app's code ({:.0} %)\n",
            update as f64 / 1024.0,
            if changed.is_empty() { "nothing changed".to_owned() } else { changed.join(", ") },
            whole as f64 / 1024.0,
            100.0 * update as f64 / whole.max(1) as f64
        ));
    }
    Ok(out)
}

/// The kinds of file worth compressing (images are compressed already).
const COMPRESSIBLE: [&str; 7] = ["html", "js", "wasm", "css", "svg", "webmanifest", "json"];

/// Writes `name.br` (brotli, quality 11) and `name.gz` (gzip, level 9) beside every
/// compressible file of a build, once; how many files.
fn precompress(dist: &Path) -> Result<usize> {
    let mut files = Vec::new();
    collect_files(dist, &mut files);
    let mut done = 0;
    for file in files.iter().filter(|f| compressible(f)) {
        let bytes = fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let with = |ext: &str| PathBuf::from(format!("{}.{ext}", file.display()));
        fs::write(with("br"), brotli_bytes(&bytes)).map_err(|e| e.to_string())?;
        fs::write(with("gz"), gzip_bytes(&bytes)).map_err(|e| e.to_string())?;
        done += 1;
    }
    Ok(done)
}

fn compressible(file: &Path) -> bool {
    file.extension().and_then(|e| e.to_str()).is_some_and(|ext| COMPRESSIBLE.contains(&ext))
}

fn brotli_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("compressing into memory cannot fail");
    out
}

fn gzip_bytes(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("compressing into memory cannot fail");
    encoder.finish().expect("compressing into memory cannot fail")
}

/// Which files of a folder belong to an app.
type FileFilter<'a> = dyn Fn(&Path) -> bool + 'a;

/// One file of a build and its sizes.
struct Sized {
    path: String,
    raw: u64,
    gzip: u64,
    brotli: u64,
    /// Part of what a first-time visitor needs before the app's first screen works: the
    /// page and what it loads (script, wasm, style), not what the service worker keeps
    /// for later (icons, the manifest).
    first_screen: bool,
}

/// Each app's files with their sizes raw, gzipped and brotli'd, and the first screen's
/// total: what `cargo xtask build` prints.
fn size_report(dist: &Path) -> Result<String> {
    let mut out = String::new();
    // The wallet leaves out the other two builds. A first-time visitor gets the first
    // screen (`welcome`); the wallet itself follows once they have paired.
    let all = |_: &Path| true;
    let wallet_only = |f: &Path| !f.starts_with(dist.join("council")) && !f.starts_with(dist.join("welcome"));
    let apps: [(&str, PathBuf, &FileFilter<'_>); 3] = [
        ("first screen", dist.join("welcome"), &all),
        ("wallet", dist.to_path_buf(), &wallet_only),
        ("workspace", dist.join("council"), &all),
    ];
    for (app, folder, keep) in apps {
        let mut files = Vec::new();
        collect_files(&folder, &mut files);
        let mut sized = Vec::new();
        for file in files.iter().filter(|f| keep(f)) {
            let ext = file.extension().and_then(|e| e.to_str()).unwrap_or_default();
            if ext == "br" || ext == "gz" {
                continue;
            }
            let bytes = fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let (gzip, brotli) = if compressible(file) {
                (gzip_bytes(&bytes).len() as u64, brotli_bytes(&bytes).len() as u64)
            } else {
                (bytes.len() as u64, bytes.len() as u64)
            };
            let path = file.strip_prefix(&folder).map_err(|e| e.to_string())?.to_string_lossy().replace('\\', "/");
            sized.push(Sized {
                first_screen: ["html", "js", "wasm", "css"].contains(&ext) && path != "sw.js",
                path,
                raw: bytes.len() as u64,
                gzip,
                brotli,
            });
        }
        sized.sort_by(|a, b| b.brotli.cmp(&a.brotli).then(a.path.cmp(&b.path)));
        out.push_str(&format!("{app}: {:>10} {:>10} {:>10}  file\n", "bytes", "gzip", "brotli"));
        for f in &sized {
            out.push_str(&format!(
                "{app}: {:>10} {:>10} {:>10}  {}{}\n",
                f.raw,
                f.gzip,
                f.brotli,
                f.path,
                if f.first_screen { " *" } else { "" }
            ));
        }
        let first: Vec<&Sized> = sized.iter().filter(|f| f.first_screen).collect();
        let total = |pick: fn(&Sized) -> u64| first.iter().map(|f| pick(f)).sum::<u64>();
        out.push_str(&format!(
            "{app}: first screen (*): {:.1} KiB, {:.1} KiB gzip, {:.1} KiB brotli; all files {:.1} KiB brotli\n",
            total(|f| f.raw) as f64 / 1024.0,
            total(|f| f.gzip) as f64 / 1024.0,
            total(|f| f.brotli) as f64 / 1024.0,
            sized.iter().map(|f| f.brotli).sum::<u64>() as f64 / 1024.0
        ));
    }
    Ok(out)
}

/// The service worker's file, as copied into the build.
const SERVICE_WORKER: &str = "sw.js";

/// The directory Trunk builds in, for the commands it runs after a build (see Trunk.toml).
fn staging_dir(command: &str) -> Result<PathBuf> {
    env::var("TRUNK_STAGING_DIR")
        .map(PathBuf::from)
        .map_err(|_| format!("`cargo xtask {command}` is run by Trunk after a build (TRUNK_STAGING_DIR is not set)"))
}

/// Names each app's wasm and script in `dir` by a hash of their final bytes, in the page
/// too. Trunk names them by a hash of what cargo built, before wasm-bindgen and wasm-opt,
/// so other wasm-opt settings or a new tool version would give different files the old
/// name, which browsers keep for a year (`immutable`) and the service worker copies from
/// its previous version. The integrity hashes in the page stay true: the files do not
/// change, only their names.
fn name_by_content(dir: &Path) -> Result {
    let page_path = dir.join("index.html");
    let mut page = fs::read_to_string(&page_path).map_err(|e| format!("cannot read {}: {e}", page_path.display()))?;
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let names: Vec<String> = entries.filter_map(|entry| entry.ok()?.file_name().into_string().ok()).collect();
    for wasm in names.iter().filter(|name| name.ends_with("_bg.wasm")) {
        let Some((base, _)) = tally_delta::split_hashed(wasm) else { continue };
        let stem = wasm.trim_end_matches("_bg.wasm");
        let read = |name: &str| fs::read(dir.join(name)).map_err(|e| format!("cannot read {name}: {e}"));
        let mut bytes = read(wasm)?;
        bytes.extend(read(&format!("{stem}.js"))?);
        let named = format!("{base}-{}", content_hash(&bytes));
        if named == stem {
            continue;
        }
        for ending in ["_bg.wasm", ".js", ".d.ts"] {
            let from = dir.join(format!("{stem}{ending}"));
            if from.exists() {
                fs::rename(&from, dir.join(format!("{named}{ending}")))
                    .map_err(|e| format!("cannot rename {}: {e}", from.display()))?;
            }
        }
        page = page.replace(stem, &named);
    }
    fs::write(&page_path, page).map_err(|e| format!("cannot write {}: {e}", page_path.display()))
}

/// The hash a build's file is named by: the first 16 hex digits of its SHA-256.
fn content_hash(bytes: &[u8]) -> String {
    tally_delta::sha256(bytes)[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Fills in the service worker of a finished build: the list of every file it must keep
/// for offline use (paths from the site's root) and a version that changes whenever any
/// of them does, so browsers install the new build.
fn precache(dist: &Path) -> Result {
    let worker = dist.join(SERVICE_WORKER);
    let template = fs::read_to_string(&worker).map_err(|e| format!("cannot read {}: {e}", worker.display()))?;
    let (list, version) = precache_list(dist)?;
    if !template.contains("__TALLY_PRECACHE__") || !template.contains("__TALLY_VERSION__") {
        return Err(format!("{} has no __TALLY_PRECACHE__ or __TALLY_VERSION__ to fill in", worker.display()));
    }
    let json = format!("[{}]", list.iter().map(|p| format!("{p:?}")).collect::<Vec<_>>().join(", "));
    let filled = template.replace("__TALLY_PRECACHE__", &json).replace("__TALLY_VERSION__", &version);
    fs::write(&worker, filled).map_err(|e| format!("cannot write {}: {e}", worker.display()))?;
    println!("service worker: {} files to keep offline, version {version}", list.len());
    Ok(())
}

/// Every file of a build but the service worker itself, as sorted site paths, and a hash
/// of their names and contents.
fn precache_list(dist: &Path) -> Result<(Vec<String>, String)> {
    let mut files = Vec::new();
    collect_files(dist, &mut files);
    files.sort();
    let mut hasher = DefaultHasher::new();
    let mut list = Vec::new();
    for file in files {
        let relative = file.strip_prefix(dist).map_err(|e| e.to_string())?;
        let path = format!("/{}", relative.to_string_lossy().replace('\\', "/"));
        if path == format!("/{SERVICE_WORKER}") || path.ends_with(".br") || path.ends_with(".gz") {
            continue;
        }
        path.hash(&mut hasher);
        fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?.hash(&mut hasher);
        list.push(path);
    }
    Ok((list, format!("{:016x}", hasher.finish())))
}

/// A hash of everything the wallet is built from.
fn wallet_fingerprint(root: &Path) -> Result<String> {
    let mut files = Vec::new();
    for item in [
        "src",
        "style",
        "public",
        "xtask/src",
        "crates/ledger/src",
        "crates/api/src",
        "crates/web",
        "crates/workspace",
        "crates/welcome",
        "index.html",
        "Trunk.toml",
        "Cargo.toml",
        "Cargo.lock",
        ".cargo/config.toml",
        "crates/ledger/Cargo.toml",
        "crates/api/Cargo.toml",
    ] {
        collect_files(&root.join(item), &mut files);
    }
    files.sort();
    let mut hasher = DefaultHasher::new();
    for file in files {
        file.hash(&mut hasher);
        fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?.hash(&mut hasher);
    }
    Ok(format!("{:016x}", hasher.finish()))
}

fn collect_files(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_dir() {
        if let Ok(entries) = fs::read_dir(path) {
            for entry in entries.flatten() {
                collect_files(&entry.path(), files);
            }
        }
    } else if path.is_file() {
        files.push(path.to_path_buf());
    }
}

// --- helpers ------------------------------------------------------------------------------

fn step(what: &str) {
    println!("==> {what}");
}

fn cargo_bin() -> OsString {
    env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// A binary installed by `cargo install`, found whether or not ~/.cargo/bin is on PATH.
fn cargo_home_bin(name: &str) -> PathBuf {
    let home = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env::var_os("HOME").unwrap_or_default()).join(".cargo"));
    let path = home.join("bin").join(name);
    if path.exists() {
        path
    } else {
        PathBuf::from(name)
    }
}

/// PATH with the project's npm tools (wasm-opt) and cargo's binaries first.
fn tool_path(root: &Path) -> OsString {
    let mut paths = vec![root.join("tools/node_modules/.bin")];
    if let Some(dir) = cargo_home_bin("wasm-bindgen").parent() {
        paths.push(dir.to_path_buf());
    }
    paths.extend(env::split_paths(&env::var_os("PATH").unwrap_or_default()));
    env::join_paths(paths).unwrap_or_default()
}

fn cargo(root: &Path, args: &[&str]) -> Result {
    check_status(
        Command::new(cargo_bin()).current_dir(root).args(args).status(),
        &format!("`cargo {}` failed", args.join(" ")),
    )
}

fn output(command: &mut Command) -> Option<String> {
    let out = command.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn check_status(status: std::io::Result<std::process::ExitStatus>, failure: &str) -> Result {
    match status {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("{failure} ({status})")),
        Err(e) => Err(format!("{failure}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_wasm_bindgen_version_from_cargo_lock() {
        let root = root().unwrap();
        let version = wasm_bindgen_version(&root).unwrap();
        assert!(version.starts_with("0.2."), "{version}");
    }

    #[test]
    fn code_files_are_named_by_their_final_bytes_in_the_page_too() {
        let dir = tempdir();
        let page = r#"<link rel="preload" href="/tally-0123456789abcdef_bg.wasm" integrity="sha384-x"><script type="module">import init from '/tally-0123456789abcdef.js'; init({ module_or_path: '/tally-0123456789abcdef_bg.wasm' });</script><link href="/main-43edb09fcccb096.css">"#;
        fs::write(dir.join("index.html"), page).unwrap();
        fs::write(dir.join("tally-0123456789abcdef_bg.wasm"), "wasm, as wasm-opt left it").unwrap();
        fs::write(dir.join("tally-0123456789abcdef.js"), "glue").unwrap();
        fs::write(dir.join("main-43edb09fcccb096.css"), "css").unwrap();
        name_by_content(&dir).unwrap();
        let named = format!("tally-{}", content_hash(b"wasm, as wasm-opt left itglue"));
        assert_eq!(fs::read_to_string(dir.join(format!("{named}_bg.wasm"))).unwrap(), "wasm, as wasm-opt left it");
        assert_eq!(fs::read_to_string(dir.join(format!("{named}.js"))).unwrap(), "glue");
        assert!(!dir.join("tally-0123456789abcdef_bg.wasm").exists());
        let page = fs::read_to_string(dir.join("index.html")).unwrap();
        assert_eq!(page.matches(&named).count(), 3, "{page}");
        assert!(!page.contains("0123456789abcdef"), "{page}");
        assert!(page.contains("main-43edb09fcccb096.css"), "other files keep their names: {page}");
        // Run again (Trunk's hook may run on a build already named): nothing changes.
        name_by_content(&dir).unwrap();
        assert!(dir.join(format!("{named}_bg.wasm")).exists());
        // Other bytes under the same cargo build get another name.
        fs::write(dir.join(format!("{named}_bg.wasm")), "wasm, optimised another way").unwrap();
        name_by_content(&dir).unwrap();
        assert!(!dir.join(format!("{named}_bg.wasm")).exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_fingerprint_changes_with_the_sources() {
        let dir = tempdir();
        fs::create_dir_all(dir.join("src")).unwrap();
        fs::write(dir.join("src/lib.rs"), "a").unwrap();
        let before = wallet_fingerprint(&dir).unwrap();
        assert_eq!(before, wallet_fingerprint(&dir).unwrap());
        fs::write(dir.join("src/lib.rs"), "b").unwrap();
        assert_ne!(before, wallet_fingerprint(&dir).unwrap());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_service_worker_lists_every_built_file_and_changes_version_with_them() {
        let dist = tempdir();
        fs::create_dir_all(dist.join("icons")).unwrap();
        fs::write(dist.join("index.html"), "<html>").unwrap();
        fs::write(dist.join("tally-abc_bg.wasm"), [0u8, 97, 115, 109]).unwrap();
        fs::write(dist.join("icons/icon-192.png"), "png").unwrap();
        fs::write(
            dist.join(SERVICE_WORKER),
            "const VERSION = \"__TALLY_VERSION__\";\nconst PRECACHE = __TALLY_PRECACHE__;",
        )
        .unwrap();
        precache(&dist).unwrap();
        let worker = fs::read_to_string(dist.join(SERVICE_WORKER)).unwrap();
        assert!(
            worker.contains(r#"const PRECACHE = ["/icons/icon-192.png", "/index.html", "/tally-abc_bg.wasm"];"#),
            "{worker}"
        );
        let (_, first) = precache_list(&dist).unwrap();
        assert!(worker.contains(&first));
        fs::write(dist.join("index.html"), "<html lang=en>").unwrap();
        assert_ne!(precache_list(&dist).unwrap().1, first, "a changed file makes a new version");
        // Filled in once: a second run finds nothing to fill and says so.
        assert!(precache(&dist).is_err());
    }

    #[test]
    fn reads_playwright_counts() {
        let dir = tempdir();
        let report = dir.join("report.json");
        fs::write(&report, r#"{"stats":{"expected":5,"unexpected":1,"flaky":1,"skipped":0}}"#).unwrap();
        assert_eq!(read_playwright_report(&report).unwrap(), (6, 1, 0));
        assert!(read_playwright_report(&dir.join("missing.json")).is_err());
        fs::remove_dir_all(&dir).unwrap();
    }

    fn tempdir() -> PathBuf {
        let dir = env::temp_dir().join(format!("xtask-test-{}-{:?}", std::process::id(), std::thread::current().id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }
}
