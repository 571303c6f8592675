//! What every page handler needs: form fields, the CSRF token, redirects and the pages
//! that explain a refusal or a failure.

use super::cookies::{self, Names};
use super::render::message;
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

pub(super) fn csrf_refused(engine: &Engine) -> Response {
    message(
        engine,
        StatusCode::FORBIDDEN,
        "Request refused",
        "This form was not sent from this page (or your session cookie is missing). Go back, \
         reload the page and try again.",
    )
}

pub(super) fn failure(engine: &Engine, e: EngineError) -> Response {
    match e {
        EngineError::NotFound(_) => message(
            engine,
            StatusCode::NOT_FOUND,
            "Request not found",
            "This sign-in request is not known. Go back to the application and start again.",
        ),
        EngineError::Conflict(text) => {
            message(engine, StatusCode::CONFLICT, "Already answered", &text)
        }
        EngineError::Unavailable(_) => message(
            engine,
            StatusCode::SERVICE_UNAVAILABLE,
            "Service unavailable",
            "The service cannot answer now; try again in a moment.",
        ),
        other => {
            tracing::error!(error = %other, "interaction failed");
            message(
                engine,
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "The request could not be completed.",
            )
        }
    }
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
            return Err(message(
                engine,
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request refused",
                "The form is too large.",
            ));
        };
        let names = Names::for_issuer(&engine.issuer());
        let form = url_form(&bytes).unwrap_or_default();
        if cookies::csrf_ok(&parts.headers, &names, field(&form, "csrf")) {
            Ok(Self { names, form })
        } else {
            Err(csrf_refused(engine))
        }
    }
}
