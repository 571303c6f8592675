//! JSON request bodies: a body that is not JSON, has an unknown field or a value of the
//! wrong type is refused with `invalid_request` naming the field (never axum's plain-text
//! rejection).

use super::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use signet_engine::Engine;

/// A JSON body of type `T` of at most `LIMIT` bytes; an empty body reads as `{}`.
/// Larger bodies get 413 `payload_too_large`.
#[derive(Debug)]
pub struct ApiJson<T, const LIMIT: usize = DEFAULT_LIMIT>(pub T);

/// Largest request body most routes read (64 KiB: a hundred SHA-512 hashes fit many times).
pub const DEFAULT_LIMIT: usize = 64 * 1024;

impl<T: DeserializeOwned, const LIMIT: usize> FromRequest<Engine> for ApiJson<T, LIMIT> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &Engine) -> Result<Self, ApiError> {
        let json_type = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|v| v.starts_with("application/json"));
        if !json_type {
            return Err(ApiError::invalid_request("The request body must be application/json"));
        }
        let too_large = || {
            ApiError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("The request body is larger than {LIMIT} bytes"),
            )
        };
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                ApiError::invalid_request("The request body could not be read")
            }
        })?;
        if bytes.len() > LIMIT {
            return Err(too_large());
        }
        let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { &bytes };
        let de = &mut serde_json::Deserializer::from_slice(text);
        serde_path_to_error::deserialize(de).map(ApiJson).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let what = if inner.is_syntax() || inner.is_eof() {
                "The request body is not valid JSON".to_owned()
            } else if path == "." {
                format!("Invalid request body: {inner}")
            } else {
                format!("Invalid parameter {path}: {inner}")
            };
            ApiError::invalid_request(what)
        })
    }
}
