//! Issuing one CRL (RFC 5280 §5.1), signed over a digest by the issuing CA's [`Signer`].
//!
//! ```text
//! CertificateList  ::=  SEQUENCE  {
//!      tbsCertList          TBSCertList,
//!      signatureAlgorithm   AlgorithmIdentifier,
//!      signatureValue       BIT STRING  }
//!
//! TBSCertList  ::=  SEQUENCE  {
//!      version                 Version OPTIONAL,
//!                                   -- if present, MUST be v2
//!      signature               AlgorithmIdentifier,
//!      issuer                  Name,
//!      thisUpdate              Time,
//!      nextUpdate              Time OPTIONAL,
//!      revokedCertificates     SEQUENCE OF SEQUENCE  {
//!           userCertificate         CertificateSerialNumber,
//!           revocationDate          Time,
//!           crlEntryExtensions      Extensions OPTIONAL
//!                                    -- if present, version MUST be v2
//!                                }  OPTIONAL,
//!      crlExtensions           [0]  EXPLICIT Extensions OPTIONAL
//!                                    -- if present, version MUST be v2
//!                                }
//! ```
//!
//! Signet always writes v2 with `nextUpdate` (§5.1.2.5: "Conforming CRL issuers MUST
//! include nextUpdate"), the `authorityKeyIdentifier` (§5.2.1: MUST) and `cRLNumber`
//! (§5.2.3: MUST) extensions, and leaves `revokedCertificates` out when it is empty
//! (§5.1.2.6: "When there are no revoked certificates, the revoked certificates list MUST
//! be absent"). x509-cert 0.3's CRL types have public fields, so they are used directly.

use super::reason::RevocationReason;
use crate::algorithm_identifier::signature_algorithm_identifier;
use crate::extensions::{extension, key_identifier, octets};
use crate::issue::{serial_number, signer_key};
use crate::time::to_x509_time;
use crate::PkiError;
use der::asn1::BitString;
use der::{Decode, Encode};
use signet_crypto::Signer;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, CrlNumber, KeyUsage, SubjectKeyIdentifier};
use x509_cert::{Certificate, Version};

/// One revoked certificate of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokedEntry {
    /// The certificate's serial number, big-endian positive (as issued).
    pub serial: Vec<u8>,
    /// `revocationDate`, unix seconds (§5.3.2 … the date "at which the CA processed the
    /// revocation").
    pub revoked_at: i64,
    /// The `reasonCode` entry extension (§5.3.1); `None` and `Some(Unspecified)` both
    /// leave it out ("the reason code CRL entry extension SHOULD be absent instead of
    /// using the unspecified (0) reasonCode value").
    pub reason: Option<RevocationReason>,
}

/// Everything one CRL is made of, apart from the signature.
#[derive(Debug, Clone, Copy)]
pub struct CrlParams<'a> {
    /// The issuing CA's DER certificate: its subject is the CRL `issuer`, its key
    /// identifier the `authorityKeyIdentifier`, and its key must be the signer's.
    pub issuer_certificate: &'a [u8],
    /// `thisUpdate`, unix seconds.
    pub this_update: i64,
    /// `nextUpdate`, unix seconds; after `this_update`.
    pub next_update: i64,
    /// `cRLNumber` (§5.2.3): "monotonically increasing sequence number" per issuer.
    pub crl_number: u64,
    /// The revoked certificates, written in this order.
    pub revoked: &'a [RevokedEntry],
}

/// Issues a CRL and returns its DER `CertificateList`.
///
/// The issuer certificate must be a CA whose keyUsage (when present) allows `cRLSign`
/// (RFC 5280 §4.2.1.3), and `signer` must hold its key. Serials must be valid certificate
/// serials and appear once. Nothing is signed when a check fails.
pub fn issue_crl(params: &CrlParams<'_>, signer: &dyn Signer) -> Result<Vec<u8>, PkiError> {
    if params.next_update <= params.this_update {
        return Err(PkiError::InvalidCrl(format!(
            "nextUpdate ({}) must be after thisUpdate ({})",
            params.next_update, params.this_update
        )));
    }
    let issuer = Certificate::from_der(params.issuer_certificate).map_err(PkiError::certificate)?;
    let tbs = issuer.tbs_certificate();
    if let Some((_, ku)) = tbs.get_extension::<KeyUsage>().map_err(PkiError::certificate)? {
        if !ku.crl_sign() {
            return Err(PkiError::InvalidCrl(
                "the issuer's keyUsage does not allow cRLSign".into(),
            ));
        }
    }
    if *tbs.subject_public_key_info() != signer_key(signer)? {
        return Err(PkiError::SignerKeyMismatch { expected: "CRL issuer certificate's" });
    }
    let key_id = match tbs.get_extension::<SubjectKeyIdentifier>().map_err(PkiError::certificate)? {
        Some((_, ski)) => ski.0.as_bytes().to_vec(),
        None => key_identifier(tbs.subject_public_key_info()),
    };

    let revoked = revoked_certificates(params.revoked)?;
    let aki = AuthorityKeyIdentifier {
        key_identifier: Some(octets(&key_id)?),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    };
    let number = CrlNumber::try_from(params.crl_number).map_err(PkiError::encoding("cRLNumber"))?;
    // §5.2.1 and §5.2.3: both non-critical.
    let crl_extensions = vec![extension(&aki, false)?, extension(&number, false)?];

    let algorithm = signature_algorithm_identifier(signer.algorithm())?;
    let tbs_cert_list = TbsCertList {
        version: Version::V2,
        signature: algorithm.clone(),
        issuer: tbs.subject().clone(),
        this_update: to_x509_time(params.this_update)?,
        next_update: Some(to_x509_time(params.next_update)?),
        revoked_certificates: (!revoked.is_empty()).then_some(revoked),
        crl_extensions: Some(crl_extensions),
    };
    let tbs_der = tbs_cert_list.to_der().map_err(PkiError::encoding("TBSCertList"))?;
    let digest = signet_crypto::digest::digest(signer.algorithm().hash(), &tbs_der);
    let signature = signer.sign_digest(&digest)?;
    let crl = CertificateList {
        tbs_cert_list,
        signature_algorithm: algorithm,
        signature: BitString::from_bytes(&signature)
            .map_err(PkiError::encoding("signatureValue"))?,
    };
    crl.to_der().map_err(PkiError::encoding("CertificateList"))
}

/// The `revokedCertificates` entries, each with a `reasonCode` (§5.3.1, non-critical)
/// when a reason other than `unspecified` is given.
fn revoked_certificates(entries: &[RevokedEntry]) -> Result<Vec<RevokedCert>, PkiError> {
    let mut out: Vec<RevokedCert> = Vec::with_capacity(entries.len());
    for entry in entries {
        let serial_number = serial_number(&entry.serial)
            .map_err(|e| PkiError::InvalidCrl(format!("revoked entry {}: {e}", out.len() + 1)))?;
        if out.iter().any(|r| r.serial_number == serial_number) {
            return Err(PkiError::InvalidCrl(format!(
                "serial {} is listed twice",
                entry.serial.iter().map(|b| format!("{b:02X}")).collect::<String>()
            )));
        }
        let crl_entry_extensions = match entry.reason {
            None | Some(RevocationReason::Unspecified) => None,
            Some(reason) => Some(vec![extension(&reason.to_asn1(), false)?]),
        };
        out.push(RevokedCert {
            serial_number,
            revocation_date: to_x509_time(entry.revoked_at)?,
            crl_entry_extensions,
        });
    }
    Ok(out)
}
