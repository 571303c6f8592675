//! Key generation and digest signing with aws-lc-rs.

use crate::digest::algorithm as digest_algorithm;
use crate::module::check_request;
use crate::CryptoError;
use aws_lc_rs::digest::Digest;
use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self, EcdsaKeyPair, EcdsaSigningAlgorithm, KeyPair, RsaKeyPair};
use signet_types::{HashAlgorithm, KeyAlgorithm, KeyFamily, SignatureAlgorithm};
use zeroize::Zeroizing;

/// Generates a key pair: the PKCS#8 private key (zeroized on drop) and the DER SPKI.
pub(super) fn generate(alg: KeyAlgorithm) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), CryptoError> {
    const FAILED: CryptoError = CryptoError::Operation("key generation");
    match alg.family() {
        KeyFamily::Rsa => {
            let size = match alg {
                KeyAlgorithm::Rsa3072 => KeySize::Rsa3072,
                KeyAlgorithm::Rsa4096 => KeySize::Rsa4096,
                _ => KeySize::Rsa2048,
            };
            let kp = RsaKeyPair::generate(size).map_err(|_| FAILED)?;
            let pkcs8: Pkcs8V1Der<'static> = kp.as_der().map_err(|_| FAILED)?;
            let spki: PublicKeyX509Der<'static> = kp.public_key().as_der().map_err(|_| FAILED)?;
            Ok((Zeroizing::new(pkcs8.as_ref().to_vec()), spki.as_ref().to_vec()))
        }
        KeyFamily::Ec => {
            let kp = EcdsaKeyPair::generate(ecdsa_algorithm(alg)).map_err(|_| FAILED)?;
            let pkcs8 = kp.to_pkcs8v1().map_err(|_| FAILED)?;
            let spki: PublicKeyX509Der<'static> = kp.public_key().as_der().map_err(|_| FAILED)?;
            Ok((Zeroizing::new(pkcs8.as_ref().to_vec()), spki.as_ref().to_vec()))
        }
    }
}

fn ecdsa_algorithm(alg: KeyAlgorithm) -> &'static EcdsaSigningAlgorithm {
    match alg {
        KeyAlgorithm::EcP384 => &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
        _ => &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
    }
}

/// A parsed private key. Production code holds one only for the duration of one
/// signature; the benchmark keeps one as its baseline.
pub struct ResidentKey {
    algorithm: KeyAlgorithm,
    inner: Parsed,
}

enum Parsed {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

impl std::fmt::Debug for ResidentKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ResidentKey({})", self.algorithm)
    }
}

impl crate::HeldKey for ResidentKey {
    fn sign_digest(
        &self,
        algorithm: SignatureAlgorithm,
        digest: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        ResidentKey::sign_digest(self, algorithm, digest)
    }
}

impl ResidentKey {
    /// Parses a PKCS#8 key of the given algorithm (the buffer is zeroized on drop).
    pub(crate) fn parse(alg: KeyAlgorithm, pkcs8: Zeroizing<Vec<u8>>) -> Result<Self, CryptoError> {
        const BAD: CryptoError = CryptoError::UnwrapFailed;
        let inner = match alg.family() {
            KeyFamily::Rsa => {
                let kp = RsaKeyPair::from_pkcs8(&pkcs8).map_err(|_| BAD)?;
                if u32::try_from(kp.public_modulus_len() * 8).ok() != Some(alg.bits()) {
                    return Err(BAD);
                }
                Parsed::Rsa(kp)
            }
            KeyFamily::Ec => {
                Parsed::Ec(EcdsaKeyPair::from_pkcs8(ecdsa_algorithm(alg), &pkcs8).map_err(|_| BAD)?)
            }
        };
        Ok(Self { algorithm: alg, inner })
    }

    /// Parses a PKCS#8 key of any supported type (RSA 2048–4096, EC P-256/P-384).
    pub fn parse_any(pkcs8: Zeroizing<Vec<u8>>) -> Result<Self, CryptoError> {
        KeyAlgorithm::ALL
            .iter()
            .find_map(|alg| Self::parse(*alg, pkcs8.clone()).ok())
            .ok_or(CryptoError::Operation("not a supported PKCS#8 RSA or EC private key"))
    }

    /// The key type.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn public_key_der(&self) -> Result<Vec<u8>, CryptoError> {
        const FAILED: CryptoError = CryptoError::Operation("public key encoding failed");
        let spki: PublicKeyX509Der<'static> = match &self.inner {
            Parsed::Rsa(kp) => kp.public_key().as_der().map_err(|_| FAILED)?,
            Parsed::Ec(kp) => kp.public_key().as_der().map_err(|_| FAILED)?,
        };
        Ok(spki.as_ref().to_vec())
    }

    /// Signs a digest (already length-checked for non-benchmark callers; checked again here).
    pub fn sign_digest(
        &self,
        alg: SignatureAlgorithm,
        digest: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        check_request(self.algorithm, alg, digest)?;
        const FAILED: CryptoError = CryptoError::Operation("signing");
        let d =
            Digest::import_less_safe(digest, digest_algorithm(alg.hash())).map_err(|_| FAILED)?;
        match (&self.inner, alg) {
            (Parsed::Rsa(kp), SignatureAlgorithm::RsaPkcs1(h) | SignatureAlgorithm::RsaPss(h)) => {
                let encoding = rsa_encoding(alg, h)?;
                let mut sig = vec![0u8; kp.public_modulus_len()];
                kp.sign_digest(encoding, &d, &mut sig).map_err(|_| FAILED)?;
                Ok(sig)
            }
            (Parsed::Ec(kp), SignatureAlgorithm::Ecdsa(_)) => {
                Ok(kp.sign_digest(&d).map_err(|_| FAILED)?.as_ref().to_vec())
            }
            _ => Err(CryptoError::UnsupportedAlgorithm {
                algorithm: alg.name(),
                key: self.algorithm.as_str().to_owned(),
            }),
        }
    }
}

fn rsa_encoding(
    alg: SignatureAlgorithm,
    h: HashAlgorithm,
) -> Result<&'static dyn signature::RsaEncoding, CryptoError> {
    let pss = matches!(alg, SignatureAlgorithm::RsaPss(_));
    Ok(match (pss, h) {
        (false, HashAlgorithm::Sha256) => &signature::RSA_PKCS1_SHA256,
        (false, HashAlgorithm::Sha384) => &signature::RSA_PKCS1_SHA384,
        (false, HashAlgorithm::Sha512) => &signature::RSA_PKCS1_SHA512,
        (true, HashAlgorithm::Sha256) => &signature::RSA_PSS_SHA256,
        (true, HashAlgorithm::Sha384) => &signature::RSA_PSS_SHA384,
        (true, HashAlgorithm::Sha512) => &signature::RSA_PSS_SHA512,
        // SHA-1 goes through `legacy_sha1`; PSS with SHA-1 is not offered.
        (_, HashAlgorithm::Sha1) => {
            return Err(CryptoError::UnsupportedAlgorithm {
                algorithm: alg.name(),
                key: "RSA (aws-lc-rs path)".to_owned(),
            })
        }
    })
}
