//! The peers that judge XML signatures (XAdES, EN 319 132-1): xmlsec1, signxml, and
//! `tests/peers/xml_peer.py` (an independent reading of the time-stamps' message imprints),
//! plus `openssl ts -verify` on a precomputed imprint. Every peer is optional unless
//! `SIGNET_REQUIRE_PEERS=1` (the project's test script), as in `pdf.rs`.

use super::{openssl, path, peers_python, write};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The namespace of XAdES 1.3.2 elements (`SignedProperties` carries the `Id` that
/// `ds:Reference URI="#…"` points at).
pub const XADES_NS: &str = "http://uri.etsi.org/01903/v1.3.2#";

fn run(cmd: &mut Command) -> (bool, String) {
    let o = cmd.output().expect("the peer runs");
    (
        o.status.success(),
        format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)),
    )
}

/// Whether `xmlsec1` is installed (required under `SIGNET_REQUIRE_PEERS=1`).
pub fn have_xmlsec1() -> bool {
    if Command::new("xmlsec1").arg("--version").output().is_ok_and(|o| o.status.success()) {
        return true;
    }
    assert!(
        std::env::var("SIGNET_REQUIRE_PEERS").as_deref() != Ok("1"),
        "SIGNET_REQUIRE_PEERS=1 but xmlsec1 is missing (apt-get install xmlsec1)"
    );
    eprintln!("skipped xmlsec1: not installed");
    false
}

/// `xmlsec1 --verify` with `root` as the only trust anchor: (verdict, output).
///
/// The key must come from a certificate (`--enabled-key-data x509`: a bare ds:KeyValue is
/// not trusted) whose chain reaches `root` through the certificates in ds:KeyInfo/ds:X509Data,
/// at the current time unless `extra` has `--verification-gmt-time "YYYY-MM-DD HH:MM:SS"`.
/// `Id` attributes inside ds:Signature are registered as XML IDs by xmlsec1 itself; the
/// `--id-attr` for xades:SignedProperties also covers a QualifyingProperties kept elsewhere.
/// xmlsec1 prints "OK" (exit 0), "FAIL" (a digest or the signature value does not match,
/// exit 1) or "ERROR" (key not found or not trusted, unknown algorithm, exit 1).
/// xmlsec1 opens a relative reference URI (a detached signature's `URI="data.pdf"`) from
/// its working directory, not the document's: it runs in the directory of `xml`.
pub fn xmlsec_verify(xml: &Path, root_pem: &Path, extra: &[&str]) -> (bool, String) {
    let id_attr = format!("{XADES_NS}:SignedProperties");
    let (xml, root_pem) = (absolute(xml), absolute(root_pem));
    let (ok, out) = run(Command::new("xmlsec1")
        .args(["--verify", "--enabled-key-data", "x509", "--trusted-pem"])
        .arg(root_pem)
        .args(["--id-attr:Id", &id_attr])
        .args(extra)
        .arg(&xml)
        .current_dir(xml.parent().expect("a file in a directory")));
    (ok && out.lines().any(|l| l.trim() == "OK"), out)
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).expect("a path")
}

/// Whether the peers venv has what `xml_peer.py` imports (lxml, signxml, asn1crypto);
/// required under `SIGNET_REQUIRE_PEERS=1`.
pub fn have_xml_peer() -> bool {
    let Some(python) = peers_python() else { return false };
    let ok = Command::new(python)
        .args(["-c", "import lxml, signxml.xades, asn1crypto.tsp"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok || std::env::var("SIGNET_REQUIRE_PEERS").as_deref() != Ok("1"),
        "SIGNET_REQUIRE_PEERS=1 but the peers venv lacks signxml/lxml (run scripts/test)"
    );
    if !ok {
        eprintln!("skipped the XML peer: no signxml/lxml in the peers venv");
    }
    ok
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/peers/xml_peer.py")
}

/// Runs one subcommand of `xml_peer.py`: its JSON answer, or None without the peers venv.
/// Panics when the script did not run (usage error, crash).
pub fn xml_peer(args: &[&str]) -> Option<Value> {
    let python = peers_python()?;
    let o = Command::new(python).arg(script()).args(args).output().expect("python runs");
    let (stdout, stderr) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "xml_peer.py {args:?} failed: {stdout}{stderr}");
    Some(serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}")))
}

/// signxml's verdict (`XMLVerifier`, or `XAdESVerifier` when `xades`): `{"valid", "error",
/// "references"}`. `expect_references` counts every ds:Reference, the SignedProperties one
/// included; None accepts any number. See the script's docstring for what signxml checks.
pub fn signxml_verify(
    xml: &Path,
    root_pem: &Path,
    xades: bool,
    expect_references: Option<usize>,
) -> Option<Value> {
    let n = expect_references.map(|n| n.to_string());
    let mut args = vec!["signxml-verify", "--xml", path(xml), "--ca", path(root_pem)];
    if xades {
        args.push("--xades");
    }
    if let Some(n) = &n {
        args.extend(["--expect-references", n]);
    }
    xml_peer(&args)
}

/// The tool that makes a foreign signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Signxml,
    Xmlsec1,
}

/// A foreign enveloped signature of `xml` (signxml `XMLSigner`/`XAdESSigner`, or an xmlsec1
/// template): `{"ok", "error"}`. RSA keys sign rsa-sha256, EC keys ecdsa-sha256.
pub fn foreign_sign(
    tool: Tool,
    xml: &Path,
    key_pem: &Path,
    cert_pem: &Path,
    out: &Path,
    xades: bool,
) -> Option<Value> {
    let tool = match tool {
        Tool::Signxml => "signxml",
        Tool::Xmlsec1 => "xmlsec1",
    };
    let mut args = vec!["sign", "--tool", tool, "--xml", path(xml), "--key", path(key_pem)];
    args.extend(["--cert", path(cert_pem), "--out", path(out)]);
    if xades {
        args.push("--xades");
    }
    xml_peer(&args)
}

/// The independent reading of a XAdES signature: its time-stamps with the imprint each one
/// should carry (EN 319 132-1 §5.3, §5.5.2), validation data and level. `detached` maps a
/// ds:Reference URI to the file holding the bytes it points at.
pub fn xades_inspect(xml: &Path, detached: &[(&str, &Path)]) -> Option<Value> {
    let pairs: Vec<String> = detached.iter().map(|(u, f)| format!("{u}={}", path(f))).collect();
    let mut args = vec!["xades-inspect", "--xml", path(xml)];
    for p in &pairs {
        args.extend(["--detached", p]);
    }
    xml_peer(&args)
}

/// `openssl ts -verify` of a time-stamp token against the imprint it should carry
/// (`imprint_hex`, e.g. from [`xades_inspect`]): the token's signature, its TSA certificate
/// chain to `root_pem` (`tsa_pem`: the TSA certificate, if the token may lack it) and the
/// imprint. (verdict, output); the verdict needs "Verification: OK".
pub fn openssl_ts_verify_digest(
    token_der: &[u8],
    imprint_hex: &str,
    root_pem: &Path,
    tsa_pem: &Path,
    dir: &Path,
) -> (bool, String) {
    let token = write(dir, "xml-peer-token.tst", token_der);
    let (ok, out) = openssl(&[
        "ts",
        "-verify",
        "-digest",
        imprint_hex,
        "-in",
        path(&token),
        "-token_in",
        "-CAfile",
        path(root_pem),
        "-untrusted",
        path(tsa_pem),
    ]);
    (ok && out.contains("Verification: OK"), out)
}

/// Standard base64 with padding (the XML peers' encoding of DER values).
pub fn b64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes standard base64, ignoring white space.
pub fn b64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    let compact: String = s.split_whitespace().collect();
    base64::engine::general_purpose::STANDARD.decode(compact).expect("base64")
}
