//! RFC 5280 §5 CRLs judged by OpenSSL 3: `openssl crl -text` prints what was issued,
//! `openssl crl -CAfile` verifies the signature, and `openssl verify -crl_check` finds
//! the revoked end entity revoked and the other one good.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::tsa::{hex, s};
use common::{natural_person, openssl, serial, write_pem, Hierarchy, TestSigner};
use signet_pki::crl::{issue_crl, CrlParams, RevocationReason, RevokedEntry};
use signet_pki::{PkiError, Profile};
use std::path::PathBuf;

const THIS_UPDATE: i64 = 1_714_557_600; // 2024-05-01T10:00:00Z
const NEXT_UPDATE: i64 = THIS_UPDATE + 7 * 86_400;

fn params<'a>(h: &'a Hierarchy, revoked: &'a [RevokedEntry]) -> CrlParams<'a> {
    CrlParams {
        issuer_certificate: &h.issuing,
        this_update: THIS_UPDATE,
        next_update: NEXT_UPDATE,
        crl_number: 4242,
        revoked,
    }
}

fn write_der_crl(dir: &std::path::Path, crl: &[u8]) -> (PathBuf, PathBuf) {
    let der = dir.join("x.crl");
    std::fs::write(&der, crl).unwrap();
    let pem = dir.join("x.crl.pem");
    let (ok, text) = openssl(&["crl", "-inform", "DER", "-in", s(&der), "-out", s(&pem)]);
    assert!(ok, "openssl crl to PEM: {text}");
    (der, pem)
}

#[test]
fn openssl_reads_verifies_and_applies_the_crl() {
    let h = Hierarchy::ec_root_rsa_issuing();
    let dir = tempfile::tempdir().unwrap();
    let key = TestSigner::ec_p256();
    let revoked_ee = h.end_entity(Profile::NaturalPerson, &natural_person(), key.spki(), 40);
    let good_ee = h.end_entity(Profile::NaturalPerson, &natural_person(), key.spki(), 41);
    let entries = [
        RevokedEntry {
            serial: serial(40),
            revoked_at: THIS_UPDATE - 3_600,
            reason: Some(RevocationReason::KeyCompromise),
        },
        RevokedEntry { serial: vec![0x01, 0x02, 0x03], revoked_at: THIS_UPDATE - 60, reason: None },
        RevokedEntry {
            serial: vec![0x0a],
            revoked_at: THIS_UPDATE - 120,
            reason: Some(RevocationReason::Superseded),
        },
    ];
    let crl = issue_crl(&params(h, &entries), &h.issuing_signer).unwrap();
    let (der, crl_pem) = write_der_crl(dir.path(), &crl);

    let (ok, text) = openssl(&["crl", "-inform", "DER", "-in", s(&der), "-noout", "-text"]);
    assert!(ok, "{text}");
    assert!(text.contains("Version 2 (0x1)"), "{text}");
    assert!(
        text.contains("Issuer: C = BE, O = Signet Test TSP, CN = Signet Test Issuing CA"),
        "{text}"
    );
    assert!(text.contains("Last Update: May  1 10:00:00 2024 GMT"), "{text}");
    assert!(text.contains("Next Update: May  8 10:00:00 2024 GMT"), "{text}");
    assert!(text.contains("X509v3 CRL Number: \n                4242"), "{text}");
    assert!(text.contains("X509v3 Authority Key Identifier"), "{text}");
    assert!(text.contains(&format!("Serial Number: {}", hex(&serial(40)))), "{text}");
    assert!(text.contains("Serial Number: 010203"), "{text}");
    assert!(text.contains("Serial Number: 0A"), "{text}");
    assert!(text.contains("Key Compromise"), "{text}");
    assert!(text.contains("Superseded"), "{text}");
    assert_eq!(text.matches("CRL Reason Code").count(), 2, "no reasonCode without a reason");

    let chain = dir.path().join("chain.pem");
    std::fs::write(&chain, signet_pki::to_pem(&h.root) + &signet_pki::to_pem(&h.issuing)).unwrap();
    let (ok, text) =
        openssl(&["crl", "-inform", "DER", "-in", s(&der), "-CAfile", s(&chain), "-noout"]);
    assert!(ok && text.contains("verify OK"), "{text}");

    let all = dir.path().join("root_issuing_crl.pem");
    let crl_pem_text = std::fs::read_to_string(&crl_pem).unwrap();
    std::fs::write(&all, std::fs::read_to_string(&chain).unwrap() + &crl_pem_text).unwrap();
    let revoked_pem = write_pem(dir.path(), "revoked.pem", &revoked_ee);
    let good_pem = write_pem(dir.path(), "good.pem", &good_ee);
    let at = (THIS_UPDATE + 60).to_string();
    let (ok, text) =
        openssl(&["verify", "-crl_check", "-attime", &at, "-CAfile", s(&all), s(&revoked_pem)]);
    assert!(!ok && text.contains("certificate revoked"), "{text}");
    let (ok, text) =
        openssl(&["verify", "-crl_check", "-attime", &at, "-CAfile", s(&all), s(&good_pem)]);
    assert!(ok && text.trim_end().ends_with(": OK"), "{text}");
}

#[test]
fn an_empty_crl_verifies_and_has_no_revoked_list() {
    let h = Hierarchy::ec_root_rsa_issuing();
    let dir = tempfile::tempdir().unwrap();
    let crl = issue_crl(&params(h, &[]), &h.issuing_signer).unwrap();
    let (der, _) = write_der_crl(dir.path(), &crl);
    let (ok, text) = openssl(&["crl", "-inform", "DER", "-in", s(&der), "-noout", "-text"]);
    assert!(ok && text.contains("No Revoked Certificates."), "{text}");
}

#[test]
fn the_root_signs_a_crl_for_the_issuing_ca() {
    let h = Hierarchy::ec_root_rsa_issuing();
    let dir = tempfile::tempdir().unwrap();
    let entries = [RevokedEntry {
        serial: serial(2),
        revoked_at: THIS_UPDATE,
        reason: Some(RevocationReason::CaCompromise),
    }];
    let p = CrlParams { issuer_certificate: &h.root, ..params(h, &entries) };
    let crl = issue_crl(&p, &h.root_signer).unwrap();
    let (der, _) = write_der_crl(dir.path(), &crl);
    let root = write_pem(dir.path(), "root.pem", &h.root);
    let (ok, text) =
        openssl(&["crl", "-inform", "DER", "-in", s(&der), "-CAfile", s(&root), "-noout", "-text"]);
    assert!(ok && text.contains("verify OK") && text.contains("CA Compromise"), "{text}");
}

#[test]
fn bad_parameters_are_refused_before_signing() {
    let h = Hierarchy::ec_root_rsa_issuing();
    let ok_entry = RevokedEntry { serial: vec![5], revoked_at: THIS_UPDATE, reason: None };
    let p = CrlParams { next_update: THIS_UPDATE, ..params(h, &[]) };
    assert!(matches!(issue_crl(&p, &h.issuing_signer), Err(PkiError::InvalidCrl(_))));
    let twice = [ok_entry.clone(), RevokedEntry { serial: vec![0, 5], ..ok_entry.clone() }];
    assert!(matches!(
        issue_crl(&params(h, &twice), &h.issuing_signer),
        Err(PkiError::InvalidCrl(_))
    ));
    let zero = [RevokedEntry { serial: vec![0], ..ok_entry }];
    assert!(matches!(
        issue_crl(&params(h, &zero), &h.issuing_signer),
        Err(PkiError::InvalidCrl(_))
    ));
    // The root's key cannot sign the issuing CA's CRL.
    assert!(matches!(
        issue_crl(&params(h, &[]), &h.root_signer),
        Err(PkiError::SignerKeyMismatch { .. })
    ));
    // An end-entity certificate has no cRLSign.
    let key = TestSigner::ec_p256();
    let ee = h.end_entity(Profile::NaturalPerson, &natural_person(), key.spki(), 42);
    let p = CrlParams { issuer_certificate: &ee, ..params(h, &[]) };
    assert!(matches!(issue_crl(&p, &key), Err(PkiError::InvalidCrl(_))));
    assert!(issue_crl(&CrlParams { issuer_certificate: b"junk", ..params(h, &[]) }, &key).is_err());
}

/// Signet's own CRLs (RSA issuing CA) pass Signet's relying-party check, and answer for
/// the revoked and the good certificate.
#[test]
fn our_crls_pass_our_relying_party_verification() {
    let h = Hierarchy::ec_root_rsa_issuing();
    let key = TestSigner::ec_p256();
    let revoked_ee = h.end_entity(Profile::NaturalPerson, &natural_person(), key.spki(), 43);
    let good_ee = h.end_entity(Profile::NaturalPerson, &natural_person(), key.spki(), 44);
    let entries = [RevokedEntry {
        serial: serial(43),
        revoked_at: THIS_UPDATE - 60,
        reason: Some(RevocationReason::CertificateHold),
    }];
    let crl = issue_crl(&params(h, &entries), &h.issuing_signer).unwrap();
    let info = signet_pki::crl::verify_crl(&crl, &h.issuing, THIS_UPDATE + 60).unwrap();
    assert_eq!((info.this_update, info.next_update), (THIS_UPDATE, Some(NEXT_UPDATE)));
    assert_eq!(info.crl_number.as_deref(), Some(&4242u16.to_be_bytes()[..]));
    assert_eq!(info.revoked(), &entries[..]);
    assert_eq!(
        info.status(&revoked_ee).unwrap(),
        signet_pki::ocsp::CertStatus::Revoked {
            at: THIS_UPDATE - 60,
            reason: Some(RevocationReason::CertificateHold)
        }
    );
    assert_eq!(info.status(&good_ee).unwrap(), signet_pki::ocsp::CertStatus::Good);
    // Not the root's CRL, and not after its nextUpdate.
    assert!(signet_pki::crl::verify_crl(&crl, &h.root, THIS_UPDATE + 60).is_err());
    assert!(matches!(
        signet_pki::crl::verify_crl(&crl, &h.issuing, NEXT_UPDATE + 3_600),
        Err(PkiError::CrlRefused(_))
    ));
}
