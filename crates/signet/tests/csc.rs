//! The CSC API end to end against `signet serve`: pyHanko's CSC client signs PDFs that
//! pyHanko validates; every advertised algorithm verifies with OpenSSL; each refusal of
//! the SAM is answered with the CSC error, changes nothing, and is audited.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;
use base64::Engine as _;
use common::*;
use serde_json::{json, Value};
use std::path::Path;

fn b64(d: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(d)
}

fn sha(alg: &str, data: &[u8]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("d");
    std::fs::write(&f, data).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["dgst", &format!("-{alg}"), "-binary", f.to_str().unwrap()])
        .output()
        .unwrap();
    out.stdout
}

/// A server with a user `ada` (PIN 123456) and credentials of the given kinds.
struct World {
    dir: tempfile::TempDir,
    server: Server,
    token: String,
    module: Module,
}

/// The world on `module`; `None` when that module cannot run here (see `data_dir_on`).
fn world(module: Module) -> Option<World> {
    let dir = data_dir_on(module, FAST_CONFIG)?;
    let server = Server::start(dir.path(), &[], &[]);
    let d = dir.path();
    admin_json(
        d,
        &["user", "create", "ada", "--password-stdin", "--name", "Ada Lovelace"],
        "ada-password",
    );
    admin_json(d, &["user", "set-pin", "ada", "--pin-stdin"], "123456");
    let token = login(&server.addr, "ada", "ada-password");
    Some(World { dir, server, token, module })
}

/// Every test of this file runs on both crypto modules: `name::soft` and `name::pkcs11`.
macro_rules! on_both_modules {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn soft() {
                super::$name(super::Module::Soft)
            }
            #[test]
            fn pkcs11() {
                super::$name(super::Module::Pkcs11)
            }
        }
    )*};
}

on_both_modules!(
    pyhanko_signs_pdfs_that_pyhanko_validates,
    every_advertised_algorithm_verifies_with_openssl,
    refusals_get_the_csc_error_change_nothing_and_are_audited,
    tokens_missing_forged_or_revoked_get_401_with_a_challenge,
    a_service_token_acts_only_in_its_group_and_never_without_the_pin,
    one_single_use_sad_signs_exactly_once_under_concurrency,
    audit_verify_names_an_edited_deleted_or_reordered_record,
    timestamps_verify_with_openssl,
    refresh_tokens_pagination_and_extend_transaction,
    an_offline_otp_is_required_once_enrolled_and_never_accepted_twice,
    a_revoked_certificate_shows_revoked_and_cannot_sign,
);

impl World {
    fn credential(&self, key: &str, scal: &str, multisign: &str) -> String {
        let c = admin_json(
            self.dir.path(),
            &[
                "credential",
                "create",
                "ada",
                "--key",
                key,
                "--scal",
                scal,
                "--multisign",
                multisign,
            ],
            "",
        );
        c["credential_id"].as_str().unwrap().to_owned()
    }

    fn call(&self, method: &str, body: Value) -> (u16, Value) {
        let (s, v, _) =
            post(&self.server.addr, &format!("/csc/v1/{method}"), Some(&self.token), &body);
        (s, v)
    }

    fn authorize(&self, cred: &str, hashes: &[Vec<u8>], pin: &str) -> (u16, Value) {
        let h: Vec<String> = hashes.iter().map(|x| b64(x)).collect();
        self.call(
            "credentials/authorize",
            json!({ "credentialID": cred, "numSignatures": hashes.len(), "hash": h, "PIN": pin }),
        )
    }

    fn sad(&self, cred: &str, hashes: &[Vec<u8>]) -> String {
        let (s, v) = self.authorize(cred, hashes, "123456");
        assert_eq!(s, 200, "{v}");
        v["SAD"].as_str().unwrap().to_owned()
    }

    fn sign(
        &self,
        cred: &str,
        sad: &str,
        hashes: &[Vec<u8>],
        sign_algo: &str,
        hash_algo: Option<&str>,
    ) -> (u16, Value) {
        let h: Vec<String> = hashes.iter().map(|x| b64(x)).collect();
        let mut body =
            json!({ "credentialID": cred, "SAD": sad, "hash": h, "signAlgo": sign_algo });
        if let Some(a) = hash_algo {
            body["hashAlgo"] = json!(a);
        }
        self.call("signatures/signHash", body)
    }

    fn audit(&self) -> Vec<Value> {
        let out = signet(self.dir.path(), &["audit", "list", "--json"], &[], "");
        assert!(out.status.success());
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["records"].as_array().unwrap().clone()
    }

    /// On the HSM, seen by another process (`pkcs11-tool --list-objects`): the private key
    /// objects on the token are the service keys only (CA, TSA, OCSP, …) — no signer key is
    /// ever stored on the token; unwrapped ones are session objects destroyed after each
    /// signature (the in-process census is in signet-crypto's tests).
    fn assert_only_service_keys_on_token(&self) {
        if self.module != Module::Pkcs11 {
            return;
        }
        let labels = token_private_keys(self.dir.path());
        assert!(labels.iter().all(|l| l.starts_with("signet:service:")), "{labels:?}");
        for ca in ["signet:service:ca:root", "signet:service:ca:issuing"] {
            assert!(labels.iter().any(|l| l == ca), "{labels:?}");
        }
    }

    /// The newest audit record.
    fn last_audit(&self) -> Value {
        self.audit().last().cloned().unwrap()
    }
}

/// Ada's `auth/login` with `rememberMe`: (access token, refresh token).
fn remembered_login(addr: &str) -> (String, String) {
    let out = std::process::Command::new("curl")
        .args(["-s", "-u", "ada:ada-password", "-X", "POST", "-d", r#"{"rememberMe":true}"#])
        .arg(format!("http://{addr}/csc/v1/auth/login"))
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    (
        v["access_token"].as_str().unwrap().to_owned(),
        v["refresh_token"].as_str().unwrap().to_owned(),
    )
}

fn assert_csc_error(got: (u16, Value), error: &str, description: &str) {
    assert_eq!(got.0, 400, "{}", got.1);
    assert_eq!(got.1["error"], error, "{}", got.1);
    assert_eq!(got.1["error_description"], description, "{}", got.1);
}

fn pyhanko_signs_pdfs_that_pyhanko_validates(module: Module) {
    let Some(python) = peers_python() else { return };
    let Some(w) = world(module) else { return };
    let root = w.dir.path().join("ca");
    admin_json(w.dir.path(), &["ca", "export", "--out", root.to_str().unwrap()], "");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/peers/csc_pyhanko.py");
    for (key, scal, pss) in [
        ("rsa-2048", "2", false),
        ("rsa-2048", "1", false),
        ("rsa-2048", "2", true),
        ("ec-p256", "2", false),
        ("ec-p256", "1", false),
    ] {
        let cred = w.credential(key, scal, "1");
        let out_pdf = w.dir.path().join(format!("signed-{key}-{scal}-{pss}.pdf"));
        let mut cmd = std::process::Command::new(&python);
        cmd.arg(&script).args([
            "--url",
            &format!("http://{}", w.server.addr),
            "--user",
            "ada",
            "--password",
            "ada-password",
            "--pin",
            "123456",
            "--credential",
            &cred,
            "--root",
            root.join("root.pem").to_str().unwrap(),
            "--output",
            out_pdf.to_str().unwrap(),
        ]);
        if pss {
            cmd.arg("--pss");
        }
        let out = cmd.output().unwrap();
        let last =
            String::from_utf8_lossy(&out.stdout).lines().last().unwrap_or_default().to_owned();
        let v: Value = serde_json::from_str(&last).unwrap_or_else(|_| {
            panic!("{key} SCAL {scal}: {last} {}", String::from_utf8_lossy(&out.stderr))
        });
        assert_eq!(v["valid"], true, "{key} SCAL {scal} PSS {pss}: {v}");
        assert_eq!(v["summary"], "INTACT:TRUSTED,UNTOUCHED", "{v}");
    }
    let signed = w
        .audit()
        .iter()
        .filter(|r| r["kind"] == "signatures.signHash" && r["outcome"] == "success")
        .count();
    assert_eq!(signed, 5, "one audited signature per PDF");
    w.assert_only_service_keys_on_token();
    assert!(signet(w.dir.path(), &["audit", "verify"], &[], "").status.success());
}

fn every_advertised_algorithm_verifies_with_openssl(module: Module) {
    let Some(w) = world(module) else { return };
    let data = b"the approved document";
    let file = w.dir.path().join("data");
    std::fs::write(&file, data).unwrap();
    let mut checked = 0;
    for key in ["rsa-2048", "ec-p256", "ec-p384"] {
        let cred = w.credential(key, "2", "1");
        let (s, info) = w.call(
            "credentials/info",
            json!({ "credentialID": cred, "certificates": "chain", "certInfo": true }),
        );
        assert_eq!(s, 200, "{info}");
        let leaf = base64::engine::general_purpose::STANDARD
            .decode(info["cert"]["certificates"][0].as_str().unwrap())
            .unwrap();
        let cert = w.dir.path().join("leaf.der");
        std::fs::write(&cert, &leaf).unwrap();
        let pubkey = w.dir.path().join("pub.pem");
        openssl(&[
            "x509",
            "-inform",
            "DER",
            "-in",
            cert.to_str().unwrap(),
            "-pubkey",
            "-noout",
            "-out",
            pubkey.to_str().unwrap(),
        ]);
        for oid in info["key"]["algo"].as_array().unwrap() {
            let oid = oid.as_str().unwrap();
            let hashes: &[(&str, &str)] = match oid {
                "1.2.840.113549.1.1.10" => &[
                    ("sha256", "2.16.840.1.101.3.4.2.1"),
                    ("sha384", "2.16.840.1.101.3.4.2.2"),
                    ("sha512", "2.16.840.1.101.3.4.2.3"),
                ],
                "1.2.840.113549.1.1.11" | "1.2.840.10045.4.3.2" => {
                    &[("sha256", "2.16.840.1.101.3.4.2.1")]
                }
                "1.2.840.113549.1.1.12" | "1.2.840.10045.4.3.3" => {
                    &[("sha384", "2.16.840.1.101.3.4.2.2")]
                }
                "1.2.840.113549.1.1.13" => &[("sha512", "2.16.840.1.101.3.4.2.3")],
                other => panic!("unexpected algorithm {other}"),
            };
            for (md, md_oid) in hashes {
                let digest = sha(md, data);
                let sad = w.sad(&cred, std::slice::from_ref(&digest));
                let (s, v) = w.sign(&cred, &sad, &[digest], oid, Some(md_oid));
                assert_eq!(s, 200, "{key} {oid} {md}: {v}");
                let sig = base64::engine::general_purpose::STANDARD
                    .decode(v["signatures"][0].as_str().unwrap())
                    .unwrap();
                let sig_file = w.dir.path().join("sig");
                std::fs::write(&sig_file, sig).unwrap();
                let mut args = vec![
                    "dgst".to_owned(),
                    format!("-{md}"),
                    "-verify".into(),
                    pubkey.display().to_string(),
                ];
                if oid == "1.2.840.113549.1.1.10" {
                    args.extend(
                        ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"]
                            .map(String::from),
                    );
                }
                args.extend([
                    "-signature".into(),
                    sig_file.display().to_string(),
                    file.display().to_string(),
                ]);
                let refs: Vec<&str> = args.iter().map(String::as_str).collect();
                let out = openssl(&refs);
                assert!(out.contains("Verified OK"), "{key} {oid} {md}: {out}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 3 + 3 + 1 + 1, "RSA: 3 PKCS#1 + 3 PSS; P-256 and P-384: one ECDSA each");
    w.assert_only_service_keys_on_token();
    assert!(w.server.stderr().is_empty() || !w.server.stderr().contains("panicked"));
}

fn refusals_get_the_csc_error_change_nothing_and_are_audited(module: Module) {
    let Some(w) = world(module) else { return };
    let d = w.dir.path();
    let x = w.credential("ec-p256", "2", "2");
    let y = w.credential("ec-p256", "2", "1");
    let (a, b) = (sha("sha256", b"A"), sha("sha256", b"B"));
    const ECDSA: &str = "1.2.840.10045.4.3.2";

    // Hash B with a SAD for hash A: refused, and the SAD still works for A afterwards.
    let sad = w.sad(&y, std::slice::from_ref(&a));
    assert_csc_error(
        w.sign(&y, &sad, std::slice::from_ref(&b), ECDSA, None),
        "invalid_request",
        "Hash is not authorized by the SAD",
    );
    assert_eq!(w.last_audit()["outcome"], "refused");
    // SAD of credential Y used for credential X.
    assert_csc_error(
        w.sign(&x, &sad, std::slice::from_ref(&a), ECDSA, None),
        "invalid_request",
        "Invalid parameter SAD",
    );
    assert_eq!(w.last_audit()["credential_id"], x);
    // Wrong digest length, bad base64, unknown signAlgo: refused before the SAM, audited.
    assert_csc_error(
        w.sign(&y, &sad, &[vec![1; 31]], ECDSA, None),
        "invalid_request",
        "Invalid digest value length",
    );
    let (s, v) = w.call(
        "signatures/signHash",
        json!({ "credentialID": y, "SAD": sad, "hash": ["not base64!"], "signAlgo": ECDSA }),
    );
    assert_csc_error((s, v), "invalid_request", "Invalid Base64 hash string parameter");
    assert_eq!(w.last_audit()["details"]["reason"], "Invalid Base64 hash string parameter");
    assert_csc_error(
        w.sign(&y, &sad, std::slice::from_ref(&a), "1.2.3.4", None),
        "invalid_request",
        "Invalid parameter signAlgo",
    );
    assert_eq!(w.last_audit()["kind"], "signatures.signHash");
    // Still unused: the right request signs once; a replay is refused and audited.
    assert_eq!(w.sign(&y, &sad, std::slice::from_ref(&a), ECDSA, None).0, 200);
    assert_csc_error(
        w.sign(&y, &sad, std::slice::from_ref(&a), ECDSA, None),
        "invalid_request",
        "Invalid parameter SAD",
    );
    assert_eq!(w.last_audit()["outcome"], "refused");

    // More hashes than numSignatures, at authorisation and at signing.
    let (s, v) = w.call("credentials/authorize", json!({ "credentialID": y, "numSignatures": 2, "hash": [b64(&a), b64(&b)], "PIN": "123456" }));
    assert_csc_error((s, v), "invalid_request", "Numbers of signatures is too high");
    let sad = w.sad(&x, std::slice::from_ref(&a));
    let (s, v) = w.call("credentials/authorize", json!({ "credentialID": x, "numSignatures": 1, "hash": [b64(&a), b64(&b)], "PIN": "123456" }));
    assert_eq!(s, 400, "{v}");
    assert_csc_error(
        w.sign(&x, &sad, &[a.clone(), b.clone()], ECDSA, None),
        "invalid_request",
        "Numbers of signatures is too high",
    );

    // Another user's token with Ada's SAD.
    admin_json(d, &["user", "create", "bob", "--password-stdin"], "bob-password");
    let bob = login(&w.server.addr, "bob", "bob-password");
    let (s, v, _) = post(
        &w.server.addr,
        "/csc/v1/signatures/signHash",
        Some(&bob),
        &json!({ "credentialID": x, "SAD": sad, "hash": [b64(&a)], "signAlgo": ECDSA }),
    );
    assert_csc_error((s, v), "invalid_request", "Invalid parameter credentialID");
    let refusal = w.last_audit();
    assert_eq!(
        (refusal["outcome"].as_str(), refusal["details"]["reason"].as_str()),
        (Some("refused"), Some("credential of another user"))
    );
    // …and Ada's SAD still works for Ada.
    assert_eq!(w.sign(&x, &sad, std::slice::from_ref(&a), ECDSA, None).0, 200);

    // Disabled credential.
    admin_json(d, &["credential", "disable", &y], "");
    assert_csc_error(
        w.authorize(&y, std::slice::from_ref(&a), "123456"),
        "invalid_request",
        "The credential identified by credentialID is disabled",
    );
    admin_json(d, &["credential", "enable", &y], "");

    // Wrong PIN until the lock; then the right PIN is refused too.
    for _ in 0..4 {
        assert_csc_error(
            w.authorize(&y, std::slice::from_ref(&a), "000000"),
            "invalid_pin",
            "The PIN is invalid",
        );
    }
    assert_csc_error(
        w.authorize(&y, std::slice::from_ref(&a), "000000"),
        "invalid_request",
        "PIN locked",
    );
    assert_csc_error(
        w.authorize(&y, std::slice::from_ref(&a), "123456"),
        "invalid_request",
        "PIN locked",
    );
    let pin_refusals = w
        .audit()
        .iter()
        .filter(|r| r["kind"] == "credentials.authorize" && r["outcome"] == "refused")
        .count();
    assert!(pin_refusals >= 6, "{pin_refusals}");

    // The log is intact and every refusal above is in it.
    let out = signet(d, &["audit", "verify"], &[], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn tokens_missing_forged_or_revoked_get_401_with_a_challenge(module: Module) {
    let Some(w) = world(module) else { return };
    let addr = &w.server.addr;
    let body = json!({});
    let (s, v, h) = post(addr, "/csc/v1/credentials/list", None, &body);
    assert_eq!((s, v["error"].as_str()), (401, Some("invalid_token")));
    assert!(h.contains("www-authenticate: bearer"), "{h}");
    let forged = "A".repeat(43);
    let (s, _, h) = post(addr, "/csc/v1/credentials/list", Some(&forged), &body);
    assert!(s == 401 && h.contains("www-authenticate"));
    // Revoke: the token stops working at once.
    let t = login(addr, "ada", "ada-password");
    assert_eq!(post(addr, "/csc/v1/credentials/list", Some(&t), &body).0, 200);
    let (s, _, _) = post(addr, "/csc/v1/auth/revoke", Some(&t), &json!({ "token": t }));
    assert_eq!(s, 204);
    let (s, v, _) = post(addr, "/csc/v1/credentials/list", Some(&t), &body);
    assert_eq!(
        (s, v["error_description"].as_str()),
        (401, Some("The access token has been revoked"))
    );
    // Wrong password: 401 with a Basic challenge, and audited.
    let out = std::process::Command::new("curl")
        .args([
            "-s",
            "-i",
            "-u",
            "ada:wrong",
            "-X",
            "POST",
            "-d",
            "{}",
            &format!("http://{addr}/csc/v1/auth/login"),
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_ascii_lowercase();
    assert!(text.starts_with("http/1.1 401") && text.contains("www-authenticate: basic"), "{text}");
    assert!(w.audit().iter().any(|r| r["kind"] == "auth.login" && r["outcome"] == "refused"));
}

fn a_service_token_acts_only_in_its_group_and_never_without_the_pin(module: Module) {
    let Some(w) = world(module) else { return };
    let d = w.dir.path();
    let cred = w.credential("ec-p256", "2", "1");
    admin_json(d, &["group", "create", "other"], "");
    let mine = admin_json(d, &["client", "create", "--group", "default", "--name", "app"], "");
    let theirs = admin_json(d, &["client", "create", "--group", "other", "--name", "app"], "");
    let token = |c: &Value, basic: bool| {
        let (id, secret) = (c["client_id"].as_str().unwrap(), c["client_secret"].as_str().unwrap());
        let url = format!("http://{}/oauth2/token", w.server.addr);
        let mut args = vec!["-s".to_owned(), "-X".into(), "POST".into()];
        if basic {
            args.extend([
                "-u".into(),
                format!("{id}:{secret}"),
                "-d".into(),
                "grant_type=client_credentials".into(),
            ]);
        } else {
            args.extend([
                "-d".into(),
                format!("grant_type=client_credentials&client_id={id}&client_secret={secret}"),
            ]);
        }
        args.push(url);
        let out = std::process::Command::new("curl").args(&args).output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["access_token"].as_str().unwrap_or_else(|| panic!("{v}")).to_owned()
    };
    let (mine, theirs_form) = (token(&mine, true), token(&theirs, false));
    let addr = &w.server.addr;
    // Own group: lists Ada's credentials by userID; cannot authorise without her PIN.
    let (s, v, _) =
        post(addr, "/csc/v1/credentials/list", Some(&mine), &json!({ "userID": "ada" }));
    assert_eq!((s, v["credentialIDs"][0].as_str()), (200, Some(cred.as_str())));
    let h = b64(&sha("sha256", b"x"));
    let (s, v, _) = post(
        addr,
        "/csc/v1/credentials/authorize",
        Some(&mine),
        &json!({ "credentialID": cred, "numSignatures": 1, "hash": [h] }),
    );
    assert_csc_error((s, v), "invalid_request", "Missing (or invalid type) string parameter PIN");
    // Another group: the user and the credential do not exist for it, and it is audited.
    let (s, v, _) =
        post(addr, "/csc/v1/credentials/list", Some(&theirs_form), &json!({ "userID": "ada" }));
    assert_csc_error((s, v), "invalid_request", "Invalid parameter userID");
    let (s, v, _) = post(
        addr,
        "/csc/v1/credentials/authorize",
        Some(&theirs_form),
        &json!({ "credentialID": cred, "numSignatures": 1, "hash": [h], "PIN": "123456" }),
    );
    assert_csc_error((s, v), "invalid_request", "Invalid parameter credentialID");
    let last = w.last_audit();
    assert_eq!(last["details"]["reason"], "credential of a user outside the client's group");
    assert_eq!(last["outcome"], "refused");
}

fn one_single_use_sad_signs_exactly_once_under_concurrency(module: Module) {
    let Some(w) = world(module) else { return };
    let cred = w.credential("ec-p256", "2", "1");
    let h = sha("sha256", b"once");
    for _round in 0..3 {
        let sad = w.sad(&cred, std::slice::from_ref(&h));
        let handles: Vec<_> = (0..6)
            .map(|_| {
                let (addr, token, cred, sad, h) = (w.server.addr.clone(), w.token.clone(), cred.clone(), sad.clone(), b64(&h));
                std::thread::spawn(move || {
                    post(&addr, "/csc/v1/signatures/signHash", Some(&token), &json!({ "credentialID": cred, "SAD": sad, "hash": [h], "signAlgo": "1.2.840.10045.4.3.2" })).0
                })
            })
            .collect();
        let codes: Vec<u16> = handles.into_iter().map(|t| t.join().unwrap()).collect();
        assert_eq!(codes.iter().filter(|c| **c == 200).count(), 1, "{codes:?}");
        assert_eq!(codes.iter().filter(|c| **c == 400).count(), 5, "{codes:?}");
    }
}

fn audit_verify_names_an_edited_deleted_or_reordered_record(module: Module) {
    let Some(w) = world(module) else { return };
    let cred = w.credential("ec-p256", "2", "1");
    let h = sha("sha256", b"x");
    let sad = w.sad(&cred, std::slice::from_ref(&h));
    assert_eq!(w.sign(&cred, &sad, &[h], "1.2.840.10045.4.3.2", None).0, 200);
    let World { dir, server, .. } = w;
    assert!(server.stop(), "graceful stop");
    let d = dir.path();
    let verify = || {
        let out = signet(d, &["audit", "verify"], &[], "");
        (out.status.success(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    assert!(verify().0);
    let db = d.join("signet.db");
    let sql = |stmt: &str| {
        let script = "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nc.executescript(sys.argv[2])\nc.commit()\n";
        assert!(std::process::Command::new("python3")
            .args(["-c", script, db.to_str().unwrap(), stmt])
            .status()
            .unwrap()
            .success());
    };
    assert!(!d.join("signet.db-wal").exists(), "the log was checkpointed on shutdown");
    let backup = std::fs::read(&db).unwrap();
    // Edit record 3.
    sql("UPDATE audit_log SET details = '{\"forged\":true}' WHERE seq = 3");
    let (ok, err) = verify();
    assert!(!ok && err.contains('3'), "{err}");
    assert!(err.to_lowercase().contains("altered"), "{err}");
    // Delete record 2 (fresh copy).
    std::fs::write(&db, &backup).unwrap();
    sql("DELETE FROM audit_log WHERE seq = 2");
    let (ok, err) = verify();
    assert!(!ok && err.to_lowercase().contains("missing"), "{err}");
    // Swap records 2 and 3.
    std::fs::write(&db, &backup).unwrap();
    sql("UPDATE audit_log SET seq = -1 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = -1;");
    let (ok, err) = verify();
    assert!(!ok && err.contains("record 2 is out of order"), "{err}");
    // Untouched copy verifies again.
    std::fs::write(&db, &backup).unwrap();
    assert!(verify().0);
}

fn timestamps_verify_with_openssl(module: Module) {
    let Some(w) = world(module) else { return };
    let ca = w.dir.path().join("ca");
    admin_json(w.dir.path(), &["ca", "export", "--out", ca.to_str().unwrap()], "");
    let digest = sha("sha256", b"document to time-stamp");
    let (s, v) = w.call(
        "signatures/timestamp",
        json!({ "hash": b64(&digest), "hashAlgo": "2.16.840.1.101.3.4.2.1", "nonce": "0a1b2c3d4e5f" }),
    );
    assert_eq!(s, 200, "{v}");
    let token =
        base64::engine::general_purpose::STANDARD.decode(v["timestamp"].as_str().unwrap()).unwrap();
    let tok = w.dir.path().join("token.der");
    std::fs::write(&tok, token).unwrap();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let root = ca.join("root.pem");
    let out = openssl(&[
        "ts",
        "-verify",
        "-digest",
        &hex,
        "-token_in",
        "-in",
        tok.to_str().unwrap(),
        "-CAfile",
        root.to_str().unwrap(),
    ]);
    assert!(out.contains("Verification: OK"), "{out}");
    let text = openssl(&["ts", "-reply", "-token_in", "-in", tok.to_str().unwrap(), "-text"]);
    assert!(text.contains("Policy OID: 0.4.0.2023.1.1"), "{text}");
    assert!(text.contains("Nonce: 0x0A1B2C3D4E5F"), "{text}");
    // Another digest does not verify.
    let other: String =
        sha("sha256", b"another document").iter().map(|b| format!("{b:02x}")).collect();
    let out = openssl(&[
        "ts",
        "-verify",
        "-digest",
        &other,
        "-token_in",
        "-in",
        tok.to_str().unwrap(),
        "-CAfile",
        root.to_str().unwrap(),
    ]);
    assert!(!out.contains("Verification: OK"), "{out}");
    // Bad input: wrong length, bad nonce.
    let (s, v) = w.call(
        "signatures/timestamp",
        json!({ "hash": b64(&digest[..31]), "hashAlgo": "2.16.840.1.101.3.4.2.1" }),
    );
    assert_csc_error((s, v), "invalid_request", "Invalid digest value length");
    let (s, v) = w.call(
        "signatures/timestamp",
        json!({ "hash": b64(&digest), "hashAlgo": "2.16.840.1.101.3.4.2.1", "nonce": "xyz" }),
    );
    assert_csc_error((s, v), "invalid_request", "Invalid parameter nonce");
}

fn refresh_tokens_pagination_and_extend_transaction(module: Module) {
    let Some(w) = world(module) else { return };
    let addr = &w.server.addr;
    // rememberMe → a refresh token that yields new access tokens until revoked.
    let (access, refresh) = remembered_login(addr);
    let (s, v, _) = post(addr, "/csc/v1/auth/login", None, &json!({ "refresh_token": refresh }));
    assert_eq!(s, 200, "{v}");
    let renewed = v["access_token"].as_str().unwrap().to_owned();
    assert_ne!(renewed, access);
    assert_eq!(post(addr, "/csc/v1/credentials/list", Some(&renewed), &json!({})).0, 200);
    // Rotation (RFC 9700 §4.14.2): each use spends the refresh token and returns the next.
    let rotated = v["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rotated, refresh);
    let (s, v, _) = post(addr, "/csc/v1/auth/login", None, &json!({ "refresh_token": rotated }));
    assert_eq!(s, 200, "{v}");
    let (latest_access, latest_refresh) = (
        v["access_token"].as_str().unwrap().to_owned(),
        v["refresh_token"].as_str().unwrap().to_owned(),
    );
    // A spent refresh token used again (a stolen copy) revokes the whole family: the
    // latest tokens die with it.
    let (s, _, _) = post(addr, "/csc/v1/auth/login", None, &json!({ "refresh_token": refresh }));
    assert_eq!(s, 401);
    let reuse = w.last_audit();
    assert_eq!(
        (reuse["kind"].as_str(), reuse["outcome"].as_str()),
        (Some("auth.login"), Some("refused")),
        "{reuse}"
    );
    assert!(reuse["details"].to_string().contains("reused"), "{reuse}");
    assert_eq!(post(addr, "/csc/v1/credentials/list", Some(&latest_access), &json!({})).0, 401);
    let (s, _, _) =
        post(addr, "/csc/v1/auth/login", None, &json!({ "refresh_token": latest_refresh }));
    assert_eq!(s, 401);
    // A new session; revoking its refresh token revokes its family.
    let (access, refresh) = remembered_login(addr);
    let (s, v, _) = post(addr, "/csc/v1/auth/login", None, &json!({ "refresh_token": refresh }));
    assert_eq!(s, 200, "{v}");
    let (renewed, refresh) = (
        v["access_token"].as_str().unwrap().to_owned(),
        v["refresh_token"].as_str().unwrap().to_owned(),
    );
    // Revoking the refresh token revokes its family.
    assert_eq!(
        post(
            addr,
            "/csc/v1/auth/revoke",
            Some(&access),
            &json!({ "token": refresh, "token_type_hint": "refresh_token" })
        )
        .0,
        204
    );
    assert_eq!(post(addr, "/csc/v1/credentials/list", Some(&renewed), &json!({})).0, 401);
    let (s, _, _) = post(addr, "/csc/v1/auth/login", None, &json!({ "refresh_token": refresh }));
    assert_eq!(s, 401);

    // Pagination returns every credential once.
    let ids: Vec<String> = (0..5).map(|_| w.credential("ec-p256", "1", "3")).collect();
    let mut seen = Vec::new();
    let mut page_token: Option<String> = None;
    loop {
        let mut body = json!({ "maxResults": 2 });
        if let Some(t) = &page_token {
            body["pageToken"] = json!(t);
        }
        let (s, v) = w.call("credentials/list", body);
        assert_eq!(s, 200, "{v}");
        let page: Vec<String> = v["credentialIDs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_owned())
            .collect();
        assert!(page.len() <= 2);
        seen.extend(page);
        match v["nextPageToken"].as_str() {
            Some(t) => page_token = Some(t.to_owned()),
            None => break,
        }
    }
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(seen, expected);
    assert_csc_error(
        w.call("credentials/list", json!({ "maxResults": 0 })),
        "invalid_request",
        "Invalid parameter maxResults",
    );

    // extendTransaction: a fresh SAD with the remaining count; the old SAD stops working.
    let cred = &ids[0];
    let (s, v) = w.call(
        "credentials/authorize",
        json!({ "credentialID": cred, "numSignatures": 3, "PIN": "123456" }),
    );
    assert_eq!(s, 200, "{v}");
    let old = v["SAD"].as_str().unwrap().to_owned();
    let h = sha("sha256", b"e");
    assert_eq!(w.sign(cred, &old, std::slice::from_ref(&h), "1.2.840.10045.4.3.2", None).0, 200);
    let (s, v) =
        w.call("credentials/extendTransaction", json!({ "credentialID": cred, "SAD": old }));
    assert_eq!(s, 200, "{v}");
    let new = v["SAD"].as_str().unwrap().to_owned();
    assert_csc_error(
        w.sign(cred, &old, std::slice::from_ref(&h), "1.2.840.10045.4.3.2", None),
        "invalid_request",
        "Invalid parameter SAD",
    );
    let (s, v) = w.sign(cred, &new, &[h.clone(), h.clone()], "1.2.840.10045.4.3.2", None);
    assert_eq!((s, v["signatures"].as_array().map(Vec::len)), (200, Some(2)), "{v}");
    assert_csc_error(
        w.sign(cred, &new, std::slice::from_ref(&h), "1.2.840.10045.4.3.2", None),
        "invalid_request",
        "Invalid parameter SAD",
    );
}

fn an_offline_otp_is_required_once_enrolled_and_never_accepted_twice(module: Module) {
    let Some(w) = world(module) else { return };
    let cred = w.credential("ec-p256", "2", "1");
    let enrolled = admin_json(w.dir.path(), &["user", "set-otp", "ada"], "");
    let uri = enrolled["uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/Signet:ada?secret="), "{uri}");
    let seed = totp_rs::Secret::Encoded(enrolled["secret"].as_str().unwrap().to_owned())
        .to_bytes()
        .unwrap();
    let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, seed).unwrap();

    let (s, info) = w.call("credentials/info", json!({ "credentialID": cred, "authInfo": true }));
    assert_eq!(s, 200);
    assert_eq!(
        (info["OTP"]["type"].as_str(), info["OTP"]["presence"].as_str()),
        (Some("offline"), Some("true")),
        "{info}"
    );

    let h = b64(&sha("sha256", b"otp"));
    let authorize = |otp: Option<&str>| {
        let mut body =
            json!({ "credentialID": cred, "numSignatures": 1, "hash": [h], "PIN": "123456" });
        if let Some(o) = otp {
            body["OTP"] = json!(o);
        }
        w.call("credentials/authorize", body)
    };
    assert_csc_error(
        authorize(None),
        "invalid_request",
        "Missing (or invalid type) string parameter OTP",
    );
    let code = totp.generate_current().unwrap();
    let wrong: String =
        code.chars().map(|c| if c == '9' { '0' } else { char::from(c as u8 + 1) }).collect();
    assert_csc_error(authorize(Some(&wrong)), "invalid_otp", "The OTP is invalid");
    assert_eq!(w.last_audit()["details"]["reason"], "wrong OTP");
    let (s, v) = authorize(Some(&code));
    assert_eq!(s, 200, "{v}");
    assert_eq!(w.last_audit()["details"]["factors"], json!(["pin", "otp"]));
    // The same code again is a replay.
    assert_csc_error(authorize(Some(&code)), "invalid_otp", "The OTP is invalid");
    assert_eq!(w.last_audit()["details"]["replayed"], true);
    // The seed is stored sealed, never in clear.
    let db = std::fs::read(w.dir.path().join("signet.db")).unwrap_or_default();
    let secret = enrolled["secret"].as_str().unwrap().as_bytes().to_vec();
    assert!(!db.windows(secret.len()).any(|win| win == secret.as_slice()));
}

fn a_revoked_certificate_shows_revoked_and_cannot_sign(module: Module) {
    let Some(w) = world(module) else { return };
    let cred = w.credential("ec-p256", "2", "1");
    let h = sha("sha256", b"r");
    let sad = w.sad(&cred, std::slice::from_ref(&h));
    let out = signet(
        w.dir.path(),
        &["admin", "credential", "revoke", &cred, "--reason", "bogus"],
        &[],
        "",
    );
    assert!(
        !out.status.success()
            && String::from_utf8_lossy(&out.stderr).contains("unknown revocation reason")
    );
    let r =
        admin_json(w.dir.path(), &["credential", "revoke", &cred, "--reason", "keyCompromise"], "");
    assert_eq!(r["reason"], "keyCompromise");
    let (s, info) = w.call("credentials/info", json!({ "credentialID": cred }));
    assert_eq!((s, info["cert"]["status"].as_str()), (200, Some("revoked")), "{info}");
    assert_csc_error(
        w.sign(&cred, &sad, &[h], "1.2.840.10045.4.3.2", None),
        "invalid_request",
        "Signing certificate is revoked",
    );
    let out = signet(w.dir.path(), &["admin", "credential", "revoke", &cred], &[], "");
    assert!(
        !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("already revoked")
    );
}
