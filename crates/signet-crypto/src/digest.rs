//! Message digests (FIPS 180-4) through aws-lc-rs.

use aws_lc_rs::digest;
use signet_types::HashAlgorithm;

/// The aws-lc-rs algorithm for a Signet hash.
pub(crate) fn algorithm(h: HashAlgorithm) -> &'static digest::Algorithm {
    match h {
        HashAlgorithm::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
        HashAlgorithm::Sha256 => &digest::SHA256,
        HashAlgorithm::Sha384 => &digest::SHA384,
        HashAlgorithm::Sha512 => &digest::SHA512,
    }
}

/// Hashes `data` in one call.
pub fn digest(h: HashAlgorithm, data: &[u8]) -> Vec<u8> {
    digest::digest(algorithm(h), data).as_ref().to_vec()
}

/// An incremental hash, for data that arrives in pieces.
#[derive(Clone)]
pub struct Hasher(digest::Context);

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hasher")
    }
}

impl Hasher {
    /// Starts a hash.
    pub fn new(h: HashAlgorithm) -> Self {
        Self(digest::Context::new(algorithm(h)))
    }
    /// Adds data.
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    /// Returns the digest.
    pub fn finish(self) -> Vec<u8> {
        self.0.finish().as_ref().to_vec()
    }
}
