//! Reading the bodies of responses (RFC 9483 §4.1.1 ip/cp/kup, §4.2 rp, §3.6 error,
//! §4.1.1 pkiConf).

use super::asn1::{CertOrEncCert, CertRepMessage, ErrorMsgContent, RevRepContent};
use super::message::Incoming;
use super::request::CERT_REQ_ID;
use super::status::{small_int, status_of, Rejection};
use super::CmpError;
use der::asn1::Null;
use der::Encode;
use x509_cert::Certificate;

/// A granted certificate response.
#[derive(Debug)]
pub(crate) struct Issued {
    pub certificate_der: Vec<u8>,
    pub ca_pubs: Vec<Vec<u8>>,
}

/// Reads an ip, cp or kup: exactly one `CertResponse` with certReqId 0 (RFC 9483 §4.1.1),
/// granted, carrying a plain certificate (`encryptedCert` is for central key generation,
/// §4.1.6, which this client does not ask for).
pub(crate) fn cert_rep(msg: &Incoming) -> Result<Issued, CmpError> {
    let body: CertRepMessage = msg.body()?;
    let [response] = body.response.as_slice() else {
        return Err(CmpError::Protocol(format!(
            "{} carries {} CertResponses, expected one",
            msg.body_type.name(),
            body.response.len()
        )));
    };
    if small_int(&response.cert_req_id) != Some(i64::from(CERT_REQ_ID)) {
        return Err(CmpError::Protocol("the CertResponse has another certReqId than 0".into()));
    }
    if !status_of(&response.status).is_granted() {
        return Err(CmpError::Rejected(Rejection::from_status_info(
            msg.body_type.name(),
            &response.status,
        )));
    }
    let pair = response.certified_key_pair.as_ref().ok_or_else(|| {
        CmpError::Protocol("the CA granted the request but sent no certificate".into())
    })?;
    let certificate_der = match &pair.cert_or_enc_cert {
        CertOrEncCert::Certificate(c) => c.to_der().map_err(CmpError::malformed("certificate"))?,
        CertOrEncCert::EncryptedCert(_) => {
            return Err(CmpError::Protocol("an encrypted certificate was not asked for".into()))
        }
    };
    certificate(&certificate_der, "the issued certificate")?;
    let ca_pubs = body
        .ca_pubs
        .iter()
        .flatten()
        .map(|c| {
            let der = c.to_der().map_err(CmpError::malformed("caPubs"))?;
            certificate(&der, "a caPubs certificate").map(|_| der)
        })
        .collect::<Result<_, _>>()?;
    Ok(Issued { certificate_der, ca_pubs })
}

/// Reads an rp: the first `PKIStatusInfo` answers our one `RevDetails` (RFC 9483 §4.2).
pub(crate) fn rev_rep(msg: &Incoming) -> Result<(), CmpError> {
    let body: RevRepContent = msg.body()?;
    let status = body
        .status
        .first()
        .ok_or_else(|| CmpError::Malformed("rp without a PKIStatusInfo".into()))?;
    if status_of(status).is_granted() {
        Ok(())
    } else {
        Err(CmpError::Rejected(Rejection::from_status_info("rp", status)))
    }
}

/// An error message, as the rejection it carries (RFC 9810 §5.3.21).
pub(crate) fn error(msg: &Incoming) -> CmpError {
    match msg.body::<ErrorMsgContent>() {
        Ok(content) => CmpError::Rejected(Rejection::from_error_content(&content)),
        Err(e) => e,
    }
}

/// A short text of an error message whose protection failed, for the log.
pub(crate) fn unverified_error_text(msg: &Incoming) -> Option<String> {
    let content = msg.body::<ErrorMsgContent>().ok()?;
    Some(Rejection::from_error_content(&content).to_string().chars().take(500).collect())
}

/// Reads a pkiConf (`PKIConfirmContent ::= NULL`, RFC 9810 §5.3.17).
pub(crate) fn pki_conf(msg: &Incoming) -> Result<(), CmpError> {
    msg.body::<Null>().map(|_| ())
}

fn certificate(der: &[u8], what: &str) -> Result<Certificate, CmpError> {
    use der::Decode;
    Certificate::from_der(der).map_err(|e| CmpError::Malformed(format!("{what}: {e}")))
}
