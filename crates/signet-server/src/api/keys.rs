//! Identity Management API: a signer's keys (create, list, show, delete) and the policy
//! documents to accept before creating one.

use super::body::ApiJson;
use super::caller::ApiCaller;
use super::error::{ApiError, ErrorBody};
use super::model::{CreateKeyIn, DocumentsOut, KeyOut, KeysOut, UserQuery};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use signet_engine::{Engine, KeyRequest};
use signet_types::KeyAlgorithm;

/// Parses an optional key type name, naming the accepted ones on error.
pub(super) fn algorithm(name: Option<&str>) -> Result<Option<KeyAlgorithm>, ApiError> {
    name.map(|n| {
        n.parse::<KeyAlgorithm>().map_err(|_| {
            let names: Vec<&str> = KeyAlgorithm::ALL.iter().map(|k| k.as_str()).collect();
            ApiError::invalid_request(format!(
                "Invalid parameter algorithm: one of {}",
                names.join(", ")
            ))
        })
    })
    .transpose()
}

/// The TSP policy documents to accept before a key is created.
#[utoipa::path(get, path = "/api/v1/policy-documents", tag = "identity",
    params(UserQuery), security(("bearer" = [])),
    responses((status = 200, body = DocumentsOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn documents(
    State(engine): State<Engine>,
    ApiCaller(caller): ApiCaller,
    Query(q): Query<UserQuery>,
) -> Result<Json<DocumentsOut>, ApiError> {
    let documents = engine.policy_documents(&caller, q.user.as_deref()).await?;
    Ok(Json(DocumentsOut { documents: documents.into_iter().map(Into::into).collect() }))
}

/// Creates a signing key (no certificate yet: see the Enrollment API). Refused with
/// `consent_required` unless every policy document is accepted.
#[utoipa::path(post, path = "/api/v1/keys", tag = "identity", request_body = CreateKeyIn,
    security(("bearer" = [])),
    responses((status = 201, body = KeyOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "consent_required or access_denied"), (status = 404, body = ErrorBody)))]
pub async fn create(
    State(engine): State<Engine>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<CreateKeyIn>,
) -> Result<(StatusCode, Json<KeyOut>), ApiError> {
    let req = KeyRequest {
        algorithm: algorithm(body.algorithm.as_deref())?,
        accepted: body.accepted_documents.into_iter().map(Into::into).collect(),
        description: body.description,
        scal: body.scal.unwrap_or(2),
        multisign: body.multisign.unwrap_or(1),
    };
    let key = engine.create_key(&caller, body.user.as_deref(), req).await?;
    Ok((StatusCode::CREATED, Json(key.into())))
}

/// A user's keys and their certificates.
#[utoipa::path(get, path = "/api/v1/keys", tag = "identity", params(UserQuery),
    security(("bearer" = [])),
    responses((status = 200, body = KeysOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(engine): State<Engine>,
    ApiCaller(caller): ApiCaller,
    Query(q): Query<UserQuery>,
) -> Result<Json<KeysOut>, ApiError> {
    let keys = engine.list_keys(&caller, q.user.as_deref()).await?;
    Ok(Json(KeysOut { keys: keys.into_iter().map(Into::into).collect() }))
}

/// One key.
#[utoipa::path(get, path = "/api/v1/keys/{key_id}", tag = "identity",
    params(("key_id" = String, Path, description = "Key id")), security(("bearer" = [])),
    responses((status = 200, body = KeyOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(engine): State<Engine>,
    ApiCaller(caller): ApiCaller,
    Path(key_id): Path<String>,
) -> Result<Json<KeyOut>, ApiError> {
    Ok(Json(engine.key(&caller, &key_id).await?.into()))
}

/// Deletes a key: the wrapped key is destroyed; signing with it fails from now on.
#[utoipa::path(delete, path = "/api/v1/keys/{key_id}", tag = "identity",
    params(("key_id" = String, Path, description = "Key id")), security(("bearer" = [])),
    responses((status = 204, description = "Destroyed"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Already deleted")))]
pub async fn delete(
    State(engine): State<Engine>,
    ApiCaller(caller): ApiCaller,
    Path(key_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    engine.delete_key(&caller, &key_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
