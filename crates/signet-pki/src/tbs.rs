//! The `TBSCertificate` Signet encodes, signs and wraps (RFC 5280 §4.1).
//!
//! x509-cert 0.3 keeps the fields of its `TbsCertificate` private and builds one only
//! through its `builder` feature, whose signers must implement the `signature` crate's
//! traits over the whole message. Signet signs a digest through its own `Signer`, so it
//! encodes the same ASN.1 with its own `der` derive and reads the result back with
//! x509-cert's types (tests check both agree).
//!
//! ```text
//! Certificate  ::=  SEQUENCE  {
//!      tbsCertificate       TBSCertificate,
//!      signatureAlgorithm   AlgorithmIdentifier,
//!      signatureValue       BIT STRING  }
//!
//! TBSCertificate  ::=  SEQUENCE  {
//!      version         [0]  EXPLICIT Version DEFAULT v1,
//!      serialNumber         CertificateSerialNumber,
//!      signature            AlgorithmIdentifier,
//!      issuer               Name,
//!      validity             Validity,
//!      subject              Name,
//!      subjectPublicKeyInfo SubjectPublicKeyInfo,
//!      issuerUniqueID  [1]  IMPLICIT UniqueIdentifier OPTIONAL,
//!      subjectUniqueID [2]  IMPLICIT UniqueIdentifier OPTIONAL,
//!      extensions      [3]  EXPLICIT Extensions OPTIONAL  }
//! ```
//!
//! The unique identifiers are never written (RFC 5280 §4.1.2.8: conforming CAs MUST NOT
//! generate them).

use der::asn1::BitString;
use der::Sequence;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::certificate::Version;
use x509_cert::ext::Extensions;
use x509_cert::name::RdnSequence;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;

/// `TBSCertificate`, always version 3 with extensions.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct TbsCertificate {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", default = "Default::default")]
    pub version: Version,
    pub serial_number: SerialNumber,
    pub signature: AlgorithmIdentifierOwned,
    pub issuer: RdnSequence,
    pub validity: Validity,
    pub subject: RdnSequence,
    pub subject_public_key_info: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// `Certificate`: the TBS, the algorithm (equal to `tbs.signature`, RFC 5280 §4.1.1.2) and
/// the signature value as a BIT STRING with no unused bits.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct Certificate {
    pub tbs_certificate: TbsCertificate,
    pub signature_algorithm: AlgorithmIdentifierOwned,
    pub signature: BitString,
}
