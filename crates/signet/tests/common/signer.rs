//! A running server with one signer: user `ada` (password `ada-password`, PIN `123456`),
//! one credential, the CA exported to `DATA/ca/`, certificates naming the server's own
//! URL (its OCSP responder and CRLs are reachable), and the calls the document tests make.

use super::{admin_json, data_dir, free_addr, http, login, post, Server, FAST_CONFIG};
use base64::Engine as _;
use serde_json::{json, Value};
use std::path::PathBuf;

/// Base64 (standard alphabet).
pub fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// Decodes base64 (the test fails on bad input).
pub fn unb64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

/// Base64url without padding (RFC 4648 §5, as JOSE and PKCE use it).
pub fn b64url(b: &[u8]) -> String {
    b64(b).trim_end_matches('=').replace('+', "-").replace('/', "_")
}

/// Decodes base64url without padding (the test fails on bad input).
pub fn unb64url(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap()
}

/// SHA-256 of `data`, by OpenSSL (an independent implementation).
pub fn sha256(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut c = std::process::Command::new("openssl")
        .args(["dgst", "-sha256", "-binary"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin.take().unwrap().write_all(data).unwrap();
    c.wait_with_output().unwrap().stdout
}

/// The server and its signer.
pub struct SignerWorld {
    pub dir: tempfile::TempDir,
    pub server: Server,
    pub token: String,
    pub credential: String,
}

impl SignerWorld {
    /// Starts a server (with `extra_config` appended to the fast test configuration) and
    /// makes the signer, whose credential has a `key` key and may sign 10 hashes per SAD.
    pub fn start(key: &str, extra_config: &str) -> Self {
        let listen = free_addr();
        let dir =
            data_dir(&format!("public_url = \"http://{listen}\"\n{FAST_CONFIG}{extra_config}"));
        let d = dir.path();
        let server = Server::start_on(d, &listen);
        admin_json(
            d,
            &["user", "create", "ada", "--password-stdin", "--name", "Ada Lovelace"],
            "ada-password",
        );
        admin_json(d, &["user", "set-pin", "ada", "--pin-stdin"], "123456");
        let c =
            admin_json(d, &["credential", "create", "ada", "--key", key, "--multisign", "10"], "");
        admin_json(d, &["ca", "export", "--out", d.join("ca").to_str().unwrap()], "");
        let token = login(&server.addr, "ada", "ada-password");
        Self { dir, server, token, credential: c["credential_id"].as_str().unwrap().to_owned() }
    }

    /// A JSON call with the signer's token.
    pub fn api(&self, path: &str, body: Value) -> (u16, Value) {
        http(&self.server.addr, "POST", path, Some(&self.token), Some(&body))
    }

    /// A SAD for exactly these base64 digests.
    pub fn sad(&self, hashes_b64: &[&str]) -> String {
        let (s, v, _) = post(
            &self.server.addr,
            "/csc/v1/credentials/authorize",
            Some(&self.token),
            &json!({ "credentialID": self.credential, "numSignatures": hashes_b64.len(), "hash": hashes_b64, "PIN": "123456" }),
        );
        assert_eq!(s, 200, "{v}");
        v["SAD"].as_str().unwrap().to_owned()
    }

    /// A SAD for exactly these documents (their SHA-256 digests).
    pub fn sad_for(&self, documents: &[&[u8]]) -> String {
        let hashes: Vec<String> = documents.iter().map(|d| b64(&sha256(d))).collect();
        self.sad(&hashes.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// The two steps: `prepare` with `body` (201), a SAD for the DTBS/R, `complete` (200);
    /// the completion's answer.
    pub fn two_steps(&self, body: Value) -> Value {
        let (s, p) = self.api("/api/v1/documents/prepare", body);
        assert_eq!(s, 201, "{p}");
        let sad = self.sad(&[p["hashes"][0].as_str().unwrap()]);
        let (s, done) = self.api(
            "/api/v1/documents/complete",
            json!({ "transactionID": p["transactionID"], "SAD": sad }),
        );
        assert_eq!(s, 200, "{done}");
        done
    }

    /// The embedded root CA (PEM).
    pub fn root(&self) -> PathBuf {
        self.dir.path().join("ca/root.pem")
    }
}
