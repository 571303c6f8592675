//! The certificate request structures of CRMF (RFC 4211 appendix B, module
//! `PKIXCRMF-2005`, IMPLICIT TAGS) that CMP's ir/cr/kur and rr carry, as `der` derives.
//!
//! `Name` is a CHOICE, and a tag on a CHOICE is always explicit (X.680 §31.2.7), so the
//! `issuer [3]` and `subject [5]` of a `CertTemplate` are written EXPLICIT here.

use const_oid::ObjectIdentifier;
use der::asn1::{Any, BitString, Int, Null};
use der::{Choice, Sequence};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::Extensions;
use x509_cert::name::Name;

/// `id-regCtrl-oldCertID` (RFC 4211 §6.5).
pub(crate) const ID_REG_CTRL_OLD_CERT_ID: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.5.1.5");

/// §3 (`CertReqMessages ::= SEQUENCE SIZE (1..MAX) OF CertReqMsg`):
///
/// ```text
/// CertReqMsg ::= SEQUENCE {
///     certReq   CertRequest,
///     popo       ProofOfPossession  OPTIONAL,
///     regInfo   SEQUENCE SIZE(1..MAX) OF AttributeTypeAndValue OPTIONAL }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct CertReqMsg {
    pub cert_req: CertRequest,
    pub popo: Option<ProofOfPossessionAsn1>,
    pub reg_info: Option<Vec<AttributeTypeAndValue>>,
}

/// §5:
///
/// ```text
/// CertRequest ::= SEQUENCE {
///     certReqId     INTEGER,
///     certTemplate  CertTemplate,
///     controls      Controls OPTIONAL }
/// Controls  ::= SEQUENCE SIZE(1..MAX) OF AttributeTypeAndValue
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct CertRequest {
    pub cert_req_id: Int,
    pub cert_template: CertTemplate,
    pub controls: Option<Vec<AttributeTypeAndValue>>,
}

/// §5:
///
/// ```text
/// CertTemplate ::= SEQUENCE {
///     version      [0] Version               OPTIONAL,
///     serialNumber [1] INTEGER               OPTIONAL,
///     signingAlg   [2] AlgorithmIdentifier   OPTIONAL,
///     issuer       [3] Name                  OPTIONAL,
///     validity     [4] OptionalValidity      OPTIONAL,
///     subject      [5] Name                  OPTIONAL,
///     publicKey    [6] SubjectPublicKeyInfo  OPTIONAL,
///     issuerUID    [7] UniqueIdentifier      OPTIONAL,
///     subjectUID   [8] UniqueIdentifier      OPTIONAL,
///     extensions   [9] Extensions            OPTIONAL }
/// ```
///
/// `version`, `validity` and the unique identifiers are not used by RFC 9483 and are
/// left out.
#[derive(Clone, Debug, Default, Eq, PartialEq, Sequence)]
pub(crate) struct CertTemplate {
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub serial_number: Option<Int>,
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT", constructed = "true", optional = "true")]
    pub signing_alg: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    pub issuer: Option<Name>,
    #[asn1(context_specific = "5", tag_mode = "EXPLICIT", optional = "true")]
    pub subject: Option<Name>,
    #[asn1(context_specific = "6", tag_mode = "IMPLICIT", constructed = "true", optional = "true")]
    pub public_key: Option<SubjectPublicKeyInfoOwned>,
    #[asn1(context_specific = "9", tag_mode = "IMPLICIT", constructed = "true", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// §4:
///
/// ```text
/// ProofOfPossession ::= CHOICE {
///     raVerified        [0] NULL,
///     signature         [1] POPOSigningKey,
///     keyEncipherment   [2] POPOPrivKey,
///     keyAgreement      [3] POPOPrivKey }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Choice)]
pub(crate) enum ProofOfPossessionAsn1 {
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    RaVerified(Null),
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", constructed = "true")]
    Signature(PopoSigningKey),
}

/// §4.1 (`poposkInput` is left out: "the certReq CertTemplate contains the subject and
/// publicKey values", so the signature is over the DER of `certReq`):
///
/// ```text
/// POPOSigningKey ::= SEQUENCE {
///     poposkInput         [0] POPOSigningKeyInput OPTIONAL,
///     algorithmIdentifier     AlgorithmIdentifier,
///     signature               BIT STRING }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct PopoSigningKey {
    pub algorithm_identifier: AlgorithmIdentifierOwned,
    pub signature: BitString,
}

/// §5 (`Controls`), §7 (`regInfo`):
///
/// ```text
/// AttributeTypeAndValue ::= SEQUENCE {
///     type         ATTRIBUTE.&id({SupportedAttributes}),
///     value        ATTRIBUTE.&Type({SupportedAttributes}{@type}) }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct AttributeTypeAndValue {
    pub attr_type: ObjectIdentifier,
    pub value: Any,
}

/// §6.5 (the value of `id-regCtrl-oldCertID`):
///
/// ```text
/// CertId ::= SEQUENCE {
///     issuer           GeneralName,
///     serialNumber     INTEGER }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct CertId {
    pub issuer: GeneralName,
    pub serial_number: Int,
}

/// RFC 9810 §5.3.9 (`RevReqContent ::= SEQUENCE OF RevDetails`):
///
/// ```text
/// RevDetails ::= SEQUENCE {
///     certDetails         CertTemplate,
///     crlEntryDetails     Extensions{{...}}    OPTIONAL }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct RevDetails {
    pub cert_details: CertTemplate,
    pub crl_entry_details: Option<Extensions>,
}
