//! Shared by the signet-ades integration tests. A test PKI for the CAdES augmentation tests: one root (EC P-256) that certifies a
//! signer and a TSA, keys in the soft crypto module, time from `date +%s`; and the
//! helpers that run the independent tools (OpenSSL, the peers' Python).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod keys;
pub mod pdf;
pub mod xml;

use signet_crypto::soft::SoftModule;
use signet_crypto::{CryptoModule, KeyBinding, ModuleSigner, WrappedKey};
use signet_pki::crl::{issue_crl, CrlParams};
use signet_pki::tsp::{issue_token, TimeStampRequest, TokenParams};
use signet_pki::{issue, IssueRequest, Issuer, PkiUrls, Profile, Subject};
use signet_types::{HashAlgorithm, KeyAlgorithm, SignatureAlgorithm};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const EC_SHA256: SignatureAlgorithm = SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256);

/// Unix seconds, from the system's `date` (domain code never reads the clock).
pub fn now() -> i64 {
    let out = Command::new("date").arg("+%s").output().expect("date runs");
    String::from_utf8(out.stdout).unwrap().trim().parse().unwrap()
}

pub struct Key {
    algorithm: KeyAlgorithm,
    wrapped: WrappedKey,
    pub public_key: Vec<u8>,
    id: String,
}

impl Key {
    pub fn new(module: &SoftModule, algorithm: KeyAlgorithm, id: &str) -> Key {
        let g =
            module.generate_key(&KeyBinding { owner: "test", credential: id, algorithm }).unwrap();
        Key { algorithm, wrapped: g.wrapped, public_key: g.public_key, id: id.into() }
    }

    pub fn signer<'a>(
        &'a self,
        module: &'a SoftModule,
        sig: SignatureAlgorithm,
    ) -> ModuleSigner<'a> {
        ModuleSigner {
            module,
            key: &self.wrapped,
            binding: KeyBinding { owner: "test", credential: &self.id, algorithm: self.algorithm },
            algorithm: sig,
            public_key: &self.public_key,
        }
    }
}

pub struct Pki {
    pub module: SoftModule,
    pub now: i64,
    pub root: Vec<u8>,
    root_key: Key,
    pub signer_key: Key,
    pub leaf: Vec<u8>,
    tsa_key: Key,
    pub tsa: Vec<u8>,
}

impl Pki {
    pub fn new() -> Pki {
        let module = SoftModule::from_master_key(&[9u8; 32]).unwrap();
        let now = now();
        let root_key = Key::new(&module, KeyAlgorithm::EcP256, "root");
        let signer_key = Key::new(&module, KeyAlgorithm::EcP256, "signer");
        let tsa_key = Key::new(&module, KeyAlgorithm::EcP256, "tsa");
        let urls = PkiUrls::new("https://signet.example.org/");
        let root_signer = root_key.signer(&module, EC_SHA256);
        let cert = |profile, cn: &str, key: &[u8], serial: u8, issuer: Option<&[u8]>| {
            issue(
                &IssueRequest {
                    profile,
                    subject: &Subject {
                        common_name: cn.into(),
                        organization: (profile != Profile::NaturalPerson)
                            .then(|| "Signet Test".into()),
                        given_name: (profile == Profile::NaturalPerson).then(|| "Ada".into()),
                        surname: (profile == Profile::NaturalPerson).then(|| "Lovelace".into()),
                        ..Subject::default()
                    },
                    subject_public_key: key,
                    serial: &[serial],
                    not_before: now - 86_400,
                    not_after: now + 300 * 86_400,
                    issuer: issuer.map(|certificate_der| Issuer { certificate_der, ca_id: "root" }),
                    urls: &urls,
                    content: None,
                },
                &root_signer,
            )
            .unwrap()
        };
        let root = cert(Profile::RootCa, "LTA Test Root", &root_key.public_key, 1, None);
        let leaf =
            cert(Profile::NaturalPerson, "Ada Lovelace", &signer_key.public_key, 2, Some(&root));
        let tsa = cert(Profile::Tsa, "LTA Test TSA", &tsa_key.public_key, 3, Some(&root));
        Pki { module, now, root, root_key, signer_key, leaf, tsa_key, tsa }
    }

    /// A time-stamp token over `imprint` (made with `hash`) at `gen_time`, with the TSA's
    /// certificate and the root in it.
    pub fn token(&self, hash: HashAlgorithm, imprint: &[u8], gen_time: i64, serial: u8) -> Vec<u8> {
        let mut req = TimeStampRequest::new(hash, imprint.to_vec()).unwrap();
        req.cert_req = true;
        issue_token(
            &req,
            &TokenParams {
                policy: "0.4.0.2023.1.1".parse().unwrap(),
                serial: &[serial],
                gen_time,
                gen_time_millis: 0,
                accuracy_millis: Some(1000),
                tsa_certificate: &self.tsa,
                chain: &[&self.root],
                ordering: false,
            },
            &self.tsa_key.signer(&self.module, EC_SHA256),
        )
        .unwrap()
    }

    /// The root's CRL number `number`, issued at `this_update`.
    pub fn crl(&self, number: u64, this_update: i64) -> Vec<u8> {
        issue_crl(
            &CrlParams {
                issuer_certificate: &self.root,
                this_update,
                next_update: this_update + 7 * 86_400,
                crl_number: number,
                revoked: &[],
            },
            &self.root_key.signer(&self.module, EC_SHA256),
        )
        .unwrap()
    }
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

pub fn pem(dir: &Path, name: &str, der: &[u8]) -> PathBuf {
    write(dir, name, signet_pki::to_pem(der).as_bytes())
}

pub fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `openssl`: (success, stdout + stderr).
pub fn openssl(args: &[&str]) -> (bool, String) {
    let o = Command::new("openssl").args(args).output().expect("openssl runs");
    (
        o.status.success(),
        format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)),
    )
}

/// The Python of the peers' virtual environment (pyHanko, asn1crypto), if installed.
/// Required when `SIGNET_REQUIRE_PEERS=1` (the project's test script).
pub fn peers_python() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv-peers/bin/python");
    if p.exists() {
        return Some(p);
    }
    assert!(
        std::env::var("SIGNET_REQUIRE_PEERS").as_deref() != Ok("1"),
        "SIGNET_REQUIRE_PEERS=1 but {} is missing",
        p.display()
    );
    eprintln!("skipped the Python peer check: no peers venv at {}", p.display());
    None
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}
