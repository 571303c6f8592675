//! Errors of certificate issuance and parsing. Messages name the offending field and
//! never carry key material.

use signet_crypto::CryptoError;

/// What went wrong while issuing or reading a certificate.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    /// `notAfter` is not after `notBefore` (RFC 5280 §4.1.2.5).
    #[error("the validity period is empty: notAfter ({not_after}) must be after notBefore ({not_before})")]
    EmptyValidity {
        /// Requested start, unix seconds.
        not_before: i64,
        /// Requested end, unix seconds.
        not_after: i64,
    },
    /// A time cannot be written as an X.509 `Time` (before 1970 or after 9999).
    #[error("time {0} (unix seconds) is outside 1970-01-01 .. 9999-12-31")]
    TimeOutOfRange(i64),
    /// The requested validity extends past the issuing CA certificate's own `notAfter`.
    #[error("the certificate would outlive its issuer: notAfter {not_after} is after the issuer's notAfter {issuer_not_after}")]
    OutlivesIssuer {
        /// Requested end, unix seconds.
        not_after: i64,
        /// Issuer's end, unix seconds.
        issuer_not_after: i64,
    },
    /// A subject attribute is missing, empty, too long or not encodable.
    #[error("invalid subject: {0}")]
    InvalidSubject(String),
    /// The serial number is zero, empty or longer than 20 octets (RFC 5280 §4.1.2.2).
    #[error("invalid serial number: {0}")]
    InvalidSerial(&'static str),
    /// The subject or signer public key is not a DER `SubjectPublicKeyInfo`.
    #[error("the {which} public key is not a DER SubjectPublicKeyInfo: {reason}")]
    InvalidPublicKey {
        /// "subject" or "signer".
        which: &'static str,
        /// The decoder's message.
        reason: String,
    },
    /// The key's algorithm is neither RSA nor EC.
    #[error("unsupported public key algorithm {0}")]
    UnsupportedKey(String),
    /// The signer's signature algorithm cannot be made with the signer's key.
    #[error("the signer's algorithm {algorithm} does not fit its {key} key")]
    AlgorithmKeyMismatch {
        /// The signer's algorithm.
        algorithm: String,
        /// The key family found in the signer's public key.
        key: &'static str,
    },
    /// The signer does not hold the key the certificate must be signed with: the subject
    /// key for a self-signed root, the issuer certificate's key otherwise.
    #[error("the signer's key is not the {expected} key")]
    SignerKeyMismatch {
        /// Which key was expected ("subject (self-signed root)", "issuing CA certificate's").
        expected: &'static str,
    },
    /// A root was given an issuer, or a subordinate profile was given none.
    #[error("profile {profile} {reason}")]
    IssuerMismatch {
        /// The requested profile.
        profile: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// The issuer certificate is not a CA certificate (RFC 5280 §4.2.1.9).
    #[error("the issuer certificate is not a CA certificate (basicConstraints cA is not true)")]
    IssuerNotCa,
    /// A URL cannot be written as an IA5String `uniformResourceIdentifier`.
    #[error("invalid URL `{0}`: it must be non-empty ASCII")]
    InvalidUrl(String),
    /// Bytes that should be a CMS signature are not one Signet can extend.
    #[error("invalid CMS signature: {0}")]
    InvalidCms(String),
    /// A profile's content (policies, QC statements) cannot be encoded or does not fit the
    /// certificate's profile.
    #[error("invalid certificate content: {0}")]
    InvalidContent(String),
    /// Bytes that should be a DER certificate (or chain) are not.
    #[error("invalid certificate: {0}")]
    InvalidCertificate(String),
    /// A signature `AlgorithmIdentifier` Signet does not produce or accept.
    #[error("unsupported signature algorithm: {0}")]
    UnsupportedAlgorithm(String),
    /// A `TimeStampReq` the TSA refuses (RFC 3161 §2.4.2): `failure` is the
    /// `PKIFailureInfo` bit to answer with ([`crate::tsp::response_rejection`]).
    #[error("time-stamp request refused ({failure}): {reason}")]
    TimeStampRequest {
        /// The failure to report in the rejection response.
        failure: crate::tsp::FailureInfo,
        /// What is wrong, for the status text and the log.
        reason: String,
    },
    /// Time-stamp token parameters that cannot be encoded (millis ≥ 1000, bad serial, a
    /// TSA certificate that does not parse or does not fit the signer).
    #[error("invalid time-stamp token parameters: {0}")]
    InvalidTokenParams(String),
    /// Bytes that should be a time-stamp token (RFC 3161 §2.4.2) are not.
    #[error("invalid time-stamp token: {0}")]
    InvalidTimeStampToken(String),
    /// CRL parameters that cannot be issued (RFC 5280 §5): nextUpdate not after
    /// thisUpdate, a bad or repeated serial, an issuer certificate without `cRLSign`.
    #[error("invalid CRL parameters: {0}")]
    InvalidCrl(String),
    /// Bytes that should be a DER `OCSPRequest` (RFC 6960 §4.1.1) are not, or ask for
    /// something Signet does not answer; the responder answers `malformedRequest`.
    #[error("malformed OCSP request: {0}")]
    OcspRequest(String),
    /// OCSP response parameters that cannot be issued (RFC 6960 §4.2): no responses, a
    /// responder certificate without id-kp-OCSPSigning or that does not fit the signer.
    #[error("invalid OCSP response parameters: {0}")]
    InvalidOcspResponse(String),
    /// An OCSP response a relying party must not use as evidence (RFC 6960 §3.2): not a
    /// successful basic response, no answer for the certificate, a signature that is
    /// neither the CA's nor an authorised responder's, or outside its validity interval.
    #[error("OCSP response refused: {0}")]
    OcspResponseRefused(String),
    /// A CRL a relying party must not use as evidence (RFC 5280 §6.3.3): another issuer, a
    /// bad signature, outside its validity interval, or a scope or critical extension
    /// Signet does not process (delta, indirect, partial CRLs).
    #[error("CRL refused: {0}")]
    CrlRefused(String),
    /// The crypto module refused or failed to sign.
    #[error("signing failed: {0}")]
    Signing(#[from] CryptoError),
    /// A structure could not be DER-encoded (a value out of its ASN.1 range).
    #[error("DER encoding of {what} failed: {source}")]
    Encoding {
        /// What was being encoded.
        what: &'static str,
        /// The encoder's error.
        source: der::Error,
    },
}

impl PkiError {
    /// Wraps an encoder error with what was being encoded.
    pub(crate) fn encoding(what: &'static str) -> impl FnOnce(der::Error) -> PkiError {
        move |source| PkiError::Encoding { what, source }
    }

    /// Wraps a decoder error on a certificate.
    pub(crate) fn certificate(e: der::Error) -> PkiError {
        PkiError::InvalidCertificate(e.to_string())
    }
}
