//! Document Signature API, one step: `POST /api/v1/documents/sign`. The signer has
//! authorised the digests of the documents themselves (CSC `credentials/authorize` with
//! `hash` = the documents' digests, `numSignatures` = their count); the service builds and
//! signs each DTBS/R under that SAD.
//!
//! Two ways to send documents:
//! - `application/json`: `{credentialID, SAD, format, level, …, documents: [{document}]}`
//!   with base64 documents (a batch) → JSON with base64 results;
//! - the document itself as the body (`application/pdf`, `application/octet-stream`),
//!   the parameters in the query string and the SAD in the `Signet-SAD` header → the
//!   signed PDF (or the CAdES signature) as the body. The upload is spooled to an unnamed
//!   file while it is hashed, and the response is streamed from that file: memory stays
//!   bounded whatever the size, up to `documents.max_bytes` (413 beyond).

use super::body::ApiJson;
use super::caller::ApiCaller;
use super::documents::{complete_out, document_format, CompleteOut, PadesIn, VisibleIn};
use super::error::{ApiError, ErrorBody};
use super::xades::XadesIn;
use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use signet_ades::pdf::FileSource;
use signet_crypto::digest::Hasher;
use signet_engine::{
    DocumentFormat, DocumentInput, Engine, Level, SignDocuments, SignedDocument, MAX_BATCH,
};
use signet_types::{HashAlgorithm, SignatureAlgorithm};
use std::io::Write as _;
use std::sync::Arc;
use tokio::io::{AsyncSeekExt, AsyncWriteExt};
use utoipa::{IntoParams, ToSchema};

/// The largest JSON body (a batch of base64 documents).
pub const SIGN_JSON_LIMIT: usize = 48 * 1024 * 1024;
/// The header carrying the SAD with a document body.
pub const SAD_HEADER: &str = "signet-sad";

/// `POST /api/v1/documents/sign` as JSON.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// The credential.
    #[serde(rename = "credentialID")]
    pub credential_id: String,
    /// The SAD from CSC `credentials/authorize` for the documents' digests.
    #[serde(rename = "SAD")]
    pub sad: String,
    /// `cades`, `pades` or `xades`.
    pub format: String,
    /// `B-B`, `B-T`, `B-LT` or `B-LTA`.
    pub level: String,
    /// CAdES: `detached` (default) or `enveloping`; XAdES: `enveloped` (default),
    /// `enveloping` or `detached`.
    pub packaging: Option<String>,
    /// PAdES options.
    pub pades: Option<PadesIn>,
    /// XAdES options.
    pub xades: Option<XadesIn>,
    /// CSC `signAlgo` OID (default: the credential's first algorithm).
    #[serde(rename = "signAlgo")]
    pub sign_algo: Option<String>,
    /// CSC `hashAlgo` OID, needed with RSASSA-PSS.
    #[serde(rename = "hashAlgo")]
    pub hash_algo: Option<String>,
    /// The documents (at most 50), each authorised by its digest with the signature
    /// algorithm's hash.
    pub documents: Vec<DocumentIn>,
}

/// One document.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentIn {
    /// The document, base64.
    pub document: String,
}

/// The signed documents, in the order given.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignOut {
    /// One result per document.
    pub documents: Vec<CompleteOut>,
}

/// `POST /api/v1/documents/sign` with the document as the body (`application/pdf`,
/// `application/xml`, `application/octet-stream`): the parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SignQuery {
    /// The credential.
    #[serde(rename = "credentialID")]
    pub credential_id: String,
    /// `cades` or `pades`.
    pub format: String,
    /// `B-B`, `B-T`, `B-LT` or `B-LTA`.
    pub level: String,
    /// CAdES: `detached` (default) or `enveloping`; XAdES: `enveloped` (default),
    /// `enveloping` or `detached`.
    pub packaging: Option<String>,
    /// XAdES canonicalization (see the JSON form's `xades.canonicalization`).
    pub canonicalization: Option<String>,
    /// XAdES: the `Id` of the element the signature goes into.
    #[serde(rename = "parentId")]
    pub parent_id: Option<String>,
    /// XAdES detached: the URI by which the signature names the document.
    #[serde(rename = "documentUri")]
    pub document_uri: Option<String>,
    /// XAdES: the document's MIME type.
    #[serde(rename = "mimeType")]
    pub mime_type: Option<String>,
    /// XAdES: the commitment type.
    #[serde(rename = "commitmentType")]
    pub commitment_type: Option<String>,
    /// CSC `signAlgo` OID.
    #[serde(rename = "signAlgo")]
    pub sign_algo: Option<String>,
    /// CSC `hashAlgo` OID.
    #[serde(rename = "hashAlgo")]
    pub hash_algo: Option<String>,
    /// PAdES field name.
    #[serde(rename = "fieldName")]
    pub field_name: Option<String>,
    /// PAdES `/Reason`.
    pub reason: Option<String>,
    /// PAdES `/Location`.
    pub location: Option<String>,
    /// PAdES `/ContactInfo`.
    #[serde(rename = "contactInfo")]
    pub contact_info: Option<String>,
    /// PAdES certification (DocMDP 1, 2 or 3).
    pub certify: Option<u8>,
    /// Visible signature: the page, from 1 (with `rect`).
    pub page: Option<u32>,
    /// Visible signature: `x1,y1,x2,y2` in points.
    pub rect: Option<String>,
}

/// Signs documents in one step (JSON batch, or one document streamed as the body).
#[utoipa::path(post, path = "/api/v1/documents/sign", tag = "documents", request_body(content = SignIn, description =
    "JSON (a batch, base64); or the document itself (application/pdf, application/octet-stream) with the query parameters and the SAD in the Signet-SAD header"),
    params(SignQuery),
    security(("bearer" = [])),
    responses((status = 200, body = SignOut, description = "JSON results; for a document body, the signed document itself"),
        (status = 400, body = ErrorBody, description = "invalid_request (a SAD for other documents, a document that cannot be signed)"),
        (status = 401, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn sign(State(engine): State<Engine>, req: Request) -> Result<Response, ApiError> {
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let (mut parts, body) = req.into_parts();
    let ApiCaller(caller) = ApiCaller::from_request_parts(&mut parts, &engine).await?;
    if json {
        let req = Request::from_parts(parts, body);
        let ApiJson(body) = ApiJson::<SignIn, SIGN_JSON_LIMIT>::from_request(req, &engine).await?;
        return sign_json(&engine, &caller, body).await.map(IntoResponse::into_response);
    }
    let Query(q) = Query::<SignQuery>::from_request_parts(&mut parts, &engine)
        .await
        .map_err(|e| ApiError::invalid_request(format!("Invalid query: {}", e.body_text())))?;
    sign_stream(&engine, &caller, q, &parts.headers, body).await
}

async fn sign_json(
    engine: &Engine,
    caller: &signet_engine::Caller,
    body: SignIn,
) -> Result<Json<SignOut>, ApiError> {
    let format = document_format(&body.format, body.packaging.as_deref(), body.pades, body.xades)?;
    let level: Level = body.level.parse()?;
    let algorithm = algorithm(body.sign_algo.as_deref(), body.hash_algo.as_deref())?;
    if body.documents.is_empty() || body.documents.len() > MAX_BATCH {
        return Err(ApiError::invalid_request(format!(
            "Invalid parameter documents: between 1 and {MAX_BATCH}"
        )));
    }
    let mut documents = Vec::with_capacity(body.documents.len());
    for (i, d) in body.documents.iter().enumerate() {
        let bytes =
            base64::engine::general_purpose::STANDARD.decode(&d.document).map_err(|_| {
                ApiError::invalid_request(format!(
                    "Invalid parameter documents[{i}].document: not base64"
                ))
            })?;
        documents.push(DocumentInput { source: Arc::new(bytes), hashed: None });
    }
    let signed = engine
        .sign_documents(
            caller,
            SignDocuments {
                credential_id: body.credential_id,
                sad: body.sad,
                level,
                format,
                algorithm,
                documents,
            },
        )
        .await?;
    let mut out = Vec::with_capacity(signed.len());
    for s in signed {
        let whole = SignedDocument {
            signature: s
                .to_vec()
                .map_err(|e| ApiError::from(signet_engine::EngineError::Internal(e.to_string())))?,
            original: None,
            level: s.level,
            format: s.format,
        };
        out.push(complete_out(&whole));
    }
    Ok(Json(SignOut { documents: out }))
}

async fn sign_stream(
    engine: &Engine,
    caller: &signet_engine::Caller,
    q: SignQuery,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let sad = headers
        .get(SAD_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::invalid_request("Missing header Signet-SAD"))?
        .to_owned();
    let pades = (q.format == "pades").then(|| pades_from_query(&q)).transpose()?;
    let xades = (q.format == "xades").then(|| xades_from_query(&q));
    let format = document_format(&q.format, q.packaging.as_deref(), pades, xades)?;
    let level: Level = q.level.parse()?;
    let requested = algorithm(q.sign_algo.as_deref(), q.hash_algo.as_deref())?;
    // The credential and algorithm first: a refused request reads no upload.
    let signer = engine
        .document_signer(caller, &q.credential_id, requested, level, "documents.sign")
        .await?;
    let settings = &engine.settings().documents;
    // An XML document is parsed whole: its own, lower bound gets the 413.
    let max = match &format {
        DocumentFormat::Xades(_) => {
            settings.max_bytes.min(signet_ades::xml::XmlLimits::default().max_bytes as u64)
        }
        _ => settings.max_bytes,
    };
    let (file, hasher) = spool(body, &settings.spool_dir, max, signer.algorithm.hash()).await?;
    let reader = file.try_clone().map_err(internal)?;
    let source = FileSource::new(file).map_err(internal)?;
    let signed = engine
        .sign_documents(
            caller,
            SignDocuments {
                credential_id: q.credential_id,
                sad,
                level,
                format,
                algorithm: Some(signer.algorithm),
                documents: vec![DocumentInput { source: Arc::new(source), hashed: Some(hasher) }],
            },
        )
        .await?
        .pop()
        .ok_or_else(|| internal("no signed document"))?;
    streamed(signed, reader).await
}

/// The response for a signed document: its bytes, the original streamed from `file` when
/// the result is "the original followed by updates".
pub(super) async fn streamed(
    signed: SignedDocument,
    file: std::fs::File,
) -> Result<Response, ApiError> {
    let media = signed.media_type();
    let level = signed.level.as_str();
    let body = match &signed.original {
        None => Body::from(signed.signature),
        Some(original) => {
            let size = original.size();
            let mut file = tokio::fs::File::from_std(file);
            file.seek(std::io::SeekFrom::Start(0)).await.map_err(internal)?;
            let head = tokio_util::io::ReaderStream::new(tokio::io::AsyncReadExt::take(file, size));
            let tail = futures_util::stream::once(async move {
                Ok::<_, std::io::Error>(axum::body::Bytes::from(signed.signature))
            });
            Body::from_stream(head.chain(tail))
        }
    };
    Ok((
        [(header::CONTENT_TYPE, media), (header::HeaderName::from_static("signet-level"), level)],
        body,
    )
        .into_response())
}

/// Writes the body to an unnamed file in `dir`, hashing it as it comes; 413 past `max`.
pub(super) async fn spool(
    body: Body,
    dir: &std::path::Path,
    max: u64,
    hash: HashAlgorithm,
) -> Result<(std::fs::File, Hasher), ApiError> {
    let file = tempfile::tempfile_in(dir).map_err(internal)?;
    let mut out = tokio::io::BufWriter::with_capacity(
        1 << 20,
        tokio::fs::File::from_std(file.try_clone().map_err(internal)?),
    );
    let mut hasher = Hasher::new(hash);
    let mut total = 0u64;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|_| ApiError::invalid_request("The request body could not be read"))?;
        total += chunk.len() as u64;
        if total > max {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("The document is larger than {max} bytes"),
            ));
        }
        hasher.update(&chunk);
        out.write_all(&chunk).await.map_err(internal)?;
    }
    out.flush().await.map_err(internal)?;
    if total == 0 {
        return Err(ApiError::invalid_request("The request body (the document) is empty"));
    }
    let mut file = file;
    file.flush().map_err(internal)?;
    Ok((file, hasher))
}

fn xades_from_query(q: &SignQuery) -> XadesIn {
    XadesIn {
        canonicalization: q.canonicalization.clone(),
        parent_id: q.parent_id.clone(),
        document_uri: q.document_uri.clone(),
        mime_type: q.mime_type.clone(),
        commitment_type: q.commitment_type.clone(),
        ..XadesIn::default()
    }
}

fn pades_from_query(q: &SignQuery) -> Result<PadesIn, ApiError> {
    let visible = match (q.page, &q.rect) {
        (None, None) => None,
        (Some(page), Some(rect)) => {
            let v: Vec<f64> = rect
                .split(',')
                .map(|x| x.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|_| ApiError::invalid_request("Invalid parameter rect: x1,y1,x2,y2"))?;
            let rect: [f64; 4] = v
                .try_into()
                .map_err(|_| ApiError::invalid_request("Invalid parameter rect: x1,y1,x2,y2"))?;
            Some(VisibleIn { page, rect, text: None, image: None })
        }
        _ => return Err(ApiError::invalid_request("A visible signature needs both page and rect")),
    };
    Ok(PadesIn {
        field_name: q.field_name.clone(),
        reason: q.reason.clone(),
        location: q.location.clone(),
        contact_info: q.contact_info.clone(),
        certify: q.certify,
        visible,
    })
}

/// `signAlgo` (+ `hashAlgo`) to an algorithm, when given.
pub fn algorithm(
    sign_algo: Option<&str>,
    hash_algo: Option<&str>,
) -> Result<Option<SignatureAlgorithm>, ApiError> {
    let Some(s) = sign_algo else { return Ok(None) };
    let hash = hash_algo
        .map(|h| {
            HashAlgorithm::from_oid_str(h)
                .map_err(|_| ApiError::invalid_request("Invalid parameter hashAlgo"))
        })
        .transpose()?;
    Ok(Some(signet_engine::sign_algorithm(s, hash, None).map_err(ApiError::invalid_request)?))
}

pub(super) fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::from(signet_engine::EngineError::Internal(e.to_string()))
}
