//! The XML peers judged on signatures made without any Signet code: keys and certificates
//! from `openssl`, signatures from xmlsec1 and signxml, time-stamp tokens from `openssl ts
//! -reply`. Proves that the harness in `common/xml.rs` accepts what is right and refuses what
//! is not, before it judges Signet's XAdES signatures. Skips without the peers unless
//! `SIGNET_REQUIRE_PEERS=1`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::xml::{
    b64_decode, b64_encode, foreign_sign, have_xml_peer, have_xmlsec1, openssl_ts_verify_digest,
    signxml_verify, xades_inspect, xmlsec_verify, Tool,
};
use common::{hex, openssl, path, write};
use serde_json::Value;
use std::path::{Path, PathBuf};

const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
const DOC: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
    <doc xmlns=\"urn:signet:test\">\n  <item Id=\"i1\">Pay 100 EUR</item>\n</doc>\n";

fn peers() -> bool {
    have_xmlsec1() && have_xml_peer()
}

fn ossl(args: &[&str]) {
    let (ok, out) = openssl(args);
    assert!(ok, "openssl {args:?}: {out}");
}

/// A root (EC P-256) certifying a signer with an EC key, one with an RSA-2048 key, and a TSA.
fn pki(d: &Path) {
    let key = |name: &str, alg: &[&str]| {
        let out = d.join(format!("{name}.key"));
        ossl(&[&["genpkey"][..], alg, &["-out", path(&out)]].concat());
    };
    let ec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
    key("root", &ec);
    key("ec", &ec);
    key("tsa", &ec);
    key("rsa", &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]);
    let root_key = d.join("root.key");
    let root = d.join("root.pem");
    ossl(&[
        "req",
        "-x509",
        "-new",
        "-key",
        path(&root_key),
        "-subj",
        "/CN=XML Peers Root/O=Signet Test",
        "-days",
        "30",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-out",
        path(&root),
    ]);
    let signer = "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n\
                  subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n";
    let tsa = "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n\
               extendedKeyUsage=critical,timeStamping\nsubjectKeyIdentifier=hash\n\
               authorityKeyIdentifier=keyid\n";
    for (serial, name, ext) in [("2", "ec", signer), ("3", "rsa", signer), ("4", "tsa", tsa)] {
        let (k, csr) = (d.join(format!("{name}.key")), d.join(format!("{name}.csr")));
        let extfile = write(d, &format!("{name}.ext"), ext.as_bytes());
        let subj = format!("/CN=Peer {name}/O=Signet Test");
        ossl(&["req", "-new", "-key", path(&k), "-subj", &subj, "-out", path(&csr)]);
        let cert = d.join(format!("{name}.pem"));
        ossl(&[
            "x509",
            "-req",
            "-in",
            path(&csr),
            "-CA",
            path(&root),
            "-CAkey",
            path(&root_key),
            "-set_serial",
            serial,
            "-days",
            "30",
            "-extfile",
            path(&extfile),
            "-out",
            path(&cert),
        ]);
    }
    let conf = format!(
        "[tsa]\ndefault_tsa = t\n[t]\nserial = {}\ncrypto_device = builtin\n\
         signer_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256, sha384, sha512\n\
         accuracy = secs:1\nordering = no\ntsa_name = no\ness_cert_id_chain = no\n\
         ess_cert_id_alg = sha256\n",
        d.join("tsaserial").display()
    );
    write(d, "tsa.cnf", conf.as_bytes());
    write(d, "tsaserial", b"01\n");
}

/// A token from `openssl ts -reply` over a SHA-256 imprint.
fn token(d: &Path, imprint_hex: &str) -> Vec<u8> {
    let (q, t) = (d.join("q.tsq"), d.join("t.tst"));
    ossl(&["ts", "-query", "-digest", imprint_hex, "-sha256", "-cert", "-out", path(&q)]);
    let (conf, key, cert) = (d.join("tsa.cnf"), d.join("tsa.key"), d.join("tsa.pem"));
    ossl(&[
        "ts",
        "-reply",
        "-config",
        path(&conf),
        "-queryfile",
        path(&q),
        "-inkey",
        path(&key),
        "-signer",
        path(&cert),
        "-token_out",
        "-out",
        path(&t),
    ]);
    std::fs::read(&t).unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes).as_ref())
}

fn der(d: &Path, pem: &str) -> Vec<u8> {
    let out = d.join(format!("{pem}.der"));
    ossl(&["x509", "-in", path(&d.join(pem)), "-outform", "DER", "-out", path(&out)]);
    std::fs::read(out).unwrap()
}

/// Both verifiers' verdicts on `xml` with `root` trusted.
fn verdicts(xml: &Path, root: &Path, xades: bool, refs: Option<usize>) -> (bool, bool, String) {
    let (x, xout) = xmlsec_verify(xml, root, &[]);
    let s = signxml_verify(xml, root, xades, refs).unwrap();
    (x, s["valid"] == true, format!("xmlsec1: {xout}\nsignxml: {s}"))
}

#[test]
fn foreign_signatures_verify_and_tampering_or_a_wrong_root_is_refused() {
    if !peers() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pki(d);
    let (root, doc) = (d.join("root.pem"), write(d, "doc.xml", DOC.as_bytes()));
    let other_key = d.join("other.key");
    ossl(&["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", path(&other_key)]);
    let other = d.join("other.pem");
    ossl(&[
        "req",
        "-x509",
        "-new",
        "-key",
        path(&other_key),
        "-subj",
        "/CN=Other",
        "-out",
        path(&other),
    ]);
    for tool in [Tool::Xmlsec1, Tool::Signxml] {
        for key in ["ec", "rsa"] {
            let case = format!("{tool:?}/{key}");
            let out = d.join(format!("{tool:?}-{key}.xml"));
            let (k, c) = (d.join(format!("{key}.key")), d.join(format!("{key}.pem")));
            let r = foreign_sign(tool, &doc, &k, &c, &out, false).unwrap();
            assert_eq!(r["ok"], true, "{case}: {r}");
            let (x, s, why) = verdicts(&out, &root, false, Some(1));
            assert!(x && s, "{case} refused:\n{why}");
            let (x, s, why) = verdicts(&out, &other, false, Some(1));
            assert!(!x && !s, "{case} accepted under a foreign root:\n{why}");
            let signed = std::fs::read_to_string(&out).unwrap();
            assert!(signed.contains("Pay 100 EUR"));
            let tampered =
                write(d, "tampered.xml", signed.replace("Pay 100", "Pay 900").as_bytes());
            let (x, s, why) = verdicts(&tampered, &root, false, Some(1));
            assert!(!x && !s, "{case}: a tampered document was accepted:\n{why}");
        }
    }
}

/// A signxml XAdES B-B signature (EC), and its path.
fn xades_b_b(d: &Path) -> PathBuf {
    let doc = write(d, "doc.xml", DOC.as_bytes());
    let out = d.join("xades.xml");
    let r = foreign_sign(Tool::Signxml, &doc, &d.join("ec.key"), &d.join("ec.pem"), &out, true);
    assert_eq!(r.unwrap()["ok"], true);
    out
}

#[test]
fn a_signxml_xades_signature_is_accepted_and_read_as_b_b() {
    if !peers() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pki(d);
    let (xades, root) = (xades_b_b(d), d.join("root.pem"));
    // Data object, SignedProperties and KeyInfo: signxml's XAdESSigner signs three references.
    let (x, s, why) = verdicts(&xades, &root, true, Some(3));
    assert!(x && s, "{why}");
    assert_eq!(signxml_verify(&xades, &root, true, Some(2)).unwrap()["valid"], false);
    let i = xades_inspect(&xades, &[]).unwrap();
    assert_eq!(i["level"], "B-B", "{i}");
    assert_eq!(i["references"], 3);
    assert_eq!(i["reference_digests"], serde_json::json!([true, true, true]), "{i}");
    assert_eq!(i["signature_timestamps"], serde_json::json!([]));
    assert_eq!(i["archive_timestamps"], serde_json::json!([]));
}

/// `xml` with `props` as its xades:UnsignedSignatureProperties.
fn with_unsigned(xml: &str, props: &str) -> String {
    let end = "</xades:QualifyingProperties>";
    assert!(xml.contains(end), "{xml}");
    let usp = format!(
        "<xades:UnsignedProperties><xades:UnsignedSignatureProperties>{props}\
         </xades:UnsignedSignatureProperties></xades:UnsignedProperties>{end}"
    );
    xml.replace(end, &usp)
}

fn container(tag: &str, token: &[u8]) -> String {
    format!(
        "<{tag}><ds:CanonicalizationMethod Algorithm=\"{EXC_C14N}\"/>\
         <xades:EncapsulatedTimeStamp>{}</xades:EncapsulatedTimeStamp></{}>",
        b64_encode(token),
        tag.split(' ').next().unwrap()
    )
}

fn only(v: &Value, key: &str) -> Value {
    assert_eq!(v[key].as_array().map(Vec::len), Some(1), "{key}: {v}");
    v[key][0].clone()
}

#[test]
fn time_stamps_made_by_openssl_are_recomputed_and_checked() {
    if !peers() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pki(d);
    let (root, tsa) = (d.join("root.pem"), d.join("tsa.pem"));
    let b_b = std::fs::read_to_string(xades_b_b(d)).unwrap();

    // B-T. The SignatureTimeStamp input (§5.3) computed here without lxml: the exclusive
    // canonical form of <ds:SignatureValue> (no attributes, only its own namespace).
    let (open, close) = ("<ds:SignatureValue>", "</ds:SignatureValue>");
    let start = b_b.find(open).unwrap() + open.len();
    let value = &b_b[start..start + b_b[start..].find(close).unwrap()];
    let canonical = format!("<ds:SignatureValue xmlns:ds=\"{DS}\">{value}{close}");
    let sig_imprint = sha256_hex(canonical.as_bytes());
    let sig_ts = token(d, &sig_imprint);
    let sig_ts_el = container("xades:SignatureTimeStamp Id=\"ts-1\"", &sig_ts);
    let b_t = write(d, "b-t.xml", with_unsigned(&b_b, &sig_ts_el).as_bytes());
    let i = xades_inspect(&b_t, &[]).unwrap();
    assert_eq!(i["level"], "B-T", "{i}");
    let t = only(&i, "signature_timestamps");
    assert_eq!(t["hash"], "sha256");
    assert_eq!(t["imprint"], sig_imprint.as_str(), "{t}");
    assert_eq!(t["token_imprint"], sig_imprint.as_str());
    assert_eq!(b64_decode(t["token"].as_str().unwrap()), sig_ts);
    let (ok, out) = openssl_ts_verify_digest(&sig_ts, &sig_imprint, &root, &tsa, d);
    assert!(ok, "{out}");

    // B-LTA: CertificateValues, then an ArchiveTimeStamp. Its input does not include itself,
    // so a placeholder token first tells the imprint the real token must carry.
    let leaf = der(d, "ec.pem");
    let values = format!(
        "<xades:CertificateValues><xades:EncapsulatedX509Certificate>{}\
         </xades:EncapsulatedX509Certificate></xades:CertificateValues>",
        b64_encode(&leaf)
    );
    let ats_tag =
        "xadesv141:ArchiveTimeStamp xmlns:xadesv141=\"http://uri.etsi.org/01903/v1.4.1#\"";
    let lta = |tok: &[u8], values: &str| {
        with_unsigned(&b_b, &format!("{sig_ts_el}{values}{}", container(ats_tag, tok)))
    };
    let draft = write(d, "draft.xml", lta(&sig_ts, &values).as_bytes());
    let ats_imprint = only(&xades_inspect(&draft, &[]).unwrap(), "archive_timestamps")["imprint"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(ats_imprint, sig_imprint);
    let ats = token(d, &ats_imprint);
    let b_lta = write(d, "b-lta.xml", lta(&ats, &values).as_bytes());
    let i = xades_inspect(&b_lta, &[]).unwrap();
    assert_eq!(i["level"], "B-LTA", "{i}");
    assert_eq!(i["certificate_values"], serde_json::json!([b64_encode(&leaf)]));
    assert_eq!(only(&i, "signature_timestamps")["imprint"], sig_imprint.as_str());
    let a = only(&i, "archive_timestamps");
    assert_eq!(a["imprint"], ats_imprint.as_str(), "{a}");
    assert_eq!(a["token_imprint"], ats_imprint.as_str());
    let (ok, out) = openssl_ts_verify_digest(&ats, &ats_imprint, &root, &tsa, d);
    assert!(ok, "{out}");
    // Unsigned properties leave the signature itself valid for both verifiers.
    let (x, s, why) = verdicts(&b_lta, &root, true, Some(3));
    assert!(x && s, "{why}");

    // Changing a property the archive time-stamp covers changes the imprint it should carry.
    let root_values = values.replace(&b64_encode(&leaf), &b64_encode(&der(d, "root.pem")));
    let changed = write(d, "changed.xml", lta(&ats, &root_values).as_bytes());
    let a = only(&xades_inspect(&changed, &[]).unwrap(), "archive_timestamps");
    assert_ne!(a["imprint"], ats_imprint.as_str());
    let (ok, _) = openssl_ts_verify_digest(&ats, a["imprint"].as_str().unwrap(), &root, &tsa, d);
    assert!(!ok, "a token verified against the imprint of changed content");
}
