//! Updates sent as what changed: the apps' earlier files, kept as dictionaries.
//!
//! The wallet is one WebAssembly file, so a change to one page's code makes a new file of
//! the same size. A browser that has the version before keeps it as a *dictionary*
//! (Compression Dictionary Transport, RFC 9842): the server sends each of the apps' wasm,
//! script and style sheet files with `Use-As-Dictionary: match="/tally-*_bg.wasm"` (the
//! file's name with its hash as `*`). When an update names a new file that pattern matches,
//! the browser says which version it has (`Available-Dictionary`, the SHA-256 of its bytes)
//! and that it takes `dcz`. If this server kept that version, it answers with the new file
//! compressed with zstd against it (`Content-Encoding: dcz`): a change to one page costs tens
//! of kilobytes, not the whole wallet. Anything else (a browser without dictionaries, one
//! whose version this server no longer has) gets the whole file, as before.
//!
//! The current build's files are copied into a folder of versions when the server starts
//! (by default `app-versions` in its data directory), which keeps the last
//! [`EARLIER_VERSIONS_KEPT`] of each. A delta is made once per pair of versions, on the
//! first request for it, and kept in memory. A request can only name versions by hash:
//! never a path, and only files this server built or kept.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// Earlier versions of each file kept besides the current one: a browser that skipped more
/// updates than this gets the whole file.
pub const EARLIER_VERSIONS_KEPT: usize = 5;

type Hash = [u8; 32];
/// A delta, made once by whichever request needs it first; `None` if making it failed.
type Delta = Arc<OnceCell<Option<axum::body::Bytes>>>;

#[derive(Clone, Debug)]
struct Version {
    file: PathBuf,
    /// The URL pattern of every version of this file (`/tally-*_bg.wasm`).
    pattern: String,
    hash: Hash,
}

/// The apps' current files and the earlier versions kept, and the deltas made so far.
pub struct AppVersions {
    /// The current build's files, by their address (`/tally-9e38…_bg.wasm`).
    current: HashMap<String, Version>,
    /// Every version this server has, current ones included, by the SHA-256 of its bytes
    /// (the apps share a style sheet: one hash can be a version of several files).
    by_hash: HashMap<Hash, Vec<Version>>,
    deltas: Mutex<HashMap<(Hash, Hash), Delta>>,
    /// One delta is made at a time: zstd's context for a wallet-sized pair is tens of MB.
    making: Arc<tokio::sync::Semaphore>,
}

impl AppVersions {
    /// Reads the current build in `dist` and, when `kept` is given, copies its files there
    /// and reads the earlier versions kept there (the oldest beyond
    /// [`EARLIER_VERSIONS_KEPT`] removed). What cannot be kept is logged and skipped:
    /// deltas are then made from what is there.
    pub fn open(dist: &Path, kept: Option<&Path>) -> AppVersions {
        let mut current = HashMap::new();
        for (address, file) in files_under(dist) {
            if let Some(version) = version_of(&address, &file) {
                current.insert(address, version);
            }
        }
        let mut by_hash: HashMap<Hash, Vec<Version>> = HashMap::new();
        let earlier = kept.map(|kept| keep(&current, kept)).unwrap_or_default();
        for version in current.values().cloned().chain(earlier) {
            by_hash.entry(version.hash).or_default().push(version);
        }
        AppVersions {
            current,
            by_hash,
            deltas: Mutex::new(HashMap::new()),
            making: Arc::new(tokio::sync::Semaphore::new(1)),
        }
    }

    /// The delta of the file at `address` against the earlier version of it whose SHA-256
    /// is `dictionary`, made on first use; `None` when either is unknown, the delta would
    /// not be smaller than the whole file in brotli, or making it failed (then the whole
    /// file is sent). Each pair is made once, one at a time, by a task of its own: a
    /// request that goes away does not stop it, and another request for the pair waits for
    /// it rather than starting again. So the work a client can cause is bounded by the
    /// versions this server has.
    async fn delta(&self, address: &str, dictionary: &Hash) -> Option<(axum::body::Bytes, Version)> {
        let target = self.current.get(address)?.clone();
        let base = self.by_hash.get(dictionary)?.iter().find(|v| v.pattern == target.pattern)?.clone();
        if base.hash == target.hash {
            return None;
        }
        let cell = {
            let mut deltas = self.deltas.lock().expect("the delta table is never poisoned");
            deltas.entry((base.hash, target.hash)).or_default().clone()
        };
        if let Some(made) = cell.get() {
            return made.clone().map(|bytes| (bytes, target));
        }
        let making = self.making.clone();
        let (base_version, target_version) = (base, target.clone());
        let task = tokio::spawn(async move {
            cell.get_or_init(|| async move {
                let _turn = making.acquire_owned().await.ok()?;
                let made = tokio::task::spawn_blocking(move || make_delta(&base_version, &target_version)).await;
                match made {
                    Ok(Ok(delta)) => delta.map(axum::body::Bytes::from),
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, "could not make a delta; the whole file is sent");
                        None
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "making a delta failed; the whole file is sent");
                        None
                    }
                }
            })
            .await
            .clone()
        });
        task.await.ok().flatten().map(|bytes| (bytes, target))
    }
}

/// The delta of `target` against `base`, if it is smaller than `target` in brotli (as the
/// build wrote it beside the file). The files are read again here, so each is checked
/// against the hash it was known by: a delta never names a dictionary the browser lacks.
fn make_delta(base: &Version, target: &Version) -> std::io::Result<Option<Vec<u8>>> {
    let base_bytes = std::fs::read(&base.file)?;
    let target_bytes = std::fs::read(&target.file)?;
    if tally_delta::sha256(&base_bytes) != base.hash || tally_delta::sha256(&target_bytes) != target.hash {
        return Err(std::io::Error::other("a kept version changed on disk"));
    }
    let delta = tally_delta::encode(&base_bytes, &target_bytes)?;
    let whole =
        std::fs::metadata(format!("{}.br", target.file.display())).map_or(target_bytes.len() as u64, |m| m.len());
    Ok(((delta.len() as u64) < whole).then_some(delta))
}

/// Middleware for the apps' files: answers with a delta when the browser has an earlier
/// version this server kept, and marks every wasm, script and style sheet as a dictionary
/// for the next update.
pub async fn send_deltas(versions: Arc<AppVersions>, request: Request, next: Next) -> Response {
    let address = request.uri().path().to_owned();
    let readable = request.method() == axum::http::Method::GET || request.method() == axum::http::Method::HEAD;
    let Some(pattern) = versions.current.get(&address).map(|v| v.pattern.clone()).filter(|_| readable) else {
        return next.run(request).await;
    };
    let delta = match offered_dictionary(request.headers()) {
        Some(dictionary) => versions.delta(&address, &dictionary).await,
        None => None,
    };
    if let Some((body, target)) = delta {
        tracing::info!(
            path = %address,
            bytes = body.len(),
            "sent as a delta of the version the browser has"
        );
        let mut response = (StatusCode::OK, Body::from(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(&target.file)));
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("dcz"));
        mark_as_dictionary(headers, &pattern);
        return response;
    }
    let mut response = next.run(request).await;
    if response.status() == StatusCode::OK {
        mark_as_dictionary(response.headers_mut(), &pattern);
    }
    response
}

/// The SHA-256 a browser says it has (`Available-Dictionary: :base64:`, a structured field
/// byte sequence) when it also takes `dcz`; `None` for anything else.
fn offered_dictionary(headers: &HeaderMap) -> Option<Hash> {
    let takes_dcz = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| coding.split(';').next().is_some_and(|c| c.trim().eq_ignore_ascii_case("dcz")));
    if !takes_dcz {
        return None;
    }
    let value = headers.get("available-dictionary")?.to_str().ok()?.trim();
    let encoded = value.strip_prefix(':')?.strip_suffix(':')?;
    let bytes = base64::engine::general_purpose::STANDARD.decode(encoded).ok()?;
    bytes.try_into().ok()
}

fn mark_as_dictionary(headers: &mut HeaderMap, pattern: &str) {
    if let Ok(value) = HeaderValue::from_str(&format!("match=\"{pattern}\"")) {
        headers.insert("use-as-dictionary", value);
    }
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("wasm") => "application/wasm",
        Some("js") => "text/javascript",
        _ => "text/css",
    }
}

/// The version at `address` if it is one of the apps' code or style files named by its hash
/// ([`tally_delta::versions_pattern`]).
fn version_of(address: &str, file: &Path) -> Option<Version> {
    let pattern = tally_delta::versions_pattern(address)?;
    let bytes = std::fs::read(file).ok()?;
    Some(Version { file: file.to_owned(), pattern, hash: tally_delta::sha256(&bytes) })
}

/// Copies the current files into `kept` and returns the earlier versions there, after
/// removing all but the newest [`EARLIER_VERSIONS_KEPT`] of each file. A copy of a current
/// file is checked against it and marked as the newest (a build deployed again, after a
/// rollback, is kept longest). Several servers may share the folder: each writes under a
/// name of its own and then renames, and a file another removed first is no error. What
/// fails is logged and skipped.
fn keep(current: &HashMap<String, Version>, kept: &Path) -> Vec<Version> {
    let skipped = |what: &str, path: &Path, e: std::io::Error| {
        tracing::warn!(file = %path.display(), error = %e, "could not {what}; updates from it are sent whole");
    };
    let now = std::time::SystemTime::now();
    for (address, version) in current {
        let copy = kept.join(address.trim_start_matches('/'));
        let same = std::fs::read(&copy).is_ok_and(|bytes| tally_delta::sha256(&bytes) == version.hash);
        let kept_now = if same {
            std::fs::File::options().write(true).open(&copy).and_then(|f| f.set_modified(now))
        } else {
            copy_whole(&version.file, &copy)
        };
        if let Err(e) = kept_now {
            skipped("keep this version", &copy, e);
        }
    }
    let mut earlier: HashMap<String, Vec<(std::time::SystemTime, Version)>> = HashMap::new();
    for (address, file) in files_under(kept) {
        if address.ends_with(PARTIAL) {
            // A copy a stopped server did not finish (or another's, under way: it renames
            // its own, so removing it only costs that server this copy).
            let _ = std::fs::remove_file(&file);
            continue;
        }
        if current.contains_key(&address) {
            continue;
        }
        let Some(version) = version_of(&address, &file) else { continue };
        match std::fs::metadata(&file).and_then(|m| m.modified()) {
            Ok(modified) => earlier.entry(version.pattern.clone()).or_default().push((modified, version)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => skipped("read an earlier version", &file, e),
        }
    }
    let mut versions = Vec::new();
    for (_, mut list) in earlier {
        list.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
        for (index, (_, version)) in list.into_iter().enumerate() {
            if index < EARLIER_VERSIONS_KEPT {
                versions.push(version);
            } else if let Err(e) = std::fs::remove_file(&version.file) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    skipped("remove an old version", &version.file, e);
                }
            }
        }
    }
    versions
}

/// The end of a copy's name while it is written.
const PARTIAL: &str = ".partial";

/// Copies `from` to `to` whole: written under a name of this process's first, then
/// renamed, so no one ever reads half a file under `to`.
fn copy_whole(from: &Path, to: &Path) -> std::io::Result<()> {
    if let Some(folder) = to.parent() {
        std::fs::create_dir_all(folder)?;
    }
    let partial = PathBuf::from(format!("{}.{}{PARTIAL}", to.display(), std::process::id()));
    std::fs::copy(from, &partial)?;
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, to)
}

/// Every file under `folder`, with its address (`/council/x.js` for `folder/council/x.js`).
fn files_under(folder: &Path) -> Vec<(String, PathBuf)> {
    fn walk(folder: &Path, address: &str, found: &mut Vec<(String, PathBuf)>) {
        let Ok(entries) = std::fs::read_dir(folder) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_dir() {
                walk(&path, &format!("{address}/{name}"), found);
            } else if kind.is_file() {
                found.push((format!("{address}/{name}"), path));
            }
        }
    }
    let mut found = Vec::new();
    walk(folder, "", &mut found);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offered_dictionary_is_read_only_with_dcz() {
        let hash = [7u8; 32];
        let value = format!(":{}:", base64::engine::general_purpose::STANDARD.encode(hash));
        let mut headers = HeaderMap::new();
        headers.insert("available-dictionary", HeaderValue::from_str(&value).unwrap());
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip, br"));
        assert_eq!(offered_dictionary(&headers), None);
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip, deflate, br, zstd, dcb, dcz"));
        assert_eq!(offered_dictionary(&headers), Some(hash));
        headers.insert("available-dictionary", HeaderValue::from_static(":c2hvcnQ=:"));
        assert_eq!(offered_dictionary(&headers), None);
        headers.insert("available-dictionary", HeaderValue::from_static("not a byte sequence"));
        assert_eq!(offered_dictionary(&headers), None);
    }
}
