//! The reason a certificate was revoked (RFC 5280 §5.3.1), shared by CRL entries and
//! OCSP `RevokedInfo` (RFC 6960 §4.2.1).
//!
//! ```text
//! CRLReason ::= ENUMERATED {
//!      unspecified             (0),
//!      keyCompromise           (1),
//!      cACompromise            (2),
//!      affiliationChanged      (3),
//!      superseded              (4),
//!      cessationOfOperation    (5),
//!      certificateHold         (6),
//!           -- value 7 is not used
//!      removeFromCRL           (8),
//!      privilegeWithdrawn      (9),
//!      aACompromise           (10) }
//! ```

use std::fmt;
use std::str::FromStr;
use x509_cert::ext::pkix::CrlReason;

/// A `CRLReason` value; [`RevocationReason::as_str`] and [`FromStr`] use the RFC's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum RevocationReason {
    /// `unspecified` (0): never written as a reasonCode in a CRL (§5.3.1).
    Unspecified = 0,
    /// `keyCompromise` (1).
    KeyCompromise = 1,
    /// `cACompromise` (2).
    CaCompromise = 2,
    /// `affiliationChanged` (3).
    AffiliationChanged = 3,
    /// `superseded` (4).
    Superseded = 4,
    /// `cessationOfOperation` (5).
    CessationOfOperation = 5,
    /// `certificateHold` (6).
    CertificateHold = 6,
    /// `removeFromCRL` (8): only in delta CRLs.
    RemoveFromCrl = 8,
    /// `privilegeWithdrawn` (9).
    PrivilegeWithdrawn = 9,
    /// `aACompromise` (10).
    AaCompromise = 10,
}

/// A reason name that is not one of RFC 5280's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown revocation reason `{0}`")]
pub struct UnknownRevocationReason(pub String);

impl RevocationReason {
    /// Every reason, in the order of the ASN.1.
    pub const ALL: [RevocationReason; 10] = [
        Self::Unspecified,
        Self::KeyCompromise,
        Self::CaCompromise,
        Self::AffiliationChanged,
        Self::Superseded,
        Self::CessationOfOperation,
        Self::CertificateHold,
        Self::RemoveFromCrl,
        Self::PrivilegeWithdrawn,
        Self::AaCompromise,
    ];

    /// The RFC 5280 name ("keyCompromise", "cACompromise", …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unspecified => "unspecified",
            Self::KeyCompromise => "keyCompromise",
            Self::CaCompromise => "cACompromise",
            Self::AffiliationChanged => "affiliationChanged",
            Self::Superseded => "superseded",
            Self::CessationOfOperation => "cessationOfOperation",
            Self::CertificateHold => "certificateHold",
            Self::RemoveFromCrl => "removeFromCRL",
            Self::PrivilegeWithdrawn => "privilegeWithdrawn",
            Self::AaCompromise => "aACompromise",
        }
    }

    /// The ENUMERATED value.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// x509-cert's type, for encoding.
    pub(crate) fn to_asn1(self) -> CrlReason {
        match self {
            Self::Unspecified => CrlReason::Unspecified,
            Self::KeyCompromise => CrlReason::KeyCompromise,
            Self::CaCompromise => CrlReason::CaCompromise,
            Self::AffiliationChanged => CrlReason::AffiliationChanged,
            Self::Superseded => CrlReason::Superseded,
            Self::CessationOfOperation => CrlReason::CessationOfOperation,
            Self::CertificateHold => CrlReason::CertificateHold,
            Self::RemoveFromCrl => CrlReason::RemoveFromCRL,
            Self::PrivilegeWithdrawn => CrlReason::PrivilegeWithdrawn,
            Self::AaCompromise => CrlReason::AaCompromise,
        }
    }

    /// From x509-cert's type, for decoding (CRL entries, OCSP `RevokedInfo`).
    pub(crate) fn from_asn1(reason: CrlReason) -> Self {
        match reason {
            CrlReason::Unspecified => Self::Unspecified,
            CrlReason::KeyCompromise => Self::KeyCompromise,
            CrlReason::CaCompromise => Self::CaCompromise,
            CrlReason::AffiliationChanged => Self::AffiliationChanged,
            CrlReason::Superseded => Self::Superseded,
            CrlReason::CessationOfOperation => Self::CessationOfOperation,
            CrlReason::CertificateHold => Self::CertificateHold,
            CrlReason::RemoveFromCRL => Self::RemoveFromCrl,
            CrlReason::PrivilegeWithdrawn => Self::PrivilegeWithdrawn,
            CrlReason::AaCompromise => Self::AaCompromise,
        }
    }
}

impl fmt::Display for RevocationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RevocationReason {
    type Err = UnknownRevocationReason;

    /// Reads an RFC 5280 name; the case of the letters is ignored ("keycompromise" too).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownRevocationReason(s.chars().take(64).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_codes_skip_seven() {
        for r in RevocationReason::ALL {
            assert_eq!(r.as_str().parse::<RevocationReason>(), Ok(r));
            assert_eq!(r.to_asn1() as u32, u32::from(r.code()));
            assert_eq!(RevocationReason::from_asn1(r.to_asn1()), r);
        }
        assert_eq!("CACOMPROMISE".parse(), Ok(RevocationReason::CaCompromise));
        assert!("compromised".parse::<RevocationReason>().is_err());
        assert_eq!(RevocationReason::RemoveFromCrl.code(), 8);
    }
}
