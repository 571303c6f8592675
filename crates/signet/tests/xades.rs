//! XAdES through the Document Signature and Signature Update APIs against `signet serve`
//! (OCSP responder and TSA embedded): two steps and one step (JSON batch, streamed body),
//! every packaging, B-B to B-LTA, extension and renewal of Signet's and of foreign
//! (signxml) signatures. Judged by xmlsec1 (the signature), signxml's XAdESVerifier, and
//! an independent Python reading (lxml) of every time-stamp's imprint, each token then
//! checked by `openssl ts -verify`. Refusals: bad XML, a DTD, unknown options, a SAD for
//! another document.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

/// The XML peers' helpers of the signet-ades tests; they use the four functions below.
#[path = "../../signet-ades/tests/common/xml.rs"]
#[allow(dead_code)]
mod xml;

use common::peers_python;

fn openssl(args: &[&str]) -> (bool, String) {
    let o = std::process::Command::new("openssl").args(args).output().unwrap();
    let out =
        format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    (o.status.success(), out)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

use common::signer::{b64, unb64, SignerWorld};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use xml::{openssl_ts_verify_digest, signxml_verify, xades_inspect, xmlsec_verify};

const INVOICE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:cbc">
  <cbc:ID>INV-42</cbc:ID>
  <Total currency="EUR">99.00</Total>
</Invoice>
"#;

fn world() -> SignerWorld {
    SignerWorld::start("ec-p256", "[documents]\nmax_bytes = 200000\n")
}

/// The signed XML of an answer (`document`, base64).
fn xml_of(answer: &Value) -> Vec<u8> {
    assert_eq!(answer["format"], "xades", "{answer}");
    assert_eq!(answer["mediaType"], "application/xml", "{answer}");
    unb64(answer["document"].as_str().unwrap())
}

/// Writes `xml` and checks it as a user would: xmlsec1 verifies the signature against the
/// embedded root; the independent reading finds `level` and every time-stamp covers what
/// EN 319 132-1 says it must, which `openssl ts -verify` confirms. Returns the reading.
fn judge(w: &SignerWorld, xml: &[u8], level: &str, name: &str) -> Option<Value> {
    let file = w.dir.path().join(name);
    std::fs::write(&file, xml).unwrap();
    let (ok, out) = xmlsec_verify(&file, &w.root(), &[]);
    assert!(ok, "xmlsec1 {name}: {out}\n{}", String::from_utf8_lossy(xml));
    let reading = xades_inspect(&file, &[])?;
    assert_eq!(reading["level"], level, "{name}: {reading}");
    check_tokens(w, &reading, name);
    Some(reading)
}

fn check_tokens(w: &SignerWorld, reading: &Value, name: &str) {
    let ca = w.dir.path().join("ca");
    check_revocation_values(w, reading, name);
    for kind in ["signature_timestamps", "archive_timestamps"] {
        for t in reading[kind].as_array().unwrap() {
            assert_eq!(t["imprint"], t["token_imprint"], "{name} {kind}: {t}");
            let token = unb64(t["token"].as_str().unwrap());
            let (ok, out) = openssl_ts_verify_digest(
                &token,
                t["imprint"].as_str().unwrap(),
                &ca.join("root.pem"),
                &ca.join("issuing.pem"),
                w.dir.path(),
            );
            assert!(ok, "{name} {kind}: {out}");
        }
    }
}

/// Every OCSP response and CRL the signature carries (RevocationValues and
/// TimeStampValidationData) is verified by OpenSSL against the embedded CAs.
fn check_revocation_values(w: &SignerWorld, reading: &Value, name: &str) {
    let ca = w.dir.path().join("ca");
    let bundle = w.dir.path().join("ca-bundle.pem");
    let chain =
        [ca.join("root.pem"), ca.join("issuing.pem")].map(|p| std::fs::read_to_string(p).unwrap());
    std::fs::write(&bundle, chain.concat()).unwrap();
    let mut values = vec![reading["revocation_values"].clone()];
    values.extend(reading["timestamp_validation_data"].as_array().cloned().unwrap_or_default());
    for v in values {
        for (i, ocsp) in v["ocsps"].as_array().cloned().unwrap_or_default().iter().enumerate() {
            let f = write(
                w.dir.path(),
                &format!("{name}-ocsp-{i}.der"),
                &unb64(ocsp.as_str().unwrap()),
            );
            let (ok, out) =
                openssl(&["ocsp", "-respin", path(&f), "-CAfile", path(&bundle), "-resp_text"]);
            assert!(ok && out.contains("Response verify OK"), "{name} OCSP {i}: {out}");
        }
        for (i, crl) in v["crls"].as_array().cloned().unwrap_or_default().iter().enumerate() {
            let f =
                write(w.dir.path(), &format!("{name}-crl-{i}.der"), &unb64(crl.as_str().unwrap()));
            let (ok, out) = openssl(&[
                "crl",
                "-inform",
                "DER",
                "-in",
                path(&f),
                "-CAfile",
                path(&bundle),
                "-noout",
            ]);
            assert!(ok && out.contains("verify OK"), "{name} CRL {i}: {out}");
        }
    }
}

fn tamper(xml: &[u8], from: &str, to: &str) -> Vec<u8> {
    String::from_utf8(xml.to_vec()).unwrap().replacen(from, to, 1).into_bytes()
}

#[test]
fn two_steps_enveloped_b_lta_then_extended_again() {
    let w = world();
    let done = w.two_steps(json!({
        "credentialID": w.credential, "format": "xades", "level": "B-LTA",
        "document": b64(INVOICE.as_bytes()),
        "xades": { "commitmentType": "proof-of-approval", "signerRoles": ["Buyer"] },
    }));
    assert_eq!(done["level"], "B-LTA");
    let signed = xml_of(&done);
    let text = String::from_utf8(signed.clone()).unwrap();
    for part in [
        "SignatureTimeStamp",
        "CertificateValues",
        "RevocationValues",
        "ArchiveTimeStamp",
        "ProofOfApproval",
        "ClaimedRole>Buyer<",
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }
    let first = judge(&w, &signed, "B-LTA", "lta.xml");
    if let Some(r) = &first {
        // The signer's and the TSA's OCSP responses, and the CAs' CRLs.
        assert!(r["revocation_values"]["ocsps"].as_array().unwrap().len() >= 2, "{r}");
        assert!(!r["revocation_values"]["crls"].as_array().unwrap().is_empty(), "{r}");
    }
    // A changed amount breaks the signature for xmlsec1.
    let file = w.dir.path().join("tampered.xml");
    std::fs::write(&file, tamper(&signed, "99.00", "98.00")).unwrap();
    assert!(!xmlsec_verify(&file, &w.root(), &[]).0);
    // Renewal: fresh material for the archive time-stamp, then a second one over it.
    let (s, again) =
        w.api("/api/v1/signatures/extend", json!({ "document": b64(&signed), "level": "B-LTA" }));
    assert_eq!(s, 200, "{again}");
    let renewed = xml_of(&again);
    assert!(renewed.starts_with(&signed[..signed.len() - 40]) || renewed.len() > signed.len());
    if let (Some(first), Some(second)) = (first, judge(&w, &renewed, "B-LTA", "renewed.xml")) {
        assert_eq!(first["archive_timestamps"].as_array().unwrap().len(), 1);
        assert_eq!(second["archive_timestamps"].as_array().unwrap().len(), 2);
        assert_eq!(second["timestamp_validation_data"].as_array().unwrap().len(), 1, "{second}");
    }
}

#[test]
fn one_step_batch_and_stream_with_every_packaging() {
    let w = world();
    let a = INVOICE.as_bytes();
    let b = INVOICE.replace("INV-42", "INV-43").into_bytes();
    // A batch of two under one SAD for both documents, enveloped at B-T.
    let sad = w.sad_for(&[a, &b]);
    let body = json!({
        "credentialID": w.credential, "SAD": sad, "format": "xades", "level": "B-T",
        "documents": [{ "document": b64(a) }, { "document": b64(&b) }],
    });
    let (s, v) = w.api("/api/v1/documents/sign", body.clone());
    assert_eq!(s, 200, "{v}");
    for (i, d) in v["documents"].as_array().unwrap().iter().enumerate() {
        let xml = xml_of(d);
        judge(&w, &xml, "B-T", &format!("batch-{i}.xml"));
        let file = w.dir.path().join(format!("batch-{i}.xml"));
        if let Some(r) = signxml_verify(&file, &w.root(), true, Some(2)) {
            assert_eq!(r["valid"], true, "signxml: {r}");
        }
    }
    // The SAD is spent.
    let (s, v) = w.api("/api/v1/documents/sign", body);
    assert_eq!(s, 400, "{v}");
    // Enveloping, detached and an inclusive canonicalization, one document each.
    for (packaging, c14n, level) in
        [("enveloping", "inclusive", "B-LT"), ("detached", "exclusive", "B-B")]
    {
        let sad = w.sad_for(&[a]);
        let (s, v) = w.api(
            "/api/v1/documents/sign",
            json!({
                "credentialID": w.credential, "SAD": sad, "format": "xades", "level": level,
                "packaging": packaging, "xades": { "canonicalization": c14n, "documentUri": "invoice.xml" },
                "documents": [{ "document": b64(a) }],
            }),
        );
        assert_eq!(s, 200, "{packaging}: {v}");
        let xml = xml_of(&v["documents"][0]);
        std::fs::write(w.dir.path().join("invoice.xml"), a).unwrap();
        judge(&w, &xml, level, &format!("{packaging}.xml"));
    }
    // One document streamed as the body, the parameters in the query.
    let file = w.dir.path().join("stream.xml");
    std::fs::write(&file, a).unwrap();
    let sad = w.sad_for(&[a]);
    let (status, out) =
        stream(&w, &file, "format=xades&level=B-LTA&canonicalization=exclusive", &sad);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&out));
    judge(&w, &out, "B-LTA", "streamed.xml");
    // Past documents.max_bytes: 413 before the document is read any further.
    let big = w.dir.path().join("big.xml");
    let lines: String = (0..10_000).map(|i| format!("<Line n=\"{i}\">widget</Line>\n")).collect();
    std::fs::write(&big, format!("<Invoice>{lines}</Invoice>")).unwrap();
    let (status, out) = stream(&w, &big, "format=xades&level=B-B", &sad);
    assert_eq!(status, 413, "{}", String::from_utf8_lossy(&out));
}

fn stream(w: &SignerWorld, file: &Path, query: &str, sad: &str) -> (u16, Vec<u8>) {
    let out: PathBuf = file.with_extension("out");
    let o = std::process::Command::new("curl")
        .args(["-s", "-o", out.to_str().unwrap(), "-w", "%{http_code}", "-X", "POST"])
        .arg("--data-binary")
        .arg(format!("@{}", file.display()))
        .args(["-H", "Content-Type: application/xml"])
        .args(["-H", &format!("Authorization: Bearer {}", w.token)])
        .args(["-H", &format!("Signet-SAD: {sad}")])
        .arg(format!(
            "http://{}/api/v1/documents/sign?credentialID={}&{query}",
            w.server.addr, w.credential
        ))
        .output()
        .unwrap();
    let status: u16 = String::from_utf8_lossy(&o.stdout).trim().parse().unwrap();
    (status, std::fs::read(&out).unwrap_or_default())
}

#[test]
fn bad_xml_and_bad_options_are_refused_and_the_sad_stays_usable() {
    let w = world();
    let good = INVOICE.as_bytes();
    let sad = w.sad_for(&[good]);
    let call = |document: &[u8], xades: Value, packaging: Option<&str>| {
        let mut body = json!({
            "credentialID": w.credential, "SAD": sad, "format": "xades", "level": "B-B",
            "xades": xades, "documents": [{ "document": b64(document) }],
        });
        if let Some(p) = packaging {
            body["packaging"] = json!(p);
        }
        w.api("/api/v1/documents/sign", body)
    };
    let xxe =
        br#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#;
    let cases: Vec<(&[u8], Value, Option<&str>, &str)> = vec![
        (b"<r><unclosed></r>", json!({}), None, "XML"),
        (xxe, json!({}), None, "DTD"),
        (b"<r Id='a'><x Id='a'/></r>", json!({}), None, "Id"),
        (good, json!({ "canonicalization": "c14n-2.0" }), None, "canonicalization"),
        (good, json!({}), Some("wrapped"), "packaging"),
        (good, json!({ "parentId": "nowhere" }), None, "nowhere"),
        (good, json!({ "commitmentType": "because" }), None, "commitment"),
        (good, json!({ "unknown": 1 }), None, "unknown"),
    ];
    for (doc, xades, packaging, word) in cases {
        let (s, v) = call(doc, xades, packaging);
        assert_eq!(s, 400, "{word}: {v}");
        assert_eq!(v["error"], "invalid_request", "{word}: {v}");
        assert!(v["error_description"].as_str().unwrap().contains(word), "{word}: {v}");
    }
    // The SAD was not consumed by the refusals.
    let (s, v) = call(good, json!({}), None);
    assert_eq!(s, 200, "{v}");
    judge(&w, &xml_of(&v["documents"][0]), "B-B", "after.xml");
}

#[test]
fn foreign_xmldsig_signatures_are_extended_and_still_verify() {
    let w = world();
    let d = w.dir.path();
    let (key, cert) = (d.join("foreign.key"), d.join("foreign.pem"));
    let (ok, out) = openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-subj",
        "/CN=Foreign Signer/O=Elsewhere",
        "-days",
        "30",
        "-keyout",
        path(&key),
        "-out",
        path(&cert),
    ]);
    assert!(ok, "{out}");
    let doc = d.join("foreign-doc.xml");
    std::fs::write(&doc, INVOICE).unwrap();
    for tool in [xml::Tool::Xmlsec1, xml::Tool::Signxml] {
        let signed_file = d.join(format!("foreign-{tool:?}.xml"));
        let Some(r) = xml::foreign_sign(tool, &doc, &key, &cert, &signed_file, false) else {
            return;
        };
        assert_eq!(r["ok"], true, "{tool:?}: {r}");
        let signed = std::fs::read(&signed_file).unwrap();
        let mut current = signed.clone();
        for (round, level) in ["B-T", "B-LTA", "B-LTA"].iter().enumerate() {
            let (s, v) = w.api(
                "/api/v1/signatures/extend",
                json!({ "document": b64(&current), "level": level }),
            );
            assert_eq!(s, 200, "{tool:?} round {round}: {v}");
            current = xml_of(&v);
            let file = d.join(format!("foreign-{tool:?}-{round}.xml"));
            std::fs::write(&file, &current).unwrap();
            let (ok, out) = xmlsec_verify(&file, &cert, &[]);
            assert!(ok, "{tool:?} round {round}: {out}\n{}", String::from_utf8_lossy(&current));
            if let Some(reading) = xades_inspect(&file, &[]) {
                assert_eq!(reading["level"], *level, "{tool:?} round {round}: {reading}");
                check_tokens(&w, &reading, &format!("{tool:?} round {round}"));
            }
        }
        // What the foreign signer signed and wrote is still there byte for byte: the
        // document before its signature, and its ds:SignedInfo and ds:SignatureValue.
        let (original, current) =
            (String::from_utf8(signed).unwrap(), String::from_utf8(current).unwrap());
        let signature_at = original.find("Signature").unwrap();
        assert!(
            current.starts_with(&original[..signature_at - 4]),
            "{tool:?}: the document changed"
        );
        let info = &original
            [original.find("SignedInfo").unwrap()..original.rfind("SignatureValue>").unwrap()];
        assert!(current.contains(info), "{tool:?}: SignedInfo or SignatureValue changed");
    }
}
