//! `cades::inspect` on CMS signatures that Signet did not make: OpenSSL's `cms -sign`
//! (with and without `-cades`, detached and enveloping, issuerAndSerialNumber and
//! subjectKeyIdentifier signers); and what it must refuse: garbage, a certs-only PKCS#7,
//! two signers, a signature without its signer's certificate, a ContentInfo that is not
//! a SignedData.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{openssl, path, write};
use signet_ades::cades::{self, CadesLevel, Packaging};
use signet_ades::AdesError;
use signet_types::HashAlgorithm;
use std::path::{Path, PathBuf};

/// A self-signed EC certificate and its key, made by OpenSSL: (cert.pem, key.pem, DER).
fn openssl_signer(d: &Path, name: &str) -> (PathBuf, PathBuf, Vec<u8>) {
    let (cert, key) = (d.join(format!("{name}.pem")), d.join(format!("{name}.key")));
    let subject = format!("/CN={name}/O=OpenSSL Test");
    let (ok, text) = openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        path(&key),
        "-out",
        path(&cert),
        "-subj",
        &subject,
        "-days",
        "2",
    ]);
    assert!(ok, "{text}");
    let der = d.join(format!("{name}.der"));
    let (ok, text) = openssl(&["x509", "-in", path(&cert), "-outform", "DER", "-out", path(&der)]);
    assert!(ok, "{text}");
    (cert, key, std::fs::read(der).unwrap())
}

/// `openssl cms -sign` of `data` with `extra` options: the DER signature.
fn cms_sign(d: &Path, data: &Path, signer: &[&Path], extra: &[&str]) -> Vec<u8> {
    let out = d.join("signed.p7s");
    let mut args = vec!["cms", "-sign", "-binary", "-in", path(data)];
    for pair in signer.chunks(2) {
        args.extend(["-signer", path(pair[0]), "-inkey", path(pair[1])]);
    }
    args.extend(extra);
    args.extend(["-outform", "DER", "-out", path(&out)]);
    let (ok, text) = openssl(&args);
    assert!(ok, "{text}");
    std::fs::read(out).unwrap()
}

#[test]
fn openssl_signatures_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (cert, key, cert_der) = openssl_signer(d, "alice");
    let (other, _, other_der) = openssl_signer(d, "bob");
    let data = b"signed by OpenSSL\n".repeat(10);
    let data_file = write(d, "data.txt", &data);

    // Detached, CAdES (signing-certificate-v2), issuerAndSerialNumber.
    let detached = cms_sign(d, &data_file, &[&cert, &key], &["-cades"]);
    let info = cades::inspect(&detached).unwrap();
    assert_eq!(info.packaging, Packaging::Detached);
    assert_eq!(info.content, None);
    assert_eq!(info.content_type, signet_pki::cms::ID_DATA);
    assert_eq!(info.digest_algorithm, HashAlgorithm::Sha256);
    assert_eq!(info.signature_algorithm.to_string(), "1.2.840.10045.4.3.2");
    assert_eq!(info.signer_certificate, cert_der);
    assert_eq!(info.certificates, vec![cert_der.clone()]);
    assert_eq!(info.level, Some(CadesLevel::BaselineB));
    assert!(info.crls.is_empty() && info.ocsp_responses.is_empty());
    assert!(info.signature_timestamps.is_empty() && info.archive_timestamps.is_empty());
    assert!(info.signature_value.len() > 60, "an ECDSA signature value");

    // Enveloping, SHA-384, subjectKeyIdentifier, another certificate alongside.
    let extra = ["-cades", "-nodetach", "-keyid", "-md", "sha384", "-certfile", path(&other)];
    let enveloping = cms_sign(d, &data_file, &[&cert, &key], &extra);
    let sig = write(d, "enveloping.p7s", &enveloping);
    let (_, printed) = openssl(&["cms", "-cmsout", "-print", "-inform", "DER", "-in", path(&sig)]);
    assert!(printed.contains("subjectKeyIdentifier"), "the sid is a key id: {printed}");
    let info = cades::inspect(&enveloping).unwrap();
    assert_eq!(info.packaging, Packaging::Enveloping);
    assert_eq!(info.content.as_deref(), Some(&data[..]));
    assert_eq!(info.digest_algorithm, HashAlgorithm::Sha384);
    assert_eq!(info.signer_certificate, cert_der);
    assert_eq!(info.certificates.len(), 2);
    assert!(info.certificates.contains(&other_der));
    assert_eq!(info.level, Some(CadesLevel::BaselineB));

    // Without -cades there is no signing-certificate(-v2): plain CMS, no CAdES level.
    let plain = cms_sign(d, &data_file, &[&cert, &key], &[]);
    let info = cades::inspect(&plain).unwrap();
    assert_eq!((info.level, info.signer_certificate), (None, cert_der));
}

#[test]
fn what_is_not_one_signer_with_its_certificate_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (cert, key, _) = openssl_signer(d, "alice");
    let (cert2, key2, _) = openssl_signer(d, "bob");
    let data_file = write(d, "data.txt", b"data");
    let refused = |der: &[u8], why: &str| match cades::inspect(der) {
        Err(AdesError::InvalidSignature(text)) => assert!(text.contains(why), "{why}: {text}"),
        other => panic!("{why}: {other:?}"),
    };

    refused(b"junk", "ContentInfo");
    refused(&[], "ContentInfo");

    let certs_only = d.join("certs.p7b");
    let (ok, text) = openssl(&[
        "crl2pkcs7",
        "-nocrl",
        "-certfile",
        path(&cert),
        "-outform",
        "DER",
        "-out",
        path(&certs_only),
    ]);
    assert!(ok, "{text}");
    refused(&std::fs::read(&certs_only).unwrap(), "no SignerInfo");

    let two = cms_sign(d, &data_file, &[&cert, &key, &cert2, &key2], &["-cades", "-nodetach"]);
    refused(&two, "2 SignerInfos");

    let no_certs = cms_sign(d, &data_file, &[&cert, &key], &["-cades", "-nocerts"]);
    refused(&no_certs, "signer's certificate is not in");

    let data_ci = d.join("data.cms");
    let (ok, text) = openssl(&[
        "cms",
        "-data_create",
        "-in",
        path(&data_file),
        "-outform",
        "DER",
        "-out",
        path(&data_ci),
    ]);
    assert!(ok, "{text}");
    refused(&std::fs::read(&data_ci).unwrap(), "not a SignedData");

    // A good signature with bytes appended, or cut short, is not one DER element.
    let mut good = cms_sign(d, &data_file, &[&cert, &key], &["-cades"]);
    assert!(cades::inspect(&good).is_ok());
    good.push(0);
    refused(&good, "DER");
    good.truncate(good.len() - 10);
    refused(&good, "DER");
}
