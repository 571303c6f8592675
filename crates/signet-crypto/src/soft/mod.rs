//! The embedded soft module: keys are generated and used with aws-lc-rs, and kept
//! at rest wrapped (AES-256-GCM) under a 256-bit master key held in a file of mode 0600.
//!
//! A signature unwraps the key, parses it, signs, and drops it: the plaintext PKCS#8
//! buffer is zeroized by [`zeroize::Zeroizing`], and the parsed key lives in aws-lc
//! memory that `OPENSSL_free` cleanses when the key is freed.

pub mod bench;
mod file_key;
mod keys;
mod legacy_sha1;
mod master_key;
mod wrap;

use crate::{CryptoError, CryptoModule, GeneratedKey, KeyBinding, WrappedKey};
pub use file_key::FileKey;
pub use keys::ResidentKey;
pub use master_key::MasterKeyFile;
use signet_types::SignatureAlgorithm;
use std::path::Path;
use wrap::Wrapper;

/// The soft cryptographic module.
#[derive(Debug)]
pub struct SoftModule {
    pub(crate) wrapper: Wrapper,
}

impl SoftModule {
    /// Opens the module with the master key in `path`. When `create_if_missing` is set
    /// and the file does not exist, a new key is generated and written with mode 0600;
    /// the returned flag says whether that happened.
    ///
    /// Refuses a key file that is not a regular file, is readable by group or others,
    /// or does not hold exactly 32 bytes in hex.
    pub fn open(path: &Path, create_if_missing: bool) -> Result<(Self, bool), CryptoError> {
        let (key, created) = MasterKeyFile::new(path).load_or_create(create_if_missing)?;
        Ok((Self { wrapper: Wrapper::new(&key)? }, created))
    }

    /// A module over a master key given in memory (tests, benchmarks).
    pub fn from_master_key(key: &[u8; 32]) -> Result<Self, CryptoError> {
        Ok(Self { wrapper: Wrapper::new(key)? })
    }

    /// The master key's public identifier (hex), recorded in every wrapped blob.
    pub fn master_key_id(&self) -> String {
        self.wrapper.key_id_hex()
    }

    /// Unwraps and parses a key once and keeps it in memory. **Benchmark baseline only**:
    /// production signing goes through [`CryptoModule::sign_digest`], which never keeps
    /// a key beyond one operation (DESIGN.md invariant 1).
    pub fn resident_key_for_benchmark(
        &self,
        key: &WrappedKey,
        binding: &KeyBinding<'_>,
    ) -> Result<ResidentKey, CryptoError> {
        let pkcs8 = self.wrapper.unwrap(key, binding)?;
        ResidentKey::parse(binding.algorithm, pkcs8)
    }
}

impl CryptoModule for SoftModule {
    fn name(&self) -> &'static str {
        "soft"
    }

    fn generate_key(&self, binding: &KeyBinding<'_>) -> Result<GeneratedKey, CryptoError> {
        let (pkcs8, public_key) = keys::generate(binding.algorithm)?;
        let wrapped = self.wrapper.wrap(&pkcs8, binding)?;
        Ok(GeneratedKey { wrapped, public_key })
    }

    fn sign_digests(
        &self,
        key: &WrappedKey,
        binding: &KeyBinding<'_>,
        algorithm: SignatureAlgorithm,
        digests: &[&[u8]],
    ) -> Result<Vec<Vec<u8>>, CryptoError> {
        for d in digests {
            crate::module::check_request(binding.algorithm, algorithm, d)?;
        }
        let pkcs8 = self.wrapper.unwrap(key, binding)?;
        if algorithm == SignatureAlgorithm::RsaPkcs1(signet_types::HashAlgorithm::Sha1) {
            return digests.iter().map(|d| legacy_sha1::sign(&pkcs8, d)).collect();
        }
        let parsed = ResidentKey::parse(binding.algorithm, pkcs8)?;
        digests.iter().map(|d| parsed.sign_digest(algorithm, d)).collect()
    }

    fn check_key(&self, key: &WrappedKey, binding: &KeyBinding<'_>) -> Result<(), CryptoError> {
        let pkcs8 = self.wrapper.unwrap(key, binding)?;
        ResidentKey::parse(binding.algorithm, pkcs8).map(drop)
    }

    fn seal_secret(
        &self,
        secret: &[u8],
        owner: &str,
        purpose: &str,
    ) -> Result<WrappedKey, CryptoError> {
        self.wrapper.seal_secret(secret, owner, purpose)
    }

    fn open_secret(
        &self,
        sealed: &WrappedKey,
        owner: &str,
        purpose: &str,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, CryptoError> {
        self.wrapper.open_secret(sealed, owner, purpose)
    }

    fn hold_service_key(
        &self,
        key: &WrappedKey,
        binding: &KeyBinding<'_>,
    ) -> Result<std::sync::Arc<dyn crate::HeldKey>, CryptoError> {
        if !binding.owner.starts_with(crate::SERVICE_OWNER_PREFIX) {
            return Err(CryptoError::Operation("only service keys can be held in the module"));
        }
        let pkcs8 = self.wrapper.unwrap(key, binding)?;
        Ok(std::sync::Arc::new(ResidentKey::parse(binding.algorithm, pkcs8)?))
    }

    fn check(&self) -> Result<(), CryptoError> {
        self.wrapper.self_test()
    }
}
