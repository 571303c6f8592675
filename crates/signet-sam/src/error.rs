//! Why the SAM refused. Each variant maps to one CSC error (CSC v1.0.4.0 §11); none
//! carries a secret.

/// A refusal or failure of the SAM.
#[derive(Debug, thiserror::Error)]
pub enum SamError {
    /// No such credential, or not one the caller may use.
    #[error("invalid credential")]
    CredentialNotFound,
    /// The credential is disabled.
    #[error("the credential is disabled")]
    CredentialDisabled,
    /// The credential's key was destroyed (deleted by its owner, or a one-shot key used up
    /// or expired), or it has no certificate yet: it can never sign (again).
    #[error("the credential's key {0}")]
    KeyUnavailable(&'static str),
    /// `numSignatures` < 1.
    /// The credential is authorised in the signer's browser (CSC `authMode`
    /// `oauth2code`), not by `credentials/authorize`.
    #[error("the credential is authorised through oauth2/authorize (authMode oauth2code)")]
    Oauth2CodeOnly,
    #[error("invalid numSignatures")]
    InvalidNumSignatures,
    /// `numSignatures` above the credential's multisign.
    #[error("numbers of signatures is too high")]
    TooManySignatures,
    /// SCAL 2 needs the hashes, as many as `numSignatures`.
    #[error("{0}")]
    HashesRequired(&'static str),
    /// A hash has the wrong length for its algorithm.
    #[error("invalid digest value length")]
    DigestLength,
    /// The user has no signing PIN.
    #[error("no signing PIN is set for this user")]
    PinNotSet,
    /// The PIN is missing.
    #[error("the PIN is missing")]
    PinMissing,
    /// The PIN is wrong.
    #[error("the PIN is invalid ({remaining} attempts left)")]
    InvalidPin {
        /// Attempts left before the lock.
        remaining: i64,
    },
    /// The user has an OTP and none was given.
    #[error("the OTP is missing")]
    OtpMissing,
    /// The OTP is wrong, or was used before.
    #[error("the OTP is invalid")]
    InvalidOtp,
    /// The PIN is locked after too many failures.
    #[error("PIN locked")]
    PinLocked,
    /// The SAD is unknown, used up, or bound to another user or credential.
    #[error("invalid SAD")]
    SadInvalid,
    /// The SAD has expired.
    #[error("SAD expired")]
    SadExpired,
    /// A hash was not authorised by the SAD.
    #[error("hash is not authorized by the SAD")]
    HashNotAuthorized,
    /// More hashes than the SAD still allows.
    #[error("more signatures than authorised")]
    SignaturesExhausted,
    /// The signing algorithm does not fit the key or the group's policy.
    #[error("invalid signature algorithm")]
    InvalidAlgorithm,
    /// The signing certificate is expired or revoked.
    #[error("the signing certificate is {0}")]
    CertificateNotValid(&'static str),
    /// The database or crypto module does not answer.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A stored key failed its integrity check.
    #[error("integrity: {0}")]
    Integrity(String),
    /// Anything else (detail for the log only).
    #[error("internal: {0}")]
    Internal(String),
}

impl From<signet_store::StoreError> for SamError {
    fn from(e: signet_store::StoreError) -> Self {
        match e {
            signet_store::StoreError::Unavailable(m) => Self::Unavailable(m),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<signet_crypto::CryptoError> for SamError {
    fn from(e: signet_crypto::CryptoError) -> Self {
        use signet_crypto::CryptoError as C;
        match e {
            C::UnwrapFailed | C::WrongMasterKey { .. } | C::ForeignBlob { .. } => {
                Self::Integrity(e.to_string())
            }
            C::Unavailable(_) | C::Setup(_) => Self::Unavailable(e.to_string()),
            C::DigestLength { .. } => Self::DigestLength,
            C::UnsupportedAlgorithm { .. } => Self::InvalidAlgorithm,
            other => Self::Internal(other.to_string()),
        }
    }
}

impl SamError {
    /// A short, stable reason for the audit record.
    pub fn audit_reason(&self) -> &'static str {
        match self {
            Self::CredentialNotFound => "invalid credential",
            Self::CredentialDisabled => "credential disabled",
            Self::KeyUnavailable(_) => "key destroyed or not certified",
            Self::InvalidNumSignatures => "invalid numSignatures",
            Self::TooManySignatures => "numSignatures above multisign",
            Self::HashesRequired(_) => "hashes required",
            Self::Oauth2CodeOnly => "authMode oauth2code",
            Self::DigestLength => "invalid digest length",
            Self::PinNotSet => "no PIN set",
            Self::PinMissing => "PIN missing",
            Self::InvalidPin { .. } => "wrong PIN",
            Self::OtpMissing => "OTP missing",
            Self::InvalidOtp => "wrong OTP",
            Self::PinLocked => "PIN locked",
            Self::SadInvalid => "invalid SAD",
            Self::SadExpired => "SAD expired",
            Self::HashNotAuthorized => "hash not authorised by the SAD",
            Self::SignaturesExhausted => "more signatures than authorised",
            Self::InvalidAlgorithm => "invalid signature algorithm",
            Self::CertificateNotValid(_) => "certificate not valid",
            Self::Unavailable(_) => "unavailable",
            Self::Integrity(_) => "key integrity failure",
            Self::Internal(_) => "internal error",
        }
    }
}
