//! `signatures/timestamp` (CSC v1.0.4.0 §11.10): an RFC 3161 token from the embedded TSA.

use super::caller::Authenticated;
use super::credentials::hash_algo;
use super::error::CscError;
use super::params::Params;
use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use base64::Engine as _;
use serde_json::{json, Value};
use signet_engine::Engine;

pub(crate) async fn timestamp(
    State(engine): State<Engine>,
    Authenticated(_caller): Authenticated,
    body: Bytes,
) -> Result<Json<Value>, CscError> {
    let p = Params::parse(&body)?;
    let hash = base64::engine::general_purpose::STANDARD
        .decode(p.string("hash")?)
        .map_err(|_| CscError::invalid_request("Invalid Base64 hash string parameter"))?;
    let alg = hash_algo(&p, "hashAlgo")?.ok_or_else(|| {
        CscError::invalid_request("Missing (or invalid type) string parameter hashAlgo")
    })?;
    if hash.len() != alg.output_len() {
        return Err(CscError::invalid_request("Invalid digest value length"));
    }
    // The nonce is a large random number in hexadecimal (at most 32 bytes).
    let nonce = match p.opt_string("nonce")? {
        Some(n) => Some(
            hex_bytes(n)
                .filter(|b| !b.is_empty() && b.len() <= 32)
                .ok_or_else(|| CscError::invalid_request("Invalid parameter nonce"))?,
        ),
        None => None,
    };
    let token = engine.timestamp(alg, hash, nonce).await?;
    Ok(Json(json!({ "timestamp": base64::engine::general_purpose::STANDARD.encode(token) })))
}

fn hex_bytes(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}
