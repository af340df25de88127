//! The workspace's client for `/api/v1/council/...`. The session is an HttpOnly cookie the
//! browser sends by itself (same origin); changes carry the CSRF token from sign-in.

use serde::de::DeserializeOwned;
use serde::Serialize;
use tally_api::ErrorBody;
pub use tally_web::Problem;

/// The workspace's part of the council API, on the server that served the workspace.
fn url(path: &str) -> String {
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    format!("{origin}/api/v1/council{path}")
}

pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, Problem> {
    read(reqwest::Client::new().get(url(path)).send().await).await
}

/// A file the council makes (a CSV export): its name, from the answer's
/// `Content-Disposition`, and its bytes exactly as sent (a text decoder would drop the
/// byte-order mark spreadsheets need to read "£").
pub async fn get_file(path: &str) -> Result<(String, Vec<u8>), Problem> {
    let response = reqwest::Client::new().get(url(path)).send().await.map_err(|_| Problem::Offline)?;
    if !response.status().is_success() {
        return Err(refusal(response).await);
    }
    let name = response
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split("filename=\"").nth(1))
        .and_then(|v| v.split('"').next())
        .unwrap_or("export.csv")
        .to_owned();
    let bytes = response.bytes().await.map_err(|_| Problem::Offline)?;
    Ok((name, bytes.to_vec()))
}

/// A change: sent with the CSRF token.
pub async fn post<T: DeserializeOwned, B: Serialize>(path: &str, csrf: &str, body: &B) -> Result<T, Problem> {
    let response = reqwest::Client::new().post(url(path)).header("X-CSRF-Token", csrf).json(body).send().await;
    read(response).await
}

/// A change with a body whose answer's body is not needed (201).
pub async fn post_empty_body<B: Serialize>(path: &str, csrf: &str, body: &B) -> Result<(), Problem> {
    let response = reqwest::Client::new().post(url(path)).header("X-CSRF-Token", csrf).json(body).send().await;
    let response = response.map_err(|_| Problem::Offline)?;
    if response.status().is_success() {
        return Ok(());
    }
    Err(refusal(response).await)
}

/// A change whose answer has no body (204).
pub async fn post_empty(path: &str, csrf: &str) -> Result<(), Problem> {
    let response = reqwest::Client::new().post(url(path)).header("X-CSRF-Token", csrf).send().await;
    let response = response.map_err(|_| Problem::Offline)?;
    if response.status().is_success() {
        return Ok(());
    }
    Err(refusal(response).await)
}

async fn read<T: DeserializeOwned>(response: reqwest::Result<reqwest::Response>) -> Result<T, Problem> {
    let response = response.map_err(|_| Problem::Offline)?;
    if response.status().is_success() {
        return response.json::<T>().await.map_err(|_| Problem::Offline);
    }
    Err(refusal(response).await)
}

async fn refusal(response: reqwest::Response) -> Problem {
    let status = response.status().as_u16();
    Problem::from_answer(status, response.json::<ErrorBody>().await.ok())
}
