//! The authorization server, the OpenID Connect provider and the signer's pages against
//! real peers, `signet serve` running:
//! - Chromium (Debian's, driven by Playwright from `tests/peers/browser_flow.py`) as the
//!   signer's browser, an application on a loopback listener as the client, pyHanko as
//!   the application's PDF library: login, consent, the approval of a PDF's digest with
//!   the signing PIN (a wrong one first), the credential token spent on `signHash`, the
//!   signed PDF validated by pyHanko; a screenshot of each page.
//! - openid-client 6 (`tests/peers/oidc_rp.mjs`, Node) as a relying party: discovery,
//!   PKCE, state, nonce, the ID token checked against the JWKS, userinfo.
//!
//! Skipped (with a message) when a peer is missing, unless `SIGNET_REQUIRE_PEERS=1`
//! (`scripts/test` installs them). Screenshots and the signed PDF are kept in
//! `<target dir>/test-artefacts/oidc/` (beside `CARGO_TARGET_TMPDIR`, so
//! `target/test-artefacts/oidc/` unless `CARGO_TARGET_DIR` says otherwise).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;
use common::oidc_world::serve_with_ada;
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The peers' scripts, from the workspace root.
fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/peers")
}

/// Where this file's tests leave what a person may want to look at.
fn artefacts(sub: &str) -> PathBuf {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
    let dir = target.join("test-artefacts/oidc").join(sub);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A missing peer: a failure when the peers are required, else a skip with `why`.
fn missing_peer(why: &str) -> Option<PathBuf> {
    assert!(std::env::var("SIGNET_REQUIRE_PEERS").as_deref() != Ok("1"), "{why}");
    eprintln!("skipped: {why}");
    None
}

/// The peers' Python with Playwright, when Chromium is there too.
fn browser_python() -> Option<PathBuf> {
    let python = peers_python()?;
    if !Path::new("/usr/bin/chromium").exists() {
        return missing_peer("no /usr/bin/chromium (apt chromium)");
    }
    let ok = Command::new(&python).args(["-c", "import playwright"]).status().unwrap().success();
    if !ok {
        return missing_peer("no playwright in .venv-peers (pip playwright)");
    }
    Some(python)
}

/// Node with openid-client installed under `tests/peers`.
fn node() -> Option<PathBuf> {
    if Command::new("node").arg("--version").output().is_err() {
        return missing_peer("no node");
    }
    if !peers_dir().join("node_modules/openid-client").exists() {
        return missing_peer("no openid-client (npm install --prefix tests/peers)");
    }
    Some(PathBuf::from("node"))
}

/// `signet serve` with Ada (password, PIN, an EC credential), a public client `spa`
/// whose redirect URI is the application's loopback listener, and a public client `rp`.
struct World {
    dir: tempfile::TempDir,
    server: Server,
    spa: String,
    rp: String,
    /// The address the application (the browser script) listens on.
    app: String,
    credential: String,
}

const RP_REDIRECT: &str = "http://127.0.0.1:9/cb";

impl World {
    fn start() -> Self {
        let (dir, server, credential) =
            serve_with_ada(Module::Soft).expect("the soft module is always there");
        let d = dir.path();
        let app = free_addr();
        let client = |name: &str, redirect: &str| {
            let v = admin_json(
                d,
                &[
                    "client",
                    "create",
                    "--group",
                    "default",
                    "--name",
                    name,
                    "--redirect-uri",
                    redirect,
                    "--public",
                    "--scope",
                    "openid",
                    "--scope",
                    "profile",
                    "--scope",
                    "credential",
                    "--claim",
                    "name",
                    "--claim",
                    "loa",
                ],
                "",
            );
            v["client_id"].as_str().unwrap().to_owned()
        };
        let spa = client("spa", &format!("http://{app}/cb"));
        let rp = client("rp", RP_REDIRECT);
        Self { dir, server, spa, rp, app, credential }
    }

    fn issuer(&self) -> String {
        format!("http://{}", self.server.addr)
    }

    /// Runs `browser_flow.py` with `runs`, screenshots into `out`: its JSON summary.
    fn browser(&self, python: &Path, runs: &str, out: &Path) -> Value {
        let d = self.dir.path();
        // What the application knows of the signer: the credential's certificates, and
        // the root it trusts to validate the PDF.
        admin_json(d, &["ca", "export", "--out", d.join("ca").to_str().unwrap()], "");
        let token = login(&self.server.addr, "ada", "ada-password");
        let (st, info) = http(
            &self.server.addr,
            "POST",
            "/csc/v1/credentials/info",
            Some(&token),
            Some(&serde_json::json!({ "credentialID": self.credential, "certificates": "chain" })),
        );
        assert_eq!(st, 200, "{info}");
        std::fs::write(d.join("credential.json"), info.to_string()).unwrap();
        let o = Command::new(python)
            .arg(peers_dir().join("browser_flow.py"))
            .args(["--issuer", &self.issuer(), "--client-id", &self.spa])
            .args(["--app-listen", &self.app, "--user", "ada", "--password", "ada-password"])
            .args(["--pin", "123456", "--credential", &self.credential])
            .arg("--credential-info")
            .arg(d.join("credential.json"))
            .arg("--root")
            .arg(d.join("ca/root.pem"))
            .arg("--artefacts")
            .arg(out)
            .args(["--runs", runs])
            .env("PYTHONWARNINGS", "ignore")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&o.stdout);
        let summary: Value = serde_json::from_str(&stdout).unwrap_or_else(|_| {
            panic!("browser_flow.py: no JSON: {stdout}\n{}", String::from_utf8_lossy(&o.stderr))
        });
        let failures = summary["failures"].as_array().unwrap();
        assert!(
            o.status.success() && failures.is_empty(),
            "browser_flow.py ({}) failed:\n{}\nsummary: {summary:#}\nserver log: {}",
            o.status,
            failures
                .iter()
                .map(|f| format!("- {}", f.as_str().unwrap()))
                .collect::<Vec<_>>()
                .join("\n"),
            self.server.stderr()
        );
        summary
    }
}

/// A file that is a PNG of some size (a blank page compresses to a few hundred bytes).
fn assert_png(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is not a PNG", path.display());
    assert!(bytes.len() > 2_000, "{}: only {} bytes", path.display(), bytes.len());
}

/// Removes what an earlier run left, so that a screenshot checked is this run's.
fn clear(dir: &Path, files: &[&str]) {
    for f in files {
        let _ = std::fs::remove_file(dir.join(f));
    }
}

#[test]
fn chromium_logs_in_and_consents_and_the_application_reads_userinfo() {
    let Some(python) = browser_python() else { return };
    let w = World::start();
    let out = artefacts("");
    clear(&out, &["login.png", "consent.png"]);
    let s = w.browser(&python, "consent", &out);
    let c = &s["consent"];
    assert_eq!((c["state_ok"].as_bool(), c["iss_ok"].as_bool()), (Some(true), Some(true)), "{s}");
    assert_eq!(c["nonce_ok"], true, "{s}");
    assert_eq!(c["scope"], "openid profile");
    assert_eq!(c["id_token"]["iss"], w.issuer());
    assert_eq!(c["userinfo"]["name"], "Ada Lovelace", "{s}");
    assert_eq!(c["userinfo"]["sub"], c["id_token"]["sub"]);
    for page in ["login", "consent"] {
        let a = &s["accessibility"][page];
        assert_eq!(a["lang"], "en", "{page}: {a}");
        assert_eq!(a["h1"].as_array().unwrap().len(), 1, "{page}: {a}");
        assert_eq!(a["unlabelled"], serde_json::json!([]), "{page}: {a}");
        assert_png(&out.join(format!("{page}.png")));
    }
    assert_eq!(s["accessibility"]["login"]["inputs"], serde_json::json!(["username", "password"]));
}

#[test]
fn chromium_approves_a_pdf_digest_with_the_pin_and_pyhanko_validates_the_signed_pdf() {
    let Some(python) = browser_python() else { return };
    let w = World::start();
    let out = artefacts("");
    clear(&out, &["approve.png", "approve-wrong-pin.png", "signed.pdf"]);
    let s = w.browser(&python, "sign", &out);
    let sign = &s["sign"];
    assert_eq!(sign["token_scope"], "credential", "{s}");
    assert_eq!(sign["approval_shows_digest"], true);
    assert!(sign["wrong_pin_error"].as_str().unwrap().contains("Wrong PIN"), "{s}");
    let pdf = &s["pdf"];
    assert_eq!(
        (pdf["valid"].as_bool(), pdf["intact"].as_bool(), pdf["trusted"].as_bool()),
        (Some(true), Some(true), Some(true)),
        "{pdf}"
    );
    assert_eq!(pdf["coverage"], "ENTIRE_FILE", "{pdf}");
    assert!(pdf["cli"].as_str().unwrap().lines().any(|l| l.ends_with(":VALID")), "{pdf}");
    assert!(std::fs::read(out.join("signed.pdf")).unwrap().starts_with(b"%PDF-"));
    for page in ["approve", "approve-wrong-pin"] {
        let a = &s["accessibility"][page];
        assert_eq!(a["unlabelled"], serde_json::json!([]), "{page}: {a}");
        assert_eq!(a["inputs"], serde_json::json!(["pin"]), "{page}: {a}");
        assert_png(&out.join(format!("{page}.png")));
    }
    // The approval was audited, and the signature made with the credential token.
    let audit = signet(w.dir.path(), &["audit", "list", "--json"], &[], "");
    assert!(String::from_utf8_lossy(&audit.stdout).contains("signatures.signHash"));
}

/// The PDF preview in a real browser: Chromium loads the document into the approval
/// page's frame under the page's CSP (`frame-src 'self'`, the document's
/// `frame-ancestors 'self'`), refuses nothing, and the approval completes the signature.
#[test]
fn chromium_frames_the_pdf_on_the_approval_page_and_the_approval_completes_its_signature() {
    let Some(python) = browser_python() else { return };
    let w = World::start();
    let out = artefacts("document");
    clear(&out, &["approve-document.png", "signed-document.pdf"]);
    let s = w.browser(&python, "document", &out);
    let doc = &s["document"];
    assert_eq!(doc["framed_status"], 200, "{s}");
    assert_eq!(doc["framed_type"], "application/pdf", "{s}");
    assert_eq!(doc["console_errors"], serde_json::json!([]), "{s}");
    let pdf = &s["document_pdf"];
    assert_eq!(
        (pdf["valid"].as_bool(), pdf["intact"].as_bool(), pdf["trusted"].as_bool()),
        (Some(true), Some(true), Some(true)),
        "{pdf}"
    );
    assert!(pdf["cli"].as_str().unwrap().lines().any(|l| l.ends_with(":VALID")), "{pdf}");
    assert_png(&out.join("approve-document.png"));
    let a = &s["accessibility"]["approve-document"];
    assert_eq!(a["unlabelled"], serde_json::json!([]), "{a}");
}

#[test]
fn chromium_in_a_new_session_returns_to_the_application_without_asking_consent_again() {
    let Some(python) = browser_python() else { return };
    let w = World::start();
    let s = w.browser(&python, "consent,remembered", &artefacts("remembered"));
    assert_eq!(s["remembered"]["back_without_consent"], true, "{s}");
}

#[test]
fn openid_client_relying_party_completes_the_code_flow_and_reads_userinfo() {
    let Some(node) = node() else { return };
    let w = World::start();
    let o = Command::new(node)
        .arg(peers_dir().join("oidc_rp.mjs"))
        .args(["--issuer", &w.issuer(), "--client-id", &w.rp, "--redirect-uri", RP_REDIRECT])
        .args(["--user", "ada", "--password", "ada-password"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "oidc_rp.mjs: {stdout}{}\nserver log: {}",
        String::from_utf8_lossy(&o.stderr),
        w.server.stderr()
    );
    let v: Value = serde_json::from_str(&stdout).unwrap();
    let checks = &v["checks"];
    assert_eq!(checks["discovery_issuer"], w.issuer());
    assert_eq!(checks["iss_returned"], w.issuer(), "RFC 9207: {v}");
    assert_eq!(checks["iss_parameter_supported"], true);
    assert_eq!(checks["state_matched"], true);
    assert_eq!(checks["nonce_matched"], true);
    assert_eq!(checks["at_hash_present"], true);
    assert_eq!(checks["consent_page_shown"], true);
    assert_eq!(checks["id_token_signature_verified"], true);
    assert_eq!(checks["id_token_alg"], "RS256");
    let id = &v["id_token_claims"];
    assert_eq!(id["iss"], w.issuer());
    assert_eq!(id["aud"], w.rp);
    assert_eq!(id["acr"], "http://eidas.europa.eu/LoA/low");
    assert_eq!(v["userinfo"]["sub"], id["sub"]);
    assert_eq!(v["userinfo"]["name"], "Ada Lovelace", "{v}");
    assert_eq!(v["userinfo"]["loa"]["level"], "low");
    assert_eq!(v["scope"], "openid profile");
}
