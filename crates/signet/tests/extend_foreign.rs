//! The Signature Update API on signatures made elsewhere, by keys of another PKI: an
//! OpenSSL CA hierarchy whose OCSP responder and CRLs are served on 127.0.0.1. OpenSSL
//! makes a CAdES signature and pyHanko a PAdES one; Signet extends both to B-LTA,
//! fetching the signer's validation material from that PKI's responders (AIA, CRLDP).
//! OpenSSL (`cms -verify -crl_check_all` with only the embedded CRLs), the independent
//! §5.5.3 archive check and pyHanko `adesverify` judge the results.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;
#[path = "../../signet-engine/tests/common/external_pki.rs"]
mod external_pki;
#[path = "../../signet-pki/tests/common/openssl_ca.rs"]
mod openssl_ca;
#[path = "../../signet-ades/tests/common/pdf.rs"]
#[allow(dead_code)]
mod pdf;

use common::signer::{b64, unb64};
use common::*;
use external_pki::{Servers, World as ExternalPki};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

/// Signet (allowed to fetch from loopback responders), a logged-in user, the roots of
/// both PKIs in one file.
struct Signet {
    dir: tempfile::TempDir,
    server: Server,
    token: String,
}

fn signet_with(pki: &ExternalPki) -> Signet {
    let listen = free_addr();
    let config = format!(
        "public_url = \"http://{listen}\"\n{FAST_CONFIG}[documents]\nfetch_private_addresses = true\n"
    );
    let dir = data_dir(&config);
    let d = dir.path();
    let server = Server::start_on(d, &listen);
    admin_json(d, &["user", "create", "ada", "--password-stdin"], "ada-password");
    admin_json(d, &["ca", "export", "--out", d.join("ca").to_str().unwrap()], "");
    let mut roots = std::fs::read_to_string(d.join("ca/root.pem")).unwrap();
    roots.push_str(&signet_pki::to_pem(&pki.root));
    std::fs::write(d.join("roots.pem"), roots).unwrap();
    std::fs::write(d.join("external-root.pem"), signet_pki::to_pem(&pki.root)).unwrap();
    let token = login(&server.addr, "ada", "ada-password");
    Signet { dir, server, token }
}

impl Signet {
    fn extend(&self, body: Value) -> Value {
        let (s, v) = http(
            &self.server.addr,
            "POST",
            "/api/v1/signatures/extend",
            Some(&self.token),
            Some(&body),
        );
        assert_eq!(s, 200, "{v}");
        v
    }
}

#[test]
fn an_openssl_cades_signature_of_another_pki_is_extended_to_b_lta() {
    let pki = ExternalPki::new();
    let mut servers = Servers::default();
    pki.start_http(&mut servers);
    pki.start_ocsp(&mut servers);
    let signet = signet_with(&pki);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data.txt");
    std::fs::write(&data, b"signed by a key Signet never saw\n".repeat(50)).unwrap();
    let sig = tmp.path().join("sig.p7s");
    let o = Command::new("openssl")
        .args(["cms", "-sign", "-cades", "-binary", "-outform", "DER", "-md", "sha256"])
        .arg("-in")
        .arg(&data)
        .arg("-signer")
        .arg(&pki.good.cert)
        .arg("-inkey")
        .arg(&pki.good.key)
        .arg("-out")
        .arg(&sig)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let v = signet.extend(json!({
        "signature": b64(&std::fs::read(&sig).unwrap()),
        "level": "B-LTA",
        "content": b64(&std::fs::read(&data).unwrap()),
    }));
    let extended = tmp.path().join("extended.p7s");
    std::fs::write(&extended, unb64(v["signature"].as_str().unwrap())).unwrap();
    // The chain verifies from what is inside the signature: the issuing CA was fetched
    // from caIssuers (OpenSSL's signature had only the signer's certificate).
    let o = Command::new("openssl")
        .args(["cms", "-verify", "-cades", "-binary", "-inform", "DER", "-purpose", "any"])
        .arg("-in")
        .arg(&extended)
        .arg("-content")
        .arg(&data)
        .arg("-CAfile")
        .arg(signet.dir.path().join("roots.pem"))
        .args(["-out", "/dev/null"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success() && text.contains("Verification successful"), "{text}");
    let printed =
        openssl(&["cms", "-cmsout", "-print", "-inform", "DER", "-in", extended.to_str().unwrap()]);
    assert!(printed.contains("Evidence HTTP Issuing CA"), "the fetched issuer is embedded");
    // The leaf's OCSP response (id-ri-ocsp-response) from the responder, the root's CRL for
    // the issuing CA from its distribution point.
    assert!(printed.contains("1.3.6.1.5.5.7.16.2"), "OCSP response missing: {printed}");
    let crls = printed.split("crls:").nth(1).unwrap_or_default();
    assert!(
        crls.contains("d.crl:") && crls.contains("CN=Evidence HTTP Root"),
        "the root's CRL missing: {printed}"
    );
    if let Some(python) = peers_python() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../signet-ades/tests/peers/cades_archive.py");
        let o = Command::new(python).arg(script).arg(&extended).arg(&data).output().unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{text}{}", String::from_utf8_lossy(&o.stderr));
        let tokens: Vec<Value> = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(tokens.len(), 1);
        assert_eq!(tokens[0]["computed"], tokens[0]["token"], "{text}");
    }
}

#[test]
fn a_pyhanko_pades_signature_of_another_pki_is_extended_to_b_lta() {
    let Some(bin) = pdf::venv_bin() else { return };
    let pki = ExternalPki::new();
    let mut servers = Servers::default();
    pki.start_http(&mut servers);
    pki.start_ocsp(&mut servers);
    let signet = signet_with(&pki);
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.pdf");
    std::fs::write(&input, pdf::sample_pdf(1, 0)).unwrap();
    let made = tmp.path().join("pyhanko.pdf");
    let o = Command::new(bin.join("pyhanko"))
        .args(["sign", "addsig", "--field", "Sig1", "--use-pades", "pemder", "--no-pass"])
        .arg("--key")
        .arg(&pki.good.key)
        .arg("--cert")
        .arg(&pki.good.cert)
        .arg("--chain")
        .arg(&pki.int.issued.cert)
        .arg(&input)
        .arg(&made)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let mut pdf_bytes = std::fs::read(&made).unwrap();
    for round in 0..2 {
        let v = signet.extend(json!({ "document": b64(&pdf_bytes), "level": "B-LTA" }));
        pdf_bytes = unb64(v["document"].as_str().unwrap());
        let file = tmp.path().join(format!("lta-{round}.pdf"));
        std::fs::write(&file, &pdf_bytes).unwrap();
        let o = Command::new(bin.join("pyhanko"))
            .args(["sign", "adesverify", "--executive-summary", "--trust-replace"])
            .arg("--trust")
            .arg(signet.dir.path().join("ca/root.pem"))
            .arg("--trust")
            .arg(signet.dir.path().join("external-root.pem"))
            .arg(&file)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        let verdicts = pdf::pyhanko_verdicts(&text);
        assert!(
            !verdicts.is_empty() && verdicts.iter().all(|l| l.ends_with(":VALID")),
            "round {round}: {text}{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}
