//! The CSC error shape (CSC v1.0.4.0 §10.1): HTTP 400/401/…, body
//! `{"error": …, "error_description": …}`. Internal detail goes to the log, never here.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use signet_engine::{EngineError, SamError, TokenRefusal};

/// An error answer of the CSC API.
#[derive(Debug)]
pub struct CscError {
    status: StatusCode,
    error: &'static str,
    description: String,
    bearer_challenge: bool,
    basic_challenge: bool,
    /// `Retry-After` seconds (RFC 9110 §10.2.3), for a 429.
    retry_after: Option<i64>,
}

impl CscError {
    /// 400 `invalid_request` with a description.
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    /// Any status and code.
    pub fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            error,
            description: description.into(),
            bearer_challenge: false,
            basic_challenge: false,
            retry_after: None,
        }
    }

    /// 401 for a missing or refused bearer token (RFC 6750 §3).
    pub fn token(refusal: Option<TokenRefusal>) -> Self {
        let description = match refusal {
            None => "The access token is missing",
            Some(TokenRefusal::Invalid) => "The access token is not valid",
            Some(TokenRefusal::Expired) => "The access token has expired",
            Some(TokenRefusal::Revoked) => "The access token has been revoked",
        };
        Self {
            bearer_challenge: true,
            ..Self::new(StatusCode::UNAUTHORIZED, "invalid_token", description)
        }
    }

    /// 401 for a failed HTTP Basic login.
    pub fn basic(description: &str) -> Self {
        Self {
            basic_challenge: true,
            ..Self::new(StatusCode::UNAUTHORIZED, "invalid_grant", description)
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The `error` code.
    pub fn code(&self) -> &'static str {
        self.error
    }

    /// The `error_description`.
    pub fn description(&self) -> &str {
        &self.description
    }

    fn internal(detail: &str) -> Self {
        tracing::error!(detail, "internal error answered as server_error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "The service encountered an internal error",
        )
    }

    fn unavailable(detail: &str) -> Self {
        tracing::warn!(detail, "service unavailable");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "The service is temporarily unavailable",
        )
    }
}

impl IntoResponse for CscError {
    fn into_response(self) -> Response {
        let body =
            serde_json::json!({ "error": self.error, "error_description": self.description });
        let mut response = (self.status, Json(body)).into_response();
        let challenge = if self.bearer_challenge {
            Some(format!(
                "Bearer realm=\"signet\", error=\"invalid_token\", error_description=\"{}\"",
                self.description
            ))
        } else if self.basic_challenge {
            Some("Basic realm=\"signet\", charset=\"UTF-8\"".to_owned())
        } else {
            None
        };
        if let Some(c) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, c);
        }
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(v) = self.retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

impl From<EngineError> for CscError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::InvalidInput(m) => Self::invalid_request(m),
            EngineError::NotFound(m) => Self::invalid_request(format!("{m} not found")),
            EngineError::Conflict(m)
            | EngineError::ConsentRequired(m)
            | EngineError::CaRejected(m) => Self::invalid_request(m),
            EngineError::Unauthorized(m) => Self::basic(&m),
            EngineError::Forbidden(m) => Self::new(StatusCode::FORBIDDEN, "access_denied", m),
            EngineError::TooManyRequests { message, retry_after } => Self {
                retry_after: Some(retry_after),
                ..Self::new(StatusCode::TOO_MANY_REQUESTS, "access_denied", message)
            },
            EngineError::Unavailable(m) => Self::unavailable(&m),
            EngineError::Integrity(m) | EngineError::Internal(m) => Self::internal(&m),
        }
    }
}

impl From<SamError> for CscError {
    fn from(e: SamError) -> Self {
        use SamError as S;
        match e {
            S::CredentialNotFound => Self::invalid_request("Invalid parameter credentialID"),
            S::CredentialDisabled => {
                Self::invalid_request("The credential identified by credentialID is disabled")
            }
            S::KeyUnavailable(what) => Self::invalid_request(format!(
                "The key of the credential identified by credentialID {what}"
            )),
            S::InvalidNumSignatures => {
                Self::invalid_request("Invalid value for parameter numSignatures")
            }
            S::TooManySignatures | S::SignaturesExhausted => {
                Self::invalid_request("Numbers of signatures is too high")
            }
            S::HashesRequired(m) => Self::invalid_request(format!("Invalid parameter hash: {m}")),
            S::Oauth2CodeOnly => Self::invalid_request(
                "This credential is authorised by the signer in the browser: use oauth2/authorize \
                 with scope credential (authMode oauth2code)",
            ),
            S::DigestLength => Self::invalid_request("Invalid digest value length"),
            S::PinNotSet => {
                Self::invalid_request("No signing PIN is set for this credential's user")
            }
            S::PinMissing => {
                Self::invalid_request("Missing (or invalid type) string parameter PIN")
            }
            S::InvalidPin { .. } => {
                Self::new(StatusCode::BAD_REQUEST, "invalid_pin", "The PIN is invalid")
            }
            S::PinLocked => Self::invalid_request("PIN locked"),
            S::OtpMissing => {
                Self::invalid_request("Missing (or invalid type) string parameter OTP")
            }
            S::InvalidOtp => {
                Self::new(StatusCode::BAD_REQUEST, "invalid_otp", "The OTP is invalid")
            }
            S::SadInvalid => Self::invalid_request("Invalid parameter SAD"),
            S::SadExpired => Self::invalid_request("SAD expired"),
            S::HashNotAuthorized => Self::invalid_request("Hash is not authorized by the SAD"),
            S::InvalidAlgorithm => Self::invalid_request("Invalid parameter signAlgo"),
            S::CertificateNotValid(what) => {
                Self::invalid_request(format!("Signing certificate is {what}"))
            }
            S::Unavailable(m) => Self::unavailable(&m),
            S::Integrity(m) | S::Internal(m) => Self::internal(&m),
        }
    }
}
