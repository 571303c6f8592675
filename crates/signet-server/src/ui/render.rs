//! The templates (askama, HTML-escaped), the page response with its security headers,
//! and the stylesheets and logos they load.

use super::texts::Texts;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use signet_engine::Engine;

/// The brand of the group a page is for.
#[derive(Debug, Clone)]
pub(crate) struct Brand {
    pub name: String,
    pub group: String,
    pub has_logo: bool,
}

impl Brand {
    pub fn of(engine: &Engine, group: &str) -> Self {
        let b = engine.branding(group);
        Self {
            // A configured name, else the group's — but not the built-in group's.
            name: b.display_name.clone().unwrap_or_else(|| {
                if group.is_empty() || group == "default" {
                    "Signet".into()
                } else {
                    group.to_owned()
                }
            }),
            group: group_slug(group),
            has_logo: b.logo.is_some(),
        }
    }
}

/// A group name as it appears in a URL path (names are `[A-Za-z0-9._-]`; anything else
/// falls back to the default).
fn group_slug(group: &str) -> String {
    if !group.is_empty() && group.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    {
        group.to_owned()
    } else {
        "default".into()
    }
}

#[derive(Template)]
#[template(path = "login.html")]
pub(crate) struct LoginTemplate {
    pub t: &'static Texts,
    pub brand: Brand,
    /// The application asking, in an authorization request.
    pub client: Option<String>,
    /// Where the form posts.
    pub action: String,
    /// The portal page to go to after (standalone login).
    pub next: Option<String>,
    pub csrf: String,
    pub error: Option<String>,
    pub needs_otp: bool,
    /// The user name to fill in (OpenID Connect `login_hint`, or the user stepping up).
    pub username: Option<String>,
}

#[derive(Template)]
#[template(path = "stepup.html")]
pub(crate) struct StepUpTemplate {
    pub t: &'static Texts,
    pub brand: Brand,
    pub client: String,
    pub user: String,
    pub request_id: String,
    pub csrf: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "consent.html")]
pub(crate) struct ConsentTemplate {
    pub t: &'static Texts,
    pub brand: Brand,
    pub client: String,
    pub user: String,
    pub request_id: String,
    pub csrf: String,
    pub claims: Vec<String>,
    /// The texts' keys of the access asked for (`consent_scope_service`, …).
    pub access: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "approve.html")]
pub(crate) struct ApproveTemplate {
    pub t: &'static Texts,
    pub brand: Brand,
    pub client: String,
    pub user: String,
    pub request_id: String,
    pub csrf: String,
    pub credential: String,
    pub subject: String,
    pub description: Option<String>,
    pub documents: Vec<(Option<String>, String)>,
    pub needs_otp: bool,
    pub preview: bool,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "account.html")]
pub(crate) struct AccountTemplate {
    pub t: &'static Texts,
    pub brand: Brand,
    pub user: String,
    pub created: Option<String>,
    /// Key id, type, status, certificate subject.
    pub keys: Vec<(String, String, String, String)>,
}

#[derive(Template)]
#[template(path = "key_new.html")]
pub(crate) struct KeyNewTemplate {
    pub t: &'static Texts,
    pub brand: Brand,
    pub user: String,
    pub csrf: String,
    pub error: Option<String>,
    pub documents: Vec<signet_engine::PolicyDocument>,
    pub key_types: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct MessageTemplate {
    pub t: &'static Texts,
    pub brand: Brand,
    pub title: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "logout.html")]
pub(crate) struct LogoutTemplate {
    pub t: &'static Texts,
    pub brand: Brand,
    pub csrf: String,
}

/// A rendered page: HTML, never cached, never framed, nothing loaded from elsewhere; a
/// form may post here and, for the flow's last form, lead to `form_target` (the
/// client's origin: the redirect after the post is checked against `form-action`).
pub(crate) fn page(
    status: StatusCode,
    html: Result<String, askama::Error>,
    form_target: Option<&str>,
    set_cookies: &[String],
) -> Response {
    let body = match html {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "page template failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "The page could not be shown.")
                .into_response();
        }
    };
    let target = form_target
        .filter(|t| t.bytes().all(|b| b.is_ascii_alphanumeric() || b":/.-[]".contains(&b)));
    let csp = format!(
        "default-src 'none'; style-src 'self'; img-src 'self'; frame-src 'self'; \
         form-action 'self'{}; frame-ancestors 'none'; base-uri 'none'",
        target.map(|t| format!(" {t}")).unwrap_or_default()
    );
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The page's own forms must carry their origin (the CSRF check reads it); nothing
    // leaks to other sites.
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    for c in set_cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            h.append(header::SET_COOKIE, v);
        }
    }
    response
}

/// What a message page says below its title.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Words<'a> {
    /// The words of this key of the texts, in the page's language.
    Key(&'a str),
    /// This sentence as it is (the engine's, about a request an application sent: for
    /// its developers, in English).
    As(&'a str),
}

/// A page with a title and a message (refusals and failures), in the browser's
/// language: `title` is a key of the texts.
pub(crate) fn message(
    engine: &Engine,
    headers: &axum::http::HeaderMap,
    status: StatusCode,
    title: &str,
    words: Words<'_>,
) -> Response {
    let t = super::texts::for_request(headers);
    let message = match words {
        Words::Key(key) => t.get(key),
        Words::As(text) => text.to_owned(),
    };
    let t = MessageTemplate { t, brand: Brand::of(engine, ""), title: t.get(title), message };
    page(status, t.render(), None, &[])
}

const STYLESHEET: &str = include_str!("../../static/signet.css");

pub(crate) async fn stylesheet() -> Response {
    css(STYLESHEET.to_owned())
}

/// Signet's icon (a page of a group with a logo shows the logo instead).
const ICON: &str = include_str!("../../static/favicon.svg");

/// `/static/favicon.svg` and `/favicon.ico` (which browsers ask for by themselves).
pub(crate) async fn icon() -> Response {
    let mut r = ICON.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    r
}

/// `/branding/{group}.css`: the group's colour.
pub(crate) async fn brand_stylesheet(
    State(engine): State<Engine>,
    Path(file): Path<String>,
) -> Response {
    let Some(group) = file.strip_suffix(".css") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let color = &engine.branding(group).color;
    let color = if signet_engine::oauth::is_hex_color(color) { color } else { "#1d4e89" };
    css(format!(":root {{ --brand: {color}; }}\n"))
}

/// `/branding/{group}/logo`.
pub(crate) async fn brand_logo(
    State(engine): State<Engine>,
    Path(group): Path<String>,
) -> Response {
    match &engine.branding(&group).logo {
        Some((media_type, bytes)) => {
            let mut r = bytes.clone().into_response();
            if let Ok(v) = HeaderValue::from_str(media_type) {
                r.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
            r
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn css(text: String) -> Response {
    let mut r = text.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    r
}
