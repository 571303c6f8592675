//! `auth/login`, `auth/revoke` (CSC v1.0.4.0 §11.2–11.3) and the client-credentials
//! grant at `/oauth2/token` (RFC 6749 §4.4).

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
fn basic_credentials(headers: &HeaderMap) -> Option<(String, Zeroizing<String>)> {
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
        (None, Some(refresh)) => engine.refresh(refresh).await?,
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

/// OAuth 2.0 error (RFC 6749 §5.2) for the token endpoint.
fn oauth_error(status: StatusCode, error: &'static str, description: &str) -> CscError {
    CscError::new(status, error, description)
}

pub(crate) async fn oauth2_token(
    State(engine): State<Engine>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, CscError> {
    let form: Vec<(String, String)> = url_form(&body).ok_or_else(|| {
        oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The body must be application/x-www-form-urlencoded",
        )
    })?;
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    match get("grant_type").as_deref() {
        Some("client_credentials") => {}
        Some(_) => {
            return Err(oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Only client_credentials is supported here",
            ))
        }
        None => {
            return Err(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Missing parameter grant_type",
            ))
        }
    }
    // Client authentication: HTTP Basic (RFC 6749 §2.3.1) or client_id/client_secret in the body.
    let (id, secret) = match basic_credentials(&headers) {
        Some(c) => c,
        None => match (get("client_id"), get("client_secret")) {
            (Some(id), Some(secret)) => (id, Zeroizing::new(secret)),
            _ => {
                return Err(oauth_error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "Client authentication failed",
                ))
            }
        },
    };
    match engine.client_credentials(&id, secret).await {
        Ok(tokens) => {
            let body = serde_json::json!({ "access_token": tokens.access_token, "token_type": "Bearer", "expires_in": tokens.expires_in, "scope": "service" });
            Ok((StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
        }
        Err(signet_engine::EngineError::Unauthorized(_)) => Err(oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed",
        )),
        Err(e) => Err(e.into()),
    }
}

/// Decodes `application/x-www-form-urlencoded` (WHATWG URL §5.1).
fn url_form(body: &[u8]) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((percent_decode(k)?, percent_decode(v)?))
        })
        .collect()
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}
