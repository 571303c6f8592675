//! `PKIStatusInfo` read back (RFC 9810 §5.2.3): the status, the failure bits by name and
//! the server's text, which make up a [`Rejection`].

use super::asn1::{ErrorMsgContent, PkiStatusInfo};
use der::asn1::{BitString, Int};
use std::fmt;

/// `PKIStatus` (RFC 9810 §5.2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PkiStatus {
    /// `accepted` (0): "you got exactly what you asked for".
    Accepted,
    /// `grantedWithMods` (1): "you got something like what you asked for".
    GrantedWithMods,
    /// `rejection` (2): "you don't get it, more information elsewhere in the message".
    Rejection,
    /// `waiting` (3): the request body part has not yet been processed (polling, RFC 9483
    /// §4.4, which this client does not do).
    Waiting,
    /// `revocationWarning` (4): "a revocation is imminent".
    RevocationWarning,
    /// `revocationNotification` (5): "a revocation has occurred".
    RevocationNotification,
    /// `keyUpdateWarning` (6): the update was already done for the oldCertId.
    KeyUpdateWarning,
    /// A value RFC 9810 does not define.
    Unknown(i64),
}

impl PkiStatus {
    fn from_code(code: i64) -> Self {
        match code {
            0 => Self::Accepted,
            1 => Self::GrantedWithMods,
            2 => Self::Rejection,
            3 => Self::Waiting,
            4 => Self::RevocationWarning,
            5 => Self::RevocationNotification,
            6 => Self::KeyUpdateWarning,
            n => Self::Unknown(n),
        }
    }

    /// `accepted` or `grantedWithMods`: the request was granted (RFC 9483 §4.1.1).
    pub fn is_granted(self) -> bool {
        matches!(self, Self::Accepted | Self::GrantedWithMods)
    }
}

impl fmt::Display for PkiStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Accepted => f.write_str("accepted"),
            Self::GrantedWithMods => f.write_str("grantedWithMods"),
            Self::Rejection => f.write_str("rejection"),
            Self::Waiting => f.write_str("waiting"),
            Self::RevocationWarning => f.write_str("revocationWarning"),
            Self::RevocationNotification => f.write_str("revocationNotification"),
            Self::KeyUpdateWarning => f.write_str("keyUpdateWarning"),
            Self::Unknown(n) => write!(f, "unknown PKIStatus {n}"),
        }
    }
}

/// The names of the `PKIFailureInfo` bits (RFC 9810 §5.2.3), by bit number.
const FAILURE_NAMES: [&str; 27] = [
    "badAlg",
    "badMessageCheck",
    "badRequest",
    "badTime",
    "badCertId",
    "badDataFormat",
    "wrongAuthority",
    "incorrectData",
    "missingTimeStamp",
    "badPOP",
    "certRevoked",
    "certConfirmed",
    "wrongIntegrity",
    "badRecipientNonce",
    "timeNotAvailable",
    "unacceptedPolicy",
    "unacceptedExtension",
    "addInfoNotAvailable",
    "badSenderNonce",
    "badCertTemplate",
    "signerNotTrusted",
    "transactionIdInUse",
    "unsupportedVersion",
    "notAuthorized",
    "systemUnavail",
    "systemFailure",
    "duplicateCertReq",
];

/// What the CA said when it did not grant a request: the `PKIStatusInfo` of a certificate
/// or revocation response, or the content of an `error` message (RFC 9810 §5.3.21).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The body it came in ("ip", "cp", "kup", "rp", "error").
    pub body: &'static str,
    /// `status`.
    pub status: PkiStatus,
    /// The set `failInfo` bits by their RFC 9810 names ("badPOP", "badRequest", …), in bit
    /// order; an undefined bit is named "bit N".
    pub fail_info: Vec<String>,
    /// `statusString`, one entry per UTF8String.
    pub status_string: Vec<String>,
    /// `errorCode` of an error message (implementation-specific), if it fits an i64.
    pub error_code: Option<i64>,
    /// `errorDetails` of an error message.
    pub error_details: Vec<String>,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} with status {}", self.body, self.status)?;
        if !self.fail_info.is_empty() {
            write!(f, ", failInfo {}", self.fail_info.join(", "))?;
        }
        let text: Vec<&str> =
            self.status_string.iter().chain(&self.error_details).map(String::as_str).collect();
        if !text.is_empty() {
            write!(f, ": {}", text.join("; "))?;
        }
        Ok(())
    }
}

impl Rejection {
    pub(crate) fn from_status_info(body: &'static str, info: &PkiStatusInfo) -> Self {
        Self {
            body,
            status: status_of(info),
            fail_info: info.fail_info.as_ref().map(failure_names).unwrap_or_default(),
            status_string: info.status_string.clone().unwrap_or_default(),
            error_code: None,
            error_details: Vec::new(),
        }
    }

    pub(crate) fn from_error_content(content: &ErrorMsgContent) -> Self {
        Self {
            error_code: content.error_code.as_ref().and_then(small_int),
            error_details: content.error_details.clone().unwrap_or_default(),
            ..Self::from_status_info("error", &content.pki_status_info)
        }
    }
}

/// The status of a `PKIStatusInfo`.
pub(crate) fn status_of(info: &PkiStatusInfo) -> PkiStatus {
    small_int(&info.status).map_or(PkiStatus::Unknown(i64::MAX), PkiStatus::from_code)
}

/// The names of the bits set in a `PKIFailureInfo`: bit 0 is the most significant bit of
/// the first octet (X.690 §8.6.2).
fn failure_names(bits: &BitString) -> Vec<String> {
    let bytes = bits.raw_bytes();
    (0..bits.bit_len().min(1024))
        .filter(|i| bytes.get(i / 8).is_some_and(|b| b & (0x80 >> (i % 8)) != 0))
        .map(|i| FAILURE_NAMES.get(i).map_or_else(|| format!("bit {i}"), |s| (*s).to_owned()))
        .collect()
}

/// An INTEGER that fits an i64 (two's complement, big-endian).
pub(crate) fn small_int(i: &Int) -> Option<i64> {
    let bytes = i.as_bytes();
    if bytes.is_empty() || bytes.len() > 8 {
        return None;
    }
    let fill = if bytes[0] & 0x80 != 0 { 0xff } else { 0 };
    let mut buf = [fill; 8];
    buf[8 - bytes.len()..].copy_from_slice(bytes);
    Some(i64::from_be_bytes(buf))
}

/// A small non-negative INTEGER (certReqId 0, PKIStatus accepted).
pub(crate) fn int(value: u8) -> Result<Int, der::Error> {
    Int::try_from(i16::from(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_bits_are_named_in_order() {
        // badRequest (2) and badPOP (9): 0010 0000 0100 0000, 6 unused bits.
        let bits = BitString::new(6, [0x20, 0x40]).unwrap();
        assert_eq!(failure_names(&bits), ["badRequest", "badPOP"]);
        let bits = BitString::new(0, [0x00, 0x00, 0x00, 0x21]).unwrap();
        assert_eq!(failure_names(&bits), ["duplicateCertReq", "bit 31"]);
        assert!(failure_names(&BitString::new(0, []).unwrap()).is_empty());
    }

    #[test]
    fn integers_convert_with_sign() {
        for (bytes, v) in [(&[0x00][..], 0), (&[0x7f], 127), (&[0xff], -1), (&[0x00, 0x80], 128)] {
            assert_eq!(small_int(&Int::new(bytes).unwrap()), Some(v));
        }
        assert_eq!(small_int(&Int::new(&[0x01; 9]).unwrap()), None);
        assert_eq!(small_int(&int(0).unwrap()), Some(0));
        assert_eq!(small_int(&int(200).unwrap()), Some(200));
    }
}
