//! The authorization endpoint (RFC 6749 §3.1, CSC v1.0.4.0 §8.4.2) and the pages of the
//! signer's interaction: each GET shows the request's next step, each POST answers it.

use super::cookies::{self, Names};
use super::notices;
use super::render::{
    message, page, ApproveTemplate, Brand, ConsentTemplate, LoginTemplate, LogoutTemplate,
    StepUpTemplate, Words,
};
use super::respond::{csrf_token, failure, field, secret, see_other, Posted};
use crate::oauth2::url_form;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use signet_engine::oauth::{Interaction, LoginError, Notice, RequestError};
use signet_engine::{Engine, EngineError};
use zeroize::Zeroizing;

/// `GET /oauth2/authorize` (and `/csc/v1/oauth2/authorize`): validates and stores the
/// request, then shows its first step. Errors go to the client only when its redirect
/// URI is one it registered; otherwise they are shown here.
pub(crate) async fn authorize(
    State(engine): State<Engine>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(params) = url_form(query.unwrap_or_default().as_bytes()) else {
        let words = Words::Key("invalid_request_text");
        return message(&engine, &headers, StatusCode::BAD_REQUEST, "invalid_request_title", words);
    };
    match engine.start_authorization(&params).await {
        Ok(id) => see_other(&format!("/oauth2/interaction/{id}"), &[]),
        Err(e @ RequestError::Redirect { .. }) => {
            see_other(&e.redirect_url(&engine.issuer()).unwrap_or_default(), &[])
        }
        Err(RequestError::Page(text)) => {
            let status = StatusCode::BAD_REQUEST;
            message(&engine, &headers, status, "cannot_serve_title", Words::As(&text))
        }
    }
}

/// `GET /oauth2/interaction/{id}`: the next step for this browser.
pub(crate) async fn show(
    State(engine): State<Engine>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let names = Names::for_issuer(&engine.issuer());
    let session = cookies::get(&headers, names.session);
    step(&engine, &headers, engine.interaction(&id, session).await, None, StatusCode::OK)
}

/// `POST …/login`: user name and password.
pub(crate) async fn login(
    State(engine): State<Engine>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Posted { names, form }: Posted,
) -> Response {
    let username = field(&form, "username").unwrap_or("").to_owned();
    let password = Zeroizing::new(field(&form, "password").unwrap_or("").to_owned());
    let otp = secret(&form, "otp");
    match engine.password_session(&username, password, otp).await {
        Ok(s) => {
            let cookie = names.set(names.session, &s.cookie, s.max_age);
            see_other(&format!("/oauth2/interaction/{id}"), &[cookie])
        }
        Err(e) => refused_again(&engine, &headers, &id, None, e).await,
    }
}

/// `POST …/step-up`: the one-time code raises the session.
pub(crate) async fn step_up(
    State(engine): State<Engine>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Posted { names, form }: Posted,
) -> Response {
    let session = cookies::get(&headers, names.session);
    let otp = secret(&form, "otp").unwrap_or_default();
    match engine.step_up(session, otp).await {
        Ok(s) => {
            let cookie = names.set(names.session, &s.cookie, s.max_age);
            see_other(&format!("/oauth2/interaction/{id}"), &[cookie])
        }
        Err(e) => refused_again(&engine, &headers, &id, session, e).await,
    }
}

/// A refused login or step-up: the same step again with the reason, or a failure page.
async fn refused_again(
    engine: &Engine,
    headers: &HeaderMap,
    id: &str,
    session: Option<&str>,
    e: LoginError,
) -> Response {
    let notice = match e {
        LoginError::Refused(notice) => notice,
        LoginError::Failed(other) => return failure(engine, headers, other),
    };
    let status = notices::status(&notice);
    let again = engine.interaction(id, session).await;
    step(engine, headers, again, Some(notice), status)
}

/// `POST …/consent`: `decision=allow|deny`.
pub(crate) async fn consent(
    State(engine): State<Engine>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Posted { names, form }: Posted,
) -> Response {
    let allow = field(&form, "decision") == Some("allow");
    let session = cookies::get(&headers, names.session);
    step(&engine, &headers, engine.answer_consent(&id, session, allow).await, None, StatusCode::OK)
}

/// `POST …/approve`: `decision=allow|deny`, `pin`, `otp`.
pub(crate) async fn approve(
    State(engine): State<Engine>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Posted { names, form }: Posted,
) -> Response {
    let allow = field(&form, "decision") == Some("allow");
    let session = cookies::get(&headers, names.session);
    let (pin, otp) = (secret(&form, "pin"), secret(&form, "otp"));
    let answered = engine.answer_approval(&id, session, allow, pin, otp).await;
    step(&engine, &headers, answered, None, StatusCode::OK)
}

/// `GET /logout`: a form, so that no other site can log the user out with a link.
pub(crate) async fn logout_page(State(engine): State<Engine>, headers: HeaderMap) -> Response {
    let names = Names::for_issuer(&engine.issuer());
    let (csrf, set) = csrf_token(&headers, &names);
    let t = LogoutTemplate {
        t: super::texts::for_request(&headers),
        brand: Brand::of(&engine, ""),
        csrf,
    };
    page(StatusCode::OK, t.render(), None, &set)
}

/// `POST /logout`: ends the session.
pub(crate) async fn logout(
    State(engine): State<Engine>,
    headers: HeaderMap,
    Posted { names, .. }: Posted,
) -> Response {
    if let Err(e) = engine.logout(cookies::get(&headers, names.session)).await {
        return failure(&engine, &headers, e);
    }
    let words = Words::Key("logged_out_text");
    let mut r = message(&engine, &headers, StatusCode::OK, "logged_out_title", words);
    if let Ok(v) = HeaderValue::from_str(&names.set(names.session, "", 0)) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// Renders a step: a page, or the redirect back to the client.
fn step(
    engine: &Engine,
    headers: &HeaderMap,
    result: Result<Interaction, EngineError>,
    error: Option<Notice>,
    status: StatusCode,
) -> Response {
    let names = Names::for_issuer(&engine.issuer());
    let interaction = match result {
        Ok(i) => i,
        Err(e) => return failure(engine, headers, e),
    };
    let Some(context) = interaction.context() else {
        return match interaction {
            Interaction::Redirect(url) => see_other(&url, &[]),
            _ => failure(engine, headers, EngineError::Internal("a page without a request".into())),
        };
    };
    // What every page of the flow shares: its language, the group's look, and where its
    // last form may lead (CSP form-action: the login's redirects may end at the client).
    let t = super::texts::for_page(headers, &context.ui_locales);
    let brand = Brand::of(engine, &context.group);
    let origin = context.redirect_origin.clone();
    let say = |n: Option<Notice>| n.map(|n| notices::say(t, &n));
    let (csrf, set) = csrf_token(headers, &names);
    let show = |status, html| page(status, html, Some(&origin), &set);
    match interaction {
        Interaction::Redirect(url) => see_other(&url, &[]),
        Interaction::Login(p) => {
            let t = LoginTemplate {
                t,
                brand,
                client: Some(p.context.client_name),
                action: format!("/oauth2/interaction/{}/login", p.context.request_id),
                next: None,
                csrf,
                error: say(error.or(p.error)),
                needs_otp: p.needs_otp,
                username: p.username_hint,
            };
            show(status, t.render())
        }
        Interaction::StepUp(p) => {
            let t = StepUpTemplate {
                t,
                brand,
                client: p.context.client_name,
                user: p.user_name,
                request_id: p.context.request_id,
                csrf,
                error: say(error.or(p.error)),
            };
            show(status, t.render())
        }
        Interaction::Consent(p) => {
            let t = ConsentTemplate {
                t,
                brand,
                client: p.context.client_name,
                user: p.user_name,
                request_id: p.context.request_id,
                csrf,
                claims: p.claims,
                access: p.access.iter().filter_map(|s| access_text(s)).collect(),
            };
            show(status, t.render())
        }
        Interaction::Approve(p) => {
            let status = p.error.as_ref().map(notices::status).unwrap_or(status);
            let t = ApproveTemplate {
                t,
                brand,
                client: p.context.client_name,
                user: p.user_name,
                request_id: p.context.request_id,
                csrf,
                credential: p.credential_id,
                subject: p.certificate_subject,
                description: p.description,
                documents: p.documents,
                needs_otp: p.needs_otp,
                preview: p.preview,
                error: say(p.error),
            };
            show(status, t.render())
        }
    }
}

/// `GET …/document`: the PDF being approved, shown in the approval page's frame (only
/// to the signer's session, only while the request waits, only framed by this site).
pub(crate) async fn document(
    State(engine): State<Engine>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let names = Names::for_issuer(&engine.issuer());
    match engine.approval_document(&id, cookies::get(&headers, names.session)).await {
        Ok(pdf) => {
            let mut r = (StatusCode::OK, pdf).into_response();
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("inline; filename=\"document.pdf\""),
            );
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; frame-ancestors 'self'"),
            );
            h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
            r
        }
        Err(e) => failure(&engine, &headers, e),
    }
}

/// The texts' key that words a scope of [`signet_engine::oauth::CONSENTED_SCOPES`] on the
/// consent page.
fn access_text(scope: &str) -> Option<&'static str> {
    match scope {
        "service" => Some("consent_scope_service"),
        "offline_access" => Some("consent_scope_offline_access"),
        _ => None,
    }
}
