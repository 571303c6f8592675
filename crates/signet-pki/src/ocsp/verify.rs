//! Checking an `OCSPResponse` (RFC 6960 §3.2, §4.2.2) received from another CA's
//! responder, before it is kept as revocation evidence (AdES B-LT).
//!
//! ```text
//! OCSPResponse { successful, ResponseBytes { id-pkix-ocsp-basic,
//!   BasicOCSPResponse { tbsResponseData, signatureAlgorithm, signature, certs } } }
//!
//! 1. the SingleResponse whose CertID names the certificate: hashAlgorithm as the
//!    responder chose (SHA-1, SHA-2), hashes of the issuer's Name and key, the serial
//! 2. the signer (§4.2.2.2), named by responderID (§4.2.2.3):
//!      - the CA that issued the certificate, or
//!      - a CA Designated Responder: a certificate of `certs` issued (signature-checked)
//!        by that CA, with extendedKeyUsage id-kp-OCSPSigning, valid now
//! 3. signature = sign(DER(tbsResponseData))                       -- §4.2.1
//! 4. thisUpdate ≤ now (+ skew), now ≤ nextUpdate (+ skew)         -- §3.2 (5), (6)
//! ```
//!
//! Pure logic: the time is passed in; nothing is fetched.

use super::asn1::{
    CertIdAsn1, CertStatusAsn1, OcspResponseAsn1, ResponderId, ResponseData, ResponseStatus,
    SignedBasicResponse, SingleResponse, ID_PKIX_OCSP_BASIC,
};
use super::CertStatus;
use crate::algorithm_identifier::signature_algorithm_from_identifier;
use crate::cmp::trust::ParsedCert;
use crate::crl::RevocationReason;
use crate::extensions::key_identifier;
use crate::PkiError;
use const_oid::db::rfc5280::ID_KP_OCSP_SIGNING;
use der::asn1::GeneralizedTime;
use der::{Decode, Encode};
use signet_crypto::digest::digest;
use signet_types::HashAlgorithm;
use x509_cert::ext::pkix::ExtendedKeyUsage;

/// How far a responder's clock may run ahead of ours, in seconds (thisUpdate, producedAt)
/// or behind it (nextUpdate).
pub const CLOCK_SKEW: i64 = 300;

/// A response without `nextUpdate` ("newer information is always available", §4.2.2.1)
/// is accepted only this long after its `thisUpdate`, in seconds: it carries no nonce, so
/// an old one could otherwise be replayed forever.
pub const MAX_AGE_WITHOUT_NEXT_UPDATE: i64 = 86_400;

/// What a verified response says about one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcspStatusInfo {
    /// `certStatus` of the certificate's `SingleResponse`.
    pub status: CertStatus,
    /// `thisUpdate`, unix seconds.
    pub this_update: i64,
    /// `nextUpdate`, unix seconds, when the responder gave one.
    pub next_update: Option<i64>,
    /// `producedAt`, unix seconds.
    pub produced_at: i64,
    /// The delegated responder certificate (DER) that signed, taken from the response's
    /// `certs`; `None` when the issuing CA signed with its own key.
    pub responder_certificate: Option<Vec<u8>>,
}

/// Verifies a DER `OCSPResponse` about `certificate_der`, issued by `issuer_der`, at `now`
/// (unix seconds), and returns what it says. Refused ([`PkiError::OcspResponseRefused`]):
/// an unsuccessful `responseStatus` (named in the message), another response type, no
/// `SingleResponse` for the certificate, a signature neither of the issuer nor of a
/// designated responder, a `thisUpdate`/`producedAt` in the future or a `nextUpdate` in the
/// past (beyond [`CLOCK_SKEW`]). A certificate that `issuer_der` did not issue is an error.
pub fn verify_response(
    response_der: &[u8],
    certificate_der: &[u8],
    issuer_der: &[u8],
    now: i64,
) -> Result<OcspStatusInfo, PkiError> {
    let response = OcspResponseAsn1::from_der(response_der)
        .map_err(|e| refused(format!("not a DER OCSPResponse ({e})")))?;
    if response.response_status != ResponseStatus::Successful {
        return Err(refused(format!(
            "the responder answered {}",
            status_name(response.response_status)
        )));
    }
    let bytes = response.response_bytes.ok_or_else(|| refused("no responseBytes".into()))?;
    if bytes.response_type != ID_PKIX_OCSP_BASIC {
        return Err(refused(format!("response type {} is not basic", bytes.response_type)));
    }
    let basic = SignedBasicResponse::from_der(bytes.response.as_bytes())
        .map_err(|e| refused(format!("BasicOCSPResponse: {e}")))?;
    let tbs = basic.tbs_response_data.to_der().map_err(PkiError::encoding("ResponseData"))?;
    let data = ResponseData::from_der(&tbs).map_err(|e| refused(format!("ResponseData: {e}")))?;
    if data.version != 0 {
        return Err(refused(format!("version {} (only v1 is defined)", data.version + 1)));
    }

    let cert = ParsedCert::parse(certificate_der).map_err(PkiError::certificate)?;
    let issuer = ParsedCert::parse(issuer_der).map_err(PkiError::certificate)?;
    if !cert.signed_by(&issuer) {
        return Err(PkiError::InvalidCertificate(
            "the certificate asked about was not issued by the given issuer".into(),
        ));
    }
    let single =
        data.responses.iter().find(|s| names_certificate(s, &cert, &issuer)).ok_or_else(|| {
            refused(format!(
                "no SingleResponse for serial {}",
                hex(cert.cert.tbs_certificate().serial_number().as_bytes())
            ))
        })?;

    let this_update = unix(&single.this_update);
    let next_update = single.next_update.as_ref().map(unix);
    let produced_at = unix(&data.produced_at);
    check_times(this_update, next_update, now)
        .map_err(|why| refused(format!("{why} (now is {now})")))?;
    if produced_at > now + CLOCK_SKEW {
        return Err(refused(format!("producedAt {produced_at} is in the future (now is {now})")));
    }

    let responder_certificate = signer(&basic, &data.responder_id, &tbs, &issuer, now)?;
    let status = match &single.cert_status {
        CertStatusAsn1::Good(_) => CertStatus::Good,
        CertStatusAsn1::Unknown(_) => CertStatus::Unknown,
        CertStatusAsn1::Revoked(info) => CertStatus::Revoked {
            at: unix(&info.revocation_time),
            reason: info.revocation_reason.map(RevocationReason::from_asn1),
        },
    };
    Ok(OcspStatusInfo { status, this_update, next_update, produced_at, responder_certificate })
}

/// The validity-interval rules shared with CRLs: `this_update` not after `now` (+ skew),
/// `next_update` (when given) after `this_update` and not before `now` (− skew), and
/// without `next_update` at most [`MAX_AGE_WITHOUT_NEXT_UPDATE`] old.
pub(crate) fn check_times(
    this_update: i64,
    next_update: Option<i64>,
    now: i64,
) -> Result<(), String> {
    if this_update > now + CLOCK_SKEW {
        return Err(format!("thisUpdate {this_update} is in the future"));
    }
    match next_update {
        Some(next) if next < this_update => {
            Err(format!("nextUpdate {next} is before thisUpdate {this_update}"))
        }
        Some(next) if next + CLOCK_SKEW < now => Err(format!("nextUpdate {next} has passed")),
        None if this_update + MAX_AGE_WITHOUT_NEXT_UPDATE < now => Err(format!(
            "no nextUpdate, and thisUpdate {this_update} is more than \
             {MAX_AGE_WITHOUT_NEXT_UPDATE} s old"
        )),
        _ => Ok(()),
    }
}

/// Whether a `SingleResponse`'s `CertID` (§4.1.1) names `cert` of `issuer`: the hashes are
/// recomputed with the response's own `hashAlgorithm`, the serials compared as integers.
fn names_certificate(single: &SingleResponse, cert: &ParsedCert, issuer: &ParsedCert) -> bool {
    let Ok(id) = single.cert_id.decode_as::<CertIdAsn1>() else { return false };
    let Some(hash) = HashAlgorithm::from_oid(&id.hash_algorithm.oid) else { return false };
    let itbs = issuer.cert.tbs_certificate();
    let Ok(name) = itbs.subject().to_der() else { return false };
    let key = itbs.subject_public_key_info().subject_public_key.raw_bytes();
    digest(hash, &name) == id.issuer_name_hash.as_bytes()
        && digest(hash, key) == id.issuer_key_hash.as_bytes()
        && strip_zeros(id.serial_number.as_bytes())
            == strip_zeros(cert.cert.tbs_certificate().serial_number().as_bytes())
}

/// Finds who signed (§4.2.2.2) and checks the signature: the issuer itself, else a
/// designated responder from `certs`. Returns the responder's certificate in that case.
fn signer(
    basic: &SignedBasicResponse,
    responder_id: &ResponderId,
    tbs: &[u8],
    issuer: &ParsedCert,
    now: i64,
) -> Result<Option<Vec<u8>>, PkiError> {
    let algorithm = signature_algorithm_from_identifier(&basic.signature_algorithm)
        .map_err(|e| refused(format!("signature algorithm: {e}")))?;
    let signature = basic
        .signature
        .as_bytes()
        .ok_or_else(|| refused("the signature BIT STRING has unused bits".into()))?;
    if names(responder_id, issuer) {
        return if issuer.verifies(algorithm, tbs, signature) {
            Ok(None)
        } else {
            Err(refused("the signature does not verify with the issuing CA's key".into()))
        };
    }
    let mut why = "responderID names neither the issuing CA nor a certificate in certs";
    for any in basic.certs.iter().flatten() {
        let Some(candidate) = any.to_der().ok().and_then(|d| ParsedCert::parse(&d).ok()) else {
            continue;
        };
        if !names(responder_id, &candidate) {
            continue;
        }
        why = if !candidate.signed_by(issuer) {
            "the responder certificate was not issued by the issuing CA"
        } else if !has_ocsp_signing(&candidate) {
            "the responder certificate lacks extendedKeyUsage id-kp-OCSPSigning"
        } else if !candidate.valid_at(now) {
            "the responder certificate is outside its validity period"
        } else if !candidate.verifies(algorithm, tbs, signature) {
            "the signature does not verify with the responder certificate's key"
        } else {
            return Ok(Some(candidate.der));
        };
    }
    Err(refused(why.into()))
}

/// `ResponderID` (§4.2.2.3): `byName` the subject, `byKey` the SHA-1 of the
/// `subjectPublicKey` BIT STRING contents.
fn names(id: &ResponderId, cert: &ParsedCert) -> bool {
    let tbs = cert.cert.tbs_certificate();
    match id {
        ResponderId::ByName(name) => name == tbs.subject(),
        ResponderId::ByKey(hash) => {
            hash.as_bytes() == key_identifier(tbs.subject_public_key_info())
        }
    }
}

fn has_ocsp_signing(cert: &ParsedCert) -> bool {
    matches!(
        cert.cert.tbs_certificate().get_extension::<ExtendedKeyUsage>(),
        Ok(Some((_, eku))) if eku.0.contains(&ID_KP_OCSP_SIGNING)
    )
}

fn status_name(status: ResponseStatus) -> &'static str {
    match status {
        ResponseStatus::Successful => "successful",
        ResponseStatus::MalformedRequest => "malformedRequest",
        ResponseStatus::InternalError => "internalError",
        ResponseStatus::TryLater => "tryLater",
        ResponseStatus::SigRequired => "sigRequired",
        ResponseStatus::Unauthorized => "unauthorized",
    }
}

fn unix(t: &GeneralizedTime) -> i64 {
    i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

fn hex(bytes: &[u8]) -> String {
    strip_zeros(bytes).iter().map(|b| format!("{b:02X}")).collect()
}

fn refused(reason: String) -> PkiError {
    PkiError::OcspResponseRefused(reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocsp::{response_error, OcspErrorStatus};

    #[test]
    fn unsuccessful_statuses_are_named() {
        let e = verify_response(&response_error(OcspErrorStatus::TryLater), b"", b"", 0);
        assert!(matches!(&e, Err(PkiError::OcspResponseRefused(m)) if m.contains("tryLater")));
        assert!(matches!(
            verify_response(b"junk", b"", b"", 0),
            Err(PkiError::OcspResponseRefused(_))
        ));
    }

    #[test]
    fn validity_interval_with_skew() {
        let now = 1_800_000_000;
        assert!(check_times(now - 60, Some(now + 3_600), now).is_ok());
        assert!(check_times(now + CLOCK_SKEW, Some(now + 3_600), now).is_ok());
        assert!(check_times(now + CLOCK_SKEW + 1, Some(now + 3_600), now).is_err());
        assert!(check_times(now - 7_200, Some(now - CLOCK_SKEW), now).is_ok());
        assert!(check_times(now - 7_200, Some(now - CLOCK_SKEW - 1), now).is_err());
        assert!(check_times(now - 60, Some(now - 120), now).is_err());
        assert!(check_times(now - MAX_AGE_WITHOUT_NEXT_UPDATE, None, now).is_ok());
        assert!(check_times(now - MAX_AGE_WITHOUT_NEXT_UPDATE - 1, None, now).is_err());
    }
}
