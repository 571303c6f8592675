//! One-shot signing: a fresh key and a short-lived certificate made for a few hashes, with
//! the SAD to sign them through CSC `signatures/signHash`; the key is destroyed once they
//! are signed, or when it expires.

use super::body::ApiJson;
use super::caller::ApiCaller;
use super::error::{ApiError, ErrorBody};
use super::keys::algorithm;
use super::model::{OneShotIn, OneShotOut};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use base64::Engine as _;
use signet_engine::{Engine, OneShotRequest, MAX_ONE_SHOT_HASHES};
use signet_types::HashAlgorithm;
use zeroize::Zeroizing;

/// Creates a one-shot credential and its SAD for exactly `hashes`.
#[utoipa::path(post, path = "/api/v1/one-shot", tag = "signing", request_body = OneShotIn,
    security(("bearer" = [])),
    responses((status = 201, body = OneShotOut), (status = 400, body = ErrorBody, description = "invalid_request, invalid_pin, invalid_otp"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "consent_required"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(engine): State<Engine>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<OneShotIn>,
) -> Result<(StatusCode, Json<OneShotOut>), ApiError> {
    let hash_algo = HashAlgorithm::from_oid_str(&body.hash_algo).map_err(|_| {
        ApiError::invalid_request("Invalid parameter hashAlgo: a hash algorithm OID")
    })?;
    if body.hashes.is_empty() || body.hashes.len() > MAX_ONE_SHOT_HASHES {
        return Err(ApiError::invalid_request(format!(
            "Invalid parameter hashes: give 1 to {MAX_ONE_SHOT_HASHES}"
        )));
    }
    let mut hashes = Vec::with_capacity(body.hashes.len());
    for (i, h) in body.hashes.iter().enumerate() {
        let bytes = base64::engine::general_purpose::STANDARD.decode(h).map_err(|_| {
            ApiError::invalid_request(format!("Invalid parameter hashes[{i}]: not base64"))
        })?;
        hashes.push(bytes);
    }
    let req = OneShotRequest {
        algorithm: algorithm(body.algorithm.as_deref())?,
        accepted: body.accepted_documents.into_iter().map(Into::into).collect(),
        hashes,
        hash_algo,
        pin: body.pin.map(Zeroizing::new),
        otp: body.otp.map(Zeroizing::new),
        description: body.description,
    };
    let issued = engine.one_shot(&caller, body.user.as_deref(), req).await?;
    let b64 = |d: &Vec<u8>| base64::engine::general_purpose::STANDARD.encode(d);
    Ok((
        StatusCode::CREATED,
        Json(OneShotOut {
            credential_id: issued.credential_id,
            sad: issued.sad.value,
            expires_in: issued.sad.expires_in,
            certificates: issued.chain.iter().map(b64).collect(),
            key_expires_at: issued.key_expires_at,
        }),
    ))
}
