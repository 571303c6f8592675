//! PAdES through the Document Signature API against `signet serve` (its OCSP responder
//! and TSA running, its certificates naming its own URL): prepare → CSC authorise the
//! DTBS/R → complete, at every level. pyHanko (`sign validate`, `sign adesverify`),
//! pdfsig and `qpdf --check` judge the results.
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

fn world() -> World {
    SignerWorld::start("rsa-2048", "")
}

/// prepare → authorise → complete; the signed PDF.
fn sign(w: &World, pdf: &[u8], level: &str, pades: Value) -> Vec<u8> {
    let (s, p) = w.api(
        "/api/v1/documents/prepare",
        json!({ "credentialID": w.credential, "format": "pades", "level": level, "document": b64(pdf), "pades": pades }),
    );
    assert_eq!(s, 201, "{p}");
    let sad = w.sad(&[p["hashes"][0].as_str().unwrap()]);
    let (s, done) = w.api(
        "/api/v1/documents/complete",
        json!({ "transactionID": p["transactionID"], "SAD": sad }),
    );
    assert_eq!(s, 200, "{done}");
    assert_eq!((done["format"].as_str(), done["level"].as_str()), (Some("pades"), Some(level)));
    assert_eq!(done["mediaType"], "application/pdf");
    unb64(done["document"].as_str().unwrap())
}

fn pyhanko(args: &[&str], file: &Path, root: &Path) -> Option<String> {
    let bin = pdf::venv_bin()?;
    let o = Command::new(bin.join("pyhanko"))
        .args(["sign"])
        .args(args)
        .args(["--executive-summary", "--trust-replace", "--trust"])
        .arg(root)
        .arg(file)
        .output()
        .unwrap();
    Some(format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
}

/// Every peer's judgement: `signatures` CAdES signatures, all valid (pdfsig cannot check
/// document time-stamps: pyHanko does); pyHanko with revocation checking against the
/// running OCSP responder.
fn judge(w: &World, signed: &[u8], signatures: usize, adesverify: bool) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("signed.pdf");
    std::fs::write(&file, signed).unwrap();
    if let Ok(keep) = std::env::var("SIGNET_KEEP_PDF") {
        std::fs::write(keep, signed).unwrap();
    }
    let (ok, out) = pdf::qpdf_check(&file);
    assert!(ok && out.contains("No syntax or stream encoding errors"), "qpdf: {out}");
    let out = pdf::pdfsig(&file, &w.root(), tmp.path());
    assert_eq!(out.matches("Signature is Valid.").count(), signatures, "pdfsig: {out}");
    // The last signature covers the whole file, unless a /DSS was added after it (B-LT).
    let dss_last = signed.windows(4).rposition(|w| w == b"/DSS")
        > signed.windows(10).rposition(|w| w == b"/ByteRange");
    assert_eq!(out.contains("Total document signed"), !dss_last, "pdfsig: {out}");
    let mut modes = vec!["validate"];
    if adesverify {
        modes.push("adesverify");
    }
    for mode in modes {
        if let Some(out) = pyhanko(&[mode], &file, &w.root()) {
            let verdicts = pdf::pyhanko_verdicts(&out);
            assert!(!verdicts.is_empty(), "pyHanko {mode}: {out}");
            assert!(verdicts.iter().all(|l| l.ends_with(":VALID")), "pyHanko {mode}: {out}");
        }
    }
}

#[test]
fn every_level_validates_and_keeps_the_original_bytes() {
    let w = world();
    let original = pdf::sample_pdf(2, 0);
    for level in ["B-B", "B-T", "B-LT", "B-LTA"] {
        let signed =
            sign(&w, &original, level, json!({ "reason": "I agree", "location": "London" }));
        assert!(signed.starts_with(&original), "{level}: the original bytes are untouched");
        let has = |s: &[u8]| signed.windows(s.len()).any(|w| w == s);
        assert!(has(b"/ETSI.CAdES.detached"), "{level}");
        assert_eq!(has(b"/DSS"), level >= "B-LT" && level != "B-T", "{level}: DSS");
        assert_eq!(has(b"/ETSI.RFC3161"), level == "B-LTA", "{level}: document time-stamp");
        judge(&w, &signed, 1, level == "B-LT" || level == "B-LTA");
    }
}

#[test]
fn visible_certification_then_a_second_signature() {
    let w = world();
    let tmp = tempfile::tempdir().unwrap();
    let original = pdf::with_object_streams(&pdf::sample_pdf(2, 0), tmp.path());
    let certified = sign(
        &w,
        &original,
        "B-T",
        json!({ "certify": 2, "reason": "Author", "visible": { "page": 1, "rect": [50, 50, 300, 110] } }),
    );
    judge(&w, &certified, 1, false);
    // DocMDP P=2 allows signing; pyHanko (stricter than Acrobat) only accepts an
    // invisible field after a certification signature.
    let second = sign(&w, &certified, "B-T", json!({ "fieldName": "Approval" }));
    assert!(second.starts_with(&certified), "the first signature's bytes are untouched");
    judge(&w, &second, 2, false);
}

#[test]
fn two_visible_approval_signatures_on_two_pages() {
    let w = world();
    let original = pdf::sample_pdf(2, 0);
    let first =
        sign(&w, &original, "B-B", json!({ "visible": { "page": 1, "rect": [50, 50, 300, 110] } }));
    let second = sign(
        &w,
        &first,
        "B-T",
        json!({ "visible": { "page": 2, "rect": [50, 700, 300, 760], "text": ["Approved", "by Ada"] } }),
    );
    assert!(second.starts_with(&first));
    judge(&w, &second, 2, false);
}

#[test]
fn documents_that_cannot_be_signed_are_refused_with_a_clear_error() {
    let w = world();
    let pdf = pdf::sample_pdf(1, 0);
    let prepare = |doc: &[u8], pades: Value| {
        w.api(
            "/api/v1/documents/prepare",
            json!({ "credentialID": w.credential, "format": "pades", "level": "B-B", "document": b64(doc), "pades": pades }),
        )
    };
    for (doc, pades, says) in [
        (b"plain text, no PDF".to_vec(), json!({}), "not a PDF"),
        (pdf[..pdf.len() - 30].to_vec(), json!({}), "truncated"),
        (pdf.clone(), json!({ "certify": 7 }), "DocMDP"),
        (pdf.clone(), json!({ "visible": { "page": 9, "rect": [0, 0, 100, 100] } }), "no page 9"),
        (
            pdf.clone(),
            json!({ "visible": { "page": 1, "rect": [0, 0, 100, 100], "image": b64(b"GIF89a") } }),
            "JPEG",
        ),
    ] {
        let (s, v) = prepare(&doc, pades);
        assert_eq!((s, v["error"].as_str()), (400, Some("invalid_request")), "{v}");
        assert!(v["error_description"].as_str().unwrap().contains(says), "{says}: {v}");
    }
    // A digest instead of the PDF, unknown options, options for the wrong format.
    for body in [
        json!({ "credentialID": w.credential, "format": "pades", "level": "B-B", "documentDigest": b64(&[0; 32]) }),
        json!({ "credentialID": w.credential, "format": "pades", "level": "B-B", "document": b64(&pdf), "pades": { "colour": 1 } }),
        json!({ "credentialID": w.credential, "format": "cades", "level": "B-B", "document": b64(&pdf), "pades": {} }),
    ] {
        let (s, v) = w.api("/api/v1/documents/prepare", body);
        assert_eq!((s, v["error"].as_str()), (400, Some("invalid_request")), "{v}");
    }
}

/// `POST /api/v1/signatures/extend` with a PDF; the extended PDF.
fn extend(w: &World, pdf: &[u8], level: &str) -> Vec<u8> {
    let (s, v) =
        w.api("/api/v1/signatures/extend", json!({ "document": b64(pdf), "level": level }));
    assert_eq!(s, 200, "{v}");
    assert_eq!((v["format"].as_str(), v["level"].as_str()), (Some("pades"), Some(level)), "{v}");
    unb64(v["document"].as_str().unwrap())
}

fn count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

#[test]
fn our_b_b_is_extended_to_b_lta_and_renewed() {
    let w = world();
    let signed = sign(&w, &pdf::sample_pdf(1, 0), "B-B", json!({}));
    let lta = extend(&w, &signed, "B-LTA");
    assert!(lta.starts_with(&signed), "extension only appends");
    // B-B had no time-stamp: a document time-stamp (B-T), the DSS, another (B-LTA).
    assert_eq!(count(&lta, b"/ETSI.RFC3161"), 2);
    judge(&w, &lta, 1, true);
    let renewed = extend(&w, &lta, "B-LTA");
    assert!(renewed.starts_with(&lta));
    assert_eq!(count(&renewed, b"/ETSI.RFC3161"), 3, "archival renewal adds a document time-stamp");
    judge(&w, &renewed, 1, true);
}

#[test]
fn a_pyhanko_made_signature_is_extended_to_b_lta() {
    let Some(python) = peers_python() else { return };
    let w = world();
    let tmp = tempfile::tempdir().unwrap();
    let made = tmp.path().join("pyhanko.pdf");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/peers/csc_pyhanko.py");
    let out = Command::new(python)
        .arg(script)
        .args([
            "--url",
            &format!("http://{}", w.server.addr),
            "--user",
            "ada",
            "--password",
            "ada-password",
        ])
        .args(["--pin", "123456", "--credential", &w.credential, "--pades"])
        .arg("--root")
        .arg(w.root())
        .arg("--output")
        .arg(&made)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let b_b = std::fs::read(&made).unwrap();
    let lt = extend(&w, &b_b, "B-LT");
    judge(&w, &lt, 1, true);
    let lta = extend(&w, &lt, "B-LTA");
    judge(&w, &lta, 1, true);
    let renewed = extend(&w, &lta, "B-LTA");
    judge(&w, &renewed, 1, true);
}

#[test]
fn extension_refuses_what_it_cannot_extend() {
    let w = world();
    for (body, says) in [
        (json!({ "document": b64(&pdf::sample_pdf(1, 0)), "level": "B-LT" }), "no signature"),
        (json!({ "document": b64(&pdf::sample_pdf(1, 0)), "level": "B-B" }), "B-T, B-LT or B-LTA"),
        (json!({ "signature": b64(b"not a CMS"), "level": "B-T" }), "CMS"),
        (json!({ "level": "B-T" }), "either document"),
        (json!({ "document": "!!", "level": "B-T" }), "base64"),
    ] {
        let (s, v) = w.api("/api/v1/signatures/extend", body);
        assert_eq!((s, v["error"].as_str()), (400, Some("invalid_request")), "{v}");
        assert!(v["error_description"].as_str().unwrap().contains(says), "{says}: {v}");
    }
}

/// Renders page `page` of `pdf` at 72 dpi in grey (poppler's pdftoppm): width, height, pixels.
fn render(pdf: &[u8], page: u32) -> (usize, usize, Vec<u8>) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("in.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = tmp.path().join("page");
    let p = page.to_string();
    let s = Command::new("pdftoppm")
        .args(["-gray", "-r", "72", "-singlefile", "-f", &p, "-l", &p])
        .arg(&file)
        .arg(&out)
        .status()
        .unwrap();
    assert!(s.success());
    let pgm = std::fs::read(tmp.path().join("page.pgm")).unwrap();
    // P5 header: "P5\nW H\n255\n".
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        let end = at + pgm[at..].iter().position(|b| b.is_ascii_whitespace()).unwrap();
        fields.push(String::from_utf8_lossy(&pgm[at..end]).into_owned());
        at = end + 1;
    }
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, pgm[at..].to_vec())
}

/// How many pixels darker than mid-grey lie inside `rect` (PDF points, origin bottom left).
fn dark_pixels(image: &(usize, usize, Vec<u8>), rect: [usize; 4]) -> usize {
    let (w, h, px) = image;
    let [x1, y1, x2, y2] = rect;
    (h - y2..h - y1).flat_map(|y| (x1..x2).map(move |x| y * w + x)).filter(|i| px[*i] < 128).count()
}

#[test]
fn a_visible_signature_with_an_image_is_drawn_where_asked() {
    let w = world();
    let original = pdf::sample_pdf(1, 0);
    // A real JPEG: the page itself, rendered small by poppler.
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src.pdf");
    std::fs::write(&src, &original).unwrap();
    let s = Command::new("pdftoppm")
        .args(["-jpeg", "-r", "20", "-singlefile"])
        .arg(&src)
        .arg(tmp.path().join("logo"))
        .status()
        .unwrap();
    assert!(s.success());
    let jpeg = std::fs::read(tmp.path().join("logo.jpg")).unwrap();
    let rect = [300, 100, 560, 180];
    let signed = sign(
        &w,
        &original,
        "B-T",
        json!({ "reason": "Approved", "location": "London",
                "visible": { "page": 1, "rect": rect, "image": b64(&jpeg) } }),
    );
    judge(&w, &signed, 1, false);
    let before = render(&original, 1);
    let after = render(&signed, 1);
    assert_eq!(dark_pixels(&before, rect), 0, "the area was blank");
    assert!(
        dark_pixels(&after, rect) > 200,
        "the signature's text, frame and image are drawn there"
    );
    // Nothing was drawn elsewhere: the page's own text is where it was.
    assert_eq!(dark_pixels(&before, [0, 700, 595, 842]), dark_pixels(&after, [0, 700, 595, 842]));
}
