//! Issuing one X.509 certificate by profile (RFC 5280 §4.1), signed over a digest by a
//! [`Signer`] — the CA's key never leaves its crypto module.
//!
//! ```text
//! tbs    = TBSCertificate { v3, serial, sigAlg, issuer, validity, subject, spki, extensions }
//! digest = H(DER(tbs))            -- H = signer.algorithm().hash()
//! cert   = Certificate { tbs, sigAlg, BIT STRING(signer.sign_digest(digest)) }
//! ```

use crate::algorithm_identifier::{key_family, parse_spki, signature_algorithm_identifier};
use crate::extensions::{extensions, key_identifier, ExtensionInputs};
use crate::name::subject_name;
use crate::tbs::{Certificate, TbsCertificate};
use crate::time::{from_x509_time, to_x509_time};
use crate::{CertificateContent, PkiError, PkiUrls, Profile};
use der::asn1::BitString;
use der::{Decode, Encode};
use signet_crypto::Signer;
use signet_types::KeyFamily;
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::certificate::Version;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, SubjectKeyIdentifier};
use x509_cert::name::RdnSequence;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;

/// Who the certificate is for. Which fields a profile needs is checked at issuance
/// (see the `name` module): a CN always; givenName and/or surname for a natural person;
/// organizationName for a legal person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subject {
    /// `commonName` (at most 64 characters).
    pub common_name: String,
    /// `givenName` (natural persons only).
    pub given_name: Option<String>,
    /// `surname` (natural persons only).
    pub surname: Option<String>,
    /// `organizationName` (required for legal persons).
    pub organization: Option<String>,
    /// `countryName`, ISO 3166-1 alpha-2 ("BE").
    pub country: Option<String>,
    /// E-mail address, written as a `subjectAltName` `rfc822Name` (EN 319 412-2 §4.3.5).
    pub email: Option<String>,
}

/// The CA that issues the certificate.
#[derive(Debug, Clone, Copy)]
pub struct Issuer<'a> {
    /// The issuing CA's DER certificate: its subject becomes the issuer name and its key
    /// identifier the `authorityKeyIdentifier`.
    pub certificate_der: &'a [u8],
    /// The CA's id in the PKI URLs (`/pki/ca/{id}.crt`, `/pki/crl/{id}.crl`).
    pub ca_id: &'a str,
}

/// Everything one certificate is made of, apart from the signature.
#[derive(Debug)]
pub struct IssueRequest<'a> {
    /// Which kind of certificate.
    pub profile: Profile,
    /// The subject's names.
    pub subject: &'a Subject,
    /// The subject's DER `SubjectPublicKeyInfo`.
    pub subject_public_key: &'a [u8],
    /// The serial number as a big-endian unsigned integer (see [`serial_from_random`]).
    pub serial: &'a [u8],
    /// Start of validity, unix seconds.
    pub not_before: i64,
    /// End of validity, unix seconds; after `not_before`.
    pub not_after: i64,
    /// The issuing CA, or `None` for a self-signed root.
    pub issuer: Option<Issuer<'a>>,
    /// Where the issued certificate points relying parties.
    pub urls: &'a PkiUrls,
    /// A configured profile's certificate policies and QC statements; end-entity profiles
    /// only.
    pub content: Option<&'a CertificateContent>,
}

/// Issues a certificate and returns its DER encoding.
///
/// `signer` must hold the issuer's key: the issuer certificate's key, or for a
/// self-signed root the subject key itself. The request is checked first (validity,
/// serial, names, keys, issuer); nothing is signed if any check fails.
pub fn issue(req: &IssueRequest<'_>, signer: &dyn Signer) -> Result<Vec<u8>, PkiError> {
    if req.not_after <= req.not_before {
        return Err(PkiError::EmptyValidity {
            not_before: req.not_before,
            not_after: req.not_after,
        });
    }
    if req.content.is_some() && !req.profile.is_end_entity() {
        return Err(PkiError::InvalidContent(format!(
            "a {} certificate takes no policies or QC statements",
            req.profile
        )));
    }
    let validity = Validity::new(to_x509_time(req.not_before)?, to_x509_time(req.not_after)?);
    let serial_number = serial_number(req.serial)?;
    let subject = subject_name(req.profile, req.subject)?;
    let subject_spki = parse_spki(req.subject_public_key, "subject")?;
    key_family(&subject_spki)?;
    let signer_spki = signer_key(signer)?;

    let issuer = match (req.profile, &req.issuer) {
        (Profile::RootCa, None) => {
            if signer_spki != subject_spki {
                return Err(PkiError::SignerKeyMismatch { expected: "subject (self-signed root)" });
            }
            None
        }
        (Profile::RootCa, Some(_)) => {
            return Err(PkiError::IssuerMismatch {
                profile: Profile::RootCa.as_str(),
                reason: "is self-signed and takes no issuer",
            })
        }
        (profile, None) => {
            return Err(PkiError::IssuerMismatch {
                profile: profile.as_str(),
                reason: "needs an issuing CA certificate",
            })
        }
        (profile, Some(issuer)) => {
            Some(IssuerFacts::read(issuer, profile, &signer_spki, req.not_after)?)
        }
    };
    let issuer_name = match &issuer {
        Some(facts) => facts.name.clone(),
        None => subject.clone(),
    };

    let algorithm = signature_algorithm_identifier(signer.algorithm())?;
    let extensions = extensions(&ExtensionInputs {
        profile: req.profile,
        subject_public_key: &subject_spki,
        issuer: issuer.as_ref().map(|f| (f.key_id.clone(), f.ca_id)),
        email: req.subject.email.as_deref(),
        urls: req.urls,
        content: req.content,
    })?;
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number,
        signature: algorithm.clone(),
        issuer: issuer_name,
        validity,
        subject,
        subject_public_key_info: subject_spki,
        extensions: Some(extensions),
    };
    let tbs_der = tbs.to_der().map_err(PkiError::encoding("TBSCertificate"))?;
    let digest = signet_crypto::digest::digest(signer.algorithm().hash(), &tbs_der);
    let signature = signer.sign_digest(&digest)?;
    let certificate = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: algorithm,
        signature: BitString::from_bytes(&signature)
            .map_err(PkiError::encoding("signatureValue"))?,
    };
    certificate.to_der().map_err(PkiError::encoding("Certificate"))
}

/// A serial number from 16 random bytes: the top bit is cleared so the INTEGER is
/// positive in 16 octets, leading zero octets are dropped, and an all-zero draw becomes 1
/// (RFC 5280 §4.1.2.2: positive, at most 20 octets; 127 random bits exceed the 64 the
/// CA/Browser Forum baseline requirements §7.1 ask for).
pub fn serial_from_random(mut bytes: [u8; 16]) -> Vec<u8> {
    bytes[0] &= 0x7f;
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    let serial = bytes[first..].to_vec();
    if serial.is_empty() {
        vec![1]
    } else {
        serial
    }
}

/// `CertificateSerialNumber ::= INTEGER`, "a positive integer … no longer than 20 octets"
/// (RFC 5280 §4.1.2.2). `bytes` is read as unsigned; a 0x00 octet is added in the
/// encoding when the top bit is set.
pub(crate) fn serial_number(bytes: &[u8]) -> Result<SerialNumber, PkiError> {
    let first =
        bytes.iter().position(|b| *b != 0).ok_or(PkiError::InvalidSerial("it is zero or empty"))?;
    SerialNumber::new(&bytes[first..])
        .map_err(|_| PkiError::InvalidSerial("it is longer than 20 octets once encoded"))
}

/// Parses the signer's key and checks its signature algorithm fits it.
pub(crate) fn signer_key(signer: &dyn Signer) -> Result<SubjectPublicKeyInfoOwned, PkiError> {
    let spki = parse_spki(signer.public_key(), "signer")?;
    let family = key_family(&spki)?;
    let algorithm = signer.algorithm();
    if algorithm.family() != family {
        return Err(PkiError::AlgorithmKeyMismatch {
            algorithm: algorithm.name(),
            key: match family {
                KeyFamily::Rsa => "RSA",
                KeyFamily::Ec => "EC",
            },
        });
    }
    Ok(spki)
}

/// What a subordinate certificate takes from its issuer's certificate.
struct IssuerFacts<'a> {
    name: RdnSequence,
    key_id: Vec<u8>,
    ca_id: &'a str,
}

impl<'a> IssuerFacts<'a> {
    /// Reads the issuer certificate and checks it may issue this certificate with this
    /// signer: it is a CA (RFC 5280 §4.2.1.9), its keyUsage allows keyCertSign
    /// (§4.2.1.3), its path length allows another CA below it, the signer holds its key,
    /// and the new certificate does not outlive it.
    fn read(
        issuer: &Issuer<'a>,
        profile: Profile,
        signer_spki: &SubjectPublicKeyInfoOwned,
        not_after: i64,
    ) -> Result<Self, PkiError> {
        let cert = x509_cert::Certificate::from_der(issuer.certificate_der)
            .map_err(PkiError::certificate)?;
        let tbs = cert.tbs_certificate();
        let basic = tbs.get_extension::<BasicConstraints>().map_err(PkiError::certificate)?;
        let Some((_, basic)) = basic.filter(|(_, b)| b.ca) else {
            return Err(PkiError::IssuerNotCa);
        };
        if profile.is_ca() && basic.path_len_constraint == Some(0) {
            return Err(PkiError::IssuerMismatch {
                profile: profile.as_str(),
                reason: "cannot be issued by a CA whose pathLenConstraint is 0",
            });
        }
        if let Some((_, ku)) = tbs.get_extension::<KeyUsage>().map_err(PkiError::certificate)? {
            if !ku.key_cert_sign() {
                return Err(PkiError::IssuerNotCa);
            }
        }
        if tbs.subject_public_key_info() != signer_spki {
            return Err(PkiError::SignerKeyMismatch { expected: "issuing CA certificate's" });
        }
        let issuer_not_after = from_x509_time(&tbs.validity().not_after);
        if not_after > issuer_not_after {
            return Err(PkiError::OutlivesIssuer { not_after, issuer_not_after });
        }
        let key_id =
            match tbs.get_extension::<SubjectKeyIdentifier>().map_err(PkiError::certificate)? {
                Some((_, ski)) => ski.0.as_bytes().to_vec(),
                None => key_identifier(tbs.subject_public_key_info()),
            };
        Ok(Self { name: RdnSequence::from(tbs.subject().clone()), key_id, ca_id: issuer.ca_id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_serials_are_positive_non_zero_and_short() {
        assert_eq!(serial_from_random([0xff; 16])[0], 0x7f);
        assert_eq!(serial_from_random([0; 16]), vec![1]);
        let mut b = [0u8; 16];
        b[15] = 9;
        assert_eq!(serial_from_random(b), vec![9]);
        assert_eq!(serial_from_random([0x80; 16]).len(), 15);
    }

    #[test]
    fn serial_numbers_are_checked() {
        assert!(serial_number(&[]).is_err());
        assert!(serial_number(&[0, 0]).is_err());
        assert!(serial_number(&[0x7f; 20]).is_ok());
        assert!(serial_number(&[0x80; 20]).is_err()); // needs a 21st sign octet
        assert_eq!(serial_number(&[0, 0, 5]).map(|s| s.as_bytes().to_vec()).ok(), Some(vec![5]));
    }
}
