//! The X.509 v3 extensions of each [`Profile`] (RFC 5280 §4.2).
//!
//! | extension | root CA | issuing CA | natural / legal person | TSA / OCSP responder |
//! |---|---|---|---|---|
//! | basicConstraints (§4.2.1.9) | critical, cA | critical, cA, pathLen 0 | non-critical, cA false | same |
//! | keyUsage (§4.2.1.3) | critical, keyCertSign cRLSign | same | critical, digitalSignature nonRepudiation | critical, digitalSignature |
//! | extendedKeyUsage (§4.2.1.12) | — | — | — | critical, timeStamping / OCSPSigning only |
//! | id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1) | — | — | — | OCSP responder only |
//! | subjectKeyIdentifier (§4.2.1.2) | yes | yes | yes | yes |
//! | authorityKeyIdentifier (§4.2.1.1) | — (self-signed) | issuer's SKI | issuer's SKI | issuer's SKI |
//! | subjectAltName rfc822Name (§4.2.1.6) | if an e-mail is given | same | same | same |
//! | cRLDistributionPoints (§4.2.1.13) | — | root's CRL | issuing CA's CRL | same |
//! | authorityInfoAccess (§4.2.2.1) | — | caIssuers | OCSP + caIssuers | TSA: OCSP + caIssuers; OCSP responder: caIssuers |
//! | certificatePolicies (§4.2.1.4), qcStatements (RFC 3739 §3.2.6) | — | — | as the configured profile says ([`CertificateContent`]) | — |
//!
//! EN 319 412-2 §4.3.11 (natural persons) and EN 319 412-3 (legal persons, by reference)
//! require the AIA caIssuers access method, and an OCSP access location when the CA runs
//! an OCSP responder; EN 319 412-2 §4.3.11 requires cRLDistributionPoints when no OCSP
//! location is given — Signet gives both.

use crate::name::email_general_name;
use crate::{CertificateContent, PkiError, PkiUrls, Profile};
use const_oid::db::rfc5280::{ID_AD_CA_ISSUERS, ID_AD_OCSP};
use const_oid::db::rfc6960::ID_PKIX_OCSP_NOCHECK;
use const_oid::AssociatedOid;
use der::asn1::{Ia5String, Null, OctetString};
use der::Encode;
use signet_types::HashAlgorithm;
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints,
    CrlDistributionPoints, ExtendedKeyUsage, SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::ext::{Extension, Extensions};

/// What the extensions of one certificate are made from.
#[derive(Debug)]
pub(crate) struct ExtensionInputs<'a> {
    pub profile: Profile,
    pub subject_public_key: &'a SubjectPublicKeyInfoOwned,
    /// The issuer's key identifier and CA id; `None` for a self-signed root.
    pub issuer: Option<(Vec<u8>, &'a str)>,
    pub email: Option<&'a str>,
    pub urls: &'a PkiUrls,
    /// A configured profile's policies and QC statements (end entities only).
    pub content: Option<&'a CertificateContent>,
}

/// The extensions, in the order of the table above.
pub(crate) fn extensions(inputs: &ExtensionInputs<'_>) -> Result<Extensions, PkiError> {
    let profile = inputs.profile;
    let mut out = Vec::new();

    let basic = BasicConstraints {
        ca: profile.is_ca(),
        path_len_constraint: (profile == Profile::IssuingCa).then_some(0),
    };
    // RFC 5280 §4.2.1.9: MUST be critical in CA certificates; MAY be either in others.
    out.push(extension(&basic, profile.is_ca())?);
    // RFC 5280 §4.2.1.3: "When present, conforming CAs SHOULD mark this extension as critical."
    out.push(extension(&profile.key_usage(), true)?);
    if let Some(purpose) = profile.extended_key_usage() {
        // RFC 3161 §2.3: the TSA certificate "MUST contain only one instance of the extended
        // key usage field extension … with KeyPurposeID having value: id-kp-timeStamping.
        // This extension MUST be critical." The OCSP responder's is made critical too.
        out.push(extension(&ExtendedKeyUsage(vec![purpose]), true)?);
    }
    if profile == Profile::Ocsp {
        // RFC 6960 §4.2.2.2.1: `id-pkix-ocsp-nocheck`, "a value of NULL … SHOULD be a
        // non-critical extension": clients trust the responder for its lifetime.
        out.push(Extension {
            extn_id: ID_PKIX_OCSP_NOCHECK,
            critical: false,
            extn_value: octets(&Null.to_der().map_err(PkiError::encoding("NULL"))?)?,
        });
    }
    let ski = key_identifier(inputs.subject_public_key);
    out.push(extension(&SubjectKeyIdentifier(octets(&ski)?), false)?);

    if let Some((issuer_key_id, _)) = &inputs.issuer {
        let aki = AuthorityKeyIdentifier {
            key_identifier: Some(octets(issuer_key_id)?),
            authority_cert_issuer: None,
            authority_cert_serial_number: None,
        };
        // RFC 5280 §4.2.1.1: MUST be marked non-critical.
        out.push(extension(&aki, false)?);
    }
    if let Some(email) = inputs.email {
        // RFC 5280 §4.2.1.6: non-critical when the subject DN is not empty.
        out.push(extension(&SubjectAltName(vec![email_general_name(email)?]), false)?);
    }
    if let Some((_, issuer_ca_id)) = inputs.issuer {
        let crl = DistributionPoint {
            distribution_point: Some(DistributionPointName::FullName(vec![uri(&inputs
                .urls
                .crl(issuer_ca_id))?])),
            reasons: None,
            crl_issuer: None,
        };
        // RFC 5280 §4.2.1.13: SHOULD be non-critical.
        out.push(extension(&CrlDistributionPoints(vec![crl]), false)?);

        let mut access = Vec::new();
        if profile.is_end_entity() || profile == Profile::Tsa {
            access.push(AccessDescription {
                access_method: ID_AD_OCSP,
                access_location: uri(&inputs.urls.ocsp())?,
            });
        }
        access.push(AccessDescription {
            access_method: ID_AD_CA_ISSUERS,
            access_location: uri(&inputs.urls.ca_issuers(issuer_ca_id))?,
        });
        // RFC 5280 §4.2.2.1: MUST be marked non-critical.
        out.push(extension(&AuthorityInfoAccessSyntax(access), false)?);
    }
    if let Some(content) = inputs.content {
        out.extend(content.extensions()?);
    }
    Ok(out)
}

/// The key identifier of RFC 5280 §4.2.1.2 method (1): "the 160-bit SHA-1 hash of the
/// value of the BIT STRING subjectPublicKey (excluding the tag, length, and number of
/// unused bits)".
pub(crate) fn key_identifier(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    signet_crypto::digest::digest(HashAlgorithm::Sha1, spki.subject_public_key.raw_bytes())
}

pub(crate) fn extension<T: Encode + AssociatedOid>(
    value: &T,
    critical: bool,
) -> Result<Extension, PkiError> {
    let der = value.to_der().map_err(PkiError::encoding("extension value"))?;
    Ok(Extension { extn_id: T::OID, critical, extn_value: octets(&der)? })
}

pub(crate) fn octets(bytes: &[u8]) -> Result<OctetString, PkiError> {
    OctetString::new(bytes).map_err(PkiError::encoding("OCTET STRING"))
}

/// A `uniformResourceIdentifier` GeneralName (an IA5String, RFC 5280 §4.2.1.6).
fn uri(url: &str) -> Result<GeneralName, PkiError> {
    let bad = || PkiError::InvalidUrl(url.chars().take(120).collect());
    if url.is_empty()
        || !url.is_ascii()
        || url.chars().any(|c| c.is_ascii_whitespace() || c.is_ascii_control())
    {
        return Err(bad());
    }
    Ia5String::new(url).map(GeneralName::UniformResourceIdentifier).map_err(|_| bad())
}
