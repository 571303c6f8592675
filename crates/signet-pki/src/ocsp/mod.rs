//! OCSP (RFC 6960): requests parsed, responses issued by Signet's delegated responder.
//!
//! ```text
//! client ── OCSPRequest (§4.1.1) ──▶ parse_request ──▶ OcspRequest { ids: [CertId], nonce }
//!           cert_id_matches_issuer(id, issuing CA certificate)        -- §4.1.1 hashes
//!           issue_response(ResponseParams { responder_certificate, produced_at,
//!                                           responses: [SingleStatus], nonce, … }, signer)
//!             → OCSPResponse { successful, id-pkix-ocsp-basic BasicOCSPResponse {
//!                 tbsResponseData { responderID byKey, producedAt, responses,
//!                                   responseExtensions { nonce } },
//!                 signatureAlgorithm, signature, certs } }                -- §4.2.1
//! client ◀── response_error(malformedRequest | internalError | tryLater | …)
//! ```
//!
//! As a client ([`verify_response`]): a response from another CA's responder is checked —
//! CertID, signer (the CA or its designated responder), validity interval — before it is
//! kept as revocation evidence.
//!
//! Pure logic: times are passed in and the response is signed over a digest by a
//! [`signet_crypto::Signer`] holding the responder's key (a certificate of
//! [`crate::Profile::Ocsp`], RFC 6960 §4.2.2.2 "CA Designated Responder"). The ASN.1 is
//! written with `der` derives (x509-ocsp is on the der 0.7 line).

mod asn1;
mod request;
mod response;
pub(crate) mod verify;

pub use request::{
    cert_id_matches_issuer, parse_request, request_der, CertId, IssuerHashes, OcspRequest,
};
pub use response::{
    issue_response, response_error, CertStatus, OcspErrorStatus, ResponseParams, SingleStatus,
};
pub use verify::{verify_response, OcspStatusInfo, CLOCK_SKEW, MAX_AGE_WITHOUT_NEXT_UPDATE};
