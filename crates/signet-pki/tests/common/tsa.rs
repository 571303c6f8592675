//! A time-stamping unit for the RFC 3161 tests: a TSA certificate and key under the
//! shared test hierarchy, the PEM files `openssl ts -verify` needs, in a directory of its
//! own, and helpers around `openssl ts`.

use super::{openssl, write_pem, Hierarchy, TestSigner};
use aws_lc_rs::rsa::KeySize;
use const_oid::ObjectIdentifier;
use signet_pki::tsp::{issue_token, TimeStampRequest, TokenParams};
use signet_pki::{Profile, Subject};
use signet_types::{HashAlgorithm, SignatureAlgorithm};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

pub const POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.1.1");
/// 2024-05-01T10:00:00Z.
pub const GEN_TIME: i64 = 1_714_557_600;

/// A TSA certificate and key under the shared test hierarchy, and the PEM files
/// `openssl ts -verify` needs, in a directory of its own.
pub struct Tsa {
    pub hierarchy: &'static Hierarchy,
    pub cert: Vec<u8>,
    pub signer: TestSigner,
    pub dir: TempDir,
    pub root_pem: PathBuf,
    pub untrusted_pem: PathBuf,
}

impl Tsa {
    pub fn new(signer: TestSigner) -> Self {
        let hierarchy = Hierarchy::ec_root_rsa_issuing();
        let subject = Subject {
            common_name: "Signet Test TSU 1".into(),
            organization: Some("Signet Test TSP".into()),
            country: Some("BE".into()),
            ..Subject::default()
        };
        let cert = hierarchy.end_entity(Profile::Tsa, &subject, signer.spki(), 30);
        let dir = tempfile::tempdir().unwrap();
        let root_pem = write_pem(dir.path(), "root.pem", &hierarchy.root);
        let untrusted_pem = dir.path().join("issuing_and_tsa.pem");
        let pems = signet_pki::to_pem(&hierarchy.issuing) + &signet_pki::to_pem(&cert);
        std::fs::write(&untrusted_pem, pems).unwrap();
        Self { hierarchy, cert, signer, dir, root_pem, untrusted_pem }
    }

    pub fn rsa() -> Self {
        Self::new(TestSigner::rsa(
            KeySize::Rsa2048,
            SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha256),
        ))
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `data` to `name` and has OpenSSL make a request for it.
    pub fn query(&self, name: &str, data: &[u8], args: &[&str]) -> (PathBuf, PathBuf) {
        let file = self.path(name);
        std::fs::write(&file, data).unwrap();
        let tsq = self.path(&format!("{name}.tsq"));
        let mut all = vec!["ts", "-query", "-data", s(&file), "-out", s(&tsq)];
        all.extend_from_slice(args);
        let (ok, text) = openssl(&all);
        assert!(ok, "openssl ts -query: {text}");
        (file, tsq)
    }

    pub fn params(&self) -> TokenParams<'_> {
        TokenParams {
            policy: POLICY,
            serial: &[0x01, 0x9f, 0x33, 0xc0, 0xde],
            gen_time: GEN_TIME,
            gen_time_millis: 250,
            accuracy_millis: Some(1_500),
            tsa_certificate: &self.cert,
            chain: &[],
            ordering: false,
        }
    }

    pub fn token(&self, req: &TimeStampRequest) -> Vec<u8> {
        let chain = [self.hierarchy.issuing.as_slice()];
        let params = TokenParams { chain: &chain, ..self.params() };
        issue_token(req, &params, &self.signer).unwrap()
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// `openssl ts -verify` of a response against data (`-data`) or a request
    /// (`-queryfile`).
    pub fn verify(&self, tsr: &Path, how: &str, input: &Path) -> (bool, String) {
        openssl(&[
            "ts",
            "-verify",
            how,
            s(input),
            "-in",
            s(tsr),
            "-CAfile",
            s(&self.root_pem),
            "-untrusted",
            s(&self.untrusted_pem),
        ])
    }

    pub fn assert_verifies(&self, tsr: &Path, file: &Path, tsq: &Path) {
        for (how, input) in [("-data", file), ("-queryfile", tsq)] {
            let (ok, text) = self.verify(tsr, how, input);
            assert!(ok && text.contains("Verification: OK"), "ts -verify {how}: {text}");
        }
    }
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

pub fn reply_text(tsr: &Path) -> String {
    let (ok, text) = openssl(&["ts", "-reply", "-in", s(tsr), "-text"]);
    assert!(ok, "openssl ts -reply: {text}");
    text
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
