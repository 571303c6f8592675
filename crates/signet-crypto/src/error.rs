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
}
