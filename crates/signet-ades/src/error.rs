//! Why a signature could not be built, augmented or read.

/// An AdES error.
#[derive(Debug, thiserror::Error)]
pub enum AdesError {
    /// The request is inconsistent (a digest of the wrong length, an algorithm the
    /// certificate's key cannot use, a SHA-1 algorithm, a time-stamp token over another
    /// imprint, a detached signature's content missing).
    #[error("invalid signature request: {0}")]
    InvalidRequest(String),
    /// The bytes are not a signature this module reads or augments: not a CMS SignedData,
    /// not exactly one SignerInfo, the signer's certificate not included, not DER where
    /// bytes must be kept as they are.
    #[error("invalid CMS signature: {0}")]
    InvalidSignature(String),
    /// The document cannot be signed or read as it is (XML that is not well-formed, over
    /// a limit, with a DTD or a duplicate `Id`; a XAdES signature missing a part).
    #[error("{0}")]
    InvalidDocument(String),
    /// A structure could not be DER-encoded.
    #[error("DER encoding of {what} failed: {source}")]
    Encoding {
        /// What was being encoded.
        what: &'static str,
        /// The encoder's error.
        source: der::Error,
    },
    /// A certificate, attribute or structure could not be read or written.
    #[error(transparent)]
    Pki(#[from] signet_pki::PkiError),
    /// The PDF could not be read or updated.
    #[error(transparent)]
    Pdf(crate::pdf::PdfError),
}

impl AdesError {
    /// Wraps an encoder error with what was being encoded.
    pub(crate) fn encoding(what: &'static str) -> impl FnOnce(der::Error) -> AdesError {
        move |source| AdesError::Encoding { what, source }
    }

    /// A signature that cannot be read: `what` failed with `e`.
    pub(crate) fn invalid(what: &str, e: impl std::fmt::Display) -> AdesError {
        AdesError::InvalidSignature(format!("{what}: {e}"))
    }
}
