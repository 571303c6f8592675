//! The Document Signature API's two steps end to end against `signet serve`: prepare a
//! CAdES signature, authorise exactly its DTBS/R through CSC, complete. The results are
//! judged by OpenSSL (`cms -verify -cades`, with `-crl_check_all` fed only by the CRLs
//! embedded at B-LT) and by pyHanko's CMS validation (signature and time-stamp).
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;
use common::signer::{b64, sha256, unb64, SignerWorld};
use common::*;
use serde_json::{json, Value};
use std::path::Path;

type World = SignerWorld;

fn world() -> World {
    SignerWorld::start("ec-p256", "")
}

fn cms_verify(
    root: &Path,
    sig: &Path,
    content: Option<&Path>,
    out: &Path,
    extra: &[&str],
) -> (bool, String) {
    let mut args = vec![
        "cms",
        "-verify",
        "-cades",
        "-binary",
        "-inform",
        "DER",
        "-in",
        sig.to_str().unwrap(),
        "-CAfile",
        root.to_str().unwrap(),
        "-purpose",
        "any",
        "-out",
        out.to_str().unwrap(),
    ];
    if let Some(c) = content {
        args.extend(["-content", c.to_str().unwrap()]);
    }
    args.extend_from_slice(extra);
    let o = std::process::Command::new("openssl").args(&args).output().unwrap();
    (
        o.status.success(),
        format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)),
    )
}

#[test]
fn detached_b_lt_signature_carries_its_own_validation_data() {
    let w = world();
    let tmp = tempfile::tempdir().unwrap();
    let data = b"Contract between Ada and the Analytical Engine Company.\n".repeat(50);
    let data_file = tmp.path().join("contract.txt");
    std::fs::write(&data_file, &data).unwrap();

    let (s, p) = w.api(
        "/api/v1/documents/prepare",
        json!({ "credentialID": w.credential, "level": "B-LT", "documentDigest": b64(&sha256(&data)) }),
    );
    assert_eq!(s, 201, "{p}");
    assert_eq!(
        (p["hashAlgo"].as_str(), p["signAlgo"].as_str()),
        (Some("2.16.840.1.101.3.4.2.1"), Some("1.2.840.10045.4.3.2"))
    );
    let dtbsr = p["hashes"][0].as_str().unwrap().to_owned();
    let tx = p["transactionID"].as_str().unwrap().to_owned();

    // A SAD for another digest does not complete it, and leaves it open.
    let wrong = w.sad(&[&b64(&sha256(b"another document"))]);
    let (s, v) = w.api("/api/v1/documents/complete", json!({ "transactionID": tx, "SAD": wrong }));
    assert_eq!((s, v["error"].as_str()), (400, Some("invalid_request")), "{v}");

    let sad = w.sad(&[&dtbsr]);
    let (s, done) = w.api("/api/v1/documents/complete", json!({ "transactionID": tx, "SAD": sad }));
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["level"], "B-LT");
    let sig = tmp.path().join("contract.p7s");
    std::fs::write(&sig, unb64(done["signature"].as_str().unwrap())).unwrap();
    // Completed once only.
    let (s, v) = w.api("/api/v1/documents/complete", json!({ "transactionID": tx, "SAD": sad }));
    assert_eq!((s, v["error"].as_str()), (409, Some("conflict")), "{v}");

    // OpenSSL: valid, and revocation-checked for the whole chain with the embedded CRLs
    // only (no CRL is given on the command line).
    let out = tmp.path().join("out");
    let (ok, text) = cms_verify(&w.root(), &sig, Some(&data_file), &out, &["-crl_check_all"]);
    assert!(ok && text.contains("Verification successful"), "{text}");
    let (ok, _) = cms_verify(&w.root(), &sig, Some(&w.root()), &out, &[]);
    assert!(!ok, "another content must not verify");
    let printed =
        openssl(&["cms", "-cmsout", "-print", "-inform", "DER", "-in", sig.to_str().unwrap()]);
    assert!(printed.contains("id-smime-aa-timeStampToken"), "B-T time-stamp missing");
    assert!(
        printed.contains("1.3.6.1.5.5.7.16.2") || printed.contains("ocsp"),
        "OCSP responses missing"
    );

    // pyHanko's CMS validation: signature and time-stamp intact, valid, trusted.
    if let Some(python) = peers_python() {
        let root_der = tmp.path().join("root.der");
        let pem = std::fs::read_to_string(w.root()).unwrap();
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        std::fs::write(&root_der, unb64(&body)).unwrap();
        // The server signs on the system clock; validate at the same moment.
        let now = String::from_utf8(
            std::process::Command::new("date").arg("+%s").output().unwrap().stdout,
        )
        .unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../signet-ades/tests/peers/cades_validate.py");
        let o = std::process::Command::new(python)
            .arg(script)
            .args([&data_file, &sig, &root_der, &root_der])
            .arg(now.trim())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{text}{}", String::from_utf8_lossy(&o.stderr));
        let v: Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(
            (v["intact"].as_bool(), v["valid"].as_bool(), v["trusted"].as_bool()),
            (Some(true), Some(true), Some(true)),
            "{v}"
        );
        let ts = &v["timestamp"];
        assert_eq!(
            (ts["valid"].as_bool(), ts["trusted"].as_bool()),
            (Some(true), Some(true)),
            "{v}"
        );
    }
}

#[test]
fn detached_b_lta_signature_has_an_archive_time_stamp_over_the_right_imprint() {
    let w = world();
    let tmp = tempfile::tempdir().unwrap();
    let data = b"A contract to keep for thirty years.\n".repeat(20);
    let data_file = tmp.path().join("contract.txt");
    std::fs::write(&data_file, &data).unwrap();
    let done = w.two_steps(
        json!({ "credentialID": w.credential, "level": "B-LTA", "documentDigest": b64(&sha256(&data)) }),
    );
    assert_eq!(done["level"], "B-LTA", "{done}");
    let sig = tmp.path().join("contract.p7s");
    std::fs::write(&sig, unb64(done["signature"].as_str().unwrap())).unwrap();
    let out = tmp.path().join("out");
    let (ok, text) = cms_verify(&w.root(), &sig, Some(&data_file), &out, &["-crl_check_all"]);
    assert!(ok && text.contains("Verification successful"), "{text}");
    let printed =
        openssl(&["cms", "-cmsout", "-print", "-inform", "DER", "-in", sig.to_str().unwrap()]);
    assert!(printed.contains("0.4.0.1733.2.4"), "archive-time-stamp-v3 missing: {printed}");
    // The imprint, recomputed from EN 319 122-1 §5.5.3 by an independent implementation,
    // is the one the TSA time-stamped; OpenSSL checks the token against it.
    if let Some(python) = peers_python() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../signet-ades/tests/peers/cades_archive.py");
        let o = std::process::Command::new(python)
            .arg(script)
            .args([&sig, &data_file])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{text}{}", String::from_utf8_lossy(&o.stderr));
        let tokens: Vec<Value> = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(tokens.len(), 1, "{text}");
        let t = &tokens[0];
        assert_eq!(t["computed"], t["token"], "{t}");
        assert_eq!(
            (t["entries_present"].as_bool(), t["complete"].as_bool()),
            (Some(true), Some(true)),
            "{t}"
        );
        let token = tmp.path().join("archive.tst");
        std::fs::write(&token, hex::decode(t["der"].as_str().unwrap()).unwrap()).unwrap();
        let verified = openssl(&[
            "ts",
            "-verify",
            "-digest",
            t["computed"].as_str().unwrap(),
            "-in",
            token.to_str().unwrap(),
            "-token_in",
            "-CAfile",
            w.root().to_str().unwrap(),
        ]);
        assert!(verified.contains("Verification: OK"), "{verified}");
    }
}

#[test]
fn a_b_b_signature_is_extended_to_b_lta_and_renewed() {
    let w = world();
    let tmp = tempfile::tempdir().unwrap();
    let data = b"Signed today, kept for decades.\n".repeat(30);
    let data_file = tmp.path().join("data.txt");
    std::fs::write(&data_file, &data).unwrap();
    let digest = b64(&sha256(&data));
    let done = w.two_steps(
        json!({ "credentialID": w.credential, "level": "B-B", "documentDigest": digest }),
    );
    let b_b = done["signature"].as_str().unwrap().to_owned();

    // Without the content (or its digest) B-LTA of a detached signature is refused.
    let (s, v) = w.api("/api/v1/signatures/extend", json!({ "signature": b_b, "level": "B-LTA" }));
    assert_eq!((s, v["error"].as_str()), (400, Some("invalid_request")), "{v}");
    let extend = |sig: &str| {
        let (s, v) = w.api(
            "/api/v1/signatures/extend",
            json!({ "signature": sig, "level": "B-LTA", "contentDigest": digest, "hashAlgo": "2.16.840.1.101.3.4.2.1" }),
        );
        assert_eq!((s, v["level"].as_str()), (200, Some("B-LTA")), "{v}");
        v["signature"].as_str().unwrap().to_owned()
    };
    let lta = extend(&b_b);
    let renewed = extend(&lta);
    let sig = tmp.path().join("renewed.p7s");
    std::fs::write(&sig, unb64(&renewed)).unwrap();
    let (ok, text) =
        cms_verify(&w.root(), &sig, Some(&data_file), &tmp.path().join("out"), &["-crl_check_all"]);
    assert!(ok && text.contains("Verification successful"), "{text}");
    if let Some(python) = peers_python() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../signet-ades/tests/peers/cades_archive.py");
        let o = std::process::Command::new(python)
            .arg(script)
            .args([&sig, &data_file])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{text}{}", String::from_utf8_lossy(&o.stderr));
        let tokens: Vec<Value> = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(tokens.len(), 2, "renewal adds a second archive time-stamp: {text}");
        assert!(tokens.iter().all(|t| t["computed"] == t["token"]), "{text}");
        assert_eq!(tokens[1]["complete"], true, "the newest index covers everything: {text}");
    }
}

#[test]
fn enveloping_b_b_signature_returns_the_document() {
    let w = world();
    let tmp = tempfile::tempdir().unwrap();
    let data = b"%PDF-1.7 or anything else, enveloped\n".to_vec();
    let (s, p) = w.api(
        "/api/v1/documents/prepare",
        json!({ "credentialID": w.credential, "level": "B-B", "packaging": "enveloping", "document": b64(&data) }),
    );
    assert_eq!(s, 201, "{p}");
    let sad = w.sad(&[p["hashes"][0].as_str().unwrap()]);
    let (s, done) = w.api(
        "/api/v1/documents/complete",
        json!({ "transactionID": p["transactionID"], "SAD": sad }),
    );
    assert_eq!(s, 200, "{done}");
    let sig = tmp.path().join("doc.p7m");
    std::fs::write(&sig, unb64(done["signature"].as_str().unwrap())).unwrap();
    let out = tmp.path().join("out");
    let (ok, text) = cms_verify(&w.root(), &sig, None, &out, &[]);
    assert!(ok, "{text}");
    assert_eq!(std::fs::read(&out).unwrap(), data);
    let printed =
        openssl(&["cms", "-cmsout", "-print", "-inform", "DER", "-in", sig.to_str().unwrap()]);
    assert!(
        !printed.contains("unsignedAttrs:\n        attrType"),
        "B-B has no unsigned attributes"
    );
}

#[test]
fn bad_document_requests_are_refused_and_change_nothing() {
    let w = world();
    let cred = w.credential.clone();
    let digest = b64(&sha256(b"x"));
    let cases = [
        json!({ "credentialID": cred, "level": "B-X", "documentDigest": digest }),
        json!({ "credentialID": cred, "level": "B-B", "packaging": "wrapped", "documentDigest": digest }),
        json!({ "credentialID": cred, "level": "B-B", "packaging": "enveloping", "documentDigest": digest }),
        json!({ "credentialID": cred, "level": "B-B", "documentDigest": b64(&[1; 20]) }),
        json!({ "credentialID": cred, "level": "B-B" }),
        json!({ "credentialID": cred, "level": "B-B", "format": "pades", "documentDigest": digest }),
        json!({ "credentialID": cred, "level": "B-B", "documentDigest": "!!" }),
        json!({ "credentialID": cred, "level": "B-B", "documentDigest": digest, "signAlgo": "1.2.840.113549.1.1.11" }),
        json!({ "credentialID": "nope", "level": "B-B", "documentDigest": digest }),
        json!({ "credentialID": cred, "level": "B-B", "documentDigest": digest, "colour": "blue" }),
    ];
    for body in cases {
        let (s, v) = w.api("/api/v1/documents/prepare", body.clone());
        assert_eq!((s, v["error"].as_str()), (400, Some("invalid_request")), "{body}: {v}");
    }
    let (s, v) = w.api(
        "/api/v1/documents/complete",
        json!({ "transactionID": "00000000-0000-4000-8000-000000000000", "SAD": "x" }),
    );
    assert_eq!((s, v["error"].as_str()), (404, Some("not_found")), "{v}");

    // Another user cannot complete Ada's transaction.
    admin_json(w.dir.path(), &["user", "create", "bob", "--password-stdin"], "bob-password");
    let bob = login(&w.server.addr, "bob", "bob-password");
    let (_, p) = w.api(
        "/api/v1/documents/prepare",
        json!({ "credentialID": cred, "level": "B-B", "documentDigest": digest }),
    );
    let (s, _) = http(
        &w.server.addr,
        "POST",
        "/api/v1/documents/complete",
        Some(&bob),
        Some(&json!({ "transactionID": p["transactionID"], "SAD": "x" })),
    );
    assert_eq!(s, 404);

    // A body over the limit is refused with 413 before it is read whole.
    let tmp = tempfile::tempdir().unwrap();
    let big = tmp.path().join("big.json");
    let filler = "A".repeat(12 * 1024 * 1024);
    std::fs::write(&big, format!("{{\"credentialID\":\"{cred}\",\"level\":\"B-B\",\"packaging\":\"enveloping\",\"document\":\"{filler}\"}}")).unwrap();
    let o = std::process::Command::new("curl")
        .args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-X",
            "POST",
            "-H",
            &format!("Authorization: Bearer {}", w.token),
        ])
        .args(["-H", "Content-Type: application/json", "--data-binary"])
        .arg(format!("@{}", big.display()))
        .arg(format!("http://{}/api/v1/documents/prepare", w.server.addr))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout), "413");
}
