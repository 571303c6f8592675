//! The CMP message structures (RFC 9810 appendix A, module `PKIXCMP-2023`, EXPLICIT
//! TAGS), as `der` derives. Only what the Lightweight CMP profile (RFC 9483) needs on the
//! client side is modelled; the header and body of a received message are kept as raw DER
//! ([`Any`]) so that its protection is checked over the exact bytes that were sent.

use const_oid::ObjectIdentifier;
use der::asn1::{Any, BitString, GeneralizedTime, Int, OctetString};
use der::Sequence;
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::name::GeneralName;

/// `id-PasswordBasedMac` (RFC 9810 §5.1.3.1; RFC 4211 §4.4).
pub(crate) const ID_PASSWORD_BASED_MAC: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113533.7.66.13");
/// `id-it-implicitConfirm` (RFC 9810 §5.1.1.1).
pub(crate) const ID_IT_IMPLICIT_CONFIRM: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.4.13");

/// `pvno` `cmp2000(2)`: RFC 9483 §3.1 ("MUST be 2 … unless cmp2021 features are used").
pub(crate) const PVNO_CMP2000: u8 = 2;
/// `pvno` `cmp2021(3)`, accepted in responses.
pub(crate) const PVNO_CMP2021: u8 = 3;

/// §5.1:
///
/// ```text
/// PKIMessage ::= SEQUENCE {
///     header           PKIHeader,
///     body             PKIBody,
///     protection   [0] PKIProtection OPTIONAL,
///     extraCerts   [1] SEQUENCE SIZE (1..MAX) OF CMPCertificate
///                   OPTIONAL }
/// PKIProtection ::= BIT STRING
/// CMPCertificate ::= CHOICE { x509v3PKCert Certificate, ... }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct PkiMessage {
    pub header: Any,
    pub body: Any,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub protection: Option<BitString>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub extra_certs: Option<Vec<Any>>,
}

/// §5.1.3: what the protection is computed over.
///
/// ```text
/// ProtectedPart ::= SEQUENCE {
///     header    PKIHeader,
///     body      PKIBody }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct ProtectedPart {
    pub header: Any,
    pub body: Any,
}

/// §5.1.1:
///
/// ```text
/// PKIHeader ::= SEQUENCE {
///     pvno                INTEGER     { cmp1999(1), cmp2000(2), cmp2021(3) },
///     sender              GeneralName,
///     recipient           GeneralName,
///     messageTime     [0] GeneralizedTime         OPTIONAL,
///     protectionAlg   [1] AlgorithmIdentifier{ALGORITHM, {...}} OPTIONAL,
///     senderKID       [2] KeyIdentifier           OPTIONAL,
///     recipKID        [3] KeyIdentifier           OPTIONAL,
///     transactionID   [4] OCTET STRING            OPTIONAL,
///     senderNonce     [5] OCTET STRING            OPTIONAL,
///     recipNonce      [6] OCTET STRING            OPTIONAL,
///     freeText        [7] PKIFreeText             OPTIONAL,
///     generalInfo     [8] SEQUENCE SIZE (1..MAX) OF
///                         InfoTypeAndValue     OPTIONAL }
/// PKIFreeText ::= SEQUENCE SIZE (1..MAX) OF UTF8String
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct PkiHeader {
    pub pvno: u8,
    pub sender: GeneralName,
    pub recipient: GeneralName,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub message_time: Option<GeneralizedTime>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub protection_alg: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub sender_kid: Option<OctetString>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    pub recip_kid: Option<OctetString>,
    #[asn1(context_specific = "4", tag_mode = "EXPLICIT", optional = "true")]
    pub transaction_id: Option<OctetString>,
    #[asn1(context_specific = "5", tag_mode = "EXPLICIT", optional = "true")]
    pub sender_nonce: Option<OctetString>,
    #[asn1(context_specific = "6", tag_mode = "EXPLICIT", optional = "true")]
    pub recip_nonce: Option<OctetString>,
    #[asn1(context_specific = "7", tag_mode = "EXPLICIT", optional = "true")]
    pub free_text: Option<Vec<String>>,
    #[asn1(context_specific = "8", tag_mode = "EXPLICIT", optional = "true")]
    pub general_info: Option<Vec<InfoTypeAndValue>>,
}

/// §5.3.19:
///
/// ```text
/// InfoTypeAndValue ::= SEQUENCE {
///     infoType    OBJECT IDENTIFIER,
///     infoValue   ANY DEFINED BY infoType OPTIONAL }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct InfoTypeAndValue {
    pub info_type: ObjectIdentifier,
    pub info_value: Option<Any>,
}

/// The `PKIBody` alternatives this client sends or reads (§5.1.2, each `[n]` EXPLICIT):
///
/// ```text
/// PKIBody ::= CHOICE {
///     ir       [0]  CertReqMessages,        ip       [1]  CertRepMessage,
///     cr       [2]  CertReqMessages,        cp       [3]  CertRepMessage,
///     kur      [7]  CertReqMessages,        kup      [8]  CertRepMessage,
///     rr       [11] RevReqContent,          rp       [12] RevRepContent,
///     pkiconf  [19] PKIConfirmContent,      error    [23] ErrorMsgContent,
///     certConf [24] CertConfirmContent,     ... }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyType {
    Ir = 0,
    Ip = 1,
    Cr = 2,
    Cp = 3,
    Kur = 7,
    Kup = 8,
    Rr = 11,
    Rp = 12,
    PkiConf = 19,
    Error = 23,
    CertConf = 24,
}

impl BodyType {
    /// The body type of a context-specific tag number, if this client knows it.
    pub(crate) fn from_tag_number(n: u32) -> Option<Self> {
        Some(match n {
            0 => Self::Ir,
            1 => Self::Ip,
            2 => Self::Cr,
            3 => Self::Cp,
            7 => Self::Kur,
            8 => Self::Kup,
            11 => Self::Rr,
            12 => Self::Rp,
            19 => Self::PkiConf,
            23 => Self::Error,
            24 => Self::CertConf,
            _ => return None,
        })
    }

    /// RFC 9810's name of the body.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Ir => "ir",
            Self::Ip => "ip",
            Self::Cr => "cr",
            Self::Cp => "cp",
            Self::Kur => "kur",
            Self::Kup => "kup",
            Self::Rr => "rr",
            Self::Rp => "rp",
            Self::PkiConf => "pkiconf",
            Self::Error => "error",
            Self::CertConf => "certConf",
        }
    }
}

/// §5.2.3:
///
/// ```text
/// PKIStatusInfo ::= SEQUENCE {
///     status        PKIStatus,
///     statusString  PKIFreeText     OPTIONAL,
///     failInfo      PKIFailureInfo  OPTIONAL }
/// PKIStatus ::= INTEGER { accepted (0), grantedWithMods (1), rejection (2), waiting (3),
///     revocationWarning (4), revocationNotification (5), keyUpdateWarning (6) }
/// PKIFailureInfo ::= BIT STRING { badAlg (0), …, duplicateCertReq (26) }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct PkiStatusInfo {
    pub status: Int,
    pub status_string: Option<Vec<String>>,
    pub fail_info: Option<BitString>,
}

/// §5.3.4:
///
/// ```text
/// CertRepMessage ::= SEQUENCE {
///     caPubs       [1] SEQUENCE SIZE (1..MAX) OF CMPCertificate OPTIONAL,
///     response         SEQUENCE OF CertResponse }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct CertRepMessage {
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub ca_pubs: Option<Vec<Any>>,
    pub response: Vec<CertResponse>,
}

/// §5.3.4:
///
/// ```text
/// CertResponse ::= SEQUENCE {
///     certReqId           INTEGER,
///     status              PKIStatusInfo,
///     certifiedKeyPair    CertifiedKeyPair    OPTIONAL,
///     rspInfo             OCTET STRING        OPTIONAL }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct CertResponse {
    pub cert_req_id: Int,
    pub status: PkiStatusInfo,
    pub certified_key_pair: Option<CertifiedKeyPair>,
    pub rsp_info: Option<OctetString>,
}

/// §5.3.4:
///
/// ```text
/// CertifiedKeyPair ::= SEQUENCE {
///     certOrEncCert       CertOrEncCert,
///     privateKey      [0] EncryptedKey      OPTIONAL,
///     publicationInfo [1] PKIPublicationInfo OPTIONAL }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct CertifiedKeyPair {
    pub cert_or_enc_cert: CertOrEncCert,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub private_key: Option<Any>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub publication_info: Option<Any>,
}

/// §5.3.4 (the certificate is kept as its DER):
///
/// ```text
/// CertOrEncCert ::= CHOICE {
///     certificate     [0] CMPCertificate,
///     encryptedCert   [1] EncryptedKey }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, der::Choice)]
pub(crate) enum CertOrEncCert {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", constructed = "true")]
    Certificate(Any),
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", constructed = "true")]
    EncryptedCert(Any),
}

/// §5.3.10:
///
/// ```text
/// RevRepContent ::= SEQUENCE {
///     status       SEQUENCE SIZE (1..MAX) OF PKIStatusInfo,
///     revCerts [0] SEQUENCE SIZE (1..MAX) OF CertId OPTIONAL,
///     crls     [1] SEQUENCE SIZE (1..MAX) OF CertificateList OPTIONAL }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct RevRepContent {
    pub status: Vec<PkiStatusInfo>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub rev_certs: Option<Vec<Any>>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub crls: Option<Vec<Any>>,
}

/// §5.3.18 (`CertConfirmContent ::= SEQUENCE OF CertStatus`):
///
/// ```text
/// CertStatus ::= SEQUENCE {
///     certHash    OCTET STRING,
///     certReqId   INTEGER,
///     statusInfo  PKIStatusInfo OPTIONAL,
///     hashAlg [0] AlgorithmIdentifier{DIGEST-ALGORITHM, {...}} OPTIONAL }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct CertStatus {
    pub cert_hash: OctetString,
    pub cert_req_id: Int,
    pub status_info: Option<PkiStatusInfo>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub hash_alg: Option<AlgorithmIdentifierOwned>,
}

/// §5.3.21:
///
/// ```text
/// ErrorMsgContent ::= SEQUENCE {
///     pKIStatusInfo          PKIStatusInfo,
///     errorCode              INTEGER           OPTIONAL,
///     errorDetails           PKIFreeText       OPTIONAL }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct ErrorMsgContent {
    pub pki_status_info: PkiStatusInfo,
    pub error_code: Option<Int>,
    pub error_details: Option<Vec<String>>,
}

/// §5.1.3.1 (RFC 4211 §4.4):
///
/// ```text
/// PBMParameter ::= SEQUENCE {
///     salt                OCTET STRING,
///     owf                 AlgorithmIdentifier{DIGEST-ALGORITHM, {...}},
///     iterationCount      INTEGER,
///     mac                 AlgorithmIdentifier{MAC-ALGORITHM, {...}} }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct PbmParameter {
    pub salt: OctetString,
    pub owf: AlgorithmIdentifierOwned,
    pub iteration_count: Int,
    pub mac: AlgorithmIdentifierOwned,
}
