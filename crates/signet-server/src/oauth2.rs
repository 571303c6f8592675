//! The OAuth 2.0 authorization server's endpoints for clients: the token endpoint
//! (`client_credentials`, RFC 6749 §4.4), token revocation (RFC 7009) and token
//! introspection (RFC 7662). Clients authenticate with their secret, by HTTP Basic or in
//! the form body (RFC 6749 §2.3.1); bodies are `application/x-www-form-urlencoded`;
//! errors take the RFC 6749 §5.2 shape.

use crate::csc::auth::basic_credentials;
use crate::csc::error::CscError;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use signet_engine::{Client, Engine, EngineError};

use zeroize::Zeroizing;

pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/oauth2/token", post(oauth2_token))
        .route("/oauth2/revoke", post(oauth2_revoke))
        .route("/oauth2/introspect", post(oauth2_introspect))
}

/// OAuth 2.0 error (RFC 6749 §5.2) for the token endpoint.
fn oauth_error(status: StatusCode, error: &'static str, description: &str) -> CscError {
    CscError::new(status, error, description)
}

/// The form of a request, or `invalid_request`.
fn form(body: &[u8]) -> Result<Vec<(String, String)>, CscError> {
    url_form(body).ok_or_else(|| {
        oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The body must be application/x-www-form-urlencoded",
        )
    })
}

fn field(form: &[(String, String)], name: &str) -> Option<String> {
    form.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
}

/// The client's id and secret: HTTP Basic, or `client_id` and `client_secret` in the body.
fn client_secret(
    headers: &HeaderMap,
    form: &[(String, String)],
) -> Result<(String, Zeroizing<String>), CscError> {
    basic_credentials(headers)
        .or_else(|| {
            Some((field(form, "client_id")?, Zeroizing::new(field(form, "client_secret")?)))
        })
        .ok_or_else(invalid_client)
}

fn invalid_client() -> CscError {
    oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "Client authentication failed")
}

/// The authenticated client (RFC 6749 §2.3.1).
async fn client(
    engine: &Engine,
    headers: &HeaderMap,
    form: &[(String, String)],
    endpoint: &str,
) -> Result<Client, CscError> {
    let (id, secret) = client_secret(headers, form)?;
    match engine.authenticate_client(&id, secret, endpoint).await {
        Ok(c) => Ok(c),
        Err(EngineError::Unauthorized(_)) => Err(invalid_client()),
        Err(e) => Err(e.into()),
    }
}

/// The `token` parameter, and a `token_type_hint` that is one of RFC 7009 §2.1's (an
/// unknown hint is ignored, §2.2.1 allows it; a known one is only a hint).
fn token_param(form: &[(String, String)]) -> Result<String, CscError> {
    field(form, "token").filter(|t| !t.is_empty()).ok_or_else(|| {
        oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "Missing parameter token")
    })
}

/// `POST /oauth2/revoke` (RFC 7009 §2.1): 200 whether or not the token was known.
pub(crate) async fn oauth2_revoke(
    State(engine): State<Engine>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, CscError> {
    let form = form(&body)?;
    let client = client(&engine, &headers, &form, "oauth2.revoke").await?;
    let token = token_param(&form)?;
    engine.revoke_for_client(&client, &token).await?;
    Ok((StatusCode::OK, [(header::CACHE_CONTROL, "no-store")]).into_response())
}

/// `POST /oauth2/introspect` (RFC 7662 §2.1): `{"active": …}` and, for an active token of
/// the client's realm, its scope, client, user, type and times.
pub(crate) async fn oauth2_introspect(
    State(engine): State<Engine>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, CscError> {
    let form = form(&body)?;
    let client = client(&engine, &headers, &form, "oauth2.introspect").await?;
    let token = token_param(&form)?;
    let answer = engine.introspect(&client, &token).await?;
    Ok((StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], Json(answer)).into_response())
}

pub(crate) async fn oauth2_token(
    State(engine): State<Engine>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, CscError> {
    let form = form(&body)?;
    match field(&form, "grant_type").as_deref() {
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
    let (id, secret) = client_secret(&headers, &form)?;
    match engine.client_credentials(&id, secret).await {
        Ok(tokens) => {
            let body = serde_json::json!({ "access_token": tokens.access_token, "token_type": "Bearer", "expires_in": tokens.expires_in, "scope": "service" });
            Ok((StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
        }
        Err(EngineError::Unauthorized(_)) => Err(invalid_client()),
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
