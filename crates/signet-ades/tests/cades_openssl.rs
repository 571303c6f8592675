//! CAdES B-B signatures made by `cades::prepare` + `complete`, with keys in the soft
//! crypto module (as in production), judged by OpenSSL: `openssl cms -verify -cades`
//! (which checks signingCertificateV2) for detached and enveloping signatures with every
//! kind of key, and refused once the content or a signed byte changes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use signet_ades::cades::{self, CadesRequest, Packaging};
use signet_ades::AdesError;
use signet_crypto::soft::SoftModule;
use signet_crypto::{CryptoModule, KeyBinding, ModuleSigner, WrappedKey};
use signet_pki::{issue, IssueRequest, Issuer, PkiUrls, Profile, Subject};
use signet_types::{HashAlgorithm, KeyAlgorithm, SignatureAlgorithm};
use std::path::Path;
use std::process::Command;

const NOW: i64 = 1_790_000_000; // 2026-09-21

struct Key {
    algorithm: KeyAlgorithm,
    wrapped: WrappedKey,
    public_key: Vec<u8>,
    id: String,
}

impl Key {
    fn new(module: &SoftModule, algorithm: KeyAlgorithm, id: &str) -> Key {
        let g =
            module.generate_key(&KeyBinding { owner: "test", credential: id, algorithm }).unwrap();
        Key { algorithm, wrapped: g.wrapped, public_key: g.public_key, id: id.into() }
    }

    fn signer<'a>(&'a self, module: &'a SoftModule, sig: SignatureAlgorithm) -> ModuleSigner<'a> {
        ModuleSigner {
            module,
            key: &self.wrapped,
            binding: KeyBinding { owner: "test", credential: &self.id, algorithm: self.algorithm },
            algorithm: sig,
            public_key: &self.public_key,
        }
    }
}

/// A root CA (EC P-256) and a natural person's certificate for `key`.
fn certificates(module: &SoftModule, key: &Key) -> (Vec<u8>, Vec<u8>) {
    let (root, leaf, _) = certificates_with_ca(module, key);
    (root, leaf)
}

/// The same, with the root's key (to issue CRLs).
fn certificates_with_ca(module: &SoftModule, key: &Key) -> (Vec<u8>, Vec<u8>, Key) {
    let ca = Key::new(module, KeyAlgorithm::EcP256, "ca");
    let urls = PkiUrls::new("https://signet.example.org/");
    let ca_signer = ca.signer(module, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256));
    let root = issue(
        &IssueRequest {
            profile: Profile::RootCa,
            subject: &Subject {
                common_name: "CAdES Test Root".into(),
                organization: Some("Signet Test".into()),
                ..Subject::default()
            },
            subject_public_key: &ca.public_key,
            serial: &[1],
            not_before: NOW - 86_400,
            not_after: NOW + 365 * 86_400,
            issuer: None,
            urls: &urls,
            content: None,
        },
        &ca_signer,
    )
    .unwrap();
    let leaf = issue(
        &IssueRequest {
            profile: Profile::NaturalPerson,
            subject: &Subject {
                common_name: "Ada Lovelace".into(),
                given_name: Some("Ada".into()),
                surname: Some("Lovelace".into()),
                ..Subject::default()
            },
            subject_public_key: &key.public_key,
            serial: &[2],
            not_before: NOW - 3_600,
            not_after: NOW + 30 * 86_400,
            issuer: Some(Issuer { certificate_der: &root, ca_id: "root" }),
            urls: &urls,
            content: None,
        },
        &ca_signer,
    )
    .unwrap();
    (root, leaf, ca)
}

fn pem(dir: &Path, name: &str, der: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, signet_pki::to_pem(der)).unwrap();
    p
}

fn openssl(args: &[&str]) -> (bool, String) {
    let o = Command::new("openssl").args(args).output().expect("openssl runs");
    (
        o.status.success(),
        format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)),
    )
}

/// Signs `data` both ways with `key`/`sig` and has OpenSSL verify the results.
fn round_trip(key_alg: KeyAlgorithm, sig: SignatureAlgorithm) {
    let module = SoftModule::from_master_key(&[7u8; 32]).unwrap();
    let key = Key::new(&module, key_alg, "signer");
    let (root, leaf) = certificates(&module, &key);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let root_pem = pem(d, "root.pem", &root);
    let data = b"%PDF-1.7 pretend this is a contract\n".repeat(100);
    let data_file = d.join("data.bin");
    std::fs::write(&data_file, &data).unwrap();
    let digest = signet_crypto::digest::digest(sig.hash(), &data);
    let signer = key.signer(&module, sig);

    for packaging in [Packaging::Detached, Packaging::Enveloping] {
        let req = CadesRequest {
            content_digest: &digest,
            content: (packaging == Packaging::Enveloping).then_some(&data[..]),
            algorithm: sig,
            signer_certificate: &leaf,
            chain: &[],
            signing_time: Some(NOW),
        };
        assert_eq!(req.packaging(), packaging);
        // The two steps, as the engine and the SAM run them.
        let prepared = cades::prepare(&req).unwrap();
        assert_eq!(prepared.digest_to_sign().len(), sig.hash().output_len());
        let value = signet_crypto::Signer::sign_digest(&signer, prepared.digest_to_sign()).unwrap();
        let p7s = cades::complete(&prepared, &value).unwrap();
        let sig_file = d.join("sig.p7s");
        std::fs::write(&sig_file, &p7s).unwrap();
        let out = d.join("out.bin");
        let mut args = vec![
            "cms",
            "-verify",
            "-cades",
            "-binary",
            "-inform",
            "DER",
            "-in",
            sig_file.to_str().unwrap(),
            "-CAfile",
            root_pem.to_str().unwrap(),
            "-purpose",
            "any",
            "-out",
            out.to_str().unwrap(),
            "-attime",
            "1790000000",
        ];
        if packaging == Packaging::Detached {
            args.extend(["-content", data_file.to_str().unwrap()]);
        }
        let (ok, text) = openssl(&args);
        assert!(
            ok && text.contains("Verification successful"),
            "{key_alg} {} {packaging:?}: {text}",
            sig.name()
        );
        assert_eq!(std::fs::read(&out).unwrap(), data, "the signed content comes back");

        // The B-B attributes, read back by OpenSSL.
        let (ok, printed) = openssl(&[
            "cms",
            "-cmsout",
            "-print",
            "-inform",
            "DER",
            "-in",
            sig_file.to_str().unwrap(),
        ]);
        assert!(ok, "{printed}");
        for attr in
            ["contentType", "messageDigest", "signingTime", "id-smime-aa-signingCertificateV2"]
        {
            assert!(printed.contains(attr), "{attr} missing: {printed}");
        }

        // Other content, or one flipped byte of the signature, fails.
        if packaging == Packaging::Detached {
            let other = d.join("other.bin");
            std::fs::write(&other, b"another document").unwrap();
            let mut bad = args.clone();
            let i = bad.iter().position(|a| *a == "-content").unwrap();
            bad[i + 1] = other.to_str().unwrap();
            assert!(!openssl(&bad).0, "other content must not verify");
        }
        let mut tampered = p7s.clone();
        let n = tampered.len();
        tampered[n - 5] ^= 0x01;
        std::fs::write(&sig_file, &tampered).unwrap();
        assert!(!openssl(&args).0, "a tampered signature must not verify");
    }
}

#[test]
fn rsa_pkcs1_sha256_verifies() {
    round_trip(KeyAlgorithm::Rsa2048, SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha256));
}

#[test]
fn rsa_pkcs1_sha512_verifies() {
    round_trip(KeyAlgorithm::Rsa3072, SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha512));
}

#[test]
fn rsa_pss_sha256_verifies() {
    round_trip(KeyAlgorithm::Rsa2048, SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256));
}

#[test]
fn ecdsa_p256_and_p384_verify() {
    round_trip(KeyAlgorithm::EcP256, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256));
    round_trip(KeyAlgorithm::EcP384, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha384));
}

#[test]
fn inconsistent_requests_are_refused_before_anything_is_signed() {
    let module = SoftModule::from_master_key(&[7u8; 32]).unwrap();
    let key = Key::new(&module, KeyAlgorithm::EcP256, "signer");
    let (_, leaf) = certificates(&module, &key);
    let sha256 = SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256);
    let digest = signet_crypto::digest::digest(HashAlgorithm::Sha256, b"doc");
    let base = CadesRequest {
        content_digest: &digest,
        content: None,
        algorithm: sha256,
        signer_certificate: &leaf,
        chain: &[],
        signing_time: Some(NOW),
    };
    let short = [0u8; 20];
    let cases: Vec<CadesRequest<'_>> = vec![
        CadesRequest { content_digest: &short, ..base },
        CadesRequest { content: Some(b"another doc"), ..base },
        CadesRequest { algorithm: SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha256), ..base },
        CadesRequest {
            algorithm: SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha1),
            content_digest: &short,
            ..base
        },
        CadesRequest { signer_certificate: b"not a certificate", ..base },
    ];
    for c in &cases {
        assert!(cades::prepare(c).is_err(), "{c:?}");
    }
    assert!(matches!(cades::prepare(&cases[0]), Err(AdesError::InvalidRequest(_))));
}

/// B-B → B-T: the signature time-stamp is over the signature value, OpenSSL verifies the
/// token against that imprint, and the CAdES signature still verifies with it added.
#[test]
fn signature_time_stamp_makes_b_t() {
    let module = SoftModule::from_master_key(&[7u8; 32]).unwrap();
    let key = Key::new(&module, KeyAlgorithm::Rsa2048, "signer");
    let (root, leaf) = certificates(&module, &key);
    let sig = SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256);
    let data = b"B-T content".to_vec();
    let digest = signet_crypto::digest::digest(HashAlgorithm::Sha256, &data);
    let req = CadesRequest {
        content_digest: &digest,
        content: None,
        algorithm: sig,
        signer_certificate: &leaf,
        chain: &[],
        signing_time: Some(NOW),
    };
    let b_b = cades::sign(&req, &key.signer(&module, sig)).unwrap();

    // A TSA certified by the same root, signing through the soft module.
    let tsa_key = Key::new(&module, KeyAlgorithm::EcP256, "tsa");
    let urls = PkiUrls::new("https://signet.example.org/");
    let tsa_root_key = Key::new(&module, KeyAlgorithm::EcP256, "tsa-root");
    let tsa_root_signer =
        tsa_root_key.signer(&module, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256));
    let tsa_root = issue(
        &IssueRequest {
            profile: Profile::RootCa,
            subject: &Subject {
                common_name: "TSA Root".into(),
                organization: Some("Signet Test".into()),
                ..Subject::default()
            },
            subject_public_key: &tsa_root_key.public_key,
            serial: &[3],
            not_before: NOW - 86_400,
            not_after: NOW + 365 * 86_400,
            issuer: None,
            urls: &urls,
            content: None,
        },
        &tsa_root_signer,
    )
    .unwrap();
    let tsa_cert = issue(
        &IssueRequest {
            profile: Profile::Tsa,
            subject: &Subject {
                common_name: "Test TSA".into(),
                organization: Some("Signet Test".into()),
                ..Subject::default()
            },
            subject_public_key: &tsa_key.public_key,
            serial: &[4],
            not_before: NOW - 3_600,
            not_after: NOW + 30 * 86_400,
            issuer: Some(Issuer { certificate_der: &tsa_root, ca_id: "tsa-root" }),
            urls: &urls,
            content: None,
        },
        &tsa_root_signer,
    )
    .unwrap();
    let imprint = cades::signature_timestamp_imprint(&b_b, HashAlgorithm::Sha256).unwrap();
    let mut ts_req =
        signet_pki::tsp::TimeStampRequest::new(HashAlgorithm::Sha256, imprint.clone()).unwrap();
    ts_req.cert_req = true;
    let token = signet_pki::tsp::issue_token(
        &ts_req,
        &signet_pki::tsp::TokenParams {
            policy: "0.4.0.2023.1.1".parse().unwrap(),
            serial: &[9, 9],
            gen_time: NOW + 5,
            gen_time_millis: 0,
            accuracy_millis: Some(1000),
            tsa_certificate: &tsa_cert,
            chain: &[&tsa_root],
            ordering: false,
        },
        &tsa_key.signer(&module, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256)),
    )
    .unwrap();
    let b_t = cades::add_signature_timestamp(&b_b, &token).unwrap();
    assert!(b_t.len() > b_b.len());
    assert_eq!(
        signet_pki::cms::signature_value(&b_t).unwrap(),
        signet_pki::cms::signature_value(&b_b).unwrap(),
        "the signature is unchanged"
    );

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let root_pem = pem(d, "root.pem", &root);
    let tsa_root_pem = pem(d, "tsa-root.pem", &tsa_root);
    let data_file = d.join("data.bin");
    std::fs::write(&data_file, &data).unwrap();
    let bt_file = d.join("bt.p7s");
    std::fs::write(&bt_file, &b_t).unwrap();
    let (ok, text) = openssl(&[
        "cms",
        "-verify",
        "-cades",
        "-binary",
        "-inform",
        "DER",
        "-in",
        bt_file.to_str().unwrap(),
        "-content",
        data_file.to_str().unwrap(),
        "-CAfile",
        root_pem.to_str().unwrap(),
        "-purpose",
        "any",
        "-out",
        "/dev/null",
        "-attime",
        "1790000000",
    ]);
    assert!(ok, "{text}");
    let (_, printed) =
        openssl(&["cms", "-cmsout", "-print", "-inform", "DER", "-in", bt_file.to_str().unwrap()]);
    assert!(
        printed.contains("unsignedAttrs") && printed.contains("id-smime-aa-timeStampToken"),
        "{printed}"
    );

    let token_file = d.join("token.tst");
    std::fs::write(&token_file, &token).unwrap();
    let hex: String = imprint.iter().map(|b| format!("{b:02x}")).collect();
    let (ok, text) = openssl(&[
        "ts",
        "-verify",
        "-digest",
        &hex,
        "-in",
        token_file.to_str().unwrap(),
        "-token_in",
        "-CAfile",
        tsa_root_pem.to_str().unwrap(),
        "-attime",
        "1790000010",
    ]);
    assert!(ok && text.contains("Verification: OK"), "{text}");
    // The token does not cover another signature value.
    let other: String = "00".repeat(32);
    let (ok, _) = openssl(&[
        "ts",
        "-verify",
        "-digest",
        &other,
        "-in",
        token_file.to_str().unwrap(),
        "-token_in",
        "-CAfile",
        tsa_root_pem.to_str().unwrap(),
        "-attime",
        "1790000010",
    ]);
    assert!(!ok);
    // pyHanko's CMS validation (the peer) accepts the B-T signature and its time-stamp.
    if let Some(python) = peers_python() {
        let der = |name: &str, bytes: &[u8]| {
            let p = d.join(name);
            std::fs::write(&p, bytes).unwrap();
            p
        };
        let (root_der, tsa_root_der) = (der("root.der", &root), der("tsa-root.der", &tsa_root));
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/cades_validate.py");
        let out = Command::new(python)
            .arg(script)
            .args([&data_file, &bt_file, &root_der, &tsa_root_der])
            .arg("1790000010")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(
            (v["intact"].as_bool(), v["valid"].as_bool(), v["trusted"].as_bool()),
            (Some(true), Some(true), Some(true)),
            "{v}"
        );
        let ts = &v["timestamp"];
        assert_eq!(
            (ts["intact"].as_bool(), ts["valid"].as_bool(), ts["trusted"].as_bool()),
            (Some(true), Some(true), Some(true)),
            "{v}"
        );
    }
    // Garbage is not a CMS signature to extend.
    assert!(cades::add_signature_timestamp(b"junk", &token).is_err());
}

/// The Python of the peers' virtual environment (pyHanko), if installed. Required when
/// `SIGNET_REQUIRE_PEERS=1` (the project's test script).
fn peers_python() -> Option<std::path::PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv-peers/bin/python");
    if p.exists() {
        return Some(p);
    }
    assert!(
        std::env::var("SIGNET_REQUIRE_PEERS").as_deref() != Ok("1"),
        "SIGNET_REQUIRE_PEERS=1 but {} is missing",
        p.display()
    );
    eprintln!("skipped the pyHanko check: no peers venv at {}", p.display());
    None
}

/// B-LT: CRLs and OCSP responses travel inside the signature, where OpenSSL finds them:
/// `-crl_check` passes with the embedded CRL alone, fails without it, and fails once the
/// embedded CRL lists the signer as revoked.
#[test]
fn validation_data_is_embedded_where_verifiers_find_it() {
    use signet_pki::crl::{issue_crl, CrlParams, RevocationReason, RevokedEntry};
    let module = SoftModule::from_master_key(&[7u8; 32]).unwrap();
    let key = Key::new(&module, KeyAlgorithm::EcP256, "signer");
    let (root, leaf, ca) = certificates_with_ca(&module, &key);
    let ca_signer = ca.signer(&module, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256));
    let sig = SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256);
    let data = b"B-LT content".to_vec();
    let digest = signet_crypto::digest::digest(HashAlgorithm::Sha256, &data);
    let req = CadesRequest {
        content_digest: &digest,
        content: None,
        algorithm: sig,
        signer_certificate: &leaf,
        chain: &[],
        signing_time: Some(NOW),
    };
    let b_b = cades::sign(&req, &key.signer(&module, sig)).unwrap();
    let crl = |number: u64, revoked: &[RevokedEntry]| {
        issue_crl(
            &CrlParams {
                issuer_certificate: &root,
                this_update: NOW - 60,
                next_update: NOW + 86_400,
                crl_number: number,
                revoked,
            },
            &ca_signer,
        )
        .unwrap()
    };
    let good_crl = crl(1, &[]);
    let ocsp = signet_pki::ocsp::response_error(signet_pki::ocsp::OcspErrorStatus::TryLater);
    let b_lt = cades::add_validation_data(
        &b_b,
        std::slice::from_ref(&root),
        std::slice::from_ref(&good_crl),
        std::slice::from_ref(&ocsp),
    )
    .unwrap();
    // Adding the same material again changes nothing.
    assert_eq!(
        cades::add_validation_data(&b_lt, std::slice::from_ref(&root), &[good_crl], &[ocsp])
            .unwrap(),
        b_lt
    );
    assert_eq!(
        signet_pki::cms::signature_value(&b_lt).unwrap(),
        signet_pki::cms::signature_value(&b_b).unwrap()
    );

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let root_pem = pem(d, "root.pem", &root);
    let data_file = d.join("data.bin");
    std::fs::write(&data_file, &data).unwrap();
    let verify = |sig_der: &[u8]| {
        let f = d.join("sig.p7s");
        std::fs::write(&f, sig_der).unwrap();
        openssl(&[
            "cms",
            "-verify",
            "-cades",
            "-binary",
            "-inform",
            "DER",
            "-in",
            f.to_str().unwrap(),
            "-content",
            data_file.to_str().unwrap(),
            "-CAfile",
            root_pem.to_str().unwrap(),
            "-purpose",
            "any",
            "-out",
            "/dev/null",
            "-attime",
            "1790000000",
            "-crl_check",
        ])
    };
    let (ok, text) = verify(&b_b);
    assert!(!ok, "without a CRL, -crl_check cannot pass: {text}");
    let (ok, text) = verify(&b_lt);
    assert!(ok && text.contains("Verification successful"), "{text}");
    let f = d.join("lt.p7s");
    std::fs::write(&f, &b_lt).unwrap();
    let (_, printed) =
        openssl(&["cms", "-cmsout", "-print", "-inform", "DER", "-in", f.to_str().unwrap()]);
    assert!(printed.contains("1.3.6.1.5.5.7.16.2") || printed.contains("ocsp"), "{printed}");

    let serial = signet_pki::parse_certificate(&leaf).unwrap().serial_hex;
    let serial = (0..serial.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&serial[i..i + 2], 16).unwrap())
        .collect();
    let revoked_crl = crl(
        2,
        &[RevokedEntry {
            serial,
            revoked_at: NOW - 30,
            reason: Some(RevocationReason::KeyCompromise),
        }],
    );
    let revoked = cades::add_validation_data(&b_b, &[], &[revoked_crl], &[]).unwrap();
    let (ok, text) = verify(&revoked);
    assert!(!ok && text.contains("revoked"), "{text}");
    assert!(cades::add_validation_data(&b_b, &[b"junk".to_vec()], &[], &[]).is_err());
    assert!(cades::add_validation_data(&b_b, &[], &[b"junk".to_vec()], &[]).is_err());
}
