//! Reading a time-stamp token back (RFC 3161 §2.4.2): the `TSTInfo` inside its
//! `SignedData`. The signature is not verified here (that is path validation's job);
//! this is for tests, logs and the LTV evidence Signet keeps.

use super::asn1::TstInfo;
use crate::cms::asn1::{ContentInfo, SignedData, ID_CT_TST_INFO, ID_SIGNED_DATA};
use crate::PkiError;
use const_oid::ObjectIdentifier;
use der::Decode;
use signet_types::HashAlgorithm;

/// What a token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// `policy`.
    pub policy: ObjectIdentifier,
    /// `serialNumber` in uppercase hex without leading zero octets.
    pub serial_hex: String,
    /// `genTime`, unix seconds.
    pub gen_time: i64,
    /// Milliseconds of `genTime` (finer fractions are truncated).
    pub gen_time_millis: u16,
    /// `accuracy` in milliseconds (microseconds truncated), if present.
    pub accuracy_millis: Option<u32>,
    /// `ordering`.
    pub ordering: bool,
    /// `nonce`: the INTEGER's content octets.
    pub nonce: Option<Vec<u8>>,
    /// The imprint's hash algorithm.
    pub hash: HashAlgorithm,
    /// `messageImprint.hashedMessage`.
    pub message_imprint: Vec<u8>,
}

/// Parses a DER `TimeStampToken` (`ContentInfo` → `SignedData` with eContentType
/// id-ct-TSTInfo → `TSTInfo`, RFC 3161 §2.4.2). An imprint hash Signet does not know is
/// refused.
pub fn parse_token_info(token: &[u8]) -> Result<TokenInfo, PkiError> {
    let bad = |what: &str| PkiError::InvalidTimeStampToken(what.to_owned());
    let der_err = |e: der::Error| PkiError::InvalidTimeStampToken(e.to_string());
    let content_info = ContentInfo::from_der(token).map_err(der_err)?;
    if content_info.content_type != ID_SIGNED_DATA {
        return Err(bad("the ContentInfo is not id-signedData"));
    }
    let signed_data = content_info.content.decode_as::<SignedData>().map_err(der_err)?;
    let encap = signed_data.encap_content_info;
    if encap.e_content_type != ID_CT_TST_INFO {
        return Err(bad("the eContentType is not id-ct-TSTInfo"));
    }
    let e_content = encap.e_content.ok_or_else(|| bad("the TSTInfo is not encapsulated"))?;
    let tst = TstInfo::from_der(e_content.as_bytes()).map_err(der_err)?;
    if tst.version != 1 {
        return Err(bad("TSTInfo version is not 1"));
    }
    let hash = HashAlgorithm::from_oid(&tst.message_imprint.hash_algorithm.oid)
        .ok_or_else(|| bad("unknown imprint hash algorithm"))?;
    let accuracy_millis = tst.accuracy.map(|a| {
        a.seconds.unwrap_or(0).saturating_mul(1000).saturating_add(u32::from(a.millis.unwrap_or(0)))
    });
    let serial = tst.serial_number.as_bytes();
    let first = serial.iter().position(|b| *b != 0).unwrap_or(serial.len());
    Ok(TokenInfo {
        policy: tst.policy,
        serial_hex: serial[first..].iter().map(|b| format!("{b:02X}")).collect(),
        gen_time: i64::try_from(tst.gen_time.unix_seconds).unwrap_or(i64::MAX),
        gen_time_millis: tst.gen_time.millis,
        accuracy_millis,
        ordering: tst.ordering,
        nonce: tst.nonce.map(|n| n.as_bytes().to_vec()),
        hash,
        message_imprint: tst.message_imprint.hashed_message.as_bytes().to_vec(),
    })
}
