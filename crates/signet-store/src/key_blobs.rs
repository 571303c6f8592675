//! The crypto module's blobs as stored — wrapped keys and sealed secrets — listed by table,
//! for re-wrapping them under another module (`signet admin crypto migrate`).

use std::fmt;

/// The column a blob lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyBlobKind {
    /// `credentials.wrapped_key` of a key not destroyed.
    Credential,
    /// `certificate_authorities.wrapped_key`.
    CertificateAuthority,
    /// `service_keys.wrapped_key` (TSA, OCSP, …).
    ServiceKey,
    /// `users.otp_sealed`.
    OtpSeed,
}

impl KeyBlobKind {
    /// Every kind, in the order a migration takes them.
    pub const ALL: [KeyBlobKind; 4] =
        [Self::CertificateAuthority, Self::ServiceKey, Self::Credential, Self::OtpSeed];

    /// A short name for output and audit records.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Credential => "credential",
            Self::CertificateAuthority => "ca",
            Self::ServiceKey => "service_key",
            Self::OtpSeed => "otp_seed",
        }
    }
}

/// One stored blob.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyBlob {
    /// Its column.
    pub kind: KeyBlobKind,
    /// The row's id (credential, CA, service key or user id).
    pub id: String,
    /// The owning user's id (credentials and OTP seeds).
    pub user_id: Option<String>,
    /// The key type (`rsa-2048`, …); `None` for OTP seeds.
    pub key_algorithm: Option<String>,
    /// The blob.
    pub blob: Vec<u8>,
}

impl fmt::Debug for KeyBlob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyBlob")
            .field("kind", &self.kind)
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field("key_algorithm", &self.key_algorithm)
            .field("blob", &format_args!("{} bytes", self.blob.len()))
            .finish()
    }
}
