//! Engine errors: each says what a user can act on. Internal detail (database and crypto
//! messages) is kept for the log; the API layer shows only the user-facing part.

use signet_crypto::CryptoError;
use signet_store::StoreError;

/// A use case failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Something named does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// It exists already, or it clashes with something that does.
    #[error("{0}")]
    Conflict(String),
    /// The request itself is wrong.
    #[error("{0}")]
    InvalidInput(String),
    /// The caller could not be authenticated (wrong password or client secret).
    #[error("{0}")]
    Unauthorized(String),
    /// The caller is authenticated but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The signer has not accepted the group's TSP policy documents (what to accept is in
    /// the message).
    #[error("{0}")]
    ConsentRequired(String),
    /// An external CA refused the request (its status text is in the message).
    #[error("{0}")]
    CaRejected(String),
    /// Too many attempts: refused without looking, until `retry_after` seconds have passed
    /// (failed logins of one name, issue 7's throttling).
    #[error("{message}")]
    TooManyRequests {
        /// What the caller is told.
        message: String,
        /// Seconds until a new attempt is looked at.
        retry_after: i64,
    },
    /// The database or crypto module does not answer.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A stored key or record failed an integrity check (corrupted, moved, wrong master key).
    #[error("integrity check failed: {0}")]
    Integrity(String),
    /// Anything else; the detail is for the log.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for EngineError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => Self::NotFound(what.to_string()),
            StoreError::Conflict(msg) => Self::Conflict(msg),
            StoreError::Unavailable(msg) => Self::Unavailable(msg),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<CryptoError> for EngineError {
    fn from(e: CryptoError) -> Self {
        match e {
            CryptoError::UnwrapFailed
            | CryptoError::WrongMasterKey { .. }
            | CryptoError::ForeignBlob { .. } => Self::Integrity(e.to_string()),
            CryptoError::UnsupportedAlgorithm { .. } | CryptoError::DigestLength { .. } => {
                Self::InvalidInput(e.to_string())
            }
            CryptoError::MasterKey { .. } | CryptoError::Unavailable(_) | CryptoError::Setup(_) => {
                Self::Unavailable(e.to_string())
            }
            CryptoError::Operation(_) | CryptoError::Hsm { .. } => Self::Internal(e.to_string()),
        }
    }
}

impl From<signet_pki::PkiError> for EngineError {
    fn from(e: signet_pki::PkiError) -> Self {
        match e {
            signet_pki::PkiError::Signing(c) => c.into(),
            other => Self::Internal(format!("certificate: {other}")),
        }
    }
}

impl From<signet_auth::SecretError> for EngineError {
    fn from(e: signet_auth::SecretError) -> Self {
        Self::Internal(e.to_string())
    }
}
