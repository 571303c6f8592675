//! The embedded PKI over HTTP, at the URLs issued certificates point to (RFC 5280 §4.2.2.1
//! AIA caIssuers) and the TSA (RFC 3161 §3.4).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use signet_engine::Engine;

/// Largest time-stamp request accepted (a TimeStampReq is a few hundred bytes).
const MAX_TSQ: usize = 16 * 1024;

/// Largest OCSP request accepted.
const MAX_OCSP: usize = 16 * 1024;

pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/pki/ca/{file}", get(ca_certificate))
        .route("/pki/crl/{file}", get(crl))
        .route("/pki/ocsp", post(ocsp_post))
        .route("/pki/ocsp/{*request}", get(ocsp_get))
        .route("/pki/tsa", post(tsa))
}

/// A CA id from `{id}.{ext}`, if it is one.
fn ca_id<'a>(file: &'a str, ext: &str) -> Option<&'a str> {
    file.strip_suffix(ext)
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// `GET /pki/crl/{id}.crl`: the CA's current CRL, DER (`application/pkix-crl`).
async fn crl(State(engine): State<Engine>, Path(file): Path<String>) -> Response {
    let Some(id) = ca_id(&file, ".crl") else { return plain(StatusCode::NOT_FOUND, "not found\n") };
    match engine.crl(id).await {
        Ok(Some(der)) => ([(header::CONTENT_TYPE, "application/pkix-crl")], der).into_response(),
        Ok(None) => plain(StatusCode::NOT_FOUND, "not found\n"),
        Err(e) => {
            tracing::error!(error = %e, "CRL issuance failed");
            plain(StatusCode::SERVICE_UNAVAILABLE, "temporarily unavailable\n")
        }
    }
}

fn ocsp_reply(result: Result<Vec<u8>, signet_engine::EngineError>) -> Response {
    let der = result.unwrap_or_else(|e| {
        tracing::error!(error = %e, "OCSP answer failed");
        signet_engine::ocsp_internal_error()
    });
    ([(header::CONTENT_TYPE, "application/ocsp-response")], der).into_response()
}

/// `POST /pki/ocsp` with `application/ocsp-request` (RFC 6960 Appendix A.1).
async fn ocsp_post(State(engine): State<Engine>, headers: HeaderMap, body: Bytes) -> Response {
    let content_type =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.trim().eq_ignore_ascii_case("application/ocsp-request") {
        return plain(StatusCode::UNSUPPORTED_MEDIA_TYPE, "expected application/ocsp-request\n");
    }
    if body.len() > MAX_OCSP {
        return plain(StatusCode::PAYLOAD_TOO_LARGE, "OCSP request too large\n");
    }
    ocsp_reply(engine.ocsp(&body).await)
}

/// `GET /pki/ocsp/{url-encoded base64 of the DER request}` (RFC 6960 Appendix A.1).
async fn ocsp_get(State(engine): State<Engine>, Path(request): Path<String>) -> Response {
    use base64::Engine as _;
    let der = base64::engine::general_purpose::STANDARD.decode(request.trim_start_matches('/'));
    match der {
        Ok(der) if der.len() <= MAX_OCSP => ocsp_reply(engine.ocsp(&der).await),
        _ => ocsp_reply(Ok(signet_engine::ocsp_malformed())),
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

/// `GET /pki/ca/{id}.crt`: the CA certificate, DER (`application/pkix-cert`, RFC 2585 §4.1).
async fn ca_certificate(State(engine): State<Engine>, Path(file): Path<String>) -> Response {
    let Some(id) =
        file.strip_suffix(".crt").filter(|id| signet_types::CredentialId::parse(id).is_ok())
    else {
        return plain(StatusCode::NOT_FOUND, "not found\n");
    };
    match engine.ca_certificate_der(id).await {
        Ok(Some(der)) => (
            [
                (header::CONTENT_TYPE, "application/pkix-cert"),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            der,
        )
            .into_response(),
        Ok(None) => plain(StatusCode::NOT_FOUND, "not found\n"),
        Err(e) => {
            tracing::warn!(error = %e, "CA certificate lookup failed");
            plain(StatusCode::SERVICE_UNAVAILABLE, "temporarily unavailable\n")
        }
    }
}

/// `POST /pki/tsa`: `application/timestamp-query` in, `application/timestamp-reply` out.
async fn tsa(State(engine): State<Engine>, headers: HeaderMap, body: Bytes) -> Response {
    let content_type =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.trim().eq_ignore_ascii_case("application/timestamp-query") {
        return plain(StatusCode::UNSUPPORTED_MEDIA_TYPE, "expected application/timestamp-query\n");
    }
    if body.len() > MAX_TSQ {
        return plain(StatusCode::PAYLOAD_TOO_LARGE, "time-stamp request too large\n");
    }
    match engine.timestamp_http(&body).await {
        Ok(reply) => {
            ([(header::CONTENT_TYPE, "application/timestamp-reply")], reply).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "time-stamping failed");
            // RFC 3161 §2.4.2: the answer is still a TimeStampResp (systemFailure).
            let reply = signet_engine::tsa_system_failure();
            ([(header::CONTENT_TYPE, "application/timestamp-reply")], reply).into_response()
        }
    }
}
