//! Signature Update API: `POST /api/v1/signatures/extend` raises a signature — ours or
//! anyone's — to B-T, B-LT or B-LTA (ETSI EN 319 122-1 / EN 319 142-1), and renews a
//! B-LTA one when called again. A PAdES file may be sent as the body (streamed to disk
//! and back, `level` in the query); anything may be sent as JSON with base64.

use super::body::ApiJson;
use super::caller::ApiCaller;
use super::documents::{complete_out, CompleteOut};
use super::error::{ApiError, ErrorBody};
use super::sign::{internal, spool, streamed};
use axum::extract::{FromRequest, FromRequestParts, Query, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use serde::Deserialize;
use signet_ades::pdf::FileSource;
use signet_engine::{DetachedContent, Engine, ExtendRequest, Level, SignedDocument};
use signet_types::HashAlgorithm;
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

/// The largest JSON body.
pub const EXTEND_JSON_LIMIT: usize = 48 * 1024 * 1024;

/// `POST /api/v1/signatures/extend` as JSON.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtendIn {
    /// A signed PDF (PAdES) or a signed XML document (XAdES, or plain XMLDSig), base64.
    pub document: Option<String>,
    /// Or a CAdES signature (DER CMS), base64.
    pub signature: Option<String>,
    /// `B-T`, `B-LT` or `B-LTA`.
    pub level: String,
    /// A detached signature's content, base64 (for B-LTA: CAdES; XAdES with one
    /// external reference).
    pub content: Option<String>,
    /// Or its digest, base64, with `hashAlgo`.
    #[serde(rename = "contentDigest")]
    pub content_digest: Option<String>,
    /// The OID of the content digest's hash.
    #[serde(rename = "hashAlgo")]
    pub hash_algo: Option<String>,
}

/// With the PDF as the body: the level.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExtendQuery {
    /// `B-T`, `B-LT` or `B-LTA`.
    pub level: String,
}

/// Extends a signature to a higher level (or renews a B-LTA one).
#[utoipa::path(post, path = "/api/v1/signatures/extend", tag = "documents",
    request_body(content = ExtendIn, description = "JSON; or a signed PDF or XML document as the body (application/pdf, application/xml) with the level in the query"),
    params(ExtendQuery),
    security(("bearer" = [])),
    responses((status = 200, body = CompleteOut, description = "JSON; for a PDF or XML body, the extended document itself"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn extend(State(engine): State<Engine>, req: Request) -> Result<Response, ApiError> {
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let (mut parts, body) = req.into_parts();
    ApiCaller::from_request_parts(&mut parts, &engine).await?;
    if json {
        let req = Request::from_parts(parts, body);
        let ApiJson(body) =
            ApiJson::<ExtendIn, EXTEND_JSON_LIMIT>::from_request(req, &engine).await?;
        return extend_json(&engine, body).await.map(IntoResponse::into_response);
    }
    let Query(q) = Query::<ExtendQuery>::from_request_parts(&mut parts, &engine)
        .await
        .map_err(|e| ApiError::invalid_request(format!("Invalid query: {}", e.body_text())))?;
    let level: Level = q.level.parse()?;
    let settings = &engine.settings().documents;
    let (file, _) =
        spool(body, &settings.spool_dir, settings.max_bytes, HashAlgorithm::Sha256).await?;
    let reader = file.try_clone().map_err(internal)?;
    let source = FileSource::new(file).map_err(internal)?;
    let extended = engine
        .extend_signature(ExtendRequest { document: Arc::new(source), level, content: None })
        .await?;
    streamed(extended, reader).await
}

async fn extend_json(engine: &Engine, body: ExtendIn) -> Result<Json<CompleteOut>, ApiError> {
    let level: Level = body.level.parse()?;
    let bytes = match (&body.document, &body.signature) {
        (Some(d), None) => b64(d, "document")?,
        (None, Some(s)) => b64(s, "signature")?,
        _ => {
            return Err(ApiError::invalid_request(
                "Give either document (a PDF or XML document) or signature (CAdES)",
            ))
        }
    };
    let content = match (&body.content, &body.content_digest, &body.hash_algo) {
        (None, None, None) => None,
        (Some(c), None, None) => Some(DetachedContent::Bytes(b64(c, "content")?)),
        (None, Some(d), Some(h)) => Some(DetachedContent::Digest(
            HashAlgorithm::from_oid_str(h)
                .map_err(|_| ApiError::invalid_request("Invalid parameter hashAlgo"))?,
            b64(d, "contentDigest")?,
        )),
        _ => {
            return Err(ApiError::invalid_request(
                "Give content, or contentDigest with hashAlgo, not both",
            ))
        }
    };
    let extended = engine
        .extend_signature(ExtendRequest { document: Arc::new(bytes), level, content })
        .await?;
    let whole = SignedDocument {
        signature: extended.to_vec().map_err(internal)?,
        original: None,
        level: extended.level,
        format: extended.format,
    };
    Ok(Json(complete_out(&whole)))
}

fn b64(s: &str, name: &str) -> Result<Vec<u8>, ApiError> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|_| ApiError::invalid_request(format!("Invalid parameter {name}: not base64")))
}
