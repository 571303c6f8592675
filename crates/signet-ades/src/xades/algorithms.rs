//! Algorithm identifiers of XMLDSig and their values: digest methods (XMLDSig §6.2,
//! RFC 6931 §2.1), signature methods (XMLDSig 1.1 §6.4, RFC 6931 §2.3) and the ECDSA
//! signature value, which XMLDSig writes as the two integers r and s side by side, each
//! as long as the curve's order (XMLDSig 1.1 §6.4.3; RFC 4050 §3.3), not as DER.

use crate::AdesError;
use der::asn1::UintRef;
use der::{Decode, Sequence};
use signet_types::{HashAlgorithm, SignatureAlgorithm};

/// A digest method's URI.
pub fn digest_uri(hash: HashAlgorithm) -> &'static str {
    match hash {
        HashAlgorithm::Sha1 => "http://www.w3.org/2000/09/xmldsig#sha1",
        HashAlgorithm::Sha256 => "http://www.w3.org/2001/04/xmlenc#sha256",
        HashAlgorithm::Sha384 => "http://www.w3.org/2001/04/xmldsig-more#sha384",
        HashAlgorithm::Sha512 => "http://www.w3.org/2001/04/xmlenc#sha512",
    }
}

/// The hash a digest method's URI names.
pub fn digest_from_uri(uri: &str) -> Option<HashAlgorithm> {
    [HashAlgorithm::Sha1, HashAlgorithm::Sha256, HashAlgorithm::Sha384, HashAlgorithm::Sha512]
        .into_iter()
        .find(|h| digest_uri(*h) == uri)
}

/// A signature method's URI: RSA PKCS#1 v1.5 (RFC 6931 §2.3.2), RSASSA-PSS with MGF1 of
/// the same hash and a salt as long as the hash (RFC 6931 §2.3.10) and ECDSA (§2.3.6).
pub fn signature_uri(algorithm: SignatureAlgorithm) -> &'static str {
    use HashAlgorithm::*;
    match algorithm {
        SignatureAlgorithm::RsaPkcs1(Sha1) => "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        SignatureAlgorithm::RsaPkcs1(Sha256) => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        SignatureAlgorithm::RsaPkcs1(Sha384) => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
        SignatureAlgorithm::RsaPkcs1(Sha512) => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        SignatureAlgorithm::RsaPss(Sha1) => "http://www.w3.org/2007/05/xmldsig-more#sha1-rsa-MGF1",
        SignatureAlgorithm::RsaPss(Sha256) => {
            "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1"
        }
        SignatureAlgorithm::RsaPss(Sha384) => {
            "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1"
        }
        SignatureAlgorithm::RsaPss(Sha512) => {
            "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1"
        }
        SignatureAlgorithm::Ecdsa(Sha1) => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1",
        SignatureAlgorithm::Ecdsa(Sha256) => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
        SignatureAlgorithm::Ecdsa(Sha384) => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
        SignatureAlgorithm::Ecdsa(Sha512) => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
    }
}

/// The algorithm a signature method's URI names.
pub fn signature_from_uri(uri: &str) -> Option<SignatureAlgorithm> {
    let hashes =
        [HashAlgorithm::Sha1, HashAlgorithm::Sha256, HashAlgorithm::Sha384, HashAlgorithm::Sha512];
    hashes
        .into_iter()
        .flat_map(|h| {
            [
                SignatureAlgorithm::RsaPkcs1(h),
                SignatureAlgorithm::RsaPss(h),
                SignatureAlgorithm::Ecdsa(h),
            ]
        })
        .find(|a| signature_uri(*a) == uri)
}

/// `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 3279 §2.2.3).
#[derive(Sequence)]
struct EcdsaSigValue<'a> {
    r: UintRef<'a>,
    s: UintRef<'a>,
}

/// The XMLDSig form of a signature value made by the crypto module: unchanged for RSA;
/// for ECDSA, r and s from the DER `Ecdsa-Sig-Value`, each left-padded to `field_len`.
pub fn signature_value(
    algorithm: SignatureAlgorithm,
    value: &[u8],
    field_len: Option<usize>,
) -> Result<Vec<u8>, AdesError> {
    if !matches!(algorithm, SignatureAlgorithm::Ecdsa(_)) {
        return Ok(value.to_vec());
    }
    let len = field_len.ok_or_else(|| {
        AdesError::InvalidRequest("the signer's key is not on a known curve".into())
    })?;
    let sig = EcdsaSigValue::from_der(value)
        .map_err(|e| AdesError::InvalidRequest(format!("an ECDSA signature value: {e}")))?;
    let mut out = Vec::with_capacity(2 * len);
    for int in [sig.r.as_bytes(), sig.s.as_bytes()] {
        if int.len() > len {
            return Err(AdesError::InvalidRequest(
                "an ECDSA integer is longer than the curve".into(),
            ));
        }
        out.extend(std::iter::repeat_n(0u8, len - int.len()));
        out.extend_from_slice(int);
    }
    Ok(out)
}

/// The byte length of the curve order of an EC public key (`SubjectPublicKeyInfo` DER):
/// 32 (P-256), 48 (P-384), 66 (P-521); `None` for another key.
pub fn ec_field_len(spki_der: &[u8]) -> Option<usize> {
    let spki = spki::SubjectPublicKeyInfoRef::from_der(spki_der).ok()?;
    let curve = spki.algorithm.parameters?.decode_as::<der::asn1::ObjectIdentifier>().ok()?;
    match curve.to_string().as_str() {
        "1.2.840.10045.3.1.7" => Some(32),
        "1.3.132.0.34" => Some(48),
        "1.3.132.0.35" => Some(66),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_round_trip() {
        for h in [
            HashAlgorithm::Sha1,
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            assert_eq!(digest_from_uri(digest_uri(h)), Some(h));
            for a in [
                SignatureAlgorithm::RsaPkcs1(h),
                SignatureAlgorithm::RsaPss(h),
                SignatureAlgorithm::Ecdsa(h),
            ] {
                assert_eq!(signature_from_uri(signature_uri(a)), Some(a));
            }
        }
    }

    #[test]
    fn ecdsa_der_becomes_r_and_s_padded() {
        // SEQUENCE { INTEGER 0x01, INTEGER 0x00ff (positive, with its sign octet) }
        let der = [0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0xff];
        let raw = signature_value(SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256), &der, Some(4))
            .unwrap();
        assert_eq!(raw, [0, 0, 0, 1, 0, 0, 0, 0xff]);
        assert!(signature_value(SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256), &der, Some(0))
            .is_err());
    }
}
