//! Reading a `TimeStampReq` (RFC 3161 §2.4.1) into what the TSA acts on, refusing what
//! it cannot honour with the `PKIFailureInfo` RFC 3161 §2.4.2 names.

use super::asn1::{MessageImprint, TimeStampReq};
use super::response::FailureInfo;
use crate::PkiError;
use const_oid::ObjectIdentifier;
use der::asn1::{Any, Int, Null, OctetString};
use der::{Decode, Encode};
use signet_types::HashAlgorithm;
use spki::AlgorithmIdentifierOwned;

/// A time-stamp request the TSA can serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeStampRequest {
    /// The hash algorithm of the imprint.
    pub hash: HashAlgorithm,
    /// `hashedMessage`, exactly `hash.output_len()` octets.
    pub message_imprint: Vec<u8>,
    /// `reqPolicy`: the TSA policy the client asks for, if any.
    pub policy: Option<ObjectIdentifier>,
    /// `nonce`: the INTEGER's content octets (big-endian two's complement), echoed in the
    /// token (§2.4.2: "MUST be present if the field was present in the TimeStampReq").
    pub nonce: Option<Vec<u8>>,
    /// `certReq`: whether the TSA certificate must be in the token (§2.4.1).
    pub cert_req: bool,
    /// Whether the request's `hashAlgorithm` carried NULL parameters (OpenSSL writes
    /// them; RFC 5754 §2 prefers them absent). Kept so the token's `messageImprint` is the
    /// request's, octet for octet (§2.4.2: "MUST have the same value").
    pub hash_parameters_null: bool,
}

impl TimeStampRequest {
    /// A request for `message_imprint` (already hashed with `hash`): no policy, no nonce,
    /// certificate requested, absent hash parameters — what Signet asks its TSA for when it
    /// time-stamps a signature itself.
    pub fn new(hash: HashAlgorithm, message_imprint: Vec<u8>) -> Result<Self, PkiError> {
        check_length(hash, &message_imprint)?;
        Ok(Self {
            hash,
            message_imprint,
            policy: None,
            nonce: None,
            cert_req: true,
            hash_parameters_null: false,
        })
    }

    /// The DER `TimeStampReq` (version 1), e.g. to send to an external TSA.
    pub fn to_der(&self) -> Result<Vec<u8>, PkiError> {
        let req = TimeStampReq {
            version: 1,
            message_imprint: self.imprint()?,
            req_policy: self.policy,
            nonce: self.nonce_int()?,
            cert_req: self.cert_req,
            extensions: None,
        };
        req.to_der().map_err(PkiError::encoding("TimeStampReq"))
    }

    /// The `MessageImprint` as the request gave it.
    pub(crate) fn imprint(&self) -> Result<MessageImprint, PkiError> {
        check_length(self.hash, &self.message_imprint)?;
        let parameters = self.hash_parameters_null.then(|| Any::from(Null));
        Ok(MessageImprint {
            hash_algorithm: AlgorithmIdentifierOwned { oid: self.hash.oid(), parameters },
            hashed_message: OctetString::new(self.message_imprint.as_slice())
                .map_err(PkiError::encoding("hashedMessage"))?,
        })
    }

    /// The nonce as an INTEGER.
    pub(crate) fn nonce_int(&self) -> Result<Option<Int>, PkiError> {
        self.nonce.as_deref().map(|n| Int::new(n).map_err(PkiError::encoding("nonce"))).transpose()
    }
}

/// Parses a DER `TimeStampReq`.
///
/// Refused, with the failure to answer ([`PkiError::TimeStampRequest`]): bytes that are
/// not a DER `TimeStampReq` (badDataFormat); a version other than v1 (badRequest); a hash
/// algorithm Signet does not know or with parameters other than absent/NULL (badAlg); an
/// imprint whose length is not the hash's (badDataFormat); any extension (§2.4.2
/// `unacceptedExtension`: Signet's TSA supports none, and §2.1 says a TSA must not ignore
/// one it does not understand).
pub fn parse_request(der: &[u8]) -> Result<TimeStampRequest, PkiError> {
    let req = TimeStampReq::from_der(der)
        .map_err(|e| refuse(FailureInfo::BadDataFormat, format!("not a DER TimeStampReq: {e}")))?;
    if req.version != 1 {
        return Err(refuse(
            FailureInfo::BadRequest,
            format!("version {} (only v1 exists)", req.version),
        ));
    }
    if let Some(ext) = req.extensions.as_ref().filter(|e| !e.is_empty()) {
        let oids: Vec<String> = ext.iter().map(|e| e.extn_id.to_string()).collect();
        return Err(refuse(
            FailureInfo::UnacceptedExtension,
            format!("extensions are not supported ({})", oids.join(", ")),
        ));
    }
    let alg = &req.message_imprint.hash_algorithm;
    let hash = HashAlgorithm::from_oid(&alg.oid).ok_or_else(|| {
        refuse(FailureInfo::BadAlg, format!("unknown hash algorithm {}", alg.oid))
    })?;
    let hash_parameters_null = match &alg.parameters {
        None => false,
        Some(p) if p.to_der().ok() == Null.to_der().ok() => true,
        Some(_) => {
            return Err(refuse(FailureInfo::BadAlg, format!("{hash} with non-NULL parameters")))
        }
    };
    let message_imprint = req.message_imprint.hashed_message.as_bytes().to_vec();
    check_length(hash, &message_imprint)?;
    Ok(TimeStampRequest {
        hash,
        message_imprint,
        policy: req.req_policy,
        nonce: req.nonce.map(|n| n.as_bytes().to_vec()),
        cert_req: req.cert_req,
        hash_parameters_null,
    })
}

fn check_length(hash: HashAlgorithm, imprint: &[u8]) -> Result<(), PkiError> {
    if imprint.len() == hash.output_len() {
        Ok(())
    } else {
        Err(refuse(
            FailureInfo::BadDataFormat,
            format!("a {hash} imprint has {} octets, not {}", hash.output_len(), imprint.len()),
        ))
    }
}

pub(crate) fn refuse(failure: FailureInfo, reason: String) -> PkiError {
    PkiError::TimeStampRequest { failure, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(r: Result<TimeStampRequest, PkiError>) -> Option<FailureInfo> {
        match r {
            Err(PkiError::TimeStampRequest { failure, .. }) => Some(failure),
            _ => None,
        }
    }

    #[test]
    fn requests_round_trip() -> Result<(), PkiError> {
        let mut req = TimeStampRequest::new(HashAlgorithm::Sha256, vec![7; 32])?;
        req.nonce = Some(vec![0x00, 0x9f, 0x01]);
        req.policy = Some(ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.1"));
        req.hash_parameters_null = true;
        assert_eq!(parse_request(&req.to_der()?)?, req);
        req.cert_req = false;
        req.hash_parameters_null = false;
        assert_eq!(parse_request(&req.to_der()?)?, req);
        Ok(())
    }

    #[test]
    fn bad_requests_name_their_failure() -> Result<(), PkiError> {
        assert!(TimeStampRequest::new(HashAlgorithm::Sha256, vec![0; 31]).is_err());
        assert_eq!(failure(parse_request(b"junk")), Some(FailureInfo::BadDataFormat));

        let good = TimeStampRequest::new(HashAlgorithm::Sha256, vec![1; 32])?;
        let mut raw = TimeStampReq::from_der(&good.to_der()?).map_err(PkiError::certificate)?;
        raw.version = 2;
        let der = raw.to_der().map_err(PkiError::encoding("test"))?;
        assert_eq!(failure(parse_request(&der)), Some(FailureInfo::BadRequest));

        raw.version = 1;
        raw.message_imprint.hash_algorithm.oid = ObjectIdentifier::new_unwrap("1.2.3.4");
        let der = raw.to_der().map_err(PkiError::encoding("test"))?;
        assert_eq!(failure(parse_request(&der)), Some(FailureInfo::BadAlg));

        raw.message_imprint.hash_algorithm.oid = HashAlgorithm::Sha512.oid();
        let der = raw.to_der().map_err(PkiError::encoding("test"))?;
        assert_eq!(failure(parse_request(&der)), Some(FailureInfo::BadDataFormat));

        raw.message_imprint.hash_algorithm.oid = HashAlgorithm::Sha256.oid();
        raw.extensions = Some(vec![x509_cert::ext::Extension {
            extn_id: ObjectIdentifier::new_unwrap("1.2.3.5"),
            critical: false,
            extn_value: OctetString::new([5u8, 0].as_slice())
                .map_err(PkiError::encoding("test"))?,
        }]);
        let der = raw.to_der().map_err(PkiError::encoding("test"))?;
        assert_eq!(failure(parse_request(&der)), Some(FailureInfo::UnacceptedExtension));
        Ok(())
    }
}
