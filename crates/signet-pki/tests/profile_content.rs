//! Configured profile content — certificate policies with a CPS pointer, and the ETSI
//! EN 319 412-5 QC statements — read back by OpenSSL from certificates `issue` made: the
//! chain still verifies strictly, and `openssl asn1parse` finds each statement's OID.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use signet_pki::content::{policy, PdsLocation, QcStatements, QcType};
use signet_pki::{issue, CertificateContent, IssueRequest, PkiError, Profile};

fn issue_with(profile: Profile, content: &CertificateContent, n: u8) -> Result<Vec<u8>, PkiError> {
    let h = Hierarchy::ec_root_rsa_issuing();
    let key = TestSigner::ec_p256();
    let urls = urls();
    let s = serial(n);
    let subject = if profile == Profile::LegalPerson { legal_person() } else { natural_person() };
    issue(
        &IssueRequest {
            profile,
            subject: &subject,
            subject_public_key: key.spki(),
            serial: &s,
            not_before: NOT_BEFORE,
            not_after: EE_NOT_AFTER,
            issuer: Some(h.issuer()),
            urls: &urls,
            content: Some(content),
        },
        &h.issuing_signer,
    )
}

fn qualified(qc_type: QcType) -> CertificateContent {
    CertificateContent {
        policies: vec![policy::QCP_N_QSCD],
        cps_uri: Some("https://tsp.example/cps".into()),
        qc_statements: Some(QcStatements {
            compliance: true,
            sscd: true,
            qc_type: Some(qc_type),
            pds: vec![PdsLocation {
                url: "https://tsp.example/pds-en.pdf".into(),
                language: "en".into(),
            }],
        }),
    }
}

#[test]
fn qualified_natural_person_certificate_carries_policies_and_qc_statements() {
    let h = Hierarchy::ec_root_rsa_issuing();
    let dir = tempfile::tempdir().unwrap();
    let der = issue_with(Profile::NaturalPerson, &qualified(QcType::ESign), 60).unwrap();
    let ee = write_pem(dir.path(), "ee.pem", &der);
    assert_verifies(
        &write_pem(dir.path(), "root.pem", &h.root),
        &write_pem(dir.path(), "issuing.pem", &h.issuing),
        &ee,
    );
    let (ok, text) = openssl(&["x509", "-noout", "-text", "-in", ee.to_str().unwrap()]);
    assert!(ok, "{text}");
    assert!(text.contains("Policy: 0.4.0.194112.1.2"), "{text}");
    assert!(text.contains("CPS: https://tsp.example/cps"), "{text}");
    assert!(text.contains("qcStatements") || text.contains("1.3.6.1.5.5.7.1.3"), "{text}");

    // The qcStatements value, parsed by OpenSSL's ASN.1 parser: every statement's OID,
    // the esign type and the PDS location with its language.
    let der_file = dir.path().join("ee.der");
    std::fs::write(&der_file, &der).unwrap();
    let (ok, dump) = openssl(&["asn1parse", "-inform", "DER", "-in", der_file.to_str().unwrap()]);
    assert!(ok, "{dump}");
    let (ok, qc) = openssl(&[
        "asn1parse",
        "-inform",
        "DER",
        "-in",
        der_file.to_str().unwrap(),
        "-strparse",
        &qc_statements_offset(&dump).to_string(),
    ]);
    assert!(ok, "{qc}");
    for oid in
        ["0.4.0.1862.1.1", "0.4.0.1862.1.4", "0.4.0.1862.1.6", "0.4.0.1862.1.6.1", "0.4.0.1862.1.5"]
    {
        assert!(qc.contains(oid), "{oid} missing in {qc}");
    }
    assert!(qc.contains("https://tsp.example/pds-en.pdf") && qc.contains(":en"), "{qc}");
}

#[test]
fn legal_person_seal_certificate_has_the_eseal_type_and_no_sscd_when_not_asked() {
    let mut content = qualified(QcType::ESeal);
    content.policies = vec![policy::QCP_L];
    if let Some(qc) = content.qc_statements.as_mut() {
        qc.sscd = false;
        qc.pds.clear();
    }
    let der = issue_with(Profile::LegalPerson, &content, 61).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let der_file = dir.path().join("ee.der");
    std::fs::write(&der_file, &der).unwrap();
    let (_, dump) = openssl(&["asn1parse", "-inform", "DER", "-in", der_file.to_str().unwrap()]);
    let (ok, qc) = openssl(&[
        "asn1parse",
        "-inform",
        "DER",
        "-in",
        der_file.to_str().unwrap(),
        "-strparse",
        &qc_statements_offset(&dump).to_string(),
    ]);
    assert!(ok, "{qc}");
    assert!(qc.contains("0.4.0.1862.1.6.2") && qc.contains("0.4.0.1862.1.1"), "{qc}");
    assert!(!qc.contains("0.4.0.1862.1.4") && !qc.contains("0.4.0.1862.1.5"), "{qc}");
    let pem = write_pem(dir.path(), "ee.pem", &der);
    let (_, text) = openssl(&["x509", "-noout", "-text", "-in", pem.to_str().unwrap()]);
    assert!(text.contains("Policy: 0.4.0.194112.1.1"), "{text}");
}

#[test]
fn content_is_refused_on_ca_and_service_profiles() {
    let h = Hierarchy::ec_root_rsa_issuing();
    let key = TestSigner::ec_p256();
    let urls = urls();
    let s = serial(62);
    let err = issue(
        &IssueRequest {
            profile: Profile::Tsa,
            subject: &ca_subject("TSA"),
            subject_public_key: key.spki(),
            serial: &s,
            not_before: NOT_BEFORE,
            not_after: EE_NOT_AFTER,
            issuer: Some(h.issuer()),
            urls: &urls,
            content: Some(&qualified(QcType::ESign)),
        },
        &h.issuing_signer,
    )
    .unwrap_err();
    assert!(matches!(err, PkiError::InvalidContent(_)), "{err}");
}

/// The offset of the OCTET STRING that follows the qcStatements OID in `asn1parse` output.
fn qc_statements_offset(dump: &str) -> usize {
    let mut lines = dump
        .lines()
        .skip_while(|l| !l.contains(":qcStatements") && !l.contains(":1.3.6.1.5.5.7.1.3"));
    lines.next().unwrap_or_else(|| panic!("no qcStatements in {dump}"));
    let octets = lines.find(|l| l.contains("OCTET STRING")).unwrap();
    octets.split(':').next().unwrap().trim().parse().unwrap()
}
