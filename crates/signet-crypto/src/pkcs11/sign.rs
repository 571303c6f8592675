//! Signing a digest with a private key object (`C_Sign`, PKCS#11 v2.40 §5.12):
//!
//! - RSA PKCS#1 v1.5: `CKM_RSA_PKCS` over the DER `DigestInfo` (RFC 8017 §9.2), which
//!   gives the same bytes as `CKM_SHA256_RSA_PKCS` over the data (Current Mechanisms
//!   §2.1.6, §2.1.7);
//! - RSA-PSS: `CKM_RSA_PKCS_PSS` over the digest, MGF1 with the same hash, salt as long as
//!   the hash (RFC 8017 §9.1; Current Mechanisms §2.1.10);
//! - ECDSA: `CKM_ECDSA` over the digest (Current Mechanisms §2.3.7), whose `r ‖ s` output
//!   is re-encoded as the DER `Ecdsa-Sig-Value` of RFC 3279 §2.2.3.

use super::error::hsm;
use crate::CryptoError;
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::ObjectHandle;
use cryptoki::session::Session;
use der::asn1::UintRef;
use der::Encode;
use signet_types::{HashAlgorithm, SignatureAlgorithm};

/// The DER `DigestInfo` prefix of each hash (RFC 8017 §9.2, note 1).
fn digest_info_prefix(h: HashAlgorithm) -> &'static [u8] {
    match h {
        HashAlgorithm::Sha1 => &[
            0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
            0x14,
        ],
        HashAlgorithm::Sha256 => &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ],
        HashAlgorithm::Sha384 => &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ],
        HashAlgorithm::Sha512 => &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ],
    }
}

fn pss_params(h: HashAlgorithm) -> Result<PkcsPssParams, CryptoError> {
    let (hash_alg, mgf) = match h {
        HashAlgorithm::Sha256 => (MechanismType::SHA256, PkcsMgfType::MGF1_SHA256),
        HashAlgorithm::Sha384 => (MechanismType::SHA384, PkcsMgfType::MGF1_SHA384),
        HashAlgorithm::Sha512 => (MechanismType::SHA512, PkcsMgfType::MGF1_SHA512),
        HashAlgorithm::Sha1 => {
            return Err(CryptoError::UnsupportedAlgorithm {
                algorithm: SignatureAlgorithm::RsaPss(h).name(),
                key: "RSA".into(),
            })
        }
    };
    let s_len = u64::try_from(h.output_len()).unwrap_or(0).into();
    Ok(PkcsPssParams { hash_alg, mgf, s_len })
}

/// Signs one digest (its length already checked against `alg`) with `key`.
pub(crate) fn sign_digest(
    session: &Session,
    key: ObjectHandle,
    alg: SignatureAlgorithm,
    digest: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    match alg {
        SignatureAlgorithm::RsaPkcs1(h) => {
            let mut info = digest_info_prefix(h).to_vec();
            info.extend_from_slice(digest);
            session.sign(&Mechanism::RsaPkcs, key, &info).map_err(|e| hsm("signing", &e))
        }
        SignatureAlgorithm::RsaPss(h) => {
            let params = pss_params(h)?;
            session
                .sign(&Mechanism::RsaPkcsPss(params), key, digest)
                .map_err(|e| hsm("signing", &e))
        }
        SignatureAlgorithm::Ecdsa(_) => {
            let raw =
                session.sign(&Mechanism::Ecdsa, key, digest).map_err(|e| hsm("signing", &e))?;
            ecdsa_der(&raw)
        }
    }
}

/// ```text
/// Ecdsa-Sig-Value ::= SEQUENCE {
///     r     INTEGER,
///     s     INTEGER }
/// ```
/// (RFC 3279 §2.2.3)
#[derive(der::Sequence)]
struct EcdsaSigValue<'a> {
    r: UintRef<'a>,
    s: UintRef<'a>,
}

/// `r ‖ s` (each the field size, big-endian) as a DER `Ecdsa-Sig-Value`.
fn ecdsa_der(raw: &[u8]) -> Result<Vec<u8>, CryptoError> {
    const BAD: CryptoError = CryptoError::Operation("the HSM returned a malformed ECDSA signature");
    if raw.is_empty() || !raw.len().is_multiple_of(2) {
        return Err(BAD);
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    let value = EcdsaSigValue {
        r: UintRef::new(r).map_err(|_| BAD)?,
        s: UintRef::new(s).map_err(|_| BAD)?,
    };
    value.to_der().map_err(|_| BAD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_info_prefixes_announce_their_length() {
        for h in [
            HashAlgorithm::Sha1,
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            let p = digest_info_prefix(h);
            // SEQUENCE length covers the rest of the prefix plus the digest; the OCTET
            // STRING's length is the digest's.
            assert_eq!(usize::from(p[1]), p.len() - 2 + h.output_len(), "{h:?}");
            assert_eq!(usize::from(p[p.len() - 1]), h.output_len(), "{h:?}");
        }
    }

    #[test]
    fn ecdsa_signatures_become_der_with_minimal_integers() {
        let mut raw = vec![0u8; 64];
        raw[0] = 0x80; // r needs a leading zero byte
        raw[32] = 0x00; // s has a leading zero to strip
        raw[33] = 0x01;
        let der = ecdsa_der(&raw).unwrap();
        assert_eq!(&der[..4], &[0x30, der.len() as u8 - 2, 0x02, 33]);
        assert_eq!(der[4], 0x00);
        assert!(ecdsa_der(&raw[..63]).is_err());
    }
}
