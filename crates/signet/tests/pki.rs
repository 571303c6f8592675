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

/// A credential's leaf certificate (PEM) through the CSC API.
fn leaf_pem(addr: &str, dir: &std::path::Path, cred: &str) -> std::path::PathBuf {
    use base64::Engine as _;
    let token = login(addr, "ada", "ada-password");
    let (s, v, _) = post(
        addr,
        "/csc/v1/credentials/info",
        Some(&token),
        &serde_json::json!({ "credentialID": cred }),
    );
    assert_eq!(s, 200, "{v}");
    let der = base64::engine::general_purpose::STANDARD
        .decode(v["cert"]["certificates"][0].as_str().unwrap())
        .unwrap();
    let der_path = dir.join(format!("{cred}.der"));
    std::fs::write(&der_path, der).unwrap();
    let pem = dir.join(format!("{cred}.pem"));
    openssl(&[
        "x509",
        "-inform",
        "DER",
        "-in",
        der_path.to_str().unwrap(),
        "-out",
        pem.to_str().unwrap(),
    ]);
    pem
}

#[test]
fn ocsp_and_crl_reflect_a_revocation_at_once() {
    let dir = data_dir(FAST_CONFIG);
    let s = Server::start(dir.path(), &[], &[]);
    let d = dir.path();
    admin_json(d, &["ca", "export", "--out", d.join("ca").to_str().unwrap()], "");
    admin_json(
        d,
        &["user", "create", "ada", "--password-stdin", "--name", "Ada Lovelace"],
        "ada-password",
    );
    let cred = admin_json(d, &["credential", "create", "ada", "--key", "ec-p256"], "")
        ["credential_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = admin_json(d, &["credential", "create", "ada", "--key", "ec-p256"], "")
        ["credential_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ee = leaf_pem(&s.addr, d, &cred);
    let ee2 = leaf_pem(&s.addr, d, &other);
    let (root, issuing) = (d.join("ca/root.pem"), d.join("ca/issuing.pem"));
    let chain = d.join("chain.pem");
    std::fs::write(
        &chain,
        [std::fs::read(&root).unwrap(), std::fs::read(&issuing).unwrap()].concat(),
    )
    .unwrap();
    let ocsp = |cert: &std::path::Path| {
        openssl(&[
            "ocsp",
            "-issuer",
            issuing.to_str().unwrap(),
            "-cert",
            cert.to_str().unwrap(),
            "-url",
            &format!("http://{}/pki/ocsp", s.addr),
            "-CAfile",
            chain.to_str().unwrap(),
        ])
    };
    let out = ocsp(&ee);
    assert!(out.contains("Response verify OK") && out.contains(": good"), "{out}");
    // A certificate of another issuer is unknown to this responder.
    let out = openssl(&[
        "ocsp",
        "-issuer",
        root.to_str().unwrap(),
        "-cert",
        issuing.to_str().unwrap(),
        "-url",
        &format!("http://{}/pki/ocsp", s.addr),
        "-CAfile",
        chain.to_str().unwrap(),
    ]);
    assert!(out.contains(": unknown"), "{out}");

    let fetch_crl = |name: &str| {
        let path = d.join(name);
        let out = std::process::Command::new("curl")
            .args([
                "-s",
                "-o",
                path.to_str().unwrap(),
                "-w",
                "%{http_code} %{content_type}",
                &format!("http://{}/pki/crl/issuing.crl", s.addr),
            ])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "200 application/pkix-crl");
        path
    };
    let crl1 = fetch_crl("1.crl");
    let text = openssl(&[
        "crl",
        "-inform",
        "DER",
        "-in",
        crl1.to_str().unwrap(),
        "-CAfile",
        chain.to_str().unwrap(),
        "-noout",
        "-text",
    ]);
    assert!(text.contains("verify OK") && text.contains("No Revoked Certificates"), "{text}");
    assert_eq!(
        std::fs::read(fetch_crl("1b.crl")).unwrap(),
        std::fs::read(&crl1).unwrap(),
        "unchanged: same CRL, same number"
    );

    // Revoke: OCSP and the CRL say so at once; the other certificate stays good.
    admin_json(d, &["credential", "revoke", &cred, "--reason", "keyCompromise"], "");
    let out = ocsp(&ee);
    assert!(
        out.contains("Response verify OK")
            && out.contains(": revoked")
            && out.contains("keyCompromise"),
        "{out}"
    );
    assert!(ocsp(&ee2).contains(": good"));
    let crl2 = fetch_crl("2.crl");
    let text = openssl(&[
        "crl",
        "-inform",
        "DER",
        "-in",
        crl2.to_str().unwrap(),
        "-CAfile",
        chain.to_str().unwrap(),
        "-noout",
        "-text",
    ]);
    let serial = openssl(&["x509", "-in", ee.to_str().unwrap(), "-noout", "-serial"]);
    let serial = serial.trim().trim_start_matches("serial=");
    assert!(
        text.contains("verify OK") && text.contains(serial) && text.contains("Key Compromise"),
        "{text}"
    );
    let number = |t: &str| {
        t.split("X509v3 CRL Number:")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .map(str::to_owned)
    };
    let before =
        openssl(&["crl", "-inform", "DER", "-in", crl1.to_str().unwrap(), "-noout", "-text"]);
    assert_ne!(number(&before), number(&text), "a new CRL number after a revocation");
    // OpenSSL's own path validation with the CRL: revoked vs good.
    let crl_pem = d.join("crl.pem");
    openssl(&[
        "crl",
        "-inform",
        "DER",
        "-in",
        crl2.to_str().unwrap(),
        "-out",
        crl_pem.to_str().unwrap(),
    ]);
    let bundle = d.join("bundle.pem");
    std::fs::write(
        &bundle,
        [std::fs::read(&chain).unwrap(), std::fs::read(&crl_pem).unwrap()].concat(),
    )
    .unwrap();
    let out = openssl(&[
        "verify",
        "-crl_check",
        "-CAfile",
        bundle.to_str().unwrap(),
        ee.to_str().unwrap(),
    ]);
    assert!(out.contains("certificate revoked"), "{out}");
    let out = openssl(&[
        "verify",
        "-crl_check",
        "-CAfile",
        bundle.to_str().unwrap(),
        ee2.to_str().unwrap(),
    ]);
    assert!(out.contains(": OK"), "{out}");
    // The GET form (RFC 6960 Appendix A.1): the base64 request in the path.
    let req = d.join("req.der");
    openssl(&[
        "ocsp",
        "-issuer",
        issuing.to_str().unwrap(),
        "-cert",
        ee2.to_str().unwrap(),
        "-reqout",
        req.to_str().unwrap(),
    ]);
    let b64 = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(std::fs::read(&req).unwrap())
    };
    let encoded = b64.replace('/', "%2F").replace('+', "%2B").replace('=', "%3D");
    let get_resp = d.join("get.der");
    let out = std::process::Command::new("curl")
        .args([
            "-s",
            "-o",
            get_resp.to_str().unwrap(),
            "-w",
            "%{http_code} %{content_type}",
            &format!("http://{}/pki/ocsp/{encoded}", s.addr),
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "200 application/ocsp-response");
    let out = openssl(&[
        "ocsp",
        "-respin",
        get_resp.to_str().unwrap(),
        "-reqin",
        req.to_str().unwrap(),
        "-CAfile",
        chain.to_str().unwrap(),
        "-resp_text",
    ]);
    assert!(out.contains("Response verify OK") && out.contains("Cert Status: good"), "{out}");
    // Malformed OCSP requests get an OCSP error response.
    let junk = d.join("junk");
    std::fs::write(&junk, b"junk").unwrap();
    let resp = d.join("resp.der");
    let out = std::process::Command::new("curl")
        .args([
            "-s",
            "-o",
            resp.to_str().unwrap(),
            "-w",
            "%{http_code}",
            "-H",
            "Content-Type: application/ocsp-request",
            "--data-binary",
            &format!("@{}", junk.display()),
            &format!("http://{}/pki/ocsp", s.addr),
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "200");
    let text = openssl(&["ocsp", "-respin", resp.to_str().unwrap(), "-resp_text", "-noverify"]);
    assert!(
        text.contains("malformedrequest") || text.to_lowercase().contains("malformed"),
        "{text}"
    );
    assert!(s.stop());
}
