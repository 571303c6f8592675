//! Certificates issued by `signet_pki::issue`, judged by OpenSSL 3 (`openssl verify`,
//! `openssl x509`): chains verify (also with `-x509_strict`), extensions read back as the
//! profiles say, and one altered byte breaks verification.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aws_lc_rs::rsa::KeySize;
use common::*;
use signet_pki::Profile;
use signet_types::{HashAlgorithm, SignatureAlgorithm};

const RSA_PKCS1_SHA256: SignatureAlgorithm = SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha256);
const RSA_PSS_SHA256: SignatureAlgorithm = SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256);

fn x509(pem: &std::path::Path, args: &[&str]) -> String {
    let mut all = vec!["x509", "-noout", "-in", pem.to_str().unwrap()];
    all.extend_from_slice(args);
    let (ok, text) = openssl(&all);
    assert!(ok, "openssl x509 {args:?}: {text}");
    text
}

const EXTS: &str = "keyUsage,basicConstraints,authorityInfoAccess,crlDistributionPoints,subjectKeyIdentifier,authorityKeyIdentifier,subjectAltName";

/// The colon-separated hex OpenSSL prints under `X509v3 <name>:`.
fn key_id_after(text: &str, header: &str) -> String {
    let mut lines = text.lines().skip_while(|l| !l.contains(header));
    lines.next().unwrap_or_else(|| panic!("no {header} in {text}"));
    lines.next().unwrap().trim().trim_start_matches("keyid:").to_string()
}

/// `Public key OCSP hash` is SHA-1 over the subjectPublicKey BIT STRING, computed by
/// OpenSSL: RFC 5280 §4.2.1.2 method (1), the way the SKI must have been made.
fn openssl_key_hash(pem: &std::path::Path) -> String {
    let text = x509(pem, &["-ocspid"]);
    let hex =
        text.lines().find_map(|l| l.trim().strip_prefix("Public key OCSP hash:")).unwrap().trim();
    hex.as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c).to_string())
        .collect::<Vec<_>>()
        .join(":")
}

#[test]
fn ec_root_rsa_issuing_natural_and_legal_persons_verify_with_expected_extensions() {
    let h = Hierarchy::ec_root_rsa_issuing();
    let dir = tempfile::tempdir().unwrap();
    let root = write_pem(dir.path(), "root.pem", &h.root);
    let issuing = write_pem(dir.path(), "issuing.pem", &h.issuing);

    let person_key = TestSigner::rsa(KeySize::Rsa2048, RSA_PKCS1_SHA256);
    let natural = write_pem(
        dir.path(),
        "natural.pem",
        &h.end_entity(Profile::NaturalPerson, &natural_person(), person_key.spki(), 10),
    );
    let natural_pss = write_pem(
        dir.path(),
        "natural-pss.pem",
        &h.end_entity_signed(
            Profile::NaturalPerson,
            &natural_person(),
            person_key.spki(),
            11,
            &As(&h.issuing_signer, RSA_PSS_SHA256),
        ),
    );
    let seal_key = TestSigner::ec_p256();
    let legal = write_pem(
        dir.path(),
        "legal.pem",
        &h.end_entity(Profile::LegalPerson, &legal_person(), seal_key.spki(), 12),
    );
    for ee in [&natural, &natural_pss, &legal] {
        assert_verifies(&root, &issuing, ee);
    }

    // Natural person (EN 319 412-2).
    let ext = x509(&natural, &["-ext", EXTS]);
    assert!(
        ext.contains("X509v3 Key Usage: critical\n    Digital Signature, Non Repudiation\n"),
        "{ext}"
    );
    assert!(ext.contains("X509v3 Basic Constraints: \n    CA:FALSE\n"), "{ext}");
    assert!(ext.contains("OCSP - URI:https://signet.example.org/pki/ocsp\n"), "{ext}");
    assert!(
        ext.contains("CA Issuers - URI:https://signet.example.org/pki/ca/issuing-1.crt\n"),
        "{ext}"
    );
    assert!(ext.contains("URI:https://signet.example.org/pki/crl/issuing-1.crl\n"), "{ext}");
    assert!(ext.contains("email:ada@example.org"), "{ext}");
    assert!(!ext.contains("Authority Information Access: critical"), "{ext}");
    assert_eq!(key_id_after(&ext, "Subject Key Identifier"), openssl_key_hash(&natural));
    let issuing_ext = x509(&issuing, &["-ext", EXTS]);
    assert_eq!(
        key_id_after(&ext, "Authority Key Identifier"),
        key_id_after(&issuing_ext, "Subject Key Identifier")
    );
    let subject = x509(&natural, &["-subject", "-nameopt", "RFC2253"]);
    assert_eq!(subject.trim(), "subject=CN=Ada Lovelace,SN=Lovelace,GN=Ada,C=GB");
    let text = x509(&natural, &["-text"]);
    assert!(text.contains("Signature Algorithm: sha256WithRSAEncryption"), "{text}");

    // The PSS-signed variant carries RFC 4055 parameters OpenSSL reads back.
    let text = x509(&natural_pss, &["-text"]);
    for needle in [
        "Signature Algorithm: rsassaPss",
        "Hash Algorithm: sha256",
        "Mask Algorithm: mgf1 with sha256",
        "Salt Length: 0x20",
    ] {
        assert!(text.contains(needle), "{needle} missing in {text}");
    }

    // Legal person (EN 319 412-3).
    let ext = x509(&legal, &["-ext", EXTS]);
    assert!(
        ext.contains("X509v3 Key Usage: critical\n    Digital Signature, Non Repudiation\n"),
        "{ext}"
    );
    assert!(!ext.contains("email:"), "{ext}");
    let subject = x509(&legal, &["-subject", "-nameopt", "RFC2253"]);
    assert_eq!(subject.trim(), "subject=CN=ACME Seal,O=ACME SA,C=FR");
    assert!(x509(&legal, &["-text"]).contains("Public Key Algorithm: id-ecPublicKey"));

    // Issuing CA: points at the root; may issue end entities only.
    assert!(
        issuing_ext.contains("X509v3 Basic Constraints: critical\n    CA:TRUE, pathlen:0\n"),
        "{issuing_ext}"
    );
    assert!(
        issuing_ext.contains("X509v3 Key Usage: critical\n    Certificate Sign, CRL Sign\n"),
        "{issuing_ext}"
    );
    assert!(issuing_ext.contains("CA Issuers - URI:https://signet.example.org/pki/ca/root-1.crt\n"));
    assert!(issuing_ext.contains("URI:https://signet.example.org/pki/crl/root-1.crl\n"));
    assert!(!issuing_ext.contains("OCSP"), "{issuing_ext}");
    let root_ext = x509(&root, &["-ext", EXTS]);
    assert_eq!(
        key_id_after(&issuing_ext, "Authority Key Identifier"),
        key_id_after(&root_ext, "Subject Key Identifier")
    );
    assert!(x509(&issuing, &["-text"]).contains("Signature Algorithm: ecdsa-with-SHA384"));

    // Root: self-signed CA, no AKI/AIA/CRL DP.
    assert!(root_ext.contains("X509v3 Basic Constraints: critical\n    CA:TRUE\n"), "{root_ext}");
    assert!(root_ext.contains("X509v3 Key Usage: critical\n    Certificate Sign, CRL Sign\n"));
    assert_eq!(key_id_after(&root_ext, "Subject Key Identifier"), openssl_key_hash(&root));
    for absent in ["Authority Key Identifier", "Authority Information Access", "CRL Distribution"] {
        assert!(!root_ext.contains(absent), "{absent} in {root_ext}");
    }
}

#[test]
fn rsa_root_ec_issuing_ca_ecdsa_signed_end_entities_verify() {
    let root_signer =
        TestSigner::rsa(KeySize::Rsa3072, SignatureAlgorithm::RsaPss(HashAlgorithm::Sha384));
    let h = Hierarchy::new(root_signer, TestSigner::ec_p256());
    let dir = tempfile::tempdir().unwrap();
    let root = write_pem(dir.path(), "root.pem", &h.root);
    let issuing = write_pem(dir.path(), "issuing.pem", &h.issuing);
    let seal_key = TestSigner::ec_p256();
    let legal = write_pem(
        dir.path(),
        "legal.pem",
        &h.end_entity(Profile::LegalPerson, &legal_person(), seal_key.spki(), 20),
    );
    let person_key = TestSigner::rsa(KeySize::Rsa2048, RSA_PKCS1_SHA256);
    let natural = write_pem(
        dir.path(),
        "natural.pem",
        &h.end_entity(Profile::NaturalPerson, &natural_person(), person_key.spki(), 21),
    );
    for ee in [&legal, &natural] {
        assert_verifies(&root, &issuing, ee);
        assert!(x509(ee, &["-text"]).contains("Signature Algorithm: ecdsa-with-SHA256"));
    }
    let text = x509(&issuing, &["-text"]);
    assert!(
        text.contains("Signature Algorithm: rsassaPss") && text.contains("Hash Algorithm: sha384"),
        "{text}"
    );
    assert!(text.contains("Salt Length: 0x30"), "{text}");
}

#[test]
fn validity_dates_are_those_requested_utc_time_and_generalized_time() {
    let h = Hierarchy::ec_root_rsa_issuing();
    let dir = tempfile::tempdir().unwrap();
    let root = write_pem(dir.path(), "root.pem", &h.root);
    let issuing = write_pem(dir.path(), "issuing.pem", &h.issuing);
    assert_eq!(
        x509(&root, &["-dates"]),
        "notBefore=Nov 14 22:13:20 2023 GMT\nnotAfter=May 22 14:13:20 2052 GMT\n"
    );
    assert_eq!(x509(&issuing, &["-enddate"]), "notAfter=Mar 22 04:26:40 2049 GMT\n");
    // RFC 5280 §4.1.2.5: UTCTime (tag 0x17) through 2049, GeneralizedTime (0x18) after.
    let (ok, parsed) = openssl(&["asn1parse", "-in", root.to_str().unwrap()]);
    assert!(ok && parsed.contains("UTCTIME           :231114221320Z"), "{parsed}");
    assert!(parsed.contains("GENERALIZEDTIME   :20520522141320Z"), "{parsed}");
    let (_, parsed) = openssl(&["asn1parse", "-in", issuing.to_str().unwrap()]);
    assert!(parsed.contains("UTCTIME           :490322042640Z"), "{parsed}");
}

#[test]
fn one_altered_byte_breaks_the_signature() {
    let h = Hierarchy::ec_root_rsa_issuing();
    let dir = tempfile::tempdir().unwrap();
    let root = write_pem(dir.path(), "root.pem", &h.root);
    let issuing = write_pem(dir.path(), "issuing.pem", &h.issuing);
    let key = TestSigner::ec_p256();
    let good = h.end_entity(Profile::NaturalPerson, &natural_person(), key.spki(), 30);
    assert_verifies(&root, &issuing, &write_pem(dir.path(), "good.pem", &good));

    // Ada Lovelace → Bda Lovelace in the subject CN: still valid DER, different TBS.
    let at = good.windows(12).position(|w| w == b"Ada Lovelace").unwrap();
    let mut tampered = good.clone();
    tampered[at] = b'B';
    let bad = write_pem(dir.path(), "tampered.pem", &tampered);
    assert!(
        x509(&bad, &["-subject"]).contains("Bda Lovelace"),
        "the altered certificate must still parse"
    );
    for (ok, text) in verify(&root, &issuing, &bad) {
        assert!(!ok && !text.trim_end().ends_with(": OK"), "tampered certificate verified: {text}");
        assert!(text.contains("certificate signature failure"), "{text}");
    }
}
