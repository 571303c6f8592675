//! The Document Signature API in one step (`POST /api/v1/documents/sign`) against
//! `signet serve`: the signer authorises the documents' own digests (CSC
//! `credentials/authorize`), the service signs. A JSON batch and a streamed body; the
//! results judged by pyHanko, pdfsig, qpdf and OpenSSL; a SAD for other documents, a
//! replayed SAD, an oversized upload and malformed requests refused.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;
#[path = "../../signet-ades/tests/common/pdf.rs"]
#[allow(dead_code)]
mod pdf;

use common::signer::{b64, unb64, SignerWorld};
use common::*;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

type World = SignerWorld;

fn world(extra_config: &str) -> World {
    SignerWorld::start("ec-p256", extra_config)
}

trait OneStep {
    fn sign_json(&self, body: Value) -> (u16, Value);
    fn sign_stream(
        &self,
        file: &Path,
        content_type: &str,
        query: &str,
        sad: Option<&str>,
    ) -> (u16, Vec<u8>);
}

impl OneStep for World {
    fn sign_json(&self, body: Value) -> (u16, Value) {
        http(&self.server.addr, "POST", "/api/v1/documents/sign", Some(&self.token), Some(&body))
    }

    /// Streams `file` as the body; returns the status and the response body.
    fn sign_stream(
        &self,
        file: &Path,
        content_type: &str,
        query: &str,
        sad: Option<&str>,
    ) -> (u16, Vec<u8>) {
        let out = file.with_extension("out");
        let mut cmd = Command::new("curl");
        cmd.args(["-s", "-o", out.to_str().unwrap(), "-w", "%{http_code}", "-X", "POST"])
            .arg("--data-binary")
            .arg(format!("@{}", file.display()))
            .args(["-H", &format!("Content-Type: {content_type}")])
            .args(["-H", &format!("Authorization: Bearer {}", self.token)]);
        if let Some(sad) = sad {
            cmd.args(["-H", &format!("Signet-SAD: {sad}")]);
        }
        let o = cmd
            .arg(format!("http://{}/api/v1/documents/sign?{query}", self.server.addr))
            .output()
            .unwrap();
        let status: u16 = String::from_utf8_lossy(&o.stdout).trim().parse().unwrap();
        (status, std::fs::read(&out).unwrap_or_default())
    }
}

/// pdfsig and pyHanko both say every CAdES signature in `signed` is valid.
fn assert_valid_pdf(w: &World, signed: &[u8], signatures: usize) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("signed.pdf");
    std::fs::write(&file, signed).unwrap();
    let (ok, out) = pdf::qpdf_check(&file);
    assert!(ok, "qpdf: {out}");
    let out = pdf::pdfsig(&file, &w.root(), tmp.path());
    assert_eq!(out.matches("Signature is Valid.").count(), signatures, "pdfsig: {out}");
    if let Some(bin) = pdf::venv_bin() {
        let o = Command::new(bin.join("pyhanko"))
            .args(["sign", "validate", "--executive-summary", "--trust-replace", "--trust"])
            .arg(w.root())
            .arg(&file)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        let verdicts = pdf::pyhanko_verdicts(&text);
        assert!(
            !verdicts.is_empty() && verdicts.iter().all(|l| l.ends_with(":VALID")),
            "pyHanko: {text}"
        );
    }
}

#[test]
fn a_batch_is_signed_under_one_sad_for_its_documents_and_only_once() {
    let w = world("");
    let a = pdf::sample_pdf(1, 0);
    let b = pdf::sample_pdf(3, 2000);
    let body = |sad: &str| {
        json!({
            "credentialID": w.credential, "SAD": sad, "format": "pades", "level": "B-T",
            "pades": { "reason": "Batch approval" },
            "documents": [{ "document": b64(&a) }, { "document": b64(&b) }],
        })
    };
    // A SAD for other documents signs nothing.
    let other = w.sad_for(&[b"one", b"two"]);
    let (s, v) = w.sign_json(body(&other));
    assert_eq!((s, v["error"].as_str()), (400, Some("invalid_request")), "{v}");

    let sad = w.sad_for(&[&a, &b]);
    let (s, v) = w.sign_json(body(&sad));
    assert_eq!(s, 200, "{v}");
    let docs = v["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 2);
    for (doc, original) in docs.iter().zip([&a, &b]) {
        assert_eq!((doc["format"].as_str(), doc["level"].as_str()), (Some("pades"), Some("B-T")));
        let signed = unb64(doc["document"].as_str().unwrap());
        assert!(signed.starts_with(original));
        assert_valid_pdf(&w, &signed, 1);
    }
    // The SAD is used up.
    let (s, v) = w.sign_json(body(&sad));
    assert_eq!((s, v["error"].as_str()), (400, Some("invalid_request")), "{v}");
    assert!(v["error_description"].as_str().unwrap().contains("SAD"), "{v}");
}

#[test]
fn a_large_pdf_is_streamed_in_and_out_at_b_lta() {
    let w = world("");
    let tmp = tempfile::tempdir().unwrap();
    let original = pdf::sample_pdf(2, 6 * 1024 * 1024);
    let file = tmp.path().join("big.pdf");
    std::fs::write(&file, &original).unwrap();
    let sad = w.sad_for(&[&original]);
    let (s, signed) = w.sign_stream(
        &file,
        "application/pdf",
        &format!(
            "credentialID={}&format=pades&level=B-LTA&reason=Streamed&page=2&rect=50,50,300,110",
            w.credential
        ),
        Some(&sad),
    );
    assert_eq!(s, 200, "{}", String::from_utf8_lossy(&signed));
    assert!(signed.starts_with(&original), "the original bytes come back first, untouched");
    assert_valid_pdf(&w, &signed, 1);
}

#[test]
fn a_detached_cades_signature_of_a_streamed_file() {
    let w = world("");
    let tmp = tempfile::tempdir().unwrap();
    let data = b"any kind of file, signed detached\n".repeat(10_000);
    let file = tmp.path().join("data.bin");
    std::fs::write(&file, &data).unwrap();
    let sad = w.sad_for(&[&data]);
    let (s, p7s) = w.sign_stream(
        &file,
        "application/octet-stream",
        &format!("credentialID={}&format=cades&level=B-LT", w.credential),
        Some(&sad),
    );
    assert_eq!(s, 200, "{}", String::from_utf8_lossy(&p7s));
    let sig = tmp.path().join("data.p7s");
    std::fs::write(&sig, &p7s).unwrap();
    let o = Command::new("openssl")
        .args([
            "cms",
            "-verify",
            "-cades",
            "-binary",
            "-inform",
            "DER",
            "-purpose",
            "any",
            "-crl_check_all",
        ])
        .arg("-in")
        .arg(&sig)
        .arg("-content")
        .arg(&file)
        .arg("-CAfile")
        .arg(w.root())
        .args(["-out", "/dev/null"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success() && text.contains("Verification successful"), "{text}");
}

#[test]
fn bad_one_step_requests_are_refused_and_sign_nothing() {
    let w = world("[documents]\nmax_bytes = 100000\n");
    let tmp = tempfile::tempdir().unwrap();
    let small = pdf::sample_pdf(1, 0);
    let file = tmp.path().join("small.pdf");
    std::fs::write(&file, &small).unwrap();
    let q = format!("credentialID={}&format=pades&level=B-B", w.credential);
    let sad = w.sad_for(&[&small]);

    let big = tmp.path().join("big.pdf");
    std::fs::write(&big, pdf::sample_pdf(1, 200_000)).unwrap();
    let (s, body) = w.sign_stream(&big, "application/pdf", &q, Some(&sad));
    assert_eq!(s, 413, "{}", String::from_utf8_lossy(&body));
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["error"], "payload_too_large");

    for (query, sad, content_type, says) in [
        (q.clone(), None, "application/pdf", "Signet-SAD"),
        (format!("{q}&colour=blue"), Some(sad.as_str()), "application/pdf", "colour"),
        (format!("{q}&page=1"), Some(sad.as_str()), "application/pdf", "page and rect"),
        (q.replace("B-B", "B-Z"), Some(sad.as_str()), "application/pdf", "level"),
        (q.replace("pades", "jades"), Some(sad.as_str()), "application/pdf", "format"),
    ] {
        let (s, body) = w.sign_stream(&file, content_type, &query, sad);
        let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        assert_eq!((s, v["error"].as_str()), (400, Some("invalid_request")), "{query}: {v}");
        assert!(v["error_description"].as_str().unwrap_or_default().contains(says), "{says}: {v}");
    }
    // Not a PDF, with a SAD for exactly those bytes: refused before anything is signed,
    // and the SAD still signs the real document afterwards.
    let junk = tmp.path().join("junk.pdf");
    std::fs::write(&junk, b"not a pdf at all").unwrap();
    let junk_sad = w.sad_for(&[b"not a pdf at all"]);
    let (s, body) = w.sign_stream(&junk, "application/pdf", &q, Some(&junk_sad));
    assert_eq!(s, 400, "{}", String::from_utf8_lossy(&body));
    let (s, signed) = w.sign_stream(&file, "application/pdf", &q, Some(&sad));
    assert_eq!(s, 200, "{}", String::from_utf8_lossy(&signed));
    assert_valid_pdf(&w, &signed, 1);
    // JSON: no documents, too many, bad base64.
    for docs in [
        json!([]),
        json!(vec![json!({ "document": b64(&small) }); 51]),
        json!([{ "document": "!!" }]),
    ] {
        let (s, v) = w.sign_json(json!({ "credentialID": w.credential, "SAD": sad, "format": "pades", "level": "B-B", "documents": docs }));
        assert_eq!((s, v["error"].as_str()), (400, Some("invalid_request")), "{v}");
    }
}

#[test]
fn a_level_the_group_forbids_is_refused_before_anything_is_read() {
    let w = world("[groups.default]\ndocument_levels = [\"B-LT\", \"B-LTA\"]\n");
    let a = pdf::sample_pdf(1, 0);
    let sad = w.sad_for(&[&a]);
    let body = |level: &str| {
        json!({ "credentialID": w.credential, "SAD": sad, "format": "pades", "level": level,
                "documents": [{ "document": b64(&a) }] })
    };
    let (s, v) = w.sign_json(body("B-T"));
    assert_eq!((s, v["error"].as_str()), (400, Some("invalid_request")), "{v}");
    assert!(v["error_description"].as_str().unwrap().contains("not allowed"), "{v}");
    // The SAD was not used: the allowed level signs.
    let (s, v) = w.sign_json(body("B-LT"));
    assert_eq!(s, 200, "{v}");
}
