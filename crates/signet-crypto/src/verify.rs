//! Signature verification with public keys (no key material involved): what PKI code needs
//! to check a peer's signature, e.g. the protection of a CMP response (RFC 9810 §5.1.3.3)
//! and the certificates of the chain that vouches for it.

use aws_lc_rs::signature::{self as sig, UnparsedPublicKey, VerificationAlgorithm};
use signet_types::{HashAlgorithm, SignatureAlgorithm};

/// Checks `signature` over `message` (the whole message, not its digest) with the key of a
/// DER `SubjectPublicKeyInfo`.
///
/// RSA keys of 2048 to 8192 bits (PKCS#1 v1.5 or PSS with MGF1 of the same hash and a
/// hash-length salt) and ECDSA on P-256, P-384 and P-521 (DER `Ecdsa-Sig-Value`) are
/// verified. `false` when the signature does not verify, the key does not parse or does not
/// fit the algorithm, or the algorithm is SHA-1 based (refused for peers' signatures).
pub fn verify_signature(
    algorithm: SignatureAlgorithm,
    spki_der: &[u8],
    message: &[u8],
    signature: &[u8],
) -> bool {
    candidates(algorithm)
        .iter()
        .any(|alg| UnparsedPublicKey::new(*alg, spki_der).verify(message, signature).is_ok())
}

/// The aws-lc-rs verification algorithms that may fit: for ECDSA one per curve (the key's
/// curve decides which one parses).
fn candidates(algorithm: SignatureAlgorithm) -> Vec<&'static dyn VerificationAlgorithm> {
    use HashAlgorithm::*;
    match algorithm {
        SignatureAlgorithm::RsaPkcs1(Sha256) => vec![&sig::RSA_PKCS1_2048_8192_SHA256],
        SignatureAlgorithm::RsaPkcs1(Sha384) => vec![&sig::RSA_PKCS1_2048_8192_SHA384],
        SignatureAlgorithm::RsaPkcs1(Sha512) => vec![&sig::RSA_PKCS1_2048_8192_SHA512],
        SignatureAlgorithm::RsaPss(Sha256) => vec![&sig::RSA_PSS_2048_8192_SHA256],
        SignatureAlgorithm::RsaPss(Sha384) => vec![&sig::RSA_PSS_2048_8192_SHA384],
        SignatureAlgorithm::RsaPss(Sha512) => vec![&sig::RSA_PSS_2048_8192_SHA512],
        SignatureAlgorithm::Ecdsa(Sha256) => vec![
            &sig::ECDSA_P256_SHA256_ASN1,
            &sig::ECDSA_P384_SHA256_ASN1,
            &sig::ECDSA_P521_SHA256_ASN1,
        ],
        SignatureAlgorithm::Ecdsa(Sha384) => vec![
            &sig::ECDSA_P256_SHA384_ASN1,
            &sig::ECDSA_P384_SHA384_ASN1,
            &sig::ECDSA_P521_SHA384_ASN1,
        ],
        SignatureAlgorithm::Ecdsa(Sha512) => vec![
            &sig::ECDSA_P256_SHA512_ASN1,
            &sig::ECDSA_P384_SHA512_ASN1,
            &sig::ECDSA_P521_SHA512_ASN1,
        ],
        SignatureAlgorithm::RsaPkcs1(Sha1)
        | SignatureAlgorithm::RsaPss(Sha1)
        | SignatureAlgorithm::Ecdsa(Sha1) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::rsa::KeySize;
    use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, RsaKeyPair};

    #[test]
    fn ecdsa_and_rsa_signatures_verify_and_tampering_fails() {
        let rng = SystemRandom::new();
        let ec = EcdsaKeyPair::generate(&sig::ECDSA_P384_SHA384_ASN1_SIGNING).unwrap();
        let ec_spki: PublicKeyX509Der<'_> = ec.public_key().as_der().unwrap();
        let s = ec.sign(&rng, b"message").unwrap();
        let alg = SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha384);
        assert!(verify_signature(alg, ec_spki.as_ref(), b"message", s.as_ref()));
        assert!(!verify_signature(alg, ec_spki.as_ref(), b"messagE", s.as_ref()));
        let other = SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256);
        assert!(!verify_signature(other, ec_spki.as_ref(), b"message", s.as_ref()));

        let rsa = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
        let rsa_spki: PublicKeyX509Der<'_> = rsa.public_key().as_der().unwrap();
        let mut out = vec![0; rsa.public_modulus_len()];
        rsa.sign(&sig::RSA_PSS_SHA256, &rng, b"message", &mut out).unwrap();
        let pss = SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256);
        assert!(verify_signature(pss, rsa_spki.as_ref(), b"message", &out));
        let pkcs1 = SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha256);
        assert!(!verify_signature(pkcs1, rsa_spki.as_ref(), b"message", &out));
        // A key of another family, garbage keys and SHA-1 are refused, not panicked on.
        assert!(!verify_signature(pss, ec_spki.as_ref(), b"message", &out));
        assert!(!verify_signature(pss, b"\x30\x00", b"message", &out));
        let sha1 = SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha1);
        assert!(!verify_signature(sha1, rsa_spki.as_ref(), b"message", &out));
    }
}
