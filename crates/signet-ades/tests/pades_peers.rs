//! PAdES B-B signatures added by incremental update, judged by pyHanko (`sign validate`),
//! pdfsig and `qpdf --check`: invisible and visible, classic cross-reference tables and
//! cross-reference streams with object streams, a certification signature followed by an
//! approval signature, and the refusals (DocMDP P=1, not a PDF, truncated, broken xref,
//! encrypted).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::keys::{root_and_leaf, NOW};
use common::pdf::{
    pdfsig, pyhanko_validate, pyhanko_verdicts, qpdf_check, sample_pdf, with_object_streams,
};
use common::{pem, Key};
use signet_ades::pades::{self, Appearance, SignatureOptions};
use signet_ades::AdesError;
use signet_crypto::soft::SoftModule;
use signet_pki::cms::{signed_data, SignedAttributes, SignedDataParts, ID_DATA};
use signet_types::{HashAlgorithm, KeyAlgorithm, SignatureAlgorithm};

struct Signer {
    module: SoftModule,
    key: Key,
    leaf: Vec<u8>,
    root: Vec<u8>,
    algorithm: SignatureAlgorithm,
}

impl Signer {
    fn new(key_alg: KeyAlgorithm, algorithm: SignatureAlgorithm) -> Self {
        let module = SoftModule::from_master_key(&[9u8; 32]).unwrap();
        let key = Key::new(&module, key_alg, "signer");
        let (root, leaf) = root_and_leaf(&module, &key, "Ada Lovelace");
        Self { module, key, leaf, root, algorithm }
    }

    /// PAdES B-B: prepare, CAdES over the byte-range digest (no signing-time, EN 319 142-1
    /// §5.3), embed. Returns the whole signed file.
    fn sign(&self, pdf: &[u8], options: &SignatureOptions) -> Result<Vec<u8>, AdesError> {
        let mut prepared = pades::prepare_signature(&pdf.to_vec(), options, 8192)?;
        let hash = self.algorithm.hash();
        let digest = prepared.digest(&pdf.to_vec(), hash)?;
        let attributes = SignedAttributes::new(ID_DATA, &digest, &self.leaf, None).unwrap();
        let to_sign = attributes.digest(hash).unwrap();
        let signer = self.key.signer(&self.module, self.algorithm);
        let value = signet_crypto::Signer::sign_digest(&signer, &to_sign).unwrap();
        let cms = signed_data(&SignedDataParts {
            content_type: ID_DATA,
            content: None,
            signer_certificate: &self.leaf,
            certificates: &[&self.leaf],
            algorithm: self.algorithm,
            signed_attributes: &attributes,
            signature: &value,
        })
        .unwrap();
        prepared.embed(&cms)?;
        let mut out = pdf.to_vec();
        out.extend_from_slice(prepared.update());
        Ok(out)
    }
}

fn options() -> SignatureOptions {
    SignatureOptions {
        signing_time: NOW,
        reason: Some("I approve".into()),
        ..SignatureOptions::default()
    }
}

/// Every check the peers can make on `pdf` with `expected` signatures.
fn judge(pdf: &[u8], root: &[u8], expected: usize) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("signed.pdf");
    std::fs::write(&file, pdf).unwrap();
    let root_pem = pem(dir.path(), "root.pem", root);
    let (ok, out) = qpdf_check(&file);
    assert!(ok && out.contains("No syntax or stream encoding errors"), "qpdf: {out}");
    let out = pdfsig(&file, &root_pem, dir.path());
    assert_eq!(out.matches("Signature is Valid.").count(), expected, "pdfsig: {out}");
    assert!(
        out.contains("Total document signed"),
        "pdfsig: the last signature covers the file: {out}"
    );
    if let Some(out) = pyhanko_validate(&file, &root_pem, &[]) {
        let lines = pyhanko_verdicts(&out);
        assert_eq!(lines.len(), expected, "pyHanko: {out}");
        assert!(lines.iter().all(|l| l.ends_with(":VALID")), "pyHanko: {out}");
    }
}

#[test]
fn invisible_signature_on_a_classic_xref_file() {
    let s = Signer::new(KeyAlgorithm::Rsa2048, SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha256));
    let pdf = sample_pdf(2, 0);
    let signed = s.sign(&pdf, &options()).unwrap();
    assert!(signed.starts_with(&pdf), "the original bytes are untouched");
    judge(&signed, &s.root, 1);
    let sigs = pades::signatures(&signed).unwrap();
    assert_eq!(sigs.len(), 1);
    assert_eq!(sigs[0].field_name, "Signature1");
    assert_eq!(sigs[0].sub_filter, "ETSI.CAdES.detached");
}

#[test]
fn visible_signature_on_an_object_stream_file() {
    let s = Signer::new(KeyAlgorithm::EcP256, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256));
    let dir = tempfile::tempdir().unwrap();
    let pdf = with_object_streams(&sample_pdf(3, 0), dir.path());
    let o = SignatureOptions {
        signer_name: Some("Ada Lovelace".into()),
        location: Some("London".into()),
        contact_info: Some("ada@example.org".into()),
        appearance: Some(Appearance {
            page: 2,
            rect: [300.0, 100.0, 550.0, 160.0],
            lines: vec![
                "Signed by Ada Lovelace".into(),
                "2026-09-21 14:00 UTC".into(),
                "Reason: I approve (ok)".into(),
            ],
            image: None,
        }),
        ..options()
    };
    let signed = s.sign(&pdf, &o).unwrap();
    assert!(signed.starts_with(&pdf));
    judge(&signed, &s.root, 1);
}

#[test]
fn certification_then_approval_both_stay_valid() {
    let s = Signer::new(KeyAlgorithm::Rsa3072, SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256));
    let pdf = sample_pdf(1, 0);
    let certified = s.sign(&pdf, &SignatureOptions { certify: Some(2), ..options() }).unwrap();
    judge(&certified, &s.root, 1);
    let again = s.sign(&certified, &SignatureOptions { certify: Some(2), ..options() });
    assert!(matches!(again, Err(AdesError::InvalidRequest(m)) if m.contains("first signature")));
    let approved = s.sign(&certified, &options()).unwrap();
    assert!(approved.starts_with(&certified), "the first signature's bytes are untouched");
    judge(&approved, &s.root, 2);
    let sigs = pades::signatures(&approved).unwrap();
    assert_eq!(
        sigs.iter().map(|s| s.field_name.as_str()).collect::<Vec<_>>(),
        ["Signature1", "Signature2"]
    );
    assert_eq!(sigs[0].certification, Some(2));

    let locked = s.sign(&pdf, &SignatureOptions { certify: Some(1), ..options() }).unwrap();
    let refused = s.sign(&locked, &options());
    assert!(matches!(refused, Err(AdesError::InvalidRequest(m)) if m.contains("P=1")));
}

#[test]
fn a_changed_byte_breaks_the_signature() {
    let s = Signer::new(KeyAlgorithm::EcP256, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256));
    let pdf = sample_pdf(1, 0);
    let mut signed = s.sign(&pdf, &options()).unwrap();
    let at = signed.windows(8).position(|w| w == b"Contract").unwrap();
    signed[at] = b'K';
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tampered.pdf");
    std::fs::write(&file, &signed).unwrap();
    let root_pem = pem(dir.path(), "root.pem", &s.root);
    let out = pdfsig(&file, &root_pem, dir.path());
    assert!(!out.contains("Signature is Valid."), "pdfsig: {out}");
    if let Some(out) = pyhanko_validate(&file, &root_pem, &[]) {
        assert!(!out.contains(":VALID"), "pyHanko: {out}");
    }
}

#[test]
fn what_cannot_be_updated_safely_is_refused() {
    let s = Signer::new(KeyAlgorithm::EcP256, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256));
    let pdf = sample_pdf(1, 0);
    let refused = |doc: &[u8]| s.sign(doc, &options()).unwrap_err().to_string();

    assert!(refused(b"hello, not a pdf").contains("not a PDF"));
    assert!(refused(&pdf[..pdf.len() - 40]).contains("truncated"));
    // The catalog's xref entry points at the wrong object.
    let text = String::from_utf8_lossy(&pdf).into_owned();
    let first = text.find("0000000000 65535 f\r\n").unwrap() + 20;
    let mut broken = pdf.clone();
    broken[first..first + 10]
        .copy_from_slice(format!("{:010}", text.find("2 0 obj").unwrap()).as_bytes());
    assert!(refused(&broken).contains("cross-reference"), "{}", refused(&broken));
    // An /Encrypt entry in the trailer.
    let at = pdf.windows(11).rposition(|w| w == b"/Root 1 0 R").unwrap();
    let encrypted = [&pdf[..at], b"/Encrypt 3 0 R ", &pdf[at..]].concat();
    assert!(refused(&encrypted).contains("encrypted"));
    // A page that does not exist, a rectangle too small, bad DocMDP permissions.
    let visible = |page, rect| SignatureOptions {
        appearance: Some(Appearance { page, rect, lines: vec![], image: None }),
        ..options()
    };
    assert!(s
        .sign(&pdf, &visible(5, [0.0, 0.0, 100.0, 50.0]))
        .unwrap_err()
        .to_string()
        .contains("no page 5"));
    assert!(s.sign(&pdf, &visible(1, [0.0, 0.0, 1.0, 1.0])).is_err());
    assert!(s.sign(&pdf, &SignatureOptions { certify: Some(4), ..options() }).is_err());
}
