//! A new version of a file as a delta of an earlier one, as browsers take it.
//!
//! Compression Dictionary Transport (RFC 9842) lets a browser keep a file as a dictionary
//! and, when a newer version is asked for, say which one it has. The server may then send
//! the new version compressed against it, `Content-Encoding: dcz`: an 8-byte header, the
//! SHA-256 of the dictionary, then one zstd frame that refers back into the dictionary for
//! everything unchanged (what `zstd --patch-from` does). For a wasm file where one page's
//! code changed, that is a few per cent of the whole file.

use sha2::{Digest, Sha256};

/// The start of a `dcz` body (RFC 9842, section 5.2): a zstd skippable frame that holds the
/// dictionary's SHA-256.
pub const DCZ_HEADER: [u8; 8] = [0x5e, 0x2a, 0x4d, 0x18, 0x20, 0x00, 0x00, 0x00];
/// zstd's level: its best short of `--ultra`. A delta is made once per pair of versions,
/// so time is cheap and bytes on a phone's data plan are not.
const LEVEL: i32 = 19;
/// The largest window a browser must take for a `dcz` body (RFC 9842, section 5.2): 8 MiB,
/// or 1.25 times the dictionary when that is more. A window smaller than dictionary and
/// file together only means the far start of the dictionary cannot be referred to.
fn window_log(dictionary: usize, file: usize) -> u32 {
    let largest = browser_window_log(dictionary);
    let wanted = dictionary
        .saturating_add(file)
        .max(1 << 10)
        .checked_next_power_of_two()
        .map_or(usize::BITS - 1, |n| n.trailing_zeros());
    wanted.min(largest).min(MAX_WINDOW_LOG)
}
/// The log of the largest window a browser must take with a dictionary of this size.
fn browser_window_log(dictionary: usize) -> u32 {
    let allowed = (8usize << 20).max(dictionary.saturating_add(dictionary / 4));
    usize::BITS - 1 - allowed.leading_zeros()
}

/// zstd's own limit for a window on any platform Tally's server runs on.
const MAX_WINDOW_LOG: u32 = 30;

/// The kinds of file sent as deltas: the apps' code and style, which change with each update.
const KINDS: [&str; 3] = ["wasm", "js", "css"];

/// For the address of an app's code or style file named by its hash as Trunk names them
/// (`/tally-9e382c1bdf803d31_bg.wasm`), the URL pattern every version of it matches, with
/// the hash as `*` (`/tally-*_bg.wasm`): what `Use-As-Dictionary` says to keep it for.
/// `None` for any other file.
pub fn versions_pattern(address: &str) -> Option<String> {
    let (folder, name) = address.rsplit_once('/')?;
    let (base, after) = split_hashed(name)?;
    let kind = after.split_once('.')?.1;
    KINDS.contains(&kind).then(|| format!("{folder}/{base}-*{after}"))
}

/// A name as Trunk writes it with its content's hash, `name-<hash>[_bg][.ext]`, split
/// around the hash (`("tally", "_bg.wasm")`); `None` for any other name. The one rule for
/// what is hashed: the server's caching goes by it too.
pub fn split_hashed(name: &str) -> Option<(&str, &str)> {
    let stem_end = name.find('.').unwrap_or(name.len());
    let stem = &name[..stem_end];
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    let (base, hash) = stem.rsplit_once('-')?;
    let hashed = (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit());
    (!base.is_empty() && hashed).then(|| (base, &name[stem.len()..]))
}

/// The SHA-256 of `bytes`: how a browser names the dictionary it has.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// `file` as a `dcz` body compressed against `dictionary`. The frame's window covers the
/// dictionary and the file together where a browser allows that (for the apps' files it
/// always does), so any part of the dictionary can be referred to.
pub fn encode(dictionary: &[u8], file: &[u8]) -> std::io::Result<Vec<u8>> {
    use zstd::zstd_safe::{CCtx, CParameter};
    let failed = |code: usize| std::io::Error::other(zstd::zstd_safe::get_error_name(code));
    let window_log = window_log(dictionary.len(), file.len());
    let mut context = CCtx::create();
    context.set_parameter(CParameter::CompressionLevel(LEVEL)).map_err(failed)?;
    context.set_parameter(CParameter::WindowLog(window_log)).map_err(failed)?;
    context.set_parameter(CParameter::EnableLongDistanceMatching(true)).map_err(failed)?;
    context.ref_prefix(dictionary).map_err(failed)?;
    let mut frame = Vec::with_capacity(zstd::zstd_safe::compress_bound(file.len()));
    context.compress2(&mut frame, file).map_err(failed)?;
    let mut body = Vec::with_capacity(DCZ_HEADER.len() + 32 + frame.len());
    body.extend_from_slice(&DCZ_HEADER);
    body.extend_from_slice(&sha256(dictionary));
    body.extend_from_slice(&frame);
    Ok(body)
}

/// The file a `dcz` body holds, given the dictionary it names; an error when the body is not
/// `dcz`, names another dictionary, or does not decode within the window a browser must
/// take. (Browsers do this; the tests check with it.)
pub fn decode(dictionary: &[u8], body: &[u8]) -> std::io::Result<Vec<u8>> {
    let invalid = |why: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, why.to_owned());
    if body.len() < 40 || body[..8] != DCZ_HEADER {
        return Err(invalid("not a dcz body"));
    }
    if body[8..40] != sha256(dictionary) {
        return Err(invalid("the body names another dictionary"));
    }
    let mut decoder = zstd::stream::read::Decoder::with_dictionary(&body[40..], dictionary)?;
    decoder.window_log_max(browser_window_log(dictionary.len()))?;
    let mut file = Vec::new();
    std::io::Read::read_to_end(&mut decoder, &mut file)?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn old_version() -> Vec<u8> {
        (0..200_000u32).flat_map(|i| i.wrapping_mul(2_654_435_761).to_le_bytes()).collect()
    }

    #[test]
    fn a_small_change_makes_a_small_delta_that_decodes_to_the_new_file() {
        let old = old_version();
        let mut new = old.clone();
        new[400_000..400_016].copy_from_slice(b"version two here");
        new.extend_from_slice(b"and a little more at the end");
        let body = encode(&old, &new).unwrap();
        assert_eq!(body[..8], DCZ_HEADER);
        assert_eq!(body[8..40], sha256(&old));
        assert!(body.len() < 1_000, "16 changed bytes of 800 KB cost {} bytes", body.len());
        assert_eq!(decode(&old, &body).unwrap(), new);
    }

    #[test]
    fn versions_are_known_by_the_name_with_the_hash_as_a_star() {
        let pattern = |address: &str| versions_pattern(address);
        assert_eq!(pattern("/tally-9e382c1bdf803d31_bg.wasm").as_deref(), Some("/tally-*_bg.wasm"));
        assert_eq!(
            pattern("/council/tally-workspace-3a96a097d01563db.js").as_deref(),
            Some("/council/tally-workspace-*.js")
        );
        assert_eq!(pattern("/main-43edb09fcccb096.css").as_deref(), Some("/main-*.css"));
        assert_eq!(pattern("/sw.js"), None);
        assert_eq!(pattern("/icons/icon-192.png"), None);
        assert_eq!(pattern("/tally-9e382c1bdf803d31_bg.wasm.br"), None);
        assert_eq!(pattern("/snippets/tally-6b53e2c907a96ea5/inline0.js"), None);
        assert_eq!(pattern("/tally-nothex0000000000_bg.wasm"), None);
    }

    #[test]
    fn the_header_is_a_skippable_frame_holding_the_hash_so_plain_zstd_reads_the_whole_body() {
        let old = old_version();
        let mut new = old.clone();
        new[10..20].copy_from_slice(b"0123456789");
        let body = encode(&old, &new).unwrap();
        let mut plain = zstd::stream::read::Decoder::with_dictionary(&body[..], &old[..]).unwrap();
        let mut read = Vec::new();
        std::io::Read::read_to_end(&mut plain, &mut read).unwrap();
        assert_eq!(read, new);
        assert_eq!(&body[4..8], &32u32.to_le_bytes(), "the skippable frame's length: the hash");
    }

    #[test]
    fn the_window_stays_within_what_a_browser_must_take() {
        let mib = 1 << 20;
        assert_eq!(window_log(2 * mib, 2 * mib), 22, "the apps' wasm: 4 MiB covers both");
        assert_eq!(window_log(10, 10), 10, "zstd's smallest");
        assert_eq!(window_log(6 * mib, 6 * mib), 23, "8 MiB at most for a 6 MiB dictionary");
        assert_eq!(window_log(40 * mib, 40 * mib), 25, "1.25 x 40 MiB allows 32 MiB, not 64");
    }

    #[test]
    fn a_body_for_another_dictionary_or_not_dcz_is_refused() {
        let old = old_version();
        let body = encode(&old, b"new").unwrap();
        assert!(decode(b"another dictionary", &body).is_err());
        assert!(decode(&old, b"plain bytes, not dcz at all, plain bytes, not dcz").is_err());
        assert_eq!(decode(&old, &body).unwrap(), b"new");
    }
}
