//! The REST API end to end against `signet serve`: policy consent before a key exists,
//! keys created, certified under a configured qualified profile (judged by OpenSSL),
//! renewed, revoked (seen by `openssl ocsp` at once), deleted (signing then fails with a
//! clear error), one-shot credentials, bad input, and the OpenAPI description.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;
use common::*;
use serde_json::{json, Value};
use std::path::Path;

const POLICY_TEXT: &[u8] = b"Signet test TSP: terms and conditions, version 3.\n";

/// A data directory whose default group certifies under a qualified profile and has one
/// policy document; user `ada` (PIN 123456) and a client `app` of her group.
struct World {
    dir: tempfile::TempDir,
    server: Server,
    client: Value,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.txt");
    std::fs::write(&policy, POLICY_TEXT).unwrap();
    let config = format!(
        "{FAST_CONFIG}\n\
         [profiles.qualified]\nkind = \"natural-person\"\nqualified = true\nqscd = true\n\
         cps_url = \"https://tsp.example/cps\"\nkey_types = [\"ec-p256\", \"rsa-2048\"]\n\
         validity_days = 90\n\
         [groups.default]\nprofile = \"qualified\"\nprofiles = [\"qualified\", \"legal-person\"]\n\
         one_shot_minutes = 5\n\
         documents = [{{ name = \"Terms\", version = \"3\", url = \"https://tsp.example/terms\", file = \"{}\" }}]\n",
        policy.display()
    );
    std::fs::write(dir.path().join("signet.toml"), config).unwrap();
    let server = Server::start(dir.path(), &[], &[]);
    let d = dir.path();
    admin_json(
        d,
        &["user", "create", "ada", "--password-stdin", "--name", "Ada Lovelace"],
        "ada-password",
    );
    admin_json(d, &["user", "set-pin", "ada", "--pin-stdin"], "123456");
    let client = admin_json(d, &["client", "create", "--group", "default", "--name", "app"], "");
    World { dir, server, client }
}

impl World {
    fn call(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
        http(&self.server.addr, method, path, Some(token), body.as_ref())
    }

    fn audit(&self) -> Vec<Value> {
        let v = admin_json_cmd(self.dir.path(), &["audit", "list", "--json"]);
        v["records"].as_array().cloned().unwrap_or_default()
    }

    fn ocsp(&self, cert: &Path, issuer: &Path, root: &Path) -> String {
        let o = std::process::Command::new("openssl")
            .args(["ocsp", "-issuer", issuer.to_str().unwrap(), "-cert", cert.to_str().unwrap()])
            .args(["-url", &format!("http://{}/pki/ocsp", self.server.addr)])
            .args(["-CAfile", root.to_str().unwrap()])
            .output()
            .unwrap();
        format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
    }
}

/// `signet audit list --json`: one JSON value (array).
fn admin_json_cmd(dir: &Path, args: &[&str]) -> Value {
    let out = signet(dir, args, &[], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.trim()).unwrap_or_else(|_| {
        Value::Array(text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect())
    })
}

fn sha256_hex(data: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("d");
    std::fs::write(&f, data).unwrap();
    let out = openssl(&["dgst", "-sha256", "-r", f.to_str().unwrap()]);
    out.split_whitespace().next().unwrap().to_owned()
}

fn accepted(docs: &Value) -> Value {
    json!(docs["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| json!({ "name": d["name"], "version": d["version"], "sha256": d["sha256"] }))
        .collect::<Vec<_>>())
}

fn write_chain(
    dir: &Path,
    key: &Value,
) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let chain = key["certificate"]["chain_pem"].as_array().unwrap();
    let names = ["leaf.pem", "issuing.pem", "root.pem"];
    let paths: Vec<_> = names.iter().map(|n| dir.join(n)).collect();
    for (p, pem) in paths.iter().zip(chain) {
        std::fs::write(p, pem.as_str().unwrap()).unwrap();
    }
    (paths[0].clone(), paths[1].clone(), paths[2].clone())
}

#[test]
fn keys_need_consent_then_are_certified_revoked_renewed_and_deleted() {
    let w = world();
    let addr = w.server.addr.clone();
    let ada = login(&addr, "ada", "ada-password");

    // The document to accept, hashed from the configured file.
    let (s, docs) = w.call("GET", "/api/v1/policy-documents", &ada, None);
    assert_eq!(s, 200, "{docs}");
    assert_eq!(docs["documents"][0]["sha256"], sha256_hex(POLICY_TEXT));
    assert_eq!(docs["documents"][0]["url"], "https://tsp.example/terms");

    // No key without consent (nor with a wrong hash); refused and audited.
    let (s, v) = w.call("POST", "/api/v1/keys", &ada, Some(json!({ "algorithm": "ec-p256" })));
    assert_eq!((s, v["error"].as_str()), (403, Some("consent_required")), "{v}");
    let wrong = json!([{ "name": "Terms", "version": "3", "sha256": "00".repeat(32) }]);
    let (s, _) = w.call("POST", "/api/v1/keys", &ada, Some(json!({ "accepted_documents": wrong })));
    assert_eq!(s, 403);
    assert!(w.audit().iter().any(|r| r["kind"] == "keys.create" && r["outcome"] == "refused"));

    let (s, key) = w.call(
        "POST",
        "/api/v1/keys",
        &ada,
        Some(json!({ "algorithm": "ec-p256", "accepted_documents": accepted(&docs), "description": "my key" })),
    );
    assert_eq!(s, 201, "{key}");
    assert_eq!((key["status"].as_str(), key["certificate"].is_null()), (Some("active"), true));
    let id = key["key_id"].as_str().unwrap().to_owned();
    // Not a CSC credential before it has a certificate.
    let (_, list, _) = post(&addr, "/csc/v1/credentials/list", Some(&ada), &json!({}));
    assert!(!list["credentialIDs"].as_array().unwrap().iter().any(|c| c == id.as_str()), "{list}");

    // Issue under the group's qualified profile: the chain verifies, the profile's
    // policy and QC statements are there.
    let (s, key) = w.call("POST", &format!("/api/v1/keys/{id}/certificate"), &ada, Some(json!({})));
    assert_eq!(s, 201, "{key}");
    let cert = &key["certificate"];
    assert_eq!(
        (cert["status"].as_str(), cert["profile"].as_str()),
        (Some("valid"), Some("qualified"))
    );
    let days = (cert["valid_to"].as_i64().unwrap() - cert["valid_from"].as_i64().unwrap()) / 86_400;
    assert_eq!(days, 90, "{cert}");
    let tmp = tempfile::tempdir().unwrap();
    let (leaf, issuing, root) = write_chain(tmp.path(), &key);
    let verify = openssl(&[
        "verify",
        "-x509_strict",
        "-CAfile",
        root.to_str().unwrap(),
        "-untrusted",
        issuing.to_str().unwrap(),
        leaf.to_str().unwrap(),
    ]);
    assert!(verify.contains(": OK"), "{verify}");
    let text = openssl(&["x509", "-in", leaf.to_str().unwrap(), "-noout", "-text"]);
    assert!(
        text.contains("Policy: 0.4.0.194112.1.2") && text.contains("CPS: https://tsp.example/cps"),
        "{text}"
    );
    assert!(text.contains("1.3.6.1.5.5.7.1.3") || text.contains("qcStatements"), "{text}");
    let (s, v) = w.call("POST", &format!("/api/v1/keys/{id}/certificate"), &ada, Some(json!({})));
    assert_eq!((s, v["error"].as_str()), (409, Some("conflict")), "{v}");
    // A profile outside the group, an unknown one, and a key type the profile refuses.
    let (s, v) = w.call(
        "POST",
        "/api/v1/keys",
        &ada,
        Some(json!({ "algorithm": "ec-p384", "accepted_documents": accepted(&docs) })),
    );
    assert_eq!(s, 201, "{v}");
    let p384 = v["key_id"].as_str().unwrap().to_owned();
    let (s, v) = w.call("POST", &format!("/api/v1/keys/{p384}/certificate"), &ada, Some(json!({})));
    assert_eq!(s, 400, "{v}");
    assert!(v["error_description"].as_str().unwrap().contains("does not allow ec-p384"), "{v}");
    let (s, _) = w.call(
        "POST",
        &format!("/api/v1/keys/{p384}/certificate"),
        &ada,
        Some(json!({ "profile": "natural-person" })),
    );
    assert_eq!(s, 400);

    // The key signs through CSC: it is now a credential.
    let hash = vec![7u8; 32];
    let b64 = |b: &[u8]| base64_std(b);
    let (s, auth, _) = post(
        &addr,
        "/csc/v1/credentials/authorize",
        Some(&ada),
        &json!({ "credentialID": id, "numSignatures": 1, "hash": [b64(&hash)], "PIN": "123456" }),
    );
    assert_eq!(s, 200, "{auth}");

    // Revoke: OCSP says revoked (keyCompromise) at once; signing is refused.
    let good = w.ocsp(&leaf, &issuing, &root);
    assert!(good.contains(": good"), "{good}");
    let (s, v) = w.call(
        "POST",
        &format!("/api/v1/keys/{id}/certificate/revoke"),
        &ada,
        Some(json!({ "reason": "keyCompromise" })),
    );
    assert_eq!((s, v["certificate"]["status"].as_str()), (200, Some("revoked")), "{v}");
    let revoked = w.ocsp(&leaf, &issuing, &root);
    assert!(revoked.contains(": revoked") && revoked.contains("keyCompromise"), "{revoked}");
    let (s, v) = w.call(
        "POST",
        &format!("/api/v1/keys/{id}/certificate/revoke"),
        &ada,
        Some(json!({ "reason": "keyCompromise" })),
    );
    assert_eq!(s, 409, "{v}");
    let (s, v) = w.call(
        "POST",
        &format!("/api/v1/keys/{id}/certificate/revoke"),
        &ada,
        Some(json!({ "reason": "bored" })),
    );
    assert_eq!((s, v["error"].as_str()), (400, Some("invalid_request")), "{v}");
    let (s, v, _) = post(
        &addr,
        "/csc/v1/signatures/signHash",
        Some(&ada),
        &json!({ "credentialID": id, "SAD": auth["SAD"], "hash": [b64(&hash)], "signAlgo": "1.2.840.10045.4.3.2" }),
    );
    assert_eq!(s, 400, "{v}");
    assert!(v["error_description"].as_str().unwrap().contains("revoked"), "{v}");

    // Renew with a new key: a new key id and certificate; the consent is needed again.
    let (s, v) = w.call(
        "POST",
        &format!("/api/v1/keys/{id}/certificate/renew"),
        &ada,
        Some(json!({ "new_key": true })),
    );
    assert_eq!((s, v["error"].as_str()), (403, Some("consent_required")), "{v}");
    let (s, renewed) = w.call(
        "POST",
        &format!("/api/v1/keys/{id}/certificate/renew"),
        &ada,
        Some(json!({ "new_key": true, "accepted_documents": accepted(&docs) })),
    );
    assert_eq!(s, 201, "{renewed}");
    let new_id = renewed["key_id"].as_str().unwrap().to_owned();
    assert_ne!(new_id, id);
    assert_eq!(renewed["certificate"]["status"], "valid");
    assert_eq!(renewed["description"], "my key");
    // Renew the same key: a new serial, the same public key.
    let (s, again) =
        w.call("POST", &format!("/api/v1/keys/{new_id}/certificate/renew"), &ada, Some(json!({})));
    assert_eq!((s, again["key_id"].as_str()), (201, Some(new_id.as_str())), "{again}");
    assert_ne!(again["certificate"]["serial_number"], renewed["certificate"]["serial_number"]);
    let pubkey = |k: &Value| {
        let d = tempfile::tempdir().unwrap();
        let (leaf, _, _) = write_chain(d.path(), k);
        openssl(&["x509", "-in", leaf.to_str().unwrap(), "-noout", "-pubkey"])
    };
    assert_eq!(pubkey(&again), pubkey(&renewed));

    // A service token of the group manages Ada's keys; a user outside it is not found.
    let svc = service_token(&addr, &w.client);
    let (s, v) = w.call("GET", "/api/v1/keys?user=ada", &svc, None);
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["keys"].as_array().unwrap().len(), 3, "{v}");
    let (s, v) = w.call("GET", "/api/v1/keys", &svc, None);
    assert_eq!(s, 400, "{v}");
    let (s, v) = w.call("GET", "/api/v1/keys?user=nobody", &svc, None);
    assert_eq!((s, v["error"].as_str()), (404, Some("not_found")), "{v}");
    let (s, _) = w.call("GET", "/api/v1/keys?user=ada", &ada, None);
    assert_eq!(s, 200);

    // Delete: the blob is gone, signing fails with a clear error, the deletion is audited.
    let (s, auth2, _) = post(
        &addr,
        "/csc/v1/credentials/authorize",
        Some(&ada),
        &json!({ "credentialID": new_id, "numSignatures": 1, "hash": [b64(&hash)], "PIN": "123456" }),
    );
    assert_eq!(s, 200, "{auth2}");
    let (s, _) = w.call("DELETE", &format!("/api/v1/keys/{new_id}"), &svc, None);
    assert_eq!(s, 204);
    let (s, v) = w.call("DELETE", &format!("/api/v1/keys/{new_id}"), &ada, None);
    assert_eq!(s, 409, "{v}");
    let (s, v) = w.call("GET", &format!("/api/v1/keys/{new_id}"), &ada, None);
    assert_eq!((s, v["status"].as_str()), (200, Some("deleted")), "{v}");
    assert!(v["deleted_at"].is_i64(), "{v}");
    let (s, v, _) = post(
        &addr,
        "/csc/v1/signatures/signHash",
        Some(&ada),
        &json!({ "credentialID": new_id, "SAD": auth2["SAD"], "hash": [b64(&hash)], "signAlgo": "1.2.840.10045.4.3.2" }),
    );
    assert_eq!(s, 400, "{v}");
    assert!(v["error_description"].as_str().unwrap().contains("destroyed"), "{v}");
    let records = w.audit();
    let deleted = records.iter().find(|r| r["kind"] == "keys.delete").expect("keys.delete audited");
    assert_eq!(deleted["credential_id"], new_id.as_str());
    assert!(deleted["client_id"].is_string(), "the service client is recorded: {deleted}");
    for kind in ["keys.create", "enrollment.issue", "enrollment.revoke", "enrollment.renew"] {
        assert!(records.iter().any(|r| r["kind"] == kind && r["outcome"] == "success"), "{kind}");
    }
    let verify = signet(w.dir.path(), &["audit", "verify"], &[], "");
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
}

#[test]
fn one_shot_credentials_sign_exactly_the_authorised_hashes_then_vanish() {
    let w = world();
    let addr = w.server.addr.clone();
    let ada = login(&addr, "ada", "ada-password");
    let (_, docs) = w.call("GET", "/api/v1/policy-documents", &ada, None);
    let tmp = tempfile::tempdir().unwrap();
    let data = [tmp.path().join("a.txt"), tmp.path().join("b.txt")];
    std::fs::write(&data[0], b"first document").unwrap();
    std::fs::write(&data[1], b"second document").unwrap();
    let digest = |p: &Path| {
        let o = std::process::Command::new("openssl")
            .args(["dgst", "-sha256", "-binary", p.to_str().unwrap()])
            .output()
            .unwrap();
        o.stdout
    };
    let hashes: Vec<String> = data.iter().map(|p| base64_std(&digest(p))).collect();

    let body = |pin: &str| {
        json!({ "hashes": hashes, "hashAlgo": "2.16.840.1.101.3.4.2.1", "PIN": pin,
                "accepted_documents": accepted(&docs) })
    };
    // A wrong PIN: refused with the CSC code, and the key made for it is destroyed.
    let (s, v) = w.call("POST", "/api/v1/one-shot", &ada, Some(body("000000")));
    assert_eq!((s, v["error"].as_str()), (400, Some("invalid_pin")), "{v} {}", w.server.stderr());
    let (_, keys) = w.call("GET", "/api/v1/keys", &ada, None);
    assert!(keys["keys"].as_array().unwrap().iter().all(|k| k["status"] == "deleted"), "{keys}");

    let (s, one) = w.call("POST", "/api/v1/one-shot", &ada, Some(body("123456")));
    assert_eq!(s, 201, "{one}");
    let cred = one["credentialID"].as_str().unwrap().to_owned();
    let sad = one["SAD"].as_str().unwrap().to_owned();
    // A short-lived certificate: five minutes (plus the minute it is backdated).
    let leaf_der = base64_decode(one["certificates"][0].as_str().unwrap());
    let leaf = tmp.path().join("leaf.der");
    std::fs::write(&leaf, &leaf_der).unwrap();
    let dates = openssl(&[
        "x509",
        "-inform",
        "DER",
        "-in",
        leaf.to_str().unwrap(),
        "-noout",
        "-startdate",
        "-enddate",
    ]);
    let when = |tag: &str| {
        let line = dates.lines().find(|l| l.starts_with(tag)).unwrap();
        let out = std::process::Command::new("date")
            .args(["-u", "-d", line.split_once('=').unwrap().1, "+%s"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().parse::<i64>().unwrap()
    };
    assert_eq!(when("notAfter") - when("notBefore"), 6 * 60, "{dates}");
    let pubkey = tmp.path().join("pub.pem");
    let o = std::process::Command::new("openssl")
        .args([
            "x509",
            "-inform",
            "DER",
            "-in",
            leaf.to_str().unwrap(),
            "-noout",
            "-pubkey",
            "-out",
        ])
        .arg(&pubkey)
        .output()
        .unwrap();
    assert!(o.status.success());

    let sign = |h: &str, sad: &str| {
        let (s, v, _) = post(
            &addr,
            "/csc/v1/signatures/signHash",
            Some(&ada),
            &json!({ "credentialID": cred, "SAD": sad, "hash": [h], "signAlgo": "1.2.840.10045.4.3.2" }),
        );
        (s, v)
    };
    // Another hash is refused; each authorised one signs once, and verifies.
    let other = base64_std(&[9u8; 32]);
    let (s, v) = sign(&other, &sad);
    assert_eq!(s, 400, "{v}");
    for (i, h) in hashes.iter().enumerate() {
        let (s, v) = sign(h, &sad);
        assert_eq!(s, 200, "{v}");
        let sig = tmp.path().join(format!("sig{i}"));
        std::fs::write(&sig, base64_decode(v["signatures"][0].as_str().unwrap())).unwrap();
        let ok = openssl(&[
            "dgst",
            "-sha256",
            "-verify",
            pubkey.to_str().unwrap(),
            "-signature",
            sig.to_str().unwrap(),
            data[i].to_str().unwrap(),
        ]);
        assert!(ok.contains("Verified OK"), "{ok}");
    }
    // Used up: the key is destroyed in the last signature's transaction.
    let (s, v) = sign(&hashes[0], &sad);
    assert_eq!(s, 400, "{v}");
    let (_, k) = w.call("GET", &format!("/api/v1/keys/{cred}"), &ada, None);
    assert_eq!(k["status"], "deleted", "{k}");
    let last = w
        .audit()
        .into_iter()
        .rfind(|r| r["kind"] == "signatures.signHash" && r["outcome"] == "success")
        .unwrap();
    assert_eq!(last["details"]["key_destroyed"], true, "{last}");

    // Bad input never creates anything.
    let (s, v) = w.call(
        "POST",
        "/api/v1/one-shot",
        &ada,
        Some(json!({ "hashes": ["!!"], "hashAlgo": "2.16.840.1.101.3.4.2.1" })),
    );
    assert_eq!((s, v["error"].as_str()), (400, Some("invalid_request")), "{v}");
    let (s, _) = w.call(
        "POST",
        "/api/v1/one-shot",
        &ada,
        Some(json!({ "hashes": [], "hashAlgo": "2.16.840.1.101.3.4.2.1" })),
    );
    assert_eq!(s, 400);
}

#[test]
fn bad_requests_get_the_api_error_shape_and_the_openapi_document_lists_the_routes() {
    let w = world();
    let addr = w.server.addr.clone();
    let ada = login(&addr, "ada", "ada-password");
    let (s, v) = http(&addr, "GET", "/api/v1/keys", None, None);
    assert_eq!((s, v["error"].as_str()), (401, Some("invalid_token")), "{v}");
    let (s, v) = w.call("POST", "/api/v1/keys", &ada, Some(json!({ "algorithm": "rsa-1024" })));
    assert_eq!(s, 400, "{v}");
    assert!(v["error_description"].as_str().unwrap().contains("rsa-2048"), "{v}");
    let (s, v) = w.call("POST", "/api/v1/keys", &ada, Some(json!({ "algoritm": "ec-p256" })));
    assert_eq!(s, 400, "{v}");
    assert!(v["error_description"].as_str().unwrap().contains("algoritm"), "{v}");
    let (s, v) = w.call("POST", "/api/v1/keys", &ada, Some(json!({ "scal": "two" })));
    assert_eq!(s, 400, "{v}");
    assert!(v["error_description"].as_str().unwrap().contains("scal"), "{v}");
    let (s, v) =
        w.call("POST", "/api/v1/keys", &ada, Some(json!({ "scal": 3, "accepted_documents": [] })));
    assert_eq!(s, 400, "{v}");
    let out = std::process::Command::new("curl")
        .args([
            "-s",
            "-w",
            "\n%{http_code}",
            "-X",
            "POST",
            "-H",
            &format!("Authorization: Bearer {ada}"),
        ])
        .args(["-H", "Content-Type: application/json", "--data-binary", "{not json"])
        .arg(format!("http://{addr}/api/v1/keys"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.ends_with("400") && text.contains("not valid JSON"), "{text}");
    for path in ["/api/v1/keys/not-a-key", "/api/v1/keys/00000000-0000-4000-8000-000000000000"] {
        let (s, v) = w.call("GET", path, &ada, None);
        assert_eq!((s, v["error"].as_str()), (404, Some("not_found")), "{path}: {v}");
    }
    // Another user's key is reported as not found.
    admin_json(w.dir.path(), &["user", "create", "bob", "--password-stdin"], "bob-password");
    let bob = login(&addr, "bob", "bob-password");
    let (_, docs) = w.call("GET", "/api/v1/policy-documents", &ada, None);
    let (_, k) = w.call(
        "POST",
        "/api/v1/keys",
        &ada,
        Some(json!({ "accepted_documents": accepted(&docs) })),
    );
    let id = k["key_id"].as_str().unwrap();
    let (s, _) = w.call("DELETE", &format!("/api/v1/keys/{id}"), &bob, None);
    assert_eq!(s, 404);
    let (s, v) = w.call("GET", "/api/v1/keys?user=ada", &bob, None);
    assert_eq!((s, v["error"].as_str()), (403, Some("access_denied")), "{v}");
    let (s, v) = w.call("GET", &format!("/api/v1/keys/{id}"), &ada, None);
    assert_eq!((s, v["status"].as_str()), (200, Some("active")), "{v}");

    let (s, doc) = http(&addr, "GET", "/openapi.json", None, None);
    assert_eq!(s, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{doc}");
    for path in [
        "/api/v1/policy-documents",
        "/api/v1/keys",
        "/api/v1/keys/{key_id}",
        "/api/v1/keys/{key_id}/certificate",
        "/api/v1/keys/{key_id}/certificate/renew",
        "/api/v1/keys/{key_id}/certificate/revoke",
        "/api/v1/one-shot",
        "/api/v1/documents/prepare",
        "/api/v1/documents/complete",
        "/api/v1/documents/sign",
        "/api/v1/signatures/extend",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    for schema in [
        "SignIn",
        "PadesIn",
        "VisibleIn",
        "XadesIn",
        "ReferenceIn",
        "PolicyIn",
        "ExtendIn",
        "CompleteOut",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema} missing");
    }
    let xades = &doc["components"]["schemas"]["XadesIn"]["properties"];
    for field in ["canonicalization", "parentId", "siblingIds", "references", "commitmentType"] {
        assert!(xades[field].is_object(), "XadesIn.{field} missing: {xades}");
    }
    assert!(doc["components"]["schemas"]["KeyOut"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

fn base64_std(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}
