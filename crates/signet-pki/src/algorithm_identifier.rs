//! `AlgorithmIdentifier`s for the signatures Signet makes (certificates here; CMS
//! `signatureAlgorithm`, OCSP and timestamp responses reuse them), and the way back.
//!
//! ```text
//! AlgorithmIdentifier ::= SEQUENCE {
//!      algorithm     OBJECT IDENTIFIER,
//!      parameters    ANY DEFINED BY algorithm OPTIONAL }   -- RFC 5280 §4.1.1.2
//! ```
//!
//! - RSASSA-PKCS1-v1_5 (`sha256WithRSAEncryption`, …): parameters MUST be NULL
//!   (RFC 4055 §5, RFC 8017 appendix A.2.4).
//! - RSASSA-PSS (`id-RSASSA-PSS`): parameters are `RSASSA-PSS-params` (RFC 4055 §3.1) with
//!   the hash, MGF1 over the same hash and a salt as long as the hash — what the crypto
//!   module produces.
//! - ECDSA (`ecdsa-with-SHA256`, …): parameters absent (RFC 5758 §3.2).

use crate::PkiError;
use der::asn1::{Any, Null};
use der::{Decode, Encode, Sequence};
use signet_types::algorithms::oid;
use signet_types::{HashAlgorithm, KeyFamily, SignatureAlgorithm};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// `RSASSA-PSS-params` (RFC 4055 §3.1; the module uses EXPLICIT tags):
///
/// ```text
/// RSASSA-PSS-params  ::=  SEQUENCE  {
///     hashAlgorithm      [0] HashAlgorithm DEFAULT sha1Identifier,
///     maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1Identifier,
///     saltLength         [2] INTEGER DEFAULT 20,
///     trailerField       [3] INTEGER DEFAULT 1  }
/// ```
///
/// DER omits a field equal to its DEFAULT (X.690 §11.5), so SHA-1 fields are left out.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct RsaPssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen_algorithm: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt_length: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer_field: Option<u32>,
}

/// The `signatureAlgorithm` / `signature` identifier of `alg`.
pub fn signature_algorithm_identifier(
    alg: SignatureAlgorithm,
) -> Result<AlgorithmIdentifierOwned, PkiError> {
    let parameters = match alg {
        SignatureAlgorithm::RsaPkcs1(_) => Some(Any::from(Null)),
        SignatureAlgorithm::RsaPss(h) => Some(
            Any::encode_from(&pss_params(h)?).map_err(PkiError::encoding("RSASSA-PSS-params"))?,
        ),
        SignatureAlgorithm::Ecdsa(_) => None,
    };
    Ok(AlgorithmIdentifierOwned { oid: alg.oid(), parameters })
}

/// A digest's identifier with absent parameters, as CMS `digestAlgorithm` and OCSP
/// `CertID.hashAlgorithm` write it (RFC 5754 §2: "the parameters field MUST be absent"
/// for SHA-2; RFC 3370 §2.1 for SHA-1).
pub fn digest_algorithm_identifier(h: HashAlgorithm) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned { oid: h.oid(), parameters: None }
}

/// The `HashAlgorithm` identifier inside `RSASSA-PSS-params`: RFC 4055 §2.1 defines
/// `sha256Identifier ::= { id-sha256, NULL }` (and likewise for the others).
fn pss_hash_identifier(h: HashAlgorithm) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned { oid: h.oid(), parameters: Some(Any::from(Null)) }
}

fn pss_params(h: HashAlgorithm) -> Result<RsaPssParams, PkiError> {
    if h == HashAlgorithm::Sha1 {
        // Every field equals its DEFAULT: an empty SEQUENCE.
        return Ok(RsaPssParams {
            hash_algorithm: None,
            mask_gen_algorithm: None,
            salt_length: None,
            trailer_field: None,
        });
    }
    let mgf1 = AlgorithmIdentifierOwned {
        oid: oid::MGF1,
        parameters: Some(
            Any::encode_from(&pss_hash_identifier(h))
                .map_err(PkiError::encoding("MGF1 parameters"))?,
        ),
    };
    let salt =
        u32::try_from(h.output_len()).map_err(|_| PkiError::UnsupportedAlgorithm(h.to_string()))?;
    Ok(RsaPssParams {
        hash_algorithm: Some(pss_hash_identifier(h)),
        mask_gen_algorithm: Some(mgf1),
        salt_length: Some(salt),
        trailer_field: None,
    })
}

/// Reads a signature identifier back, accepting only what Signet can verify: PKCS#1 v1.5
/// with NULL or absent parameters (RFC 4055 §5 asks verifiers to accept both), ECDSA with
/// absent parameters, and PSS with MGF1 over the same hash, a hash-length salt and the
/// default trailer field.
pub fn signature_algorithm_from_identifier(
    id: &AlgorithmIdentifierOwned,
) -> Result<SignatureAlgorithm, PkiError> {
    let unsupported = |why: &str| PkiError::UnsupportedAlgorithm(format!("{} ({why})", id.oid));
    if id.oid != oid::RSASSA_PSS {
        let alg =
            SignatureAlgorithm::from_oid(&id.oid, None).map_err(|_| unsupported("unknown OID"))?;
        let params_ok = match (alg, &id.parameters) {
            (_, None) => true,
            (SignatureAlgorithm::RsaPkcs1(_), Some(p)) => p.to_der().ok() == Null.to_der().ok(),
            _ => false,
        };
        return if params_ok { Ok(alg) } else { Err(unsupported("unexpected parameters")) };
    }
    let params = id
        .parameters
        .as_ref()
        .ok_or_else(|| unsupported("RSASSA-PSS without parameters"))?
        .decode_as::<RsaPssParams>()
        .map_err(|e| unsupported(&e.to_string()))?;
    let hash = match &params.hash_algorithm {
        None => HashAlgorithm::Sha1,
        Some(h) => HashAlgorithm::from_oid(&h.oid).ok_or_else(|| unsupported("PSS hash"))?,
    };
    let mgf_hash = match &params.mask_gen_algorithm {
        None => HashAlgorithm::Sha1,
        Some(m) if m.oid == oid::MGF1 => {
            let inner = m
                .parameters
                .as_ref()
                .ok_or_else(|| unsupported("MGF1 without a hash"))?
                .decode_as::<AlgorithmIdentifierOwned>()
                .map_err(|e| unsupported(&e.to_string()))?;
            HashAlgorithm::from_oid(&inner.oid).ok_or_else(|| unsupported("MGF1 hash"))?
        }
        Some(_) => return Err(unsupported("mask generation other than MGF1")),
    };
    let salt = params.salt_length.unwrap_or(20);
    if mgf_hash != hash
        || usize::try_from(salt).ok() != Some(hash.output_len())
        || params.trailer_field.unwrap_or(1) != 1
    {
        return Err(unsupported("PSS parameters other than MGF1(same hash), salt = hash length"));
    }
    Ok(SignatureAlgorithm::RsaPss(hash))
}

/// The key family of a DER `SubjectPublicKeyInfo`: `rsaEncryption` (RFC 8017 A.1) or
/// `id-ecPublicKey` (RFC 5480 §2.1.1). (An RSASSA-PSS-only key, RFC 4055 §1.2, is not
/// produced by Signet's crypto modules and is refused.)
pub fn key_family(spki: &SubjectPublicKeyInfoOwned) -> Result<KeyFamily, PkiError> {
    match spki.algorithm.oid {
        o if o == oid::RSA_ENCRYPTION => Ok(KeyFamily::Rsa),
        o if o == oid::EC_PUBLIC_KEY => Ok(KeyFamily::Ec),
        o => Err(PkiError::UnsupportedKey(o.to_string())),
    }
}

/// Parses a DER `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7); `which` names it in errors.
pub fn parse_spki(der: &[u8], which: &'static str) -> Result<SubjectPublicKeyInfoOwned, PkiError> {
    SubjectPublicKeyInfoOwned::from_der(der)
        .map_err(|e| PkiError::InvalidPublicKey { which, reason: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use HashAlgorithm::*;

    fn hex(id: &AlgorithmIdentifierOwned) -> String {
        id.to_der().map(|d| d.iter().map(|b| format!("{b:02x}")).collect()).unwrap_or_default()
    }

    #[test]
    fn pkcs1_has_null_parameters_and_ecdsa_none() -> Result<(), PkiError> {
        // SEQUENCE { sha256WithRSAEncryption, NULL }
        assert_eq!(
            hex(&signature_algorithm_identifier(SignatureAlgorithm::RsaPkcs1(Sha256))?),
            "300d06092a864886f70d01010b0500"
        );
        // SEQUENCE { ecdsa-with-SHA256 } — RFC 5758 §3.2
        assert_eq!(
            hex(&signature_algorithm_identifier(SignatureAlgorithm::Ecdsa(Sha256))?),
            "300a06082a8648ce3d040302"
        );
        Ok(())
    }

    #[test]
    fn pss_sha256_matches_rfc_4055_encoding() -> Result<(), PkiError> {
        // The RSASSA-PSS SHA-256 identifier as RFC 4055 §3.1 defines it (and OpenSSL reads it).
        let expected = "304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120";
        assert_eq!(
            hex(&signature_algorithm_identifier(SignatureAlgorithm::RsaPss(Sha256))?),
            expected
        );
        Ok(())
    }

    #[test]
    fn identifiers_round_trip() -> Result<(), PkiError> {
        for h in [Sha1, Sha256, Sha384, Sha512] {
            for alg in [
                SignatureAlgorithm::RsaPkcs1(h),
                SignatureAlgorithm::RsaPss(h),
                SignatureAlgorithm::Ecdsa(h),
            ] {
                let id = signature_algorithm_identifier(alg)?;
                assert_eq!(signature_algorithm_from_identifier(&id)?, alg, "{alg}");
            }
        }
        Ok(())
    }

    #[test]
    fn pss_with_another_salt_or_mgf_hash_is_refused() -> Result<(), PkiError> {
        let mut p = pss_params(Sha256)?;
        p.salt_length = Some(0);
        let id = AlgorithmIdentifierOwned {
            oid: oid::RSASSA_PSS,
            parameters: Some(Any::encode_from(&p).map_err(PkiError::encoding("test"))?),
        };
        assert!(signature_algorithm_from_identifier(&id).is_err());
        let mut p = pss_params(Sha256)?;
        p.hash_algorithm = Some(pss_hash_identifier(Sha384));
        let id = AlgorithmIdentifierOwned {
            oid: oid::RSASSA_PSS,
            parameters: Some(Any::encode_from(&p).map_err(PkiError::encoding("test"))?),
        };
        assert!(signature_algorithm_from_identifier(&id).is_err());
        Ok(())
    }
}
