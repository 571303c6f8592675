//! Document Signature API, two steps (CAdES, PAdES and XAdES): prepare → the DTBS/R digest to
//! authorise with CSC `credentials/authorize` → complete with the SAD.

use super::body::ApiJson;
use super::caller::ApiCaller;
use super::error::{ApiError, ErrorBody};
use super::xades::XadesIn;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use signet_engine::{
    DocumentFormat, Engine, Level, PadesOptions, PrepareDocument, SignedDocument, VisibleSignature,
    MAX_ENVELOPED_BYTES,
};
use utoipa::ToSchema;

/// The largest prepare body: an enveloped document of [`MAX_ENVELOPED_BYTES`] in base64,
/// and the rest of the request.
pub const PREPARE_LIMIT: usize = MAX_ENVELOPED_BYTES / 3 * 4 + 64 * 1024;

/// `POST /api/v1/documents/prepare`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrepareIn {
    /// The credential that will sign.
    #[serde(rename = "credentialID")]
    pub credential_id: String,
    /// `cades`, `pades` or `xades`.
    #[serde(default = "cades")]
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
    /// The document, base64 (the PDF for `pades`; needed for `enveloping`; for
    /// `detached` CAdES, only its digest is kept; for `xades`, the XML, the data to
    /// envelop, or the document a detached signature names).
    pub document: Option<String>,
    /// Or, for `detached`, the document's digest, base64, with the signature algorithm's hash.
    #[serde(rename = "documentDigest")]
    pub document_digest: Option<String>,
    /// CSC `signAlgo` OID (default: the credential's first algorithm).
    #[serde(rename = "signAlgo")]
    pub sign_algo: Option<String>,
    /// CSC `hashAlgo` OID, needed with RSASSA-PSS.
    #[serde(rename = "hashAlgo")]
    pub hash_algo: Option<String>,
}

/// PAdES options (ISO 32000-1 §12.8.1 signature dictionary, §12.7.4.5 field).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PadesIn {
    /// The signature field's name (default `SignatureN`).
    #[serde(rename = "fieldName")]
    pub field_name: Option<String>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/ContactInfo`.
    #[serde(rename = "contactInfo")]
    pub contact_info: Option<String>,
    /// A certification signature with DocMDP permissions 1, 2 or 3 (§12.8.2.2).
    pub certify: Option<u8>,
    /// A visible signature; invisible when absent.
    pub visible: Option<VisibleIn>,
}

/// Where a visible signature goes and what it shows.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisibleIn {
    /// The page, from 1.
    pub page: u32,
    /// `[x1, y1, x2, y2]` in points from the bottom left corner.
    pub rect: [f64; 4],
    /// Lines of text (default: signer, date, reason, location).
    pub text: Option<Vec<String>>,
    /// A JPEG image, base64.
    pub image: Option<String>,
}

impl PadesIn {
    /// The engine's options.
    pub fn into_options(self) -> Result<PadesOptions, ApiError> {
        let visible = match self.visible {
            None => None,
            Some(v) => Some(VisibleSignature {
                page: v.page,
                rect: v.rect,
                text: v.text,
                image: v.image.as_deref().map(|i| b64(i, "pades.visible.image")).transpose()?,
            }),
        };
        Ok(PadesOptions {
            field_name: self.field_name,
            reason: self.reason,
            location: self.location,
            contact_info: self.contact_info,
            visible,
            certify: self.certify,
        })
    }
}

/// The format and its options from a request's fields.
pub fn document_format(
    format: &str,
    packaging: Option<&str>,
    pades: Option<PadesIn>,
    xades: Option<XadesIn>,
) -> Result<DocumentFormat, ApiError> {
    if format == "xades" {
        if pades.is_some() {
            return Err(ApiError::invalid_request("pades options given for xades"));
        }
        return Ok(DocumentFormat::Xades(xades.unwrap_or_default().into_options(packaging)?));
    }
    if xades.is_some() {
        return Err(ApiError::invalid_request(format!("xades options given for {format}")));
    }
    let packaging = packaging.unwrap_or("detached");
    match (format, pades) {
        ("cades", None) => match packaging {
            "detached" => Ok(DocumentFormat::Cades { enveloping: false }),
            "enveloping" => Ok(DocumentFormat::Cades { enveloping: true }),
            _ => Err(ApiError::invalid_request(
                "Invalid parameter packaging: detached or enveloping",
            )),
        },
        ("cades", Some(_)) => Err(ApiError::invalid_request("pades options given for cades")),
        ("pades", p) if packaging == "detached" => {
            Ok(DocumentFormat::Pades(p.unwrap_or_default().into_options()?))
        }
        ("pades", _) => Err(ApiError::invalid_request("Invalid parameter packaging for pades")),
        _ => Err(ApiError::invalid_request("Invalid parameter format: cades, pades or xades")),
    }
}

fn cades() -> String {
    "cades".into()
}

/// What the signer must authorise.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrepareOut {
    /// Complete with this id.
    #[serde(rename = "transactionID")]
    pub transaction_id: String,
    /// The DTBS/R digest, base64: authorise exactly this hash (CSC `credentials/authorize`,
    /// `numSignatures` 1).
    pub hashes: Vec<String>,
    /// Its hash algorithm OID.
    #[serde(rename = "hashAlgo")]
    pub hash_algo: String,
    /// The signature algorithm OID.
    #[serde(rename = "signAlgo")]
    pub sign_algo: String,
    /// Seconds until the transaction expires.
    #[serde(rename = "expiresIn")]
    pub expires_in: i64,
}

/// `POST /api/v1/documents/complete`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteIn {
    /// From prepare.
    #[serde(rename = "transactionID")]
    pub transaction_id: String,
    /// The SAD for the DTBS/R; without it, the bearer token must be the `credential`
    /// token of the oauth2code flow in which the signer approved the DTBS/R.
    #[serde(rename = "SAD", default)]
    pub sad: Option<String>,
}

/// The signature.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompleteOut {
    /// CAdES: the signature (DER CMS `ContentInfo`), base64.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// PAdES: the signed PDF, base64. XAdES: the signed XML (for the enveloping and
    /// detached packagings, the XML signature), base64.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// The media type of what is returned.
    #[serde(rename = "mediaType")]
    pub media_type: String,
    /// `cades`, `pades` or `xades`.
    pub format: String,
    /// The level reached.
    pub level: String,
}

fn b64(s: &str, name: &str) -> Result<Vec<u8>, ApiError> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|_| ApiError::invalid_request(format!("Invalid parameter {name}: not base64")))
}

/// Prepares a signature: returns the digest the signer must authorise.
#[utoipa::path(post, path = "/api/v1/documents/prepare", tag = "documents", request_body = PrepareIn,
    security(("bearer" = [])),
    responses((status = 201, body = PrepareOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 413, body = ErrorBody)))]
pub async fn prepare(
    State(engine): State<Engine>,
    super::caller::ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<PrepareIn, PREPARE_LIMIT>,
) -> Result<(StatusCode, Json<PrepareOut>), ApiError> {
    let format = document_format(&body.format, body.packaging.as_deref(), body.pades, body.xades)?;
    let level: Level = body.level.parse()?;
    let algorithm = super::sign::algorithm(body.sign_algo.as_deref(), body.hash_algo.as_deref())?;
    let req = PrepareDocument {
        credential_id: body.credential_id,
        level,
        format,
        document: body.document.as_deref().map(|d| b64(d, "document")).transpose()?,
        document_digest: body
            .document_digest
            .as_deref()
            .map(|d| b64(d, "documentDigest"))
            .transpose()?,
        algorithm,
    };
    let p = engine.prepare_document(&caller, req).await?;
    Ok((
        StatusCode::CREATED,
        Json(PrepareOut {
            transaction_id: p.transaction_id,
            hashes: vec![base64::engine::general_purpose::STANDARD.encode(&p.dtbsr)],
            hash_algo: p.algorithm.hash().oid().to_string(),
            sign_algo: p.algorithm.oid().to_string(),
            expires_in: p.expires_in,
        }),
    ))
}

/// Completes a prepared signature with the SAD; returns the signature at its level.
#[utoipa::path(post, path = "/api/v1/documents/complete", tag = "documents", request_body = CompleteIn,
    security(("bearer" = [])),
    responses((status = 200, body = CompleteOut), (status = 400, body = ErrorBody, description = "invalid_request (e.g. a SAD for another digest)"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "completed or expired")))]
pub async fn complete(
    State(engine): State<Engine>,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<CompleteIn>,
) -> Result<Json<CompleteOut>, ApiError> {
    let signed = match &body.sad {
        Some(sad) => {
            let ApiCaller(caller) = ApiCaller::from_headers(&headers, &engine).await?;
            engine.complete_document(&caller, &body.transaction_id, sad).await?
        }
        None => {
            let bearer = super::caller::bearer(&headers).ok_or_else(|| ApiError::token(None))?;
            engine
                .complete_document_with_token(bearer, &body.transaction_id)
                .await
                .map_err(|r| ApiError::token(Some(r)))??
        }
    };
    Ok(Json(complete_out(&signed)))
}

/// The response for a signed document.
pub fn complete_out(signed: &SignedDocument) -> CompleteOut {
    let bytes = Some(base64::engine::general_purpose::STANDARD.encode(&signed.signature));
    let document = signed.format != "cades";
    CompleteOut {
        signature: if document { None } else { bytes.clone() },
        document: if document { bytes } else { None },
        media_type: signed.media_type().into(),
        format: signed.format.into(),
        level: signed.level.as_str().into(),
    }
}
