//! The little of JOSE the authorization server needs: base64url (RFC 7515 §2), a JWS
//! in compact serialisation signed by a key held in the crypto module (RFC 7515 §7.1),
//! public keys as JWKs (RFC 7517, RFC 7518 §6) named by their thumbprint (RFC 7638), and
//! the verification of a client's signed assertion (RFC 7523 §3).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use der::asn1::{BitString, UintRef};
use der::{Decode, Encode};
use serde_json::{json, Value};
use signet_crypto::{CryptoError, Signer};
use signet_types::{HashAlgorithm, SignatureAlgorithm};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};

/// `rsaEncryption` (RFC 8017 Appendix C).
const RSA_ENCRYPTION: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `id-ecPublicKey` (RFC 5480 §2.1.1).
const EC_PUBLIC_KEY: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `secp256r1` (RFC 5480 §2.1.1.1).
const P256: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// `secp384r1` (RFC 5480 §2.1.1.1).
const P384: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// `RSAPublicKey` (RFC 8017 Appendix A.1.1).
#[derive(der::Sequence)]
struct RsaPublicKey<'a> {
    modulus: UintRef<'a>,
    public_exponent: UintRef<'a>,
}

/// `Ecdsa-Sig-Value` (RFC 3279 §2.2.3).
#[derive(der::Sequence)]
struct EcdsaSigValue<'a> {
    r: UintRef<'a>,
    s: UintRef<'a>,
}

/// base64url without padding (RFC 7515 §2).
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url without padding; `None` if it is not.
pub fn unb64url(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

/// Signs `claims` as a JWS in compact serialisation with the held key's algorithm:
/// `RS256` for RSA PKCS#1 v1.5 with SHA-256 (RFC 7518 §3.3), `ES256` for ECDSA P-256
/// (RFC 7518 §3.4, the signature as `r ‖ s`).
pub fn sign_jws(signer: &dyn Signer, kid: &str, claims: &Value) -> Result<String, JoseError> {
    let alg = jws_alg(signer.algorithm()).ok_or(JoseError("no JWS algorithm for this key"))?;
    let header = json!({ "alg": alg, "typ": "JWT", "kid": kid });
    let signing_input = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let digest = signet_crypto::digest::digest(HashAlgorithm::Sha256, signing_input.as_bytes());
    let signature = signer.sign_digest(&digest).map_err(JoseError::crypto)?;
    let signature = match signer.algorithm() {
        SignatureAlgorithm::Ecdsa(_) => ecdsa_der_to_fixed(&signature, 32)?,
        _ => signature,
    };
    Ok(format!("{signing_input}.{}", b64url(&signature)))
}

/// The JWS `alg` of a signature algorithm, for the two this server signs with.
pub fn jws_alg(algorithm: SignatureAlgorithm) -> Option<&'static str> {
    match algorithm {
        SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha256) => Some("RS256"),
        SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256) => Some("ES256"),
        _ => None,
    }
}

/// A JOSE encoding or verification failure (the detail is for the log or the client).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct JoseError(pub &'static str);

impl JoseError {
    fn crypto(e: CryptoError) -> Self {
        tracing::error!(error = %e, "JWS signing failed");
        Self("the signing key failed")
    }
}

/// The public JWK of a DER `SubjectPublicKeyInfo` (RFC 7518 §6.2 EC P-256/P-384, §6.3
/// RSA), with `kid` set to its RFC 7638 thumbprint, `use` `sig` and the given `alg`.
pub fn jwk_from_spki(spki_der: &[u8], alg: &str) -> Result<Value, JoseError> {
    let mut jwk = public_members(spki_der)?;
    let kid = thumbprint(&jwk);
    jwk["kid"] = json!(kid);
    jwk["use"] = json!("sig");
    jwk["alg"] = json!(alg);
    Ok(jwk)
}

/// The JWS algorithm a client key signs with by default, for its JWK's `alg`: RS256
/// for RSA keys of 2048 bits or more, ES256/ES384 by curve. Smaller RSA keys are
/// refused (RFC 7518 §3.3: "2048 bits or larger MUST be used").
pub fn default_alg(spki_der: &[u8]) -> Result<&'static str, JoseError> {
    let jwk = public_members(spki_der)?;
    match (jwk["kty"].as_str(), jwk["crv"].as_str()) {
        (Some("RSA"), _) => {
            let n = jwk["n"].as_str().and_then(unb64url).unwrap_or_default();
            let bits = n.iter().skip_while(|b| **b == 0).count() * 8;
            if bits < 2048 {
                return Err(JoseError("RSA keys must have 2048 bits or more"));
            }
            Ok("RS256")
        }
        (Some("EC"), Some("P-256")) => Ok("ES256"),
        (Some("EC"), Some("P-384")) => Ok("ES384"),
        _ => Err(JoseError("unsupported key type")),
    }
}

/// The RFC 7638 §3.2 required members of the key's JWK, and nothing else.
fn public_members(spki_der: &[u8]) -> Result<Value, JoseError> {
    let spki = SubjectPublicKeyInfoRef::from_der(spki_der)
        .map_err(|_| JoseError("not a SubjectPublicKeyInfo"))?;
    let key = spki.subject_public_key.raw_bytes();
    if spki.algorithm.oid == RSA_ENCRYPTION {
        let rsa = RsaPublicKey::from_der(key).map_err(|_| JoseError("not an RSA public key"))?;
        return Ok(json!({
            "e": b64url(rsa.public_exponent.as_bytes()),
            "kty": "RSA",
            "n": b64url(rsa.modulus.as_bytes()),
        }));
    }
    if spki.algorithm.oid == EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .and_then(|p| p.decode_as::<der::oid::ObjectIdentifier>().ok())
            .ok_or(JoseError("EC key without a named curve"))?;
        let (crv, len) = match curve {
            c if c == P256 => ("P-256", 32),
            c if c == P384 => ("P-384", 48),
            _ => return Err(JoseError("unsupported EC curve")),
        };
        // SEC 1 §2.3.3 uncompressed point: 0x04 ‖ x ‖ y.
        if key.len() != 1 + 2 * len || key[0] != 4 {
            return Err(JoseError("EC public key is not an uncompressed point"));
        }
        return Ok(json!({
            "crv": crv,
            "kty": "EC",
            "x": b64url(&key[1..1 + len]),
            "y": b64url(&key[1 + len..]),
        }));
    }
    Err(JoseError("unsupported key type"))
}

/// RFC 7638 §3: base64url(SHA-256(the required members, lexicographic order, no
/// white space)). `serde_json` keeps object keys sorted, and they are plain ASCII.
fn thumbprint(required: &Value) -> String {
    let canonical = required.to_string();
    b64url(&signet_crypto::digest::digest(HashAlgorithm::Sha256, canonical.as_bytes()))
}

/// A DER `SubjectPublicKeyInfo` from a public JWK (RSA or EC P-256/P-384): what a
/// client registers for `private_key_jwt`.
pub fn spki_from_jwk(jwk: &Value) -> Result<Vec<u8>, JoseError> {
    let field = |name: &str| {
        jwk.get(name).and_then(Value::as_str).and_then(unb64url).ok_or(JoseError("JWK member"))
    };
    let encode = |algorithm: AlgorithmIdentifierOwned, key: Vec<u8>| {
        let bits = BitString::from_bytes(&key).map_err(|_| JoseError("public key bits"))?;
        SubjectPublicKeyInfoOwned { algorithm, subject_public_key: bits }
            .to_der()
            .map_err(|_| JoseError("SubjectPublicKeyInfo encoding"))
    };
    match jwk.get("kty").and_then(Value::as_str) {
        Some("RSA") => {
            let (n, e) = (field("n")?, field("e")?);
            let key = RsaPublicKey {
                modulus: UintRef::new(&n).map_err(|_| JoseError("RSA modulus"))?,
                public_exponent: UintRef::new(&e).map_err(|_| JoseError("RSA exponent"))?,
            }
            .to_der()
            .map_err(|_| JoseError("RSA key encoding"))?;
            let null = der::asn1::Null.to_der().map_err(|_| JoseError("NULL"))?;
            let params = der::Any::from_der(&null).map_err(|_| JoseError("NULL"))?;
            encode(AlgorithmIdentifierOwned { oid: RSA_ENCRYPTION, parameters: Some(params) }, key)
        }
        Some("EC") => {
            let (curve, len) = match jwk.get("crv").and_then(Value::as_str) {
                Some("P-256") => (P256, 32),
                Some("P-384") => (P384, 48),
                _ => return Err(JoseError("unsupported EC curve")),
            };
            let (x, y) = (field("x")?, field("y")?);
            if x.len() != len || y.len() != len {
                return Err(JoseError("EC coordinates of the wrong length"));
            }
            let mut point = Vec::with_capacity(1 + 2 * len);
            point.push(4);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            let oid = curve.to_der().map_err(|_| JoseError("curve"))?;
            let params = der::Any::from_der(&oid).map_err(|_| JoseError("curve"))?;
            encode(AlgorithmIdentifierOwned { oid: EC_PUBLIC_KEY, parameters: Some(params) }, point)
        }
        _ => Err(JoseError("unsupported JWK key type")),
    }
}

/// A JWS in compact serialisation, split and decoded; nothing is verified yet.
#[derive(Debug)]
pub struct ParsedJws {
    /// The protected header.
    pub header: Value,
    /// The payload (JSON claims).
    pub claims: Value,
    /// `header.payload`, the signed bytes.
    pub signing_input: String,
    /// The signature.
    pub signature: Vec<u8>,
}

/// Splits a compact JWS (RFC 7515 §7.1) whose header and payload are JSON objects.
pub fn parse_jws(text: &str) -> Result<ParsedJws, JoseError> {
    let mut parts = text.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JoseError("not a JWS in compact serialisation"));
    };
    let json = |part: &str| {
        unb64url(part)
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .filter(Value::is_object)
            .ok_or(JoseError("JWS part is not a base64url JSON object"))
    };
    Ok(ParsedJws {
        header: json(h)?,
        claims: json(p)?,
        signing_input: format!("{h}.{p}"),
        signature: unb64url(s).ok_or(JoseError("JWS signature is not base64url"))?,
    })
}

/// Verifies a parsed JWS with a DER public key: `RS256`/`RS384`/`RS512`, `PS256`…,
/// `ES256`/`ES384`. `none` and HMAC algorithms are refused (RFC 8725 §3.1–3.2).
pub fn verify_jws(jws: &ParsedJws, spki_der: &[u8]) -> Result<(), JoseError> {
    use HashAlgorithm::{Sha256, Sha384, Sha512};
    let alg = jws.header.get("alg").and_then(Value::as_str).unwrap_or("");
    let algorithm = match alg {
        "RS256" => SignatureAlgorithm::RsaPkcs1(Sha256),
        "RS384" => SignatureAlgorithm::RsaPkcs1(Sha384),
        "RS512" => SignatureAlgorithm::RsaPkcs1(Sha512),
        "PS256" => SignatureAlgorithm::RsaPss(Sha256),
        "PS384" => SignatureAlgorithm::RsaPss(Sha384),
        "PS512" => SignatureAlgorithm::RsaPss(Sha512),
        "ES256" => SignatureAlgorithm::Ecdsa(Sha256),
        "ES384" => SignatureAlgorithm::Ecdsa(Sha384),
        _ => return Err(JoseError("unsupported JWS algorithm")),
    };
    let signature = match alg {
        // RFC 7518 §3.4: the signature is `r ‖ s`, each as long as the curve's order —
        // 32 bytes for ES256 (P-256), 48 for ES384 (P-384).
        "ES256" => ecdsa_fixed_to_der(&jws.signature, 32)?,
        "ES384" => ecdsa_fixed_to_der(&jws.signature, 48)?,
        _ => jws.signature.clone(),
    };
    let ok = signet_crypto::verify::verify_signature(
        algorithm,
        spki_der,
        jws.signing_input.as_bytes(),
        &signature,
    );
    if ok {
        Ok(())
    } else {
        Err(JoseError("JWS signature does not verify"))
    }
}

/// DER `Ecdsa-Sig-Value` → JWS `r ‖ s`, each left-padded to `len` bytes (RFC 7518 §3.4).
fn ecdsa_der_to_fixed(der_sig: &[u8], len: usize) -> Result<Vec<u8>, JoseError> {
    let sig = EcdsaSigValue::from_der(der_sig).map_err(|_| JoseError("ECDSA signature"))?;
    let mut out = vec![0u8; 2 * len];
    for (i, n) in [sig.r.as_bytes(), sig.s.as_bytes()].into_iter().enumerate() {
        if n.len() > len {
            return Err(JoseError("ECDSA signature value too long"));
        }
        out[(i + 1) * len - n.len()..(i + 1) * len].copy_from_slice(n);
    }
    Ok(out)
}

/// JWS `r ‖ s` → DER `Ecdsa-Sig-Value`.
fn ecdsa_fixed_to_der(fixed: &[u8], len: usize) -> Result<Vec<u8>, JoseError> {
    if fixed.len() != 2 * len {
        return Err(JoseError("ECDSA signature of the wrong length"));
    }
    let (r, s) = fixed.split_at(len);
    EcdsaSigValue {
        r: UintRef::new(r).map_err(|_| JoseError("ECDSA r"))?,
        s: UintRef::new(s).map_err(|_| JoseError("ECDSA s"))?,
    }
    .to_der()
    .map_err(|_| JoseError("ECDSA signature encoding"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7638_thumbprint_of_the_example_key() {
        // RFC 7638 §3.1: the example RSA key and its thumbprint.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        let jwk = json!({ "kty": "RSA", "n": n, "e": "AQAB" });
        assert_eq!(thumbprint(&jwk), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
        let spki = spki_from_jwk(&jwk).unwrap();
        let back = jwk_from_spki(&spki, "RS256").unwrap();
        assert_eq!(back["n"], n);
        assert_eq!(back["e"], "AQAB");
        assert_eq!(back["kid"], "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }

    #[test]
    fn ecdsa_signatures_convert_both_ways() {
        let fixed: Vec<u8> = (1..=64).collect();
        let der_sig = ecdsa_fixed_to_der(&fixed, 32).unwrap();
        assert_eq!(ecdsa_der_to_fixed(&der_sig, 32).unwrap(), fixed);
        // a leading zero byte of r survives the round trip
        let mut small = fixed.clone();
        small[0] = 0;
        let der_sig = ecdsa_fixed_to_der(&small, 32).unwrap();
        assert_eq!(ecdsa_der_to_fixed(&der_sig, 32).unwrap(), small);
        assert!(ecdsa_fixed_to_der(&fixed[..63], 32).is_err());
    }

    /// RFC 7518 §3.4: an ES256 JWS (P-256, 32-byte `r` and `s`) and an ES384 one (P-384,
    /// 48 bytes each) signed by aws-lc-rs verify with the key's SPKI, and not with a
    /// byte of the signature changed.
    #[test]
    fn rfc7518_es256_and_es384_signatures_verify() {
        use aws_lc_rs::encoding::AsDer;
        use aws_lc_rs::rand::SystemRandom;
        use aws_lc_rs::signature::{
            EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING,
        };
        let rng = SystemRandom::new();
        for (alg, signing) in [
            ("ES256", &ECDSA_P256_SHA256_FIXED_SIGNING),
            ("ES384", &ECDSA_P384_SHA384_FIXED_SIGNING),
        ] {
            let key = EcdsaKeyPair::generate(signing).unwrap();
            let spki = key.public_key().as_der().unwrap();
            let header = b64url(json!({ "alg": alg, "typ": "JWT" }).to_string().as_bytes());
            let input = format!("{header}.{}", b64url(br#"{"sub":"client"}"#));
            let sig = key.sign(&rng, input.as_bytes()).unwrap();
            let jws = parse_jws(&format!("{input}.{}", b64url(sig.as_ref()))).unwrap();
            assert_eq!(verify_jws(&jws, spki.as_ref()), Ok(()), "{alg}");
            let mut bad = sig.as_ref().to_vec();
            bad[5] ^= 1;
            let jws = parse_jws(&format!("{input}.{}", b64url(&bad))).unwrap();
            assert!(verify_jws(&jws, spki.as_ref()).is_err(), "{alg} with a changed byte");
        }
    }

    #[test]
    fn malformed_jws_and_unsafe_algorithms_are_refused() {
        assert!(parse_jws("a.b").is_err());
        assert!(parse_jws("a.b.c.d").is_err());
        assert!(parse_jws("!!.e30.AA").is_err());
        let none = format!("{}.{}.", b64url(br#"{"alg":"none"}"#), b64url(b"{}"));
        let parsed = parse_jws(&none).unwrap();
        assert_eq!(verify_jws(&parsed, &[]), Err(JoseError("unsupported JWS algorithm")));
        let hs = format!("{}.{}.AA", b64url(br#"{"alg":"HS256"}"#), b64url(b"{}"));
        assert!(verify_jws(&parse_jws(&hs).unwrap(), &[]).is_err());
    }
}
