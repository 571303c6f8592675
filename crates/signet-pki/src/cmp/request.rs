//! The requests of the Lightweight CMP profile an end entity sends (RFC 9483 §4.1, §4.2)
//! and their bodies, plus the certificate confirmation (§4.1.1 certConf).
//!
//! ```text
//! ir/cr/kur: CertReqMessages { CertReqMsg {
//!              certReq { certReqId 0, certTemplate { subject, publicKey, extensions? },
//!                        controls { oldCertID { issuer, serial } }? -- kur only },
//!              popo signature { alg, Sign(DER(certReq)) } | raVerified } }   -- RFC 4211 §4.1
//! rr:        RevReqContent { RevDetails { certDetails { issuer, serialNumber },
//!                                         crlEntryDetails { reasonCode } } }  -- §4.2
//! certConf:  CertConfirmContent { CertStatus { certHash, certReqId 0, accepted } }
//! ```

use super::asn1::{CertStatus, PkiStatusInfo};
use super::crmf::{
    AttributeTypeAndValue, CertId, CertReqMsg, CertRequest, CertTemplate, PopoSigningKey,
    ProofOfPossessionAsn1, RevDetails, ID_REG_CTRL_OLD_CERT_ID,
};
use super::status::int;
use super::CmpError;
use crate::algorithm_identifier::{
    parse_spki, signature_algorithm_from_identifier, signature_algorithm_identifier,
};
use crate::crl::RevocationReason;
use crate::extensions::extension;
use crate::issue::signer_key;
use der::asn1::{Any, BitString, Int, Null, OctetString};
use der::{Decode, Encode};
use signet_crypto::digest::digest;
use signet_crypto::Signer;
use signet_types::HashAlgorithm;
use std::fmt;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::Certificate;

/// The `certReqId` of the one request of a lightweight ir/cr/kur (RFC 9483 §4.1.1: "MUST
/// be 0").
pub(crate) const CERT_REQ_ID: u8 = 0;

/// What the end entity asks the CA for.
#[derive(Debug)]
pub enum CmpRequest<'a> {
    /// `ir`, initialization request (RFC 9483 §4.1.1): a first certificate from this PKI.
    Initialize(CertificateRequest<'a>),
    /// `cr`, certification request (RFC 9483 §4.1.2): another certificate, typically
    /// signature-protected with a certificate from the same PKI.
    Certify(CertificateRequest<'a>),
    /// `kur`, key update request (RFC 9483 §4.1.3): a new certificate for a new key,
    /// replacing `old_certificate_der`, whose issuer and serial go into the controls
    /// `oldCertID`. RFC 9483 wants it signed with the old certificate's key.
    Update {
        /// The certificate to be updated (DER).
        old_certificate_der: &'a [u8],
        /// The new certificate's template and proof of possession.
        request: CertificateRequest<'a>,
    },
    /// `rr`, revocation request (RFC 9483 §4.2): the certificate's issuer and serial go
    /// into the template, the reason into crlEntryDetails.
    Revoke {
        /// The certificate to revoke (DER).
        certificate_der: &'a [u8],
        /// The `reasonCode` (RFC 5280 §5.3.1).
        reason: RevocationReason,
    },
}

/// The certificate asked for in an ir, cr or kur (RFC 9483 §4.1.1 `certTemplate`).
#[derive(Debug)]
pub struct CertificateRequest<'a> {
    /// `subject`.
    pub subject: &'a Name,
    /// `publicKey`: the DER `SubjectPublicKeyInfo` of the new key.
    pub public_key_der: &'a [u8],
    /// `extensions` the end entity asks for (none: left out).
    pub extensions: &'a [Extension],
    /// `popo`.
    pub pop: ProofOfPossession<'a>,
    /// Ask the CA to skip certConf/pkiConf (`implicitConfirm` in generalInfo, RFC 9483
    /// §4.1.1); the CA may or may not grant it.
    pub implicit_confirm: bool,
}

/// The proof of possession of the new key (RFC 4211 §4).
pub enum ProofOfPossession<'a> {
    /// `signature`: the key's holder signs the DER of `certReq` (RFC 4211 §4.1, the
    /// template holding subject and publicKey, so no `poposkInput`). The signer's key must
    /// be the requested public key.
    Signature(&'a dyn Signer),
    /// `raVerified`: an RA has verified possession (RFC 9483 §4.1.1; CAs accept it only
    /// from an RA they trust).
    RaVerified,
}

impl fmt::Debug for ProofOfPossession<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Signature(s) => f.debug_tuple("Signature").field(&s.algorithm()).finish(),
            Self::RaVerified => f.write_str("RaVerified"),
        }
    }
}

/// The DER `CertReqMessages` of an ir, cr or kur.
pub(crate) fn cert_req_messages(
    req: &CertificateRequest<'_>,
    old_certificate: Option<&Certificate>,
) -> Result<Vec<u8>, CmpError> {
    let public_key = parse_spki(req.public_key_der, "requested")
        .map_err(|e| CmpError::InvalidRequest(e.to_string()))?;
    let controls = match old_certificate {
        None => None,
        Some(old) => {
            let tbs = old.tbs_certificate();
            let id = CertId {
                issuer: GeneralName::DirectoryName(tbs.issuer().clone()),
                serial_number: serial(old)?,
            };
            Some(vec![AttributeTypeAndValue {
                attr_type: ID_REG_CTRL_OLD_CERT_ID,
                value: Any::encode_from(&id).map_err(CmpError::encoding("oldCertID"))?,
            }])
        }
    };
    let cert_req = CertRequest {
        cert_req_id: int(CERT_REQ_ID).map_err(CmpError::encoding("certReqId"))?,
        cert_template: CertTemplate {
            subject: Some(req.subject.clone()),
            public_key: Some(public_key.clone()),
            extensions: (!req.extensions.is_empty()).then(|| req.extensions.to_vec()),
            ..CertTemplate::default()
        },
        controls,
    };
    let popo = match req.pop {
        ProofOfPossession::RaVerified => ProofOfPossessionAsn1::RaVerified(Null),
        ProofOfPossession::Signature(signer) => {
            if signer_key(signer)? != public_key {
                return Err(CmpError::InvalidRequest(
                    "the proof-of-possession signer does not hold the requested key".into(),
                ));
            }
            let tbs = cert_req.to_der().map_err(CmpError::encoding("CertRequest"))?;
            let signature = signer.sign_digest(&digest(signer.algorithm().hash(), &tbs))?;
            ProofOfPossessionAsn1::Signature(PopoSigningKey {
                algorithm_identifier: signature_algorithm_identifier(signer.algorithm())?,
                signature: BitString::from_bytes(&signature)
                    .map_err(CmpError::encoding("POPOSigningKey signature"))?,
            })
        }
    };
    let messages = vec![CertReqMsg { cert_req, popo: Some(popo), reg_info: None }];
    messages.to_der().map_err(CmpError::encoding("CertReqMessages"))
}

/// The DER `RevReqContent` asking to revoke `certificate` (RFC 9483 §4.2).
pub(crate) fn rev_req_content(
    certificate: &Certificate,
    reason: RevocationReason,
) -> Result<Vec<u8>, CmpError> {
    let details = RevDetails {
        cert_details: CertTemplate {
            serial_number: Some(serial(certificate)?),
            issuer: Some(certificate.tbs_certificate().issuer().clone()),
            ..CertTemplate::default()
        },
        // RFC 5280 §5.3.1: reasonCode is non-critical.
        crl_entry_details: Some(vec![extension(&reason.to_asn1(), false)?]),
    };
    vec![details].to_der().map_err(CmpError::encoding("RevReqContent"))
}

/// The DER `CertConfirmContent` accepting `certificate_der` (RFC 9483 §4.1.1; RFC 9810
/// §5.3.18).
pub(crate) fn cert_conf(certificate_der: &[u8]) -> Result<Vec<u8>, CmpError> {
    let status = CertStatus {
        cert_hash: OctetString::new(cert_hash(certificate_der)?)
            .map_err(CmpError::encoding("certHash"))?,
        cert_req_id: int(CERT_REQ_ID).map_err(CmpError::encoding("certReqId"))?,
        status_info: Some(PkiStatusInfo {
            status: int(0).map_err(CmpError::encoding("PKIStatus"))?,
            status_string: None,
            fail_info: None,
        }),
        hash_alg: None,
    };
    vec![status].to_der().map_err(CmpError::encoding("CertConfirmContent"))
}

/// `certHash` with pvno 2 (RFC 9810 §5.3.18): the certificate hashed "using the same hash
/// algorithm as is used to create and verify the certificate signature"; SHA-512 for
/// Ed25519 (RFC 9481 §3.3), SHA-256 for signature algorithms Signet does not know.
pub(crate) fn cert_hash(certificate_der: &[u8]) -> Result<Vec<u8>, CmpError> {
    const ED25519: const_oid::ObjectIdentifier =
        const_oid::ObjectIdentifier::new_unwrap("1.3.101.112");
    let cert = Certificate::from_der(certificate_der)
        .map_err(|e| CmpError::Malformed(format!("the issued certificate: {e}")))?;
    let alg = cert.signature_algorithm();
    let hash = match signature_algorithm_from_identifier(alg) {
        Ok(a) => a.hash(),
        Err(_) if alg.oid == ED25519 => HashAlgorithm::Sha512,
        Err(_) => HashAlgorithm::Sha256,
    };
    Ok(digest(hash, certificate_der))
}

fn serial(cert: &Certificate) -> Result<Int, CmpError> {
    Int::new(cert.tbs_certificate().serial_number().as_bytes())
        .map_err(CmpError::encoding("serialNumber"))
}
