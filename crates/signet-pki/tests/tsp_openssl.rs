//! RFC 3161 time-stamping judged by OpenSSL 3 (`openssl ts`): requests made by
//! `openssl ts -query` are parsed, tokens issued and wrapped in responses that
//! `openssl ts -reply` prints and `openssl ts -verify` verifies up to the root.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::tsa::{hex, reply_text, s, Tsa, GEN_TIME, POLICY};
use common::{openssl, write_pem, TestSigner};
use signet_pki::tsp::{
    issue_token, parse_request, parse_token_info, response_granted, response_rejection,
    FailureInfo, TimeStampRequest, TokenParams,
};
use signet_pki::{PkiError, Profile, Subject};
use signet_types::{HashAlgorithm, SignatureAlgorithm};

/// Requests of each shape OpenSSL makes → tokens OpenSSL verifies.
fn round_trips(tsa: &Tsa) {
    let cases: [(&str, &[&str], HashAlgorithm); 4] = [
        ("cert", &["-sha256", "-cert"], HashAlgorithm::Sha256),
        ("nocert", &["-sha256"], HashAlgorithm::Sha256),
        ("nononce", &["-sha256", "-cert", "-no_nonce"], HashAlgorithm::Sha256),
        ("sha512", &["-sha512", "-cert"], HashAlgorithm::Sha512),
    ];
    for (name, args, hash) in cases {
        let data = format!("document {name}\n").into_bytes();
        let (file, tsq) = tsa.query(name, &data, args);
        let req = parse_request(&std::fs::read(&tsq).unwrap()).unwrap();
        assert_eq!(req.hash, hash, "{name}");
        assert_eq!(req.message_imprint, signet_crypto::digest::digest(hash, &data));
        assert_eq!(req.cert_req, args.contains(&"-cert"), "{name}");
        assert_eq!(req.nonce.is_none(), args.contains(&"-no_nonce"), "{name}");

        let token = tsa.token(&req);
        let info = parse_token_info(&token).unwrap();
        assert_eq!(
            (info.policy, info.gen_time, info.gen_time_millis, info.accuracy_millis),
            (POLICY, GEN_TIME, 250, Some(1_500))
        );
        assert_eq!((info.hash, &info.message_imprint), (hash, &req.message_imprint));
        assert_eq!((info.serial_hex.as_str(), &info.nonce), ("019F33C0DE", &req.nonce));

        let tsr = tsa.write(&format!("{name}.tsr"), &response_granted(&token));
        let text = reply_text(&tsr);
        assert!(text.contains("Status: Granted"), "{text}");
        assert!(text.contains("Policy OID: 1.3.6.1.4.1.99999.1.1"), "{text}");
        assert!(text.contains("May  1 10:00:00.25 2024 GMT"), "{text}");
        assert!(text.contains("Accuracy: 0x01 seconds, 0x01F4 millis"), "{text}");
        match &req.nonce {
            Some(n) => assert!(text.contains(&hex(n).trim_start_matches('0').to_owned()), "{text}"),
            None => assert!(text.contains("Nonce: unspecified"), "{text}"),
        }
        tsa.assert_verifies(&tsr, &file, &tsq);
    }
}

#[test]
fn rsa_tsa_tokens_verify_with_openssl() {
    round_trips(&Tsa::rsa());
}

#[test]
fn ec_p256_tsa_tokens_verify_with_openssl() {
    round_trips(&Tsa::new(TestSigner::ec_p256()));
}

#[test]
fn tampered_or_foreign_tokens_fail_verification() {
    let tsa = Tsa::rsa();
    let (file, tsq) = tsa.query("a", b"the original\n", &["-sha256", "-cert"]);
    let token = tsa.token(&parse_request(&std::fs::read(&tsq).unwrap()).unwrap());

    // A token over another file's digest.
    let (_, other_tsq) = tsa.query("b", b"another file\n", &["-sha256", "-cert"]);
    let other = tsa.token(&parse_request(&std::fs::read(&other_tsq).unwrap()).unwrap());
    let tsr = tsa.write("other.tsr", &response_granted(&other));
    for (how, input) in [("-data", &file), ("-queryfile", &tsq)] {
        let (ok, text) = tsa.verify(&tsr, how, input);
        assert!(!ok && !text.contains("Verification: OK"), "{how}: {text}");
    }

    // One byte of the TSTInfo's genTime changed: 20240501100000.25Z → 20240501100001.25Z.
    let at = token.windows(14).position(|w| w == b"20240501100000").unwrap();
    let mut tampered = token.clone();
    tampered[at + 13] = b'1';
    let info = parse_token_info(&tampered).unwrap();
    assert_eq!(info.gen_time, GEN_TIME + 1);
    let tsr = tsa.write("tampered.tsr", &response_granted(&tampered));
    let (ok, text) = tsa.verify(&tsr, "-data", &file);
    assert!(!ok && !text.contains("Verification: OK"), "{text}");

    // The untouched token still verifies.
    let tsr = tsa.write("a.tsr", &response_granted(&token));
    tsa.assert_verifies(&tsr, &file, &tsq);
}

fn refused(der: &[u8]) -> FailureInfo {
    match parse_request(der) {
        Err(PkiError::TimeStampRequest { failure, .. }) => failure,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn bad_requests_are_refused_and_rejections_read_by_openssl() {
    let tsa = Tsa::rsa();
    // A SHA-512 request, then its OID's last arc patched: sha256 (…2.1) with a 64-octet
    // imprint, and 2.16.840.1.101.3.4.2.8 (SHA3-256, unknown to Signet).
    let (_, tsq) = tsa.query("x", b"x", &["-sha512"]);
    let der = std::fs::read(&tsq).unwrap();
    let sha512_oid = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
    let at = der.windows(sha512_oid.len()).position(|w| w == sha512_oid).unwrap() + 10;
    let mut wrong_length = der.clone();
    wrong_length[at] = 0x01;
    assert_eq!(refused(&wrong_length), FailureInfo::BadDataFormat);
    let mut unknown = der.clone();
    unknown[at] = 0x08;
    assert_eq!(refused(&unknown), FailureInfo::BadAlg);
    assert_eq!(refused(b"\x30\x03\x02\x01\x01"), FailureInfo::BadDataFormat);

    // A policy this TSA does not issue under.
    let (_, tsq) = tsa.query("p", b"p", &["-sha256", "-tspolicy", "1.2.3.4"]);
    let req = parse_request(&std::fs::read(&tsq).unwrap()).unwrap();
    match issue_token(&req, &tsa.params(), &tsa.signer) {
        Err(PkiError::TimeStampRequest { failure, .. }) => {
            assert_eq!(failure, FailureInfo::UnacceptedPolicy)
        }
        other => panic!("expected unacceptedPolicy, got {other:?}"),
    }

    for (fail, expected) in [
        (FailureInfo::BadAlg, "unrecognized or unsupported algorithm identifier"),
        (FailureInfo::BadDataFormat, "the data submitted has the wrong format"),
        (FailureInfo::UnacceptedPolicy, "the requested TSA policy is not supported by the TSA"),
        (FailureInfo::UnacceptedExtension, "the requested extension is not supported by the TSA"),
        (FailureInfo::SystemFailure, "the request cannot be handled due to system failure"),
    ] {
        let tsr = tsa.write("rej.tsr", &response_rejection(fail, "refused: see failure info"));
        let text = reply_text(&tsr);
        assert!(text.contains("Status: Rejected"), "{text}");
        assert!(text.contains("refused: see failure info"), "{text}");
        assert!(text.to_lowercase().contains(&expected.to_lowercase()), "{fail}: {text}");
    }
}

#[test]
fn tokens_need_the_tsa_key_and_a_tsa_certificate() {
    let tsa = Tsa::rsa();
    let req = TimeStampRequest::new(HashAlgorithm::Sha256, vec![9; 32]).unwrap();
    let stranger = TestSigner::ec_p256();
    assert!(matches!(
        issue_token(&req, &tsa.params(), &stranger),
        Err(PkiError::SignerKeyMismatch { .. })
    ));
    // A legal person's certificate has no timeStamping purpose.
    let seal = tsa.hierarchy.end_entity(
        Profile::LegalPerson,
        &common::legal_person(),
        tsa.signer.spki(),
        31,
    );
    let params = TokenParams { tsa_certificate: &seal, ..tsa.params() };
    assert!(matches!(
        issue_token(&req, &params, &tsa.signer),
        Err(PkiError::InvalidTokenParams(_))
    ));
    let params = TokenParams { gen_time_millis: 1000, ..tsa.params() };
    assert!(issue_token(&req, &params, &tsa.signer).is_err());
}

#[test]
fn service_certificates_carry_their_purposes() {
    let tsa = Tsa::rsa();
    let ocsp_key = TestSigner::ec_p256();
    let subject = Subject {
        common_name: "Signet Test OCSP Responder".into(),
        organization: Some("Signet Test TSP".into()),
        ..Subject::default()
    };
    let ocsp = tsa.hierarchy.end_entity(Profile::Ocsp, &subject, ocsp_key.spki(), 32);
    let issuing = write_pem(tsa.dir.path(), "issuing.pem", &tsa.hierarchy.issuing);
    for (der, name, purpose, shows) in [
        (
            &tsa.cert,
            "tsa.pem",
            "timestampsign",
            ["Time Stamping", "X509v3 Extended Key Usage: critical"],
        ),
        (&ocsp, "ocsp.pem", "ocsphelper", ["OCSP Signing", "OCSP No Check"]),
    ] {
        let pem = write_pem(tsa.dir.path(), name, der);
        let (ok, text) = openssl(&["x509", "-in", s(&pem), "-noout", "-text"]);
        assert!(ok && shows.iter().all(|x| text.contains(x)), "{text}");
        let (ok, text) = openssl(&[
            "verify",
            "-x509_strict",
            "-purpose",
            purpose,
            "-CAfile",
            s(&tsa.root_pem),
            "-untrusted",
            s(&issuing),
            s(&pem),
        ]);
        assert!(ok && text.trim_end().ends_with(": OK"), "{name}: {text}");
    }
    let personal = Subject { given_name: Some("Ada".into()), ..subject.clone() };
    let urls = common::urls();
    let req = signet_pki::IssueRequest {
        profile: Profile::Tsa,
        subject: &personal,
        subject_public_key: ocsp_key.spki(),
        serial: &[7],
        not_before: common::NOT_BEFORE,
        not_after: common::EE_NOT_AFTER,
        issuer: Some(tsa.hierarchy.issuer()),
        urls: &urls,
        content: None,
    };
    assert!(matches!(
        signet_pki::issue(&req, &tsa.hierarchy.issuing_signer),
        Err(PkiError::InvalidSubject(_))
    ));
}

/// RSASSA-PSS tokens (RFC 4056 in CMS). `openssl ts -verify` cannot judge them: OpenSSL
/// 3.0 checks timestamp tokens through its PKCS#7 code, which verifies RSA with PKCS#1
/// v1.5 padding only ("RSA_padding_check_PKCS1_type_1:invalid padding"). Its CMS code
/// reads the PSS parameters, so `openssl cms -verify` is the peer here, with the
/// timestamp-signing purpose.
#[test]
fn rsa_pss_tokens_verify_as_cms() {
    let tsa = Tsa::rsa();
    let (_, tsq) = tsa.query("pss", b"pss\n", &["-sha256", "-cert"]);
    let req = parse_request(&std::fs::read(&tsq).unwrap()).unwrap();
    let pss = common::As(&tsa.signer, SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256));
    let chain = [tsa.hierarchy.issuing.as_slice()];
    let params = TokenParams { chain: &chain, ..tsa.params() };
    let token = tsa.write("pss.der", &issue_token(&req, &params, &pss).unwrap());
    let (ok, text) = openssl(&[
        "cms",
        "-verify",
        "-inform",
        "DER",
        "-in",
        s(&token),
        "-CAfile",
        s(&tsa.root_pem),
        "-purpose",
        "timestampsign",
        "-out",
        s(&tsa.path("tstinfo.der")),
    ]);
    assert!(ok && text.contains("Verification successful"), "{text}");
    let info = parse_token_info(&std::fs::read(&token).unwrap()).unwrap();
    let tst_info = std::fs::read(tsa.path("tstinfo.der")).unwrap();
    assert!(tst_info.windows(32).any(|w| w == info.message_imprint.as_slice()));
}
