//! Whether the certificate that signed a response chains to a trusted one (RFC 9483 §3.5:
//! "the certificate used for signature-based protection … MUST be validated").
//!
//! A deliberately small path validation (RFC 5280 §6.1, basic checks only): each
//! certificate's signature verifies with its issuer's key, every certificate is within its
//! validity at `now`, issuers are CA certificates (basicConstraints cA, keyCertSign when
//! keyUsage is present), names chain by exact DER equality, and the path ends at a
//! trusted certificate. Policies, name constraints and revocation are not checked.

use crate::algorithm_identifier::signature_algorithm_from_identifier;
use crate::time::from_x509_time;
use der::asn1::{Any, BitString};
use der::{Decode, Encode, Sequence};
use signet_types::SignatureAlgorithm;
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, SubjectKeyIdentifier};
use x509_cert::Certificate;

/// At most this many issuers above the protection certificate.
const MAX_DEPTH: usize = 8;

/// `Certificate` with its `tbsCertificate` kept as the exact bytes that were signed
/// (RFC 5280 §4.1).
#[derive(Sequence)]
struct RawCertificate {
    tbs_certificate: Any,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

/// A certificate, parsed once.
pub(crate) struct ParsedCert {
    pub der: Vec<u8>,
    pub cert: Certificate,
    tbs: Vec<u8>,
    spki: Vec<u8>,
}

impl ParsedCert {
    pub(crate) fn parse(der: &[u8]) -> Result<Self, der::Error> {
        let raw = RawCertificate::from_der(der)?;
        let cert = Certificate::from_der(der)?;
        let spki = cert.tbs_certificate().subject_public_key_info().to_der()?;
        Ok(Self { der: der.to_vec(), cert, tbs: raw.tbs_certificate.to_der()?, spki })
    }

    /// Whether `signature` over `message` verifies with this certificate's key.
    pub(crate) fn verifies(
        &self,
        algorithm: SignatureAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        signet_crypto::verify::verify_signature(algorithm, &self.spki, message, signature)
    }

    pub(crate) fn subject_key_id(&self) -> Option<Vec<u8>> {
        let ski = self.cert.tbs_certificate().get_extension::<SubjectKeyIdentifier>().ok()??;
        Some(ski.1 .0.as_bytes().to_vec())
    }

    /// Whether `issuer`'s key made this certificate's signature.
    pub(crate) fn signed_by(&self, issuer: &ParsedCert) -> bool {
        let Ok(alg) = signature_algorithm_from_identifier(self.cert.signature_algorithm()) else {
            return false;
        };
        let Some(sig) = self.cert.signature().as_bytes() else {
            return false;
        };
        self.cert.tbs_certificate().issuer() == issuer.cert.tbs_certificate().subject()
            && issuer.verifies(alg, &self.tbs, sig)
    }

    pub(crate) fn valid_at(&self, now: i64) -> bool {
        let v = self.cert.tbs_certificate().validity();
        from_x509_time(&v.not_before) <= now && now <= from_x509_time(&v.not_after)
    }

    fn can_issue(&self) -> bool {
        let tbs = self.cert.tbs_certificate();
        let ca = matches!(tbs.get_extension::<BasicConstraints>(), Ok(Some((_, b))) if b.ca);
        let ku = match tbs.get_extension::<KeyUsage>() {
            Ok(None) => true,
            Ok(Some((_, ku))) => ku.key_cert_sign(),
            Err(_) => false,
        };
        ca && ku
    }

    fn can_sign_messages(&self) -> bool {
        match self.cert.tbs_certificate().get_extension::<KeyUsage>() {
            Ok(None) => true,
            Ok(Some((_, ku))) => ku.digital_signature(),
            Err(_) => false,
        }
    }
}

/// Validates the path from `leaf` through `intermediates` to one of `anchors` at `now`.
pub(crate) fn validate_path(
    leaf: &ParsedCert,
    intermediates: &[ParsedCert],
    anchors: &[ParsedCert],
    now: i64,
) -> Result<(), String> {
    if !leaf.valid_at(now) {
        return Err("the protection certificate is outside its validity period".into());
    }
    if !leaf.can_sign_messages() {
        return Err("the protection certificate's keyUsage lacks digitalSignature".into());
    }
    if anchors.iter().any(|a| a.der == leaf.der) {
        return Ok(());
    }
    let mut current = leaf;
    for _ in 0..MAX_DEPTH {
        if let Some(anchor) = anchors.iter().find(|a| current.signed_by(a)) {
            return if anchor.valid_at(now) {
                Ok(())
            } else {
                Err("the trusted certificate is outside its validity period".into())
            };
        }
        current = intermediates
            .iter()
            .filter(|c| c.der != current.der && c.can_issue() && c.valid_at(now))
            .find(|c| current.signed_by(c))
            .ok_or("the protection certificate does not chain to a trusted certificate")?;
    }
    Err(format!("no trusted certificate within {MAX_DEPTH} issuers"))
}
