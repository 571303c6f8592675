//! Reading a CAdES / CMS signature made by anyone (Signet, OpenSSL, pyHanko, EU DSS):
//! its signer, the validation material it carries, its time-stamps and its baseline level
//! (ETSI EN 319 122-2 §6.3) by what is present. Nothing is verified here: no signature,
//! no digest, no path (that is validation's job).

use super::archive::ID_AA_ETS_ARCHIVE_TIMESTAMP_V3;
use super::timestamp::ID_AA_SIGNATURE_TIME_STAMP_TOKEN;
use super::view::{contents, oid, Fields, SignatureView, CONTEXT_1, OID, SEQUENCE, SID_KEY_ID};
use super::Packaging;
use crate::AdesError;
use const_oid::ObjectIdentifier;
use der::Decode;
use signet_pki::cms::asn1::{IssuerAndSerialNumber, ID_AA_SIGNING_CERTIFICATE_V2};
use signet_pki::cms::ID_RI_OCSP_RESPONSE;
use signet_types::HashAlgorithm;
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::Certificate;

/// `id-aa-signingCertificate` (RFC 2634 §5.4; EN 319 122-1 §5.2.2.2, SHA-1 only).
const ID_AA_SIGNING_CERTIFICATE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");
/// `id-aa-ets-revocationValues` (EN 319 122-1 §A.1.2, the legacy B-LT carrier).
const ID_AA_ETS_REVOCATION_VALUES: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.24");

/// A CAdES baseline level (EN 319 122-2 §6.3), each including the ones before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CadesLevel {
    /// B-B: signed attributes with signing-certificate(-v2).
    BaselineB,
    /// B-T: and a signature-time-stamp.
    BaselineT,
    /// B-LT: and revocation data (CRLs, OCSP responses) inside the signature.
    BaselineLt,
    /// B-LTA: and an archive-time-stamp-v3.
    BaselineLta,
}

impl CadesLevel {
    /// "B-B", "B-T", "B-LT", "B-LTA".
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BaselineB => "B-B",
            Self::BaselineT => "B-T",
            Self::BaselineLt => "B-LT",
            Self::BaselineLta => "B-LTA",
        }
    }
}

/// What a CMS signature with one signer holds. Certificates, CRLs, OCSP responses and
/// tokens are DER, as found in the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureInfo {
    /// Detached (no eContent) or enveloping.
    pub packaging: Packaging,
    /// `eContentType`.
    pub content_type: ObjectIdentifier,
    /// The eContent of an enveloping signature.
    pub content: Option<Vec<u8>>,
    /// The signer's `digestAlgorithm`.
    pub digest_algorithm: HashAlgorithm,
    /// The signer's `signatureAlgorithm` OID.
    pub signature_algorithm: ObjectIdentifier,
    /// The certificate the SignerInfo's `sid` names (issuerAndSerialNumber or
    /// subjectKeyIdentifier).
    pub signer_certificate: Vec<u8>,
    /// Every X.509 certificate of `SignedData.certificates`, in order.
    pub certificates: Vec<Vec<u8>>,
    /// Every CRL (`CertificateList`) of `SignedData.crls`.
    pub crls: Vec<Vec<u8>>,
    /// Every OCSP response of `SignedData.crls` (RFC 5940 `id-ri-ocsp-response`).
    pub ocsp_responses: Vec<Vec<u8>>,
    /// The signature value (contents of `SignerInfo.signature`).
    pub signature_value: Vec<u8>,
    /// The signature-time-stamp tokens (EN 319 122-1 §5.3).
    pub signature_timestamps: Vec<Vec<u8>>,
    /// The archive-time-stamp-v3 tokens (EN 319 122-1 §5.5.3), each with its
    /// ats-hash-index-v3.
    pub archive_timestamps: Vec<Vec<u8>>,
    /// The baseline level by what is present; `None`: no signing-certificate(-v2) signed
    /// attribute, so a plain CMS signature rather than CAdES.
    pub level: Option<CadesLevel>,
}

/// Reads a DER CMS signature (a `ContentInfo` holding a SignedData). Refused: anything
/// that is not a SignedData with exactly one SignerInfo (a certs-only "degenerate"
/// PKCS#7, several signers), an unknown digest algorithm, a signer certificate that is
/// not included.
pub fn inspect(signature_der: &[u8]) -> Result<SignatureInfo, AdesError> {
    let view = SignatureView::parse(signature_der)?;
    let signer = &view.signer;
    let digest_oid = AlgorithmIdentifierOwned::from_der(signer.digest_algorithm)
        .map_err(|e| AdesError::invalid("SignerInfo.digestAlgorithm", e))?
        .oid;
    let digest_algorithm = HashAlgorithm::from_oid(&digest_oid).ok_or_else(|| {
        AdesError::InvalidSignature(format!("unknown digest algorithm {digest_oid}"))
    })?;
    let signature_algorithm = AlgorithmIdentifierOwned::from_der(signer.signature_algorithm)
        .map_err(|e| AdesError::invalid("SignerInfo.signatureAlgorithm", e))?
        .oid;
    let certificates: Vec<&[u8]> =
        view.certificates.iter().copied().filter(|c| c.first() == Some(&SEQUENCE)).collect();
    let signer_certificate = find_signer(signer.sid, &certificates)?;

    let (mut crls, mut ocsp_responses) = (Vec::new(), Vec::new());
    for choice in &view.crls {
        match choice.first() {
            Some(&SEQUENCE) => crls.push(choice.to_vec()),
            Some(&CONTEXT_1) => {
                // [1] IMPLICIT OtherRevocationInfoFormat { otherRevInfoFormat, otherRevInfo }
                let mut f = Fields::of(choice, CONTEXT_1, "OtherRevocationInfoFormat")?;
                let format = oid(f.next(OID, "otherRevInfoFormat")?)?;
                if let (true, Some(info)) = (format == ID_RI_OCSP_RESPONSE, f.items.get(1)) {
                    ocsp_responses.push(info.to_vec());
                }
            }
            _ => {}
        }
    }
    let unsigned_values = |oid: ObjectIdentifier| -> Vec<Vec<u8>> {
        signer
            .unsigned_attrs
            .iter()
            .filter(|a| a.oid == oid)
            .flat_map(|a| a.values.iter().map(|v| v.to_vec()))
            .collect()
    };
    let signature_timestamps = unsigned_values(ID_AA_SIGNATURE_TIME_STAMP_TOKEN);
    let archive_timestamps = unsigned_values(ID_AA_ETS_ARCHIVE_TIMESTAMP_V3);

    let signed_has = |oid| signer.signed_attrs.iter().any(|a| a.oid == oid);
    let cades = signed_has(ID_AA_SIGNING_CERTIFICATE_V2) || signed_has(ID_AA_SIGNING_CERTIFICATE);
    let revocation = !crls.is_empty()
        || !ocsp_responses.is_empty()
        || signer.unsigned_attrs.iter().any(|a| a.oid == ID_AA_ETS_REVOCATION_VALUES);
    let level = cades.then_some(
        match (signature_timestamps.is_empty(), revocation, archive_timestamps.is_empty()) {
            (true, _, _) => CadesLevel::BaselineB,
            (false, false, _) => CadesLevel::BaselineT,
            (false, true, true) => CadesLevel::BaselineLt,
            (false, true, false) => CadesLevel::BaselineLta,
        },
    );
    Ok(SignatureInfo {
        packaging: if view.e_content.is_some() {
            Packaging::Enveloping
        } else {
            Packaging::Detached
        },
        content_type: view.e_content_type,
        content: view.e_content.map(<[u8]>::to_vec),
        digest_algorithm,
        signature_algorithm,
        signer_certificate: signer_certificate.to_vec(),
        certificates: certificates.iter().map(|c| c.to_vec()).collect(),
        crls,
        ocsp_responses,
        signature_value: signer.signature.to_vec(),
        signature_timestamps,
        archive_timestamps,
        level,
    })
}

/// The certificate `sid` names (RFC 5652 §5.3 `SignerIdentifier`):
///
/// ```text
/// SignerIdentifier ::= CHOICE {
///   issuerAndSerialNumber IssuerAndSerialNumber,
///   subjectKeyIdentifier [0] SubjectKeyIdentifier }
/// ```
fn find_signer<'a>(sid: &[u8], certificates: &[&'a [u8]]) -> Result<&'a [u8], AdesError> {
    let matches: Box<dyn Fn(&Certificate) -> bool> = match sid.first() {
        Some(&SEQUENCE) => {
            let id = IssuerAndSerialNumber::from_der(sid)
                .map_err(|e| AdesError::invalid("SignerInfo.sid", e))?;
            Box::new(move |c: &Certificate| {
                let tbs = c.tbs_certificate();
                tbs.issuer() == &id.issuer && tbs.serial_number() == &id.serial_number
            })
        }
        Some(&SID_KEY_ID) => {
            let key_id = contents(sid)?.to_vec();
            Box::new(move |c: &Certificate| {
                matches!(c.tbs_certificate().get_extension::<SubjectKeyIdentifier>(),
                    Ok(Some((_, ski))) if ski.0.as_bytes() == key_id.as_slice())
            })
        }
        _ => return Err(AdesError::InvalidSignature("SignerInfo.sid is malformed".into())),
    };
    certificates
        .iter()
        .copied()
        .find(|der| Certificate::from_der(der).is_ok_and(|c| matches(&c)))
        .ok_or_else(|| {
            AdesError::InvalidSignature(
                "the signer's certificate is not in SignedData.certificates".into(),
            )
        })
}
