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

/// The aws-lc-rs HMAC for a Signet hash (HMAC-SHA1 only for reading legacy peers).
fn hmac_algorithm(h: HashAlgorithm) -> aws_lc_rs::hmac::Algorithm {
    use aws_lc_rs::hmac;
    match h {
        HashAlgorithm::Sha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        HashAlgorithm::Sha256 => hmac::HMAC_SHA256,
        HashAlgorithm::Sha384 => hmac::HMAC_SHA384,
        HashAlgorithm::Sha512 => hmac::HMAC_SHA512,
    }
}

/// HMAC (RFC 2104) of `data` under `key` with hash `h`: e.g. the MAC of CMP's
/// PasswordBasedMac protection (RFC 9810 §5.1.3.1).
pub fn hmac(h: HashAlgorithm, key: &[u8], data: &[u8]) -> Vec<u8> {
    let key = aws_lc_rs::hmac::Key::new(hmac_algorithm(h), key);
    aws_lc_rs::hmac::sign(&key, data).as_ref().to_vec()
}

/// Checks an HMAC tag in constant time; `false` for any mismatch, truncated tags included.
pub fn verify_hmac(h: HashAlgorithm, key: &[u8], data: &[u8], tag: &[u8]) -> bool {
    let key = aws_lc_rs::hmac::Key::new(hmac_algorithm(h), key);
    aws_lc_rs::hmac::verify(&key, data, tag).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 §4.2 (test case 1) and §4.3 (test case 2).
    #[test]
    fn hmac_matches_rfc_4231() {
        let tag = hmac(HashAlgorithm::Sha256, &[0x0b; 20], b"Hi There");
        assert_eq!(
            hex::encode(&tag),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        let tag = hmac(HashAlgorithm::Sha256, b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(&tag),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let tag512 = hmac(HashAlgorithm::Sha512, b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(&tag512),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        );
        assert!(verify_hmac(HashAlgorithm::Sha256, b"Jefe", b"what do ya want for nothing?", &tag));
        assert!(!verify_hmac(
            HashAlgorithm::Sha256,
            b"Jefe",
            b"what do ya want for nothing!",
            &tag
        ));
        assert!(!verify_hmac(
            HashAlgorithm::Sha256,
            b"Jefe",
            b"what do ya want for nothing?",
            &tag[..31]
        ));
        assert!(!verify_hmac(
            HashAlgorithm::Sha256,
            b"jefe",
            b"what do ya want for nothing?",
            &tag
        ));
    }
}
