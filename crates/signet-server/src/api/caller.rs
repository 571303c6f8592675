//! The authenticated caller of the REST API: a user token (`auth/login`) or a service
//! token of a client (`client_credentials`). A handler that takes [`ApiCaller`] cannot run
//! without a valid bearer token.

use super::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use signet_engine::{Caller, Engine};

/// A caller proven by `Authorization: Bearer <token>`.
#[derive(Debug, Clone)]
pub struct ApiCaller(pub Caller);

impl FromRequestParts<Engine> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, engine: &Engine) -> Result<Self, ApiError> {
        let value = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        let Some(token) =
            value.and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        else {
            return Err(ApiError::token(None));
        };
        engine.authenticate(token.trim()).await.map(ApiCaller).map_err(|r| ApiError::token(Some(r)))
    }
}
