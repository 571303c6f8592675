//! A service key read from a PKCS#8 file the operator provides — the protection key of a
//! CMP connector (RFC 9483 §3.2), like a TLS key. Never a signer's key: signers' keys live
//! only wrapped in the database (DESIGN.md invariant 1).

use super::ResidentKey;
use crate::{CryptoError, Signer};
use signet_types::SignatureAlgorithm;
use zeroize::Zeroizing;

/// A [`Signer`] over a private key held in memory.
#[derive(Debug)]
pub struct FileKey {
    key: ResidentKey,
    algorithm: SignatureAlgorithm,
    public_key: Vec<u8>,
}

impl FileKey {
    /// Reads a DER PKCS#8 private key; signs with the key type's first algorithm
    /// (RSA PKCS#1 v1.5 SHA-256, ECDSA with SHA-256 or SHA-384).
    pub fn from_pkcs8_der(der: Zeroizing<Vec<u8>>) -> Result<Self, CryptoError> {
        let key = ResidentKey::parse_any(der)?;
        let algorithm = *key
            .algorithm()
            .signature_algorithms()
            .iter()
            .find(|a| !a.is_legacy())
            .ok_or(CryptoError::Operation("key type has no signature algorithm"))?;
        let public_key = key.public_key_der()?;
        Ok(Self { key, algorithm, public_key })
    }
}

impl Signer for FileKey {
    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn public_key(&self) -> &[u8] {
        &self.public_key
    }

    fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.key.sign_digest(self.algorithm, digest)
    }
}
