//! Errors of the cryptographic module. Messages never contain key material.

/// What went wrong in a crypto module.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// The wrapped key does not authenticate under this master key with this binding:
    /// it was moved to another credential or owner, altered, or truncated.
    #[error("the wrapped key could not be unwrapped: it is corrupted or does not belong to this credential")]
    UnwrapFailed,
    /// The blob was wrapped under a different master key.
    #[error("the wrapped key belongs to another master key (key id {found}, this module has {expected})")]
    WrongMasterKey {
        /// Key id recorded in the blob.
        found: String,
        /// Key id of this module's master key.
        expected: String,
    },
    /// The key cannot produce this signature algorithm.
    #[error("{algorithm} is not available for a {key} key")]
    UnsupportedAlgorithm {
        /// The requested algorithm.
        algorithm: String,
        /// The key type.
        key: String,
    },
    /// The digest's length does not match the algorithm's hash.
    #[error("the digest is {found} bytes long; {hash} needs {expected}")]
    DigestLength {
        /// Hash name.
        hash: &'static str,
        /// Required length.
        expected: usize,
        /// Given length.
        found: usize,
    },
    /// The master key file is missing, unreadable, malformed or too widely readable.
    #[error("master key {path}: {reason}")]
    MasterKey {
        /// The file.
        path: String,
        /// Why it was refused.
        reason: String,
    },
    /// The underlying library failed (key generation, signing).
    #[error("crypto operation failed: {0}")]
    Operation(&'static str),
    /// The module cannot answer now — its HSM sessions were lost and could not be
    /// reopened, every session stayed busy, or the token is absent. Retrying later may
    /// succeed; nothing was signed.
    #[error("the crypto module is unavailable: {0}")]
    Unavailable(String),
    /// The HSM refused or failed an operation (the PKCS#11 function and return value).
    #[error("HSM operation {operation} failed: {code}")]
    Hsm {
        /// What Signet was doing.
        operation: &'static str,
        /// The PKCS#11 function and its `CKR_…` return value.
        code: String,
    },
    /// The blob was made by another kind of module (a soft blob given to the PKCS#11
    /// module, or the reverse).
    #[error("the key is wrapped by the {found} module, not by {expected}: move it with `signet admin crypto migrate --to {expected}`")]
    ForeignBlob {
        /// The module whose format the blob has.
        found: &'static str,
        /// This module.
        expected: &'static str,
    },
    /// The module's configuration or token does not allow it to start (named key
    /// missing, weak master key, no usable mechanism).
    #[error("{0}")]
    Setup(String),
}
