//! Optional TLS: the server speaks HTTPS with the configured certificate and key.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;
use common::*;

#[test]
fn serves_https_with_the_configured_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("tls.pem");
    let key = dir.path().join("tls.key");
    let out = openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        key.to_str().unwrap(),
        "-out",
        cert.to_str().unwrap(),
    ]);
    assert!(cert.exists(), "{out}");
    let config = format!(
        "{FAST_CONFIG}[tls]\ncert_file = \"{}\"\nkey_file = \"{}\"\n",
        cert.display(),
        key.display()
    );
    let data = data_dir(&config);
    let s = Server::start(data.path(), &[], &[]);
    assert!(s.banner.contains("listening on    https://"), "{}", s.banner);
    assert!(s.banner.contains("public URL      https://"), "{}", s.banner);
    let url = format!("https://{}/readyz", s.addr);
    let (code, body) = curl(&["--cacert", cert.to_str().unwrap(), &url]);
    assert_eq!(code, 200, "{body}");
    // A client that does not trust the certificate is refused by TLS, not served.
    let (code, _) = curl(&[&url]);
    assert_eq!(code, 0);
    assert!(s.stop());
}

#[test]
fn an_unreadable_key_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("tls.pem");
    std::fs::write(&cert, "not a certificate").unwrap();
    let config =
        format!("{FAST_CONFIG}[tls]\ncert_file = \"{0}\"\nkey_file = \"{0}\"\n", cert.display());
    let data = data_dir(&config);
    let out = signet(data.path(), &["serve", "--listen", "127.0.0.1:0"], &[], "");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.trim().lines().last().unwrap_or_default().starts_with("error: TLS: cannot load"),
        "{err}"
    );
}
