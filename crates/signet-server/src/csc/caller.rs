//! The authenticated caller, as an extractor: a CSC handler that takes `Authenticated`
//! cannot run without a valid bearer token (STYLE.md: authorisation in the signature).

use super::error::CscError;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, HeaderMap};
use signet_engine::{Caller, Engine};

/// A caller proven by `Authorization: Bearer <token>`.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Caller);

impl FromRequestParts<Engine> for Authenticated {
    type Rejection = CscError;

    async fn from_request_parts(
        parts: &mut Parts,
        engine: &Engine,
    ) -> Result<Self, Self::Rejection> {
        Self::from_headers(&parts.headers, engine).await
    }
}

impl Authenticated {
    /// The caller of a request with these headers.
    pub async fn from_headers(headers: &HeaderMap, engine: &Engine) -> Result<Self, CscError> {
        let Some(token) = bearer(headers) else { return Err(CscError::token(None)) };
        engine.authenticate(token).await.map(Authenticated).map_err(|r| CscError::token(Some(r)))
    }
}

/// The token of `Authorization: Bearer <token>` (RFC 6750 §2.1).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())?;
    value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).map(str::trim)
}
