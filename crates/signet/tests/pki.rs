//! The embedded PKI over HTTP: CA certificates at their AIA URL, and the RFC 3161 TSA
//! driven by OpenSSL as the client.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;
use common::*;
use std::process::Command;

fn curl_to_file(args: &[&str], out: &std::path::Path) -> (u16, String) {
    let o = Command::new("curl")
        .args(["-s", "-o", out.to_str().unwrap(), "-w", "%{http_code} %{content_type}"])
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    let (code, ctype) = text.split_once(' ').unwrap_or(("0", ""));
    (code.parse().unwrap_or(0), ctype.to_owned())
}

#[test]
fn ca_certificates_are_served_at_their_aia_url() {
    let dir = data_dir(FAST_CONFIG);
    let s = Server::start(dir.path(), &[], &[]);
    let d = dir.path();
    admin_json(d, &["ca", "export", "--out", d.join("ca").to_str().unwrap()], "");
    let got = d.join("root.der");
    let (code, ctype) = curl_to_file(&[&format!("http://{}/pki/ca/root.crt", s.addr)], &got);
    assert_eq!((code, ctype.as_str()), (200, "application/pkix-cert"));
    let from_http = openssl(&[
        "x509",
        "-inform",
        "DER",
        "-in",
        got.to_str().unwrap(),
        "-noout",
        "-fingerprint",
        "-sha256",
    ]);
    let exported = openssl(&[
        "x509",
        "-in",
        d.join("ca/root.pem").to_str().unwrap(),
        "-noout",
        "-fingerprint",
        "-sha256",
    ]);
    assert!(
        from_http.contains("Fingerprint=") && from_http == exported,
        "{from_http} / {exported}"
    );
    // The issuing CA's certificate names that URL as its caIssuers.
    let aia = openssl(&[
        "x509",
        "-in",
        d.join("ca/issuing.pem").to_str().unwrap(),
        "-noout",
        "-ext",
        "authorityInfoAccess",
    ]);
    // (The URL's authority is `public_url`; here the default built from the listen address.)
    assert!(aia.contains("CA Issuers - URI:http://") && aia.contains("/pki/ca/root.crt"), "{aia}");
    for bad in ["nope.crt", "root", "..%2Froot.crt"] {
        let (code, _) = curl_to_file(&[&format!("http://{}/pki/ca/{bad}", s.addr)], &d.join("x"));
        assert_eq!(code, 404, "{bad}");
    }
    assert!(s.stop());
}

#[test]
fn the_tsa_answers_openssl_time_stamp_requests() {
    let dir = data_dir(FAST_CONFIG);
    let s = Server::start(dir.path(), &[], &[]);
    let d = dir.path();
    admin_json(d, &["ca", "export", "--out", d.join("ca").to_str().unwrap()], "");
    let data = d.join("data");
    std::fs::write(&data, b"a document to time-stamp").unwrap();
    let url = format!("http://{}/pki/tsa", s.addr);
    let root = d.join("ca/root.pem");
    for (digest, cert) in [("-sha256", true), ("-sha512", false)] {
        let tsq = d.join("q.tsq");
        let mut args = vec![
            "ts",
            "-query",
            "-data",
            data.to_str().unwrap(),
            digest,
            "-out",
            tsq.to_str().unwrap(),
        ];
        if cert {
            args.push("-cert");
        }
        openssl(&args);
        let tsr = d.join("r.tsr");
        let (code, ctype) = curl_to_file(
            &[
                "-H",
                "Content-Type: application/timestamp-query",
                "--data-binary",
                &format!("@{}", tsq.display()),
                &url,
            ],
            &tsr,
        );
        assert_eq!((code, ctype.as_str()), (200, "application/timestamp-reply"));
        let text = openssl(&["ts", "-reply", "-in", tsr.to_str().unwrap(), "-text"]);
        assert!(text.contains("Status: Granted"), "{text}");
        // The TSA includes its certificate only when asked; the issuing CA completes the path.
        let chain = d.join("tsa-chain.pem");
        if cert {
            // certReq: the token carries the TSA certificate and its issuer; keep them.
            let tok = d.join("tok.der");
            openssl(&[
                "ts",
                "-reply",
                "-in",
                tsr.to_str().unwrap(),
                "-token_out",
                "-out",
                tok.to_str().unwrap(),
            ]);
            openssl(&[
                "pkcs7",
                "-inform",
                "DER",
                "-in",
                tok.to_str().unwrap(),
                "-print_certs",
                "-out",
                chain.to_str().unwrap(),
            ]);
            let certs = std::fs::read_to_string(&chain).unwrap();
            assert_eq!(certs.matches("BEGIN CERTIFICATE").count(), 2, "TSA + issuing CA");
        } else {
            let tok = d.join("tok2.der");
            openssl(&[
                "ts",
                "-reply",
                "-in",
                tsr.to_str().unwrap(),
                "-token_out",
                "-out",
                tok.to_str().unwrap(),
            ]);
            let certs =
                openssl(&["pkcs7", "-inform", "DER", "-in", tok.to_str().unwrap(), "-print_certs"]);
            assert!(
                !certs.contains("BEGIN CERTIFICATE"),
                "no certificates without certReq: {certs}"
            );
        }
        let verify = [
            "ts",
            "-verify",
            "-queryfile",
            tsq.to_str().unwrap(),
            "-in",
            tsr.to_str().unwrap(),
            "-CAfile",
            root.to_str().unwrap(),
            "-untrusted",
            chain.to_str().unwrap(),
        ];
        let out = openssl(&verify);
        assert!(out.contains("Verification: OK"), "{digest} certReq={cert}: {out}");
    }
    // A malformed request gets a rejection (RFC 3161 §2.4.2), not an HTTP error.
    let junk = d.join("junk");
    std::fs::write(&junk, b"not a request").unwrap();
    let rej = d.join("rej.tsr");
    let (code, _) = curl_to_file(
        &[
            "-H",
            "Content-Type: application/timestamp-query",
            "--data-binary",
            &format!("@{}", junk.display()),
            &url,
        ],
        &rej,
    );
    assert_eq!(code, 200);
    let text = openssl(&["ts", "-reply", "-in", rej.to_str().unwrap(), "-text"]);
    assert!(text.contains("Status: Rejected"), "{text}");
    // The wrong media type is refused.
    let (code, _) =
        curl_to_file(&["-H", "Content-Type: application/json", "--data-binary", "{}", &url], &rej);
    assert_eq!(code, 415);
    assert!(s.stop());
}
