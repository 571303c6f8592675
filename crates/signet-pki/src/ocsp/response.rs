//! Issuing an `OCSPResponse` (RFC 6960 §4.2) signed by a delegated responder.
//!
//! ```text
//! tbs       = ResponseData { v1, responderID byKey SHA-1(responder subjectPublicKey),
//!                            producedAt, responses [SingleResponse { certID (as requested),
//!                            certStatus, thisUpdate, nextUpdate }], { nonce } }
//! signature = signer.sign_digest(H(DER(tbs)))                       -- §4.2.1
//! response  = OCSPResponse { successful, ResponseBytes { id-pkix-ocsp-basic,
//!               DER(BasicOCSPResponse { tbs, sigAlg, signature, certs }) } }
//! ```

use super::asn1::{
    BasicOcspResponse, CertStatusAsn1, OcspResponseAsn1, ResponderId, ResponseBytes, ResponseData,
    ResponseStatus, RevokedInfo, SingleResponse, ID_PKIX_OCSP_BASIC, ID_PKIX_OCSP_NONCE,
};
use super::request::CertId;
use crate::algorithm_identifier::signature_algorithm_identifier;
use crate::crl::RevocationReason;
use crate::extensions::{key_identifier, octets};
use crate::issue::signer_key;
use crate::PkiError;
use const_oid::db::rfc5280::ID_KP_OCSP_SIGNING;
use der::asn1::{Any, BitString, GeneralizedTime, Null};
use der::{Decode, Encode};
use signet_crypto::Signer;
use std::time::Duration;
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::ext::Extension;
use x509_cert::Certificate;

/// The status of one certificate (§4.2.1 `CertStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertStatus {
    /// `good`: not revoked (§2.2: "at a minimum … the certificate is not revoked").
    Good,
    /// `revoked`, at `at` (unix seconds), with an optional `CRLReason`.
    Revoked {
        /// `revocationTime`, unix seconds.
        at: i64,
        /// `revocationReason`; `None` leaves it out.
        reason: Option<RevocationReason>,
    },
    /// `unknown`: the responder does not know the certificate (not one of its issuer's).
    Unknown,
}

/// One `SingleResponse`: the status of the certificate a request's `CertId` names.
#[derive(Debug, Clone, Copy)]
pub struct SingleStatus<'a> {
    /// The requested `CertID`, echoed byte for byte.
    pub id: &'a CertId,
    /// Its status.
    pub status: CertStatus,
    /// `thisUpdate`: when the status was known to be correct, unix seconds.
    pub this_update: i64,
    /// `nextUpdate`, unix seconds; `None` leaves it out ("newer information is always
    /// available", §4.2.2.1).
    pub next_update: Option<i64>,
}

/// Everything one response is made of, apart from the signature.
#[derive(Debug, Clone, Copy)]
pub struct ResponseParams<'a> {
    /// The delegated responder's DER certificate, issued by the CA whose certificates it
    /// answers for, with extendedKeyUsage id-kp-OCSPSigning (§4.2.2.2); its key must be
    /// the signer's. It is always the first of `certs`.
    pub responder_certificate: &'a [u8],
    /// `producedAt`, unix seconds.
    pub produced_at: i64,
    /// The `SingleResponse`s, in order (at least one).
    pub responses: &'a [SingleStatus<'a>],
    /// The request's nonce (`extnValue` bytes, [`super::OcspRequest::nonce`]), echoed in
    /// the `responseExtensions` (§4.4.1).
    pub nonce: Option<&'a [u8]>,
    /// More DER certificates to add to `certs` after the responder's.
    pub include_certificates: &'a [&'a [u8]],
}

/// An unsuccessful `OCSPResponseStatus` (§4.2.1), answered without `responseBytes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum OcspErrorStatus {
    /// `malformedRequest` (1): "Illegal confirmation request".
    MalformedRequest = 1,
    /// `internalError` (2): "Internal error in issuer".
    InternalError = 2,
    /// `tryLater` (3): "Try again later".
    TryLater = 3,
    /// `sigRequired` (5): "Must sign the request".
    SigRequired = 5,
    /// `unauthorized` (6): "Request unauthorized" (§2.3: e.g. a certificate of a CA this
    /// responder does not serve).
    Unauthorized = 6,
}

/// The DER `OCSPResponse` carrying only an error status (§4.2.1: "If the value of
/// responseStatus is one of the error conditions, the responseBytes field is not set").
pub fn response_error(status: OcspErrorStatus) -> Vec<u8> {
    // SEQUENCE { ENUMERATED status }: fixed, so written directly.
    vec![0x30, 0x03, 0x0a, 0x01, status as u8]
}

/// Issues a `successful` DER `OCSPResponse` with a `BasicOCSPResponse` (§4.2.1).
///
/// The responder certificate must parse, carry id-kp-OCSPSigning and hold the signer's
/// key; at least one response is needed. Nothing is signed when a check fails.
pub fn issue_response(
    params: &ResponseParams<'_>,
    signer: &dyn Signer,
) -> Result<Vec<u8>, PkiError> {
    if params.responses.is_empty() {
        return Err(invalid("no SingleResponse to answer with"));
    }
    let responder =
        Certificate::from_der(params.responder_certificate).map_err(PkiError::certificate)?;
    let tbs = responder.tbs_certificate();
    let eku = tbs.get_extension::<ExtendedKeyUsage>().map_err(PkiError::certificate)?;
    if !eku.is_some_and(|(_, e)| e.0.contains(&ID_KP_OCSP_SIGNING)) {
        return Err(invalid("the responder certificate lacks extendedKeyUsage id-kp-OCSPSigning"));
    }
    if *tbs.subject_public_key_info() != signer_key(signer)? {
        return Err(PkiError::SignerKeyMismatch { expected: "OCSP responder certificate's" });
    }

    let responses = params.responses.iter().map(single_response).collect::<Result<_, _>>()?;
    let response_extensions = match params.nonce {
        None => None,
        // §4.4.1: the nonce "cryptographically binds a request and a response".
        Some(nonce) => Some(vec![Extension {
            extn_id: ID_PKIX_OCSP_NONCE,
            critical: false,
            extn_value: octets(nonce)?,
        }]),
    };
    let tbs_response_data = ResponseData {
        version: 0,
        responder_id: ResponderId::ByKey(octets(&key_identifier(tbs.subject_public_key_info()))?),
        produced_at: generalized_time(params.produced_at)?,
        responses,
        response_extensions,
    };
    let algorithm = signature_algorithm_identifier(signer.algorithm())?;
    let tbs_der = tbs_response_data.to_der().map_err(PkiError::encoding("ResponseData"))?;
    let digest = signet_crypto::digest::digest(signer.algorithm().hash(), &tbs_der);
    let signature = signer.sign_digest(&digest)?;

    let certs = std::iter::once(params.responder_certificate)
        .chain(params.include_certificates.iter().copied())
        .map(|c| Any::from_der(c).map_err(PkiError::certificate))
        .collect::<Result<Vec<_>, _>>()?;
    let basic = BasicOcspResponse {
        tbs_response_data,
        signature_algorithm: algorithm,
        signature: BitString::from_bytes(&signature)
            .map_err(PkiError::encoding("signatureValue"))?,
        certs: Some(certs),
    };
    let basic_der = basic.to_der().map_err(PkiError::encoding("BasicOCSPResponse"))?;
    let response = OcspResponseAsn1 {
        response_status: ResponseStatus::Successful,
        response_bytes: Some(ResponseBytes {
            response_type: ID_PKIX_OCSP_BASIC,
            response: octets(&basic_der)?,
        }),
    };
    response.to_der().map_err(PkiError::encoding("OCSPResponse"))
}

fn single_response(s: &SingleStatus<'_>) -> Result<SingleResponse, PkiError> {
    let cert_status = match s.status {
        CertStatus::Good => CertStatusAsn1::Good(Null),
        CertStatus::Unknown => CertStatusAsn1::Unknown(Null),
        CertStatus::Revoked { at, reason } => CertStatusAsn1::Revoked(RevokedInfo {
            revocation_time: generalized_time(at)?,
            revocation_reason: reason.map(RevocationReason::to_asn1),
        }),
    };
    Ok(SingleResponse {
        cert_id: Any::from_der(s.id.der()).map_err(PkiError::encoding("CertID"))?,
        cert_status,
        this_update: generalized_time(s.this_update)?,
        next_update: s.next_update.map(generalized_time).transpose()?,
        single_extensions: None,
    })
}

/// OCSP times are GeneralizedTime in Zulu with whole seconds (RFC 6960 §4.2.2.1 by
/// reference to RFC 5280 §4.1.2.5.2).
fn generalized_time(unix_seconds: i64) -> Result<GeneralizedTime, PkiError> {
    let secs = u64::try_from(unix_seconds).map_err(|_| PkiError::TimeOutOfRange(unix_seconds))?;
    GeneralizedTime::from_unix_duration(Duration::from_secs(secs))
        .map_err(|_| PkiError::TimeOutOfRange(unix_seconds))
}

fn invalid(reason: &str) -> PkiError {
    PkiError::InvalidOcspResponse(reason.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_responses_are_a_bare_status() {
        assert_eq!(response_error(OcspErrorStatus::TryLater), [0x30, 0x03, 0x0a, 0x01, 0x03]);
        let decoded = OcspResponseAsn1::from_der(&response_error(OcspErrorStatus::Unauthorized));
        assert_eq!(
            decoded.ok(),
            Some(OcspResponseAsn1 {
                response_status: ResponseStatus::Unauthorized,
                response_bytes: None
            })
        );
    }
}
