//! `info` (CSC v1.0.4.0 §11.1): what this service is and what it implements.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};
use signet_engine::Engine;

pub(crate) async fn info(State(engine): State<Engine>) -> Json<Value> {
    Json(json!({
        "specs": "1.0.4.0",
        "name": "Signet",
        "region": engine.settings().ca.country.clone().unwrap_or_else(|| "EU".into()),
        "lang": "en-US",
        "description": "Signet remote signing service",
        // §8: HTTP Basic `auth/login`, and the OAuth 2.0 flows of `oauth2` (the issuer;
        // its metadata names the endpoints).
        "authType": ["basic", "oauth2code", "oauth2client"],
        "oauth2": engine.issuer(),
        "methods": super::METHODS,
    }))
}
