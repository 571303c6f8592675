//! Enrollment API: certificates for a key through the group's CA connector — issue,
//! renew (optionally with a new key), revoke.

use super::body::ApiJson;
use super::caller::ApiCaller;
use super::error::{ApiError, ErrorBody};
use super::keys::algorithm;
use super::model::{IssueIn, KeyOut, RenewIn, RevokeIn};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use signet_engine::{Engine, Rekey};

/// Issues a certificate for a key under a profile of the group.
#[utoipa::path(post, path = "/api/v1/keys/{key_id}/certificate", tag = "enrollment",
    params(("key_id" = String, Path, description = "Key id")), request_body = IssueIn,
    security(("bearer" = [])),
    responses((status = 201, body = KeyOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Already certified or deleted"),
        (status = 422, body = ErrorBody, description = "ca_rejected: the CA refused")))]
pub async fn issue(
    State(engine): State<Engine>,
    ApiCaller(caller): ApiCaller,
    Path(key_id): Path<String>,
    ApiJson(body): ApiJson<IssueIn>,
) -> Result<(StatusCode, Json<KeyOut>), ApiError> {
    let key = engine.issue_certificate(&caller, &key_id, body.profile.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(key.into())))
}

/// Renews a key's certificate; with `new_key` a new key is created and certified (its id
/// is in the answer).
#[utoipa::path(post, path = "/api/v1/keys/{key_id}/certificate/renew", tag = "enrollment",
    params(("key_id" = String, Path, description = "Key id")), request_body = RenewIn,
    security(("bearer" = [])),
    responses((status = 201, body = KeyOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn renew(
    State(engine): State<Engine>,
    ApiCaller(caller): ApiCaller,
    Path(key_id): Path<String>,
    ApiJson(body): ApiJson<RenewIn>,
) -> Result<(StatusCode, Json<KeyOut>), ApiError> {
    let new_key = if body.new_key {
        Some(Rekey {
            algorithm: algorithm(body.algorithm.as_deref())?,
            accepted: body.accepted_documents.into_iter().map(Into::into).collect(),
        })
    } else {
        if body.algorithm.is_some() || !body.accepted_documents.is_empty() {
            return Err(ApiError::invalid_request(
                "algorithm and accepted_documents go with new_key: true",
            ));
        }
        None
    };
    let key = engine.renew_certificate(&caller, &key_id, new_key).await?;
    Ok((StatusCode::CREATED, Json(key.into())))
}

/// Revokes a key's certificate; the embedded CA's CRL and OCSP answers change at once.
#[utoipa::path(post, path = "/api/v1/keys/{key_id}/certificate/revoke", tag = "enrollment",
    params(("key_id" = String, Path, description = "Key id")), request_body = RevokeIn,
    security(("bearer" = [])),
    responses((status = 200, body = KeyOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Already revoked"),
        (status = 422, body = ErrorBody)))]
pub async fn revoke(
    State(engine): State<Engine>,
    ApiCaller(caller): ApiCaller,
    Path(key_id): Path<String>,
    ApiJson(body): ApiJson<RevokeIn>,
) -> Result<Json<KeyOut>, ApiError> {
    Ok(Json(engine.revoke_key_certificate(&caller, &key_id, body.reason.as_deref()).await?.into()))
}
