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
    fn garbage_and_empty_requests_are_malformed() {
        assert!(matches!(parse_request(b"junk"), Err(PkiError::OcspRequest(_))));
        // OCSPRequest { TBSRequest { requestList {} } }
        assert!(matches!(
            parse_request(&[0x30, 0x04, 0x30, 0x02, 0x30, 0x00]),
            Err(PkiError::OcspRequest(_))
        ));
    }
}
