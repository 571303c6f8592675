//! Test fixtures: a `Signer` over aws-lc-rs keys (the soft crypto module stands behind the
//! same trait in production), a CA hierarchy issued through `signet_pki::issue`, and
//! OpenSSL — the independent peer that judges the certificates.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod tsa;

use aws_lc_rs::digest::{Digest, SHA256, SHA384, SHA512};
use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, KeyPair, RsaKeyPair};
use signet_crypto::{CryptoError, Signer};
use signet_pki::{issue, serial_from_random, IssueRequest, Issuer, PkiUrls, Profile, Subject};
use signet_types::{HashAlgorithm, SignatureAlgorithm};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// 2023-11-14T22:13:20Z; every fixture is valid from then.
pub const NOT_BEFORE: i64 = 1_700_000_000;
/// 2052-05-23: past 2049, so the root's notAfter is a GeneralizedTime.
pub const ROOT_NOT_AFTER: i64 = 2_600_000_000;
/// 2049-03-22: a UTCTime.
pub const CA_NOT_AFTER: i64 = 2_500_000_000;
/// 2046-01-20.
pub const EE_NOT_AFTER: i64 = 2_400_000_000;

pub const PUBLIC_URL: &str = "https://signet.example.org/";

pub enum Key {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

/// One key and the algorithm it signs with.
pub struct TestSigner {
    key: Key,
    algorithm: SignatureAlgorithm,
    spki: Vec<u8>,
}

impl TestSigner {
    pub fn rsa(size: KeySize, algorithm: SignatureAlgorithm) -> Self {
        let key = RsaKeyPair::generate(size).unwrap();
        let spki = key.public_key().as_der().unwrap().as_ref().to_vec();
        Self { key: Key::Rsa(key), algorithm, spki }
    }

    pub fn ec_p256() -> Self {
        Self::ec(&sig::ECDSA_P256_SHA256_ASN1_SIGNING, HashAlgorithm::Sha256)
    }

    pub fn ec_p384() -> Self {
        Self::ec(&sig::ECDSA_P384_SHA384_ASN1_SIGNING, HashAlgorithm::Sha384)
    }

    fn ec(alg: &'static sig::EcdsaSigningAlgorithm, hash: HashAlgorithm) -> Self {
        let key = EcdsaKeyPair::generate(alg).unwrap();
        let spki = AsDer::<PublicKeyX509Der>::as_der(key.public_key()).unwrap().as_ref().to_vec();
        Self { key: Key::Ec(key), algorithm: SignatureAlgorithm::Ecdsa(hash), spki }
    }

    pub fn spki(&self) -> &[u8] {
        &self.spki
    }
}

impl Signer for TestSigner {
    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }
    fn public_key(&self) -> &[u8] {
        &self.spki
    }
    fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.sign_with(self.algorithm, digest)
    }
}

/// A [`TestSigner`]'s key used with another algorithm (PSS instead of PKCS#1 v1.5), or
/// claiming an algorithm its key cannot make.
pub struct As<'a>(pub &'a TestSigner, pub SignatureAlgorithm);

impl Signer for As<'_> {
    fn algorithm(&self) -> SignatureAlgorithm {
        self.1
    }
    fn public_key(&self) -> &[u8] {
        &self.0.spki
    }
    fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.0.sign_with(self.1, digest)
    }
}

impl TestSigner {
    fn sign_with(
        &self,
        algorithm: SignatureAlgorithm,
        digest: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let fail = |_| CryptoError::Operation("test signer");
        let md = match algorithm.hash() {
            HashAlgorithm::Sha256 => &SHA256,
            HashAlgorithm::Sha384 => &SHA384,
            HashAlgorithm::Sha512 => &SHA512,
            HashAlgorithm::Sha1 => return Err(CryptoError::Operation("no SHA-1 in tests")),
        };
        let digest = Digest::import_less_safe(digest, md).map_err(fail)?;
        match &self.key {
            Key::Rsa(k) => {
                use HashAlgorithm::*;
                let padding: &'static dyn sig::RsaEncoding = match algorithm {
                    SignatureAlgorithm::RsaPkcs1(Sha256) => &sig::RSA_PKCS1_SHA256,
                    SignatureAlgorithm::RsaPkcs1(Sha384) => &sig::RSA_PKCS1_SHA384,
                    SignatureAlgorithm::RsaPkcs1(Sha512) => &sig::RSA_PKCS1_SHA512,
                    SignatureAlgorithm::RsaPss(Sha256) => &sig::RSA_PSS_SHA256,
                    SignatureAlgorithm::RsaPss(Sha384) => &sig::RSA_PSS_SHA384,
                    SignatureAlgorithm::RsaPss(Sha512) => &sig::RSA_PSS_SHA512,
                    _ => return Err(CryptoError::Operation("algorithm not for RSA")),
                };
                let mut out = vec![0; k.public_modulus_len()];
                k.sign_digest(padding, &digest, &mut out).map_err(fail)?;
                Ok(out)
            }
            Key::Ec(k) => Ok(k.sign_digest(&digest).map_err(fail)?.as_ref().to_vec()),
        }
    }
}

pub fn urls() -> PkiUrls {
    PkiUrls::new(PUBLIC_URL)
}

pub fn ca_subject(cn: &str) -> Subject {
    Subject {
        common_name: cn.into(),
        organization: Some("Signet Test TSP".into()),
        country: Some("BE".into()),
        ..Subject::default()
    }
}

pub fn natural_person() -> Subject {
    Subject {
        common_name: "Ada Lovelace".into(),
        given_name: Some("Ada".into()),
        surname: Some("Lovelace".into()),
        country: Some("GB".into()),
        email: Some("ada@example.org".into()),
        ..Subject::default()
    }
}

pub fn legal_person() -> Subject {
    Subject {
        common_name: "ACME Seal".into(),
        organization: Some("ACME SA".into()),
        country: Some("FR".into()),
        ..Subject::default()
    }
}

/// A fixed-per-test serial (randomness is the caller's job; here a counter suffices).
pub fn serial(n: u8) -> Vec<u8> {
    serial_from_random([n.wrapping_mul(37) | 0x40; 16])
}

/// Issues one certificate, panicking on error (fixtures only).
#[allow(clippy::too_many_arguments)]
pub fn issue_ok(
    profile: Profile,
    subject: &Subject,
    subject_key: &[u8],
    serial_n: u8,
    not_after: i64,
    issuer: Option<Issuer<'_>>,
    signer: &dyn Signer,
) -> Vec<u8> {
    let urls = urls();
    let s = serial(serial_n);
    let req = IssueRequest {
        profile,
        subject,
        subject_public_key: subject_key,
        serial: &s,
        not_before: NOT_BEFORE,
        not_after,
        issuer,
        urls: &urls,
        content: None,
    };
    issue(&req, signer).unwrap_or_else(|e| panic!("issuing {profile}: {e}"))
}

/// A root and an issuing CA with their signers.
pub struct Hierarchy {
    pub root: Vec<u8>,
    pub root_signer: TestSigner,
    pub issuing: Vec<u8>,
    pub issuing_signer: TestSigner,
}

pub const ROOT_ID: &str = "root-1";
pub const ISSUING_ID: &str = "issuing-1";

impl Hierarchy {
    pub fn new(root_signer: TestSigner, issuing_signer: TestSigner) -> Self {
        let root = issue_ok(
            Profile::RootCa,
            &ca_subject("Signet Test Root CA"),
            root_signer.spki(),
            1,
            ROOT_NOT_AFTER,
            None,
            &root_signer,
        );
        let issuing = issue_ok(
            Profile::IssuingCa,
            &ca_subject("Signet Test Issuing CA"),
            issuing_signer.spki(),
            2,
            CA_NOT_AFTER,
            Some(Issuer { certificate_der: &root, ca_id: ROOT_ID }),
            &root_signer,
        );
        Self { root, root_signer, issuing, issuing_signer }
    }

    /// Root EC P-384 (ECDSA-SHA384) → issuing CA RSA-3072 (RSA PKCS#1 v1.5 SHA-256),
    /// built once per test binary and never changed.
    pub fn ec_root_rsa_issuing() -> &'static Hierarchy {
        static H: OnceLock<Hierarchy> = OnceLock::new();
        H.get_or_init(|| {
            Hierarchy::new(
                TestSigner::ec_p384(),
                TestSigner::rsa(
                    KeySize::Rsa3072,
                    SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha256),
                ),
            )
        })
    }

    pub fn issuer(&self) -> Issuer<'_> {
        Issuer { certificate_der: &self.issuing, ca_id: ISSUING_ID }
    }

    /// Issues an end-entity certificate from the issuing CA.
    pub fn end_entity(
        &self,
        profile: Profile,
        subject: &Subject,
        key: &[u8],
        serial_n: u8,
    ) -> Vec<u8> {
        self.end_entity_signed(profile, subject, key, serial_n, &self.issuing_signer)
    }

    /// Same, with the issuing CA's key used through `signer` (e.g. [`As`] for PSS).
    pub fn end_entity_signed(
        &self,
        profile: Profile,
        subject: &Subject,
        key: &[u8],
        serial_n: u8,
        signer: &dyn Signer,
    ) -> Vec<u8> {
        issue_ok(profile, subject, key, serial_n, EE_NOT_AFTER, Some(self.issuer()), signer)
    }
}

/// Writes DER certificates as PEM files into `dir`.
pub fn write_pem(dir: &Path, name: &str, der: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, signet_pki::to_pem(der)).unwrap();
    path
}

/// Runs `/usr/bin/openssl` and returns (success, stdout + stderr).
pub fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("/usr/bin/openssl")
        .args(args)
        .output()
        .expect("OpenSSL (/usr/bin/openssl) must be installed for these tests");
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// `openssl verify` of `ee` up to `root`, through `issuing`, both plainly and with
/// `-x509_strict` (RFC 5280 profile checks: AKI/SKI presence, critical basicConstraints in
/// CAs, …). Returns both outputs.
pub fn verify(root: &Path, issuing: &Path, ee: &Path) -> [(bool, String); 2] {
    let (root, issuing, ee) =
        (root.to_str().unwrap(), issuing.to_str().unwrap(), ee.to_str().unwrap());
    [
        openssl(&["verify", "-CAfile", root, "-untrusted", issuing, ee]),
        openssl(&["verify", "-x509_strict", "-CAfile", root, "-untrusted", issuing, ee]),
    ]
}

pub fn assert_verifies(root: &Path, issuing: &Path, ee: &Path) {
    for (ok, text) in verify(root, issuing, ee) {
        assert!(
            ok && text.trim_end().ends_with(": OK"),
            "openssl verify of {}: {text}",
            ee.display()
        );
    }
}
