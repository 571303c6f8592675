//! Message protection (RFC 9810 §5.1.3; RFC 9483 §3.2): how our requests are protected
//! and how a response's protection is checked.
//!
//! ```text
//! protection = MAC or signature over DER(ProtectedPart { header, body })     -- §5.1.3
//!
//! PasswordBasedMac (§5.1.3.1):
//!   BASEKEY = OWF^iterationCount(secret || salt)   -- OWF applied iterationCount times
//!   protection = HMAC(BASEKEY, DER(ProtectedPart))
//!
//! signature (§5.1.3.3): protectionAlg = the signature algorithm; the signer's certificate
//!   is the first of extraCerts (RFC 9483 §3.3), and senderKID is its subjectKeyIdentifier.
//! ```

use super::asn1::{PbmParameter, PkiHeader, ID_PASSWORD_BASED_MAC};
use super::message::Incoming;
use super::trust::{self, ParsedCert};
use super::CmpError;
use crate::algorithm_identifier::{
    digest_algorithm_identifier, signature_algorithm_from_identifier,
    signature_algorithm_identifier,
};
use crate::issue::signer_key;
use const_oid::ObjectIdentifier;
use der::asn1::{Any, Int, Null, OctetString};
use der::{Decode, Encode};
use signet_crypto::digest::{digest, hmac, verify_hmac, Hasher};
use signet_crypto::Signer;
use signet_types::HashAlgorithm;
use spki::AlgorithmIdentifierOwned;
use std::fmt;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::name::Name;
use x509_cert::Certificate;

/// The PBM iteration count of our requests (RFC 9483 §4.1.1 leaves it to the
/// environment; RFC 9481 §6.1.1 asks for one that slows down dictionary attacks).
pub const PBM_ITERATIONS: u32 = 10_000;
/// The largest PBM iteration count accepted in a response: a bound on the work a peer can
/// ask of us.
pub const PBM_MAX_ITERATIONS: u32 = 100_000;
/// At most this many extraCerts are looked at when checking a signed response.
const MAX_EXTRA_CERTS: usize = 32;

/// `id-hmacWithSHA256/384/512` (RFC 8018 appendix B.1.2; RFC 9481 §6.2.1), and for
/// reading only `id-hmacWithSHA1` and the older `hMAC-SHA1` (RFC 4210 appendix D.2), which
/// OpenSSL 3.0 still uses in its responses.
const HMAC_OIDS: [(ObjectIdentifier, HashAlgorithm); 5] = [
    (ObjectIdentifier::new_unwrap("1.2.840.113549.2.9"), HashAlgorithm::Sha256),
    (ObjectIdentifier::new_unwrap("1.2.840.113549.2.10"), HashAlgorithm::Sha384),
    (ObjectIdentifier::new_unwrap("1.2.840.113549.2.11"), HashAlgorithm::Sha512),
    (ObjectIdentifier::new_unwrap("1.2.840.113549.2.7"), HashAlgorithm::Sha1),
    (ObjectIdentifier::new_unwrap("1.3.6.1.5.5.8.1.2"), HashAlgorithm::Sha1),
];

/// How our messages are protected.
pub enum Protection<'a> {
    /// Shared-secret protection, RFC 9483 §4.1.1 / RFC 9810 §5.1.3.1: PasswordBasedMac
    /// with OWF SHA-256, MAC HMAC-SHA256, [`PBM_ITERATIONS`] and a fresh salt per message;
    /// `senderKID` is the `reference` the CA gave with the secret.
    Pbm {
        /// The reference value (senderKID).
        reference: &'a [u8],
        /// The shared secret.
        secret: &'a [u8],
    },
    /// Signature protection, RFC 9483 §3.2: signed by `signer`, whose `certificate_der`
    /// (then `chain`, issuer by issuer, without the root) goes into extraCerts; the sender
    /// is the certificate's subject and `senderKID` its subjectKeyIdentifier.
    Signature {
        /// Holds the key of `certificate_der`.
        signer: &'a dyn Signer,
        /// The CMP protection certificate (DER).
        certificate_der: &'a [u8],
        /// Its issuing CA certificates (DER), for the CA to build the path.
        chain: &'a [Vec<u8>],
    },
}

impl fmt::Debug for Protection<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pbm { reference, .. } => f
                .debug_struct("Pbm")
                .field("reference", &String::from_utf8_lossy(reference))
                .finish_non_exhaustive(),
            Self::Signature { signer, chain, .. } => f
                .debug_struct("Signature")
                .field("algorithm", &signer.algorithm())
                .field("chain_len", &chain.len())
                .finish_non_exhaustive(),
        }
    }
}

/// How a response's protection is checked (RFC 9483 §3.5).
pub enum ResponseTrust<'a> {
    /// PasswordBasedMac with this shared secret (the parameters are the response's own).
    Pbm {
        /// The shared secret.
        secret: &'a [u8],
    },
    /// A signature by a certificate that chains, through extraCerts, to one of `trusted`
    /// (DER certificates: the CA's root, or the CMP server's certificate itself).
    Signature {
        /// Trust anchors.
        trusted: &'a [Vec<u8>],
    },
}

impl fmt::Debug for ResponseTrust<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pbm { .. } => f.debug_struct("Pbm").finish_non_exhaustive(),
            Self::Signature { trusted } => {
                f.debug_struct("Signature").field("trusted", &trusted.len()).finish()
            }
        }
    }
}

/// What a protection puts into the header and extraCerts of one message.
pub(crate) struct HeaderProtection {
    pub protection_alg: AlgorithmIdentifierOwned,
    pub sender_kid: Option<OctetString>,
    /// The sender a signature forces (the certificate's subject).
    pub sender: Option<Name>,
    pub extra_certs: Option<Vec<Any>>,
}

impl Protection<'_> {
    /// The header fields of this protection; `salt` is the PBM salt of this message.
    pub(crate) fn header(&self, salt: &[u8]) -> Result<HeaderProtection, CmpError> {
        match self {
            Self::Pbm { reference, .. } => {
                let params = PbmParameter {
                    salt: octets(salt)?,
                    owf: digest_algorithm_identifier(HashAlgorithm::Sha256),
                    iteration_count: Int::try_from(i64::from(PBM_ITERATIONS))
                        .map_err(CmpError::encoding("iterationCount"))?,
                    mac: AlgorithmIdentifierOwned { oid: HMAC_OIDS[0].0, parameters: None },
                };
                Ok(HeaderProtection {
                    protection_alg: AlgorithmIdentifierOwned {
                        oid: ID_PASSWORD_BASED_MAC,
                        parameters: Some(
                            Any::encode_from(&params)
                                .map_err(CmpError::encoding("PBMParameter"))?,
                        ),
                    },
                    sender_kid: Some(octets(reference)?),
                    sender: None,
                    extra_certs: None,
                })
            }
            Self::Signature { signer, certificate_der, chain } => {
                let cert = Certificate::from_der(certificate_der)
                    .map_err(|e| invalid(format!("the protection certificate: {e}")))?;
                let tbs = cert.tbs_certificate();
                if *tbs.subject_public_key_info() != signer_key(*signer)? {
                    return Err(invalid(
                        "the signer does not hold the protection certificate's key",
                    ));
                }
                let ski = tbs
                    .get_extension::<SubjectKeyIdentifier>()
                    .map_err(|e| invalid(format!("the protection certificate's SKI: {e}")))?;
                let mut extra = vec![Any::from_der(certificate_der)
                    .map_err(|e| invalid(format!("the protection certificate: {e}")))?];
                for c in chain.iter() {
                    Certificate::from_der(c)
                        .map_err(|e| invalid(format!("a chain certificate: {e}")))?;
                    extra.push(
                        Any::from_der(c)
                            .map_err(|e| invalid(format!("a chain certificate: {e}")))?,
                    );
                }
                Ok(HeaderProtection {
                    protection_alg: signature_algorithm_identifier(signer.algorithm())?,
                    sender_kid: ski.map(|(_, s)| s.0),
                    sender: Some(tbs.subject().clone()),
                    extra_certs: Some(extra),
                })
            }
        }
    }

    /// The `protection` value over `protected_part` (DER of `ProtectedPart`).
    pub(crate) fn protect(
        &self,
        protection_alg: &AlgorithmIdentifierOwned,
        protected_part: &[u8],
    ) -> Result<Vec<u8>, CmpError> {
        match self {
            Self::Pbm { secret, .. } => {
                let pbm = PbmSettings::read(protection_alg).map_err(CmpError::InvalidRequest)?;
                Ok(hmac(pbm.mac, &pbm.base_key(secret), protected_part))
            }
            Self::Signature { signer, .. } => {
                let d = digest(signer.algorithm().hash(), protected_part);
                Ok(signer.sign_digest(&d)?)
            }
        }
    }

    /// What identifies this protection across the messages of one transaction.
    pub(crate) fn fingerprint(&self) -> Vec<u8> {
        match self {
            Self::Pbm { reference, .. } => [b"pbm:".as_slice(), reference].concat(),
            Self::Signature { certificate_der, .. } => {
                [b"sig:".as_slice(), &digest(HashAlgorithm::Sha256, certificate_der)].concat()
            }
        }
    }
}

/// The PasswordBasedMac parameters of a message, checked.
struct PbmSettings {
    salt: Vec<u8>,
    owf: HashAlgorithm,
    iterations: u32,
    mac: HashAlgorithm,
}

impl PbmSettings {
    fn read(alg: &AlgorithmIdentifierOwned) -> Result<Self, String> {
        let params: PbmParameter = alg
            .parameters
            .as_ref()
            .ok_or("PasswordBasedMac without PBMParameter")?
            .decode_as()
            .map_err(|e| format!("PBMParameter: {e}"))?;
        let owf = HashAlgorithm::from_oid(&params.owf.oid)
            .filter(|_| null_or_absent(&params.owf))
            .ok_or_else(|| format!("PBM OWF {} is not supported", params.owf.oid))?;
        let mac = HMAC_OIDS
            .iter()
            .find(|(oid, _)| *oid == params.mac.oid)
            .filter(|_| null_or_absent(&params.mac))
            .map(|(_, h)| *h)
            .ok_or_else(|| format!("PBM MAC {} is not supported", params.mac.oid))?;
        let iterations = super::status::small_int(&params.iteration_count)
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| (1..=PBM_MAX_ITERATIONS).contains(n))
            .ok_or_else(|| format!("PBM iterationCount outside 1..={PBM_MAX_ITERATIONS}"))?;
        Ok(Self { salt: params.salt.as_bytes().to_vec(), owf, iterations, mac })
    }

    /// RFC 9810 §5.1.3.1: "the OWF is applied iterationCount times to (password || salt)".
    fn base_key(&self, secret: &[u8]) -> Vec<u8> {
        let mut h = Hasher::new(self.owf);
        h.update(secret);
        h.update(&self.salt);
        let mut key = h.finish();
        for _ in 1..self.iterations {
            key = digest(self.owf, &key);
        }
        key
    }
}

fn null_or_absent(alg: &AlgorithmIdentifierOwned) -> bool {
    alg.parameters.as_ref().is_none_or(|p| p.to_der().ok() == Null.to_der().ok())
}

/// Checks the protection of a received message (RFC 9483 §3.5: "the receiver MUST verify
/// the message protection").
pub(crate) fn verify(msg: &Incoming, trust: &ResponseTrust<'_>, now: i64) -> Result<(), CmpError> {
    let protection = msg
        .message
        .protection
        .as_ref()
        .ok_or_else(|| CmpError::protection("the response is not protected"))?;
    let value = protection
        .as_bytes()
        .ok_or_else(|| CmpError::protection("PKIProtection has unused bits"))?;
    let alg = msg
        .header
        .protection_alg
        .as_ref()
        .ok_or_else(|| CmpError::protection("protection without protectionAlg"))?;
    let part = msg.protected_part()?;
    match trust {
        ResponseTrust::Pbm { secret } => {
            if alg.oid != ID_PASSWORD_BASED_MAC {
                return Err(CmpError::protection(format!(
                    "expected PasswordBasedMac protection, got {}",
                    alg.oid
                )));
            }
            let pbm = PbmSettings::read(alg).map_err(CmpError::protection)?;
            if verify_hmac(pbm.mac, &pbm.base_key(secret), &part, value) {
                Ok(())
            } else {
                Err(CmpError::protection("the PasswordBasedMac does not verify (wrong secret?)"))
            }
        }
        ResponseTrust::Signature { trusted } => {
            if alg.oid == ID_PASSWORD_BASED_MAC {
                return Err(CmpError::protection(
                    "expected signature protection, got PasswordBasedMac",
                ));
            }
            let algorithm = signature_algorithm_from_identifier(alg)
                .map_err(|e| CmpError::protection(e.to_string()))?;
            let extra = msg
                .message
                .extra_certs
                .iter()
                .flatten()
                .take(MAX_EXTRA_CERTS)
                .filter_map(|c| c.to_der().ok())
                .filter_map(|d| ParsedCert::parse(&d).ok())
                .collect::<Vec<_>>();
            let anchors =
                trusted.iter().filter_map(|d| ParsedCert::parse(d).ok()).collect::<Vec<_>>();
            if anchors.is_empty() {
                return Err(CmpError::protection("no usable trusted certificate"));
            }
            let signer = extra
                .iter()
                .chain(&anchors)
                .filter(|c| names_signer(&msg.header, c))
                .find(|c| c.verifies(algorithm, &part, value))
                .ok_or_else(|| {
                    CmpError::protection(
                        "the signature does not verify with the sender's certificate",
                    )
                })?;
            trust::validate_path(signer, &extra, &anchors, now).map_err(CmpError::protection)
        }
    }
}

/// Whether `cert` can be the protection certificate the header names: its subject is the
/// sender (when a directoryName) and its SKI the senderKID (when both are present).
fn names_signer(header: &PkiHeader, cert: &ParsedCert) -> bool {
    let name_ok = match &header.sender {
        GeneralName::DirectoryName(n) => {
            n.is_empty() || *n == *cert.cert.tbs_certificate().subject()
        }
        _ => true,
    };
    let kid_ok = match (&header.sender_kid, cert.subject_key_id()) {
        (Some(kid), Some(ski)) => kid.as_bytes() == ski.as_slice(),
        _ => true,
    };
    name_ok && kid_ok
}

fn octets(bytes: &[u8]) -> Result<OctetString, CmpError> {
    OctetString::new(bytes).map_err(CmpError::encoding("OCTET STRING"))
}

fn invalid(reason: impl Into<String>) -> CmpError {
    CmpError::InvalidRequest(reason.into())
}
