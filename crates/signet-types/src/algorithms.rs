//! Key, digest and signature algorithms, with the object identifiers that name
//! them in X.509 (RFC 5280), CMS (RFC 5652) and the CSC API (`key.algo`,
//! `hashAlgo`, `signAlgo`).

use const_oid::ObjectIdentifier;
use std::fmt;
use std::str::FromStr;

/// An algorithm name or OID that Signet does not support.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{value}`")]
pub struct UnknownAlgorithm {
    /// What was being parsed ("key type", "hash algorithm", …).
    pub kind: &'static str,
    /// The text that was refused.
    pub value: String,
}

fn unknown(kind: &'static str, value: &str) -> UnknownAlgorithm {
    UnknownAlgorithm { kind, value: value.chars().take(80).collect() }
}

/// Object identifiers used across Signet (RFC 8017 appendix C, RFC 5758 §3.2, RFC 5480 §2.1.1).
pub mod oid {
    use super::ObjectIdentifier as Oid;

    /// `rsaEncryption` (RFC 8017 A.1).
    pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
    /// `sha1WithRSAEncryption`.
    pub const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
    /// `id-RSASSA-PSS` (RFC 8017 A.2.3); the hash is in the parameters.
    pub const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
    /// `id-mgf1` (RFC 8017 B.2.1).
    pub const MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");
    /// `sha256WithRSAEncryption`.
    pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
    /// `sha384WithRSAEncryption`.
    pub const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
    /// `sha512WithRSAEncryption`.
    pub const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
    /// `id-ecPublicKey` (RFC 5480 §2.1.1).
    pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
    /// `secp256r1` / P-256 (RFC 5480 §2.1.1.1).
    pub const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
    /// `secp384r1` / P-384.
    pub const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");
    /// `ecdsa-with-SHA1` (RFC 3279 §2.2.3).
    pub const ECDSA_WITH_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
    /// `ecdsa-with-SHA256` (RFC 5758 §3.2).
    pub const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
    /// `ecdsa-with-SHA384`.
    pub const ECDSA_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
    /// `ecdsa-with-SHA512`.
    pub const ECDSA_WITH_SHA512: Oid = Oid::new_unwrap("1.3.132.0.35");
    /// `id-sha1` (RFC 3279 §2.2.1).
    pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
    /// `id-sha256` (RFC 5754 §2).
    pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
    /// `id-sha384`.
    pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
    /// `id-sha512`.
    pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
}

/// The type and size of a key pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    /// RSA with a 2048-bit modulus.
    Rsa2048,
    /// RSA with a 3072-bit modulus.
    Rsa3072,
    /// RSA with a 4096-bit modulus.
    Rsa4096,
    /// ECDSA on NIST P-256.
    EcP256,
    /// ECDSA on NIST P-384.
    EcP384,
}

/// RSA or elliptic curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyFamily {
    /// RSA (RFC 8017).
    Rsa,
    /// Elliptic curve (FIPS 186-4 ECDSA).
    Ec,
}

impl KeyAlgorithm {
    /// Every supported key type, in the order they are listed to users.
    pub const ALL: [KeyAlgorithm; 5] = [
        KeyAlgorithm::Rsa2048,
        KeyAlgorithm::Rsa3072,
        KeyAlgorithm::Rsa4096,
        KeyAlgorithm::EcP256,
        KeyAlgorithm::EcP384,
    ];

    /// The name used in configuration, on the command line and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rsa2048 => "rsa-2048",
            Self::Rsa3072 => "rsa-3072",
            Self::Rsa4096 => "rsa-4096",
            Self::EcP256 => "ec-p256",
            Self::EcP384 => "ec-p384",
        }
    }

    /// RSA or EC.
    pub fn family(self) -> KeyFamily {
        match self {
            Self::Rsa2048 | Self::Rsa3072 | Self::Rsa4096 => KeyFamily::Rsa,
            Self::EcP256 | Self::EcP384 => KeyFamily::Ec,
        }
    }

    /// Key length in bits (CSC `key.len`): the modulus for RSA, the field size for EC.
    pub fn bits(self) -> u32 {
        match self {
            Self::Rsa2048 => 2048,
            Self::Rsa3072 => 3072,
            Self::Rsa4096 => 4096,
            Self::EcP256 => 256,
            Self::EcP384 => 384,
        }
    }

    /// The named curve's OID (CSC `key.curve`), for EC keys.
    pub fn curve(self) -> Option<ObjectIdentifier> {
        match self {
            Self::EcP256 => Some(oid::SECP256R1),
            Self::EcP384 => Some(oid::SECP384R1),
            _ => None,
        }
    }

    /// The signature algorithms this key can produce, strongest-first within a family.
    ///
    /// ECDSA keys sign with their curve's own hash (P-256/SHA-256, P-384/SHA-384), as
    /// EN 319 412 profiles and most verifiers expect. SHA-1 is listed last and only
    /// offered where a group's policy allows it (see [`SignatureAlgorithm::is_legacy`]).
    pub fn signature_algorithms(self) -> Vec<SignatureAlgorithm> {
        use HashAlgorithm::*;
        match self.family() {
            KeyFamily::Rsa => vec![
                SignatureAlgorithm::RsaPkcs1(Sha256),
                SignatureAlgorithm::RsaPkcs1(Sha384),
                SignatureAlgorithm::RsaPkcs1(Sha512),
                SignatureAlgorithm::RsaPss(Sha256),
                SignatureAlgorithm::RsaPss(Sha384),
                SignatureAlgorithm::RsaPss(Sha512),
                SignatureAlgorithm::RsaPkcs1(Sha1),
            ],
            KeyFamily::Ec => match self {
                Self::EcP384 => vec![SignatureAlgorithm::Ecdsa(Sha384)],
                _ => vec![SignatureAlgorithm::Ecdsa(Sha256)],
            },
        }
    }

    /// Whether this key can produce `alg`.
    pub fn supports(self, alg: SignatureAlgorithm) -> bool {
        self.signature_algorithms().contains(&alg)
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for KeyAlgorithm {
    type Err = UnknownAlgorithm;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| unknown("key type (rsa-2048, rsa-3072, rsa-4096, ec-p256, ec-p384)", s))
    }
}

/// A message digest algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// SHA-1 (legacy verifiers only).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// Every supported digest.
    pub const ALL: [HashAlgorithm; 4] = [Self::Sha1, Self::Sha256, Self::Sha384, Self::Sha512];

    /// The digest's OID (CSC `hashAlgo`).
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Sha1 => oid::SHA1,
            Self::Sha256 => oid::SHA256,
            Self::Sha384 => oid::SHA384,
            Self::Sha512 => oid::SHA512,
        }
    }

    /// Looks a digest up by its OID.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        Self::ALL.into_iter().find(|h| h.oid() == *oid)
    }

    /// Looks a digest up by its dotted OID text.
    pub fn from_oid_str(s: &str) -> Result<Self, UnknownAlgorithm> {
        ObjectIdentifier::new(s)
            .ok()
            .and_then(|o| Self::from_oid(&o))
            .ok_or_else(|| unknown("hash algorithm", s))
    }

    /// Length of a digest in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// Short name ("sha256").
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sha1 => "sha1",
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A signature scheme over a digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 over a DigestInfo (RFC 8017 §8.2, §9.2).
    RsaPkcs1(HashAlgorithm),
    /// RSASSA-PSS (RFC 8017 §8.1) with MGF1 of the same hash and a salt as long as the hash.
    RsaPss(HashAlgorithm),
    /// ECDSA (FIPS 186-4), DER-encoded `Ecdsa-Sig-Value` (RFC 3279 §2.2.3).
    Ecdsa(HashAlgorithm),
}

impl SignatureAlgorithm {
    /// The digest this scheme signs.
    pub fn hash(self) -> HashAlgorithm {
        match self {
            Self::RsaPkcs1(h) | Self::RsaPss(h) | Self::Ecdsa(h) => h,
        }
    }

    /// The key family that produces it.
    pub fn family(self) -> KeyFamily {
        match self {
            Self::RsaPkcs1(_) | Self::RsaPss(_) => KeyFamily::Rsa,
            Self::Ecdsa(_) => KeyFamily::Ec,
        }
    }

    /// SHA-1 based: refused unless a group's policy allows it.
    pub fn is_legacy(self) -> bool {
        self.hash() == HashAlgorithm::Sha1
    }

    /// The signature algorithm OID (CSC `key.algo`, `signAlgo`; X.509 `signatureAlgorithm`).
    /// Every PSS variant shares `id-RSASSA-PSS`; its hash travels in the parameters.
    pub fn oid(self) -> ObjectIdentifier {
        use HashAlgorithm::*;
        match self {
            Self::RsaPkcs1(Sha1) => oid::SHA1_WITH_RSA,
            Self::RsaPkcs1(Sha256) => oid::SHA256_WITH_RSA,
            Self::RsaPkcs1(Sha384) => oid::SHA384_WITH_RSA,
            Self::RsaPkcs1(Sha512) => oid::SHA512_WITH_RSA,
            Self::RsaPss(_) => oid::RSASSA_PSS,
            Self::Ecdsa(Sha1) => oid::ECDSA_WITH_SHA1,
            Self::Ecdsa(Sha256) => oid::ECDSA_WITH_SHA256,
            Self::Ecdsa(Sha384) => oid::ECDSA_WITH_SHA384,
            Self::Ecdsa(Sha512) => oid::ECDSA_WITH_SHA512,
        }
    }

    /// Resolves a signature OID and, for PSS, the hash named beside it (CSC `hashAlgo`,
    /// or the `hashAlgorithm` of `RSASSA-PSS-params`).
    pub fn from_oid(
        oid: &ObjectIdentifier,
        pss_hash: Option<HashAlgorithm>,
    ) -> Result<Self, UnknownAlgorithm> {
        if *oid == oid::RSASSA_PSS {
            return pss_hash.map(Self::RsaPss).ok_or_else(|| {
                unknown("signature algorithm (PSS without a hash)", &oid.to_string())
            });
        }
        let all = HashAlgorithm::ALL.into_iter().flat_map(|h| [Self::RsaPkcs1(h), Self::Ecdsa(h)]);
        all.into_iter()
            .find(|a| a.oid() == *oid)
            .ok_or_else(|| unknown("signature algorithm", &oid.to_string()))
    }

    /// The algorithm of a [`SignatureAlgorithm::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        HashAlgorithm::ALL
            .into_iter()
            .flat_map(|h| [Self::RsaPkcs1(h), Self::RsaPss(h), Self::Ecdsa(h)])
            .find(|a| a.name() == name)
    }

    /// A readable name ("RSA-PKCS1-SHA256", "ECDSA-SHA384").
    pub fn name(self) -> String {
        let (scheme, h) = match self {
            Self::RsaPkcs1(h) => ("RSA-PKCS1", h),
            Self::RsaPss(h) => ("RSA-PSS", h),
            Self::Ecdsa(h) => ("ECDSA", h),
        };
        format!("{scheme}-{}", h.as_str().to_uppercase())
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl serde::Serialize for KeyAlgorithm {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for KeyAlgorithm {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_round_trip_and_unknown_is_refused() {
        for k in KeyAlgorithm::ALL {
            assert_eq!(k.as_str().parse::<KeyAlgorithm>(), Ok(k));
        }
        assert!("rsa-1024".parse::<KeyAlgorithm>().is_err());
    }

    #[test]
    fn signature_oids_round_trip() {
        for k in KeyAlgorithm::ALL {
            for a in k.signature_algorithms() {
                let pss = matches!(a, SignatureAlgorithm::RsaPss(_)).then(|| a.hash());
                assert_eq!(SignatureAlgorithm::from_oid(&a.oid(), pss), Ok(a));
            }
        }
        assert_eq!(
            SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha256).oid().to_string(),
            "1.2.840.113549.1.1.11"
        );
        assert!(SignatureAlgorithm::from_oid(&oid::RSASSA_PSS, None).is_err());
    }

    #[test]
    fn signature_names_round_trip() {
        for k in KeyAlgorithm::ALL {
            for a in k.signature_algorithms() {
                assert_eq!(SignatureAlgorithm::from_name(&a.name()), Some(a));
            }
        }
        assert_eq!(SignatureAlgorithm::from_name("RSA-PKCS1-MD5"), None);
    }

    #[test]
    fn ec_keys_sign_with_their_own_hash_only() {
        assert!(KeyAlgorithm::EcP256.supports(SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256)));
        assert!(!KeyAlgorithm::EcP256.supports(SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha384)));
        assert!(!KeyAlgorithm::EcP384.supports(SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha384)));
    }
}
