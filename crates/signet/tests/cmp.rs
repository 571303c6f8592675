//! A group whose CA is external, reached over CMP: the Enrollment API issues (ir),
//! renews (kur) and revokes (rr) through OpenSSL's CMP mock CA with shared-secret (PBM)
//! protection, and a refusal by the CA reaches the caller as `ca_rejected`.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "common/cmp_mock.rs"]
mod cmp_mock;
mod common;

use cmp_mock::{free_port, CmpMock};
use common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// A test CA (EC P-256) made with OpenSSL, and a certificate it issues for a public key.
struct TestCa {
    cert: PathBuf,
    key: PathBuf,
}

impl TestCa {
    fn new(dir: &Path) -> TestCa {
        let (cert, key) = (dir.join("ca.pem"), dir.join("ca.key"));
        let o = std::process::Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
            ])
            .args(["-subj", "/O=Partner/CN=Partner CA", "-days", "30", "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        TestCa { cert, key }
    }

    /// What the mock will hand out: a certificate for `public_key_pem`.
    fn certify(&self, dir: &Path, public_key_pem: &str, serial: u32) -> PathBuf {
        let (pubkey, tmpkey, csr, out) = (
            dir.join(format!("pub{serial}.pem")),
            dir.join(format!("tmp{serial}.key")),
            dir.join(format!("req{serial}.csr")),
            dir.join(format!("issued{serial}.pem")),
        );
        std::fs::write(&pubkey, public_key_pem).unwrap();
        let run = |args: Vec<String>| {
            let o = std::process::Command::new("openssl").args(&args).output().unwrap();
            assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        };
        let s = |p: &Path| p.to_str().unwrap().to_owned();
        run(vec![
            "req".into(),
            "-new".into(),
            "-newkey".into(),
            "ec".into(),
            "-pkeyopt".into(),
            "ec_paramgen_curve:P-256".into(),
            "-nodes".into(),
            "-keyout".into(),
            s(&tmpkey),
            "-subj".into(),
            "/CN=Ada Lovelace".into(),
            "-out".into(),
            s(&csr),
        ]);
        run(vec![
            "x509".into(),
            "-req".into(),
            "-in".into(),
            s(&csr),
            "-force_pubkey".into(),
            s(&pubkey),
            "-CA".into(),
            s(&self.cert),
            "-CAkey".into(),
            s(&self.key),
            "-set_serial".into(),
            serial.to_string(),
            "-days".into(),
            "20".into(),
            "-out".into(),
            s(&out),
        ]);
        out
    }
}

#[test]
fn enrollment_through_an_external_cmp_ca() {
    let tmp = tempfile::tempdir().unwrap();
    let ca = TestCa::new(tmp.path());
    let port = free_port();
    let config = format!(
        "{FAST_CONFIG}\n[connectors.partner]\nkind = \"cmp\"\nurl = \"http://127.0.0.1:{port}/pkix/\"\n\
         reference = \"1234\"\nsecret = \"test1234\"\ntimeout_seconds = 10\n\
         [groups.default]\nconnector = \"partner\"\n"
    );
    let dir = data_dir(&config);
    let server = Server::start(dir.path(), &[], &[]);
    let addr = server.addr.clone();
    admin_json(
        dir.path(),
        &["user", "create", "ada", "--password-stdin", "--name", "Ada Lovelace"],
        "ada-password",
    );
    let ada = login(&addr, "ada", "ada-password");
    let call = |m: &str, p: &str, b: Option<Value>| http(&addr, m, p, Some(&ada), b.as_ref());

    // With the CA down, enrolment fails cleanly (503) and leaves the key uncertified.
    let (s, key) = call("POST", "/api/v1/keys", Some(json!({ "algorithm": "ec-p256" })));
    assert_eq!(s, 201, "{key}");
    let id = key["key_id"].as_str().unwrap().to_owned();
    let (s, v) = call("POST", &format!("/api/v1/keys/{id}/certificate"), Some(json!({})));
    assert_eq!((s, v["error"].as_str()), (503, Some("unavailable")), "{v}");
    let (_, k) = call("GET", &format!("/api/v1/keys/{id}"), None);
    assert!(k["certificate"].is_null(), "{k}");

    // ir: the mock CA (PBM, raVerified accepted) issues the certificate for our key.
    let issued = ca.certify(tmp.path(), key["public_key_pem"].as_str().unwrap(), 41);
    let mock_args = |cert: &Path| -> Vec<String> {
        vec![
            "-srv_ref".into(),
            "1234".into(),
            "-srv_secret".into(),
            "pass:test1234".into(),
            "-rsp_cert".into(),
            cert.to_str().unwrap().into(),
            "-rsp_capubs".into(),
            ca.cert.to_str().unwrap().into(),
            "-accept_raverified".into(),
        ]
    };
    let args = mock_args(&issued);
    let mock =
        CmpMock::start(tmp.path(), port, &args.iter().map(String::as_str).collect::<Vec<_>>());
    let (s, v) = call("POST", &format!("/api/v1/keys/{id}/certificate"), Some(json!({})));
    assert_eq!(s, 201, "{v}\n{}", mock.log());
    let cert = &v["certificate"];
    assert_eq!(cert["connector"], "partner");
    assert!(cert["issuer"].as_str().unwrap().contains("Partner CA"), "{cert}");
    assert_eq!(cert["serial_number"].as_str().unwrap().trim_start_matches('0'), "29"); // 41
    assert_eq!(cert["chain_pem"].as_array().unwrap().len(), 2, "leaf and the CA from caPubs");
    // ir → ip, then certConf → pkiConf: two exchanges (no implicit confirmation asked).
    assert_eq!(mock.log().matches("Received request").count(), 2, "{}", mock.log());

    // It is a CSC credential now, with the external CA's chain.
    let (s, info, _) = post(
        &addr,
        "/csc/v1/credentials/info",
        Some(&ada),
        &json!({ "credentialID": id, "certificates": "chain" }),
    );
    assert_eq!((s, info["cert"]["status"].as_str()), (200, Some("valid")), "{info}");

    // kur: renewal of the same key.
    let (s, v) = call("POST", &format!("/api/v1/keys/{id}/certificate/renew"), Some(json!({})));
    assert_eq!(
        (s, v["certificate"]["connector"].as_str()),
        (201, Some("partner")),
        "{v}\n{}",
        mock.log()
    );

    // rr: the CA confirms; the key's certificate is revoked, and CSC says so.
    let (s, v) = call(
        "POST",
        &format!("/api/v1/keys/{id}/certificate/revoke"),
        Some(json!({ "reason": "superseded" })),
    );
    assert_eq!(s, 200, "{v}\n{}", mock.log());
    assert_eq!(
        (v["certificate"]["status"].as_str(), v["certificate"]["revocation_reason"].as_str()),
        (Some("revoked"), Some("superseded"))
    );
    let (_, info, _) =
        post(&addr, "/csc/v1/credentials/info", Some(&ada), &json!({ "credentialID": id }));
    assert_eq!(info["cert"]["status"], "revoked", "{info}");
    drop(mock);

    // A CA that refuses: the caller sees ca_rejected with the CA's own words.
    let (_, key2) = call("POST", "/api/v1/keys", Some(json!({ "algorithm": "ec-p256" })));
    let id2 = key2["key_id"].as_str().unwrap();
    let issued2 = ca.certify(tmp.path(), key2["public_key_pem"].as_str().unwrap(), 42);
    let mut args = mock_args(&issued2);
    args.extend(
        ["-pkistatus", "2", "-failurebits", "516", "-statusstring", "policy says no"]
            .map(String::from),
    );
    let refusing =
        CmpMock::start(tmp.path(), port, &args.iter().map(String::as_str).collect::<Vec<_>>());
    let (s, v) = call("POST", &format!("/api/v1/keys/{id2}/certificate"), Some(json!({})));
    assert_eq!((s, v["error"].as_str()), (422, Some("ca_rejected")), "{v}\n{}", refusing.log());
    assert!(v["error_description"].as_str().unwrap().contains("policy says no"), "{v}");
    let (_, k) = call("GET", &format!("/api/v1/keys/{id2}"), None);
    assert!(k["certificate"].is_null(), "nothing recorded: {k}");
    drop(refusing);

    // A wrong shared secret: the CA's answer cannot be trusted; nothing is recorded.
    let mut args = mock_args(&issued2);
    args[3] = "pass:another-secret".into();
    let wrong =
        CmpMock::start(tmp.path(), port, &args.iter().map(String::as_str).collect::<Vec<_>>());
    let (s, v) = call("POST", &format!("/api/v1/keys/{id2}/certificate"), Some(json!({})));
    assert!(s == 503 || s == 422, "{s} {v}\n{}", wrong.log());
    let (_, k) = call("GET", &format!("/api/v1/keys/{id2}"), None);
    assert!(k["certificate"].is_null(), "{k}");
    drop(wrong);
    server.stop();
}

#[test]
fn a_group_naming_an_unknown_connector_is_refused_at_start() {
    let dir = data_dir(&format!("{FAST_CONFIG}\n[groups.default]\nconnector = \"nowhere\"\n"));
    let out = signet(dir.path(), &["serve", "--listen", "127.0.0.1:0"], &[], "");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("groups.default") && err.contains("nowhere"), "{err}");
    let dir = data_dir(&format!(
        "{FAST_CONFIG}\n[connectors.x]\nkind = \"cmp\"\nurl = \"http://127.0.0.1:1/\"\n"
    ));
    let out = signet(dir.path(), &["serve", "--listen", "127.0.0.1:0"], &[], "");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("connectors.x"), "{err}");
}
