//! What `issue` refuses (nothing is signed then), and what `parse_certificate` and
//! `split_chain` read back from issued certificates (cross-checked with OpenSSL).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aws_lc_rs::rsa::KeySize;
use common::*;
use signet_pki::{
    issue, parse_certificate, split_chain, IssueRequest, Issuer, PkiError, Profile, Subject,
};
use signet_types::{HashAlgorithm, SignatureAlgorithm};
use std::cell::Cell;

/// Counts the signatures it is asked for, so a refusal can be shown to sign nothing.
struct Counting<'a>(&'a dyn signet_crypto::Signer, Cell<u32>);

impl signet_crypto::Signer for Counting<'_> {
    fn algorithm(&self) -> SignatureAlgorithm {
        self.0.algorithm()
    }
    fn public_key(&self) -> &[u8] {
        self.0.public_key()
    }
    fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>, signet_crypto::CryptoError> {
        self.1.set(self.1.get() + 1);
        self.0.sign_digest(digest)
    }
}

struct Case<'a> {
    profile: Profile,
    subject: Subject,
    key: &'a [u8],
    serial: Vec<u8>,
    not_before: i64,
    not_after: i64,
    issuer: Option<Issuer<'a>>,
}

impl<'a> Case<'a> {
    /// A valid natural-person request from the shared hierarchy's issuing CA.
    fn natural(h: &'a Hierarchy, key: &'a [u8]) -> Self {
        Case {
            profile: Profile::NaturalPerson,
            subject: natural_person(),
            key,
            serial: serial(40),
            not_before: NOT_BEFORE,
            not_after: EE_NOT_AFTER,
            issuer: Some(h.issuer()),
        }
    }

    fn run(&self, signer: &dyn signet_crypto::Signer) -> (Result<Vec<u8>, PkiError>, u32) {
        let urls = urls();
        let counting = Counting(signer, Cell::new(0));
        let req = IssueRequest {
            profile: self.profile,
            subject: &self.subject,
            subject_public_key: self.key,
            serial: &self.serial,
            not_before: self.not_before,
            not_after: self.not_after,
            issuer: self.issuer,
            urls: &urls,
            content: None,
        };
        let out = issue(&req, &counting);
        (out, counting.1.get())
    }

    fn refused(&self, signer: &dyn signet_crypto::Signer) -> PkiError {
        match self.run(signer) {
            (Ok(_), _) => panic!("issued although it should have been refused"),
            (Err(e), 0) => e,
            (Err(e), n) => panic!("refused ({e}) but only after {n} signature(s)"),
        }
    }
}

#[test]
fn the_baseline_case_is_issued() {
    let h = Hierarchy::ec_root_rsa_issuing();
    let key = TestSigner::ec_p256();
    let (out, signatures) = Case::natural(h, key.spki()).run(&h.issuing_signer);
    assert!(out.is_ok(), "{out:?}");
    assert_eq!(signatures, 1);
}

#[test]
fn a_root_signed_by_another_key_is_refused() {
    let subject_key = TestSigner::ec_p384();
    let other = TestSigner::ec_p384();
    let case = Case {
        profile: Profile::RootCa,
        subject: ca_subject("Root"),
        key: subject_key.spki(),
        serial: serial(1),
        not_before: NOT_BEFORE,
        not_after: ROOT_NOT_AFTER,
        issuer: None,
    };
    let e = case.refused(&other);
    assert!(matches!(e, PkiError::SignerKeyMismatch { .. }), "{e}");
    assert!(case.run(&subject_key).0.is_ok());
}

#[test]
fn a_certificate_signed_by_a_key_other_than_the_issuers_is_refused() {
    let h = Hierarchy::ec_root_rsa_issuing();
    let key = TestSigner::ec_p256();
    // The root's key, but the issuing CA's certificate named as issuer.
    let e = Case::natural(h, key.spki()).refused(&h.root_signer);
    assert!(matches!(e, PkiError::SignerKeyMismatch { .. }), "{e}");
}

#[test]
fn a_signer_whose_algorithm_does_not_fit_its_key_is_refused() {
    let h = Hierarchy::ec_root_rsa_issuing();
    let key = TestSigner::ec_p256();
    let ecdsa_on_rsa = As(&h.issuing_signer, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256));
    let e = Case::natural(h, key.spki()).refused(&ecdsa_on_rsa);
    assert!(matches!(e, PkiError::AlgorithmKeyMismatch { .. }), "{e}");
}

#[test]
fn bad_requests_are_refused_before_signing() {
    let h = Hierarchy::ec_root_rsa_issuing();
    let key = TestSigner::ec_p256();
    let signer = &h.issuing_signer;

    let mut c = Case::natural(h, key.spki());
    c.not_after = c.not_before;
    assert!(matches!(c.refused(signer), PkiError::EmptyValidity { .. }));

    let mut c = Case::natural(h, key.spki());
    c.not_after = CA_NOT_AFTER + 1;
    assert!(matches!(c.refused(signer), PkiError::OutlivesIssuer { .. }));

    let mut c = Case::natural(h, key.spki());
    c.not_before = -5;
    assert!(matches!(c.refused(signer), PkiError::TimeOutOfRange(-5)));

    let mut c = Case::natural(h, key.spki());
    c.subject.common_name = String::new();
    assert!(matches!(c.refused(signer), PkiError::InvalidSubject(_)));

    let mut c = Case::natural(h, key.spki());
    c.subject.email = Some("not an address".into());
    assert!(matches!(c.refused(signer), PkiError::InvalidSubject(_)));

    let mut c = Case::natural(h, key.spki());
    c.profile = Profile::LegalPerson;
    assert!(
        matches!(c.refused(signer), PkiError::InvalidSubject(_)),
        "legal person with personal names"
    );

    let mut c = Case::natural(h, key.spki());
    c.serial = vec![0, 0];
    assert!(matches!(c.refused(signer), PkiError::InvalidSerial(_)));
    c.serial = vec![0xff; 20];
    assert!(matches!(c.refused(signer), PkiError::InvalidSerial(_)));

    let c = Case::natural(h, b"\x30\x03\x02\x01\x01"); // an INTEGER, not an SPKI
    assert!(matches!(c.refused(signer), PkiError::InvalidPublicKey { which: "subject", .. }));

    let mut c = Case::natural(h, key.spki());
    c.issuer = None;
    assert!(matches!(c.refused(signer), PkiError::IssuerMismatch { .. }));
}

#[test]
fn only_a_ca_may_issue_and_an_issuing_ca_issues_no_ca() {
    let h = Hierarchy::ec_root_rsa_issuing();
    let ee_signer =
        TestSigner::rsa(KeySize::Rsa2048, SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha256));
    let ee = h.end_entity(Profile::NaturalPerson, &natural_person(), ee_signer.spki(), 41);
    let key = TestSigner::ec_p256();

    let mut c = Case::natural(h, key.spki());
    c.issuer = Some(Issuer { certificate_der: &ee, ca_id: "ee" });
    assert!(matches!(c.refused(&ee_signer), PkiError::IssuerNotCa));

    // pathLenConstraint 0: the issuing CA cannot certify another CA.
    let mut c = Case::natural(h, key.spki());
    c.profile = Profile::IssuingCa;
    c.subject = ca_subject("Sub-sub CA");
    c.not_after = CA_NOT_AFTER;
    assert!(matches!(c.refused(&h.issuing_signer), PkiError::IssuerMismatch { .. }));

    // A root takes no issuer.
    let mut c = Case::natural(h, key.spki());
    c.profile = Profile::RootCa;
    c.subject = ca_subject("Root 2");
    assert!(matches!(c.refused(&key), PkiError::IssuerMismatch { .. }));

    let mut c = Case::natural(h, key.spki());
    c.issuer = Some(Issuer { certificate_der: b"garbage", ca_id: "x" });
    assert!(matches!(c.refused(&h.issuing_signer), PkiError::InvalidCertificate(_)));
}

#[test]
fn parse_certificate_reads_back_what_was_issued() {
    let h = Hierarchy::ec_root_rsa_issuing();
    let key =
        TestSigner::rsa(KeySize::Rsa2048, SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha256));
    let ee = h.end_entity(Profile::NaturalPerson, &natural_person(), key.spki(), 42);

    let info = parse_certificate(&ee).unwrap();
    assert_eq!(info.subject_dn, "CN=Ada Lovelace,SN=Lovelace,GN=Ada,C=GB");
    assert_eq!(info.issuer_dn, "CN=Signet Test Issuing CA,O=Signet Test TSP,C=BE");
    assert_eq!(info.not_before, NOT_BEFORE);
    assert_eq!(info.not_after, EE_NOT_AFTER);
    assert_eq!(info.public_key, key.spki());
    assert!(!info.is_ca);
    let expected_serial: String = serial(42).iter().map(|b| format!("{b:02X}")).collect();
    assert_eq!(info.serial_hex, expected_serial);

    // OpenSSL reads the same serial number.
    let dir = tempfile::tempdir().unwrap();
    let pem = write_pem(dir.path(), "ee.pem", &ee);
    let (ok, text) = openssl(&["x509", "-noout", "-serial", "-in", pem.to_str().unwrap()]);
    assert!(ok);
    assert_eq!(text.trim(), format!("serial={expected_serial}"));

    let root = parse_certificate(&h.root).unwrap();
    assert!(root.is_ca);
    assert_eq!(root.subject_dn, root.issuer_dn);
    assert_eq!(root.not_after, ROOT_NOT_AFTER);
    assert_eq!(parse_certificate(&h.issuing).unwrap().issuer_dn, root.subject_dn);

    // A serial whose top bit is set is encoded with a 0x00 sign octet; the hex drops it.
    let urls = urls();
    let high = [0x80u8, 1, 2];
    let req = IssueRequest {
        profile: Profile::NaturalPerson,
        subject: &natural_person(),
        subject_public_key: key.spki(),
        serial: &high,
        not_before: NOT_BEFORE,
        not_after: EE_NOT_AFTER,
        issuer: Some(h.issuer()),
        urls: &urls,
        content: None,
    };
    let cert = issue(&req, &h.issuing_signer).unwrap();
    assert_eq!(parse_certificate(&cert).unwrap().serial_hex, "800102");

    let mut trailing = ee.clone();
    trailing.push(0);
    assert!(parse_certificate(&trailing).is_err());
}

#[test]
fn a_concatenated_chain_splits_into_its_certificates() {
    let h = Hierarchy::ec_root_rsa_issuing();
    let key = TestSigner::ec_p256();
    let ee = h.end_entity(Profile::LegalPerson, &legal_person(), key.spki(), 43);
    let chain = [ee.clone(), h.issuing.clone(), h.root.clone()].concat();
    assert_eq!(split_chain(&chain).unwrap(), vec![ee, h.issuing.clone(), h.root.clone()]);
    assert!(split_chain(&chain[..chain.len() - 1]).is_err());
    assert!(split_chain(&[chain.as_slice(), &[0x05, 0x00]].concat()).is_err());
}
