//! `GET /healthz` (the process answers) and `GET /readyz` (the database and the crypto
//! module answer: a load balancer sends traffic only while this says 200).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use signet_engine::Engine;

pub(crate) fn routes() -> Router<Engine> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

async fn readyz(State(engine): State<Engine>) -> (StatusCode, Json<Value>) {
    let r = engine.readiness().await;
    let (code, status) = if r.ready() {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready")
    };
    (code, Json(json!({ "status": status, "database": r.database, "crypto": r.crypto })))
}
