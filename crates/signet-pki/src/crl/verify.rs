//! Checking a CRL (RFC 5280 §5, §6.3) fetched from another CA's distribution point, before
//! it is kept as revocation evidence (AdES B-LT) or asked whether a certificate is revoked.
//!
//! ```text
//! CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue }
//!
//! 1. issuer = the CA certificate's subject; signature (same algorithm as tbsCertList's
//!    `signature`, §5.1.1.2) verifies with its key; keyUsage, when present, has cRLSign
//! 2. thisUpdate ≤ now (+ skew), now ≤ nextUpdate (+ skew)          -- §6.3.3 (a)
//! 3. scope: issuingDistributionPoint (§5.2.5) read; a delta (§5.2.4), indirect or
//!    reason-partitioned CRL, or any other critical extension, is refused  -- §5.2, §6.3.3
//! ```
//!
//! "If a CRL contains a critical extension that the application cannot process, then the
//! application MUST NOT use that CRL to determine the status of certificates" (§5.2); the
//! same holds for critical CRL entry extensions (§5.3), e.g. `certificateIssuer`.

use super::{RevocationReason, RevokedEntry};
use crate::algorithm_identifier::signature_algorithm_from_identifier;
use crate::cmp::trust::ParsedCert;
use crate::ocsp::verify::check_times;
use crate::ocsp::CertStatus;
use crate::time::from_x509_time;
use crate::PkiError;
use const_oid::db::rfc5280::{
    ID_CE_AUTHORITY_KEY_IDENTIFIER, ID_CE_CRL_NUMBER, ID_CE_CRL_REASONS, ID_CE_DELTA_CRL_INDICATOR,
    ID_CE_FRESHEST_CRL, ID_CE_INVALIDITY_DATE, ID_CE_ISSUING_DISTRIBUTION_POINT,
};
use der::asn1::{Any, BitString};
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::crl::RevokedCert;
use x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{BasicConstraints, CrlNumber, CrlReason, KeyUsage};
use x509_cert::ext::Extensions;
use x509_cert::name::Name;
use x509_cert::time::Time;
use x509_cert::Version;

/// `CertificateList` with `tbsCertList` kept as the exact DER that was signed (§5.1).
#[derive(Sequence)]
struct SignedCrl {
    tbs_cert_list: Any,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

/// `TBSCertList` (§5.1, quoted in [`super::issue_crl`]'s module). Unlike x509-cert's type,
/// `version` may be absent, as in v1 CRLs.
#[derive(Sequence)]
struct TbsCrl {
    #[asn1(optional = "true")]
    version: Option<Version>,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    this_update: Time,
    #[asn1(optional = "true")]
    next_update: Option<Time>,
    #[asn1(optional = "true")]
    revoked_certificates: Option<Vec<RevokedCert>>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    crl_extensions: Option<Extensions>,
}

/// What a verified CRL says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrlInfo {
    /// `thisUpdate`, unix seconds.
    pub this_update: i64,
    /// `nextUpdate`, unix seconds (RFC 5280 §5.1.2.5 requires it; old CRLs may lack it).
    pub next_update: Option<i64>,
    /// `cRLNumber` (§5.2.3), big-endian, when present.
    pub crl_number: Option<Vec<u8>>,
    /// The `fullName` URIs of the `issuingDistributionPoint` (§5.2.5); empty when the CRL
    /// covers every certificate of its issuer.
    pub distribution_points: Vec<String>,
    /// `onlyContainsUserCerts`: CA certificates are out of scope.
    pub only_user_certificates: bool,
    /// `onlyContainsCACerts`: end-entity certificates are out of scope.
    pub only_ca_certificates: bool,
    issuer: Name,
    revoked: Vec<RevokedEntry>,
}

impl CrlInfo {
    /// The entry of a revoked serial (big-endian; leading zero octets are ignored).
    pub fn revocation(&self, serial: &[u8]) -> Option<&RevokedEntry> {
        let serial = strip_zeros(serial);
        self.revoked.iter().find(|e| e.serial == serial)
    }

    /// Every revoked entry, in the order of the list.
    pub fn revoked(&self) -> &[RevokedEntry] {
        &self.revoked
    }

    /// The status of a DER certificate of this CRL's issuer: `Revoked` (with the entry's
    /// date and reason; `certificateHold` included) or `Good`. Refused when the certificate
    /// has another issuer, or is outside the CRL's scope (§6.3.3 (b)): a CA certificate
    /// and `onlyContainsUserCerts`, an end entity and `onlyContainsCACerts`, or none of the
    /// certificate's distribution points among the CRL's `issuingDistributionPoint` names.
    pub fn status(&self, certificate_der: &[u8]) -> Result<CertStatus, PkiError> {
        let cert = ParsedCert::parse(certificate_der).map_err(PkiError::certificate)?;
        let tbs = cert.cert.tbs_certificate();
        if *tbs.issuer() != self.issuer {
            return Err(refused(format!(
                "the CRL is issued by `{}`, the certificate by `{}`",
                self.issuer,
                tbs.issuer()
            )));
        }
        let is_ca = matches!(tbs.get_extension::<BasicConstraints>(), Ok(Some((_, b))) if b.ca);
        if (is_ca && self.only_user_certificates) || (!is_ca && self.only_ca_certificates) {
            return Err(refused("the CRL does not cover this kind of certificate".into()));
        }
        if !self.distribution_points.is_empty() {
            let named = crate::aia::access_locations(certificate_der)?.crl;
            if !named.iter().any(|u| self.distribution_points.contains(u)) {
                return Err(refused(
                    "the CRL's issuingDistributionPoint is not one of the certificate's".into(),
                ));
            }
        }
        Ok(match self.revocation(tbs.serial_number().as_bytes()) {
            Some(e) => CertStatus::Revoked { at: e.revoked_at, reason: e.reason },
            None => CertStatus::Good,
        })
    }
}

/// Verifies a DER CRL issued by the CA certificate `issuer_der` at `now` (unix seconds);
/// see the module documentation for the checks. Refused: [`PkiError::CrlRefused`].
pub fn verify_crl(crl_der: &[u8], issuer_der: &[u8], now: i64) -> Result<CrlInfo, PkiError> {
    let signed =
        SignedCrl::from_der(crl_der).map_err(|e| refused(format!("not a DER CRL ({e})")))?;
    let tbs_der = signed.tbs_cert_list.to_der().map_err(PkiError::encoding("TBSCertList"))?;
    let tbs = TbsCrl::from_der(&tbs_der).map_err(|e| refused(format!("TBSCertList: {e}")))?;
    let issuer = ParsedCert::parse(issuer_der).map_err(PkiError::certificate)?;
    let itbs = issuer.cert.tbs_certificate();
    if tbs.issuer != *itbs.subject() {
        return Err(refused(format!("issued by `{}`, not by `{}`", tbs.issuer, itbs.subject())));
    }
    if matches!(tbs.version, Some(v) if v != Version::V2) {
        return Err(refused("version is neither absent (v1) nor v2".into()));
    }
    if tbs.signature != signed.signature_algorithm {
        return Err(refused("signature and signatureAlgorithm differ (§5.1.1.2)".into()));
    }
    match itbs.get_extension::<KeyUsage>() {
        Ok(None) => {}
        Ok(Some((_, ku))) if ku.crl_sign() => {}
        _ => return Err(refused("the issuer's keyUsage does not allow cRLSign".into())),
    }
    let algorithm = signature_algorithm_from_identifier(&signed.signature_algorithm)
        .map_err(|e| refused(format!("signature algorithm: {e}")))?;
    let signature = signed
        .signature
        .as_bytes()
        .ok_or_else(|| refused("the signature BIT STRING has unused bits".into()))?;
    if !issuer.verifies(algorithm, &tbs_der, signature) {
        return Err(refused("the signature does not verify with the issuer's key".into()));
    }

    let this_update = from_x509_time(&tbs.this_update);
    let next_update = tbs.next_update.as_ref().map(from_x509_time);
    check_times(this_update, next_update, now)
        .map_err(|why| refused(format!("{why} (now is {now})")))?;

    let mut info = CrlInfo {
        this_update,
        next_update,
        crl_number: None,
        distribution_points: Vec::new(),
        only_user_certificates: false,
        only_ca_certificates: false,
        issuer: tbs.issuer,
        revoked: Vec::new(),
    };
    for ext in tbs.crl_extensions.iter().flatten() {
        let value = ext.extn_value.as_bytes();
        match ext.extn_id {
            ID_CE_DELTA_CRL_INDICATOR => {
                return Err(refused("a delta CRL is not complete evidence (§5.2.4)".into()))
            }
            ID_CE_ISSUING_DISTRIBUTION_POINT => scope(&mut info, value)?,
            ID_CE_CRL_NUMBER => {
                let n =
                    CrlNumber::from_der(value).map_err(|e| refused(format!("cRLNumber: {e}")))?;
                info.crl_number = Some(n.0.as_bytes().to_vec());
            }
            ID_CE_AUTHORITY_KEY_IDENTIFIER | ID_CE_FRESHEST_CRL => {}
            other if ext.critical => {
                return Err(refused(format!("unknown critical CRL extension {other}")))
            }
            _ => {}
        }
    }
    for entry in tbs.revoked_certificates.into_iter().flatten() {
        info.revoked.push(revoked_entry(&entry)?);
    }
    Ok(info)
}

/// `issuingDistributionPoint` (§5.2.5): indirect, reason-partitioned and attribute
/// certificate CRLs are refused; the names and the user/CA scope are kept.
fn scope(info: &mut CrlInfo, value: &[u8]) -> Result<(), PkiError> {
    // Decoded by hand: x509-cert 0.3 gives this type the wrong AssociatedOid.
    let idp = IssuingDistributionPoint::from_der(value)
        .map_err(|e| refused(format!("issuingDistributionPoint: {e}")))?;
    if idp.indirect_crl || idp.only_some_reasons.is_some() || idp.only_contains_attribute_certs {
        return Err(refused(
            "an indirect, reason-partitioned or attribute-certificate CRL is not used".into(),
        ));
    }
    if let Some(DistributionPointName::FullName(names)) = &idp.distribution_point {
        for name in names {
            if let GeneralName::UniformResourceIdentifier(uri) = name {
                info.distribution_points.push(uri.as_str().to_owned());
            }
        }
    }
    info.only_user_certificates = idp.only_contains_user_certs;
    info.only_ca_certificates = idp.only_contains_ca_certs;
    Ok(())
}

/// One `revokedCertificates` entry; `reasonCode` (§5.3.1) read, `invalidityDate` (§5.3.2)
/// ignored, any critical entry extension (such as `certificateIssuer`, §5.3.3) refused.
fn revoked_entry(entry: &RevokedCert) -> Result<RevokedEntry, PkiError> {
    let mut reason = None;
    for ext in entry.crl_entry_extensions.iter().flatten() {
        match ext.extn_id {
            ID_CE_CRL_REASONS => {
                let r = CrlReason::from_der(ext.extn_value.as_bytes())
                    .map_err(|e| refused(format!("reasonCode: {e}")))?;
                reason = Some(RevocationReason::from_asn1(r));
            }
            ID_CE_INVALIDITY_DATE => {}
            other if ext.critical => {
                return Err(refused(format!("unknown critical CRL entry extension {other}")))
            }
            _ => {}
        }
    }
    Ok(RevokedEntry {
        serial: strip_zeros(entry.serial_number.as_bytes()).to_vec(),
        revoked_at: from_x509_time(&entry.revocation_date),
        reason,
    })
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

fn refused(reason: String) -> PkiError {
    PkiError::CrlRefused(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_not_a_crl() {
        assert!(matches!(verify_crl(b"junk", b"junk", 0), Err(PkiError::CrlRefused(_))));
    }

    #[test]
    fn serials_compare_without_leading_zeros() {
        let info = CrlInfo {
            this_update: 0,
            next_update: None,
            crl_number: None,
            distribution_points: Vec::new(),
            only_user_certificates: false,
            only_ca_certificates: false,
            issuer: Name::default(),
            revoked: vec![RevokedEntry { serial: vec![0x80, 1], revoked_at: 5, reason: None }],
        };
        assert_eq!(info.revocation(&[0, 0x80, 1]).map(|e| e.revoked_at), Some(5));
        assert!(info.revocation(&[0x80]).is_none());
    }
}
