//! Why a signature could not be built.

/// An AdES build error.
#[derive(Debug, thiserror::Error)]
pub enum AdesError {
    /// The request is inconsistent (a digest of the wrong length, an algorithm the
    /// certificate's key cannot use, a SHA-1 algorithm).
    #[error("invalid signature request: {0}")]
    InvalidRequest(String),
    /// A certificate, attribute or structure could not be read or written.
    #[error(transparent)]
    Pki(#[from] signet_pki::PkiError),
    /// The PDF could not be read or updated.
    #[error(transparent)]
    Pdf(crate::pdf::PdfError),
}
