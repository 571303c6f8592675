//! The `CryptoModule` trait and the values that cross it.

use crate::CryptoError;
use signet_types::{KeyAlgorithm, SignatureAlgorithm};
use std::fmt;

/// What a wrapped key is bound to. The same binding must be presented to unwrap it:
/// a blob copied to another credential or owner fails to unwrap (DESIGN.md invariant 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyBinding<'a> {
    /// The key's owner: a user id, or `service:<purpose>` for CA/OCSP/TSA keys.
    pub owner: &'a str,
    /// The credential (or service key) id the key belongs to.
    pub credential: &'a str,
    /// The key's algorithm.
    pub algorithm: KeyAlgorithm,
}

/// A private key encrypted under a module's master key. Opaque outside the module.
#[derive(Clone, PartialEq, Eq)]
pub struct WrappedKey(pub Vec<u8>);

impl fmt::Debug for WrappedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WrappedKey({} bytes)", self.0.len())
    }
}

/// A freshly generated key pair: the private half wrapped, the public half in clear.
#[derive(Debug, Clone)]
pub struct GeneratedKey {
    /// The private key, wrapped with its binding.
    pub wrapped: WrappedKey,
    /// DER `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7).
    pub public_key: Vec<u8>,
}

/// A cryptographic module: the only place a private key exists in plaintext.
///
/// A service key held inside a crypto module (see [`CryptoModule::hold_service_key`]).
pub trait HeldKey: Send + Sync + fmt::Debug {
    /// Signs a digest of `algorithm.hash()`.
    fn sign_digest(
        &self,
        algorithm: SignatureAlgorithm,
        digest: &[u8],
    ) -> Result<Vec<u8>, CryptoError>;
}

/// The owner prefix of service keys' bindings (`service:tsa`, `service:ocsp`).
pub const SERVICE_OWNER_PREFIX: &str = "service:";

/// Operations are synchronous and CPU- or device-bound; async callers run them on a
/// blocking thread.
pub trait CryptoModule: Send + Sync + fmt::Debug {
    /// A short name for logs and `/readyz` ("soft", "pkcs11").
    fn name(&self) -> &'static str;

    /// Generates a key pair and returns it wrapped under `binding`.
    fn generate_key(&self, binding: &KeyBinding<'_>) -> Result<GeneratedKey, CryptoError>;

    /// Unwraps `key` (which must have been wrapped under `binding`), signs every digest
    /// with `algorithm`, in order, and destroys the plaintext key before returning.
    ///
    /// One call is one *operation* in the sense of DESIGN.md invariant 1: the digests of
    /// one authorised request (one SAD), never more. All digests are checked before the
    /// key is unwrapped; if one signature fails, none is returned.
    ///
    /// Each digest is the hash of the data to be signed; its length is checked against
    /// the algorithm's hash. For RSA PKCS#1 v1.5 the module builds the DigestInfo
    /// (RFC 8017 §9.2); for PSS it uses MGF1 with the same hash and a salt as long as the
    /// hash (RFC 8017 §9.1); for ECDSA it returns a DER `Ecdsa-Sig-Value` (RFC 3279 §2.2.3).
    fn sign_digests(
        &self,
        key: &WrappedKey,
        binding: &KeyBinding<'_>,
        algorithm: SignatureAlgorithm,
        digests: &[&[u8]],
    ) -> Result<Vec<Vec<u8>>, CryptoError>;

    /// [`CryptoModule::sign_digests`] for a single digest.
    fn sign_digest(
        &self,
        key: &WrappedKey,
        binding: &KeyBinding<'_>,
        algorithm: SignatureAlgorithm,
        digest: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let mut out = self.sign_digests(key, binding, algorithm, &[digest])?;
        out.pop().ok_or(CryptoError::Operation("signing returned no signature"))
    }

    /// Unwraps `key` under `binding` and discards it without signing: proves at start-up
    /// that stored keys belong to this module's master key.
    fn check_key(&self, key: &WrappedKey, binding: &KeyBinding<'_>) -> Result<(), CryptoError>;

    /// Seals a small secret of the service (an OTP seed) under the master key, bound to
    /// its owner and purpose. It can never be opened as a key, nor a key as a secret.
    fn seal_secret(
        &self,
        secret: &[u8],
        owner: &str,
        purpose: &str,
    ) -> Result<WrappedKey, CryptoError>;

    /// Opens a sealed secret; the plaintext is zeroized when dropped.
    fn open_secret(
        &self,
        sealed: &WrappedKey,
        owner: &str,
        purpose: &str,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, CryptoError>;

    /// Loads a service key (TSA, OCSP responder) to stay ready inside the module for the
    /// life of the process, as an HSM holds its own keys: the key is unwrapped once and
    /// never leaves the module. Only keys bound to a `service:` owner may be held; a
    /// signer's key is refused (DESIGN.md invariant 1: one operation, then destroyed).
    fn hold_service_key(
        &self,
        key: &WrappedKey,
        binding: &KeyBinding<'_>,
    ) -> Result<std::sync::Arc<dyn HeldKey>, CryptoError>;

    /// Proves the module answers (for `/readyz`).
    fn check(&self) -> Result<(), CryptoError>;
}

/// Checks a request before any key is touched: the key can make this signature, and the
/// digest has the hash's length.
pub(crate) fn check_request(
    key: KeyAlgorithm,
    alg: SignatureAlgorithm,
    digest: &[u8],
) -> Result<(), CryptoError> {
    if !key.supports(alg) {
        return Err(CryptoError::UnsupportedAlgorithm {
            algorithm: alg.name(),
            key: key.as_str().to_owned(),
        });
    }
    let hash = alg.hash();
    if digest.len() != hash.output_len() {
        return Err(CryptoError::DigestLength {
            hash: hash.as_str(),
            expected: hash.output_len(),
            found: digest.len(),
        });
    }
    Ok(())
}
