//! `signet serve` on embedded defaults: first start, restart, health, shutdown, demo.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;
use common::*;

#[test]
fn first_start_creates_everything_and_a_restart_reuses_it() {
    let dir = data_dir(FAST_CONFIG);
    let s = Server::start(dir.path(), &[], &[]);
    for line in
        ["(created, migrations applied)", "master.key (created, mode 0600", "root CA", "issuing CA"]
    {
        assert!(s.banner.contains(line), "banner lacks {line:?}:\n{}", s.banner);
    }
    assert!(s.banner.contains("CN=Signet Root CA,O=Signet (created)"), "{}", s.banner);
    assert_eq!(mode(&dir.path().join("master.key")), 0o600);
    assert_eq!(mode(&dir.path().join("signet.db")), 0o600);

    let (code, body) = s.get("/healthz");
    assert_eq!((code, body.as_str()), (200, r#"{"status":"ok"}"#));
    let (code, body) = s.get("/readyz");
    assert_eq!(code, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["database"], "ok");
    assert_eq!(v["crypto"], "ok");
    let key_id = |banner: &str| banner.split("key id ").nth(1).map(|r| r[..16].to_owned());
    let first_id = key_id(&s.banner);
    assert!(s.stop(), "SIGTERM ends the server with success");

    let s = Server::start(dir.path(), &[], &[]);
    assert!(s.banner.contains("(reused, migrations checked)"), "{}", s.banner);
    assert!(s.banner.contains("master.key (reused"), "{}", s.banner);
    assert!(s.banner.contains("Signet Root CA,O=Signet (reused)"), "{}", s.banner);
    assert_eq!(key_id(&s.banner), first_id, "same master key");
    assert_eq!(s.get("/readyz").0, 200);
    assert!(s.stop());
}

#[test]
fn demo_is_created_once_and_printed_with_next_steps() {
    let dir = data_dir(FAST_CONFIG);
    let s = Server::start(dir.path(), &["--demo"], &[]);
    assert!(s.banner.contains("Demo (created now)"), "{}", s.banner);
    assert!(s.banner.contains("client_secret"), "{}", s.banner);
    assert!(s.banner.contains("PIN 123456"), "{}", s.banner);
    assert!(s.banner.contains("admin credential list demo"), "{}", s.banner);
    let listed = admin_json(dir.path(), &["credential", "list", "demo"], "");
    assert_eq!(listed["credentials"].as_array().unwrap().len(), 1);
    assert!(s.stop());

    let s = Server::start(dir.path(), &["--demo"], &[]);
    assert!(s.banner.contains("Demo (already there)"), "{}", s.banner);
    assert!(!s.banner.contains("client_secret "), "a secret is shown only once");
    let listed = admin_json(dir.path(), &["credential", "list", "demo"], "");
    assert_eq!(listed["credentials"].as_array().unwrap().len(), 1, "not created twice");
    assert!(s.stop());
}

#[test]
fn a_busy_port_is_a_one_line_error() {
    let dir = data_dir(FAST_CONFIG);
    let s = Server::start(dir.path(), &[], &[]);
    let out = signet(dir.path(), &["serve", "--listen", &s.addr], &[], "");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err.lines().last().unwrap_or_default();
    assert!(last.starts_with("error: cannot listen on"), "{err}");
    assert!(s.stop());
}

/// Every answer — JSON, DER, a refusal, an unknown path — carries the defensive headers:
/// nothing may frame it (`frame-ancestors 'none'`, `X-Frame-Options`), load from it, or
/// sniff it into another type, and it leaks no referrer.
#[test]
fn every_answer_carries_the_security_headers() {
    let dir = data_dir(FAST_CONFIG);
    let s = Server::start(dir.path(), &[], &[]);
    for (method, path) in [
        ("GET", "/readyz"),
        ("POST", "/csc/v1/info"),
        ("POST", "/csc/v1/credentials/list"),
        ("GET", "/pki/ca/root.crt"),
        ("GET", "/openapi.json"),
        ("GET", "/no/such/path"),
    ] {
        let out = std::process::Command::new("curl")
            .args(["-s", "-o", "/dev/null", "-D", "-", "-X", method])
            .arg(format!("http://{}{path}", s.addr))
            .output()
            .unwrap();
        let headers = String::from_utf8_lossy(&out.stdout).to_ascii_lowercase();
        for expected in [
            "content-security-policy: default-src 'none'; frame-ancestors 'none'",
            "x-content-type-options: nosniff",
            "x-frame-options: deny",
            "referrer-policy: no-referrer",
        ] {
            assert!(headers.contains(expected), "{method} {path}: {expected} in\n{headers}");
        }
    }
}

/// A SIGTERM that arrives as soon as the server says it is ready shuts it down cleanly
/// (exit 0): the signal handlers are in place before the readiness line, not installed
/// later by the shutdown task.
#[test]
fn sigterm_right_after_the_ready_line_is_a_clean_shutdown() {
    let dir = data_dir(FAST_CONFIG);
    for round in 0..12 {
        let s = Server::start(dir.path(), &[], &[]);
        assert!(s.stop(), "round {round}: the server died of the signal instead of stopping");
    }
}
