//! `TimeStampResp` (RFC 3161 §2.4.2): a granted token, or a rejection with its
//! `PKIFailureInfo`.

use super::asn1::{PkiStatusInfo, TimeStampResp};
use der::asn1::{Any, BitString};
use der::{Decode, Encode};
use std::fmt;

/// `PKIStatus` granted (RFC 3161 §2.4.2: "when the PKIStatus contains the value zero a
/// TimeStampToken, as requested, is present").
const GRANTED: u8 = 0;
/// `PKIStatus` rejection.
const REJECTION: u8 = 2;

/// The rejection answered when even a rejection cannot be encoded (never in practice):
/// `SEQUENCE { SEQUENCE { INTEGER 2, BIT STRING systemFailure(25) } }`.
const SYSTEM_FAILURE_RESPONSE: [u8; 14] =
    [0x30, 0x0c, 0x30, 0x0a, 0x02, 0x01, 0x02, 0x03, 0x05, 0x06, 0x00, 0x00, 0x00, 0x40];

/// The `PKIFailureInfo` bits a TSA may answer with (RFC 3161 §2.4.2):
///
/// ```text
/// PKIFailureInfo ::= BIT STRING {
///     badAlg               (0),  -- unrecognized or unsupported Algorithm Identifier
///     badRequest           (2),  -- transaction not permitted or supported
///     badDataFormat        (5),  -- the data submitted has the wrong format
///     timeNotAvailable    (14),  -- the TSA's time source is not available
///     unacceptedPolicy    (15),  -- the requested TSA policy is not supported by the TSA
///     unacceptedExtension (16),  -- the requested extension is not supported by the TSA
///     addInfoNotAvailable (17),  -- the additional information requested could not be
///                                -- understood or is not available
///     systemFailure       (25)   -- the request cannot be handled due to system failure }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureInfo {
    /// `badAlg` (0).
    BadAlg,
    /// `badRequest` (2).
    BadRequest,
    /// `badDataFormat` (5).
    BadDataFormat,
    /// `timeNotAvailable` (14).
    TimeNotAvailable,
    /// `unacceptedPolicy` (15).
    UnacceptedPolicy,
    /// `unacceptedExtension` (16).
    UnacceptedExtension,
    /// `addInfoNotAvailable` (17).
    AddInfoNotAvailable,
    /// `systemFailure` (25).
    SystemFailure,
}

impl FailureInfo {
    /// The bit number in `PKIFailureInfo`.
    pub fn bit(self) -> u8 {
        match self {
            Self::BadAlg => 0,
            Self::BadRequest => 2,
            Self::BadDataFormat => 5,
            Self::TimeNotAvailable => 14,
            Self::UnacceptedPolicy => 15,
            Self::UnacceptedExtension => 16,
            Self::AddInfoNotAvailable => 17,
            Self::SystemFailure => 25,
        }
    }

    /// The ASN.1 name (`badAlg`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadAlg => "badAlg",
            Self::BadRequest => "badRequest",
            Self::BadDataFormat => "badDataFormat",
            Self::TimeNotAvailable => "timeNotAvailable",
            Self::UnacceptedPolicy => "unacceptedPolicy",
            Self::UnacceptedExtension => "unacceptedExtension",
            Self::AddInfoNotAvailable => "addInfoNotAvailable",
            Self::SystemFailure => "systemFailure",
        }
    }

    /// The named bit as a DER BIT STRING: X.690 §11.2.2 drops trailing zero bits, so the
    /// string ends at this bit.
    fn bit_string(self) -> der::Result<BitString> {
        let bit = usize::from(self.bit());
        let mut bytes = vec![0u8; bit / 8 + 1];
        bytes[bit / 8] = 0x80 >> (bit % 8);
        let unused = u8::try_from(7 - bit % 8)?;
        BitString::new(unused, bytes)
    }
}

impl fmt::Display for FailureInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `TimeStampResp` with status granted (0) carrying `token` (a DER `ContentInfo` from
/// [`super::issue_token`]). A `token` that is not one DER element yields a systemFailure
/// rejection instead.
pub fn response_granted(token: &[u8]) -> Vec<u8> {
    Any::from_der(token)
        .and_then(|token| {
            TimeStampResp {
                status: PkiStatusInfo { status: GRANTED, status_string: None, fail_info: None },
                time_stamp_token: Some(token),
            }
            .to_der()
        })
        .unwrap_or_else(|_| SYSTEM_FAILURE_RESPONSE.to_vec())
}

/// A `TimeStampResp` with status rejection (2), `failInfo` set to `fail`, and `text` as
/// its `statusString` (left out when empty). The text is sent to the client: say what
/// was wrong with the request, never internal detail (STYLE.md point 5).
pub fn response_rejection(fail: FailureInfo, text: &str) -> Vec<u8> {
    fail.bit_string()
        .and_then(|bits| {
            TimeStampResp {
                status: PkiStatusInfo {
                    status: REJECTION,
                    status_string: (!text.is_empty()).then(|| vec![text.to_owned()]),
                    fail_info: Some(bits),
                },
                time_stamp_token: None,
            }
            .to_der()
        })
        .unwrap_or_else(|_| SYSTEM_FAILURE_RESPONSE.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fallback_is_the_encoded_system_failure() {
        assert_eq!(response_rejection(FailureInfo::SystemFailure, ""), SYSTEM_FAILURE_RESPONSE);
        assert_eq!(response_granted(b"not DER"), SYSTEM_FAILURE_RESPONSE);
    }

    #[test]
    fn failure_bits_are_minimal_der() -> der::Result<()> {
        let bits = FailureInfo::BadAlg.bit_string()?;
        assert_eq!(bits.to_der()?, [0x03, 0x02, 0x07, 0x80]);
        let bits = FailureInfo::UnacceptedPolicy.bit_string()?;
        assert_eq!(bits.to_der()?, [0x03, 0x03, 0x00, 0x00, 0x01]);
        let resp = TimeStampResp::from_der(&response_rejection(FailureInfo::BadRequest, "no"))?;
        assert_eq!(resp.status.status, REJECTION);
        assert_eq!(resp.status.status_string, Some(vec!["no".to_owned()]));
        Ok(())
    }
}
