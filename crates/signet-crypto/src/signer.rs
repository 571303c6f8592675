//! A one-shot signer over a digest: what format and PKI code (certificates, CRLs,
//! OCSP responses, timestamps, CMS) is given instead of a key.

use crate::{CryptoError, CryptoModule, KeyBinding, WrappedKey};
use signet_types::SignatureAlgorithm;

/// Signs digests with one key and one algorithm. Pure code takes a `&dyn Signer`, so it
/// never sees key material and never does I/O itself.
pub trait Signer {
    /// The algorithm every signature uses.
    fn algorithm(&self) -> SignatureAlgorithm;
    /// The signer's DER `SubjectPublicKeyInfo`.
    fn public_key(&self) -> &[u8];
    /// Signs a digest of `self.algorithm().hash()`.
    fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>, CryptoError>;
}

/// A [`Signer`] backed by a wrapped key in a [`CryptoModule`].
#[derive(Debug)]
pub struct ModuleSigner<'a> {
    /// The module holding the master key.
    pub module: &'a dyn CryptoModule,
    /// The wrapped private key.
    pub key: &'a WrappedKey,
    /// What the key is bound to.
    pub binding: KeyBinding<'a>,
    /// The signature algorithm to use.
    pub algorithm: SignatureAlgorithm,
    /// The DER SubjectPublicKeyInfo of the key.
    pub public_key: &'a [u8],
}

impl Signer for ModuleSigner<'_> {
    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }
    fn public_key(&self) -> &[u8] {
        self.public_key
    }
    fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.module.sign_digest(self.key, &self.binding, self.algorithm, digest)
    }
}
