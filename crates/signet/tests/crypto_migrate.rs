//! `signet admin crypto migrate --to pkcs11` end to end: a Signet that ran on the soft
//! module moves every stored key (CAs, TSA/OCSP, signers' keys, sealed OTP seeds) into a
//! SoftHSM2 token, in steps, with an audit record per key; then runs on the HSM: the same
//! credentials sign hashes that OpenSSL verifies, the OTP seed still works, timestamps are
//! signed, and the audit log verifies.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;
use base64::Engine as _;
use common::*;
use serde_json::{json, Value};
use std::path::Path;

fn b64(d: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(d)
}

fn set_module(dir: &Path, module: &str) {
    let path = dir.join("signet.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text
        .lines()
        .map(|l| {
            if l.starts_with("module = ") {
                format!("module = \"{module}\"")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&path, text).unwrap();
}

fn migrate(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["crypto", "migrate", "--to", "pkcs11"];
    args.extend_from_slice(extra);
    admin_json(dir, &args, "")
}

/// A hash signed through the CSC API with `credential`, verified by OpenSSL against the
/// credential's certificate.
fn sign_and_verify(addr: &str, token: &str, credential: &str, otp: Option<String>, dir: &Path) {
    let data = b"signed after the move into the HSM";
    let digest = signer::sha256(data);
    let mut body = json!({ "credentialID": credential, "numSignatures": 1, "hash": [b64(&digest)], "PIN": "123456" });
    if let Some(code) = otp {
        body["OTP"] = json!(code);
    }
    let (s, v, _) = post(addr, "/csc/v1/credentials/authorize", Some(token), &body);
    assert_eq!(s, 200, "{v}");
    let (s, info, _) = post(
        addr,
        "/csc/v1/credentials/info",
        Some(token),
        &json!({ "credentialID": credential, "certificates": "single" }),
    );
    assert_eq!(s, 200, "{info}");
    let algo = info["key"]["algo"][0].as_str().unwrap().to_owned();
    let (s, v, _) = post(
        addr,
        "/csc/v1/signatures/signHash",
        Some(token),
        &json!({ "credentialID": credential, "SAD": v["SAD"], "hash": [b64(&digest)], "signAlgo": algo, "hashAlgo": "2.16.840.1.101.3.4.2.1" }),
    );
    assert_eq!(s, 200, "{v}");
    let sig = signer::unb64(v["signatures"][0].as_str().unwrap());
    let cert = dir.join(format!("{credential}.der"));
    std::fs::write(&cert, signer::unb64(info["cert"]["certificates"][0].as_str().unwrap()))
        .unwrap();
    let pubkey = dir.join(format!("{credential}.pub.pem"));
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
    let (file, sig_file) = (dir.join("data"), dir.join("sig"));
    std::fs::write(&file, data).unwrap();
    std::fs::write(&sig_file, sig).unwrap();
    let out = openssl(&[
        "dgst",
        "-sha256",
        "-verify",
        pubkey.to_str().unwrap(),
        "-signature",
        sig_file.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    assert!(out.contains("Verified OK"), "{credential}: {out}");
}

#[test]
fn soft_keys_move_into_the_hsm_in_steps_and_keep_signing() {
    let Some(dir) = data_dir_on(Module::Pkcs11, FAST_CONFIG) else { return };
    let d = dir.path();
    set_module(d, "soft");

    // 1. A Signet on the soft module with two signers' keys and an OTP seed.
    let server = Server::start(d, &[], &[]);
    admin_json(d, &["user", "create", "ada", "--password-stdin"], "ada-password");
    admin_json(d, &["user", "set-pin", "ada", "--pin-stdin"], "123456");
    admin_json(d, &["user", "create", "bob", "--password-stdin"], "bob-password");
    admin_json(d, &["user", "set-pin", "bob", "--pin-stdin"], "123456");
    let rsa = admin_json(d, &["credential", "create", "ada", "--key", "rsa-2048"], "");
    let ec = admin_json(d, &["credential", "create", "bob", "--key", "ec-p256"], "");
    let otp = admin_json(d, &["user", "set-otp", "bob"], "");
    assert!(server.stop());
    // CAs (2), TSA, OCSP and token-signing keys (3), credentials (2), OTP seed (1).
    let total = 8;

    // 2. A first run stopped after two keys: nothing half-done, the rest left for later.
    let first = migrate(d, &["--limit", "2"]);
    assert_eq!(
        (first["total"].as_u64(), first["moved"].as_u64()),
        (Some(total), Some(2)),
        "{first}"
    );
    assert_eq!(first["remaining"], total - 2, "{first}");
    assert_eq!(first["master_key_created"], true);
    // A server on the soft module now refuses to start: a key it needs is in the HSM,
    // and the error says what to do.
    let err = Server::try_start(d, &[], &[]).err().unwrap_or_default();
    assert!(err.contains("wrapped by the pkcs11 module"), "{err}");

    // 3. The second run moves the rest; a third finds nothing left.
    let second = migrate(d, &[]);
    assert_eq!(
        (second["moved"].as_u64(), second["skipped"].as_u64()),
        (Some(total - 2), Some(2)),
        "{second}"
    );
    assert_eq!(second["master_key_created"], false);
    let third = migrate(d, &[]);
    assert_eq!(
        (third["moved"].as_u64(), third["skipped"].as_u64()),
        (Some(0), Some(total)),
        "{third}"
    );
    let labels = token_private_keys(d);
    for l in [
        "signet:service:ca:root",
        "signet:service:ca:issuing",
        "signet:service:tsa:tsa",
        "signet:service:ocsp:ocsp",
        "signet:service:token:token",
    ] {
        assert!(labels.iter().any(|x| x == l), "{l} in {labels:?}");
    }
    assert_eq!(labels.len(), 5, "signers' keys are not token objects: {labels:?}");

    // 4. On the HSM: both credentials sign, Bob's OTP seed still works, timestamps too.
    set_module(d, "pkcs11");
    let server = Server::start(d, &[], &[]);
    assert!(server.banner.contains("PKCS#11 token `signet`"), "{}", server.banner);
    let (s, ready) = server.get("/readyz");
    assert!(s == 200 && ready.contains("\"crypto\":\"ok\""), "{ready}");
    let ada = login(&server.addr, "ada", "ada-password");
    sign_and_verify(&server.addr, &ada, rsa["credential_id"].as_str().unwrap(), None, d);
    let seed =
        totp_rs::Secret::Encoded(otp["secret"].as_str().unwrap().to_owned()).to_bytes().unwrap();
    let code = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, seed)
        .unwrap()
        .generate_current()
        .unwrap();
    let bob = login(&server.addr, "bob", "bob-password");
    sign_and_verify(&server.addr, &bob, ec["credential_id"].as_str().unwrap(), Some(code), d);
    let (s, v, _) = post(
        &server.addr,
        "/csc/v1/signatures/timestamp",
        Some(&ada),
        &json!({ "hash": b64(&signer::sha256(b"x")), "hashAlgo": "2.16.840.1.101.3.4.2.1" }),
    );
    assert_eq!(s, 200, "{v}");
    // The authorization server's token-signing key moved too: its JWKS is served.
    let (s, jwks) = server.get("/oauth2/jwks");
    assert!(s == 200 && jwks.contains("\"kty\":\"RSA\""), "{jwks}");
    assert!(server.stop());

    // 5. One audit record per moved key, in a chain that verifies.
    let out = signet(d, &["audit", "list", "--json"], &[], "");
    let records: Value = serde_json::from_slice(&out.stdout).unwrap();
    let moved = records["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "admin.crypto.migrate")
        .count();
    assert_eq!(moved as u64, total);
    assert!(signet(d, &["audit", "verify"], &[], "").status.success());
}

/// The number of `admin.crypto.migrate` records in the audit log.
fn moved_so_far(dir: &Path) -> usize {
    let out = signet(dir, &["audit", "list", "--json"], &[], "");
    let records: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    records["records"]
        .as_array()
        .map(|r| r.iter().filter(|r| r["kind"] == "admin.crypto.migrate").count())
        .unwrap_or(0)
}

/// SIGKILL in the middle of a migration: every key is either still the soft module's or
/// already the HSM's, never lost or half-written; the next run finishes the rest and the
/// keys moved before and after the kill all sign.
#[test]
fn a_migration_killed_mid_run_loses_nothing() {
    let Some(dir) = data_dir_on(Module::Pkcs11, FAST_CONFIG) else { return };
    let d = dir.path();
    set_module(d, "soft");
    let server = Server::start(d, &[], &[]);
    admin_json(d, &["user", "create", "ada", "--password-stdin"], "ada-password");
    admin_json(d, &["user", "set-pin", "ada", "--pin-stdin"], "123456");
    let credentials: Vec<String> = (0..30)
        .map(|_| {
            let c = admin_json(d, &["credential", "create", "ada", "--key", "ec-p256"], "");
            c["credential_id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert!(server.stop());
    // CAs (2), TSA, OCSP and token-signing keys (3), the credentials.
    let total = 5 + credentials.len() as u64;

    let mut child = signet_command()
        .arg("--data-dir")
        .arg(d)
        .args(["admin", "--json", "crypto", "migrate", "--to", "pkcs11"])
        .envs(module_env(d))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut killed_after = None;
    for _ in 0..2000 {
        let n = moved_so_far(d);
        if n >= 3 {
            let _ = child.kill();
            killed_after = Some(n);
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let _ = child.wait();
    eprintln!("killed after {killed_after:?} of {total} keys");

    let rest = migrate(d, &[]);
    let (moved, skipped) = (rest["moved"].as_u64().unwrap(), rest["skipped"].as_u64().unwrap());
    assert_eq!(moved + skipped, total, "{rest}");
    assert_eq!(rest["remaining"], 0, "{rest}");
    assert_eq!(moved_so_far(d) as u64, total, "one audit record per key, none twice");

    set_module(d, "pkcs11");
    let server = Server::start(d, &[], &[]);
    let ada = login(&server.addr, "ada", "ada-password");
    for c in [&credentials[0], &credentials[credentials.len() - 1]] {
        sign_and_verify(&server.addr, &ada, c, None, d);
    }
    assert!(server.stop());
    assert!(signet(d, &["audit", "verify"], &[], "").status.success());
}
