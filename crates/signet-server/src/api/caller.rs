//! The authenticated caller of the REST API: a user token (`auth/login`) or a service
//! token of a client (`client_credentials`). A handler that takes [`ApiCaller`] cannot run
//! without a valid bearer token.

use super::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, HeaderMap};
use signet_engine::{Caller, Engine};

/// A caller proven by `Authorization: Bearer <token>`.
#[derive(Debug, Clone)]
pub struct ApiCaller(pub Caller);

impl FromRequestParts<Engine> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, engine: &Engine) -> Result<Self, ApiError> {
        Self::from_headers(&parts.headers, engine).await
    }
}

impl ApiCaller {
    /// The caller of a request with these headers.
    pub async fn from_headers(headers: &HeaderMap, engine: &Engine) -> Result<Self, ApiError> {
        let Some(token) = bearer(headers) else { return Err(ApiError::token(None)) };
        engine.authenticate(token).await.map(ApiCaller).map_err(|r| ApiError::token(Some(r)))
    }
}

/// The token of `Authorization: Bearer <token>` (RFC 6750 §2.1).
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())?;
    value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).map(str::trim)
}
