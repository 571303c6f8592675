//! The error shape of Signet's REST API: `{"error": code, "error_description": text}`
//! (the OAuth 2.0 shape of RFC 6749 §5.2, as the CSC API uses), with the HTTP status that
//! fits. Internal detail goes to the log, never into the body.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use signet_engine::{EngineError, SigningError, TokenRefusal};

/// An error answer of the REST API.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    error: &'static str,
    description: String,
}

/// The body of every error answer.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable code: `invalid_request`, `invalid_token`, `access_denied`,
    /// `consent_required`, `not_found`, `conflict`, `ca_rejected`, `unavailable`,
    /// `server_error`, and for one-shot signing the CSC codes `invalid_pin`, `invalid_otp`.
    pub error: String,
    /// What went wrong, for a person.
    pub error_description: String,
}

impl ApiError {
    /// Any status and code.
    pub fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        Self { status, error, description: description.into() }
    }

    /// 400 `invalid_request`.
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    /// 401 for a missing or refused bearer token (RFC 6750 §3).
    pub fn token(refusal: Option<TokenRefusal>) -> Self {
        let description = match refusal {
            None => "The access token is missing",
            Some(TokenRefusal::Invalid) => "The access token is not valid",
            Some(TokenRefusal::Expired) => "The access token has expired",
            Some(TokenRefusal::Revoked) => "The access token has been revoked",
        };
        Self::new(StatusCode::UNAUTHORIZED, "invalid_token", description)
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::InvalidInput(m) => Self::invalid_request(m),
            EngineError::NotFound(m) => {
                Self::new(StatusCode::NOT_FOUND, "not_found", format!("{m} not found"))
            }
            EngineError::Conflict(m) => Self::new(StatusCode::CONFLICT, "conflict", m),
            EngineError::Unauthorized(m) => Self::new(StatusCode::UNAUTHORIZED, "invalid_token", m),
            EngineError::Forbidden(m) => Self::new(StatusCode::FORBIDDEN, "access_denied", m),
            EngineError::ConsentRequired(m) => {
                Self::new(StatusCode::FORBIDDEN, "consent_required", m)
            }
            // The CA answered and refused: the request cannot succeed as it is.
            EngineError::CaRejected(m) => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, "ca_rejected", m)
            }
            EngineError::TooManyRequests { message, .. } => {
                Self::new(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", message)
            }
            EngineError::Unavailable(m) => {
                tracing::warn!(detail = %m, "API: service unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "The service is temporarily unavailable",
                )
            }
            EngineError::Integrity(m) | EngineError::Internal(m) => {
                tracing::error!(detail = %m, "API: internal error");
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "Internal error")
            }
        }
    }
}

impl From<SigningError> for ApiError {
    fn from(e: SigningError) -> Self {
        match e {
            SigningError::Engine(e) => e.into(),
            // The SAM's refusals have their CSC wording and codes (invalid_pin, …).
            SigningError::Sam(e) => {
                let csc = crate::csc::error::CscError::from(e);
                Self {
                    status: csc.status(),
                    error: csc.code(),
                    description: csc.description().to_owned(),
                }
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(ErrorBody { error: self.error.to_owned(), error_description: self.description }),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"signet\""),
            );
        }
        response
    }
}
