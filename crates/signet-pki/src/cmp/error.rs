//! Errors of a CMP transaction. A [`CmpError::Rejected`] is the CA's authenticated answer
//! "no" (its status, failure bits and text, for the API's error); every other variant is a
//! fault of the request, the transport, the message format or its protection.

use super::status::Rejection;
use crate::PkiError;
use signet_crypto::CryptoError;

/// What went wrong in a CMP transaction.
#[derive(Debug, thiserror::Error)]
pub enum CmpError {
    /// The CA (or RA) refused: a certificate or revocation response whose `PKIStatus` is
    /// not accepted/grantedWithMods, or an `error` message (RFC 9810 §5.3.21). The
    /// response's protection was valid, so this is the CA's word.
    #[error("the CA refused the request: {0}")]
    Rejected(Rejection),
    /// The response's protection is missing, does not verify, uses parameters Signet does
    /// not accept, or its signer does not chain to a trusted certificate (RFC 9483 §3.5).
    /// `unverified` is what an unauthenticated error message claimed (for the log only).
    #[error("the response's protection is not acceptable: {reason}{}", unverified_suffix(.unverified))]
    Protection {
        /// Why the protection was refused.
        reason: String,
        /// The text of an error message whose protection failed (e.g. the server's own
        /// "wrong secret"), not authenticated.
        unverified: Option<String>,
    },
    /// The response is not a DER `PKIMessage`, or a field of it is malformed.
    #[error("malformed CMP response: {0}")]
    Malformed(String),
    /// The response is well formed and authentic but does not fit this transaction: another
    /// transactionID, a recipNonce other than our senderNonce, an unexpected body, another
    /// certReqId or a certificate for another key (RFC 9483 §3.5, §4.1.1).
    #[error("CMP protocol error: {0}")]
    Protocol(String),
    /// The request cannot be built from what was given (a bad key, certificate or name; a
    /// signer that does not hold the key it must prove).
    #[error("invalid CMP request: {0}")]
    InvalidRequest(String),
    /// The transaction is already finished (done or failed); start a new one.
    #[error("the CMP transaction is finished")]
    Finished,
    /// Building a message failed in the PKI layer (encoding, algorithm, signing).
    #[error(transparent)]
    Pki(#[from] PkiError),
}

fn unverified_suffix(unverified: &Option<String>) -> String {
    unverified
        .as_ref()
        .map(|t| format!(" (unauthenticated server message: {t})"))
        .unwrap_or_default()
}

impl CmpError {
    /// The CA's rejection, if that is what this is.
    pub fn rejection(&self) -> Option<&Rejection> {
        match self {
            Self::Rejected(r) => Some(r),
            _ => None,
        }
    }

    pub(crate) fn malformed(what: &'static str) -> impl FnOnce(der::Error) -> CmpError {
        move |e| CmpError::Malformed(format!("{what}: {e}"))
    }

    pub(crate) fn protection(reason: impl Into<String>) -> CmpError {
        CmpError::Protection { reason: reason.into(), unverified: None }
    }

    pub(crate) fn encoding(what: &'static str) -> impl FnOnce(der::Error) -> CmpError {
        move |source| CmpError::Pki(PkiError::Encoding { what, source })
    }
}

impl From<CryptoError> for CmpError {
    fn from(e: CryptoError) -> Self {
        CmpError::Pki(PkiError::Signing(e))
    }
}
