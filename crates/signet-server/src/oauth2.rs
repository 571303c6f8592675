//! The OAuth 2.0 authorization server's endpoints for clients: the token endpoint
//! (`authorization_code` RFC 6749 §4.1.3, `refresh_token` §6, `client_credentials`
//! §4.4), token revocation (RFC 7009), token introspection (RFC 7662), the metadata (RFC
//! 8414, OpenID Connect Discovery), the JWK Set and the UserInfo endpoint (OpenID
//! Connect Core §5.3). Clients authenticate with their secret (HTTP Basic or in the
//! body, RFC 6749 §2.3.1), a signed assertion (`private_key_jwt`, RFC 7523), or — public
//! clients — their `client_id` alone; bodies are `application/x-www-form-urlencoded`;
//! errors take the RFC 6749 §5.2 shape.

use crate::csc::auth::basic_credentials;
use crate::csc::error::CscError;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use signet_engine::oauth::{ClientCredentials, CodeRedemption, UserinfoError, JWT_BEARER};
use signet_engine::{Client, Engine, EngineError};

use zeroize::Zeroizing;

pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/oauth2/token", post(oauth2_token))
        .route("/csc/v1/oauth2/token", post(oauth2_token))
        .route("/oauth2/revoke", post(oauth2_revoke))
        .route("/csc/v1/oauth2/revoke", post(oauth2_revoke))
        .route("/oauth2/introspect", post(oauth2_introspect))
        .route("/oauth2/jwks", get(jwks))
        .route("/.well-known/oauth-authorization-server", get(metadata))
        .route("/.well-known/openid-configuration", get(metadata))
        .route("/oidc/userinfo", get(userinfo).post(userinfo))
}

/// RFC 8414 §3 and OpenID Connect Discovery §4: the metadata document.
async fn metadata(State(engine): State<Engine>) -> Response {
    let cache = [(header::CACHE_CONTROL, "public, max-age=300")];
    let mut document = engine.oauth_metadata();
    // The pages' languages are the server's (its texts), not the engine's.
    document["ui_locales_supported"] = serde_json::json!(crate::ui::ui_locales_supported());
    (StatusCode::OK, cache, Json(document)).into_response()
}

/// RFC 7517 §5: the keys ID tokens are signed with.
async fn jwks(State(engine): State<Engine>) -> Result<Response, CscError> {
    let keys = engine.jwks().await?;
    let cache = [(header::CACHE_CONTROL, "public, max-age=300")];
    Ok((StatusCode::OK, cache, Json(keys)).into_response())
}

/// OpenID Connect Core §5.3: the user's claims for an access token (`Authorization:
/// Bearer`, RFC 6750 §2.1); refusals carry `WWW-Authenticate` (RFC 6750 §3).
async fn userinfo(State(engine): State<Engine>, headers: HeaderMap) -> Result<Response, CscError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    let answer = match bearer {
        Some(b) => engine.userinfo(b).await?,
        None => Err(UserinfoError::InvalidToken),
    };
    let (status, error) = match answer {
        Ok(claims) => {
            return Ok((StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], Json(claims))
                .into_response())
        }
        Err(UserinfoError::InvalidToken) => (StatusCode::UNAUTHORIZED, "invalid_token"),
        Err(UserinfoError::InsufficientScope) => (StatusCode::FORBIDDEN, "insufficient_scope"),
    };
    let challenge = format!("Bearer error=\"{error}\"");
    let mut r = oauth_error(status, error, "The access token does not give access to userinfo")
        .into_response();
    if let Ok(v) = header::HeaderValue::from_str(&challenge) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    Ok(r)
}

/// OAuth 2.0 error (RFC 6749 §5.2) for the token endpoint.
fn oauth_error(status: StatusCode, error: &'static str, description: &str) -> CscError {
    CscError::new(status, error, description)
}

/// The form of a request, or `invalid_request`: a body that is not
/// `application/x-www-form-urlencoded`, or a parameter given twice (RFC 6749 §3.2:
/// "Request and response parameters MUST NOT be included more than once").
fn form(body: &[u8]) -> Result<Vec<(String, String)>, CscError> {
    let form = url_form(body).ok_or_else(|| {
        oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The body must be application/x-www-form-urlencoded",
        )
    })?;
    let repeated =
        form.iter().enumerate().find(|(i, (n, _))| form[..*i].iter().any(|(m, _)| m == n));
    if let Some((_, (name, _))) = repeated {
        // The name is the client's: shown only when it is a plain parameter name.
        let plain =
            name.len() <= 40 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let description = if plain {
            format!("Parameter {name} is given more than once")
        } else {
            "A parameter is given more than once".into()
        };
        return Err(oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &description));
    }
    Ok(form)
}

/// RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each
/// request" — HTTP Basic, a secret in the body, an assertion (RFC 7523 §2.2): at most one
/// of them, or `invalid_request`.
fn one_authentication_method(
    headers: &HeaderMap,
    form: &[(String, String)],
) -> Result<(), CscError> {
    let basic = headers.get(header::AUTHORIZATION).is_some_and(|v| {
        v.as_bytes().get(..6).is_some_and(|scheme| scheme.eq_ignore_ascii_case(b"basic "))
    });
    let secret = field(form, "client_secret").is_some();
    let assertion =
        field(form, "client_assertion").is_some() || field(form, "client_assertion_type").is_some();
    if [basic, secret, assertion].into_iter().filter(|used| *used).count() > 1 {
        return Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The client must use one authentication method only",
        ));
    }
    Ok(())
}

fn field(form: &[(String, String)], name: &str) -> Option<String> {
    form.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
}

/// The client's id and secret: HTTP Basic, or `client_id` and `client_secret` in the body.
fn client_secret(
    headers: &HeaderMap,
    form: &[(String, String)],
) -> Result<(String, Zeroizing<String>), CscError> {
    one_authentication_method(headers, form)?;
    basic_credentials(headers)
        .or_else(|| {
            Some((field(form, "client_id")?, Zeroizing::new(field(form, "client_secret")?)))
        })
        .ok_or_else(invalid_client)
}

fn invalid_client() -> CscError {
    oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "Client authentication failed")
}

/// What the client presented: HTTP Basic, an assertion (RFC 7523 §2.2), a secret in
/// the body, or its id alone.
fn presented(
    headers: &HeaderMap,
    form: &[(String, String)],
) -> Result<ClientCredentials, CscError> {
    one_authentication_method(headers, form)?;
    if let Some((client_id, secret)) = basic_credentials(headers) {
        return Ok(ClientCredentials::Secret { client_id, secret });
    }
    match (field(form, "client_assertion_type").as_deref(), field(form, "client_assertion")) {
        (Some(JWT_BEARER), Some(assertion)) => {
            return Ok(ClientCredentials::Assertion {
                client_id: field(form, "client_id"),
                assertion,
            })
        }
        (Some(_), _) | (None, Some(_)) => return Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        )),
        (None, None) => {}
    }
    match (field(form, "client_id"), field(form, "client_secret")) {
        (Some(client_id), Some(secret)) => {
            Ok(ClientCredentials::Secret { client_id, secret: Zeroizing::new(secret) })
        }
        (Some(client_id), None) => Ok(ClientCredentials::Public { client_id }),
        _ => Err(invalid_client()),
    }
}

/// The authenticated client (RFC 6749 §2.3) at `endpoint` (`oauth2.token`, …).
async fn client(
    engine: &Engine,
    headers: &HeaderMap,
    form: &[(String, String)],
    endpoint: &str,
) -> Result<Client, CscError> {
    let credentials = presented(headers, form)?;
    let url = format!("{}/{}", engine.issuer(), endpoint.replace('.', "/"));
    match engine.authenticate_oauth_client(credentials, endpoint, &url).await {
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
    if client.public {
        // RFC 7662 §2.1: the caller must be authorised to introspect; a public client
        // proves nothing about itself, so it may not read other tokens' owners.
        return Err(invalid_client());
    }
    let token = token_param(&form)?;
    let answer = engine.introspect(&client, &token).await?;
    Ok((StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], Json(answer)).into_response())
}

/// `POST /oauth2/token` (RFC 6749 §3.2).
pub(crate) async fn oauth2_token(
    State(engine): State<Engine>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, CscError> {
    let form = form(&body)?;
    let grant_type = field(&form, "grant_type").ok_or_else(|| {
        oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "Missing parameter grant_type")
    })?;
    let tokens = match grant_type.as_str() {
        "client_credentials" => {
            let (id, secret) = client_secret(&headers, &form)?;
            let scope = field(&form, "scope");
            match engine.client_credentials(&id, secret, scope.as_deref()).await {
                Ok(Ok(t)) => {
                    serde_json::json!({ "access_token": t.access_token, "token_type": "Bearer", "expires_in": t.expires_in, "scope": "service" })
                }
                Ok(Err(e)) => {
                    return Err(oauth_error(StatusCode::BAD_REQUEST, e.error, &e.description))
                }
                Err(EngineError::Unauthorized(_)) => return Err(invalid_client()),
                Err(e) => return Err(e.into()),
            }
        }
        "authorization_code" => {
            let client = client(&engine, &headers, &form, "oauth2.token").await?;
            let code = field(&form, "code").ok_or_else(|| {
                oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "Missing parameter code")
            })?;
            let redemption = CodeRedemption {
                code,
                redirect_uri: field(&form, "redirect_uri"),
                code_verifier: field(&form, "code_verifier"),
            };
            match engine.redeem_code(&client, redemption).await? {
                Ok(t) => {
                    serde_json::to_value(t).map_err(|e| EngineError::Internal(e.to_string()))?
                }
                Err(e) => {
                    return Err(oauth_error(StatusCode::BAD_REQUEST, e.error, &e.description))
                }
            }
        }
        "refresh_token" => {
            let client = client(&engine, &headers, &form, "oauth2.token").await?;
            let refresh = field(&form, "refresh_token").ok_or_else(|| {
                oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "Missing parameter refresh_token",
                )
            })?;
            match engine.refresh(&refresh, Some(&client)).await {
                Ok(t) => serde_json::json!({
                    "access_token": t.access_token,
                    "token_type": "Bearer",
                    "expires_in": t.expires_in,
                    "refresh_token": t.refresh_token,
                }),
                Err(EngineError::Unauthorized(m)) => {
                    return Err(oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", &m))
                }
                Err(e) => return Err(e.into()),
            }
        }
        _ => {
            return Err(oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type must be authorization_code, refresh_token or client_credentials",
            ))
        }
    };
    Ok((StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], Json(tokens)).into_response())
}

/// Decodes `application/x-www-form-urlencoded` (WHATWG URL §5.1).
pub(crate) fn url_form(body: &[u8]) -> Option<Vec<(String, String)>> {
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
