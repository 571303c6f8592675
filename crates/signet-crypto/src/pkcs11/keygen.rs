//! Key pair generation in the HSM (`C_GenerateKeyPair`, PKCS#11 v2.40 §5.13) and the
//! public key read back as a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
//!
//! Templates follow PKCS#11 v2.40 Current Mechanisms §2.1.4 (`CKM_RSA_PKCS_KEY_PAIR_GEN`:
//! `CKA_MODULUS_BITS`, `CKA_PUBLIC_EXPONENT`) and §2.3.6 (`CKM_EC_KEY_PAIR_GEN`:
//! `CKA_EC_PARAMS` = DER of the named curve's OID, RFC 5480 §2.1.1.1).

use super::error::hsm;
use crate::CryptoError;
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use der::asn1::{BitString, OctetString, UintRef};
use der::{Any, Decode, Encode};
use signet_types::algorithms::oid;
use signet_types::{KeyAlgorithm, KeyFamily};
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned};

/// Where a new key pair lives.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Lifetime<'a> {
    /// A session object that exists only to be wrapped, then is destroyed: extractable
    /// (by wrapping only — it is sensitive, so never readable in clear).
    Wrapped,
    /// A token object (a service key): never extractable, found again by label and id.
    Token {
        /// `CKA_LABEL`.
        label: &'a str,
        /// `CKA_ID`.
        id: &'a [u8],
    },
}

/// A generated pair's handles.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pair {
    pub public: ObjectHandle,
    pub private: ObjectHandle,
}

fn curve(alg: KeyAlgorithm) -> Option<ObjectIdentifier> {
    match alg {
        KeyAlgorithm::EcP256 => Some(oid::SECP256R1),
        KeyAlgorithm::EcP384 => Some(oid::SECP384R1),
        _ => None,
    }
}

/// `CKK_RSA` or `CKK_EC`.
pub(crate) fn key_type(alg: KeyAlgorithm) -> KeyType {
    match alg.family() {
        KeyFamily::Rsa => KeyType::RSA,
        KeyFamily::Ec => KeyType::EC,
    }
}

/// Generates a key pair of `alg`.
pub(crate) fn generate(
    session: &Session,
    alg: KeyAlgorithm,
    lifetime: Lifetime<'_>,
) -> Result<Pair, CryptoError> {
    let token = matches!(lifetime, Lifetime::Token { .. });
    let mut public = vec![
        Attribute::Token(token),
        Attribute::Private(false),
        Attribute::Verify(true),
        Attribute::Encrypt(false),
        Attribute::Wrap(false),
    ];
    let mut private = vec![
        Attribute::Token(token),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(!token),
        Attribute::Sign(true),
        Attribute::Decrypt(false),
        Attribute::Unwrap(false),
        Attribute::Derive(false),
    ];
    if let Lifetime::Token { label, id } = lifetime {
        for template in [&mut public, &mut private] {
            template.push(Attribute::Label(label.as_bytes().to_vec()));
            template.push(Attribute::Id(id.to_vec()));
        }
    }
    let mechanism = match curve(alg) {
        None => {
            public.push(Attribute::ModulusBits(u64::from(alg.bits()).into()));
            public.push(Attribute::PublicExponent(vec![0x01, 0x00, 0x01]));
            Mechanism::RsaPkcsKeyPairGen
        }
        Some(named) => {
            let params = named.to_der().map_err(|_| CryptoError::Operation("curve encoding"))?;
            public.push(Attribute::EcParams(params));
            Mechanism::EccKeyPairGen
        }
    };
    let (public, private) = session
        .generate_key_pair(&mechanism, &public, &private)
        .map_err(|e| hsm("C_GenerateKeyPair", &e))?;
    Ok(Pair { public, private })
}

/// The attributes of a private key object made by `C_UnwrapKey` (PKCS#11 v2.40 §5.13): a
/// session object (`CKA_TOKEN` false), sensitive and never extractable, for signing only.
pub(crate) fn unwrapped_private_key(alg: KeyAlgorithm) -> Vec<Attribute> {
    vec![
        Attribute::Class(ObjectClass::PRIVATE_KEY),
        Attribute::KeyType(key_type(alg)),
        Attribute::Token(false),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
        Attribute::Sign(true),
        Attribute::Decrypt(false),
        Attribute::Unwrap(false),
        Attribute::Derive(false),
    ]
}

/// The public key object's SubjectPublicKeyInfo: RSA from `CKA_MODULUS` and
/// `CKA_PUBLIC_EXPONENT` (RFC 8017 A.1.1 `RSAPublicKey`), EC from `CKA_EC_POINT`
/// (DER OCTET STRING of the uncompressed point, SEC 1 §2.3.3; some tokens return the raw
/// point, accepted too).
pub(crate) fn public_key_der(
    session: &Session,
    public: ObjectHandle,
    alg: KeyAlgorithm,
) -> Result<Vec<u8>, CryptoError> {
    const BAD: CryptoError = CryptoError::Operation("the HSM returned a malformed public key");
    let wanted = match alg.family() {
        KeyFamily::Rsa => vec![AttributeType::Modulus, AttributeType::PublicExponent],
        KeyFamily::Ec => vec![AttributeType::EcPoint],
    };
    let attrs =
        session.get_attributes(public, &wanted).map_err(|e| hsm("C_GetAttributeValue", &e))?;
    let (mut modulus, mut exponent, mut point) = (None, None, None);
    for a in attrs {
        match a {
            Attribute::Modulus(m) => modulus = Some(m),
            Attribute::PublicExponent(e) => exponent = Some(e),
            Attribute::EcPoint(p) => point = Some(p),
            _ => {}
        }
    }
    match curve(alg) {
        None => {
            let (m, e) = modulus.zip(exponent).ok_or(BAD)?;
            if m.len() * 8 != alg.bits() as usize {
                return Err(BAD);
            }
            rsa_spki(&m, &e).map_err(|_| BAD)
        }
        Some(named) => {
            let p = point.ok_or(BAD)?;
            let coordinate = (alg.bits() as usize).div_ceil(8);
            let raw = if p.len() == 1 + 2 * coordinate && p[0] == 0x04 {
                p
            } else {
                OctetString::from_der(&p).map_err(|_| BAD)?.as_bytes().to_vec()
            };
            if raw.len() != 1 + 2 * coordinate || raw[0] != 0x04 {
                return Err(BAD);
            }
            ec_spki(named, &raw).map_err(|_| BAD)
        }
    }
}

/// ```text
/// RSAPublicKey ::= SEQUENCE {
///     modulus           INTEGER,  -- n
///     publicExponent    INTEGER   -- e
/// }
/// ```
/// (RFC 8017 A.1.1)
#[derive(der::Sequence)]
struct RsaPublicKey<'a> {
    modulus: UintRef<'a>,
    public_exponent: UintRef<'a>,
}

fn rsa_spki(modulus: &[u8], exponent: &[u8]) -> der::Result<Vec<u8>> {
    let key =
        RsaPublicKey { modulus: UintRef::new(modulus)?, public_exponent: UintRef::new(exponent)? };
    spki_der(oid::RSA_ENCRYPTION, Any::null(), &key.to_der()?)
}

fn ec_spki(named: ObjectIdentifier, point: &[u8]) -> der::Result<Vec<u8>> {
    spki_der(oid::EC_PUBLIC_KEY, Any::encode_from(&named)?, point)
}

fn spki_der(algorithm: ObjectIdentifier, parameters: Any, key: &[u8]) -> der::Result<Vec<u8>> {
    SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned { oid: algorithm, parameters: Some(parameters) },
        subject_public_key: BitString::from_bytes(key)?,
    }
    .to_der()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SPKI built from components equals aws-lc's encoding of the same public key.
    #[test]
    fn spki_encodings_match_aws_lc() {
        use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
        use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
        let kp = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).unwrap();
        let expected: PublicKeyX509Der<'static> = kp.public_key().as_der().unwrap();
        let point = kp.public_key().as_ref().to_vec();
        assert_eq!(ec_spki(oid::SECP256R1, &point).unwrap(), expected.as_ref());

        let rsa = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let expected: PublicKeyX509Der<'static> = rsa.public_key().as_der().unwrap();
        let components = aws_lc_rs::rsa::PublicKeyComponents::<Vec<u8>>::from(rsa.public_key());
        assert_eq!(rsa_spki(&components.n, &components.e).unwrap(), expected.as_ref());
    }
}
