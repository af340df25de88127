//! The workspace's client for `/api/v1/council/...`. The session is an HttpOnly cookie the
//! browser sends by itself (same origin); changes carry the CSRF token from sign-in.

use serde::de::DeserializeOwned;
use serde::Serialize;
use tally_api::{ErrorBody, FieldError};

use crate::browser;

/// Why a workspace call did not work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// No answer: the workspace needs the network.
    Offline,
    /// Not signed in, or the session ended.
    SignedOut(String),
    /// The council refused, for the reason given; for a form, each field's problem.
    Refused { message: String, fields: Vec<FieldError> },
}

impl Problem {
    pub fn message(&self) -> String {
        match self {
            Problem::Offline => {
                "Could not reach the council's server. The workspace needs a connection; check it and try again."
                    .to_owned()
            }
            Problem::SignedOut(m) | Problem::Refused { message: m, .. } => m.clone(),
        }
    }

    /// A form's problems, field by field (none for other problems).
    pub fn fields(&self) -> &[FieldError] {
        match self {
            Problem::Refused { fields, .. } => fields,
            _ => &[],
        }
    }
}

fn url(path: &str) -> String {
    format!("{}/council{path}", browser::api_base())
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
    let error = match response.json::<ErrorBody>().await {
        Ok(body) => body.error,
        Err(_) => return Problem::Offline,
    };
    if status == 401 {
        Problem::SignedOut(error.message)
    } else {
        Problem::Refused { message: error.message, fields: error.fields }
    }
}
