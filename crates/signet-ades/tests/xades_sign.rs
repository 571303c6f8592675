//! XAdES B-B (EN 319 132-1) in every packaging and with every kind of key, judged by
//! xmlsec1 (libxmlsec1, a C implementation that shares nothing with Signet): each
//! signature verifies against the test root, and a one-byte change in what it signs makes
//! xmlsec1 refuse it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::keys::{root_and_leaf, NOW};
use common::{pem, Key};
use signet_ades::xades::{self, ExternalReference, Packaging, XadesOptions, XadesRequest};
use signet_ades::xml::{Canonicalization, XmlLimits};
use signet_crypto::soft::SoftModule;
use signet_types::{HashAlgorithm, KeyAlgorithm, SignatureAlgorithm};
use std::path::Path;
use std::process::Command;

const INVOICE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- an e-invoice -->
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:cbc" xml:lang="en">
  <cbc:ID>INV-1</cbc:ID>
  <Lines Id="lines"><Line n="1">Widget &amp; co</Line><Line n="2"><![CDATA[<b>bold</b>]]></Line></Lines>
  <Total Id="total" currency="EUR">12.50</Total>
  <Empty/>
</Invoice>
"#;

struct Signer {
    module: SoftModule,
    key: Key,
    leaf: Vec<u8>,
    root: Vec<u8>,
}

impl Signer {
    fn new(key_alg: KeyAlgorithm) -> Self {
        let module = SoftModule::from_master_key(&[7u8; 32]).unwrap();
        let key = Key::new(&module, key_alg, "signer");
        let (root, leaf) = root_and_leaf(&module, &key, "Ada Lovelace");
        Self { module, key, leaf, root }
    }

    fn sign(
        &self,
        document: Option<&[u8]>,
        options: &XadesOptions,
        algorithm: SignatureAlgorithm,
    ) -> Result<Vec<u8>, signet_ades::AdesError> {
        let req = XadesRequest {
            document,
            options,
            algorithm,
            signer_certificate: &self.leaf,
            chain: &[],
            signing_time: NOW,
            signature_id: "sig-1",
            limits: XmlLimits::default(),
        };
        xades::sign(&req, &self.key.signer(&self.module, algorithm))
    }
}

/// `xmlsec1 --verify` with the root trusted: (verified, output).
pub fn xmlsec(dir: &Path, root: &[u8], xml: &[u8], id_attrs: &[&str]) -> (bool, String) {
    let root_pem = pem(dir, "root.pem", root);
    let file = dir.join("signed.xml");
    std::fs::write(&file, xml).unwrap();
    let mut cmd = Command::new("xmlsec1");
    cmd.arg("--verify").arg("--trusted-pem").arg(&root_pem);
    cmd.args(["--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties"]);
    for a in id_attrs {
        cmd.args(["--id-attr:Id", a]);
    }
    let o = cmd.arg(&file).current_dir(dir).output().expect("xmlsec1 runs");
    let text =
        format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    (o.status.success() && text.contains("OK"), text)
}

fn flip(xml: &[u8], from: &str, to: &str) -> Vec<u8> {
    let s = String::from_utf8(xml.to_vec()).unwrap();
    assert!(s.contains(from), "{from} in {s}");
    s.replacen(from, to, 1).into_bytes()
}

#[test]
fn enveloped_signatures_verify_for_every_key_type_and_canonicalization() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (KeyAlgorithm::EcP256, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256)),
        (KeyAlgorithm::EcP384, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha384)),
        (KeyAlgorithm::Rsa2048, SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha256)),
        (KeyAlgorithm::Rsa2048, SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha512)),
    ];
    for (key, alg) in cases {
        let s = Signer::new(key);
        for c14n in [
            Canonicalization::Exclusive,
            Canonicalization::Inclusive,
            Canonicalization::Inclusive11WithComments,
        ] {
            let options = XadesOptions { canonicalization: c14n, ..XadesOptions::default() };
            let signed = s.sign(Some(INVOICE.as_bytes()), &options, alg).unwrap();
            let (ok, out) = xmlsec(dir.path(), &s.root, &signed, &[]);
            assert!(ok, "{alg:?} {c14n:?}: {out}\n{}", String::from_utf8_lossy(&signed));
            // The document around the signature is byte for byte the original.
            let text = String::from_utf8(signed.clone()).unwrap();
            let start = text.find("<ds:Signature").unwrap();
            let end = text.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
            assert_eq!(format!("{}{}", &text[..start], &text[end..]), INVOICE);
            let (ok, out) = xmlsec(dir.path(), &s.root, &flip(&signed, "12.50", "12.51"), &[]);
            assert!(!ok, "a changed total still verifies: {out}");
        }
    }
}

#[test]
fn enveloping_and_detached_signatures_verify() {
    let dir = tempfile::tempdir().unwrap();
    let s = Signer::new(KeyAlgorithm::EcP256);
    let alg = SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256);
    // Enveloping XML.
    let options = XadesOptions { packaging: Packaging::Enveloping, ..XadesOptions::default() };
    let signed = s.sign(Some(INVOICE.as_bytes()), &options, alg).unwrap();
    let (ok, out) = xmlsec(dir.path(), &s.root, &signed, &[]);
    assert!(ok, "enveloping XML: {out}\n{}", String::from_utf8_lossy(&signed));
    assert!(!xmlsec(dir.path(), &s.root, &flip(&signed, "12.50", "12.51"), &[]).0);
    // Enveloping bytes (base64 transform).
    let signed = s.sign(Some(b"%PDF-1.7 not XML at all"), &options, alg).unwrap();
    let (ok, out) = xmlsec(dir.path(), &s.root, &signed, &[]);
    assert!(ok, "enveloping bytes: {out}\n{}", String::from_utf8_lossy(&signed));
    // Detached: elements of the document by Id.
    let options = XadesOptions {
        packaging: Packaging::Detached,
        sibling_ids: vec!["lines".into(), "total".into()],
        ..XadesOptions::default()
    };
    let signed = s.sign(Some(INVOICE.as_bytes()), &options, alg).unwrap();
    let id_attrs = [
        "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2:Lines",
        "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2:Total",
    ];
    let (ok, out) = xmlsec(dir.path(), &s.root, &signed, &id_attrs);
    assert!(ok, "detached by Id: {out}\n{}", String::from_utf8_lossy(&signed));
    assert!(!xmlsec(dir.path(), &s.root, &flip(&signed, "Widget", "Wodget"), &id_attrs).0);
    // Detached: an external file by URI and digest.
    let data = b"the contract, as a PDF";
    std::fs::write(dir.path().join("contract.pdf"), data).unwrap();
    let options = XadesOptions {
        packaging: Packaging::Detached,
        external: vec![ExternalReference {
            uri: "contract.pdf".into(),
            digest: signet_crypto::digest::digest(HashAlgorithm::Sha256, data),
            mime_type: Some("application/pdf".into()),
        }],
        ..XadesOptions::default()
    };
    let signed = s.sign(None, &options, alg).unwrap();
    let (ok, out) = xmlsec(dir.path(), &s.root, &signed, &[]);
    assert!(ok, "detached external: {out}\n{}", String::from_utf8_lossy(&signed));
    std::fs::write(dir.path().join("contract.pdf"), b"another contract").unwrap();
    assert!(!xmlsec(dir.path(), &s.root, &signed, &[]).0);
}
