//! The API's one error type, and the one place it becomes a status code.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use tally_api::{ErrorBody, ErrorCode, ErrorDetail, FieldError};

/// Everything an API call can fail with. The message of each variant but `Internal` is
/// shown to people as it is, so it must be a plain-English sentence.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    TooManyRequests(String),
    /// The request's body stopped arriving.
    #[error("This request took too long to arrive or to answer, and was stopped. Please try again.")]
    TimedOut,
    /// Too many requests: try again after this many seconds (sent as `Retry-After`).
    #[error("{message}")]
    SlowDown { message: String, retry_after_secs: u64 },
    /// A form with problems: (field, message) pairs, each shown beside its field. The
    /// message lists them one per line, "field: message".
    #[error("{}", .0.iter().map(|(field, message)| format!("{field}: {message}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<(String, String)>),
    /// An account's records could not be read or folded (a damaged row, or records no
    /// check foresaw): the message names the account and the reason; it is logged too.
    #[error("{0}")]
    Unreadable(String),
    /// Details are logged, never sent.
    #[error("Something went wrong on the council's server. Your records are safe; please try again later.")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
            ApiError::Invalid(_) => (StatusCode::BAD_REQUEST, ErrorCode::Invalid),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            ApiError::MethodNotAllowed(_) => (StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed),
            ApiError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge),
            ApiError::UnsupportedMediaType(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, ErrorCode::UnsupportedMediaType),
            ApiError::TooManyRequests(_) | ApiError::SlowDown { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyRequests)
            }
            ApiError::Unreadable(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Unreadable),
            ApiError::TimedOut => (StatusCode::REQUEST_TIMEOUT, ErrorCode::BadRequest),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        ApiError::Internal(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        match &self {
            ApiError::Internal(error) => tracing::error!(error = format!("{error:#}"), "internal error"),
            ApiError::Unreadable(reason) => tracing::error!(reason, "account could not be read"),
            _ => {}
        }
        let fields = match &self {
            ApiError::Invalid(fields) => fields
                .iter()
                .map(|(field, message)| FieldError { field: field.clone(), message: message.clone() })
                .collect(),
            _ => Vec::new(),
        };
        let body = ErrorBody { error: ErrorDetail { code, message: self.to_string(), fields } };
        let mut response = (status, Json(body)).into_response();
        if let ApiError::SlowDown { retry_after_secs, .. } = &self {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, (*retry_after_secs).into());
        }
        response
    }
}

/// The answer when the server is working on as many requests as it takes.
pub fn overloaded() -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: ErrorCode::Internal,
            message: "The council's server is very busy. Your records are safe; please try again in a minute."
                .to_owned(),
            fields: Vec::new(),
        },
    };
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
    response.headers_mut().insert(axum::http::header::RETRY_AFTER, 30.into());
    response
}

/// Answers made outside the handlers with no body (a request that took too long) get the
/// API's error shape and a plain message.
pub async fn plain_refusals(response: Response) -> Response {
    if response.status() == StatusCode::REQUEST_TIMEOUT
        && !response.headers().contains_key(axum::http::header::CONTENT_TYPE)
    {
        return ApiError::TimedOut.into_response();
    }
    response
}

/// The answer to a request whose handler panicked (a bug): the API's error shape, and the
/// panic in the log. The server and every other request carry on.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::Internal(anyhow::anyhow!("a request handler panicked: {}", panic_message(panic.as_ref()))).into_response()
}

/// What a panic said, if it said it as text.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "no message".to_owned())
}

/// A JSON request body whose every rejection comes back in the API's error shape.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

/// A JSON request body that is read only when the handler asks, after it has checked who
/// is asking: a caller without the right is told "not allowed" or "not found", never
/// something about the body's shape (which would tell them the route exists for them).
pub struct LaterJson<T> {
    body: Result<axum::body::Bytes, ApiError>,
    _of: std::marker::PhantomData<fn() -> T>,
}

impl<S, T> FromRequest<S> for LaterJson<T>
where
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let declared =
            req.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let essence = declared.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        let is_json =
            essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"));
        let body = if is_json {
            axum::body::Bytes::from_request(req, state)
                .await
                .map_err(|rejection| json_rejection(JsonRejection::BytesRejection(rejection)))
        } else {
            Err(ApiError::UnsupportedMediaType(
                "Send the request body as JSON, with the header Content-Type: application/json.".to_owned(),
            ))
        };
        Ok(LaterJson { body, _of: std::marker::PhantomData })
    }
}

impl<T: DeserializeOwned> LaterJson<T> {
    /// The body, read now; its problems as the API says them.
    pub fn read(self) -> Result<T, ApiError> {
        let bytes = self.body?;
        Json::<T>::from_bytes(&bytes).map(|Json(value)| value).map_err(json_rejection)
    }
}

/// Whether reading a body failed because it stopped arriving (the body timeout).
pub fn body_timed_out(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(error) = next {
        if error.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        next = error.source();
    }
    false
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::BytesRejection(error) if body_timed_out(&error) => ApiError::TimedOut,
        JsonRejection::JsonSyntaxError(_) => ApiError::BadRequest("The request body is not valid JSON.".to_owned()),
        JsonRejection::JsonDataError(error) => {
            ApiError::BadRequest(format!("The request body has the wrong shape: {}", error.body_text()))
        }
        JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType(
            "Send the request body as JSON, with the header Content-Type: application/json.".to_owned(),
        ),
        JsonRejection::BytesRejection(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::PayloadTooLarge(format!(
                "The request is too large. Send at most {} bytes at a time.",
                tally_api::MAX_BODY_BYTES
            ))
        }
        other => ApiError::BadRequest(format!("The request body could not be read: {}", other.body_text())),
    }
}
