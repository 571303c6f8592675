//! The signer's pages (server-rendered with askama, no JavaScript): login, data-access
//! consent, signature approval, step-up, logout, and the portal (keys, key creation with
//! the TSP policy documents); and the authorization endpoint that leads to them. Every form carries a CSRF token (a double-submit cookie, checked with the
//! request's `Origin`); every page forbids framing and loads nothing from elsewhere.

mod account;
mod authorize;
mod cookies;
mod notices;
mod render;
mod respond;
mod texts;

use axum::routing::get;
use axum::Router;
use signet_engine::Engine;

/// The languages of the pages (OpenID Connect Discovery `ui_locales_supported`).
pub(crate) fn ui_locales_supported() -> Vec<&'static str> {
    texts::shipped()
}

pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/oauth2/authorize", get(authorize::authorize))
        .route("/csc/v1/oauth2/authorize", get(authorize::authorize))
        .route("/oauth2/interaction/{id}", get(authorize::show))
        .route("/oauth2/interaction/{id}/login", axum::routing::post(authorize::login))
        .route("/oauth2/interaction/{id}/consent", axum::routing::post(authorize::consent))
        .route("/oauth2/interaction/{id}/approve", axum::routing::post(authorize::approve))
        .route("/oauth2/interaction/{id}/step-up", axum::routing::post(authorize::step_up))
        .route("/oauth2/interaction/{id}/document", get(authorize::document))
        .route("/logout", get(authorize::logout_page).post(authorize::logout))
        .route("/login", get(account::login_page).post(account::login))
        .route("/account", get(account::account))
        .route("/account/keys/new", get(account::new_key))
        .route("/account/keys", axum::routing::post(account::create_key))
        .route("/static/signet.css", get(render::stylesheet))
        .route("/static/favicon.svg", get(render::icon))
        .route("/favicon.ico", get(render::icon))
        .route("/branding/{file}", get(render::brand_stylesheet))
        .route("/branding/{group}/logo", get(render::brand_logo))
}
