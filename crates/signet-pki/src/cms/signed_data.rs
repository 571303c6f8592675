//! Signed attributes and the SignedData around a signature (RFC 5652 §5).

use super::asn1::{
    ContentInfo, EncapsulatedContentInfo, EssCertIdV2, IssuerAndSerialNumber, IssuerSerial,
    SignedData, SignerInfo, SigningCertificateV2, ID_AA_SIGNING_CERTIFICATE_V2, ID_CONTENT_TYPE,
    ID_MESSAGE_DIGEST, ID_SIGNED_DATA,
};
use crate::algorithm_identifier::{digest_algorithm_identifier, signature_algorithm_identifier};
use crate::PkiError;
use const_oid::ObjectIdentifier;
use der::asn1::{Any, OctetString, SetOfVec};
use der::{Decode, Encode};
use signet_crypto::digest::digest;
use signet_types::{HashAlgorithm, SignatureAlgorithm};
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::Certificate;

/// `id-data` (RFC 5652 §4).
pub const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
/// `id-signingTime` (RFC 5652 §11.3).
pub const ID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");

/// A signer's signed attributes, in the order they are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedAttributes {
    set: SetOfVec<Attribute>,
}

impl SignedAttributes {
    /// contentType, messageDigest (the content's digest with the signer's hash),
    /// signingTime when given (unix seconds), and signingCertificateV2 naming the signer's
    /// certificate by its SHA-256 hash and issuer/serial (RFC 5035 §3; ETSI EN 319 122-1
    /// §5.2.2.3: the certificate digest and, recommended, issuerSerial).
    pub fn new(
        content_type: ObjectIdentifier,
        content_digest: &[u8],
        signer_certificate: &[u8],
        signing_time: Option<i64>,
    ) -> Result<Self, PkiError> {
        let cert = Certificate::from_der(signer_certificate).map_err(PkiError::certificate)?;
        let tbs = cert.tbs_certificate();
        let ess = SigningCertificateV2 {
            certs: vec![EssCertIdV2 {
                hash_algorithm: None, // id-sha256, the DEFAULT
                cert_hash: octets(&digest(HashAlgorithm::Sha256, signer_certificate))?,
                issuer_serial: Some(IssuerSerial {
                    issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
                    serial_number: tbs.serial_number().clone(),
                }),
            }],
        };
        let mut attrs = vec![
            attribute(ID_CONTENT_TYPE, &content_type)?,
            attribute(ID_MESSAGE_DIGEST, &octets(content_digest)?)?,
        ];
        if let Some(t) = signing_time {
            attrs.push(attribute(ID_SIGNING_TIME, &crate::time::to_x509_time(t)?)?);
        }
        attrs.push(attribute(ID_AA_SIGNING_CERTIFICATE_V2, &ess)?);
        let set = SetOfVec::from_iter(attrs).map_err(PkiError::encoding("SignedAttributes"))?;
        Ok(Self { set })
    }

    /// Reads attributes back from [`SignedAttributes::to_be_signed`]'s DER.
    pub fn from_der(der: &[u8]) -> Result<Self, PkiError> {
        let set = SetOfVec::<Attribute>::from_der(der)
            .map_err(|e| PkiError::InvalidCms(format!("signed attributes: {e}")))?;
        Ok(Self { set })
    }

    /// The DER of the attributes with the SET OF tag: what is hashed and signed (RFC 5652
    /// §5.4: "the complete DER encoding of the SignedAttrs value … [with] an EXPLICIT SET
    /// OF tag", not the [0] IMPLICIT tag it is sent with).
    pub fn to_be_signed(&self) -> Result<Vec<u8>, PkiError> {
        self.set.to_der().map_err(PkiError::encoding("SignedAttributes"))
    }

    /// The message-digest attribute's value (RFC 5652 §11.2): the content's digest.
    pub fn message_digest(&self) -> Result<Vec<u8>, PkiError> {
        let attr = self
            .set
            .iter()
            .find(|a| a.oid == ID_MESSAGE_DIGEST)
            .ok_or_else(|| PkiError::InvalidCms("no message-digest attribute".into()))?;
        let value = attr
            .values
            .iter()
            .next()
            .ok_or_else(|| PkiError::InvalidCms("an empty message-digest attribute".into()))?;
        let octets: der::asn1::OctetString =
            value.decode_as().map_err(|e| PkiError::InvalidCms(format!("message-digest: {e}")))?;
        Ok(octets.as_bytes().to_vec())
    }

    /// The digest to sign (the DTBS/R of EN 319 122-1), with `hash`.
    pub fn digest(&self, hash: HashAlgorithm) -> Result<Vec<u8>, PkiError> {
        Ok(digest(hash, &self.to_be_signed()?))
    }
}

/// What a SignedData with one signer is assembled from.
#[derive(Debug)]
pub struct SignedDataParts<'a> {
    /// `eContentType`.
    pub content_type: ObjectIdentifier,
    /// `eContent` for an enveloping (attached) signature; `None`: detached.
    pub content: Option<&'a [u8]>,
    /// The signer's certificate (DER): its issuer and serial name the signer.
    pub signer_certificate: &'a [u8],
    /// Every certificate to include (DER), the signer's first; none: the field is left out.
    pub certificates: &'a [&'a [u8]],
    /// The signature algorithm the signature was made with.
    pub algorithm: SignatureAlgorithm,
    /// The attributes that were signed.
    pub signed_attributes: &'a SignedAttributes,
    /// The signature over their digest.
    pub signature: &'a [u8],
}

/// Assembles the DER `ContentInfo` holding the SignedData (RFC 5652 §5.1, §5.3): version 1
/// for `id-data` content, 3 otherwise; one SignerInfo, version 1 with IssuerAndSerialNumber.
pub fn signed_data(parts: &SignedDataParts<'_>) -> Result<Vec<u8>, PkiError> {
    let cert = Certificate::from_der(parts.signer_certificate).map_err(PkiError::certificate)?;
    let tbs = cert.tbs_certificate();
    let hash = parts.algorithm.hash();
    let signer_info = SignerInfo {
        version: 1,
        sid: IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        },
        digest_algorithm: digest_algorithm_identifier(hash),
        signed_attrs: Some(parts.signed_attributes.set.clone()),
        signature_algorithm: signature_algorithm_identifier(parts.algorithm)?,
        signature: octets(parts.signature)?,
        unsigned_attrs: None,
    };
    let certificates = if parts.certificates.is_empty() {
        None
    } else {
        let certs = parts
            .certificates
            .iter()
            .map(|der| Certificate::from_der(der).and_then(|c| Any::encode_from(&c)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(PkiError::certificate)?;
        Some(SetOfVec::from_iter(certs).map_err(PkiError::encoding("CertificateSet"))?)
    };
    let signed_data = SignedData {
        // RFC 5652 §5.1: 3 when eContentType is not id-data, else 1 (no v2+ structures).
        version: if parts.content_type == ID_DATA { 1 } else { 3 },
        digest_algorithms: SetOfVec::from_iter([digest_algorithm_identifier(hash)])
            .map_err(PkiError::encoding("digestAlgorithms"))?,
        encap_content_info: EncapsulatedContentInfo {
            e_content_type: parts.content_type,
            e_content: parts.content.map(octets).transpose()?,
        },
        certificates,
        crls: None,
        signer_infos: SetOfVec::from_iter([
            Any::encode_from(&signer_info).map_err(PkiError::encoding("SignerInfo"))?
        ])
        .map_err(PkiError::encoding("SignerInfos"))?,
    };
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data).map_err(PkiError::encoding("SignedData"))?,
    }
    .to_der()
    .map_err(PkiError::encoding("ContentInfo"))
}

/// An `Attribute` with one value (RFC 5652 §5.3: "attrValues … MUST contain exactly one
/// value" for contentType, messageDigest and signingTime; RFC 5035 §3 for
/// signingCertificateV2).
fn attribute<T: der::EncodeValue + der::Tagged>(
    oid: ObjectIdentifier,
    value: &T,
) -> Result<Attribute, PkiError> {
    let value = Any::encode_from(value).map_err(PkiError::encoding("attribute value"))?;
    let values = SetOfVec::from_iter([value]).map_err(PkiError::encoding("attribute values"))?;
    Ok(Attribute { oid, values })
}

fn octets(bytes: &[u8]) -> Result<OctetString, PkiError> {
    OctetString::new(bytes).map_err(PkiError::encoding("OCTET STRING"))
}

/// The first SignerInfo of a DER `ContentInfo` holding a SignedData, with the SignedData.
fn first_signer(content_info: &[u8]) -> Result<(SignedData, SignerInfo), PkiError> {
    let bad = |what: &str| PkiError::InvalidCms(what.to_owned());
    let ci = ContentInfo::from_der(content_info).map_err(|e| bad(&format!("ContentInfo: {e}")))?;
    if ci.content_type != ID_SIGNED_DATA {
        return Err(bad("not a SignedData"));
    }
    let sd: SignedData = ci.content.decode_as().map_err(|e| bad(&format!("SignedData: {e}")))?;
    let first = sd.signer_infos.iter().next().ok_or_else(|| bad("no SignerInfo"))?;
    let si: SignerInfo = first.decode_as().map_err(|e| bad(&format!("SignerInfo: {e}")))?;
    if sd.signer_infos.len() != 1 {
        return Err(bad("more than one SignerInfo"));
    }
    Ok((sd, si))
}

/// The signature value of the (only) signer of a CMS signature: what a signature
/// time-stamp covers (RFC 3161 Appendix A, ETSI EN 319 122-1 §5.3).
pub fn signature_value(content_info: &[u8]) -> Result<Vec<u8>, PkiError> {
    Ok(first_signer(content_info)?.1.signature.as_bytes().to_vec())
}

/// Adds an unsigned attribute (`oid`, one DER value) to the only signer of a CMS
/// signature and returns the new DER. Everything signed is kept byte for byte: the
/// signed attributes are re-encoded from their DER, which is canonical.
pub fn add_unsigned_attribute(
    content_info: &[u8],
    oid: ObjectIdentifier,
    value_der: &[u8],
) -> Result<Vec<u8>, PkiError> {
    let (mut sd, mut si) = first_signer(content_info)?;
    let value = Any::from_der(value_der)
        .map_err(|e| PkiError::InvalidCms(format!("attribute value: {e}")))?;
    let attr = Attribute {
        oid,
        values: SetOfVec::from_iter([value]).map_err(PkiError::encoding("attribute values"))?,
    };
    let mut attrs: Vec<Attribute> =
        si.unsigned_attrs.take().map(|s| s.into_vec()).unwrap_or_default();
    attrs.push(attr);
    si.unsigned_attrs =
        Some(SetOfVec::from_iter(attrs).map_err(PkiError::encoding("UnsignedAttributes"))?);
    sd.signer_infos =
        SetOfVec::from_iter([Any::encode_from(&si).map_err(PkiError::encoding("SignerInfo"))?])
            .map_err(PkiError::encoding("SignerInfos"))?;
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&sd).map_err(PkiError::encoding("SignedData"))?,
    }
    .to_der()
    .map_err(PkiError::encoding("ContentInfo"))
}

/// `id-ri-ocsp-response` (RFC 5940 §4): an OCSPResponse as other revocation information.
pub const ID_RI_OCSP_RESPONSE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.16.2");

/// Adds validation material to a CMS signature (RFC 5652 §5.1 `certificates` and `crls`;
/// RFC 5940 §4 for OCSP responses as `[1] OtherRevocationInfoFormat`): certificates
/// (DER), CRLs (DER `CertificateList`) and OCSP responses (DER `OCSPResponse`). What is
/// already there is kept and nothing is added twice; the signer info is untouched.
pub fn add_validation_data(
    content_info: &[u8],
    certificates: &[Vec<u8>],
    crls: &[Vec<u8>],
    ocsp_responses: &[Vec<u8>],
) -> Result<Vec<u8>, PkiError> {
    let bad = |what: &str| PkiError::InvalidCms(what.to_owned());
    let ci = ContentInfo::from_der(content_info).map_err(|e| bad(&format!("ContentInfo: {e}")))?;
    if ci.content_type != ID_SIGNED_DATA {
        return Err(bad("not a SignedData"));
    }
    let mut sd: SignedData =
        ci.content.decode_as().map_err(|e| bad(&format!("SignedData: {e}")))?;

    let mut certs: Vec<Any> = sd.certificates.take().map(|s| s.into_vec()).unwrap_or_default();
    for der in certificates {
        Certificate::from_der(der).map_err(PkiError::certificate)?;
        let any = Any::from_der(der).map_err(|e| bad(&format!("certificate: {e}")))?;
        if !certs.contains(&any) {
            certs.push(any);
        }
    }
    let mut revocation: Vec<Any> = sd.crls.take().map(|s| s.into_vec()).unwrap_or_default();
    for der in crls {
        <x509_cert::crl::CertificateList>::from_der(der)
            .map_err(|e| PkiError::InvalidCms(format!("CRL: {e}")))?;
        let any = Any::from_der(der).map_err(|e| bad(&format!("CRL: {e}")))?;
        if !revocation.contains(&any) {
            revocation.push(any);
        }
    }
    for der in ocsp_responses {
        let response = Any::from_der(der).map_err(|e| bad(&format!("OCSP response: {e}")))?;
        // OtherRevocationInfoFormat ::= SEQUENCE { otherRevInfoFormat OID, otherRevInfo ANY },
        // sent as [1] IMPLICIT: the SEQUENCE's tag becomes context-specific, constructed, 1.
        let mut other = super::asn1::OtherRevocationInfoFormat {
            other_rev_info_format: ID_RI_OCSP_RESPONSE,
            other_rev_info: response,
        }
        .to_der()
        .map_err(PkiError::encoding("OtherRevocationInfoFormat"))?;
        other[0] = 0xA1;
        let any = Any::from_der(&other).map_err(|e| bad(&format!("OCSP response: {e}")))?;
        if !revocation.contains(&any) {
            revocation.push(any);
        }
    }
    if !certs.is_empty() {
        sd.certificates =
            Some(SetOfVec::from_iter(certs).map_err(PkiError::encoding("CertificateSet"))?);
    }
    if !revocation.is_empty() {
        sd.crls = Some(
            SetOfVec::from_iter(revocation).map_err(PkiError::encoding("RevocationInfoChoices"))?,
        );
    }
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&sd).map_err(PkiError::encoding("SignedData"))?,
    }
    .to_der()
    .map_err(PkiError::encoding("ContentInfo"))
}
