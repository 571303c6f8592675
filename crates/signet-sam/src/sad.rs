//! Signature Activation Data: a random bearer value given to the caller once; the
//! database keeps only its SHA-256, with the bindings (EN 419 241-2 SAD content).

use crate::SamError;
use base64::Engine as _;

/// A SAD as handed to the caller: the value and its lifetime.
#[derive(Debug, Clone)]
pub struct SadView {
    /// The opaque SAD (43 base64url characters).
    pub value: String,
    /// Seconds until it expires.
    pub expires_in: i64,
}

/// A SAD value received from a caller.
#[derive(Clone, PartialEq, Eq)]
pub struct SadValue(String);

impl std::fmt::Debug for SadValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SadValue(…)")
    }
}

impl SadValue {
    /// Accepts a value of the shape the SAM issues; anything else is simply invalid.
    pub fn parse(s: &str) -> Result<Self, SamError> {
        let ok =
            s.len() == 43 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(SamError::SadInvalid)
        }
    }

    /// A fresh random SAD.
    pub(crate) fn generate() -> Result<Self, SamError> {
        let bytes =
            signet_crypto::random_bytes::<32>().map_err(|e| SamError::Internal(e.to_string()))?;
        Ok(Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// What the database stores: hex SHA-256 of the value.
    pub(crate) fn storage_hash(&self) -> String {
        let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, self.0.as_bytes());
        hex::encode(d.as_ref())
    }

    /// The value, for the response.
    pub(crate) fn into_string(self) -> String {
        self.0
    }
}

/// Canonical text of a digest in the SAD record (standard base64).
pub(crate) fn hash_text(digest: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(digest)
}
