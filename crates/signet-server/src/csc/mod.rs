//! The Cloud Signature Consortium API v1.0.4.0 under `/csc/v1/`.

pub(crate) mod auth;
mod caller;
mod credentials;
pub(crate) mod error;
mod info;
mod params;
mod signatures;
mod time;
mod timestamp;

use axum::routing::{get, post};
use axum::Router;
use signet_engine::Engine;

/// The methods this service implements (CSC `info.methods`).
pub(crate) const METHODS: &[&str] = &[
    "auth/login",
    "auth/revoke",
    "credentials/list",
    "credentials/info",
    "credentials/authorize",
    "credentials/extendTransaction",
    "credentials/sendOTP",
    "signatures/signHash",
    "signatures/timestamp",
    "oauth2/authorize",
    "oauth2/token",
    "oauth2/revoke",
];

pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/csc/v1/info", get(info::info).post(info::info))
        .route("/csc/v1/auth/login", post(auth::login))
        .route("/csc/v1/auth/revoke", post(auth::revoke))
        .route("/csc/v1/credentials/list", post(credentials::list))
        .route("/csc/v1/credentials/info", post(credentials::info))
        .route("/csc/v1/credentials/authorize", post(credentials::authorize))
        .route("/csc/v1/credentials/extendTransaction", post(credentials::extend))
        .route("/csc/v1/credentials/sendOTP", post(credentials::send_otp))
        .route("/csc/v1/signatures/signHash", post(signatures::sign_hash))
        .route("/csc/v1/signatures/timestamp", post(timestamp::timestamp))
}
