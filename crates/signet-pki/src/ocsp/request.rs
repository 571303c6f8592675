//! Reading an `OCSPRequest` (RFC 6960 §4.1) and matching its `CertID`s to an issuer.
//!
//! A request may be signed (`optionalSignature`, §4.1.2); Signet's responder does not
//! require signed requests, so the signature is accepted and not checked. The `CertID`
//! of each `Request` is kept as the client sent it: §4.2.1 has the response name the
//! certificate by the same `CertID`, and clients compare it byte for byte.

use super::asn1::{CertIdAsn1, OcspRequestAsn1, ID_PKIX_OCSP_NONCE};
use crate::PkiError;
use der::{Decode, Encode};
use signet_crypto::digest::digest;
use signet_types::HashAlgorithm;
use x509_cert::Certificate;

/// The longest nonce accepted: RFC 8954 §2.1 "Nonce ::= OCTET STRING(SIZE(1..32))", plus
/// the two octets of the OCTET STRING header most clients put inside `extnValue`.
const MAX_NONCE_EXTN_VALUE: usize = 34;

/// A parsed `OCSPRequest`: the certificates asked about and the nonce to echo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcspRequest {
    /// One `CertID` per `Request` of `requestList`, in order.
    pub ids: Vec<CertId>,
    /// The `extnValue` of the `id-pkix-ocsp-nonce` request extension (§4.4.1), as raw
    /// bytes, to be copied into the response's nonce extension.
    pub nonce: Option<Vec<u8>>,
}

/// `CertID` (§4.1.1): which certificate, named by hashes of its issuer and its serial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertId {
    /// `hashAlgorithm` of the two issuer hashes.
    pub hash: HashAlgorithm,
    /// `issuerNameHash`: the hash of the DER of the issuer's subject `Name`.
    pub issuer_name_hash: Vec<u8>,
    /// `issuerKeyHash`: the hash of the issuer's `subjectPublicKey` BIT STRING contents.
    pub issuer_key_hash: Vec<u8>,
    /// `serialNumber`, big-endian positive without a leading zero octet.
    pub serial: Vec<u8>,
    /// The `CertID` exactly as requested, echoed in the `SingleResponse`.
    der: Vec<u8>,
}

impl CertId {
    /// The `CertID`'s DER as it appeared in the request.
    pub fn der(&self) -> &[u8] {
        &self.der
    }
}

/// Parses a DER `OCSPRequest` (§4.1.1). Refused (answer `malformedRequest`): anything
/// that is not DER of that shape, trailing bytes, a version other than v1, an empty
/// `requestList`, a hash algorithm Signet does not know, hashes of the wrong length, a
/// serial that is not positive, two nonces, or a nonce longer than RFC 8954 allows.
pub fn parse_request(der: &[u8]) -> Result<OcspRequest, PkiError> {
    let req = OcspRequestAsn1::from_der(der).map_err(|e| malformed(e.to_string()))?;
    let tbs = req.tbs_request;
    if tbs.version != 0 {
        return Err(malformed(format!("version {} (only v1 is defined)", tbs.version + 1)));
    }
    if tbs.request_list.is_empty() {
        return Err(malformed("the requestList is empty".into()));
    }
    let ids = tbs
        .request_list
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let der = r.req_cert.to_der().map_err(|e| malformed(e.to_string()))?;
            cert_id(der).map_err(|e| malformed(format!("request {}: {e}", i + 1)))
        })
        .collect::<Result<Vec<_>, _>>()?;

    let mut nonces = tbs
        .request_extensions
        .iter()
        .flatten()
        .filter(|e| e.extn_id == ID_PKIX_OCSP_NONCE)
        .map(|e| e.extn_value.as_bytes().to_vec());
    let nonce = nonces.next();
    if nonces.next().is_some() {
        return Err(malformed("two nonce extensions".into()));
    }
    if nonce.as_ref().is_some_and(|n| n.is_empty() || n.len() > MAX_NONCE_EXTN_VALUE) {
        return Err(malformed("the nonce is empty or longer than 32 octets".into()));
    }
    Ok(OcspRequest { ids, nonce })
}

/// Whether `id` names a certificate issued by `issuer_certificate` (DER): both hashes
/// are recomputed with `id.hash` — the name hash over the DER of the issuer's subject
/// `Name`, the key hash over its `subjectPublicKey` BIT STRING contents (§4.1.1) — and
/// compared. The serial is not looked at.
pub fn cert_id_matches_issuer(id: &CertId, issuer_certificate: &[u8]) -> Result<bool, PkiError> {
    let cert = Certificate::from_der(issuer_certificate).map_err(PkiError::certificate)?;
    let tbs = cert.tbs_certificate();
    let name = tbs.subject().to_der().map_err(PkiError::encoding("issuer Name"))?;
    let key = tbs.subject_public_key_info().subject_public_key.raw_bytes();
    Ok(digest(id.hash, &name) == id.issuer_name_hash && digest(id.hash, key) == id.issuer_key_hash)
}

/// An issuer's CertID hashes (§4.1.1) for SHA-1 and SHA-256, computed once: a responder
/// matches every request against them without parsing the issuer certificate again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerHashes {
    /// (hash, issuerNameHash, issuerKeyHash) per supported hash.
    hashes: Vec<(HashAlgorithm, Vec<u8>, Vec<u8>)>,
}

impl IssuerHashes {
    /// Reads the issuer certificate (DER).
    pub fn new(issuer_certificate: &[u8]) -> Result<Self, PkiError> {
        let cert = Certificate::from_der(issuer_certificate).map_err(PkiError::certificate)?;
        let tbs = cert.tbs_certificate();
        let name = tbs.subject().to_der().map_err(PkiError::encoding("issuer Name"))?;
        let key = tbs.subject_public_key_info().subject_public_key.raw_bytes();
        let hashes = [
            HashAlgorithm::Sha1,
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ]
        .into_iter()
        .map(|h| (h, digest(h, &name), digest(h, key)))
        .collect();
        Ok(Self { hashes })
    }

    /// Whether `id` names a certificate of this issuer (the serial is not looked at).
    pub fn matches(&self, id: &CertId) -> bool {
        self.hashes.iter().any(|(h, name, key)| {
            *h == id.hash && *name == id.issuer_name_hash && *key == id.issuer_key_hash
        })
    }
}

/// Builds an unsigned OCSP request (RFC 6960 §4.1.1) for one certificate, with a SHA-1
/// CertID (what RFC 5019 §2.1.1 responders and clients use) and an optional nonce
/// (§4.4.1): what Signet sends as an OCSP client (LTV evidence, benchmarks).
pub fn request_der(
    certificate: &[u8],
    issuer_certificate: &[u8],
    nonce: Option<&[u8]>,
) -> Result<Vec<u8>, PkiError> {
    use super::asn1::{OcspRequestAsn1, Request, TbsRequest, ID_PKIX_OCSP_NONCE};
    let enc = PkiError::encoding;
    let issuer = Certificate::from_der(issuer_certificate).map_err(PkiError::certificate)?;
    let cert = Certificate::from_der(certificate).map_err(PkiError::certificate)?;
    let name = issuer.tbs_certificate().subject().to_der().map_err(enc("issuer Name"))?;
    let key = issuer.tbs_certificate().subject_public_key_info().subject_public_key.raw_bytes();
    let id = CertIdAsn1 {
        hash_algorithm: spki::AlgorithmIdentifierOwned {
            oid: signet_types::algorithms::oid::SHA1,
            parameters: Some(der::asn1::Any::from(der::asn1::Null)),
        },
        issuer_name_hash: der::asn1::OctetString::new(digest(HashAlgorithm::Sha1, &name))
            .map_err(enc("issuerNameHash"))?,
        issuer_key_hash: der::asn1::OctetString::new(digest(HashAlgorithm::Sha1, key))
            .map_err(enc("issuerKeyHash"))?,
        serial_number: der::asn1::Int::new(cert.tbs_certificate().serial_number().as_bytes())
            .map_err(enc("serialNumber"))?,
    };
    let req_cert = der::asn1::Any::encode_from(&id).map_err(enc("CertID"))?;
    let request_extensions = match nonce {
        Some(n) => {
            let value = der::asn1::OctetString::new(n).map_err(enc("nonce"))?;
            Some(vec![x509_cert::ext::Extension {
                extn_id: ID_PKIX_OCSP_NONCE,
                critical: false,
                extn_value: der::asn1::OctetString::new(value.to_der().map_err(enc("nonce"))?)
                    .map_err(enc("nonce"))?,
            }])
        }
        None => None,
    };
    let request = OcspRequestAsn1 {
        tbs_request: TbsRequest {
            version: 0,
            requestor_name: None,
            request_list: vec![Request { req_cert, single_request_extensions: None }],
            request_extensions,
        },
        optional_signature: None,
    };
    request.to_der().map_err(enc("OCSPRequest"))
}

fn cert_id(der: Vec<u8>) -> Result<CertId, String> {
    let id = CertIdAsn1::from_der(&der).map_err(|e| format!("CertID: {e}"))?;
    let hash = HashAlgorithm::from_oid(&id.hash_algorithm.oid)
        .ok_or_else(|| format!("unknown hash algorithm {}", id.hash_algorithm.oid))?;
    let issuer_name_hash = id.issuer_name_hash.as_bytes().to_vec();
    let issuer_key_hash = id.issuer_key_hash.as_bytes().to_vec();
    if issuer_name_hash.len() != hash.output_len() || issuer_key_hash.len() != hash.output_len() {
        return Err(format!("issuer hashes are not {hash} digests"));
    }
    let bytes = id.serial_number.as_bytes();
    if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        return Err("the serial number is negative".into());
    }
    let first = bytes.iter().position(|b| *b != 0).ok_or("the serial number is zero")?;
    Ok(CertId { hash, issuer_name_hash, issuer_key_hash, serial: bytes[first..].to_vec(), der })
}

fn malformed(reason: String) -> PkiError {
    PkiError::OcspRequest(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_not_a_certificate_to_ask_about() {
        assert!(request_der(b"junk", b"junk", None).is_err());
    }

    #[test]
    fn garbage_and_empty_requests_are_malformed() {
        assert!(matches!(parse_request(b"junk"), Err(PkiError::OcspRequest(_))));
        // OCSPRequest { TBSRequest { requestList {} } }
        assert!(matches!(
            parse_request(&[0x30, 0x04, 0x30, 0x02, 0x30, 0x00]),
            Err(PkiError::OcspRequest(_))
        ));
    }
}
