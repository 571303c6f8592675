//! Issuing a time-stamp token (RFC 3161 §2.4.2): a CMS `SignedData` (RFC 5652 §5) over a
//! `TSTInfo`, signed over a digest by the TSA's [`Signer`].
//!
//! ```text
//! eContent     = DER(TSTInfo { v1, policy, messageImprint, serial, genTime, accuracy,
//!                              ordering, nonce, tsa = directoryName(TSA subject) })
//! signedAttrs  = SET OF { contentType id-ct-TSTInfo,                    -- RFC 5652 §11.1
//!                         messageDigest H(eContent),                    -- RFC 5652 §11.2
//!                         signingCertificateV2 { SHA-256(TSA cert),     -- RFC 5035 §3
//!                                                issuerSerial } }
//! signature    = signer.sign_digest(H(DER(signedAttrs) with tag SET))  -- RFC 5652 §5.4
//! ```

use super::asn1::{Accuracy, TstInfo};
use super::gentime::GenTime;
use super::request::{refuse, TimeStampRequest};
use super::response::FailureInfo;
use crate::cms::asn1::ID_CT_TST_INFO;
use crate::cms::{signed_data, SignedAttributes, SignedDataParts};
use crate::issue::{serial_number, signer_key};
use crate::PkiError;
use const_oid::db::rfc5280::ID_KP_TIME_STAMPING;
use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use signet_crypto::digest::digest;
use signet_crypto::Signer;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::Certificate;

/// What the TSA adds to a request to make a token. Everything that varies per token
/// (time, serial) is chosen by the caller: this module reads no clock and draws no
/// randomness.
#[derive(Debug, Clone, Copy)]
pub struct TokenParams<'a> {
    /// The TSA policy under which the token is issued (`TSTInfo.policy`). A request asking
    /// for another policy is refused with `unacceptedPolicy`.
    pub policy: ObjectIdentifier,
    /// `serialNumber`: unique per token, big-endian unsigned, at most 20 octets (§2.4.2:
    /// "integers up to 160 bits").
    pub serial: &'a [u8],
    /// `genTime`, unix seconds.
    pub gen_time: i64,
    /// Milliseconds of `genTime` (0..=999); written as a DER fraction when non-zero.
    pub gen_time_millis: u16,
    /// `accuracy` in milliseconds (written as seconds + millis); `None` or 0 leaves it out.
    pub accuracy_millis: Option<u32>,
    /// The TSA's DER certificate: its key must be the signer's, and its extendedKeyUsage
    /// must be id-kp-timeStamping (RFC 3161 §2.3).
    pub tsa_certificate: &'a [u8],
    /// DER certificates added after the TSA certificate when the request has `certReq`
    /// (e.g. the issuing CA).
    pub chain: &'a [&'a [u8]],
    /// `ordering` (§2.4.2): true only when tokens from this TSA can be ordered by genTime
    /// alone.
    pub ordering: bool,
}

/// Issues the DER `TimeStampToken` (a `ContentInfo`, RFC 3161 §2.4.2) answering `req`.
///
/// The `SignerInfo` is version 1 with the TSA certificate's `IssuerAndSerialNumber`
/// (RFC 5652 §5.3); its digest algorithm is the signer's hash. The certificates field
/// holds the TSA certificate and `params.chain` only when `req.cert_req` (§2.4.1: "If the
/// certReq field is present and set to true, the TSA's public key certificate … MUST be
/// provided"). SHA-1 signers are refused (RFC 5816 §1 moves tokens to SHA-2).
pub fn issue_token(
    req: &TimeStampRequest,
    params: &TokenParams<'_>,
    signer: &dyn Signer,
) -> Result<Vec<u8>, PkiError> {
    if let Some(asked) = req.policy.filter(|p| *p != params.policy) {
        return Err(refuse(
            FailureInfo::UnacceptedPolicy,
            format!("policy {asked} is not this TSA's ({})", params.policy),
        ));
    }
    let algorithm = signer.algorithm();
    if algorithm.is_legacy() {
        return Err(PkiError::UnsupportedAlgorithm(format!(
            "{} for time-stamp tokens",
            algorithm.name()
        )));
    }
    let cert = Certificate::from_der(params.tsa_certificate).map_err(PkiError::certificate)?;
    let tbs = cert.tbs_certificate();
    if tbs.subject_public_key_info() != &signer_key(signer)? {
        return Err(PkiError::SignerKeyMismatch { expected: "TSA certificate's" });
    }
    let eku = tbs.get_extension::<ExtendedKeyUsage>().map_err(PkiError::certificate)?;
    if !eku.is_some_and(|(critical, e)| critical && e.0 == [ID_KP_TIME_STAMPING]) {
        return Err(PkiError::InvalidTokenParams(
            "the TSA certificate's extendedKeyUsage must be critical id-kp-timeStamping only (RFC 3161 §2.3)"
                .into(),
        ));
    }

    let tst_info = TstInfo {
        version: 1,
        policy: params.policy,
        message_imprint: req.imprint()?,
        serial_number: serial_number(params.serial)?,
        gen_time: gen_time(params)?,
        accuracy: accuracy(params.accuracy_millis),
        ordering: params.ordering,
        nonce: req.nonce_int()?,
        tsa: Some(GeneralName::DirectoryName(tbs.subject().clone())),
        extensions: None,
    };
    let e_content = tst_info.to_der().map_err(PkiError::encoding("TSTInfo"))?;

    let hash = algorithm.hash();
    let attrs = SignedAttributes::new(
        ID_CT_TST_INFO,
        &digest(hash, &e_content),
        params.tsa_certificate,
        None,
    )?;
    let signature = signer.sign_digest(&attrs.digest(hash)?)?;
    let certificates: Vec<&[u8]> = if req.cert_req {
        std::iter::once(params.tsa_certificate).chain(params.chain.iter().copied()).collect()
    } else {
        Vec::new()
    };
    signed_data(&SignedDataParts {
        content_type: ID_CT_TST_INFO,
        content: Some(&e_content),
        signer_certificate: params.tsa_certificate,
        certificates: &certificates,
        algorithm,
        signed_attributes: &attrs,
        signature: &signature,
    })
}

fn gen_time(params: &TokenParams<'_>) -> Result<GenTime, PkiError> {
    if params.gen_time_millis > 999 {
        return Err(PkiError::InvalidTokenParams(format!(
            "gen_time_millis {} is not below 1000",
            params.gen_time_millis
        )));
    }
    let unix_seconds =
        u64::try_from(params.gen_time).map_err(|_| PkiError::TimeOutOfRange(params.gen_time))?;
    let t = GenTime { unix_seconds, millis: params.gen_time_millis };
    // Checks the year range (1970..=9999) now rather than at encoding.
    t.to_der().map_err(|_| PkiError::TimeOutOfRange(params.gen_time))?;
    Ok(t)
}

/// `Accuracy` from milliseconds: seconds and millis (1..999), each left out when zero.
fn accuracy(millis: Option<u32>) -> Option<Accuracy> {
    let ms = millis.filter(|ms| *ms > 0)?;
    Some(Accuracy {
        seconds: Some(ms / 1000).filter(|s| *s > 0),
        millis: u16::try_from(ms % 1000).ok().filter(|m| *m > 0),
        micros: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accuracy_splits_seconds_and_millis() {
        assert_eq!(accuracy(None), None);
        assert_eq!(accuracy(Some(0)), None);
        let a = accuracy(Some(1500));
        assert_eq!(a.as_ref().map(|a| (a.seconds, a.millis)), Some((Some(1), Some(500))));
        let a = accuracy(Some(2000));
        assert_eq!(a.as_ref().map(|a| (a.seconds, a.millis)), Some((Some(2), None)));
        let a = accuracy(Some(10));
        assert_eq!(a.as_ref().map(|a| (a.seconds, a.millis)), Some((None, Some(10))));
    }
}
