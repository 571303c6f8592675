//! What every page handler needs: form fields, the CSRF token, redirects and the pages
//! that explain a refusal or a failure.

use super::cookies::{self, Names};
use super::render::{message, Words};
use crate::oauth2::url_form;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use signet_engine::{Engine, EngineError};
use zeroize::Zeroizing;

pub(super) fn secret(form: &[(String, String)], name: &str) -> Option<Zeroizing<String>> {
    field(form, name).filter(|v| !v.is_empty()).map(|v| Zeroizing::new(v.to_owned()))
}

/// The CSRF token of this browser, and the cookie to set when it has none yet.
pub(super) fn csrf_token(headers: &HeaderMap, names: &Names) -> (String, Vec<String>) {
    if let Some(existing) = cookies::get(headers, names.csrf) {
        return (existing.to_owned(), Vec::new());
    }
    match signet_crypto::secret::generate_secret() {
        Ok(t) => {
            let cookie = names.set(names.csrf, &t, 86_400);
            (t, vec![cookie])
        }
        Err(_) => (String::new(), Vec::new()),
    }
}

fn csrf_refused(engine: &Engine, headers: &HeaderMap) -> Response {
    let words = Words::Key("csrf_refused_text");
    message(engine, headers, StatusCode::FORBIDDEN, "refused_title", words)
}

/// The page for a failed use case: what the signer can do about it, never the detail
/// (which is logged).
pub(super) fn failure(engine: &Engine, headers: &HeaderMap, e: EngineError) -> Response {
    let (status, title, words) = match &e {
        EngineError::NotFound(_) => {
            (StatusCode::NOT_FOUND, "not_found_title", Words::Key("not_found_text"))
        }
        EngineError::Conflict(text) => {
            (StatusCode::CONFLICT, "already_answered_title", Words::As(text))
        }
        EngineError::Unavailable(_) => {
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable_title", Words::Key("unavailable_text"))
        }
        other => {
            tracing::error!(error = %other, "interaction failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "failed_title", Words::Key("failed_text"))
        }
    };
    message(engine, headers, status, title, words)
}

pub(super) fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// `303 See Other` to `location`, never cached.
pub(super) fn see_other(location: &str, set_cookies: &[String]) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(location) {
        h.insert(header::LOCATION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for c in set_cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            h.append(header::SET_COOKIE, v);
        }
    }
    r
}

/// A form's fields, in order.
pub(super) type Form = Vec<(String, String)>;

/// The largest form a page posts (a login, a PIN, a few ticked documents).
const MAX_FORM_BYTES: usize = 64 * 1024;

/// A form post whose CSRF token (and origin) checked out, as an extractor: a handler
/// that takes it never runs on a forged post. A refused post gets the refusal page.
#[derive(Debug)]
pub(super) struct Posted {
    /// The cookie names of this service.
    pub names: Names,
    /// The fields, in order.
    pub form: Form,
}

impl FromRequest<Engine> for Posted {
    type Rejection = Response;

    async fn from_request(req: Request, engine: &Engine) -> Result<Self, Response> {
        let (parts, body) = req.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
            let words = Words::Key("form_too_large_text");
            let status = StatusCode::PAYLOAD_TOO_LARGE;
            return Err(message(engine, &parts.headers, status, "refused_title", words));
        };
        let names = Names::for_issuer(&engine.issuer());
        let form = url_form(&bytes).unwrap_or_default();
        if cookies::csrf_ok(&parts.headers, &names, field(&form, "csrf")) {
            Ok(Self { names, form })
        } else {
            Err(csrf_refused(engine, &parts.headers))
        }
    }
}
