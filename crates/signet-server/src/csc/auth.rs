//! `auth/login` and `auth/revoke` (CSC v1.0.4.0 §11.2–11.3).

use super::caller::Authenticated;
use super::error::CscError;
use super::params::Params;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use signet_engine::Engine;
use zeroize::Zeroizing;

/// `user:password` from `Authorization: Basic …` (RFC 7617).
pub(crate) fn basic_credentials(headers: &HeaderMap) -> Option<(String, Zeroizing<String>)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
    let decoded =
        Zeroizing::new(base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?);
    let text = std::str::from_utf8(&decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), Zeroizing::new(password.to_owned())))
}

pub(crate) async fn login(
    State(engine): State<Engine>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, CscError> {
    let params = Params::parse(&body)?;
    let remember = params.opt_bool("rememberMe")?.unwrap_or(false);
    let tokens = match (basic_credentials(&headers), params.opt_string("refresh_token")?) {
        (Some((user, password)), _) => engine.login(&user, password, remember).await?,
        (None, Some(refresh)) => engine.refresh(refresh, None).await?,
        (None, None) => {
            return Err(CscError::basic("HTTP Basic authentication or a refresh_token is required"))
        }
    };
    Ok((StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], Json(tokens)).into_response())
}

pub(crate) async fn revoke(
    State(engine): State<Engine>,
    Authenticated(caller): Authenticated,
    body: Bytes,
) -> Result<StatusCode, CscError> {
    let params = Params::parse(&body)?;
    let token = params.string("token")?;
    if let Some(hint) = params.opt_string("token_type_hint")? {
        if hint != "access_token" && hint != "refresh_token" {
            return Err(CscError::invalid_request("Invalid parameter token_type_hint"));
        }
    }
    engine.revoke(&caller, token).await?;
    Ok(StatusCode::NO_CONTENT)
}
