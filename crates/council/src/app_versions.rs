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
    /// Every version this server has, current ones included, by the SHA-256 of its bytes.
    by_hash: HashMap<Hash, Version>,
    deltas: Mutex<HashMap<(Hash, Hash), Delta>>,
}

impl AppVersions {
    /// Reads the current build in `dist` and, when `kept` is given, copies its files there
    /// and reads the earlier versions kept there (the oldest beyond
    /// [`EARLIER_VERSIONS_KEPT`] removed). A folder that cannot be written is logged and
    /// skipped: deltas are then made only between files of this build.
    pub fn open(dist: &Path, kept: Option<&Path>) -> AppVersions {
        let mut current = HashMap::new();
        for (address, file) in files_under(dist) {
            if let Some(version) = version_of(&address, &file) {
                current.insert(address, version);
            }
        }
        let mut by_hash: HashMap<Hash, Version> = current.values().map(|v| (v.hash, v.clone())).collect();
        if let Some(kept) = kept {
            match keep(&current, kept) {
                Ok(earlier) => {
                    for version in earlier {
                        by_hash.entry(version.hash).or_insert(version);
                    }
                }
                Err(e) => tracing::warn!(
                    folder = %kept.display(),
                    error = %e,
                    "could not keep the apps' earlier versions; updates will be sent whole"
                ),
            }
        }
        AppVersions { current, by_hash, deltas: Mutex::new(HashMap::new()) }
    }

    /// How many versions of the apps' files this server can make deltas from.
    pub fn versions(&self) -> usize {
        self.by_hash.len()
    }

    /// The delta of the file at `address` against the version whose SHA-256 is
    /// `dictionary`, made on first use; `None` when either is unknown, they are not
    /// versions of one file, or zstd failed (then the whole file is sent).
    async fn delta(&self, address: &str, dictionary: &Hash) -> Option<(axum::body::Bytes, &Version)> {
        let target = self.current.get(address)?;
        let base = self.by_hash.get(dictionary)?;
        if base.pattern != target.pattern || base.hash == target.hash {
            return None;
        }
        let cell = {
            let mut deltas = self.deltas.lock().expect("the delta table is never poisoned");
            deltas.entry((base.hash, target.hash)).or_default().clone()
        };
        let (base_file, target_file) = (base.file.clone(), target.file.clone());
        let made = cell
            .get_or_init(|| async move {
                let made = tokio::task::spawn_blocking(move || -> std::io::Result<Vec<u8>> {
                    tally_delta::encode(&std::fs::read(base_file)?, &std::fs::read(target_file)?)
                })
                .await;
                match made {
                    Ok(Ok(bytes)) => Some(axum::body::Bytes::from(bytes)),
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
            .clone()?;
        Some((made, target))
    }
}

/// Middleware for the apps' files: answers with a delta when the browser has an earlier
/// version this server kept, and marks every wasm, script and style sheet as a dictionary
/// for the next update.
pub async fn send_deltas(versions: Arc<AppVersions>, request: Request, next: Next) -> Response {
    let address = request.uri().path().to_owned();
    let Some(pattern) = versions.current.get(&address).map(|v| v.pattern.clone()) else {
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
/// removing all but the newest [`EARLIER_VERSIONS_KEPT`] of each file.
fn keep(current: &HashMap<String, Version>, kept: &Path) -> std::io::Result<Vec<Version>> {
    for (address, version) in current {
        let copy = kept.join(address.trim_start_matches('/'));
        if !copy.exists() {
            if let Some(folder) = copy.parent() {
                std::fs::create_dir_all(folder)?;
            }
            // Written whole under another name first: a server stopped mid-copy leaves no
            // half file that would be taken for a version.
            let partial = copy.with_extension("partial");
            std::fs::copy(&version.file, &partial)?;
            std::fs::rename(&partial, &copy)?;
        }
    }
    let current_addresses: std::collections::HashSet<&str> = current.keys().map(String::as_str).collect();
    let mut earlier: HashMap<String, Vec<(std::time::SystemTime, Version)>> = HashMap::new();
    for (address, file) in files_under(kept) {
        if current_addresses.contains(address.as_str()) {
            continue;
        }
        let Some(version) = version_of(&address, &file) else { continue };
        let modified = std::fs::metadata(&file)?.modified()?;
        earlier.entry(version.pattern.clone()).or_default().push((modified, version));
    }
    let mut versions = Vec::new();
    for (_, mut list) in earlier {
        list.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
        for (index, (_, version)) in list.into_iter().enumerate() {
            if index < EARLIER_VERSIONS_KEPT {
                versions.push(version);
            } else {
                std::fs::remove_file(&version.file)?;
            }
        }
    }
    Ok(versions)
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
