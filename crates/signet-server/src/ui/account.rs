//! The signer's portal: a standalone login, the list of their keys, and key creation
//! after the group's TSP policy documents are shown and accepted (the acceptance is
//! recorded with the key, as the Identity Management API does).

use super::cookies::{self, Names};
use super::notices;
use super::render::{page, AccountTemplate, Brand, KeyNewTemplate, LoginTemplate};
use super::respond::{csrf_token, failure, field, secret, see_other, Posted};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use signet_engine::oauth::LoginError;
use signet_engine::{AcceptedDocument, Caller, Engine, EngineError, KeyRequest};
use signet_types::KeyAlgorithm;
use std::collections::HashMap;
use zeroize::Zeroizing;

/// Where a standalone login may lead: a portal page of this site, nothing else (no open
/// redirect: no scheme, no host, no `//` or `\`).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with("/account")
                && !n.contains("//")
                && !n.contains('\\')
                && n.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            n.to_owned()
        }
        _ => "/account".into(),
    }
}

/// `GET /login?next=/account/…`
pub(crate) async fn login_page(
    State(engine): State<Engine>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    login_form(
        &engine,
        &headers,
        safe_next(q.get("next").map(String::as_str)),
        None,
        StatusCode::OK,
    )
}

fn login_form(
    engine: &Engine,
    headers: &HeaderMap,
    next: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let names = Names::for_issuer(&engine.issuer());
    let (csrf, set) = csrf_token(headers, &names);
    let t = LoginTemplate {
        t: super::texts::for_request(headers),
        brand: Brand::of(engine, ""),
        client: None,
        action: "/login".into(),
        next: Some(next),
        csrf,
        error,
        needs_otp: false,
        username: None,
    };
    page(status, t.render(), None, &set)
}

/// `POST /login`: opens a session and goes to `next`.
pub(crate) async fn login(
    State(engine): State<Engine>,
    headers: HeaderMap,
    Posted { names, form }: Posted,
) -> Response {
    let next = safe_next(field(&form, "next"));
    let username = field(&form, "username").unwrap_or("").to_owned();
    let password = Zeroizing::new(field(&form, "password").unwrap_or("").to_owned());
    match engine.password_session(&username, password, secret(&form, "otp")).await {
        Ok(s) => see_other(&next, &[names.set(names.session, &s.cookie, s.max_age)]),
        Err(LoginError::Refused(notice)) => {
            let said = notices::say(super::texts::for_request(&headers), &notice);
            login_form(&engine, &headers, next, Some(said), notices::status(&notice))
        }
        Err(LoginError::Failed(e)) => failure(&engine, &headers, e),
    }
}

/// The signer of this browser's session, or the redirect to the login page.
async fn signer(
    engine: &Engine,
    headers: &HeaderMap,
    here: &str,
) -> Result<(Caller, String), Response> {
    let names = Names::for_issuer(&engine.issuer());
    match engine.session_caller(cookies::get(headers, names.session)).await {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(see_other(&format!("/login?next={here}"), &[])),
        Err(e) => Err(failure(engine, headers, e)),
    }
}

fn display(caller: &Caller) -> String {
    match caller {
        Caller::User { user, .. } => {
            let name = format!("{} {}", user.given_name, user.surname);
            if name.trim().is_empty() {
                user.username.clone()
            } else {
                name.trim().to_owned()
            }
        }
        Caller::Service { client, .. } => client.name.clone(),
    }
}

/// `GET /account`: the signer's keys.
pub(crate) async fn account(
    State(engine): State<Engine>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (caller, group) = match signer(&engine, &headers, "/account").await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let keys = match engine.list_keys(&caller, None).await {
        Ok(k) => k,
        Err(e) => return failure(&engine, &headers, e),
    };
    let created = q
        .get("created")
        .filter(|c| c.len() <= 64 && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .cloned();
    let t = super::texts::for_request(&headers);
    let t = AccountTemplate {
        t,
        brand: Brand::of(&engine, &group),
        user: display(&caller),
        created,
        keys: keys
            .into_iter()
            .map(|k| {
                let subject =
                    k.certificate.map(|c| c.subject).unwrap_or_else(|| t.get("no_certificate_yet"));
                (k.key_id, k.algorithm, k.status.to_owned(), subject)
            })
            .collect(),
    };
    page(StatusCode::OK, t.render(), None, &[])
}

/// `GET /account/keys/new`: the policy documents to accept and the key types.
pub(crate) async fn new_key(State(engine): State<Engine>, headers: HeaderMap) -> Response {
    let (caller, group) = match signer(&engine, &headers, "/account/keys/new").await {
        Ok(s) => s,
        Err(r) => return r,
    };
    key_form(&engine, &headers, &caller, &group, None, StatusCode::OK).await
}

async fn key_form(
    engine: &Engine,
    headers: &HeaderMap,
    caller: &Caller,
    group: &str,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let documents = match engine.policy_documents(caller, None).await {
        Ok(d) => d,
        Err(e) => return failure(engine, headers, e),
    };
    let names = Names::for_issuer(&engine.issuer());
    let (csrf, set) = csrf_token(headers, &names);
    let t = KeyNewTemplate {
        t: super::texts::for_request(headers),
        brand: Brand::of(engine, group),
        user: display(caller),
        csrf,
        error,
        documents,
        key_types: KeyAlgorithm::ALL.iter().map(|k| k.as_str()).collect(),
    };
    page(status, t.render(), None, &set)
}

/// `POST /account/keys`: creates the key with the documents ticked, then has it
/// certified under the group's default profile.
pub(crate) async fn create_key(
    State(engine): State<Engine>,
    headers: HeaderMap,
    Posted { form, .. }: Posted,
) -> Response {
    let (caller, group) = match signer(&engine, &headers, "/account/keys/new").await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let documents = match engine.policy_documents(&caller, None).await {
        Ok(d) => d,
        Err(e) => return failure(&engine, &headers, e),
    };
    let ticked: Vec<&str> =
        form.iter().filter(|(n, _)| n == "accept").map(|(_, v)| v.as_str()).collect();
    let accepted = documents
        .iter()
        .filter(|d| ticked.contains(&d.sha256.as_str()))
        .map(|d| AcceptedDocument {
            name: d.name.clone(),
            version: d.version.clone(),
            sha256: d.sha256.clone(),
        })
        .collect();
    let algorithm = match field(&form, "key").map(str::parse::<KeyAlgorithm>) {
        Some(Ok(a)) => Some(a),
        Some(Err(_)) => {
            let why = Some(super::texts::for_request(&headers).get("key_type_unknown"));
            return key_form(&engine, &headers, &caller, &group, why, StatusCode::BAD_REQUEST)
                .await;
        }
        None => None,
    };
    let request = KeyRequest { algorithm, accepted, description: None, scal: 2, multisign: 1 };
    let created = match engine.create_key(&caller, None, request).await {
        Ok(k) => k,
        Err(
            e @ (EngineError::ConsentRequired(_)
            | EngineError::InvalidInput(_)
            | EngineError::Forbidden(_)),
        ) => {
            let why = match e {
                // The form lists the documents; the engine's sentence names them in English.
                EngineError::ConsentRequired(_) => {
                    super::texts::for_request(&headers).get("accept_every_document")
                }
                other => other.to_string(),
            };
            return key_form(
                &engine,
                &headers,
                &caller,
                &group,
                Some(why),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
        Err(e) => return failure(&engine, &headers, e),
    };
    if let Err(e) = engine.issue_certificate(&caller, &created.key_id, None).await {
        return failure(&engine, &headers, e);
    }
    see_other(&format!("/account?created={}", created.key_id), &[])
}
