//! What a configured certificate profile adds to an end-entity certificate: certificate
//! policies (RFC 5280 §4.2.1.4, EN 319 412-2 §4.3.3) and qualified-certificate statements
//! (ETSI EN 319 412-5 §4.2, in the RFC 3739 §3.2.6 `qcStatements` extension).
//!
//! ```text
//! certificatePolicies ::= SEQUENCE OF PolicyInformation { policyIdentifier, [ id-qt-cps: IA5String ] }
//! QCStatements ::= SEQUENCE OF QCStatement { statementId OID, statementInfo ANY OPTIONAL }
//!   esi4-qcStatement-1  QcCompliance   (no info)            EN 319 412-5 §4.2.1
//!   esi4-qcStatement-4  QcSSCD         (no info)            §4.2.2
//!   esi4-qcStatement-5  QcPDS          SEQUENCE OF PdsLocation { url IA5String, language PrintableString(SIZE(2)) }   §4.3.4
//!   esi4-qcStatement-6  QcType         SEQUENCE OF OID (esign | eseal | web)                                         §4.2.3
//! ```

use crate::extensions::octets;
use crate::PkiError;
use const_oid::ObjectIdentifier;
use der::asn1::{Any, Ia5String, PrintableString};
use der::{Encode, Sequence};
use x509_cert::ext::pkix::certpolicy::{PolicyInformation, PolicyQualifierInfo};
use x509_cert::ext::pkix::CertificatePolicies;
use x509_cert::ext::Extension;

/// `id-pe-qcStatements` (RFC 3739 §3.2.6).
pub const ID_PE_QC_STATEMENTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.3");
/// `id-qt-cps` (RFC 5280 §4.2.1.4): the CPS pointer qualifier.
const ID_QT_CPS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.2.1");
/// `id-etsi-qcs-QcCompliance` (EN 319 412-5 §4.2.1).
pub const QC_COMPLIANCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.1862.1.1");
/// `id-etsi-qcs-QcSSCD` (EN 319 412-5 §4.2.2).
pub const QC_SSCD: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.1862.1.4");
/// `id-etsi-qcs-QcPDS` (EN 319 412-5 §4.3.4).
pub const QC_PDS: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.1862.1.5");
/// `id-etsi-qcs-QcType` (EN 319 412-5 §4.2.3).
pub const QC_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.1862.1.6");

/// Policy identifiers of ETSI EN 319 411-1 §5.3 and EN 319 411-2 §5.3.
pub mod policy {
    use const_oid::ObjectIdentifier;
    /// NCP: normalized certificate policy (EN 319 411-1).
    pub const NCP: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.2042.1.1");
    /// NCP+: NCP with the key in a secure cryptographic device (EN 319 411-1).
    pub const NCP_PLUS: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.2042.1.2");
    /// QCP-n: qualified certificate for a natural person (EN 319 411-2).
    pub const QCP_N: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.194112.1.0");
    /// QCP-l: qualified certificate for a legal person.
    pub const QCP_L: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.194112.1.1");
    /// QCP-n-qscd: QCP-n with the key in a QSCD.
    pub const QCP_N_QSCD: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.194112.1.2");
    /// QCP-l-qscd: QCP-l with the key in a QSCD.
    pub const QCP_L_QSCD: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.194112.1.3");
}

/// The type of a qualified certificate (EN 319 412-5 §4.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QcType {
    /// `id-etsi-qct-esign`: electronic signatures (natural persons).
    ESign,
    /// `id-etsi-qct-eseal`: electronic seals (legal persons).
    ESeal,
}

impl QcType {
    /// The type's OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::ESign => ObjectIdentifier::new_unwrap("0.4.0.1862.1.6.1"),
            Self::ESeal => ObjectIdentifier::new_unwrap("0.4.0.1862.1.6.2"),
        }
    }
}

/// Where a PKI disclosure statement is, and in which language (EN 319 412-5 §4.3.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdsLocation {
    /// An https URL.
    pub url: String,
    /// ISO 639-1 two-letter language code (`en`).
    pub language: String,
}

/// The qualified-certificate statements to include.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QcStatements {
    /// QcCompliance: an EU qualified certificate.
    pub compliance: bool,
    /// QcSSCD: the private key is in a qualified signature/seal creation device.
    pub sscd: bool,
    /// QcType, if any.
    pub qc_type: Option<QcType>,
    /// QcPDS locations (none: the statement is left out).
    pub pds: Vec<PdsLocation>,
}

/// What a configured profile adds to an end-entity certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertificateContent {
    /// certificatePolicies policy identifiers; none: the extension is left out.
    pub policies: Vec<ObjectIdentifier>,
    /// A CPS URI qualifier, attached to the first policy.
    pub cps_uri: Option<String>,
    /// QC statements; `None`: the extension is left out.
    pub qc_statements: Option<QcStatements>,
}

#[derive(Sequence)]
struct QcStatement {
    statement_id: ObjectIdentifier,
    statement_info: Option<Any>,
}

#[derive(Sequence)]
struct PdsLocationDer {
    url: Ia5String,
    language: PrintableString,
}

impl CertificateContent {
    /// The extensions this content adds: certificatePolicies, then qcStatements (both
    /// non-critical: RFC 5280 §4.2.1.4 lets either be chosen; EN 319 412-2 §4.3.3 and
    /// RFC 3739 §3.2.6 say non-critical).
    pub(crate) fn extensions(&self) -> Result<Vec<Extension>, PkiError> {
        let mut out = Vec::new();
        if !self.policies.is_empty() {
            let mut infos = Vec::new();
            for (i, oid) in self.policies.iter().enumerate() {
                let qualifiers = match (&self.cps_uri, i) {
                    (Some(uri), 0) => Some(vec![PolicyQualifierInfo {
                        policy_qualifier_id: ID_QT_CPS,
                        qualifier: Some(
                            Any::encode_from(&ia5(uri)?).map_err(PkiError::encoding("CPS URI"))?,
                        ),
                    }]),
                    _ => None,
                };
                infos.push(PolicyInformation {
                    policy_identifier: *oid,
                    policy_qualifiers: qualifiers,
                });
            }
            out.push(crate::extensions::extension(&CertificatePolicies(infos), false)?);
        }
        if let Some(qc) = &self.qc_statements {
            out.push(Extension {
                extn_id: ID_PE_QC_STATEMENTS,
                critical: false,
                extn_value: octets(&qc.to_der()?)?,
            });
        }
        Ok(out)
    }
}

impl QcStatements {
    fn to_der(&self) -> Result<Vec<u8>, PkiError> {
        let enc = PkiError::encoding("QCStatement");
        let mut statements = Vec::new();
        if self.compliance {
            statements.push(QcStatement { statement_id: QC_COMPLIANCE, statement_info: None });
        }
        if self.sscd {
            statements.push(QcStatement { statement_id: QC_SSCD, statement_info: None });
        }
        if let Some(t) = self.qc_type {
            let info = Any::encode_from(&vec![t.oid()]).map_err(enc)?;
            statements.push(QcStatement { statement_id: QC_TYPE, statement_info: Some(info) });
        }
        if !self.pds.is_empty() {
            let mut locations = Vec::new();
            for p in &self.pds {
                let bad = || {
                    PkiError::InvalidContent(format!(
                        "PDS language `{}` is not two letters",
                        p.language
                    ))
                };
                if p.language.len() != 2 || !p.language.chars().all(|c| c.is_ascii_alphabetic()) {
                    return Err(bad());
                }
                locations.push(PdsLocationDer {
                    url: ia5(&p.url)?,
                    language: PrintableString::new(&p.language).map_err(|_| bad())?,
                });
            }
            let info = Any::encode_from(&locations).map_err(PkiError::encoding("QcPDS"))?;
            statements.push(QcStatement { statement_id: QC_PDS, statement_info: Some(info) });
        }
        statements.to_der().map_err(PkiError::encoding("QCStatements"))
    }
}

fn ia5(url: &str) -> Result<Ia5String, PkiError> {
    let bad = || PkiError::InvalidUrl(url.chars().take(120).collect());
    if url.is_empty() || url.chars().any(|c| c.is_ascii_whitespace() || c.is_ascii_control()) {
        return Err(bad());
    }
    Ia5String::new(url).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Decode;

    #[test]
    fn qualified_statements_encode_in_order() {
        let qc = QcStatements {
            compliance: true,
            sscd: true,
            qc_type: Some(QcType::ESign),
            pds: vec![PdsLocation {
                url: "https://tsp.example/pds-en.pdf".into(),
                language: "en".into(),
            }],
        };
        let der = qc.to_der().unwrap();
        let parsed = Vec::<QcStatementRead>::from_der(&der).unwrap();
        let ids: Vec<String> = parsed.iter().map(|s| s.statement_id.to_string()).collect();
        assert_eq!(ids, ["0.4.0.1862.1.1", "0.4.0.1862.1.4", "0.4.0.1862.1.6", "0.4.0.1862.1.5"]);
        assert!(parsed[0].statement_info.is_none());
        let types = Vec::<ObjectIdentifier>::from_der(
            &parsed[2].statement_info.as_ref().unwrap().to_der().unwrap(),
        )
        .unwrap();
        assert_eq!(types, vec![QcType::ESign.oid()]);
    }

    #[test]
    fn bad_pds_language_and_urls_are_refused() {
        let mut qc = QcStatements::default();
        qc.pds.push(PdsLocation { url: "https://x".into(), language: "eng".into() });
        assert!(matches!(qc.to_der(), Err(PkiError::InvalidContent(_))));
        let content = CertificateContent {
            policies: vec![policy::NCP],
            cps_uri: Some("https://bad url".into()),
            qc_statements: None,
        };
        assert!(matches!(content.extensions(), Err(PkiError::InvalidUrl(_))));
    }

    #[derive(Sequence)]
    struct QcStatementRead {
        statement_id: ObjectIdentifier,
        statement_info: Option<Any>,
    }
}
