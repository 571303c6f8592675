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

pub(crate) fn routes() -> Router<Engine> {
    Router::new().route("/pki/ca/{file}", get(ca_certificate)).route("/pki/tsa", post(tsa))
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
