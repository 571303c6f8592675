//! XAdES baseline levels B-B → B-T → B-LT → B-LTA → renewed B-LTA (ETSI EN 319 132-1,
//! levels in clause 6), judged by tools that share no code with Signet:
//!
//! - §5.3 `SignatureTimeStamp`, §5.4 `CertificateValues`/`RevocationValues`, §5.5.1
//!   `xadesv141:TimeStampValidationData` and §5.5.2 `xadesv141:ArchiveTimeStamp`: the
//!   imprint each token must carry is recomputed from the clauses by
//!   `tests/peers/xml_peer.py` (lxml) and each token is checked by `openssl ts -verify`
//!   against that imprint;
//! - the signature itself (XMLDSig core validation) by xmlsec1 and signxml at every
//!   level: augmentation only inserts unsigned properties, so `ds:SignedInfo` never changes;
//! - signatures made by xmlsec1 and signxml, extended by Signet;
//! - hostile XML (XXE, entity expansion, depth, duplicate `Id`s, attributes and namespace
//!   declarations, encodings, signature wrapping) refused before anything is produced;
//! - every canonicalization method on a document with a default namespace, `xml:lang`
//!   and comments.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::keys::{root_and_leaf, NOW};
use common::xml::{
    b64_decode, foreign_sign, have_xml_peer, have_xmlsec1, openssl_ts_verify_digest,
    signxml_verify, xades_inspect, xmlsec_verify, Tool,
};
use common::{hex, openssl, path, pem, write, Key, Pki, EC_SHA256};
use serde_json::Value;
use signet_ades::xades::{
    self, ArchiveImprint, ExternalReference, Packaging, XadesOptions, XadesRequest,
};
use signet_ades::xml::{Canonicalization, XmlLimits};
use signet_ades::AdesError;
use signet_crypto::soft::SoftModule;
use signet_pki::ocsp::{response_error, OcspErrorStatus};
use signet_types::HashAlgorithm::{Sha256, Sha384};
use signet_types::{KeyAlgorithm, SignatureAlgorithm};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A document with a default namespace, a prefixed one, `xml:lang`, comments, CDATA and
/// elements with `Id`s.
const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- an e-invoice -->
<Invoice xmlns="urn:signet:invoice" xmlns:cbc="urn:cbc" xml:lang="en">
  <!-- the header -->
  <cbc:ID>INV-7</cbc:ID>
  <Lines Id="lines"><Line n="1">Widget &amp; co</Line><Line n="2"><![CDATA[<b>x</b>]]></Line></Lines>
  <Total Id="total" currency="EUR">12.50</Total>
</Invoice>
"#;

/// A document without `xml:*` attributes or comments, which lxml (under the Python peer and
/// signxml) canonicalizes as the clauses say with every method (see test 5).
const PLAIN_DOC: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
    <Invoice xmlns=\"urn:signet:invoice\">\n  <Total currency=\"EUR\">12.50</Total>\n</Invoice>\n";

fn peers() -> bool {
    have_xmlsec1() && have_xml_peer()
}

// --- 1. B-B to renewed B-LTA, in every packaging ---------------------------------------------

/// Every stage of one signature.
struct Stages {
    b_t: Vec<u8>,
    b_lt: Vec<u8>,
    b_lta: Vec<u8>,
    renewed: Vec<u8>,
    first: ArchiveImprint,
    second: ArchiveImprint,
    /// The CRL of B-LT, and the fresh one of the renewal.
    crls: [Vec<u8>; 2],
}

/// Extends `b_b` with Signet's functions and `pki`'s TSA: a SHA-256 signature time-stamp;
/// `certificates` with the TSA's chain, a CRL and an OCSP response; a SHA-256 archive
/// time-stamp; then a fresh CRL (into TimeStampValidationData) and a SHA-384 one.
fn extend(
    pki: &Pki,
    b_b: &[u8],
    certificates: &[Vec<u8>],
    detached: &[(String, Vec<u8>)],
) -> Stages {
    let imprint = xades::signature_timestamp_imprint(b_b, Sha256).unwrap();
    let b_t =
        xades::add_signature_timestamp(b_b, &pki.token(Sha256, &imprint, pki.now + 10, 1)).unwrap();
    let mut certs = certificates.to_vec();
    certs.extend([pki.root.clone(), pki.tsa.clone()]);
    let (crl, ocsp) = (pki.crl(1, pki.now), response_error(OcspErrorStatus::TryLater));
    // In two steps: the second goes into the RevocationValues the first created.
    let b_lt = xades::add_validation_data(&b_t, &certs, std::slice::from_ref(&crl), &[]).unwrap();
    let b_lt = xades::add_validation_data(&b_lt, &[], &[], &[ocsp]).unwrap();
    let again = xades::add_validation_data(&b_lt, &certs, std::slice::from_ref(&crl), &[]).unwrap();
    assert_eq!(again, b_lt, "what the signature holds is not added twice");
    let first = xades::archive_timestamp_imprint(&b_lt, detached, Sha256).unwrap();
    let token = pki.token(Sha256, first.digest(), pki.now + 20, 2);
    let b_lta = xades::add_archive_timestamp(&b_lt, &token, &first).unwrap();
    assert_eq!(
        xades::add_validation_data(&b_lta, &[], std::slice::from_ref(&crl), &[]).unwrap(),
        b_lta
    );
    let fresh = pki.crl(2, pki.now + 30);
    let refreshed =
        xades::add_validation_data(&b_lta, &[], std::slice::from_ref(&fresh), &[]).unwrap();
    let second = xades::archive_timestamp_imprint(&refreshed, detached, Sha384).unwrap();
    let token = pki.token(Sha384, second.digest(), pki.now + 40, 3);
    let renewed = xades::add_archive_timestamp(&refreshed, &token, &second).unwrap();
    for (before, after) in [(b_b, &b_t), (&b_t, &b_lt), (&b_lt, &b_lta), (&b_lta, &renewed)] {
        assert_only_insertions(before, after);
        assert_eq!(signed_info(after), signed_info(b_b), "augmentation changed ds:SignedInfo");
    }
    Stages { b_t, b_lt, b_lta, renewed, first, second, crls: [crl, fresh] }
}

/// The judges of one signature's stages.
struct Judge<'a> {
    dir: &'a Path,
    /// The signer's trust anchor (PEM).
    root: PathBuf,
    /// The TSA's certificate and its root (PEM).
    tsa: PathBuf,
    tsa_root: PathBuf,
    peers: bool,
}

impl Judge<'_> {
    /// Signet's and the peers' reading of one stage: `level`, `counts` (signature and
    /// archive time-stamps); xmlsec1 verifies the signature; each token's imprint is the one
    /// the Python peer computes, and OpenSSL verifies the token over it. The peer's report.
    fn stage(
        &self,
        name: &str,
        xml: &[u8],
        level: &str,
        counts: (usize, usize),
        detached: &[(&str, &Path)],
    ) -> Option<Value> {
        let info = xades::inspect(xml).unwrap();
        assert_eq!(info.level(), level, "{name}: inspect().level()");
        let held = (info.signature_timestamps.len(), info.archive_timestamps.len());
        assert_eq!(held, counts, "{name}: time-stamps held");
        if !self.peers {
            return None;
        }
        let file = write(self.dir, &format!("{name}.xml"), xml);
        let (ok, out) = xmlsec_verify(&file, &self.root, &[]);
        assert!(ok, "{name}: xmlsec1 refused:\n{out}\n{}", String::from_utf8_lossy(xml));
        if level == "XMLDSig" {
            return None;
        }
        let report = xades_inspect(&file, detached).unwrap();
        assert_eq!(report["level"], level, "{name}: {report}");
        for (kind, n) in [("signature_timestamps", counts.0), ("archive_timestamps", counts.1)] {
            let tokens = report[kind].as_array().unwrap();
            assert_eq!(tokens.len(), n, "{name}: {kind}: {report}");
            for ts in tokens {
                self.token(&format!("{name} {kind}"), ts);
            }
        }
        Some(report)
    }

    /// The peer computed the imprint, the token carries it and `openssl ts` verifies it.
    fn token(&self, what: &str, ts: &Value) {
        assert!(ts["error"].is_null(), "{what}: {ts}");
        let imprint = ts["imprint"].as_str().unwrap_or_else(|| panic!("{what}: {ts}"));
        assert_eq!(ts["token_imprint"], imprint, "{what}: the token covers something else");
        let token = b64_decode(ts["token"].as_str().unwrap());
        let (ok, out) =
            openssl_ts_verify_digest(&token, imprint, &self.tsa_root, &self.tsa, self.dir);
        assert!(ok, "{what}: openssl ts -verify: {out}");
    }

    /// signxml's XAdESVerifier (`xades`) or XMLVerifier on `xml`, expecting every reference.
    fn signxml(&self, name: &str, xml: &[u8], xades: bool) -> (bool, String) {
        let file = write(self.dir, &format!("{name}-signxml.xml"), xml);
        let refs = xades::inspect(xml).unwrap().references;
        let v = signxml_verify(&file, &self.root, xades, Some(refs)).unwrap();
        (v["valid"] == true, v.to_string())
    }
}

/// The `ds:SignedInfo` element's text.
fn signed_info(xml: &[u8]) -> String {
    let s = std::str::from_utf8(xml).unwrap();
    let start = s.find("<ds:SignedInfo").expect("a ds:SignedInfo");
    let end = s[start..].find("</ds:SignedInfo>").unwrap() + start;
    s[start..end].to_string()
}

/// Every byte of `before` is in `after`, in order: augmentation only inserts.
fn assert_only_insertions(before: &[u8], after: &[u8]) {
    let mut rest = after.iter();
    let kept = before.iter().all(|b| rest.any(|a| a == b));
    assert!(kept && after.len() > before.len(), "augmentation changed existing bytes");
}

fn replace_once(xml: &[u8], from: &str, to: &str) -> Vec<u8> {
    let s = std::str::from_utf8(xml).unwrap();
    assert!(s.contains(from), "{from}");
    s.replacen(from, to, 1).into_bytes()
}

/// `xml` with one base64 character changed near the end of the first archive time-stamp's
/// token (inside its signature value: the token still parses).
fn corrupt_first_archive_timestamp(xml: &[u8]) -> Vec<u8> {
    let s = std::str::from_utf8(xml).unwrap();
    let ats = s.find("ArchiveTimeStamp").unwrap();
    let open = ats + s[ats..].find("EncapsulatedTimeStamp>").unwrap();
    let end = open + s[open..].find("</").unwrap();
    let at = end - 20;
    let c = if s.as_bytes()[at] == b'A' { "B" } else { "A" };
    format!("{}{c}{}", &s[..at], &s[at + 1..]).into_bytes()
}

#[test]
fn every_packaging_goes_from_b_b_to_a_renewed_b_lta_and_every_peer_agrees() {
    let pki = Pki::new();
    let peers = peers();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let root = pem(d, "root.pem", &pki.root);
    let j = Judge { dir: d, tsa: pem(d, "tsa.pem", &pki.tsa), tsa_root: root.clone(), root, peers };
    let contract = b"%PDF-1.7 the contract, signed detached\n".repeat(20);
    let contract_file = write(d, "contract.pdf", &contract);
    for packaging in [Packaging::Enveloped, Packaging::Enveloping, Packaging::Detached] {
        let name = packaging.name();
        let detached_ref = packaging == Packaging::Detached;
        let options = XadesOptions {
            packaging,
            external: if detached_ref {
                vec![ExternalReference {
                    uri: "contract.pdf".into(),
                    digest: signet_crypto::digest::digest(Sha256, &contract),
                    mime_type: Some("application/pdf".into()),
                }]
            } else {
                Vec::new()
            },
            commitment_type: Some("proof-of-approval".into()),
            ..XadesOptions::default()
        };
        let req = XadesRequest {
            document: (!detached_ref).then_some(DOC.as_bytes()),
            options: &options,
            algorithm: EC_SHA256,
            signer_certificate: &pki.leaf,
            chain: &[],
            signing_time: pki.now,
            signature_id: "sig-1",
            limits: XmlLimits::default(),
        };
        let b_b = xades::sign(&req, &pki.signer_key.signer(&pki.module, EC_SHA256)).unwrap();
        let (content, peer_content) = if detached_ref {
            (
                vec![("contract.pdf".to_string(), contract.clone())],
                vec![("contract.pdf", &*contract_file)],
            )
        } else {
            (Vec::new(), Vec::new())
        };
        let s = extend(&pki, &b_b, &[], &content);
        let at = |stage: &str| format!("{name}-{stage}");
        j.stage(&at("b-b"), &b_b, "B-B", (0, 0), &peer_content);
        j.stage(&at("b-t"), &s.b_t, "B-T", (1, 0), &peer_content);
        j.stage(&at("b-lt"), &s.b_lt, "B-LT", (1, 0), &peer_content);
        j.stage(&at("b-lta"), &s.b_lta, "B-LTA", (1, 1), &peer_content);
        let report = j.stage(&at("renewed"), &s.renewed, "B-LTA", (1, 2), &peer_content);
        let info = xades::inspect(&s.renewed).unwrap();
        assert_eq!(info.signer_certificate, pki.leaf);
        assert_eq!((info.crls.len(), info.ocsp_responses.len()), (2, 1));
        assert_eq!(info.external_references.len(), usize::from(detached_ref));
        let Some(report) = report else { continue };

        // The first archive time-stamp still carries the imprint it was made over; the
        // renewal is SHA-384; the fresh CRL went into TimeStampValidationData (§5.5.1).
        let ats = report["archive_timestamps"].as_array().unwrap();
        assert_eq!(ats[0]["imprint"], hex(s.first.digest()), "{name}: {report}");
        assert_eq!((&ats[0]["hash"], &ats[1]["hash"]), (&"sha256".into(), &"sha384".into()));
        assert_eq!(ats[1]["imprint"], hex(s.second.digest()), "{name}: {report}");
        let digests = report["reference_digests"].as_array().unwrap();
        assert!(digests.iter().all(|v| v == true), "{name}: {report}");
        let crl = |c: &[u8]| Value::from(common::xml::b64_encode(c));
        assert_eq!(report["revocation_values"]["crls"], Value::from(vec![crl(&s.crls[0])]));
        let ocsp = crl(&response_error(OcspErrorStatus::TryLater));
        assert_eq!(report["revocation_values"]["ocsps"], Value::from(vec![ocsp]), "{name}");
        let tsvd = report["timestamp_validation_data"].as_array().unwrap();
        assert_eq!(tsvd.len(), 1, "{name}: {report}");
        assert_eq!(tsvd[0]["crls"], Value::from(vec![crl(&s.crls[1])]), "{name}");
        let certs = report["certificate_values"].as_array().unwrap();
        assert!(certs.contains(&crl(&pki.tsa)) && certs.contains(&crl(&pki.root)), "{report}");

        // The second archive time-stamp covers the first: a changed byte in the first token
        // changes the imprint the second must carry, and its token no longer verifies.
        let corrupted = write(d, "corrupted.xml", &corrupt_first_archive_timestamp(&s.renewed));
        let changed = xades_inspect(&corrupted, &peer_content).unwrap();
        let second = &changed["archive_timestamps"][1];
        let imprint = second["imprint"].as_str().unwrap();
        assert_ne!(imprint, hex(s.second.digest()), "{name}: the renewal does not cover the first");
        let token = b64_decode(second["token"].as_str().unwrap());
        assert!(!openssl_ts_verify_digest(&token, imprint, &j.tsa_root, &j.tsa, d).0);

        // signxml's XAdESVerifier (it refuses external URIs: not for the detached one).
        if !detached_ref {
            for (stage, xml) in
                [("b-b", &b_b), ("b-t", &s.b_t), ("b-lt", &s.b_lt), ("renewed", &s.renewed)]
            {
                let (ok, why) = j.signxml(&at(stage), xml, true);
                assert!(ok, "{name} {stage}: signxml refused: {why}");
            }
        }
        // A one-byte change in what is signed: the data, or a signed property.
        let tampered = if detached_ref {
            std::fs::write(&contract_file, replace_once(&contract, "signed", "signef")).unwrap();
            s.renewed.clone()
        } else {
            replace_once(&s.renewed, "12.50", "12.51")
        };
        let signing_time = replace_once(&s.renewed, "<xades:SigningTime>2", "<xades:SigningTime>1");
        for (what, xml) in [("data", tampered), ("SigningTime", signing_time)] {
            let file = write(d, "tampered.xml", &xml);
            let (ok, out) = xmlsec_verify(&file, &j.root, &[]);
            assert!(!ok, "{name}: xmlsec1 accepted a changed {what}: {out}");
            if !detached_ref {
                let (ok, why) = j.signxml("tampered", &xml, true);
                assert!(!ok, "{name}: signxml accepted a changed {what}: {why}");
            }
        }
        std::fs::write(&contract_file, &contract).unwrap();
    }
}

// --- 2. RSA-PSS, RSA PKCS#1 v1.5 SHA-384, ECDSA P-384 ----------------------------------------

#[test]
fn pss_pkcs1_sha384_and_p384_signatures_verify_with_signxml() {
    if !peers() {
        return;
    }
    let (pki, dir) = (Pki::new(), tempfile::tempdir().unwrap());
    let d = dir.path();
    let tsa = pem(d, "tsa.pem", &pki.tsa);
    let tsa_root = pem(d, "tsa-root.pem", &pki.root);
    let cases = [
        (KeyAlgorithm::Rsa2048, SignatureAlgorithm::RsaPss(Sha256), false),
        (KeyAlgorithm::Rsa2048, SignatureAlgorithm::RsaPkcs1(Sha384), true),
        (KeyAlgorithm::EcP384, SignatureAlgorithm::Ecdsa(Sha384), true),
    ];
    for (key_alg, alg, xmlsec_knows) in cases {
        let module = SoftModule::from_master_key(&[5u8; 32]).unwrap();
        let key = Key::new(&module, key_alg, "signer");
        let (root, leaf) = root_and_leaf(&module, &key, "Ada Lovelace");
        let options = XadesOptions::default();
        let req = XadesRequest {
            document: Some(PLAIN_DOC.as_bytes()),
            options: &options,
            algorithm: alg,
            signer_certificate: &leaf,
            chain: &[],
            signing_time: NOW,
            signature_id: "sig-1",
            limits: XmlLimits::default(),
        };
        let signed = xades::sign(&req, &key.signer(&module, alg)).unwrap();
        assert_eq!(xades::inspect(&signed).unwrap().algorithm, Some(alg));
        let root_pem = pem(d, "root.pem", &root);
        let (tsa, tsa_root) = (tsa.clone(), tsa_root.clone());
        let j = Judge { dir: d, root: root_pem, tsa, tsa_root, peers: true };
        let (ok, why) = j.signxml("signed", &signed, true);
        assert!(ok, "{alg:?}: signxml refused: {why}\n{}", String::from_utf8_lossy(&signed));
        let tampered = replace_once(&signed, "12.50", "12.51");
        assert!(!j.signxml("tampered", &tampered, true).0, "{alg:?}: signxml accepted a change");
        let file = write(d, "signed.xml", &signed);
        let (ok, out) = xmlsec_verify(&file, &j.root, &[]);
        if xmlsec_knows {
            assert!(ok, "{alg:?}: xmlsec1 refused: {out}");
            let file = write(d, "tampered.xml", &tampered);
            assert!(!xmlsec_verify(&file, &j.root, &[]).0, "{alg:?}: xmlsec1 accepted a change");
        } else {
            // An ERROR on the unknown SignatureMethod, not a FAIL or a pass.
            let unknown = out.contains("xmlSecTransformIdListFindByHref")
                && out.contains(xades::signature_uri(alg));
            assert!(!ok && unknown, "xmlsec1 1.2.37 has no RSA-PSS: {out}");
        }
        // B-T, with the signature's hash (SHA-384 for the last two).
        let hash = xades::inspect(&signed).unwrap().timestamp_hash();
        let imprint = xades::signature_timestamp_imprint(&signed, hash).unwrap();
        let b_t = xades::add_signature_timestamp(&signed, &pki.token(hash, &imprint, pki.now, 1))
            .unwrap();
        let report = xades_inspect(&write(d, "b-t.xml", &b_t), &[]).unwrap();
        assert_eq!(report["level"], "B-T", "{report}");
        let ts = &report["signature_timestamps"][0];
        assert_eq!(ts["hash"], if hash == Sha384 { "sha384" } else { "sha256" }, "{ts}");
        j.token(&format!("{alg:?} B-T"), ts);
        let (ok, why) = j.signxml("b-t", &b_t, true);
        assert!(ok, "{alg:?} B-T: signxml refused: {why}");
    }
}

// --- 3. Signatures made by xmlsec1 and signxml, extended by Signet ---------------------------

fn ossl(args: &[&str]) {
    let (ok, out) = openssl(args);
    assert!(ok, "openssl {args:?}: {out}");
}

/// With `openssl` alone: a root (EC P-256) certifying `ec` (P-256) and `rsa` (RSA-2048),
/// each as `NAME.key` and `NAME.pem` in `d`.
fn openssl_pki(d: &Path) {
    let file = |name: &str| d.join(name);
    let ec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
    let rsa = ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"];
    for (name, alg) in [("root", ec), ("ec", ec), ("rsa", rsa)] {
        ossl(&[&["genpkey"][..], &alg, &["-out", path(&file(&format!("{name}.key")))]].concat());
    }
    let (root, root_key) = (file("root.pem"), file("root.key"));
    let ca = ["-addext", "basicConstraints=critical,CA:TRUE"];
    let usage = ["-addext", "keyUsage=critical,keyCertSign,cRLSign"];
    let subject = ["-subj", "/CN=Foreign Root/O=Signet Test", "-out", path(&root)];
    ossl(
        &[
            &["req", "-x509", "-new", "-key", path(&root_key), "-days", "30"][..],
            &ca,
            &usage,
            &subject,
        ]
        .concat(),
    );
    let ext = write(
        d,
        "signer.ext",
        b"basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n",
    );
    for (serial, name) in [("2", "ec"), ("3", "rsa")] {
        let (key, csr, cert) = (
            file(&format!("{name}.key")),
            file(&format!("{name}.csr")),
            file(&format!("{name}.pem")),
        );
        let subj = format!("/CN=Foreign {name}/O=Signet Test");
        ossl(&["req", "-new", "-key", path(&key), "-subj", &subj, "-out", path(&csr)]);
        let ca = ["-CA", path(&root), "-CAkey", path(&root_key), "-set_serial", serial];
        let out = ["-days", "30", "-extfile", path(&ext), "-out", path(&cert)];
        ossl(&[&["x509", "-req", "-in", path(&csr)][..], &ca, &out].concat());
    }
}

/// The DER of a PEM certificate.
fn der_of(pem_file: &Path) -> Vec<u8> {
    let out = pem_file.with_extension("der");
    ossl(&["x509", "-in", path(pem_file), "-outform", "DER", "-out", path(&out)]);
    std::fs::read(out).unwrap()
}

#[test]
fn signatures_made_by_xmlsec1_and_signxml_are_extended_to_a_renewed_b_lta() {
    if !peers() {
        return;
    }
    let (pki, dir) = (Pki::new(), tempfile::tempdir().unwrap());
    let d = dir.path();
    openssl_pki(d);
    let doc = write(d, "doc.xml", PLAIN_DOC.as_bytes());
    let (tsa, tsa_root) = (pem(d, "tsa.pem", &pki.tsa), pem(d, "tsa-root.pem", &pki.root));
    let j = Judge { dir: d, root: d.join("root.pem"), tsa, tsa_root, peers: true };
    let chain = [der_of(&j.root)];
    let cases = [
        (Tool::Xmlsec1, "rsa", false, "XMLDSig"),
        (Tool::Signxml, "ec", false, "XMLDSig"),
        (Tool::Signxml, "ec", true, "B-B"),
    ];
    for (tool, key, xades, level) in cases {
        let name = format!("{tool:?}-{key}{}", if xades { "-xades" } else { "" });
        let (key_file, cert) = (d.join(format!("{key}.key")), d.join(format!("{key}.pem")));
        let out = d.join(format!("{name}.xml"));
        let r = foreign_sign(tool, &doc, &key_file, &cert, &out, xades).unwrap();
        assert_eq!(r["ok"], true, "{name}: {r}");
        let b_b = std::fs::read(&out).unwrap();
        j.stage(&format!("{name}-b-b"), &b_b, level, (0, 0), &[]);
        let s = extend(&pki, &b_b, &chain, &[]);
        let at = |stage: &str| format!("{name}-{stage}");
        j.stage(&at("b-t"), &s.b_t, "B-T", (1, 0), &[]);
        j.stage(&at("b-lt"), &s.b_lt, "B-LT", (1, 0), &[]);
        j.stage(&at("b-lta"), &s.b_lta, "B-LTA", (1, 1), &[]);
        let report = j.stage(&at("renewed"), &s.renewed, "B-LTA", (1, 2), &[]).unwrap();
        let ats = report["archive_timestamps"].as_array().unwrap();
        assert_eq!(ats[0]["imprint"], hex(s.first.digest()), "{name}: {report}");
        assert_eq!(ats[1]["imprint"], hex(s.second.digest()), "{name}: {report}");
        assert_eq!(xades::inspect(&s.renewed).unwrap().signer_certificate, der_of(&cert));
        // The tool's own verifier still accepts its signature; a changed byte is refused.
        for (stage, xml) in [("b-t", &s.b_t), ("renewed", &s.renewed)] {
            let (ok, why) = j.signxml(&at(stage), xml, xades);
            assert!(ok, "{name} {stage}: signxml refused: {why}");
        }
        let tampered = write(d, "tampered.xml", &replace_once(&s.renewed, "12.50", "12.51"));
        assert!(!xmlsec_verify(&tampered, &j.root, &[]).0, "{name}: a change was accepted");
    }
}

// --- 4. Hostile XML ----------------------------------------------------------------------------

/// Signs `doc` as `options` say with the test PKI's signer (P-256).
fn sign_with(pki: &Pki, doc: &[u8], options: &XadesOptions) -> Result<Vec<u8>, AdesError> {
    let req = XadesRequest {
        document: Some(doc),
        options,
        algorithm: EC_SHA256,
        signer_certificate: &pki.leaf,
        chain: &[],
        signing_time: pki.now,
        signature_id: "sig-1",
        limits: XmlLimits::default(),
    };
    xades::sign(&req, &pki.signer_key.signer(&pki.module, EC_SHA256))
}

/// The message of an `InvalidDocument` error, or a panic naming what came instead.
fn invalid_document<T>(what: &str, r: Result<T, AdesError>) -> String {
    match r {
        Err(AdesError::InvalidDocument(m)) => m,
        Err(e) => panic!("{what}: expected InvalidDocument, got {e:?}"),
        Ok(_) => panic!("{what}: accepted"),
    }
}

/// `f`'s result and how long it took (printed, never asserted: machines differ).
#[allow(clippy::disallowed_methods)] // a duration measured by the test, not a domain clock
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

#[test]
fn hostile_documents_are_refused_before_anything_is_made() {
    let pki = Pki::new();
    let laughs = {
        let mut dtd = String::from("<!ENTITY lol0 \"lol\">");
        for i in 1..10 {
            dtd.push_str(&format!("<!ENTITY lol{i} \"{}\">", format!("&lol{};", i - 1).repeat(10)));
        }
        format!("<?xml version=\"1.0\"?><!DOCTYPE r [{dtd}]><r>&lol9;</r>")
    };
    let attributes = |n: usize| (0..n).map(|i| format!(" a{i}=\"{i}\"")).collect::<String>();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "XXE",
            br#"<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#.to_vec(),
            "document type declarations",
        ),
        ("billion laughs", laughs.into_bytes(), "document type declarations"),
        (
            "depth 10,000",
            format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000)).into(),
            "dep",
        ),
        (
            "duplicate Id",
            br#"<r><a Id="a"/><b Id="a"/></r>"#.to_vec(),
            "the Id `a` names more than one",
        ),
        (
            "Id and id",
            br#"<r><a Id="a"/><b id="a"/></r>"#.to_vec(),
            "the Id `a` names more than one",
        ),
        ("xml:id and ID", br#"<r><a xml:id="a"/><b ID="a"/></r>"#.to_vec(), "names more than one"),
        ("1,000 attributes", format!("<r{}/>", attributes(1000)).into_bytes(), "more than 256"),
        ("16,000 attributes", format!("<r{}/>", attributes(16_000)).into_bytes(), "more than 256"),
        (
            "ISO-8859-1 declared",
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r>caf</r>".to_vec(),
            "UTF-8",
        ),
        ("Latin-1 bytes", b"<?xml version=\"1.0\"?><r>caf\xe9</r>".to_vec(), "UTF-8"),
        ("UTF-16", "\u{feff}<r/>".encode_utf16().flat_map(u16::to_le_bytes).collect(), "UTF-8"),
        ("truncated", DOC.as_bytes()[..DOC.len() / 2].to_vec(), "XML"),
    ];
    for (what, doc, message) in cases {
        let ((signed, inspected), elapsed) =
            timed(|| (sign_with(&pki, &doc, &XadesOptions::default()), xades::inspect(&doc)));
        let (signed, inspected) =
            (invalid_document(what, signed), invalid_document(what, inspected));
        println!("{what}: refused in {elapsed:?} (sign and inspect): {signed}");
        for m in [signed, inspected] {
            assert!(m.contains(message), "{what}: `{m}` does not say `{message}`");
        }
    }

    // Signature wrapping: a detached signature naming an Id that two elements carry.
    let twice = br#"<r><a Id="a">pay 1</a><w><a Id="a">pay 1000</a></w><s Id="s"/></r>"#;
    let detached = |ids: &[&str], parent: Option<&str>| XadesOptions {
        packaging: Packaging::Detached,
        sibling_ids: ids.iter().map(|s| s.to_string()).collect(),
        parent_id: parent.map(str::to_owned),
        ..XadesOptions::default()
    };
    let m = invalid_document("wrapping", sign_with(&pki, twice, &detached(&["a"], Some("s"))));
    assert!(m.contains("the Id `a` names more than one"), "{m}");
    // The signature's place: an unknown parent, or inside the element it signs detached.
    let doc = br#"<r><a Id="a"><in Id="in"/></a><s Id="s"/></r>"#;
    for (ids, parent) in [(&["a"][..], Some("nowhere")), (&["a"], Some("in")), (&["a"], Some("a"))]
    {
        let r = sign_with(&pki, doc, &detached(ids, parent));
        assert!(matches!(r, Err(AdesError::InvalidRequest(_))), "{ids:?} in {parent:?}: {r:?}");
    }
    let unknown = XadesOptions { parent_id: Some("nowhere".into()), ..XadesOptions::default() };
    let r = sign_with(&pki, doc, &unknown);
    assert!(matches!(&r, Err(AdesError::InvalidRequest(m)) if m.contains("nowhere")), "{r:?}");
    assert!(sign_with(&pki, doc, &detached(&["a"], Some("s"))).is_ok());

    // A signed document wrapped afterwards (the signed element copied elsewhere under the
    // same Id) is neither read nor extended.
    let b_b = sign_with(&pki, doc, &detached(&["a"], Some("s"))).unwrap();
    let wrapped = replace_once(&b_b, "<s Id=\"s\">", "<s Id=\"s\"><a Id=\"a\">evil</a>");
    let imprint = xades::signature_timestamp_imprint(&b_b, Sha256).unwrap();
    let token = pki.token(Sha256, &imprint, pki.now, 1);
    invalid_document("wrapped: inspect", xades::inspect(&wrapped));
    invalid_document("wrapped: B-T", xades::add_signature_timestamp(&wrapped, &token));
    invalid_document(
        "wrapped: B-LT",
        xades::add_validation_data(&wrapped, std::slice::from_ref(&pki.tsa), &[], &[]),
    );
    invalid_document("wrapped: B-LTA", xades::archive_timestamp_imprint(&wrapped, &[], Sha256));
}

/// Namespace declarations are attributes in the document's syntax (XML 1.0 §3.1,
/// Namespaces in XML §3) and cost the parser as much: the cap counts them too.
#[test]
fn namespace_declarations_count_against_the_attribute_cap() {
    let pki = Pki::new();
    let namespaces: String = (0..1000).map(|i| format!(" xmlns:p{i}=\"urn:{i}\"")).collect();
    let doc = format!("<r{namespaces}><a/></r>");
    let (signed, elapsed) = timed(|| sign_with(&pki, doc.as_bytes(), &XadesOptions::default()));
    println!("1,000 namespace declarations: answered in {elapsed:?}");
    let m = invalid_document("1,000 namespace declarations", signed);
    assert!(m.contains("more than 256"), "{m}");
}

// --- 5. Canonicalization ----------------------------------------------------------------------

#[test]
fn every_canonicalization_verifies_on_a_document_with_namespaces_xml_lang_and_comments() {
    if !peers() {
        return;
    }
    let pki = Pki::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let root = pem(d, "root.pem", &pki.root);
    let (tsa, tsa_root) = (root.clone(), root.clone());
    let j = Judge { dir: d, root: root.clone(), tsa, tsa_root, peers: true };
    for c14n in [
        Canonicalization::Inclusive,
        Canonicalization::InclusiveWithComments,
        Canonicalization::Exclusive,
        Canonicalization::ExclusiveWithComments,
        Canonicalization::Inclusive11,
        Canonicalization::Inclusive11WithComments,
    ] {
        let options = XadesOptions { canonicalization: c14n, ..XadesOptions::default() };
        let signed = sign_with(&pki, DOC.as_bytes(), &options).unwrap();
        assert!(std::str::from_utf8(&signed).unwrap().contains(c14n.uri()));
        let file = write(d, &format!("{}.xml", c14n.name()), &signed);
        let (ok, out) = xmlsec_verify(&file, &root, &[]);
        assert!(ok, "{c14n:?}: xmlsec1 refused:\n{out}\n{}", String::from_utf8_lossy(&signed));
        // The peer's own dereferencing reproduces the document's digest.
        let report = xades_inspect(&file, &[]).unwrap();
        assert_eq!(report["reference_digests"][0], true, "{c14n:?}: {report}");
        // signxml differs from xmlsec1 and the clauses twice on this document: lxml drops
        // the xml:lang an inclusive method inherits from the root (C14N 1.0 §2.4), and it
        // keeps comments in the URI="" node-set, which XMLDSig §4.4.3.3 removes. It judges
        // every method on a document with neither, and this one with exclusive C14N.
        let plain = sign_with(&pki, PLAIN_DOC.as_bytes(), &options).unwrap();
        let judged =
            if c14n == Canonicalization::Exclusive { vec![&plain, &signed] } else { vec![&plain] };
        for xml in judged {
            let (ok, why) = j.signxml(c14n.name(), xml, true);
            assert!(ok, "{c14n:?}: signxml refused: {why}");
        }
        for (from, to) in [("12.50", "12.51"), ("xml:lang=\"en\"", "xml:lang=\"fr\"")] {
            let tampered = write(d, "tampered.xml", &replace_once(&signed, from, to));
            let (ok, out) = xmlsec_verify(&tampered, &root, &[]);
            assert!(!ok, "{c14n:?}: {from} → {to} still verifies: {out}");
        }
    }
}
