//! The authenticated caller, as an extractor: a CSC handler that takes `Authenticated`
//! cannot run without a valid bearer token (STYLE.md: authorisation in the signature).

use super::error::CscError;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
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
        let value = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        let Some(token) =
            value.and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        else {
            return Err(CscError::token(None));
        };
        engine
            .authenticate(token.trim())
            .await
            .map(Authenticated)
            .map_err(|r| CscError::token(Some(r)))
    }
}
