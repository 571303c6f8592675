//! Certificate profiles: which kind of certificate is issued, and therefore which
//! extensions it carries (see [`crate::issue`] and the `extensions` module).

use const_oid::db::rfc5280::{ID_KP_OCSP_SIGNING, ID_KP_TIME_STAMPING};
use const_oid::ObjectIdentifier;
use std::fmt;
use std::str::FromStr;
use x509_cert::ext::pkix::{KeyUsage, KeyUsages};

/// The kind of certificate to issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    /// A self-signed root CA (RFC 5280 §4.2.1.9, §4.2.1.3): `cA` true, no path length
    /// limit, keyCertSign + cRLSign.
    RootCa,
    /// A CA issued by the root that issues end-entity certificates only
    /// (`pathLenConstraint` 0).
    IssuingCa,
    /// A natural person's signing certificate (ETSI EN 319 412-2).
    NaturalPerson,
    /// A legal person's sealing certificate (ETSI EN 319 412-3).
    LegalPerson,
    /// A time-stamping unit's certificate (RFC 3161 §2.3): extendedKeyUsage critical with
    /// only id-kp-timeStamping, keyUsage digitalSignature. Chosen by the TSA setup code,
    /// never parsed from a request.
    Tsa,
    /// An OCSP responder's delegated signing certificate (RFC 6960 §4.2.2.2):
    /// extendedKeyUsage id-kp-OCSPSigning (critical) and `id-pkix-ocsp-nocheck`
    /// (§4.2.2.2.1). Chosen by the CA setup code, never parsed from a request.
    Ocsp,
    /// The authorization server's token-signing key (OpenID Connect Core §10.1: ID tokens
    /// are JWS; RFC 7517 publishes the key): keyUsage digitalSignature, no
    /// extendedKeyUsage (none is defined for JWS). Chosen by the setup code, never parsed
    /// from a request.
    TokenSigning,
}

/// A profile name that is not an end-entity profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown certificate profile `{0}` (natural-person, legal-person)")]
pub struct UnknownProfile(pub String);

impl Profile {
    /// The profile's name: `root-ca`, `issuing-ca`, `natural-person`, `legal-person`,
    /// `tsa`, `ocsp-responder`, `token-signing`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RootCa => "root-ca",
            Self::IssuingCa => "issuing-ca",
            Self::NaturalPerson => "natural-person",
            Self::LegalPerson => "legal-person",
            Self::Tsa => "tsa",
            Self::Ocsp => "ocsp-responder",
            Self::TokenSigning => "token-signing",
        }
    }

    /// Whether the certificate's subject is a CA (`basicConstraints` `cA`).
    pub fn is_ca(self) -> bool {
        matches!(self, Self::RootCa | Self::IssuingCa)
    }

    /// Whether the profile is for a signer (natural person) or a seal creator (legal person).
    /// The service profiles ([`Profile::Tsa`], [`Profile::Ocsp`]) are not: their keys are
    /// service keys and never sign for a user.
    pub fn is_end_entity(self) -> bool {
        matches!(self, Self::NaturalPerson | Self::LegalPerson)
    }

    /// Whether the profile is for one of Signet's own services (TSA, OCSP responder,
    /// token signing): a non-CA certificate for a key that never signs for a user.
    pub fn is_service(self) -> bool {
        matches!(self, Self::Tsa | Self::Ocsp | Self::TokenSigning)
    }

    /// The single `extendedKeyUsage` purpose of a service profile (RFC 5280 §4.2.1.12):
    /// id-kp-timeStamping for a TSA (RFC 3161 §2.3: "the only key purpose … MUST be
    /// critical"), id-kp-OCSPSigning for an OCSP responder (RFC 6960 §4.2.2.2).
    pub fn extended_key_usage(self) -> Option<ObjectIdentifier> {
        match self {
            Self::Tsa => Some(ID_KP_TIME_STAMPING),
            Self::Ocsp => Some(ID_KP_OCSP_SIGNING),
            _ => None,
        }
    }

    /// The `keyUsage` bits (RFC 5280 §4.2.1.3), always marked critical.
    ///
    /// - CAs: keyCertSign and cRLSign (RFC 5280 §4.2.1.3: a CA key that signs certificates
    ///   or CRLs asserts these bits).
    /// - End entities: digitalSignature and nonRepudiation (contentCommitment), the
    ///   combination EN 319 412-2 §4.3.2 (natural persons) and EN 319 412-3 §4.3.1 (legal
    ///   persons, by reference) allow for certificates used to create signatures and seals.
    /// - TSA, OCSP responder and token signing: digitalSignature only (what OpenSSL's timestamp-signing
    ///   purpose check and RFC 6960 §4.2.2.2 expect of a signing-only service key).
    pub fn key_usage(self) -> KeyUsage {
        KeyUsage(match self {
            Self::RootCa | Self::IssuingCa => KeyUsages::KeyCertSign | KeyUsages::CRLSign,
            Self::NaturalPerson | Self::LegalPerson => {
                KeyUsages::DigitalSignature | KeyUsages::NonRepudiation
            }
            Self::Tsa | Self::Ocsp | Self::TokenSigning => KeyUsages::DigitalSignature.into(),
        })
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses the end-entity profile names a caller may request (`natural-person`,
/// `legal-person`). CA profiles are chosen by the CA setup code, never parsed from a
/// request, and neither are the service profiles, so `root-ca`, `issuing-ca`, `tsa` and
/// `ocsp-responder` are refused here.
impl FromStr for Profile {
    type Err = UnknownProfile;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "natural-person" => Ok(Self::NaturalPerson),
            "legal-person" => Ok(Self::LegalPerson),
            _ => Err(UnknownProfile(s.chars().take(80).collect())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_entity_names_round_trip_and_ca_names_are_refused() {
        for p in [Profile::NaturalPerson, Profile::LegalPerson] {
            assert_eq!(p.as_str().parse::<Profile>(), Ok(p));
        }
        assert!("root-ca".parse::<Profile>().is_err());
        assert!("issuing-ca".parse::<Profile>().is_err());
        assert!("tsa".parse::<Profile>().is_err());
        assert!("ocsp-responder".parse::<Profile>().is_err());
        assert!("Natural-Person".parse::<Profile>().is_err());
    }

    #[test]
    fn key_usages_follow_the_profile() {
        assert!(Profile::RootCa.key_usage().key_cert_sign());
        assert!(!Profile::RootCa.key_usage().digital_signature());
        let ee = Profile::NaturalPerson.key_usage();
        assert!(ee.digital_signature() && ee.non_repudiation() && !ee.key_cert_sign());
        for p in [Profile::Tsa, Profile::Ocsp, Profile::TokenSigning] {
            let ku = p.key_usage();
            assert!(ku.digital_signature() && !ku.non_repudiation() && !ku.key_cert_sign());
            assert!(p.is_service() && !p.is_ca() && !p.is_end_entity());
        }
        assert_eq!(Profile::Tsa.extended_key_usage(), Some(ID_KP_TIME_STAMPING));
        assert_eq!(Profile::NaturalPerson.extended_key_usage(), None);
        assert_eq!(Profile::TokenSigning.extended_key_usage(), None);
        assert!("token-signing".parse::<Profile>().is_err());
    }
}
