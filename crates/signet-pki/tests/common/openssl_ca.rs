//! A CA run by OpenSSL 3 (`openssl req`, `openssl ca`): the external CA whose certificates,
//! OCSP responses and CRLs Signet must collect and check. Each CA lives in its own folder
//! (index, serial, CRL number, config); keys are EC P-256, digests SHA-256.
//!
//! Self-contained (only std) so that other crates' tests can include it with `#[path]`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Extensions of a CA certificate (RFC 5280 §4.2.1.9, §4.2.1.3).
pub const CA_EXTENSIONS: &str = "basicConstraints = critical, CA:true\n\
    keyUsage = critical, keyCertSign, cRLSign\n\
    subjectKeyIdentifier = hash\n\
    authorityKeyIdentifier = keyid\n";

/// Extensions of an end-entity signing certificate.
pub const LEAF_EXTENSIONS: &str = "basicConstraints = critical, CA:false\n\
    keyUsage = critical, digitalSignature, nonRepudiation\n\
    subjectKeyIdentifier = hash\n\
    authorityKeyIdentifier = keyid\n";

/// Extensions of a CA Designated Responder (RFC 6960 §4.2.2.2, §4.2.2.2.1).
pub const OCSP_EXTENSIONS: &str = "basicConstraints = critical, CA:false\n\
    keyUsage = critical, digitalSignature\n\
    extendedKeyUsage = critical, OCSPSigning\n\
    noCheck = ignored\n\
    subjectKeyIdentifier = hash\n\
    authorityKeyIdentifier = keyid\n";

/// The current time in unix seconds, read from `date +%s` (the code under test takes the
/// time as a parameter and never reads the clock).
pub fn now() -> i64 {
    let out = Command::new("date").arg("+%s").output().expect("date +%s");
    String::from_utf8_lossy(&out.stdout).trim().parse().expect("date +%s prints an integer")
}

/// Runs `/usr/bin/openssl`, panicking with its output when it fails.
pub fn openssl_ok(args: &[&str]) -> String {
    let out = Command::new("/usr/bin/openssl")
        .args(args)
        .output()
        .expect("OpenSSL (/usr/bin/openssl) must be installed for these tests");
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "openssl {}: {text}", args.join(" "));
    text
}

/// A certificate and its key, as PEM files.
#[derive(Debug, Clone)]
pub struct Issued {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Issued {
    /// The certificate as DER.
    pub fn der(&self) -> Vec<u8> {
        pem_to_der(&self.cert)
    }
}

/// One OpenSSL CA.
#[derive(Debug)]
pub struct OpensslCa {
    pub dir: PathBuf,
    pub issued: Issued,
    config: PathBuf,
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn new_key(path: &Path) {
    openssl_ok(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        s(path),
    ]);
}

/// A certificate file (PEM) as DER.
pub fn pem_to_der(pem: &Path) -> Vec<u8> {
    let der = pem.with_extension("der");
    openssl_ok(&["x509", "-in", s(pem), "-outform", "DER", "-out", s(&der)]);
    std::fs::read(der).unwrap()
}

impl OpensslCa {
    /// A self-signed root CA named `CN=<cn>` in `parent/<name>/`.
    pub fn root(parent: &Path, name: &str, cn: &str) -> Self {
        let dir = Self::folder(parent, name);
        let issued = Issued { cert: dir.join("ca.pem"), key: dir.join("ca.key") };
        new_key(&issued.key);
        let ext = dir.join("self.ext");
        std::fs::write(
            &ext,
            format!("[req]\ndistinguished_name = dn\n[dn]\n[ext]\n{CA_EXTENSIONS}"),
        )
        .unwrap();
        let subj = format!("/CN={cn}");
        openssl_ok(&[
            "req",
            "-new",
            "-x509",
            "-key",
            s(&issued.key),
            "-subj",
            &subj,
            "-days",
            "30",
            "-sha256",
            "-config",
            s(&ext),
            "-extensions",
            "ext",
            "-out",
            s(&issued.cert),
        ]);
        Self::with(dir, issued)
    }

    /// A subordinate CA issued by this one, with extra extension lines (CRLDP, AIA).
    pub fn subordinate(&self, name: &str, cn: &str, extra_extensions: &str) -> Self {
        let dir = Self::folder(&self.dir.join(".."), name);
        // Written as `ca.pem` / `ca.key`, where the new CA's config expects them.
        let issued = self.issue_into(&dir, "ca", cn, &format!("{CA_EXTENSIONS}{extra_extensions}"));
        Self::with(dir, issued)
    }

    /// Issues a certificate for a new key, named `<name>.pem` / `<name>.key` in this CA's
    /// folder, with the given extension lines.
    pub fn issue(&self, name: &str, cn: &str, extensions: &str) -> Issued {
        self.issue_into(&self.dir, name, cn, extensions)
    }

    fn issue_into(&self, dir: &Path, name: &str, cn: &str, extensions: &str) -> Issued {
        let issued =
            Issued { cert: dir.join(format!("{name}.pem")), key: dir.join(format!("{name}.key")) };
        new_key(&issued.key);
        let csr = dir.join(format!("{name}.csr"));
        let subj = format!("/CN={cn}");
        openssl_ok(&["req", "-new", "-key", s(&issued.key), "-subj", &subj, "-out", s(&csr)]);
        let ext = dir.join(format!("{name}.ext"));
        std::fs::write(&ext, format!("[ext]\n{extensions}")).unwrap();
        openssl_ok(&[
            "ca",
            "-batch",
            "-config",
            s(&self.config),
            "-in",
            s(&csr),
            "-out",
            s(&issued.cert),
            "-extfile",
            s(&ext),
            "-extensions",
            "ext",
            "-notext",
        ]);
        issued
    }

    /// Marks a certificate revoked in the CA's index (`reason`: `keyCompromise`, …).
    pub fn revoke(&self, cert: &Path, reason: &str) {
        openssl_ok(&["ca", "-config", s(&self.config), "-revoke", s(cert), "-crl_reason", reason]);
    }

    /// The CA's current CRL (v2, nextUpdate in a day), as DER.
    pub fn crl(&self) -> Vec<u8> {
        let pem = self.dir.join("crl.pem");
        let der = self.dir.join("crl.der");
        openssl_ok(&["ca", "-config", s(&self.config), "-gencrl", "-out", s(&pem)]);
        openssl_ok(&["crl", "-in", s(&pem), "-outform", "DER", "-out", s(&der)]);
        std::fs::read(der).unwrap()
    }

    /// The CA certificate as DER.
    pub fn der(&self) -> Vec<u8> {
        self.issued.der()
    }

    /// The index file (`openssl ocsp -index`).
    pub fn index(&self) -> PathBuf {
        self.dir.join("index.txt")
    }

    fn folder(parent: &Path, name: &str) -> PathBuf {
        let dir = parent.join(name);
        std::fs::create_dir_all(dir.join("new")).unwrap();
        std::fs::write(dir.join("index.txt"), "").unwrap();
        std::fs::write(dir.join("serial"), "1000\n").unwrap();
        std::fs::write(dir.join("crlnumber"), "01\n").unwrap();
        dir
    }

    fn with(dir: PathBuf, issued: Issued) -> Self {
        let config = dir.join("ca.cnf");
        let d = s(&dir);
        std::fs::write(
            &config,
            format!(
                "[ca]\ndefault_ca = ca_default\n\
                 [ca_default]\ndatabase = {d}/index.txt\nnew_certs_dir = {d}/new\n\
                 serial = {d}/serial\ncrlnumber = {d}/crlnumber\n\
                 certificate = {d}/ca.pem\nprivate_key = {d}/ca.key\n\
                 default_md = sha256\ndefault_days = 20\ndefault_crl_days = 1\n\
                 policy = policy_any\nunique_subject = no\ncopy_extensions = none\n\
                 [policy_any]\ncommonName = supplied\n"
            ),
        )
        .unwrap();
        Self { dir, issued, config }
    }
}
